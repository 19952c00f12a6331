//! Benchmark of the historical GitHub import (`sync::sync_repo`, full mode)
//! against an in-process fake GitHub GraphQL API on loopback, into a fresh
//! SQLite file.
//!
//! The target it checks: 50,000 PRs (≈ 3 reviews, ≈ 4 commits each) in under
//! 60 s of wall time on 2 cores, a GraphQL cost within 1.2× of the minimum
//! for 100-PR pages, and a peak resident memory under 300 MB.
//!
//! `cargo run --release --example github_import_bench [-- PRS [OVERFLOW_EVERY]]`
//!
//! `PRS` defaults to 50,000. Every `OVERFLOW_EVERY`-th PR (default 100, i.e.
//! 1 %) says its reviews did not fit in the page, so fetching the rest
//! (aliased `node(id:)` follow-ups, riding along with the next page's query
//! or in a query of their own) is part of what is measured. The process exits with status 1 when
//! a target is missed or the stored rows differ from what the fake served.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use aimpact::github::client::GithubClient;
use aimpact::github::ingest::RepoFacts;
use aimpact::github::sync::{self, Mode, Progress, RepoRef};
use aimpact::store::orgs;
use aimpact::store::repositories::{self, NewRepository};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::post;
use chrono::{DateTime, SecondsFormat};
use serde_json::{Value, json};

mod common;
use common::{proc_status_mb, verdict};

const TARGET_WALL: Duration = Duration::from_secs(60);
const TARGET_COST_RATIO: f64 = 1.2;
const TARGET_PEAK_MB: f64 = 300.0;
/// Same value as `sync_repo` pages with (`pullRequests(first: 100 …)`).
const PAGE_SIZE: u64 = 100;
/// Large enough that the client's low-budget pause never triggers: the
/// benchmark measures the import, not GitHub's hourly reset.
const BUDGET: i64 = 1_000_000_000;
/// Distinct humans authoring and reviewing, so person lookups hit a
/// realistic mix of "first sight" and "already known".
const PEOPLE: u64 = 250;
const DAYS: u32 = 3650;

/// GitHub's documented GraphQL cost: for every connection, the number of
/// requests needed to fill it assuming each enclosing connection returns
/// its full `first`/`last`; the sum divided by 100, rounded, at least 1.
///
/// A small scan rather than a GraphQL parser: it tracks `first:`/`last:`
/// arguments and braces, and skips argument lists (which may contain
/// braces such as `orderBy: {…}`). Connections inside fragments would be
/// miscounted, so the fake refuses such a query rather than under-charge.
///
/// For today's `page_query()`: `pullRequests(first: 100)` is 1 request;
/// under it `labels`, `timelineItems`, `reviews` and `commits` are 4
/// connections × 100 PRs = 400 requests; review and commit authors are
/// objects, not connections. 401 / 100 rounds to 4. Each follow-up alias
/// (`nN: node(id:) { reviews(first: 100) }`) is 1 request: alone it costs
/// 1, and up to 48 riding along with a page leave the page's cost at 4.
fn graphql_cost(query: &str) -> Result<i64, String> {
    if let Some(at) = query.find("fragment ")
        && (query[at..].contains("first:") || query[at..].contains("last:"))
    {
        return Err("a connection inside a fragment: cost not computable here".into());
    }
    let mut requests: i64 = 0;
    let mut depth = 0usize;
    // (brace depth of the connection's selection set, nodes it may return
    // in all, i.e. the product of its own and its ancestors' limits)
    let mut open: Vec<(usize, i64)> = Vec::new();
    let mut pending: Option<i64> = None;
    let mut chars = query.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '(' => {
                let rest = &query[i + 1..];
                let end = rest.find(')').ok_or("unbalanced parentheses")?;
                let args = &rest[..end];
                pending = ["first:", "last:"].iter().find_map(|key| {
                    let at = args.find(key)? + key.len();
                    let digits: String = args[at..]
                        .trim_start()
                        .chars()
                        .take_while(char::is_ascii_digit)
                        .collect();
                    digits.parse().ok()
                });
                // Skip the argument list; the iterator is past it afterwards.
                for _ in 0..args.chars().count() + 1 {
                    chars.next();
                }
            }
            '{' => {
                depth += 1;
                if let Some(limit) = pending.take() {
                    let parent = open.last().map_or(1, |&(_, n)| n);
                    requests += parent;
                    open.push((depth, parent * limit));
                }
            }
            '}' => {
                if open.last().is_some_and(|&(d, _)| d == depth) {
                    open.pop();
                }
                depth = depth.checked_sub(1).ok_or("unbalanced braces")?;
            }
            _ => {}
        }
    }
    Ok(((requests as f64 / 100.0).round() as i64).max(1))
}

/// The fake GitHub: answers the page and follow-up queries of `sync_repo`
/// for one repository, generating each page when asked so its own memory
/// stays flat whatever the PR count.
struct FakeGithub {
    prs: u64,
    overflow_every: u64,
    /// `updatedAt` of the most recently updated PR.
    newest: i64,
    /// Seconds between consecutive PRs' `updatedAt`: spreads all PRs over
    /// about three years, well inside the 3650-day window.
    step: i64,
    page_queries: AtomicU64,
    /// Queries of follow-ups alone (not riding along with a page).
    follow_up_queries: AtomicU64,
    /// Overflowing lists asked for, alone or riding along.
    follow_ups: AtomicU64,
    cost: AtomicI64,
    reviews_served: AtomicU64,
    commits_served: AtomicU64,
    /// Time spent inside the handler (generating and serialising JSON):
    /// the fake shares the 2 cores, so this is part of the wall time.
    busy_nanos: AtomicU64,
}

fn ts(unix: i64) -> Value {
    DateTime::from_timestamp(unix, 0)
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
        .into()
}

fn user(n: u64) -> Value {
    let n = n % PEOPLE;
    json!({ "login": format!("dev{n}"), "__typename": "User", "databaseId": 1000 + n })
}

fn review(id: u64, reviewer: u64, state: &str, at: i64) -> Value {
    json!({ "databaseId": id, "state": state, "submittedAt": ts(at), "author": user(reviewer) })
}

impl FakeGithub {
    fn new(prs: u64, overflow_every: u64, now: i64) -> Self {
        Self {
            prs,
            overflow_every: overflow_every.max(1),
            newest: now - 3600,
            step: (3 * 365 * 86_400 / prs.max(1) as i64).max(1),
            page_queries: AtomicU64::new(0),
            follow_up_queries: AtomicU64::new(0),
            follow_ups: AtomicU64::new(0),
            cost: AtomicI64::new(0),
            reviews_served: AtomicU64::new(0),
            commits_served: AtomicU64::new(0),
            busy_nanos: AtomicU64::new(0),
        }
    }

    fn overflows(&self, number: u64) -> bool {
        number.is_multiple_of(self.overflow_every)
    }

    /// PR `k` of the UPDATED_AT DESC order (0 = most recently updated).
    /// Numbers count down with it, as a long-lived repository's would.
    fn pr_node(&self, k: u64) -> Value {
        let n = self.prs - k;
        let updated = self.newest - k as i64 * self.step;
        let created = updated - 86_400 - (n % 5) as i64 * 7 * 3600;
        let (reviews, commits) = (2 + n % 3, 3 + n % 3);
        self.reviews_served.fetch_add(reviews, Ordering::Relaxed);
        self.commits_served.fetch_add(commits, Ordering::Relaxed);
        let (state, merged, closed) = match n % 10 {
            0 => ("OPEN", Value::Null, Value::Null),
            1 => ("CLOSED", Value::Null, ts(updated)),
            _ => ("MERGED", ts(updated), ts(updated)),
        };
        let ready = if n.is_multiple_of(8) {
            json!([{ "createdAt": ts(created + 1800) }])
        } else {
            json!([])
        };
        let author = if n.is_multiple_of(20) {
            json!({ "login": "renovate[bot]", "__typename": "Bot", "databaseId": 29139614 })
        } else {
            user(n)
        };
        let review_nodes: Vec<Value> = (0..reviews)
            .map(|i| {
                let state = if i + 1 == reviews {
                    "APPROVED"
                } else if i == 0 && n.is_multiple_of(4) {
                    "CHANGES_REQUESTED"
                } else {
                    "COMMENTED"
                };
                review(
                    n * 10 + i,
                    n + 7 * (i + 1),
                    state,
                    created + 7200 * (i as i64 + 1),
                )
            })
            .collect();
        let commit_nodes: Vec<Value> = (0..commits)
            .map(|i| {
                let at = created - 3600 * (commits - i) as i64;
                let mut message = format!("Change {i} for #{n}\n\nRefactor the handler and add tests.");
                if n.is_multiple_of(5) && i == 0 {
                    message.push_str("\n\nCo-authored-by: Claude <noreply@anthropic.com>");
                }
                json!({ "commit": {
                    "oid": format!("{:040x}", n * 16 + i), "authoredDate": ts(at), "committedDate": ts(at),
                    "message": message,
                    "author": { "name": format!("Dev {}", n % PEOPLE), "email": format!("dev{}@acme.test", n % PEOPLE),
                                "user": { "login": format!("dev{}", n % PEOPLE) } } } })
            })
            .collect();
        let more = self.overflows(n);
        json!({
            "id": format!("PR_{n}"), "number": n, "title": format!("Improve module {} (#{n})", n % 97),
            "body": format!("This change reworks part of module {}.\n\nFixes ACME-{}. Tested locally and in staging; \
                no migration needed. See the design note in the linked ticket for the reasoning.", n % 97, n % 1000),
            "state": state, "isDraft": false, "createdAt": ts(created), "updatedAt": ts(updated),
            "mergedAt": merged, "closedAt": closed, "headRefName": format!("feature/{n}"), "baseRefName": "main",
            "additions": (n * 37) % 500 + 1, "deletions": (n * 17) % 200, "changedFiles": n % 20 + 1,
            "author": author,
            "labels": { "nodes": if n.is_multiple_of(6) { json!([{ "name": "backend" }]) } else { json!([]) } },
            "timelineItems": { "nodes": ready },
            "reviews": { "pageInfo": { "hasNextPage": more, "endCursor": more.then(|| format!("r{n}")) },
                         "nodes": review_nodes },
            "commits": { "totalCount": commits, "pageInfo": { "hasNextPage": false, "endCursor": null },
                         "nodes": commit_nodes }
        })
    }

    fn answer(&self, body: &[u8]) -> Value {
        let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let query = body["query"].as_str().unwrap_or_default();
        let vars = &body["variables"];
        let cost = match graphql_cost(query) {
            Ok(c) => c,
            Err(e) => return json!({ "data": null, "errors": [{ "message": e }] }),
        };
        let spent = self.cost.fetch_add(cost, Ordering::Relaxed) + cost;
        let rate =
            json!({ "cost": cost, "remaining": BUDGET - spent, "resetAt": "2099-01-01T00:00:00Z" });

        // Follow-ups: aliases `n0`, `n1`, … each `node(id: $idN)` with one
        // nested list from `$afterN`, alone or riding along with a page.
        let mut data = serde_json::Map::new();
        let mut i = 0;
        while let Some(id) = vars.get(format!("id{i}")).and_then(Value::as_str) {
            self.follow_ups.fetch_add(1, Ordering::Relaxed);
            let alias = format!("n{i}: node(");
            let Some(at) = query.find(&alias) else {
                return json!({ "data": null, "errors": [{ "message": format!("no alias for $id{i}") }] });
            };
            let n: u64 = id
                .strip_prefix("PR_")
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            let rest = &query[at..];
            let reviews = rest.find("reviews(").unwrap_or(usize::MAX)
                < rest.find("commits(").unwrap_or(usize::MAX);
            let node = if reviews {
                // One late review (submitted after the in-page ones) from
                // the second and last page.
                self.reviews_served.fetch_add(1, Ordering::Relaxed);
                let at = self.newest - (self.prs - n) as i64 * self.step - 3600;
                json!({ "reviews": { "pageInfo": { "hasNextPage": false, "endCursor": null },
                    "nodes": [review(n * 10 + 9, n + 3, "APPROVED", at)] } })
            } else {
                json!({ "commits": { "pageInfo": { "hasNextPage": false, "endCursor": null }, "nodes": [] } })
            };
            data.insert(format!("n{i}"), node);
            i += 1;
        }
        data.insert("rateLimit".into(), rate);
        if !query.contains("pullRequests(") {
            self.follow_up_queries.fetch_add(1, Ordering::Relaxed);
            return json!({ "data": data });
        }

        self.page_queries.fetch_add(1, Ordering::Relaxed);
        let page: u64 = vars["after"]
            .as_str()
            .and_then(|a| a.parse().ok())
            .unwrap_or(0);
        let first = page * PAGE_SIZE;
        let last = (first + PAGE_SIZE).min(self.prs);
        let nodes: Vec<Value> = (first..last).map(|k| self.pr_node(k)).collect();
        let more = last < self.prs;
        data.insert(
            "repository".into(),
            json!({ "pullRequests": {
                "totalCount": self.prs,
                "pageInfo": { "hasNextPage": more, "endCursor": (page + 1).to_string() },
                "nodes": nodes } }),
        );
        json!({ "data": data })
    }
}

async fn graphql(State(fake): State<Arc<FakeGithub>>, body: Bytes) -> impl IntoResponse {
    let started = Instant::now();
    let out = serde_json::to_vec(&fake.answer(&body)).unwrap_or_default();
    fake.busy_nanos
        .fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
    ([(header::CONTENT_TYPE, "application/json")], out)
}

/// A `VmHWM`/`VmRSS` line of /proc/self/status, in MB. The fake server
/// runs in this process, so the peak includes it: an upper bound for the
/// import alone.
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let prs: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(50_000);
    let overflow_every: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(100);
    anyhow::ensure!(prs > 0, "the PR count must be positive");
    // Warnings show, among them any page whose write held the database
    // for over 100 ms.
    aimpact::telemetry::init(aimpact::config::LogFormat::Text, "warn");

    let fake = Arc::new(FakeGithub::new(
        prs,
        overflow_every,
        chrono::Utc::now().timestamp(),
    ));
    let app = Router::new()
        .route("/graphql", post(graphql))
        .with_state(fake.clone());
    let (addr, server) = common::serve(app).await?;

    let dir = tempfile::tempdir()?;
    let db = common::sqlite_db(dir.path(), "import").await?;
    let mut conn = db.pool().acquire().await?;
    let org = orgs::upsert_installation(&mut conn, "TBENCH", "Bench", None)
        .await?
        .id;
    // As discovery would have left it before the first sync.
    repositories::upsert(
        &mut conn,
        org,
        &NewRepository {
            github_repo_id: "1",
            owner: "acme",
            name: "big",
            default_branch: Some("main"),
            is_private: true,
            is_archived: false,
            is_fork: false,
        },
    )
    .await?;
    drop(conn);

    let client = GithubClient::with_token(
        &url::Url::parse(&format!("http://{addr}"))?,
        &"ghp_bench".to_string().into(),
    )?;
    let repo = RepoRef {
        facts: RepoFacts {
            github_repo_id: "1".into(),
            owner: "acme".into(),
            name: "big".into(),
            ..RepoFacts::default()
        },
    };

    let tenth = (prs / 10).max(1) as i64;
    let started = Instant::now();
    let progress = |p: Progress| {
        if p.done % tenth == 0 || p.done == prs as i64 {
            eprintln!(
                "  {:>6} PRs stored  {:>6.1} s  RSS {:.0} MB",
                p.done,
                started.elapsed().as_secs_f64(),
                proc_status_mb("VmRSS:").unwrap_or(0.0)
            );
        }
    };
    let done = sync::sync_repo(
        &client,
        &db,
        org,
        &repo,
        Mode::Full { days: DAYS },
        &progress,
    )
    .await?;
    let wall = started.elapsed();

    let count = |table: &'static str| {
        let pool = db.pool().clone();
        async move {
            sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!(
                "select count(*) from {table}"
            )))
            .fetch_one(&pool)
            .await
        }
    };
    let stored_prs = count("pull_request").await?;
    let stored_reviews = count("pr_review").await?;
    let stored_commits = count("pr_commit").await?;
    let stored_people = count("person").await?;
    let peak_mb = proc_status_mb("VmHWM:").unwrap_or(f64::NAN);
    db.close().await;
    let db_mb = common::sqlite_size_mb(dir.path(), "import");
    server.abort();

    let page_queries = fake.page_queries.load(Ordering::Relaxed);
    let follow_up_queries = fake.follow_up_queries.load(Ordering::Relaxed);
    let follow_ups = fake.follow_ups.load(Ordering::Relaxed);
    let cost = fake.cost.load(Ordering::Relaxed);
    let page_cost = graphql_cost(&sync::page_query()).map_err(|e| anyhow::anyhow!(e))?;
    let pages = prs.div_ceil(PAGE_SIZE);
    let min_cost = pages as i64 * page_cost;
    let ratio = cost as f64 / min_cost as f64;
    let fake_secs = fake.busy_nanos.load(Ordering::Relaxed) as f64 / 1e9;
    let served_reviews = fake.reviews_served.load(Ordering::Relaxed) as i64;
    let served_commits = fake.commits_served.load(Ordering::Relaxed) as i64;
    let budget = client.budget();
    let complete = done.done == prs as i64
        && stored_prs == prs as i64
        && stored_reviews == served_reviews
        && stored_commits == served_commits
        && budget.remaining == Some(BUDGET - cost);

    let wall_ok = wall < TARGET_WALL;
    let cost_ok = ratio <= TARGET_COST_RATIO;
    let mem_ok = peak_mb < TARGET_PEAK_MB;
    let secs = wall.as_secs_f64();
    println!(
        "GitHub historical import: {prs} PRs, 1 repository, fake GraphQL on loopback, SQLite, {} worker threads",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "wall time          {secs:.2} s  ({:.0} PRs/s; fake server busy {fake_secs:.2} s of it)",
        prs as f64 / secs
    );
    println!(
        "GraphQL queries    {} ({page_queries} pages + {follow_up_queries} follow-up only; {follow_ups} overflowing lists followed up)",
        page_queries + follow_up_queries
    );
    println!(
        "GraphQL cost       {cost} (minimum {min_cost} = {pages} pages × {page_cost}; ratio {ratio:.3}×)"
    );
    println!(
        "client budget      last cost {:?}, remaining {:?} (fake says {})",
        budget.cost,
        budget.remaining,
        BUDGET - cost
    );
    println!(
        "rows stored        {stored_prs} pull_request, {stored_reviews} pr_review, {stored_commits} pr_commit, {stored_people} person"
    );
    println!(
        "rows served        {prs} PRs, {served_reviews} reviews, {served_commits} commits → {}",
        if complete { "all stored" } else { "MISMATCH" }
    );
    println!("database size      {db_mb:.1} MB (file + WAL)");
    println!("peak memory        {peak_mb:.1} MB (VmHWM, fake server included)");
    println!(
        "targets{}:",
        if prs == 50_000 {
            ""
        } else {
            " (set for 50,000 PRs)"
        }
    );
    let targets = [
        (format!("wall time < {} s", TARGET_WALL.as_secs()), wall_ok),
        (format!("cost ≤ {TARGET_COST_RATIO}× minimum"), cost_ok),
        (format!("peak memory < {TARGET_PEAK_MB} MB"), mem_ok),
        ("every row stored".to_string(), complete),
    ];
    for (what, ok) in &targets {
        println!("  {what:<22} {}", verdict(*ok));
    }
    if !(wall_ok && cost_ok && mem_ok && complete) {
        std::process::exit(1);
    }
    Ok(())
}
