//! `aimpact export issues`: one row per issue with its computed fields
//! (docs/metrics.md names), for analysts to check our numbers.

use serde::Serialize;

use crate::store::jira::IssueExport;

/// One exported issue. Instants are RFC 3339 UTC; durations are seconds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportRow {
    /// Key, e.g. `PROJ-12`.
    pub issue_key: String,
    /// Project key.
    pub project: String,
    /// Summary.
    pub summary: String,
    /// Issue type.
    pub issue_type: Option<String>,
    /// Status name.
    pub status: Option<String>,
    /// `todo`, `in_progress` or `done`.
    pub status_category: Option<String>,
    /// Assignee's Atlassian account id.
    pub assignee_account_id: Option<String>,
    /// The matched person's name.
    pub assignee: Option<String>,
    /// Story points.
    pub story_points: Option<f64>,
    /// Created.
    pub created_at: Option<String>,
    /// First transition into In Progress.
    pub started_at: Option<String>,
    /// First transition into Done after it.
    pub done_at: Option<String>,
    /// `done_at − started_at`, seconds.
    pub issue_cycle_time: Option<i64>,
    /// Sprints, `;`-separated.
    pub sprints: String,
    /// Linked PRs as `owner/name#number`, `;`-separated.
    pub pull_requests: String,
}

fn at(t: i64) -> Option<String> {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// The row of an issue.
pub fn row(i: IssueExport) -> ExportRow {
    ExportRow {
        issue_key: i.issue_key,
        project: i.project,
        summary: i.summary,
        issue_type: i.issue_type,
        status: i.status,
        status_category: i.status_category,
        assignee_account_id: i.assignee_account_id,
        assignee: i.assignee,
        story_points: i.story_points,
        created_at: at(i.created_at),
        started_at: i.started_at.and_then(at),
        done_at: i.done_at.and_then(at),
        issue_cycle_time: i.issue_cycle_time,
        sprints: i.sprints,
        pull_requests: i.pull_requests,
    }
}
