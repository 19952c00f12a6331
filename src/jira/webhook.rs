//! Jira webhooks, the frugal alternative to polling (docs/platform.md D3).
//!
//! For OAuth (3LO) sites aimpact registers a dynamic webhook through the
//! REST API for the chosen projects and refreshes it before its 30 days
//! run out. Deliveries go to `POST /jira/webhook/{token}`, where the token
//! is a random per-org secret (stored hashed). A delivery is only a hint:
//! its body is not trusted; it queues an incremental sync of that org, at
//! most one a minute, which reads the changes through the API.

use serde_json::{Value, json};

use super::client::{JiraClient, JiraError};
use crate::domain::OrgId;
use crate::state::AppState;
use crate::store::{Db, StoreError, integrations, unix_now};

/// Dynamic webhooks expire after 30 days; refresh when fewer remain.
const REFRESH_WHEN_LEFT_SECS: i64 = 7 * 86_400;
/// At most one webhook-triggered sync per org per this many seconds.
const DEBOUNCE_SECS: i64 = 60;
/// The events that matter for issues.
pub const EVENTS: [&str; 3] = [
    "jira:issue_created",
    "jira:issue_updated",
    "jira:issue_deleted",
];

fn token_hash(token: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(token.as_bytes()))
}

/// What became of the webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Registered {
    /// Registered now.
    Created,
    /// Still valid; refreshed if it was close to expiring.
    Kept,
    /// No public URL or no chosen projects: polling only.
    Skipped,
}

/// Registers (or refreshes, or re-registers for a new project set) the
/// org's dynamic webhook. OAuth sites only.
pub async fn ensure(
    client: &JiraClient,
    db: &Db,
    org: OrgId,
    public_url: Option<&url::Url>,
) -> Result<Registered, JiraError> {
    let store_err = |e: StoreError| JiraError::Transport(format!("storage: {e}"));
    let mut conn = db.pool().acquire().await.map_err(|e| store_err(e.into()))?;
    let Some(jira) = integrations::get(&mut conn, org, "jira")
        .await
        .map_err(store_err)?
    else {
        return Ok(Registered::Skipped);
    };
    let keys: Vec<String> = crate::store::jira::projects(&mut conn, org)
        .await
        .map_err(store_err)?
        .into_iter()
        .filter(|p| p.is_selected)
        .map(|p| p.key)
        .collect();
    drop(conn);
    let Some(public) = public_url else {
        return Ok(Registered::Skipped);
    };
    if keys.is_empty() || jira.setting("mode") != "oauth" {
        return Ok(Registered::Skipped);
    }
    let filter = format!("project in ({})", keys.join(", "));
    let current = jira.setting("webhook");
    let ids: Vec<i64> = current["ids"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_i64)
        .collect();
    let now = unix_now();
    if !ids.is_empty() && current["filter"] == filter.as_str() {
        if current["expires_at"].as_i64().unwrap_or(0) - now < REFRESH_WHEN_LEFT_SECS {
            let answer = client
                .send_put(
                    &client.api("webhook/refresh"),
                    &json!({ "webhookIds": ids }),
                    "the webhooks",
                )
                .await?;
            let expires = expiry(&answer["expirationDate"]).unwrap_or(now + 30 * 86_400);
            save(db, org, &json!({ "ids": ids, "filter": filter, "expires_at": expires, "token_hash": current["token_hash"] })).await?;
        }
        return Ok(Registered::Kept);
    }
    if !ids.is_empty() {
        // The project set changed: drop the old registration first.
        let _ = client
            .send_delete(
                &client.api("webhook"),
                &json!({ "webhookIds": ids }),
                "the webhooks",
            )
            .await;
    }
    let token = {
        use rand::RngCore;
        let mut bytes = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        hex::encode(bytes)
    };
    let url = public
        .join(&format!("jira/webhook/{token}"))
        .map_err(|e| JiraError::Transport(e.to_string()))?;
    let answer = client
        .post(
            &client.api("webhook"),
            &json!({ "url": url.as_str(), "webhooks": [{ "events": EVENTS, "jqlFilter": filter }] }),
            1,
            "the webhooks",
        )
        .await?;
    let created: Vec<i64> = answer["webhookRegistrationResult"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["createdWebhookId"].as_i64())
        .collect();
    if created.is_empty() {
        let why = answer["webhookRegistrationResult"][0]["errors"][0]
            .as_str()
            .unwrap_or("Jira registered no webhook")
            .to_string();
        return Err(JiraError::Api {
            status: 200,
            message: why,
        });
    }
    save(
        db,
        org,
        &json!({ "ids": created, "filter": filter, "expires_at": now + 30 * 86_400, "token_hash": token_hash(&token) }),
    )
    .await?;
    Ok(Registered::Created)
}

fn expiry(v: &Value) -> Option<i64> {
    v.as_i64().map(|ms| ms / 1000).or_else(|| {
        v.as_str()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            .map(|t| t.timestamp())
    })
}

async fn save(db: &Db, org: OrgId, webhook: &Value) -> Result<(), JiraError> {
    let store_err = |e: StoreError| JiraError::Transport(format!("storage: {e}"));
    let mut tx = db.begin_write().await.map_err(|e| store_err(e.into()))?;
    integrations::merge_settings(&mut tx, org, "jira", &json!({ "webhook": webhook }))
        .await
        .map_err(store_err)?;
    tx.commit().await.map_err(|e| store_err(e.into()))?;
    Ok(())
}

/// `POST /jira/webhook/{token}`: a known token queues an incremental sync
/// (debounced); anything else is 404 and changes nothing.
pub async fn receive(
    axum::extract::State(state): axum::extract::State<AppState>,
    axum::extract::Path(token): axum::extract::Path<String>,
) -> axum::response::Response {
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    let found = async {
        let mut conn = state.db.pool().acquire().await?;
        let org = crate::store::orgs::find_by_jira_webhook(&mut conn, &token_hash(&token)).await?;
        let Some(org) = org else {
            return Ok::<_, StoreError>(None);
        };
        let claimed = crate::store::sync_state::claim_due(
            &mut conn,
            org,
            "jira.webhook",
            DEBOUNCE_SECS,
            unix_now(),
        )
        .await?;
        Ok(Some((org, claimed)))
    }
    .await;
    match found {
        Ok(None) => (StatusCode::NOT_FOUND, "unknown webhook\n").into_response(),
        Ok(Some((org, claimed))) => {
            if claimed {
                let job = super::job::SyncJira {
                    org,
                    full: false,
                    discover: false,
                };
                if let Err(e) = state.jobs.enqueue_single(&state.db, job).await {
                    tracing::warn!(error = %e, "could not enqueue a webhook-triggered Jira sync");
                }
            }
            (StatusCode::ACCEPTED, "accepted\n").into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "Jira webhook lookup failed");
            (StatusCode::SERVICE_UNAVAILABLE, "try again later\n").into_response()
        }
    }
}
