//! `leaderboard.post`: the scheduler's claim of a due week and the job that
//! builds and posts the board.
//!
//! - **Once per org and week**: the week's `leaderboard_post` row is
//!   inserted by exactly one scheduler tick (unique per org and week), and
//!   the job takes it with a conditional update, so several servers and
//!   workers, repeated ticks and re-delivered jobs post it once.
//! - **Restarts**: a job lost before it started, or a worker that died while
//!   building the board, is picked up again by a later tick (5 and 10
//!   minutes); a worker that died while Slack was answering leaves the
//!   week in `sending`, never retried: a lost post is better than a double.
//! - **Downtime**: the post is due until the end of its local day; after
//!   that the week is skipped.
//! - **A channel that is gone** (app removed, archived, deleted) pauses the
//!   org's leaderboard with the reason for admins on App Home; other orgs'
//!   posts are separate jobs and carry on.

use apalis::prelude::BoxDynError;
use serde::{Deserialize, Serialize};

use super::schedule::When;
use crate::domain::OrgId;
use crate::jobs::{Job, Jobs};
use crate::slack::client::SlackApiError;
use crate::state::AppState;
use crate::store::leaderboard::{self as store, Claim, FAILED, QUEUED, SKIPPED};
use crate::store::{StoreError, audit, orgs};

/// Posts one org's board for one week.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PostLeaderboard {
    /// The org.
    pub org: OrgId,
    /// The week key (`Slot::week`).
    pub week: i64,
}

impl Job for PostLeaderboard {
    const QUEUE: &'static str = "leaderboard.post";
    const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5 * 60);
    fn org(&self) -> crate::domain::OrgId {
        self.org
    }
}

/// Why the scheduler or a job stopped early.
#[derive(Debug, thiserror::Error)]
pub enum PostError {
    /// Storage.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Enqueueing.
    #[error("could not enqueue: {0}")]
    Enqueue(String),
}

/// What a job run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Posted to the channel.
    Posted,
    /// Another worker has it, or it is done.
    Taken,
    /// Not posted: switched off, no token, or the day passed.
    Skipped(String),
    /// The channel is gone; the org's leaderboard is paused.
    Paused(String),
    /// Slack refused the message itself; this week is not retried.
    Failed(String),
    /// Slack could not take it now; a later tick retries (same day).
    Retry(String),
}

/// The scheduler's part for one org with its `settings` at `now`:
/// enqueues the week's post when it is due and this call won the week's
/// claim. True when a job was enqueued.
pub async fn schedule(
    conn: &mut sqlx::AnyConnection,
    jobs: &Jobs,
    org: OrgId,
    settings: &store::Settings,
    now: i64,
) -> Result<bool, PostError> {
    let Some(channel) = settings.channel.as_deref().filter(|_| settings.enabled) else {
        return Ok(false);
    };
    let Some(slot) = super::when(settings).due(now, settings.active_from) else {
        return Ok(false);
    };
    match store::claim_week(conn, org, slot.week, slot.at, channel, now).await? {
        Claim::Taken => Ok(false),
        claim => {
            jobs.enqueue(PostLeaderboard {
                org,
                week: slot.week,
            })
            .await
            .map_err(|e| PostError::Enqueue(e.to_string()))?;
            tracing::info!(org_id = %org, week = slot.week, again = claim == Claim::Again, "leaderboard post enqueued");
            Ok(true)
        }
    }
}

/// The job handler.
#[tracing::instrument(skip_all, fields(org_id = %job.org, week = job.week), err(level = "warn"))]
pub async fn run(job: PostLeaderboard, ctx: crate::state::AppState) -> Result<(), BoxDynError> {
    let outcome = post(&ctx, job.org, job.week).await?;
    tracing::info!(?outcome, "leaderboard job");
    Ok(())
}

/// Events that say the leaderboard channel can no longer take posts.
pub const CHANNEL_EVENTS: [&str; 6] = [
    "channel_archive",
    "channel_deleted",
    "channel_left",
    "group_archive",
    "group_deleted",
    "group_left",
];

/// Pauses the org's leaderboard when `event` is about its channel (see
/// [`CHANNEL_EVENTS`]); true when it was posting there until now.
pub async fn pause_for_event(
    db: &crate::store::Db,
    org: OrgId,
    event: &str,
    channel: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let code = match event {
        "channel_left" | "group_left" => "not_in_channel",
        "channel_archive" | "group_archive" => "is_archived",
        "channel_deleted" | "group_deleted" => "channel_not_found",
        _ => return Ok(false),
    };
    let mut conn = db.pool().acquire().await?;
    let cause = serde_json::json!({ "slack_event": event });
    pause(&mut conn, org, channel, code, &cause, now).await
}

/// Pauses the org's leaderboard on `channel` for the gone-channel Slack
/// `code`, recording `cause` in the audit log; true when it was posting
/// there until now.
async fn pause(
    conn: &mut sqlx::AnyConnection,
    org: OrgId,
    channel: &str,
    code: &str,
    cause: &serde_json::Value,
    now: i64,
) -> Result<bool, StoreError> {
    let Some(problem) = channel_gone(code) else {
        return Ok(false);
    };
    let paused = store::pause(conn, org, channel, problem, now).await?;
    if paused {
        audit::record(
            conn,
            org,
            "slack",
            "leaderboard.paused",
            Some(channel),
            cause,
        )
        .await?;
    }
    Ok(paused)
}

/// Slack codes that mean the channel cannot take posts until an admin acts.
fn channel_gone(code: &str) -> Option<&'static str> {
    match code {
        "not_in_channel" => Some(
            "aimpact isn't in the leaderboard channel any more (it was removed). Invite it back \
             with /invite @aimpact, or pick another channel, then switch the leaderboard on again.",
        ),
        "is_archived" => Some(
            "The leaderboard channel was archived. Pick another channel and switch the \
             leaderboard on again.",
        ),
        "channel_not_found" => Some(
            "The leaderboard channel no longer exists (or aimpact can't see it). Pick another \
             channel and switch the leaderboard on again.",
        ),
        "restricted_action" | "ekm_access_denied" => Some(
            "Slack doesn't let aimpact post in the leaderboard channel (a workspace setting). \
             Pick another channel and switch the leaderboard on again.",
        ),
        _ => None,
    }
}

/// Slack codes no retry fixes (other than a gone channel).
fn refused_for_good(code: &str) -> bool {
    matches!(
        code,
        "invalid_blocks"
            | "invalid_arguments"
            | "msg_too_long"
            | "no_text"
            | "not_authed"
            | "invalid_auth"
            | "account_inactive"
            | "token_revoked"
            | "missing_scope"
            | "not_allowed_token_type"
    )
}

/// Builds and posts the week's board for the org, once.
pub async fn post(state: &AppState, org_id: OrgId, week: i64) -> Result<Outcome, PostError> {
    let claimed_at = state.clock.now();
    let mut conn = state.db.pool().acquire().await.map_err(StoreError::from)?;
    if !store::claim_build(&mut conn, org_id, week, claimed_at).await? {
        return Ok(Outcome::Taken);
    }
    let Some(row) = store::post(&mut conn, org_id, week).await? else {
        return Ok(Outcome::Taken);
    };
    let org = orgs::get(&mut conn, org_id).await?;
    let settings = store::settings(&mut conn, org_id).await?;
    let when: When = super::when(&settings);
    let reason = if org.uninstalled_at.is_some() {
        Some("the app is uninstalled")
    } else if !settings.enabled || settings.channel.is_none() {
        Some("the leaderboard was switched off")
    } else if when.local_date(claimed_at) != when.local_date(row.due_at) {
        Some("the day of the post passed while aimpact was down")
    } else {
        None
    };
    if let Some(why) = reason {
        store::set_status(&mut conn, org_id, week, SKIPPED, why, claimed_at).await?;
        return Ok(Outcome::Skipped(why.to_string()));
    }
    drop(conn);
    let channel = settings.channel.clone().unwrap_or_default();
    let slack = match crate::surveys::deliver::slack_or_skip(state, &org).await {
        Ok(Some(slack)) => slack,
        Ok(None) => {
            let why = "no Slack bot token (reinstall the app)".to_string();
            let mut conn = state.db.pool().acquire().await.map_err(StoreError::from)?;
            store::set_status(&mut conn, org_id, week, SKIPPED, &why, claimed_at).await?;
            return Ok(Outcome::Skipped(why));
        }
        Err(e) => {
            let why = e.to_string();
            let mut conn = state.db.pool().acquire().await.map_err(StoreError::from)?;
            store::set_status(&mut conn, org_id, week, QUEUED, &why, state.clock.now()).await?;
            return Ok(Outcome::Retry(why));
        }
    };
    let slot = when.last_slot(row.due_at);
    let from = when.previous(&slot).at;
    let delivery = match &state.config.public_url {
        Some(url) => crate::dashboard::Delivery::Public(url.clone()),
        None => crate::dashboard::Delivery::Upload(&slack),
    };
    let board = super::build(
        &state.db,
        org_id,
        &settings,
        "Weekly leaderboard",
        from,
        row.due_at,
        Some(&delivery),
    )
    .await?;
    let message = crate::surveys::body(
        &blocks::leaderboard::board_message(&board),
        &blocks::leaderboard::fallback(&board),
    );
    let now = state.clock.now();
    {
        let mut conn = state.db.pool().acquire().await.map_err(StoreError::from)?;
        if !store::mark_sending(&mut conn, org_id, week, claimed_at, now).await? {
            // Slower than the claim timeout: another worker took over.
            return Ok(Outcome::Taken);
        }
    }
    let posted = crate::surveys::deliver::post_patiently(&slack, &channel, &message).await;
    let now = state.clock.now();
    let mut conn = state.db.pool().acquire().await.map_err(StoreError::from)?;
    match posted {
        Ok((channel, ts)) => {
            store::mark_posted(&mut conn, org_id, week, &channel, &ts, now).await?;
            Ok(Outcome::Posted)
        }
        Err(SlackApiError::Api(code)) if let Some(problem) = channel_gone(&code) => {
            store::set_status(&mut conn, org_id, week, FAILED, &code, now).await?;
            let cause = serde_json::json!({ "slack_error": code });
            pause(&mut conn, org_id, &channel, &code, &cause, now).await?;
            tracing::warn!(org_id = %org_id, code, "leaderboard channel unusable; paused");
            Ok(Outcome::Paused(problem.to_string()))
        }
        Err(SlackApiError::Api(code)) if refused_for_good(&code) => {
            tracing::warn!(org_id = %org_id, code, "Slack refused the leaderboard post");
            store::set_status(&mut conn, org_id, week, FAILED, &code, now).await?;
            Ok(Outcome::Failed(code))
        }
        Err(e) => {
            // Slack did not take it (rate limits waited out, transport
            // trouble): queued again, a later tick retries the same day.
            let why = e.to_string();
            store::set_status(&mut conn, org_id, week, QUEUED, &why, now).await?;
            Ok(Outcome::Retry(why))
        }
    }
}
