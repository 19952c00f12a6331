//! `github.sync`: a durable sync of one org's tracked repositories.

use std::sync::Arc;

use apalis::prelude::{BoxDynError, Data};
use serde::{Deserialize, Serialize};

use super::connect;
use super::sync::{self, Mode};
use crate::domain::OrgId;
use crate::jobs::{Job, JobContext};

/// Job: sync an org's pull requests.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SyncGithub {
    /// The org.
    pub org: OrgId,
    /// Full window instead of since the last cursor.
    pub full: bool,
}

impl Job for SyncGithub {
    const QUEUE: &'static str = "github.sync";
}

/// Runs the sync; a restart resumes from each repository's checkpoint.
#[tracing::instrument(skip_all, fields(org_id = %job.org, full = job.full), err(level = "warn"))]
pub async fn run(job: SyncGithub, ctx: Data<Arc<JobContext>>) -> Result<(), BoxDynError> {
    let Some((client, _)) =
        connect::client_for(&ctx.db, &ctx.keys, &ctx.github_api_url, job.org).await?
    else {
        tracing::info!("GitHub is not connected; nothing to sync");
        return Ok(());
    };
    let days = ctx.github_sync_days;
    let mode = if job.full {
        Mode::Full { days }
    } else {
        Mode::Incremental { days }
    };
    let stored = sync::sync_org(&client, &ctx.db, job.org, mode, &|repo, p| {
        tracing::debug!(repo, done = p.done, total = ?p.total, "sync progress");
    })
    .await?;
    tracing::info!(stored, "GitHub sync finished");
    Ok(())
}
