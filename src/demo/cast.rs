//! The cast: the 24 engineers and two bots, their teams, the four
//! repositories (with what their PRs add, fix and touch), the two Jira
//! projects, and each person's GitHub, Slack, Jira and email identities.

use super::{ADMIN_SLACK, DEVELOPER_SLACK, LEAD_SLACK};

/// The AI tool a person reaches for, and how often it leaves a trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tool {
    Claude,
    Copilot,
    Cursor,
    ChatGpt,
}

impl Tool {
    /// The name as authors pick it in the survey (the assistant list's).
    pub(super) fn name(self) -> &'static str {
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
    pub(super) fn trace_rate(self) -> f64 {
        match self {
            Tool::Claude => 0.9,
            Tool::Cursor => 0.75,
            Tool::Copilot => 0.5,
            Tool::ChatGpt => 0.0,
        }
    }
}

/// One engineer: who they are, their team, how much they ship and how
/// they use AI.
pub(super) struct Member {
    pub(super) name: &'static str,
    pub(super) login: &'static str,
    pub(super) email: &'static str,
    pub(super) team: usize,
    /// How many PRs they open, relative to others.
    pub(super) weight: f64,
    pub(super) tool: Tool,
    /// Relative appetite for AI.
    pub(super) affinity: f64,
    /// Fraction of the period before which they had not joined.
    pub(super) joined: f64,
    pub(super) slack: Option<&'static str>,
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

/// The admin's index in [`MEMBERS`].
pub(super) const ADMIN: usize = 0;
/// The Platform lead's index in [`MEMBERS`].
pub(super) const LEAD: usize = 1;

const N_MEMBERS: usize = 24;

/// The engineers; a person is an index into this list, or one of the bots
/// after it ([`DEPENDABOT`], [`AGENT`]).
pub(super) static MEMBERS: [Member; N_MEMBERS] = [
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

/// Dependabot, as a person index.
pub(super) const DEPENDABOT: usize = N_MEMBERS;
/// Copilot's coding agent, as a person index.
pub(super) const AGENT: usize = N_MEMBERS + 1;
/// The bots' GitHub logins and ids.
pub(super) const BOTS: [(&str, i64); 2] = [
    ("dependabot[bot]", 49_699_333),
    ("copilot-swe-agent[bot]", 198_982_749),
];
/// The commit email of Copilot's coding agent.
pub(super) const AGENT_EMAIL: &str = "198982749+Copilot@users.noreply.github.com";

/// `(slug, name, GitHub team id, Jira project)`.
pub(super) const TEAMS: [(&str, &str, i64, usize); 3] = [
    ("platform", "Platform", 7_301_001, 0),
    ("mobile", "Mobile", 7_301_002, 1),
    ("payments", "Payments", 7_301_003, 0),
];

/// A repository and what its PRs are about.
pub(super) struct RepoSpec {
    pub(super) name: &'static str,
    pub(super) github_id: i64,
    pub(super) first_number: i64,
    pub(super) ecosystem: &'static str,
    pub(super) packages: &'static [&'static str],
    /// Things to add ("Add …").
    pub(super) features: &'static [&'static str],
    /// Things to fix ("Fix …").
    pub(super) bugs: &'static [&'static str],
    /// Parts to refactor, test, speed up, document.
    pub(super) parts: &'static [&'static str],
}

/// The repositories, by index.
pub(super) static REPOS: [RepoSpec; 4] = [
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
pub(super) const TEAM_REPOS: [&[(usize, f64)]; 3] = [
    &[(0, 0.6), (1, 0.4)],
    &[(2, 0.9), (0, 0.1)],
    &[(3, 0.7), (1, 0.3)],
];

/// `(key, name, Jira id, board, first sprint number)`.
pub(super) const PROJECTS: [(&str, &str, &str, &str, i64); 2] = [
    ("PLAT", "Platform", "10001", "1", 31),
    ("MOB", "Mobile", "10002", "2", 18),
];

/// A person's GitHub login.
pub(super) fn login_of(person: usize) -> &'static str {
    match person {
        DEPENDABOT => BOTS[0].0,
        AGENT => BOTS[1].0,
        p => MEMBERS[p].login,
    }
}

/// A person's GitHub user id.
pub(super) fn github_id_of(person: usize) -> i64 {
    match person {
        DEPENDABOT => BOTS[0].1,
        AGENT => BOTS[1].1,
        p => 5_810_000 + 137 * p as i64,
    }
}

/// An engineer's work email.
pub(super) fn email_of(person: usize) -> String {
    format!("{}@acme.example", MEMBERS[person].email)
}

/// An engineer's Slack user id.
pub(super) fn slack_of(person: usize) -> String {
    MEMBERS[person]
        .slack
        .map(str::to_string)
        .unwrap_or_else(|| format!("UDEMO{:03}", person + 1))
}

/// An engineer's Jira account id.
pub(super) fn jira_account_of(person: usize) -> String {
    format!("712020:acme-demo-{:04}", person + 1)
}
