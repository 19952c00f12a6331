//! `/healthz` (the process is up) and `/readyz` (the database answers,
//! every migration is applied and, where this process runs job workers,
//! every queue has a live worker), for load balancers and orchestrators.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}

async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<serde_json::Value>) {
    if state.db.is_ready().await {
        let dead = state.jobs.dead_queues();
        if !dead.is_empty() {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({
                    "status": "unavailable",
                    "reason": "job queues without a live worker (restarting)",
                    "queues": dead,
                })),
            );
        }
        (StatusCode::OK, Json(json!({ "status": "ready" })))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({
                "status": "unavailable",
                "reason": "database unreachable or migrations not applied (run `aimpact migrate`)"
            })),
        )
    }
}
