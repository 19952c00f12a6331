//! Dashboard speed on an org with 50,000 merged PRs over 180 days (SQLite):
//!
//! 1. the overview's data (this and the previous period's PR facts, reviews,
//!    weekly rollups) loaded straight from the store;
//! 2. the whole `/metrics` answer through the real app: signed request in,
//!    data, charts rendered, uploaded to a loopback fake Slack (files upload
//!    v2, no public URL) and the message out — with the chart cache emptied
//!    before every request, so every answer renders and uploads afresh;
//! 3. an App Home publish: `app_home_opened` in, `views.publish` at the
//!    fake Slack.
//!
//! `cargo run --release --example dashboard_bench [-- PRS [ROUNDS]]`

use std::time::{Duration, Instant};

use aimpact::app::RunOptions;
use aimpact::metrics::rollup::{Scope, week_start};
use aimpact::store::{orgs, rollups, unix_now};
use serde_json::json;

mod common;
use common::{DAY, Running, fake_slack, report, seed};

const SECRET: &str = "bench-signing-secret";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let prs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(50_000);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(20);

    let slack = fake_slack().await;
    // Warnings show, among them any write transaction that held the
    // database for over 100 ms (the rollup refresh writes week by week).
    aimpact::telemetry::init(aimpact::config::LogFormat::Text, "warn");
    let (app, _dir) = common::build_app(
        "bench",
        false,
        &[
            ("SLACK_SIGNING_SECRET", SECRET.into()),
            ("SLACK_API_URL", format!("{}/api", slack.uri())),
            ("AIMPACT_LOG", "warn".into()),
        ],
        RunOptions {
            // The late-answer path (`slack.respond`) needs the workers.
            workers: true,
            ..RunOptions::default()
        },
    )
    .await?;
    let state = app.state().clone();
    let started = Instant::now();
    let org = seed(&state.db, prs).await?;
    {
        let mut conn = state.db.pool().acquire().await?;
        common::put_bot_token(&mut conn, &state, org, "xoxb-bench").await?;
    }
    println!(
        "seeded {prs} PRs in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    // As in steady state, the rollup run starts after the data it packs was
    // written (rows written in the second it starts count as changed).
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let started = Instant::now();
    let weeks = aimpact::dashboard::rollups::refresh(&state.db, org, true).await?;
    println!(
        "rollups: {weeks} weeks × every scope in {:.2} s",
        started.elapsed().as_secs_f64()
    );

    // 1. The overview's data, straight from the store.
    let mut times = Vec::new();
    let mut parts: [Vec<Duration>; 3] = Default::default();
    for _ in 0..rounds {
        let t = Instant::now();
        let now = unix_now();
        let mut conn = state.db.pool().acquire().await?;
        let facts = aimpact::dashboard::rollups::period_pr_facts;
        let current = facts(&mut conn, org, Scope::Org, now - 30 * DAY, now).await?;
        parts[0].push(t.elapsed());
        let previous = facts(&mut conn, org, Scope::Org, now - 60 * DAY, now - 30 * DAY).await?;
        parts[1].push(t.elapsed());
        let reviews = aimpact::dashboard::rollups::period_review_facts(
            &mut conn,
            org,
            Scope::Org,
            now - 30 * DAY,
            now,
        )
        .await?;
        parts[2].push(t.elapsed());
        let weeks = rollups::read(
            &mut conn,
            org,
            Scope::Org,
            week_start(now - 26 * 7 * DAY),
            week_start(now),
        )
        .await?;
        let h = aimpact::metrics::dashboard::headline(&current, &previous);
        times.push(t.elapsed());
        std::hint::black_box((h, reviews.len(), weeks.len()));
    }
    report(
        "overview data (30 days: ~8,300 PRs + previous period + reviews + 26 weeks of rollups)",
        times,
    );
    for (what, part) in [
        "  up to this period's PRs",
        "  up to the previous period's PRs",
        "  up to the reviews",
    ]
    .iter()
    .zip(parts)
    {
        report(what, part);
    }

    // 1b. AI impact: every comparison (6 metrics × 2 signals, bootstrap
    // intervals and tests) over 90 days, data read included.
    let org_row = {
        let mut conn = state.db.pool().acquire().await?;
        orgs::get(&mut conn, org).await?
    };
    let mut times = Vec::new();
    let mut counted = 0;
    for _ in 0..rounds {
        let t = Instant::now();
        let now = unix_now();
        let period = aimpact::metrics::dashboard::Period {
            from: now - 90 * DAY,
            to: now,
        };
        let f = aimpact::dashboard::ai::facts(&state.db, &org_row, Scope::Org, period).await?;
        times.push(t.elapsed());
        counted = f.prs.len();
        std::hint::black_box(f.comparisons.len());
    }
    report(
        &format!("AI impact, every comparison over 90 days ({counted} PRs), data read included"),
        times,
    );

    let running = Running::start(app)?;
    let client = reqwest::Client::new();
    let post = |path: &str, content_type: &str, body: String| {
        common::signed_slack(&client, &running.url(path), SECRET, content_type, body)
    };

    // 2. The whole /metrics answer, charts rendered and uploaded every time.
    let mut times = Vec::new();
    for i in 0..rounds {
        {
            let mut conn = state.db.pool().acquire().await?;
            sqlx::query("delete from chart_image")
                .execute(&mut *conn)
                .await?;
        }
        let text = ["", "90d", "team team1", "7d"][i % 4];
        let respond_path = format!("/respond/{i}");
        let respond_url = format!("{}{respond_path}", slack.uri());
        let body = serde_urlencoded::to_string([
            ("command", "/metrics"),
            ("text", text),
            ("team_id", "TBENCH"),
            ("user_id", "U1"),
            ("channel_id", "C1"),
            ("response_url", &respond_url),
            ("trigger_id", "1.2.3"),
        ])?;
        let t = Instant::now();
        let answer: serde_json::Value =
            post("/slack/commands", "application/x-www-form-urlencoded", body)
                .send()
                .await?
                .json()
                .await?;
        // Within Slack's 3 s the ack holds the dashboard, or says it is
        // coming and the answer follows through `response_url`: the time is
        // until the dashboard has arrived either way.
        let answer = if answer["blocks"].is_array() {
            answer
        } else {
            loop {
                let late = slack
                    .received_requests()
                    .await
                    .unwrap_or_default()
                    .into_iter()
                    .find(|r| r.url.path() == respond_path);
                if let Some(r) = late {
                    break serde_json::from_slice::<serde_json::Value>(&r.body)?;
                }
                anyhow::ensure!(t.elapsed() < Duration::from_secs(30), "no answer: {answer}");
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        };
        times.push(t.elapsed());
        let images = answer["blocks"]
            .as_array()
            .map(|b| b.iter().filter(|b| b["type"] == "image").count())
            .unwrap_or(0);
        anyhow::ensure!(images >= 2, "an answer without its charts: {answer}");
    }
    report(
        "/metrics answer, charts rendered + uploaded (overview / 90d / team / 7d)",
        times,
    );

    // 3. App Home publishes.
    let mut times = Vec::new();
    for i in 0..rounds {
        {
            let mut conn = state.db.pool().acquire().await?;
            sqlx::query("delete from chart_image")
                .execute(&mut *conn)
                .await?;
        }
        let before = slack
            .received_requests()
            .await
            .unwrap_or_default()
            .iter()
            .filter(|r| r.url.path() == "/api/views.publish")
            .count();
        let body = json!({
            "type": "event_callback", "team_id": "TBENCH", "api_app_id": "A1", "event_id": format!("Ev{i}"),
            "event_time": 1_700_000_000, "event": { "type": "app_home_opened", "user": "U1", "tab": "home" }
        })
        .to_string();
        let t = Instant::now();
        post("/slack/events", "application/json", body)
            .send()
            .await?;
        loop {
            let n = slack
                .received_requests()
                .await
                .unwrap_or_default()
                .iter()
                .filter(|r| r.url.path() == "/api/views.publish")
                .count();
            if n > before {
                break;
            }
            anyhow::ensure!(t.elapsed() < Duration::from_secs(30), "no publish");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        times.push(t.elapsed());
    }
    report(
        "App Home publish (admin: org dashboard + checklist), charts rendered + uploaded",
        times,
    );
    running.stop().await
}
