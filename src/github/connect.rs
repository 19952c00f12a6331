//! Connecting GitHub with an organisation token (self-hosting) and
//! discovering the organisation: repositories, members and teams.

use secrecy::SecretString;
use serde_json::Value;

use super::client::{GithubClient, GithubError};
use super::ingest::{self, Account};
use crate::config::GithubSettings;
use crate::crypto::Keyring;
use crate::domain::OrgId;
use crate::store::repositories::{self, NewRepository};
use crate::store::{Db, StoreError, audit, credentials, integrations, people, teams};

/// The integration setting saying which repositories are tracked.
pub const REPOS_SETTING: &str = "repos";
/// [`REPOS_SETTING`]: only the ones an admin chose.
pub const REPOS_CHOSEN: &str = "chosen";

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
    /// This deployment lacks a setting the org's connection needs.
    #[error("{0}")]
    NotConfigured(&'static str),
    /// The token's owner is not an active member of the organisation.
    #[error(
        "GitHub shows no active membership of `{0}` for this token: use a token of a member of \
         that organisation (an owner's, so the webhook can be created)"
    )]
    NotMember(String),
    /// Another workspace has this organisation connected.
    #[error("`{0}` is already connected to another Slack workspace")]
    Taken(String),
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

/// 100 items a page: 100,000 repositories, members or teams.
const MAX_REST_PAGES: usize = 1_000;

async fn all_pages(
    client: &GithubClient,
    first: &str,
    what: &str,
) -> Result<Vec<Value>, GithubError> {
    let mut items = Vec::new();
    let mut pages = crate::bounds::Pages::new("a GitHub list", MAX_REST_PAGES);
    let mut next = Some(first.to_string());
    while let Some(path) = next {
        let (page, following) = client.get(&path, what).await?;
        let page = page.as_array().cloned().unwrap_or_default();
        let more = pages.follow(page.len(), following.as_deref())?;
        items.extend(page);
        next = following.filter(|_| more);
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
    // Any token can read a public organisation; only a member's token
    // connects it.
    let membership = client
        .get(
            &format!("/user/memberships/orgs/{login}"),
            &format!("your membership of `{login}`"),
        )
        .await;
    match membership {
        Ok((m, _)) if m["state"].as_str() == Some("active") => {}
        Ok(_) => return Err(ConnectError::NotMember(login.to_string())),
        Err(GithubError::NotFound(_) | GithubError::Forbidden(_)) => {
            return Err(ConnectError::NotMember(login.to_string()));
        }
        Err(e) => return Err(e.into()),
    }
    let mut tx = db.begin_write().await?;
    if let Some(other) = crate::store::orgs::github_login_holder(&mut tx, login).await?
        && other != org
    {
        return Err(ConnectError::Taken(login.to_string()));
    }
    credentials::put(&mut tx, keys, org, TOKEN, token, None).await?;
    integrations::upsert(&mut tx, org, "github", "connected", Some(login), by).await?;
    integrations::merge_settings(
        &mut tx,
        org,
        "github",
        &serde_json::json!({ "mode": "token", "login": login }),
    )
    .await?;
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

/// How an org reaches GitHub, as its integration row says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// A stored organisation token (self-hosting).
    Token {
        /// The organisation login.
        login: String,
    },
    /// An installation of the GitHub App.
    App {
        /// The installation id.
        installation: u64,
        /// The account (organisation) it is installed on.
        login: String,
    },
}

impl Link {
    /// The organisation login.
    pub fn login(&self) -> &str {
        match self {
            Link::Token { login } | Link::App { login, .. } => login,
        }
    }

    /// Reads the link from a connected integration.
    pub fn of(integration: &integrations::Integration) -> Option<Link> {
        if integration.status != "connected" {
            return None;
        }
        let external = integration.external_id.clone().unwrap_or_default();
        let login = integration.setting("login").as_str().map(str::to_string);
        match external.strip_prefix(INSTALLATION_PREFIX) {
            Some(id) => Some(Link::App {
                installation: id.parse().ok()?,
                login: login.unwrap_or_default(),
            }),
            None => Some(Link::Token {
                login: login.unwrap_or(external),
            }),
        }
    }
}

/// `integration.external_id` of an App installation: `installation:<id>`.
pub const INSTALLATION_PREFIX: &str = "installation:";

/// The org's GitHub client and organisation login: its installation's
/// (tokens minted and refreshed by octocrab) or its stored token's.
pub async fn client_for(
    db: &Db,
    keys: &Keyring,
    github: &GithubSettings,
    org: OrgId,
) -> Result<Option<(GithubClient, String)>, ConnectError> {
    let mut conn = db.pool().acquire().await?;
    let Some(integration) = integrations::get(&mut conn, org, "github").await? else {
        return Ok(None);
    };
    match Link::of(&integration) {
        None => Ok(None),
        Some(Link::App {
            installation,
            login,
        }) => {
            let app = github.app.as_ref().ok_or(ConnectError::NotConfigured(
                "this organisation is connected through the GitHub App, but GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY and GITHUB_APP_SLUG are not set here",
            ))?;
            let client = GithubClient::for_installation(&github.api_url, app, installation)?;
            Ok(Some((client, login)))
        }
        Some(Link::Token { login }) => {
            let Some(token) = credentials::get(&mut conn, keys, org, TOKEN).await? else {
                return Ok(None);
            };
            Ok(Some((
                GithubClient::with_token(&github.api_url, &token)?,
                login,
            )))
        }
    }
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

    let mut tx = db.begin_write().await?;
    // With a chosen set, repositories that appear later start untracked.
    let chosen_only = integrations::get(&mut tx, org, "github")
        .await?
        .is_some_and(|g| g.setting(REPOS_SETTING) == REPOS_CHOSEN);
    let known: std::collections::HashSet<String> = repositories::list(&mut tx, org)
        .await?
        .into_iter()
        .map(|r| r.github_repo_id)
        .collect();
    for r in &repos {
        let (Some(id), Some(name), Some(owner)) = (
            r["id"].as_i64(),
            r["name"].as_str(),
            r.pointer("/owner/login").and_then(Value::as_str),
        ) else {
            continue;
        };
        let repo = repositories::upsert(
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
        if chosen_only && !known.contains(&id.to_string()) {
            repositories::set_tracked(&mut tx, org, repo, false).await?;
        }
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

const MEMBERS_QUERY: &str = "query($org: String!, $after: String) {
  organization(login: $org) {
    membersWithRole(first: 100, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { login databaseId name email organizationVerifiedDomainEmails(login: $org) }
    }
  }
  rateLimit { cost remaining resetAt }
}";

/// The same without verified-domain emails, for tokens that may not read them.
const MEMBERS_QUERY_PLAIN: &str = "query($org: String!, $after: String) {
  organization(login: $org) {
    membersWithRole(first: 100, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { login databaseId name email }
    }
  }
  rateLimit { cost remaining resetAt }
}";

/// A member's profile as GraphQL shows it to this token.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    /// Login.
    pub login: String,
    /// Numeric id.
    pub id: Option<String>,
    /// Profile name, when set.
    pub name: Option<String>,
    /// Public email and the org's verified-domain emails, case-folded.
    pub emails: Vec<String>,
}

fn profiles_of(page: &Value) -> Vec<Profile> {
    let nodes = page
        .pointer("/organization/membersWithRole/nodes")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    nodes
        .iter()
        .filter_map(|n| {
            let login = n["login"].as_str()?.to_string();
            let mut emails: Vec<String> = n["email"]
                .as_str()
                .into_iter()
                .chain(
                    n["organizationVerifiedDomainEmails"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str),
                )
                .map(|e| e.trim().to_lowercase())
                .filter(|e| e.contains('@'))
                .collect();
            emails.dedup();
            Some(Profile {
                login,
                id: n["databaseId"].as_i64().map(|i| i.to_string()),
                name: n["name"]
                    .as_str()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
                emails,
            })
        })
        .collect()
}

/// Members' names and emails (public and verified-domain), through
/// GraphQL. Falls back to the query without verified-domain emails when
/// the token may not read them.
pub async fn member_profiles(
    client: &GithubClient,
    login: &str,
) -> Result<Vec<Profile>, GithubError> {
    let mut query = MEMBERS_QUERY;
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = crate::bounds::Pages::new("the organisation's members", MAX_REST_PAGES);
    loop {
        let page = match client
            .graphql(query, serde_json::json!({ "org": login, "after": after }))
            .await
        {
            Ok(page) => page,
            Err(GithubError::Graphql(e)) if query == MEMBERS_QUERY => {
                tracing::info!(error = %e, "verified-domain emails not readable; using public emails");
                query = MEMBERS_QUERY_PLAIN;
                out.clear();
                after = None;
                pages = crate::bounds::Pages::new("the organisation's members", MAX_REST_PAGES);
                continue;
            }
            Err(e) => return Err(e),
        };
        let found = profiles_of(&page);
        let info = page.pointer("/organization/membersWithRole/pageInfo");
        let next = match info {
            Some(i) if i["hasNextPage"].as_bool() == Some(true) => {
                i["endCursor"].as_str().map(str::to_string)
            }
            _ => None,
        };
        let more = pages.follow(found.len(), next.as_deref())?;
        out.extend(found);
        if !more {
            break;
        }
        after = next;
    }
    Ok(out)
}

/// Stores names and emails of members; emails already belonging to
/// someone else are left alone. Returns how many emails were added.
pub async fn store_profiles(
    db: &Db,
    org: OrgId,
    profiles: &[Profile],
) -> Result<usize, ConnectError> {
    let mut tx = db.begin_write().await?;
    let mut added = 0;
    for p in profiles {
        let person = ingest::person_for(
            &mut tx,
            org,
            &Account {
                login: p.login.clone(),
                id: p.id.clone(),
                is_bot: false,
            },
        )
        .await?;
        if let Some(name) = &p.name {
            people::set_display_name(&mut tx, org, person, name).await?;
        }
        for email in &p.emails {
            if people::add_email_if_free(&mut tx, org, person, email).await? {
                added += 1;
            }
        }
    }
    tx.commit().await?;
    Ok(added)
}

/// Gives people whose profile hides their email the address they commit
/// with. Returns how many were found.
pub async fn emails_from_commits(db: &Db, org: OrgId) -> Result<usize, ConnectError> {
    let mut tx = db.begin_write().await?;
    let found = people::commit_emails_for_people_without_email(&mut tx, org).await?;
    let mut added = 0;
    for (person, email) in &found {
        if people::add_email_if_free(&mut tx, org, *person, email).await? {
            added += 1;
        }
    }
    tx.commit().await?;
    Ok(added)
}

/// What became of the organisation webhook in token mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookSetup {
    /// We created it.
    Created,
    /// One pointing here was already there.
    Present,
    /// The token may not manage hooks; the admin adds it by hand.
    NotAllowed,
    /// This deployment has no public URL or webhook secret.
    NotConfigured,
}

impl WebhookSetup {
    /// As stored in the integration's settings.
    pub fn as_str(&self) -> &'static str {
        match self {
            WebhookSetup::Created => "created",
            WebhookSetup::Present => "present",
            WebhookSetup::NotAllowed => "not_allowed",
            WebhookSetup::NotConfigured => "not_configured",
        }
    }
}

/// Events the organisation webhook subscribes to.
pub const WEBHOOK_EVENTS: [&str; 5] = [
    "pull_request",
    "pull_request_review",
    "member",
    "membership",
    "organization",
];

/// The stored credential holding an org's own webhook secret: in a
/// multi-workspace deployment each organisation connected with a token has
/// one, so no workspace's admin can sign deliveries for another's.
pub const HOOK_SECRET: &str = "github_webhook_secret";

/// The org's own webhook secret, made on first use (32 random bytes, hex).
pub async fn own_hook_secret(
    db: &Db,
    keys: &Keyring,
    org: OrgId,
) -> Result<SecretString, ConnectError> {
    let mut tx = db.begin_write().await?;
    if let Some(secret) = credentials::get(&mut tx, keys, org, HOOK_SECRET).await? {
        return Ok(secret);
    }
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret = SecretString::from(hex::encode(bytes));
    credentials::put(&mut tx, keys, org, HOOK_SECRET, &secret, None).await?;
    tx.commit().await?;
    Ok(secret)
}

fn hook_config(url: &url::Url, secret: &SecretString) -> Value {
    use secrecy::ExposeSecret;
    serde_json::json!({
        "url": url.as_str(),
        "content_type": "json",
        "secret": secret.expose_secret(),
        "insecure_ssl": "0",
    })
}

/// Creates the organisation webhook pointing at `hook_url` unless one
/// already does; records the outcome in the integration's settings so App
/// Home can tell the admin what to do. With `rewrite_secret` (the org's own
/// secret), a hook already there gets that secret, since the one it was
/// made with may be another's.
pub async fn ensure_org_webhook(
    client: &GithubClient,
    db: &Db,
    org: OrgId,
    login: &str,
    hook_url: Option<&url::Url>,
    secret: Option<&SecretString>,
    rewrite_secret: bool,
) -> Result<WebhookSetup, ConnectError> {
    let outcome = match (hook_url, secret) {
        (Some(url), Some(secret)) => {
            let hooks = all_pages(
                client,
                &format!("/orgs/{login}/hooks?per_page=100"),
                "the organisation's webhooks",
            )
            .await;
            let ours =
                |h: &&Value| h.pointer("/config/url").and_then(Value::as_str) == Some(url.as_str());
            let created = match hooks {
                Ok(hooks) => match hooks.iter().find(ours).and_then(|h| h["id"].as_i64()) {
                    Some(id) if rewrite_secret => client
                        .patch(
                            &format!("/orgs/{login}/hooks/{id}/config"),
                            &hook_config(url, secret),
                            "the organisation's webhook",
                        )
                        .await
                        .map(|_| WebhookSetup::Present),
                    Some(_) => Ok(WebhookSetup::Present),
                    None => {
                        let body = serde_json::json!({
                            "name": "web",
                            "active": true,
                            "events": WEBHOOK_EVENTS,
                            "config": hook_config(url, secret),
                        });
                        client
                            .post(
                                &format!("/orgs/{login}/hooks"),
                                &body,
                                "the organisation's webhooks",
                            )
                            .await
                            .map(|_| WebhookSetup::Created)
                    }
                },
                Err(e) => Err(e),
            };
            match created {
                Ok(outcome) => outcome,
                Err(GithubError::Forbidden(_) | GithubError::NotFound(_)) => {
                    WebhookSetup::NotAllowed
                }
                Err(e) => return Err(e.into()),
            }
        }
        _ => WebhookSetup::NotConfigured,
    };
    let mut conn = db.pool().acquire().await?;
    integrations::merge_settings(
        &mut conn,
        org,
        "github",
        &serde_json::json!({ "webhook": outcome.as_str() }),
    )
    .await?;
    Ok(outcome)
}

/// Purpose of the `state` that carries an org through the App install.
pub const APP_STATE_PURPOSE: &str = "github_app_install";
/// How long an install link stays valid.
const APP_STATE_TTL_SECS: i64 = 3600;

/// Where App Home's "Connect GitHub" button leads for this org and admin:
/// our own `/github/connect` with a signed, single-use state naming both.
/// That route binds the state to the browser (a cookie) before sending it
/// on to the App's install page. `None` when this deployment has no App.
pub async fn app_install_url(
    db: &Db,
    github: &GithubSettings,
    public_url: Option<&url::Url>,
    org: OrgId,
    slack_user: &str,
) -> Result<Option<url::Url>, ConnectError> {
    let (Some(_), Some(secret), Some(public)) = (&github.app, &github.webhook_secret, public_url)
    else {
        return Ok(None);
    };
    let state = crate::signed_state::issue(
        db,
        secret,
        APP_STATE_PURPOSE,
        org,
        slack_user,
        APP_STATE_TTL_SECS,
    )
    .await?;
    let mut url = public
        .join("github/connect")
        .map_err(|_| ConnectError::NotConfigured("AIMPACT_PUBLIC_URL does not make a URL"))?;
    url.query_pairs_mut().append_pair("state", &state);
    Ok(Some(url))
}

/// The browser cookie an App setup is bound to.
pub const STATE_COOKIE: &str = "aimpact_github_state";

/// How long the install may take.
pub const INSTALL_TTL_SECS: i64 = APP_STATE_TTL_SECS;

/// The nonce of a well-formed state whose tag verifies (it is consumed
/// later, at the setup callback).
pub fn state_nonce(github: &GithubSettings, state: &str) -> Option<String> {
    let secret = github.webhook_secret.as_ref()?;
    crate::signed_state::verify(secret, APP_STATE_PURPOSE, state)
}

/// The App's install page for a state `/github/connect` bound; `None`
/// without an App.
pub fn install_page(github: &GithubSettings, state: &str) -> Option<url::Url> {
    let app = github.app.as_ref()?;
    let mut url = github
        .web_url
        .join(&format!("apps/{}/installations/new", app.slug))
        .ok()?;
    url.query_pairs_mut().append_pair("state", state);
    Some(url)
}

/// Why the App's setup callback could not link an installation.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The link was not made by us, was used already or is too old.
    #[error("this link is not valid any more; start again from aimpact's App Home in Slack")]
    BadState,
    /// The request lacks what GitHub sends.
    #[error("GitHub did not send {0}")]
    Missing(&'static str),
    /// GitHub sent no authorization code: the App does not ask for user
    /// authorization during installation.
    #[error(
        "GitHub did not say who installed the App. The App's settings need \"Request user \
         authorization (OAuth) during installation\" turned on, with the callback URL \
         <AIMPACT_PUBLIC_URL>/github/setup (README, GitHub App setup); nothing was linked"
    )]
    NoAuthorization,
    /// The person who came back cannot access the installation.
    #[error(
        "your GitHub account cannot access this installation of the App, so it was not linked. \
         Ask an owner of the GitHub organisation to open Connect GitHub on aimpact's App Home and \
         finish the setup themselves"
    )]
    NotYours,
    /// The installation is linked to another Slack workspace.
    #[error("this GitHub installation is already connected to another Slack workspace")]
    Taken,
    /// No App configured here.
    #[error("this aimpact has no GitHub App configured (GITHUB_APP_ID)")]
    NoApp,
    /// GitHub or storage failed.
    #[error(transparent)]
    Connect(#[from] ConnectError),
}

impl From<GithubError> for SetupError {
    fn from(e: GithubError) -> Self {
        SetupError::Connect(e.into())
    }
}

impl From<StoreError> for SetupError {
    fn from(e: StoreError) -> Self {
        SetupError::Connect(e.into())
    }
}

impl From<sqlx::Error> for SetupError {
    fn from(e: sqlx::Error) -> Self {
        SetupError::Connect(e.into())
    }
}

/// What the setup callback linked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Linked {
    /// The org.
    pub org: OrgId,
    /// The admin who started it.
    pub slack_user: String,
    /// The GitHub account the App is installed on.
    pub login: String,
}

/// What GitHub's setup redirect carries.
#[derive(Debug, Clone, Copy, Default)]
pub struct SetupReturn<'a> {
    /// Our signed state, passed through the install page.
    pub state: Option<&'a str>,
    /// The installation GitHub says was made or changed.
    pub installation: Option<&'a str>,
    /// The user authorization code ("Request user authorization during
    /// installation").
    pub code: Option<&'a str>,
}

/// Installations of the App listed for one user: 100 a page.
const MAX_INSTALLATION_PAGES: usize = 100;

/// Exchanges the user authorization code for a user access token
/// (`POST {GITHUB_WEB_URL}/login/oauth/access_token`).
async fn user_token(
    http: &reqwest::Client,
    github: &GithubSettings,
    app: &crate::config::GithubAppSettings,
    code: &str,
) -> Result<SecretString, GithubError> {
    use secrecy::ExposeSecret;
    let url = github
        .web_url
        .join("login/oauth/access_token")
        .map_err(|e| GithubError::Transport(e.to_string()))?;
    let response = http
        .post(url)
        .header(reqwest::header::ACCEPT, "application/json")
        .form(&[
            ("client_id", app.client_id.as_str()),
            ("client_secret", app.client_secret.expose_secret()),
            ("code", code),
        ])
        .send()
        .await
        .map_err(|e| GithubError::Transport(e.without_url().to_string()))?;
    let status = response.status();
    let body = crate::bounds::read_capped(response, 64 * 1024)
        .await
        .map_err(|e| GithubError::Transport(e.to_string()))?;
    let body: Value = serde_json::from_slice(&body).unwrap_or_default();
    match body["access_token"].as_str() {
        Some(token) if status.is_success() && !token.is_empty() => {
            Ok(SecretString::from(token.to_string()))
        }
        // GitHub answers 200 with `error` for a bad or used code; its
        // words are not shown (they come from outside), only which kind.
        _ => Err(GithubError::Transport(format!(
            "GitHub refused the authorization code (HTTP {}, {})",
            status.as_u16(),
            match body["error"].as_str() {
                Some("bad_verification_code") => "the code is wrong or was used already",
                Some("incorrect_client_credentials") => {
                    "GITHUB_APP_CLIENT_ID or GITHUB_APP_CLIENT_SECRET is wrong"
                }
                Some("redirect_uri_mismatch") => "the App's callback URL does not match",
                _ => "no access token",
            }
        ))),
    }
}

/// The account login of `installation` when the user token can access it
/// (`GET /user/installations`), else `None`.
async fn users_installation(
    github: &GithubSettings,
    token: &SecretString,
    installation: u64,
) -> Result<Option<String>, GithubError> {
    let client = GithubClient::with_token(&github.api_url, token)?;
    let mut pages = crate::bounds::Pages::new("your installations", MAX_INSTALLATION_PAGES);
    let mut next = Some("/user/installations?per_page=100".to_string());
    while let Some(path) = next {
        let (page, following) = client.get(&path, "your installations of the App").await?;
        let list = page["installations"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if let Some(found) = list.iter().find(|i| i["id"].as_u64() == Some(installation)) {
            return Ok(found
                .pointer("/account/login")
                .and_then(Value::as_str)
                .map(str::to_string));
        }
        let more = pages.follow(list.len(), following.as_deref())?;
        next = following.filter(|_| more);
    }
    Ok(None)
}

/// The App's setup callback: checks the signed state, exchanges the user
/// authorization code GitHub sent with it, and links the installation to
/// the state's org only when `GET /user/installations` shows that the
/// person who completed the setup can access it. The caller has checked
/// that the state belongs to this browser.
pub async fn link_installation(
    db: &Db,
    http: &reqwest::Client,
    github: &GithubSettings,
    back: SetupReturn<'_>,
) -> Result<Linked, SetupError> {
    let (Some(app), Some(secret)) = (&github.app, &github.webhook_secret) else {
        return Err(SetupError::NoApp);
    };
    let state = back.state.ok_or(SetupError::Missing("a state"))?;
    let installation: u64 = back
        .installation
        .and_then(|i| i.trim().parse().ok())
        .ok_or(SetupError::Missing("an installation id"))?;
    let code = back
        .code
        .filter(|c| !c.trim().is_empty())
        .ok_or(SetupError::NoAuthorization)?;
    let (org, slack_user) = crate::signed_state::consume(db, secret, APP_STATE_PURPOSE, state)
        .await?
        .ok_or(SetupError::BadState)?;
    let token = user_token(http, github, app, code).await?;
    let login = users_installation(github, &token, installation)
        .await?
        .ok_or(SetupError::NotYours)?;
    let external = format!("{INSTALLATION_PREFIX}{installation}");
    let mut tx = db.begin_write().await?;
    if let Some(other) =
        crate::store::orgs::find_by_integration(&mut tx, "github", &external).await?
        && other != org
    {
        return Err(SetupError::Taken);
    }
    if let Some(other) = crate::store::orgs::github_login_holder(&mut tx, &login).await?
        && other != org
    {
        return Err(SetupError::Taken);
    }
    integrations::upsert(
        &mut tx,
        org,
        "github",
        "connected",
        Some(&external),
        Some(&slack_user),
    )
    .await?;
    integrations::merge_settings(
        &mut tx,
        org,
        "github",
        &serde_json::json!({ "mode": "app", "login": login, "webhook": "app" }),
    )
    .await?;
    audit::record(
        &mut tx,
        org,
        &slack_user,
        "github.connected",
        Some(&login),
        &serde_json::json!({ "mode": "app", "installation": installation }),
    )
    .await?;
    tx.commit().await?;
    Ok(Linked {
        org,
        slack_user,
        login,
    })
}

/// What connecting with a token set up besides the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connected {
    /// Repositories, members and teams found.
    pub found: Discovered,
    /// The organisation webhook.
    pub webhook: WebhookSetup,
}

/// Which secret an organisation webhook made in token mode is signed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookSecret {
    /// `GITHUB_WEBHOOK_SECRET` (a single-workspace deployment: the operator
    /// is the only admin).
    Deployment,
    /// The org's own ([`HOOK_SECRET`]; multi-workspace deployments).
    Own,
}

/// After a token connect: discovery, member profiles (best effort) and
/// the organisation webhook pointing at `public_url`'s `/github/webhook`.
pub async fn after_token_connect(
    client: &GithubClient,
    db: &Db,
    keys: &Keyring,
    config: &crate::config::Config,
    org: OrgId,
    login: &str,
    hook_secret: HookSecret,
) -> Result<Connected, ConnectError> {
    let (github, public_url) = (&config.github, config.public_url.as_ref());
    let found = discover(client, db, org, login).await?;
    match member_profiles(client, login).await {
        Ok(profiles) => {
            store_profiles(db, org, &profiles).await?;
        }
        Err(e) => tracing::warn!(error = %e, "could not read member profiles"),
    }
    let hook_url = public_url.and_then(|u| u.join("github/webhook").ok());
    let secret = match hook_secret {
        HookSecret::Own if hook_url.is_some() => Some(own_hook_secret(db, keys, org).await?),
        HookSecret::Own => None,
        HookSecret::Deployment => github.webhook_secret.clone(),
    };
    let webhook = ensure_org_webhook(
        client,
        db,
        org,
        login,
        hook_url.as_ref(),
        secret.as_ref(),
        hook_secret == HookSecret::Own,
    )
    .await?;
    Ok(Connected { found, webhook })
}
