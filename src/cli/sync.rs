//! `aimpact sync github` and `aimpact sync jira`: one org's sync in the
//! foreground, with progress on stderr, through the same code as the
//! background jobs.

use std::io::Write;

use anyhow::Context;
use secrecy::ExposeSecret;

use super::pick_org;
use crate::app;
use crate::config::Config;
use crate::crypto::{Keyring, load_keyring};
use crate::domain::OrgId;
use crate::store::Db;

/// Keys, the migrated store and the chosen org, for a foreground sync.
async fn open_for_sync(config: &Config, org: Option<&str>) -> anyhow::Result<(Keyring, Db, OrgId)> {
    let (keys, _) = load_keyring(
        config.encryption_keys.as_ref().map(|k| k.expose_secret()),
        &config.data_dir,
        false,
    )?;
    let (db, jobs) = app::connect_and_migrate(config).await?;
    jobs.close().await;
    let org = pick_org(&db, org).await?;
    Ok((keys, db, org))
}

/// `aimpact sync github`: pull requests, reviews and commits of every
/// tracked repository.
pub(super) async fn sync_github(
    config: &Config,
    org: Option<&str>,
    full: bool,
) -> anyhow::Result<()> {
    let (keys, db, org) = open_for_sync(config, org).await?;
    let (client, _) = crate::github::connect::client_for(&db, &keys, &config.github, org)
        .await?
        .context("GitHub is not connected for this org: set GITHUB_TOKEN and GITHUB_ORG, or connect it from App Home")?;
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
    .await?;
    eprintln!();
    db.close().await;
    println!("synced {stored} pull request(s)");
    Ok(())
}

/// `aimpact sync jira`: issues, changelogs and sprints of the chosen Jira
/// projects (after discovering projects and fields).
pub(super) async fn sync_jira(
    config: &Config,
    org: Option<&str>,
    full: bool,
) -> anyhow::Result<()> {
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
    let client = crate::jira::connect::client_for(&jira, org)
        .await?
        .context("Jira is not connected for this org: set JIRA_URL and JIRA_API_TOKEN, or connect it from App Home")?;
    crate::jira::sync::discover(&client, &db, org).await?;
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
    .await?;
    eprintln!();
    db.close().await;
    println!("synced {stored} issue(s)");
    Ok(())
}
