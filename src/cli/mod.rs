//! The command line: `serve`, `worker`, `migrate`, `sync`, `export`,
//! `demo`, `render`, `keys generate`, `keys rotate`. Each command prints
//! what it did, or one line per problem, and exits non-zero on failure.
//!
//! This file holds the clap definitions, [`run`] (which dispatches and
//! prints a failure as one `error:` line) and the `--org` lookup the
//! commands share; each command group has its own file:
//!
//! - `serve`: `serve`, `worker`, `migrate` and `keys rotate`.
//! - `sync`: `sync github` and `sync jira`, in the foreground.
//! - `export`: `export prs|issues|surveys|feedback|ai`, as JSON or spreadsheet-safe
//!   CSV ([`spreadsheet_safe`]).
//! - `demo`: `demo`, a fresh demo database, then `serve` with the preview.
//! - `render`: `render`, a surface's Block Kit JSON.

mod demo;
mod export;
mod render;
mod serve;
mod sync;

use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

use crate::app::RunOptions;
use crate::config::Config;
use crate::crypto::Keyring;
use crate::domain::OrgId;
use crate::store::{Db, orgs};

pub use export::spreadsheet_safe;

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
    /// Every AI issue report: when, who reported it (Slack user), category,
    /// tool, repository, languages, what happened and the details added in
    /// its thread, one row each.
    ///
    /// Instants are RFC 3339 UTC.
    Feedback {
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
                worker_settings: serve::worker_settings(&config),
                ..RunOptions::default()
            };
            serve::serve(config, options).await
        }
        Command::Worker => {
            let options = RunOptions {
                http: false,
                generate_key: false,
                worker_settings: serve::worker_settings(&config),
                ..RunOptions::default()
            };
            serve::serve(config, options).await
        }
        Command::Migrate => serve::migrate(&config).await,
        Command::Demo { seed, no_serve } => demo::demo(config, seed, no_serve).await,
        Command::Render {
            surface,
            org,
            user,
            range,
            list,
        } => {
            render::render(
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
        } => sync::sync_github(&config, org.as_deref(), full).await,
        Command::Sync {
            source: SyncSource::Jira { org, full },
        } => sync::sync_jira(&config, org.as_deref(), full).await,
        Command::Export {
            what: ExportWhat::Issues { org, since, format },
        } => export::export_issues(&config, org.as_deref(), since, format).await,
        Command::Export {
            what: ExportWhat::Prs { org, since, format },
        } => export::export_prs(&config, org.as_deref(), since, format).await,
        Command::Export {
            what: ExportWhat::Surveys { org, format },
        } => export::export_surveys(&config, org.as_deref(), format).await,
        Command::Export {
            what: ExportWhat::Feedback { org, format },
        } => export::export_feedback(&config, org.as_deref(), format).await,
        Command::Export {
            what: ExportWhat::Ai { org, range, format },
        } => export::export_ai(&config, org.as_deref(), &range, format).await,
        Command::Keys {
            command: KeysCommand::Rotate,
        } => serve::rotate_keys(&config).await,
        Command::Keys {
            command: KeysCommand::Generate,
        } => Ok(()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", error_line(&err));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line, `: `-separated, as `{:#}` would
/// print them, except that a cause whose text is already in the line (an
/// error that shows its source in its own message) is not repeated.
fn error_line(err: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if line.is_empty() {
            line = text;
        } else if !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
    }
    line
}

/// Resolves `--org` (an id or Slack team id), or the only org.
async fn pick_org(db: &Db, wanted: Option<&str>) -> anyhow::Result<OrgId> {
    let mut conn = db.pool().acquire().await.context("DATABASE_URL")?;
    let ids = orgs::list_ids(&mut conn).await?;
    match wanted {
        Some(w) => {
            if let Ok(n) = w.parse::<i64>()
                && let Some(id) = ids.iter().find(|id| id.get() == n)
            {
                return Ok(*id);
            }
            orgs::find_by_slack_team(&mut conn, w)
                .await?
                .map(|o| o.id)
                .with_context(|| format!("--org: no org `{w}`; use an org id or a Slack team id"))
        }
        None => match ids.as_slice() {
            [only] => Ok(*only),
            [] => bail!("no org yet: install the Slack app first"),
            _ => bail!("{} orgs here: choose one with --org", ids.len()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_line_names_each_cause_once() {
        let err =
            anyhow::Error::new(std::io::Error::other("disk full")).context("cannot replace x.db");
        assert_eq!(error_line(&err), "cannot replace x.db: disk full");
        // A cause its parent already shows (`"…: {0}"`) is not repeated.
        #[derive(Debug, thiserror::Error)]
        #[error("DATABASE_URL: cannot connect: {0}")]
        struct Shows(#[source] std::io::Error);
        let err = anyhow::Error::new(Shows(std::io::Error::other("refused")));
        assert_eq!(error_line(&err), "DATABASE_URL: cannot connect: refused");
    }
}
