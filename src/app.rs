//! Building and running the service: `App::build` connects, migrates,
//! checks keys and binds; `run_until_stopped` serves HTTP and runs the job
//! workers until SIGTERM / Ctrl-C (or a test's shutdown handle).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::config::Config;
use crate::crypto::{KeyLoadError, KeySource, Keyring, load_keyring};
use crate::jobs::{self, Jobs, JobsPool, WorkerSettings, Workers};
use crate::store::{self, DatabaseUrl, Db, credentials, orgs};

pub use crate::state::AppState;

/// Why the service could not start: one line each, naming the setting to fix.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// No usable keyring.
    #[error(transparent)]
    Keys(#[from] KeyLoadError),
    /// The database is unreachable or refused us.
    #[error("DATABASE_URL: cannot connect to {url}: {reason}")]
    Connect {
        /// The redacted URL.
        url: String,
        /// What the driver said.
        reason: String,
    },
    /// A migration failed.
    #[error("DATABASE_URL: migrating {url} failed: {reason}")]
    Migrate {
        /// The redacted URL.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// Stored secrets do not open with the configured keys.
    #[error("AIMPACT_ENCRYPTION_KEYS: org {org}: {reason}")]
    WrongKey {
        /// The org whose secret failed.
        org: String,
        /// Which key and why.
        reason: String,
    },
    /// GitHub could not be connected from the environment.
    #[error("{0}")]
    Github(String),
    /// Slack could not be set up.
    #[error("{0}")]
    Slack(String),
    /// The listen address is unusable.
    #[error("AIMPACT_BIND: cannot listen on {addr}: {reason}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        reason: String,
    },
}

/// How long start-up waits for an unreachable database.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Connects both pools and applies every migration (ours and apalis's).
pub async fn connect_and_migrate(config: &Config) -> Result<(Db, JobsPool), StartError> {
    let url: &DatabaseUrl = &config.database_url;
    let connect_err = |e: sqlx::Error| StartError::Connect {
        url: url.to_string(),
        reason: one_line(&e.to_string()),
    };
    let db = Db::connect(url, config.db_max_connections, CONNECT_TIMEOUT)
        .await
        .map_err(connect_err)?;
    let jobs_pool = JobsPool::connect(url, config.db_max_connections, CONNECT_TIMEOUT)
        .await
        .map_err(connect_err)?;
    let migrate_err = |e: sqlx::migrate::MigrateError| StartError::Migrate {
        url: url.to_string(),
        reason: one_line(&e.to_string()),
    };
    db.migrate().await.map_err(migrate_err)?;
    jobs_pool.migrate().await.map_err(migrate_err)?;
    Ok((db, jobs_pool))
}

/// Opens one stored secret per key id in every org, so a wrong or missing
/// key stops start-up with a clear line instead of failing later.
pub async fn verify_keys(db: &Db, keys: &Keyring) -> Result<(), StartError> {
    let db_err = |e: store::StoreError| StartError::Connect {
        url: "the database".into(),
        reason: one_line(&e.to_string()),
    };
    let mut conn = db.pool().acquire().await.map_err(|e| db_err(e.into()))?;
    for org in orgs::list_ids(&mut conn).await.map_err(db_err)? {
        if let Err(e) = credentials::verify(&mut conn, keys, org).await {
            return Err(StartError::WrongKey {
                org: org.to_string(),
                reason: one_line(&e.to_string()),
            });
        }
    }
    Ok(())
}

/// `GITHUB_TOKEN` + `GITHUB_ORG`: connects the single-workspace org's
/// GitHub at start and discovers repositories, members and teams.
async fn connect_github_from_env(
    config: &Config,
    db: &Db,
    keys: &Keyring,
    single: Option<crate::domain::OrgId>,
    login: &str,
    token: &secrecy::SecretString,
) -> Result<crate::domain::OrgId, StartError> {
    let org = match single {
        Some(org) => org,
        None => {
            let mut conn = db
                .pool()
                .acquire()
                .await
                .map_err(|e| StartError::Github(format!("DATABASE_URL: {e}")))?;
            let ids = orgs::list_ids(&mut conn)
                .await
                .map_err(|e| StartError::Github(format!("DATABASE_URL: {e}")))?;
            match ids.as_slice() {
                [only] => *only,
                _ => {
                    return Err(StartError::Github(
                        "GITHUB_TOKEN: belongs to the single-workspace install; set SLACK_BOT_TOKEN too (or connect GitHub from App Home)".into(),
                    ));
                }
            }
        }
    };
    let github = |e: String| StartError::Github(format!("GITHUB_TOKEN: {e}"));
    let client = crate::github::connect::connect_token(
        db,
        keys,
        &config.github.api_url,
        org,
        login,
        token,
        None,
    )
    .await
    .map_err(|e| github(e.to_string()))?;
    let done = crate::github::connect::after_token_connect(
        &client,
        db,
        keys,
        config,
        org,
        login,
        crate::github::connect::HookSecret::Deployment,
    )
    .await
    .map_err(|e| github(e.to_string()))?;
    tracing::info!(
        org_id = %org,
        repositories = done.found.repositories,
        members = done.found.members,
        teams = done.found.teams,
        webhook = done.webhook.as_str(),
        "GitHub connected from GITHUB_TOKEN"
    );
    Ok(org)
}

/// `JIRA_URL` + `JIRA_API_TOKEN` (+ `JIRA_EMAIL`): connects the only org.
async fn connect_jira_from_env(
    config: &Config,
    db: &Db,
    keys: &Keyring,
    org: crate::domain::OrgId,
) -> Result<(), StartError> {
    let (Some(site), Some(token)) = (&config.jira.site_url, &config.jira.api_token) else {
        return Ok(());
    };
    let name = crate::jira::connect::connect_token(
        db,
        keys,
        &outbound_http_client(config.outbound_hosts),
        org,
        site,
        config.jira.email.as_deref(),
        token,
        None,
        config.outbound_hosts,
    )
    .await
    .map_err(|e| StartError::Github(format!("JIRA_API_TOKEN: {e}")))?;
    tracing::info!(org_id = %org, account = name, "Jira connected from JIRA_API_TOKEN");
    Ok(())
}

/// Keeps driver errors on one line for start-up messages.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Stops a running app: signals, or tests.
#[derive(Clone, Debug)]
pub struct ShutdownHandle(watch::Sender<bool>);

impl ShutdownHandle {
    /// Begins a graceful shutdown.
    pub fn trigger(&self) {
        self.0.send_replace(true);
    }
}

async fn wait_for(mut rx: watch::Receiver<bool>) {
    // An error means the sender is gone, which also means "stop".
    let _ = rx.wait_for(|stop| *stop).await;
}

/// Options that differ between `serve`, `serve --no-workers`, `worker` and tests.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Serve HTTP.
    pub http: bool,
    /// Run job workers in this process.
    pub workers: bool,
    /// Create a key file when no key is configured (only `serve`).
    pub generate_key: bool,
    /// Worker tuning.
    pub worker_settings: WorkerSettings,
    /// Run the minute tick with the workers (tests that drive the tick
    /// themselves, at the times they choose, turn it off).
    pub scheduler: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            http: true,
            workers: true,
            generate_key: true,
            worker_settings: WorkerSettings::default(),
            scheduler: true,
        }
    }
}

/// A built, bound, not yet running service.
pub struct App {
    state: AppState,
    listener: Option<TcpListener>,
    addr: Option<SocketAddr>,
    jobs_pool: JobsPool,
    options: RunOptions,
    shutdown: watch::Sender<bool>,
    /// Where the keys came from, for the start-up log line.
    pub key_source: KeySource,
    /// The org connected to GitHub from the environment, synced at start.
    github_from_env: Option<crate::domain::OrgId>,
    /// The org connected to Jira from the environment, synced at start.
    jira_from_env: Option<crate::domain::OrgId>,
    /// The single workspace of `SLACK_BOT_TOKEN`, matched at start.
    slack_from_env: Option<crate::domain::OrgId>,
}

impl App {
    /// Loads keys, connects, migrates, verifies keys and binds the listener.
    pub async fn build(config: Config, options: RunOptions) -> Result<Self, StartError> {
        let (keys, key_source) = {
            use secrecy::ExposeSecret;
            load_keyring(
                config.encryption_keys.as_ref().map(|k| k.expose_secret()),
                &config.data_dir,
                options.generate_key,
            )?
        };
        let (db, jobs_pool) = connect_and_migrate(&config).await?;
        verify_keys(&db, &keys).await?;
        // Series are recorded from the first request and job on.
        let _ = crate::telemetry::prometheus();
        let slack = crate::slack_api::SlackApi::new(&config.slack.api_url).map_err(|e| {
            StartError::Slack(format!(
                "cannot set up HTTPS to Slack ({e}); install the system's CA certificates"
            ))
        })?;
        let single = match &config.slack.bot_token {
            Some(token) => Some(
                crate::slack::install::single_workspace(&db, &keys, &slack, token)
                    .await
                    .map_err(|e| StartError::Slack(e.to_string()))?,
            ),
            None => None,
        };
        let github_connected = match (&config.github.token, &config.github.org) {
            (Some(token), Some(login)) => {
                Some(connect_github_from_env(&config, &db, &keys, single, login, token).await?)
            }
            _ => None,
        };
        let jira_connected = if config.jira.site_url.is_some() {
            let org = match single.or(github_connected) {
                Some(org) => org,
                None => {
                    let mut conn = db
                        .pool()
                        .acquire()
                        .await
                        .map_err(|e| StartError::Github(format!("DATABASE_URL: {e}")))?;
                    match orgs::list_ids(&mut conn)
                        .await
                        .map_err(|e| StartError::Github(format!("DATABASE_URL: {e}")))?
                        .as_slice()
                    {
                        [only] => *only,
                        _ => {
                            return Err(StartError::Github(
                                "JIRA_URL: belongs to the single-workspace install; set SLACK_BOT_TOKEN too (or connect Jira from App Home)".into(),
                            ));
                        }
                    }
                }
            };
            connect_jira_from_env(&config, &db, &keys, org).await?;
            Some(org)
        } else {
            None
        };

        let (listener, addr) = if options.http {
            let listener = TcpListener::bind(config.bind)
                .await
                .map_err(|e| StartError::Bind {
                    addr: config.bind,
                    reason: e.to_string(),
                })?;
            let addr = listener.local_addr().map_err(|e| StartError::Bind {
                addr: config.bind,
                reason: e.to_string(),
            })?;
            (Some(listener), Some(addr))
        } else {
            (None, None)
        };

        let handles = handles(&config);
        let state = AppState {
            http: outbound_http_client(config.outbound_hosts),
            config: Arc::new(config),
            db,
            keys,
            jobs: Jobs::new(jobs_pool.clone()).with_retries(options.worker_settings.retries),
            slack,
            clock: crate::clock::Clock::system(),
            handles,
        };
        state
            .jobs
            .set_queues(workers(&state, &options.worker_settings).queues());
        let (shutdown, _) = watch::channel(false);
        Ok(Self {
            state,
            listener,
            addr,
            jobs_pool,
            options,
            shutdown,
            key_source,
            github_from_env: github_connected,
            jira_from_env: jira_connected,
            slack_from_env: single,
        })
    }

    /// The state of a process that serves nothing and connects nothing
    /// from the environment (keys must exist): `aimpact render`.
    pub async fn offline_state(config: Config) -> Result<AppState, StartError> {
        let (keys, _) = {
            use secrecy::ExposeSecret;
            load_keyring(
                config.encryption_keys.as_ref().map(|k| k.expose_secret()),
                &config.data_dir,
                false,
            )?
        };
        let (db, jobs_pool) = connect_and_migrate(&config).await?;
        let slack = crate::slack_api::SlackApi::new(&config.slack.api_url)
            .map_err(|e| StartError::Slack(format!("cannot set up HTTPS to Slack ({e})")))?;
        let handles = handles(&config);
        Ok(AppState {
            http: outbound_http_client(config.outbound_hosts),
            config: Arc::new(config),
            db,
            keys,
            jobs: Jobs::new(jobs_pool),
            slack,
            clock: crate::clock::Clock::system(),
            handles,
        })
    }

    /// The bound address (port 0 in tests becomes a real port).
    pub fn addr(&self) -> Option<SocketAddr> {
        self.addr
    }

    /// The state handlers see.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// A handle that stops the app gracefully.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        ShutdownHandle(self.shutdown.clone())
    }

    /// Serves until SIGTERM, Ctrl-C or the shutdown handle: stops accepting,
    /// lets in-flight requests and jobs finish within
    /// `AIMPACT_SHUTDOWN_TIMEOUT_SECS`, then closes the pools. Jobs that
    /// could not finish stay in the queue for the next start.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let App {
            state,
            listener,
            jobs_pool,
            options,
            shutdown,
            github_from_env,
            jira_from_env,
            slack_from_env,
            ..
        } = self;
        if let Some(org) = slack_from_env {
            // Whatever people exist already (GitHub members discovered at
            // build) match now; later syncs ask again as identities arrive.
            crate::jobs::kinds::request_match(&state.jobs, org, "slack from the environment").await;
        }
        if let Some(org) = jira_from_env {
            let job = crate::jira::job::SyncJira {
                org,
                full: false,
                discover: true,
            };
            if let Err(e) = state.jobs.enqueue_single(&state.db, job).await {
                tracing::warn!(error = %e, "could not enqueue the Jira sync");
            }
            jobs::schedule::mark_ran(&state.db, org, crate::jira::job::DAILY)
                .await
                .unwrap_or_else(
                    |e| tracing::warn!(error = %e, "could not record the first Jira sync"),
                );
        }
        if let Some(org) = github_from_env {
            // Incremental: a first run covers GITHUB_SYNC_DAYS, later ones
            // only what changed; a stopped run resumes from its checkpoint.
            let job = crate::github::job::SyncGithub {
                org,
                full: false,
                discover: false,
            };
            if let Err(e) = state.jobs.enqueue_single(&state.db, job).await {
                tracing::warn!(error = %e, "could not enqueue the GitHub sync");
            }
            jobs::schedule::mark_ran(&state.db, org, crate::github::job::DAILY)
                .await
                .unwrap_or_else(|e| tracing::warn!(error = %e, "could not record the first sync"));
        }
        let signals = {
            let shutdown = shutdown.clone();
            tokio::spawn(async move {
                os_signal().await;
                tracing::info!("shutdown signal received; finishing in-flight work");
                shutdown.send_replace(true);
            })
        };
        let grace = state.config.shutdown_timeout;

        let http = listener.map(|listener| {
            let router = crate::http::router(state.clone());
            let stop = wait_for(shutdown.subscribe());
            tokio::spawn(async move {
                axum::serve(
                    listener,
                    router.into_make_service_with_connect_info::<SocketAddr>(),
                )
                .with_graceful_shutdown(stop)
                .await
            })
        });

        let socket = state
            .config
            .slack
            .app_token
            .clone()
            .filter(|_| options.http)
            .map(|token| {
                tokio::spawn(crate::slack::socket::run(
                    state.clone(),
                    token,
                    shutdown.subscribe(),
                ))
            });

        match crate::github::webhook::sweep_pending(&state).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(deliveries = n, "re-enqueued stored GitHub deliveries"),
            Err(e) => tracing::warn!(error = %e, "could not sweep stored GitHub deliveries"),
        }

        let workers = options.workers.then(|| {
            if options.scheduler {
                let (db, jobs) = (state.db.clone(), state.jobs.clone());
                tokio::spawn(jobs::schedule::run(
                    state.clock.clone(),
                    shutdown.subscribe(),
                    move |now| {
                        let (db, jobs) = (db.clone(), jobs.clone());
                        async move { tick(&db, &jobs, now).await }
                    },
                ));
            }
            let monitor = workers(&state, &options.worker_settings)
                .monitor()
                .shutdown_timeout(grace);
            let stop = wait_for(shutdown.subscribe());
            tokio::spawn(async move {
                monitor
                    .run_with_signal(async move {
                        stop.await;
                        Ok(())
                    })
                    .await
            })
        });

        wait_for(shutdown.subscribe()).await;
        if let Some(http) = http {
            // Graceful shutdown waits for open connections; bound it.
            match tokio::time::timeout(grace + Duration::from_secs(1), http).await {
                Ok(Ok(Ok(()))) => {}
                Ok(Ok(Err(e))) => tracing::error!(error = %e, "http server failed"),
                Ok(Err(e)) => tracing::error!(error = %e, "http server task failed"),
                Err(_) => tracing::warn!("in-flight requests did not finish in time"),
            }
        }
        if let Some(socket) = socket {
            let _ = tokio::time::timeout(Duration::from_secs(5), socket).await;
        }
        if let Some(workers) = workers {
            match workers.await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::warn!(error = %e, "job workers stopped with an error"),
                Err(e) => tracing::error!(error = %e, "job worker task failed"),
            }
        }
        signals.abort();
        state.db.close().await;
        jobs_pool.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// The capabilities' process-wide handles.
fn handles(config: &Config) -> crate::state::Handles {
    crate::state::Handles::default()
        .with(crate::slack_ui::listeners())
        .with(crate::slack::listeners::HomeRefresh(std::sync::Arc::new(
            |ctx, user| Box::pin(async move { crate::slack_ui::home::publish(&ctx, &user).await }),
        )))
        .with(crate::github::webhook::Intake::default())
        .with(crate::jira::client::PointBudget::new(
            config.jira.points_per_hour,
        ))
        .with(crate::slack::install::InstallLimiter::default())
}

/// Every job kind the app runs, with its handler: the one list.
pub fn workers(state: &AppState, settings: &WorkerSettings) -> Workers<AppState> {
    Workers::new(&state.jobs, &state.db, state.clone(), settings)
        .run(crate::slack::respond::run)
        .run(crate::github::webhook::run)
        .run(crate::github::job::run)
        .run(crate::jira::job::run)
        .run(crate::surveys::deliver::run)
        .run(crate::people::run)
        .run(crate::leaderboard::post::run)
        .run(crate::dashboard::rollups::run)
}

/// One scheduler pass at `now`: enqueues what is due for each capability;
/// returns how many jobs.
pub async fn tick(
    db: &Db,
    jobs: &Jobs,
    now: i64,
) -> Result<usize, crate::jobs::schedule::ScheduleError> {
    use crate::jobs::schedule::DAY_SECS;
    use crate::jobs::schedule::ScheduleError;
    use crate::store::{StoreError, orgs, sync_state};
    let mut conn = db.pool().acquire().await.map_err(StoreError::from)?;
    // Expired states of abandoned installs and connects; a used one is kept
    // a day past its expiry so a replay is still recognised.
    orgs::prune_oauth_states(&mut conn, now - 86_400).await?;
    let mut queued = 0;
    for org in orgs::with_connected(&mut conn, "github").await? {
        if sync_state::claim_due(&mut conn, org, crate::github::job::DAILY, DAY_SECS, now).await? {
            let job = crate::github::job::SyncGithub {
                org,
                full: false,
                discover: true,
            };
            if jobs
                .enqueue_single(db, job)
                .await
                .map_err(|e| ScheduleError::Enqueue(e.to_string()))?
            {
                queued += 1;
            }
        }
    }
    for org in orgs::with_connected(&mut conn, "jira").await? {
        if sync_state::claim_due(&mut conn, org, crate::jira::job::DAILY, DAY_SECS, now).await? {
            let job = crate::jira::job::SyncJira {
                org,
                full: false,
                discover: true,
            };
            if jobs
                .enqueue_single(db, job)
                .await
                .map_err(|e| ScheduleError::Enqueue(e.to_string()))?
            {
                queued += 1;
            }
        }
    }
    // Rollups of orgs with GitHub data, a few minutes behind the data.
    for org in orgs::with_connected(&mut conn, "github").await? {
        use crate::dashboard::rollups::{EVERY_SECS, RefreshRollups, TASK};
        if sync_state::claim_due(&mut conn, org, TASK, EVERY_SECS, now).await? {
            jobs.enqueue(RefreshRollups { org, full: false })
                .await
                .map_err(|e| ScheduleError::Enqueue(e.to_string()))?;
            queued += 1;
        }
    }
    // Slack people matching, daily; survey delivery when something is due
    // (at most once a minute per org).
    for org in orgs::with_connected(&mut conn, "github").await? {
        use crate::people::{MatchSlackPeople, TASK as MATCH};
        use crate::surveys::deliver::{DeliverSurveys, TASK as DELIVER};
        if sync_state::claim_due(&mut conn, org, MATCH, DAY_SECS, now).await? {
            jobs.enqueue(MatchSlackPeople { org })
                .await
                .map_err(|e| ScheduleError::Enqueue(e.to_string()))?;
            queued += 1;
        }
        if crate::store::surveys::has_due_work(&mut conn, org, now).await?
            && sync_state::claim_due(&mut conn, org, DELIVER, 55, now).await?
        {
            jobs.enqueue(DeliverSurveys { org })
                .await
                .map_err(|e| ScheduleError::Enqueue(e.to_string()))?;
            queued += 1;
        }
    }
    // Weekly leaderboards due now in each org's time zone. One org's
    // trouble is logged and never stops the others.
    for (org, settings) in orgs::with_leaderboard(&mut conn).await? {
        match crate::leaderboard::post::schedule(&mut conn, jobs, org, &settings, now).await {
            Ok(true) => queued += 1,
            Ok(false) => {}
            Err(e) => tracing::warn!(org_id = %org, error = %e, "leaderboard not scheduled"),
        }
    }
    Ok(queued)
}

/// Outbound HTTP for jobs: bounded time, no redirects to surprise hosts,
/// and (unless `hosts` allows any) connections to public addresses only,
/// checked as each connection is opened (`egress`).
pub fn outbound_http_client(hosts: crate::egress::Hosts) -> reqwest::Client {
    let builder = reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .connect_timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("aimpact/", env!("CARGO_PKG_VERSION")));
    let builder = match hosts {
        crate::egress::Hosts::Public => {
            builder.dns_resolver(Arc::new(crate::egress::PublicResolver))
        }
        crate::egress::Hosts::Any => builder,
    };
    builder.build().unwrap_or_default()
}

async fn os_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
