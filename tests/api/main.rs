//! Integration tests: the real app on a real database (SQLite, or
//! PostgreSQL with `TEST_DATABASE_URL`), fakes only at third-party HTTP
//! boundaries.

#![allow(clippy::unwrap_used)]

mod ai_impact;
mod architecture;
mod cli;
mod dashboards;
mod demo;
mod feedback;
mod first_use;
mod github_app;
mod github_connect;
mod github_sync;
mod github_webhook;
mod health;
mod helpers;
mod install;
mod jira;
mod jobs;
mod leaderboard;
mod manifest;
mod preview;
mod properties;
mod schema;
mod secrets;
mod slack;
mod socket_mode;
mod surveys;
mod tenancy;
