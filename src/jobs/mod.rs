//! Durable background jobs: apalis on the same database as the store
//! (SQLite or PostgreSQL storage), workers started by `serve` (or `worker`).
//!
//! A job is written to the database before anything acknowledges the
//! request that caused it; workers retry failures with exponential backoff;
//! a job left unfinished by a stopped process goes back to the queue.

pub mod respond;
pub mod schedule;

use std::sync::Arc;
use std::time::Duration;

use apalis::layers::WorkerBuilderExt;
use apalis::layers::retry::RetryPolicy;
use apalis::prelude::{Monitor, TaskSink, WorkerBuilder};
use apalis_core::backend::ext::BackendExt;
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

use crate::crypto::Keyring;
use crate::store::{Backend, DatabaseUrl, Db};

/// A job payload with its own queue. The queue name is explicit (not the
/// Rust type name) so renaming a type never strands queued jobs.
pub trait Job: Serialize + DeserializeOwned + Clone + Send + Sync + Unpin + 'static {
    /// Queue name, e.g. `slack.respond`.
    const QUEUE: &'static str;
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

/// Enqueues jobs; cheap to clone into handlers.
#[derive(Clone, Debug)]
pub struct Jobs {
    pool: JobsPool,
}

fn sqlite_storage<J: Job>(pool: &SqlitePool) -> SqliteStorage<J> {
    SqliteStorage::new(pool).with_config(apalis_sqlite::Config::default().queue(J::QUEUE))
}

/// apalis-postgres 1.0 sometimes leaves an idle worker waiting for its next
/// heartbeat before it fetches again, whatever the poll interval: with the
/// default 30 s heartbeat a new job could wait half a minute (seen as survey
/// DMs arriving 30 s late on PostgreSQL only). A 2 s heartbeat bounds that
/// wait; 150 missed heartbeats keep the default 5 minutes before a silent
/// worker's jobs are taken back.
const PG_HEARTBEAT: Duration = Duration::from_secs(2);
const PG_MISSED_HEARTBEATS: usize = 150;

fn postgres_storage<J: Job>(pool: &PgPool) -> PostgresStorage<J> {
    PostgresStorage::new(pool).with_config(
        apalis_postgres::Config::default()
            .queue(J::QUEUE)
            .heartbeat_interval(PG_HEARTBEAT)
            .missed_heartbeats(PG_MISSED_HEARTBEATS),
    )
}

impl Jobs {
    /// Wraps a connected pool.
    pub fn new(pool: JobsPool) -> Self {
        Self { pool }
    }

    /// The underlying pool.
    pub fn pool(&self) -> &JobsPool {
        &self.pool
    }

    /// Writes a job to the queue; it is durable when this returns.
    pub async fn enqueue<J: Job>(&self, job: J) -> Result<(), EnqueueError> {
        let failed = |e: String| EnqueueError {
            queue: J::QUEUE,
            reason: e,
        };
        match &self.pool {
            JobsPool::Sqlite(pool) => sqlite_storage::<J>(pool)
                .push(job)
                .await
                .map_err(|e| failed(e.to_string())),
            JobsPool::Postgres(pool) => postgres_storage::<J>(pool)
                .push(job)
                .await
                .map_err(|e| failed(e.to_string())),
        }
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
        match &self.pool {
            JobsPool::Sqlite(pool) => sqlite_storage::<J>(pool)
                .push_bulk(jobs)
                .await
                .map_err(|e| failed(e.to_string())),
            JobsPool::Postgres(pool) => postgres_storage::<J>(pool)
                .push_bulk(jobs)
                .await
                .map_err(|e| failed(e.to_string())),
        }
    }
}

/// What every job handler may use.
#[derive(Clone, Debug)]
pub struct JobContext {
    /// Store.
    pub db: Db,
    /// Keys for stored credentials.
    pub keys: Keyring,
    /// Outbound HTTP with timeouts.
    pub http: reqwest::Client,
    /// GitHub settings (API URL, App, sync window).
    pub github: crate::config::GithubSettings,
    /// Jira settings.
    pub jira: crate::config::JiraSettings,
    /// The app-wide Jira OAuth points budget.
    pub jira_budget: Arc<crate::jira::client::PointBudget>,
    /// `AIMPACT_PUBLIC_URL`, for webhooks registered by jobs.
    pub public_url: Option<url::Url>,
    /// The app (Slack client, bot tokens, clock, queue) for jobs that
    /// talk to Slack or enqueue follow-up work.
    pub app: crate::app::AppState,
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

/// Builds the monitor that runs every job type's workers.
pub fn monitor(pool: &JobsPool, ctx: Arc<JobContext>, settings: &WorkerSettings) -> Monitor {
    let backoff = ExponentialBackoffMaker::new(
        settings.backoff_min,
        settings.backoff_max.max(settings.backoff_min),
        0.2,
        HasherRng::default(),
    )
    .map(|mut maker| maker.make_backoff());
    let monitor = Monitor::new();
    let Ok(backoff) = backoff else {
        // Only reachable with a zero maximum, which config rules out.
        return monitor;
    };
    let policy = RetryPolicy::retries(settings.retries).with_backoff(backoff);
    let concurrency = settings.concurrency.max(1);

    macro_rules! register {
        ($monitor:expr, $storage:expr, $job:ty, $handler:path) => {{
            // Poll on a short fixed interval: apalis's default lets an idle
            // queue wait up to half a minute before noticing a new job.
            let storage = $storage.poll_with_interval(POLL_EVERY);
            let ctx = ctx.clone();
            let policy = policy.clone();
            $monitor.register(move |_run| {
                WorkerBuilder::new(worker_name(<$job as Job>::QUEUE))
                    .backend(storage.clone())
                    .data(ctx.clone())
                    .concurrency(concurrency)
                    .retry(policy.clone())
                    .catch_panic()
                    .enable_tracing()
                    .build($handler)
            })
        }};
    }

    use crate::dashboard::rollups::RefreshRollups;
    use crate::github::job::SyncGithub;
    use crate::github::webhook::{self, ProcessDelivery};
    use crate::jira::job::SyncJira;
    use crate::leaderboard::post::PostLeaderboard;
    use crate::slack::people::MatchSlackPeople;
    use crate::surveys::deliver::DeliverSurveys;
    match pool {
        JobsPool::Sqlite(pool) => {
            let monitor = register!(
                monitor,
                sqlite_storage::<respond::Respond>(pool),
                respond::Respond,
                respond::run
            );
            let monitor = register!(
                monitor,
                sqlite_storage::<ProcessDelivery>(pool),
                ProcessDelivery,
                webhook::run
            );
            let monitor = register!(
                monitor,
                sqlite_storage::<SyncGithub>(pool),
                SyncGithub,
                crate::github::job::run
            );
            let monitor = register!(
                monitor,
                sqlite_storage::<SyncJira>(pool),
                SyncJira,
                crate::jira::job::run
            );
            let monitor = register!(
                monitor,
                sqlite_storage::<DeliverSurveys>(pool),
                DeliverSurveys,
                crate::surveys::deliver::run
            );
            let monitor = register!(
                monitor,
                sqlite_storage::<MatchSlackPeople>(pool),
                MatchSlackPeople,
                crate::slack::people::run
            );
            let monitor = register!(
                monitor,
                sqlite_storage::<PostLeaderboard>(pool),
                PostLeaderboard,
                crate::leaderboard::post::run
            );
            register!(
                monitor,
                sqlite_storage::<RefreshRollups>(pool),
                RefreshRollups,
                crate::dashboard::rollups::run
            )
        }
        JobsPool::Postgres(pool) => {
            let monitor = register!(
                monitor,
                postgres_storage::<respond::Respond>(pool),
                respond::Respond,
                respond::run
            );
            let monitor = register!(
                monitor,
                postgres_storage::<ProcessDelivery>(pool),
                ProcessDelivery,
                webhook::run
            );
            let monitor = register!(
                monitor,
                postgres_storage::<SyncGithub>(pool),
                SyncGithub,
                crate::github::job::run
            );
            let monitor = register!(
                monitor,
                postgres_storage::<SyncJira>(pool),
                SyncJira,
                crate::jira::job::run
            );
            let monitor = register!(
                monitor,
                postgres_storage::<DeliverSurveys>(pool),
                DeliverSurveys,
                crate::surveys::deliver::run
            );
            let monitor = register!(
                monitor,
                postgres_storage::<MatchSlackPeople>(pool),
                MatchSlackPeople,
                crate::slack::people::run
            );
            let monitor = register!(
                monitor,
                postgres_storage::<PostLeaderboard>(pool),
                PostLeaderboard,
                crate::leaderboard::post::run
            );
            register!(
                monitor,
                postgres_storage::<RefreshRollups>(pool),
                RefreshRollups,
                crate::dashboard::rollups::run
            )
        }
    }
}
