//! The GitHub client: octocrab pointed at `GITHUB_API_URL`, with its
//! rate-limit-aware retry (403/429 wait for `Retry-After` or the reset),
//! plus our own handling of what octocrab leaves out: GraphQL rate limits
//! arrive as HTTP 200 with an error, and 5xx deserve a retry with backoff.

use std::sync::Arc;
use std::time::Duration;

use http_body_util::BodyExt;
use octocrab::Octocrab;
use octocrab::service::middleware::retry::{NoOpRateLimitMetrics, RetryConfig};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

use crate::config::GithubAppSettings;

/// Why a GitHub call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GithubError {
    /// The token is missing, wrong or expired.
    #[error("GitHub refused the token ({0})")]
    Unauthorized(String),
    /// The token lacks access to the resource.
    #[error(
        "the token cannot read {0}; it needs read access to the organisation's members and repositories"
    )]
    Forbidden(String),
    /// The organisation or repository does not exist (or is invisible).
    #[error("GitHub has no {0} (or the token cannot see it)")]
    NotFound(String),
    /// A limit that outlasted our retries.
    #[error("GitHub rate limit reached; resets at {0}")]
    RateLimited(i64),
    /// A GraphQL error.
    #[error("GitHub GraphQL error: {0}")]
    Graphql(String),
    /// Anything else GitHub answered.
    #[error("GitHub answered {status}: {message}")]
    Api {
        /// HTTP status.
        status: u16,
        /// GitHub's message.
        message: String,
    },
    /// Network or protocol trouble.
    #[error("GitHub could not be reached: {0}")]
    Transport(String),
    /// A list that would not end.
    #[error("GitHub paging: {0}")]
    Paging(#[from] crate::bounds::PagingError),
}

/// The rate-limit budget GitHub reported with the last answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Budget {
    /// Points or requests left.
    pub remaining: Option<i64>,
    /// When the budget resets, Unix seconds.
    pub reset_at: Option<i64>,
    /// What the last GraphQL query cost.
    pub cost: Option<i64>,
}

/// How many times a 5xx or GraphQL rate limit is retried.
const MAX_ATTEMPTS: u32 = 6;
/// Below this many points left, wait for the reset before the next query.
const LOW_WATER: i64 = 50;
/// Never sleep longer than this for one limit (GitHub resets hourly).
const MAX_WAIT: Duration = Duration::from_secs(3700);

/// A GitHub API client for one token.
#[derive(Clone)]
pub struct GithubClient {
    crab: Octocrab,
    budget: Arc<std::sync::Mutex<Budget>>,
}

impl std::fmt::Debug for GithubClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GithubClient")
    }
}

fn header_i64(headers: &http::HeaderMap, name: &str) -> Option<i64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

async fn wait_until(reset_at: i64) {
    let now = chrono::Utc::now().timestamp();
    let secs = (reset_at - now).clamp(1, MAX_WAIT.as_secs() as i64) as u64;
    tracing::warn!(
        wait_secs = secs,
        "GitHub rate limit low; pausing until it resets"
    );
    tokio::time::sleep(Duration::from_secs(secs)).await;
}

/// octocrab's retry that waits for `Retry-After` or the reset on 403/429.
fn retry() -> RetryConfig {
    RetryConfig::HandleRateLimits {
        metrics: Arc::new(NoOpRateLimitMetrics),
        max_retries: 3,
        min_wait_seconds: 60,
        retry_on_forbidden: false,
    }
}

fn transport(e: impl std::fmt::Display) -> GithubError {
    GithubError::Transport(e.to_string())
}

impl GithubClient {
    fn wrap(crab: Octocrab) -> Self {
        Self {
            crab,
            budget: Arc::new(std::sync::Mutex::new(Budget::default())),
        }
    }

    /// A client authenticating with `token` against `api_url`.
    pub fn with_token(api_url: &url::Url, token: &SecretString) -> Result<Self, GithubError> {
        let crab = Octocrab::builder()
            .base_uri(api_url.as_str().trim_end_matches('/'))
            .map_err(transport)?
            .personal_token(token.expose_secret().to_string())
            .add_retry_config(retry())
            .build()
            .map_err(transport)?;
        Ok(Self::wrap(crab))
    }

    /// A client acting as the GitHub App itself (a short-lived JWT signed
    /// with the App's key): reads installations.
    pub fn as_app(api_url: &url::Url, app: &GithubAppSettings) -> Result<Self, GithubError> {
        let crab = Octocrab::builder()
            .base_uri(api_url.as_str().trim_end_matches('/'))
            .map_err(transport)?
            .app(octocrab::models::AppId(app.id), app.key.clone())
            .add_retry_config(retry())
            .build()
            .map_err(transport)?;
        Ok(Self::wrap(crab))
    }

    /// A client acting as one installation of the App: octocrab mints an
    /// installation token on first use and mints a new one when it expires.
    pub fn for_installation(
        api_url: &url::Url,
        app: &GithubAppSettings,
        installation: u64,
    ) -> Result<Self, GithubError> {
        let app_client = Self::as_app(api_url, app)?;
        let crab = app_client
            .crab
            .installation(octocrab::models::InstallationId(installation))
            .map_err(transport)?;
        Ok(Self::wrap(crab))
    }

    /// The budget GitHub reported last.
    pub fn budget(&self) -> Budget {
        self.budget.lock().map(|b| *b).unwrap_or_default()
    }

    fn note_budget(&self, headers: &http::HeaderMap) {
        if let Ok(mut b) = self.budget.lock() {
            if let Some(r) = header_i64(headers, "x-ratelimit-remaining") {
                b.remaining = Some(r);
            }
            if let Some(r) = header_i64(headers, "x-ratelimit-reset") {
                b.reset_at = Some(r);
            }
        }
    }

    /// Waits for the reset first when the last answer said the budget is low.
    async fn respect_budget(&self) {
        let b = self.budget();
        if let (Some(remaining), Some(reset)) = (b.remaining, b.reset_at)
            && remaining < LOW_WATER.max(b.cost.unwrap_or(1) * 2)
            && reset > chrono::Utc::now().timestamp()
        {
            wait_until(reset).await;
            if let Ok(mut b) = self.budget.lock() {
                b.remaining = None;
            }
        }
    }

    async fn send(
        &self,
        method: http::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(http::StatusCode, http::HeaderMap, Vec<u8>), GithubError> {
        let response = match method {
            http::Method::POST => self.crab._post(path, body).await,
            http::Method::PATCH => self.crab._patch(path, body).await,
            http::Method::PUT => self.crab._put(path, body).await,
            _ => self.crab._get(path).await,
        }
        .map_err(|e| {
            crate::telemetry::outbound("github", "transport");
            GithubError::Transport(e.to_string())
        })?;
        let status = response.status();
        crate::telemetry::outbound("github", status.as_str());
        let headers = response.headers().clone();
        let bytes =
            http_body_util::Limited::new(response.into_body(), crate::bounds::MAX_BODY_BYTES)
                .collect()
                .await
                .map_err(|e| GithubError::Transport(e.to_string()))?
                .to_bytes()
                .to_vec();
        self.note_budget(&headers);
        Ok((status, headers, bytes))
    }

    fn refusal(
        status: http::StatusCode,
        headers: &http::HeaderMap,
        body: &[u8],
        what: &str,
    ) -> GithubError {
        let message = serde_json::from_slice::<Value>(body)
            .ok()
            .and_then(|v| v["message"].as_str().map(str::to_string))
            .unwrap_or_else(|| status.to_string());
        match status.as_u16() {
            401 => GithubError::Unauthorized(message),
            403 | 429 if header_i64(headers, "x-ratelimit-remaining") == Some(0) => {
                GithubError::RateLimited(header_i64(headers, "x-ratelimit-reset").unwrap_or(0))
            }
            403 => GithubError::Forbidden(what.to_string()),
            404 => GithubError::NotFound(what.to_string()),
            s => GithubError::Api { status: s, message },
        }
    }

    /// A REST GET; returns the JSON and the `next` page path, if any.
    /// 5xx are retried with backoff; `what` names the resource in errors.
    pub async fn get(
        &self,
        path: &str,
        what: &str,
    ) -> Result<(Value, Option<String>), GithubError> {
        let mut attempt = 0;
        loop {
            self.respect_budget().await;
            let (status, headers, body) = self.send(http::Method::GET, path, None).await?;
            if status.is_success() {
                let json = serde_json::from_slice(&body).map_err(|e| GithubError::Api {
                    status: status.as_u16(),
                    message: format!("unreadable JSON: {e}"),
                })?;
                return Ok((json, next_link(&headers)));
            }
            attempt += 1;
            if status.is_server_error() && attempt < MAX_ATTEMPTS {
                tokio::time::sleep(Duration::from_millis(250 * 2u64.pow(attempt))).await;
                continue;
            }
            return Err(Self::refusal(status, &headers, &body, what));
        }
    }

    /// A REST POST (not retried: a create must not happen twice).
    pub async fn post(&self, path: &str, body: &Value, what: &str) -> Result<Value, GithubError> {
        self.respect_budget().await;
        let (status, headers, bytes) = self.send(http::Method::POST, path, Some(body)).await?;
        if !status.is_success() {
            return Err(Self::refusal(status, &headers, &bytes, what));
        }
        Ok(serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    /// A REST PATCH (not retried).
    pub async fn patch(&self, path: &str, body: &Value, what: &str) -> Result<Value, GithubError> {
        self.respect_budget().await;
        let (status, headers, bytes) = self.send(http::Method::PATCH, path, Some(body)).await?;
        if !status.is_success() {
            return Err(Self::refusal(status, &headers, &bytes, what));
        }
        Ok(serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    /// A REST PUT (not retried), e.g. creating or updating a file.
    pub async fn put(&self, path: &str, body: &Value, what: &str) -> Result<Value, GithubError> {
        self.respect_budget().await;
        let (status, headers, bytes) = self.send(http::Method::PUT, path, Some(body)).await?;
        if !status.is_success() {
            return Err(Self::refusal(status, &headers, &bytes, what));
        }
        Ok(serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    /// A GraphQL query. Rate limits (HTTP 200 with a `RATE_LIMITED` error,
    /// or a low `rateLimit.remaining`) pause until the reset and retry; a
    /// sync therefore pauses rather than fails.
    pub async fn graphql(&self, query: &str, variables: Value) -> Result<Value, GithubError> {
        let body = json!({ "query": query, "variables": variables });
        let mut attempt = 0;
        loop {
            self.respect_budget().await;
            attempt += 1;
            let (status, headers, bytes) = self
                .send(http::Method::POST, "/graphql", Some(&body))
                .await?;
            if status.is_server_error() && attempt < MAX_ATTEMPTS {
                tokio::time::sleep(Duration::from_millis(250 * 2u64.pow(attempt))).await;
                continue;
            }
            if !status.is_success() {
                let err = Self::refusal(status, &headers, &bytes, "the GraphQL API");
                if let GithubError::RateLimited(reset) = err
                    && attempt < MAX_ATTEMPTS
                {
                    wait_until(reset).await;
                    continue;
                }
                return Err(err);
            }
            let answer: Value = serde_json::from_slice(&bytes)
                .map_err(|e| GithubError::Graphql(format!("unreadable answer: {e}")))?;
            let errors = answer["errors"].as_array().cloned().unwrap_or_default();
            if errors.iter().any(|e| e["type"] == "RATE_LIMITED") {
                let reset = header_i64(&headers, "x-ratelimit-reset")
                    .unwrap_or_else(|| chrono::Utc::now().timestamp() + 60);
                if attempt < MAX_ATTEMPTS {
                    wait_until(reset).await;
                    continue;
                }
                return Err(GithubError::RateLimited(reset));
            }
            if let Some(limit) = answer["data"]["rateLimit"].as_object()
                && let Ok(mut b) = self.budget.lock()
            {
                b.remaining = limit
                    .get("remaining")
                    .and_then(Value::as_i64)
                    .or(b.remaining);
                b.cost = limit.get("cost").and_then(Value::as_i64);
                if let Some(reset) = limit
                    .get("resetAt")
                    .and_then(Value::as_str)
                    .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
                {
                    b.reset_at = Some(reset.timestamp());
                }
            }
            if answer["data"].is_null() || !errors.is_empty() && answer["data"].is_null() {
                let message = errors
                    .first()
                    .and_then(|e| e["message"].as_str())
                    .unwrap_or("no data")
                    .to_string();
                return Err(GithubError::Graphql(message));
            }
            return Ok(answer["data"].clone());
        }
    }
}

/// The path of the `rel="next"` link of a paginated answer.
fn next_link(headers: &http::HeaderMap) -> Option<String> {
    let link = headers.get("link")?.to_str().ok()?;
    link.split(',').find_map(|part| {
        let (url, rel) = part.split_once(';')?;
        rel.contains("rel=\"next\"").then(|| {
            let url = url.trim().trim_start_matches('<').trim_end_matches('>');
            // Keep path and query: the client adds its own base.
            match url::Url::parse(url) {
                Ok(u) => match u.query() {
                    Some(q) => format!("{}?{q}", u.path()),
                    None => u.path().to_string(),
                },
                Err(_) => url.to_string(),
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_link_is_found_among_others() {
        let mut h = http::HeaderMap::new();
        h.insert(
            "link",
            "<https://api.github.com/orgs/acme/members?page=1>; rel=\"prev\", <https://api.github.com/orgs/acme/members?page=3&per_page=100>; rel=\"next\""
                .parse()
                .unwrap(),
        );
        assert_eq!(
            next_link(&h).as_deref(),
            Some("/orgs/acme/members?page=3&per_page=100")
        );
        assert_eq!(next_link(&http::HeaderMap::new()), None);
    }
}
