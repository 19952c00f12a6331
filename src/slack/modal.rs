//! Modals: the admin check before a setup modal, `views.open`, and reading
//! a submitted modal's inputs.

use super::listeners::Ctx;
use super::payload::Interaction;

/// The `trigger_id` to open an admin's modal with; `None` (nothing to do)
/// when the clicker is not an aimpact admin.
pub async fn admin_trigger(
    ctx: &Ctx,
    i: &Interaction,
) -> Result<Option<String>, super::listeners::ListenerError> {
    if super::roles::resolve(ctx, &i.user_id).await? != crate::domain::Role::Admin {
        return Ok(None);
    }
    i.trigger_id.clone().map(Some).ok_or_else(|| {
        super::listeners::ListenerError::Other("block action without trigger_id".into())
    })
}

/// Opens `modal` with `trigger` (`views.open`).
pub async fn open(
    ctx: &Ctx,
    trigger: &str,
    modal: &blocks::Surface,
) -> Result<(), super::listeners::ListenerError> {
    let view = serde_json::to_value(modal)
        .map_err(|e| super::listeners::ListenerError::Other(e.to_string()))?;
    Ok(ctx.slack().await?.views_open(trigger, &view).await?)
}

/// A submitted modal's plain-text input, trimmed (empty when absent).
pub fn value(i: &Interaction, block: &str, action: &str) -> String {
    i.raw
        .pointer(&format!("/view/state/values/{block}/{action}/value"))
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// A chooser modal's submitted state: whether "only the chosen ones" is
/// picked (over "all"), and the chosen ids. Shared by the repository and
/// Jira project choosers.
pub fn selection(
    i: &Interaction,
    (mode_block, mode_action): (&str, &str),
    (pick_block, pick_action): (&str, &str),
) -> (bool, Vec<i64>) {
    let values = i
        .raw
        .pointer("/view/state/values")
        .cloned()
        .unwrap_or(serde_json::Value::Null);
    let chosen = values
        .pointer(&format!(
            "/{mode_block}/{mode_action}/selected_option/value"
        ))
        .and_then(serde_json::Value::as_str)
        == Some(blocks::ids::input::REPOS_CHOSEN);
    let picked = values
        .pointer(&format!("/{pick_block}/{pick_action}/selected_options"))
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|o| o["value"].as_str()?.parse().ok())
        .collect();
    (chosen, picked)
}
