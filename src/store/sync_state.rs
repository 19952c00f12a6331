//! Progress of each sync (a repository, a Jira project, the member import):
//! cursor, checkpoint and counts, so a restarted sync resumes and App Home
//! can show progress.

use sqlx::{AnyConnection, Row};

use super::{StoreResult, unix_now};
use crate::domain::OrgId;

/// The state of one sync scope.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncState {
    /// `github`, `jira`, `copilot`.
    pub source: String,
    /// What is synced, e.g. `repo:42` or `project:ABC`.
    pub scope: String,
    /// `idle`, `running`, `failed`, `done`.
    pub status: String,
    /// Incremental cursor (e.g. last `updated_at` seen).
    pub cursor: Option<String>,
    /// Mid-run checkpoint (e.g. a page cursor), JSON.
    pub checkpoint: Option<String>,
    /// Items processed in this run.
    pub items_done: i64,
    /// Items expected, when known.
    pub items_total: Option<i64>,
    /// Last error shown to admins (never secrets).
    pub last_error: Option<String>,
}

/// Loads a scope's state.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn get(
    conn: &mut AnyConnection,
    org: OrgId,
    source: &str,
    scope: &str,
) -> StoreResult<Option<SyncState>> {
    const SQL: &str =
        "select source, scope, status, cursor, checkpoint, items_done, items_total, last_error
        from sync_state where org_id = $1 and source = $2 and scope = $3";
    let row = sqlx::query(SQL)
        .bind(org.get())
        .bind(source)
        .bind(scope)
        .fetch_optional(conn)
        .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(SyncState {
        source: r.try_get("source")?,
        scope: r.try_get("scope")?,
        status: r.try_get("status")?,
        cursor: r.try_get("cursor")?,
        checkpoint: r.try_get("checkpoint")?,
        items_done: r.try_get("items_done")?,
        items_total: r.try_get("items_total")?,
        last_error: r.try_get("last_error")?,
    }))
}

/// Saves a scope's state.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn save(conn: &mut AnyConnection, org: OrgId, state: &SyncState) -> StoreResult<()> {
    const SQL: &str = "insert into sync_state (org_id, source, scope, status, cursor, checkpoint, items_done,
            items_total, last_error, created_at, updated_at)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
        on conflict (org_id, source, scope) do update set status = excluded.status, cursor = excluded.cursor,
            checkpoint = excluded.checkpoint, items_done = excluded.items_done, items_total = excluded.items_total,
            last_error = excluded.last_error, updated_at = excluded.updated_at";
    sqlx::query(SQL)
        .bind(org.get())
        .bind(&state.source)
        .bind(&state.scope)
        .bind(&state.status)
        .bind(state.cursor.as_deref())
        .bind(state.checkpoint.as_deref())
        .bind(state.items_done)
        .bind(state.items_total)
        .bind(state.last_error.as_deref())
        .bind(unix_now())
        .execute(conn)
        .await?;
    Ok(())
}

/// Every scope's state for one source, for progress on App Home.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn list(
    conn: &mut AnyConnection,
    org: OrgId,
    source: &str,
) -> StoreResult<Vec<SyncState>> {
    const SQL: &str =
        "select source, scope, status, cursor, checkpoint, items_done, items_total, last_error
        from sync_state where org_id = $1 and source = $2 order by scope";
    let rows = sqlx::query(SQL)
        .bind(org.get())
        .bind(source)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(SyncState {
                source: r.try_get("source")?,
                scope: r.try_get("scope")?,
                status: r.try_get("status")?,
                cursor: r.try_get("cursor")?,
                checkpoint: r.try_get("checkpoint")?,
                items_done: r.try_get("items_done")?,
                items_total: r.try_get("items_total")?,
                last_error: r.try_get("last_error")?,
            })
        })
        .collect()
}

/// Claims a periodic task of the org: true when it has never run or last
/// ran at least `every_secs` before `now`, and records `now` as its run.
/// Safe with several servers: only one claim of a period succeeds.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn claim_due(
    conn: &mut AnyConnection,
    org: OrgId,
    task: &str,
    every_secs: i64,
    now: i64,
) -> StoreResult<bool> {
    const SQL: &str =
        "insert into sync_state (org_id, source, scope, status, started_at, created_at, updated_at)
        values ($1, 'schedule', $2, 'scheduled', $3, $3, $3)
        on conflict (org_id, source, scope) do update set started_at = excluded.started_at,
            updated_at = excluded.updated_at
        where sync_state.started_at is null or sync_state.started_at <= $4";
    let done = sqlx::query(SQL)
        .bind(org.get())
        .bind(task)
        .bind(now)
        .bind(now - every_secs)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Records that a periodic task ran now (e.g. the first sync on connect).
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn mark_ran(conn: &mut AnyConnection, org: OrgId, task: &str) -> StoreResult<()> {
    claim_due(conn, org, task, 0, unix_now()).await?;
    Ok(())
}

/// When a sync of `source` last finished (any scope), for "synced 6 min ago".
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn last_finished(
    conn: &mut AnyConnection,
    org: OrgId,
    source: &str,
) -> StoreResult<Option<i64>> {
    const SQL: &str = "select max(updated_at) from sync_state
        where org_id = $1 and source = $2 and status = 'done'";
    Ok(sqlx::query_scalar(SQL)
        .bind(org.get())
        .bind(source)
        .fetch_one(conn)
        .await?)
}
