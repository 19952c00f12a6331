//! `GET /charts/{org}/{token}.png`: chart images for Slack's image blocks
//! when the app has a public URL. The token is a random 128-bit capability
//! stored with the chart; anything else is a plain 404.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::domain::OrgId;
use crate::state::AppState;
use crate::store::charts;

/// Serves one stored chart.
pub async fn serve(
    State(state): State<AppState>,
    Path((org, file)): Path<(String, String)>,
) -> Response {
    let not_found = || (StatusCode::NOT_FOUND, "not found\n").into_response();
    let (Ok(org), Some(token)) = (org.parse::<i64>(), file.strip_suffix(".png")) else {
        return not_found();
    };
    if token.len() != 32 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return not_found();
    }
    let Ok(mut conn) = state.db.pool().acquire().await else {
        return (StatusCode::SERVICE_UNAVAILABLE, "try again\n").into_response();
    };
    match charts::png_by_token(&mut conn, OrgId::from_db(org), token).await {
        Ok(Some(png)) => (
            [
                (header::CONTENT_TYPE, "image/png"),
                // Same token, same bytes: the content hash picks the token.
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            png,
        )
            .into_response(),
        Ok(None) => not_found(),
        Err(e) => {
            tracing::warn!(error = %e, "chart lookup failed");
            (StatusCode::SERVICE_UNAVAILABLE, "try again\n").into_response()
        }
    }
}
