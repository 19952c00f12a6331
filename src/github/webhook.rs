//! `POST /github/webhook`: `X-Hub-Signature-256` verified in constant time
//! before parsing; each delivery stored once (a redelivery is acknowledged
//! and not processed again) and a job enqueued before the 202 answer. The
//! job turns the payload into stored rows through the same ingest as sync.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::Sha256;

use super::ingest::{self, Account, PrFacts, RepoFacts, ReviewFacts};
use crate::domain::OrgId;
use crate::jobs::Job;
use crate::state::AppState;
use crate::store::webhooks::{self, Recorded};
use crate::store::{StoreError, audit, orgs, pull_requests};

/// Events this app processes; others are acknowledged and ignored.
pub const HANDLED: [&str; 8] = [
    "ping",
    "installation",
    "installation_repositories",
    "pull_request",
    "pull_request_review",
    "member",
    "membership",
    "organization",
];

/// Checks `X-Hub-Signature-256` (`sha256=<hex>`) over the raw body.
pub fn verify(secret: &SecretString, signature: Option<&str>, body: &[u8]) -> bool {
    let Some(expected) = signature
        .and_then(|s| s.strip_prefix("sha256="))
        .and_then(|h| hex::decode(h.trim()).ok())
    else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.expose_secret().as_bytes()) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

/// Signs a body as GitHub does (tests, load checks).
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

fn answer(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({ "message": message }))).into_response()
}

/// What intake reads of a payload: whose it is. The rest is only checked to
/// be well-formed JSON here (skipped without building it); the job reads it.
#[derive(Debug, Default, Deserialize)]
struct Routing {
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
struct Tenant {
    org: OrgId,
    own_secret: Option<SecretString>,
}

/// Which linked org a delivery belongs to (see [`Routing::candidates`]).
async fn tenant_of(state: &AppState, routing: &Routing) -> Result<Option<Tenant>, StoreError> {
    let candidates = routing.candidates();
    if candidates.is_empty() {
        return Ok(None);
    }
    if let Some(tenant) = intake(state).cached(&candidates) {
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
            intake(state).remember(candidates, tenant.clone());
            return Ok(Some(tenant));
        }
    }
    Ok(None)
}

/// The webhook endpoint. The payload is read for whose it is before the
/// signature is checked, because in a multi-workspace deployment each
/// organisation's webhook has its own secret; nothing is stored or run
/// before the signature verifies.
pub async fn receive(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let routing: Option<Routing> = (body.trim_ascii_start().first() == Some(&b'{'))
        .then(|| serde_json::from_slice(&body).ok())
        .flatten();
    let tenant = match &routing {
        Some(routing) => match tenant_of(&state, routing).await {
            Ok(tenant) => tenant,
            Err(e) => {
                tracing::error!(error = %e, "org lookup failed for a GitHub delivery");
                return answer(StatusCode::SERVICE_UNAVAILABLE, "try again later");
            }
        },
        None => None,
    };
    let secret = tenant.as_ref().and_then(|t| t.own_secret.as_ref()).or(state
        .config
        .github
        .webhook_secret
        .as_ref());
    let Some(secret) = secret else {
        return answer(
            StatusCode::SERVICE_UNAVAILABLE,
            "GitHub webhooks are not configured here: set GITHUB_WEBHOOK_SECRET",
        );
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if !verify(secret, header("x-hub-signature-256"), &body) {
        tracing::warn!("refused a GitHub delivery with a bad or missing signature");
        return answer(StatusCode::UNAUTHORIZED, "signature does not match");
    }
    let (Some(event), Some(delivery)) = (header("x-github-event"), header("x-github-delivery"))
    else {
        return answer(
            StatusCode::BAD_REQUEST,
            "missing X-GitHub-Event or X-GitHub-Delivery",
        );
    };
    if !HANDLED.contains(&event) {
        return answer(StatusCode::ACCEPTED, "event ignored");
    }
    if routing.is_none() {
        if body.trim_ascii_start().first() != Some(&b'{') {
            return answer(StatusCode::BAD_REQUEST, "payload is not a JSON object");
        }
        let why = serde_json::from_slice::<Routing>(&body)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        return answer(
            StatusCode::BAD_REQUEST,
            &format!("malformed JSON payload: {why}"),
        );
    }
    if event == "ping" {
        return answer(StatusCode::OK, "pong");
    }
    let Some(Tenant { org, .. }) = tenant else {
        return answer(StatusCode::ACCEPTED, "no connected organisation; ignored");
    };
    // Compressed here, on the request's own task, so the one writer only
    // writes.
    let stored = Bytes::from(webhooks::pack(&body));
    let recorded = intake(&state)
        .submit(&state, org, delivery, event, stored)
        .await;
    match recorded {
        Ok(Recorded::Duplicate) => answer(StatusCode::OK, "already received"),
        Ok(Recorded::New(_)) => answer(StatusCode::ACCEPTED, "accepted"),
        Err(e) => {
            tracing::error!(error = %e, "could not store a GitHub delivery");
            answer(StatusCode::SERVICE_UNAVAILABLE, "try again later")
        }
    }
}

/// This process's intake (one per process, made by the root).
fn intake(state: &AppState) -> std::sync::Arc<Intake> {
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
    Store(String),
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
    let intake = intake(state);
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
            let e = IntakeError::Store(e.to_string());
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

/// Job: process one stored GitHub delivery.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProcessDelivery {
    /// Its org.
    pub org: OrgId,
    /// `webhook_delivery_id`.
    pub delivery: i64,
}

impl Job for ProcessDelivery {
    const QUEUE: &'static str = "github.delivery";
    const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5 * 60);
    fn org(&self) -> crate::domain::OrgId {
        self.org
    }
}

/// Enqueues every stored, unprocessed GitHub delivery (after a crash
/// between storing and enqueueing). Processing twice changes nothing.
pub async fn sweep_pending(state: &AppState) -> Result<usize, String> {
    let mut conn = state.db.pool().acquire().await.map_err(|e| e.to_string())?;
    let mut count = 0;
    for org in orgs::list_ids(&mut conn).await.map_err(|e| e.to_string())? {
        let jobs: Vec<ProcessDelivery> = webhooks::pending(&mut conn, org, 10_000)
            .await
            .map_err(|e| e.to_string())?
            .into_iter()
            .filter(|pending| pending.source == "github")
            .map(|pending| ProcessDelivery {
                org,
                delivery: pending.id,
            })
            .collect();
        count += jobs.len();
        state
            .jobs
            .enqueue_all(jobs)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(count)
}

pub(crate) fn instant(v: &Value) -> Option<i64> {
    v.as_str()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.timestamp())
}

fn account(v: &Value) -> Option<Account> {
    let login = v.get("login")?.as_str()?.to_string();
    Some(Account {
        login,
        id: v.get("id").and_then(Value::as_i64).map(|i| i.to_string()),
        is_bot: v.get("type").and_then(Value::as_str) == Some("Bot"),
    })
}

/// A PR from a webhook payload's `pull_request` and `repository`.
pub fn facts_from_payload(payload: &Value) -> Option<PrFacts> {
    let pr = payload.get("pull_request")?;
    let repo = payload.get("repository")?;
    let merged_at = instant(&pr["merged_at"]);
    let state = if merged_at.is_some() {
        "merged"
    } else {
        pr["state"].as_str().unwrap_or("open")
    };
    Some(PrFacts {
        repo: RepoFacts {
            github_repo_id: repo.get("id")?.as_i64()?.to_string(),
            owner: repo.pointer("/owner/login")?.as_str()?.to_string(),
            name: repo.get("name")?.as_str()?.to_string(),
            default_branch: repo["default_branch"].as_str().map(str::to_string),
            is_private: repo["private"].as_bool().unwrap_or(false),
            is_archived: repo["archived"].as_bool().unwrap_or(false),
            is_fork: repo["fork"].as_bool().unwrap_or(false),
        },
        node_id: pr.get("node_id")?.as_str()?.to_string(),
        number: pr.get("number")?.as_i64()?,
        title: pr["title"].as_str().unwrap_or_default().to_string(),
        body: pr["body"].as_str().unwrap_or_default().to_string(),
        state: state.to_string(),
        is_draft: pr["draft"].as_bool().unwrap_or(false),
        opened_as_draft: None,
        created_at: instant(&pr["created_at"])?,
        updated_at: instant(&pr["updated_at"]).or(instant(&pr["created_at"]))?,
        merged_at,
        closed_at: instant(&pr["closed_at"]),
        ready_for_review_at: None,
        head_ref: pr
            .pointer("/head/ref")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        base_ref: pr
            .pointer("/base/ref")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        labels: pr["labels"]
            .as_array()
            .map(|ls| {
                ls.iter()
                    .filter_map(|l| l["name"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        additions: pr["additions"].as_i64().unwrap_or(0),
        deletions: pr["deletions"].as_i64().unwrap_or(0),
        changed_files: pr["changed_files"].as_i64().unwrap_or(0),
        commit_count: pr["commits"].as_i64(),
        author: account(&pr["user"]),
        commits: None,
        reviews: None,
    })
}

/// Why a delivery could not be processed.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// Storage failed (worth a retry).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The payload lacks what its event needs (never worth a retry).
    #[error("payload of `{0}` is missing required fields")]
    Shape(String),
}

/// Processes one delivery (the `github.delivery` job).
#[tracing::instrument(skip_all, fields(org_id = %job.org, delivery = job.delivery), err(level = "warn"))]
pub async fn run(
    job: ProcessDelivery,
    ctx: crate::state::AppState,
) -> Result<(), apalis::prelude::BoxDynError> {
    let org = job.org;
    let mut conn = ctx.db.pool().acquire().await.map_err(StoreError::from)?;
    let Some(delivery) = webhooks::get(&mut conn, org, job.delivery).await? else {
        return Ok(());
    };
    drop(conn);
    let outcome = process(&ctx, org, &delivery.event, &delivery.payload).await;
    let mut conn = ctx.db.pool().acquire().await.map_err(StoreError::from)?;
    match outcome {
        Ok(()) => webhooks::mark_processed(&mut conn, org, job.delivery).await?,
        Err(DeliveryError::Shape(event)) => {
            // Unusable for good: record why and stop retrying.
            tracing::warn!(event, "GitHub delivery has an unexpected shape; skipped");
            webhooks::mark_failed(&mut conn, org, job.delivery, "unexpected payload shape").await?;
            webhooks::mark_processed(&mut conn, org, job.delivery).await?;
        }
        Err(e) => {
            webhooks::mark_failed(&mut conn, org, job.delivery, &e.to_string()).await?;
            return Err(e.into());
        }
    }
    Ok(())
}

async fn process(
    ctx: &crate::state::AppState,
    org: OrgId,
    event: &str,
    payload: &[u8],
) -> Result<(), DeliveryError> {
    let payload: Value =
        serde_json::from_slice(payload).map_err(|_| DeliveryError::Shape(event.to_string()))?;
    let action = payload["action"].as_str().unwrap_or_default();
    let mut tx = ctx.db.begin_write().await.map_err(StoreError::from)?;
    let mut surveys_planned = None;
    match event {
        "pull_request" => {
            let mut facts =
                facts_from_payload(&payload).ok_or_else(|| DeliveryError::Shape(event.into()))?;
            if action == "ready_for_review" {
                facts.ready_for_review_at = Some(facts.updated_at);
                facts.opened_as_draft = Some(true);
            }
            let done = ingest::ingest(&mut tx, org, &facts, &[]).await?;
            if done.newly_merged && pr_merged(&mut tx, org, &facts).await? {
                surveys_planned = plan_surveys(ctx, &mut tx, org, &facts).await?;
            }
        }
        "pull_request_review" => {
            let mut facts =
                facts_from_payload(&payload).ok_or_else(|| DeliveryError::Shape(event.into()))?;
            // Review payloads carry a short PR without sizes: keep stored ones.
            if payload.pointer("/pull_request/additions").is_none()
                && let Some((_, stored)) = pull_requests::find_by_facts(
                    &mut tx,
                    org,
                    &facts.node_id,
                    &facts.repo.github_repo_id,
                    facts.number,
                )
                .await?
            {
                facts.additions = stored.additions;
                facts.deletions = stored.deletions;
                facts.changed_files = stored.changed_files;
                facts.merged_at = facts.merged_at.or(stored.merged_at);
                facts.state = if facts.merged_at.is_some() {
                    "merged".into()
                } else {
                    facts.state
                };
            }
            let review = &payload["review"];
            let id = review["id"]
                .as_i64()
                .map(|i| i.to_string())
                .or_else(|| review["node_id"].as_str().map(str::to_string))
                .ok_or_else(|| DeliveryError::Shape(event.into()))?;
            facts.reviews = Some(vec![ReviewFacts {
                id,
                author: account(&review["user"]),
                state: review["state"].as_str().unwrap_or("commented").to_string(),
                submitted_at: instant(&review["submitted_at"]),
            }]);
            ingest::ingest(&mut tx, org, &facts, &[]).await?;
        }
        "member" | "membership" | "organization" => {
            let who = payload
                .get("member")
                .or_else(|| payload.pointer("/membership/user"))
                .and_then(account);
            if let Some(who) = who
                && matches!(action, "added" | "member_added")
            {
                ingest::person_for(&mut tx, org, &who).await?;
            }
        }
        // App installation changes: the connection follows the
        // installation's state; repositories follow its selection.
        "installation" | "installation_repositories" => {
            installation_change(&mut tx, org, event, action, &payload).await?;
            audit::record(
                &mut tx,
                org,
                "github",
                &format!("github.{event}.{action}"),
                None,
                &json!({}),
            )
            .await?;
        }
        _ => {}
    }
    tx.commit().await.map_err(StoreError::from)?;
    if let Some(waiting) = surveys_planned {
        // Committed: deliver now rather than at the next minute's tick
        // (which would also pick them up if this enqueue is lost).
        let job = crate::surveys::deliver::DeliverSurveys { org };
        if let Err(e) = ctx.jobs.enqueue(job).await {
            tracing::warn!(error = %e, "could not queue survey delivery; the tick will");
        }
        // People asked but not matched yet: Slack may know their email.
        if let Err(e) = crate::people::match_waiting(ctx, org, &waiting).await {
            tracing::warn!(error = %e, "could not look up unmatched people by email");
        }
    }
    Ok(())
}

/// Plans the merged PR's surveys in the event's transaction; when there is
/// something to deliver, who of those asked is not matched to Slack yet.
async fn plan_surveys(
    ctx: &crate::state::AppState,
    conn: &mut sqlx::AnyConnection,
    org: OrgId,
    facts: &PrFacts,
) -> Result<Option<Vec<crate::domain::PersonId>>, StoreError> {
    let Some((pr, _)) = pull_requests::find_by_facts(
        &mut *conn,
        org,
        &facts.node_id,
        &facts.repo.github_repo_id,
        facts.number,
    )
    .await?
    else {
        return Ok(None);
    };
    let now = ctx.clock.now();
    let planned =
        crate::surveys::plan::on_merged(conn, org, pr, facts.merged_at.unwrap_or(now), now).await?;
    tracing::info!(org_id = %org, number = facts.number, ?planned, "surveys planned");
    Ok(match planned {
        crate::surveys::plan::Planned::Created { waiting, .. } => Some(waiting),
        _ => None,
    })
}

async fn installation_change(
    conn: &mut sqlx::AnyConnection,
    org: OrgId,
    event: &str,
    action: &str,
    payload: &Value,
) -> Result<(), StoreError> {
    use crate::store::{integrations, repositories};
    match (event, action) {
        ("installation", "deleted" | "suspend") => {
            let status = if action == "deleted" {
                "revoked"
            } else {
                "suspended"
            };
            if let Some(current) = integrations::get(&mut *conn, org, "github").await? {
                integrations::upsert(
                    &mut *conn,
                    org,
                    "github",
                    status,
                    current.external_id.as_deref(),
                    None,
                )
                .await?;
            }
        }
        ("installation", "unsuspend") => {
            if let Some(current) = integrations::get(&mut *conn, org, "github").await? {
                integrations::upsert(
                    &mut *conn,
                    org,
                    "github",
                    "connected",
                    current.external_id.as_deref(),
                    None,
                )
                .await?;
            }
        }
        ("installation_repositories", _) => {
            let chosen_only = integrations::get(&mut *conn, org, "github")
                .await?
                .is_some_and(|g| {
                    g.setting(crate::github::connect::REPOS_SETTING)
                        == crate::github::connect::REPOS_CHOSEN
                });
            let list = |key: &str| payload[key].as_array().cloned().unwrap_or_default();
            for r in list("repositories_added") {
                let (Some(id), Some(full)) = (r["id"].as_i64(), r["full_name"].as_str()) else {
                    continue;
                };
                let Some((owner, name)) = full.split_once('/') else {
                    continue;
                };
                if let Some(known) =
                    repositories::find_by_github_id(&mut *conn, org, &id.to_string()).await?
                {
                    // Back in the App's selection: tracked again unless an
                    // admin keeps a chosen set.
                    if !chosen_only && known.is_active() && !known.is_tracked {
                        repositories::set_tracked(&mut *conn, org, known.id, true).await?;
                    }
                    continue;
                }
                let repo = repositories::upsert(
                    &mut *conn,
                    org,
                    &repositories::NewRepository {
                        github_repo_id: &id.to_string(),
                        owner,
                        name,
                        default_branch: None,
                        is_private: r["private"].as_bool().unwrap_or(false),
                        is_archived: false,
                        is_fork: false,
                    },
                )
                .await?;
                if chosen_only {
                    repositories::set_tracked(&mut *conn, org, repo, false).await?;
                }
            }
            for r in list("repositories_removed") {
                let Some(id) = r["id"].as_i64() else { continue };
                if let Some(repo) =
                    repositories::find_by_github_id(&mut *conn, org, &id.to_string()).await?
                {
                    // The App cannot read it any more; its data stays.
                    repositories::set_tracked(&mut *conn, org, repo.id, false).await?;
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// The "PR merged" domain event: recorded once, when a PR first becomes
/// merged; survey DMs subscribe to it. True when it fired now.
async fn pr_merged(
    conn: &mut sqlx::AnyConnection,
    org: OrgId,
    facts: &PrFacts,
) -> Result<bool, StoreError> {
    // Two deliveries of one merge can be processed at once; the unique key
    // of the event record lets exactly one of them fire it.
    let key = format!("pr_merged:{}", facts.node_id);
    let webhooks::Recorded::New(id) =
        webhooks::record(&mut *conn, org, "event", &key, "pr_merged", b"").await?
    else {
        return Ok(false);
    };
    webhooks::mark_processed(&mut *conn, org, id).await?;
    tracing::info!(org_id = %org, repo = %facts.repo.name, number = facts.number, "pull request merged");
    audit::record(
        conn,
        org,
        "github",
        "github.pr_merged",
        Some(&facts.node_id),
        &json!({ "repository": format!("{}/{}", facts.repo.owner, facts.repo.name), "number": facts.number }),
    )
    .await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn githubs_documented_signature_example_verifies() {
        // From GitHub's "Validating webhook deliveries".
        let secret = SecretString::from("It's a Secret to Everybody");
        let sig = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        assert!(verify(&secret, Some(sig), b"Hello, World!"));
        assert_eq!(sign("It's a Secret to Everybody", b"Hello, World!"), sig);
        assert!(!verify(&secret, Some(sig), b"Hello, World?"));
        assert!(!verify(&secret, None, b"Hello, World!"));
        assert!(!verify(&secret, Some("sha1=abc"), b"Hello, World!"));
    }
}
