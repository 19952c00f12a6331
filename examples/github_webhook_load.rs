//! Load check for GitHub webhook intake on a connected org: the real app
//! (HTTP and job workers) on a fresh database, signed `pull_request`
//! deliveries for a tracked repository with unique delivery ids, sent over
//! loopback for a fixed time at 32 and then 128 connections, while the
//! jobs those deliveries create are processed. Every delivery is stored
//! (and its job enqueued) before its 202; the run checks that every
//! acknowledged delivery is in the database.
//!
//! `cargo run --release --example github_webhook_load` (SQLite, a
//! temporary file); `… -- postgres` (a new database on `TEST_DATABASE_URL`,
//! default `postgres://postgres@127.0.0.1:5432/postgres`); a second
//! argument sets the seconds per level (default 10).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use aimpact::app::RunOptions;
use aimpact::store::{integrations, orgs};

mod common;
use common::{Running, ms, percentile};

const SECRET: &str = "load-test-webhook-secret";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let postgres = args.next().as_deref() == Some("postgres");
    let seconds: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(10);

    let (app, _dir) = common::build_app(
        "load",
        postgres,
        &[
            ("GITHUB_WEBHOOK_SECRET", SECRET.into()),
            ("AIMPACT_LOG", "error".into()),
            ("AIMPACT_DB_MAX_CONNECTIONS", "16".into()),
        ],
        RunOptions::default(),
    )
    .await?;
    {
        let mut conn = app.state().db.pool().acquire().await?;
        let org = orgs::upsert_installation(&mut conn, "TLOAD", "Load", None)
            .await?
            .id;
        integrations::upsert(
            &mut conn,
            org,
            "github",
            "connected",
            Some("Codertocat"),
            None,
        )
        .await?;
    }
    let running = Running::start(app)?;

    let body = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/github/pull_request.opened.json"
    ))?;
    let signature = aimpact::github::webhook::sign(SECRET, &body);
    let url = running.url("/github/webhook");
    let backend = if postgres { "PostgreSQL" } else { "SQLite" };
    println!(
        "POST /github/webhook (pull_request.opened for a tracked repository), {seconds} s per level, \
         loopback, {backend}, job workers running"
    );
    let mut sent_total = 0usize;
    for concurrency in [32usize, 128] {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(concurrency)
            .build()?;
        for i in 0..concurrency {
            send(
                &client,
                &url,
                &body,
                &signature,
                &format!("warm-{concurrency}-{i}"),
            )
            .await?;
        }
        sent_total += concurrency;
        let running = Arc::new(AtomicBool::new(true));
        let started = Instant::now();
        let mut tasks = Vec::with_capacity(concurrency);
        for c in 0..concurrency {
            let (client, url, body, signature, running) = (
                client.clone(),
                url.clone(),
                body.clone(),
                signature.clone(),
                running.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut failures = 0usize;
                let mut n = 0usize;
                while running.load(Ordering::Relaxed) {
                    let t = Instant::now();
                    let id = format!("d-{concurrency}-{c}-{n}");
                    n += 1;
                    match send(&client, &url, &body, &signature, &id).await {
                        Ok(()) => latencies.push(t.elapsed()),
                        Err(_) => failures += 1,
                    }
                }
                (latencies, failures)
            }));
        }
        tokio::time::sleep(Duration::from_secs(seconds)).await;
        running.store(false, Ordering::Relaxed);
        let mut latencies = Vec::new();
        let mut failures = 0;
        for task in tasks {
            let (l, f) = task.await?;
            latencies.extend(l);
            failures += f;
        }
        let total = started.elapsed();
        sent_total += latencies.len();
        latencies.sort();
        let pct = |q: f64| percentile(&latencies, q);
        println!(
            "  {concurrency:>3} connections: {:.0} deliveries/s  p50 {:.1} ms  p99 {:.1} ms  max {:.1} ms  ({} acknowledged, {failures} failed)",
            latencies.len() as f64 / total.as_secs_f64(),
            ms(pct(0.50)),
            ms(pct(0.99)),
            ms(pct(1.0)),
            latencies.len(),
        );
    }
    let stored: i64 = sqlx::query_scalar("select count(*) from webhook_delivery")
        .fetch_one(running.state.db.pool())
        .await?;
    let processed: i64 =
        sqlx::query_scalar("select count(*) from webhook_delivery where status = 'processed'")
            .fetch_one(running.state.db.pool())
            .await?;
    println!(
        "  acknowledged {sent_total}, stored {stored} (every acknowledged delivery is stored: {}), processed meanwhile {processed}",
        stored as usize >= sent_total
    );
    running.stop_within(Duration::from_secs(15)).await;
    anyhow::ensure!(
        stored as usize >= sent_total,
        "an acknowledged delivery was lost"
    );
    Ok(())
}

async fn send(
    client: &reqwest::Client,
    url: &str,
    body: &[u8],
    signature: &str,
    delivery: &str,
) -> anyhow::Result<()> {
    let r = client
        .post(url)
        .header("content-type", "application/json")
        .header("x-github-event", "pull_request")
        .header("x-github-delivery", delivery)
        .header("x-hub-signature-256", signature)
        .body(body.to_vec())
        .send()
        .await?;
    anyhow::ensure!(r.status() == 202, "status {}", r.status());
    let _ = r.bytes().await?;
    Ok(())
}
