//! Benchmark of the Jira issue sync (`jira::sync::discover` then
//! `sync_org`, full mode) against an in-process fake Jira Cloud on
//! loopback, into a fresh SQLite file.
//!
//! The target it checks (issue 5): 20,000 issues with changelogs in under
//! 60 s of wall time on 2 cores, and the points the sync spends against the
//! minimum its fields and paging need.
//!
//! `cargo run --release --example jira_import_bench [-- ISSUES]`
//!
//! `ISSUES` defaults to 20,000, all in one project, served 100 per
//! `search/jql` page (`nextPageToken` = the next offset), each page's
//! histories from one `changelog/bulkfetch`. Every issue goes To Do → In
//! Progress → In Review → Done; every other one goes back from review to In
//! Progress and through review again first (4 status changes on average).
//! Assignees come from 200 accounts (every third with a visible email; every
//! 23rd issue unassigned),
//! sprints from 40 on one board, story points from 1, 2, 3, 5, 8.
//!
//! The client is built as an OAuth client would be, charging an app-wide
//! [`PointBudget`] (large enough never to pause) before every call, so
//! `total_spent()` is what the sync spends. The minimum is what the calls
//! the sync needs would cost if each were charged 1 + the objects it
//! actually returns: per 100-issue page 1 + 100 for the search and
//! 1 + 100 for the bulk changelog, plus the small discovery calls.
//!
//! The process exits with status 1 when the wall-time target is missed or
//! the stored rows differ from what the fake served (issues, transitions,
//! cycle times, story points, sprints, people).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use aimpact::jira::client::{Flavor, JiraAuth, JiraClient, PointBudget};
use aimpact::jira::sync::{self, Mode, Progress};
use aimpact::store::{integrations, orgs};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use chrono::DateTime;
use serde_json::{Value, json};

mod common;
use common::{proc_status_mb, verdict};

const TARGET_WALL: Duration = Duration::from_secs(60);
/// Same as `jira::sync::PAGE`.
const PAGE_SIZE: u64 = sync::PAGE;
/// Assignee accounts.
const ACCOUNTS: u64 = 200;
/// Sprints on the one board.
const SPRINTS: u64 = 40;
const BOARD: i64 = 7;
const DAYS: u32 = 3650;
const PROJECT_KEY: &str = "BENCH";
const POINTS: [f64; 5] = [1.0, 2.0, 3.0, 5.0, 8.0];

// Status ids, as `/rest/api/3/status` lists them.
const TODO: &str = "1";
const IN_PROGRESS: &str = "3";
const IN_REVIEW: &str = "4";
const DONE: &str = "10001";

fn name_of(status: &str) -> &'static str {
    match status {
        TODO => "To Do",
        IN_PROGRESS => "In Progress",
        IN_REVIEW => "In Review",
        _ => "Done",
    }
}

fn iso(t: i64) -> String {
    DateTime::from_timestamp(t, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3f+0000")
        .to_string()
}

/// One call kind's traffic as the fake saw it.
#[derive(Default)]
struct Endpoint {
    calls: AtomicU64,
    /// Objects returned (issues, histories' issues, fields, …).
    objects: AtomicU64,
}

impl Endpoint {
    fn record(&self, objects: u64) {
        self.calls.fetch_add(1, Ordering::Relaxed);
        self.objects.fetch_add(objects, Ordering::Relaxed);
    }
    fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }
    fn objects(&self) -> u64 {
        self.objects.load(Ordering::Relaxed)
    }
    /// 1 point per call + 1 per object returned.
    fn min_points(&self) -> u64 {
        self.calls() + self.objects()
    }
}

/// The fake Jira Cloud: one project of `issues` issues, generated when asked
/// so its own memory stays flat whatever the count.
struct FakeJira {
    issues: u64,
    /// `updated` of the least recently updated issue (the JQL orders by
    /// `updated ASC`).
    oldest: i64,
    /// Seconds between consecutive issues' `updated`: all issues spread
    /// over about three years, inside the 3650-day window.
    step: i64,
    projects: Endpoint,
    fields: Endpoint,
    statuses: Endpoint,
    count: Endpoint,
    search: Endpoint,
    changelogs: Endpoint,
    boards: Endpoint,
    sprints: Endpoint,
    /// Status changes served.
    transitions_served: AtomicU64,
    /// Time spent inside the handlers (generating and serialising JSON):
    /// the fake shares the 2 cores, so this is part of the wall time.
    busy_nanos: AtomicU64,
}

/// What issue `n` (1-based) looks like; shared by the fake and the checks.
struct Shape {
    updated: i64,
    created: i64,
    /// (changelog id, at, from, to)
    changes: Vec<(String, i64, &'static str, &'static str)>,
    cycle_time: i64,
    points: f64,
    assignee: Option<u64>,
    sprint: u64,
}

impl FakeJira {
    fn new(issues: u64, now: i64) -> Self {
        let step = (3 * 365 * 86_400 / issues.max(1) as i64).max(1);
        Self {
            issues,
            oldest: now - 3600 - issues as i64 * step,
            step,
            projects: Endpoint::default(),
            fields: Endpoint::default(),
            statuses: Endpoint::default(),
            count: Endpoint::default(),
            search: Endpoint::default(),
            changelogs: Endpoint::default(),
            boards: Endpoint::default(),
            sprints: Endpoint::default(),
            transitions_served: AtomicU64::new(0),
            busy_nanos: AtomicU64::new(0),
        }
    }

    fn shape(&self, n: u64) -> Shape {
        let updated = self.oldest + n as i64 * self.step;
        let created = updated - 10 * 86_400;
        let started = created + 3600 + (n % 7) as i64 * 1800;
        let mut at = started;
        let mut changes = vec![(format!("{n}01"), at, TODO, IN_PROGRESS)];
        at += 3 * 3600 * (1 + (n % 5) as i64);
        changes.push((format!("{n}02"), at, IN_PROGRESS, IN_REVIEW));
        if n.is_multiple_of(2) {
            // Sent back from review and reviewed again.
            at += 3600;
            changes.push((format!("{n}03"), at, IN_REVIEW, IN_PROGRESS));
            at += 2 * 3600;
            changes.push((format!("{n}04"), at, IN_PROGRESS, IN_REVIEW));
        }
        at += 1800 + (n % 3) as i64 * 3600;
        changes.push((format!("{n}05"), at, IN_REVIEW, DONE));
        Shape {
            updated,
            created,
            cycle_time: at - started,
            changes,
            points: POINTS[(n % 5) as usize],
            assignee: (!n.is_multiple_of(23)).then_some(n % ACCOUNTS),
            sprint: n % SPRINTS,
        }
    }

    fn sprint(&self, s: u64, with_board: bool) -> Value {
        // Two-week sprints ending before the newest issue.
        let end = self.oldest + self.issues as i64 * self.step - (SPRINTS - s) as i64 * 14 * 86_400;
        let start = end - 14 * 86_400;
        let active = s + 1 == SPRINTS;
        let mut v = json!({
            "id": 1000 + s, "name": format!("Sprint {}", s + 1),
            "state": if active { "active" } else { "closed" },
            "startDate": iso(start), "endDate": iso(end),
        });
        if !active {
            v["completeDate"] = json!(iso(end));
        }
        if with_board {
            v["boardId"] = json!(BOARD);
        }
        v
    }

    fn issue(&self, n: u64) -> Value {
        let s = self.shape(n);
        let assignee = match s.assignee {
            Some(a) if a.is_multiple_of(3) => json!({ "accountId": format!("acc-{a}"),
                "displayName": format!("Dev {a}"), "emailAddress": format!("dev{a}@acme.test") }),
            Some(a) => {
                json!({ "accountId": format!("acc-{a}"), "displayName": format!("Dev {a}") })
            }
            None => Value::Null,
        };
        json!({
            "id": (10_000 + n).to_string(), "key": format!("{PROJECT_KEY}-{n}"),
            "fields": {
                "summary": format!("Improve module {} for customers ({PROJECT_KEY}-{n})", n % 97),
                "status": { "name": "Done", "statusCategory": { "key": "done" } },
                "issuetype": { "name": if n.is_multiple_of(4) { "Bug" } else { "Story" } },
                "assignee": assignee,
                "created": iso(s.created),
                "updated": iso(s.updated),
                "customfield_10016": s.points,
                "customfield_10020": [self.sprint(s.sprint, true)],
            }
        })
    }

    fn search_page(&self, body: &[u8]) -> Value {
        let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let first: u64 = body["nextPageToken"]
            .as_str()
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        let size = body["maxResults"].as_u64().unwrap_or(50).min(PAGE_SIZE);
        let last = (first + size).min(self.issues);
        let issues: Vec<Value> = (first..last).map(|k| self.issue(k + 1)).collect();
        self.search.record(issues.len() as u64);
        let mut page = json!({ "issues": issues });
        if last < self.issues {
            page["nextPageToken"] = json!(last.to_string());
        }
        page
    }

    fn changelog_page(&self, body: &[u8]) -> Value {
        let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let logs: Vec<Value> = body["issueIdsOrKeys"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter_map(|id| {
                let n = id.parse::<u64>().ok()?.checked_sub(10_000)?;
                let shape = self.shape(n);
                self.transitions_served
                    .fetch_add(shape.changes.len() as u64, Ordering::Relaxed);
                let histories: Vec<Value> = shape
                    .changes
                    .iter()
                    .map(|(cid, at, from, to)| {
                        json!({ "id": cid, "created": iso(*at), "items": [{
                            "field": "status", "fieldtype": "jira", "fieldId": "status",
                            "from": from, "fromString": name_of(from),
                            "to": to, "toString": name_of(to) }] })
                    })
                    .collect();
                Some(json!({ "issueId": id, "changeHistories": histories }))
            })
            .collect();
        self.changelogs.record(logs.len() as u64);
        json!({ "issueChangeLogs": logs })
    }
}

fn answer(fake: &FakeJira, started: Instant, v: Value) -> impl IntoResponse + use<> {
    let out = serde_json::to_vec(&v).unwrap_or_default();
    fake.busy_nanos
        .fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
    ([(header::CONTENT_TYPE, "application/json")], out)
}

async fn projects(State(f): State<Arc<FakeJira>>) -> impl IntoResponse {
    let t = Instant::now();
    f.projects.record(1);
    let v = json!({ "startAt": 0, "maxResults": 50, "total": 1, "isLast": true,
        "values": [{ "id": "10000", "key": PROJECT_KEY, "name": "Benchmark" }] });
    answer(&f, t, v)
}

async fn fields(State(f): State<Arc<FakeJira>>) -> impl IntoResponse {
    let t = Instant::now();
    let mut list = vec![
        json!({ "id": "summary", "name": "Summary", "schema": { "type": "string", "system": "summary" } }),
        json!({ "id": "status", "name": "Status", "schema": { "type": "status", "system": "status" } }),
        json!({ "id": "issuetype", "name": "Issue Type", "schema": { "type": "issuetype", "system": "issuetype" } }),
        json!({ "id": "assignee", "name": "Assignee", "schema": { "type": "user", "system": "assignee" } }),
        json!({ "id": "created", "name": "Created", "schema": { "type": "datetime", "system": "created" } }),
        json!({ "id": "updated", "name": "Updated", "schema": { "type": "datetime", "system": "updated" } }),
        json!({ "id": "customfield_10016", "name": "Story point estimate",
            "schema": { "type": "number", "custom": "com.pyxis.greenhopper.jira:jsw-story-points" } }),
        json!({ "id": "customfield_10020", "name": "Sprint",
            "schema": { "type": "array", "custom": "com.pyxis.greenhopper.jira:gh-sprint" } }),
    ];
    // Unrelated custom fields, as a real site has.
    for i in 0..12 {
        list.push(json!({ "id": format!("customfield_{}", 10_100 + i), "name": format!("Team field {i}"),
            "schema": { "type": "string", "custom": "com.atlassian.jira.plugin.system.customfieldtypes:textfield" } }));
    }
    f.fields.record(list.len() as u64);
    answer(&f, t, Value::Array(list))
}

async fn statuses(State(f): State<Arc<FakeJira>>) -> impl IntoResponse {
    let t = Instant::now();
    let list: Vec<Value> = [
        (TODO, "new"),
        (IN_PROGRESS, "indeterminate"),
        (IN_REVIEW, "indeterminate"),
        (DONE, "done"),
    ]
    .iter()
    .map(|(id, key)| json!({ "id": id, "name": name_of(id), "statusCategory": { "key": key } }))
    .collect();
    f.statuses.record(list.len() as u64);
    answer(&f, t, Value::Array(list))
}

async fn approximate_count(State(f): State<Arc<FakeJira>>) -> impl IntoResponse {
    let t = Instant::now();
    f.count.record(0);
    answer(&f, t, json!({ "count": f.issues }))
}

async fn search(State(f): State<Arc<FakeJira>>, body: Bytes) -> impl IntoResponse {
    let t = Instant::now();
    let v = f.search_page(&body);
    answer(&f, t, v)
}

async fn changelogs(State(f): State<Arc<FakeJira>>, body: Bytes) -> impl IntoResponse {
    let t = Instant::now();
    let v = f.changelog_page(&body);
    answer(&f, t, v)
}

async fn boards(State(f): State<Arc<FakeJira>>) -> impl IntoResponse {
    let t = Instant::now();
    f.boards.record(1);
    let v = json!({ "startAt": 0, "maxResults": 50, "total": 1, "isLast": true,
        "values": [{ "id": BOARD, "name": "BENCH board", "type": "scrum" }] });
    answer(&f, t, v)
}

async fn board_sprints(
    State(f): State<Arc<FakeJira>>,
    Path(board): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> impl IntoResponse {
    let t = Instant::now();
    let start: u64 = q.get("startAt").and_then(|s| s.parse().ok()).unwrap_or(0);
    let values: Vec<Value> = if board == BOARD {
        (start..SPRINTS.min(start + 50))
            .map(|s| f.sprint(s, false))
            .collect()
    } else {
        Vec::new()
    };
    f.sprints.record(values.len() as u64);
    let is_last = start + values.len() as u64 >= SPRINTS;
    answer(
        &f,
        t,
        json!({ "startAt": start, "maxResults": 50, "isLast": is_last, "values": values }),
    )
}

/// A `VmHWM`/`VmRSS` line of /proc/self/status, in MB. The fake server
/// runs in this process, so the peak includes it: an upper bound for the
/// sync alone.
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let issues: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    anyhow::ensure!(issues > 0, "the issue count must be positive");
    // Warnings show, among them any write that held the database for over
    // 100 ms.
    aimpact::telemetry::init(aimpact::config::LogFormat::Text, "warn");

    let fake = Arc::new(FakeJira::new(issues, chrono::Utc::now().timestamp()));
    let app = Router::new()
        .route("/rest/api/3/project/search", get(projects))
        .route("/rest/api/3/field", get(fields))
        .route("/rest/api/3/status", get(statuses))
        .route(
            "/rest/api/3/search/approximate-count",
            post(approximate_count),
        )
        .route("/rest/api/3/search/jql", post(search))
        .route("/rest/api/3/changelog/bulkfetch", post(changelogs))
        .route("/rest/agile/1.0/board", get(boards))
        .route("/rest/agile/1.0/board/{id}/sprint", get(board_sprints))
        .with_state(fake.clone());
    let (addr, server) = common::serve(app).await?;

    let dir = tempfile::tempdir()?;
    let db = common::sqlite_db(dir.path(), "jira").await?;
    let mut conn = db.pool().acquire().await?;
    let org = orgs::upsert_installation(&mut conn, "TJIRABENCH", "Bench", None)
        .await?
        .id;
    // As connecting would have left it: discovery stores the fields in the
    // integration's settings, which need the row.
    integrations::upsert(
        &mut conn,
        org,
        "jira",
        "connected",
        Some(&format!("http://{addr}/")),
        None,
    )
    .await?;
    integrations::merge_settings(&mut conn, org, "jira", &json!({ "mode": "oauth" })).await?;
    drop(conn);

    let budget = Arc::new(PointBudget::new(u64::MAX / 8));
    let client = JiraClient::new(
        reqwest::Client::new(),
        url::Url::parse(&format!("http://{addr}/"))?,
        JiraAuth::Bearer("bench-access-token".to_string().into()),
        Flavor::Cloud,
        org,
    )
    .with_budget(budget.clone());

    let tenth = (issues / 10).max(1) as i64;
    let started = Instant::now();
    let discovered = sync::discover(&client, &db, org).await?;
    let discover_secs = started.elapsed().as_secs_f64();
    let progress = |key: &str, p: Progress| {
        if p.done % tenth == 0 || p.done == issues as i64 {
            eprintln!(
                "  {key}: {:>6} of {:?} issues stored  {:>6.1} s  RSS {:.0} MB",
                p.done,
                p.total,
                started.elapsed().as_secs_f64(),
                proc_status_mb("VmRSS:").unwrap_or(0.0)
            );
        }
    };
    let stored = sync::sync_org(&client, &db, org, Mode::Full { days: DAYS }, &progress).await?;
    let wall = started.elapsed();
    let spent = budget.total_spent();
    let peak_mb = proc_status_mb("VmHWM:").unwrap_or(f64::NAN);

    // What the fake served, recomputed from the same shapes.
    let mut expect_cycle_sum = 0i64;
    let mut expect_points = 0f64;
    let mut expect_assigned = 0i64;
    let mut accounts = std::collections::HashSet::new();
    for n in 1..=issues {
        let s = fake.shape(n);
        expect_cycle_sum += s.cycle_time;
        expect_points += s.points;
        expect_assigned += i64::from(s.assignee.is_some());
        accounts.extend(s.assignee);
    }
    let expect_transitions = fake.transitions_served.load(Ordering::Relaxed) as i64;
    let expect_people = accounts.len() as i64;

    let pool = db.pool().clone();
    let scalar = |sql: &'static str| {
        let pool = pool.clone();
        async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(&pool).await }
    };
    let stored_issues = scalar("select count(*) from jira_issue").await?;
    let with_cycle = scalar("select count(*) from jira_issue where cycle_time is not null").await?;
    let cycle_sum = scalar("select coalesce(sum(cycle_time), 0) from jira_issue").await?;
    let points_x10 =
        scalar("select cast(round(coalesce(sum(story_points), 0) * 10) as bigint) from jira_issue")
            .await?;
    let assigned =
        scalar("select count(*) from jira_issue where assignee_person_id is not null").await?;
    let transitions = scalar("select count(*) from jira_status_transition").await?;
    let sprint_links = scalar("select count(*) from jira_issue_sprint").await?;
    let sprints = scalar("select count(*) from jira_sprint").await?;
    let jira_people = scalar(
        "select count(distinct assignee_person_id) from jira_issue where assignee_person_id is not null",
    )
    .await?;
    db.close().await;
    let db_mb = common::sqlite_size_mb(dir.path(), "jira");
    server.abort();

    let n = issues as i64;
    let checks = [
        ("issues", stored_issues, n),
        ("sync_org's count", stored, n),
        ("issues with a cycle time", with_cycle, n),
        ("sum of cycle times (s)", cycle_sum, expect_cycle_sum),
        (
            "story points ×10",
            points_x10,
            (expect_points * 10.0).round() as i64,
        ),
        ("assigned issues", assigned, expect_assigned),
        ("people assigned", jira_people, expect_people),
        ("status transitions", transitions, expect_transitions),
        ("issue–sprint links", sprint_links, n),
        ("sprints", sprints, SPRINTS as i64),
        ("projects discovered", discovered as i64, 1),
    ];
    let complete = checks.iter().all(|(_, got, want)| got == want);

    // Points: the calls as made vs. 1 + objects returned for each.
    let endpoints = [
        ("project/search", &fake.projects),
        ("field", &fake.fields),
        ("status", &fake.statuses),
        ("search/approximate-count", &fake.count),
        ("search/jql", &fake.search),
        ("changelog/bulkfetch", &fake.changelogs),
        ("agile board", &fake.boards),
        ("agile board sprints", &fake.sprints),
    ];
    let min_points: u64 = endpoints.iter().map(|(_, e)| e.min_points()).sum();
    let pages = issues.div_ceil(PAGE_SIZE);
    let paging_min = fake.search.min_points() + fake.changelogs.min_points();
    let calls: u64 = endpoints.iter().map(|(_, e)| e.calls()).sum();
    let ratio = spent as f64 / min_points as f64;

    let secs = wall.as_secs_f64();
    let fake_secs = fake.busy_nanos.load(Ordering::Relaxed) as f64 / 1e9;
    let wall_ok = wall < TARGET_WALL;
    println!(
        "Jira issue sync: {issues} issues with changelogs, 1 project, fake Jira Cloud on loopback, SQLite, {} worker threads",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "wall time          {secs:.2} s  ({:.0} issues/s; discovery {discover_secs:.2} s; fake server busy {fake_secs:.2} s of it)",
        issues as f64 / secs
    );
    println!(
        "calls              {calls} ({} search pages, {} bulk changelogs, {} others)",
        fake.search.calls(),
        fake.changelogs.calls(),
        calls - fake.search.calls() - fake.changelogs.calls()
    );
    println!(
        "points spent       {spent} (minimum {min_points}: {pages} pages × (1 + 100 search + 1 + 100 changelog) = {paging_min}, \
         discovery and sprints {}; ratio {ratio:.3}×)",
        min_points - paging_min
    );
    for (what, e) in &endpoints {
        println!(
            "  {what:<26} {:>4} calls, {:>6} objects → minimum {:>6}",
            e.calls(),
            e.objects(),
            e.min_points()
        );
    }
    println!("stored vs served:");
    for (what, got, want) in &checks {
        println!(
            "  {what:<26} {got:>10}  {}",
            if got == want {
                "ok".to_string()
            } else {
                format!("MISMATCH (expected {want})")
            }
        );
    }
    println!("database size      {db_mb:.1} MB (file + WAL)");
    println!("peak memory        {peak_mb:.1} MB (VmHWM, fake server included)");
    println!(
        "targets{}:",
        if issues == 20_000 {
            ""
        } else {
            " (set for 20,000 issues)"
        }
    );
    let targets = [
        (format!("wall time < {} s", TARGET_WALL.as_secs()), wall_ok),
        ("every row stored".to_string(), complete),
    ];
    for (what, ok) in &targets {
        println!("  {what:<22} {}", verdict(*ok));
    }
    if !(wall_ok && complete) {
        std::process::exit(1);
    }
    Ok(())
}
