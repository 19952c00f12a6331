//! Load check for the `/slack/commands` acknowledgement: the real app on a
//! fresh SQLite file, 100 concurrent signed `/metrics help` requests over
//! loopback, latency percentiles printed.
//!
//! `cargo run --release --example slack_commands_load [-- REQUESTS [CONCURRENCY]]`

use std::sync::Arc;
use std::time::Instant;

use aimpact::app::RunOptions;
use aimpact::store::orgs;
use tokio::sync::Semaphore;

mod common;
use common::{Running, ms, percentile};

const SECRET: &str = "load-test-signing-secret";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let requests: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5_000);
    let concurrency: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100);

    let (app, _dir) = common::build_app(
        "load",
        false,
        &[
            ("SLACK_SIGNING_SECRET", SECRET.into()),
            ("AIMPACT_LOG", "warn".into()),
        ],
        RunOptions {
            workers: false,
            ..RunOptions::default()
        },
    )
    .await?;
    {
        let state = app.state();
        let mut conn = state.db.pool().acquire().await?;
        let org = orgs::upsert_installation(&mut conn, "TLOAD", "Load", Some("U1"))
            .await?
            .id;
        common::put_bot_token(&mut conn, state, org, "xoxb-load").await?;
    }
    let running = Running::start(app)?;

    let body = serde_urlencoded::to_string([
        ("command", "/metrics"),
        ("text", "help"),
        ("team_id", "TLOAD"),
        ("user_id", "U1"),
        ("channel_id", "C1"),
        ("response_url", "https://hooks.slack.com/commands/TLOAD/1/x"),
        ("trigger_id", "1.2.3"),
    ])?;
    let url = running.url("/slack/commands");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()?;
    let gate = Arc::new(Semaphore::new(concurrency));

    // Warm-up: connections and caches, not measured.
    for _ in 0..concurrency {
        send(&client, &url, &body).await?;
    }

    let started = Instant::now();
    let mut tasks = Vec::with_capacity(requests);
    for _ in 0..requests {
        let permit = gate.clone().acquire_owned().await?;
        let (client, url, body) = (client.clone(), url.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            let t = Instant::now();
            let ok = send(&client, &url, &body).await.is_ok();
            drop(permit);
            (t.elapsed(), ok)
        }));
    }
    let mut latencies = Vec::with_capacity(requests);
    let mut failures = 0;
    for task in tasks {
        let (latency, ok) = task.await?;
        latencies.push(latency);
        failures += usize::from(!ok);
    }
    let total = started.elapsed();
    latencies.sort();
    let pct = |q: f64| percentile(&latencies, q);
    println!(
        "/slack/commands (/metrics help), {requests} requests, {concurrency} concurrent, loopback, SQLite"
    );
    println!(
        "p50 {:.1} ms  p95 {:.1} ms  p99 {:.1} ms  max {:.1} ms  throughput {:.0} req/s  failures {failures}",
        ms(pct(0.50)),
        ms(pct(0.95)),
        ms(pct(0.99)),
        ms(pct(1.0)),
        requests as f64 / total.as_secs_f64()
    );
    running.stop().await
}

async fn send(client: &reqwest::Client, url: &str, body: &str) -> anyhow::Result<()> {
    let form = "application/x-www-form-urlencoded";
    let r = common::signed_slack(client, url, SECRET, form, body.to_string())
        .send()
        .await?;
    anyhow::ensure!(r.status() == 200, "status {}", r.status());
    let _ = r.bytes().await?;
    Ok(())
}
