//! `slack.respond`: deliver a message to a Slack `response_url` after the
//! listener has already acknowledged (slow answers to `/metrics`, button
//! clicks). Retries on network errors, 429 and 5xx; gives up at once on
//! other 4xx, which Slack will never accept (expired or used-up URL).

use apalis::prelude::{AbortError, BoxDynError};
use serde::{Deserialize, Serialize};

use crate::domain::OrgId;
use crate::jobs::Job;

/// One message for a `response_url`.
#[derive(Clone, Serialize, Deserialize)]
pub struct Respond {
    /// The org the answer belongs to.
    pub org: OrgId,
    /// Slack's `response_url` (valid for 30 minutes, 5 uses).
    pub response_url: String,
    /// The message body: `text`, `blocks`, `response_type`, `replace_original`.
    pub message: serde_json::Value,
}

impl std::fmt::Debug for Respond {
    // The URL is a bearer capability for the channel: never log it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Respond")
            .field("org", &self.org)
            .field("response_url", &"[redacted]")
            .finish_non_exhaustive()
    }
}

impl Job for Respond {
    const QUEUE: &'static str = "slack.respond";
    const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
    fn org(&self) -> crate::domain::OrgId {
        self.org
    }
}

/// Why a delivery failed.
#[derive(Debug, thiserror::Error)]
pub enum RespondError {
    /// Network trouble, 429 or 5xx: worth another try.
    #[error("response_url answered {0}; will retry")]
    Transient(String),
    /// The URL is not usable at all.
    #[error("response_url is not an http(s) URL")]
    BadUrl,
    /// Slack refused the message for good.
    #[error("response_url refused the message with {0}")]
    Refused(reqwest::StatusCode),
}

/// Posts the message; see the module docs for the retry rules.
#[tracing::instrument(skip_all, fields(org_id = %job.org), err(level = "warn"))]
pub async fn run(job: Respond, ctx: crate::state::AppState) -> Result<(), BoxDynError> {
    let url = url::Url::parse(&job.response_url)
        .ok()
        .filter(|u| matches!(u.scheme(), "https" | "http"))
        .ok_or_else(|| AbortError::new(RespondError::BadUrl))?;
    let answer = ctx
        .http
        .post(url)
        .json(&job.message)
        .send()
        .await
        // Without the URL: reqwest's error text would include it.
        .map_err(|e| RespondError::Transient(e.without_url().to_string()))?;
    let status = answer.status();
    if status.is_success() {
        return Ok(());
    }
    if status == reqwest::StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
        return Err(RespondError::Transient(status.to_string()).into());
    }
    Err(AbortError::new(RespondError::Refused(status)).into())
}
