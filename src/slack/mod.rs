//! Slack: verified listeners (HTTP and Socket Mode), routing by kind and
//! id, the Web API client, installs, roles and App Home.

pub mod client; // Web API client: slack-morphism with rate control, per-org tokens
pub mod install; // OAuth v2 install, token refresh; single-workspace start-up
pub mod listeners; // registry, dispatch, acks
pub mod modal; // opening modals: the admin check, views.open
pub mod payload; // typed Slack payloads
pub mod respond; // the slack.respond job: answers posted to response_url
pub mod roles; // roles and the one visibility check
pub mod routes; // HTTP endpoints
pub mod socket; // Socket Mode
pub mod verify; // request signature verification
