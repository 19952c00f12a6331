//! What the examples share: the real app built on a fresh database (a
//! SQLite file, or a new PostgreSQL database) and run on loopback, a bare
//! migrated SQLite database for the importers, loopback fake servers (any
//! axum router, and a fake Slack for the dashboards), signed Slack
//! requests, a synthetic org, and timing and memory reports.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use aimpact::app::{App, AppState, RunOptions, ShutdownHandle};
use aimpact::config::Config;
use aimpact::domain::{OrgId, PersonId, Provider};
use aimpact::metrics::ai::{AiDetection, AiRule};
use aimpact::metrics::pr::PrMetrics;
use aimpact::store::people::{self, LinkSource};
use aimpact::store::pull_requests::{self, PullRequestRow, ReviewRow};
use aimpact::store::repositories::{self, NewRepository};
use aimpact::store::{DatabaseUrl, Db, credentials, integrations, orgs, teams, unix_now};
use serde_json::json;
use sqlx::Connection;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// The `q` quantile (nearest rank) of sorted durations.
pub fn percentile(sorted: &[Duration], q: f64) -> Duration {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// Prints p50, p95 and max of `times`.
pub fn report(what: &str, mut times: Vec<Duration>) {
    times.sort();
    println!(
        "{what}: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms ({} runs)",
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.95).as_secs_f64() * 1e3,
        times.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
        times.len()
    );
}

/// Milliseconds, for printing.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// `VmRSS:`, `VmHWM:` … of this process in MB (Linux).
pub fn proc_status_mb(key: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// A target's outcome, for printing.
pub fn verdict(ok: bool) -> &'static str {
    if ok { "PASS" } else { "FAIL" }
}

/// A fresh database for the app: `{name}.db` in `dir`, or, with
/// `postgres`, a new database `aimpact_test_{name}_…` on the server of
/// `TEST_DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`).
pub async fn database_url(dir: &Path, name: &str, postgres: bool) -> anyhow::Result<String> {
    if postgres {
        let base = std::env::var("TEST_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let db = format!("aimpact_test_{name}_{:08x}", rand::random::<u32>());
        let mut admin = sqlx::PgConnection::connect(&base).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("create database {db}")))
            .execute(&mut admin)
            .await?;
        let mut url = url::Url::parse(&base)?;
        url.set_path(&db);
        Ok(url.to_string())
    } else {
        Ok(format!(
            "sqlite://{}",
            dir.join(format!("{name}.db")).display()
        ))
    }
}

/// Builds the real app (not yet running) on a fresh database (see
/// [`database_url`]) in a new temporary directory, which also holds its
/// data: listening on a loopback port, with `settings` on top. The
/// directory must outlive the app.
pub async fn build_app(
    name: &str,
    postgres: bool,
    settings: &[(&str, String)],
    options: RunOptions,
) -> anyhow::Result<(App, tempfile::TempDir)> {
    let dir = tempfile::tempdir()?;
    let mut vars: HashMap<&str, String> = HashMap::from([
        (
            "DATABASE_URL",
            database_url(dir.path(), name, postgres).await?,
        ),
        ("AIMPACT_BIND", "127.0.0.1:0".into()),
        ("AIMPACT_DATA_DIR", dir.path().display().to_string()),
    ]);
    vars.extend(settings.iter().cloned());
    let config =
        Config::from_lookup(&|k| vars.get(k).cloned()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let app = App::build(config, options).await?;
    Ok((app, dir))
}

/// The app running in the background: where it listens, its state, and
/// how to stop it.
pub struct Running {
    pub addr: SocketAddr,
    pub state: AppState,
    stop: ShutdownHandle,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Running {
    /// Runs a built app (HTTP on) until [`Running::stop`].
    pub fn start(app: App) -> anyhow::Result<Self> {
        let addr = app.addr().ok_or_else(|| anyhow::anyhow!("not bound"))?;
        let state = app.state().clone();
        let stop = app.shutdown_handle();
        let task = tokio::spawn(app.run_until_stopped());
        Ok(Self {
            addr,
            state,
            stop,
            task,
        })
    }

    /// `http://ADDR{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Stops the app and waits until it has, with its outcome.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.stop.trigger();
        self.task.await??;
        Ok(())
    }

    /// Stops the app and waits for it at most `limit` (a load check's
    /// queue may still be draining); its outcome is not checked.
    pub async fn stop_within(self, limit: Duration) {
        self.stop.trigger();
        let _ = tokio::time::timeout(limit, self.task).await;
    }
}

/// A fresh, migrated SQLite database `{name}.db` in `dir`, with the pool
/// the importers get (4 connections).
pub async fn sqlite_db(dir: &Path, name: &str) -> anyhow::Result<Db> {
    let path = dir.join(format!("{name}.db"));
    let url = DatabaseUrl::parse(&format!("sqlite://{}", path.display()))
        .map_err(|e| anyhow::anyhow!(e))?;
    let db = Db::connect(&url, 4, Duration::from_secs(30)).await?;
    db.migrate().await?;
    Ok(db)
}

/// The size of the SQLite database `{name}.db` in `dir`, WAL included, in MB.
pub fn sqlite_size_mb(dir: &Path, name: &str) -> f64 {
    [format!("{name}.db"), format!("{name}.db-wal")]
        .iter()
        .filter_map(|f| std::fs::metadata(dir.join(f)).ok())
        .map(|m| m.len() as f64 / 1_048_576.0)
        .sum::<f64>()
}

/// Serves `router` on a loopback port, as a fake of a third-party API.
pub async fn serve(
    router: axum::Router,
) -> anyhow::Result<(SocketAddr, tokio::task::JoinHandle<std::io::Result<()>>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move { axum::serve(listener, router).await });
    Ok((addr, server))
}

/// A fake Slack for the dashboards: late answers at `/respond/…`, chart
/// uploads (files upload v2: upload URL, upload, complete, `files.info`),
/// everyone a workspace admin in UTC, and App Home publishes.
pub async fn fake_slack() -> MockServer {
    let slack = MockServer::start().await;
    let ok = |extra: serde_json::Value| {
        let mut body = json!({ "ok": true });
        if let (Some(m), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            m.extend(e.clone());
        }
        ResponseTemplate::new(200).set_body_json(body)
    };
    Mock::given(method("POST"))
        .and(path_regex("^/respond/"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&slack)
        .await;
    Mock::given(path("/api/files.getUploadURLExternal"))
        .respond_with(ok(
            json!({ "upload_url": format!("{}/upload", slack.uri()), "file_id": "F0BENCH0001" }),
        ))
        .mount(&slack)
        .await;
    Mock::given(method("POST"))
        .and(path("/upload"))
        .respond_with(ResponseTemplate::new(200).set_body_string("OK"))
        .mount(&slack)
        .await;
    Mock::given(path("/api/files.completeUploadExternal"))
        .respond_with(ok(json!({ "files": [{ "id": "F0BENCH0001" }] })))
        .mount(&slack)
        .await;
    Mock::given(path("/api/files.info"))
        .respond_with(ok(
            json!({ "file": { "id": "F0BENCH0001", "original_w": 1600 } }),
        ))
        .mount(&slack)
        .await;
    Mock::given(path("/api/users.info"))
        .respond_with(ok(
            json!({ "user": { "id": "U1", "is_admin": true, "is_owner": false, "tz": "UTC" } }),
        ))
        .mount(&slack)
        .await;
    Mock::given(path("/api/views.publish"))
        .respond_with(ok(json!({ "view": { "id": "V1" } })))
        .mount(&slack)
        .await;
    slack
}

/// A POST of `body` to `url` signed with `secret` as Slack signs, now.
pub fn signed_slack(
    client: &reqwest::Client,
    url: &str,
    secret: &str,
    content_type: &str,
    body: String,
) -> reqwest::RequestBuilder {
    let ts = chrono::Utc::now().timestamp();
    let signature = aimpact::slack::verify::sign(secret, ts, body.as_bytes());
    client
        .post(url)
        .header("content-type", content_type)
        .header("x-slack-request-timestamp", ts.to_string())
        .header("x-slack-signature", signature)
        .body(body)
}

/// Stores `org`'s Slack bot token, as an install would.
pub async fn put_bot_token(
    conn: &mut sqlx::AnyConnection,
    state: &AppState,
    org: OrgId,
    token: &str,
) -> anyhow::Result<()> {
    credentials::put(
        conn,
        &state.keys,
        org,
        "slack_bot_token",
        &token.to_string().into(),
        None,
    )
    .await?;
    Ok(())
}

/// 50 people in 5 teams, 6 repositories, `prs` merged PRs spread over 180
/// days with one review each.
pub async fn seed(db: &aimpact::store::Db, prs: usize) -> anyhow::Result<OrgId> {
    let mut tx = db.begin_write().await?;
    let org = orgs::upsert_installation(&mut tx, "TBENCH", "Bench", Some("U1"))
        .await?
        .id;
    integrations::upsert(&mut tx, org, "github", "connected", Some("bench"), None).await?;
    let mut people_ids: Vec<PersonId> = Vec::new();
    for i in 0..50 {
        let p = people::create(&mut tx, org, &format!("Person {i}"), false).await?;
        people::link_identity(
            &mut tx,
            org,
            p,
            Provider::Github,
            &format!("dev{i}"),
            Some(&format!("dev{i}")),
            LinkSource::Auto,
        )
        .await?;
        people_ids.push(p);
    }
    for t in 0..5 {
        let team = teams::upsert(
            &mut tx,
            org,
            &format!("team{t}"),
            &format!("Team {t}"),
            None,
        )
        .await?;
        for p in people_ids.iter().skip(t * 10).take(10) {
            teams::add_member(&mut tx, org, team, *p).await?;
        }
    }
    let mut repos = Vec::new();
    for r in 0..6 {
        let id = repositories::upsert(
            &mut tx,
            org,
            &NewRepository {
                github_repo_id: &format!("R{r}"),
                owner: "bench",
                name: &format!("repo{r}"),
                default_branch: Some("main"),
                is_private: true,
                is_archived: false,
                is_fork: false,
            },
        )
        .await?;
        repositories::set_tracked(&mut tx, org, id, true).await?;
        repos.push(id);
    }
    let now = unix_now();
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for i in 0..prs {
        let merged = now - (next() % (180 * DAY as u64)) as i64;
        let cycle = 3600 + (next() % (6 * DAY as u64)) as i64;
        let author = people_ids[i % people_ids.len()];
        let reviewer = people_ids[(i + 7) % people_ids.len()];
        let row = PullRequestRow {
            repository: Some(repos[i % repos.len()]),
            github_pr_id: format!("PR{i}"),
            number: i as i64,
            title: format!("Change {i}"),
            author: Some(author),
            author_login: Some(format!("dev{}", i % 50)),
            state: "merged".into(),
            opened_at: merged - cycle,
            merged_at: Some(merged),
            github_updated_at: merged,
            metrics: PrMetrics {
                ready_at: merged - cycle,
                first_review_at: Some(merged - cycle / 3),
                pickup_time: Some(cycle * 2 / 3),
                review_time: Some(cycle / 3),
                cycle_time: Some(cycle),
                size: (next() % 800) as i64,
                ai: (next() % 3 == 0).then(|| AiDetection::stored(AiRule::AiLabel)),
                ..PrMetrics::default()
            },
            ..PullRequestRow::default()
        };
        let id = pull_requests::upsert(&mut tx, org, &row).await?;
        pull_requests::upsert_review(
            &mut tx,
            org,
            id,
            &ReviewRow {
                github_review_id: format!("RV{i}"),
                reviewer: Some(reviewer),
                reviewer_login: format!("dev{}", (i + 7) % 50),
                state: "APPROVED".into(),
                submitted_at: Some(merged - cycle / 3),
                is_bot: false,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(org)
}
