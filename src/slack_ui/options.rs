//! Options listeners for external selects (the options-load URL), by the
//! select's `action_id`.

use crate::slack::listeners::Listeners;

/// Registers this module's listeners.
pub fn register(l: &mut Listeners) {
    l.options(blocks::ids::input::REPOS_PICK_VALUE, super::repos::options);
    l.options(
        blocks::ids::input::PROJECTS_PICK_VALUE,
        super::jira::options,
    );
}
