//! Pull requests, their reviews and commits, with the computed columns of
//! docs/metrics.md stored beside the raw facts they come from.

use sqlx::{AnyConnection, Row};

use super::{StoreError, StoreResult, flag, unix_now};
use crate::domain::{OrgId, PersonId, PullRequestId, RepositoryId};
use crate::metrics::ai::{AiDetection, AiRule};
use crate::metrics::pr::PrMetrics;

/// A pull request: GitHub's facts and the metrics computed from them.
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
    /// Body (for revert detection and Jira keys).
    pub body: String,
    /// Author, when matched to a person.
    pub author: Option<PersonId>,
    /// Author's GitHub login.
    pub author_login: Option<String>,
    /// `open`, `closed` or `merged`.
    pub state: String,
    /// Currently a draft.
    pub is_draft: bool,
    /// Head branch.
    pub head_ref: String,
    /// Base branch.
    pub base_ref: String,
    /// Label names, JSON array.
    pub labels: String,
    /// Lines added.
    pub additions: i64,
    /// Lines deleted.
    pub deletions: i64,
    /// Files changed.
    pub changed_files: i64,
    /// Commits in the PR.
    pub commit_count: i64,
    /// When the PR was opened.
    pub opened_at: i64,
    /// When a draft was marked ready, if it was opened as draft.
    pub ready_for_review_at: Option<i64>,
    /// When merged, if merged.
    pub merged_at: Option<i64>,
    /// When closed, if closed.
    pub closed_at: Option<i64>,
    /// GitHub's `updatedAt`, the incremental sync cursor.
    pub github_updated_at: i64,
    /// Its numbers (docs/metrics.md), as ingest computed them. AI
    /// detection keeps its rule; the triggering text is not stored.
    pub metrics: PrMetrics,
}

/// A review of a PR.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewRow {
    /// GitHub's review id.
    pub github_review_id: String,
    /// Reviewer, when matched.
    pub reviewer: Option<PersonId>,
    /// Reviewer's login.
    pub reviewer_login: String,
    /// `APPROVED`, `CHANGES_REQUESTED`, `COMMENTED`, `DISMISSED`, `PENDING`.
    pub state: String,
    /// When submitted.
    pub submitted_at: Option<i64>,
    /// Reviewer is a bot.
    pub is_bot: bool,
}

/// A commit of a PR.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommitRow {
    /// Commit SHA.
    pub sha: String,
    /// Author's GitHub login, if linked.
    pub author_login: Option<String>,
    /// Author name from the commit.
    pub author_name: String,
    /// Author email from the commit.
    pub author_email: String,
    /// Authored date.
    pub authored_at: Option<i64>,
    /// Committed date.
    pub committed_at: Option<i64>,
    /// Commit message (kept for AI detection and revert links).
    pub message: String,
}

/// Inserts or updates a PR keyed by GitHub's id; the repository (and the
/// author, if any) must belong to the org, else not found. Both are checked
/// inside the one statement.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn upsert(
    conn: &mut AnyConnection,
    org: OrgId,
    pr: &PullRequestRow,
) -> StoreResult<PullRequestId> {
    const SQL: &str = "insert into pull_request (org_id, repository_id, github_pr_id, number, title, body,
            author_person_id, author_login, state, is_draft, head_ref, base_ref, labels, additions, deletions,
            changed_files, commit_count, opened_at, ready_for_review_at, merged_at, closed_at, github_updated_at,
            ready_at, first_commit_at, first_review_at, coding_time, pickup_time, review_time, cycle_time, size,
            is_revert, is_hotfix, ai_detected, ai_detection_rule, created_at, updated_at)
        select $1, r.repository_id, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
            $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $35
        from repository r where r.org_id = $1 and r.repository_id = $2
            and ($7 is null or exists (select 1 from person a where a.org_id = $1 and a.person_id = $7))
        on conflict (org_id, repository_id, number) do update set github_pr_id = excluded.github_pr_id,
            title = excluded.title,
            body = excluded.body, author_person_id = excluded.author_person_id,
            author_login = excluded.author_login,
            state = case when excluded.merged_at is null and pull_request.merged_at is not null
                then pull_request.state else excluded.state end,
            is_draft = excluded.is_draft,
            head_ref = excluded.head_ref, base_ref = excluded.base_ref, labels = excluded.labels,
            additions = excluded.additions, deletions = excluded.deletions,
            changed_files = excluded.changed_files, commit_count = excluded.commit_count,
            opened_at = excluded.opened_at, ready_for_review_at = excluded.ready_for_review_at,
            -- A merge is final (a stale report processed after it keeps it).
            merged_at = coalesce(excluded.merged_at, pull_request.merged_at),
            closed_at = case when excluded.merged_at is null and pull_request.merged_at is not null
                then pull_request.closed_at else excluded.closed_at end,
            github_updated_at = excluded.github_updated_at, ready_at = excluded.ready_at,
            first_commit_at = excluded.first_commit_at, first_review_at = excluded.first_review_at,
            coding_time = excluded.coding_time, pickup_time = excluded.pickup_time,
            review_time = case when excluded.merged_at is null and pull_request.merged_at is not null
                then pull_request.review_time else excluded.review_time end,
            cycle_time = case when excluded.merged_at is null and pull_request.merged_at is not null
                then pull_request.cycle_time else excluded.cycle_time end,
            size = excluded.size,
            is_revert = excluded.is_revert, is_hotfix = excluded.is_hotfix, ai_detected = excluded.ai_detected,
            ai_detection_rule = excluded.ai_detection_rule, updated_at = excluded.updated_at
        returning pull_request_id";
    let repo = pr.repository.ok_or(StoreError::NotFound)?;
    let author = pr.author.map(|p| p.0);
    let id: Option<i64> = sqlx::query_scalar(SQL)
        .bind(org.get())
        .bind(repo.0)
        .bind(&pr.github_pr_id)
        .bind(pr.number)
        .bind(&pr.title)
        .bind(&pr.body)
        .bind(author)
        .bind(pr.author_login.as_deref())
        .bind(&pr.state)
        .bind(i64::from(pr.is_draft))
        .bind(&pr.head_ref)
        .bind(&pr.base_ref)
        .bind(&pr.labels)
        .bind(pr.additions)
        .bind(pr.deletions)
        .bind(pr.changed_files)
        .bind(pr.commit_count)
        .bind(pr.opened_at)
        .bind(pr.ready_for_review_at)
        .bind(pr.merged_at)
        .bind(pr.closed_at)
        .bind(pr.github_updated_at)
        .bind(pr.metrics.ready_at)
        .bind(pr.metrics.first_commit_at)
        .bind(pr.metrics.first_review_at)
        .bind(pr.metrics.coding_time)
        .bind(pr.metrics.pickup_time)
        .bind(pr.metrics.review_time)
        .bind(pr.metrics.cycle_time)
        .bind(pr.metrics.size)
        .bind(i64::from(pr.metrics.is_revert))
        .bind(i64::from(pr.metrics.is_hotfix))
        .bind(i64::from(pr.metrics.ai.is_some()))
        .bind(pr.metrics.ai.as_ref().map(|a| a.rule.as_str()))
        .bind(unix_now())
        .fetch_optional(conn)
        .await?;
    id.map(PullRequestId).ok_or(StoreError::NotFound)
}

// Both halves are constants; only the where clause differs per caller.
const SELECT: &str = "select pull_request_id, repository_id, github_pr_id, number, title, body, author_person_id,
    author_login, state, is_draft, head_ref, base_ref, labels, additions, deletions, changed_files, commit_count,
    opened_at, ready_for_review_at, merged_at, closed_at, github_updated_at, ready_at, first_commit_at,
    first_review_at, coding_time, pickup_time, review_time, cycle_time, size, is_revert, is_hotfix, ai_detected,
    ai_detection_rule from pull_request";

fn from_row(r: &sqlx::any::AnyRow) -> Result<(PullRequestId, PullRequestRow), sqlx::Error> {
    Ok((
        PullRequestId(r.try_get("pull_request_id")?),
        PullRequestRow {
            repository: Some(RepositoryId(r.try_get("repository_id")?)),
            github_pr_id: r.try_get("github_pr_id")?,
            number: r.try_get("number")?,
            title: r.try_get("title")?,
            body: r.try_get::<Option<String>, _>("body")?.unwrap_or_default(),
            author: r
                .try_get::<Option<i64>, _>("author_person_id")?
                .map(PersonId),
            author_login: r.try_get("author_login")?,
            state: r.try_get("state")?,
            is_draft: flag(r, "is_draft")?,
            head_ref: r
                .try_get::<Option<String>, _>("head_ref")?
                .unwrap_or_default(),
            base_ref: r
                .try_get::<Option<String>, _>("base_ref")?
                .unwrap_or_default(),
            labels: r.try_get("labels")?,
            additions: r.try_get("additions")?,
            deletions: r.try_get("deletions")?,
            changed_files: r.try_get("changed_files")?,
            commit_count: r.try_get("commit_count")?,
            opened_at: r.try_get("opened_at")?,
            ready_for_review_at: r.try_get("ready_for_review_at")?,
            merged_at: r.try_get("merged_at")?,
            closed_at: r.try_get("closed_at")?,
            github_updated_at: r.try_get("github_updated_at")?,
            metrics: PrMetrics {
                ready_at: r.try_get("ready_at")?,
                first_commit_at: r.try_get("first_commit_at")?,
                first_review_at: r.try_get("first_review_at")?,
                coding_time: r.try_get("coding_time")?,
                pickup_time: r.try_get("pickup_time")?,
                review_time: r.try_get("review_time")?,
                cycle_time: r.try_get("cycle_time")?,
                size: r.try_get("size")?,
                is_revert: flag(r, "is_revert")?,
                is_hotfix: flag(r, "is_hotfix")?,
                ai: if flag(r, "ai_detected")? {
                    r.try_get::<Option<String>, _>("ai_detection_rule")?
                        .as_deref()
                        .and_then(AiRule::parse)
                        .map(AiDetection::stored)
                } else {
                    None
                },
            },
        },
    ))
}

/// A PR by repository and number.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn find_by_number(
    conn: &mut AnyConnection,
    org: OrgId,
    repo: RepositoryId,
    number: i64,
) -> StoreResult<Option<(PullRequestId, PullRequestRow)>> {
    const WHERE: &str = " where org_id = $1 and repository_id = $2 and number = $3";
    let row = sqlx::query(sqlx::AssertSqlSafe([SELECT, WHERE].concat()))
        .bind(org.get())
        .bind(repo.0)
        .bind(number)
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

/// A PR by GitHub's node id.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn find_by_github_id(
    conn: &mut AnyConnection,
    org: OrgId,
    github_pr_id: &str,
) -> StoreResult<Option<(PullRequestId, PullRequestRow)>> {
    const WHERE: &str = " where org_id = $1 and github_pr_id = $2";
    let row = sqlx::query(sqlx::AssertSqlSafe([SELECT, WHERE].concat()))
        .bind(org.get())
        .bind(github_pr_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

/// A PR by what stays stable: its repository (GitHub id) and number, or
/// its node id. GitHub serves a PR under a legacy (`MDEx…`) and a next
/// (`PR_…`) global id; whichever a report carries finds the same row.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn find_by_facts(
    conn: &mut AnyConnection,
    org: OrgId,
    node_id: &str,
    github_repo_id: &str,
    number: i64,
) -> StoreResult<Option<(PullRequestId, PullRequestRow)>> {
    const WHERE: &str = " where org_id = $1 and (github_pr_id = $2 or (number = $4 and repository_id =
            (select r.repository_id from repository r where r.org_id = $1 and r.github_repo_id = $3)))
        order by case when github_pr_id = $2 then 0 else 1 end limit 1";
    let row = sqlx::query(sqlx::AssertSqlSafe([SELECT, WHERE].concat()))
        .bind(org.get())
        .bind(node_id)
        .bind(github_repo_id)
        .bind(number)
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

/// PRs merged in `[from, to)`, oldest first: the input of every dashboard.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn merged_between(
    conn: &mut AnyConnection,
    org: OrgId,
    from: i64,
    to: i64,
) -> StoreResult<Vec<(PullRequestId, PullRequestRow)>> {
    const WHERE: &str = " where org_id = $1 and merged_at >= $2 and merged_at < $3 order by merged_at, pull_request_id";
    let rows = sqlx::query(sqlx::AssertSqlSafe([SELECT, WHERE].concat()))
        .bind(org.get())
        .bind(from)
        .bind(to)
        .fetch_all(conn)
        .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

/// PRs opened or updated since `since`, by repository then number: the
/// export's input.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn updated_since(
    conn: &mut AnyConnection,
    org: OrgId,
    since: i64,
) -> StoreResult<Vec<(PullRequestId, PullRequestRow)>> {
    const WHERE: &str = " where org_id = $1 and (opened_at >= $2 or github_updated_at >= $2) order by repository_id, number";
    let rows = sqlx::query(sqlx::AssertSqlSafe([SELECT, WHERE].concat()))
        .bind(org.get())
        .bind(since)
        .fetch_all(conn)
        .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

/// Inserts or updates a review; the PR must belong to the org.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn upsert_review(
    conn: &mut AnyConnection,
    org: OrgId,
    pr: PullRequestId,
    review: &ReviewRow,
) -> StoreResult<()> {
    const SQL: &str = "insert into pr_review (org_id, pull_request_id, github_review_id, reviewer_person_id,
            reviewer_login, state, submitted_at, is_bot, created_at, updated_at)
        select $1, p.pull_request_id, $3, $4, $5, $6, $7, $8, $9, $9 from pull_request p
        where p.org_id = $1 and p.pull_request_id = $2
        on conflict (org_id, github_review_id) do update set reviewer_person_id = excluded.reviewer_person_id,
            reviewer_login = excluded.reviewer_login, state = excluded.state,
            submitted_at = excluded.submitted_at, is_bot = excluded.is_bot, updated_at = excluded.updated_at";
    let done = sqlx::query(SQL)
        .bind(org.get())
        .bind(pr.0)
        .bind(&review.github_review_id)
        .bind(review.reviewer.map(|p| p.0))
        .bind(&review.reviewer_login)
        .bind(&review.state)
        .bind(review.submitted_at)
        .bind(i64::from(review.is_bot))
        .bind(unix_now())
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The reviews of a PR, oldest first.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn reviews(
    conn: &mut AnyConnection,
    org: OrgId,
    pr: PullRequestId,
) -> StoreResult<Vec<ReviewRow>> {
    const SQL: &str = "select github_review_id, reviewer_person_id, reviewer_login, state, submitted_at, is_bot
        from pr_review where org_id = $1 and pull_request_id = $2 order by submitted_at, pr_review_id";
    let rows = sqlx::query(SQL)
        .bind(org.get())
        .bind(pr.0)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(ReviewRow {
                github_review_id: r.try_get("github_review_id")?,
                reviewer: r
                    .try_get::<Option<i64>, _>("reviewer_person_id")?
                    .map(PersonId),
                reviewer_login: r
                    .try_get::<Option<String>, _>("reviewer_login")?
                    .unwrap_or_default(),
                state: r.try_get("state")?,
                submitted_at: r.try_get("submitted_at")?,
                is_bot: flag(r, "is_bot")?,
            })
        })
        .collect()
}

/// Inserts or updates a commit of a PR; the PR must belong to the org.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn upsert_commit(
    conn: &mut AnyConnection,
    org: OrgId,
    pr: PullRequestId,
    commit: &CommitRow,
) -> StoreResult<()> {
    const SQL: &str = "insert into pr_commit (org_id, pull_request_id, sha, author_login, author_name,
            author_email, authored_at, committed_at, message, created_at, updated_at)
        select $1, p.pull_request_id, $3, $4, $5, $6, $7, $8, $9, $10, $10 from pull_request p
        where p.org_id = $1 and p.pull_request_id = $2
        on conflict (org_id, pull_request_id, sha) do update set author_login = excluded.author_login,
            author_name = excluded.author_name, author_email = excluded.author_email,
            authored_at = excluded.authored_at, committed_at = excluded.committed_at,
            message = excluded.message, updated_at = excluded.updated_at";
    let done = sqlx::query(SQL)
        .bind(org.get())
        .bind(pr.0)
        .bind(&commit.sha)
        .bind(commit.author_login.as_deref())
        .bind(&commit.author_name)
        .bind(&commit.author_email)
        .bind(commit.authored_at)
        .bind(commit.committed_at)
        .bind(&commit.message)
        .bind(unix_now())
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The commits of a PR, by authored date.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn commits(
    conn: &mut AnyConnection,
    org: OrgId,
    pr: PullRequestId,
) -> StoreResult<Vec<CommitRow>> {
    const SQL: &str = "select sha, author_login, author_name, author_email, authored_at, committed_at, message
        from pr_commit where org_id = $1 and pull_request_id = $2 order by authored_at, pr_commit_id";
    let rows = sqlx::query(SQL)
        .bind(org.get())
        .bind(pr.0)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(CommitRow {
                sha: r.try_get("sha")?,
                author_login: r.try_get("author_login")?,
                author_name: r
                    .try_get::<Option<String>, _>("author_name")?
                    .unwrap_or_default(),
                author_email: r
                    .try_get::<Option<String>, _>("author_email")?
                    .unwrap_or_default(),
                authored_at: r.try_get("authored_at")?,
                committed_at: r.try_get("committed_at")?,
                message: r
                    .try_get::<Option<String>, _>("message")?
                    .unwrap_or_default(),
            })
        })
        .collect()
}

/// Merged PRs of the org, ever (for empty states).
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn merged_count(conn: &mut AnyConnection, org: OrgId) -> StoreResult<i64> {
    const SQL: &str =
        "select count(*) from pull_request where org_id = $1 and merged_at is not null";
    Ok(sqlx::query_scalar(SQL)
        .bind(org.get())
        .fetch_one(conn)
        .await?)
}

/// A pull request as pickers and links name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrRef {
    /// Its id in the org.
    pub id: PullRequestId,
    /// `owner/name` of its repository.
    pub repository: String,
    /// Its number.
    pub number: i64,
    /// Its title.
    pub title: String,
}

impl PrRef {
    /// `owner/name#123 Title`.
    pub fn label(&self) -> String {
        format!("{}#{} {}", self.repository, self.number, self.title)
    }
}

macro_rules! select_refs {
    () => {
        "select p.pull_request_id, r.owner, r.name, p.number, p.title
        from pull_request p join repository r on r.org_id = p.org_id and r.repository_id = p.repository_id
        where p.org_id = $1 and "
    };
}

fn pr_ref(r: &sqlx::any::AnyRow) -> Result<PrRef, sqlx::Error> {
    let owner: String = r.try_get("owner")?;
    let name: String = r.try_get("name")?;
    Ok(PrRef {
        id: PullRequestId(r.try_get("pull_request_id")?),
        repository: format!("{owner}/{name}"),
        number: r.try_get("number")?,
        title: r.try_get("title")?,
    })
}

/// The org's PR `id`, named; `None` for another org's id.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn reference(
    conn: &mut AnyConnection,
    org: OrgId,
    id: PullRequestId,
) -> StoreResult<Option<PrRef>> {
    const SQL: &str = concat!(select_refs!(), "p.pull_request_id = $2");
    let row = sqlx::query(SQL)
        .bind(org.get())
        .bind(id.0)
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(pr_ref).transpose()?)
}

/// The org's PR at `github.com/owner/name/pull/number`, if it has it.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn by_link(
    conn: &mut AnyConnection,
    org: OrgId,
    owner: &str,
    name: &str,
    number: i64,
) -> StoreResult<Option<PrRef>> {
    const SQL: &str = concat!(
        select_refs!(),
        "lower(r.owner) = lower($2) and lower(r.name) = lower($3) and p.number = $4"
    );
    let row = sqlx::query(SQL)
        .bind(org.get())
        .bind(owner)
        .bind(name)
        .bind(number)
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(pr_ref).transpose()?)
}

/// The org's most recent PRs whose title, repository or number matches
/// `query` (all when empty), newest first.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn search(
    conn: &mut AnyConnection,
    org: OrgId,
    query: &str,
    limit: i64,
) -> StoreResult<Vec<PrRef>> {
    const SQL: &str = concat!(
        select_refs!(),
        "($2 = '' or lower(p.title) like $3 or lower(r.name) like $3 or cast(p.number as text) = $2)
        order by coalesce(p.merged_at, p.opened_at) desc, p.pull_request_id desc limit $4"
    );
    let q = query.trim().trim_start_matches('#').to_lowercase();
    let escaped = q.replace('\\', "").replace(['%', '_'], "");
    let rows = sqlx::query(SQL)
        .bind(org.get())
        .bind(&q)
        .bind(format!("%{escaped}%"))
        .bind(limit)
        .fetch_all(conn)
        .await?;
    Ok(rows.iter().map(pr_ref).collect::<Result<_, _>>()?)
}

/// Merged PRs of the org's repository `owner/name` in `[from, to)`.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn merged_in_repository(
    conn: &mut AnyConnection,
    org: OrgId,
    full_name: &str,
    from: i64,
    to: i64,
) -> StoreResult<i64> {
    const SQL: &str = "select count(*) from pull_request p
        join repository r on r.org_id = p.org_id and r.repository_id = p.repository_id
        where p.org_id = $1 and lower(r.owner || '/' || r.name) = lower($2)
            and p.merged_at >= $3 and p.merged_at < $4";
    Ok(sqlx::query_scalar(SQL)
        .bind(org.get())
        .bind(full_name)
        .bind(from)
        .bind(to)
        .fetch_one(conn)
        .await?)
}
