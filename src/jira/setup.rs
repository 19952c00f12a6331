//! `GET /jira/oauth/callback`: Atlassian sends the admin back here after
//! consent; the code becomes encrypted tokens and the first sync starts.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::connect::{self, ConnectError};
use super::job::SyncJira;
use crate::app::AppState;
use crate::http::page::{escape_html, page};

/// What Atlassian puts on the callback URL.
#[derive(Debug, Deserialize)]
pub struct CallbackParams {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// The OAuth callback.
pub async fn callback(State(state): State<AppState>, Query(q): Query<CallbackParams>) -> Response {
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
            let (status, message) = match &e {
                ConnectError::Store(inner) => {
                    tracing::error!(error = %inner, "Jira connection could not be stored");
                    (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "something went wrong on our side and it has been logged; please try again from App Home".to_string(),
                    )
                }
                ConnectError::Jira(inner) => {
                    tracing::warn!(error = %inner, "Jira OAuth failed");
                    (StatusCode::BAD_GATEWAY, e.to_string())
                }
                ConnectError::NotConfigured(_) => (StatusCode::NOT_FOUND, e.to_string()),
                _ => (StatusCode::BAD_REQUEST, e.to_string()),
            };
            return page(
                status,
                "Jira is not connected",
                &format!("<p>{}.</p>", escape_html(&message)),
            );
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
    crate::jobs::schedule::mark_ran(&state.db, linked.org, crate::jobs::schedule::JIRA_DAILY)
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
