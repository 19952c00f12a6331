//! Job pickup latency: the real app (HTTP and workers) on a fresh database,
//! `slack.respond` jobs whose `response_url` is a loopback server that notes
//! when each arrives. Enqueue→start is enqueue → arrival (one loopback POST
//! included, about a millisecond).
//!
//! - **idle**: one job at a time, 0.3–1.3 s apart, so every job finds the
//!   workers idle (the case a 30 s heartbeat wait used to hit);
//! - **under load**: 100 jobs a second for 10 s on the same queue while a
//!   second queue (`github.delivery`) is kept busy with stored deliveries.
//!
//! `cargo run --release --example job_latency` (SQLite, a temporary file);
//! `cargo run --release --example job_latency -- postgres` (a new database
//! on `TEST_DATABASE_URL`, default `postgres://postgres@127.0.0.1:5432/postgres`).

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aimpact::app::RunOptions;
use aimpact::domain::OrgId;
use aimpact::slack::respond::Respond;
use axum::extract::State;
use axum::routing::post;
use common::Running;

type Arrivals = Arc<Mutex<HashMap<String, Instant>>>;

async fn arrived(
    State(seen): State<Arrivals>,
    body: axum::Json<serde_json::Value>,
) -> &'static str {
    if let Some(id) = body.0["text"].as_str()
        && let Ok(mut seen) = seen.lock()
    {
        seen.insert(id.to_string(), Instant::now());
    }
    "ok"
}

async fn wait_for(seen: &Arrivals, id: &str, limit: Duration) -> Option<Instant> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if let Some(t) = seen.lock().ok().and_then(|s| s.get(id).copied()) {
            return Some(t);
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    None
}

fn report(what: &str, mut times: Vec<Duration>) {
    times.sort();
    let ms = |q| common::percentile(&times, q).as_secs_f64() * 1e3;
    println!(
        "{what}: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ms(0.5),
        ms(0.99),
        ms(1.0)
    );
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let postgres = std::env::args().nth(1).as_deref() == Some("postgres");
    let backend = if postgres { "PostgreSQL" } else { "SQLite" };
    let (app, _dir) = common::build_app(
        "latency",
        postgres,
        &[("AIMPACT_LOG", "warn".into())],
        RunOptions::default(),
    )
    .await?;
    let running = Running::start(app)?;
    let state = running.state.clone();

    let seen: Arrivals = Arc::default();
    let router = axum::Router::new()
        .route("/respond", post(arrived))
        .with_state(seen.clone());
    let (sink, _) = common::serve(router).await?;
    let sink = format!("http://{sink}/respond");
    let job = |id: &str| Respond {
        org: OrgId::from_db(1),
        response_url: sink.clone(),
        message: serde_json::json!({ "text": id }),
    };
    // Let the workers register and go idle.
    tokio::time::sleep(Duration::from_secs(2)).await;

    let mut idle = Vec::new();
    for i in 0..40 {
        let id = format!("idle-{i}");
        let started = Instant::now();
        state.jobs.enqueue(job(&id)).await?;
        match wait_for(&seen, &id, Duration::from_secs(60)).await {
            Some(at) => idle.push(at - started),
            None => anyhow::bail!("{id} never ran"),
        }
        let pause = 300 + rand::random::<u64>() % 1_000;
        tokio::time::sleep(Duration::from_millis(pause)).await;
    }

    // Under load: 100 jobs/s on slack.respond for 10 s, with the webhook
    // queue busy at the same time (deliveries that are stored and fail
    // to route, so every one is fetched, run and finished).
    let busy = {
        let jobs = state.jobs.clone();
        tokio::spawn(async move {
            for i in 0..2_000 {
                let job = aimpact::github::webhook::ProcessDelivery {
                    org: OrgId::from_db(1),
                    delivery: 1_000_000 + i,
                };
                let _ = jobs.enqueue(job).await;
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };
    let mut sent: Vec<(String, Instant)> = Vec::new();
    let mut every = tokio::time::interval(Duration::from_millis(10));
    for i in 0..1_000 {
        every.tick().await;
        let id = format!("load-{i}");
        let started = Instant::now();
        state.jobs.enqueue(job(&id)).await?;
        sent.push((id, started));
    }
    let mut loaded = Vec::new();
    for (id, started) in &sent {
        match wait_for(&seen, id, Duration::from_secs(120)).await {
            Some(at) => loaded.push(at.saturating_duration_since(*started)),
            None => anyhow::bail!("{id} never ran"),
        }
    }
    busy.abort();

    println!("job pickup on {backend} (enqueue → start):");
    report("  idle, one job at a time (40)", idle);
    report("  under load, 100 jobs/s + a busy queue (1,000)", loaded);
    running.stop_within(Duration::from_secs(10)).await;
    Ok(())
}
