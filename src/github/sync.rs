//! Historical and incremental pull request sync through GraphQL: 100 PRs a
//! page with their reviews, commits, labels and ready-for-review events,
//! paging further only for PRs whose nested lists overflow. A checkpoint per
//! repository makes a restarted sync continue where it stopped; progress is
//! stored for App Home and the CLI.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::client::{GithubClient, GithubError};
use super::ingest::{self, Account, PrFacts, RepoFacts, ReviewFacts};
use super::webhook::instant;
use crate::domain::OrgId;
use crate::store::pull_requests::CommitRow;
use crate::store::sync_state::{self, SyncState};
use crate::store::{Db, StoreError, repositories};

const PR_FIELDS: &str = "id number title body state isDraft createdAt updatedAt mergedAt closedAt
    headRefName baseRefName additions deletions changedFiles
    author { login __typename ... on User { databaseId } ... on Bot { databaseId } }
    labels(first: 20) { nodes { name } }
    timelineItems(first: 1, itemTypes: [READY_FOR_REVIEW_EVENT]) { nodes { ... on ReadyForReviewEvent { createdAt } } }
    reviews(first: 100) { pageInfo { hasNextPage endCursor } nodes { ...Review } }
    commits(first: 100) { totalCount pageInfo { hasNextPage endCursor } nodes { ...Commit } }";
const FRAGMENTS: &str = "fragment Review on PullRequestReview { databaseId state submittedAt
        author { login __typename ... on User { databaseId } ... on Bot { databaseId } } }
    fragment Commit on PullRequestCommit { commit { oid authoredDate committedDate message
        author { name email user { login } } } }";

/// The page query: PRs by most recently updated, so an incremental sync
/// stops at the first PR older than its cursor.
pub fn page_query() -> String {
    format!(
        "query($owner: String!, $name: String!, $after: String) {{
          repository(owner: $owner, name: $name) {{
            pullRequests(first: 100, after: $after, orderBy: {{field: UPDATED_AT, direction: DESC}}) {{
              totalCount pageInfo {{ hasNextPage endCursor }} nodes {{ {PR_FIELDS} }}
            }}
          }}
          rateLimit {{ cost remaining resetAt }}
        }}
        {FRAGMENTS}"
    )
}

fn overflow_query(connection: &str, fragment: &str) -> String {
    format!(
        "query($id: ID!, $after: String) {{
          node(id: $id) {{ ... on PullRequest {{
            {connection}(first: 100, after: $after) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ ...{fragment} }} }}
          }} }}
          rateLimit {{ cost remaining resetAt }}
        }}
        {FRAGMENTS}"
    )
}

/// Why a sync stopped.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// GitHub refused or failed.
    #[error(transparent)]
    Github(#[from] GithubError),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// GitHub answered something we cannot read.
    #[error("unexpected answer from GitHub: {0}")]
    Shape(String),
}

impl From<sqlx::Error> for SyncError {
    fn from(e: sqlx::Error) -> Self {
        SyncError::Store(e.into())
    }
}

fn account(v: &Value) -> Option<Account> {
    Some(Account {
        login: v.get("login")?.as_str()?.to_string(),
        id: v
            .get("databaseId")
            .and_then(Value::as_i64)
            .map(|i| i.to_string()),
        is_bot: v.get("__typename").and_then(Value::as_str) == Some("Bot"),
    })
}

fn review(v: &Value) -> Option<ReviewFacts> {
    Some(ReviewFacts {
        id: v.get("databaseId")?.as_i64()?.to_string(),
        author: account(&v["author"]),
        state: v["state"].as_str().unwrap_or("COMMENTED").to_string(),
        submitted_at: instant(&v["submittedAt"]),
    })
}

fn commit(v: &Value) -> Option<CommitRow> {
    let c = v.get("commit")?;
    Some(CommitRow {
        sha: c.get("oid")?.as_str()?.to_string(),
        author_login: c
            .pointer("/author/user/login")
            .and_then(Value::as_str)
            .map(str::to_string),
        author_name: c
            .pointer("/author/name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        author_email: c
            .pointer("/author/email")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        authored_at: instant(&c["authoredDate"]),
        committed_at: instant(&c["committedDate"]),
        message: c["message"].as_str().unwrap_or_default().to_string(),
    })
}

/// A GraphQL pull request node as facts (nested lists as far as this page has them).
pub fn facts_from_node(repo: &RepoFacts, n: &Value) -> Option<PrFacts> {
    let merged_at = instant(&n["mergedAt"]);
    let ready = n
        .pointer("/timelineItems/nodes/0/createdAt")
        .and_then(instant);
    Some(PrFacts {
        repo: repo.clone(),
        node_id: n.get("id")?.as_str()?.to_string(),
        number: n.get("number")?.as_i64()?,
        title: n["title"].as_str().unwrap_or_default().to_string(),
        body: n["body"].as_str().unwrap_or_default().to_string(),
        state: match n["state"].as_str() {
            Some("MERGED") => "merged",
            Some("CLOSED") => "closed",
            _ => "open",
        }
        .to_string(),
        is_draft: n["isDraft"].as_bool().unwrap_or(false),
        opened_as_draft: Some(ready.is_some() || n["isDraft"].as_bool().unwrap_or(false)),
        created_at: instant(&n["createdAt"])?,
        updated_at: instant(&n["updatedAt"])?,
        merged_at,
        closed_at: instant(&n["closedAt"]),
        ready_for_review_at: ready,
        head_ref: n["headRefName"].as_str().unwrap_or_default().to_string(),
        base_ref: n["baseRefName"].as_str().unwrap_or_default().to_string(),
        labels: n
            .pointer("/labels/nodes")
            .and_then(Value::as_array)
            .map(|ls| {
                ls.iter()
                    .filter_map(|l| l["name"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        additions: n["additions"].as_i64().unwrap_or(0),
        deletions: n["deletions"].as_i64().unwrap_or(0),
        changed_files: n["changedFiles"].as_i64().unwrap_or(0),
        commit_count: n.pointer("/commits/totalCount").and_then(Value::as_i64),
        author: account(&n["author"]),
        commits: Some(
            n.pointer("/commits/nodes")
                .and_then(Value::as_array)
                .map(|cs| cs.iter().filter_map(commit).collect())
                .unwrap_or_default(),
        ),
        reviews: Some(
            n.pointer("/reviews/nodes")
                .and_then(Value::as_array)
                .map(|rs| rs.iter().filter_map(review).collect())
                .unwrap_or_default(),
        ),
    })
}

/// Fetches the rest of a nested list that did not fit in the page.
async fn overflow(
    client: &GithubClient,
    node: &Value,
    connection: &str,
    fragment: &str,
) -> Result<Vec<Value>, SyncError> {
    let mut more = Vec::new();
    let mut page = node[connection].clone();
    while page
        .pointer("/pageInfo/hasNextPage")
        .and_then(Value::as_bool)
        == Some(true)
    {
        let after = page
            .pointer("/pageInfo/endCursor")
            .cloned()
            .unwrap_or(Value::Null);
        let data = client
            .graphql(
                &overflow_query(connection, fragment),
                json!({ "id": node["id"], "after": after }),
            )
            .await?;
        page = data
            .pointer(&format!("/node/{connection}"))
            .cloned()
            .ok_or_else(|| SyncError::Shape(format!("no {connection} in overflow page")))?;
        more.extend(page["nodes"].as_array().cloned().unwrap_or_default());
    }
    Ok(more)
}

/// Where a repository's sync is; stored as `sync_state.checkpoint`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Checkpoint {
    /// Page cursor to continue from.
    pub after: Option<String>,
    /// Oldest `updatedAt` this run wants.
    pub since: i64,
    /// Start of this run: the next incremental cursor.
    pub high_water: i64,
}

/// What to sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The last `days` days, whatever was synced before.
    Full {
        /// `GITHUB_SYNC_DAYS`.
        days: u32,
    },
    /// Since the last cursor (or the last `days` days without one).
    Incremental {
        /// `GITHUB_SYNC_DAYS`, for a repository never synced.
        days: u32,
    },
}

/// A repository to sync.
#[derive(Debug, Clone)]
pub struct RepoRef {
    /// Facts for ingest.
    pub facts: RepoFacts,
}

/// Progress after a page, for the CLI and App Home.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// PRs stored in this run.
    pub done: i64,
    /// PRs the repository has in all (an upper bound for this run).
    pub total: Option<i64>,
}

fn scope(repo: &RepoFacts) -> String {
    format!("repo:{}", repo.github_repo_id)
}

/// Syncs one repository's PRs, resuming a stopped run. Each page is stored
/// with its checkpoint in one transaction, so a crash loses at most the
/// page in flight and repeats nothing twice.
pub async fn sync_repo(
    client: &GithubClient,
    db: &Db,
    org: OrgId,
    repo: &RepoRef,
    mode: Mode,
    on_progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<Progress, SyncError> {
    let scope = scope(&repo.facts);
    let now = chrono::Utc::now().timestamp();
    let mut conn = db.pool().acquire().await?;
    let previous = sync_state::get(&mut conn, org, "github", &scope).await?;
    drop(conn);
    let resumed = previous
        .as_ref()
        .filter(|s| s.status == "running")
        .and_then(|s| s.checkpoint.as_deref())
        .and_then(|c| serde_json::from_str::<Checkpoint>(c).ok());
    let (mut checkpoint, mut done) = match resumed {
        Some(c) => (c, previous.as_ref().map_or(0, |s| s.items_done)),
        None => {
            let days = match mode {
                Mode::Full { days } | Mode::Incremental { days } => i64::from(days),
            };
            let window = now - days * 86_400;
            let since = match (mode, previous.as_ref().and_then(|s| s.cursor.as_deref())) {
                (Mode::Incremental { .. }, Some(cursor)) => cursor.parse().unwrap_or(window),
                _ => window,
            };
            // A minute of overlap: PRs updated while this run reads are
            // picked up again next time rather than missed.
            (
                Checkpoint {
                    after: None,
                    since,
                    high_water: now - 60,
                },
                0,
            )
        }
    };
    let mut total = previous.as_ref().and_then(|s| s.items_total);
    let query = page_query();
    loop {
        let data = client
            .graphql(
                &query,
                json!({ "owner": repo.facts.owner, "name": repo.facts.name, "after": checkpoint.after }),
            )
            .await?;
        let page = data
            .pointer("/repository/pullRequests")
            .ok_or_else(|| SyncError::Shape("no repository.pullRequests".into()))?;
        total = page["totalCount"].as_i64().or(total);
        let nodes = page["nodes"].as_array().cloned().unwrap_or_default();
        let mut batch = Vec::with_capacity(nodes.len());
        let mut reached_end = false;
        for node in &nodes {
            let Some(mut facts) = facts_from_node(&repo.facts, node) else {
                tracing::warn!("skipped a pull request GitHub described incompletely");
                continue;
            };
            if facts.updated_at < checkpoint.since {
                reached_end = true;
                break;
            }
            for extra in overflow(client, node, "reviews", "Review").await? {
                if let (Some(list), Some(r)) = (facts.reviews.as_mut(), review(&extra)) {
                    list.push(r);
                }
            }
            for extra in overflow(client, node, "commits", "Commit").await? {
                if let (Some(list), Some(c)) = (facts.commits.as_mut(), commit(&extra)) {
                    list.push(c);
                }
            }
            batch.push(facts);
        }
        let has_next = page
            .pointer("/pageInfo/hasNextPage")
            .and_then(Value::as_bool)
            == Some(true);
        let finished = reached_end || !has_next;
        checkpoint.after = page
            .pointer("/pageInfo/endCursor")
            .and_then(Value::as_str)
            .map(str::to_string);

        let mut tx = db.pool().begin().await?;
        for facts in &batch {
            ingest::ingest(&mut tx, org, facts, &[]).await?;
        }
        done += batch.len() as i64;
        let state = SyncState {
            source: "github".into(),
            scope: scope.clone(),
            status: if finished { "done" } else { "running" }.into(),
            cursor: if finished {
                Some(checkpoint.high_water.to_string())
            } else {
                previous.as_ref().and_then(|s| s.cursor.clone())
            },
            checkpoint: (!finished).then(|| serde_json::to_string(&checkpoint).unwrap_or_default()),
            items_done: done,
            items_total: total,
            last_error: None,
        };
        sync_state::save(&mut tx, org, &state).await?;
        tx.commit().await?;
        on_progress(Progress { done, total });
        if finished {
            return Ok(Progress { done, total });
        }
    }
}

/// Syncs every tracked repository of the org.
pub async fn sync_org(
    client: &GithubClient,
    db: &Db,
    org: OrgId,
    mode: Mode,
    on_progress: &(dyn Fn(&str, Progress) + Send + Sync),
) -> Result<i64, SyncError> {
    let mut conn = db.pool().acquire().await?;
    let repos = repositories::list(&mut conn, org).await?;
    drop(conn);
    let mut stored = 0;
    for repo in repos.into_iter().filter(|r| r.is_tracked) {
        let (owner, name) = repo
            .full_name
            .split_once('/')
            .map(|(o, n)| (o.to_string(), n.to_string()))
            .unwrap_or_default();
        let r = RepoRef {
            facts: RepoFacts {
                github_repo_id: repo.github_repo_id.clone(),
                owner,
                name,
                ..RepoFacts::default()
            },
        };
        let full_name = repo.full_name.clone();
        let progress =
            sync_repo(client, db, org, &r, mode, &|p| on_progress(&full_name, p)).await?;
        stored += progress.done;
    }
    Ok(stored)
}
