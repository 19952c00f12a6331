//! `aimpact export prs`: one row per PR with the docs/metrics.md names as
//! columns, the analyst's way to check our numbers.

use std::collections::HashMap;

use serde::Serialize;

use crate::domain::RepositoryId;
use crate::store::pull_requests::PullRequestRow;

/// One exported PR. Instants are RFC 3339 UTC; durations are seconds.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ExportRow {
    /// `owner/name`.
    pub repository: String,
    /// PR number.
    pub number: i64,
    /// Title.
    pub title: String,
    /// Author login.
    pub author: String,
    /// `open`, `closed`, `merged`.
    pub state: String,
    /// Opened.
    pub created_at: String,
    /// docs/metrics.md `ready_at`.
    pub ready_at: String,
    /// docs/metrics.md `first_commit_at`.
    pub first_commit_at: Option<String>,
    /// docs/metrics.md `first_review_at`.
    pub first_review_at: Option<String>,
    /// Merged.
    pub merged_at: Option<String>,
    /// docs/metrics.md `coding_time`.
    pub coding_time: Option<i64>,
    /// docs/metrics.md `pickup_time`.
    pub pickup_time: Option<i64>,
    /// docs/metrics.md `review_time`.
    pub review_time: Option<i64>,
    /// docs/metrics.md `cycle_time`.
    pub cycle_time: Option<i64>,
    /// docs/metrics.md `size`.
    pub size: i64,
    /// docs/metrics.md `is_revert`.
    pub is_revert: bool,
    /// docs/metrics.md `is_hotfix`.
    pub is_hotfix: bool,
    /// Detected AI assistance.
    pub ai_detected: bool,
    /// The rule that detected it.
    pub ai_detection_rule: Option<String>,
}

fn at(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// The export row of a stored PR.
pub fn row(pr: &PullRequestRow, repos: &HashMap<RepositoryId, String>) -> ExportRow {
    ExportRow {
        repository: pr
            .repository
            .and_then(|r| repos.get(&r).cloned())
            .unwrap_or_default(),
        number: pr.number,
        title: pr.title.clone(),
        author: pr.author_login.clone().unwrap_or_default(),
        state: pr.state.clone(),
        created_at: at(pr.opened_at),
        ready_at: at(pr.metrics.ready_at),
        first_commit_at: pr.metrics.first_commit_at.map(at),
        first_review_at: pr.metrics.first_review_at.map(at),
        merged_at: pr.merged_at.map(at),
        coding_time: pr.metrics.coding_time,
        pickup_time: pr.metrics.pickup_time,
        review_time: pr.metrics.review_time,
        cycle_time: pr.metrics.cycle_time,
        size: pr.metrics.size,
        is_revert: pr.metrics.is_revert,
        is_hotfix: pr.metrics.is_hotfix,
        ai_detected: pr.metrics.ai.is_some(),
        ai_detection_rule: pr.metrics.ai.as_ref().map(|a| a.rule.as_str().to_string()),
    }
}
