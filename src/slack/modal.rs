//! Opening modals: the admin check before a setup modal, and `views.open`.

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
