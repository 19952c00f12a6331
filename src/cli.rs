//! The command line: `serve`, `worker`, `migrate`, `keys generate`,
//! `keys rotate`. Each command prints what it did, or one line per problem,
//! and exits non-zero on failure.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use secrecy::ExposeSecret;

use crate::app::{self, App, RunOptions, StartError};
use crate::config::Config;
use crate::crypto::{KeySource, Keyring, load_keyring};
use crate::jobs::WorkerSettings;
use crate::store::{credentials, orgs};

/// aimpact: is AI helping your engineering org? Answers in Slack.
#[derive(Debug, Parser)]
#[command(
    name = "aimpact",
    version,
    about,
    long_about = "aimpact joins GitHub, Jira and one-click Slack surveys to tell an engineering \
organisation whether AI coding assistants are helping, and answers in Slack.\n\n\
Settings come from environment variables (and a .env file in the working directory); \
see README.md for the full table. With no settings at all, `aimpact serve` runs on an \
embedded SQLite database (aimpact.db) and creates an encryption key file (aimpact.key)."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP service (Slack and GitHub endpoints, health checks) and the job workers.
    ///
    /// Applies migrations first. Stops gracefully on SIGTERM or Ctrl-C: no new requests,
    /// in-flight work finishes within AIMPACT_SHUTDOWN_TIMEOUT_SECS, unfinished jobs stay queued.
    Serve {
        /// Serve HTTP only; run `aimpact worker` elsewhere (scale-out on PostgreSQL).
        #[arg(long)]
        no_workers: bool,
    },
    /// Run job workers only, without HTTP (for scale-out on PostgreSQL).
    Worker,
    /// Apply database migrations and exit (safe to run again).
    Migrate,
    /// Sync data from an integration in the foreground, with progress.
    Sync {
        #[command(subcommand)]
        source: SyncSource,
    },
    /// Export stored data for analysis.
    Export {
        #[command(subcommand)]
        what: ExportWhat,
    },
    /// Create a demo workspace with realistic synthetic data in its own SQLite file, then serve
    /// it with the local preview on (open http://127.0.0.1:3000/preview).
    ///
    /// The demo database is `aimpact-demo.db` in AIMPACT_DATA_DIR; it is rebuilt on every run.
    Demo {
        /// Seed for the synthetic data (same seed, same data).
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Create the data and exit instead of serving.
        #[arg(long)]
        no_serve: bool,
    },
    /// Print the Block Kit JSON of a surface, as Slack would receive it.
    ///
    /// SURFACE is a name from `--list` (e.g. `home-admin`, `metrics`, `metrics-team-platform`)
    /// or the words of a /metrics command in quotes (e.g. "team platform 90d").
    Render {
        /// The surface.
        #[arg(required_unless_present = "list")]
        surface: Option<String>,
        /// Org: its id or Slack team id (default: the only org).
        #[arg(long)]
        org: Option<String>,
        /// Show it as this Slack user (default: a user of the role the surface names).
        #[arg(long)]
        user: Option<String>,
        /// Range: 7d, 30d, 90d or YYYY-MM-DD..YYYY-MM-DD.
        #[arg(long)]
        range: Option<String>,
        /// List the surfaces instead.
        #[arg(long)]
        list: bool,
    },
    /// Manage the encryption keys that protect stored tokens.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
}

#[derive(Debug, Subcommand)]
enum SyncSource {
    /// Sync pull requests, reviews and commits of every tracked repository.
    ///
    /// Incremental by default (since the last sync); a stopped run resumes from its checkpoint.
    Github {
        /// Org to sync: its id or Slack team id (default: the only org).
        #[arg(long)]
        org: Option<String>,
        /// Re-read the whole GITHUB_SYNC_DAYS window, not just what changed.
        #[arg(long)]
        full: bool,
    },
    /// Sync issues, changelogs and sprints of the chosen Jira projects.
    ///
    /// Incremental by default (since the last sync); a stopped run resumes from its checkpoint.
    Jira {
        /// Org to sync: its id or Slack team id (default: the only org).
        #[arg(long)]
        org: Option<String>,
        /// Re-read the whole JIRA_SYNC_DAYS window, not just what changed.
        #[arg(long)]
        full: bool,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    Csv,
    Json,
}

#[derive(Debug, Subcommand)]
enum ExportWhat {
    /// Every pull request with its computed metrics, one row per PR, docs/metrics.md names as columns.
    ///
    /// Instants are RFC 3339 UTC; durations are seconds.
    Prs {
        /// Org to export: its id or Slack team id (default: the only org).
        #[arg(long)]
        org: Option<String>,
        /// Only PRs opened or updated on or after this date (YYYY-MM-DD).
        #[arg(long)]
        since: Option<chrono::NaiveDate>,
        /// Output format.
        #[arg(long, value_enum)]
        format: Format,
    },
    /// Every survey question asked: the author's answer and tools, each
    /// reviewer's rating, guess and whether it was right, one row each.
    ///
    /// Instants are RFC 3339 UTC.
    Surveys {
        /// Org to export: its id or Slack team id (default: the only org).
        #[arg(long)]
        org: Option<String>,
        /// Output format.
        #[arg(long, value_enum)]
        format: Format,
    },
    /// Every AI vs non-AI comparison of a period, on both signals: metric,
    /// group sizes, medians with 95% bootstrap intervals, the relative
    /// difference with its interval, the Mann–Whitney p-value and the verdict.
    ///
    /// Durations are seconds, size lines, revert rate a fraction, quality 1–5.
    Ai {
        /// Org to export: its id or Slack team id (default: the only org).
        #[arg(long)]
        org: Option<String>,
        /// Period: `7d`, `30d`, `90d` or `2026-01-01..2026-03-31` (as `/metrics`).
        #[arg(long, default_value = "30d")]
        range: String,
        /// Output format.
        #[arg(long, value_enum)]
        format: Format,
    },
    /// Every Jira issue with its computed fields (cycle time, sprints, linked PRs).
    ///
    /// Instants are RFC 3339 UTC; durations are seconds.
    Issues {
        /// Org to export: its id or Slack team id (default: the only org).
        #[arg(long)]
        org: Option<String>,
        /// Only issues updated on or after this date (YYYY-MM-DD).
        #[arg(long)]
        since: Option<chrono::NaiveDate>,
        /// Output format.
        #[arg(long, value_enum)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Print a new random key as `id:base64key`, ready to prepend to AIMPACT_ENCRYPTION_KEYS.
    Generate,
    /// Re-encrypt every stored secret under the first (newest) key, in one transaction.
    ///
    /// Workflow: `aimpact keys generate`, put the new entry first in AIMPACT_ENCRYPTION_KEYS
    /// (keep the old ones after it), run `aimpact keys rotate`, restart every process with the
    /// new list, then drop the old keys. Safe to run twice.
    Rotate,
}

/// Runs a parsed command line and returns the process exit code.
pub async fn run(cli: Cli) -> ExitCode {
    if let Command::Keys {
        command: KeysCommand::Generate,
    } = cli.command
    {
        println!("{}", Keyring::generate_entry());
        eprintln!(
            "Put this first in AIMPACT_ENCRYPTION_KEYS (comma-separated; the first key encrypts, all decrypt)."
        );
        return ExitCode::SUCCESS;
    }

    let config = match Config::from_env() {
        Ok(config) => config,
        Err(problems) => {
            for p in &problems.0 {
                eprintln!("error: {p}");
            }
            return ExitCode::from(2);
        }
    };
    crate::telemetry::init(config.log_format, &config.log_filter);

    let result = match cli.command {
        Command::Serve { no_workers } => {
            let options = RunOptions {
                workers: !no_workers,
                worker_settings: worker_settings(&config),
                ..RunOptions::default()
            };
            serve(config, options).await
        }
        Command::Worker => {
            let options = RunOptions {
                http: false,
                generate_key: false,
                worker_settings: worker_settings(&config),
                ..RunOptions::default()
            };
            serve(config, options).await
        }
        Command::Migrate => migrate(&config).await,
        Command::Demo { seed, no_serve } => demo(config, seed, no_serve).await,
        Command::Render {
            surface,
            org,
            user,
            range,
            list,
        } => {
            render(
                config,
                surface,
                org.as_deref(),
                user.as_deref(),
                range.as_deref(),
                list,
            )
            .await
        }
        Command::Sync {
            source: SyncSource::Github { org, full },
        } => sync_github(&config, org.as_deref(), full).await,
        Command::Sync {
            source: SyncSource::Jira { org, full },
        } => sync_jira(&config, org.as_deref(), full).await,
        Command::Export {
            what: ExportWhat::Issues { org, since, format },
        } => export_issues(&config, org.as_deref(), since, format).await,
        Command::Export {
            what: ExportWhat::Prs { org, since, format },
        } => export_prs(&config, org.as_deref(), since, format).await,
        Command::Export {
            what: ExportWhat::Surveys { org, format },
        } => export_surveys(&config, org.as_deref(), format).await,
        Command::Export {
            what: ExportWhat::Ai { org, range, format },
        } => export_ai(&config, org.as_deref(), &range, format).await,
        Command::Keys {
            command: KeysCommand::Rotate,
        } => rotate_keys(&config).await,
        Command::Keys {
            command: KeysCommand::Generate,
        } => Ok(()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn worker_settings(config: &Config) -> WorkerSettings {
    WorkerSettings {
        concurrency: config.job_concurrency,
        ..WorkerSettings::default()
    }
}

async fn serve(config: Config, options: RunOptions) -> Result<(), String> {
    let database = config.database_url.to_string();
    let app = App::build(config, options)
        .await
        .map_err(|e| e.to_string())?;
    match &app.key_source {
        KeySource::Generated(path) => tracing::warn!(
            path = %path.display(),
            "no AIMPACT_ENCRYPTION_KEYS set: generated an encryption key file; back it up, \
             without it stored tokens cannot be decrypted"
        ),
        KeySource::File(path) => {
            tracing::info!(path = %path.display(), "encryption key loaded from file")
        }
        KeySource::Environment => {
            tracing::info!("encryption keys loaded from AIMPACT_ENCRYPTION_KEYS")
        }
    }
    match app.addr() {
        Some(addr) => tracing::info!(%addr, %database, "aimpact listening"),
        None => tracing::info!(%database, "aimpact workers running"),
    }
    app.run_until_stopped().await.map_err(|e| format!("{e:#}"))
}

async fn migrate(config: &Config) -> Result<(), String> {
    let (db, jobs) = app::connect_and_migrate(config)
        .await
        .map_err(|e| e.to_string())?;
    db.close().await;
    jobs.close().await;
    println!("migrations applied to {}", config.database_url);
    Ok(())
}

async fn rotate_keys(config: &Config) -> Result<(), String> {
    let (keys, _) = load_keyring(
        config.encryption_keys.as_ref().map(|k| k.expose_secret()),
        &config.data_dir,
        false,
    )
    .map_err(|e| e.to_string())?;
    let (db, jobs) = app::connect_and_migrate(config)
        .await
        .map_err(|e: StartError| e.to_string())?;
    jobs.close().await;
    let db_err = |e: sqlx::Error| format!("DATABASE_URL: {e}");
    let mut tx = db.begin_write().await.map_err(db_err)?;
    let mut count = 0;
    let org_ids = orgs::list_ids(&mut tx).await.map_err(|e| e.to_string())?;
    for org in &org_ids {
        // Any failure returns before commit: the transaction rolls back and
        // no secret changes.
        count += credentials::rotate(&mut tx, &keys, *org)
            .await
            .map_err(|e| format!("AIMPACT_ENCRYPTION_KEYS: org {org}: {e}; nothing was changed"))?;
    }
    tx.commit().await.map_err(db_err)?;
    db.close().await;
    println!(
        "re-encrypted {count} secret(s) in {} org(s) under key `{}`; older keys can be removed once every process runs with the new list",
        org_ids.len(),
        keys.current_id()
    );
    Ok(())
}

/// Resolves `--org` (an id or Slack team id), or the only org.
async fn pick_org(
    db: &crate::store::Db,
    wanted: Option<&str>,
) -> Result<crate::domain::OrgId, String> {
    let mut conn = db
        .pool()
        .acquire()
        .await
        .map_err(|e| format!("DATABASE_URL: {e}"))?;
    let ids = orgs::list_ids(&mut conn).await.map_err(|e| e.to_string())?;
    match wanted {
        Some(w) => {
            if let Ok(n) = w.parse::<i64>()
                && let Some(id) = ids.iter().find(|id| id.get() == n)
            {
                return Ok(*id);
            }
            orgs::find_by_slack_team(&mut conn, w)
                .await
                .map_err(|e| e.to_string())?
                .map(|o| o.id)
                .ok_or_else(|| format!("--org: no org `{w}`; use an org id or a Slack team id"))
        }
        None => match ids.as_slice() {
            [only] => Ok(*only),
            [] => Err("no org yet: install the Slack app first".into()),
            _ => Err(format!("{} orgs here: choose one with --org", ids.len())),
        },
    }
}

/// Keys, the migrated store and the chosen org, for a foreground sync.
async fn open_for_sync(
    config: &Config,
    org: Option<&str>,
) -> Result<
    (
        crate::crypto::Keyring,
        crate::store::Db,
        crate::domain::OrgId,
    ),
    String,
> {
    let (keys, _) = load_keyring(
        config.encryption_keys.as_ref().map(|k| k.expose_secret()),
        &config.data_dir,
        false,
    )
    .map_err(|e| e.to_string())?;
    let (db, jobs) = app::connect_and_migrate(config)
        .await
        .map_err(|e| e.to_string())?;
    jobs.close().await;
    let org = pick_org(&db, org).await?;
    Ok((keys, db, org))
}

async fn sync_github(config: &Config, org: Option<&str>, full: bool) -> Result<(), String> {
    use std::io::Write;

    let (keys, db, org) = open_for_sync(config, org).await?;
    let Some((client, _)) = crate::github::connect::client_for(&db, &keys, &config.github, org)
        .await
        .map_err(|e| e.to_string())?
    else {
        return Err("GitHub is not connected for this org: set GITHUB_TOKEN and GITHUB_ORG, or connect it from App Home".into());
    };
    let days = config.github.sync_days;
    let mode = if full {
        crate::github::sync::Mode::Full { days }
    } else {
        crate::github::sync::Mode::Incremental { days }
    };
    let stored = crate::github::sync::sync_org(&client, &db, org, mode, &|repo, p| {
        let total = p.total.map(|t| format!(" of ~{t}")).unwrap_or_default();
        eprint!("\r{repo}: {} PRs{total}   ", p.done);
        let _ = std::io::stderr().flush();
    })
    .await
    .map_err(|e| e.to_string())?;
    eprintln!();
    db.close().await;
    println!("synced {stored} pull request(s)");
    Ok(())
}

async fn export_prs(
    config: &Config,
    org: Option<&str>,
    since: Option<chrono::NaiveDate>,
    format: Format,
) -> Result<(), String> {
    let (db, jobs) = app::connect_and_migrate(config)
        .await
        .map_err(|e| e.to_string())?;
    jobs.close().await;
    let org = pick_org(&db, org).await?;
    let since = since
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(0, |t| t.and_utc().timestamp());
    let mut conn = db.pool().acquire().await.map_err(|e| e.to_string())?;
    let repos: std::collections::HashMap<_, _> = crate::store::repositories::list(&mut conn, org)
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|r| (r.id, r.full_name))
        .collect();
    let prs = crate::store::pull_requests::updated_since(&mut conn, org, since)
        .await
        .map_err(|e| e.to_string())?;
    drop(conn);
    let rows: Vec<crate::github::export::ExportRow> = prs
        .iter()
        .map(|(_, pr)| crate::github::export::row(pr, &repos))
        .collect();
    write_rows(&rows, format)?;
    db.close().await;
    Ok(())
}

async fn sync_jira(config: &Config, org: Option<&str>, full: bool) -> Result<(), String> {
    use std::io::Write;

    let (keys, db, org) = open_for_sync(config, org).await?;
    let budget = std::sync::Arc::new(crate::jira::client::PointBudget::new(
        config.jira.points_per_hour,
    ));
    let jira = crate::jira::connect::JiraContext {
        db: db.clone(),
        keys,
        http: app::outbound_http_client(config.outbound_hosts),
        settings: config.jira.clone(),
        budget: budget.clone(),
        public_url: config.public_url.clone(),
        hosts: config.outbound_hosts,
    };
    let Some(client) = crate::jira::connect::client_for(&jira, org)
        .await
        .map_err(|e| e.to_string())?
    else {
        return Err("Jira is not connected for this org: set JIRA_URL and JIRA_API_TOKEN, or connect it from App Home".into());
    };
    crate::jira::sync::discover(&client, &db, org)
        .await
        .map_err(|e| e.to_string())?;
    let days = config.jira.sync_days;
    let mode = if full {
        crate::jira::sync::Mode::Full { days }
    } else {
        crate::jira::sync::Mode::Incremental { days }
    };
    let stored = crate::jira::sync::sync_org(&client, &db, org, mode, &|project, p| {
        let total = p.total.map(|t| format!(" of ~{t}")).unwrap_or_default();
        eprint!("\r{project}: {} issues{total}   ", p.done);
        let _ = std::io::stderr().flush();
    })
    .await
    .map_err(|e| e.to_string())?;
    eprintln!();
    db.close().await;
    println!("synced {stored} issue(s)");
    Ok(())
}

async fn export_issues(
    config: &Config,
    org: Option<&str>,
    since: Option<chrono::NaiveDate>,
    format: Format,
) -> Result<(), String> {
    let (db, jobs) = app::connect_and_migrate(config)
        .await
        .map_err(|e| e.to_string())?;
    jobs.close().await;
    let org = pick_org(&db, org).await?;
    let since = since
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(0, |t| t.and_utc().timestamp());
    let mut conn = db.pool().acquire().await.map_err(|e| e.to_string())?;
    let rows: Vec<crate::jira::export::ExportRow> =
        crate::store::jira::export(&mut conn, org, since)
            .await
            .map_err(|e| e.to_string())?
            .into_iter()
            .map(crate::jira::export::row)
            .collect();
    drop(conn);
    write_rows(&rows, format)?;
    db.close().await;
    Ok(())
}

async fn export_surveys(config: &Config, org: Option<&str>, format: Format) -> Result<(), String> {
    let (db, jobs) = app::connect_and_migrate(config)
        .await
        .map_err(|e| e.to_string())?;
    jobs.close().await;
    let org = pick_org(&db, org).await?;
    let mut conn = db.pool().acquire().await.map_err(|e| e.to_string())?;
    let rows = crate::store::surveys::export(&mut conn, org)
        .await
        .map_err(|e| e.to_string())?;
    drop(conn);
    write_rows(&rows, format)?;
    db.close().await;
    Ok(())
}

/// One comparison as `aimpact export ai` writes it.
#[derive(Debug, serde::Serialize)]
struct AiRow {
    basis: &'static str,
    metric: &'static str,
    n_ai: usize,
    n_other: usize,
    median_ai: Option<f64>,
    ci_ai_low: Option<f64>,
    ci_ai_high: Option<f64>,
    median_other: Option<f64>,
    ci_other_low: Option<f64>,
    ci_other_high: Option<f64>,
    relative_difference: Option<f64>,
    relative_ci_low: Option<f64>,
    relative_ci_high: Option<f64>,
    p_value: Option<f64>,
    verdict: String,
}

async fn export_ai(
    config: &Config,
    org: Option<&str>,
    range: &str,
    format: Format,
) -> Result<(), String> {
    let query = crate::dashboard::grammar::parse(range)
        .map_err(|e| format!("--range: {e} Use 7d, 30d, 90d or 2026-01-01..2026-03-31."))?;
    let period = crate::dashboard::period(query.range, crate::store::unix_now())
        .map_err(|e| format!("--range: {e}"))?;
    let (db, jobs) = app::connect_and_migrate(config)
        .await
        .map_err(|e| e.to_string())?;
    jobs.close().await;
    let org = pick_org(&db, org).await?;
    let org = {
        let mut conn = db.pool().acquire().await.map_err(|e| e.to_string())?;
        crate::store::orgs::get(&mut conn, org)
            .await
            .map_err(|e| e.to_string())?
    };
    let facts = crate::dashboard::ai::facts(&db, &org, crate::metrics::rollup::Scope::Org, period)
        .await
        .map_err(|e| e.to_string())?;
    let rows: Vec<AiRow> = facts
        .comparisons
        .iter()
        .map(|c| AiRow {
            basis: c.basis.label(),
            metric: c.metric.name(),
            n_ai: c.n_ai,
            n_other: c.n_other,
            median_ai: c.ai.map(|e| e.median),
            ci_ai_low: c.ai.map(|e| e.ci.0),
            ci_ai_high: c.ai.map(|e| e.ci.1),
            median_other: c.other.map(|e| e.median),
            ci_other_low: c.other.map(|e| e.ci.0),
            ci_other_high: c.other.map(|e| e.ci.1),
            relative_difference: c.relative,
            relative_ci_low: c.relative_ci.map(|r| r.0),
            relative_ci_high: c.relative_ci.map(|r| r.1),
            p_value: c.p,
            verdict: crate::dashboard::ai::sentence(c),
        })
        .collect();
    write_rows(&rows, format)?;
    db.close().await;
    Ok(())
}

/// Writes export rows to stdout as pretty JSON or CSV with a header.
fn write_rows<T: serde::Serialize>(rows: &[T], format: Format) -> Result<(), String> {
    let stdout = std::io::stdout();
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(stdout.lock(), rows).map_err(|e| e.to_string())?
        }
        Format::Csv => {
            let mut plain = csv::Writer::from_writer(Vec::new());
            for r in rows {
                plain.serialize(r).map_err(|e| e.to_string())?;
            }
            let plain = plain.into_inner().map_err(|e| e.to_string())?;
            // Cells are neutralised after serialising, so every column of
            // every export gets it (PR titles, names, Jira summaries).
            let mut read = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(plain.as_slice());
            let mut w = csv::Writer::from_writer(stdout.lock());
            for record in read.records() {
                let record = record.map_err(|e| e.to_string())?;
                w.write_record(
                    record
                        .iter()
                        .map(|cell| spreadsheet_safe(cell).into_owned()),
                )
                .map_err(|e| e.to_string())?;
            }
            w.flush().map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// A CSV cell a spreadsheet will not run: text starting with `=`, `+`,
/// `-`, `@`, a tab or a carriage return (a PR titled `=HYPERLINK(…)`)
/// gets a leading `'`; numbers (`-12.5`) stay numbers.
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && cell.parse::<f64>().is_err() {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// `aimpact demo`: a fresh demo database, rollups computed, then `serve`
/// with the preview on.
async fn demo(mut config: Config, seed: u64, no_serve: bool) -> Result<(), String> {
    let path = config.data_dir.join("aimpact-demo.db");
    for suffix in ["", "-wal", "-shm"] {
        let file = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
        if file.exists() {
            std::fs::remove_file(&file)
                .map_err(|e| format!("cannot replace {}: {e}", file.display()))?;
        }
    }
    config.database_url = crate::store::DatabaseUrl::parse(&format!("sqlite://{}", path.display()))
        .map_err(|e| format!("AIMPACT_DATA_DIR: {e}"))?;
    if !config.bind.ip().is_loopback() {
        return Err(format!(
            "AIMPACT_BIND: the demo serves its preview without sign-in, so it only listens on a \
             loopback address; {} is not one",
            config.bind
        ));
    }
    config.preview = true;
    let started = std::time::Instant::now();
    let (db, jobs) = app::connect_and_migrate(&config)
        .await
        .map_err(|e| e.to_string())?;
    jobs.close().await;
    let made = crate::demo::seed(&db, crate::store::unix_now(), seed)
        .await
        .map_err(|e| format!("demo data: {e}"))?;
    crate::dashboard::rollups::refresh(&db, made.org, true)
        .await
        .map_err(|e| format!("demo rollups: {e}"))?;
    // The demo's integrations have no credentials: keep the daily syncs
    // from trying (and failing) for a day.
    for task in [crate::github::job::DAILY, crate::jira::job::DAILY] {
        crate::jobs::schedule::mark_ran(&db, made.org, task)
            .await
            .map_err(|e| e.to_string())?;
    }
    db.close().await;
    println!(
        "demo workspace ready in {:.1} s: {} people, {} PRs, {} Jira issues, {} surveys ({})",
        started.elapsed().as_secs_f64(),
        made.people,
        made.prs,
        made.issues,
        made.surveys,
        path.display()
    );
    if no_serve {
        return Ok(());
    }
    println!("preview: http://{}/preview", config.bind);
    let options = RunOptions {
        worker_settings: worker_settings(&config),
        ..RunOptions::default()
    };
    serve(config, options).await
}

/// `aimpact render`: one surface's Block Kit JSON on stdout.
async fn render(
    config: Config,
    surface: Option<String>,
    org: Option<&str>,
    user: Option<&str>,
    range: Option<&str>,
    list: bool,
) -> Result<(), String> {
    let range = match range.map(crate::dashboard::grammar::parse) {
        Some(Ok(q)) => Some(q.range),
        Some(Err(e)) => return Err(format!("--range: {e}")),
        None => None,
    };
    let base = config
        .public_url
        .clone()
        .or_else(|| url::Url::parse(&format!("http://{}/", config.bind)).ok())
        .ok_or("AIMPACT_BIND: not an address charts can be served from")?;
    let state = App::offline_state(config)
        .await
        .map_err(|e| e.to_string())?;
    let org_id = pick_org(&state.db, org).await?;
    let org = {
        let mut conn = state
            .db
            .pool()
            .acquire()
            .await
            .map_err(|e| format!("DATABASE_URL: {e}"))?;
        orgs::get(&mut conn, org_id)
            .await
            .map_err(|e| e.to_string())?
    };
    use crate::http::preview;
    if list {
        for e in preview::catalogue(&state, &org)
            .await
            .map_err(|e| e.to_string())?
        {
            println!("{:<32} {}", e.slug, e.label);
        }
        return Ok(());
    }
    let surface = surface.unwrap_or_default();
    let known = preview::catalogue(&state, &org)
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .any(|e| e.slug == surface)
        || surface.starts_with("home");
    // Anything else is read as the words of a /metrics command.
    let named = known || surface.starts_with("metrics-") || surface.starts_with("modal-");
    if !named && surface != "metrics" {
        return render_text(&state, &org, &surface, user, range, base).await;
    }
    let slug = surface;
    let delivery = crate::dashboard::Delivery::Public(base);
    let (value, _) = preview::render(&state, &org, &slug, user, range, &delivery)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "{}",
        serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?
    );
    Ok(())
}

/// Renders the answer to `/metrics <text>`.
async fn render_text(
    state: &crate::app::AppState,
    org: &orgs::Org,
    text: &str,
    user: Option<&str>,
    range: Option<crate::dashboard::grammar::Range>,
    base: url::Url,
) -> Result<(), String> {
    use crate::http::preview;
    let who = match user {
        Some(u) => u.to_string(),
        None => preview::user_for(state, org, crate::domain::Role::Admin)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("no Slack user to answer as; pass --user")?,
    };
    let role = preview::offline_role(state, org, &who)
        .await
        .map_err(|e| e.to_string())?;
    let ctx = crate::slack::listeners::Ctx {
        state: state.clone(),
        org: org.clone(),
    };
    let value = match crate::dashboard::grammar::parse(text) {
        Ok(mut q) => {
            if let Some(r) = range {
                q.range = r;
            }
            let delivery = crate::dashboard::Delivery::Public(base);
            crate::slack_ui::dashboards::message_as(&ctx, &who, role, &q, &delivery)
                .await
                .map_err(|e| e.to_string())?
        }
        Err(e) => serde_json::to_value(blocks::help::metrics_help(Some(&format!(
            "{e} Here's what I understand:"
        ))))
        .map_err(|e| e.to_string())?,
    };
    println!(
        "{}",
        serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?
    );
    Ok(())
}
