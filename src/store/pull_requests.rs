//! Pull requests with the computed columns of METRICS.md.

use sqlx::{AnyConnection, Row};

use super::{StoreError, StoreResult, flag, unix_now};
use crate::domain::{OrgId, PersonId, PullRequestId, RepositoryId};

/// A pull request and its computed metrics, as `metrics` produced them.
/// Durations are seconds; instants are Unix seconds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PullRequestRow {
    /// Repository inside the org.
    pub repository: Option<RepositoryId>,
    /// GitHub's node id.
    pub github_pr_id: String,
    /// PR number in its repository.
    pub number: i64,
    /// Title.
    pub title: String,
    /// Author, when matched to a person.
    pub author: Option<PersonId>,
    /// Author's GitHub login.
    pub author_login: Option<String>,
    /// `open`, `closed` or `merged`.
    pub state: String,
    /// Size: additions + deletions.
    pub size: i64,
    /// When the PR was opened.
    pub opened_at: i64,
    /// `ready_at` of METRICS.md.
    pub ready_at: i64,
    /// When merged, if merged.
    pub merged_at: Option<i64>,
    /// GitHub's `updatedAt`, the incremental sync cursor.
    pub github_updated_at: i64,
    /// `first_review_at` of METRICS.md.
    pub first_review_at: Option<i64>,
    /// `pickup_time` of METRICS.md.
    pub pickup_time: Option<i64>,
    /// `review_time` of METRICS.md.
    pub review_time: Option<i64>,
    /// `cycle_time` of METRICS.md.
    pub cycle_time: Option<i64>,
    /// `is_revert` of METRICS.md.
    pub is_revert: bool,
    /// `is_hotfix` of METRICS.md.
    pub is_hotfix: bool,
    /// Detected AI assistance.
    pub ai_detected: bool,
    /// The detection rule that fired, to explain it.
    pub ai_detection_rule: Option<String>,
}

/// Inserts or updates a PR keyed by GitHub's id; the repository must belong
/// to the org (else not found).
pub async fn upsert(
    conn: &mut AnyConnection,
    org: OrgId,
    pr: &PullRequestRow,
) -> StoreResult<PullRequestId> {
    const SQL: &str = "insert into pull_request (org_id, repository_id, github_pr_id, number, title, author_person_id,
            author_login, state, size, opened_at, ready_at, merged_at, github_updated_at, first_review_at,
            pickup_time, review_time, cycle_time, is_revert, is_hotfix, ai_detected, ai_detection_rule,
            created_at, updated_at)
        select $1, r.repository_id, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
            $20, $21, $22, $22
        from repository r where r.org_id = $1 and r.repository_id = $2
        on conflict (org_id, github_pr_id) do update set title = excluded.title,
            author_person_id = excluded.author_person_id, author_login = excluded.author_login,
            state = excluded.state, size = excluded.size, ready_at = excluded.ready_at,
            merged_at = excluded.merged_at, github_updated_at = excluded.github_updated_at,
            first_review_at = excluded.first_review_at, pickup_time = excluded.pickup_time,
            review_time = excluded.review_time, cycle_time = excluded.cycle_time,
            is_revert = excluded.is_revert, is_hotfix = excluded.is_hotfix, ai_detected = excluded.ai_detected,
            ai_detection_rule = excluded.ai_detection_rule, updated_at = excluded.updated_at
        returning pull_request_id";
    let repo = pr.repository.ok_or(StoreError::NotFound)?;
    let author = match pr.author {
        Some(person) => {
            // The author must be a person of this org too.
            super::people::get(&mut *conn, org, person).await?;
            Some(person.0)
        }
        None => None,
    };
    let id: Option<i64> = sqlx::query_scalar(SQL)
        .bind(org.get())
        .bind(repo.0)
        .bind(&pr.github_pr_id)
        .bind(pr.number)
        .bind(&pr.title)
        .bind(author)
        .bind(pr.author_login.as_deref())
        .bind(&pr.state)
        .bind(pr.size)
        .bind(pr.opened_at)
        .bind(pr.ready_at)
        .bind(pr.merged_at)
        .bind(pr.github_updated_at)
        .bind(pr.first_review_at)
        .bind(pr.pickup_time)
        .bind(pr.review_time)
        .bind(pr.cycle_time)
        .bind(i64::from(pr.is_revert))
        .bind(i64::from(pr.is_hotfix))
        .bind(i64::from(pr.ai_detected))
        .bind(pr.ai_detection_rule.as_deref())
        .bind(unix_now())
        .fetch_optional(conn)
        .await?;
    id.map(PullRequestId).ok_or(StoreError::NotFound)
}

const SELECT: &str = "select pull_request_id, repository_id, github_pr_id, number, title, author_person_id,
    author_login, state, size, opened_at, ready_at, merged_at, github_updated_at, first_review_at, pickup_time,
    review_time, cycle_time, is_revert, is_hotfix, ai_detected, ai_detection_rule from pull_request";

fn from_row(r: &sqlx::any::AnyRow) -> Result<(PullRequestId, PullRequestRow), sqlx::Error> {
    Ok((
        PullRequestId(r.try_get("pull_request_id")?),
        PullRequestRow {
            repository: Some(RepositoryId(r.try_get("repository_id")?)),
            github_pr_id: r.try_get("github_pr_id")?,
            number: r.try_get("number")?,
            title: r.try_get("title")?,
            author: r
                .try_get::<Option<i64>, _>("author_person_id")?
                .map(PersonId),
            author_login: r.try_get("author_login")?,
            state: r.try_get("state")?,
            size: r.try_get("size")?,
            opened_at: r.try_get("opened_at")?,
            ready_at: r.try_get("ready_at")?,
            merged_at: r.try_get("merged_at")?,
            github_updated_at: r.try_get("github_updated_at")?,
            first_review_at: r.try_get("first_review_at")?,
            pickup_time: r.try_get("pickup_time")?,
            review_time: r.try_get("review_time")?,
            cycle_time: r.try_get("cycle_time")?,
            is_revert: flag(r, "is_revert")?,
            is_hotfix: flag(r, "is_hotfix")?,
            ai_detected: flag(r, "ai_detected")?,
            ai_detection_rule: r.try_get("ai_detection_rule")?,
        },
    ))
}

/// A PR by repository and number.
pub async fn find_by_number(
    conn: &mut AnyConnection,
    org: OrgId,
    repo: RepositoryId,
    number: i64,
) -> StoreResult<Option<(PullRequestId, PullRequestRow)>> {
    const WHERE: &str = " where org_id = $1 and repository_id = $2 and number = $3";
    let sql = [SELECT, WHERE].concat();
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(org.get())
        .bind(repo.0)
        .bind(number)
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

/// PRs merged in `[from, to)`, oldest first: the input of every dashboard.
pub async fn merged_between(
    conn: &mut AnyConnection,
    org: OrgId,
    from: i64,
    to: i64,
) -> StoreResult<Vec<(PullRequestId, PullRequestRow)>> {
    const WHERE: &str = " where org_id = $1 and merged_at >= $2 and merged_at < $3 order by merged_at, pull_request_id";
    let sql = [SELECT, WHERE].concat();
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(org.get())
        .bind(from)
        .bind(to)
        .fetch_all(conn)
        .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}
