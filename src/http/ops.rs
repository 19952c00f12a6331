//! `GET /internal/metrics`: Prometheus text for operators. Off the Slack
//! routes, and not public: with `AIMPACT_METRICS_TOKEN` set it asks for
//! that bearer token; without it, it answers only when the app is bound to
//! a loopback address (anything else gets a 404).

use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::state::AppState;
use crate::telemetry::{prometheus, series};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/internal/metrics", get(scrape))
}

/// Whether this request may read the metrics.
fn allowed(state: &AppState, headers: &HeaderMap) -> Result<(), StatusCode> {
    use secrecy::ExposeSecret;
    match &state.config.metrics_token {
        Some(token) => {
            let given = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .unwrap_or("");
            if crate::web::same_secret(given.as_bytes(), token.expose_secret().as_bytes()) {
                Ok(())
            } else {
                Err(StatusCode::UNAUTHORIZED)
            }
        }
        None if state.config.bind.ip().is_loopback() => Ok(()),
        None => Err(StatusCode::NOT_FOUND),
    }
}

async fn scrape(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Err(status) = allowed(&state, &headers) {
        let text = if status == StatusCode::UNAUTHORIZED {
            "a bearer token (AIMPACT_METRICS_TOKEN) is required\n"
        } else {
            "not found\n"
        };
        return (status, text).into_response();
    }
    // Queue depths are read now, across every process sharing the queue.
    for queue in state.jobs.queues() {
        match state.jobs.depth(queue).await {
            Ok(n) => metrics::gauge!(series::JOB_DEPTH, "queue" => queue).set(n as f64),
            Err(e) => tracing::warn!(queue, error = %e, "could not read a queue's depth"),
        }
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        prometheus().render(),
    )
        .into_response()
}

/// Counts every request and its latency by matched route and status.
pub(super) async fn record(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::histogram!(series::HTTP_SECONDS, "route" => route.clone())
        .record(started.elapsed().as_secs_f64());
    metrics::counter!(series::HTTP_REQUESTS, "route" => route, "status" => status).increment(1);
    response
}
