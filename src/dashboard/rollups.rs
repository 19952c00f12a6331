//! `rollups.refresh`: keeps `weekly_rollup` in step with the data. Each run
//! recomputes the weeks whose PRs, reviews or survey answers changed since
//! the previous run (all weeks the first time), for every scope at once.

use std::sync::Arc;

use apalis::prelude::{BoxDynError, Data};
use serde::{Deserialize, Serialize};

use crate::domain::OrgId;
use crate::jobs::{Job, JobContext};
use crate::metrics::rollup::{Scope, WEEK, rollups_for_week};
use crate::store::{Db, StoreError, rollups, sync_state, unix_now};

/// How often the scheduler refreshes each org's rollups.
pub const EVERY_SECS: i64 = 300;
/// The scheduler's task name.
pub const TASK: &str = "rollups.refresh";
const SOURCE: &str = "rollups";
const SCOPE: &str = "weekly";

/// Job: refresh one org's weekly rollups.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RefreshRollups {
    /// The org.
    pub org: OrgId,
    /// Recompute every week, not only the changed ones.
    #[serde(default)]
    pub full: bool,
}

impl Job for RefreshRollups {
    const QUEUE: &'static str = "rollups.refresh";
}

/// Runs [`refresh`] for the job.
#[tracing::instrument(skip_all, fields(org_id = %job.org), err(level = "warn"))]
pub async fn run(job: RefreshRollups, ctx: Data<Arc<JobContext>>) -> Result<(), BoxDynError> {
    let weeks = refresh(&ctx.db, job.org, job.full).await?;
    tracing::debug!(weeks, "rollups refreshed");
    Ok(())
}

/// Recomputes the changed weeks (or all, with `full`); returns how many.
/// Idempotent: a second run right after recomputes nothing new.
pub async fn refresh(db: &Db, org: OrgId, full: bool) -> Result<usize, StoreError> {
    let started = unix_now();
    let mut conn = db.pool().acquire().await?;
    let since = if full {
        None
    } else {
        sync_state::get(&mut conn, org, SOURCE, SCOPE)
            .await?
            .and_then(|s| s.cursor)
            .and_then(|c| c.parse::<i64>().ok())
    };
    let weeks = rollups::dirty_weeks(&mut conn, org, since.unwrap_or(i64::MIN)).await?;
    let teams = rollups::team_map(&mut conn, org).await?;
    drop(conn);
    for &week in &weeks {
        let end = week.saturating_add(WEEK);
        let mut conn = db.pool().acquire().await?;
        let prs = rollups::pr_facts(&mut conn, org, Scope::Org, week, end).await?;
        let reviews = rollups::review_facts(&mut conn, org, Scope::Org, week, end).await?;
        let guesses = rollups::guess_facts(&mut conn, org, week, end).await?;
        drop(conn);
        let rows = rollups_for_week(&prs, &reviews, &guesses, &teams);
        let mut tx = db.begin_write().await?;
        rollups::replace_week(&mut tx, org, week, &rows).await?;
        tx.commit().await?;
    }
    let mut tx = db.begin_write().await?;
    let state = sync_state::SyncState {
        source: SOURCE.into(),
        scope: SCOPE.into(),
        status: "done".into(),
        // Rows written while this run read are picked up next time: the
        // cursor is when this run started, compared with `>=`.
        cursor: Some(started.to_string()),
        items_done: weeks.len() as i64,
        ..Default::default()
    };
    sync_state::save(&mut tx, org, &state).await?;
    tx.commit().await?;
    Ok(weeks.len())
}
