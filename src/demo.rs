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
//! [`ingest::ingest_seen`], the very path GitHub sync and webhooks take, so
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
//! [`StdRng::seed_from_u64`]: the same pair gives the same rows (ids and
//! bookkeeping `created_at`/`updated_at` aside). [`seed`] replaces an
//! existing demo org (Slack team [`SLACK_TEAM_ID`]) with a fresh one.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

use crate::domain::{OrgId, PersonId, Provider, PullRequestId, Role, TeamId};
use crate::github::ingest::{self, Account, PrFacts, RepoFacts, ReviewFacts};
use crate::metrics::jira::{self as jira_metrics, StatusCategory, Transition};
use crate::store::jira::{self as jira_store, IssueRow, SprintRow, TransitionRow};
use crate::store::people::{self, LinkSource};
use crate::store::pull_requests::CommitRow;
use crate::store::repositories::{self, NewRepository};
use crate::store::surveys::{self, AiAnswer, Delivery, SurveyReviewRow, SurveyRow, SurveyStatus};
use crate::store::sync_state::{self, SyncState};
use crate::store::{Db, StoreError, integrations, orgs, roles, teams};

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

const MIN: i64 = 60;
const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;
/// Berlin standard time; DST is ignored for the synthetic working hours.
const LOCAL_OFFSET: i64 = HOUR;
/// Human PRs opened per working day at the middle of the period.
const PRS_PER_WORKDAY: f64 = 22.0;
/// Fraction of the period after which Copilot's agent starts opening PRs.
const AGENT_FROM: f64 = 0.3;

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

// ---------------------------------------------------------------------------
// The cast
// ---------------------------------------------------------------------------

/// The AI tool a person reaches for, and how often it leaves a trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tool {
    Claude,
    Copilot,
    Cursor,
    ChatGpt,
}

impl Tool {
    /// The name as authors pick it in the survey (the assistant list's).
    fn name(self) -> &'static str {
        match self {
            Tool::Claude => "Claude Code",
            Tool::Copilot => "Copilot",
            Tool::Cursor => "Cursor",
            Tool::ChatGpt => "ChatGPT",
        }
    }

    /// Chance that a PR made with it carries a detectable signal: Claude
    /// Code adds trailers by default, completions leave none, a chat
    /// window never does.
    fn trace_rate(self) -> f64 {
        match self {
            Tool::Claude => 0.9,
            Tool::Cursor => 0.75,
            Tool::Copilot => 0.5,
            Tool::ChatGpt => 0.0,
        }
    }
}

struct Member {
    name: &'static str,
    login: &'static str,
    email: &'static str,
    team: usize,
    /// How many PRs they open, relative to others.
    weight: f64,
    tool: Tool,
    /// Relative appetite for AI.
    affinity: f64,
    /// Fraction of the period before which they had not joined.
    joined: f64,
    slack: Option<&'static str>,
}

const fn member(
    name: &'static str,
    login: &'static str,
    email: &'static str,
    team: usize,
    weight: f64,
    tool: Tool,
    affinity: f64,
) -> Member {
    Member {
        name,
        login,
        email,
        team,
        weight,
        tool,
        affinity,
        joined: 0.0,
        slack: None,
    }
}

const ADMIN: usize = 0;
const LEAD: usize = 1;

const N_MEMBERS: usize = 24;

static MEMBERS: [Member; N_MEMBERS] = [
    Member {
        slack: Some(ADMIN_SLACK),
        ..member(
            "Priya Raman",
            "priya-raman",
            "priya.raman",
            0,
            0.25,
            Tool::Claude,
            1.2,
        )
    },
    Member {
        slack: Some(LEAD_SLACK),
        ..member(
            "Marcus Okafor",
            "mokafor",
            "marcus.okafor",
            0,
            0.6,
            Tool::Copilot,
            1.0,
        )
    },
    Member {
        slack: Some(DEVELOPER_SLACK),
        ..member("Alex Kim", "alexkim", "alex.kim", 0, 1.7, Tool::Claude, 1.3)
    },
    member(
        "Sofia Rossi",
        "srossi",
        "sofia.rossi",
        0,
        1.1,
        Tool::Cursor,
        1.1,
    ),
    member(
        "Jonas Becker",
        "jbecker",
        "jonas.becker",
        0,
        1.0,
        Tool::Copilot,
        0.6,
    ),
    member(
        "Aisha Khan",
        "aishakhan",
        "aisha.khan",
        0,
        1.2,
        Tool::Claude,
        1.4,
    ),
    member(
        "Tomás Silva",
        "tsilva",
        "tomas.silva",
        0,
        0.9,
        Tool::ChatGpt,
        0.8,
    ),
    member(
        "Lena Fischer",
        "lfischer",
        "lena.fischer",
        0,
        1.0,
        Tool::Claude,
        1.0,
    ),
    member(
        "Daniel Park",
        "dpark-acme",
        "daniel.park",
        0,
        0.8,
        Tool::Copilot,
        0.9,
    ),
    member(
        "Hannah Müller",
        "hmueller",
        "hannah.mueller",
        1,
        1.1,
        Tool::Copilot,
        0.9,
    ),
    member(
        "Kenji Tanaka",
        "ktanaka",
        "kenji.tanaka",
        1,
        1.2,
        Tool::Cursor,
        1.3,
    ),
    member(
        "Olivia Brown",
        "obrown",
        "olivia.brown",
        1,
        1.0,
        Tool::Claude,
        1.0,
    ),
    member(
        "Mateo García",
        "mgarcia",
        "mateo.garcia",
        1,
        0.9,
        Tool::Copilot,
        0.7,
    ),
    member(
        "Chloé Dubois",
        "cdubois",
        "chloe.dubois",
        1,
        1.0,
        Tool::Cursor,
        1.1,
    ),
    member(
        "Ravi Patel",
        "rpatel",
        "ravi.patel",
        1,
        1.1,
        Tool::Claude,
        1.2,
    ),
    member(
        "Emma Johansson",
        "ejohansson",
        "emma.johansson",
        1,
        0.8,
        Tool::ChatGpt,
        0.5,
    ),
    member(
        "Noah Williams",
        "nwilliams",
        "noah.williams",
        2,
        1.0,
        Tool::Copilot,
        0.8,
    ),
    member(
        "Fatima Al-Sayed",
        "falsayed",
        "fatima.alsayed",
        2,
        1.1,
        Tool::Claude,
        1.2,
    ),
    member(
        "Lucas Martin",
        "lmartin",
        "lucas.martin",
        2,
        1.0,
        Tool::Cursor,
        1.0,
    ),
    member(
        "Zoe Nguyen",
        "znguyen",
        "zoe.nguyen",
        2,
        1.2,
        Tool::Claude,
        1.3,
    ),
    member(
        "Ethan Cohen",
        "ecohen",
        "ethan.cohen",
        2,
        0.9,
        Tool::Copilot,
        0.6,
    ),
    member(
        "Inès Moreau",
        "imoreau",
        "ines.moreau",
        2,
        1.0,
        Tool::Claude,
        1.1,
    ),
    member(
        "Samuel Adeyemi",
        "sadeyemi",
        "samuel.adeyemi",
        2,
        0.9,
        Tool::ChatGpt,
        0.9,
    ),
    Member {
        joined: 0.6,
        ..member(
            "Nora Lindqvist",
            "nlindqvist",
            "nora.lindqvist",
            2,
            1.0,
            Tool::Cursor,
            1.0,
        )
    },
];

const DEPENDABOT: usize = N_MEMBERS;
const AGENT: usize = N_MEMBERS + 1;
const BOTS: [(&str, i64); 2] = [
    ("dependabot[bot]", 49_699_333),
    ("copilot-swe-agent[bot]", 198_982_749),
];
const AGENT_EMAIL: &str = "198982749+Copilot@users.noreply.github.com";

/// `(slug, name, GitHub team id, Jira project)`.
const TEAMS: [(&str, &str, i64, usize); 3] = [
    ("platform", "Platform", 7_301_001, 0),
    ("mobile", "Mobile", 7_301_002, 1),
    ("payments", "Payments", 7_301_003, 0),
];

struct RepoSpec {
    name: &'static str,
    github_id: i64,
    first_number: i64,
    ecosystem: &'static str,
    packages: &'static [&'static str],
    /// Things to add ("Add …").
    features: &'static [&'static str],
    /// Things to fix ("Fix …").
    bugs: &'static [&'static str],
    /// Parts to refactor, test, speed up, document.
    parts: &'static [&'static str],
}

static REPOS: [RepoSpec; 4] = [
    RepoSpec {
        name: "api-gateway",
        github_id: 611_204_117,
        first_number: 1_402,
        ecosystem: "cargo",
        packages: &[
            "tokio",
            "serde",
            "axum",
            "tower-http",
            "sqlx",
            "tracing",
            "rustls",
            "hyper",
        ],
        features: &[
            "retries to webhook intake",
            "a rate limiter for public endpoints",
            "request ids to tracing headers",
            "gRPC health checks",
            "connection pool metrics",
            "an OpenTelemetry exporter",
            "a circuit breaker around billing calls",
            "an API key rotation endpoint",
            "per-tenant request quotas",
            "response compression",
        ],
        bugs: &[
            "timeout budget ignored for slow upstreams",
            "stale auth tokens after rotation",
            "CORS preflight for partner domains",
            "502s during graceful shutdown",
            "memory growth in the tenant routing table",
            "duplicate webhook deliveries",
            "config reload dropping listeners",
            "wrong status code for expired API keys",
        ],
        parts: &[
            "the auth token cache",
            "config hot reload",
            "structured request logging",
            "the tenant routing table",
            "upstream client setup",
            "error mapping in handlers",
            "the webhook intake queue",
            "integration test fixtures",
        ],
    },
    RepoSpec {
        name: "web-app",
        github_id: 611_204_233,
        first_number: 2_218,
        ecosystem: "npm_and_yarn",
        packages: &[
            "react",
            "vite",
            "typescript",
            "eslint",
            "date-fns",
            "zod",
            "@tanstack/react-query",
        ],
        features: &[
            "filters to the dashboard",
            "a date range picker",
            "German translations",
            "pagination to the invoices table",
            "empty states to the invoices list",
            "keyboard navigation in menus",
            "a team switcher",
            "CSV export of payments",
            "dark mode",
        ],
        bugs: &[
            "login redirect loop",
            "checkout form validation on blur",
            "chart tooltips cut off on small screens",
            "timezone shift in the date picker",
            "flicker when switching teams",
            "missing CSP header on the settings page",
            "double submit on slow networks",
        ],
        parts: &[
            "the settings page bundle",
            "form validation helpers",
            "the API client",
            "the chart components",
            "route loaders",
            "the design system buttons",
            "end-to-end tests for checkout",
        ],
    },
    RepoSpec {
        name: "mobile-app",
        github_id: 598_877_410,
        first_number: 871,
        ecosystem: "gradle",
        packages: &[
            "com.squareup.okhttp3:okhttp",
            "androidx.compose:compose-bom",
            "io.coil-kt:coil",
            "com.google.dagger:hilt-android",
            "org.jetbrains.kotlinx:kotlinx-coroutines-core",
        ],
        features: &[
            "an offline sync queue",
            "biometric login",
            "deep links into receipts",
            "an onboarding carousel",
            "push notification preferences",
            "background upload retries",
            "accessibility labels on the home tab",
            "in-app review prompts",
        ],
        bugs: &[
            "crash when resuming on Android 14",
            "push permission prompt shown twice",
            "dark mode colours on the receipt screen",
            "image cache growing without bound",
            "keyboard covering the login button",
            "lost drafts after process death",
            "wrong currency symbol in receipts",
        ],
        parts: &[
            "the settings screen",
            "the image cache",
            "navigation graph setup",
            "the sync worker",
            "the networking layer",
            "app start-up",
            "screenshot tests",
        ],
    },
    RepoSpec {
        name: "payments-core",
        github_id: 633_019_552,
        first_number: 655,
        ecosystem: "gradle",
        packages: &[
            "org.postgresql:postgresql",
            "io.micrometer:micrometer-core",
            "com.stripe:stripe-java",
            "org.flywaydb:flyway-core",
            "io.ktor:ktor-server-core",
        ],
        features: &[
            "idempotency keys for charges",
            "refund webhooks",
            "the SEPA mandate flow",
            "3DS challenge handling",
            "a ledger reconciliation job",
            "invoice PDF generation",
            "payout scheduling",
            "VAT calculation for EU customers",
            "dunning emails",
        ],
        bugs: &[
            "currency rounding for JPY",
            "duplicate refunds on webhook retries",
            "payouts stuck in pending",
            "reconciliation mismatch at month end",
            "fraud rule thresholds off by one",
            "invoice numbering gaps",
            "expired cards not retried",
        ],
        parts: &[
            "the ledger",
            "the Stripe client",
            "fraud rules",
            "the payout scheduler",
            "money formatting",
            "the refunds service",
            "migration scripts",
        ],
    },
];

/// Repositories a team works in, with weights.
const TEAM_REPOS: [&[(usize, f64)]; 3] = [
    &[(0, 0.6), (1, 0.4)],
    &[(2, 0.9), (0, 0.1)],
    &[(3, 0.7), (1, 0.3)],
];

/// `(key, name, Jira id, board, first sprint number)`.
const PROJECTS: [(&str, &str, &str, &str, i64); 2] = [
    ("PLAT", "Platform", "10001", "1", 31),
    ("MOB", "Mobile", "10002", "2", 18),
];

/// What a PR does to a part of the code: `(verb, branch kind)`.
const PART_VERBS: [(&str, &str); 7] = [
    ("Refactor", "refactor"),
    ("Simplify", "refactor"),
    ("Add tests for", "test"),
    ("Speed up", "perf"),
    ("Clean up", "chore"),
    ("Document", "docs"),
    ("Harden", "fix"),
];

const FOLLOW_UPS: [&str; 12] = [
    "Add tests",
    "Fix lint",
    "Handle the empty case",
    "Rename for clarity",
    "Update snapshots",
    "Clean up",
    "Fix flaky test",
    "Extract helper",
    "Update docs",
    "Tighten error messages",
    "Log the failure path",
    "Bump timeout in test",
];

const WHY: [&str; 8] = [
    "Customers hit this in production last week.",
    "Follow-up from the incident review.",
    "Needed for the next milestone.",
    "Reduces noise in our alerts.",
    "Requested by support.",
    "Makes the next change smaller.",
    "The old behaviour surprised people.",
    "Part of the quarterly reliability goals.",
];

const TESTING: [&str; 6] = [
    "Unit tests added",
    "Ran the integration suite locally",
    "Tested on staging",
    "Manual test with a seeded account",
    "Existing tests cover this",
    "Added a regression test",
];

const CLAUDE_LINE: &str = "🤖 Generated with [Claude Code](https://claude.com/claude-code)";
const CLAUDE_TRAILER: &str = "Co-Authored-By: Claude <noreply@anthropic.com>";
const COPILOT_TRAILER: &str =
    "Co-authored-by: Copilot <198982749+Copilot@users.noreply.github.com>";
const CURSOR_TRAILER: &str = "Made-with: Cursor";
const CURSOR_AGENT_TRAILER: &str = "Co-authored-by: Cursor Agent <cursoragent@cursor.com>";

// ---------------------------------------------------------------------------
// Randomness and calendar
// ---------------------------------------------------------------------------

struct Gen {
    rng: StdRng,
}

impl Gen {
    fn unit(&mut self) -> f64 {
        self.rng.gen_range(0.0..1.0)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn between(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// An integer in `[lo, hi)` (`lo` when empty).
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            lo
        } else {
            self.rng.gen_range(lo..hi)
        }
    }

    fn index(&mut self, len: usize) -> usize {
        self.rng.gen_range(0..len.max(1))
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.index(xs.len())]
    }

    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.unit();
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }

    /// A log-normal duration in seconds, between a minute and 60 days.
    fn secs(&mut self, median: f64, sigma: f64) -> i64 {
        self.lognormal(median, sigma).clamp(60.0, 60.0 * DAY as f64) as i64
    }

    fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.iter().rposition(|w| *w > 0.0).unwrap_or(0)
    }

    fn poisson(&mut self, lambda: f64) -> usize {
        let limit = (-lambda).exp();
        let mut k = 0;
        let mut p = self.unit();
        while p > limit && k < 500 {
            k += 1;
            p *= self.unit();
        }
        k
    }

    fn sha(&mut self) -> String {
        (0..20)
            .map(|_| format!("{:02x}", self.rng.gen_range(0..=255u8)))
            .collect()
    }

    /// `t` if it falls in working hours, else a moment early on the next
    /// working morning.
    fn snap(&mut self, t: i64) -> i64 {
        let day = local_day(t);
        let hour = local_hour(t);
        if is_workday(day) && (8.0..18.0).contains(&hour) {
            return t;
        }
        let mut next = if is_workday(day) && hour < 8.0 {
            day
        } else {
            day + 1
        };
        while !is_workday(next) {
            next += 1;
        }
        at_local(next, 8 * HOUR + self.range(0, 100 * MIN))
    }

    /// A time of day when people open PRs, peaking around midday.
    fn work_time(&mut self, day: i64) -> i64 {
        let hour = 8.5 + 9.0 * (self.unit() + self.unit()) / 2.0;
        at_local(day, (hour * HOUR as f64) as i64)
    }
}

fn local_day(t: i64) -> i64 {
    (t + LOCAL_OFFSET).div_euclid(DAY)
}

fn local_hour(t: i64) -> f64 {
    (t + LOCAL_OFFSET).rem_euclid(DAY) as f64 / HOUR as f64
}

/// Monday is 0 (1970-01-01 was a Thursday).
fn weekday(day: i64) -> i64 {
    (day + 3).rem_euclid(7)
}

fn is_workday(day: i64) -> bool {
    weekday(day) < 5
}

fn at_local(day: i64, seconds: i64) -> i64 {
    day * DAY + seconds - LOCAL_OFFSET
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.len() >= 40 {
            break;
        }
    }
    out.trim_end_matches('-').to_string()
}

// ---------------------------------------------------------------------------
// The plan: every row, before anything is written
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    None,
    Some,
    Most,
}

#[derive(Debug, Clone)]
struct ReviewPlan {
    reviewer: usize,
    state: &'static str,
    at: i64,
}

#[derive(Debug, Clone)]
struct PrPlan {
    repo: usize,
    author: usize,
    number: i64,
    title: String,
    body: String,
    head_ref: String,
    labels: Vec<String>,
    additions: i64,
    deletions: i64,
    changed_files: i64,
    created_at: i64,
    opened_as_draft: bool,
    ready_for_review_at: Option<i64>,
    merged_at: Option<i64>,
    closed_at: Option<i64>,
    commits: Vec<CommitRow>,
    reviews: Vec<ReviewPlan>,
    /// What the author really did (the survey's truth).
    level: Level,
    tool: Option<Tool>,
    revert_of: Option<usize>,
    reverted_by: Option<usize>,
    merge_sha: String,
    is_hotfix: bool,
}

impl PrPlan {
    fn is_draft(&self) -> bool {
        self.opened_as_draft && self.ready_for_review_at.is_none() && self.merged_at.is_none()
    }

    fn state(&self) -> &'static str {
        match (self.merged_at, self.closed_at) {
            (Some(_), _) => "merged",
            (None, Some(_)) => "closed",
            _ => "open",
        }
    }

    fn updated_at(&self) -> i64 {
        let mut at = self.created_at;
        for t in [self.ready_for_review_at, self.merged_at, self.closed_at]
            .into_iter()
            .flatten()
        {
            at = at.max(t);
        }
        for r in &self.reviews {
            at = at.max(r.at);
        }
        for c in &self.commits {
            at = at.max(c.committed_at.unwrap_or(0));
        }
        at
    }

    /// Drops what has not happened by `now`.
    fn cut(&mut self, now: i64) {
        if self.ready_for_review_at.is_some_and(|t| t > now) {
            self.ready_for_review_at = None;
        }
        if self.merged_at.is_some_and(|t| t > now) {
            self.merged_at = None;
        }
        if self.closed_at.is_some_and(|t| t > now) {
            self.closed_at = None;
        }
        if self.merged_at.is_some() {
            self.closed_at = self.merged_at;
        }
        self.reviews.retain(|r| r.at <= now);
        self.commits
            .retain(|c| c.authored_at.is_some_and(|t| t <= now));
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IssueKind {
    /// Worked through PRs.
    Linked,
    /// Waiting in the backlog.
    Backlog,
    /// Closed without work ("Won't Do").
    WontDo,
    /// Worked without a PR (a spike, a doc).
    NoCode,
}

#[derive(Debug, Clone)]
struct IssuePlan {
    project: usize,
    number: i64,
    kind: IssueKind,
    issue_type: &'static str,
    summary: String,
    assignee: Option<usize>,
    prs: Vec<usize>,
    created_hint: i64,
}

impl IssuePlan {
    fn key(&self) -> String {
        format!("{}-{}", PROJECTS[self.project].0, self.number)
    }
}

struct Planner {
    g: Gen,
    now: i64,
    start: i64,
    prs: Vec<PrPlan>,
    issues: Vec<IssuePlan>,
    /// Next issue number per project.
    next_issue: [i64; 2],
    /// Each member's issue in progress.
    current_issue: Vec<Option<usize>>,
    affinity_mean: f64,
}

fn login_of(person: usize) -> &'static str {
    match person {
        DEPENDABOT => BOTS[0].0,
        AGENT => BOTS[1].0,
        p => MEMBERS[p].login,
    }
}

fn github_id_of(person: usize) -> i64 {
    match person {
        DEPENDABOT => BOTS[0].1,
        AGENT => BOTS[1].1,
        p => 5_810_000 + 137 * p as i64,
    }
}

fn email_of(person: usize) -> String {
    format!("{}@acme.example", MEMBERS[person].email)
}

fn slack_of(person: usize) -> String {
    MEMBERS[person]
        .slack
        .map(str::to_string)
        .unwrap_or_else(|| format!("UDEMO{:03}", person + 1))
}

fn jira_account_of(person: usize) -> String {
    format!("712020:acme-demo-{:04}", person + 1)
}

impl Planner {
    fn t(&self, at: i64) -> f64 {
        ((at - self.start) as f64 / (DAYS * DAY) as f64).clamp(0.0, 1.0)
    }

    fn active(&self, person: usize, at: i64) -> bool {
        self.t(at) >= MEMBERS[person].joined
    }

    /// A teammate of `author` to review, weighted by activity; the admin
    /// reviews rarely.
    fn teammate(&mut self, author: usize, not: &[usize], at: i64) -> Option<usize> {
        let team = MEMBERS[author].team;
        let weights: Vec<f64> = (0..MEMBERS.len())
            .map(|p| {
                if p == author || not.contains(&p) || MEMBERS[p].team != team || !self.active(p, at)
                {
                    0.0
                } else if p == ADMIN {
                    0.05
                } else {
                    MEMBERS[p].weight
                }
            })
            .collect();
        if weights.iter().all(|w| *w == 0.0) {
            return None;
        }
        Some(self.g.weighted(&weights))
    }

    fn commit(&mut self, person: usize, at: i64, message: String) -> CommitRow {
        let (name, email) = match person {
            DEPENDABOT => (
                BOTS[0].0.to_string(),
                "49699333+dependabot[bot]@users.noreply.github.com".to_string(),
            ),
            AGENT => (BOTS[1].0.to_string(), AGENT_EMAIL.to_string()),
            p => (MEMBERS[p].name.to_string(), email_of(p)),
        };
        CommitRow {
            sha: self.g.sha(),
            author_login: Some(login_of(person).to_string()),
            author_name: name,
            author_email: email,
            authored_at: Some(at),
            committed_at: Some(at + self.g.range(0, 90)),
            message,
        }
    }

    fn new_issue(
        &mut self,
        project: usize,
        kind: IssueKind,
        issue_type: &'static str,
        summary: String,
        assignee: Option<usize>,
        at: i64,
    ) -> usize {
        let number = self.next_issue[project];
        self.next_issue[project] += 1;
        self.issues.push(IssuePlan {
            project,
            number,
            kind,
            issue_type,
            summary,
            assignee,
            prs: Vec::new(),
            created_hint: at,
        });
        self.issues.len() - 1
    }

    /// The issue a PR of `author` belongs to: their current one, a new one,
    /// or none.
    fn issue_for(
        &mut self,
        author: usize,
        created: i64,
        summary: &str,
        bug: bool,
    ) -> Option<usize> {
        if self.g.chance(if bug { 0.5 } else { 0.25 }) {
            return None;
        }
        if let Some(current) = self.current_issue[author] {
            let issue = &self.issues[current];
            let recent = issue
                .prs
                .first()
                .is_some_and(|&p| created - self.prs[p].created_at < 8 * DAY);
            if !bug && recent && issue.prs.len() < 4 && self.g.chance(0.7) {
                return Some(current);
            }
        }
        let project = TEAMS[MEMBERS[author].team].3;
        let issue_type = if bug {
            "Bug"
        } else if self.g.chance(0.7) {
            "Story"
        } else {
            "Task"
        };
        let id = self.new_issue(
            project,
            IssueKind::Linked,
            issue_type,
            capitalised(summary),
            Some(author),
            created,
        );
        self.current_issue[author] = Some(id);
        Some(id)
    }

    /// A PR title for `repo`: `(title, branch kind, is a bug fix)`.
    fn title(&mut self, repo: usize, hotfix: bool) -> (String, &'static str, bool) {
        let spec = &REPOS[repo];
        let x = self.g.unit();
        if hotfix || x < 0.3 {
            let kind = if hotfix { "hotfix" } else { "fix" };
            (format!("Fix {}", self.g.pick(spec.bugs)), kind, true)
        } else if x < 0.7 {
            (
                format!("Add {}", self.g.pick(spec.features)),
                "feature",
                false,
            )
        } else {
            let (verb, kind) = *self.g.pick(&PART_VERBS);
            (format!("{verb} {}", self.g.pick(spec.parts)), kind, false)
        }
    }

    fn human_pr(&mut self, author: usize, created: i64) {
        let t = self.t(created);
        let m = &MEMBERS[author];
        let team = m.team;
        let repo_weights: Vec<f64> = TEAM_REPOS[team].iter().map(|(_, w)| *w).collect();
        let repo = TEAM_REPOS[team][self.g.weighted(&repo_weights)].0;

        // What the author really did.
        let p_ai = ((0.21 + 0.37 * t) * m.affinity / self.affinity_mean).clamp(0.0, 0.95);
        let level = if self.g.chance(p_ai) {
            if self.g.chance(0.2 + 0.2 * t) {
                Level::Most
            } else {
                Level::Some
            }
        } else {
            Level::None
        };
        let tool = (level != Level::None).then(|| {
            if self.g.chance(0.35 * t) {
                Tool::Claude
            } else {
                m.tool
            }
        });
        let hotfix = self.g.chance(0.04);

        let mut size = self.g.lognormal(120.0, 1.0);
        size *= match level {
            Level::None => 1.0,
            Level::Some => 1.1,
            Level::Most => 1.3,
        };
        if hotfix {
            size *= 0.3;
        }
        let size = (size.round() as i64).clamp(1, 6_000);
        let additions = ((size as f64) * self.g.between(0.5, 0.9)).round() as i64;
        let deletions = size - additions;
        let changed_files = (1 + size / 45 + self.g.range(0, 3)).min(150);

        // Words.
        let (plain, kind, bug) = self.title(repo, hotfix);
        let issue = self.issue_for(author, created, &plain, bug);
        let key = issue.map(|i| self.issues[i].key());
        let mut title = if hotfix && self.g.chance(0.5) {
            format!("Hotfix: {}", plain.to_lowercase())
        } else {
            plain.clone()
        };
        let mut key_elsewhere = false;
        if let Some(key) = &key {
            match self.g.unit() {
                x if x < 0.45 => title = format!("{key}: {title}"),
                x if x < 0.6 => title = format!("[{key}] {title}"),
                _ => key_elsewhere = true,
            }
        }
        let words = slug(&plain);
        let prefix = if hotfix || !author.is_multiple_of(3) {
            kind
        } else {
            m.login
        };
        let mut head_ref = match (&key, key_elsewhere) {
            (Some(key), true) => format!("{prefix}/{}-{words}", key.to_lowercase()),
            _ => format!("{prefix}/{words}"),
        };
        let mut body = format!(
            "## What\n{plain}.\n\n## Why\n{}\n\n## Testing\n- {}",
            self.g.pick(&WHY),
            self.g.pick(&TESTING)
        );
        if let (Some(key), true) = (&key, key_elsewhere || self.g.chance(0.3)) {
            body.push_str(&format!("\n\nCloses {key}"));
        }
        let mut labels: Vec<String> = Vec::new();
        if hotfix && self.g.chance(0.3) {
            labels.push("hotfix".into());
        } else if bug && self.g.chance(0.4) {
            labels.push("bug".into());
        } else if self.g.chance(0.15) {
            labels.push(
                self.g
                    .pick(&["enhancement", "tech-debt", "performance"])
                    .to_string(),
            );
        }

        // Times. AI mostly shortens the coding before the PR and a little
        // of the review; bigger PRs wait and take longer.
        let (coding_factor, review_factor) = match level {
            Level::None => (1.0, 1.0),
            Level::Some => (0.5, 0.8),
            Level::Most => (0.4, 0.75),
        };
        let size_factor = (size as f64 / 120.0).powf(0.3).clamp(0.5, 3.0);
        let urgency = if hotfix { 0.15 } else { 1.0 };
        let coding = self
            .g
            .secs(10.0 * HOUR as f64 * coding_factor * urgency, 1.1);
        let first_commit = created - coding;
        let draft = !hotfix && self.g.chance(0.12);
        let ready = draft.then(|| {
            let wait = self.g.secs(5.0 * HOUR as f64, 1.0);
            self.g.snap(created + wait)
        });
        let ready_at = ready.unwrap_or(created);
        let pickup = self
            .g
            .secs(2.5 * HOUR as f64 * size_factor.sqrt() * urgency, 1.0);
        let first_review = if hotfix {
            ready_at + pickup
        } else {
            self.g.snap(ready_at + pickup)
        };
        let review_time = self.g.secs(
            5.0 * HOUR as f64 * size_factor * review_factor * urgency,
            1.1,
        );
        let merged = if hotfix {
            first_review + review_time
        } else {
            self.g.snap(first_review + review_time)
        };
        let outcome = self.g.unit();
        let (merged_at, closed_at) = if outcome < 0.05 {
            let wait = self.g.secs(3.0 * DAY as f64, 0.8);
            (None, Some(self.g.snap(ready_at + wait)))
        } else if outcome < 0.065 {
            (None, None) // abandoned, still open
        } else {
            (Some(merged), Some(merged))
        };

        // Commits.
        let n_commits = (1 + self.g.poisson(1.0 + size as f64 / 300.0)).min(15);
        let mut commits = Vec::with_capacity(n_commits + 1);
        for i in 0..n_commits {
            let at = if i == 0 {
                first_commit
            } else {
                first_commit + self.g.range(0, (created - first_commit).max(1))
            };
            let message = if i == 0 {
                plain.clone()
            } else {
                self.g.pick(&FOLLOW_UPS).to_string()
            };
            commits.push(self.commit(author, at, message));
        }
        commits.sort_by_key(|c| c.authored_at);

        // Reviews.
        let mut reviews = Vec::new();
        if draft
            && self.g.chance(0.25)
            && let Some(r) = self.teammate(author, &[], created)
        {
            let at = created + ((ready_at - created) as f64 * self.g.between(0.2, 0.8)) as i64;
            reviews.push(ReviewPlan {
                reviewer: r,
                state: "COMMENTED",
                at,
            });
        }
        if t > AGENT_FROM && self.g.chance(0.08) {
            let at = ready_at + self.g.range(2 * MIN, 6 * MIN);
            reviews.push(ReviewPlan {
                reviewer: AGENT,
                state: "COMMENTED",
                at,
            });
        }
        let end = merged_at.or(closed_at).unwrap_or(self.now);
        let reviewed = merged_at.is_none() || !self.g.chance(0.04);
        if reviewed
            && first_review <= end
            && let Some(r1) = self.teammate(author, &[], first_review)
        {
            let state = match self.g.unit() {
                x if x < 0.55 => "APPROVED",
                x if x < 0.75 => "CHANGES_REQUESTED",
                _ => "COMMENTED",
            };
            reviews.push(ReviewPlan {
                reviewer: r1,
                state,
                at: first_review,
            });
            let span = (end - first_review).max(1) as f64;
            if state != "APPROVED" {
                let fix_at = first_review + (span * self.g.between(0.1, 0.5)) as i64;
                let message = if self.g.chance(0.6) {
                    "Address review comments".to_string()
                } else {
                    self.g.pick(&FOLLOW_UPS).to_string()
                };
                commits.push(self.commit(author, fix_at, message));
                if merged_at.is_some() {
                    let at = first_review + (span * self.g.between(0.55, 0.98)) as i64;
                    reviews.push(ReviewPlan {
                        reviewer: r1,
                        state: "APPROVED",
                        at,
                    });
                }
            }
            if self.g.chance(0.3)
                && let Some(r2) = self.teammate(author, &[r1], first_review)
            {
                let at = first_review + (span * self.g.between(0.05, 0.95)) as i64;
                let state = if merged_at.is_some() && self.g.chance(0.7) {
                    "APPROVED"
                } else {
                    "COMMENTED"
                };
                reviews.push(ReviewPlan {
                    reviewer: r2,
                    state,
                    at,
                });
            }
        }
        let merged_reviewless = merged_at.is_some() && !reviewed;
        let merged_at = if merged_reviewless {
            let wait = self.g.secs(2.0 * HOUR as f64, 0.8);
            Some(self.g.snap(ready_at + wait))
        } else {
            merged_at
        };
        let closed_at = if merged_reviewless {
            merged_at
        } else {
            closed_at
        };

        // AI traces.
        if let Some(tool) = tool {
            let rate = tool.trace_rate()
                + match level {
                    Level::Most => 0.08,
                    _ => -0.05,
                };
            if tool != Tool::ChatGpt && self.g.chance(rate) {
                let every = level == Level::Most;
                let mut mark = |trailer: &str, g: &mut Gen| {
                    let n = commits.len();
                    for (i, c) in commits.iter_mut().enumerate() {
                        if every || i == n - 1 || g.chance(0.4) {
                            c.message.push_str(&format!("\n\n{trailer}"));
                        }
                    }
                };
                let how = self.g.unit();
                match tool {
                    Tool::Claude if how < 0.7 => {
                        mark(&format!("{CLAUDE_LINE}\n\n{CLAUDE_TRAILER}"), &mut self.g);
                        body.push_str(&format!("\n\n{CLAUDE_LINE}"));
                    }
                    Tool::Claude if how < 0.85 => body.push_str(&format!("\n\n{CLAUDE_LINE}")),
                    Tool::Claude => {
                        let suffix: String = self.g.sha().chars().take(5).collect();
                        head_ref = format!("claude/{words}-{suffix}");
                    }
                    Tool::Copilot => mark(COPILOT_TRAILER, &mut self.g),
                    Tool::Cursor if how < 0.5 => mark(CURSOR_TRAILER, &mut self.g),
                    Tool::Cursor if how < 0.8 => mark(CURSOR_AGENT_TRAILER, &mut self.g),
                    Tool::Cursor => head_ref = format!("cursor/{words}"),
                    Tool::ChatGpt => {}
                }
            } else if self.g.chance(0.12) {
                labels.push("ai-assisted".into());
            }
        }

        let index = self.prs.len();
        if let Some(i) = issue {
            self.issues[i].prs.push(index);
        }
        let merge_sha = self.g.sha();
        self.prs.push(PrPlan {
            repo,
            author,
            number: 0,
            title,
            body,
            head_ref,
            labels,
            additions,
            deletions,
            changed_files,
            created_at: created,
            opened_as_draft: draft,
            ready_for_review_at: ready,
            merged_at,
            closed_at,
            commits,
            reviews,
            level,
            tool,
            revert_of: None,
            reverted_by: None,
            merge_sha,
            is_hotfix: hotfix,
        });
    }

    /// A PR by Copilot's coding agent, asked for by `requester`.
    fn agent_pr(&mut self, requester: usize, created: i64) {
        let team = MEMBERS[requester].team;
        let repo_weights: Vec<f64> = TEAM_REPOS[team].iter().map(|(_, w)| *w).collect();
        let repo = TEAM_REPOS[team][self.g.weighted(&repo_weights)].0;
        let (plain, _, bug) = self.title(repo, false);
        let issue = if self.g.chance(0.6) {
            self.issue_for(requester, created, &plain, bug)
        } else {
            None
        };
        let mut body = format!(
            "This PR was opened by Copilot at the request of @{}.\n\n- {plain}\n- Tests updated",
            MEMBERS[requester].login
        );
        if let Some(i) = issue {
            body.push_str(&format!("\n\nFixes {}", self.issues[i].key()));
        }
        let size = (self.g.lognormal(90.0, 0.9).round() as i64).clamp(2, 2_000);
        let additions = ((size as f64) * self.g.between(0.6, 0.95)).round() as i64;
        let ready = created + self.g.secs(30.0 * MIN as f64, 0.4);
        let co_author = format!(
            "Co-authored-by: {} <{}+{}@users.noreply.github.com>",
            MEMBERS[requester].name,
            github_id_of(requester),
            MEMBERS[requester].login
        );
        let mut commits = vec![self.commit(AGENT, created - 2 * MIN, "Initial plan".into())];
        for i in 0..self.g.range(1, 4) {
            let at = created + (ready - created) * (i + 1) / 4;
            let message = format!("{plain}\n\n{co_author}");
            commits.push(self.commit(AGENT, at, message));
        }
        let pickup = self.g.secs(3.0 * HOUR as f64, 1.0);
        let first_review = self.g.snap(ready + pickup);
        let review_time = self.g.secs(4.0 * HOUR as f64, 1.0);
        let done = self.g.snap(first_review + review_time);
        let outcome = self.g.unit();
        let (merged_at, closed_at) = match outcome {
            x if x < 0.72 => (Some(done), Some(done)),
            x if x < 0.94 => (None, Some(done)),
            _ => (None, None),
        };
        let mut reviews = Vec::new();
        if self.g.chance(0.4) {
            reviews.push(ReviewPlan {
                reviewer: requester,
                state: "CHANGES_REQUESTED",
                at: first_review,
            });
            let at = first_review + (done - first_review) / 2;
            commits.push(self.commit(AGENT, at, format!("Address review feedback\n\n{co_author}")));
            if merged_at.is_some() {
                reviews.push(ReviewPlan {
                    reviewer: requester,
                    state: "APPROVED",
                    at: done - MIN,
                });
            }
        } else {
            let state = if merged_at.is_some() {
                "APPROVED"
            } else {
                "COMMENTED"
            };
            reviews.push(ReviewPlan {
                reviewer: requester,
                state,
                at: first_review,
            });
        }
        let index = self.prs.len();
        if let Some(i) = issue {
            self.issues[i].prs.push(index);
        }
        let merge_sha = self.g.sha();
        self.prs.push(PrPlan {
            repo,
            author: AGENT,
            number: 0,
            title: plain.clone(),
            body,
            head_ref: format!("copilot/{}", slug(&plain)),
            labels: Vec::new(),
            additions,
            deletions: size - additions,
            changed_files: 1 + size / 60,
            created_at: created,
            opened_as_draft: true,
            ready_for_review_at: Some(ready),
            merged_at,
            closed_at,
            commits,
            reviews,
            level: Level::Most,
            tool: None,
            revert_of: None,
            reverted_by: None,
            merge_sha,
            is_hotfix: false,
        });
    }

    /// A weekly dependency bump.
    fn dependabot_pr(&mut self, repo: usize, created: i64) {
        let spec = &REPOS[repo];
        let package = *self.g.pick(spec.packages);
        let (major, minor, patch) = (self.g.range(0, 5), self.g.range(0, 30), self.g.range(0, 20));
        let to = if self.g.chance(0.75) {
            format!("{major}.{minor}.{}", patch + self.g.range(1, 4))
        } else {
            format!("{major}.{}.0", minor + 1)
        };
        let from = format!("{major}.{minor}.{patch}");
        let title = format!("Bump {package} from {from} to {to}");
        let body = format!(
            "Bumps [{package}](https://github.com/{package}) from {from} to {to}.\n\n\
             Dependabot will resolve any conflicts with this PR as long as you don't alter it yourself."
        );
        let message = format!(
            "{title}\n\nBumps [{package}](https://github.com/{package}) from {from} to {to}.\n\n---\n\
             updated-dependencies:\n- dependency-name: {package}\n  dependency-type: direct:production\n\n\
             Signed-off-by: dependabot[bot] <support@github.com>"
        );
        let commits = vec![self.commit(DEPENDABOT, created - MIN, message)];
        let lines = self.g.range(2, 40);
        let team = TEAM_REPOS
            .iter()
            .position(|repos| repos[0].0 == repo)
            .unwrap_or(0);
        let owner = (0..MEMBERS.len())
            .find(|&p| MEMBERS[p].team == team && p != ADMIN)
            .unwrap_or(LEAD);
        let reviewer = self.teammate(owner, &[], created).unwrap_or(owner);
        let review_at = {
            let wait = self.g.secs(DAY as f64, 0.8);
            self.g.snap(created + wait)
        };
        let outcome = self.g.unit();
        let (merged_at, closed_at, reviews) = if outcome < 0.78 {
            let merged = review_at + self.g.range(MIN, 30 * MIN);
            (
                Some(merged),
                Some(merged),
                vec![ReviewPlan {
                    reviewer,
                    state: "APPROVED",
                    at: review_at,
                }],
            )
        } else if outcome < 0.95 {
            let closed = created + self.g.range(7 * DAY, 14 * DAY);
            (None, Some(closed), Vec::new())
        } else {
            (None, None, Vec::new())
        };
        let merge_sha = self.g.sha();
        self.prs.push(PrPlan {
            repo,
            author: DEPENDABOT,
            number: 0,
            title,
            body,
            head_ref: format!(
                "dependabot/{}/{}-{to}",
                spec.ecosystem,
                package.replace(':', "-")
            ),
            labels: vec!["dependencies".into()],
            additions: lines,
            deletions: lines,
            changed_files: 1 + lines / 20,
            created_at: created,
            opened_as_draft: false,
            ready_for_review_at: None,
            merged_at,
            closed_at,
            commits,
            reviews,
            level: Level::None,
            tool: None,
            revert_of: None,
            reverted_by: None,
            merge_sha,
            is_hotfix: false,
        });
    }

    /// Reverts of merged human PRs: AI-assisted ones a little more often.
    fn reverts(&mut self) {
        for orig in 0..self.prs.len() {
            let p = &self.prs[orig];
            let Some(merged) = p.merged_at else { continue };
            if p.author >= MEMBERS.len() || p.is_hotfix || merged > self.now {
                continue;
            }
            let rate = if p.level == Level::None { 0.024 } else { 0.036 };
            if !self.g.chance(rate) {
                continue;
            }
            let (repo, orig_author) = (p.repo, p.author);
            let created = merged + self.g.secs(18.0 * HOUR as f64, 1.0);
            if created > self.now - 30 * MIN {
                continue;
            }
            let author = if self.g.chance(0.6) {
                orig_author
            } else {
                self.teammate(orig_author, &[], created)
                    .unwrap_or(orig_author)
            };
            let Some(reviewer) = self.teammate(author, &[], created) else {
                continue;
            };
            let review_at = created + self.g.secs(40.0 * MIN as f64, 0.8);
            let merged_at = review_at + self.g.secs(10.0 * MIN as f64, 0.5);
            let commit_at = created - self.g.range(2 * MIN, 10 * MIN);
            // Texts need the original's number: filled in after numbering.
            let commits = vec![self.commit(author, commit_at, String::new())];
            let merge_sha = self.g.sha();
            let (additions, deletions) = (self.prs[orig].deletions, self.prs[orig].additions);
            let index = self.prs.len();
            self.prs[orig].reverted_by = Some(index);
            self.prs.push(PrPlan {
                repo,
                author,
                number: 0,
                title: String::new(),
                body: String::new(),
                head_ref: String::new(),
                labels: Vec::new(),
                additions,
                deletions,
                changed_files: self.prs[orig].changed_files,
                created_at: created,
                opened_as_draft: false,
                ready_for_review_at: None,
                merged_at: Some(merged_at),
                closed_at: Some(merged_at),
                commits,
                reviews: vec![ReviewPlan {
                    reviewer,
                    state: "APPROVED",
                    at: review_at,
                }],
                level: Level::None,
                tool: None,
                revert_of: Some(orig),
                reverted_by: None,
                merge_sha,
                is_hotfix: false,
            });
        }
    }

    fn backlog_issue(&mut self, project: usize, day: i64) {
        let repos: &[usize] = if project == 0 { &[0, 1, 3] } else { &[2] };
        let repo = *self.g.pick(repos);
        let spec = &REPOS[repo];
        let at = self.g.work_time(day);
        let (kind, issue_type, summary) = match self.g.unit() {
            x if x < 0.6 => (
                IssueKind::Backlog,
                "Story",
                format!("Add {}", self.g.pick(spec.features)),
            ),
            x if x < 0.75 => (
                IssueKind::Backlog,
                "Bug",
                capitalised(self.g.pick::<&str>(spec.bugs)),
            ),
            x if x < 0.88 => (
                IssueKind::WontDo,
                "Task",
                format!("Evaluate alternatives for {}", self.g.pick(spec.parts)),
            ),
            _ => (
                IssueKind::NoCode,
                "Task",
                format!("Spike: rethink {}", self.g.pick(spec.parts)),
            ),
        };
        let members: Vec<usize> = (0..MEMBERS.len())
            .filter(|&p| TEAMS[MEMBERS[p].team].3 == project && p != ADMIN)
            .collect();
        let assignee =
            (kind != IssueKind::Backlog || self.g.chance(0.3)).then(|| *self.g.pick(&members));
        self.new_issue(project, kind, issue_type, summary, assignee, at);
    }

    /// Gives every PR its number (per repository, in opening order) and
    /// writes the texts of reverts, which name the original's number.
    fn number(&mut self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.prs.len()).collect();
        order.sort_by_key(|&i| (self.prs[i].created_at, i));
        let mut next: Vec<i64> = REPOS.iter().map(|r| r.first_number).collect();
        for &i in &order {
            let repo = self.prs[i].repo;
            self.prs[i].number = next[repo];
            next[repo] += 1;
        }
        for &i in &order {
            let Some(orig) = self.prs[i].revert_of else {
                continue;
            };
            let o = &self.prs[orig];
            let title = format!("Revert \"{}\"", o.title);
            let reverts = format!("This reverts commit {}.", o.merge_sha);
            let body = format!(
                "Reverts {GITHUB_ORG}/{}#{}\n\n{reverts}",
                REPOS[o.repo].name, o.number
            );
            let head_ref = format!("revert-{}-{}", o.number, o.head_ref);
            let pr = &mut self.prs[i];
            pr.commits[0].message = format!("{title}\n\n{reverts}");
            pr.title = title;
            pr.body = body;
            pr.head_ref = head_ref;
        }
        order
    }
}

/// The synthetic history, before anything is written.
struct Plan {
    prs: Vec<PrPlan>,
    /// PR indexes in opening order.
    order: Vec<usize>,
    issues: Vec<IssuePlan>,
}

fn plan(now: i64, rng_seed: u64) -> (Plan, Gen) {
    let start = now - DAYS * DAY;
    let total_weight: f64 = MEMBERS.iter().map(|m| m.weight).sum();
    let affinity_mean = MEMBERS.iter().map(|m| m.weight * m.affinity).sum::<f64>() / total_weight;
    let mut p = Planner {
        g: Gen {
            rng: StdRng::seed_from_u64(rng_seed),
        },
        now,
        start,
        prs: Vec::new(),
        issues: Vec::new(),
        next_issue: [1_204, 377],
        current_issue: vec![None; MEMBERS.len()],
        affinity_mean,
    };
    for day in local_day(start)..=local_day(now) {
        let noon = at_local(day, 12 * HOUR);
        let t = p.t(noon);
        let workday = is_workday(day);
        let rate = PRS_PER_WORKDAY * if workday { 1.0 } else { 0.05 } * (0.82 + 0.36 * t);
        let weights: Vec<f64> = (0..MEMBERS.len())
            .map(|m| {
                if p.active(m, noon) {
                    MEMBERS[m].weight
                } else {
                    0.0
                }
            })
            .collect();
        let active_weight: f64 = weights.iter().sum();
        for _ in 0..p.g.poisson(rate * active_weight / total_weight) {
            let author = p.g.weighted(&weights);
            let created = p.g.work_time(day);
            if created >= start && created <= now - 10 * MIN {
                p.human_pr(author, created);
            }
        }
        if workday && t >= AGENT_FROM {
            let agent_rate = 0.2 + 1.2 * (t - AGENT_FROM) / (1.0 - AGENT_FROM);
            for _ in 0..p.g.poisson(agent_rate) {
                let requester = p.g.weighted(&weights);
                let created = p.g.work_time(day) + p.g.range(0, 2 * HOUR);
                if created <= now - 10 * MIN {
                    p.agent_pr(requester, created);
                }
            }
        }
        if weekday(day) == 0 {
            for repo in 0..REPOS.len() {
                for _ in 0..p.g.poisson(0.9) {
                    let created = at_local(day, 5 * HOUR) + p.g.range(0, HOUR);
                    if created >= start && created <= now - 10 * MIN {
                        p.dependabot_pr(repo, created);
                    }
                }
            }
        }
        if workday {
            for project in 0..PROJECTS.len() {
                for _ in 0..p.g.poisson(0.6) {
                    p.backlog_issue(project, day);
                }
            }
        }
    }
    p.reverts();
    for pr in &mut p.prs {
        pr.cut(now);
    }
    let order = p.number();
    (
        Plan {
            prs: p.prs,
            order,
            issues: p.issues,
        },
        p.g,
    )
}

// ---------------------------------------------------------------------------
// Jira histories and sprints
// ---------------------------------------------------------------------------

struct Sprint {
    project: usize,
    row: SprintRow,
}

fn sprints(now: i64) -> Vec<Sprint> {
    let start = now - DAYS * DAY;
    let mut first = local_day(start);
    while weekday(first) != 0 {
        first -= 1;
    }
    let mut out = Vec::new();
    for (project, (key, _, _, board, first_number)) in PROJECTS.iter().enumerate() {
        // The boards' cadences are a week apart.
        let mut day = first - 7 * project as i64;
        let mut k = 0;
        loop {
            let start_at = at_local(day, 9 * HOUR);
            let end_at = at_local(day + 14, 9 * HOUR);
            if start_at > now {
                break;
            }
            let closed = end_at <= now;
            let jira_id = (100 * (project as i64 + 1) + k).to_string();
            out.push(Sprint {
                project,
                row: SprintRow {
                    jira_id,
                    board_id: Some(board.to_string()),
                    name: format!("{key} Sprint {}", first_number + k),
                    state: if closed { "closed" } else { "active" }.into(),
                    start_at: Some(start_at),
                    end_at: Some(end_at),
                    complete_at: closed.then_some(end_at - 20 * MIN),
                },
            });
            day += 14;
            k += 1;
        }
    }
    out
}

/// The sprint of `project` that holds `at`.
fn sprint_at(sprints: &[Sprint], project: usize, at: i64) -> Option<usize> {
    sprints.iter().position(|s| {
        s.project == project
            && s.row.start_at.is_some_and(|a| a <= at)
            && s.row.end_at.is_some_and(|e| at < e)
    })
}

struct IssueOut {
    project: usize,
    row: IssueRow,
    transitions: Vec<TransitionRow>,
    sprints: Vec<usize>,
}

fn status_step(
    rows: &mut Vec<TransitionRow>,
    changelog: &mut i64,
    to: &str,
    category: StatusCategory,
    at: i64,
) {
    let from = rows
        .last()
        .map(|r| r.to_status.clone())
        .unwrap_or_else(|| "To Do".into());
    *changelog += 1;
    rows.push(TransitionRow {
        changelog_id: changelog.to_string(),
        from_status: Some(from),
        to_status: to.into(),
        to_category: category.as_str().into(),
        at,
    });
}

fn story_points(g: &mut Gen, issue: &IssuePlan, prs: &[PrPlan]) -> Option<f64> {
    if issue.issue_type == "Task" && g.chance(0.2) {
        return None;
    }
    const SCALE: [f64; 6] = [1.0, 2.0, 3.0, 5.0, 8.0, 13.0];
    let step = if issue.prs.is_empty() {
        g.index(5)
    } else {
        let size: i64 = issue
            .prs
            .iter()
            .map(|&p| prs[p].additions + prs[p].deletions)
            .sum();
        let by_size = match size {
            s if s < 60 => 0,
            s if s < 160 => 1,
            s if s < 400 => 2,
            s if s < 900 => 3,
            s if s < 2_000 => 4,
            _ => 5,
        };
        let jitter = g.range(-1, 2);
        (by_size + jitter).clamp(0, 5) as usize
    };
    let step = if issue.issue_type == "Bug" {
        step.min(2)
    } else {
        step
    };
    Some(SCALE[step])
}

fn jira_history(g: &mut Gen, plan: &Plan, sprints: &[Sprint], now: i64) -> Vec<IssueOut> {
    let mut changelog = 20_000;
    let mut out = Vec::with_capacity(plan.issues.len());
    for (i, issue) in plan.issues.iter().enumerate() {
        let mut rows: Vec<TransitionRow> = Vec::new();
        let created;
        match issue.kind {
            IssueKind::Linked => {
                let prs: Vec<&PrPlan> = issue.prs.iter().map(|&p| &plan.prs[p]).collect();
                let first_commit = prs
                    .iter()
                    .filter_map(|p| p.commits.iter().filter_map(|c| c.authored_at).min())
                    .chain(prs.iter().map(|p| p.created_at))
                    .min()
                    .unwrap_or(issue.created_hint);
                let started = first_commit - g.secs(40.0 * MIN as f64, 0.8);
                created = started - g.secs(3.0 * DAY as f64, 1.0);
                status_step(
                    &mut rows,
                    &mut changelog,
                    "In Progress",
                    StatusCategory::InProgress,
                    started,
                );
                if let Some(ready) = prs
                    .iter()
                    .map(|p| p.ready_for_review_at.unwrap_or(p.created_at))
                    .min()
                    .filter(|&t| t > started && t <= now)
                {
                    status_step(
                        &mut rows,
                        &mut changelog,
                        "In Review",
                        StatusCategory::InProgress,
                        ready,
                    );
                }
                let finished = prs
                    .iter()
                    .all(|p| p.merged_at.is_some() || p.closed_at.is_some());
                let last_merge = prs.iter().filter_map(|p| p.merged_at).max();
                if let (true, Some(last)) = (finished, last_merge) {
                    let wait = g.secs(3.0 * HOUR as f64, 1.0);
                    let done = g.snap(last + wait);
                    if done <= now {
                        status_step(
                            &mut rows,
                            &mut changelog,
                            "Done",
                            StatusCategory::Done,
                            done,
                        );
                        // A revert, or a bug found later, reopens it.
                        let revert = prs
                            .iter()
                            .filter_map(|p| p.reverted_by)
                            .filter_map(|r| plan.prs[r].merged_at)
                            .max();
                        let reopen = match revert {
                            Some(at) => Some(at.max(done + HOUR)),
                            None if g.chance(0.04) => {
                                let wait = g.secs(2.0 * DAY as f64, 0.8);
                                Some(g.snap(done + wait))
                            }
                            None => None,
                        };
                        if let Some(reopen) = reopen.filter(|&t| t <= now) {
                            status_step(
                                &mut rows,
                                &mut changelog,
                                "In Progress",
                                StatusCategory::InProgress,
                                reopen,
                            );
                            let wait = g.secs(1.5 * DAY as f64, 0.8);
                            let again = g.snap(reopen + wait);
                            if again <= now {
                                status_step(
                                    &mut rows,
                                    &mut changelog,
                                    "Done",
                                    StatusCategory::Done,
                                    again,
                                );
                            }
                        }
                    }
                }
            }
            IssueKind::Backlog => created = issue.created_hint,
            IssueKind::WontDo => {
                created = issue.created_hint;
                let wait = g.secs(10.0 * DAY as f64, 1.0);
                let at = g.snap(created + wait);
                if at <= now {
                    status_step(
                        &mut rows,
                        &mut changelog,
                        "Won't Do",
                        StatusCategory::Done,
                        at,
                    );
                }
            }
            IssueKind::NoCode => {
                created = issue.created_hint;
                let wait = g.secs(2.0 * DAY as f64, 1.0);
                let started = g.snap(created + wait);
                if started <= now {
                    status_step(
                        &mut rows,
                        &mut changelog,
                        "In Progress",
                        StatusCategory::InProgress,
                        started,
                    );
                    let wait = g.secs(2.0 * DAY as f64, 0.8);
                    let done = g.snap(started + wait);
                    if done <= now {
                        status_step(
                            &mut rows,
                            &mut changelog,
                            "Done",
                            StatusCategory::Done,
                            done,
                        );
                    }
                }
            }
        }
        let cycle = jira_metrics::cycle(
            &rows
                .iter()
                .map(|r| Transition {
                    at: r.at,
                    to: match r.to_category.as_str() {
                        "done" => StatusCategory::Done,
                        "in_progress" => StatusCategory::InProgress,
                        _ => StatusCategory::ToDo,
                    },
                })
                .collect::<Vec<_>>(),
        );
        let (status, category) = rows
            .last()
            .map(|r| (r.to_status.clone(), r.to_category.clone()))
            .unwrap_or_else(|| ("To Do".into(), StatusCategory::ToDo.as_str().into()));
        let updated = rows.last().map_or(created, |r| r.at);

        // Sprints: where work started, carried over until done (or now).
        let mut in_sprints = Vec::new();
        let active = sprint_at(sprints, issue.project, now);
        match cycle.started_at {
            Some(started) => {
                let first = sprint_at(sprints, issue.project, started);
                let last = sprint_at(sprints, issue.project, cycle.done_at.unwrap_or(now));
                if let (Some(a), Some(b)) = (first.or(last), last) {
                    in_sprints.extend(a.min(b)..=b);
                }
            }
            None if issue.kind == IssueKind::Backlog && g.chance(0.3) => in_sprints.extend(active),
            None => {}
        }
        in_sprints.retain(|&s| sprints[s].project == issue.project);
        let points = story_points(g, issue, &plan.prs);
        out.push(IssueOut {
            project: issue.project,
            row: IssueRow {
                jira_id: (30_000 + i).to_string(),
                issue_key: issue.key(),
                summary: issue.summary.clone(),
                status_category: Some(category),
                story_points: points,
                jira_created_at: created,
                jira_updated_at: updated,
                started_at: cycle.started_at,
                done_at: cycle.done_at,
                status: Some(status),
                issue_type: Some(issue.issue_type.into()),
                assignee_account_id: issue.assignee.map(jira_account_of),
                assignee_person_id: None,
            },
            transitions: rows,
            sprints: in_sprints,
        });
    }
    out
}

// ---------------------------------------------------------------------------
// Surveys
// ---------------------------------------------------------------------------

struct SurveyOut {
    pr: usize,
    author: usize,
    row: SurveyRow,
    reviews: Vec<(usize, SurveyReviewRow)>,
}

/// docs/metrics.md: the guess is correct when it equals "the author's answer is
/// `some` or `most`"; only once both answered.
fn guess_correct(answer: Option<AiAnswer>, guess: Option<bool>) -> Option<bool> {
    Some(guess? == answer?.is_ai_assisted())
}

fn surveys_of(g: &mut Gen, plan: &Plan, now: i64) -> Vec<SurveyOut> {
    let from = now - SURVEY_DAYS * DAY;
    let mut ts = 0u32;
    let mut message_ts = |at: i64| {
        ts += 1;
        format!("{at}.{:06}", 100 + ts % 900_000)
    };
    let mut out = Vec::new();
    for &i in &plan.order {
        let pr = &plan.prs[i];
        let Some(merged) = pr.merged_at.filter(|&m| m >= from) else {
            continue;
        };
        if pr.author >= MEMBERS.len() {
            continue;
        }
        let sent = merged + g.range(60, 180);
        let expires = sent + 7 * DAY;
        let wait = g.secs(90.0 * MIN as f64, 1.2);
        let answered_at =
            Some(g.snap(sent + wait)).filter(|&t| g.chance(0.68) && t <= now && t < expires);
        let answer = answered_at.map(|_| match (pr.level, g.unit()) {
            (Level::None, x) if x < 0.97 => AiAnswer::None,
            (Level::None, _) => AiAnswer::Some,
            (Level::Some, x) if x < 0.85 => AiAnswer::Some,
            (Level::Some, x) if x < 0.9 => AiAnswer::Most,
            (Level::Some, _) => AiAnswer::None,
            (Level::Most, x) if x < 0.8 => AiAnswer::Most,
            (Level::Most, _) => AiAnswer::Some,
        });
        let tools = match answer {
            Some(AiAnswer::Some | AiAnswer::Most) => {
                let tool = pr.tool.unwrap_or(MEMBERS[pr.author].tool);
                let mut tools = vec![tool.name().to_string()];
                if tool != Tool::ChatGpt && g.chance(0.15) {
                    tools.push(Tool::ChatGpt.name().to_string());
                }
                tools
            }
            _ => Vec::new(),
        };
        let reminded =
            (answered_at.is_none_or(|a| a > sent + DAY) && sent + DAY <= now).then_some(sent + DAY);
        let status = match (answered_at, expires <= now) {
            (Some(_), _) => SurveyStatus::Answered,
            (None, true) => SurveyStatus::Expired,
            (None, false) => SurveyStatus::Sent,
        };
        let channel = format!("D{}", &slack_of(pr.author)[1..]);
        let row = SurveyRow {
            pull_request: None,
            author: None,
            delivery: Delivery {
                status,
                slack_channel_id: Some(channel),
                slack_message_ts: Some(message_ts(sent)),
                send_after: Some(merged + 60),
                sent_at: Some(sent),
                reminded_at: reminded,
                expires_at: Some(expires),
            },
            ai_answer: answer,
            ai_tools: tools,
            answered_at,
        };

        // Every human who reviewed it, once.
        let mut reviewers: Vec<usize> = Vec::new();
        for r in &pr.reviews {
            let counts = matches!(r.state, "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED");
            if counts
                && r.reviewer < MEMBERS.len()
                && r.reviewer != pr.author
                && !reviewers.contains(&r.reviewer)
            {
                reviewers.push(r.reviewer);
            }
        }
        let truth = answer.map_or(pr.level != Level::None, AiAnswer::is_ai_assisted);
        let progress = ((merged - from) as f64 / (SURVEY_DAYS * DAY) as f64).clamp(0.0, 1.0);
        let mut reviews = Vec::new();
        for reviewer in reviewers {
            let wait = g.secs(2.5 * HOUR as f64, 1.2);
            let at =
                Some(g.snap(sent + wait)).filter(|&t| g.chance(0.72) && t <= now && t < expires);
            let (quality, guess) = match at {
                Some(_) => {
                    let mean = match pr.level {
                        Level::None => 4.0,
                        Level::Some => 3.75,
                        Level::Most => 3.55,
                    };
                    let quality = (mean + 0.8 * g.normal()).round().clamp(1.0, 5.0) as i64;
                    let right = g.chance(0.64 + 0.12 * progress);
                    (Some(quality), Some(if right { truth } else { !truth }))
                }
                None => (None, None),
            };
            let correct = guess_correct(answer, guess);
            let revealed = match (answered_at, at) {
                (Some(a), Some(b)) if correct.is_some() => Some(a.max(b)),
                _ => None,
            };
            let status = match (at, expires <= now) {
                (Some(_), _) => SurveyStatus::Answered,
                (None, true) => SurveyStatus::Expired,
                (None, false) => SurveyStatus::Sent,
            };
            let reminded =
                (at.is_none_or(|a| a > sent + DAY) && sent + DAY <= now).then_some(sent + DAY);
            reviews.push((
                reviewer,
                SurveyReviewRow {
                    reviewer: None,
                    delivery: Delivery {
                        status,
                        slack_channel_id: Some(format!("D{}", &slack_of(reviewer)[1..])),
                        slack_message_ts: Some(message_ts(sent)),
                        send_after: Some(merged + 60),
                        sent_at: Some(sent),
                        reminded_at: reminded,
                        expires_at: Some(expires),
                    },
                    quality_rating: quality,
                    ai_guess: guess,
                    answered_at: at,
                    guess_correct: correct,
                    revealed_at: revealed,
                },
            ));
        }
        out.push(SurveyOut {
            pr: i,
            author: pr.author,
            row,
            reviews,
        });
    }
    out
}

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

fn account(person: usize) -> Account {
    Account {
        login: login_of(person).to_string(),
        id: Some(github_id_of(person).to_string()),
        is_bot: person >= MEMBERS.len(),
    }
}

fn pr_facts(pr: &PrPlan, review_ids: &mut i64) -> PrFacts {
    let spec = &REPOS[pr.repo];
    PrFacts {
        repo: RepoFacts {
            github_repo_id: spec.github_id.to_string(),
            owner: GITHUB_ORG.into(),
            name: spec.name.into(),
            default_branch: Some("main".into()),
            is_private: true,
            is_archived: false,
            is_fork: false,
        },
        node_id: format!("PR_kwDOAcme{:02}{:06}", pr.repo, pr.number),
        number: pr.number,
        title: pr.title.clone(),
        body: pr.body.clone(),
        state: pr.state().into(),
        is_draft: pr.is_draft(),
        opened_as_draft: Some(pr.opened_as_draft),
        created_at: pr.created_at,
        updated_at: pr.updated_at(),
        merged_at: pr.merged_at,
        closed_at: pr.closed_at,
        ready_for_review_at: pr.ready_for_review_at,
        head_ref: pr.head_ref.clone(),
        base_ref: "main".into(),
        labels: pr.labels.clone(),
        additions: pr.additions,
        deletions: pr.deletions,
        changed_files: pr.changed_files,
        commit_count: Some(pr.commits.len() as i64),
        author: Some(account(pr.author)),
        commits: Some(pr.commits.clone()),
        reviews: Some(
            pr.reviews
                .iter()
                .map(|r| {
                    *review_ids += 1;
                    ReviewFacts {
                        id: review_ids.to_string(),
                        author: Some(account(r.reviewer)),
                        state: r.state.into(),
                        submitted_at: Some(r.at),
                    }
                })
                .collect(),
        ),
    }
}

/// Creates the demo org from `(now, rng_seed)`: the same pair gives the same
/// rows. An existing demo org (Slack team [`SLACK_TEAM_ID`]) is deleted
/// first, with everything it holds, so seeding again starts over.
pub async fn seed(db: &Db, now: i64, rng_seed: u64) -> Result<DemoOrg, DemoError> {
    let (plan, mut g) = plan(now, rng_seed);
    let sprint_plan = sprints(now);
    let issues = jira_history(&mut g, &plan, &sprint_plan, now);
    let survey_plan = surveys_of(&mut g, &plan, now);
    let people_count = MEMBERS.len() + BOTS.len();

    // 1. The org, its people, teams, roles, integrations, repositories,
    //    Jira projects and sprints.
    let mut tx = db.begin_write().await?;
    if let Some(old) = orgs::find_by_slack_team(&mut tx, SLACK_TEAM_ID).await? {
        orgs::delete(&mut tx, old.id).await?;
    }
    let org = orgs::upsert_installation(&mut tx, SLACK_TEAM_ID, ORG_NAME, Some(ADMIN_SLACK))
        .await?
        .id;
    orgs::set_time_zone(&mut tx, org, TIME_ZONE).await?;
    let mut person_ids: Vec<PersonId> = Vec::with_capacity(people_count);
    for (i, m) in MEMBERS.iter().enumerate() {
        let person = people::create(&mut tx, org, m.name, false).await?;
        let github = github_id_of(i).to_string();
        let slack = slack_of(i);
        let jira = jira_account_of(i);
        let email = email_of(i);
        for (provider, external, login) in [
            (Provider::Github, github.as_str(), Some(m.login)),
            (Provider::Slack, slack.as_str(), None),
            (Provider::Jira, jira.as_str(), Some(m.name)),
            (Provider::Email, email.as_str(), None),
        ] {
            people::link_identity(
                &mut tx,
                org,
                person,
                provider,
                external,
                login,
                LinkSource::Auto,
            )
            .await?;
        }
        person_ids.push(person);
    }
    for (login, id) in BOTS {
        let person = people::create(&mut tx, org, login, true).await?;
        let external = id.to_string();
        people::link_identity(
            &mut tx,
            org,
            person,
            Provider::Github,
            &external,
            Some(login),
            LinkSource::Auto,
        )
        .await?;
        person_ids.push(person);
    }
    let mut team_ids: Vec<TeamId> = Vec::new();
    for (slug, name, github_team, _) in TEAMS {
        let github_team = github_team.to_string();
        let team = teams::upsert(&mut tx, org, slug, name, Some(&github_team)).await?;
        team_ids.push(team);
    }
    for (i, m) in MEMBERS.iter().enumerate() {
        teams::add_member(&mut tx, org, team_ids[m.team], person_ids[i]).await?;
    }
    roles::set(&mut tx, org, ADMIN_SLACK, Role::Admin, None).await?;
    roles::set(&mut tx, org, LEAD_SLACK, Role::Lead, Some(ADMIN_SLACK)).await?;
    roles::add_team_lead(&mut tx, org, team_ids[MEMBERS[LEAD].team], LEAD_SLACK).await?;
    integrations::upsert(
        &mut tx,
        org,
        "github",
        "connected",
        Some(GITHUB_ORG),
        Some(ADMIN_SLACK),
    )
    .await?;
    integrations::merge_settings(
        &mut tx,
        org,
        "github",
        &json!({ "mode": "token", "login": GITHUB_ORG, "webhook": "created", "demo": true }),
    )
    .await?;
    integrations::upsert(
        &mut tx,
        org,
        "jira",
        "connected",
        Some(JIRA_SITE),
        Some(ADMIN_SLACK),
    )
    .await?;
    integrations::merge_settings(
        &mut tx,
        org,
        "jira",
        &json!({
            "mode": "token",
            "site_url": JIRA_SITE,
            "site_name": "acme",
            "flavor": "cloud",
            "story_points_field": "customfield_10016",
            "sprint_field": "customfield_10020",
            "demo": true,
        }),
    )
    .await?;
    for spec in &REPOS {
        repositories::upsert(
            &mut tx,
            org,
            &NewRepository {
                github_repo_id: &spec.github_id.to_string(),
                owner: GITHUB_ORG,
                name: spec.name,
                default_branch: Some("main"),
                is_private: true,
                is_archived: false,
                is_fork: false,
            },
        )
        .await?;
    }
    let mut project_ids = Vec::new();
    for (key, name, jira_id, _, _) in PROJECTS {
        let project = jira_store::upsert_project(&mut tx, org, jira_id, key, name).await?;
        jira_store::set_selected(&mut tx, org, project, true).await?;
        project_ids.push(project);
    }
    let mut sprint_ids = Vec::with_capacity(sprint_plan.len());
    for s in &sprint_plan {
        sprint_ids.push(jira_store::upsert_sprint(&mut tx, org, &s.row).await?);
    }
    surveys::save_settings(
        &mut tx,
        org,
        &surveys::Settings {
            enabled: true,
            ..surveys::Settings::default()
        },
    )
    .await?;
    crate::store::leaderboard::save(
        &mut tx,
        org,
        &crate::store::leaderboard::Settings {
            enabled: true,
            channel: Some(DEMO_CHANNEL.into()),
            channel_name: Some("eng-wins".into()),
            time_zone: TIME_ZONE.into(),
            ..crate::store::leaderboard::Settings::default()
        },
        now,
    )
    .await?;
    tx.commit().await?;

    // 2. Pull requests, through the ingest path of sync and webhooks.
    let mut tx = db.begin_write().await?;
    let mut seen = ingest::Seen::default();
    let mut pr_ids: Vec<Option<PullRequestId>> = vec![None; plan.prs.len()];
    let mut review_ids = 2_100_000_000;
    let mut per_repo = vec![0i64; REPOS.len()];
    for &i in &plan.order {
        let facts = pr_facts(&plan.prs[i], &mut review_ids);
        let stored = ingest::ingest_seen(&mut tx, org, &facts, &[], &mut seen).await?;
        pr_ids[i] = Some(stored.pr);
        per_repo[plan.prs[i].repo] += 1;
    }
    for (spec, done) in REPOS.iter().zip(&per_repo) {
        let state = SyncState {
            source: "github".into(),
            scope: format!("repo:{}", spec.github_id),
            status: "done".into(),
            cursor: Some(now.to_string()),
            checkpoint: None,
            items_done: *done,
            items_total: Some(*done),
            last_error: None,
        };
        sync_state::save(&mut tx, org, &state).await?;
    }
    tx.commit().await?;
    crate::jira::sync::link_prs(db, org).await?;

    // 3. Jira issues, their histories and sprints; surveys; sync states.
    let mut tx = db.begin_write().await?;
    let mut per_project = [0i64; PROJECTS.len()];
    for (issue, plan_issue) in issues.iter().zip(&plan.issues) {
        let mut row = issue.row.clone();
        row.assignee_person_id = plan_issue.assignee.map(|p| person_ids[p]);
        let id = jira_store::upsert_issue(&mut tx, org, project_ids[issue.project], &row).await?;
        jira_store::add_transitions(&mut tx, org, id, &issue.transitions).await?;
        for &s in &issue.sprints {
            jira_store::link_sprint(&mut tx, org, id, sprint_ids[s]).await?;
        }
        per_project[issue.project] += 1;
    }
    for ((key, ..), done) in PROJECTS.iter().zip(per_project) {
        let state = SyncState {
            source: "jira".into(),
            scope: format!("project:{key}"),
            status: "done".into(),
            cursor: Some(now.to_string()),
            checkpoint: None,
            items_done: done,
            items_total: Some(done),
            last_error: None,
        };
        sync_state::save(&mut tx, org, &state).await?;
    }
    for s in &survey_plan {
        let Some(pr) = pr_ids[s.pr] else { continue };
        let row = SurveyRow {
            pull_request: Some(pr),
            author: Some(person_ids[s.author]),
            ..s.row.clone()
        };
        let Some(survey) = surveys::create(&mut tx, org, &row).await? else {
            continue;
        };
        for (reviewer, review) in &s.reviews {
            let review = SurveyReviewRow {
                reviewer: Some(person_ids[*reviewer]),
                ..review.clone()
            };
            surveys::create_review(&mut tx, org, survey, &review).await?;
        }
    }
    // The daily syncs count as run: the demo has no credentials to run them.
    for task in [crate::github::job::DAILY, crate::jira::job::DAILY] {
        sync_state::claim_due(&mut tx, org, task, 0, now).await?;
    }
    tx.commit().await?;

    Ok(DemoOrg {
        org,
        admin_slack: ADMIN_SLACK.into(),
        lead_slack: LEAD_SLACK.into(),
        developer_slack: DEVELOPER_SLACK.into(),
        people: people_count,
        prs: plan.prs.len(),
        issues: issues.len(),
        surveys: survey_plan.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_is_a_function_of_now_and_the_seed() {
        let now = 1_767_225_600; // 2026-01-01
        let (a, _) = plan(now, 7);
        let (b, _) = plan(now, 7);
        let (c, _) = plan(now, 8);
        let titles = |p: &Plan| {
            p.order
                .iter()
                .map(|&i| p.prs[i].title.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(titles(&a), titles(&b));
        assert_ne!(titles(&a), titles(&c));
    }

    #[test]
    fn working_hours_are_berlin_weekdays() {
        // 2026-01-03 is a Saturday; 12:00 UTC is 13:00 in Berlin.
        let saturday_noon = 1_767_441_600;
        assert_eq!(weekday(local_day(saturday_noon)), 5);
        let mut g = Gen {
            rng: StdRng::seed_from_u64(1),
        };
        let monday = g.snap(saturday_noon);
        assert_eq!(weekday(local_day(monday)), 0);
        assert!((8.0..10.0).contains(&local_hour(monday)));
        let tuesday_ten = at_local(local_day(saturday_noon) + 3, 10 * HOUR);
        assert_eq!(g.snap(tuesday_ten), tuesday_ten);
    }

    #[test]
    fn guesses_are_correct_as_metrics_md_says() {
        assert_eq!(guess_correct(Some(AiAnswer::Some), Some(true)), Some(true));
        assert_eq!(
            guess_correct(Some(AiAnswer::Most), Some(false)),
            Some(false)
        );
        assert_eq!(guess_correct(Some(AiAnswer::None), Some(false)), Some(true));
        assert_eq!(guess_correct(None, Some(true)), None);
        assert_eq!(guess_correct(Some(AiAnswer::None), None), None);
    }
}
