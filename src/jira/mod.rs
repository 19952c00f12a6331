//! Jira: connecting (OAuth 2.0 3LO or an API token), projects, people,
//! the issue sync with changelogs and sprints, and PR links.

pub mod client; // reqwest client with Atlassian's rate-limit rules and the points budget
pub mod connect; // OAuth 2.0 (3LO) with rotating refresh tokens, API tokens, the org's client
pub mod export; // aimpact export issues
pub mod job; // the jira.sync job
pub mod setup; // GET /jira/oauth/callback
pub mod slack; // the connect modals, the project chooser and its options
pub mod sync; // projects, fields, issues with changelogs, sprints, people, PR links
pub mod webhook; // dynamic webhooks for OAuth sites: registration, refresh, debounced syncs
