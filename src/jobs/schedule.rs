//! Periodic work: a tick every minute claims what is due per org (in the
//! database, so several servers never double up) and enqueues jobs for it.

use std::time::Duration;

use tokio::sync::watch;

use super::Jobs;
use crate::domain::OrgId;
use crate::github::job::SyncGithub;
use crate::store::{Db, StoreError, orgs, sync_state};

/// Daily GitHub discovery and incremental sync.
pub const GITHUB_DAILY: &str = "github.daily";
/// Daily Jira discovery and incremental sync.
pub const JIRA_DAILY: &str = "jira.daily";
const DAY_SECS: i64 = 86_400;
/// How often the scheduler looks for due work.
pub const TICK: Duration = Duration::from_secs(60);

/// Why a tick failed.
#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    /// Storage.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Enqueueing.
    #[error("could not enqueue: {0}")]
    Enqueue(String),
}

/// Records that `task` ran for the org now (a connect runs the first sync).
pub async fn mark_ran(db: &Db, org: OrgId, task: &str) -> Result<(), StoreError> {
    let mut conn = db.pool().acquire().await?;
    sync_state::mark_ran(&mut conn, org, task).await
}

/// One pass at `now`: enqueues what is due; returns how many jobs.
pub async fn tick(db: &Db, jobs: &Jobs, now: i64) -> Result<usize, ScheduleError> {
    let mut conn = db.pool().acquire().await.map_err(StoreError::from)?;
    // Expired states of abandoned installs and connects; a used one is kept
    // a day past its expiry so a replay is still recognised.
    orgs::prune_oauth_states(&mut conn, now - 86_400).await?;
    let mut queued = 0;
    for org in orgs::with_connected(&mut conn, "github").await? {
        if sync_state::claim_due(&mut conn, org, GITHUB_DAILY, DAY_SECS, now).await? {
            let job = SyncGithub {
                org,
                full: false,
                discover: true,
            };
            if jobs
                .enqueue_single(db, job)
                .await
                .map_err(|e| ScheduleError::Enqueue(e.to_string()))?
            {
                queued += 1;
            }
        }
    }
    for org in orgs::with_connected(&mut conn, "jira").await? {
        if sync_state::claim_due(&mut conn, org, JIRA_DAILY, DAY_SECS, now).await? {
            let job = crate::jira::job::SyncJira {
                org,
                full: false,
                discover: true,
            };
            if jobs
                .enqueue_single(db, job)
                .await
                .map_err(|e| ScheduleError::Enqueue(e.to_string()))?
            {
                queued += 1;
            }
        }
    }
    // Rollups of orgs with GitHub data, a few minutes behind the data.
    for org in orgs::with_connected(&mut conn, "github").await? {
        use crate::dashboard::rollups::{EVERY_SECS, RefreshRollups, TASK};
        if sync_state::claim_due(&mut conn, org, TASK, EVERY_SECS, now).await? {
            jobs.enqueue(RefreshRollups { org, full: false })
                .await
                .map_err(|e| ScheduleError::Enqueue(e.to_string()))?;
            queued += 1;
        }
    }
    // Slack people matching, daily; survey delivery when something is due
    // (at most once a minute per org).
    for org in orgs::with_connected(&mut conn, "github").await? {
        use crate::slack::people::{MatchSlackPeople, TASK as MATCH};
        use crate::surveys::deliver::{DeliverSurveys, TASK as DELIVER};
        if sync_state::claim_due(&mut conn, org, MATCH, DAY_SECS, now).await? {
            jobs.enqueue(MatchSlackPeople { org })
                .await
                .map_err(|e| ScheduleError::Enqueue(e.to_string()))?;
            queued += 1;
        }
        if crate::store::surveys::has_due_work(&mut conn, org, now).await?
            && sync_state::claim_due(&mut conn, org, DELIVER, 55, now).await?
        {
            jobs.enqueue(DeliverSurveys { org })
                .await
                .map_err(|e| ScheduleError::Enqueue(e.to_string()))?;
            queued += 1;
        }
    }
    // Weekly leaderboards due now in each org's time zone. One org's
    // trouble is logged and never stops the others.
    for (org, settings) in orgs::with_leaderboard(&mut conn).await? {
        match crate::leaderboard::post::schedule(&mut conn, jobs, org, &settings, now).await {
            Ok(true) => queued += 1,
            Ok(false) => {}
            Err(e) => tracing::warn!(org_id = %org, error = %e, "leaderboard not scheduled"),
        }
    }
    Ok(queued)
}

/// Ticks until shutdown.
pub async fn run(db: Db, jobs: Jobs, clock: crate::clock::Clock, mut stop: watch::Receiver<bool>) {
    let mut every = tokio::time::interval(TICK);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = every.tick() => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        match tick(&db, &jobs, clock.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(jobs = n, "scheduled work enqueued"),
            Err(e) => tracing::warn!(error = %e, "scheduler tick failed"),
        }
    }
}
