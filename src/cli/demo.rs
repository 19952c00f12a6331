//! `aimpact demo`: a fresh demo database with the synthetic org of
//! [`crate::demo`], rollups computed, then `serve` with the preview on.

use anyhow::{Context, bail};

use super::serve::{serve, worker_settings};
use crate::app::{self, RunOptions};
use crate::config::Config;

/// `aimpact demo`: a fresh demo database, rollups computed, then `serve`
/// with the preview on.
pub(super) async fn demo(mut config: Config, seed: u64, no_serve: bool) -> anyhow::Result<()> {
    let path = config.data_dir.join("aimpact-demo.db");
    for suffix in ["", "-wal", "-shm"] {
        let file = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
        if file.exists() {
            std::fs::remove_file(&file)
                .with_context(|| format!("cannot replace {}", file.display()))?;
        }
    }
    config.database_url = crate::store::DatabaseUrl::parse(&format!("sqlite://{}", path.display()))
        .map_err(anyhow::Error::msg)
        .context("AIMPACT_DATA_DIR")?;
    if !config.bind.ip().is_loopback() {
        bail!(
            "AIMPACT_BIND: the demo serves its preview without sign-in, so it only listens on a \
             loopback address; {} is not one",
            config.bind
        );
    }
    config.preview = true;
    let started = std::time::Instant::now();
    let (db, jobs) = app::connect_and_migrate(&config).await?;
    jobs.close().await;
    let made = crate::demo::seed(&db, crate::store::unix_now(), seed)
        .await
        .context("demo data")?;
    crate::dashboard::rollups::refresh(&db, made.org, true)
        .await
        .context("demo rollups")?;
    // The demo's integrations have no credentials: keep the daily syncs
    // from trying (and failing) for a day.
    for task in [crate::github::job::DAILY, crate::jira::job::DAILY] {
        crate::jobs::schedule::mark_ran(&db, made.org, task).await?;
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
