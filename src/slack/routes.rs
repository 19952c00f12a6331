//! The Slack HTTP endpoints. The four request URLs sit behind the
//! signature layer; the install pages do not (a browser calls them).

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

use super::listeners::{self, Ack};
use super::payload::{Command, EventsBody, Interaction, PayloadError};
use super::{install, verify};
use crate::state::AppState;

/// The Slack routes.
pub fn router(state: &AppState) -> Router<AppState> {
    let verified = Router::new()
        .route("/slack/commands", post(commands))
        .route("/slack/interactions", post(interactions))
        .route("/slack/options", post(options))
        .route("/slack/events", post(events))
        .layer(from_fn_with_state(state.clone(), verify::layer));
    Router::new()
        .merge(verified)
        .route("/slack/install", get(install::install))
        .route("/slack/oauth/callback", get(install::callback))
}

fn bad_request(e: PayloadError) -> Response {
    tracing::warn!(reason = %e, "refused a malformed Slack request");
    let mut response = (StatusCode::BAD_REQUEST, format!("{e}\n")).into_response();
    // An Events API retry would fail the same way.
    response
        .headers_mut()
        .insert("x-slack-no-retry", HeaderValue::from_static("1"));
    response
}

fn answer(ack: Ack) -> Response {
    match ack {
        Ack::Empty => StatusCode::OK.into_response(),
        Ack::Json(body) => axum::Json(body).into_response(),
    }
}

async fn commands(State(state): State<AppState>, body: Bytes) -> Response {
    match Command::from_form(&body) {
        Ok(cmd) => answer(listeners::dispatch_command(&state, &listeners::of(&state), cmd).await),
        Err(e) => bad_request(e),
    }
}

async fn interactions(State(state): State<AppState>, body: Bytes) -> Response {
    match Interaction::from_form(&body) {
        Ok(i) => answer(listeners::dispatch_interaction(&state, &listeners::of(&state), i).await),
        Err(e) => bad_request(e),
    }
}

async fn options(State(state): State<AppState>, body: Bytes) -> Response {
    interactions(State(state), body).await
}

async fn events(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let parsed = match EventsBody::from_json(&body) {
        Ok(parsed) => parsed,
        Err(e) => return bad_request(e),
    };
    if let Some(retry) = headers.get("x-slack-retry-num") {
        tracing::info!(retry = ?retry, reason = ?headers.get("x-slack-retry-reason"), "Slack retried an event");
    }
    match parsed {
        EventsBody::UrlVerification { challenge } => {
            axum::Json(json!({ "challenge": challenge })).into_response()
        }
        EventsBody::RateLimited => {
            tracing::warn!("Slack reports this app exceeded its event rate limit");
            StatusCode::OK.into_response()
        }
        EventsBody::Callback(event) => {
            listeners::dispatch_event(&state, &listeners::of(&state), event).await;
            StatusCode::OK.into_response()
        }
    }
}
