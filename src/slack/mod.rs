//! Slack: verified listeners (HTTP and Socket Mode), routing by kind and
//! id, the Web API client, installs, roles and App Home.

pub mod actions; // block action listeners (setup buttons)
pub mod admins; // the admins modal: add or remove aimpact admins
pub mod client; // Web API client: slack-morphism with rate control, per-org tokens
pub mod commands; // slash command listeners (/metrics)
pub mod dashboards; // /metrics answers, range/team pickers, share, the Home dashboard
pub mod events; // event listeners (app_home_opened, app_uninstalled, tokens_revoked, team_join, user_change)
pub mod home; // App Home views per role
pub mod install; // OAuth v2 install, token refresh; single-workspace start-up
pub mod jira; // Jira connect modals and the project chooser
pub mod listeners; // registry, dispatch, acks
pub mod options; // options-load listeners
pub mod payload; // typed Slack payloads
pub mod people; // Slack people matching by email (runs as identities arrive; lookupByEmail for waiting surveys), the People modal
pub mod repos; // the repository chooser
pub mod respond; // the slack.respond job: answers posted to response_url
pub mod roles; // roles and the one visibility check
pub mod routes; // HTTP endpoints
pub mod shortcuts; // shortcut listeners (Report AI issue)
pub mod socket; // Socket Mode
pub mod verify; // request signature verification
pub mod views; // view submission listeners
