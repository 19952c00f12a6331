//! The demo org: a realistic, synthetic engineering organisation that looks
//! fully synced, for `aimpact demo`, the local preview and tests.
//!
//! # What it contains
//!
//! **Acme (demo)** (Slack team `TDEMO0001`, installed by `UDEMOADMIN`, time
//! zone Europe/Berlin): 24 engineers in three teams (Platform, Mobile,
//! Payments) plus two bots (`dependabot[bot]` and Copilot's coding agent
//! `copilot-swe-agent[bot]`). Every human has a GitHub login and id, a Slack
//! user, a Jira account and a work email, linked the way sync and mapping
//! link them. Priya Raman is the admin (`UDEMOADMIN`), Marcus Okafor leads
//! Platform (`UDEMOLEAD`), Alex Kim is a Platform developer (`UDEMODEV`,
//! the most active one, so previews pick him). GitHub (organisation `acme`)
//! and Jira (`acme.atlassian.net`) are connected, without credentials, and
//! every sync scope says "done".
//!
//! Four repositories (`api-gateway`, `web-app`, `mobile-app`,
//! `payments-core`) hold about 3,000 pull requests over the 180 days before
//! `now`, each with commits and reviews, stored through
//! [`ingest_seen`](crate::github::ingest::ingest_seen), the very path GitHub sync and webhooks take, so
//! every derived column (ready, pickup, review and cycle times, size, revert,
//! hotfix, AI detection and its rule) is what the real code computes.
//! Timing follows working hours (08–18 in Berlin, weekdays; work landing
//! outside them waits for the next morning), throughput rises gently, cycle
//! times are log-normal (median a little over a day, long tail), sizes
//! log-normal around 120 lines; some PRs start as drafts, some are closed
//! unmerged, some are still open; about 3% are reverts and 4% hotfixes;
//! reviews come from teammates, plus a few bot comments that never count.
//!
//! Jira has two projects (PLAT for Platform and Payments, MOB for Mobile)
//! with stories, tasks and bugs, story points, status histories (To Do →
//! In Progress → In Review → Done, some reopened, some "Won't Do"), a
//! backlog, and two-week sprints per board (closed ones and an active one).
//! PRs name their issue in the title, branch or body, and links are made by
//! [`crate::jira::sync::link_prs`].
//!
//! Surveys are on: for merged PRs of the last 90 days the author was asked
//! (about two thirds answered: none / some / most, with tools) and so was
//! every reviewer (quality 1–5 and the AI Detective guess, revealed once
//! both answered, `guess_correct` as docs/metrics.md defines it).
//!
//! About 26 AI issue reports of the last 60 days (`feedback.rs`), each about
//! a merged PR, with its repository's language; eight about missing tests in
//! payments-core, so `/metrics feedback` shows a recurring problem and a
//! suggested rule.
//!
//! # The story it tells
//!
//! AI use spreads: the share of merged PRs with *detected* AI grows from
//! about 15% to about 45% over the six months, as people adopt Claude Code
//! (whose commit trailers make it easy to detect) and Copilot's agent starts
//! opening PRs. Authors *report* more AI than is detected (a chat window
//! leaves no trace, Copilot completions rarely do). AI-assisted PRs are
//! modestly faster (about a fifth lower cycle time, mostly less coding time
//! before the PR), slightly larger, rated a little lower by reviewers and
//! reverted a little more often. Reviewers guess AI use right about 70% of
//! the time, a little better as the months go by.
//!
//! # Determinism
//!
//! Everything follows from `(now, rng_seed)` through one
//! [`StdRng::seed_from_u64`](rand::SeedableRng::seed_from_u64): the same
//! pair gives the same rows (ids and bookkeeping `created_at`/`updated_at`
//! aside). [`seed`] replaces an
//! existing demo org (Slack team [`SLACK_TEAM_ID`]) with a fresh one.
//!
//! # Where it lives
//!
//! This file holds the entry point ([`seed`]), the demo's fixed names and
//! what seeding returns; the rest is in private submodules, in the order
//! seeding uses them:
//!
//! - `cast`: the people and bots, teams, repositories (with what their PRs
//!   add, fix and touch), Jira projects, and each person's identities.
//! - `text`: the words of PRs and commits, and the trailers AI tools leave.
//! - `calendar`: time units and the Berlin working week.
//! - `random`: the one seeded generator and its distributions, and the
//!   snapping of times to working hours.
//! - `plan`: every PR and issue before anything is written: the day-by-day
//!   walk over the period, linked and backlog issues, PR numbering.
//! - `prs`: how each kind of PR is made (human, Copilot's agent,
//!   Dependabot, reverts).
//! - `jira`: sprints, issue status histories and story points.
//! - `surveys`: the author and reviewer surveys of recent merged PRs.
//! - `write`: storing it all as the demo org, PRs through the ingest path.

mod calendar;
mod cast;
mod feedback;
mod jira;
mod plan;
mod prs;
mod random;
mod surveys;
mod text;
mod write;

use crate::domain::OrgId;
use crate::store::{Db, StoreError};

/// Slack team id of the demo org.
pub const SLACK_TEAM_ID: &str = "TDEMO0001";
/// Name of the demo org.
pub const ORG_NAME: &str = "Acme (demo)";
/// The admin's Slack user (also the installer).
pub const ADMIN_SLACK: &str = "UDEMOADMIN";
/// The Platform lead's Slack user.
pub const LEAD_SLACK: &str = "UDEMOLEAD";
/// A plain Platform developer's Slack user.
pub const DEVELOPER_SLACK: &str = "UDEMODEV";
/// The org's time zone. Stored for when buckets follow it; people's
/// working hours are generated in Berlin time (UTC+1, without DST).
pub const TIME_ZONE: &str = "Europe/Berlin";
/// The channel the demo's weekly leaderboard goes to.
pub const DEMO_CHANNEL: &str = "C0DEMOWINS";
/// The GitHub organisation.
pub const GITHUB_ORG: &str = "acme";
/// The Jira site.
pub const JIRA_SITE: &str = "https://acme.atlassian.net/";
/// Days of history before `now`.
pub const DAYS: i64 = 180;
/// Days of surveys before `now`.
pub const SURVEY_DAYS: i64 = 90;

/// What [`seed`] made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoOrg {
    /// The demo org.
    pub org: OrgId,
    /// Slack user of the admin (the installer).
    pub admin_slack: String,
    /// Slack user of the Platform lead.
    pub lead_slack: String,
    /// Slack user of a plain developer.
    pub developer_slack: String,
    /// People, bots included.
    pub people: usize,
    /// Pull requests (merged, closed and open).
    pub prs: usize,
    /// Jira issues.
    pub issues: usize,
    /// Author surveys (answered or not); reviewer surveys come with them.
    pub surveys: usize,
    /// AI issue reports.
    pub reports: usize,
}

/// Why seeding failed.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// A store function failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The database failed outside a store function (transactions).
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// Linking PRs to Jira issues failed.
    #[error(transparent)]
    JiraLinks(#[from] crate::jira::sync::SyncError),
}

/// Creates the demo org from `(now, rng_seed)`: the same pair gives the same
/// rows. An existing demo org (Slack team [`SLACK_TEAM_ID`]) is deleted
/// first, with everything it holds, so seeding again starts over.
pub async fn seed(db: &Db, now: i64, rng_seed: u64) -> Result<DemoOrg, DemoError> {
    let (plan, mut g) = plan::plan(now, rng_seed);
    let sprint_plan = jira::sprints(now);
    let issues = jira::jira_history(&mut g, &plan, &sprint_plan, now);
    let survey_plan = surveys::surveys_of(&mut g, &plan, now);
    let mut made = write::write(db, now, plan, sprint_plan, issues, survey_plan).await?;
    made.reports = feedback::write(db, made.org, now, rng_seed).await?;
    Ok(made)
}
