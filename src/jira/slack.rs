//! Jira in Slack: the connect modals, the project chooser (searchable for
//! large sites) and its options.

use blocks::home::{ProjectChooser, RepoChoice, RepoChooser};
use blocks::ids::input;
use serde_json::{Value, json};

use crate::domain::Role;
use crate::jira::client::JiraError;
use crate::jira::connect::{self, ConnectError};
use crate::jira::sync::{PROJECTS_CHOSEN, PROJECTS_SETTING};
use crate::slack::listeners::{Ack, Ctx, ListenerError, ListenerResult, Listeners};
use crate::slack::payload::Interaction;
use crate::store::jira::{self as store, Project};
use crate::store::{StoreError, audit, integrations};

const OPTIONS_MAX: usize = 100;

/// Registers Jira's listeners: the connect modals, the project chooser and
/// its options, and the consent link button.
pub fn register(l: &mut Listeners) {
    l.options(blocks::ids::input::PROJECTS_PICK_VALUE, options);
    l.view(blocks::ids::callback::JIRA_CONNECT, connect_submitted);
    l.view(blocks::ids::callback::PROJECTS_CHOOSE, save);
    // Informational: submitting just closes it.
    l.view(blocks::ids::callback::JIRA_OAUTH, |_ctx, _i| async {
        Ok(Ack::Empty)
    });
    // A link button: Slack opens the URL and also sends the click.
    l.action(blocks::ids::action::JIRA_OAUTH, |_ctx, _i| async {
        Ok(Ack::Empty)
    });
}

fn choice(p: &Project) -> RepoChoice {
    RepoChoice {
        full_name: format!("{} · {}", p.key, p.name),
        value: p.id.0.to_string(),
    }
}

/// The modal the "Connect Jira" button opens: projects when connected,
/// else Atlassian's consent (OAuth app configured) or the token form.
pub async fn setup_modal(ctx: &Ctx, user: &str) -> Result<blocks::Surface, ListenerError> {
    let mut conn = ctx
        .state
        .db
        .pool()
        .acquire()
        .await
        .map_err(StoreError::from)?;
    let jira = integrations::get(&mut conn, ctx.org.id, "jira").await?;
    drop(conn);
    if jira.as_ref().is_some_and(|j| j.status == "connected") {
        return Ok(blocks::home::project_chooser(&chooser(ctx).await?));
    }
    let url = connect::authorize_url(
        &ctx.state.db,
        &ctx.state.config.jira,
        ctx.state.config.public_url.as_ref(),
        ctx.org.id,
        user,
    )
    .await
    .map_err(|e| ListenerError::Other(e.to_string()))?;
    Ok(match url {
        Some(url) => blocks::home::jira_oauth(url.as_str()),
        None => blocks::home::jira_connect(),
    })
}

/// The chooser as the org's data says it is.
pub async fn chooser(ctx: &Ctx) -> Result<ProjectChooser, StoreError> {
    let mut conn = ctx.state.db.pool().acquire().await?;
    let projects = store::projects(&mut conn, ctx.org.id).await?;
    let jira = integrations::get(&mut conn, ctx.org.id, "jira").await?;
    let setting = |k: &str| {
        jira.as_ref()
            .and_then(|j| j.setting(k).as_str().map(str::to_string))
    };
    Ok(ProjectChooser {
        projects: RepoChooser {
            all: projects.iter().map(choice).collect(),
            tracked: projects
                .iter()
                .filter(|p| p.is_selected)
                .map(choice)
                .collect(),
            all_active: setting(PROJECTS_SETTING).as_deref() != Some(PROJECTS_CHOSEN),
        },
        story_points_field: setting("story_points_override")
            .or_else(|| setting("story_points_field")),
    })
}

/// Options for the project search: key or name containing the text.
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
    let mut projects = store::projects(&mut conn, ctx.org.id).await?;
    projects.retain(|p| {
        p.key.to_lowercase().contains(&query) || p.name.to_lowercase().contains(&query)
    });
    projects.sort_by_key(|p| !p.is_selected);
    let options: Vec<Value> = projects
        .iter()
        .take(OPTIONS_MAX)
        .map(|p| {
            let c = choice(p);
            serde_json::to_value(blocks::kit::OptionObject::new(&c.full_name, c.value))
                .unwrap_or(Value::Null)
        })
        .collect();
    Ok(Ack::Json(json!({ "options": options })))
}

/// Saves the project choice and the story points field; newly chosen
/// projects import their history.
pub async fn save(ctx: Ctx, i: Interaction) -> ListenerResult {
    if crate::slack::roles::resolve(&ctx, &i.user_id).await? != Role::Admin {
        return Ok(Ack::field_error(
            input::PROJECTS_MODE,
            "Only an aimpact admin can choose projects.",
        ));
    }
    let (chosen, picked) = crate::slack::modal::selection(
        &i,
        (input::PROJECTS_MODE, input::PROJECTS_MODE_VALUE),
        (input::PROJECTS_PICK, input::PROJECTS_PICK_VALUE),
    );
    let mode = if chosen {
        input::REPOS_CHOSEN
    } else {
        input::REPOS_ALL
    };
    let points = crate::slack::modal::value(&i, input::JIRA_POINTS, input::JIRA_POINTS_VALUE);
    if chosen && picked.is_empty() {
        return Ok(Ack::field_error(
            input::PROJECTS_PICK,
            "Choose at least one project, or sync all of them.",
        ));
    }
    if !points.is_empty()
        && !points
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Ok(Ack::field_error(
            input::JIRA_POINTS,
            "Enter a field id such as customfield_10016.",
        ));
    }
    let org = ctx.org.id;
    let mut tx = ctx.state.db.begin_write().await.map_err(StoreError::from)?;
    let projects = store::projects(&mut tx, org).await?;
    let mut newly = 0usize;
    for p in &projects {
        let select = !chosen || picked.contains(&p.id.0);
        if select != p.is_selected {
            store::set_selected(&mut tx, org, p.id, select).await?;
            newly += usize::from(select);
        }
    }
    let discovered = integrations::get(&mut tx, org, "jira")
        .await?
        .and_then(|j| j.setting("story_points_field").as_str().map(str::to_string));
    let overridden = (!points.is_empty() && Some(&points) != discovered.as_ref()).then_some(points);
    integrations::merge_settings(
        &mut tx,
        org,
        "jira",
        &json!({
            PROJECTS_SETTING: if chosen { PROJECTS_CHOSEN } else { input::REPOS_ALL },
            "story_points_override": overridden,
        }),
    )
    .await?;
    audit::record(
        &mut tx,
        org,
        &i.user_id,
        "jira.projects_chosen",
        None,
        &json!({ "mode": mode, "newly": newly }),
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    if newly > 0 {
        let job = crate::jira::job::SyncJira {
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
            tracing::warn!(error = %e, "could not refresh App Home after choosing projects");
        }
    });
    Ok(Ack::Empty)
}

/// "Connect Jira" (token form): checks the site and token with Jira while
/// the modal waits; errors show under the field that needs fixing.
pub async fn connect_submitted(ctx: Ctx, i: Interaction) -> ListenerResult {
    if crate::slack::roles::resolve(&ctx, &i.user_id).await? != Role::Admin {
        return Ok(Ack::field_error(
            input::JIRA_TOKEN,
            "Only an aimpact admin can connect Jira.",
        ));
    }
    let site_raw = crate::slack::modal::value(&i, input::JIRA_SITE, input::JIRA_SITE_VALUE);
    let email = crate::slack::modal::value(&i, input::JIRA_EMAIL, input::JIRA_EMAIL_VALUE);
    let token = crate::slack::modal::value(&i, input::JIRA_TOKEN, input::JIRA_TOKEN_VALUE);
    let Some(site) = connect::site_url(&site_raw) else {
        return Ok(Ack::field_error(
            input::JIRA_SITE,
            "Enter your Jira site, e.g. https://acme.atlassian.net",
        ));
    };
    if !email.is_empty() && !email.contains('@') {
        return Ok(Ack::field_error(
            input::JIRA_EMAIL,
            "Enter the email of the account the token belongs to.",
        ));
    }
    if token.is_empty() {
        return Ok(Ack::field_error(input::JIRA_TOKEN, "Paste a token."));
    }
    let state = &ctx.state;
    let connected = connect::connect_token(
        &state.db,
        &state.keys,
        &state.http,
        ctx.org.id,
        &site,
        (!email.is_empty()).then_some(email.as_str()),
        &secrecy::SecretString::from(token),
        Some(&i.user_id),
        state.config.outbound_hosts,
    )
    .await;
    match connected {
        Ok(_) => {}
        Err(ConnectError::Jira(JiraError::Unauthorized(_))) => {
            return Ok(Ack::field_error(
                input::JIRA_TOKEN,
                "Jira refused this token: check the email and token belong together and the token is not expired.",
            ));
        }
        Err(ConnectError::Jira(e @ JiraError::NotPublic(_))) => {
            return Ok(Ack::field_error(input::JIRA_SITE, &format!("{e}.")));
        }
        Err(ConnectError::Jira(JiraError::NotFound(_) | JiraError::Transport(_))) => {
            return Ok(Ack::field_error(
                input::JIRA_SITE,
                "No Jira answered at this address.",
            ));
        }
        Err(ConnectError::Jira(e)) => {
            return Ok(Ack::field_error(
                input::JIRA_TOKEN,
                &format!("Could not check the token: {e}"),
            ));
        }
        Err(e) => return Err(ListenerError::Other(e.to_string())),
    }
    let org = ctx.org.id;
    let job = crate::jira::job::SyncJira {
        org,
        full: false,
        discover: true,
    };
    state
        .jobs
        .enqueue_single(&state.db, job)
        .await
        .map_err(|e| ListenerError::Other(e.to_string()))?;
    crate::jobs::schedule::mark_ran(&state.db, org, crate::jira::job::DAILY)
        .await
        .unwrap_or_else(|e| tracing::warn!(error = %e, "could not record the first Jira sync"));
    let user = i.user_id.clone();
    tokio::spawn(async move {
        if let Err(e) = crate::slack::listeners::refresh_home(&ctx, &user).await {
            tracing::warn!(error = %e, "could not refresh App Home after connecting Jira");
        }
    });
    Ok(Ack::Empty)
}
