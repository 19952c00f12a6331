//! Audit log: who changed what in an org (connections, roles, settings).

use sqlx::{AnyConnection, Row};

use super::{StoreResult, unix_now};
use crate::domain::OrgId;

/// One audit entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Slack user id, or `system`.
    pub actor: String,
    /// What happened, e.g. `github.connected`.
    pub action: String,
    /// What it happened to, if anything.
    pub target: Option<String>,
    /// JSON details; never secrets.
    pub detail: String,
    /// When, Unix seconds.
    pub at: i64,
}

/// Appends an entry.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn record(
    conn: &mut AnyConnection,
    org: OrgId,
    actor: &str,
    action: &str,
    target: Option<&str>,
    detail: &serde_json::Value,
) -> StoreResult<()> {
    const SQL: &str =
        "insert into audit_log (org_id, actor, action, target, detail, created_at, updated_at)
        values ($1, $2, $3, $4, $5, $6, $6)";
    sqlx::query(SQL)
        .bind(org.get())
        .bind(actor)
        .bind(action)
        .bind(target)
        .bind(detail.to_string())
        .bind(unix_now())
        .execute(conn)
        .await?;
    Ok(())
}

/// The newest entries first.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn recent(conn: &mut AnyConnection, org: OrgId, limit: i64) -> StoreResult<Vec<Entry>> {
    const SQL: &str = "select actor, action, target, detail, created_at from audit_log
        where org_id = $1 order by created_at desc, audit_log_id desc limit $2";
    let rows = sqlx::query(SQL)
        .bind(org.get())
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Entry {
                actor: r.try_get("actor")?,
                action: r.try_get("action")?,
                target: r.try_get("target")?,
                detail: r.try_get("detail")?,
                at: r.try_get("created_at")?,
            })
        })
        .collect()
}
