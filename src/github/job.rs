//! `github.sync`: a durable sync of one org's tracked repositories, with
//! discovery of members and teams first when asked (on connect, daily).

use apalis::prelude::BoxDynError;
use serde::{Deserialize, Serialize};

use super::connect;
use super::sync::{self, Mode};
use crate::domain::OrgId;
use crate::jobs::Job;

/// The scheduler's daily GitHub discovery and incremental sync (its
/// claim in `sync_state`).
pub const DAILY: &str = "github.daily";

/// Job: sync an org's pull requests.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SyncGithub {
    /// The org.
    pub org: OrgId,
    /// Full window instead of since the last cursor.
    pub full: bool,
    /// Import repositories, members and teams first.
    #[serde(default)]
    pub discover: bool,
}

impl Job for SyncGithub {
    const QUEUE: &'static str = "github.sync";
    const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2 * 3600);
    fn org(&self) -> crate::domain::OrgId {
        self.org
    }
    const SINGLE: bool = true;
}

/// Runs the sync; a restart resumes from each repository's checkpoint.
#[tracing::instrument(skip_all, fields(org_id = %job.org, full = job.full), err(level = "warn"))]
pub async fn run(job: SyncGithub, ctx: crate::state::AppState) -> Result<(), BoxDynError> {
    let Some((client, login)) =
        connect::client_for(&ctx.db, &ctx.keys, &ctx.config.github, job.org).await?
    else {
        tracing::info!("GitHub is not connected; nothing to sync");
        return Ok(());
    };
    if job.discover {
        let found = connect::discover(&client, &ctx.db, job.org, &login).await?;
        tracing::info!(
            repositories = found.repositories,
            members = found.members,
            teams = found.teams,
            "GitHub discovered"
        );
        // Names and emails are a bonus: a token that cannot read them
        // must not stop the sync.
        match connect::member_profiles(&client, &login).await {
            Ok(profiles) => {
                let added = connect::store_profiles(&ctx.db, job.org, &profiles).await?;
                tracing::info!(
                    profiles = profiles.len(),
                    emails = added,
                    "member profiles read"
                );
                if added > 0 {
                    // Match on these emails while the PRs import.
                    crate::jobs::kinds::request_match(&ctx.jobs, job.org, "github members").await;
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not read member profiles"),
        }
    }
    let days = ctx.config.github.sync_days;
    let mode = if job.full {
        Mode::Full { days }
    } else {
        Mode::Incremental { days }
    };
    let stored = sync::sync_org(&client, &ctx.db, job.org, mode, &|repo, p| {
        tracing::debug!(repo, done = p.done, total = ?p.total, "sync progress");
    })
    .await?;
    let emails = connect::emails_from_commits(&ctx.db, job.org).await?;
    tracing::info!(stored, emails, "GitHub sync finished");
    // New people and emails can match Slack members now, not tomorrow.
    crate::jobs::kinds::request_match(&ctx.jobs, job.org, "github sync finished").await;
    Ok(())
}
