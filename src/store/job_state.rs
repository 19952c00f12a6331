//! Background work per org and job kind (`job_state`): at most one sync
//! per org and integration, and the failures admins are shown.

use sqlx::{AnyConnection, Row};

use super::{StoreResult, unix_now};
use crate::domain::OrgId;

/// A queued run that has not started within this long was lost (its
/// enqueue failed, or the queue was wiped): a new request takes over.
pub const QUEUED_STALE_SECS: i64 = 30 * 60;
/// A running run not kept alive for this long stopped with its process.
pub const RUNNING_STALE_SECS: i64 = 5 * 60;

/// Asks for a run of `job`: true when the caller should enqueue it; false
/// when a run is already queued or running, which the request joins (a
/// running one goes once more when it ends).
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn request_run(
    conn: &mut AnyConnection,
    org: OrgId,
    job: &str,
    now: i64,
) -> StoreResult<bool> {
    const JOIN_RUNNING: &str = "update job_state set again = 1
        where org_id = $1 and job = $2 and status = 'running' and updated_at > $3 - $4";
    const QUEUE: &str = "insert into job_state (org_id, job, status, created_at, updated_at)
        values ($1, $2, 'queued', $3, $3)
        on conflict (org_id, job) do update set status = 'queued', holder = null, again = 0,
            updated_at = $3
        where not ((job_state.status = 'queued' and job_state.updated_at > $3 - $4)
            or (job_state.status = 'running' and job_state.updated_at > $3 - $5))";
    let joined = sqlx::query(JOIN_RUNNING)
        .bind(org.get())
        .bind(job)
        .bind(now)
        .bind(RUNNING_STALE_SECS)
        .execute(&mut *conn)
        .await?;
    if joined.rows_affected() == 1 {
        return Ok(false);
    }
    let done = sqlx::query(QUEUE)
        .bind(org.get())
        .bind(job)
        .bind(now)
        .bind(QUEUED_STALE_SECS)
        .bind(RUNNING_STALE_SECS)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A run asked for could not be enqueued: the next request may queue it.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn unqueue(conn: &mut AnyConnection, org: OrgId, job: &str) -> StoreResult<()> {
    const SQL: &str = "update job_state set status = 'idle'
        where org_id = $1 and job = $2 and status = 'queued'";
    sqlx::query(SQL)
        .bind(org.get())
        .bind(job)
        .execute(conn)
        .await?;
    Ok(())
}

/// Takes the run for queue task `holder`: true when it may run (nothing
/// runs, the run is its own from an earlier attempt, or the running one
/// went silent); false when another task runs it (this one joins it).
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn start_run(
    conn: &mut AnyConnection,
    org: OrgId,
    job: &str,
    holder: &str,
    now: i64,
) -> StoreResult<bool> {
    const SQL: &str = "insert into job_state (org_id, job, status, holder, created_at, updated_at)
        values ($1, $2, 'running', $3, $4, $4)
        on conflict (org_id, job) do update set status = 'running', holder = $3, updated_at = $4
        where job_state.status <> 'running' or job_state.holder = $3
            or job_state.updated_at <= $4 - $5";
    let done = sqlx::query(SQL)
        .bind(org.get())
        .bind(job)
        .bind(holder)
        .bind(now)
        .bind(RUNNING_STALE_SECS)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Keeps `holder`'s run alive.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn touch_run(
    conn: &mut AnyConnection,
    org: OrgId,
    job: &str,
    holder: &str,
) -> StoreResult<()> {
    const SQL: &str = "update job_state set updated_at = $4
        where org_id = $1 and job = $2 and holder = $3 and status = 'running'";
    sqlx::query(SQL)
        .bind(org.get())
        .bind(job)
        .bind(holder)
        .bind(unix_now())
        .execute(conn)
        .await?;
    Ok(())
}

/// Ends `holder`'s run. True when a request joined it while it ran: the
/// run is queued again and the caller enqueues it.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn finish_run(
    conn: &mut AnyConnection,
    org: OrgId,
    job: &str,
    holder: &str,
) -> StoreResult<bool> {
    const SQL: &str = "update job_state set
            status = case when again = 1 then 'queued' else 'idle' end,
            holder = null, again = 0, updated_at = $4
        where org_id = $1 and job = $2 and holder = $3 and status = 'running'
        returning status";
    let status: Option<String> = sqlx::query_scalar(SQL)
        .bind(org.get())
        .bind(job)
        .bind(holder)
        .bind(unix_now())
        .fetch_optional(conn)
        .await?;
    Ok(status.as_deref() == Some("queued"))
}

/// Records that a `job` of the org used up its retries.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn record_failure(
    conn: &mut AnyConnection,
    org: OrgId,
    job: &str,
    error: &str,
) -> StoreResult<()> {
    const SQL: &str =
        "insert into job_state (org_id, job, last_error, failed_at, created_at, updated_at)
        select $1, $2, $3, $4, $4, $4 where exists (select 1 from org where org_id = $1)
        on conflict (org_id, job) do update set last_error = $3, failed_at = $4, updated_at = $4";
    sqlx::query(SQL)
        .bind(org.get())
        .bind(job)
        .bind(error)
        .bind(unix_now())
        .execute(conn)
        .await?;
    Ok(())
}

/// A `job` of the org succeeded: its earlier failure is no longer shown.
/// Called after every successful job, so it only reads unless there is a
/// failure to clear (on SQLite a write, even one changing nothing, waits
/// for the one writer).
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn clear_failure(conn: &mut AnyConnection, org: OrgId, job: &str) -> StoreResult<()> {
    const FAILING: &str = "select count(*) from job_state
        where org_id = $1 and job = $2 and failed_at is not null";
    const SQL: &str = "update job_state set last_error = null, failed_at = null
        where org_id = $1 and job = $2 and failed_at is not null";
    let failing: i64 = sqlx::query_scalar(FAILING)
        .bind(org.get())
        .bind(job)
        .fetch_one(&mut *conn)
        .await?;
    if failing > 0 {
        sqlx::query(SQL)
            .bind(org.get())
            .bind(job)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// A job kind whose last run failed for good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The queue, e.g. `github.sync`.
    pub job: String,
    /// What went wrong (one line, no secrets: job errors are ours).
    pub error: String,
    /// When.
    pub at: i64,
}

/// The org's job kinds failing now, most recent first.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn failures(conn: &mut AnyConnection, org: OrgId) -> StoreResult<Vec<Failure>> {
    const SQL: &str = "select job, last_error, failed_at from job_state
        where org_id = $1 and failed_at is not null order by failed_at desc, job";
    let rows = sqlx::query(SQL).bind(org.get()).fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            Ok(Failure {
                job: r.try_get("job")?,
                error: r
                    .try_get::<Option<String>, _>("last_error")?
                    .unwrap_or_default(),
                at: r.try_get("failed_at")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}
