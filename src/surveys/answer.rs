//! Survey button listeners. Every click is checked before anything is
//! stored: the org comes from the signed payload, the survey id from the
//! button value is looked up in that org only, and the clicker must be the
//! person asked. A second click, a click after expiry or on someone else's
//! survey changes nothing and gets a polite note.

use blocks::survey::{AiChoice, TOOLS};
use serde_json::json;

use crate::domain::Provider;
use crate::slack::listeners::{Ack, Ctx, ListenerError, ListenerResult, Listeners};
use crate::slack::payload::Interaction;
use crate::store::StoreError;
use crate::store::people::{self, Person};
use crate::store::surveys::{self, Answered, Item, Kind};

/// Registers the survey listeners.
pub fn register(l: &mut Listeners) {
    use blocks::ids::action;
    for c in AiChoice::ALL {
        l.action(c.action_id(), author_answer);
    }
    l.action(action::SURVEY_TOOL, tool_picked);
    for id in action::SURVEY_RATING {
        l.action(id, review_answer);
    }
    l.action(action::SURVEY_GUESS_YES, review_answer);
    l.action(action::SURVEY_GUESS_NO, review_answer);
    l.action(action::SURVEY_OPT_OUT, opt_out);
    l.action(action::SURVEY_OPT_IN, opt_in);
}

const NOT_YOURS: &str = ":wave: This survey was sent to someone else, so your click wasn't recorded. \
    Your own surveys arrive in your DMs with aimpact.";
const UNKNOWN: &str = ":thinking_face: That survey doesn't exist (any more) in this workspace, so nothing was recorded.";
const NOT_MATCHED: &str = ":wave: Your Slack account isn't linked to a GitHub person in aimpact yet, \
    so this click wasn't recorded. An admin can link you under *People* on the aimpact Home tab.";

fn closed_note(item: &Item) -> String {
    format!(
        ":lock: The survey about #{} closed on {}; answers are no longer taken. Thanks anyway!",
        item.pr.number,
        super::closes_text(item)
    )
}

/// `"<id>:<rest>"` from the clicked element; `None` when forged or mangled.
fn value(i: &Interaction) -> Option<(i64, String)> {
    parse_value(i.action.as_ref()?.value.as_deref()?)
}

/// Reads a survey button's value, `"<id>:<rest>"` with a positive id;
/// `None` for anything else (a forged or mangled value).
pub fn parse_value(v: &str) -> Option<(i64, String)> {
    let (id, rest) = v.split_once(':')?;
    if id.len() > 19 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let id: i64 = id.parse().ok().filter(|n| *n > 0)?;
    Some((id, rest.to_string()))
}

fn from_home(i: &Interaction) -> bool {
    i.raw.pointer("/container/type").and_then(|t| t.as_str()) == Some("view")
}

async fn conn(ctx: &Ctx) -> Result<sqlx::pool::PoolConnection<sqlx::Any>, StoreError> {
    Ok(ctx.state.db.pool().acquire().await?)
}

/// The person who clicked; `None` (and a note saying why) when their Slack
/// account is not linked to a person.
async fn clicker(ctx: &Ctx, i: &Interaction) -> Result<Option<Person>, ListenerError> {
    let mut conn = conn(ctx).await?;
    let me = people::find_by_identity(&mut conn, ctx.org.id, Provider::Slack, &i.user_id).await?;
    drop(conn);
    if me.is_none() {
        tell(ctx, i, NOT_MATCHED).await;
    }
    Ok(me)
}

/// A note only the clicker sees, through the payload's `response_url`
/// (messages); on App Home the republished view is the answer.
async fn tell(ctx: &Ctx, i: &Interaction, mrkdwn: &str) {
    let Some(url) = i.response_url.as_deref() else {
        return;
    };
    let surface = blocks::survey::notice(mrkdwn);
    let mut body = serde_json::to_value(&surface).unwrap_or_default();
    if let Some(map) = body.as_object_mut() {
        map.insert("response_type".into(), json!("ephemeral"));
        map.insert("replace_original".into(), json!(false));
        map.insert("text".into(), json!(mrkdwn));
    }
    let job = crate::slack::respond::Respond {
        org: ctx.org.id,
        response_url: url.to_string(),
        message: body,
    };
    if let Err(e) = ctx.state.jobs.enqueue(job).await {
        tracing::warn!(error = %e, "could not queue a survey note");
    }
}

/// Redraws the survey's DM (and the Home tab when clicked there).
async fn redraw(ctx: &Ctx, i: &Interaction, item: &Item) -> Result<(), ListenerError> {
    let now = ctx.state.clock.now();
    let reveal = {
        let mut conn = conn(ctx).await?;
        super::deliver::stored_reveal(&mut conn, ctx.org.id, item, now).await?
    };
    if let (Some(channel), Some(ts)) = (&item.channel, &item.ts) {
        let body = super::body(&super::message(item, now, reveal), &super::fallback(item));
        let slack = ctx.slack().await?;
        super::deliver::update_patiently(&slack, channel, ts, &body).await?;
    }
    if from_home(i) {
        crate::slack::listeners::refresh_home(ctx, &i.user_id).await?;
    }
    Ok(())
}

/// Answers the refusals every survey click shares; `Some(item)` when the
/// click changed something and the caller goes on.
async fn settle(
    ctx: &Ctx,
    i: &Interaction,
    outcome: Answered,
) -> Result<Option<Item>, ListenerError> {
    match outcome {
        Answered::Recorded(item) => Ok(Some(item)),
        Answered::NotFound => {
            tracing::warn!(org_id = %ctx.org.id, "survey click for an unknown survey id");
            tell(ctx, i, UNKNOWN).await;
            Ok(None)
        }
        Answered::NotYours => {
            tracing::warn!(org_id = %ctx.org.id, "survey click by someone it was not sent to");
            tell(ctx, i, NOT_YOURS).await;
            Ok(None)
        }
        Answered::Already(item) => {
            // A double click or a retry: show what is stored, store nothing.
            redraw(ctx, i, &item).await?;
            Ok(None)
        }
        Answered::Closed(item) => {
            redraw(ctx, i, &item).await?;
            tell(ctx, i, &closed_note(&item)).await;
            Ok(None)
        }
    }
}

async fn author_answer(ctx: Ctx, i: Interaction) -> ListenerResult {
    let parsed = value(&i).and_then(|(id, c)| AiChoice::parse(&c).map(|c| (id, c)));
    let Some((id, choice)) = parsed else {
        tell(&ctx, &i, UNKNOWN).await;
        return Ok(Ack::Empty);
    };
    let Some(me) = clicker(&ctx, &i).await? else {
        return Ok(Ack::Empty);
    };
    let now = ctx.state.clock.now();
    let outcome = {
        let mut conn = conn(&ctx).await?;
        surveys::answer_author(
            &mut conn,
            ctx.org.id,
            id,
            me.id,
            super::answer_of(choice),
            now,
        )
        .await?
    };
    let Some(item) = settle(&ctx, &i, outcome).await? else {
        return Ok(Ack::Empty);
    };
    // Reviewers who already answered get their reveal from the job.
    if let Err(e) = ctx
        .state
        .jobs
        .enqueue(super::deliver::DeliverSurveys { org: ctx.org.id })
        .await
    {
        tracing::warn!(error = %e, "could not queue reveals; the next tick will");
    }
    redraw(&ctx, &i, &item).await?;
    Ok(Ack::Empty)
}

async fn tool_picked(ctx: Ctx, i: Interaction) -> ListenerResult {
    let parsed = value(&i).filter(|(_, t)| TOOLS.contains(&t.as_str()));
    let Some((id, tool)) = parsed else {
        tell(&ctx, &i, UNKNOWN).await;
        return Ok(Ack::Empty);
    };
    let Some(me) = clicker(&ctx, &i).await? else {
        return Ok(Ack::Empty);
    };
    let now = ctx.state.clock.now();
    let outcome = {
        let mut conn = conn(&ctx).await?;
        surveys::add_tool(&mut conn, ctx.org.id, id, me.id, &tool, now).await?
    };
    if let Some(item) = settle(&ctx, &i, outcome).await? {
        redraw(&ctx, &i, &item).await?;
    }
    Ok(Ack::Empty)
}

async fn review_answer(ctx: Ctx, i: Interaction) -> ListenerResult {
    let parsed = value(&i).and_then(|(id, v)| match v.as_str() {
        "yes" => Some((id, None, Some(true))),
        "no" => Some((id, None, Some(false))),
        n => n
            .parse::<i64>()
            .ok()
            .filter(|r| (1..=5).contains(r))
            .map(|r| (id, Some(r), None)),
    });
    let Some((id, rating, guess)) = parsed else {
        tell(&ctx, &i, UNKNOWN).await;
        return Ok(Ack::Empty);
    };
    let Some(me) = clicker(&ctx, &i).await? else {
        return Ok(Ack::Empty);
    };
    let now = ctx.state.clock.now();
    let outcome = {
        let mut conn = conn(&ctx).await?;
        surveys::answer_review(&mut conn, ctx.org.id, id, me.id, rating, guess, now).await?
    };
    let Some(item) = settle(&ctx, &i, outcome).await? else {
        return Ok(Ack::Empty);
    };
    if item.status == surveys::SurveyStatus::Answered && item.ai_answer.is_some() {
        // The author answered first: the reveal comes at once, in place.
        let slack = ctx.slack().await?;
        if super::deliver::reveal(&ctx.state, &slack, ctx.org.id, &item, false)
            .await?
            .is_some()
        {
            if from_home(&i) {
                crate::slack::listeners::refresh_home(&ctx, &i.user_id).await?;
            }
            return Ok(Ack::Empty);
        }
    }
    redraw(&ctx, &i, &item).await?;
    Ok(Ack::Empty)
}

/// Turns the clicker's survey DMs off; their unsent surveys are skipped.
/// From a survey message, that message says so.
async fn opt_out(ctx: Ctx, i: Interaction) -> ListenerResult {
    let Some(me) = clicker(&ctx, &i).await? else {
        return Ok(Ack::Empty);
    };
    {
        let mut tx = ctx.state.db.begin_write().await.map_err(StoreError::from)?;
        people::set_survey_opt_out(&mut tx, ctx.org.id, me.id, true).await?;
        surveys::skip_unsent_for(&mut tx, ctx.org.id, me.id).await?;
        tx.commit().await.map_err(StoreError::from)?;
    }
    tracing::info!(org_id = %ctx.org.id, "a person opted out of survey DMs");
    let clicked = i
        .action
        .as_ref()
        .and_then(|a| a.value.as_deref())
        .and_then(|v| v.split_once(':'))
        .and_then(|(k, id)| {
            let kind = match k {
                "author" => Kind::Author,
                "reviewer" => Kind::Reviewer,
                _ => return None,
            };
            id.parse::<i64>().ok().map(|id| (kind, id))
        });
    if let Some((kind, id)) = clicked {
        let item = {
            let mut conn = conn(&ctx).await?;
            surveys::item(&mut conn, ctx.org.id, kind, id).await?
        };
        // Only the clicker's own message is redrawn.
        if let Some(item) = item.filter(|it| it.person == me.id)
            && let (Some(channel), Some(ts)) = (&item.channel, &item.ts)
        {
            let pr = super::pr_line(&item);
            let surface = match kind {
                Kind::Author => blocks::survey::author_message(
                    item.id,
                    &pr,
                    &blocks::survey::AuthorState::OptedOut,
                ),
                Kind::Reviewer => blocks::survey::reviewer_message(
                    item.id,
                    &pr,
                    &blocks::survey::ReviewState {
                        rating: item.rating,
                        guess: item.guess,
                        reveal: None,
                        closes: None,
                        opted_out: true,
                    },
                ),
            };
            let slack = ctx.slack().await?;
            let body = super::body(&surface, "You opted out of survey DMs.");
            super::deliver::update_patiently(&slack, channel, ts, &body).await?;
        }
    }
    if from_home(&i) {
        crate::slack::listeners::refresh_home(&ctx, &i.user_id).await?;
    }
    Ok(Ack::Empty)
}

async fn opt_in(ctx: Ctx, i: Interaction) -> ListenerResult {
    let Some(me) = clicker(&ctx, &i).await? else {
        return Ok(Ack::Empty);
    };
    {
        let mut conn = conn(&ctx).await?;
        people::set_survey_opt_out(&mut conn, ctx.org.id, me.id, false).await?;
    }
    crate::slack::listeners::refresh_home(&ctx, &i.user_id).await?;
    Ok(Ack::Empty)
}
