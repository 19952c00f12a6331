//! The admin's survey settings modal: on/off, reminder on/off, which
//! repositories.

use blocks::ids::input;

use crate::domain::{Provider, Role};
use crate::slack::listeners::{Ack, Ctx, ListenerError, ListenerResult};
use crate::slack::payload::Interaction;
use crate::store::StoreError;
use crate::store::surveys::{self, Settings};

pub(crate) async fn model(ctx: &Ctx) -> Result<blocks::survey::SettingsModel, StoreError> {
    let mut conn = ctx.state.db.pool().acquire().await?;
    let settings = surveys::settings(&mut conn, ctx.org.id).await?;
    let repos = crate::store::repositories::list(&mut conn, ctx.org.id).await?;
    let everyone = crate::store::people::list(&mut conn, ctx.org.id).await?;
    let humans: Vec<_> = everyone
        .iter()
        .filter(|p| !p.is_bot && !p.is_excluded)
        .collect();
    let mut reachable = 0;
    for p in &humans {
        if crate::store::people::has_identity(&mut conn, ctx.org.id, p.id, Provider::Slack).await? {
            reachable += 1;
        }
    }
    Ok(blocks::survey::SettingsModel {
        enabled: settings.enabled,
        reminders: settings.reminders,
        repositories: repos
            .iter()
            .filter(|r| r.is_tracked)
            .map(|r| (r.id.0, r.full_name.clone()))
            .collect(),
        chosen: settings.repositories,
        reachable: (reachable, humans.len()),
    })
}

/// Opens the modal (admins only).
pub async fn open(ctx: &Ctx, i: &Interaction) -> Result<(), ListenerError> {
    let Some(trigger) = crate::slack::modal::admin_trigger(ctx, i).await? else {
        return Ok(());
    };
    let modal = blocks::survey::settings_modal(&model(ctx).await?);
    crate::slack::modal::open(ctx, &trigger, &modal).await
}

/// The App Home "Survey settings" button.
pub async fn open_action(ctx: Ctx, i: Interaction) -> ListenerResult {
    open(&ctx, &i).await?;
    Ok(Ack::Empty)
}

/// Saves the modal.
pub async fn save(ctx: Ctx, i: Interaction) -> ListenerResult {
    if crate::slack::roles::resolve(&ctx, &i.user_id).await? != Role::Admin {
        return Ok(Ack::field_error(
            input::SURVEYS_ENABLED,
            "Only aimpact admins can change survey settings.",
        ));
    }
    let values = i.raw.pointer("/view/state/values");
    let radio = |block: &str, action: &str| {
        values
            .and_then(|v| v.pointer(&format!("/{block}/{action}/selected_option/value")))
            .and_then(|v| v.as_str())
            .map(|v| v == input::ON)
    };
    let mut conn = ctx
        .state
        .db
        .pool()
        .acquire()
        .await
        .map_err(StoreError::from)?;
    let current = surveys::settings(&mut conn, ctx.org.id).await?;
    let tracked: Vec<i64> = crate::store::repositories::list(&mut conn, ctx.org.id)
        .await?
        .iter()
        .map(|r| r.id.0)
        .collect();
    // Only this org's repositories count; anything else in the payload is ignored.
    let repositories: Vec<i64> = values
        .and_then(|v| {
            v.pointer(&format!(
                "/{}/{}/selected_options",
                input::SURVEYS_REPOS,
                input::SURVEYS_REPOS_VALUE
            ))
        })
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|o| o.get("value")?.as_str()?.parse::<i64>().ok())
                .filter(|id| tracked.contains(id))
                .collect()
        })
        .unwrap_or_default();
    let settings = Settings {
        enabled: radio(input::SURVEYS_ENABLED, input::SURVEYS_ENABLED_VALUE)
            .unwrap_or(current.enabled),
        reminders: radio(input::SURVEYS_REMINDERS, input::SURVEYS_REMINDERS_VALUE)
            .unwrap_or(current.reminders),
        repositories,
    };
    surveys::save_settings(&mut conn, ctx.org.id, &settings).await?;
    crate::store::audit::record(
        &mut conn,
        ctx.org.id,
        "slack",
        "surveys.settings",
        None,
        &serde_json::json!({
            "enabled": settings.enabled,
            "reminders": settings.reminders,
            "repositories": settings.repositories.len(),
        }),
    )
    .await?;
    tracing::info!(org_id = %ctx.org.id, enabled = settings.enabled, "survey settings saved");
    Ok(Ack::Empty)
}
