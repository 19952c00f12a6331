//! `GET /jira/oauth/callback`: Atlassian sends the admin back here after
//! consent; the code becomes encrypted tokens and the first sync starts.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::connect::{self, ConnectError};
use super::job::SyncJira;
use crate::state::AppState;
use crate::web::{AppError, escape_html, page};

/// What Atlassian puts on the callback URL.
#[derive(Debug, Deserialize)]
pub struct CallbackParams {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// Query of `GET /jira/connect`, form of `POST /jira/connect`.
#[derive(Debug, Deserialize)]
pub struct StartParams {
    state: Option<String>,
}

fn invalid_link() -> Response {
    page(
        StatusCode::BAD_REQUEST,
        "Jira is not connected",
        "<p>This link is not valid. Start again from the Connect Jira button on aimpact's App Home in Slack.</p>",
    )
}

/// `GET /jira/connect`: where App Home's "Connect Jira" button leads. Names
/// the Slack workspace the Jira site will be linked to and asks before
/// going on, so a link someone was sent shows whose it is.
pub async fn ask(State(state): State<AppState>, Query(q): Query<StartParams>) -> Response {
    crate::web::ask_before_connecting(
        &state.db,
        state.config.jira.client_secret.as_ref(),
        connect::STATE_PURPOSE,
        q.state.as_deref(),
        "Jira",
        "/jira/connect",
        invalid_link(),
    )
    .await
}

/// `POST /jira/connect` (the page's "Continue"): from our own page only,
/// binds the signed state to this browser with a cookie, then sends it on
/// to Atlassian's consent page; the callback accepts the state only with
/// that cookie, so a consent page forwarded to someone else links nothing.
pub async fn start(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    axum::Form(q): axum::Form<StartParams>,
) -> Response {
    if !crate::web::same_origin(&headers, state.config.public_url.as_ref()) {
        return page(
            StatusCode::FORBIDDEN,
            "Jira is not connected",
            "<p>This came from another site. Open the Connect Jira button on aimpact's App Home in Slack.</p>",
        );
    }
    let settings = &state.config.jira;
    let bound = q
        .state
        .as_deref()
        .and_then(|s| connect::state_nonce(settings, s).map(|nonce| (s, nonce)));
    let Some((signed, nonce)) = bound else {
        return invalid_link();
    };
    let consent = match connect::consent_url(settings, state.config.public_url.as_ref(), signed) {
        Ok(Some(url)) => url,
        _ => {
            return page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Jira is not connected",
                "<p>Connecting Jira with Atlassian is not set up on this aimpact.</p>",
            );
        }
    };
    let cookie = crate::web::state_cookie(
        connect::STATE_COOKIE,
        &nonce,
        "/jira/oauth",
        connect::CONSENT_TTL_SECS,
        state.config.public_url.as_ref(),
    );
    crate::web::bind_and_go(cookie, &consent)
}

/// The OAuth callback.
pub async fn callback(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Query(q): Query<CallbackParams>,
) -> Response {
    // Bound to the browser that started the consent: Atlassian's page
    // forwarded to someone else (say, a Jira admin of another company)
    // comes back without the cookie and links nothing.
    if !crate::web::bound_to_browser(&headers, connect::STATE_COOKIE, q.state.as_deref()) {
        return page(
            StatusCode::BAD_REQUEST,
            "Jira is not connected",
            "<p>This consent was not started in this browser. Open the Connect Jira button on \
             aimpact's App Home in Slack and finish in the same browser; nothing was linked.</p>",
        );
    }
    if let Some(error) = q.error {
        let text = if error == "access_denied" {
            "You declined access, so Jira is not connected. Start again from aimpact's App Home whenever you like.".to_string()
        } else {
            format!("Atlassian reported `{error}`. Start again from aimpact's App Home.")
        };
        return page(
            StatusCode::BAD_REQUEST,
            "Jira is not connected",
            &format!("<p>{}</p>", escape_html(&text)),
        );
    }
    let linked = connect::complete_oauth(
        &state.db,
        &state.keys,
        &state.http,
        &state.config.jira,
        state.config.public_url.as_ref(),
        q.state.as_deref(),
        q.code.as_deref(),
    )
    .await;
    let linked = match linked {
        Ok(l) => l,
        Err(e) => {
            let e = match e {
                ConnectError::Store(inner) => {
                    AppError::internal(inner, "storing the Jira connection")
                }
                ConnectError::Jira(ref inner) => {
                    tracing::warn!(error = %inner, "Jira OAuth failed");
                    AppError::Upstream(e.to_string())
                }
                ConnectError::NotConfigured(_) => AppError::NotFound(e.to_string()),
                other => AppError::Invalid(other.to_string()),
            };
            return e.page("Jira is not connected");
        }
    };
    let job = SyncJira {
        org: linked.org,
        full: false,
        discover: true,
    };
    if let Err(e) = state.jobs.enqueue_single(&state.db, job).await {
        tracing::warn!(error = %e, "could not enqueue the first Jira sync");
    }
    crate::jobs::schedule::mark_ran(&state.db, linked.org, crate::jira::job::DAILY)
        .await
        .unwrap_or_else(|e| tracing::warn!(error = %e, "could not record the first Jira sync"));
    page(
        StatusCode::OK,
        "Jira is connected",
        &format!(
            "<p>aimpact is importing issues from <b>{}</b>. Choose projects and follow the \
             import on aimpact's App Home in Slack; you can close this tab.</p>",
            escape_html(&linked.site_url)
        ),
    )
}
