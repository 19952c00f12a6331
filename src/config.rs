//! Every setting, read from the environment (and an optional `.env` file),
//! validated once at start. Each problem becomes one line saying what is
//! wrong and what to do; README's configuration table lists the same names
//! and defaults.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use secrecy::SecretString;

use crate::store::DatabaseUrl;

/// Default database: an embedded SQLite file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://aimpact.db";
/// Default listen address: loopback only, so a fresh install is not exposed.
pub const DEFAULT_BIND: &str = "127.0.0.1:3000";

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// All settings of a process.
#[derive(Clone)]
pub struct Config {
    /// `DATABASE_URL`.
    pub database_url: DatabaseUrl,
    /// `AIMPACT_DB_MAX_CONNECTIONS`.
    pub db_max_connections: u32,
    /// `AIMPACT_BIND`.
    pub bind: SocketAddr,
    /// `AIMPACT_DATA_DIR`: where the generated key file lives.
    pub data_dir: PathBuf,
    /// `AIMPACT_ENCRYPTION_KEYS`, parsed later by `crypto::load_keyring`.
    pub encryption_keys: Option<SecretString>,
    /// `AIMPACT_LOG_FORMAT`.
    pub log_format: LogFormat,
    /// `AIMPACT_LOG` (falls back to `RUST_LOG`), a tracing filter.
    pub log_filter: String,
    /// `AIMPACT_BODY_LIMIT_BYTES`.
    pub body_limit_bytes: usize,
    /// `AIMPACT_REQUEST_TIMEOUT_SECS`.
    pub request_timeout: Duration,
    /// `AIMPACT_SHUTDOWN_TIMEOUT_SECS`: how long in-flight work may finish.
    pub shutdown_timeout: Duration,
    /// `AIMPACT_JOB_CONCURRENCY`: jobs one worker process runs at once.
    pub job_concurrency: usize,
    /// `AIMPACT_PUBLIC_URL`: where Slack and browsers reach this app.
    pub public_url: Option<url::Url>,
    /// `AIMPACT_PREVIEW`: serve the local preview pages (`/preview`); only
    /// allowed when `AIMPACT_BIND` is a loopback address. `aimpact demo`
    /// turns it on.
    pub preview: bool,
    /// `AIMPACT_ALLOW_PRIVATE_HOSTS`: lets outbound requests to hosts a
    /// customer names (a Jira site) reach loopback and private addresses.
    /// Off by default; tests and self-hosting next to an internal Jira
    /// turn it on.
    pub outbound_hosts: crate::egress::Hosts,
    /// `AIMPACT_METRICS_TOKEN`: the bearer token `GET /internal/metrics`
    /// (Prometheus) asks for. Without it the endpoint answers only on a
    /// loopback bind.
    pub metrics_token: Option<SecretString>,
    /// Slack settings.
    pub slack: SlackSettings,
    /// GitHub settings.
    pub github: GithubSettings,
    /// Jira settings.
    pub jira: JiraSettings,
}

/// How this app talks to Jira and Atlassian (README, "Jira").
#[derive(Clone)]
pub struct JiraSettings {
    /// `ATLASSIAN_CLIENT_ID`: the distributable OAuth 2.0 (3LO) app.
    pub client_id: Option<String>,
    /// `ATLASSIAN_CLIENT_SECRET`.
    pub client_secret: Option<SecretString>,
    /// `ATLASSIAN_AUTH_URL`: consent and token endpoints' base.
    pub auth_url: url::Url,
    /// `ATLASSIAN_API_URL`: the API gateway (`…/ex/jira/{cloudid}/`) and
    /// accessible resources.
    pub api_url: url::Url,
    /// `JIRA_URL`: a site for the single-workspace install (token mode).
    pub site_url: Option<url::Url>,
    /// `JIRA_EMAIL`: with an API token (Jira Cloud); without it the token
    /// is a personal access token (Data Center).
    pub email: Option<String>,
    /// `JIRA_API_TOKEN`.
    pub api_token: Option<SecretString>,
    /// `JIRA_SYNC_DAYS`: how far back the historical sync reaches.
    pub sync_days: u32,
    /// `JIRA_POINTS_PER_HOUR`: the app-wide OAuth points budget.
    pub points_per_hour: u64,
}

impl fmt::Debug for JiraSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JiraSettings")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[set]"),
            )
            .field("auth_url", &self.auth_url.as_str())
            .field("api_url", &self.api_url.as_str())
            .field("site_url", &self.site_url.as_ref().map(url::Url::as_str))
            .field("email", &self.email)
            .field("api_token", &self.api_token.as_ref().map(|_| "[set]"))
            .field("sync_days", &self.sync_days)
            .field("points_per_hour", &self.points_per_hour)
            .finish()
    }
}

/// How this app talks to GitHub (README, "GitHub").
#[derive(Clone)]
pub struct GithubSettings {
    /// `GITHUB_API_URL`: REST base; GraphQL is `…/graphql` (GitHub
    /// Enterprise Server: `https://host/api/v3`, with GraphQL at `/api/graphql`).
    pub api_url: url::Url,
    /// `GITHUB_TOKEN`: token mode for the single-workspace install.
    pub token: Option<SecretString>,
    /// `GITHUB_ORG`: the organisation `GITHUB_TOKEN` reads.
    pub org: Option<String>,
    /// `GITHUB_WEBHOOK_SECRET`: verifies `X-Hub-Signature-256`.
    pub webhook_secret: Option<SecretString>,
    /// `GITHUB_SYNC_DAYS`: how far back the historical sync reaches.
    pub sync_days: u32,
    /// The GitHub App (`GITHUB_APP_ID`, `GITHUB_APP_PRIVATE_KEY`,
    /// `GITHUB_APP_SLUG`), when this deployment connects through one.
    pub app: Option<GithubAppSettings>,
    /// `GITHUB_WEB_URL`: where people install the App (GitHub Enterprise
    /// Server: `https://host/`).
    pub web_url: url::Url,
}

/// A GitHub App's identity: it signs JWTs to mint installation tokens.
#[derive(Clone)]
pub struct GithubAppSettings {
    /// `GITHUB_APP_ID`.
    pub id: u64,
    /// `GITHUB_APP_SLUG`: the `github.com/apps/<slug>` name.
    pub slug: String,
    /// `GITHUB_APP_PRIVATE_KEY`, parsed.
    pub key: octocrab::EncodingKey,
    /// `GITHUB_APP_CLIENT_ID`: the App's OAuth client id. The setup asks
    /// GitHub to authorise the person installing, so aimpact can check the
    /// installation is theirs before linking it.
    pub client_id: String,
    /// `GITHUB_APP_CLIENT_SECRET`.
    pub client_secret: SecretString,
}

impl fmt::Debug for GithubAppSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GithubAppSettings")
            .field("id", &self.id)
            .field("slug", &self.slug)
            .field("key", &"[set]")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[set]")
            .finish()
    }
}

impl fmt::Debug for GithubSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GithubSettings")
            .field("api_url", &self.api_url.as_str())
            .field("token", &self.token.as_ref().map(|_| "[set]"))
            .field("org", &self.org)
            .field(
                "webhook_secret",
                &self.webhook_secret.as_ref().map(|_| "[set]"),
            )
            .field("sync_days", &self.sync_days)
            .field("app", &self.app)
            .field("web_url", &self.web_url.as_str())
            .finish()
    }
}

/// How this app talks to Slack (README, "Slack app").
#[derive(Clone)]
pub struct SlackSettings {
    /// `SLACK_SIGNING_SECRET`: verifies HTTP requests from Slack.
    pub signing_secret: Option<SecretString>,
    /// `SLACK_BOT_TOKEN`: single-workspace install.
    pub bot_token: Option<SecretString>,
    /// `SLACK_CLIENT_ID`: distribution (OAuth v2) install.
    pub client_id: Option<String>,
    /// `SLACK_CLIENT_SECRET`.
    pub client_secret: Option<SecretString>,
    /// `SLACK_APP_TOKEN` (`xapp-…`): Socket Mode.
    pub app_token: Option<SecretString>,
    /// `SLACK_API_URL`: Web API base, ending in `/`.
    pub api_url: url::Url,
    /// `SLACK_AUTHORIZE_URL`: where installs are sent to approve.
    pub authorize_url: url::Url,
}

impl SlackSettings {
    /// True when OAuth v2 distribution is configured.
    pub fn distribution(&self) -> bool {
        self.client_id.is_some() && self.client_secret.is_some()
    }
}

impl fmt::Debug for SlackSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set = |o: bool| if o { "[set]" } else { "[unset]" };
        f.debug_struct("SlackSettings")
            .field("signing_secret", &set(self.signing_secret.is_some()))
            .field("bot_token", &set(self.bot_token.is_some()))
            .field("client_id", &self.client_id)
            .field("client_secret", &set(self.client_secret.is_some()))
            .field("app_token", &set(self.app_token.is_some()))
            .field("api_url", &self.api_url.as_str())
            .finish()
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &self.database_url)
            .field("bind", &self.bind)
            .field("data_dir", &self.data_dir)
            .field(
                "encryption_keys",
                &self.encryption_keys.as_ref().map(|_| "[redacted]"),
            )
            .field("log_format", &self.log_format)
            .finish_non_exhaustive()
    }
}

/// One invalid setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The variable's name.
    pub setting: &'static str,
    /// What is wrong and what to do.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.setting, self.message)
    }
}

/// All invalid settings found, reported together so one start-up shows
/// everything to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Problems(pub Vec<Problem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

struct Reader<'a> {
    get: &'a dyn Fn(&str) -> Option<String>,
    problems: Vec<Problem>,
}

impl Reader<'_> {
    /// A variable's value; empty counts as unset, as in most deploy tools.
    fn raw(&self, name: &str) -> Option<String> {
        (self.get)(name).filter(|v| !v.trim().is_empty())
    }

    fn problem(&mut self, setting: &'static str, message: impl Into<String>) {
        self.problems.push(Problem {
            setting,
            message: message.into(),
        });
    }

    fn parsed<T: FromStr>(&mut self, name: &'static str, default: T, hint: &str) -> T {
        match self.raw(name) {
            None => default,
            Some(v) => match v.trim().parse() {
                Ok(x) => x,
                Err(_) => {
                    self.problem(name, format!("`{v}` is not {hint}"));
                    default
                }
            },
        }
    }

    fn positive(&mut self, name: &'static str, default: u64, hint: &str) -> u64 {
        let v = self.parsed(name, default, hint);
        if v == 0 {
            self.problem(name, format!("must be at least 1 ({hint})"));
            return default;
        }
        v
    }
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, Problems> {
        Self::from_lookup(&|name| std::env::var(name).ok())
    }

    /// Reads settings through `get`, so tests can pass a map instead of
    /// mutating the process environment.
    pub fn from_lookup(get: &dyn Fn(&str) -> Option<String>) -> Result<Self, Problems> {
        let mut r = Reader {
            get,
            problems: Vec::new(),
        };

        let database_url = {
            let raw = r
                .raw("DATABASE_URL")
                .unwrap_or_else(|| DEFAULT_DATABASE_URL.into());
            match DatabaseUrl::parse(&raw) {
                Ok(url) => Some(url),
                Err(why) => {
                    r.problem("DATABASE_URL", why);
                    None
                }
            }
        };
        let db_max_connections = r.positive(
            "AIMPACT_DB_MAX_CONNECTIONS",
            10,
            "a number of connections such as 10",
        ) as u32;
        let bind = r.parsed(
            "AIMPACT_BIND",
            SocketAddr::from(([127, 0, 0, 1], 3000)),
            "an address and port such as 127.0.0.1:3000 or 0.0.0.0:8080",
        );
        let data_dir = PathBuf::from(r.raw("AIMPACT_DATA_DIR").unwrap_or_else(|| ".".into()));
        let encryption_keys = r.raw("AIMPACT_ENCRYPTION_KEYS").map(SecretString::from);
        let log_format = match r.raw("AIMPACT_LOG_FORMAT").as_deref().map(str::trim) {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                r.problem(
                    "AIMPACT_LOG_FORMAT",
                    format!("`{other}` is not a log format; use `text` or `json`"),
                );
                LogFormat::Text
            }
        };
        let log_filter = r
            .raw("AIMPACT_LOG")
            .or_else(|| r.raw("RUST_LOG"))
            .unwrap_or_else(|| "info".into());
        if tracing_subscriber::EnvFilter::try_new(&log_filter).is_err() {
            r.problem(
                "AIMPACT_LOG",
                format!(
                    "`{log_filter}` is not a log filter; use e.g. `info` or `aimpact=debug,info`"
                ),
            );
        }
        let body_limit_bytes = r.positive(
            "AIMPACT_BODY_LIMIT_BYTES",
            1024 * 1024,
            "a size in bytes such as 1048576",
        ) as usize;
        let request_timeout = Duration::from_secs(r.positive(
            "AIMPACT_REQUEST_TIMEOUT_SECS",
            10,
            "a number of seconds such as 10",
        ));
        let shutdown_timeout = Duration::from_secs(r.positive(
            "AIMPACT_SHUTDOWN_TIMEOUT_SECS",
            20,
            "a number of seconds such as 20",
        ));
        let job_concurrency =
            r.positive("AIMPACT_JOB_CONCURRENCY", 4, "a number of jobs such as 4") as usize;

        let public_url =
            r.raw("AIMPACT_PUBLIC_URL")
                .and_then(|raw| match url::Url::parse(raw.trim()) {
                    Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {
                        Some(u)
                    }
                    _ => {
                        r.problem(
                        "AIMPACT_PUBLIC_URL",
                        format!(
                            "`{raw}` is not an http(s) URL; use e.g. https://aimpact.example.com"
                        ),
                    );
                        None
                    }
                });
        let preview = match r.raw("AIMPACT_PREVIEW").as_deref().map(str::trim) {
            None | Some("" | "0" | "false" | "no" | "off") => false,
            Some("1" | "true" | "yes" | "on") => true,
            Some(other) => {
                r.problem(
                    "AIMPACT_PREVIEW",
                    format!("`{other}` is not on or off; use 1 or 0"),
                );
                false
            }
        };
        if preview && !bind.ip().is_loopback() {
            r.problem(
                "AIMPACT_PREVIEW",
                format!(
                    "the preview shows every workspace's dashboards without sign-in, so it only runs \
                     on a loopback address; AIMPACT_BIND is {bind}. Use 127.0.0.1:PORT or turn the preview off"
                ),
            );
        }
        let outbound_hosts = match r
            .raw("AIMPACT_ALLOW_PRIVATE_HOSTS")
            .as_deref()
            .map(str::trim)
        {
            None | Some("" | "0" | "false" | "no" | "off") => crate::egress::Hosts::Public,
            Some("1" | "true" | "yes" | "on") => crate::egress::Hosts::Any,
            Some(other) => {
                r.problem(
                    "AIMPACT_ALLOW_PRIVATE_HOSTS",
                    format!("`{other}` is not on or off; use 1 or 0"),
                );
                crate::egress::Hosts::Public
            }
        };
        let metrics_token = r
            .raw("AIMPACT_METRICS_TOKEN")
            .filter(|t| !t.trim().is_empty())
            .map(SecretString::from);
        let slack = read_slack(&mut r, public_url.is_some());
        let github = read_github(&mut r, public_url.is_some());
        let jira = read_jira(&mut r, public_url.is_some());

        match database_url {
            Some(database_url) if r.problems.is_empty() => Ok(Config {
                database_url,
                db_max_connections,
                bind,
                data_dir,
                encryption_keys,
                log_format,
                log_filter,
                body_limit_bytes,
                request_timeout,
                shutdown_timeout,
                job_concurrency,
                public_url,
                preview,
                outbound_hosts,
                metrics_token,
                slack,
                github,
                jira,
            }),
            _ => Err(Problems(r.problems)),
        }
    }
}

/// A URL setting; `base` URLs get a trailing slash so joining a method name
/// keeps their path (`…/api/` + `auth.test`).
fn url_setting(r: &mut Reader<'_>, name: &'static str, default: &str, base: bool) -> url::Url {
    let raw = r.raw(name).unwrap_or_else(|| default.to_string());
    let with_slash = if raw.ends_with('/') || !base {
        raw.clone()
    } else {
        format!("{raw}/")
    };
    match url::Url::parse(with_slash.trim()) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => u,
        _ => {
            r.problem(name, format!("`{raw}` is not an http(s) URL"));
            // The default is a valid literal; parsing it cannot fail.
            url::Url::parse(default).unwrap_or_else(|_| unreachable!("default URL"))
        }
    }
}

fn read_slack(r: &mut Reader<'_>, has_public_url: bool) -> SlackSettings {
    let secret = |r: &Reader<'_>, name: &str| {
        r.raw(name)
            .map(|v| SecretString::from(v.trim().to_string()))
    };
    let bot_token = secret(r, "SLACK_BOT_TOKEN");
    if let Some(token) = &bot_token {
        use secrecy::ExposeSecret;
        if !token.expose_secret().starts_with("xoxb-") {
            r.problem(
                "SLACK_BOT_TOKEN",
                "is not a bot token (it starts with `xoxb-`); copy it from OAuth & Permissions",
            );
        }
    }
    let app_token = secret(r, "SLACK_APP_TOKEN");
    if let Some(token) = &app_token {
        use secrecy::ExposeSecret;
        if !token.expose_secret().starts_with("xapp-") {
            r.problem("SLACK_APP_TOKEN", "is not an app-level token (it starts with `xapp-`); create one with the connections:write scope under Basic Information");
        }
    }
    let client_id = r.raw("SLACK_CLIENT_ID").map(|v| v.trim().to_string());
    let client_secret = secret(r, "SLACK_CLIENT_SECRET");
    match (&client_id, &client_secret) {
        (Some(_), None) => r.problem("SLACK_CLIENT_SECRET", "must be set with SLACK_CLIENT_ID (Basic Information → App Credentials)"),
        (None, Some(_)) => r.problem("SLACK_CLIENT_ID", "must be set with SLACK_CLIENT_SECRET (Basic Information → App Credentials)"),
        (Some(_), Some(_)) if !has_public_url => r.problem("AIMPACT_PUBLIC_URL", "must be set for the OAuth install (SLACK_CLIENT_ID): it is where Slack sends installers back to"),
        _ => {}
    }
    let signing_secret = secret(r, "SLACK_SIGNING_SECRET");
    if signing_secret.is_none()
        && app_token.is_none()
        && (bot_token.is_some() || client_id.is_some())
    {
        r.problem("SLACK_SIGNING_SECRET", "must be set to verify requests from Slack (Basic Information → App Credentials), unless Socket Mode is used (SLACK_APP_TOKEN)");
    }
    SlackSettings {
        signing_secret,
        bot_token,
        client_id,
        client_secret,
        app_token,
        api_url: url_setting(r, "SLACK_API_URL", "https://slack.com/api/", true),
        authorize_url: url_setting(
            r,
            "SLACK_AUTHORIZE_URL",
            "https://slack.com/oauth/v2/authorize",
            false,
        ),
    }
}

fn read_github(r: &mut Reader<'_>, has_public_url: bool) -> GithubSettings {
    let token = r
        .raw("GITHUB_TOKEN")
        .map(|v| SecretString::from(v.trim().to_string()));
    let org = r.raw("GITHUB_ORG").map(|v| v.trim().to_string());
    match (&token, &org) {
        (Some(_), None) => r.problem("GITHUB_ORG", "must be set with GITHUB_TOKEN: the organisation to read, e.g. `acme`"),
        (None, Some(_)) => r.problem("GITHUB_TOKEN", "must be set with GITHUB_ORG: a token that can read the organisation's members and pull requests"),
        _ => {}
    }
    if let Some(org) = &org
        && !org.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        r.problem(
            "GITHUB_ORG",
            format!("`{org}` is not a GitHub organisation login (letters, digits and `-`)"),
        );
    }
    let sync_days = r.positive("GITHUB_SYNC_DAYS", 90, "a number of days such as 90") as u32;
    let app = read_github_app(r, has_public_url);
    GithubSettings {
        app,
        web_url: url_setting(r, "GITHUB_WEB_URL", "https://github.com/", true),
        api_url: url_setting(r, "GITHUB_API_URL", "https://api.github.com/", true),
        token,
        org,
        webhook_secret: r
            .raw("GITHUB_WEBHOOK_SECRET")
            .map(|v| SecretString::from(v.trim().to_string())),
        sync_days,
    }
}

fn read_jira(r: &mut Reader<'_>, has_public_url: bool) -> JiraSettings {
    let secret = |r: &Reader<'_>, name: &str| {
        r.raw(name)
            .map(|v| SecretString::from(v.trim().to_string()))
    };
    let client_id = r.raw("ATLASSIAN_CLIENT_ID").map(|v| v.trim().to_string());
    let client_secret = secret(r, "ATLASSIAN_CLIENT_SECRET");
    match (&client_id, &client_secret) {
        (Some(_), None) => r.problem(
            "ATLASSIAN_CLIENT_SECRET",
            "must be set with ATLASSIAN_CLIENT_ID (the OAuth 2.0 app's secret)",
        ),
        (None, Some(_)) => r.problem(
            "ATLASSIAN_CLIENT_ID",
            "must be set with ATLASSIAN_CLIENT_SECRET",
        ),
        (Some(_), Some(_)) if !has_public_url => r.problem(
            "AIMPACT_PUBLIC_URL",
            "must be set for Jira OAuth (ATLASSIAN_CLIENT_ID): Atlassian sends admins back to it",
        ),
        _ => {}
    }
    let site_url = r.raw("JIRA_URL").and_then(|raw| {
        let with_slash = if raw.trim().ends_with('/') {
            raw.trim().to_string()
        } else {
            format!("{}/", raw.trim())
        };
        match url::Url::parse(&with_slash) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Some(u),
            _ => {
                r.problem(
                    "JIRA_URL",
                    format!("`{raw}` is not an http(s) URL; use e.g. https://acme.atlassian.net"),
                );
                None
            }
        }
    });
    let email = r.raw("JIRA_EMAIL").map(|v| v.trim().to_string());
    let api_token = secret(r, "JIRA_API_TOKEN");
    match (&site_url, &api_token) {
        (Some(_), None) => r.problem(
            "JIRA_API_TOKEN",
            "must be set with JIRA_URL: an API token (with JIRA_EMAIL) or a personal access token",
        ),
        (None, Some(_)) => r.problem(
            "JIRA_URL",
            "must be set with JIRA_API_TOKEN: the site, e.g. https://acme.atlassian.net",
        ),
        _ => {}
    }
    if email.as_deref().is_some_and(|e| !e.contains('@')) {
        r.problem(
            "JIRA_EMAIL",
            "is not an email address (the Atlassian account the API token belongs to)",
        );
    }
    JiraSettings {
        client_id,
        client_secret,
        auth_url: url_setting(r, "ATLASSIAN_AUTH_URL", "https://auth.atlassian.com/", true),
        api_url: url_setting(r, "ATLASSIAN_API_URL", "https://api.atlassian.com/", true),
        site_url,
        email,
        api_token,
        sync_days: r.positive("JIRA_SYNC_DAYS", 180, "a number of days such as 180") as u32,
        points_per_hour: r.positive(
            "JIRA_POINTS_PER_HOUR",
            65_000,
            "Atlassian's hourly points quota for the app, such as 65000",
        ),
    }
}

/// The App settings come as a set of three, with the webhook secret.
fn read_github_app(r: &mut Reader<'_>, has_public_url: bool) -> Option<GithubAppSettings> {
    let id = r.raw("GITHUB_APP_ID");
    let key = r.raw("GITHUB_APP_PRIVATE_KEY");
    let slug = r.raw("GITHUB_APP_SLUG");
    let client_id = r.raw("GITHUB_APP_CLIENT_ID");
    let client_secret = r.raw("GITHUB_APP_CLIENT_SECRET");
    if id.is_none() && key.is_none() && slug.is_none() {
        return None;
    }
    for (name, value) in [
        ("GITHUB_APP_ID", &id),
        ("GITHUB_APP_PRIVATE_KEY", &key),
        ("GITHUB_APP_SLUG", &slug),
    ] {
        if value.is_none() {
            r.problem(
                name,
                "must be set with the other GITHUB_APP_* settings (see the App's settings page on GitHub)",
            );
        }
    }
    for (name, value) in [
        ("GITHUB_APP_CLIENT_ID", &client_id),
        ("GITHUB_APP_CLIENT_SECRET", &client_secret),
    ] {
        if value.is_none() {
            r.problem(
                name,
                "must be set with GITHUB_APP_ID: the App's OAuth client id and secret (App settings → General), \
                 so the setup can check that the person installing may access the installation",
            );
        }
    }
    if !has_public_url {
        r.problem(
            "AIMPACT_PUBLIC_URL",
            "must be set with GITHUB_APP_ID: GitHub sends admins back to <AIMPACT_PUBLIC_URL>/github/setup",
        );
    }
    if r.raw("GITHUB_WEBHOOK_SECRET").is_none() {
        r.problem(
            "GITHUB_WEBHOOK_SECRET",
            "must be set with GITHUB_APP_ID: the App's webhook secret, so deliveries can be verified",
        );
    }
    let id = id.and_then(|raw| match raw.trim().parse::<u64>() {
        Ok(v) if v > 0 => Some(v),
        _ => {
            r.problem(
                "GITHUB_APP_ID",
                format!("`{raw}` is not an App ID (a number such as 123456)"),
            );
            None
        }
    });
    let slug = slug.map(|s| s.trim().to_string()).and_then(|s| {
        if s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            Some(s)
        } else {
            r.problem(
                "GITHUB_APP_SLUG",
                format!("`{s}` is not an App slug (the name in github.com/apps/<slug>)"),
            );
            None
        }
    });
    let key = key.and_then(|raw| {
        let raw = raw.trim();
        let pem = if raw.starts_with("-----BEGIN") {
            // Environments often carry newlines escaped.
            raw.replace("\\n", "\n").into_bytes()
        } else {
            match std::fs::read(raw) {
                Ok(bytes) => bytes,
                Err(e) => {
                    r.problem(
                        "GITHUB_APP_PRIVATE_KEY",
                        format!("is neither PEM text nor a readable file ({e})"),
                    );
                    return None;
                }
            }
        };
        match octocrab::EncodingKey::from_rsa_pem(&pem) {
            Ok(key) => Some(key),
            Err(_) => {
                r.problem(
                    "GITHUB_APP_PRIVATE_KEY",
                    "is not an RSA private key in PEM form; download one from the App's settings page",
                );
                None
            }
        }
    });
    Some(GithubAppSettings {
        id: id?,
        slug: slug?,
        key: key?,
        client_id: client_id?.trim().to_string(),
        client_secret: SecretString::from(client_secret?.trim().to_string()),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, Problems> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(&move |k| map.get(k).cloned())
    }

    #[test]
    fn no_configuration_at_all_gives_the_embedded_defaults() {
        let c = config(&[]).unwrap();
        assert!(c.database_url.is_sqlite());
        assert_eq!(c.bind.to_string(), DEFAULT_BIND);
        assert_eq!(c.log_format, LogFormat::Text);
        assert!(c.encryption_keys.is_none());
    }

    #[test]
    fn every_bad_setting_is_reported_on_its_own_line() {
        let err = config(&[
            ("DATABASE_URL", "mysql://x"),
            ("AIMPACT_BIND", "nowhere"),
            ("AIMPACT_LOG_FORMAT", "xml"),
            ("AIMPACT_JOB_CONCURRENCY", "0"),
        ])
        .unwrap_err();
        let settings: Vec<_> = err.0.iter().map(|p| p.setting).collect();
        assert_eq!(
            settings,
            [
                "DATABASE_URL",
                "AIMPACT_BIND",
                "AIMPACT_LOG_FORMAT",
                "AIMPACT_JOB_CONCURRENCY"
            ]
        );
        assert_eq!(err.to_string().lines().count(), 4);
    }

    #[test]
    fn slack_settings_are_checked_together() {
        let err = config(&[
            ("SLACK_BOT_TOKEN", "xoxp-user-token"),
            ("SLACK_CLIENT_ID", "123.456"),
        ])
        .unwrap_err();
        let settings: Vec<_> = err.0.iter().map(|p| p.setting).collect();
        assert_eq!(
            settings,
            [
                "SLACK_BOT_TOKEN",
                "SLACK_CLIENT_SECRET",
                "SLACK_SIGNING_SECRET"
            ]
        );
        let ok = config(&[
            ("SLACK_BOT_TOKEN", "xoxb-1"),
            ("SLACK_SIGNING_SECRET", "s"),
            ("SLACK_API_URL", "http://127.0.0.1:9/api"),
        ])
        .unwrap();
        assert_eq!(ok.slack.api_url.as_str(), "http://127.0.0.1:9/api/");
        assert!(!format!("{:?}", ok.slack).contains("xoxb-1"));
    }

    #[test]
    fn github_app_settings_come_together_and_the_key_must_parse() {
        let key = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/github/test-app-key.pem"
        );
        let pem = std::fs::read_to_string(key).unwrap();
        let ok = config(&[
            ("GITHUB_APP_ID", "1234"),
            ("GITHUB_APP_SLUG", "aimpact"),
            ("GITHUB_APP_PRIVATE_KEY", key),
            ("GITHUB_APP_CLIENT_ID", "Iv1.abc"),
            ("GITHUB_APP_CLIENT_SECRET", "client-secret-value"),
            ("GITHUB_WEBHOOK_SECRET", "s"),
            ("AIMPACT_PUBLIC_URL", "https://aimpact.example"),
        ])
        .unwrap();
        let app = ok.github.app.as_ref().unwrap();
        assert_eq!((app.id, app.slug.as_str()), (1234, "aimpact"));
        assert_eq!(app.client_id, "Iv1.abc");
        assert!(!format!("{:?}", ok.github).contains("PRIVATE"));
        assert!(!format!("{:?}", ok.github).contains("client-secret-value"));
        // PEM text with escaped newlines, as environments often carry it.
        let escaped = pem.trim().replace('\n', "\\n");
        assert!(
            config(&[
                ("GITHUB_APP_ID", "1"),
                ("GITHUB_APP_SLUG", "a"),
                ("GITHUB_APP_PRIVATE_KEY", &escaped),
                ("GITHUB_APP_CLIENT_ID", "Iv1.abc"),
                ("GITHUB_APP_CLIENT_SECRET", "x"),
                ("GITHUB_WEBHOOK_SECRET", "s"),
                ("AIMPACT_PUBLIC_URL", "https://aimpact.example"),
            ])
            .is_ok()
        );
        let bad = config(&[
            ("GITHUB_APP_ID", "twelve"),
            (
                "GITHUB_APP_PRIVATE_KEY",
                "-----BEGIN RSA PRIVATE KEY-----\nnope",
            ),
        ])
        .unwrap_err()
        .to_string();
        for expected in [
            "GITHUB_APP_ID: `twelve` is not an App ID",
            "GITHUB_APP_SLUG: must be set",
            "GITHUB_APP_PRIVATE_KEY: is not an RSA private key",
            "GITHUB_WEBHOOK_SECRET: must be set with GITHUB_APP_ID",
            "GITHUB_APP_CLIENT_ID: must be set with GITHUB_APP_ID",
            "GITHUB_APP_CLIENT_SECRET: must be set with GITHUB_APP_ID",
            "AIMPACT_PUBLIC_URL: must be set with GITHUB_APP_ID",
        ] {
            assert!(bad.contains(expected), "{expected} in {bad}");
        }
        let missing_file = config(&[
            ("GITHUB_APP_ID", "1"),
            ("GITHUB_APP_SLUG", "a"),
            ("GITHUB_APP_PRIVATE_KEY", "/nonexistent/key.pem"),
            ("GITHUB_WEBHOOK_SECRET", "s"),
        ])
        .unwrap_err()
        .to_string();
        assert!(missing_file.contains("neither PEM text nor a readable file"));
    }

    #[test]
    fn debug_never_prints_the_keys() {
        let c = config(&[("AIMPACT_ENCRYPTION_KEYS", "k1:c2VjcmV0")]).unwrap();
        assert!(!format!("{c:?}").contains("c2VjcmV0"));
    }
}
