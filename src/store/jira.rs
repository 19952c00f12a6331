//! Jira projects and issues.

use sqlx::{AnyConnection, Row};

use super::{StoreError, StoreResult, unix_now};
use crate::domain::OrgId;

/// A Jira project inside an org.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProjectId(pub i64);

/// A Jira issue as synced, with its computed cycle time.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IssueRow {
    /// Jira's issue id.
    pub jira_id: String,
    /// Issue key, e.g. `PROJ-123`.
    pub issue_key: String,
    /// Summary line.
    pub summary: String,
    /// Status category: `To Do`, `In Progress` or `Done`.
    pub status_category: Option<String>,
    /// Story points, when the site has the field.
    pub story_points: Option<f64>,
    /// Jira's created time.
    pub jira_created_at: i64,
    /// Jira's updated time, the incremental sync cursor.
    pub jira_updated_at: i64,
    /// First transition into In Progress.
    pub started_at: Option<i64>,
    /// First transition into Done after `started_at`.
    pub done_at: Option<i64>,
}

/// Inserts or renames a project keyed by Jira's id.
pub async fn upsert_project(
    conn: &mut AnyConnection,
    org: OrgId,
    jira_id: &str,
    key: &str,
    name: &str,
) -> StoreResult<ProjectId> {
    const SQL: &str = "insert into jira_project (org_id, jira_id, project_key, name, created_at, updated_at)
        values ($1, $2, $3, $4, $5, $5)
        on conflict (org_id, jira_id) do update set project_key = excluded.project_key, name = excluded.name,
            updated_at = excluded.updated_at
        returning jira_project_id";
    let id: i64 = sqlx::query_scalar(SQL)
        .bind(org.get())
        .bind(jira_id)
        .bind(key)
        .bind(name)
        .bind(unix_now())
        .fetch_one(conn)
        .await?;
    Ok(ProjectId(id))
}

/// Inserts or updates an issue; the project must belong to the org.
pub async fn upsert_issue(
    conn: &mut AnyConnection,
    org: OrgId,
    project: ProjectId,
    issue: &IssueRow,
) -> StoreResult<()> {
    const SQL: &str = "insert into jira_issue (org_id, jira_project_id, jira_id, issue_key, summary, status_category,
            story_points, jira_created_at, jira_updated_at, started_at, done_at, cycle_time, created_at, updated_at)
        select $1, p.jira_project_id, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13
        from jira_project p where p.org_id = $1 and p.jira_project_id = $2
        on conflict (org_id, jira_id) do update set issue_key = excluded.issue_key, summary = excluded.summary,
            status_category = excluded.status_category, story_points = excluded.story_points,
            jira_updated_at = excluded.jira_updated_at, started_at = excluded.started_at,
            done_at = excluded.done_at, cycle_time = excluded.cycle_time, updated_at = excluded.updated_at";
    let cycle_time = match (issue.started_at, issue.done_at) {
        (Some(start), Some(done)) if done >= start => Some(done - start),
        _ => None,
    };
    let done = sqlx::query(SQL)
        .bind(org.get())
        .bind(project.0)
        .bind(&issue.jira_id)
        .bind(&issue.issue_key)
        .bind(&issue.summary)
        .bind(issue.status_category.as_deref())
        .bind(issue.story_points)
        .bind(issue.jira_created_at)
        .bind(issue.jira_updated_at)
        .bind(issue.started_at)
        .bind(issue.done_at)
        .bind(cycle_time)
        .bind(unix_now())
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// An issue by key.
pub async fn find_issue_by_key(
    conn: &mut AnyConnection,
    org: OrgId,
    key: &str,
) -> StoreResult<Option<IssueRow>> {
    const SQL: &str =
        "select jira_id, issue_key, summary, status_category, story_points, jira_created_at,
            jira_updated_at, started_at, done_at
        from jira_issue where org_id = $1 and issue_key = $2";
    let row = sqlx::query(SQL)
        .bind(org.get())
        .bind(key)
        .fetch_optional(conn)
        .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(IssueRow {
        jira_id: r.try_get("jira_id")?,
        issue_key: r.try_get("issue_key")?,
        summary: r.try_get("summary")?,
        status_category: r.try_get("status_category")?,
        story_points: r.try_get("story_points")?,
        jira_created_at: r.try_get("jira_created_at")?,
        jira_updated_at: r.try_get("jira_updated_at")?,
        started_at: r.try_get("started_at")?,
        done_at: r.try_get("done_at")?,
    }))
}
