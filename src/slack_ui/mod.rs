//! The Slack screens that compose several capabilities, and the listener
//! registrations: App Home and its setup buttons, the admins modal, the
//! `/metrics` face, view submissions, options, events and shortcuts. Above
//! the capabilities; nothing below names it (App Home is refreshed through
//! a handle, `state::HomeRefresh`).

pub mod actions; // block action listeners (setup buttons)
pub mod admins; // the admins modal: add or remove aimpact admins
pub mod commands; // slash command listeners (/metrics)
pub mod dashboards; // /metrics answers, range/team pickers, share, the Home dashboard
pub mod events; // event listeners (app_home_opened, app_uninstalled, tokens_revoked, team_join, user_change)
pub mod home; // App Home views per role
pub mod jira; // Jira connect modals and the project chooser
pub mod options; // options-load listeners
pub mod repos; // the repository chooser
pub mod shortcuts;
pub mod views; // view submission listeners // shortcut listeners (Report AI issue)

/// Every listener of the app, each module registering its own.
pub fn listeners() -> crate::slack::listeners::Listeners {
    let mut l = crate::slack::listeners::Listeners::default();
    commands::register(&mut l);
    actions::register(&mut l);
    views::register(&mut l);
    options::register(&mut l);
    shortcuts::register(&mut l);
    events::register(&mut l);
    crate::leaderboard::settings::register(&mut l);
    l
}
