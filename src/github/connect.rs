//! Connecting GitHub with an organisation token (self-hosting) and
//! discovering the organisation: repositories, members and teams.

use secrecy::SecretString;
use serde_json::Value;

use super::client::{GithubClient, GithubError};
use super::ingest::{self, Account};
use crate::crypto::Keyring;
use crate::domain::OrgId;
use crate::store::repositories::{self, NewRepository};
use crate::store::{Db, StoreError, audit, credentials, integrations, teams};

/// The stored credential holding a token-mode GitHub token.
pub const TOKEN: &str = "github_token";

/// Why connecting failed; the message is fit for a modal or a start-up line.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// GitHub refused.
    #[error(transparent)]
    Github(#[from] GithubError),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for ConnectError {
    fn from(e: sqlx::Error) -> Self {
        ConnectError::Store(e.into())
    }
}

/// What discovery found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Discovered {
    /// Repositories (tracked or not).
    pub repositories: usize,
    /// Members.
    pub members: usize,
    /// Teams.
    pub teams: usize,
}

async fn all_pages(
    client: &GithubClient,
    first: &str,
    what: &str,
) -> Result<Vec<Value>, GithubError> {
    let mut items = Vec::new();
    let mut next = Some(first.to_string());
    while let Some(path) = next {
        let (page, following) = client.get(&path, what).await?;
        items.extend(page.as_array().cloned().unwrap_or_default());
        next = following;
    }
    Ok(items)
}

/// Checks the token against the organisation, stores it encrypted and
/// records the connection. Nothing is stored when GitHub refuses.
pub async fn connect_token(
    db: &Db,
    keys: &Keyring,
    api_url: &url::Url,
    org: OrgId,
    login: &str,
    token: &SecretString,
    by: Option<&str>,
) -> Result<GithubClient, ConnectError> {
    let client = GithubClient::with_token(api_url, token)?;
    client
        .get(
            &format!("/orgs/{login}"),
            &format!("organisation `{login}`"),
        )
        .await?;
    let mut tx = db.pool().begin().await?;
    credentials::put(&mut tx, keys, org, TOKEN, token, None).await?;
    integrations::upsert(&mut tx, org, "github", "connected", Some(login), by).await?;
    audit::record(
        &mut tx,
        org,
        by.unwrap_or("system"),
        "github.connected",
        Some(login),
        &serde_json::json!({ "mode": "token" }),
    )
    .await?;
    tx.commit().await?;
    Ok(client)
}

/// The org's GitHub client from its stored token.
pub async fn client_for(
    db: &Db,
    keys: &Keyring,
    api_url: &url::Url,
    org: OrgId,
) -> Result<Option<(GithubClient, String)>, ConnectError> {
    let mut conn = db.pool().acquire().await?;
    let Some(integration) = integrations::get(&mut conn, org, "github").await? else {
        return Ok(None);
    };
    let Some(token) = credentials::get(&mut conn, keys, org, TOKEN).await? else {
        return Ok(None);
    };
    let login = integration.external_id.unwrap_or_default();
    Ok(Some((GithubClient::with_token(api_url, &token)?, login)))
}

/// Imports repositories (active, non-fork ones tracked by default), members
/// and teams with their members. Safe to run again (daily).
pub async fn discover(
    client: &GithubClient,
    db: &Db,
    org: OrgId,
    login: &str,
) -> Result<Discovered, ConnectError> {
    let repos = all_pages(
        client,
        &format!("/orgs/{login}/repos?per_page=100&type=all"),
        "the repositories",
    )
    .await?;
    let members = all_pages(
        client,
        &format!("/orgs/{login}/members?per_page=100"),
        "the members",
    )
    .await?;
    let team_list = all_pages(
        client,
        &format!("/orgs/{login}/teams?per_page=100"),
        "the teams",
    )
    .await?;
    let mut team_members = Vec::new();
    for team in &team_list {
        let Some(slug) = team["slug"].as_str() else {
            continue;
        };
        let people = all_pages(
            client,
            &format!("/orgs/{login}/teams/{slug}/members?per_page=100"),
            "the team members",
        )
        .await?;
        team_members.push((team.clone(), people));
    }

    let mut tx = db.pool().begin().await?;
    for r in &repos {
        let (Some(id), Some(name), Some(owner)) = (
            r["id"].as_i64(),
            r["name"].as_str(),
            r.pointer("/owner/login").and_then(Value::as_str),
        ) else {
            continue;
        };
        repositories::upsert(
            &mut tx,
            org,
            &NewRepository {
                github_repo_id: &id.to_string(),
                owner,
                name,
                default_branch: r["default_branch"].as_str(),
                is_private: r["private"].as_bool().unwrap_or(false),
                is_archived: r["archived"].as_bool().unwrap_or(false),
                is_fork: r["fork"].as_bool().unwrap_or(false),
            },
        )
        .await?;
    }
    let account = |v: &Value| -> Option<Account> {
        Some(Account {
            login: v["login"].as_str()?.to_string(),
            id: v["id"].as_i64().map(|i| i.to_string()),
            is_bot: v["type"].as_str() == Some("Bot"),
        })
    };
    for m in &members {
        if let Some(a) = account(m) {
            ingest::person_for(&mut tx, org, &a).await?;
        }
    }
    for (team, people) in &team_members {
        let (Some(slug), Some(name)) = (team["slug"].as_str(), team["name"].as_str()) else {
            continue;
        };
        let team_id = teams::upsert(
            &mut tx,
            org,
            slug,
            name,
            team["id"].as_i64().map(|i| i.to_string()).as_deref(),
        )
        .await?;
        for p in people {
            if let Some(a) = account(p) {
                let person = ingest::person_for(&mut tx, org, &a).await?;
                teams::add_member(&mut tx, org, team_id, person).await?;
            }
        }
    }
    tx.commit().await?;
    Ok(Discovered {
        repositories: repos.len(),
        members: members.len(),
        teams: team_list.len(),
    })
}
