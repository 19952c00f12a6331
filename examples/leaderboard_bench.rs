//! Weekly leaderboard speed (SQLite, release build):
//!
//! 1. one week's board on an org with 50,000 merged PRs over 180 days
//!    (author answers on the last 60 days' PRs): every category's data read
//!    (8 weeks of PRs for "most improved") and ranked, without and with the
//!    chart of the week rendered and stored;
//! 2. the scheduler's minute tick over 2,000 orgs with the leaderboard on:
//!    a minute when nothing is due, and the minute when every org is due at
//!    once (2,000 week claims and jobs enqueued).
//!
//! `cargo run --release --example leaderboard_bench [-- PRS ORGS ROUNDS]`

use std::time::{Duration, Instant};

use aimpact::app::RunOptions;
use aimpact::store::leaderboard::{self as store, Settings};
use aimpact::store::surveys::{self, AiAnswer, SurveyRow};
use aimpact::store::{orgs, unix_now};

mod common;
use common::{DAY, report, seed};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let prs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(50_000);
    let org_count: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2_000);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(20);

    // No workers: the tick's jobs stay queued, nothing posts.
    let (app, _dir) = common::build_app(
        "bench",
        false,
        &[
            ("AIMPACT_PUBLIC_URL", "https://aimpact.example.com".into()),
            ("AIMPACT_LOG", "warn".into()),
        ],
        RunOptions {
            workers: false,
            ..RunOptions::default()
        },
    )
    .await?;
    let state = app.state().clone();
    let started = Instant::now();
    let org = seed(&state.db, prs).await?;
    // Author answers on the last 60 days' PRs: 40% "some", the rest "none".
    {
        let now = unix_now();
        let mut tx = state.db.begin_write().await?;
        let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
            "select pull_request_id, author_person_id, merged_at from pull_request
             where org_id = $1 and merged_at >= $2",
        )
        .bind(org.get())
        .bind(now - 60 * DAY)
        .fetch_all(&mut **tx)
        .await?;
        for (i, (pr, author, merged)) in rows.iter().enumerate() {
            surveys::create(
                &mut tx,
                org,
                &SurveyRow {
                    pull_request: Some(aimpact::domain::PullRequestId(*pr)),
                    author: Some(aimpact::domain::PersonId(*author)),
                    delivery: surveys::Delivery {
                        status: surveys::SurveyStatus::Answered,
                        ..surveys::Delivery::default()
                    },
                    ai_answer: Some(if i % 5 < 2 {
                        AiAnswer::Some
                    } else {
                        AiAnswer::None
                    }),
                    answered_at: Some(*merged + 60),
                    ..SurveyRow::default()
                },
            )
            .await?;
        }
        tx.commit().await?;
    }
    println!(
        "seeded {prs} PRs in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    aimpact::dashboard::rollups::refresh(&state.db, org, true).await?;

    // 1. A week's board.
    let settings = Settings {
        enabled: true,
        channel: Some("CBENCH".into()),
        ..Settings::default()
    };
    let now = unix_now();
    let mut times = Vec::new();
    let mut lines = 0;
    for _ in 0..rounds {
        let t = Instant::now();
        let board = aimpact::leaderboard::build(
            &state.db,
            org,
            &settings,
            "Weekly leaderboard",
            now - 7 * DAY,
            now,
            None,
        )
        .await?;
        times.push(t.elapsed());
        lines = board.categories.iter().map(|c| c.lines.len()).sum();
    }
    report(
        &format!("week's board, data + ranking, 5 categories ({lines} lines)"),
        times,
    );
    let base = url::Url::parse("https://aimpact.example.com/")?;
    let delivery = aimpact::dashboard::Delivery::Public(base);
    let mut times = Vec::new();
    for _ in 0..rounds {
        sqlx::query("delete from chart_image where org_id = $1")
            .bind(org.get())
            .execute(state.db.pool())
            .await?;
        let t = Instant::now();
        let board = aimpact::leaderboard::build(
            &state.db,
            org,
            &settings,
            "Weekly leaderboard",
            now - 7 * DAY,
            now,
            Some(&delivery),
        )
        .await?;
        times.push(t.elapsed());
        assert!(board.chart.is_some());
    }
    report(
        "week's board with the chart rendered and stored (cache emptied each time)",
        times,
    );

    // 2. The minute tick over many orgs.
    let started = Instant::now();
    {
        let mut tx = state.db.begin_write().await?;
        for i in 0..org_count {
            let id = orgs::upsert_installation(&mut tx, &format!("TLB{i}"), "Org", None)
                .await?
                .id;
            let zones = ["Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC"];
            store::save(
                &mut tx,
                id,
                &Settings {
                    enabled: true,
                    channel: Some(format!("C{i}")),
                    day: 1,
                    minute: 600,
                    time_zone: zones[i % zones.len()].into(),
                    ..Settings::default()
                },
                0,
            )
            .await?;
        }
        tx.commit().await?;
    }
    println!(
        "{org_count} orgs with the leaderboard on, in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    // Only the leaderboards are scheduled from here on.
    sqlx::query("update integration set status = 'disconnected' where org_id = $1")
        .bind(org.get())
        .execute(state.db.pool())
        .await?;
    // A Wednesday noon UTC: nobody is due.
    let quiet = 1_795_608_000;
    let mut times = Vec::new();
    for i in 0..rounds {
        let t = Instant::now();
        let n = aimpact::app::tick(&state.db, &state.jobs, quiet + 60 * i as i64).await?;
        times.push(t.elapsed());
        assert_eq!(n, 0);
    }
    report(&format!("tick, {org_count} orgs on, none due"), times);
    // Monday 2026-11-30: one tick in each zone's 10:00 slot minute.
    let utc_ten = 1_796_032_800;
    let slots = [
        utc_ten - 9 * 3_600, // Tokyo 10:00 JST = 01:00 UTC
        utc_ten - 3_600,     // Berlin 10:00 CET = 09:00 UTC
        utc_ten,             // UTC 10:00
        utc_ten + 5 * 3_600, // New York 10:00 EST = 15:00 UTC
    ];
    let mut claimed = 0;
    let mut all = Duration::ZERO;
    for at in slots {
        let t = Instant::now();
        claimed += aimpact::app::tick(&state.db, &state.jobs, at).await?;
        all += t.elapsed();
        // What the workers (not running here) would do with the jobs.
        sqlx::query("update leaderboard_post set status = 'posted' where status = 'queued'")
            .execute(state.db.pool())
            .await?;
    }
    println!(
        "ticks at the four zones' slot minutes: {claimed} week claims + jobs enqueued in {:.1} ms ({:.2} ms per org)",
        all.as_secs_f64() * 1e3,
        all.as_secs_f64() * 1e3 / claimed.max(1) as f64
    );
    assert_eq!(claimed, org_count);
    let mut repeat = 0;
    for at in slots {
        repeat += aimpact::app::tick(&state.db, &state.jobs, at + 60).await?;
    }
    println!("the minute after each: {repeat} more (never twice)");
    Ok(())
}
