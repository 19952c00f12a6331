//! The axum router: health endpoints now, Slack and GitHub listeners as
//! they arrive. Cross-cutting layers live here, in one place: request ids,
//! tracing spans named by the matched route, body size limit, timeout.

mod charts;
mod health;
mod ops;
pub mod preview;

use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, StatusCode};
use axum::response::IntoResponse;
use tower::ServiceBuilder;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::state::AppState;

/// Header carrying the request id, set when the caller sent none.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole HTTP surface for `state`; tests drive it with `oneshot` or
/// through a bound listener.
pub fn router(state: AppState) -> Router {
    let layers = ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            // The matched route, not the raw path: paths may carry ids
            // or tokens, and routes keep span names few.
            let route = req
                .extensions()
                .get::<MatchedPath>()
                .map_or("unmatched", MatchedPath::as_str);
            let request_id = req
                .headers()
                .get(&REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            tracing::info_span!("request", method = %req.method(), route, request_id)
        }))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(RequestBodyLimitLayer::new(state.config.body_limit_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            state.config.request_timeout,
        ));

    Router::new()
        .merge(health::router())
        .merge(crate::slack::routes::router(&state))
        .route(
            "/github/webhook",
            axum::routing::post(crate::github::webhook::receive),
        )
        .route(
            "/github/setup",
            axum::routing::get(crate::github::setup::setup),
        )
        .route(
            "/github/connect",
            axum::routing::get(crate::github::setup::ask).post(crate::github::setup::start),
        )
        .route(
            "/jira/oauth/callback",
            axum::routing::get(crate::jira::setup::callback),
        )
        .route(
            "/jira/connect",
            axum::routing::get(crate::jira::setup::ask).post(crate::jira::setup::start),
        )
        .route(
            "/jira/webhook/{token}",
            axum::routing::post(crate::jira::webhook::receive),
        )
        .route("/charts/{org}/{file}", axum::routing::get(charts::serve))
        .merge(preview::router(&state))
        .merge(ops::router())
        .fallback(not_found)
        .layer(axum::middleware::from_fn(ops::record))
        .layer(layers)
        .with_state(state)
}

async fn not_found() -> impl IntoResponse {
    (StatusCode::NOT_FOUND, "not found\n")
}
