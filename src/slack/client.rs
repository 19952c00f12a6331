//! The org's Slack client for listeners and jobs: the Web API client
//! (`slack_api`) with the org's (refreshed, decrypted) bot token.

pub use crate::slack_api::*;

use super::listeners::{Ctx, ListenerError};

impl From<SlackApiError> for ListenerError {
    fn from(e: SlackApiError) -> Self {
        ListenerError::Slack(e.to_string())
    }
}

/// The org's Slack client with its (refreshed, decrypted) bot token, for
/// listeners and jobs alike.
pub async fn for_org(
    state: &crate::state::AppState,
    org: &crate::store::orgs::Org,
) -> Result<OrgSlack, ListenerError> {
    let token = super::install::bot_token(state, org.id)
        .await
        .map_err(|e| ListenerError::Slack(e.to_string()))?
        .ok_or_else(|| {
            ListenerError::Slack("no bot token stored for this workspace; reinstall the app".into())
        })?;
    Ok(state.slack.for_org(&token, &org.slack_team_id))
}

/// The org's Slack client, or `None` while the workspace has no bot token
/// (uninstalled): work that needs Slack waits for a reinstall.
pub async fn for_org_if_installed(
    state: &crate::state::AppState,
    org: &crate::store::orgs::Org,
) -> Result<Option<OrgSlack>, ListenerError> {
    let has_token = {
        let mut conn = state
            .db
            .pool()
            .acquire()
            .await
            .map_err(|e| ListenerError::Other(e.to_string()))?;
        crate::store::credentials::exists(&mut conn, org.id, super::install::BOT_TOKEN)
            .await
            .map_err(|e| ListenerError::Other(e.to_string()))?
    };
    if !has_token {
        return Ok(None);
    }
    for_org(state, org).await.map(Some)
}

impl Ctx {
    /// The org's Slack client with its (refreshed, decrypted) bot token.
    pub async fn slack(&self) -> Result<OrgSlack, ListenerError> {
        for_org(&self.state, &self.org).await
    }
}
