//! Load check for GitHub webhook intake: the real app on a fresh SQLite
//! file, signed `pull_request` deliveries with distinct delivery ids over
//! loopback; each is stored and its job enqueued before the answer.
//!
//! `cargo run --release --example github_webhook_load [-- DELIVERIES [CONCURRENCY]]`

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aimpact::app::{App, RunOptions};
use aimpact::config::Config;
use aimpact::store::{integrations, orgs};
use tokio::sync::Semaphore;

const SECRET: &str = "load-test-webhook-secret";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let deliveries: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let concurrency: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(50);

    let dir = tempfile::tempdir()?;
    let db_path = dir.path().join("load.db");
    let vars: HashMap<&str, String> = HashMap::from([
        ("DATABASE_URL", format!("sqlite://{}", db_path.display())),
        ("AIMPACT_BIND", "127.0.0.1:0".into()),
        ("AIMPACT_DATA_DIR", dir.path().display().to_string()),
        ("GITHUB_WEBHOOK_SECRET", SECRET.into()),
        ("AIMPACT_LOG", "warn".into()),
        ("AIMPACT_DB_MAX_CONNECTIONS", "16".into()),
    ]);
    let config =
        Config::from_lookup(&|k| vars.get(k).cloned()).map_err(|e| anyhow::anyhow!("{e}"))?;
    // Intake only: workers would compete for the same two cores and the
    // figure wanted is how fast deliveries become durable.
    let app = App::build(
        config,
        RunOptions {
            workers: false,
            ..RunOptions::default()
        },
    )
    .await?;
    let addr = app.addr().ok_or_else(|| anyhow::anyhow!("not bound"))?;
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
    let db = app.state().db.clone();
    let stop = app.shutdown_handle();
    let server = tokio::spawn(app.run_until_stopped());

    let body = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/github/pull_request.opened.json"
    ))?;
    let signature = aimpact::github::webhook::sign(SECRET, &body);
    let url = format!("http://{addr}/github/webhook");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()?;
    let gate = Arc::new(Semaphore::new(concurrency));

    for i in 0..concurrency {
        send(&client, &url, &body, &signature, &format!("warm-{i}")).await?;
    }
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(deliveries);
    for i in 0..deliveries {
        let permit = gate.clone().acquire_owned().await?;
        let (client, url, body, signature) =
            (client.clone(), url.clone(), body.clone(), signature.clone());
        tasks.push(tokio::spawn(async move {
            let t = Instant::now();
            let ok = send(&client, &url, &body, &signature, &format!("d-{i}"))
                .await
                .is_ok();
            drop(permit);
            (t.elapsed(), ok)
        }));
    }
    let mut latencies = Vec::with_capacity(deliveries);
    let mut failures = 0;
    for task in tasks {
        let (latency, ok) = task.await?;
        latencies.push(latency);
        failures += usize::from(!ok);
    }
    let total = started.elapsed();
    latencies.sort();
    let pct = |q: f64| {
        latencies[((q * latencies.len() as f64).ceil() as usize).clamp(1, latencies.len()) - 1]
    };
    let stored: i64 = sqlx::query_scalar("select count(*) from webhook_delivery")
        .fetch_one(db.pool())
        .await?;
    println!(
        "POST /github/webhook (pull_request.opened), {deliveries} deliveries, {concurrency} concurrent, loopback, SQLite"
    );
    println!(
        "{:.0} deliveries/s  p50 {:.1} ms  p95 {:.1} ms  p99 {:.1} ms  max {:.1} ms  failures {failures}  stored {stored}",
        deliveries as f64 / total.as_secs_f64(),
        ms(pct(0.50)),
        ms(pct(0.95)),
        ms(pct(0.99)),
        ms(pct(1.0)),
    );
    stop.trigger();
    server.await??;
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
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
