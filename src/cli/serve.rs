//! Running the service and looking after its data: `serve` and `worker`
//! (one [`serve`] with different options), `migrate` and `keys rotate`.

use anyhow::{Context, anyhow};
use secrecy::ExposeSecret;

use crate::app::{self, App, RunOptions};
use crate::config::Config;
use crate::crypto::{KeySource, load_keyring};
use crate::jobs::WorkerSettings;
use crate::store::{credentials, orgs};

/// The job workers' settings from the configuration.
pub(super) fn worker_settings(config: &Config) -> WorkerSettings {
    WorkerSettings {
        concurrency: config.job_concurrency,
        ..WorkerSettings::default()
    }
}

/// Builds the app and runs it until SIGTERM or Ctrl-C.
pub(super) async fn serve(config: Config, options: RunOptions) -> anyhow::Result<()> {
    let database = config.database_url.to_string();
    let app = App::build(config, options).await?;
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
    app.run_until_stopped().await
}

/// `aimpact migrate`: applies the migrations and exits.
pub(super) async fn migrate(config: &Config) -> anyhow::Result<()> {
    let (db, jobs) = app::connect_and_migrate(config).await?;
    db.close().await;
    jobs.close().await;
    println!("migrations applied to {}", config.database_url);
    Ok(())
}

/// `aimpact keys rotate`: re-encrypts every stored secret under the newest
/// key, in one transaction.
pub(super) async fn rotate_keys(config: &Config) -> anyhow::Result<()> {
    let (keys, _) = load_keyring(
        config.encryption_keys.as_ref().map(|k| k.expose_secret()),
        &config.data_dir,
        false,
    )?;
    let (db, jobs) = app::connect_and_migrate(config).await?;
    jobs.close().await;
    let mut tx = db.begin_write().await.context("DATABASE_URL")?;
    let mut count = 0;
    let org_ids = orgs::list_ids(&mut tx).await?;
    for org in &org_ids {
        // Any failure returns before commit: the transaction rolls back and
        // no secret changes.
        count += credentials::rotate(&mut tx, &keys, *org)
            .await
            .map_err(|e| anyhow!("AIMPACT_ENCRYPTION_KEYS: org {org}: {e}; nothing was changed"))?;
    }
    tx.commit().await.context("DATABASE_URL")?;
    db.close().await;
    println!(
        "re-encrypted {count} secret(s) in {} org(s) under key `{}`; older keys can be removed once every process runs with the new list",
        org_ids.len(),
        keys.current_id()
    );
    Ok(())
}
