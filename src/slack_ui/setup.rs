//! App Home's setup: the checklist buttons open each step's modal (the
//! capability's own, or an informational one), and "Sync now".

use blocks::home::{SetupTopic, setup_info};

use crate::domain::Role;
use crate::slack::listeners::{Ack, Ctx, ListenerError, ListenerResult, Listeners};
use crate::slack::payload::Interaction;

/// Registers App Home's setup listeners: the checklist buttons, "Sync now",
/// and the informational setup modals (submitting just closes them).
pub fn register(l: &mut Listeners) {
    for id in blocks::ids::action::SETUP {
        l.action(id, setup_step);
    }
    l.action(blocks::ids::action::SYNC_GITHUB, sync_github);
    l.view(blocks::ids::callback::SETUP_INFO, |_ctx, _i| async {
        Ok(Ack::Empty)
    });
}

/// "Sync now": queues incremental GitHub and Jira syncs.
async fn sync_github(ctx: Ctx, i: Interaction) -> ListenerResult {
    if crate::slack::roles::resolve(&ctx, &i.user_id).await? != Role::Admin {
        return Ok(Ack::Empty);
    }
    let job = crate::github::job::SyncGithub {
        org: ctx.org.id,
        full: false,
        discover: false,
    };
    ctx.state
        .jobs
        .enqueue_single(&ctx.state.db, job)
        .await
        .map_err(|e| ListenerError::Other(e.to_string()))?;
    let jira = crate::jira::job::SyncJira {
        org: ctx.org.id,
        full: false,
        discover: false,
    };
    ctx.state
        .jobs
        .enqueue_single(&ctx.state.db, jira)
        .await
        .map_err(|e| ListenerError::Other(e.to_string()))?;
    tracing::info!(org_id = %ctx.org.id, "sync requested from App Home");
    Ok(Ack::Empty)
}

/// A checklist button: admins get the step's modal. The view is opened
/// inside the ack window because a `trigger_id` expires after 3 seconds.
async fn setup_step(ctx: Ctx, i: Interaction) -> ListenerResult {
    if crate::slack::roles::resolve(&ctx, &i.user_id).await? != Role::Admin {
        tracing::warn!(org_id = %ctx.org.id, "setup button used by a non-admin; ignored");
        return Ok(Ack::Empty);
    }
    let topic = i
        .action
        .as_ref()
        .and_then(|a| SetupTopic::from_action(&a.action_id))
        .ok_or_else(|| ListenerError::Other("setup action without a topic".into()))?;
    let trigger = i
        .trigger_id
        .clone()
        .ok_or_else(|| ListenerError::Other("block action without trigger_id".into()))?;
    let connected = {
        let mut conn = ctx
            .state
            .db
            .pool()
            .acquire()
            .await
            .map_err(crate::store::StoreError::from)?;
        crate::store::integrations::get(&mut conn, ctx.org.id, "github")
            .await?
            .is_some_and(|g| g.status == "connected")
    };
    match topic {
        SetupTopic::People => {
            crate::people::open(&ctx, &i).await?;
            return Ok(Ack::Empty);
        }
        SetupTopic::Surveys => {
            crate::surveys::settings::open(&ctx, &i).await?;
            return Ok(Ack::Empty);
        }
        SetupTopic::Leaderboard => {
            crate::leaderboard::settings::open(&ctx, &i).await?;
            return Ok(Ack::Empty);
        }
        _ => {}
    }
    let surface = match topic {
        SetupTopic::Github if !connected => {
            let url = crate::github::connect::app_install_url(
                &ctx.state.db,
                &ctx.state.config.github,
                ctx.state.config.public_url.as_ref(),
                ctx.org.id,
                &i.user_id,
            )
            .await
            .map_err(|e| ListenerError::Other(e.to_string()))?;
            match url {
                Some(url) => blocks::home::github_app_install(url.as_str()),
                None => blocks::home::github_connect(),
            }
        }
        SetupTopic::Jira => crate::jira::slack::setup_modal(&ctx, &i.user_id).await?,
        SetupTopic::Repositories if connected => {
            blocks::home::repo_chooser(&crate::github::slack::chooser(&ctx).await?)
        }
        _ => setup_info(topic),
    };
    let view = serde_json::to_value(surface).map_err(|e| ListenerError::Other(e.to_string()))?;
    ctx.slack().await?.views_open(&trigger, &view).await?;
    Ok(Ack::Empty)
}
