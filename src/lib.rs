//! aimpact: tells an engineering organisation, inside Slack, whether AI
//! coding assistants are helping.
//!
//! Data flows one way: outside world → verified input → durable storage →
//! pure computation → pure rendering → Slack (docs/architecture.md).

pub mod app; // build and run the service: pools, keys, listener, workers, shutdown
pub mod bounds; // what outside APIs can make us do: paging loops (page limit, repeated cursor, empty page with more), response sizes
pub mod cli; // the command line: serve, worker, migrate, keys, sync, export, demo, render
pub mod clock; // the time "when" decisions read: system, or set by tests
pub mod config; // every setting, from the environment, validated once
pub mod crypto; // AES-256-GCM secret box with key ids and rotation
pub mod dashboard; // /metrics answers and App Home dashboards: visibility, data, charts, blocks
pub mod demo; // a synthetic, fully synced demo org (people, PRs, Jira, surveys) from a seed
pub mod domain; // small types parsed once: OrgId, Role, Provider
pub mod egress; // outbound connections to customer-named hosts: public addresses only, checked per connection
pub mod feedback; // the AI feedback loop: "Report AI issue", reports with their PR's languages
pub mod github; // GitHub: client (rate limits), GraphQL sync, webhooks, ingest with metrics
pub mod http; // axum router, health endpoints, cross-cutting layers
pub mod jira; // Jira: connect (3LO or token), projects, people, issue sync, PR links
pub mod jobs; // durable apalis jobs on the same database
pub mod leaderboard; // the weekly leaderboard: rankings, the post once per org and week, settings
pub mod metrics; // pure: per-PR metrics, AI detection, aggregates (docs/metrics.md)
pub mod people; // people matching: Slack members linked by email as identities arrive, the People modal
pub mod signed_state; // signed, single-use, expiring state for browser round trips
pub mod slack; // Slack transport: verified routes, Socket Mode, payloads, the listener registry, install
pub mod slack_api; // the Slack Web API client: rate control, per-channel pacing (no capability)
pub mod slack_ui; // Slack screens composing several capabilities, and listener registration
pub mod state; // AppState: the handles every handler, listener and job receives
pub mod store; // org-scoped storage on SQLite or PostgreSQL, one code path
pub mod surveys; // PR survey DMs, the AI Detective reveal, reminders, expiry, quiet hours
pub mod telemetry; // tracing set-up (text or JSON)
pub mod web; // what the browser steps share: pages, round-trip cookies, origin checks
