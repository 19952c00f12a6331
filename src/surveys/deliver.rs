//! `surveys.deliver`: posts an org's due survey DMs, the one reminder,
//! closes expired surveys and sends reveals.
//!
//! - **One lane per person**: a person's DMs go out one after another
//!   (Slack allows about one message a second per channel), different
//!   people's in parallel, so a fan-out takes as long as Slack's limits
//!   make necessary and no longer.
//! - **Exactly once**: each message is claimed with a conditional update
//!   before it is posted; a racing worker's claim fails and it moves on.
//!   A worker that dies between claim and post leaves a claim that is taken
//!   again after ten minutes.
//! - **Nobody lost**: on 429 the lane waits `Retry-After` and continues;
//!   other failures put the message back in the queue for a minute later
//!   (the scheduler's tick runs this job again), and only Slack's
//!   permanent refusals (user gone, DMs closed) end it as failed.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use apalis::prelude::BoxDynError;
use blocks::survey::Reveal;
use futures::StreamExt;

use super::schedule::{OPEN_FOR, is_working_time, next_working_time};
use crate::domain::OrgId;
use crate::slack::client::{OrgSlack, SlackApiError};
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::orgs;
use crate::store::surveys::{self, GiveUp, Item, Kind, Posted, Settings, SurveyStatus};

pub use crate::jobs::kinds::DeliverSurveys;

/// Scheduler key: the tick runs delivery at most once a minute per org.
pub const TASK: &str = "surveys.deliver";
/// People messaged at once.
pub const LANES: usize = 512;
/// Due questions taken per pass, author and reviewer together: a fan-out
/// of thousands goes out in one pass, each person's lane whole (a second
/// pass would wait for the slowest lane of the first).
const SENDS_PER_PASS: i64 = 4_000;

/// How long one message may wait out Slack's rate limits before it is put
/// back in the queue: well inside a claim's life
/// ([`surveys::CLAIM_STALE_SECS`]), so no other worker takes a claim whose
/// owner is still waiting.
const MAX_RATE_WAIT: Duration = Duration::from_secs(300);
/// Survey DMs carry this message metadata (with `survey` = `kind:id`), so a
/// send interrupted between posting and recording is found, not repeated.
pub const METADATA_EVENT: &str = "aimpact_survey";
/// A message Slack could not take is retried this much later.
const RETRY_AFTER_SECS: i64 = 60;
/// Reveals count guesses from this far back.
pub const ACCURACY_WINDOW: i64 = 30 * 86_400;

/// What one delivery run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    /// DMs posted.
    pub sent: usize,
    /// Put back (quiet hours began, or Slack could not take it now).
    pub postponed: usize,
    /// Not sent: opted out, unmatched, or surveys turned off.
    pub skipped: usize,
    /// Slack refused for good.
    pub failed: usize,
    /// Claimed by another worker first.
    pub taken: usize,
    /// Reminders posted.
    pub reminded: usize,
    /// Surveys closed.
    pub expired: usize,
    /// Reveals sent.
    pub revealed: usize,
}

impl Report {
    fn add(&mut self, o: Outcome) {
        match o {
            Outcome::Sent => self.sent += 1,
            Outcome::Postponed => self.postponed += 1,
            Outcome::Skipped => self.skipped += 1,
            Outcome::Failed => self.failed += 1,
            Outcome::Taken => self.taken += 1,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Sent,
    Postponed,
    Skipped,
    Failed,
    Taken,
}

/// Why a run stopped early (the job is retried).
#[derive(Debug, thiserror::Error)]
pub enum DeliverError {
    /// Storage.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No usable Slack client for the org.
    #[error("Slack: {0}")]
    Slack(String),
}

/// The job handler.
#[tracing::instrument(skip_all, fields(org_id = %job.org), err(level = "warn"))]
pub async fn run(job: DeliverSurveys, ctx: crate::state::AppState) -> Result<(), BoxDynError> {
    let report = deliver(&ctx, job.org).await?;
    if report != Report::default() {
        tracing::info!(?report, "survey delivery");
    }
    Ok(())
}

/// Slack errors no retry will fix.
fn permanent(code: &str) -> bool {
    matches!(
        code,
        "user_not_found"
            | "channel_not_found"
            | "account_inactive"
            | "user_disabled"
            | "cannot_dm_bot"
            | "messages_tab_disabled"
            | "is_archived"
            | "restricted_action"
            | "invalid_blocks"
            | "not_allowed_token_type"
    )
}

/// Posts `message` to `channel`, waiting out rate limits.
pub async fn post_patiently(
    slack: &OrgSlack,
    channel: &str,
    message: &serde_json::Value,
) -> Result<(String, String), SlackApiError> {
    let started = Instant::now();
    loop {
        match slack.post_message(channel, message).await {
            Err(SlackApiError::RateLimited(after)) if started.elapsed() < MAX_RATE_WAIT => {
                let wait = after
                    .unwrap_or(Duration::from_secs(1))
                    .max(Duration::from_millis(100));
                tracing::debug!(
                    wait_ms = wait.as_millis() as u64,
                    "Slack rate limit; waiting"
                );
                tokio::time::sleep(wait).await;
            }
            other => return other,
        }
    }
}

/// Replaces a message, waiting out rate limits.
pub async fn update_patiently(
    slack: &OrgSlack,
    channel: &str,
    ts: &str,
    message: &serde_json::Value,
) -> Result<(), SlackApiError> {
    let started = Instant::now();
    loop {
        match slack.update_message(channel, ts, message).await {
            Err(SlackApiError::RateLimited(after)) if started.elapsed() < MAX_RATE_WAIT => {
                tokio::time::sleep(after.unwrap_or(Duration::from_secs(1))).await;
            }
            other => return other,
        }
    }
}

/// One delivery pass for the org at the app clock's now.
pub async fn deliver(state: &AppState, org_id: OrgId) -> Result<Report, DeliverError> {
    let mut conn = state.db.pool().acquire().await.map_err(StoreError::from)?;
    let org = orgs::get(&mut conn, org_id).await?;
    if org.uninstalled_at.is_some() {
        return Ok(Report::default());
    }
    let settings = surveys::settings(&mut conn, org_id).await?;
    drop(conn);
    let Some(slack) = slack_or_skip(state, &org).await? else {
        return Ok(Report::default());
    };
    let mut report = Report::default();
    loop {
        let now = state.clock.now();
        let due = {
            let mut conn = state.db.pool().acquire().await.map_err(StoreError::from)?;
            surveys::due_sends(&mut conn, org_id, now, SENDS_PER_PASS).await?
        };
        if due.is_empty() {
            break;
        }
        let mut lanes: BTreeMap<String, Vec<Item>> = BTreeMap::new();
        for item in due {
            let lane = item
                .slack_user
                .clone()
                .unwrap_or_else(|| format!("person:{}", item.person.0));
            lanes.entry(lane).or_default().push(item);
        }
        let before = report;
        let outcomes: Vec<Vec<Outcome>> = futures::stream::iter(
            lanes
                .into_values()
                .map(|lane| send_lane(state, &slack, org_id, &settings, lane)),
        )
        .buffer_unordered(LANES)
        .collect()
        .await;
        for o in outcomes.into_iter().flatten() {
            report.add(o);
        }
        if report.sent == before.sent
            && report.skipped == before.skipped
            && report.failed == before.failed
        {
            // Everything left was postponed or taken by another worker.
            break;
        }
    }
    let now = state.clock.now();
    if settings.reminders {
        report.reminded = remind(state, &slack, org_id, now).await?;
    }
    report.expired = expire(state, &slack, org_id, now).await?;
    let due = {
        let mut conn = state.db.pool().acquire().await.map_err(StoreError::from)?;
        surveys::due_reveals(&mut conn, org_id).await?
    };
    for item in due {
        if reveal(state, &slack, org_id, &item, true).await?.is_some() {
            report.revealed += 1;
        }
    }
    Ok(report)
}

/// The org's Slack client; `None` (nothing to retry) when the workspace
/// has no bot token: surveys wait in the queue until it is reinstalled.
pub async fn slack_or_skip(
    state: &AppState,
    org: &orgs::Org,
) -> Result<Option<OrgSlack>, DeliverError> {
    let slack = crate::slack::client::for_org_if_installed(state, org)
        .await
        .map_err(|e| DeliverError::Slack(e.to_string()))?;
    if slack.is_none() {
        tracing::info!(org_id = %org.id, "no Slack bot token; survey delivery waits for a reinstall");
    }
    Ok(slack)
}

async fn send_lane(
    state: &AppState,
    slack: &OrgSlack,
    org: OrgId,
    settings: &Settings,
    lane: Vec<Item>,
) -> Vec<Outcome> {
    let mut out = Vec::with_capacity(lane.len());
    for item in lane {
        let outcome = match send_one(state, slack, org, settings, item).await {
            Ok(o) => o,
            Err(e) => {
                tracing::warn!(error = %e, "survey send failed; it stays queued");
                Outcome::Postponed
            }
        };
        out.push(outcome);
    }
    out
}

async fn send_one(
    state: &AppState,
    slack: &OrgSlack,
    org: OrgId,
    settings: &Settings,
    item: Item,
) -> Result<Outcome, StoreError> {
    let now = state.clock.now();
    let kind = item.kind;
    // A claim taken over from a worker that stopped mid-send: it may have
    // posted before it could record.
    let reclaimed = item.status == SurveyStatus::Sending;
    {
        let mut conn = state.db.pool().acquire().await?;
        if !surveys::claim(&mut conn, org, kind, item.id, now).await? {
            return Ok(Outcome::Taken);
        }
        if item.slack_user.is_none() {
            // Unmatched since it was due (a mapping removed): it waits for
            // a match again instead of being dropped.
            surveys::postpone(&mut conn, org, kind, item.id, now).await?;
            return Ok(Outcome::Postponed);
        }
        let skip = if !settings.enabled {
            Some("surveys turned off")
        } else if item.opted_out {
            Some("opted out")
        } else {
            None
        };
        if let Some(why) = skip {
            surveys::give_up(&mut conn, org, kind, item.id, GiveUp::Skip, why).await?;
            return Ok(Outcome::Skipped);
        }
        if !is_working_time(now, item.time_zone.as_deref()) {
            let later = next_working_time(now, item.time_zone.as_deref());
            surveys::postpone(&mut conn, org, kind, item.id, later).await?;
            return Ok(Outcome::Postponed);
        }
    }
    let user = item.slack_user.clone().unwrap_or_default();
    let key = metadata_key(kind, item.id);
    if reclaimed {
        match already_posted(slack, &user, &key).await {
            Ok(Some((channel, ts))) => {
                tracing::info!(
                    ?kind,
                    "an interrupted survey send had posted; recorded, not repeated"
                );
                let posted = Posted {
                    channel,
                    ts,
                    at: now,
                    expires_at: now + OPEN_FOR,
                };
                let mut conn = state.db.pool().acquire().await?;
                surveys::mark_sent(&mut conn, org, kind, item.id, &posted).await?;
                return Ok(Outcome::Sent);
            }
            Ok(None) => {}
            Err(e) => {
                // Cannot tell whether it went out: wait rather than ask twice.
                tracing::warn!(error = %e, ?kind, "could not check the DM for an interrupted send; retrying later");
                let mut conn = state.db.pool().acquire().await?;
                surveys::postpone(&mut conn, org, kind, item.id, now + RETRY_AFTER_SECS).await?;
                return Ok(Outcome::Postponed);
            }
        }
    }
    let shown = Item {
        status: SurveyStatus::Sent,
        sent_at: Some(now),
        expires_at: Some(now + OPEN_FOR),
        ..item.clone()
    };
    let mut message = super::body(&super::message(&shown, now, None), &super::fallback(&item));
    if let Some(map) = message.as_object_mut() {
        map.insert(
            "metadata".into(),
            serde_json::json!({ "event_type": METADATA_EVENT, "event_payload": { "survey": key } }),
        );
    }
    let posted = post_patiently(slack, &user, &message).await;
    let mut conn = state.db.pool().acquire().await?;
    match posted {
        Ok((channel, ts)) => {
            let posted = Posted {
                channel,
                ts,
                at: now,
                expires_at: now + OPEN_FOR,
            };
            surveys::mark_sent(&mut conn, org, kind, item.id, &posted).await?;
            Ok(Outcome::Sent)
        }
        Err(SlackApiError::Api(code)) if permanent(&code) => {
            tracing::warn!(code, ?kind, "Slack refused a survey DM for good");
            surveys::give_up(&mut conn, org, kind, item.id, GiveUp::Fail, &code).await?;
            Ok(Outcome::Failed)
        }
        Err(e) => {
            tracing::warn!(error = %e, ?kind, "survey DM not posted; retrying in a minute");
            surveys::postpone(&mut conn, org, kind, item.id, now + RETRY_AFTER_SECS).await?;
            Ok(Outcome::Postponed)
        }
    }
}

/// The metadata value that names one survey message.
fn metadata_key(kind: surveys::Kind, id: i64) -> String {
    match kind {
        surveys::Kind::Author => format!("author:{id}"),
        surveys::Kind::Reviewer => format!("reviewer:{id}"),
    }
}

/// The DM channel and ts of the survey message `key`, if it was posted.
async fn already_posted(
    slack: &OrgSlack,
    user: &str,
    key: &str,
) -> Result<Option<(String, String)>, SlackApiError> {
    let channel = slack.open_dm(user).await?;
    let ts = slack
        .find_by_metadata(&channel, METADATA_EVENT, "survey", key)
        .await?;
    Ok(ts.map(|ts| (channel, ts)))
}

/// A message body posted as a reply in the thread of `ts`.
fn in_thread(mut body: serde_json::Value, ts: &str) -> serde_json::Value {
    if let Some(map) = body.as_object_mut() {
        map.insert("thread_ts".into(), serde_json::json!(ts));
    }
    body
}

async fn remind(
    state: &AppState,
    slack: &OrgSlack,
    org: OrgId,
    now: i64,
) -> Result<usize, StoreError> {
    let due = {
        let mut conn = state.db.pool().acquire().await?;
        surveys::due_reminders(&mut conn, org, now).await?
    };
    let mut n = 0;
    for item in due {
        let (Some(channel), Some(ts)) = (&item.channel, &item.ts) else {
            continue;
        };
        // Reminders wait for working hours like the surveys themselves.
        if item.opted_out || !is_working_time(now, item.time_zone.as_deref()) {
            continue;
        }
        {
            let mut conn = state.db.pool().acquire().await?;
            if !surveys::claim_reminder(&mut conn, org, item.kind, item.id, now).await? {
                continue;
            }
        }
        let surface =
            blocks::survey::reminder_message(&super::pr_line(&item), &super::closes_text(&item));
        let body = in_thread(
            super::body(&surface, &format!("Reminder: {}", super::fallback(&item))),
            ts,
        );
        match post_patiently(slack, channel, &body).await {
            Ok(_) => n += 1,
            // At most once: a reminder is a nudge, not worth a second try.
            Err(e) => tracing::warn!(error = %e, "survey reminder not posted"),
        }
    }
    Ok(n)
}

async fn expire(
    state: &AppState,
    slack: &OrgSlack,
    org: OrgId,
    now: i64,
) -> Result<usize, StoreError> {
    let due = {
        let mut conn = state.db.pool().acquire().await?;
        surveys::due_expiries(&mut conn, org, now).await?
    };
    let mut n = 0;
    for item in due {
        {
            let mut conn = state.db.pool().acquire().await?;
            if !surveys::expire(&mut conn, org, item.kind, item.id, now).await? {
                continue;
            }
        }
        n += 1;
        let (Some(channel), Some(ts)) = (&item.channel, &item.ts) else {
            continue;
        };
        let closed = Item {
            status: SurveyStatus::Expired,
            ..item.clone()
        };
        let body = super::body(&super::message(&closed, now, None), "This survey closed.");
        if let Err(e) = update_patiently(slack, channel, ts, &body).await {
            tracing::warn!(error = %e, "closed survey message not updated");
        }
    }
    Ok(n)
}

/// The reveal of a reviewer survey both sides answered: recorded once
/// (whether the guess was right), then the reviewer's message is updated
/// to show it and, when `notify`, it is also posted in the message's
/// thread so they hear about it. `None` when there is nothing (new) to
/// reveal.
pub async fn reveal(
    state: &AppState,
    slack: &OrgSlack,
    org: OrgId,
    item: &Item,
    notify: bool,
) -> Result<Option<Reveal>, StoreError> {
    let (Some(answer), Some(guess)) = (item.ai_answer, item.guess) else {
        return Ok(None);
    };
    let now = state.clock.now();
    let correct = guess == answer.is_ai_assisted();
    let mut conn = state.db.pool().acquire().await?;
    if !surveys::claim_reveal(&mut conn, org, item.id, correct, now).await? {
        return Ok(None);
    }
    let (correct_30d, revealed_30d) =
        surveys::accuracy(&mut conn, org, item.person, now - ACCURACY_WINDOW).await?;
    drop(conn);
    let reveal = Reveal {
        author: item.pr.author_name.clone(),
        answer: super::choice(answer),
        guessed_ai: guess,
        correct,
        correct_30d,
        revealed_30d,
    };
    if let (Some(channel), Some(ts)) = (&item.channel, &item.ts) {
        let revealed = Item {
            guess_correct: Some(correct),
            revealed_at: Some(now),
            ..item.clone()
        };
        let body = super::body(
            &super::message(&revealed, now, Some(reveal.clone())),
            "AI Detective reveal",
        );
        if let Err(e) = update_patiently(slack, channel, ts, &body).await {
            tracing::warn!(error = %e, "reveal: survey message not updated");
        }
        if notify {
            let surface = blocks::survey::reveal_message(&super::pr_line(item), &reveal);
            let body = in_thread(super::body(&surface, "AI Detective reveal"), ts);
            if let Err(e) = post_patiently(slack, channel, &body).await {
                tracing::warn!(error = %e, "reveal not posted in the thread");
            }
        }
    }
    Ok(Some(reveal))
}

/// The reveal of an already revealed reviewer survey, to draw it again.
pub async fn stored_reveal(
    conn: &mut sqlx::AnyConnection,
    org: OrgId,
    item: &Item,
    now: i64,
) -> Result<Option<Reveal>, StoreError> {
    let (Some(answer), Some(guess), Some(correct), Some(_)) = (
        item.ai_answer,
        item.guess,
        item.guess_correct,
        item.revealed_at,
    ) else {
        return Ok(None);
    };
    if item.kind != Kind::Reviewer {
        return Ok(None);
    }
    let (correct_30d, revealed_30d) =
        surveys::accuracy(conn, org, item.person, now - ACCURACY_WINDOW).await?;
    Ok(Some(Reveal {
        author: item.pr.author_name.clone(),
        answer: super::choice(answer),
        guessed_ai: guess,
        correct,
        correct_30d,
        revealed_30d,
    }))
}
