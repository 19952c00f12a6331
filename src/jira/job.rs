//! `jira.sync`: a durable sync of one org's chosen Jira projects, with
//! discovery of projects and fields first when asked (connect, daily).

use apalis::prelude::BoxDynError;
use serde::{Deserialize, Serialize};

use super::client::JiraError;
use super::connect::{self, ConnectError, JiraContext};
use super::sync::{self, Mode, SyncError};
use crate::domain::OrgId;
use crate::jobs::Job;
use crate::store::integrations;

/// The scheduler's daily Jira discovery and incremental sync (its
/// claim in `sync_state`).
pub const DAILY: &str = "jira.daily";

/// Job: sync an org's Jira issues.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SyncJira {
    /// The org.
    pub org: OrgId,
    /// Full window instead of since the last cursor.
    pub full: bool,
    /// Import projects and find fields first.
    #[serde(default)]
    pub discover: bool,
}

impl Job for SyncJira {
    const QUEUE: &'static str = "jira.sync";
    const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2 * 3600);
    fn org(&self) -> crate::domain::OrgId {
        self.org
    }
    const SINGLE: bool = true;
}

/// The Jira context of the job workers.
pub fn context(ctx: &crate::state::AppState) -> JiraContext {
    JiraContext {
        db: ctx.db.clone(),
        keys: ctx.keys.clone(),
        http: ctx.http.clone(),
        settings: ctx.config.jira.clone(),
        budget: crate::jira::client::PointBudget::of(ctx),
        public_url: ctx.config.public_url.clone(),
        hosts: ctx.config.outbound_hosts,
    }
}

/// Runs discovery (if asked) and the sync, then records the outcome for
/// App Home: an error an admin must act on, or none.
#[tracing::instrument(skip_all, fields(org_id = %job.org, full = job.full), err(level = "warn"))]
pub async fn run(job: SyncJira, ctx: crate::state::AppState) -> Result<(), BoxDynError> {
    let jira = context(&ctx);
    match sync_once(&jira, &job).await {
        Ok(()) => {
            // Jira users bring emails that can match Slack members.
            crate::jobs::kinds::request_match(&ctx.jobs, job.org, "jira sync finished").await;
            Ok(())
        }
        Err(e) => {
            let message = e.to_string();
            // Credentials problems need an admin; outages fix themselves.
            let status = match &e {
                RunError::Connect(ConnectError::Jira(JiraError::Unauthorized(_)))
                | RunError::Sync(SyncError::Jira(JiraError::Unauthorized(_))) => "error",
                _ => "connected",
            };
            let mut conn = ctx.db.begin_write().await?;
            let shown = if status == "error" {
                connect::RECONNECT.to_string()
            } else {
                format!("The last Jira sync stopped: {message}. It retries by itself.")
            };
            let current = integrations::get(&mut conn, job.org, "jira").await?;
            // Only a connected integration takes an outage message; one an
            // admin must reconnect keeps saying so.
            if status == "error" || current.is_some_and(|c| c.status == "connected") {
                integrations::set_status(&mut conn, job.org, "jira", status, Some(&shown)).await?;
            }
            conn.commit().await?;
            Err(Box::new(e))
        }
    }
}

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Building the client.
    #[error(transparent)]
    Connect(#[from] ConnectError),
    /// The sync.
    #[error(transparent)]
    Sync(#[from] SyncError),
}

async fn sync_once(jira: &JiraContext, job: &SyncJira) -> Result<(), RunError> {
    let Some(client) = connect::client_for(jira, job.org).await? else {
        tracing::info!("Jira is not connected; nothing to sync");
        return Ok(());
    };
    if job.discover {
        let projects = sync::discover(&client, &jira.db, job.org).await?;
        tracing::info!(projects, "Jira discovered");
    }
    let days = jira.settings.sync_days;
    let mode = if job.full {
        Mode::Full { days }
    } else {
        Mode::Incremental { days }
    };
    let stored = sync::sync_org(&client, &jira.db, job.org, mode, &|project, p| {
        tracing::debug!(project, done = p.done, total = ?p.total, "Jira sync progress");
    })
    .await?;
    // Webhooks keep OAuth sites fresh between daily syncs for far fewer
    // points than polling; a failure here only means more polling.
    match super::webhook::ensure(&client, &jira.db, job.org, jira.public_url.as_ref()).await {
        Ok(done) => tracing::debug!(?done, "Jira webhook"),
        Err(e) => tracing::warn!(error = %e, "could not register the Jira webhook; polling only"),
    }
    // A good run clears an earlier outage message.
    let mut conn = jira.db.begin_write().await.map_err(SyncError::from)?;
    integrations::clear_error(&mut conn, job.org, "jira")
        .await
        .map_err(SyncError::from)?;
    conn.commit().await.map_err(SyncError::from)?;
    tracing::info!(stored, "Jira sync finished");
    Ok(())
}
