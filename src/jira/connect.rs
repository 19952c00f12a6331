//! Connecting Jira: Atlassian OAuth 2.0 (3LO) with rotating refresh tokens,
//! or a site with an API token (Cloud) / personal access token (Data
//! Center); and the org's client from what is stored.

use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

use super::client::{Flavor, JiraAuth, JiraClient, JiraError, PointBudget, Refresh};
use crate::config::JiraSettings;
use crate::crypto::Keyring;
use crate::domain::OrgId;
use crate::store::{Db, StoreError, audit, credentials, integrations, unix_now};

/// Stored credential: API token or personal access token.
pub const API_TOKEN: &str = "jira_api_token";
/// Stored credential: OAuth access token (with its expiry).
pub const ACCESS_TOKEN: &str = "jira_access_token";
/// Stored credential: OAuth refresh token (rotates on every use).
pub const REFRESH_TOKEN: &str = "jira_refresh_token";
/// `oauth_state.purpose` of the consent round trip.
pub const STATE_PURPOSE: &str = "jira_oauth";
const STATE_TTL_SECS: i64 = 1800;
/// Scopes asked for at consent (docs/platform.md D1).
/// `manage:jira-webhook` registers, refreshes and deletes the site's
/// dynamic webhook (`/rest/api/3/webhook` asks for it with `read:jira-work`).
pub const SCOPES: [&str; 6] = [
    "read:jira-work",
    "read:jira-user",
    "manage:jira-webhook",
    "read:board-scope:jira-software",
    "read:sprint:jira-software",
    "offline_access",
];
/// What admins see when the stored sign-in no longer works.
pub const RECONNECT: &str =
    "Jira refused the stored sign-in (expired or revoked). Reconnect Jira from App Home.";

/// Why connecting failed.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// Jira refused.
    #[error(transparent)]
    Jira(#[from] JiraError),
    /// Storage.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The link is forged, used or old.
    #[error("this link is not valid any more; start again from aimpact's App Home in Slack")]
    BadState,
    /// Atlassian sent no usable answer.
    #[error("{0}")]
    Refused(String),
    /// A setting is missing here.
    #[error("{0}")]
    NotConfigured(&'static str),
}

impl From<sqlx::Error> for ConnectError {
    fn from(e: sqlx::Error) -> Self {
        ConnectError::Store(e.into())
    }
}

/// Normalises a site URL typed by an admin (`acme.atlassian.net` works).
pub fn site_url(raw: &str) -> Option<url::Url> {
    let raw = raw.trim().trim_end_matches('/');
    if raw.is_empty() {
        return None;
    }
    let with_scheme = if raw.contains("://") {
        raw.to_string()
    } else {
        format!("https://{raw}")
    };
    let url = url::Url::parse(&format!("{with_scheme}/")).ok()?;
    (matches!(url.scheme(), "http" | "https") && url.host().is_some()).then_some(url)
}

/// Checks a site and token with `/myself`, stores the token encrypted and
/// records the connection; nothing is stored when Jira refuses.
#[allow(clippy::too_many_arguments)]
pub async fn connect_token(
    db: &Db,
    keys: &Keyring,
    http: &reqwest::Client,
    org: OrgId,
    site: &url::Url,
    email: Option<&str>,
    token: &SecretString,
    by: Option<&str>,
    hosts: crate::egress::Hosts,
) -> Result<String, ConnectError> {
    crate::egress::check(site, hosts)
        .await
        .map_err(JiraError::from)?;
    let (auth, flavor) = match email {
        Some(email) => (
            JiraAuth::Basic {
                email: email.to_string(),
                token: token.clone(),
            },
            Flavor::Cloud,
        ),
        None => (JiraAuth::Bearer(token.clone()), Flavor::DataCenter),
    };
    let client = JiraClient::new(http.clone(), site.clone(), auth, flavor, org);
    let me = client.get(&client.api("myself"), 2, "your account").await?;
    let name = me["displayName"].as_str().unwrap_or("Jira").to_string();
    let mut tx = db.begin_write().await?;
    credentials::put(&mut tx, keys, org, API_TOKEN, token, None).await?;
    integrations::upsert(&mut tx, org, "jira", "connected", Some(site.as_str()), by).await?;
    integrations::merge_settings(
        &mut tx,
        org,
        "jira",
        &json!({
            "mode": "token",
            "site_url": site.as_str(),
            "email": email,
            "flavor": if flavor == Flavor::Cloud { "cloud" } else { "data_center" },
        }),
    )
    .await?;
    audit::record(
        &mut tx,
        org,
        by.unwrap_or("system"),
        "jira.connected",
        Some(site.as_str()),
        &json!({ "mode": "token" }),
    )
    .await?;
    tx.commit().await?;
    Ok(name)
}

fn redirect_uri(public_url: &url::Url) -> Option<url::Url> {
    public_url.join("jira/oauth/callback").ok()
}

/// Where App Home's "Connect Jira" button leads for this org and admin:
/// our own `/jira/connect` with a signed, single-use state. That route
/// binds the state to the browser (a cookie) before sending it on to
/// Atlassian, so a consent completed in another browser links nothing.
/// `None` without an OAuth app configured.
pub async fn authorize_url(
    db: &Db,
    settings: &JiraSettings,
    public_url: Option<&url::Url>,
    org: OrgId,
    slack_user: &str,
) -> Result<Option<url::Url>, ConnectError> {
    let (Some(_), Some(secret), Some(public)) =
        (&settings.client_id, &settings.client_secret, public_url)
    else {
        return Ok(None);
    };
    let state =
        crate::signed_state::issue(db, secret, STATE_PURPOSE, org, slack_user, STATE_TTL_SECS)
            .await?;
    let mut url = public
        .join("jira/connect")
        .map_err(|_| ConnectError::NotConfigured("AIMPACT_PUBLIC_URL does not make a URL"))?;
    url.query_pairs_mut().append_pair("state", &state);
    Ok(Some(url))
}

/// The browser cookie a Jira consent is bound to.
pub const STATE_COOKIE: &str = "aimpact_jira_state";

/// How long the consent may take.
pub const CONSENT_TTL_SECS: i64 = STATE_TTL_SECS;

/// The nonce of a well-formed state whose tag verifies (it is consumed
/// later, at the callback).
pub fn state_nonce(settings: &JiraSettings, state: &str) -> Option<String> {
    let secret = settings.client_secret.as_ref()?;
    crate::signed_state::verify(secret, STATE_PURPOSE, state)
}

/// Atlassian's consent page for a state `/jira/connect` bound.
pub fn consent_url(
    settings: &JiraSettings,
    public_url: Option<&url::Url>,
    state: &str,
) -> Result<Option<url::Url>, ConnectError> {
    let (Some(client_id), Some(public)) = (&settings.client_id, public_url) else {
        return Ok(None);
    };
    let mut url = settings
        .auth_url
        .join("authorize")
        .map_err(|_| ConnectError::NotConfigured("ATLASSIAN_AUTH_URL does not make a URL"))?;
    let redirect = redirect_uri(public)
        .map(|u| u.to_string())
        .unwrap_or_default();
    url.query_pairs_mut()
        .append_pair("audience", "api.atlassian.com")
        .append_pair("client_id", client_id)
        .append_pair("scope", &SCOPES.join(" "))
        .append_pair("redirect_uri", &redirect)
        .append_pair("state", state)
        .append_pair("response_type", "code")
        .append_pair("prompt", "consent");
    Ok(Some(url))
}

/// What the token endpoint answers.
#[derive(Debug, serde::Deserialize)]
struct TokenAnswer {
    access_token: String,
    refresh_token: Option<String>,
    expires_in: Option<i64>,
}

async fn token_request(
    http: &reqwest::Client,
    settings: &JiraSettings,
    body: &Value,
) -> Result<TokenAnswer, JiraError> {
    let url = settings
        .auth_url
        .join("oauth/token")
        .map_err(|e| JiraError::Transport(e.to_string()))?;
    let answer = http
        .post(url)
        .json(body)
        .send()
        .await
        .map_err(|e| JiraError::Transport(e.without_url().to_string()))?;
    let status = answer.status();
    let bytes = crate::bounds::read_capped(answer, crate::bounds::MAX_BODY_BYTES)
        .await
        .map_err(|e| JiraError::Transport(e.to_string()))?;
    if status.is_success() {
        return serde_json::from_slice(&bytes).map_err(|e| JiraError::Api {
            status: status.as_u16(),
            message: format!("unreadable token answer: {e}"),
        });
    }
    let message = serde_json::from_slice::<Value>(&bytes)
        .ok()
        .and_then(|v| {
            v["error_description"]
                .as_str()
                .or(v["error"].as_str())
                .map(str::to_string)
        })
        .unwrap_or_else(|| status.to_string());
    if status.is_server_error() {
        Err(JiraError::Transport(message))
    } else {
        Err(JiraError::Unauthorized(message))
    }
}

/// What the callback linked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Linked {
    /// The org.
    pub org: OrgId,
    /// The admin.
    pub slack_user: String,
    /// The site's URL.
    pub site_url: String,
}

/// `GET /jira/oauth/callback`: checks the state, exchanges the code,
/// finds the site (cloud id) and stores the tokens encrypted.
pub async fn complete_oauth(
    db: &Db,
    keys: &Keyring,
    http: &reqwest::Client,
    settings: &JiraSettings,
    public_url: Option<&url::Url>,
    state: Option<&str>,
    code: Option<&str>,
) -> Result<Linked, ConnectError> {
    let (Some(client_id), Some(secret), Some(public)) =
        (&settings.client_id, &settings.client_secret, public_url)
    else {
        return Err(ConnectError::NotConfigured(
            "this aimpact has no Atlassian OAuth app configured (ATLASSIAN_CLIENT_ID)",
        ));
    };
    let state = state.ok_or(ConnectError::BadState)?;
    let code = code.ok_or_else(|| ConnectError::Refused("Atlassian sent no code".into()))?;
    let (org, slack_user) = crate::signed_state::consume(db, secret, STATE_PURPOSE, state)
        .await?
        .ok_or(ConnectError::BadState)?;
    let redirect = redirect_uri(public)
        .map(|u| u.to_string())
        .unwrap_or_default();
    let tokens = token_request(
        http,
        settings,
        &json!({
            "grant_type": "authorization_code",
            "client_id": client_id,
            "client_secret": secret.expose_secret(),
            "code": code,
            "redirect_uri": redirect,
        }),
    )
    .await?;
    let resources_url = settings
        .api_url
        .join("oauth/token/accessible-resources")
        .map_err(|e| JiraError::Transport(e.to_string()))?;
    let resources: Value = http
        .get(resources_url)
        .bearer_auth(&tokens.access_token)
        .send()
        .await
        .map_err(|e| JiraError::Transport(e.without_url().to_string()))?
        .json()
        .await
        .map_err(|e| JiraError::Transport(e.without_url().to_string()))?;
    let site = resources
        .as_array()
        .and_then(|sites| {
            sites.iter().find(|s| {
                s["scopes"]
                    .as_array()
                    .is_some_and(|sc| sc.iter().any(|x| x == "read:jira-work"))
            })
        })
        .ok_or_else(|| {
            ConnectError::Refused("the sign-in reaches no Jira site with read access".into())
        })?;
    let (Some(cloud_id), Some(site_url)) = (site["id"].as_str(), site["url"].as_str()) else {
        return Err(ConnectError::Refused(
            "Atlassian described the site without an id".into(),
        ));
    };
    let refresh = tokens
        .refresh_token
        .ok_or_else(|| ConnectError::Refused("Atlassian sent no refresh token".into()))?;
    let mut tx = db.begin_write().await?;
    let expires = tokens.expires_in.map(|s| unix_now() + s);
    credentials::put(
        &mut tx,
        keys,
        org,
        ACCESS_TOKEN,
        &SecretString::from(tokens.access_token),
        expires,
    )
    .await?;
    credentials::put(
        &mut tx,
        keys,
        org,
        REFRESH_TOKEN,
        &SecretString::from(refresh),
        None,
    )
    .await?;
    integrations::upsert(
        &mut tx,
        org,
        "jira",
        "connected",
        Some(cloud_id),
        Some(&slack_user),
    )
    .await?;
    integrations::merge_settings(
        &mut tx,
        org,
        "jira",
        &json!({ "mode": "oauth", "site_url": site_url, "site_name": site["name"], "flavor": "cloud" }),
    )
    .await?;
    audit::record(
        &mut tx,
        org,
        &slack_user,
        "jira.connected",
        Some(site_url),
        &json!({ "mode": "oauth" }),
    )
    .await?;
    tx.commit().await?;
    Ok(Linked {
        org,
        slack_user,
        site_url: site_url.to_string(),
    })
}

/// Refreshes an org's OAuth tokens. The rotated refresh token is stored
/// in the same transaction that read the old one, so a crash never leaves
/// the org without a valid token; if Atlassian's answer is lost, the old
/// one is still stored and (within Atlassian's reuse leeway) still works.
#[derive(Clone)]
pub struct OAuthRefresher {
    db: Db,
    keys: Keyring,
    http: reqwest::Client,
    settings: JiraSettings,
    org: OrgId,
}

impl OAuthRefresher {
    /// A refresher for `org`.
    pub fn new(
        db: Db,
        keys: Keyring,
        http: reqwest::Client,
        settings: JiraSettings,
        org: OrgId,
    ) -> Self {
        Self {
            db,
            keys,
            http,
            settings,
            org,
        }
    }
}

fn store_err(e: impl std::fmt::Display) -> JiraError {
    JiraError::Transport(format!("storage: {e}"))
}

#[async_trait::async_trait]
impl Refresh for OAuthRefresher {
    async fn refresh(&self) -> Result<SecretString, JiraError> {
        let (Some(client_id), Some(secret)) =
            (&self.settings.client_id, &self.settings.client_secret)
        else {
            return Err(JiraError::Unauthorized(
                "ATLASSIAN_CLIENT_ID is not set here".into(),
            ));
        };
        let mut tx = self.db.begin_write().await.map_err(store_err)?;
        let Some(old) = credentials::get(&mut tx, &self.keys, self.org, REFRESH_TOKEN)
            .await
            .map_err(store_err)?
        else {
            return Err(JiraError::Unauthorized("no refresh token stored".into()));
        };
        let answer = token_request(
            &self.http,
            &self.settings,
            &json!({
                "grant_type": "refresh_token",
                "client_id": client_id,
                "client_secret": secret.expose_secret(),
                "refresh_token": old.expose_secret(),
            }),
        )
        .await;
        let tokens = match answer {
            Ok(t) => t,
            Err(JiraError::Unauthorized(reason)) => {
                drop(tx);
                tracing::warn!(org_id = %self.org, reason, "Jira refresh token refused");
                let mut conn = self.db.begin_write().await.map_err(store_err)?;
                integrations::set_status(&mut conn, self.org, "jira", "error", Some(RECONNECT))
                    .await
                    .map_err(store_err)?;
                conn.commit().await.map_err(store_err)?;
                return Err(JiraError::Unauthorized(reason));
            }
            // Lost or failed answer: nothing changes; the next attempt
            // uses the stored (old) refresh token again.
            Err(e) => return Err(e),
        };
        let access = SecretString::from(tokens.access_token);
        let expires = tokens.expires_in.map(|s| unix_now() + s);
        credentials::put(
            &mut tx,
            &self.keys,
            self.org,
            ACCESS_TOKEN,
            &access,
            expires,
        )
        .await
        .map_err(store_err)?;
        if let Some(refresh) = tokens.refresh_token {
            credentials::put(
                &mut tx,
                &self.keys,
                self.org,
                REFRESH_TOKEN,
                &SecretString::from(refresh),
                None,
            )
            .await
            .map_err(store_err)?;
        }
        tx.commit().await.map_err(store_err)?;
        Ok(access)
    }
}

/// Everything a Jira client needs besides the org.
#[derive(Clone)]
pub struct JiraContext {
    /// Store.
    pub db: Db,
    /// Keys.
    pub keys: Keyring,
    /// Outbound HTTP.
    pub http: reqwest::Client,
    /// Settings.
    pub settings: JiraSettings,
    /// The app-wide OAuth budget.
    pub budget: Arc<PointBudget>,
    /// `AIMPACT_PUBLIC_URL`, where webhooks are delivered.
    pub public_url: Option<url::Url>,
    /// Which hosts a site may be on (`AIMPACT_ALLOW_PRIVATE_HOSTS`).
    pub hosts: crate::egress::Hosts,
}

/// The org's Jira client, `None` when Jira is not connected (or needs
/// reconnecting).
pub async fn client_for(ctx: &JiraContext, org: OrgId) -> Result<Option<JiraClient>, ConnectError> {
    let mut conn = ctx.db.pool().acquire().await?;
    let Some(integration) = integrations::get(&mut conn, org, "jira").await? else {
        return Ok(None);
    };
    if integration.status != "connected" {
        return Ok(None);
    }
    let site = integration.setting("site_url").as_str().and_then(site_url);
    match integration.setting("mode").as_str() {
        Some("oauth") => {
            let cloud = integration.external_id.clone().unwrap_or_default();
            let base = ctx
                .settings
                .api_url
                .join(&format!("ex/jira/{cloud}/"))
                .map_err(|_| ConnectError::Refused("bad cloud id".into()))?;
            let refresher = Arc::new(OAuthRefresher::new(
                ctx.db.clone(),
                ctx.keys.clone(),
                ctx.http.clone(),
                ctx.settings.clone(),
                org,
            ));
            let stored = credentials::get(&mut conn, &ctx.keys, org, ACCESS_TOKEN).await?;
            let expires = credentials::expires_at(&mut conn, org, ACCESS_TOKEN).await?;
            drop(conn);
            let token = match (stored, expires) {
                (Some(t), Some(at)) if at > unix_now() + 60 => t,
                (Some(t), None) => t,
                _ => refresher.refresh().await?,
            };
            Ok(Some(
                JiraClient::new(
                    ctx.http.clone(),
                    base,
                    JiraAuth::Bearer(token),
                    Flavor::Cloud,
                    org,
                )
                .with_budget(ctx.budget.clone())
                .with_refresher(refresher),
            ))
        }
        _ => {
            let Some(site) = site else { return Ok(None) };
            // Checked again each time: the name may point elsewhere now.
            crate::egress::check(&site, ctx.hosts)
                .await
                .map_err(JiraError::from)?;
            let Some(token) = credentials::get(&mut conn, &ctx.keys, org, API_TOKEN).await? else {
                return Ok(None);
            };
            let email = integration.setting("email").as_str().map(str::to_string);
            let (auth, flavor) = match email {
                Some(email) => (JiraAuth::Basic { email, token }, Flavor::Cloud),
                None => (JiraAuth::Bearer(token), Flavor::DataCenter),
            };
            Ok(Some(JiraClient::new(
                ctx.http.clone(),
                site,
                auth,
                flavor,
                org,
            )))
        }
    }
}
