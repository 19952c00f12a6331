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
    /// Status name.
    pub status: Option<String>,
    /// Issue type name.
    pub issue_type: Option<String>,
    /// Assignee's Atlassian account id.
    pub assignee_account_id: Option<String>,
    /// The person behind the assignee, when matched.
    pub assignee_person_id: Option<crate::domain::PersonId>,
}

/// Inserts or renames a project keyed by Jira's id.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
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
/// Returns the issue's id.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn upsert_issue(
    conn: &mut AnyConnection,
    org: OrgId,
    project: ProjectId,
    issue: &IssueRow,
) -> StoreResult<i64> {
    const SQL: &str = "insert into jira_issue (org_id, jira_project_id, jira_id, issue_key, summary, status_category,
            story_points, jira_created_at, jira_updated_at, started_at, done_at, cycle_time, status, issue_type,
            assignee_account_id, assignee_person_id, created_at, updated_at)
        select $1, p.jira_project_id, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $14, $15, $16, $17, $13, $13
        from jira_project p where p.org_id = $1 and p.jira_project_id = $2
        on conflict (org_id, jira_id) do update set issue_key = excluded.issue_key, summary = excluded.summary,
            jira_project_id = excluded.jira_project_id,
            status_category = excluded.status_category, story_points = excluded.story_points,
            jira_updated_at = excluded.jira_updated_at, started_at = excluded.started_at,
            done_at = excluded.done_at, cycle_time = excluded.cycle_time, status = excluded.status,
            issue_type = excluded.issue_type, assignee_account_id = excluded.assignee_account_id,
            assignee_person_id = excluded.assignee_person_id, updated_at = excluded.updated_at
        returning jira_issue_id";
    let cycle_time = match (issue.started_at, issue.done_at) {
        (Some(start), Some(done)) if done >= start => Some(done - start),
        _ => None,
    };
    let id: Option<i64> = sqlx::query_scalar(SQL)
        .bind(org.get())
        .bind(project.0)
        .bind(&issue.jira_id)
        .bind(&issue.issue_key)
        .bind(&issue.summary)
        .bind(issue.status_category.as_deref())
        .bind(issue.story_points.map(super::Float8))
        .bind(issue.jira_created_at)
        .bind(issue.jira_updated_at)
        .bind(issue.started_at)
        .bind(issue.done_at)
        .bind(cycle_time)
        .bind(unix_now())
        .bind(issue.status.as_deref())
        .bind(issue.issue_type.as_deref())
        .bind(issue.assignee_account_id.as_deref())
        .bind(issue.assignee_person_id.map(|p| p.0))
        .fetch_optional(conn)
        .await?;
    id.ok_or(StoreError::NotFound)
}

/// One status change of an issue, from its changelog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionRow {
    /// Changelog entry id (unique per issue).
    pub changelog_id: String,
    /// Status name before.
    pub from_status: Option<String>,
    /// Status name after.
    pub to_status: String,
    /// Category after: `todo`, `in_progress` or `done`.
    pub to_category: String,
    /// When.
    pub at: i64,
}

/// Stores an issue's transitions (already stored ones are kept).
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn add_transitions(
    conn: &mut AnyConnection,
    org: OrgId,
    issue: i64,
    rows: &[TransitionRow],
) -> StoreResult<()> {
    const SQL: &str =
        "insert into jira_status_transition (org_id, jira_issue_id, changelog_id, from_status,
            to_status, to_category, transitioned_at, created_at, updated_at)
        select $1, i.jira_issue_id, $3, $4, $5, $6, $7, $8, $8 from jira_issue i
        where i.org_id = $1 and i.jira_issue_id = $2
        on conflict (org_id, jira_issue_id, changelog_id) do nothing";
    let now = unix_now();
    for t in rows {
        sqlx::query(SQL)
            .bind(org.get())
            .bind(issue)
            .bind(&t.changelog_id)
            .bind(t.from_status.as_deref())
            .bind(&t.to_status)
            .bind(&t.to_category)
            .bind(t.at)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// An issue's transitions, oldest first.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn transitions(
    conn: &mut AnyConnection,
    org: OrgId,
    issue: i64,
) -> StoreResult<Vec<TransitionRow>> {
    const SQL: &str = "select changelog_id, from_status, to_status, to_category, transitioned_at
        from jira_status_transition where org_id = $1 and jira_issue_id = $2
        order by transitioned_at, changelog_id";
    let rows = sqlx::query(SQL)
        .bind(org.get())
        .bind(issue)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(TransitionRow {
                changelog_id: r.try_get("changelog_id")?,
                from_status: r.try_get("from_status")?,
                to_status: r.try_get("to_status")?,
                to_category: r.try_get("to_category")?,
                at: r.try_get("transitioned_at")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// A sprint.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SprintRow {
    /// Jira's sprint id.
    pub jira_id: String,
    /// Board it belongs to.
    pub board_id: Option<String>,
    /// Name.
    pub name: String,
    /// `future`, `active` or `closed`.
    pub state: String,
    /// Start.
    pub start_at: Option<i64>,
    /// Planned end.
    pub end_at: Option<i64>,
    /// Completion.
    pub complete_at: Option<i64>,
}

/// Inserts or updates a sprint; returns its id.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn upsert_sprint(
    conn: &mut AnyConnection,
    org: OrgId,
    s: &SprintRow,
) -> StoreResult<i64> {
    const SQL: &str = "insert into jira_sprint (org_id, jira_id, board_id, name, state, start_at, end_at,
            complete_at, created_at, updated_at)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
        on conflict (org_id, jira_id) do update set board_id = coalesce(excluded.board_id, jira_sprint.board_id),
            name = excluded.name, state = excluded.state, start_at = excluded.start_at,
            end_at = excluded.end_at, complete_at = excluded.complete_at, updated_at = excluded.updated_at
        returning jira_sprint_id";
    let id: i64 = sqlx::query_scalar(SQL)
        .bind(org.get())
        .bind(&s.jira_id)
        .bind(s.board_id.as_deref())
        .bind(&s.name)
        .bind(&s.state)
        .bind(s.start_at)
        .bind(s.end_at)
        .bind(s.complete_at)
        .bind(unix_now())
        .fetch_one(conn)
        .await?;
    Ok(id)
}

/// Puts an issue in a sprint (both of this org).
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn link_sprint(
    conn: &mut AnyConnection,
    org: OrgId,
    issue: i64,
    sprint: i64,
) -> StoreResult<()> {
    const SQL: &str = "insert into jira_issue_sprint (org_id, jira_issue_id, jira_sprint_id, created_at, updated_at)
        select $1, i.jira_issue_id, s.jira_sprint_id, $4, $4 from jira_issue i, jira_sprint s
        where i.org_id = $1 and i.jira_issue_id = $2 and s.org_id = $1 and s.jira_sprint_id = $3
        on conflict (jira_issue_id, jira_sprint_id) do nothing";
    sqlx::query(SQL)
        .bind(org.get())
        .bind(issue)
        .bind(sprint)
        .bind(unix_now())
        .execute(conn)
        .await?;
    Ok(())
}

/// The org's sprints, oldest first.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn sprints(conn: &mut AnyConnection, org: OrgId) -> StoreResult<Vec<(i64, SprintRow)>> {
    const SQL: &str =
        "select jira_sprint_id, jira_id, board_id, name, state, start_at, end_at, complete_at
        from jira_sprint where org_id = $1 order by start_at, jira_sprint_id";
    let rows = sqlx::query(SQL).bind(org.get()).fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("jira_sprint_id")?,
                SprintRow {
                    jira_id: r.try_get("jira_id")?,
                    board_id: r.try_get("board_id")?,
                    name: r.try_get("name")?,
                    state: r.try_get("state")?,
                    start_at: r.try_get("start_at")?,
                    end_at: r.try_get("end_at")?,
                    complete_at: r.try_get("complete_at")?,
                },
            ))
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// A project of the org.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// Id inside the org.
    pub id: ProjectId,
    /// Jira's id.
    pub jira_id: String,
    /// Key, e.g. `PROJ`.
    pub key: String,
    /// Name.
    pub name: String,
    /// Chosen by an admin for syncing.
    pub is_selected: bool,
}

/// The org's projects by key.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn projects(conn: &mut AnyConnection, org: OrgId) -> StoreResult<Vec<Project>> {
    const SQL: &str =
        "select jira_project_id, jira_id, project_key, name, is_selected from jira_project
        where org_id = $1 order by project_key";
    let rows = sqlx::query(SQL).bind(org.get()).fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            Ok(Project {
                id: ProjectId(r.try_get("jira_project_id")?),
                jira_id: r.try_get("jira_id")?,
                key: r.try_get("project_key")?,
                name: r.try_get("name")?,
                is_selected: super::flag(r, "is_selected")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Chooses (or unchooses) a project for syncing.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn set_selected(
    conn: &mut AnyConnection,
    org: OrgId,
    project: ProjectId,
    selected: bool,
) -> StoreResult<()> {
    const SQL: &str = "update jira_project set is_selected = $3, updated_at = $4
        where org_id = $1 and jira_project_id = $2";
    let done = sqlx::query(SQL)
        .bind(org.get())
        .bind(project.0)
        .bind(i64::from(selected))
        .bind(unix_now())
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Links a PR to an issue key it mentions.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn link_pr(
    conn: &mut AnyConnection,
    org: OrgId,
    pull_request_id: i64,
    key: &str,
) -> StoreResult<()> {
    const SQL: &str =
        "insert into pr_jira_link (org_id, pull_request_id, issue_key, created_at, updated_at)
        select $1, p.pull_request_id, $3, $4, $4 from pull_request p
        where p.org_id = $1 and p.pull_request_id = $2
        on conflict (org_id, pull_request_id, issue_key) do nothing";
    sqlx::query(SQL)
        .bind(org.get())
        .bind(pull_request_id)
        .bind(key)
        .bind(unix_now())
        .execute(conn)
        .await?;
    Ok(())
}

/// PR texts to scan for issue keys: `(id, title, head branch, body)`.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn pr_texts(
    conn: &mut AnyConnection,
    org: OrgId,
) -> StoreResult<Vec<(i64, String, String, String)>> {
    const SQL: &str = "select pull_request_id, title, coalesce(head_ref, '') as head_ref, coalesce(body, '') as body
        from pull_request where org_id = $1";
    let rows = sqlx::query(SQL).bind(org.get()).fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("pull_request_id")?,
                r.try_get("title")?,
                r.try_get("head_ref")?,
                r.try_get("body")?,
            ))
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// One issue as exported, with its computed fields and links.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct IssueExport {
    /// Key.
    pub issue_key: String,
    /// Project key.
    pub project: String,
    /// Summary.
    pub summary: String,
    /// Type.
    pub issue_type: Option<String>,
    /// Status.
    pub status: Option<String>,
    /// Status category.
    pub status_category: Option<String>,
    /// Assignee account id.
    pub assignee_account_id: Option<String>,
    /// Assignee's name in aimpact, when matched.
    pub assignee: Option<String>,
    /// Story points.
    pub story_points: Option<f64>,
    /// Created (Unix seconds).
    pub created_at: i64,
    /// First In Progress.
    pub started_at: Option<i64>,
    /// First Done after it.
    pub done_at: Option<i64>,
    /// `done_at − started_at`, seconds.
    pub issue_cycle_time: Option<i64>,
    /// Sprint names, `;`-separated.
    pub sprints: String,
    /// PRs that mention the key, as `owner/name#number`, `;`-separated.
    pub pull_requests: String,
}

/// Every issue of the org updated since `since`, by key.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn export(
    conn: &mut AnyConnection,
    org: OrgId,
    since: i64,
) -> StoreResult<Vec<IssueExport>> {
    const SQL: &str = "select i.jira_issue_id, i.issue_key, p.project_key, i.summary, i.issue_type, i.status,
            i.status_category, i.assignee_account_id, pe.display_name, i.story_points, i.jira_created_at,
            i.started_at, i.done_at, i.cycle_time
        from jira_issue i join jira_project p on p.jira_project_id = i.jira_project_id and p.org_id = i.org_id
        left join person pe on pe.person_id = i.assignee_person_id and pe.org_id = i.org_id
        where i.org_id = $1 and i.jira_updated_at >= $2
        order by p.project_key, i.jira_created_at, i.issue_key";
    const SPRINTS: &str = "select s.name from jira_issue_sprint x join jira_sprint s on s.jira_sprint_id = x.jira_sprint_id
        where x.org_id = $1 and x.jira_issue_id = $2 order by s.start_at, s.name";
    const PRS: &str = "select r.owner, r.name, p.number from pr_jira_link l
        join pull_request p on p.pull_request_id = l.pull_request_id and p.org_id = l.org_id
        join repository r on r.repository_id = p.repository_id
        where l.org_id = $1 and l.issue_key = $2 order by r.owner, r.name, p.number";
    let rows = sqlx::query(SQL)
        .bind(org.get())
        .bind(since)
        .fetch_all(&mut *conn)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let id: i64 = r.try_get("jira_issue_id")?;
        let key: String = r.try_get("issue_key")?;
        let sprints: Vec<String> = sqlx::query_scalar(SPRINTS)
            .bind(org.get())
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
        let prs = sqlx::query(PRS)
            .bind(org.get())
            .bind(&key)
            .fetch_all(&mut *conn)
            .await?;
        let prs: Vec<String> = prs
            .iter()
            .map(|p| -> Result<String, sqlx::Error> {
                let owner: String = p.try_get("owner")?;
                let name: String = p.try_get("name")?;
                let number: i64 = p.try_get("number")?;
                Ok(format!("{owner}/{name}#{number}"))
            })
            .collect::<Result<_, _>>()?;
        out.push(IssueExport {
            issue_key: key,
            project: r.try_get("project_key")?,
            summary: r.try_get("summary")?,
            issue_type: r.try_get("issue_type")?,
            status: r.try_get("status")?,
            status_category: r.try_get("status_category")?,
            assignee_account_id: r.try_get("assignee_account_id")?,
            assignee: r.try_get("display_name")?,
            story_points: r.try_get("story_points")?,
            created_at: r.try_get("jira_created_at")?,
            started_at: r.try_get("started_at")?,
            done_at: r.try_get("done_at")?,
            issue_cycle_time: r.try_get("cycle_time")?,
            sprints: sprints.join(";"),
            pull_requests: prs.join(";"),
        });
    }
    Ok(out)
}

/// An issue by key.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn find_issue_by_key(
    conn: &mut AnyConnection,
    org: OrgId,
    key: &str,
) -> StoreResult<Option<IssueRow>> {
    const SQL: &str =
        "select jira_id, issue_key, summary, status_category, story_points, jira_created_at,
            jira_updated_at, started_at, done_at, status, issue_type, assignee_account_id, assignee_person_id
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
        status: r.try_get("status")?,
        issue_type: r.try_get("issue_type")?,
        assignee_account_id: r.try_get("assignee_account_id")?,
        assignee_person_id: r
            .try_get::<Option<i64>, _>("assignee_person_id")?
            .map(crate::domain::PersonId),
    }))
}

/// One done issue: `(done_at, story points, issue cycle time)`.
pub type DoneIssue = (i64, Option<f64>, Option<i64>);

/// Issues of the chosen projects done in `[from, to)`, for velocity and
/// cycle on dashboards.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn done_between(
    conn: &mut AnyConnection,
    org: OrgId,
    from: i64,
    to: i64,
) -> StoreResult<Vec<DoneIssue>> {
    const SQL: &str = "select i.done_at, i.story_points, i.cycle_time from jira_issue i
        join jira_project p on p.jira_project_id = i.jira_project_id and p.org_id = i.org_id
        where i.org_id = $1 and i.done_at >= $2 and i.done_at < $3 and p.is_selected = 1
        order by i.done_at";
    let rows = sqlx::query(SQL)
        .bind(org.get())
        .bind(from)
        .bind(to)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("done_at")?,
                r.try_get("story_points")?,
                r.try_get("cycle_time")?,
            ))
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}
