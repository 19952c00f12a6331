//! App Home: publishes the view for the person who opened it — the setup
//! checklist for admins, a welcome for developers.

use blocks::home::{SetupChecklist, admin_setup, developer_welcome};

use super::listeners::{Ctx, ListenerError};
use crate::domain::Role;

/// Renders and publishes `user`'s Home tab.
pub async fn publish(ctx: &Ctx, user: &str) -> Result<(), ListenerError> {
    let role = super::roles::resolve(ctx, user).await?;
    let view = match role {
        Role::Admin => admin_setup(&SetupChecklist::fresh(
            ctx.org.installed_by_slack_user_id.clone(),
        )),
        Role::Lead | Role::Developer => developer_welcome(&ctx.org.name),
    };
    let view = serde_json::to_value(&view).map_err(|e| ListenerError::Other(e.to_string()))?;
    ctx.slack().await?.views_publish(user, &view).await
}
