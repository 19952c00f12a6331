//! The repository chooser: an admin narrows or widens what is tracked.
//! Up to 100 repositories are listed in the modal; beyond that the
//! multi-select searches through `/slack/options`.

use blocks::home::{RepoChoice, RepoChooser};
use blocks::ids::input;
use serde_json::{Value, json};

use crate::domain::{RepositoryId, Role};
use crate::github::connect::{REPOS_CHOSEN, REPOS_SETTING};
use crate::slack::listeners::{Ack, Ctx, ListenerError, ListenerResult};
use crate::slack::payload::Interaction;
use crate::store::repositories::{self, Repository};
use crate::store::{StoreError, audit, integrations};

/// Options returned per search (Slack shows at most 100).
const OPTIONS_MAX: usize = 100;

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

/// A chooser modal's submitted state: whether "only the chosen ones" is
/// picked (over "all"), and the chosen ids. Shared by the repository and
/// Jira project choosers.
pub(crate) fn selection(
    i: &Interaction,
    (mode_block, mode_action): (&str, &str),
    (pick_block, pick_action): (&str, &str),
) -> (bool, Vec<i64>) {
    let values = i
        .raw
        .pointer("/view/state/values")
        .cloned()
        .unwrap_or(Value::Null);
    let chosen = values
        .pointer(&format!(
            "/{mode_block}/{mode_action}/selected_option/value"
        ))
        .and_then(Value::as_str)
        == Some(input::REPOS_CHOSEN);
    let picked = values
        .pointer(&format!("/{pick_block}/{pick_action}/selected_options"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|o| o["value"].as_str()?.parse().ok())
        .collect();
    (chosen, picked)
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
    let (chosen, picked) = selection(
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
        if let Err(e) = super::home::publish(&ctx, &user).await {
            tracing::warn!(error = %e, "could not refresh App Home after choosing repositories");
        }
    });
    Ok(Ack::Empty)
}
