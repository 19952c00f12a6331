//! Durable background jobs: apalis on the same database as the store
//! (SQLite or PostgreSQL storage), workers started by `serve` (or `worker`).
//!
//! A job is written to the database before anything acknowledges the
//! request that caused it; workers retry failures with exponential backoff;
//! a job left unfinished by a stopped process goes back to the queue.

pub mod kinds;
pub mod schedule;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::channel::mpsc;

use apalis::layers::WorkerBuilderExt;
use apalis::layers::retry::RetryPolicy;
use apalis::prelude::{
    AbortError, Attempt, BoxDynError, Data, Event, Monitor, TaskId, TaskSink, WorkerBuilder,
    WorkerContext, WorkerError,
};
use apalis_core::backend::ext::BackendExt;
use apalis_core::backend::ext::poll_strategy::{IntervalStrategy, Strategy};
use apalis_postgres::PostgresStorage;
use apalis_sqlite::SqliteStorage;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use tower::retry::backoff::{ExponentialBackoffMaker, MakeBackoff};
use tower::util::rng::HasherRng;

use crate::store::{Backend, DatabaseUrl, Db};
use crate::telemetry::series;

/// A job payload with its own queue. The queue name is explicit (not the
/// Rust type name) so renaming a type never strands queued jobs.
pub trait Job: Serialize + DeserializeOwned + Clone + Send + Sync + Unpin + 'static {
    /// Queue name, e.g. `slack.respond`.
    const QUEUE: &'static str;
    /// How long one run may take before it is cancelled (and retried like
    /// a failure): no job holds a worker slot for ever.
    const TIMEOUT: Duration;
    /// The org the job works for (its failures are shown to that org's
    /// admins).
    fn org(&self) -> crate::domain::OrgId;
    /// At most one run per org at a time (syncs): enqueue it with
    /// [`Jobs::enqueue_single`]; a second request joins the run.
    const SINGLE: bool = false;
}

/// Why a job could not be enqueued.
#[derive(Debug, thiserror::Error)]
#[error("could not enqueue a `{queue}` job: {reason}")]
pub struct EnqueueError {
    queue: &'static str,
    reason: String,
}

/// The connection pool apalis needs: it works on concrete pools, not `Any`.
#[derive(Clone, Debug)]
pub enum JobsPool {
    /// SQLite storage.
    Sqlite(SqlitePool),
    /// PostgreSQL storage.
    Postgres(PgPool),
}

impl JobsPool {
    /// Connects to the same database as the store, with the same SQLite
    /// pragmas (WAL, busy timeout, foreign keys, synchronous=normal).
    pub async fn connect(
        url: &DatabaseUrl,
        max_connections: u32,
        acquire_timeout: Duration,
    ) -> Result<Self, sqlx::Error> {
        match url.backend() {
            Backend::Sqlite => {
                let options: SqliteConnectOptions = url.expose().parse()?;
                let options = options
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(5));
                let pool = SqlitePoolOptions::new()
                    .max_connections(max_connections)
                    .acquire_timeout(acquire_timeout)
                    .connect_with(options)
                    .await?;
                Ok(Self::Sqlite(pool))
            }
            Backend::Postgres => {
                let pool = PgPoolOptions::new()
                    .max_connections(max_connections)
                    .acquire_timeout(acquire_timeout)
                    .connect(url.expose())
                    .await?;
                Ok(Self::Postgres(pool))
            }
        }
    }

    /// Applies apalis's own migrations (tracked apart from ours). Not
    /// `SqliteStorage::setup`, which would also switch `synchronous` off
    /// and trade durability for speed.
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self {
            Self::Sqlite(pool) => SqliteStorage::migrations().run(pool).await,
            Self::Postgres(pool) => PostgresStorage::migrations().run(pool).await,
        }
    }

    /// Closes the pool.
    pub async fn close(&self) {
        match self {
            Self::Sqlite(pool) => pool.close().await,
            Self::Postgres(pool) => pool.close().await,
        }
    }
}

/// Enqueues jobs; cheap to clone into handlers. Clones share the wake-up
/// registry and the workers' liveness, so a job enqueued in this process
/// wakes this process's idle worker at once instead of at its next poll.
#[derive(Clone, Debug)]
pub struct Jobs {
    pool: JobsPool,
    shared: Arc<Shared>,
    /// Runs a job may have in all (the first and its retries): written with
    /// each job, so the queue does not run a failing job beyond the retry
    /// policy (apalis would otherwise fetch it again up to 25 times).
    max_attempts: usize,
}

/// What every clone of one [`Jobs`] shares.
#[derive(Debug, Default)]
struct Shared {
    /// Idle workers of this process by queue: a message wakes one to fetch.
    wakers: Mutex<HashMap<&'static str, Vec<mpsc::Sender<()>>>>,
    /// Worker liveness by queue (only filled where workers run).
    live: Mutex<HashMap<&'static str, Liveness>>,
    /// Every queue the app has (set by the composition root).
    queues: Mutex<Vec<&'static str>>,
}

/// What this process knows of one queue's worker.
#[derive(Debug, Clone, Copy)]
struct Liveness {
    /// Running (started and not ended) now.
    running: bool,
    /// Last start, heartbeat or finished job.
    last_seen: Instant,
    /// Times it was restarted after failing.
    restarts: usize,
}

/// apalis 1.0 sometimes leaves an idle worker waiting for its next
/// heartbeat before it fetches again, whatever the poll interval: with the
/// default 30 s heartbeat a new job could wait half a minute (seen as survey
/// DMs arriving 30 s late). A 2 s heartbeat bounds that wait on both
/// backends (in-process enqueues wake the worker at once anyway); 150
/// missed heartbeats keep 5 minutes before a silent worker's jobs are taken
/// back.
const HEARTBEAT: Duration = Duration::from_secs(2);
const MISSED_HEARTBEATS: usize = 150;

fn sqlite_storage<J: Job>(pool: &SqlitePool) -> SqliteStorage<J> {
    SqliteStorage::new(pool).with_config(
        apalis_sqlite::Config::default()
            .queue(J::QUEUE)
            .heartbeat_interval(HEARTBEAT)
            .missed_heartbeats(MISSED_HEARTBEATS),
    )
}

fn postgres_storage<J: Job>(pool: &PgPool) -> PostgresStorage<J> {
    PostgresStorage::new(pool).with_config(
        apalis_postgres::Config::default()
            .queue(J::QUEUE)
            .heartbeat_interval(HEARTBEAT)
            .missed_heartbeats(MISSED_HEARTBEATS),
    )
}

/// A queue whose worker has not been seen for this long is not live
/// (it heartbeats every [`HEARTBEAT`]; a busy SQLite can delay one by its
/// busy timeout).
const LIVE_WITHIN: Duration = Duration::from_secs(60);

impl Jobs {
    /// Wraps a connected pool.
    pub fn new(pool: JobsPool) -> Self {
        Self {
            pool,
            shared: Arc::default(),
            max_attempts: WorkerSettings::default().retries + 1,
        }
    }

    /// Jobs written from now on may run `retries` times after their first.
    #[must_use]
    pub fn with_retries(mut self, retries: usize) -> Self {
        self.max_attempts = retries + 1;
        self
    }

    fn task<J: Job>(&self, job: J) -> apalis_core::task::Task<J> {
        apalis_core::task::builder::TaskBuilder::new(job)
            .max_attempts(self.max_attempts)
            .build()
    }

    /// The underlying pool.
    pub fn pool(&self) -> &JobsPool {
        &self.pool
    }

    /// Wakes this process's idle workers of `queue` (if any) to fetch now.
    fn wake(&self, queue: &'static str) {
        let Ok(mut wakers) = self.shared.wakers.lock() else {
            return;
        };
        if let Some(list) = wakers.get_mut(queue) {
            // A full channel already holds a wake-up; a closed one belongs
            // to a worker that ended.
            list.retain_mut(|tx| match tx.try_send(()) {
                Ok(()) => true,
                Err(e) => e.is_full(),
            });
        }
    }

    /// A wake-up stream for a new worker of `queue`.
    fn wake_stream(&self, queue: &'static str) -> mpsc::Receiver<()> {
        let (tx, rx) = mpsc::channel(1);
        if let Ok(mut wakers) = self.shared.wakers.lock() {
            wakers.entry(queue).or_default().push(tx);
        }
        rx
    }

    /// Records the app's queues (`Workers::queues`), for reports of every
    /// queue whether or not this process runs workers.
    pub fn set_queues(&self, queues: &[&'static str]) {
        if let Ok(mut q) = self.shared.queues.lock() {
            *q = queues.to_vec();
        }
    }

    /// The app's queues, in registration order.
    pub fn queues(&self) -> Vec<&'static str> {
        self.shared
            .queues
            .lock()
            .map(|q| q.clone())
            .unwrap_or_default()
    }

    fn saw(&self, queue: &'static str, running: bool, restarted: bool) {
        if let Ok(mut live) = self.shared.live.lock() {
            let entry = live.entry(queue).or_insert(Liveness {
                running,
                last_seen: Instant::now(),
                restarts: 0,
            });
            entry.running = running;
            entry.last_seen = Instant::now();
            if restarted {
                entry.restarts += 1;
            }
        }
    }

    /// Queues of this process whose worker is not live (ended, or silent
    /// for a minute); empty where no workers run.
    pub fn dead_queues(&self) -> Vec<&'static str> {
        let Ok(live) = self.shared.live.lock() else {
            return Vec::new();
        };
        let mut dead: Vec<&'static str> = live
            .iter()
            .filter(|(_, l)| !l.running || l.last_seen.elapsed() > LIVE_WITHIN)
            .map(|(q, _)| *q)
            .collect();
        dead.sort_unstable();
        dead
    }

    /// How often each queue's worker was restarted after failing.
    pub fn restarts(&self) -> Vec<(&'static str, usize)> {
        let Ok(live) = self.shared.live.lock() else {
            return Vec::new();
        };
        let mut out: Vec<_> = live.iter().map(|(q, l)| (*q, l.restarts)).collect();
        out.sort_unstable();
        out
    }

    /// Jobs of `queue` waiting to be started (new, or failed with retries
    /// left), across every process.
    pub async fn depth(&self, queue: &str) -> Result<i64, sqlx::Error> {
        const SQLITE: &str = "select count(*) from Jobs where job_type = $1
            and (status = 'Pending' or (status = 'Failed' and attempts < max_attempts))";
        const POSTGRES: &str = "select count(*) from apalis.jobs where job_type = $1
            and (status = 'Pending' or (status = 'Failed' and attempts < max_attempts))";
        match &self.pool {
            JobsPool::Sqlite(pool) => sqlx::query_scalar(SQLITE).bind(queue).fetch_one(pool).await,
            JobsPool::Postgres(pool) => {
                sqlx::query_scalar(POSTGRES)
                    .bind(queue)
                    .fetch_one(pool)
                    .await
            }
        }
    }

    /// Writes a job to the queue; it is durable when this returns.
    pub async fn enqueue<J: Job>(&self, job: J) -> Result<(), EnqueueError> {
        let failed = |e: String| EnqueueError {
            queue: J::QUEUE,
            reason: e,
        };
        match &self.pool {
            JobsPool::Sqlite(pool) => sqlite_storage::<J>(pool)
                .push_task(self.task(job))
                .await
                .map_err(|e| failed(e.to_string()))?,
            JobsPool::Postgres(pool) => postgres_storage::<J>(pool)
                .push_task(self.task(job))
                .await
                .map_err(|e| failed(e.to_string()))?,
        }
        self.wake(J::QUEUE);
        Ok(())
    }

    /// Enqueues a job that runs at most once per org at a time
    /// ([`Job::SINGLE`]): `Ok(false)` when a run is queued or running
    /// already, which this request joins (a running one goes once more
    /// when it ends, so what was asked for is not lost).
    pub async fn enqueue_single<J: Job>(
        &self,
        db: &crate::store::Db,
        job: J,
    ) -> Result<bool, EnqueueError> {
        use crate::store::job_state;
        let failed = |e: String| EnqueueError {
            queue: J::QUEUE,
            reason: e,
        };
        let org = job.org();
        let mut conn = db
            .pool()
            .acquire()
            .await
            .map_err(|e| failed(e.to_string()))?;
        let now = crate::store::unix_now();
        if !job_state::request_run(&mut conn, org, J::QUEUE, now)
            .await
            .map_err(|e| failed(e.to_string()))?
        {
            tracing::info!(org_id = %org, queue = J::QUEUE, "a run is in progress; this request joins it");
            return Ok(false);
        }
        if let Err(e) = self.enqueue(job).await {
            let _ = job_state::unqueue(&mut conn, org, J::QUEUE).await;
            return Err(e);
        }
        Ok(true)
    }

    /// Writes several jobs of one queue in one transaction; all are durable
    /// when this returns.
    pub async fn enqueue_all<J: Job>(&self, jobs: Vec<J>) -> Result<(), EnqueueError> {
        if jobs.is_empty() {
            return Ok(());
        }
        let failed = |e: String| EnqueueError {
            queue: J::QUEUE,
            reason: e,
        };
        let tasks: Vec<_> = jobs.into_iter().map(|job| self.task(job)).collect();
        match &self.pool {
            JobsPool::Sqlite(pool) => sqlite_storage::<J>(pool)
                .push_all(futures::stream::iter(tasks))
                .await
                .map_err(|e| failed(e.to_string()))?,
            JobsPool::Postgres(pool) => postgres_storage::<J>(pool)
                .push_all(futures::stream::iter(tasks))
                .await
                .map_err(|e| failed(e.to_string()))?,
        }
        self.wake(J::QUEUE);
        Ok(())
    }
}

/// How workers run: concurrency and retry backoff.
#[derive(Clone, Debug)]
pub struct WorkerSettings {
    /// Jobs run at once per queue in this process.
    pub concurrency: usize,
    /// First retry delay; doubles per attempt up to `backoff_max`.
    pub backoff_min: Duration,
    /// Longest retry delay.
    pub backoff_max: Duration,
    /// Retries after the first attempt.
    pub retries: usize,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        Self {
            concurrency: 4,
            backoff_min: Duration::from_secs(1),
            backoff_max: Duration::from_secs(60),
            retries: 5,
        }
    }
}

/// How often an idle worker looks for new jobs.
const POLL_EVERY: Duration = Duration::from_millis(200);

/// A process-unique worker name: several processes share one queue.
fn worker_name(queue: &str) -> String {
    format!(
        "{queue}@{}-{:08x}",
        std::process::id(),
        rand::random::<u32>()
    )
}

/// The job kinds a process runs, registered by the composition root
/// (`app`): each with its handler, which gets the job and a clone of the
/// context `C` (the app's state). Builds the apalis monitor, written once
/// for both storage backends.
///
/// Workers never end while the process runs: one that fails (a fetch or
/// heartbeat the database refused, say SQLite's "database is locked") is
/// restarted after a short back-off, and its liveness is what `/readyz`
/// reports.
pub struct Workers<C> {
    jobs: Jobs,
    db: Db,
    ctx: C,
    settings: WorkerSettings,
    /// Registrations, applied to the monitor when it is built.
    adds: Vec<Registration<C>>,
    queues: Vec<&'static str>,
}

/// One job kind's registration, applied when the monitor is built.
type Registration<C> = Box<dyn FnOnce(Monitor, &Registrar<C>) -> Monitor + Send>;

/// What every registration needs, made once when the monitor is built.
struct Registrar<C> {
    jobs: Jobs,
    db: Db,
    ctx: C,
    policy: Option<apalis::layers::retry::BackoffRetryPolicy<BackoffKind>>,
    retries: usize,
    concurrency: usize,
}

type BackoffKind = tower::retry::backoff::ExponentialBackoff<HasherRng>;

impl<C: Clone + Send + Sync + 'static> Workers<C> {
    /// No job kinds yet.
    pub fn new(jobs: &Jobs, db: &Db, ctx: C, settings: &WorkerSettings) -> Self {
        Self {
            jobs: jobs.clone(),
            db: db.clone(),
            ctx,
            settings: settings.clone(),
            adds: Vec::new(),
            queues: Vec::new(),
        }
    }

    /// Runs `J` jobs with `handler`.
    pub fn run<J, F, Fut>(mut self, handler: F) -> Self
    where
        J: Job,
        F: Fn(J, C) -> Fut + Clone + Send + Sync + 'static,
        Fut: std::future::Future<Output = Result<(), BoxDynError>> + Send + 'static,
    {
        self.queues.push(J::QUEUE);
        self.adds.push(Box::new(move |monitor, r: &Registrar<C>| {
            r.register::<J, F, Fut>(monitor, handler)
        }));
        self
    }

    /// The queues registered, in order.
    pub fn queues(&self) -> &[&'static str] {
        &self.queues
    }

    /// The monitor running every registered kind's workers.
    pub fn monitor(self) -> Monitor {
        let backoff = ExponentialBackoffMaker::new(
            self.settings.backoff_min,
            self.settings.backoff_max.max(self.settings.backoff_min),
            0.2,
            HasherRng::default(),
        )
        .map(|mut maker| maker.make_backoff());
        for queue in &self.queues {
            self.jobs.saw(queue, false, false);
        }
        let queues = self.queues.clone();
        let queue_of = move |w: &WorkerContext| -> Option<&'static str> {
            let name = w.name();
            let prefix = name.split('@').next().unwrap_or(name);
            queues.iter().copied().find(|q| *q == prefix)
        };
        let monitor = {
            let seen = self.jobs.clone();
            let event_queue = queue_of.clone();
            let on_event = move |w: &WorkerContext, event: &Event| {
                let Some(queue) = event_queue(w) else {
                    return;
                };
                match event {
                    Event::Stop | Event::Exit => seen.saw(queue, false, false),
                    _ => seen.saw(queue, true, false),
                }
            };
            let restarted = self.jobs.clone();
            let should_restart = move |w: &WorkerContext, error: &WorkerError| {
                if w.is_shutting_down() {
                    return false;
                }
                let queue = queue_of(w).unwrap_or("?");
                tracing::warn!(queue, restarts = w.restarts() + 1, error = %error, "job worker failed; restarting it");
                if let Some(queue) = queue_of(w) {
                    restarted.saw(queue, false, true);
                    metrics::counter!(series::WORKER_RESTARTS, "queue" => queue).increment(1);
                }
                true
            };
            Monitor::new()
                .on_event(on_event)
                .should_restart(should_restart)
        };
        // Only a zero maximum fails, which config rules out.
        let policy = backoff
            .ok()
            .map(|b| RetryPolicy::retries(self.settings.retries).with_backoff(b));
        let registrar = Registrar {
            jobs: self.jobs,
            db: self.db,
            ctx: self.ctx,
            policy,
            retries: self.settings.retries,
            concurrency: self.settings.concurrency.max(1),
        };
        self.adds
            .into_iter()
            .fold(monitor, |monitor, add| add(monitor, &registrar))
    }
}

impl<C: Clone + Send + Sync + 'static> Registrar<C> {
    fn register<J, F, Fut>(&self, monitor: Monitor, handler: F) -> Monitor
    where
        J: Job,
        F: Fn(J, C) -> Fut + Clone + Send + Sync + 'static,
        Fut: std::future::Future<Output = Result<(), BoxDynError>> + Send + 'static,
    {
        let Some(policy) = self.policy.clone() else {
            return monitor;
        };
        let (retries, concurrency) = (self.retries, self.concurrency);
        macro_rules! register {
            ($storage:ident, $pool:expr) => {{
                let pool = $pool.clone();
                let jobs = self.jobs.clone();
                let db = self.db.clone();
                let ctx = self.ctx.clone();
                monitor.register(move |restarts| {
                    // Fetch when this process enqueues (at once), and every
                    // POLL_EVERY for jobs other processes enqueue.
                    let strategy = Strategy::new()
                        .stream(jobs.wake_stream(J::QUEUE))
                        .apply(IntervalStrategy::new(POLL_EVERY));
                    let delay = restart_delay(restarts);
                    let storage = $storage::<J>(&pool)
                        .poll_with_strategy(strategy)
                        .before_start(move |_| async move {
                            if !delay.is_zero() {
                                tokio::time::sleep(delay).await;
                            }
                            Ok(())
                        });
                    let (jobs, db, handler) = (jobs.clone(), db.clone(), handler.clone());
                    WorkerBuilder::new(worker_name(J::QUEUE))
                        .backend(storage)
                        .data(ctx.clone())
                        .concurrency(concurrency)
                        .retry(policy.clone())
                        .catch_panic()
                        .enable_tracing()
                        .build(
                            move |job: J, ctx: Data<C>, attempt: Attempt, task: TaskId| {
                                let (jobs, db, handler) =
                                    (jobs.clone(), db.clone(), handler.clone());
                                async move {
                                    run_one(
                                        &jobs,
                                        &db,
                                        job,
                                        (*ctx).clone(),
                                        handler,
                                        attempt,
                                        task,
                                        retries,
                                    )
                                    .await
                                }
                            },
                        )
                })
            }};
        }
        match self.jobs.pool() {
            JobsPool::Sqlite(pool) => register!(sqlite_storage, pool),
            JobsPool::Postgres(pool) => register!(postgres_storage, pool),
        }
    }
}

/// One run of one job: the single-run lease, the timeout, the metrics and
/// the outcome App Home shows.
#[allow(clippy::too_many_arguments)]
async fn run_one<J, C, F, Fut>(
    jobs: &Jobs,
    db: &Db,
    job: J,
    ctx: C,
    handler: F,
    attempt: Attempt,
    task: TaskId,
    retries: usize,
) -> Result<(), BoxDynError>
where
    J: Job,
    F: Fn(J, C) -> Fut,
    Fut: std::future::Future<Output = Result<(), BoxDynError>>,
{
    let org = job.org();
    let queue = J::QUEUE;
    if attempt.current() <= 1 {
        record_start(queue, &task);
    }
    let started = Instant::now();
    let lease = if J::SINGLE {
        match RunLease::take(db, org, queue, task.to_string()).await? {
            Some(lease) => Some((lease, job.clone())),
            None => {
                metrics::counter!(series::JOBS, "queue" => queue, "outcome" => "joined")
                    .increment(1);
                return Ok(());
            }
        }
    } else {
        None
    };
    let result = within(J::TIMEOUT, handler(job, ctx)).await;
    if let Some((lease, job)) = lease
        && lease.finish().await
        && let Err(e) = jobs.enqueue(job).await
    {
        tracing::warn!(org_id = %org, error = %e, "could not queue the run asked for meanwhile");
    }
    metrics::histogram!(series::JOB_SECONDS, "queue" => queue)
        .record(started.elapsed().as_secs_f64());
    keep_outcome(db, org, queue, &result, attempt.current() > retries).await;
    result
}

/// A single-run job's hold on its org's run (see [`Job::SINGLE`]), kept
/// alive while the job runs.
struct RunLease {
    db: crate::store::Db,
    org: crate::domain::OrgId,
    queue: &'static str,
    holder: String,
    keepalive: tokio::task::JoinHandle<()>,
}

impl RunLease {
    /// Takes the run, or `None` when another task runs it (this job joins
    /// it and ends).
    async fn take(
        db: &crate::store::Db,
        org: crate::domain::OrgId,
        queue: &'static str,
        holder: String,
    ) -> Result<Option<Self>, BoxDynError> {
        use crate::store::job_state;
        let mut conn = db.pool().acquire().await?;
        let now = crate::store::unix_now();
        if !job_state::start_run(&mut conn, org, queue, &holder, now).await? {
            tracing::info!(org_id = %org, queue, "another run is in progress; joined it");
            return Ok(None);
        }
        let keepalive = {
            let (db, holder) = (db.clone(), holder.clone());
            tokio::spawn(async move {
                let mut every = tokio::time::interval(Duration::from_secs(60));
                every.tick().await;
                loop {
                    every.tick().await;
                    if let Ok(mut conn) = db.pool().acquire().await
                        && let Err(e) = job_state::touch_run(&mut conn, org, queue, &holder).await
                    {
                        tracing::warn!(org_id = %org, queue, error = %e, "could not keep a run alive");
                    }
                }
            })
        };
        Ok(Some(Self {
            db: db.clone(),
            org,
            queue,
            holder,
            keepalive,
        }))
    }

    /// Releases the run; true when a request joined it meanwhile and it
    /// should run once more.
    async fn finish(self) -> bool {
        self.keepalive.abort();
        let Ok(mut conn) = self.db.pool().acquire().await else {
            return false;
        };
        crate::store::job_state::finish_run(&mut conn, self.org, self.queue, &self.holder)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(org_id = %self.org, queue = self.queue, error = %e, "could not release a run");
                false
            })
    }
}

impl Drop for RunLease {
    fn drop(&mut self) {
        // Cancelled mid-run: the keep-alive stops and the run goes silent,
        // so a retry of the same task (same holder) or, later, anyone may
        // take it.
        self.keepalive.abort();
    }
}

/// Runs a job's handler within its kind's timeout; a run that takes
/// longer is cancelled and fails (and is retried like any failure).
async fn within<F>(limit: Duration, run: F) -> Result<(), BoxDynError>
where
    F: std::future::Future<Output = Result<(), BoxDynError>>,
{
    match tokio::time::timeout(limit, run).await {
        Ok(result) => result,
        Err(_) => Err(format!("did not finish within {} s", limit.as_secs_f64()).into()),
    }
}

/// Enqueue → start of a job's first run: its ULID task id carries the
/// millisecond it was written.
fn record_start(queue: &'static str, task: &TaskId) {
    let Ok(id) = task.to_string().parse::<ulid::Ulid>() else {
        return;
    };
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    let waited = now_ms.saturating_sub(id.timestamp_ms());
    metrics::histogram!(series::JOB_START_SECONDS, "queue" => queue).record(waited as f64 / 1e3);
}

/// Keeps what admins are shown of a job kind's health: a failure that used
/// up its retries (or that no retry can fix) is recorded for App Home; a
/// success clears it. Bookkeeping trouble is logged, never the job's.
async fn keep_outcome(
    db: &crate::store::Db,
    org: crate::domain::OrgId,
    queue: &'static str,
    result: &Result<(), BoxDynError>,
    last_attempt: bool,
) {
    use crate::store::job_state;
    let for_good =
        matches!(result, Err(e) if last_attempt || e.downcast_ref::<AbortError>().is_some());
    let outcome = match result {
        Ok(()) => "ok",
        Err(_) if for_good => "failed",
        Err(_) => "error",
    };
    metrics::counter!(series::JOBS, "queue" => queue, "outcome" => outcome).increment(1);
    let Ok(mut conn) = db.pool().acquire().await else {
        return;
    };
    let kept = match result {
        Ok(()) => job_state::clear_failure(&mut conn, org, queue).await,
        Err(e) if for_good => {
            let error: String = e
                .to_string()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            tracing::warn!(org_id = %org, queue, error, "job failed for good; shown on App Home");
            job_state::record_failure(&mut conn, org, queue, &error).await
        }
        Err(_) => Ok(()),
    };
    if let Err(e) = kept {
        tracing::warn!(org_id = %org, queue, error = %e, "could not record a job's outcome");
    }
}

/// How long a restarted worker waits before it starts again: 0.5 s, then
/// doubling to at most 10 s, so a database that is down is not hammered.
fn restart_delay(restarts: usize) -> Duration {
    if restarts == 0 {
        return Duration::ZERO;
    }
    let exp = u32::try_from(restarts - 1).unwrap_or(u32::MAX).min(5);
    (Duration::from_millis(500) * 2u32.pow(exp)).min(Duration::from_secs(10))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_run_past_its_timeout_is_cancelled_and_fails() {
        let slow = async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Ok(())
        };
        let started = Instant::now();
        let err = within(Duration::from_millis(50), slow).await.unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(
            err.to_string().contains("did not finish within 0.05 s"),
            "{err}"
        );
        let quick = async { Ok(()) };
        assert!(within(Duration::from_millis(50), quick).await.is_ok());
    }

    #[test]
    fn restarts_back_off_to_ten_seconds() {
        assert_eq!(restart_delay(0), Duration::ZERO);
        assert_eq!(restart_delay(1), Duration::from_millis(500));
        assert_eq!(restart_delay(2), Duration::from_secs(1));
        assert_eq!(restart_delay(5), Duration::from_secs(8));
        assert_eq!(restart_delay(6), Duration::from_secs(10));
        assert_eq!(restart_delay(usize::MAX), Duration::from_secs(10));
    }
}
