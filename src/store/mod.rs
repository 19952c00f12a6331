//! Durable storage: one sqlx `Any` code path for SQLite and PostgreSQL.
//!
//! Every function that reads or writes tenant data takes an [`OrgId`] and
//! filters by it; only [`orgs`] may query across orgs. Functions take a
//! `&mut AnyConnection` so they compose inside one transaction
//! (`&mut *tx`) or run on a pooled connection, and so a per-org pool (bring
//! your own database) can be slotted in later.
//!
//! [`OrgId`]: crate::domain::OrgId

pub mod audit;
pub mod charts;
pub mod credentials;
pub mod feedback; // AI issue reports and the details added in their thread
pub mod integrations;
pub mod jira;
pub mod job_state; // one sync per org and integration at a time; job failures for App Home
pub mod leaderboard; // weekly leaderboard settings, one post row per org and week, pickup facts
pub mod orgs;
pub mod people;
pub mod pull_requests;
pub mod repositories;
pub mod roles;
pub mod rollups;
pub mod surveys; // author and reviewer PR surveys, AI Detective guesses and reveals
pub mod sync_state;
pub mod teams;
pub mod webhooks;

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Row};

use crate::crypto::CryptoError;

/// Table that records this app's migrations; apalis keeps its own.
pub const MIGRATIONS_TABLE: &str = "_aimpact_migrations";

/// Which database server a URL points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite file.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

/// A validated `DATABASE_URL`. `Display` and `Debug` hide the password.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    url: String,
    backend: Backend,
}

impl DatabaseUrl {
    /// Parses and checks a URL; SQLite files are created if missing.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let help = "use sqlite://path/to/aimpact.db or postgres://user:password@host:5432/database";
        if let Some(rest) = raw.strip_prefix("sqlite:") {
            if rest.trim_start_matches('/').is_empty() {
                return Err(format!("`{raw}` names no database file; {help}"));
            }
            let mut url = raw.to_string();
            if !url.contains("mode=") && !rest.starts_with(":memory:") {
                url.push(if url.contains('?') { '&' } else { '?' });
                url.push_str("mode=rwc");
            }
            sqlx::sqlite::SqliteConnectOptions::from_str(&url)
                .map_err(|e| format!("`{raw}` is not a usable SQLite URL ({e}); {help}"))?;
            return Ok(Self {
                url,
                backend: Backend::Sqlite,
            });
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            let shown = redact(raw);
            url::Url::parse(raw)
                .map_err(|e| format!("`{shown}` is not a valid URL ({e}); {help}"))?;
            sqlx::postgres::PgConnectOptions::from_str(raw)
                .map_err(|e| format!("`{shown}` is not a usable PostgreSQL URL ({e}); {help}"))?;
            return Ok(Self {
                url: raw.to_string(),
                backend: Backend::Postgres,
            });
        }
        Err(format!(
            "`{}` is not a supported database URL; {help}",
            redact(raw)
        ))
    }

    /// The backend this URL selects.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// True for the embedded default.
    pub fn is_sqlite(&self) -> bool {
        self.backend == Backend::Sqlite
    }

    /// The full URL including any password: only for connecting.
    pub fn expose(&self) -> &str {
        &self.url
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(&self.url))
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

/// Replaces the password in a URL with `***` for messages and logs.
pub fn redact(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(_) => raw.to_string(),
        // Unparsable: hide everything between "://" and "@", if any.
        Err(_) => match (raw.find("://"), raw.rfind('@')) {
            (Some(start), Some(at)) if at > start => {
                format!("{}://***{}", &raw[..start], &raw[at..])
            }
            _ => raw.to_string(),
        },
    }
}

/// What a store function can fail with.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row does not exist in this org.
    #[error("not found")]
    NotFound,
    /// A unique key clash, with a message fit to show.
    #[error("conflict: {0}")]
    Conflict(String),
    /// A stored secret could not be opened.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// Anything else from the database.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Result of a store function.
pub type StoreResult<T> = Result<T, StoreError>;

/// The connection pool for store functions.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// SQLite has one writer: this process's writers take turns here, in
    /// order, instead of polling SQLite's busy handler (whose sleeps of up
    /// to 100 ms made the slowest writers wait far longer than the lock
    /// was held).
    turns: std::sync::Arc<tokio::sync::Mutex<()>>,
}

/// A write transaction ([`Db::begin_write`]); on SQLite it holds this
/// process's write turn until it commits or is dropped.
#[derive(Debug)]
pub struct WriteTx {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
    began: std::time::Instant,
}

/// A write transaction held longer than this is logged: on SQLite it keeps
/// every other writer (the job queue's too) waiting.
pub const LONG_WRITE: Duration = Duration::from_millis(100);

/// The Prometheus histogram of how long write transactions hold the
/// database (listed with the others in `telemetry::series`).
pub const DB_WRITE_SECONDS: &str = "aimpact_db_write_seconds";

impl WriteTx {
    /// Commits, then gives the turn to the next writer.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        let done = self.tx.commit().await;
        let held = self.began.elapsed();
        metrics::histogram!(DB_WRITE_SECONDS).record(held.as_secs_f64());
        if held > LONG_WRITE {
            tracing::warn!(
                held_ms = held.as_millis() as u64,
                "a write transaction held the database for over 100 ms"
            );
        }
        done
    }
}

impl std::ops::Deref for WriteTx {
    type Target = sqlx::Transaction<'static, sqlx::Any>;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

/// How long a writer waits for its turn before it goes ahead anyway (and
/// SQLite's busy timeout applies as before): a turn is never held across
/// another `begin_write` on purpose, but a bug doing so must not hang.
const TURN_PATIENCE: Duration = Duration::from_secs(10);

/// Seconds since the Unix epoch: how every instant is stored.
pub fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Reads a 0/1 flag column (flags are BIGINT on both backends, docs/architecture.md).
pub(crate) fn flag(row: &sqlx::any::AnyRow, column: &str) -> Result<bool, sqlx::Error> {
    Ok(row.try_get::<i64, _>(column)? != 0)
}

fn migrator(backend: Backend) -> Migrator {
    let mut m = match backend {
        Backend::Sqlite => sqlx::migrate!("./migrations/sqlite"),
        Backend::Postgres => sqlx::migrate!("./migrations/postgres"),
    };
    m.dangerous_set_table_name(MIGRATIONS_TABLE);
    m
}

impl Db {
    /// Connects, turning on WAL, foreign keys and a busy timeout for SQLite.
    /// `acquire_timeout` bounds how long an unreachable server can stall
    /// start-up.
    pub async fn connect(
        url: &DatabaseUrl,
        max_connections: u32,
        acquire_timeout: Duration,
    ) -> Result<Self, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let options = AnyConnectOptions::from_str(url.expose())?;
        let backend = url.backend();
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(acquire_timeout)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        sqlx::raw_sql(
                            "pragma journal_mode = wal; pragma foreign_keys = on; \
                             pragma busy_timeout = 5000; pragma synchronous = normal;",
                        )
                        .execute(conn)
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Self {
            pool,
            backend,
            turns: std::sync::Arc::default(),
        })
    }

    /// The pool, for acquiring connections and starting transactions.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A transaction that will write. On SQLite it takes the write lock at
    /// `BEGIN` (waiting through the busy timeout): a deferred transaction
    /// that reads first and then writes fails at once with "database is
    /// locked" when another connection wrote in between.
    pub async fn begin_write(&self) -> Result<WriteTx, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => {
                let turn = self.write_turn().await;
                let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
                Ok(WriteTx {
                    tx,
                    _turn: turn,
                    began: std::time::Instant::now(),
                })
            }
            Backend::Postgres => Ok(WriteTx {
                tx: self.pool.begin().await?,
                _turn: None,
                began: std::time::Instant::now(),
            }),
        }
    }

    /// This process's SQLite write turn (`None` on PostgreSQL, or when it
    /// did not come within [`TURN_PATIENCE`]): held by writes that do not
    /// go through [`Db::begin_write`], such as the job queue's, so they
    /// queue with the rest instead of polling the busy handler.
    pub async fn write_turn(&self) -> Option<tokio::sync::OwnedMutexGuard<()>> {
        if self.backend != Backend::Sqlite {
            return None;
        }
        match tokio::time::timeout(TURN_PATIENCE, self.turns.clone().lock_owned()).await {
            Ok(turn) => Some(turn),
            Err(_) => {
                tracing::warn!("no SQLite write turn within 10 s; writing without one");
                None
            }
        }
    }

    /// Applies this app's migrations; safe to run on every start.
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        migrator(self.backend).run(&self.pool).await
    }

    /// True when the database answers and every migration this binary knows
    /// has been applied successfully (`/readyz`).
    pub async fn is_ready(&self) -> bool {
        let expected: Vec<i64> = migrator(self.backend).iter().map(|m| m.version).collect();
        const APPLIED: &str = "select version from _aimpact_migrations where success = $1";
        let applied: Result<Vec<i64>, _> = sqlx::query_scalar(APPLIED)
            .bind(true)
            .fetch_all(&self.pool)
            .await;
        match applied {
            Ok(applied) => expected.iter().all(|v| applied.contains(v)),
            Err(_) => false,
        }
    }

    /// Closes the pool, waiting for connections in use to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_create_the_file_when_missing() {
        let url = DatabaseUrl::parse("sqlite://aimpact.db").unwrap_or_else(|e| panic!("{e}"));
        assert!(url.expose().ends_with("?mode=rwc"));
        assert!(url.is_sqlite());
    }

    #[test]
    fn passwords_never_show() {
        let url = DatabaseUrl::parse("postgres://app:hunter2@db.internal:5432/aimpact")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(url.backend(), Backend::Postgres);
        assert!(!url.to_string().contains("hunter2"));
        assert!(!format!("{url:?}").contains("hunter2"));
        let err = DatabaseUrl::parse("mysql://root:hunter2@x/y").unwrap_err();
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn unparsable_urls_are_explained() {
        for raw in ["", "not a url", "postgres://[::1", "sqlite://", "http://x"] {
            let err = DatabaseUrl::parse(raw).unwrap_err();
            assert!(err.contains("sqlite://"), "{raw}: {err}");
        }
    }
}

/// A double to bind where it may be missing: bind `value.map(Float8)`.
///
/// sqlx 0.9's `Any` driver sends a missing `f64` to PostgreSQL as a
/// `float4` null. PostgreSQL then fixes that parameter's type in the
/// connection's cached statement, and the next present `f64` (sent as
/// `float8`) fails with "incorrect binary data format". A missing
/// `Float8` is sent as a `float8` null instead; SQLite is unaffected.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Float8(pub f64);

impl sqlx::Type<sqlx::Any> for Float8 {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        // `Real` nulls are the ones the driver sends as `float8`.
        sqlx::any::AnyTypeInfo {
            kind: sqlx::any::AnyTypeInfoKind::Real,
        }
    }
}

impl<'q> sqlx::Encode<'q, sqlx::Any> for Float8 {
    fn encode_by_ref(
        &self,
        buf: &mut <sqlx::Any as sqlx::Database>::ArgumentBuffer,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        <f64 as sqlx::Encode<'q, sqlx::Any>>::encode_by_ref(&self.0, buf)
    }
}
