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

impl Ctx {
    /// The org's Slack client with its (refreshed, decrypted) bot token.
    pub async fn slack(&self) -> Result<OrgSlack, ListenerError> {
        for_org(&self.state, &self.org).await
    }
}
