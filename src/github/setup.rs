//! `GET /github/connect` and `GET /github/setup`: App Home's "Connect
//! GitHub" button leads to the first, which binds the signed state to the
//! browser and sends it to the App's install page; GitHub sends the admin
//! back to the second with the installation and a user authorization
//! code. The installation is linked only when that user can access it.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::connect::{self, SetupError};
use super::job::SyncGithub;
use crate::state::AppState;
use crate::web::{AppError, escape_html, page};

/// What GitHub puts on the setup URL.
#[derive(Debug, Deserialize)]
pub struct SetupParams {
    installation_id: Option<String>,
    setup_action: Option<String>,
    state: Option<String>,
    code: Option<String>,
}

/// Query of `GET /github/connect`, form of `POST /github/connect`.
#[derive(Debug, Deserialize)]
pub struct StartParams {
    state: Option<String>,
}

fn invalid_link() -> Response {
    page(
        StatusCode::BAD_REQUEST,
        "GitHub is not connected",
        "<p>This link is not valid any more. Start again from the Connect GitHub button on aimpact's App Home in Slack.</p>",
    )
}

/// `GET /github/connect`: where App Home's "Connect GitHub" button leads.
/// Names the Slack workspace the installation will be linked to and asks
/// before going on, so a link someone was sent shows whose it is.
pub async fn ask(State(state): State<AppState>, Query(q): Query<StartParams>) -> Response {
    crate::web::ask_before_connecting(
        &state.db,
        state.config.github.webhook_secret.as_ref(),
        connect::APP_STATE_PURPOSE,
        q.state.as_deref(),
        "GitHub",
        "/github/connect",
        invalid_link(),
    )
    .await
}

/// `POST /github/connect` (the page's "Continue"): from our own page only,
/// binds the signed state to this browser with a cookie, then sends it on
/// to the App's install page; the setup callback accepts the state only
/// with that cookie, so an install page sent to someone else links nothing.
pub async fn start(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    axum::Form(q): axum::Form<StartParams>,
) -> Response {
    if !crate::web::same_origin(&headers, state.config.public_url.as_ref()) {
        return page(
            StatusCode::FORBIDDEN,
            "GitHub is not connected",
            "<p>This came from another site. Open the Connect GitHub button on aimpact's App Home in Slack.</p>",
        );
    }
    let github = &state.config.github;
    let bound = q
        .state
        .as_deref()
        .and_then(|s| connect::state_nonce(github, s).map(|nonce| (s, nonce)));
    let Some((signed, nonce)) = bound else {
        return invalid_link();
    };
    let Some(install) = connect::install_page(github, signed) else {
        return page(
            StatusCode::NOT_FOUND,
            "GitHub is not connected",
            "<p>This aimpact has no GitHub App configured.</p>",
        );
    };
    let cookie = crate::web::state_cookie(
        connect::STATE_COOKIE,
        &nonce,
        "/github/setup",
        connect::INSTALL_TTL_SECS,
        state.config.public_url.as_ref(),
    );
    crate::web::bind_and_go(cookie, &install)
}

/// The setup callback.
pub async fn setup(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Query(q): Query<SetupParams>,
) -> Response {
    if q.setup_action.as_deref() == Some("request") {
        return page(
            StatusCode::OK,
            "Waiting for approval",
            "<p>An owner of the GitHub organisation has to approve the aimpact App. Once they \
             have, open Connect GitHub on aimpact's App Home again and finish there.</p>",
        );
    }
    // Bound to the browser that started the install: a link forwarded to
    // someone else comes back without the cookie and links nothing.
    if !crate::web::bound_to_browser(&headers, connect::STATE_COOKIE, q.state.as_deref()) {
        return page(
            StatusCode::BAD_REQUEST,
            "GitHub is not connected",
            "<p>This setup was not started in this browser. Open the Connect GitHub button on \
             aimpact's App Home in Slack and finish in the same browser; nothing was linked.</p>",
        );
    }
    let linked = connect::link_installation(
        &state.db,
        &state.http,
        &state.config.github,
        connect::SetupReturn {
            state: q.state.as_deref(),
            installation: q.installation_id.as_deref(),
            code: q.code.as_deref(),
        },
    )
    .await;
    let linked = match linked {
        Ok(linked) => linked,
        Err(e) => {
            let e = match e {
                SetupError::Connect(connect::ConnectError::Github(ref inner)) => {
                    tracing::warn!(error = %inner, "GitHub App setup failed");
                    AppError::Upstream(e.to_string())
                }
                SetupError::Connect(inner) => {
                    AppError::internal(inner, "storing the GitHub App installation")
                }
                SetupError::NoApp => AppError::NotFound(e.to_string()),
                other => AppError::Invalid(other.to_string()),
            };
            return e.page("GitHub is not connected");
        }
    };
    tracing::info!(org_id = %linked.org, "GitHub App installation linked");
    let job = SyncGithub {
        org: linked.org,
        full: false,
        discover: true,
    };
    if let Err(e) = state.jobs.enqueue_single(&state.db, job).await {
        tracing::warn!(error = %e, "could not enqueue the first GitHub sync");
    }
    crate::jobs::schedule::mark_ran(&state.db, linked.org, crate::github::job::DAILY)
        .await
        .unwrap_or_else(|e| tracing::warn!(error = %e, "could not record the first sync"));
    page(
        StatusCode::OK,
        "GitHub is connected",
        &format!(
            "<p>aimpact is importing pull requests from <b>{}</b>. Progress shows on the \
             aimpact App Home in Slack; you can close this tab.</p>",
            escape_html(&linked.login)
        ),
    )
}
