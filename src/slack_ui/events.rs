//! Event listeners: `app_home_opened`, `app_uninstalled`, `tokens_revoked`,
//! and `team_join` / `user_change` (people matching follows Slack).

use crate::slack::listeners::{Ack, Ctx, ListenerError, ListenerResult, Listeners};
use crate::slack::payload::Event;
use crate::store::{audit, credentials, orgs};

/// Event types declared in manifest.yml.
pub const APP_HOME_OPENED: &str = "app_home_opened";
/// The app was removed from the workspace.
pub const APP_UNINSTALLED: &str = "app_uninstalled";
/// Tokens were revoked.
pub const TOKENS_REVOKED: &str = "tokens_revoked";
/// A member joined the workspace.
pub const TEAM_JOIN: &str = "team_join";
/// A member's profile changed (email, time zone, deactivation).
pub const USER_CHANGE: &str = "user_change";

/// Registers this module's listeners.
pub fn register(l: &mut Listeners) {
    l.event(APP_HOME_OPENED, home_opened);
    l.event(APP_UNINSTALLED, uninstalled);
    l.event(TOKENS_REVOKED, tokens_revoked);
    l.event(TEAM_JOIN, member_changed);
    l.event(USER_CHANGE, member_changed);
}

/// Links the member to their person by email, as a matching run would.
async fn member_changed(ctx: Ctx, event: Event) -> ListenerResult {
    let Some(member) = event
        .event
        .get("user")
        .and_then(crate::slack::client::SlackMember::from_json)
    else {
        tracing::warn!(event_type = %event.event_type, "member event without a user object; ignored");
        return Ok(Ack::Empty);
    };
    crate::people::match_member(&ctx.state, ctx.org.id, &member).await?;
    Ok(Ack::Empty)
}

async fn home_opened(ctx: Ctx, event: Event) -> ListenerResult {
    // The Messages tab fires this too; only the Home tab has a view.
    if event.event.get("tab").and_then(|t| t.as_str()) == Some("messages") {
        return Ok(Ack::Empty);
    }
    let user = event
        .user
        .ok_or_else(|| ListenerError::Other("app_home_opened without a user".into()))?;
    super::home::publish(&ctx, &user).await?;
    Ok(Ack::Empty)
}

/// Deletes the org's Slack tokens and marks it uninstalled, which stops its
/// scheduled work; everything else stays for a reinstall.
async fn forget_slack(ctx: &Ctx, why: &str) -> ListenerResult {
    let mut tx = ctx
        .state
        .db
        .pool()
        .begin()
        .await
        .map_err(crate::store::StoreError::from)?;
    let removed = credentials::delete_prefixed(&mut tx, ctx.org.id, "slack_").await?;
    orgs::mark_uninstalled(&mut tx, ctx.org.id).await?;
    audit::record(
        &mut tx,
        ctx.org.id,
        "slack",
        why,
        Some(&ctx.org.slack_team_id),
        &serde_json::json!({ "tokens_removed": removed }),
    )
    .await?;
    tx.commit().await.map_err(crate::store::StoreError::from)?;
    tracing::info!(org_id = %ctx.org.id, why, "slack tokens removed; org data kept");
    Ok(Ack::Empty)
}

async fn uninstalled(ctx: Ctx, _event: Event) -> ListenerResult {
    forget_slack(&ctx, "slack.uninstalled").await
}

async fn tokens_revoked(ctx: Ctx, event: Event) -> ListenerResult {
    // Only the bot token matters to us; user tokens are never stored.
    let bot_revoked = event
        .event
        .pointer("/tokens/bot")
        .and_then(|b| b.as_array())
        .is_some_and(|b| !b.is_empty());
    if bot_revoked {
        forget_slack(&ctx, "slack.tokens_revoked").await
    } else {
        Ok(Ack::Empty)
    }
}
