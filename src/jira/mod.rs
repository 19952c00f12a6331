//! Jira: connecting (OAuth 2.0 3LO or an API token), projects, people,
//! the issue sync with changelogs and sprints, and PR links.

pub mod client; // reqwest client with Atlassian's rate-limit rules and the points budget
