//! "Report AI issue": the message shortcut and its modal.

use crate::slack::listeners::{Ack, Ctx, ListenerError, ListenerResult, Listeners};
use crate::slack::payload::Interaction;

/// Registers this module's listeners.
pub fn register(l: &mut Listeners) {
    l.shortcut(blocks::ids::callback::REPORT_AI_ISSUE, report_ai_issue);
    // Informational for now: submitting just closes it.
    l.view(blocks::ids::callback::REPORT_AI_ISSUE, |_ctx, _i| async {
        Ok(Ack::Empty)
    });
}

/// "Report AI issue" on a message: opens its modal.
async fn report_ai_issue(ctx: Ctx, i: Interaction) -> ListenerResult {
    let trigger = i
        .trigger_id
        .ok_or_else(|| ListenerError::Other("shortcut without trigger_id".into()))?;
    let view = serde_json::to_value(blocks::home::report_ai_issue_info())
        .map_err(|e| ListenerError::Other(e.to_string()))?;
    ctx.slack().await?.views_open(&trigger, &view).await?;
    Ok(Ack::Empty)
}
