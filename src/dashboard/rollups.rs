//! `rollups.refresh`: keeps `weekly_rollup` in step with the data. Each run
//! recomputes the weeks whose PRs, reviews or survey answers changed since
//! the previous run (all weeks the first time), for every scope at once.

use apalis::prelude::BoxDynError;
use serde::{Deserialize, Serialize};

use crate::domain::OrgId;
use crate::jobs::Job;
use crate::metrics::rollup::{PrFact, ReviewFact, Scope, WEEK, rollups_for_week};
use crate::store::rollups::{DAY, day_start};
use crate::store::{Db, StoreError, rollups, sync_state, unix_now};
use sqlx::AnyConnection;

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
    const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15 * 60);
    fn org(&self) -> crate::domain::OrgId {
        self.org
    }
}

/// Runs [`refresh`] for the job.
#[tracing::instrument(skip_all, fields(org_id = %job.org), err(level = "warn"))]
pub async fn run(job: RefreshRollups, ctx: crate::state::AppState) -> Result<(), BoxDynError> {
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
        // Days are packed with everyone; readers apply today's flags, so
        // excluding or including someone later needs no recomputation.
        let all_prs = rollups::all_pr_facts(&mut conn, org, week, end).await?;
        let all_reviews = rollups::all_review_facts(&mut conn, org, week, end).await?;
        drop(conn);
        let rows = rollups_for_week(&prs, &reviews, &guesses, &teams);
        let mut tx = db.begin_write().await?;
        rollups::replace_week(&mut tx, org, week, &rows).await?;
        rollups::replace_days(&mut tx, org, week, &all_prs).await?;
        rollups::replace_review_days(&mut tx, org, week, &all_reviews).await?;
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

/// More changed days than this since the last run: read the period raw.
const DIRTY_DAYS_MAX: usize = 8;

/// How to read `[from, to)`: whole days that ended before the last run
/// started and have not changed since are packed; the rest is raw.
struct Plan {
    /// Ranges to read from the PRs and reviews themselves.
    raw: Vec<(i64, i64)>,
    /// Days to read packed, and the changed days among them to skip.
    packed: Option<(i64, i64, Vec<i64>)>,
}

async fn plan(
    conn: &mut AnyConnection,
    org: OrgId,
    from: i64,
    to: i64,
) -> Result<Plan, StoreError> {
    let all_raw = Plan {
        raw: vec![(from, to)],
        packed: None,
    };
    let Some(cursor) = sync_state::get(conn, org, SOURCE, SCOPE)
        .await?
        .and_then(|s| s.cursor)
        .and_then(|c| c.parse::<i64>().ok())
    else {
        return Ok(all_raw);
    };
    let first = day_start(from.saturating_add(DAY - 1));
    let end = day_start(to.min(cursor));
    if first >= end {
        return Ok(all_raw);
    }
    let dirty: Vec<i64> = rollups::dirty_days(conn, org, cursor)
        .await?
        .range(first..end)
        .copied()
        .collect();
    if dirty.len() > DIRTY_DAYS_MAX {
        return Ok(all_raw);
    }
    let mut raw = Vec::new();
    if from < first {
        raw.push((from, first));
    }
    raw.extend(dirty.iter().map(|&d| (d, d + DAY)));
    if end < to {
        raw.push((end, to));
    }
    Ok(Plan {
        raw,
        packed: Some((first, end, dirty)),
    })
}

/// Merged PRs of `scope` in `[from, to)`, exactly as
/// [`rollups::pr_facts`] reads them, but fast: whole days that ended before
/// the last run started and have not changed since come packed from
/// `daily_pr_facts`; the period's edges, changed days and anything newer
/// come from the PRs.
pub async fn period_pr_facts(
    conn: &mut AnyConnection,
    org: OrgId,
    scope: Scope,
    from: i64,
    to: i64,
) -> Result<Vec<PrFact>, StoreError> {
    let plan = plan(conn, org, from, to).await?;
    let mut out = Vec::new();
    if let Some((first, end, dirty)) = &plan.packed {
        let packed = rollups::packed_pr_facts(conn, org, scope, *first, *end).await?;
        out.extend(
            packed
                .into_iter()
                .filter(|p| !dirty.contains(&day_start(p.merged_at))),
        );
    }
    for &(a, b) in &plan.raw {
        out.extend(rollups::pr_facts(conn, org, scope, a, b).await?);
    }
    out.sort_by_key(|p| (p.merged_at, p.id));
    Ok(out)
}

/// Reviews of `scope` in `[from, to)`, exactly as
/// [`rollups::review_facts`] reads them, the same way as
/// [`period_pr_facts`].
pub async fn period_review_facts(
    conn: &mut AnyConnection,
    org: OrgId,
    scope: Scope,
    from: i64,
    to: i64,
) -> Result<Vec<ReviewFact>, StoreError> {
    let plan = plan(conn, org, from, to).await?;
    let mut out = Vec::new();
    if let Some((first, end, dirty)) = &plan.packed {
        let packed = rollups::packed_review_facts(conn, org, scope, *first, *end).await?;
        out.extend(
            packed
                .into_iter()
                .filter(|r| !dirty.contains(&day_start(r.submitted_at))),
        );
    }
    for &(a, b) in &plan.raw {
        out.extend(rollups::review_facts(conn, org, scope, a, b).await?);
    }
    out.sort_by_key(|f| (f.submitted_at, f.reviewer, f.repository));
    Ok(out)
}
