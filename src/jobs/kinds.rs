//! Job payloads that several capabilities enqueue. Plain data: the handler
//! of each lives with its capability and is registered by the root
//! (`app::workers`), so enqueueing one names no capability.

use serde::{Deserialize, Serialize};

use super::{Job, Jobs};
use crate::domain::OrgId;

/// Matches an org's Slack members to its people.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MatchSlackPeople {
    /// The org.
    pub org: OrgId,
}

impl Job for MatchSlackPeople {
    const QUEUE: &'static str = "slack.match_people";
    const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15 * 60);
    fn org(&self) -> crate::domain::OrgId {
        self.org
    }
}

/// Scheduler key: matching runs daily per org.
pub const MATCH_PEOPLE_TASK: &str = "slack.match_people";

/// Delivers an org's due survey work.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeliverSurveys {
    /// The org.
    pub org: OrgId,
}

impl Job for DeliverSurveys {
    const QUEUE: &'static str = "surveys.deliver";
    const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30 * 60);
    fn org(&self) -> crate::domain::OrgId {
        self.org
    }
}

/// Asks for a matching run: after anything that can create a match (GitHub
/// members or emails discovered, Jira users, a Slack install). A lost
/// enqueue only delays matching to the daily run, so it is logged, not
/// returned.
pub async fn request_match(jobs: &Jobs, org: OrgId, why: &'static str) {
    match jobs.enqueue(MatchSlackPeople { org }).await {
        Ok(()) => tracing::debug!(org_id = %org, why, "Slack matching queued"),
        Err(e) => tracing::warn!(org_id = %org, why, error = %e, "could not queue Slack matching"),
    }
}
