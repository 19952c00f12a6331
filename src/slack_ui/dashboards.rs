//! Dashboards in Slack: `/metrics` answers (ephemeral, with "Share in
//! channel"), the range and team pickers, and the App Home dashboard.
//! The numbers come from `crate::dashboard`; this module only knows Slack.

use std::time::Duration;

use blocks::Surface;
use blocks::dashboard::{Dashboard, dashboard_home, dashboard_message, shared_message};
use blocks::help::metrics_help;
use serde_json::{Value, json};

use crate::dashboard::grammar::{self, Query, Range, View};
use crate::dashboard::{self as dash, Answer, Delivery};
use crate::domain::{Role, TeamId};
use crate::slack::listeners::{Ack, Ctx, ListenerError, ListenerResult, Listeners};
use crate::slack::payload::{Command, Interaction};
use crate::state::AppState;
use crate::store::orgs::Org;
use crate::store::{StoreError, unix_now};

/// The slash command declared in manifest.yml.
pub const METRICS: &str = "/metrics";

/// Registers the dashboards' listeners: `/metrics`, the range and team
/// pickers (in messages and on App Home) and "Share in channel".
pub fn register(l: &mut Listeners) {
    l.command(METRICS, metrics);
    l.action(blocks::ids::action::METRICS_RANGE, range_picked);
    l.action(blocks::ids::action::METRICS_TEAM, team_picked);
    l.action(blocks::ids::action::METRICS_SHARE, share);
}

/// How long a `/metrics` listener waits for its answer before acknowledging
/// with "working on it" and delivering through `response_url` instead.
const INLINE_BUDGET: Duration = Duration::from_millis(1500);

/// The words of a question, as typed after `/metrics` (for the share
/// button and re-answering with another range).
pub fn question_text(view: &View, range: Range) -> String {
    let view = match view {
        View::Overview => String::new(),
        View::Me => "me".into(),
        View::Team(t) => format!("team {t}"),
        View::Repo(r) => format!("repo {r}"),
        View::Ai(crate::dashboard::grammar::AiOf::Org) => "ai".into(),
        View::Ai(crate::dashboard::grammar::AiOf::Me) => "ai me".into(),
        View::Ai(crate::dashboard::grammar::AiOf::Team(t)) => format!("ai team {t}"),
        View::Jira => "jira".into(),
        View::Copilot => "copilot".into(),
        View::Feedback => "feedback".into(),
        View::Leaderboard => "leaderboard".into(),
        View::LeaderboardOptOut(out) => {
            format!("leaderboard {}", if *out { "optout" } else { "optin" })
        }
        View::Help => "help".into(),
    };
    let range = dash::range_value(range);
    if view.is_empty() {
        range
    } else {
        format!("{view} {range}")
    }
}

fn ephemeral(surface: &Surface, fallback: &str) -> Value {
    let mut body = serde_json::to_value(surface).unwrap_or_else(|_| json!({}));
    if let Some(map) = body.as_object_mut() {
        map.insert("response_type".into(), json!("ephemeral"));
        map.insert("text".into(), json!(fallback));
    }
    body
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The message for an answer: the dashboard with its share button, or a
/// correction with the help under it.
fn answer_message(answer: Answer, query: &Query) -> Value {
    match answer {
        Answer::Dashboard(mut d) => {
            d.share = Some(question_text(&query.view, query.range));
            // The notification text is mrkdwn; the title holds team, person
            // and repository names.
            let fallback = blocks::limits::escape_mrkdwn(&d.title).into_owned();
            ephemeral(&dashboard_message(&d), &fallback)
        }
        Answer::Correction(text) if text.is_empty() => {
            ephemeral(&metrics_help(None), "aimpact /metrics help")
        }
        Answer::Correction(text) => ephemeral(
            &metrics_help(Some(&format!("{text} Here's what I understand:"))),
            "aimpact /metrics help",
        ),
        Answer::Message(surface, fallback) => ephemeral(&surface, &fallback),
        Answer::NotYet(what) => ephemeral(
            &metrics_help(Some(&format!(
                ":hourglass_flowing_sand: {} arrives in a coming release of aimpact. Meanwhile:",
                capitalise(&what)
            ))),
            "aimpact /metrics help",
        ),
    }
}

/// Builds the answer to `query` for `user`, delivering charts the way this
/// install can (public URL, or upload with the bot token).
async fn compute(ctx: &Ctx, user: &str, query: &Query) -> Result<Answer, ListenerError> {
    let role = match crate::slack::roles::resolve(ctx, user).await {
        Ok(role) => role,
        Err(e) => {
            // Slack's admin flags are a bonus; the stored role still answers.
            tracing::warn!(org_id = %ctx.org.id, error = %e, "could not ask Slack for the role");
            crate::slack::roles::without_slack(&ctx.state.db, &ctx.org, user).await?
        }
    };
    let delivery = delivery_for(ctx).await?;
    answer_as(&ctx.state, &ctx.org, user, role, query, &delivery.get()).await
}

/// The answer to `query` for `user` with `role` already decided (no Slack
/// calls but chart uploads): `/metrics`, the preview and `aimpact render`.
pub async fn answer_as(
    state: &AppState,
    org: &Org,
    user: &str,
    role: Role,
    query: &Query,
    delivery: &Delivery<'_>,
) -> Result<Answer, ListenerError> {
    if query.view == View::Leaderboard {
        let surface = crate::leaderboard::so_far(&state.db, org.id, state.clock.now(), delivery)
            .await
            .map_err(|e| ListenerError::Other(e.to_string()))?;
        return Ok(Answer::Message(
            Box::new(surface),
            "The leaderboard this week so far".into(),
        ));
    }
    let viewer = dash::viewer(&state.db, org, user, role).await?;
    if query.view == View::Feedback {
        // The feedback loop's own view (it sits beside the dashboards).
        let period = match dash::period(query.range, state.clock.now()) {
            Ok(p) => p,
            Err(correction) => return Ok(Answer::Correction(correction)),
        };
        let words = dash::range_words(query.range);
        let model = crate::feedback::view::view(state, org, &viewer, period, &words).await?;
        return Ok(Answer::Message(
            Box::new(blocks::feedback::feedback_message(&model)),
            "AI issue reports".into(),
        ));
    }
    dash::answer(state, org, &viewer, query, None, delivery)
        .await
        .map_err(|e| ListenerError::Other(e.to_string()))
}

/// [`answer_as`] as the message Slack would get.
pub async fn message_as(
    state: &AppState,
    org: &Org,
    user: &str,
    role: Role,
    query: &Query,
    delivery: &Delivery<'_>,
) -> Result<Value, ListenerError> {
    Ok(answer_message(
        answer_as(state, org, user, role, query, delivery).await?,
        query,
    ))
}

/// Sends a late answer to `response_url` (a durable job with retries).
async fn respond_later(ctx: &Ctx, response_url: &str, message: Value) -> Result<(), ListenerError> {
    ctx.state
        .jobs
        .enqueue(crate::slack::respond::Respond {
            org: ctx.org.id,
            response_url: response_url.to_string(),
            message,
        })
        .await
        .map_err(|e| ListenerError::Other(e.to_string()))
}

const SORRY: &str = ":warning: Sorry — I couldn't put that dashboard together just now. Please try again in a minute.";

/// `/metrics …`: help and corrections at once; dashboards inside the ack
/// when they are ready within [`INLINE_BUDGET`], else a short "working on
/// it" now and the answer through `response_url`.
pub async fn metrics(ctx: Ctx, cmd: Command) -> ListenerResult {
    let query = match grammar::parse(&cmd.text) {
        Ok(q) if q.view == View::Help => {
            return Ok(Ack::ephemeral(&metrics_help(None), "aimpact /metrics help"));
        }
        Ok(Query {
            view: View::LeaderboardOptOut(out),
            ..
        }) => {
            return crate::leaderboard::settings::opt_out_command(&ctx, &cmd.user_id, out).await;
        }
        Ok(q) => q,
        Err(e) => {
            return Ok(Ack::ephemeral(
                &metrics_help(Some(&format!("{e} Here's what I understand:"))),
                "aimpact /metrics help",
            ));
        }
    };
    let task = {
        let (ctx, user, query) = (ctx.clone(), cmd.user_id.clone(), query.clone());
        tokio::spawn(async move {
            match compute(&ctx, &user, &query).await {
                Ok(answer) => answer_message(answer, &query),
                Err(e) => {
                    tracing::warn!(org_id = %ctx.org.id, error = %e, "dashboard failed");
                    json!({ "response_type": "ephemeral", "text": SORRY })
                }
            }
        })
    };
    let mut task = task;
    match tokio::time::timeout(INLINE_BUDGET, &mut task).await {
        Ok(Ok(message)) => Ok(Ack::Json(message)),
        Ok(Err(e)) => Err(ListenerError::Other(e.to_string())),
        Err(_) => {
            let Some(url) = cmd.response_url.clone() else {
                // Nowhere to answer later: wait (the listener's own budget
                // still bounds this).
                return task
                    .await
                    .map(Ack::Json)
                    .map_err(|e| ListenerError::Other(e.to_string()));
            };
            let late = ctx.clone();
            tokio::spawn(async move {
                if let Ok(message) = task.await
                    && let Err(e) = respond_later(&late, &url, message).await
                {
                    tracing::warn!(org_id = %late.org.id, error = %e, "could not queue the late answer");
                }
            });
            Ok(Ack::Json(json!({
                "response_type": "ephemeral",
                "text": ":hourglass_flowing_sand: Crunching the numbers — your dashboard arrives here in a moment.",
            })))
        }
    }
}

/// The question behind a dashboard message's controls (`block_id`
/// `metrics_controls`, share value = the question's words).
fn message_question(i: &Interaction) -> Option<String> {
    let blocks = i.raw.pointer("/message/blocks")?.as_array()?;
    blocks.iter().find_map(|b| {
        let elements = b.get("elements")?.as_array()?;
        elements.iter().find_map(|e| {
            (e.get("action_id")?.as_str()? == blocks::ids::action::METRICS_SHARE)
                .then(|| e.get("value")?.as_str().map(str::to_string))
                .flatten()
        })
    })
}

fn in_home(i: &Interaction) -> bool {
    i.raw.pointer("/container/type").and_then(Value::as_str) == Some("view")
        || i.raw.pointer("/view/type").and_then(Value::as_str) == Some("home")
}

/// The range picker: re-publishes App Home, or re-answers the message with
/// the new range in place.
pub async fn range_picked(ctx: Ctx, i: Interaction) -> ListenerResult {
    let picked = i
        .action
        .as_ref()
        .and_then(|a| a.value.clone())
        .unwrap_or_default();
    let Ok(range) = grammar::parse(&picked).map(|q| q.range) else {
        return Ok(Ack::Empty);
    };
    if in_home(&i) {
        let mut state =
            HomeState::parse(i.view.as_ref().and_then(|v| v.private_metadata.as_deref()));
        state.range = range;
        spawn_home(ctx, i.user_id.clone(), state);
        return Ok(Ack::Empty);
    }
    let (Some(url), Some(question)) = (i.response_url.clone(), message_question(&i)) else {
        return Ok(Ack::Empty);
    };
    let Ok(mut query) = grammar::parse(&question) else {
        return Ok(Ack::Empty);
    };
    query.range = range;
    tokio::spawn(async move {
        let mut message = match compute(&ctx, &i.user_id, &query).await {
            Ok(answer) => answer_message(answer, &query),
            Err(e) => {
                tracing::warn!(org_id = %ctx.org.id, error = %e, "dashboard failed");
                json!({ "response_type": "ephemeral", "text": SORRY })
            }
        };
        if let Some(map) = message.as_object_mut() {
            map.insert("replace_original".into(), json!(true));
        }
        if let Err(e) = respond_later(&ctx, &url, message).await {
            tracing::warn!(org_id = %ctx.org.id, error = %e, "could not queue the answer");
        }
    });
    Ok(Ack::Empty)
}

/// The team picker (App Home only).
pub async fn team_picked(ctx: Ctx, i: Interaction) -> ListenerResult {
    let picked = i
        .action
        .as_ref()
        .and_then(|a| a.value.clone())
        .unwrap_or_default();
    let mut state = HomeState::parse(i.view.as_ref().and_then(|v| v.private_metadata.as_deref()));
    state.team = picked.parse::<i64>().ok().filter(|t| *t > 0).map(TeamId);
    spawn_home(ctx, i.user_id.clone(), state);
    Ok(Ack::Empty)
}

/// "Share in channel": the same question answered again for the person who
/// clicked (so visibility holds), posted in the channel without per-person
/// tables or controls.
pub async fn share(ctx: Ctx, i: Interaction) -> ListenerResult {
    let question = i
        .action
        .as_ref()
        .and_then(|a| a.value.clone())
        .unwrap_or_default();
    let (Ok(query), Some(url)) = (grammar::parse(&question), i.response_url.clone()) else {
        return Ok(Ack::Empty);
    };
    tokio::spawn(async move {
        let message = match compute(&ctx, &i.user_id, &query).await {
            Ok(Answer::Dashboard(d)) => {
                let mut body = serde_json::to_value(shared_message(&d, &i.user_id))
                    .unwrap_or_else(|_| json!({}));
                if let Some(map) = body.as_object_mut() {
                    map.insert("response_type".into(), json!("in_channel"));
                    map.insert("replace_original".into(), json!(false));
                    map.insert(
                        "text".into(),
                        json!(blocks::limits::escape_mrkdwn(&d.title)),
                    );
                }
                body
            }
            Ok(_) => return,
            Err(e) => {
                tracing::warn!(org_id = %ctx.org.id, error = %e, "share failed");
                json!({ "response_type": "ephemeral", "replace_original": false, "text": SORRY })
            }
        };
        if let Err(e) = respond_later(&ctx, &url, message).await {
            tracing::warn!(org_id = %ctx.org.id, error = %e, "could not queue the share");
        }
    });
    Ok(Ack::Empty)
}

/// What a person chose on their Home tab, kept in the view's
/// `private_metadata` (`r=30d;t=12`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HomeState {
    /// The range.
    pub range: Range,
    /// The team (leads and admins), `None` for all teams / the default.
    pub team: Option<TeamId>,
}

impl HomeState {
    /// Reads stored state; anything unreadable falls back to the defaults.
    pub fn parse(raw: Option<&str>) -> Self {
        let mut state = Self::default();
        for part in raw.unwrap_or_default().split(';') {
            match part.split_once('=') {
                Some(("r", r)) => {
                    if let Ok(q) = grammar::parse(r) {
                        state.range = q.range;
                    }
                }
                Some(("t", t)) => state.team = t.parse::<i64>().ok().filter(|t| *t > 0).map(TeamId),
                _ => {}
            }
        }
        state
    }

    /// The stored form.
    pub fn encode(&self) -> String {
        let mut out = format!("r={}", dash::range_value(self.range));
        if let Some(t) = self.team {
            out.push_str(&format!(";t={}", t.0));
        }
        out
    }
}

fn spawn_home(ctx: Ctx, user: String, state: HomeState) {
    tokio::spawn(async move {
        if let Err(e) = super::home::publish_with(&ctx, &user, state).await {
            tracing::warn!(org_id = %ctx.org.id, error = %e, "could not publish App Home");
        }
    });
}

/// The team picker's options for a viewer: all teams for admins, the
/// teams they lead for leads (with "All teams" first); none for developers.
async fn team_options(
    ctx: &Ctx,
    viewer: &crate::slack::roles::Viewer,
) -> Result<Vec<(String, String)>, StoreError> {
    if viewer.role == Role::Developer {
        return Ok(Vec::new());
    }
    let mut conn = ctx.state.db.pool().acquire().await?;
    let teams = crate::store::teams::list(&mut conn, ctx.org.id).await?;
    let mut options = vec![("All teams".to_string(), "0".to_string())];
    options.extend(
        teams
            .into_iter()
            .filter(|t| viewer.role == Role::Admin || viewer.leads.contains(&t.id))
            .map(|t| (t.name, t.id.0.to_string())),
    );
    Ok(if options.len() > 1 {
        options
    } else {
        Vec::new()
    })
}

/// How this install delivers charts: its public URL, or uploads with the
/// org's bot token.
pub async fn delivery_for(ctx: &Ctx) -> Result<DeliveryOwned, ListenerError> {
    Ok(match &ctx.state.config.public_url {
        Some(url) => DeliveryOwned::Public(url.clone()),
        None => DeliveryOwned::Upload(ctx.slack().await?),
    })
}

/// [`Delivery`] that owns its Slack client.
pub enum DeliveryOwned {
    /// See [`Delivery::Public`].
    Public(url::Url),
    /// See [`Delivery::Upload`].
    Upload(crate::slack::client::OrgSlack),
}

impl DeliveryOwned {
    /// Borrowed form.
    pub fn get(&self) -> Delivery<'_> {
        match self {
            DeliveryOwned::Public(u) => Delivery::Public(u.clone()),
            DeliveryOwned::Upload(s) => Delivery::Upload(s),
        }
    }
}

/// The Home dashboard for `user` with `role` already decided: admins see
/// the org (or a team); leads their team (people included); developers
/// their own numbers. `None` when there is nothing to show yet, so the
/// caller shows the checklist or welcome instead. Makes no Slack calls
/// beyond chart uploads, so the preview can use it.
pub async fn home_dashboard(
    ctx: &Ctx,
    user: &str,
    role: Role,
    state: HomeState,
    delivery: &Delivery<'_>,
) -> Result<Option<Dashboard>, ListenerError> {
    let viewer = dash::viewer(&ctx.state.db, &ctx.org, user, role).await?;
    let team = match (viewer.role, state.team) {
        (Role::Admin, t) => t,
        (Role::Lead, Some(t)) if viewer.leads.contains(&t) => Some(t),
        (Role::Lead, None) if state == HomeState::default() => viewer.leads.first().copied(),
        _ => None,
    };
    let view = match (viewer.role, team, viewer.person) {
        (Role::Developer, _, Some(_)) => View::Me,
        _ => View::Overview,
    };
    let asked = Query {
        view,
        range: state.range,
    };
    let answer = dash::answer(&ctx.state, &ctx.org, &viewer, &asked, team, delivery)
        .await
        .map_err(|e| ListenerError::Other(e.to_string()))?;
    let Answer::Dashboard(mut d) = answer else {
        return Ok(None);
    };
    // Nothing synced yet: admins get the setup checklist, everyone else the
    // welcome (which says when numbers will appear).
    if d.empty.is_some() {
        return Ok(None);
    }
    d.teams = team_options(ctx, &viewer).await?;
    d.team = team.map_or("0".into(), |t| t.0.to_string());
    if let Ok(period) = dash::period(state.range, unix_now()) {
        let facts = dash::ai::facts(
            &ctx.state.db,
            &ctx.org,
            crate::metrics::rollup::Scope::Org,
            period,
        )
        .await
        .map_err(|e| ListenerError::Other(e.to_string()))?;
        if let Some(note) = dash::ai::home_note(&facts, viewer.person) {
            d.notes.insert(0, note);
        }
    }
    Ok(Some(*d))
}

/// Lays out Home: the dashboard with `after` (the admin's checklist) below.
pub fn home_surface(
    d: &Dashboard,
    before: Vec<blocks::Block>,
    after: Vec<blocks::Block>,
    state: HomeState,
) -> Surface {
    let mut before = before;
    if !before.is_empty() {
        before.push(blocks::Block::divider());
    }
    let s = dashboard_home(before, d, after);
    s.clone().with_private_metadata(state.encode()).unwrap_or(s)
}
