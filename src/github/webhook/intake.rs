//! Intake: whose a delivery is (the org its payload names, and that org's
//! own webhook secret if it has one, cached for a few seconds), and making
//! a verified delivery durable: each stored once (a redelivery is
//! recorded as a duplicate), written in group commits with its
//! `github.delivery` job before the request is answered. [`Intake`] is the
//! process's handle for both; [`sweep_pending`] re-enqueues stored
//! deliveries whose job was lost.

use std::sync::Arc;

use axum::body::Bytes;
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::Value;

use super::processing::ProcessDelivery;
use crate::domain::OrgId;
use crate::jobs::EnqueueError;
use crate::state::AppState;
use crate::store::webhooks::{self, Recorded};
use crate::store::{StoreError, orgs};

/// What intake reads of a payload: whose it is. The rest is only checked to
/// be well-formed JSON here (skipped without building it); the job reads it.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Routing {
    #[serde(default)]
    installation: Option<Installation>,
    #[serde(default)]
    organization: Option<Login>,
    #[serde(default)]
    repository: Option<RepositoryOwner>,
}

#[derive(Debug, Deserialize)]
struct Installation {
    #[serde(default)]
    id: Value,
}

#[derive(Debug, Deserialize)]
struct Login {
    #[serde(default)]
    login: Value,
}

#[derive(Debug, Deserialize)]
struct RepositoryOwner {
    #[serde(default)]
    owner: Option<Login>,
}

impl Routing {
    /// The integration keys that may name the org, most specific first:
    /// the App installation, else the organisation (or repository owner)
    /// connected in token mode.
    fn candidates(&self) -> Vec<String> {
        let installation = self
            .installation
            .as_ref()
            .and_then(|i| i.id.as_i64())
            .map(|id| format!("installation:{id}"));
        let logins = [
            self.organization.as_ref(),
            self.repository.as_ref().and_then(|r| r.owner.as_ref()),
        ]
        .into_iter()
        .flatten()
        .filter_map(|l| l.login.as_str().map(str::to_string));
        installation.into_iter().chain(logins).collect()
    }
}

/// How long a found org is remembered: a burst of deliveries needs one
/// lookup, and a disconnected org stops receiving within seconds.
const ORG_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(5);
const ORG_CACHE_MAX: usize = 10_000;

/// The org a delivery names and the secret its signature must verify
/// with: an organisation connected in token mode that has its own webhook
/// secret (multi-workspace deployments) verifies with that; App
/// installations and everything else with `GITHUB_WEBHOOK_SECRET`.
#[derive(Clone, Debug)]
pub(super) struct Tenant {
    /// The org.
    pub(super) org: OrgId,
    /// Its own webhook secret, if it has one.
    pub(super) own_secret: Option<SecretString>,
}

/// Which linked org a delivery belongs to (see [`Routing::candidates`]).
pub(super) async fn tenant_of(
    state: &AppState,
    routing: &Routing,
) -> Result<Option<Tenant>, StoreError> {
    let candidates = routing.candidates();
    if candidates.is_empty() {
        return Ok(None);
    }
    if let Some(tenant) = handle(state).cached(&candidates) {
        return Ok(Some(tenant));
    }
    let mut conn = state.db.pool().acquire().await?;
    for key in &candidates {
        if let Some(org) = orgs::find_linked(&mut conn, "github", key).await? {
            let own_secret = if key.starts_with(crate::github::connect::INSTALLATION_PREFIX) {
                None
            } else {
                crate::store::credentials::get(
                    &mut conn,
                    &state.keys,
                    org,
                    crate::github::connect::HOOK_SECRET,
                )
                .await?
            };
            let tenant = Tenant { org, own_secret };
            handle(state).remember(candidates, tenant.clone());
            return Ok(Some(tenant));
        }
    }
    Ok(None)
}

/// This process's intake (one per process, made by the root).
pub(super) fn handle(state: &AppState) -> Arc<Intake> {
    state.handles.get_or_default::<Intake>()
}

/// Most deliveries written in one transaction.
const MAX_BATCH: usize = 256;

/// Group commit for webhook intake. Deliveries that arrive while a write is
/// in flight queue up and are then written together, with their jobs, in
/// one transaction each for the deliveries and the jobs; every request is
/// answered after both commits. One writer drains the queue at a time,
/// which on SQLite (one writer) keeps contention out of its busy handler
/// (sleeps of up to 100 ms per retry), and turns many small commits into a
/// few large ones.
#[derive(Debug, Default)]
pub struct Intake {
    queue: std::sync::Mutex<Queue>,
    /// Orgs found for a payload's candidate keys, and when.
    orgs: std::sync::Mutex<std::collections::HashMap<Vec<String>, (Tenant, std::time::Instant)>>,
}

#[derive(Debug, Default)]
struct Queue {
    waiting: Vec<Arrival>,
    /// Writer tasks draining `waiting`.
    writers: usize,
}

/// Writers draining the intake queue at once: SQLite has one writer, so
/// one; PostgreSQL commits concurrent transactions together, so several
/// batches in flight raise throughput (each commit waits for its WAL
/// flush): up to 8, and never more than half the pool, which requests and
/// jobs need too. Measured at 32 connections: 1 writer ~1,700/s, 4 ~2,300/s,
/// 8 ~2,400/s (README).
fn max_writers(state: &AppState) -> usize {
    match state.db.backend() {
        crate::store::Backend::Sqlite => 1,
        crate::store::Backend::Postgres => {
            (state.config.db_max_connections as usize / 2).clamp(1, 8)
        }
    }
}

#[derive(Debug)]
struct Arrival {
    org: OrgId,
    delivery: String,
    event: String,
    body: Bytes,
    done: tokio::sync::oneshot::Sender<Result<Recorded, IntakeError>>,
}

/// Why a delivery could not be made durable.
#[derive(Debug, Clone, thiserror::Error)]
pub enum IntakeError {
    /// Its transaction failed.
    #[error("storing the deliveries failed: {0}")]
    Store(Arc<StoreError>),
    /// The write it was part of stopped without an answer.
    #[error("the intake write stopped without an answer")]
    Lost,
}

impl Intake {
    /// Stores one delivery (its job enqueued too, when new) and returns
    /// once both are committed.
    pub async fn submit(
        &self,
        state: &AppState,
        org: OrgId,
        delivery: &str,
        event: &str,
        body: Bytes,
    ) -> Result<Recorded, IntakeError> {
        let (done, answer) = tokio::sync::oneshot::channel();
        let start_writer = {
            let mut queue = self.lock_queue();
            queue.waiting.push(Arrival {
                org,
                delivery: delivery.to_string(),
                event: event.to_string(),
                body,
                done,
            });
            let start = queue.writers < max_writers(state);
            if start {
                queue.writers += 1;
            }
            start
        };
        if start_writer {
            // Spawned: a client hanging up on this request must not
            // abandon the others' deliveries half written.
            let state = state.clone();
            tokio::spawn(async move { drain(&state).await });
        }
        answer.await.unwrap_or(Err(IntakeError::Lost))
    }

    /// The next batch, or `None` (and one writer fewer) when empty.
    fn next_batch(&self) -> Option<Vec<Arrival>> {
        let mut queue = self.lock_queue();
        if queue.waiting.is_empty() {
            queue.writers = queue.writers.saturating_sub(1);
            return None;
        }
        let take = queue.waiting.len().min(MAX_BATCH);
        let rest = queue.waiting.split_off(take);
        Some(std::mem::replace(&mut queue.waiting, rest))
    }

    fn lock_queue(&self) -> std::sync::MutexGuard<'_, Queue> {
        // Nothing panics while holding it; recover the queue if it ever did.
        self.queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn cached(&self, candidates: &[String]) -> Option<Tenant> {
        let orgs = self
            .orgs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        orgs.get(candidates)
            .filter(|(_, at)| at.elapsed() < ORG_CACHE_TTL)
            .map(|(tenant, _)| tenant.clone())
    }

    fn remember(&self, candidates: Vec<String>, tenant: Tenant) {
        let mut orgs = self
            .orgs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if orgs.len() >= ORG_CACHE_MAX {
            orgs.retain(|_, (_, at)| at.elapsed() < ORG_CACHE_TTL);
            if orgs.len() >= ORG_CACHE_MAX {
                orgs.clear();
            }
        }
        orgs.insert(candidates, (tenant, std::time::Instant::now()));
    }
}

/// The writer: writes batches until the queue is empty.
async fn drain(state: &AppState) {
    // Should a write panic, the next delivery starts a new writer.
    struct Writing<'a>(&'a Intake);
    impl Drop for Writing<'_> {
        fn drop(&mut self) {
            if std::thread::panicking() {
                let mut queue = self.0.lock_queue();
                queue.writers = queue.writers.saturating_sub(1);
            }
        }
    }
    let intake = handle(state);
    let _writing = Writing(&intake);
    while let Some(batch) = intake.next_batch() {
        write_batch(state, batch).await;
    }
}

/// Writes a batch of deliveries in one transaction, then the jobs of the
/// new ones in one more, then answers each.
async fn write_batch(state: &AppState, batch: Vec<Arrival>) {
    let stored = async {
        let mut tx = state.db.begin_write().await?;
        let mut outcomes = Vec::with_capacity(batch.len());
        for a in &batch {
            outcomes.push(
                webhooks::record(&mut tx, a.org, "github", &a.delivery, &a.event, &a.body).await?,
            );
        }
        tx.commit().await?;
        Ok::<_, StoreError>(outcomes)
    }
    .await;
    let outcomes = match stored {
        Ok(outcomes) => outcomes,
        Err(e) => {
            let e = IntakeError::Store(Arc::new(e));
            for a in batch {
                let _ = a.done.send(Err(e.clone()));
            }
            return;
        }
    };
    let jobs: Vec<ProcessDelivery> = batch
        .iter()
        .zip(&outcomes)
        .filter_map(|(a, r)| match r {
            Recorded::New(id) => Some(ProcessDelivery {
                org: a.org,
                delivery: *id,
            }),
            Recorded::Duplicate => None,
        })
        .collect();
    // The stored deliveries are the source of truth: if this enqueue is
    // lost, the start-up sweep enqueues them again. On SQLite the enqueue
    // (the job queue's own pool) takes a write turn like every other
    // writer of this process, so it queues instead of polling the lock.
    let turn = state.db.write_turn().await;
    if let Err(e) = state.jobs.enqueue_all(jobs).await {
        tracing::error!(error = %e, "could not enqueue GitHub deliveries; the sweep will");
    }
    drop(turn);

    for (a, r) in batch.into_iter().zip(outcomes) {
        // The caller may have hung up; its delivery is stored all the same.
        let _ = a.done.send(Ok(r));
    }
}

/// Why the start-up sweep stopped.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// Reading the stored deliveries failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Enqueueing their jobs failed.
    #[error(transparent)]
    Enqueue(#[from] EnqueueError),
}

/// Enqueues every stored, unprocessed GitHub delivery (after a crash
/// between storing and enqueueing). Processing twice changes nothing.
pub async fn sweep_pending(state: &AppState) -> Result<usize, SweepError> {
    let mut conn = state.db.pool().acquire().await.map_err(StoreError::from)?;
    let mut count = 0;
    for org in orgs::list_ids(&mut conn).await? {
        let jobs: Vec<ProcessDelivery> = webhooks::pending(&mut conn, org, 10_000)
            .await?
            .into_iter()
            .filter(|pending| pending.source == "github")
            .map(|pending| ProcessDelivery {
                org,
                delivery: pending.id,
            })
            .collect();
        count += jobs.len();
        state.jobs.enqueue_all(jobs).await?;
    }
    Ok(count)
}
