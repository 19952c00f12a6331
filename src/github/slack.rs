//! GitHub in Slack: the token connect modal's submission and the
//! repository chooser, where an admin narrows or widens what is tracked.
//! Up to 100 repositories are listed in the modal; beyond that the
//! multi-select searches through `/slack/options`.

use blocks::home::{RepoChoice, RepoChooser};
use blocks::ids::input;
use serde_json::{Value, json};

use crate::domain::{RepositoryId, Role};
use crate::github::connect::{REPOS_CHOSEN, REPOS_SETTING};
use crate::slack::listeners::{Ack, Ctx, ListenerError, ListenerResult, Listeners};
use crate::slack::payload::Interaction;
use crate::store::repositories::{self, Repository};
use crate::store::{StoreError, audit, integrations};

/// Options returned per search (Slack shows at most 100).
const OPTIONS_MAX: usize = 100;

/// Registers GitHub's listeners: the token connect modal, the repository
/// chooser and its options, and the App install link.
pub fn register(l: &mut Listeners) {
    l.view(blocks::ids::callback::GITHUB_CONNECT, connect_submitted);
    l.view(blocks::ids::callback::REPOS_CHOOSE, save);
    l.options(blocks::ids::input::REPOS_PICK_VALUE, options);
    // Informational: submitting just closes it.
    l.view(
        blocks::ids::callback::GITHUB_APP_INSTALL,
        |_ctx, _i| async { Ok(Ack::Empty) },
    );
    // A link button: Slack opens the URL and also sends the click.
    l.action(blocks::ids::action::GITHUB_APP_INSTALL, |_ctx, _i| async {
        Ok(Ack::Empty)
    });
}

/// "Connect GitHub": checks the organisation and token against GitHub while
/// the modal waits (errors show under the field), then stores the token
/// encrypted and starts discovery and the first sync in the background.
pub async fn connect_submitted(ctx: Ctx, i: Interaction) -> ListenerResult {
    use crate::github::client::GithubError;
    use crate::github::connect::{self, ConnectError};
    use blocks::ids::input;

    if crate::slack::roles::resolve(&ctx, &i.user_id).await? != crate::domain::Role::Admin {
        return Ok(Ack::field_error(
            input::GITHUB_TOKEN,
            "Only an aimpact admin can connect GitHub.",
        ));
    }
    let login = crate::slack::modal::value(&i, input::GITHUB_ORG, input::GITHUB_ORG_VALUE);
    let token = crate::slack::modal::value(&i, input::GITHUB_TOKEN, input::GITHUB_TOKEN_VALUE);
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
        if let Err(e) = crate::slack::listeners::refresh_home(&ctx, &user).await {
            tracing::warn!(error = %e, "could not refresh App Home after connecting GitHub");
        }
    });
    Ok(Ack::Empty)
}

fn choice(r: &Repository) -> RepoChoice {
    RepoChoice {
        full_name: r.full_name.clone(),
        value: r.id.0.to_string(),
    }
}

/// The chooser as the org's data says it is.
pub async fn chooser(ctx: &Ctx) -> Result<RepoChooser, StoreError> {
    let mut conn = ctx.state.db.pool().acquire().await?;
    let repos = repositories::list(&mut conn, ctx.org.id).await?;
    let chosen = integrations::get(&mut conn, ctx.org.id, "github")
        .await?
        .is_some_and(|g| g.setting(REPOS_SETTING) == REPOS_CHOSEN);
    Ok(RepoChooser {
        all: repos.iter().map(choice).collect(),
        tracked: repos.iter().filter(|r| r.is_tracked).map(choice).collect(),
        all_active: !chosen,
    })
}

/// Options for the searchable multi-select: repositories whose name
/// contains the typed text, tracked ones first.
pub async fn options(ctx: Ctx, i: Interaction) -> ListenerResult {
    if crate::slack::roles::resolve(&ctx, &i.user_id).await? != Role::Admin {
        return Ok(Ack::Json(json!({ "options": [] })));
    }
    let query = i
        .action
        .as_ref()
        .and_then(|a| a.value.clone())
        .unwrap_or_default()
        .trim()
        .to_lowercase();
    let mut conn = ctx
        .state
        .db
        .pool()
        .acquire()
        .await
        .map_err(StoreError::from)?;
    let mut repos = repositories::list(&mut conn, ctx.org.id).await?;
    repos.retain(|r| r.full_name.to_lowercase().contains(&query));
    repos.sort_by_key(|r| !r.is_tracked);
    let options: Vec<Value> = repos
        .iter()
        .take(OPTIONS_MAX)
        .map(|r| {
            let o = blocks::kit::OptionObject::new(&r.full_name, r.id.0.to_string());
            serde_json::to_value(o).unwrap_or(Value::Null)
        })
        .collect();
    Ok(Ack::Json(json!({ "options": options })))
}

/// Saves the choice: tracking flags change in one transaction, newly
/// tracked repositories get their history imported, untracked ones keep
/// their data and stop syncing.
pub async fn save(ctx: Ctx, i: Interaction) -> ListenerResult {
    if crate::slack::roles::resolve(&ctx, &i.user_id).await? != Role::Admin {
        return Ok(Ack::field_error(
            input::REPOS_MODE,
            "Only an aimpact admin can choose repositories.",
        ));
    }
    let (chosen, picked) = crate::slack::modal::selection(
        &i,
        (input::REPOS_MODE, input::REPOS_MODE_VALUE),
        (input::REPOS_PICK, input::REPOS_PICK_VALUE),
    );
    let mode = if chosen {
        input::REPOS_CHOSEN
    } else {
        input::REPOS_ALL
    };
    if chosen && picked.is_empty() {
        return Ok(Ack::field_error(
            input::REPOS_PICK,
            "Choose at least one repository, or track all active ones.",
        ));
    }
    let org = ctx.org.id;
    let mut tx = ctx.state.db.begin_write().await.map_err(StoreError::from)?;
    let repos = repositories::list(&mut tx, org).await?;
    let mut newly = 0usize;
    let mut stopped = 0usize;
    for r in &repos {
        let track = if chosen {
            picked.contains(&r.id.0)
        } else {
            r.is_active()
        };
        if track != r.is_tracked {
            repositories::set_tracked(&mut tx, org, RepositoryId(r.id.0), track).await?;
            if track {
                newly += 1;
            } else {
                stopped += 1;
            }
        }
    }
    let unknown = picked
        .iter()
        .filter(|p| !repos.iter().any(|r| r.id.0 == **p))
        .count();
    integrations::merge_settings(
        &mut tx,
        org,
        "github",
        &json!({ REPOS_SETTING: if chosen { REPOS_CHOSEN } else { input::REPOS_ALL } }),
    )
    .await?;
    audit::record(
        &mut tx,
        org,
        &i.user_id,
        "github.repositories_chosen",
        None,
        &json!({ "mode": mode, "tracked_now": newly, "untracked_now": stopped, "unknown": unknown }),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    tracing::info!(org_id = %org, newly, stopped, "tracked repositories changed");
    if newly > 0 {
        // Repositories without a cursor import the whole window.
        let job = crate::github::job::SyncGithub {
            org,
            full: false,
            discover: false,
        };
        ctx.state
            .jobs
            .enqueue_single(&ctx.state.db, job)
            .await
            .map_err(|e| ListenerError::Other(e.to_string()))?;
    }
    let user = i.user_id.clone();
    tokio::spawn(async move {
        if let Err(e) = crate::slack::listeners::refresh_home(&ctx, &user).await {
            tracing::warn!(error = %e, "could not refresh App Home after choosing repositories");
        }
    });
    Ok(Ack::Empty)
}
