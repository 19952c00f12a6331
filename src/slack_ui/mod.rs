//! The Slack screens that compose several capabilities, and the one list
//! of listeners. Above the capabilities; nothing below names it (App Home
//! is refreshed through a handle, `slack::listeners::HomeRefresh`).
//!
//! One rule for listeners: every module that owns a Slack screen has a
//! `register(&mut Listeners)` that registers all of that screen's
//! listeners, of every kind; [`listeners`] calls each once.

pub mod admins; // the admins modal: add or remove aimpact admins
pub mod dashboards; // /metrics answers, range/team pickers, share, the Home dashboard
pub mod events; // workspace events (app_home_opened, app_uninstalled, tokens_revoked, team_join, user_change)
pub mod home; // App Home views per role
pub mod setup; // App Home's setup checklist buttons and "Sync now"

/// Every listener of the app.
pub fn listeners() -> crate::slack::listeners::Listeners {
    let mut l = crate::slack::listeners::Listeners::default();
    // The capabilities' own Slack faces.
    crate::feedback::slack::register(&mut l);
    crate::github::slack::register(&mut l);
    crate::jira::slack::register(&mut l);
    crate::people::register(&mut l);
    crate::surveys::register(&mut l);
    crate::leaderboard::settings::register(&mut l);
    // The screens that compose several capabilities.
    dashboards::register(&mut l);
    setup::register(&mut l);
    admins::register(&mut l);
    events::register(&mut l);
    l
}
