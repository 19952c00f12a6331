//! The feedback loop in Slack: the "Report AI issue" form opened from the
//! message shortcut, App Home, a survey DM's button, or a `:warning:`
//! reaction on a survey DM; the PR search; storing a submitted report with
//! a thank-you DM; and thread replies to that DM added to the report.

use blocks::feedback::{CATEGORIES, PrChoice, REPORT_REACTION, ReportForm, TEXT_MAX};
use blocks::ids::{action, callback, input};
use blocks::survey::TOOLS;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::Source;
use crate::domain::{Provider, PullRequestId};
use crate::slack::listeners::{Ack, Ctx, ListenerError, ListenerResult, Listeners};
use crate::slack::payload::{Event, Interaction};
use crate::store::feedback::{self as store, NewReport};
use crate::store::pull_requests::{self, PrRef};
use crate::store::surveys::{self, Kind};
use crate::store::{StoreError, people};

/// PRs offered per search.
const OPTIONS_MAX: i64 = 50;

/// Registers the feedback loop's listeners.
pub fn register(l: &mut Listeners) {
    l.shortcut(callback::REPORT_AI_ISSUE, shortcut);
    l.action(action::FEEDBACK_REPORT, button);
    l.options(input::FEEDBACK_PR_VALUE, pr_options);
    l.view(callback::REPORT_AI_ISSUE, submitted);
    l.event("message", thread_reply);
    l.event("reaction_added", reaction);
    l.action(action::FEEDBACK_SHIP, ship_clicked);
    l.view(callback::FEEDBACK_SHIP, ship_submitted);
}

/// "Open pull request" on a suggested rule (admins): the modal to choose
/// the repository.
async fn ship_clicked(ctx: Ctx, i: Interaction) -> ListenerResult {
    use crate::domain::Role;
    if crate::slack::roles::resolve(&ctx, &i.user_id).await? != Role::Admin {
        return Ok(Ack::Empty);
    }
    let Some(id) = i
        .action
        .as_ref()
        .and_then(|a| a.value.as_deref())
        .and_then(|v| v.parse::<i64>().ok())
    else {
        return Ok(Ack::Empty);
    };
    let (suggestion, repos) = {
        let mut conn = ctx
            .state
            .db
            .pool()
            .acquire()
            .await
            .map_err(StoreError::from)?;
        let suggestion = store::suggestion(&mut conn, ctx.org.id, id).await?;
        let repos = crate::store::repositories::list(&mut conn, ctx.org.id).await?;
        (suggestion, repos)
    };
    let Some(suggestion) = suggestion else {
        return Ok(Ack::Empty);
    };
    let choices: Vec<(String, String)> = repos
        .iter()
        .filter(|r| r.is_tracked)
        .map(|r| (r.full_name.clone(), r.id.0.to_string()))
        .collect();
    let chosen = repos
        .iter()
        .find(|r| Some(&r.full_name) == suggestion.repository.as_ref())
        .map(|r| r.id.0.to_string())
        .unwrap_or_default();
    let trigger = i
        .trigger_id
        .as_deref()
        .ok_or_else(|| ListenerError::Other("ship without trigger_id".into()))?;
    let view = serde_json::to_value(blocks::feedback::ship_modal(
        suggestion.id,
        &suggestion.rule,
        &choices,
        &chosen,
    ))
    .map_err(|e| ListenerError::Other(e.to_string()))?;
    ctx.slack().await?.views_open(trigger, &view).await?;
    Ok(Ack::Empty)
}

/// The ship modal submitted: checked against the workspace, then the pull
/// request is opened in the background and the admin gets a DM with it.
async fn ship_submitted(ctx: Ctx, i: Interaction) -> ListenerResult {
    use crate::domain::Role;
    if i.kind == crate::slack::payload::InteractionKind::ViewClosed {
        return Ok(Ack::Empty);
    }
    if crate::slack::roles::resolve(&ctx, &i.user_id).await? != Role::Admin {
        return Ok(Ack::field_error(
            input::FEEDBACK_SHIP_REPO,
            "Only an aimpact admin can ship rules.",
        ));
    }
    let id = i
        .view
        .as_ref()
        .and_then(|v| v.private_metadata.as_deref())
        .and_then(|m| m.parse::<i64>().ok());
    let repo = selected(
        &i,
        input::FEEDBACK_SHIP_REPO,
        input::FEEDBACK_SHIP_REPO_VALUE,
    )
    .and_then(|v| v.parse::<i64>().ok());
    let (suggestion, repository) = {
        let mut conn = ctx
            .state
            .db
            .pool()
            .acquire()
            .await
            .map_err(StoreError::from)?;
        let suggestion = match id {
            Some(id) => store::suggestion(&mut conn, ctx.org.id, id).await?,
            None => None,
        };
        let repository = crate::store::repositories::list(&mut conn, ctx.org.id)
            .await?
            .into_iter()
            .find(|r| Some(r.id.0) == repo);
        (suggestion, repository)
    };
    let Some(suggestion) = suggestion else {
        return Ok(Ack::field_error(
            input::FEEDBACK_SHIP_REPO,
            "This suggestion is not in this workspace.",
        ));
    };
    let Some(repository) = repository else {
        return Ok(Ack::field_error(
            input::FEEDBACK_SHIP_REPO,
            "Choose one of this workspace's repositories.",
        ));
    };
    let user = i.user_id.clone();
    tokio::spawn(async move {
        let said = ship(&ctx, &suggestion, &repository.full_name).await;
        let message = crate::surveys::body(&blocks::feedback::shipped_dm(&said), &said);
        match ctx.slack().await {
            Ok(slack) => {
                if let Err(e) = slack.post_message(&user, &message).await {
                    tracing::warn!(error = %e, "could not tell an admin about a shipped rule");
                }
            }
            Err(e) => tracing::warn!(error = %e, "no Slack client to tell about a shipped rule"),
        }
    });
    Ok(Ack::Empty)
}

/// Opens the pull request; what to tell the admin.
async fn ship(ctx: &Ctx, suggestion: &store::StoredSuggestion, repo: &str) -> String {
    use super::ship::{ShipError, Shipped, open_pull_request};
    let repo_shown = blocks::limits::escape_mrkdwn(repo).into_owned();
    let client = match crate::github::connect::client_for(
        &ctx.state.db,
        &ctx.state.keys,
        &ctx.state.config.github,
        ctx.org.id,
    )
    .await
    {
        Ok(Some((client, _))) => client,
        Ok(None) => return "GitHub is not connected, so the rule could not be shipped. Connect it from App Home.".into(),
        Err(e) => {
            tracing::warn!(org_id = %ctx.org.id, error = %e, "no GitHub client to ship a rule");
            return "GitHub could not be reached; the rule was not shipped. Try again in a few minutes.".into();
        }
    };
    let rules = [super::files::Rule {
        text: suggestion.rule.clone(),
        evidence: suggestion.evidence.clone(),
    }];
    let stamp = format!("{}-{}", suggestion.id, ctx.state.clock.now());
    match open_pull_request(&client, repo, &rules, &stamp).await {
        Ok(Shipped::Opened { url, files, .. }) => {
            if let Ok(mut conn) = ctx.state.db.pool().acquire().await
                && let Err(e) =
                    store::mark_shipped(&mut conn, ctx.org.id, suggestion.id, &url).await
            {
                tracing::warn!(error = %e, "could not record a shipped rule");
            }
            format!(
                ":rocket: The rule is in a pull request on {repo_shown}: <{}|review and merge it>. It changes {} file{}.",
                url.replace(['<', '>', '|'], ""),
                files.len(),
                if files.len() == 1 { "" } else { "s" }
            )
        }
        Ok(Shipped::UpToDate) => {
            format!(":white_check_mark: {repo_shown} already has this rule in its agent files.")
        }
        Err(e @ ShipError::NoWriteAccess(_)) => format!(
            ":warning: {}.",
            blocks::limits::escape_mrkdwn(&e.to_string())
        ),
        Err(e) => {
            tracing::warn!(org_id = %ctx.org.id, error = %e, "shipping a rule failed");
            format!(
                ":warning: GitHub did not accept the change on {repo_shown}; it has been logged. Try again later."
            )
        }
    }
}

/// What the modal carries to its submission. Only `source` is trusted as
/// given (a label); the PR is checked again against the org on submit.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Metadata {
    source: String,
}

fn metadata(source: Source) -> String {
    serde_json::to_string(&Metadata {
        source: source.as_str().into(),
    })
    .unwrap_or_default()
}

async fn open_form(ctx: &Ctx, i: &Interaction, form: ReportForm) -> ListenerResult {
    let trigger = i
        .trigger_id
        .as_deref()
        .ok_or_else(|| ListenerError::Other("report without trigger_id".into()))?;
    let view = serde_json::to_value(blocks::feedback::report_modal(&form))
        .map_err(|e| ListenerError::Other(e.to_string()))?;
    ctx.slack().await?.views_open(trigger, &view).await?;
    Ok(Ack::Empty)
}

fn choice(pr: &PrRef) -> PrChoice {
    PrChoice {
        label: pr.label(),
        value: pr.id.0.to_string(),
    }
}

/// "Report AI issue" on a message: the form, with the PR the message links
/// prefilled when it is one of this workspace's.
async fn shortcut(ctx: Ctx, i: Interaction) -> ListenerResult {
    let text = i
        .raw
        .pointer("/message/text")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let pr = super::linked_pr(&ctx.state, ctx.org.id, text).await?;
    let form = ReportForm {
        pr: pr.as_ref().map(choice),
        tool: None,
        metadata: metadata(Source::Shortcut),
    };
    open_form(&ctx, &i, form).await
}

/// The survey a button or reaction is about, when it is the clicker's own:
/// its PR and the tool the author named.
async fn survey_context(
    ctx: &Ctx,
    user: &str,
    value: &str,
) -> Result<(Option<PrRef>, Option<String>), ListenerError> {
    let (kind, id) = match value.split_once(':') {
        Some(("author", id)) => (Kind::Author, id),
        Some(("reviewer", id)) => (Kind::Reviewer, id),
        _ => return Ok((None, None)),
    };
    let Ok(id) = id.parse::<i64>() else {
        return Ok((None, None));
    };
    let mut conn = ctx
        .state
        .db
        .pool()
        .acquire()
        .await
        .map_err(StoreError::from)?;
    let me = people::find_by_identity(&mut conn, ctx.org.id, Provider::Slack, user).await?;
    let Some(item) = surveys::item(&mut conn, ctx.org.id, kind, id).await? else {
        return Ok((None, None));
    };
    if me.map(|p| p.id) != Some(item.person) {
        // Someone else's survey (a forged value): the form opens empty.
        return Ok((None, None));
    }
    let pr = pull_requests::by_link(
        &mut conn,
        ctx.org.id,
        &item.pr.owner,
        &item.pr.repo,
        item.pr.number,
    )
    .await?;
    let tool = match kind {
        Kind::Author => item.ai_tools.first().cloned(),
        Kind::Reviewer => None,
    };
    Ok((pr, tool))
}

/// The "Report AI issue" button: `home`, or `author:<id>` / `reviewer:<id>`
/// on a survey DM (`…:reaction` after a reaction's nudge).
async fn button(ctx: Ctx, i: Interaction) -> ListenerResult {
    let value = i
        .action
        .as_ref()
        .and_then(|a| a.value.clone())
        .unwrap_or_default();
    let (source, survey) = match value.as_str() {
        "home" => (Source::Home, None),
        v => match v.strip_suffix(":reaction") {
            Some(s) => (Source::Reaction, Some(s.to_string())),
            None => (Source::Survey, Some(v.to_string())),
        },
    };
    let (pr, tool) = match survey {
        Some(s) => survey_context(&ctx, &i.user_id, &s).await?,
        None => (None, None),
    };
    let form = ReportForm {
        pr: pr.as_ref().map(choice),
        tool,
        metadata: metadata(source),
    };
    open_form(&ctx, &i, form).await
}

/// The PR search: the workspace's recent PRs matching what is typed.
async fn pr_options(ctx: Ctx, i: Interaction) -> ListenerResult {
    let query = i
        .action
        .as_ref()
        .and_then(|a| a.value.clone())
        .unwrap_or_default();
    let query: String = query.chars().take(100).collect();
    let mut conn = ctx
        .state
        .db
        .pool()
        .acquire()
        .await
        .map_err(StoreError::from)?;
    let prs = pull_requests::search(&mut conn, ctx.org.id, &query, OPTIONS_MAX).await?;
    let options: Vec<Value> = prs
        .iter()
        .map(|p| {
            serde_json::to_value(blocks::kit::OptionObject::new(
                &p.label(),
                p.id.0.to_string(),
            ))
            .unwrap_or(Value::Null)
        })
        .collect();
    Ok(Ack::Json(json!({ "options": options })))
}

fn selected(i: &Interaction, block: &str, action_id: &str) -> Option<String> {
    i.raw
        .pointer(&format!(
            "/view/state/values/{block}/{action_id}/selected_option/value"
        ))
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// A submitted report: checked, stored, thanked for; the PR's languages are
/// fetched in the background.
async fn submitted(ctx: Ctx, i: Interaction) -> ListenerResult {
    if i.kind == crate::slack::payload::InteractionKind::ViewClosed {
        return Ok(Ack::Empty);
    }
    let category = selected(&i, input::FEEDBACK_CATEGORY, input::FEEDBACK_CATEGORY_VALUE)
        .filter(|c| CATEGORIES.iter().any(|(v, _)| v == c));
    let Some(category) = category else {
        return Ok(Ack::field_error(
            input::FEEDBACK_CATEGORY,
            "Choose what went wrong.",
        ));
    };
    let tool = selected(&i, input::FEEDBACK_TOOL, input::FEEDBACK_TOOL_VALUE);
    if tool.as_deref().is_some_and(|t| !TOOLS.contains(&t)) {
        return Ok(Ack::field_error(
            input::FEEDBACK_TOOL,
            "Choose a tool from the list.",
        ));
    }
    let description =
        crate::slack::modal::value(&i, input::FEEDBACK_TEXT, input::FEEDBACK_TEXT_VALUE);
    if description.is_empty() {
        return Ok(Ack::field_error(
            input::FEEDBACK_TEXT,
            "Say in a sentence or two what happened.",
        ));
    }
    if description.chars().count() > TEXT_MAX {
        return Ok(Ack::field_error(
            input::FEEDBACK_TEXT,
            &format!("Keep it under {TEXT_MAX} characters."),
        ));
    }
    let pr = match selected(&i, input::FEEDBACK_PR, input::FEEDBACK_PR_VALUE) {
        None => None,
        Some(v) => match v.parse::<i64>() {
            Ok(id) => Some(PullRequestId(id)),
            Err(_) => {
                return Ok(Ack::field_error(
                    input::FEEDBACK_PR,
                    "Choose a pull request from the list.",
                ));
            }
        },
    };
    let source = i
        .view
        .as_ref()
        .and_then(|v| v.private_metadata.as_deref())
        .and_then(|m| serde_json::from_str::<Metadata>(m).ok())
        .and_then(|m| Source::parse(&m.source))
        .unwrap_or(Source::Shortcut);
    let (id, pr_ref) = {
        let mut conn = ctx
            .state
            .db
            .pool()
            .acquire()
            .await
            .map_err(StoreError::from)?;
        let reporter = people::find_by_identity(&mut conn, ctx.org.id, Provider::Slack, &i.user_id)
            .await?
            .map(|p| p.id);
        let pr_ref = match pr {
            Some(pr) => match pull_requests::reference(&mut conn, ctx.org.id, pr).await? {
                Some(r) => Some(r),
                None => {
                    return Ok(Ack::field_error(
                        input::FEEDBACK_PR,
                        "That pull request is not in this workspace.",
                    ));
                }
            },
            None => None,
        };
        let report = NewReport {
            reporter_slack_user_id: i.user_id.clone(),
            reporter,
            category: category.clone(),
            tool: tool.clone(),
            pull_request: pr_ref.as_ref().map(|p| p.id),
            description,
            source: source.as_str().into(),
            at: Some(ctx.state.clock.now()),
        };
        match store::create(&mut conn, ctx.org.id, &report).await {
            Ok(id) => (id, pr_ref),
            Err(StoreError::NotFound) => {
                return Ok(Ack::field_error(
                    input::FEEDBACK_PR,
                    "That pull request is not in this workspace.",
                ));
            }
            Err(e) => return Err(e.into()),
        }
    };
    tracing::info!(org_id = %ctx.org.id, report = id.0, category, source = source.as_str(), "AI issue reported");
    let user = i.user_id.clone();
    tokio::spawn(async move {
        let thanks = blocks::feedback::report_thanks(
            &category,
            tool.as_deref(),
            pr_ref.as_ref().map(PrRef::label).as_deref(),
        );
        let message = crate::surveys::body(&thanks, "Thanks — your AI issue report is recorded.");
        match ctx.slack().await {
            Ok(slack) => match slack.post_message(&user, &message).await {
                Ok((channel, ts)) => {
                    if let Ok(mut conn) = ctx.state.db.pool().acquire().await
                        && let Err(e) =
                            store::set_confirmation(&mut conn, ctx.org.id, id, &channel, &ts).await
                    {
                        tracing::warn!(error = %e, "could not record a report's thank-you");
                    }
                }
                Err(e) => tracing::warn!(error = %e, "could not thank a reporter"),
            },
            Err(e) => tracing::warn!(error = %e, "no Slack client to thank a reporter"),
        }
        if let Some(pr) = pr_ref {
            super::fetch_languages(&ctx.state, ctx.org.id, id, &pr).await;
        }
        if let Err(e) = super::refresh_suggestions(&ctx.state, &ctx.org).await {
            tracing::warn!(org_id = %ctx.org.id, error = %e, "could not refresh rule suggestions");
        }
    });
    Ok(Ack::Empty)
}

/// A reply in the thread of a report's thank-you, by its reporter: added to
/// the report.
async fn thread_reply(ctx: Ctx, e: Event) -> ListenerResult {
    let ev = &e.event;
    let str_of = |k: &str| ev.get(k).and_then(Value::as_str);
    // Only people's own messages: no bot posts, edits or other subtypes.
    if str_of("bot_id").is_some() || str_of("subtype").is_some() {
        return Ok(Ack::Empty);
    }
    let (Some(channel), Some(thread), Some(ts), Some(user)) = (
        str_of("channel"),
        str_of("thread_ts"),
        str_of("ts"),
        str_of("user"),
    ) else {
        return Ok(Ack::Empty);
    };
    if thread == ts {
        return Ok(Ack::Empty);
    }
    let text: String = str_of("text")
        .unwrap_or_default()
        .trim()
        .chars()
        .take(TEXT_MAX)
        .collect();
    if text.is_empty() {
        return Ok(Ack::Empty);
    }
    let mut conn = ctx
        .state
        .db
        .pool()
        .acquire()
        .await
        .map_err(StoreError::from)?;
    let Some((report, reporter)) =
        store::find_by_confirmation(&mut conn, ctx.org.id, channel, thread).await?
    else {
        return Ok(Ack::Empty);
    };
    if reporter != user {
        return Ok(Ack::Empty);
    }
    if store::add_note(&mut conn, ctx.org.id, report, user, ts, &text).await? {
        tracing::info!(org_id = %ctx.org.id, report = report.0, "detail added to an AI issue report");
    }
    Ok(Ack::Empty)
}

/// `:warning:` on a survey DM: reactions carry no `trigger_id`, so the bot
/// answers in the DM with the button that opens the form.
async fn reaction(ctx: Ctx, e: Event) -> ListenerResult {
    let ev = &e.event;
    if ev.get("reaction").and_then(Value::as_str) != Some(REPORT_REACTION) {
        return Ok(Ack::Empty);
    }
    let (Some(channel), Some(ts), Some(user)) = (
        ev.pointer("/item/channel").and_then(Value::as_str),
        ev.pointer("/item/ts").and_then(Value::as_str),
        ev.get("user").and_then(Value::as_str),
    ) else {
        return Ok(Ack::Empty);
    };
    let item = {
        let mut conn = ctx
            .state
            .db
            .pool()
            .acquire()
            .await
            .map_err(StoreError::from)?;
        surveys::find_by_message(&mut conn, ctx.org.id, channel, ts).await?
    };
    let Some(item) = item else {
        return Ok(Ack::Empty);
    };
    if item.slack_user.as_deref() != Some(user) {
        return Ok(Ack::Empty);
    }
    let kind = match item.kind {
        Kind::Author => "author",
        Kind::Reviewer => "reviewer",
    };
    let prompt = blocks::feedback::reaction_prompt(&format!("{kind}:{}:reaction", item.id));
    let message = crate::surveys::body(&prompt, "Report what the AI assistant got wrong?");
    ctx.slack().await?.post_message(channel, &message).await?;
    Ok(Ack::Empty)
}
