//! Periodic work: a tick every minute claims what is due per org (in the
//! database, so several servers never double up) and enqueues jobs for it.
//! What is due is the composition root's to say (`app::tick`); this is the
//! clock and the claim records.

use std::time::Duration;

use tokio::sync::watch;

use crate::domain::OrgId;
use crate::store::{Db, StoreError, sync_state};

/// A day, for daily work.
pub const DAY_SECS: i64 = 86_400;
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

/// Calls `tick` with the clock's time every [`TICK`] until shutdown.
pub async fn run<T, Fut>(clock: crate::clock::Clock, mut stop: watch::Receiver<bool>, tick: T)
where
    T: Fn(i64) -> Fut,
    Fut: std::future::Future<Output = Result<usize, ScheduleError>>,
{
    let mut every = tokio::time::interval(TICK);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = every.tick() => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        match tick(clock.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(jobs = n, "scheduled work enqueued"),
            Err(e) => tracing::warn!(error = %e, "scheduler tick failed"),
        }
    }
}
