//! The Jira client: reqwest against a site (API token / personal access
//! token) or Atlassian's gateway (`…/ex/jira/{cloudid}/`, OAuth 2.0).
//!
//! Not gouqi: gouqi turns every 4xx into a fault without headers, so
//! `RateLimit-Reason` and `Retry-After` cannot be honoured, it has no bulk
//! changelog, and its automatic search version picks the removed endpoint
//! on the gateway host (docs/platform.md D4). We need five endpoints; this is
//! them, with Atlassian's rate-limit rules (D3) in one place.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::Rng;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use crate::domain::OrgId;

/// Why a Jira call failed; messages are fit for App Home.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JiraError {
    /// The credentials are wrong, expired or revoked (with our own note of
    /// what was refused).
    #[error("Jira refused the credentials ({0}); reconnect Jira from App Home")]
    Unauthorized(String),
    /// The account lacks access.
    #[error("the Jira account cannot read {0}; it needs Browse projects permission")]
    Forbidden(String),
    /// Missing resource.
    #[error("Jira has no {0} (or the account cannot see it)")]
    NotFound(String),
    /// A limit that outlasted our retries.
    #[error("Jira's rate limit was reached ({0}); the sync resumes by itself")]
    RateLimited(String),
    /// Anything else Jira answered. Its own words (`message`) go to the
    /// log, never to a person: they come from a host a customer named.
    #[error("Jira answered {status}")]
    Api {
        /// HTTP status.
        status: u16,
        /// Jira's message.
        message: String,
    },
    /// Network trouble.
    #[error("Jira could not be reached: {0}")]
    Transport(String),
    /// A list that would not end.
    #[error("Jira paging: {0}")]
    Paging(#[from] crate::bounds::PagingError),
    /// The site is not on the public internet (`egress`).
    #[error(transparent)]
    NotPublic(#[from] crate::egress::NotPublic),
}

/// The transport error of `e`, or [`JiraError::NotPublic`] when the
/// outbound resolver refused the address.
fn transport(e: reqwest::Error) -> JiraError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(err) = source {
        if let Some(refused) = err.downcast_ref::<crate::egress::NotPublic>() {
            return JiraError::NotPublic(refused.clone());
        }
        source = err.source();
    }
    JiraError::Transport(e.without_url().to_string())
}

/// Which Jira: Cloud has `/rest/api/3` and the token-paged search;
/// Data Center has `/rest/api/2` only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// Jira Cloud (site or gateway).
    Cloud,
    /// Jira Data Center / Server.
    DataCenter,
}

/// How requests authenticate.
#[derive(Clone)]
pub enum JiraAuth {
    /// Email and API token (Jira Cloud).
    Basic {
        /// Account email.
        email: String,
        /// API token.
        token: SecretString,
    },
    /// OAuth access token or personal access token.
    Bearer(SecretString),
}

/// The app-wide hourly points budget of the OAuth app (docs/platform.md D3):
/// every OAuth call is charged before it is made, and one org may use at
/// most a quarter of the hour's budget so a large site cannot starve the
/// others. Token-mode traffic is not charged (Atlassian exempts it).
#[derive(Debug)]
pub struct PointBudget {
    per_hour: u64,
    state: Mutex<BudgetState>,
}

#[derive(Debug, Default)]
struct BudgetState {
    hour: i64,
    spent: u64,
    by_org: HashMap<OrgId, u64>,
    paused_until: i64,
    total: u64,
}

/// One org's share of the hourly budget.
const ORG_SHARE_DIVISOR: u64 = 4;

impl PointBudget {
    /// The process's budget (made by the root with `JIRA_POINTS_PER_HOUR`).
    pub fn of(state: &crate::state::AppState) -> Arc<Self> {
        state
            .handles
            .get::<Self>()
            .unwrap_or_else(|| Arc::new(Self::new(state.config.jira.points_per_hour)))
    }

    /// A budget of `per_hour` points.
    pub fn new(per_hour: u64) -> Self {
        Self {
            per_hour,
            state: Mutex::new(BudgetState::default()),
        }
    }

    /// Points charged since start (benchmarks, logs).
    pub fn total_spent(&self) -> u64 {
        self.state.lock().map(|s| s.total).unwrap_or(0)
    }

    /// Seconds to wait before `cost` points may be spent for `org` now,
    /// or 0 after charging them.
    fn try_charge(&self, org: OrgId, cost: u64, now: i64) -> i64 {
        let Ok(mut s) = self.state.lock() else {
            return 0;
        };
        if s.paused_until > now {
            return s.paused_until - now;
        }
        let hour = now - now.rem_euclid(3600);
        if s.hour != hour {
            s.hour = hour;
            s.spent = 0;
            s.by_org.clear();
        }
        let org_spent = s.by_org.get(&org).copied().unwrap_or(0);
        let org_cap = (self.per_hour / ORG_SHARE_DIVISOR).max(cost);
        if s.spent + cost > self.per_hour.max(cost) || org_spent + cost > org_cap {
            return hour + 3600 - now;
        }
        s.spent += cost;
        s.total += cost;
        *s.by_org.entry(org).or_insert(0) += cost;
        0
    }

    /// Stops every call until `until` (a quota 429).
    fn pause_until(&self, until: i64) {
        if let Ok(mut s) = self.state.lock() {
            s.paused_until = s.paused_until.max(until);
        }
    }

    async fn charge(&self, org: OrgId, cost: u64) {
        loop {
            let wait = self.try_charge(org, cost, chrono::Utc::now().timestamp());
            if wait <= 0 {
                return;
            }
            tracing::warn!(org_id = %org, wait_secs = wait, "Jira points budget spent; pausing");
            tokio::time::sleep(Duration::from_secs(wait.clamp(1, MAX_WAIT_SECS) as u64)).await;
        }
    }
}

/// Retries of a burst 429 or a 5xx.
const MAX_RETRIES: u32 = 4;
/// Longest single pause (quotas reset hourly).
const MAX_WAIT_SECS: i64 = 3700;

/// Refreshes an OAuth access token after a 401 (see `oauth`).
#[async_trait::async_trait]
pub trait Refresh: Send + Sync {
    /// A new access token, stored before it is returned.
    async fn refresh(&self) -> Result<SecretString, JiraError>;
}

/// A Jira client for one org.
#[derive(Clone)]
pub struct JiraClient {
    http: reqwest::Client,
    base: url::Url,
    auth: Arc<Mutex<JiraAuth>>,
    flavor: Flavor,
    org: OrgId,
    budget: Option<Arc<PointBudget>>,
    refresher: Option<Arc<dyn Refresh>>,
}

impl std::fmt::Debug for JiraClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JiraClient")
            .field("base", &self.base.as_str())
            .field("flavor", &self.flavor)
            .finish()
    }
}

/// At most 200 characters of a remote message, for the log.
fn shorten(message: &str) -> String {
    message.chars().take(200).collect()
}

fn jitter(d: Duration) -> Duration {
    d.mul_f64(rand::thread_rng().gen_range(0.7..1.3))
}

fn header<'a>(h: &'a reqwest::header::HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name)?.to_str().ok()
}

impl JiraClient {
    /// A client for `base` (ending in `/`).
    pub fn new(
        http: reqwest::Client,
        base: url::Url,
        auth: JiraAuth,
        flavor: Flavor,
        org: OrgId,
    ) -> Self {
        Self {
            http,
            base,
            auth: Arc::new(Mutex::new(auth)),
            flavor,
            org,
            budget: None,
            refresher: None,
        }
    }

    /// Charges calls to the app-wide OAuth budget.
    pub fn with_budget(mut self, budget: Arc<PointBudget>) -> Self {
        self.budget = Some(budget);
        self
    }

    /// Refreshes the token once on a 401.
    pub fn with_refresher(mut self, refresher: Arc<dyn Refresh>) -> Self {
        self.refresher = Some(refresher);
        self
    }

    /// Cloud or Data Center.
    pub fn flavor(&self) -> Flavor {
        self.flavor
    }

    /// `rest/api/3/` on Cloud, `rest/api/2/` on Data Center.
    pub fn api(&self, path: &str) -> String {
        match self.flavor {
            Flavor::Cloud => format!("rest/api/3/{path}"),
            Flavor::DataCenter => format!("rest/api/2/{path}"),
        }
    }

    /// A GET of `path` (relative to the base) costing about `objects`
    /// returned objects; `what` names it in errors.
    pub async fn get(&self, path: &str, objects: u64, what: &str) -> Result<Value, JiraError> {
        self.send(reqwest::Method::GET, path, None, objects, what)
            .await
    }

    /// A POST with a JSON body.
    pub async fn post(
        &self,
        path: &str,
        body: &Value,
        objects: u64,
        what: &str,
    ) -> Result<Value, JiraError> {
        self.send(reqwest::Method::POST, path, Some(body), objects, what)
            .await
    }

    /// A PUT with a JSON body.
    pub async fn send_put(&self, path: &str, body: &Value, what: &str) -> Result<Value, JiraError> {
        self.send(reqwest::Method::PUT, path, Some(body), 1, what)
            .await
    }

    /// A DELETE with a JSON body.
    pub async fn send_delete(
        &self,
        path: &str,
        body: &Value,
        what: &str,
    ) -> Result<Value, JiraError> {
        self.send(reqwest::Method::DELETE, path, Some(body), 1, what)
            .await
    }

    fn authorize(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        let auth = self.auth.lock().map(|a| a.clone());
        match auth {
            Ok(JiraAuth::Basic { email, token }) => {
                req.basic_auth(email, Some(token.expose_secret()))
            }
            Ok(JiraAuth::Bearer(token)) => req.bearer_auth(token.expose_secret()),
            Err(_) => req,
        }
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
        objects: u64,
        what: &str,
    ) -> Result<Value, JiraError> {
        let url = self
            .base
            .join(path)
            .map_err(|e| JiraError::Transport(format!("bad path {path}: {e}")))?;
        let mut attempt = 0u32;
        let mut refreshed = false;
        loop {
            if let Some(budget) = &self.budget {
                budget.charge(self.org, 1 + objects).await;
            }
            let mut req = self
                .authorize(self.http.request(method.clone(), url.clone()))
                .header("accept", "application/json");
            if let Some(body) = body {
                req = req.json(body);
            }
            let answer = match req.send().await {
                Ok(a) => a,
                Err(e) if attempt < MAX_RETRIES => {
                    attempt += 1;
                    tracing::warn!(error = %e, "Jira unreachable; retrying");
                    tokio::time::sleep(jitter(Duration::from_millis(250 << attempt))).await;
                    continue;
                }
                Err(e) => {
                    crate::telemetry::outbound("jira", "transport");
                    return Err(transport(e));
                }
            };
            let status = answer.status();
            crate::telemetry::outbound("jira", status.as_str());
            let headers = answer.headers().clone();
            let bytes = crate::bounds::read_capped(answer, crate::bounds::MAX_BODY_BYTES)
                .await
                .map_err(|e| JiraError::Transport(e.to_string()))?;
            if status.is_success() {
                if bytes.is_empty() {
                    return Ok(Value::Null);
                }
                return serde_json::from_slice(&bytes).map_err(|e| JiraError::Api {
                    status: status.as_u16(),
                    message: format!("unreadable JSON: {e}"),
                });
            }
            let message = serde_json::from_slice::<Value>(&bytes)
                .ok()
                .and_then(|v| {
                    v["errorMessages"][0]
                        .as_str()
                        .or(v["message"].as_str())
                        .map(str::to_string)
                })
                .unwrap_or_else(|| status.to_string());
            let retry_after =
                header(&headers, "retry-after").and_then(|v| v.trim().parse::<i64>().ok());
            match status.as_u16() {
                401 if !refreshed && self.refresher.is_some() => {
                    refreshed = true;
                    if let Some(r) = &self.refresher {
                        let token = r.refresh().await?;
                        if let Ok(mut auth) = self.auth.lock() {
                            *auth = JiraAuth::Bearer(token);
                        }
                    }
                    continue;
                }
                401 => {
                    tracing::debug!(message = %shorten(&message), "Jira refused the credentials");
                    return Err(JiraError::Unauthorized(format!("HTTP 401 for {what}")));
                }
                403 => return Err(JiraError::Forbidden(what.to_string())),
                404 => return Err(JiraError::NotFound(what.to_string())),
                429 => {
                    let reason = header(&headers, "ratelimit-reason")
                        .unwrap_or("jira-burst-based")
                        .to_string();
                    attempt += 1;
                    if attempt > MAX_RETRIES + 2 {
                        return Err(JiraError::RateLimited(reason));
                    }
                    if reason.contains("quota") {
                        let now = chrono::Utc::now().timestamp();
                        let until = header(&headers, "x-ratelimit-reset")
                            .and_then(|v| chrono::DateTime::parse_from_rfc3339(v).ok())
                            .map(|t| t.timestamp())
                            .or(retry_after.map(|s| now + s))
                            .unwrap_or(now + 60);
                        tracing::warn!(
                            reason,
                            wait_secs = until - now,
                            "Jira quota reached; pausing all calls"
                        );
                        if let Some(budget) = &self.budget {
                            budget.pause_until(until);
                        }
                        tokio::time::sleep(Duration::from_secs(
                            (until - now).clamp(1, MAX_WAIT_SECS) as u64,
                        ))
                        .await;
                    } else {
                        let wait = retry_after
                            .map(|s| Duration::from_secs(s.clamp(0, 60) as u64))
                            .unwrap_or(Duration::from_millis(500 << attempt.min(6)));
                        tracing::info!(reason, ?wait, "Jira burst limit; slowing down");
                        tokio::time::sleep(jitter(wait)).await;
                    }
                    continue;
                }
                s if s >= 500 && attempt < MAX_RETRIES => {
                    attempt += 1;
                    let wait = retry_after
                        .map(|s| Duration::from_secs(s.clamp(0, 60) as u64))
                        .unwrap_or(Duration::from_millis(250 << attempt));
                    tokio::time::sleep(jitter(wait)).await;
                    continue;
                }
                s => {
                    tracing::warn!(status = s, message = %shorten(&message), what, "Jira refused a request");
                    return Err(JiraError::Api { status: s, message });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_org_cannot_spend_more_than_its_share_of_the_hour() {
        let budget = PointBudget::new(400);
        let (a, b) = (OrgId::from_db(1), OrgId::from_db(2));
        let hour = 1_800_000_000 / 3600 * 3600;
        assert_eq!(budget.try_charge(a, 100, hour + 10), 0);
        // A's share (a quarter) is spent: it waits for the next hour…
        assert_eq!(budget.try_charge(a, 1, hour + 10), 3590);
        // …while B still gets its share.
        assert_eq!(budget.try_charge(b, 100, hour + 10), 0);
        // A new hour starts a new budget.
        assert_eq!(budget.try_charge(a, 100, hour + 3600), 0);
        assert_eq!(budget.total_spent(), 300);
    }

    #[test]
    fn a_quota_pause_stops_everyone_until_the_reset() {
        let budget = PointBudget::new(100_000);
        budget.pause_until(1_000);
        assert_eq!(budget.try_charge(OrgId::from_db(1), 1, 900), 100);
        assert_eq!(budget.try_charge(OrgId::from_db(2), 1, 1_000), 0);
    }
}
