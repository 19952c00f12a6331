//! Pure metrics: rows in, numbers out; no I/O (docs/metrics.md is the one definition).
//!
//! Nothing here reads a database, the network or the clock, so every number
//! the product shows can be tested with hand-made inputs and known answers.
//! When docs/metrics.md changes, the code and its tests here change with it.

pub mod aggregate; // median, nearest-rank p75/p90, "not enough data" below 5 values
pub mod ai; // detected AI signals: which rule fired and why, one assistant list
pub mod dashboard; // headline numbers of a period against the previous one, review load
pub mod feedback; // AI issue reports: groupings, recurring problems (stemmed TF-IDF, cosine)
pub mod impact; // AI vs non-AI comparisons per metric and signal, shares, agreement
pub mod jira; // Jira issues: status-category cycle, story points/sprint fields, PR keys, velocity
pub mod leaderboard; // weekly rankings: minimums, shared ranks, opted-out people never named
pub mod pr; // per-PR times, size, revert/hotfix flags, bots
pub mod rollup; // weekly per-scope aggregates: the facts of a week in, one row per scope out
pub mod rules; // suggested agent rules from report patterns: deterministic templates per category and language
pub mod stats; // bootstrap medians, Mann-Whitney U, verdicts, Cohen's kappa (AI comparisons)

pub use aggregate::{MIN_SAMPLE, Summary, median, p75, p90, percentile_nearest_rank, summarise};
pub use ai::{AI_AGENT_LOGINS, AI_ASSISTANTS, AiDetection, AiRule, detect, is_agent_account};
pub use pr::{
    CommitInput, PrInput, PrMetrics, ReviewInput, compute, counts_in_throughput, is_bot,
    is_bot_login,
};
