//! View listeners: modal submissions and closes, by callback id.

use super::listeners::{Ack, Ctx, ListenerResult, Listeners};
use super::payload::Interaction;

/// Registers this module's listeners.
pub fn register(l: &mut Listeners) {
    l.view(blocks::ids::callback::SETUP_INFO, close);
    l.view(blocks::ids::callback::REPORT_AI_ISSUE, close);
}

/// Informational modals: submitting just closes them.
async fn close(_ctx: Ctx, _i: Interaction) -> ListenerResult {
    Ok(Ack::Empty)
}
