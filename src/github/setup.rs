//! `GET /github/setup`: where GitHub sends the admin after installing the
//! App. The signed state names the org; the installation is checked with
//! GitHub (as the App) before it is linked.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::connect::{self, SetupError};
use super::job::SyncGithub;
use crate::app::AppState;
use crate::http::page::{escape_html, page};

/// What GitHub puts on the setup URL.
#[derive(Debug, Deserialize)]
pub struct SetupParams {
    installation_id: Option<String>,
    setup_action: Option<String>,
    state: Option<String>,
}

/// The setup callback.
pub async fn setup(State(state): State<AppState>, Query(q): Query<SetupParams>) -> Response {
    if q.setup_action.as_deref() == Some("request") {
        return page(
            StatusCode::OK,
            "Waiting for approval",
            "<p>An owner of the GitHub organisation has to approve the aimpact App. Once they \
             do, GitHub sends them here and aimpact starts importing.</p>",
        );
    }
    let linked = connect::link_installation(
        &state.db,
        &state.config.github,
        q.state.as_deref(),
        q.installation_id.as_deref(),
    )
    .await;
    let linked = match linked {
        Ok(linked) => linked,
        Err(e) => {
            let (status, message) = match &e {
                SetupError::Connect(connect::ConnectError::Github(inner)) => {
                    tracing::warn!(error = %inner, "GitHub App setup failed");
                    (StatusCode::BAD_GATEWAY, e.to_string())
                }
                SetupError::Connect(inner) => {
                    tracing::error!(error = %inner, "GitHub App setup could not be stored");
                    (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "something went wrong on our side and it has been logged; please try again from App Home".into(),
                    )
                }
                SetupError::NoApp => (StatusCode::NOT_FOUND, e.to_string()),
                _ => (StatusCode::BAD_REQUEST, e.to_string()),
            };
            return page(
                status,
                "GitHub is not connected",
                &format!("<p>{}.</p>", escape_html(&message)),
            );
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
    crate::jobs::schedule::mark_ran(&state.db, linked.org, crate::jobs::schedule::GITHUB_DAILY)
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
