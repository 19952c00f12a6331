//! Options listeners for external selects (the options-load URL). Searchable
//! repository and project pickers register here as they arrive; until
//! then any request is answered with an empty list.

use super::listeners::Listeners;

/// Registers this module's listeners (none yet).
pub fn register(_l: &mut Listeners) {}
