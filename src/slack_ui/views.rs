//! View listeners: modal submissions and closes, by callback id.

use crate::slack::listeners::{Ack, Ctx, ListenerResult, Listeners};
use crate::slack::payload::Interaction;

/// Registers this module's listeners.
pub fn register(l: &mut Listeners) {
    l.view(blocks::ids::callback::SETUP_INFO, close);
    l.view(blocks::ids::callback::REPORT_AI_ISSUE, close);
    l.view(blocks::ids::callback::GITHUB_CONNECT, github_connect);
    l.view(blocks::ids::callback::GITHUB_APP_INSTALL, close);
    l.view(blocks::ids::callback::REPOS_CHOOSE, super::repos::save);
    l.view(
        blocks::ids::callback::JIRA_CONNECT,
        super::jira::connect_submitted,
    );
    l.view(blocks::ids::callback::JIRA_OAUTH, close);
    l.view(blocks::ids::callback::PROJECTS_CHOOSE, super::jira::save);
    l.view(
        blocks::ids::callback::SURVEY_SETTINGS,
        crate::surveys::settings::save,
    );
    l.view(
        blocks::ids::callback::PEOPLE_MAP,
        crate::slack::people::save,
    );
    l.view(blocks::ids::callback::ADMINS, super::admins::save);
}

pub use crate::slack::modal::{admin_trigger, open};

fn value(i: &Interaction, block: &str, action: &str) -> String {
    i.raw
        .pointer(&format!("/view/state/values/{block}/{action}/value"))
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// "Connect GitHub": checks the organisation and token against GitHub while
/// the modal waits (errors show under the field), then stores the token
/// encrypted and starts discovery and the first sync in the background.
async fn github_connect(ctx: Ctx, i: Interaction) -> ListenerResult {
    use crate::github::client::GithubError;
    use crate::github::connect::{self, ConnectError};
    use blocks::ids::input;

    if crate::slack::roles::resolve(&ctx, &i.user_id).await? != crate::domain::Role::Admin {
        return Ok(Ack::field_error(
            input::GITHUB_TOKEN,
            "Only an aimpact admin can connect GitHub.",
        ));
    }
    let login = value(&i, input::GITHUB_ORG, input::GITHUB_ORG_VALUE);
    let token = value(&i, input::GITHUB_TOKEN, input::GITHUB_TOKEN_VALUE);
    if login.is_empty() || !login.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Ok(Ack::field_error(
            input::GITHUB_ORG,
            "Enter the organisation's login, e.g. acme.",
        ));
    }
    if token.is_empty() {
        return Ok(Ack::field_error(input::GITHUB_TOKEN, "Paste a token."));
    }
    let state = &ctx.state;
    let token = secrecy::SecretString::from(token);
    let connected = connect::connect_token(
        &state.db,
        &state.keys,
        &state.config.github.api_url,
        ctx.org.id,
        &login,
        &token,
        Some(&i.user_id),
    )
    .await;
    let client = match connected {
        Ok(client) => client,
        Err(e @ (ConnectError::NotMember(_) | ConnectError::Taken(_))) => {
            return Ok(Ack::field_error(input::GITHUB_ORG, &format!("{}.", e)));
        }
        Err(ConnectError::Github(GithubError::Unauthorized(_))) => {
            return Ok(Ack::field_error(
                input::GITHUB_TOKEN,
                "GitHub refused this token: check it is complete and not expired.",
            ));
        }
        Err(ConnectError::Github(GithubError::Forbidden(_))) => {
            return Ok(Ack::field_error(
                input::GITHUB_TOKEN,
                "This token cannot read the organisation: give it read access to members and repositories.",
            ));
        }
        Err(ConnectError::Github(e)) => {
            return Ok(Ack::field_error(
                input::GITHUB_TOKEN,
                &format!("Could not check the token: {e}"),
            ));
        }
        Err(e) => return Err(crate::slack::listeners::ListenerError::Other(e.to_string())),
    };
    let user = i.user_id.clone();
    tokio::spawn(async move {
        let state = &ctx.state;
        let done = connect::after_token_connect(
            &client,
            &state.db,
            &state.keys,
            &state.config,
            ctx.org.id,
            &login,
            // Each workspace's webhook gets its own secret where many
            // workspaces share this deployment.
            if state.config.slack.distribution() {
                connect::HookSecret::Own
            } else {
                connect::HookSecret::Deployment
            },
        )
        .await;
        match done {
            Ok(done) => {
                tracing::info!(org_id = %ctx.org.id, repositories = done.found.repositories, members = done.found.members, webhook = done.webhook.as_str(), "GitHub discovered")
            }
            Err(e) => tracing::warn!(org_id = %ctx.org.id, error = %e, "GitHub discovery failed"),
        }
        let job = crate::github::job::SyncGithub {
            org: ctx.org.id,
            full: false,
            discover: false,
        };
        crate::jobs::schedule::mark_ran(&state.db, ctx.org.id, crate::github::job::DAILY)
            .await
            .unwrap_or_else(|e| tracing::warn!(error = %e, "could not record the first sync"));
        if let Err(e) = state.jobs.enqueue_single(&state.db, job).await {
            tracing::warn!(error = %e, "could not enqueue the first GitHub sync");
        }
        if let Err(e) = super::home::publish(&ctx, &user).await {
            tracing::warn!(error = %e, "could not refresh App Home after connecting GitHub");
        }
    });
    Ok(Ack::Empty)
}

/// Informational modals: submitting just closes them.
async fn close(_ctx: Ctx, _i: Interaction) -> ListenerResult {
    Ok(Ack::Empty)
}
