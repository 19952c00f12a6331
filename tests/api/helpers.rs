//! The test harness: a fresh database per test (SQLite file, or a new
//! PostgreSQL database when `TEST_DATABASE_URL` is set), the real app built
//! and running in process, and its shutdown; requests signed as Slack signs
//! them; the fake Slack Web API the tests share ([`fake_slack`], DMs on top
//! with [`mount_dms`]); and a test org's people, repositories and PRs
//! written straight to the store ([`seed`]).

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use aimpact::app::{App, AppState, RunOptions, ShutdownHandle};
use aimpact::config::Config;
use aimpact::jobs::WorkerSettings;
use aimpact::store::{DatabaseUrl, Db};
use base64::Engine;
use sqlx::Connection;
use tempfile::TempDir;

/// A database of one test's own.
pub struct TestDb {
    pub url: DatabaseUrl,
    /// Holds the SQLite file (and key files) until the test ends.
    pub dir: TempDir,
}

impl TestDb {
    /// A new empty database on the backend under test.
    pub async fn new() -> Self {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(base) if !base.trim().is_empty() => Self::postgres(&base).await,
            _ => Self::sqlite(),
        }
    }

    /// A new empty SQLite file, whatever the backend under test.
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("aimpact.db").display());
        Self {
            url: DatabaseUrl::parse(&url).expect("sqlite url"),
            dir,
        }
    }

    /// A new empty PostgreSQL database on the server of `base`.
    pub async fn postgres(base: &str) -> Self {
        let name = format!("aimpact_test_{:016x}", rand::random::<u64>());
        let mut admin = sqlx::PgConnection::connect(base)
            .await
            .expect("TEST_DATABASE_URL must reach a PostgreSQL server");
        sqlx::query(sqlx::AssertSqlSafe(format!("create database {name}")))
            .execute(&mut admin)
            .await
            .expect("create test database");
        let mut url = url::Url::parse(base).expect("TEST_DATABASE_URL is a URL");
        url.set_path(&name);
        Self {
            url: DatabaseUrl::parse(url.as_str()).expect("postgres url"),
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// Connects and migrates, for store-level tests.
    pub async fn connect(&self) -> Db {
        let db = Db::connect(&self.url, 5, Duration::from_secs(5))
            .await
            .expect("connect");
        db.migrate().await.expect("migrate");
        db
    }

    /// The path of the SQLite file.
    pub fn sqlite_path(&self) -> PathBuf {
        self.dir.path().join("aimpact.db")
    }
}

/// A fixed test key list: `id:base64` entries.
pub fn key_entry(id: &str, byte: u8) -> String {
    format!(
        "{id}:{}",
        base64::engine::general_purpose::STANDARD.encode([byte; 32])
    )
}

/// Settings for a test app on `db`, plus any overrides.
pub fn test_config(db: &TestDb, overrides: &[(&str, &str)]) -> Config {
    let mut vars: HashMap<String, String> = HashMap::from([
        ("DATABASE_URL".into(), db.url.expose().to_string()),
        ("AIMPACT_BIND".into(), "127.0.0.1:0".into()),
        (
            "AIMPACT_DATA_DIR".into(),
            db.dir.path().display().to_string(),
        ),
        ("AIMPACT_ENCRYPTION_KEYS".into(), key_entry("test1", 1)),
        ("AIMPACT_SHUTDOWN_TIMEOUT_SECS".into(), "5".into()),
        // The fakes listen on loopback; the SSRF tests turn this off.
        ("AIMPACT_ALLOW_PRIVATE_HOSTS".into(), "1".into()),
    ]);
    for (k, v) in overrides {
        vars.insert(k.to_string(), v.to_string());
    }
    Config::from_lookup(&move |k| vars.get(k).cloned()).expect("valid test config")
}

/// Fast retries so tests do not wait for production backoff.
pub fn fast_workers() -> WorkerSettings {
    WorkerSettings {
        concurrency: 2,
        backoff_min: Duration::from_millis(50),
        backoff_max: Duration::from_millis(200),
        retries: 3,
    }
}

/// The running app.
pub struct TestApp {
    pub addr: SocketAddr,
    pub state: AppState,
    pub http: reqwest::Client,
    shutdown: ShutdownHandle,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl TestApp {
    /// `http://127.0.0.1:PORT/path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Stops the app gracefully and waits until it has.
    pub async fn stop(self) {
        self.shutdown.trigger();
        tokio::time::timeout(PATIENCE, self.task)
            .await
            .expect("app stops in time")
            .expect("app task")
            .expect("app run");
    }
}

/// Builds and starts the real app on `db`.
pub async fn spawn_app_with(db: &TestDb, overrides: &[(&str, &str)], workers: bool) -> TestApp {
    spawn_app_scheduled(db, overrides, workers, true).await
}

/// [`spawn_app_with`], choosing whether the app runs its own minute tick
/// (tests that call `app::tick` at chosen times turn it off, so
/// a background tick at the same clock cannot race them).
pub async fn spawn_app_scheduled(
    db: &TestDb,
    overrides: &[(&str, &str)],
    workers: bool,
    scheduler: bool,
) -> TestApp {
    // `AIMPACT_TEST_LOG=debug cargo test …` shows the apps' logs.
    if let Ok(filter) = std::env::var("AIMPACT_TEST_LOG") {
        aimpact::telemetry::init(aimpact::config::LogFormat::Text, &filter);
    }
    let config = test_config(db, overrides);
    let options = RunOptions {
        http: true,
        workers,
        generate_key: true,
        worker_settings: fast_workers(),
        scheduler,
    };
    let app = App::build(config, options).await.expect("app builds");
    let addr = app.addr().expect("bound");
    let state = app.state().clone();
    let shutdown = app.shutdown_handle();
    let task = tokio::spawn(app.run_until_stopped());
    TestApp {
        addr,
        state,
        http: reqwest::Client::new(),
        shutdown,
        task,
    }
}

/// Builds and starts the real app with workers on `db`.
pub async fn spawn_app(db: &TestDb) -> TestApp {
    spawn_app_with(db, &[], true).await
}

/// How long tests wait for background work: generous, because CI shares
/// two cores among many apps; a passing check returns at once.
pub const PATIENCE: Duration = Duration::from_secs(45);

/// Polls `check` until it is true or `timeout` passes.
pub async fn eventually<F, Fut>(timeout: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if check().await {
            return true;
        }
        if tokio::time::Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The signing secret test apps use.
pub const SIGNING_SECRET: &str = "test-signing-secret";

/// Settings for a Slack-enabled app whose Web API is `slack`.
pub fn slack_settings(slack: &wiremock::MockServer) -> Vec<(&'static str, String)> {
    vec![
        ("SLACK_SIGNING_SECRET", SIGNING_SECRET.to_string()),
        ("SLACK_API_URL", format!("{}/api", slack.uri())),
    ]
}

/// Starts the app with Slack pointed at `slack`, plus `extra` settings.
pub async fn spawn_slack_app(
    db: &TestDb,
    slack: &wiremock::MockServer,
    extra: &[(&'static str, String)],
) -> TestApp {
    let mut settings = slack_settings(slack);
    settings.extend(extra.iter().cloned());
    let pairs: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    spawn_app_with(db, &pairs, false).await
}

/// An installed org with a bot token, as after an OAuth install.
pub async fn install_org(app: &TestApp, team_id: &str, installer: &str) -> aimpact::domain::OrgId {
    use aimpact::store::{credentials, orgs};
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    let org = orgs::upsert_installation(&mut conn, team_id, "Acme", Some(installer))
        .await
        .unwrap()
        .id;
    let token = secrecy::SecretString::from(format!("xoxb-{team_id}-token"));
    credentials::put(
        &mut conn,
        &app.state.keys,
        org,
        "slack_bot_token",
        &token,
        None,
    )
    .await
    .unwrap();
    org
}

/// Sends a body to a Slack endpoint signed as Slack would, `age` seconds ago.
pub async fn signed_slack_request_aged(
    app: &TestApp,
    path: &str,
    content_type: &str,
    body: impl Into<Vec<u8>>,
    age: i64,
) -> reqwest::Response {
    let body = body.into();
    let ts = chrono::Utc::now().timestamp() - age;
    let signature = aimpact::slack::verify::sign(SIGNING_SECRET, ts, &body);
    app.http
        .post(app.url(path))
        .header("content-type", content_type)
        .header("x-slack-request-timestamp", ts.to_string())
        .header("x-slack-signature", signature)
        .body(body)
        .send()
        .await
        .unwrap()
}

/// Sends a freshly signed body.
pub async fn signed_slack_request(
    app: &TestApp,
    path: &str,
    content_type: &str,
    body: impl Into<Vec<u8>>,
) -> reqwest::Response {
    signed_slack_request_aged(app, path, content_type, body, 0).await
}

/// A signed form-encoded body.
pub async fn slack_form(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let body = serde_urlencoded::to_string(fields).unwrap();
    signed_slack_request(app, path, "application/x-www-form-urlencoded", body).await
}

/// A signed interaction (`payload=<json>`).
pub async fn slack_interaction(app: &TestApp, payload: &serde_json::Value) -> reqwest::Response {
    slack_form(
        app,
        "/slack/interactions",
        &[("payload", &payload.to_string())],
    )
    .await
}

/// A signed Events API callback.
pub async fn slack_event(
    app: &TestApp,
    team: &str,
    event_id: &str,
    event: serde_json::Value,
) -> reqwest::Response {
    let body = serde_json::json!({
        "type": "event_callback", "team_id": team, "api_app_id": "A1", "event_id": event_id,
        "event_time": 1_700_000_000, "event": event
    });
    signed_slack_request(app, "/slack/events", "application/json", body.to_string()).await
}

/// Slack's JSON answer shape for a mock.
pub fn slack_ok(extra: serde_json::Value) -> wiremock::ResponseTemplate {
    let mut body = serde_json::json!({ "ok": true });
    if let (Some(map), Some(more)) = (body.as_object_mut(), extra.as_object()) {
        map.extend(more.clone());
    }
    wiremock::ResponseTemplate::new(200).set_body_json(body)
}

/// Requests the fake Slack received for one Web API method.
pub async fn calls(slack: &wiremock::MockServer, method: &str) -> Vec<wiremock::Request> {
    let path = format!("/api/{method}");
    slack
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.url.path() == path)
        .collect()
}

/// The DM channel Slack gives `user` in the fakes: `U123` → `D123`.
pub fn dm_of(user: &str) -> String {
    match user.strip_prefix('U') {
        Some(rest) => format!("D{rest}"),
        None => user.to_string(),
    }
}

/// `chat.postMessage` as Slack answers a DM: the DM's channel and a new ts.
pub struct PostDm {
    next_ts: std::sync::atomic::AtomicU64,
}

impl Default for PostDm {
    fn default() -> Self {
        Self {
            next_ts: std::sync::atomic::AtomicU64::new(1),
        }
    }
}

impl wiremock::Respond for PostDm {
    fn respond(&self, request: &wiremock::Request) -> wiremock::ResponseTemplate {
        let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap_or_default();
        let channel = dm_of(body["channel"].as_str().unwrap_or("X"));
        let ts = self
            .next_ts
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        slack_ok(serde_json::json!({ "channel": channel, "ts": format!("1700000000.{ts:06}") }))
    }
}

/// `conversations.open`: the DM with `users`.
pub struct OpenDm;

impl wiremock::Respond for OpenDm {
    fn respond(&self, request: &wiremock::Request) -> wiremock::ResponseTemplate {
        let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap_or_default();
        slack_ok(
            serde_json::json!({ "channel": { "id": dm_of(body["users"].as_str().unwrap_or("UX")) } }),
        )
    }
}

/// Who `users.info` says every user is, in a [`fake_slack`].
#[derive(Clone, Copy, Debug)]
pub struct SlackUsers {
    /// Workspace admins or not.
    pub admin: bool,
    /// Their IANA time zone.
    pub tz: &'static str,
}

/// A fake Slack Web API for `SLACK_API_URL`: `views.publish` and
/// `views.open` succeed; with `users`, `users.info` answers the same for
/// every user (without, a test mounts its own, e.g. per user). Tests mount
/// what else they need on top, such as [`mount_dms`]. The first mounted
/// mock that matches answers, so a mock for a path mounted here takes a
/// higher priority (`with_priority(1)`) to replace it.
pub async fn fake_slack(users: Option<SlackUsers>) -> wiremock::MockServer {
    use wiremock::matchers::path;
    use wiremock::{Mock, MockServer};
    let slack = MockServer::start().await;
    Mock::given(path("/api/views.publish"))
        .respond_with(slack_ok(serde_json::json!({ "view": { "id": "V1" } })))
        .mount(&slack)
        .await;
    Mock::given(path("/api/views.open"))
        .respond_with(slack_ok(serde_json::json!({ "view": { "id": "V2" } })))
        .mount(&slack)
        .await;
    if let Some(SlackUsers { admin, tz }) = users {
        Mock::given(path("/api/users.info"))
            .respond_with(slack_ok(serde_json::json!({ "user": {
                "id": "U", "team_id": "T1", "name": "u", "is_admin": admin, "is_owner": false, "tz": tz
            } })))
            .mount(&slack)
            .await;
    }
    slack
}

/// DMs on a [`fake_slack`]: `chat.postMessage` answers as Slack does for a
/// DM ([`PostDm`]) and `chat.update` succeeds.
pub async fn mount_dms(slack: &wiremock::MockServer) {
    use wiremock::Mock;
    use wiremock::matchers::{method, path};
    Mock::given(method("POST"))
        .and(path("/api/chat.postMessage"))
        .respond_with(PostDm::default())
        .mount(slack)
        .await;
    Mock::given(path("/api/chat.update"))
        .respond_with(slack_ok(serde_json::json!({})))
        .mount(slack)
        .await;
}

/// A test org's people, repositories and PRs, written straight to the
/// store.
pub mod seed {
    use aimpact::domain::{OrgId, PersonId, Provider, PullRequestId, RepositoryId};
    use aimpact::store::integrations;
    use aimpact::store::people::{self, LinkSource};
    use aimpact::store::pull_requests::{self, PullRequestRow, ReviewRow};
    use aimpact::store::repositories::{self, NewRepository};
    use sqlx::AnyConnection;

    /// GitHub connected in token mode to the organisation `acme`.
    pub async fn github_connected(conn: &mut AnyConnection, org: OrgId) {
        integrations::upsert(conn, org, "github", "connected", Some("acme"), None)
            .await
            .unwrap();
    }

    /// A person named `name`, linked to the Slack user `slack` and, when
    /// given, to the GitHub login `github`.
    pub async fn person(
        conn: &mut AnyConnection,
        org: OrgId,
        name: &str,
        slack: &str,
        github: Option<&str>,
    ) -> PersonId {
        let p = people::create(conn, org, name, false).await.unwrap();
        people::link_identity(conn, org, p, Provider::Slack, slack, None, LinkSource::Auto)
            .await
            .unwrap();
        if let Some(login) = github {
            people::link_identity(
                conn,
                org,
                p,
                Provider::Github,
                login,
                Some(login),
                LinkSource::Auto,
            )
            .await
            .unwrap();
        }
        p
    }

    /// The private repository `acme/api` (GitHub id `R1`, default branch
    /// `main`).
    pub async fn repo(conn: &mut AnyConnection, org: OrgId) -> RepositoryId {
        repositories::upsert(
            conn,
            org,
            &NewRepository {
                github_repo_id: "R1",
                owner: "acme",
                name: "api",
                default_branch: Some("main"),
                is_private: true,
                is_archived: false,
                is_fork: false,
            },
        )
        .await
        .unwrap()
    }

    /// A merged PR in `repo`: `PR{n}`, number `n`, titled `Change {n}`, by
    /// `author` (GitHub `login`), opened and ready `cycle` seconds before
    /// `merged_at`. Everything else is the default; tests set what they
    /// need (`PullRequestRow { size: 10, ..merged_pr(…) }`).
    pub fn merged_pr(
        repo: RepositoryId,
        n: i64,
        author: PersonId,
        login: &str,
        merged_at: i64,
        cycle: i64,
    ) -> PullRequestRow {
        PullRequestRow {
            repository: Some(repo),
            github_pr_id: format!("PR{n}"),
            number: n,
            title: format!("Change {n}"),
            author: Some(author),
            author_login: Some(login.into()),
            state: "merged".into(),
            opened_at: merged_at - cycle,
            merged_at: Some(merged_at),
            github_updated_at: merged_at,
            metrics: aimpact::metrics::pr::PrMetrics {
                ready_at: merged_at - cycle,
                cycle_time: Some(cycle),
                ..Default::default()
            },
            ..PullRequestRow::default()
        }
    }

    /// An approving review of `pr` by the human `reviewer` (GitHub
    /// `login`), with the review id `id`.
    pub async fn approval(
        conn: &mut AnyConnection,
        org: OrgId,
        pr: PullRequestId,
        id: String,
        reviewer: PersonId,
        login: &str,
        submitted_at: Option<i64>,
    ) {
        pull_requests::upsert_review(
            conn,
            org,
            pr,
            &ReviewRow {
                github_review_id: id,
                reviewer: Some(reviewer),
                reviewer_login: login.into(),
                state: "APPROVED".into(),
                submitted_at,
                is_bot: false,
            },
        )
        .await
        .unwrap();
    }
}
