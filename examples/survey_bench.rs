//! Survey fan-out benchmark: 1,000 merged PRs (author + 2 reviewers each,
//! 200 people) → 3,000 survey DMs through a loopback fake Slack that
//! enforces rate limits the way Slack answers them (HTTP 429 with
//! `Retry-After`):
//!
//! - `chat.postMessage`: 1 message per second per channel, and a
//!   workspace-wide budget (default 100 per second; Slack does not publish
//!   its own).
//!
//! Two delivery workers race over the same org, as two processes would.
//! Prints the time taken against the least the limits allow, and counts
//! lost and duplicated messages (both must be zero).
//!
//! `cargo run --release --example survey_bench [prs] [workspace_per_sec]`

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aimpact::app::RunOptions;
use aimpact::domain::{OrgId, PersonId, Provider};
use aimpact::store::orgs;
use aimpact::store::people::{self, LinkSource};
use aimpact::store::pull_requests::{self, PullRequestRow, ReviewRow};
use aimpact::store::repositories::{self, NewRepository};
use aimpact::store::surveys::{self, Settings};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

mod common;

/// Wednesday 2026-11-25 10:00 UTC: working hours for everyone (UTC).
const WEDNESDAY_10AM: i64 = 1_795_600_800;
const PEOPLE: usize = 200;

#[derive(Default)]
struct Limits {
    per_second: usize,
    window_start: Option<Instant>,
    in_window: usize,
    last_by_channel: HashMap<String, Instant>,
    /// Accepted messages by survey block id.
    delivered: HashMap<String, usize>,
    refused: usize,
    next_ts: u64,
}

type Shared = Arc<Mutex<Limits>>;

fn limited() -> Response {
    (
        StatusCode::TOO_MANY_REQUESTS,
        [("retry-after", "1")],
        axum::Json(json!({"ok": false, "error": "ratelimited"})),
    )
        .into_response()
}

async fn post_message(State(limits): State<Shared>, body: axum::body::Bytes) -> Response {
    let body: Value = serde_json::from_slice(&body).unwrap_or_default();
    let channel = body["channel"].as_str().unwrap_or_default().to_string();
    // The survey a DM asks about: its answer block's id.
    let survey = body["blocks"]
        .as_array()
        .and_then(|b| {
            b.iter().filter_map(|b| b["block_id"].as_str()).find(|id| {
                id.starts_with("survey_author:") || id.starts_with("survey_review_rating:")
            })
        })
        .unwrap_or("other")
        .to_string();
    let now = Instant::now();
    let mut l = limits.lock().unwrap_or_else(|e| e.into_inner());
    // Workspace budget: a fixed one-second window.
    match l.window_start {
        Some(start) if now.duration_since(start) < Duration::from_secs(1) => {}
        _ => {
            l.window_start = Some(now);
            l.in_window = 0;
        }
    }
    let too_soon = l
        .last_by_channel
        .get(&channel)
        .is_some_and(|last| now.duration_since(*last) < Duration::from_millis(950));
    if l.in_window >= l.per_second || too_soon {
        l.refused += 1;
        return limited();
    }
    l.in_window += 1;
    l.last_by_channel.insert(channel.clone(), now);
    *l.delivered.entry(survey).or_default() += 1;
    l.next_ts += 1;
    let ts = format!("1700000000.{:06}", l.next_ts);
    axum::Json(json!({"ok": true, "channel": format!("D{channel}"), "ts": ts})).into_response()
}

async fn seed(state: &aimpact::app::AppState, prs: usize) -> anyhow::Result<OrgId> {
    let db = &state.db;
    let mut tx = db.begin_write().await?;
    let org = orgs::upsert_installation(&mut tx, "TBENCH", "Bench", Some("UADMIN"))
        .await?
        .id;
    let mut who: Vec<PersonId> = Vec::new();
    for i in 0..PEOPLE {
        let p = people::create(&mut tx, org, &format!("Person {i}"), false).await?;
        people::link_identity(
            &mut tx,
            org,
            p,
            Provider::Slack,
            &format!("U{i:04}"),
            None,
            LinkSource::Auto,
        )
        .await?;
        who.push(p);
    }
    let repo = repositories::upsert(
        &mut tx,
        org,
        &NewRepository {
            github_repo_id: "R1",
            owner: "bench",
            name: "api",
            default_branch: Some("main"),
            is_private: true,
            is_archived: false,
            is_fork: false,
        },
    )
    .await?;
    surveys::save_settings(
        &mut tx,
        org,
        &Settings {
            enabled: true,
            ..Settings::default()
        },
    )
    .await?;
    let merged = WEDNESDAY_10AM - 600;
    let mut ids = Vec::with_capacity(prs);
    for i in 0..prs {
        let row = PullRequestRow {
            repository: Some(repo),
            github_pr_id: format!("PR{i}"),
            number: i as i64 + 1,
            title: format!("Change {i}"),
            author: Some(who[i % PEOPLE]),
            state: "merged".into(),
            opened_at: merged - 7_200,
            merged_at: Some(merged),
            github_updated_at: merged,
            metrics: aimpact::metrics::pr::PrMetrics {
                ready_at: merged - 7_200,
                cycle_time: Some(7_200),
                size: 40,
                ..Default::default()
            },
            ..PullRequestRow::default()
        };
        let pr = pull_requests::upsert(&mut tx, org, &row).await?;
        for (k, step) in [(0, 1), (1, 2)] {
            let reviewer = who[(i + step * 37) % PEOPLE];
            pull_requests::upsert_review(
                &mut tx,
                org,
                pr,
                &ReviewRow {
                    github_review_id: format!("RV{i}-{k}"),
                    reviewer: Some(reviewer),
                    reviewer_login: format!("dev{k}"),
                    state: "APPROVED".into(),
                    submitted_at: Some(merged - 3_600),
                    is_bot: false,
                },
            )
            .await?;
        }
        ids.push(pr);
    }
    // The "PR merged" events: each plans its surveys.
    for pr in ids {
        aimpact::surveys::plan::on_merged(&mut tx, org, pr, merged, WEDNESDAY_10AM).await?;
    }
    common::put_bot_token(&mut tx, state, org, "xoxb-bench").await?;
    tx.commit().await?;
    Ok(org)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let prs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1_000);
    let per_second: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100);

    let limits: Shared = Arc::new(Mutex::new(Limits {
        per_second,
        ..Limits::default()
    }));
    let fake = axum::Router::new()
        .route("/api/chat.postMessage", post(post_message))
        .with_state(limits.clone());
    let (fake_addr, _) = common::serve(fake).await?;

    let (app, _dir) = common::build_app(
        "bench",
        false,
        &[
            ("SLACK_SIGNING_SECRET", "bench".into()),
            ("SLACK_API_URL", format!("http://{fake_addr}/api")),
            ("AIMPACT_LOG", "error".into()),
        ],
        RunOptions {
            http: false,
            workers: false,
            ..RunOptions::default()
        },
    )
    .await?;
    let state = app.state().clone();
    state.clock.set(WEDNESDAY_10AM);
    let started = Instant::now();
    let org = seed(&state, prs).await?;
    let expected = {
        let mut conn = state.db.pool().acquire().await?;
        surveys::export(&mut conn, org).await?.len()
    };
    println!(
        "planned {expected} survey DMs for {prs} merged PRs in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let (a, b) = tokio::join!(
        aimpact::surveys::deliver::deliver(&state, org),
        aimpact::surveys::deliver::deliver(&state, org)
    );
    let (a, b) = (a?, b?);
    let took = started.elapsed();

    let rows = {
        let mut conn = state.db.pool().acquire().await?;
        surveys::export(&mut conn, org).await?
    };
    let l = limits.lock().unwrap_or_else(|e| e.into_inner());
    let delivered: usize = l.delivered.values().sum();
    let duplicated: usize = l.delivered.values().map(|n| n.saturating_sub(1)).sum();
    let sent_rows = rows.iter().filter(|r| r.status == "sent").count();
    let lost = expected.saturating_sub(l.delivered.len());
    // The least time the limits allow: the workspace budget, or the
    // busiest person's DMs one second apart.
    let mut per_person: HashMap<&str, usize> = HashMap::new();
    for r in &rows {
        *per_person.entry(r.person.as_str()).or_default() += 1;
    }
    let busiest = per_person.values().copied().max().unwrap_or(0);
    let floor = (expected as f64 / per_second as f64).max(busiest.saturating_sub(1) as f64);
    println!(
        "delivered {delivered} DMs to {} people in {:.1} s (workers: {} + {} sent, {} claims lost to the other)",
        per_person.len(),
        took.as_secs_f64(),
        a.sent,
        b.sent,
        a.taken + b.taken
    );
    println!(
        "rate limits: {per_second}/s per workspace, 1/s per channel (busiest person: {busiest} DMs); \
         least possible {floor:.1} s; ratio {:.2}× (target ≤ 1.20×); 429s answered: {}",
        took.as_secs_f64() / floor,
        l.refused
    );
    println!("lost: {lost}, duplicated: {duplicated}, stored as sent: {sent_rows} of {expected}");
    drop(l);
    app.shutdown_handle().trigger();
    if lost > 0 || duplicated > 0 || sent_rows != expected {
        anyhow::bail!("messages lost or duplicated");
    }
    Ok(())
}
