//! Connected integrations of an org (GitHub, Jira, Copilot), one per kind.

use sqlx::{AnyConnection, Row};

use super::{StoreResult, unix_now};
use crate::domain::OrgId;

/// A connected integration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Integration {
    /// `github`, `jira`, …
    pub kind: String,
    /// `connected`, `error`, `revoked`.
    pub status: String,
    /// The outside id: GitHub organisation login or installation id.
    pub external_id: Option<String>,
    /// JSON settings (never secrets).
    pub settings: String,
    /// Last error shown to admins.
    pub last_error: Option<String>,
}

/// Connects (or reconnects) an integration of the org.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn upsert(
    conn: &mut AnyConnection,
    org: OrgId,
    kind: &str,
    status: &str,
    external_id: Option<&str>,
    connected_by: Option<&str>,
) -> StoreResult<()> {
    const SQL: &str = "insert into integration (org_id, kind, status, external_id, connected_by_slack_user_id,
            created_at, updated_at)
        values ($1, $2, $3, $4, $5, $6, $6)
        on conflict (org_id, kind) do update set status = excluded.status, external_id = excluded.external_id,
            connected_by_slack_user_id = coalesce(excluded.connected_by_slack_user_id, integration.connected_by_slack_user_id),
            last_error = null, updated_at = excluded.updated_at";
    sqlx::query(SQL)
        .bind(org.get())
        .bind(kind)
        .bind(status)
        .bind(external_id)
        .bind(connected_by)
        .bind(unix_now())
        .execute(conn)
        .await?;
    Ok(())
}

/// The org's integration of a kind.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn get(
    conn: &mut AnyConnection,
    org: OrgId,
    kind: &str,
) -> StoreResult<Option<Integration>> {
    const SQL: &str = "select kind, status, external_id, settings, last_error from integration
        where org_id = $1 and kind = $2";
    let row = sqlx::query(SQL)
        .bind(org.get())
        .bind(kind)
        .fetch_optional(conn)
        .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(Integration {
        kind: r.try_get("kind")?,
        status: r.try_get("status")?,
        external_id: r.try_get("external_id")?,
        settings: r.try_get("settings")?,
        last_error: r.try_get("last_error")?,
    }))
}

impl Integration {
    /// One value of the settings JSON (`null` when absent or unreadable).
    pub fn setting(&self, key: &str) -> serde_json::Value {
        serde_json::from_str::<serde_json::Value>(&self.settings)
            .ok()
            .and_then(|v| v.get(key).cloned())
            .unwrap_or(serde_json::Value::Null)
    }
}

/// Merges `patch`'s keys into the integration's settings (a `null` value
/// removes a key). Nothing happens when the org has no such integration.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn merge_settings(
    conn: &mut AnyConnection,
    org: OrgId,
    kind: &str,
    patch: &serde_json::Value,
) -> StoreResult<()> {
    const SQL: &str = "update integration set settings = $3, updated_at = $4
        where org_id = $1 and kind = $2";
    let Some(current) = get(&mut *conn, org, kind).await? else {
        return Ok(());
    };
    let mut settings: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&current.settings).unwrap_or_default();
    if let Some(patch) = patch.as_object() {
        for (k, v) in patch {
            if v.is_null() {
                settings.remove(k);
            } else {
                settings.insert(k.clone(), v.clone());
            }
        }
    }
    sqlx::query(SQL)
        .bind(org.get())
        .bind(kind)
        .bind(serde_json::Value::Object(settings).to_string())
        .bind(unix_now())
        .execute(conn)
        .await?;
    Ok(())
}

/// Marks an integration broken (or fine again) with a message for admins.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn set_status(
    conn: &mut AnyConnection,
    org: OrgId,
    kind: &str,
    status: &str,
    last_error: Option<&str>,
) -> StoreResult<()> {
    const SQL: &str = "update integration set status = $3, last_error = $4, updated_at = $5
        where org_id = $1 and kind = $2";
    sqlx::query(SQL)
        .bind(org.get())
        .bind(kind)
        .bind(status)
        .bind(last_error)
        .bind(unix_now())
        .execute(conn)
        .await?;
    Ok(())
}

/// Clears an outage message after a good run, leaving a status an admin
/// must act on (such as a revoked token) as it is.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn clear_error(conn: &mut AnyConnection, org: OrgId, kind: &str) -> StoreResult<()> {
    const SQL: &str = "update integration set last_error = null, updated_at = $3
        where org_id = $1 and kind = $2 and status = 'connected' and last_error is not null";
    sqlx::query(SQL)
        .bind(org.get())
        .bind(kind)
        .bind(unix_now())
        .execute(conn)
        .await?;
    Ok(())
}
