//! Slash command listeners: `/metrics`.

use crate::slack::listeners::Listeners;

/// The slash command declared in manifest.yml.
pub const METRICS: &str = "/metrics";

/// Registers this module's listeners.
pub fn register(l: &mut Listeners) {
    l.command(METRICS, super::dashboards::metrics);
}
