//! Historical and incremental pull request sync through GraphQL: 100 PRs a
//! page with their reviews, commits, labels and ready-for-review events,
//! paging further only for PRs whose nested lists overflow. Those follow-ups
//! are batched (one aliased `node(id:)` per list) and ride along with the
//! next page's query, where GitHub's rounding makes them free; a page is
//! stored once its follow-ups are in. A checkpoint per repository makes a
//! restarted sync continue where it stopped; progress is stored for App
//! Home and the CLI.

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
const REVIEW_FRAGMENT: &str = "fragment Review on PullRequestReview { databaseId state submittedAt
        author { login __typename ... on User { databaseId } ... on Bot { databaseId } } }";
const COMMIT_FRAGMENT: &str =
    "fragment Commit on PullRequestCommit { commit { oid authoredDate committedDate message
        author { name email user { login } } } }";
const RATE_LIMIT: &str = "rateLimit { cost remaining resetAt }";

/// Follow-ups riding along with a page query. GitHub charges a query the
/// requests its connections need, divided by 100 and rounded: the page
/// needs 401, and each follow-up one more, so up to 40 leave its cost at 4.
const RIDE_ALONG: usize = 40;
/// Follow-ups in a query of their own: 100 requests, cost 1.
const FOLLOW_UPS_PER_QUERY: usize = 100;

/// A nested list of a pull request that is paged separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Nested {
    Reviews,
    Commits,
}

impl Nested {
    fn field(self) -> &'static str {
        match self {
            Nested::Reviews => "reviews",
            Nested::Commits => "commits",
        }
    }

    fn fragment(self) -> &'static str {
        match self {
            Nested::Reviews => "Review",
            Nested::Commits => "Commit",
        }
    }
}

/// Where one PR's overflowing list continues.
#[derive(Debug, Clone)]
struct FollowUp {
    /// Index of the PR in its page's batch.
    pr: usize,
    node_id: String,
    list: Nested,
    after: Value,
}

/// Variable declarations, aliased fields (`n0`, `n1`, …) and variables for
/// a batch of follow-ups.
fn follow_up_parts(
    follow_ups: &[FollowUp],
) -> (Vec<String>, String, serde_json::Map<String, Value>) {
    let mut declarations = Vec::with_capacity(follow_ups.len() * 2);
    let mut fields = String::new();
    let mut variables = serde_json::Map::new();
    for (i, f) in follow_ups.iter().enumerate() {
        declarations.push(format!("$id{i}: ID!, $after{i}: String"));
        fields.push_str(&format!(
            "n{i}: node(id: $id{i}) {{ ... on PullRequest {{ {}(first: 100, after: $after{i}) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ ...{} }} }} }} }}\n",
            f.list.field(),
            f.list.fragment()
        ));
        variables.insert(format!("id{i}"), Value::String(f.node_id.clone()));
        variables.insert(format!("after{i}"), f.after.clone());
    }
    (declarations, fields, variables)
}

/// The page query: PRs by most recently updated, so an incremental sync
/// stops at the first PR older than its cursor.
pub fn page_query() -> String {
    page_query_with(&[])
}

/// The page query with follow-ups of the previous page riding along.
fn page_query_with(follow_ups: &[FollowUp]) -> String {
    let (declarations, fields, _) = follow_up_parts(follow_ups);
    let mut declared = vec!["$owner: String!, $name: String!, $after: String".to_string()];
    declared.extend(declarations);
    format!(
        "query({}) {{
          repository(owner: $owner, name: $name) {{
            pullRequests(first: 100, after: $after, orderBy: {{field: UPDATED_AT, direction: DESC}}) {{
              totalCount pageInfo {{ hasNextPage endCursor }} nodes {{ {PR_FIELDS} }}
            }}
          }}
          {fields}{RATE_LIMIT}
        }}
        {REVIEW_FRAGMENT}
        {COMMIT_FRAGMENT}",
        declared.join(", ")
    )
}

/// A query of follow-ups only (for the last page, or lists longer than
/// two pages). It declares only the fragments it uses, as GraphQL requires.
fn follow_up_query(follow_ups: &[FollowUp]) -> String {
    let (declarations, fields, _) = follow_up_parts(follow_ups);
    let mut fragments = String::new();
    for (list, fragment) in [
        (Nested::Reviews, REVIEW_FRAGMENT),
        (Nested::Commits, COMMIT_FRAGMENT),
    ] {
        if follow_ups.iter().any(|f| f.list == list) {
            fragments.push_str(fragment);
            fragments.push('\n');
        }
    }
    format!(
        "query({}) {{\n{fields}{RATE_LIMIT}\n}}\n{fragments}",
        declarations.join(", ")
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

/// The follow-ups a page's PR node needs: one per list with more to fetch.
fn follow_ups_of(node: &Value, pr: usize, node_id: &str) -> Vec<FollowUp> {
    [Nested::Reviews, Nested::Commits]
        .into_iter()
        .filter_map(|list| {
            let page = &node[list.field()];
            (page
                .pointer("/pageInfo/hasNextPage")
                .and_then(Value::as_bool)
                == Some(true))
            .then(|| FollowUp {
                pr,
                node_id: node_id.to_string(),
                list,
                after: page
                    .pointer("/pageInfo/endCursor")
                    .cloned()
                    .unwrap_or(Value::Null),
            })
        })
        .collect()
}

/// Adds what a query's follow-up aliases brought to the batch; returns the
/// follow-ups whose lists go on further still.
fn apply_follow_ups(
    data: &Value,
    follow_ups: Vec<FollowUp>,
    batch: &mut [PrFacts],
) -> Result<Vec<FollowUp>, SyncError> {
    let mut further = Vec::new();
    for (i, mut f) in follow_ups.into_iter().enumerate() {
        let field = f.list.field();
        let page = data
            .get(format!("n{i}"))
            .and_then(|n| n.get(field))
            .ok_or_else(|| SyncError::Shape(format!("no {field} in follow-up n{i}")))?;
        let facts = batch
            .get_mut(f.pr)
            .ok_or_else(|| SyncError::Shape("follow-up for an unknown PR".into()))?;
        for node in page["nodes"].as_array().into_iter().flatten() {
            match f.list {
                Nested::Reviews => {
                    if let (Some(list), Some(r)) = (facts.reviews.as_mut(), review(node)) {
                        list.push(r);
                    }
                }
                Nested::Commits => {
                    if let (Some(list), Some(c)) = (facts.commits.as_mut(), commit(node)) {
                        list.push(c);
                    }
                }
            }
        }
        if page
            .pointer("/pageInfo/hasNextPage")
            .and_then(Value::as_bool)
            == Some(true)
        {
            f.after = page
                .pointer("/pageInfo/endCursor")
                .cloned()
                .unwrap_or(Value::Null);
            further.push(f);
        }
    }
    Ok(further)
}

/// Fetches every open follow-up in queries of their own, up to 100 lists a
/// query, repeating only for lists that go on further.
async fn finish_follow_ups(
    client: &GithubClient,
    mut open: Vec<FollowUp>,
    batch: &mut [PrFacts],
) -> Result<(), SyncError> {
    while !open.is_empty() {
        let rest = open.split_off(open.len().min(FOLLOW_UPS_PER_QUERY));
        let (_, _, variables) = follow_up_parts(&open);
        let data = client
            .graphql(&follow_up_query(&open), Value::Object(variables))
            .await?;
        let mut further = apply_follow_ups(&data, open, batch)?;
        further.extend(rest);
        open = further;
    }
    Ok(())
}

/// A fetched page waiting for its follow-ups before it is stored.
struct Held {
    batch: Vec<PrFacts>,
    open: Vec<FollowUp>,
    /// The page's end cursor: where a resumed run continues once it is stored.
    after: Option<String>,
    /// The run ends with this page.
    finished: bool,
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
/// with its checkpoint in one transaction, once the follow-ups of its
/// overflowing lists are in.
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
    let (checkpoint, done) = match resumed {
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
    let mut run = Run {
        db,
        org,
        scope,
        checkpoint,
        cursor: previous.as_ref().and_then(|s| s.cursor.clone()),
        done,
        total: previous.as_ref().and_then(|s| s.items_total),
        on_progress,
    };
    // The page fetched before this one, while its follow-ups ride along
    // with this page's query.
    let mut held: Option<Held> = None;
    let mut after = run.checkpoint.after.clone();
    // 50 PRs a page: half a million PRs in one repository.
    let mut pages = crate::bounds::Pages::new("a repository's pull requests", 10_000);
    loop {
        let riding: Vec<FollowUp> = match held.as_mut() {
            Some(h) => h.open.drain(..h.open.len().min(RIDE_ALONG)).collect(),
            None => Vec::new(),
        };
        let (_, _, mut variables) = follow_up_parts(&riding);
        variables.insert("owner".into(), json!(repo.facts.owner));
        variables.insert("name".into(), json!(repo.facts.name));
        variables.insert("after".into(), json!(after));
        let data = match client
            .graphql(&page_query_with(&riding), Value::Object(variables))
            .await
        {
            Ok(data) => data,
            Err(e) => {
                // Keep the page already fetched if its follow-ups still come.
                if let Some(mut h) = held.take() {
                    h.open.extend(riding);
                    let open = std::mem::take(&mut h.open);
                    if finish_follow_ups(client, open, &mut h.batch).await.is_ok() {
                        run.store(h).await?;
                    }
                }
                return Err(e.into());
            }
        };
        if let Some(h) = held.as_mut() {
            let further = apply_follow_ups(&data, riding, &mut h.batch)?;
            h.open.extend(further);
        }
        let page = data
            .pointer("/repository/pullRequests")
            .ok_or_else(|| SyncError::Shape("no repository.pullRequests".into()))?;
        run.total = page["totalCount"].as_i64().or(run.total);
        let nodes = page["nodes"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        let mut batch = Vec::with_capacity(nodes.len());
        let mut open = Vec::new();
        let mut reached_end = false;
        for node in nodes {
            let Some(facts) = facts_from_node(&repo.facts, node) else {
                tracing::warn!("skipped a pull request GitHub described incompletely");
                continue;
            };
            if facts.updated_at < run.checkpoint.since {
                reached_end = true;
                break;
            }
            open.extend(follow_ups_of(node, batch.len(), &facts.node_id));
            batch.push(facts);
        }
        let has_next = page
            .pointer("/pageInfo/hasNextPage")
            .and_then(Value::as_bool)
            == Some(true);
        after = page
            .pointer("/pageInfo/endCursor")
            .and_then(Value::as_str)
            .map(str::to_string);
        if has_next && !reached_end {
            let next = after
                .as_deref()
                .ok_or_else(|| SyncError::Shape("hasNextPage without an endCursor".into()))?;
            pages
                .follow(nodes.len(), Some(next))
                .map_err(GithubError::from)?;
        }
        let fetched = Held {
            batch,
            open,
            after: after.clone(),
            finished: reached_end || !has_next,
        };
        // Follow-ups that did not fit, or lists longer than two pages.
        if let Some(mut h) = held.take() {
            let open = std::mem::take(&mut h.open);
            finish_follow_ups(client, open, &mut h.batch).await?;
            run.store(h).await?;
        }
        // A page with nothing to follow up, or the last one, is stored now;
        // otherwise it waits for the next page's query to carry its follow-ups.
        if fetched.finished || fetched.open.is_empty() {
            let mut complete = fetched;
            let open = std::mem::take(&mut complete.open);
            finish_follow_ups(client, open, &mut complete.batch).await?;
            let finished = complete.finished;
            let progress = run.store(complete).await?;
            if finished {
                return Ok(progress);
            }
        } else {
            held = Some(fetched);
        }
    }
}

/// PRs written per transaction when a page is stored (a page of 100 PRs
/// with their reviews and commits took 100–200 ms in one).
const STORE_CHUNK: usize = 25;

/// One repository's run: stores complete pages with their checkpoint.
struct Run<'a> {
    db: &'a Db,
    org: OrgId,
    scope: String,
    checkpoint: Checkpoint,
    /// The incremental cursor from the last finished run.
    cursor: Option<String>,
    done: i64,
    total: Option<i64>,
    on_progress: &'a (dyn Fn(Progress) + Send + Sync),
}

impl Run<'_> {
    /// Stores a page, then the checkpoint after it with the page's last
    /// PRs: a crash loses at most the pages in flight, whose PRs a resumed
    /// run stores again (upserts, so nothing is counted twice). The page
    /// is written in a few short transactions so that, on SQLite, no write
    /// holds the database for long (the job queue writes too).
    async fn store(&mut self, page: Held) -> Result<Progress, SyncError> {
        self.checkpoint.after = page.after;
        let mut seen = ingest::Seen::default();
        let mut chunks = page.batch.chunks(STORE_CHUNK).peekable();
        let mut tx = self.db.begin_write().await?;
        while let Some(chunk) = chunks.next() {
            for facts in chunk {
                ingest::ingest_seen(&mut tx, self.org, facts, &[], &mut seen).await?;
            }
            if chunks.peek().is_some() {
                tx.commit().await?;
                tx = self.db.begin_write().await?;
            }
        }
        self.done += page.batch.len() as i64;
        let state = SyncState {
            source: "github".into(),
            scope: self.scope.clone(),
            status: if page.finished { "done" } else { "running" }.into(),
            cursor: if page.finished {
                Some(self.checkpoint.high_water.to_string())
            } else {
                self.cursor.clone()
            },
            checkpoint: (!page.finished)
                .then(|| serde_json::to_string(&self.checkpoint).unwrap_or_default()),
            items_done: self.done,
            items_total: self.total,
            last_error: None,
        };
        sync_state::save(&mut tx, self.org, &state).await?;
        tx.commit().await?;
        let progress = Progress {
            done: self.done,
            total: self.total,
        };
        (self.on_progress)(progress);
        Ok(progress)
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
