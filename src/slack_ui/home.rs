//! App Home: publishes the view for the person who opened it — the setup
//! checklist for admins, a welcome for developers.

use blocks::home::{SetupChecklist, Step, admin_setup, developer_welcome, progress_line};
use blocks::limits::escape_mrkdwn;

use crate::domain::Role;
use crate::slack::listeners::{Ctx, ListenerError};
use crate::store::{StoreError, integrations, people, repositories, surveys, sync_state};

/// The checklist as the org's data says it is.
async fn checklist(ctx: &Ctx) -> Result<SetupChecklist, StoreError> {
    let mut model = SetupChecklist::fresh(ctx.org.installed_by_slack_user_id.clone());
    let mut conn = ctx.state.db.pool().acquire().await?;
    if let Some(github) = integrations::get(&mut conn, ctx.org.id, "github").await?
        && github.status == "connected"
    {
        let link = crate::github::connect::Link::of(&github);
        let login = link
            .as_ref()
            .map(|l| l.login().to_string())
            .unwrap_or_default();
        let how = match link {
            Some(crate::github::connect::Link::App { .. }) => " (GitHub App)",
            _ => "",
        };
        let mut detail = format!(
            "connected to {}{how}",
            if login.is_empty() {
                "GitHub".into()
            } else {
                escape_mrkdwn(&login)
            }
        );
        let hook = ctx
            .state
            .config
            .public_url
            .as_ref()
            .and_then(|u| u.join("github/webhook").ok());
        match (github.setting("webhook").as_str(), hook) {
            (Some("not_allowed"), Some(hook)) => {
                // The checklist is shown to admins only. Where this org's
                // webhook has its own secret, they need it to add the hook.
                let own = crate::store::credentials::get(
                    &mut conn,
                    &ctx.state.keys,
                    ctx.org.id,
                    crate::github::connect::HOOK_SECRET,
                )
                .await?;
                let secret = match &own {
                    Some(s) => {
                        use secrecy::ExposeSecret;
                        format!("`{}`", s.expose_secret())
                    }
                    None => "GITHUB_WEBHOOK_SECRET".to_string(),
                };
                detail.push_str(&format!(
                    "\nWebhooks: the token may not create them. An organisation owner can add {hook} \
                     (content type JSON, secret {secret}; events: pull requests, reviews, \
                     members) under Settings → Webhooks. Until then the daily sync keeps data fresh."
                ))
            }
            (Some("not_configured"), _) => detail.push_str(
                "\nWebhooks are off: the operator sets AIMPACT_PUBLIC_URL and GITHUB_WEBHOOK_SECRET. \
                 Until then the daily sync keeps data fresh.",
            ),
            _ => {}
        }
        model.github = Step::Done(detail);
        let repos = repositories::list(&mut conn, ctx.org.id).await?;
        let tracked = repos.iter().filter(|r| r.is_tracked).count();
        let states = sync_state::list(&mut conn, ctx.org.id, "github").await?;
        let done: i64 = states.iter().map(|s| s.items_done).sum();
        let total: i64 = states.iter().filter_map(|s| s.items_total).sum();
        let syncing = states.iter().any(|s| s.status == "running");
        let mut detail = format!("{tracked} of {} repositories tracked", repos.len());
        if syncing || done > 0 {
            let what = if syncing {
                "PRs imported"
            } else {
                "PRs imported, up to date"
            };
            detail.push('\n');
            detail.push_str(&progress_line(done, (total > 0).then_some(total), what));
        }
        if !repos.is_empty() {
            model.repositories = Step::Done(detail);
        }
        model.can_sync = true;
    }
    if let Some(jira) = integrations::get(&mut conn, ctx.org.id, "jira").await? {
        model.jira = jira_step(&mut conn, ctx, &jira).await?;
        model.can_sync = model.can_sync || jira.status == "connected";
    }
    let unmatched = people::without_slack(&mut conn, ctx.org.id).await?;
    let everyone = people::list(&mut conn, ctx.org.id).await?;
    let humans = everyone.iter().filter(|p| !p.is_bot).count();
    if humans > 0 {
        let matched = humans.saturating_sub(unmatched.len());
        let detail = format!("{matched} of {humans} people matched to Slack");
        model.people = if unmatched.is_empty() {
            Step::Done(detail)
        } else {
            Step::Todo(format!("{detail}; map the rest by hand"))
        };
    }
    // Surveys that wait for a match are the admin's to unblock.
    let waiting = surveys::waiting_for_match(&mut conn, ctx.org.id, ctx.state.clock.now()).await?;
    if !waiting.is_empty() {
        let surveys: i64 = waiting.iter().map(|(_, n)| n).sum();
        let people = waiting.len();
        let detail = match &model.people {
            Step::Done(d) | Step::Todo(d) => d.clone(),
        };
        model.people = Step::Todo(format!(
            ":hourglass_flowing_sand: {surveys} {} waiting: {people} {} not matched to Slack. \
             Match them and the surveys go out at once.\n{detail}",
            if surveys == 1 { "survey" } else { "surveys" },
            if people == 1 { "person" } else { "people" },
        ));
    }
    let settings = surveys::settings(&mut conn, ctx.org.id).await?;
    if settings.enabled {
        model.surveys = Step::Done(format!(
            "on for {}, reminder {}",
            if settings.repositories.is_empty() {
                "every tracked repository".to_string()
            } else {
                format!("{} repositories", settings.repositories.len())
            },
            if settings.reminders { "on" } else { "off" }
        ));
    }
    for failure in crate::store::job_state::failures(&mut conn, ctx.org.id).await? {
        let when = chrono::DateTime::from_timestamp(failure.at, 0)
            .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default();
        model.problems.push(if failure.job == crate::slack::socket::PROBLEM {
            format!("{} ({when}).", failure.error)
        } else {
            format!(
                "{} stopped after its retries ({when}): {}. It is shown here until a later run succeeds.",
                job_label(&failure.job),
                failure.error
            )
        });
    }
    let board = crate::store::leaderboard::settings(&mut conn, ctx.org.id).await?;
    model.leaderboard = match (&board.problem, board.enabled) {
        (Some(problem), _) => Step::Todo(format!(":warning: Paused. {}", escape_mrkdwn(problem))),
        (None, true) => {
            Step::Done(escape_mrkdwn(&crate::leaderboard::where_words(&board)).into_owned())
        }
        (None, false) if board.saved => {
            Step::Todo("switched off; a weekly post to a channel of your choice".into())
        }
        (None, false) => model.leaderboard,
    };
    Ok(model)
}

/// What admins call a job kind.
fn job_label(queue: &str) -> &str {
    match queue {
        "github.sync" => "The GitHub sync",
        "github.delivery" => "Processing a GitHub webhook",
        "jira.sync" => "The Jira sync",
        "surveys.deliver" => "Survey delivery",
        "slack.match_people" => "Matching people to Slack",
        "slack.respond" => "Answering a /metrics request",
        "leaderboard.post" => "The weekly leaderboard post",
        "rollups.refresh" => "Refreshing dashboard numbers",
        other => other,
    }
}

/// The viewer's leaderboard line (when they are a person of the org):
/// when it is posted, and the opt-out or opt-in button.
pub async fn leaderboard_section(ctx: &Ctx, user: &str) -> Result<Vec<blocks::Block>, StoreError> {
    let mut conn = ctx.state.db.pool().acquire().await?;
    let Some(me) =
        people::find_by_identity(&mut conn, ctx.org.id, crate::domain::Provider::Slack, user)
            .await?
    else {
        return Ok(Vec::new());
    };
    let board = crate::store::leaderboard::settings(&mut conn, ctx.org.id).await?;
    let schedule = if board.problem.is_some() {
        Some("paused until an admin picks its channel again".to_string())
    } else {
        (board.enabled && board.channel.is_some())
            .then(|| format!("posted {}", crate::leaderboard::where_words(&board)))
    };
    Ok(blocks::leaderboard::home_section(
        me.rank_opt_out,
        schedule.as_deref(),
    ))
}

/// The viewer's survey section (pending surveys, detective record,
/// opt-out), when they are a person of the org.
pub async fn survey_section(ctx: &Ctx, user: &str) -> Result<Vec<blocks::Block>, StoreError> {
    use blocks::survey::HomeSurvey;
    let mut conn = ctx.state.db.pool().acquire().await?;
    let Some(me) =
        people::find_by_identity(&mut conn, ctx.org.id, crate::domain::Provider::Slack, user)
            .await?
    else {
        return Ok(Vec::new());
    };
    let now = ctx.state.clock.now();
    let open = surveys::open_for(&mut conn, ctx.org.id, me.id, now).await?;
    let pending: Vec<HomeSurvey> = open
        .iter()
        .map(|item| {
            let pr = crate::surveys::pr_line(item);
            match item.kind {
                surveys::Kind::Author => HomeSurvey::Author { id: item.id, pr },
                surveys::Kind::Reviewer => HomeSurvey::Reviewer {
                    id: item.id,
                    pr,
                    rating: item.rating,
                    guess: item.guess,
                },
            }
        })
        .collect();
    let (correct, revealed) = surveys::accuracy(
        &mut conn,
        ctx.org.id,
        me.id,
        now - crate::surveys::deliver::ACCURACY_WINDOW,
    )
    .await?;
    Ok(blocks::survey::home_section(
        &pending,
        correct,
        revealed,
        me.survey_opt_out,
    ))
}

fn divided(blocks: Vec<blocks::Block>) -> Vec<blocks::Block> {
    if blocks.is_empty() {
        return blocks;
    }
    std::iter::once(blocks::Block::divider())
        .chain(blocks)
        .collect()
}

/// The Jira line: what is synced, or what an admin must do.
async fn jira_step(
    conn: &mut sqlx::AnyConnection,
    ctx: &Ctx,
    jira: &integrations::Integration,
) -> Result<Step, StoreError> {
    let site = jira
        .setting("site_url")
        .as_str()
        .map(|s| {
            s.trim_end_matches('/')
                .trim_start_matches("https://")
                .to_string()
        })
        .unwrap_or_else(|| "Jira".into());
    if jira.status != "connected" {
        return Ok(Step::Todo(format!(
            ":warning: {}",
            escape_mrkdwn(
                jira.last_error
                    .as_deref()
                    .unwrap_or("Jira is disconnected. Reconnect it to keep issues in sync.")
            )
        )));
    }
    let projects = crate::store::jira::projects(conn, ctx.org.id).await?;
    let chosen = projects.iter().filter(|p| p.is_selected).count();
    let mut detail = format!(
        "connected to {} · {chosen} of {} projects syncing",
        escape_mrkdwn(&site),
        projects.len()
    );
    let states = sync_state::list(conn, ctx.org.id, "jira").await?;
    let done: i64 = states.iter().map(|s| s.items_done).sum();
    let total: i64 = states.iter().filter_map(|s| s.items_total).sum();
    let syncing = states.iter().any(|s| s.status == "running");
    if syncing || done > 0 {
        let what = if syncing {
            "issues imported"
        } else {
            "issues imported, up to date"
        };
        detail.push('\n');
        detail.push_str(&progress_line(done, (total > 0).then_some(total), what));
    }
    if let Some(problem) = &jira.last_error {
        detail.push_str(&format!("\n:warning: {}", escape_mrkdwn(problem)));
    }
    Ok(Step::Done(detail))
}

/// Renders and publishes `user`'s Home tab with the default range and team.
pub async fn publish(ctx: &Ctx, user: &str) -> Result<(), ListenerError> {
    publish_with(ctx, user, super::dashboards::HomeState::default()).await
}

/// Renders and publishes `user`'s Home tab: their dashboard when there is
/// data (admins get the setup checklist under it), else the checklist or
/// the welcome.
pub async fn publish_with(
    ctx: &Ctx,
    user: &str,
    state: super::dashboards::HomeState,
) -> Result<(), ListenerError> {
    let view = home_view(ctx, user, state).await?;
    let view = serde_json::to_value(&view).map_err(|e| ListenerError::Other(e.to_string()))?;
    Ok(ctx.slack().await?.views_publish(user, &view).await?)
}

/// `user`'s Home view (see [`publish_with`]).
pub async fn home_view(
    ctx: &Ctx,
    user: &str,
    state: super::dashboards::HomeState,
) -> Result<blocks::Surface, ListenerError> {
    let role = crate::slack::roles::resolve(ctx, user).await?;
    let delivery = super::dashboards::delivery_for(ctx).await?;
    home_view_as(ctx, user, role, state, &delivery.get()).await
}

/// The Home view for `user` with `role` already decided (the preview and
/// `aimpact render` use this; it calls Slack only to upload charts).
pub async fn home_view_as(
    ctx: &Ctx,
    user: &str,
    role: Role,
    state: super::dashboards::HomeState,
    delivery: &crate::dashboard::Delivery<'_>,
) -> Result<blocks::Surface, ListenerError> {
    let dashboard = super::dashboards::home_dashboard(ctx, user, role, state, delivery).await?;
    let mut mine = survey_section(ctx, user).await?;
    mine.extend(leaderboard_section(ctx, user).await?);
    let viewer = crate::dashboard::viewer(&ctx.state.db, &ctx.org, user, role).await?;
    mine.extend(crate::feedback::view::home_section(&ctx.state, &ctx.org, &viewer).await?);
    let view = match (role, dashboard) {
        (Role::Admin, Some(d)) => {
            let checklist = admin_setup(&checklist(ctx).await?).into_blocks();
            super::dashboards::home_surface(&d, mine, checklist, state)
        }
        (_, Some(d)) => super::dashboards::home_surface(&d, mine, Vec::new(), state),
        (Role::Admin, None) => admin_setup(&checklist(ctx).await?).with_blocks(divided(mine)),
        (_, None) => developer_welcome(&ctx.org.name).with_blocks(divided(mine)),
    };
    // Serialising fits the block count (the survey section is small).
    Ok(view)
}
