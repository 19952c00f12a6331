//! Distribution install (OAuth v2) with the oauth2 crate: `/slack/install`
//! sends the installer to Slack with a signed, single-use, expiring `state`
//! bound to their browser by a cookie; `/slack/oauth/callback` checks it,
//! exchanges the code with `oauth.v2.access`, stores the bot token
//! encrypted and makes the installer the org's first admin. Rotating tokens
//! (refresh tokens) are refreshed before they expire.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use hmac::{Hmac, Mac};
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, EndpointNotSet, EndpointSet,
    ExtraTokenFields, RedirectUrl, RefreshToken, RequestTokenError, StandardRevocableToken,
    StandardTokenResponse, TokenResponse, TokenUrl,
};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::{Config, SlackSettings};
use crate::domain::{OrgId, Role};
use crate::state::AppState;
use crate::store::{StoreError, audit, credentials, orgs, roles, unix_now};

/// Bot scopes the product needs; manifest.yml declares the same list (a
/// test compares them) and says why each is needed.
pub const BOT_SCOPES: [&str; 11] = [
    "commands",
    "chat:write",
    "im:write",
    "im:history",
    "users:read",
    "users:read.email",
    "files:write",
    "channels:join",
    "channels:read",
    "groups:read",
    "reactions:read",
];

/// Stored credential names.
pub const BOT_TOKEN: &str = "slack_bot_token";
/// The refresh token of a rotating bot token.
pub const REFRESH_TOKEN: &str = "slack_refresh_token";

const STATE_PURPOSE: &str = "slack_install";
const STATE_COOKIE: &str = "aimpact_slack_state";
const STATE_TTL_SECS: i64 = 600;

/// Fields Slack adds to `oauth.v2.access` beyond standard OAuth.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SlackTokenExtras {
    /// The bot's user id.
    #[serde(default)]
    pub bot_user_id: Option<String>,
    /// The app's id, for the "Open in Slack" link.
    #[serde(default)]
    pub app_id: Option<String>,
    /// The workspace.
    #[serde(default)]
    pub team: Option<IdName>,
    /// The installing user.
    #[serde(default)]
    pub authed_user: Option<IdName>,
}

/// `{id, name}` as Slack sends it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IdName {
    /// Slack id.
    pub id: String,
    /// Name, when Slack sends one.
    #[serde(default)]
    pub name: Option<String>,
}

impl ExtraTokenFields for SlackTokenExtras {}

type SlackTokenResponse = StandardTokenResponse<SlackTokenExtras, BasicTokenType>;
type OAuthClient = oauth2::Client<
    BasicErrorResponse,
    SlackTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// Why an install or refresh failed; each message is fit to show.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// Distribution is not configured.
    #[error(
        "this aimpact is set up for a single workspace; install it from your Slack app's settings page"
    )]
    NotDistributed,
    /// Missing, forged, expired or reused state.
    #[error("this install link has expired or was already used; start again from the install page")]
    BadState,
    /// The installer cancelled on Slack's page.
    #[error("the installation was cancelled on Slack ({0})")]
    Cancelled(String),
    /// Slack refused the code or refresh token.
    #[error("Slack did not accept the sign-in ({0}); start the install again")]
    Refused(String),
    /// Slack answered without the workspace or bot token.
    #[error("Slack's answer was missing the workspace or bot token")]
    Incomplete,
    /// Storage failed.
    #[error("could not save the installation")]
    Store(#[from] StoreError),
}

fn oauth_client(settings: &SlackSettings, config: &Config) -> Result<OAuthClient, InstallError> {
    let (Some(id), Some(secret)) = (&settings.client_id, &settings.client_secret) else {
        return Err(InstallError::NotDistributed);
    };
    let token_url = settings
        .api_url
        .join("oauth.v2.access")
        .map_err(|_| InstallError::NotDistributed)?;
    let redirect = config
        .public_url
        .as_ref()
        .and_then(|u| u.join("slack/oauth/callback").ok())
        .ok_or(InstallError::NotDistributed)?;
    Ok(oauth2::Client::new(ClientId::new(id.clone()))
        .set_client_secret(ClientSecret::new(secret.expose_secret().to_string()))
        .set_auth_uri(AuthUrl::from_url(settings.authorize_url.clone()))
        .set_token_uri(TokenUrl::from_url(token_url))
        .set_redirect_uri(RedirectUrl::from_url(redirect)))
}

/// The state's signature: HMAC keyed by the client secret, so a state this
/// server did not mint never reaches the database lookup.
fn sign_state(secret: &SecretString, nonce: &str) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.expose_secret().as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(STATE_PURPOSE.as_bytes());
    mac.update(b":");
    mac.update(nonce.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn check_state_signature(secret: &SecretString, state: &str) -> Option<String> {
    let (nonce, tag) = state.split_once('.')?;
    let expected = hex::decode(tag).ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose_secret().as_bytes()).ok()?;
    mac.update(STATE_PURPOSE.as_bytes());
    mac.update(b":");
    mac.update(nonce.as_bytes());
    mac.verify_slice(&expected).ok()?;
    Some(nonce.to_string())
}

fn state_hash(nonce: &str) -> String {
    hex::encode(Sha256::digest(nonce.as_bytes()))
}

use crate::web::{AppError, escape_html, page};

fn error_page(e: InstallError) -> Response {
    let e = match e {
        InstallError::NotDistributed => AppError::NotFound(e.to_string()),
        InstallError::Store(inner) => AppError::internal(inner, "storing the Slack installation"),
        other => AppError::Invalid(other.to_string()),
    };
    e.page("Installation did not finish")
}

/// Install starts one client address may make in [`INSTALL_WINDOW`]: each
/// writes a state row, so an unlimited `GET /slack/install` would let anyone
/// fill the table.
pub const INSTALL_STARTS: usize = 10;
/// The window of [`INSTALL_STARTS`].
pub const INSTALL_WINDOW: std::time::Duration = std::time::Duration::from_secs(600);

/// Recent install starts by client address.
#[derive(Debug, Default)]
pub struct InstallLimiter {
    recent: std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, Vec<std::time::Instant>>>,
}

impl InstallLimiter {
    /// Counts a start from `ip`; false when it made too many lately.
    pub fn allow(&self, ip: std::net::IpAddr) -> bool {
        let mut recent = self
            .recent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if recent.len() > 10_000 {
            recent.retain(|_, starts| starts.iter().any(|t| t.elapsed() < INSTALL_WINDOW));
        }
        let starts = recent.entry(ip).or_default();
        starts.retain(|t| t.elapsed() < INSTALL_WINDOW);
        if starts.len() >= INSTALL_STARTS {
            return false;
        }
        starts.push(std::time::Instant::now());
        true
    }
}

/// `GET /slack/install`.
pub async fn install(
    State(state): State<AppState>,
    extensions: axum::http::Extensions,
) -> Response {
    let client = extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    if let Some(ip) = client
        && !state.handles.get_or_default::<InstallLimiter>().allow(ip)
    {
        return page(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many install attempts",
            "<p>This address started the install too many times in the last ten minutes. Wait a few minutes and try again.</p>",
        );
    }
    match start(&state).await {
        Ok(response) => response,
        Err(e) => error_page(e),
    }
}

async fn start(state: &AppState) -> Result<Response, InstallError> {
    let settings = &state.config.slack;
    let client = oauth_client(settings, &state.config)?;
    let secret = settings
        .client_secret
        .as_ref()
        .ok_or(InstallError::NotDistributed)?;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let nonce = hex::encode(bytes);
    let signed = format!("{nonce}.{}", sign_state(secret, &nonce));
    let mut conn = state.db.pool().acquire().await.map_err(StoreError::from)?;
    orgs::create_oauth_state(
        &mut conn,
        &state_hash(&nonce),
        STATE_PURPOSE,
        unix_now() + STATE_TTL_SECS,
    )
    .await?;
    let redirect = client.redirect_uri().map(|r| r.url().to_string());
    let mut url = settings.authorize_url.clone();
    url.query_pairs_mut()
        .append_pair(
            "client_id",
            settings.client_id.as_deref().unwrap_or_default(),
        )
        // Slack reads bot scopes comma-separated.
        .append_pair("scope", &BOT_SCOPES.join(","))
        .append_pair("redirect_uri", redirect.as_deref().unwrap_or_default())
        .append_pair("state", &signed);
    let cookie = crate::web::state_cookie(
        STATE_COOKIE,
        &nonce,
        "/slack/oauth",
        STATE_TTL_SECS,
        state.config.public_url.as_ref(),
    );
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(url.as_str())).into_response())
}

/// Query of `/slack/oauth/callback`.
#[derive(Debug, Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// `GET /slack/oauth/callback`.
pub async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<Callback>,
) -> Response {
    let clear = format!("{STATE_COOKIE}=; Path=/slack/oauth; Max-Age=0; HttpOnly; SameSite=Lax");
    let result = finish(&state, &headers, query).await;
    let response = match result {
        Ok((team_id, team_name, app_id)) => {
            let mut link = url::Url::parse("https://slack.com/app_redirect")
                .unwrap_or_else(|_| unreachable!("literal URL"));
            if let Some(app) = &app_id {
                link.query_pairs_mut().append_pair("app", app);
            }
            link.query_pairs_mut().append_pair("team", &team_id);
            let link = escape_html(link.as_str());
            page(
                StatusCode::OK,
                "aimpact is installed",
                &format!(
                    "<p>aimpact is now part of <strong>{}</strong>. Open its Home tab in Slack to \
                     connect GitHub and finish setup; you are the first admin.</p>\
                     <p><a class=\"button\" href=\"{link}\">Open in Slack</a></p>",
                    escape_html(&team_name)
                ),
            )
        }
        Err(e) => error_page(e),
    };
    ([(header::SET_COOKIE, clear)], response).into_response()
}

async fn finish(
    state: &AppState,
    headers: &HeaderMap,
    query: Callback,
) -> Result<(String, String, Option<String>), InstallError> {
    let settings = &state.config.slack;
    let client = oauth_client(settings, &state.config)?;
    let secret = settings
        .client_secret
        .as_ref()
        .ok_or(InstallError::NotDistributed)?;
    let nonce = query
        .state
        .as_deref()
        .and_then(|s| check_state_signature(secret, s))
        .ok_or(InstallError::BadState)?;
    // Bound to the browser that started the install (login CSRF).
    if crate::web::cookie(headers, STATE_COOKIE).as_deref() != Some(nonce.as_str()) {
        return Err(InstallError::BadState);
    }
    let mut conn = state.db.pool().acquire().await.map_err(StoreError::from)?;
    if !orgs::consume_oauth_state(&mut conn, &state_hash(&nonce), STATE_PURPOSE).await? {
        return Err(InstallError::BadState);
    }
    drop(conn);
    if let Some(error) = query.error {
        return Err(InstallError::Cancelled(error));
    }
    let code = query.code.ok_or(InstallError::BadState)?;
    let token = client
        .exchange_code(AuthorizationCode::new(code))
        .request_async(&state.http)
        .await
        .map_err(refused)?;
    let extras = token.extra_fields();
    let team = extras.team.clone().ok_or(InstallError::Incomplete)?;
    let installer = extras.authed_user.as_ref().map(|u| u.id.clone());
    let team_name = team.name.clone().unwrap_or_else(|| team.id.clone());

    let existed = {
        let mut conn = state.db.pool().acquire().await.map_err(StoreError::from)?;
        orgs::find_by_slack_team(&mut conn, &team.id)
            .await?
            .is_some()
    };
    let mut tx = state.db.begin_write().await.map_err(StoreError::from)?;
    let org =
        orgs::upsert_installation(&mut tx, &team.id, &team_name, installer.as_deref()).await?;
    store_tokens(&mut tx, state, org.id, &token).await?;
    // The installer becomes an admin only by creating the org: any member
    // allowed to install apps can reinstall, and must not come back as an
    // admin who sees everyone's numbers (Slack's own admins and owners are
    // admins anyway, checked below).
    if !existed && let Some(user) = &installer {
        roles::set(&mut tx, org.id, user, Role::Admin, Some("install")).await?;
    }
    audit::record(
        &mut tx,
        org.id,
        installer.as_deref().unwrap_or("slack"),
        "slack.installed",
        Some(&team.id),
        &serde_json::json!({ "scopes": BOT_SCOPES, "rotating": token.refresh_token().is_some() }),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    tracing::info!(org_id = %org.id, reinstall = existed, "slack workspace installed");
    if existed
        && let Some(user) = &installer
        && org.installed_by_slack_user_id.as_deref() != Some(user.as_str())
    {
        // A reinstall by someone else: an admin only if Slack says so.
        let bot = SecretString::from(token.access_token().secret().to_string());
        match state.slack.for_org(&bot, &team.id).users_info(user).await {
            Ok(info) if info.is_admin || info.is_owner => {
                let mut conn = state.db.pool().acquire().await.map_err(StoreError::from)?;
                roles::set(
                    &mut conn,
                    org.id,
                    user,
                    Role::Admin,
                    Some(super::roles::SLACK_ADMIN),
                )
                .await?;
            }
            Ok(_) => {
                tracing::info!(org_id = %org.id, "reinstalled by a member who is not a workspace admin; no admin role")
            }
            Err(e) => {
                tracing::warn!(org_id = %org.id, error = %e, "could not ask Slack whether the reinstaller is an admin; no admin role")
            }
        }
    }
    // People already known (a reinstall, GitHub connected first) match now.
    crate::jobs::kinds::request_match(&state.jobs, org.id, "slack installed").await;
    Ok((team.id, team_name, extras.app_id.clone()))
}

fn refused<E: std::error::Error>(
    e: RequestTokenError<E, oauth2::StandardErrorResponse<oauth2::basic::BasicErrorResponseType>>,
) -> InstallError {
    match e {
        // Slack answers errors with 200 and {"ok": false, "error": "…"}.
        RequestTokenError::Parse(_, body) => {
            let error = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["error"].as_str().map(str::to_string))
                .unwrap_or_else(|| "unexpected answer".into());
            InstallError::Refused(error)
        }
        RequestTokenError::ServerResponse(r) => InstallError::Refused(r.error().to_string()),
        RequestTokenError::Request(_) => InstallError::Refused("Slack could not be reached".into()),
        RequestTokenError::Other(o) => InstallError::Refused(o),
    }
}

async fn store_tokens(
    conn: &mut sqlx::AnyConnection,
    state: &AppState,
    org: OrgId,
    token: &SlackTokenResponse,
) -> Result<(), InstallError> {
    let expires_at = token
        .expires_in()
        .map(|d| unix_now() + i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2));
    let bot = SecretString::from(token.access_token().secret().clone());
    credentials::put(&mut *conn, &state.keys, org, BOT_TOKEN, &bot, expires_at).await?;
    if let Some(refresh) = token.refresh_token() {
        let refresh = SecretString::from(refresh.secret().clone());
        credentials::put(&mut *conn, &state.keys, org, REFRESH_TOKEN, &refresh, None).await?;
    }
    Ok(())
}

/// How long before expiry a rotating token is refreshed.
const REFRESH_MARGIN_SECS: i64 = 300;

/// The org's bot token, refreshed first when it rotates and is about to
/// expire. The new pair is stored in one transaction, since Slack
/// invalidates the old refresh token as soon as it answers.
pub async fn bot_token(state: &AppState, org: OrgId) -> Result<Option<SecretString>, InstallError> {
    let mut conn = state.db.pool().acquire().await.map_err(StoreError::from)?;
    let expires_at = credentials::expires_at(&mut conn, org, BOT_TOKEN).await?;
    let due = expires_at.is_some_and(|at| at - REFRESH_MARGIN_SECS <= unix_now());
    if due
        && let Some(refresh) = credentials::get(&mut conn, &state.keys, org, REFRESH_TOKEN).await?
    {
        drop(conn);
        let client = oauth_client(&state.config.slack, &state.config)?;
        let token = client
            .exchange_refresh_token(&RefreshToken::new(refresh.expose_secret().to_string()))
            .request_async(&state.http)
            .await
            .map_err(refused)?;
        let mut tx = state.db.begin_write().await.map_err(StoreError::from)?;
        store_tokens(&mut tx, state, org, &token).await?;
        tx.commit().await.map_err(StoreError::from)?;
        tracing::info!(org_id = %org, "slack bot token refreshed");
        return Ok(Some(SecretString::from(
            token.access_token().secret().clone(),
        )));
    }
    Ok(credentials::get(&mut conn, &state.keys, org, BOT_TOKEN).await?)
}

/// Why the single-workspace install could not be made at start.
#[derive(Debug, thiserror::Error)]
pub enum SingleWorkspaceError {
    /// Slack refused the token.
    #[error(
        "SLACK_BOT_TOKEN: {0}; copy the Bot User OAuth Token from the app's OAuth & Permissions page"
    )]
    Token(crate::slack_api::SlackApiError),
    /// The installation could not be stored.
    #[error("DATABASE_URL: could not store the Slack installation: {0}")]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for SingleWorkspaceError {
    fn from(e: sqlx::Error) -> Self {
        SingleWorkspaceError::Store(e.into())
    }
}

/// Single-workspace mode (`SLACK_BOT_TOKEN`): asks Slack which workspace
/// the token belongs to and creates or updates that org, token encrypted.
pub async fn single_workspace(
    db: &crate::store::Db,
    keys: &crate::crypto::Keyring,
    api: &super::client::SlackApi,
    token: &SecretString,
) -> Result<OrgId, SingleWorkspaceError> {
    let auth = api
        .auth_test(token)
        .await
        .map_err(SingleWorkspaceError::Token)?;
    let mut tx = db.begin_write().await?;
    let org = orgs::upsert_installation(&mut tx, &auth.team_id, &auth.team, None).await?;
    credentials::put(&mut tx, keys, org.id, BOT_TOKEN, token, None).await?;
    audit::record(
        &mut tx,
        org.id,
        "system",
        "slack.single_workspace",
        Some(&auth.team_id),
        &serde_json::json!({ "bot_user_id": auth.user_id }),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(org_id = %org.id, team = %auth.team, "single-workspace Slack install ready");
    Ok(org.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_states_this_server_signed_pass() {
        let secret = SecretString::from("client-secret");
        let state = format!("abc.{}", sign_state(&secret, "abc"));
        assert_eq!(
            check_state_signature(&secret, &state).as_deref(),
            Some("abc")
        );
        assert_eq!(check_state_signature(&secret, "abc.00ff"), None);
        assert_eq!(check_state_signature(&secret, "abc"), None);
        let other = SecretString::from("other");
        assert_eq!(check_state_signature(&other, &state), None);
    }
}
