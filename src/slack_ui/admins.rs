//! The admins modal (App Home → Admins): who is an aimpact admin and why,
//! and another admin adding or removing one. Roles implied by Slack's own
//! admin/owner flags follow Slack (`roles::resolve`) and are not changed
//! here; the installer's role and roles added in aimpact are.

use blocks::home::AdminSource;
use blocks::ids::input;

use crate::domain::Role;
use crate::slack::listeners::{Ack, Ctx, ListenerResult, Listeners};
use crate::slack::payload::Interaction;
use crate::slack::roles::SLACK_ADMIN;
use crate::store::{StoreError, audit, orgs, roles};

/// Registers the admins modal's listeners: App Home's "Admins" button and
/// the modal's submission.
pub fn register(l: &mut Listeners) {
    l.action(blocks::ids::action::ADMINS_OPEN, open_action);
    l.view(blocks::ids::callback::ADMINS, save);
}

/// Admins and why, as stored (the modal, the preview).
pub async fn listed(ctx: &Ctx) -> Result<Vec<(String, AdminSource)>, StoreError> {
    let org = {
        let mut conn = ctx.state.db.pool().acquire().await?;
        orgs::get(&mut conn, ctx.org.id).await?
    };
    let mut conn = ctx.state.db.pool().acquire().await?;
    let mut out: Vec<(String, AdminSource)> = org
        .installed_by_slack_user_id
        .iter()
        .map(|u| (u.clone(), AdminSource::Installer))
        .collect();
    for (user, by) in roles::admins(&mut conn, ctx.org.id).await? {
        if out.iter().any(|(u, _)| *u == user) {
            continue;
        }
        let source = match by.as_deref() {
            Some(SLACK_ADMIN) => AdminSource::Slack,
            _ => AdminSource::Added(by),
        };
        out.push((user, source));
    }
    Ok(out)
}

/// The App Home "Admins" button.
pub async fn open_action(ctx: Ctx, i: Interaction) -> ListenerResult {
    let Some(trigger) = crate::slack::modal::admin_trigger(&ctx, &i).await? else {
        return Ok(Ack::Empty);
    };
    crate::slack::modal::open(
        &ctx,
        &trigger,
        &blocks::home::admins_modal(&listed(&ctx).await?),
    )
    .await?;
    Ok(Ack::Empty)
}

/// Saves the admins modal: add or remove one admin.
pub async fn save(ctx: Ctx, i: Interaction) -> ListenerResult {
    if crate::slack::roles::resolve(&ctx, &i.user_id).await? != Role::Admin {
        return Ok(Ack::field_error(
            input::ADMIN_USER,
            "Only aimpact admins can change who is an admin.",
        ));
    }
    let value = |block: &str, action: &str, leaf: &str| {
        i.raw
            .pointer(&format!("/view/state/values/{block}/{action}/{leaf}"))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let Some(user) =
        value(input::ADMIN_USER, input::ADMIN_USER_VALUE, "selected_user").filter(|u| {
            (u.starts_with('U') || u.starts_with('W'))
                && u.len() <= 32
                && u.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
    else {
        return Ok(Ack::field_error(input::ADMIN_USER, "Choose a person."));
    };
    let grant = value(
        input::ADMIN_ACTION,
        input::ADMIN_ACTION_VALUE,
        "selected_option/value",
    )
    .as_deref()
        != Some(input::REVOKE);
    let org = ctx.org.id;
    let mut tx = ctx.state.db.begin_write().await.map_err(StoreError::from)?;
    let installer = orgs::get(&mut tx, org).await?.installed_by_slack_user_id;
    let (role, by) = roles::get_granted(&mut tx, org, &user).await?;
    let is_installer = installer.as_deref() == Some(user.as_str());
    if grant {
        if is_installer || role == Role::Admin {
            return Ok(Ack::field_error(
                input::ADMIN_USER,
                "They are an admin already.",
            ));
        }
        roles::set(&mut tx, org, &user, Role::Admin, Some(&i.user_id)).await?;
    } else {
        if user == i.user_id {
            return Ok(Ack::field_error(
                input::ADMIN_USER,
                "You cannot remove yourself; ask another admin.",
            ));
        }
        if role == Role::Admin && by.as_deref() == Some(SLACK_ADMIN) {
            return Ok(Ack::field_error(
                input::ADMIN_USER,
                "They are a Slack workspace admin or owner, and aimpact follows Slack: change it in Slack.",
            ));
        }
        if !is_installer && role != Role::Admin {
            return Ok(Ack::field_error(
                input::ADMIN_USER,
                "They are not an aimpact admin.",
            ));
        }
        if is_installer {
            orgs::clear_installer(&mut tx, org).await?;
        }
        if role == Role::Admin {
            roles::remove(&mut tx, org, &user).await?;
        }
    }
    audit::record(
        &mut tx,
        org,
        &i.user_id,
        if grant {
            "role.granted"
        } else {
            "role.revoked"
        },
        Some(&user),
        &serde_json::json!({ "role": "admin" }),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    tracing::info!(org_id = %org, grant, "an admin changed who is an admin");
    // Their App Home changes with their role (read with the org as it is
    // now: the installer may just have been removed).
    let mut now = ctx.clone();
    {
        let mut conn = ctx
            .state
            .db
            .pool()
            .acquire()
            .await
            .map_err(StoreError::from)?;
        now.org = orgs::get(&mut conn, org).await?;
    }
    if let Err(e) = super::home::publish(&now, &user).await {
        tracing::warn!(error = %e, "could not refresh the App Home of a changed admin");
    }
    Ok(Ack::Empty)
}
