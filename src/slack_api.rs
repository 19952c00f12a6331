//! The Slack Web API client (infrastructure: it knows no capability): slack-morphism with its rate control on (429
//! retried after `Retry-After`), `SLACK_API_URL` as the base (plain HTTP
//! allowed so tests can point it at a loopback fake), and the bot token
//! looked up per org, decrypted only for the call.
//!
//! Views and messages go out as raw JSON through slack-morphism's generic
//! `http_post`: its typed views drop fields it does not model.

use std::sync::Arc;
use std::time::Duration;

use hyper_rustls::HttpsConnectorBuilder;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;

/// How often and how long an upload is polled until Slack has processed it.
const UPLOAD_READY_EVERY: Duration = Duration::from_millis(200);
const UPLOAD_READY_POLLS: usize = 25;

/// Why a Web API call failed.
#[derive(Debug, thiserror::Error)]
pub enum SlackApiError {
    /// Slack answered `ok: false` with this code.
    #[error("Slack refused the call: {0}")]
    Api(String),
    /// Still rate limited after the retries.
    #[error("Slack rate limit reached; retry after {0:?}")]
    RateLimited(Option<Duration>),
    /// Transport or protocol trouble.
    #[error("Slack could not be reached: {0}")]
    Transport(String),
}

impl From<SlackClientError> for SlackApiError {
    fn from(e: SlackClientError) -> Self {
        match e {
            SlackClientError::ApiError(e) => SlackApiError::Api(e.code),
            SlackClientError::RateLimitError(e) => SlackApiError::RateLimited(e.retry_after),
            SlackClientError::HttpError(e) => {
                SlackApiError::Transport(format!("HTTP {}", e.status_code))
            }
            other => SlackApiError::Transport(other.to_string()),
        }
    }
}

/// What `auth.test` says about a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthInfo {
    /// Workspace id.
    pub team_id: String,
    /// Workspace name.
    pub team: String,
    /// The bot's user id.
    pub user_id: String,
}

/// What `users.info` says about a person.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserInfo {
    /// Workspace admin.
    pub is_admin: bool,
    /// Workspace owner or primary owner.
    pub is_owner: bool,
    /// IANA time zone.
    pub tz: Option<String>,
}

/// The shared client (one connection pool and one rate limiter per process).
#[derive(Clone)]
pub struct SlackApi {
    client: Arc<SlackHyperClient>,
    pacer: Arc<Pacer>,
}

/// One message a second per channel (docs/platform.md A4), for the whole
/// process: each post reserves the channel's next free second and waits
/// for it. slack-morphism's own throttle is not used for posting: it also
/// counts refused (429) attempts and adds a growing penalty, which slowed
/// a 3,000-DM fan-out to 1.7× the time the limits need.
#[derive(Debug, Default)]
struct Pacer {
    next: std::sync::Mutex<std::collections::HashMap<String, tokio::time::Instant>>,
}

impl Pacer {
    const EVERY: Duration = Duration::from_secs(1);

    /// The instant this post may go out.
    fn reserve(&self, key: &str) -> tokio::time::Instant {
        let now = tokio::time::Instant::now();
        let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
        if next.len() > 50_000 {
            next.retain(|_, at| *at > now);
        }
        let slot = next.get(key).copied().filter(|at| *at > now).unwrap_or(now);
        next.insert(key.to_string(), slot + Self::EVERY);
        slot
    }
}

impl std::fmt::Debug for SlackApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SlackApi")
    }
}

impl SlackApi {
    /// Builds the client for `api_url` (`SLACK_API_URL`).
    pub fn new(api_url: &url::Url) -> Result<Self, std::io::Error> {
        let https = HttpsConnectorBuilder::new()
            .with_native_roots()?
            // Plain HTTP only ever goes to a base URL the operator set
            // (tests point it at a loopback fake).
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .build();
        // Slack's tiers apply per method and workspace (docs/platform.md A4):
        // slack-morphism's per-method tier buckets, no workspace-wide cap
        // (one would make a survey fan-out delay every App Home publish).
        let rate_control = SlackApiRateControlConfig::new().with_max_retries(3);
        let connector = SlackClientHyperConnector::with_connector(https)
            .with_rate_control(rate_control)
            .with_slack_api_url(api_url.as_str().trim_end_matches('/'));
        Ok(Self {
            client: Arc::new(SlackClient::new(connector)),
            pacer: Arc::default(),
        })
    }

    fn token(token: &SecretString, team_id: Option<&str>) -> SlackApiToken {
        let t = SlackApiToken::new(SlackApiTokenValue::new(token.expose_secret().to_string()))
            .with_token_type(SlackApiTokenType::Bot);
        // With a team id the tier limits apply per workspace.
        match team_id {
            Some(team) => t.with_team_id(SlackTeamId::new(team.to_string())),
            None => t,
        }
    }

    /// `auth.test`: which workspace and bot a token belongs to.
    pub async fn auth_test(&self, token: &SecretString) -> Result<AuthInfo, SlackApiError> {
        let token = Self::token(token, None);
        let session = self.client.open_session(&token);
        let auth = session.auth_test().await?;
        Ok(AuthInfo {
            team_id: auth.team_id.to_string(),
            team: auth.team,
            user_id: auth.user_id.to_string(),
        })
    }

    /// `apps.connections.open` with the app-level token: a fresh Socket
    /// Mode WebSocket URL.
    pub async fn socket_url(&self, app_token: &SecretString) -> Result<String, SlackApiError> {
        let token = SlackApiToken::new(SlackApiTokenValue::new(
            app_token.expose_secret().to_string(),
        ))
        .with_token_type(SlackApiTokenType::App);
        let session = self.client.open_session(&token);
        let opened = session
            .apps_connections_open(&SlackApiAppsConnectionOpenRequest::new())
            .await?;
        Ok(opened.url.value().to_string())
    }

    /// A handle for one org's calls.
    pub fn for_org(&self, token: &SecretString, team_id: &str) -> OrgSlack {
        OrgSlack {
            client: self.client.clone(),
            token: Self::token(token, Some(team_id)),
            pacer: self.pacer.clone(),
            team: team_id.to_string(),
        }
    }
}

/// Web API calls on behalf of one org's bot.
pub struct OrgSlack {
    client: Arc<SlackHyperClient>,
    token: SlackApiToken,
    pacer: Arc<Pacer>,
    team: String,
}

/// A Tier 4 method's own bucket (100+ a minute per workspace). Slack's
/// tiers apply per method (docs/platform.md A4); slack-morphism's tier configs
/// share one bucket between every method of a tier, so one dashboard's
/// uploads would throttle the next App Home publish.
fn tier4(method: &'static str) -> SlackApiMethodRateControlConfig {
    SlackApiMethodRateControlConfig::new().with_special_rate_limit(
        SlackApiRateControlSpecialLimit::new(
            SlackApiRateControlSpecialLimitKey(method.to_string()),
            SlackApiRateControlLimit::new(100, Duration::from_secs(60)),
        ),
    )
}

impl OrgSlack {
    async fn post(
        &self,
        method: &str,
        body: &Value,
        limit: &SlackApiMethodRateControlConfig,
    ) -> Result<Value, SlackApiError> {
        let session = self.client.open_session(&self.token);
        counted(
            session
                .http_session_api
                .http_post(method, body, Some(limit))
                .await
                .map_err(SlackApiError::from),
        )
    }

    /// `views.publish` for `user`'s Home tab.
    pub async fn views_publish(&self, user: &str, view: &Value) -> Result<(), SlackApiError> {
        self.post(
            "views.publish",
            &json!({ "user_id": user, "view": view }),
            &tier4("views.publish"),
        )
        .await?;
        Ok(())
    }

    /// `views.open` with a fresh `trigger_id`.
    pub async fn views_open(&self, trigger_id: &str, view: &Value) -> Result<(), SlackApiError> {
        self.post(
            "views.open",
            &json!({ "trigger_id": trigger_id, "view": view }),
            &tier4("views.open"),
        )
        .await?;
        Ok(())
    }

    /// `users.info`: admin flags and time zone.
    pub async fn users_info(&self, user: &str) -> Result<UserInfo, SlackApiError> {
        let session = self.client.open_session(&self.token);
        let info: SlackApiUsersInfoResponse = counted(
            session
                .http_session_api
                .http_get(
                    "users.info",
                    &vec![("user", Some(&user.to_string()))],
                    Some(&tier4("users.info")),
                )
                .await
                .map_err(SlackApiError::from),
        )?;
        let flags = &info.user.flags;
        Ok(UserInfo {
            is_admin: flags.is_admin.unwrap_or(false),
            is_owner: flags.is_owner.unwrap_or(false) || flags.is_primary_owner.unwrap_or(false),
            tz: info.user.tz.clone(),
        })
    }

    /// Uploads a PNG with files upload v2 (docs/platform.md A3): get an upload
    /// URL, send the bytes, complete without a channel (the file stays the
    /// bot's own, so this same token must post the blocks that show it),
    /// then wait until `files.info` reports the image processed. Returns
    /// the file id for a `slack_file` image block.
    pub async fn upload_png(
        &self,
        filename: &str,
        title: &str,
        alt_text: &str,
        png: &[u8],
    ) -> Result<String, SlackApiError> {
        let session = self.client.open_session(&self.token);
        let length = png.len().to_string();
        let alt: String = alt_text.chars().take(1000).collect();
        let url: SlackApiFilesGetUploadUrlExternalResponse = session
            .http_session_api
            .http_get(
                "files.getUploadURLExternal",
                &vec![
                    ("filename", Some(&filename.to_string())),
                    ("length", Some(&length)),
                    ("alt_txt", Some(&alt)),
                ],
                Some(&tier4("files.getUploadURLExternal")),
            )
            .await
            .map_err(SlackApiError::from)?;
        // The upload URL is not a Web API method: no tier applies.
        let _: SlackApiFilesUploadViaUrlResponse = session
            .http_session_api
            .http_post_uri_binary(
                url.upload_url.value().clone(),
                "image/png".into(),
                png,
                None,
            )
            .await
            .map_err(SlackApiError::from)?;
        let file_id = url.file_id.to_string();
        self.post(
            "files.completeUploadExternal",
            &json!({ "files": [{ "id": file_id, "title": title }] }),
            &tier4("files.completeUploadExternal"),
        )
        .await?;
        // Processing is asynchronous; a block naming the file before it is
        // ready fails with `invalid_blocks`.
        for _ in 0..UPLOAD_READY_POLLS {
            let info: Result<Value, SlackClientError> = session
                .http_session_api
                .http_get(
                    "files.info",
                    &vec![("file", Some(&file_id))],
                    Some(&tier4("files.info")),
                )
                .await;
            if let Ok(info) = info
                && info.pointer("/file/original_w").is_some()
            {
                return Ok(file_id);
            }
            tokio::time::sleep(UPLOAD_READY_EVERY).await;
        }
        tracing::warn!(
            file_id,
            "Slack had not finished processing the chart; using it anyway"
        );
        Ok(file_id)
    }

    /// `chat.postMessage`, paced per channel (Slack's 1 message per second
    /// rule is per channel), not per workspace as slack-morphism's built-in
    /// limit would: survey DMs to many people go out in parallel.
    /// A user id as `channel` posts in the app's DM with that user; the
    /// answer's `channel` is then the DM's id. Returns `(channel, ts)`.
    pub async fn post_message(
        &self,
        channel: &str,
        message: &Value,
    ) -> Result<(String, String), SlackApiError> {
        let mut body = message.clone();
        if let Some(map) = body.as_object_mut() {
            map.insert("channel".into(), json!(channel));
        }
        let slot = self.pacer.reserve(&format!("{}:{channel}", self.team));
        tokio::time::sleep_until(slot).await;
        // No slack-morphism rate parameters: a 429 is retried after its
        // `Retry-After` only, and the caller decides what happens next.
        let session = self.client.open_session(&self.token);
        let answer: Value = counted(
            session
                .http_session_api
                .http_post("chat.postMessage", &body, None)
                .await
                .map_err(SlackApiError::from),
        )?;
        let field = |k: &str| answer.get(k).and_then(Value::as_str).map(str::to_string);
        match (field("channel"), field("ts")) {
            (Some(c), Some(ts)) => Ok((c, ts)),
            _ => Err(SlackApiError::Transport(
                "chat.postMessage answered without channel or ts".into(),
            )),
        }
    }

    /// `chat.update`: replaces a message the bot posted (Tier 3, counted
    /// per channel here like posting).
    pub async fn update_message(
        &self,
        channel: &str,
        ts: &str,
        message: &Value,
    ) -> Result<(), SlackApiError> {
        let mut body = message.clone();
        if let Some(map) = body.as_object_mut() {
            map.insert("channel".into(), json!(channel));
            map.insert("ts".into(), json!(ts));
        }
        self.post("chat.update", &body, &per_channel("chat.update", channel))
            .await?;
        Ok(())
    }

    /// `conversations.join` (Tier 3): the bot joins a public channel.
    /// Returns the channel's name. Private channels answer
    /// `method_not_supported_for_channel_type` (or `channel_not_found` when
    /// the bot cannot see them): someone must `/invite` the app there.
    pub async fn conversations_join(&self, channel: &str) -> Result<Option<String>, SlackApiError> {
        let answer = self
            .post(
                "conversations.join",
                &json!({ "channel": channel }),
                &SLACK_TIER3_METHOD_CONFIG,
            )
            .await?;
        Ok(answer
            .pointer("/channel/name")
            .and_then(Value::as_str)
            .map(str::to_string))
    }

    /// One page of `users.list` (Tier 2; 200 members a page) and the
    /// cursor of the next page, if any.
    pub async fn users_list(
        &self,
        cursor: Option<&str>,
    ) -> Result<(Vec<SlackMember>, Option<String>), SlackApiError> {
        let session = self.client.open_session(&self.token);
        let limit = "200".to_string();
        let cursor = cursor.map(str::to_string);
        let page: Value = counted(
            session
                .http_session_api
                .http_get(
                    "users.list",
                    &vec![("limit", Some(&limit)), ("cursor", cursor.as_ref())],
                    Some(&SLACK_TIER2_METHOD_CONFIG),
                )
                .await
                .map_err(SlackApiError::from),
        )?;
        let members = page
            .get("members")
            .and_then(Value::as_array)
            .map(|m| m.iter().filter_map(SlackMember::from_json).collect())
            .unwrap_or_default();
        let next = page
            .pointer("/response_metadata/next_cursor")
            .and_then(Value::as_str)
            .filter(|c| !c.is_empty())
            .map(str::to_string);
        Ok((members, next))
    }

    /// The DM channel (`D…`) with `user` (`conversations.open`).
    pub async fn open_dm(&self, user: &str) -> Result<String, SlackApiError> {
        let session = self.client.open_session(&self.token);
        let answer: Value = counted(
            session
                .http_session_api
                .http_post(
                    "conversations.open",
                    &json!({ "users": user }),
                    Some(&SLACK_TIER3_METHOD_CONFIG),
                )
                .await
                .map_err(SlackApiError::from),
        )?;
        answer
            .pointer("/channel/id")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| {
                SlackApiError::Transport("conversations.open answered without a channel".into())
            })
    }

    /// The `ts` of a message among `channel`'s latest 100 whose metadata
    /// is `event_type` with `event_payload.key == value`
    /// (`conversations.history`, Tier 3): whether a message we meant to
    /// post is already there.
    pub async fn find_by_metadata(
        &self,
        channel: &str,
        event_type: &str,
        key: &str,
        value: &str,
    ) -> Result<Option<String>, SlackApiError> {
        let session = self.client.open_session(&self.token);
        let channel = channel.to_string();
        let limit = "100".to_string();
        let all = "true".to_string();
        let page: Value = counted(
            session
                .http_session_api
                .http_get(
                    "conversations.history",
                    &vec![
                        ("channel", Some(&channel)),
                        ("limit", Some(&limit)),
                        ("include_all_metadata", Some(&all)),
                    ],
                    Some(&SLACK_TIER3_METHOD_CONFIG),
                )
                .await
                .map_err(SlackApiError::from),
        )?;
        let found = page
            .get("messages")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|m| {
                m.pointer("/metadata/event_type").and_then(Value::as_str) == Some(event_type)
                    && m.pointer(&format!("/metadata/event_payload/{key}"))
                        .and_then(Value::as_str)
                        == Some(value)
            })
            .and_then(|m| m.get("ts").and_then(Value::as_str))
            .map(str::to_string);
        Ok(found)
    }

    /// The member with this email (`users.lookupByEmail`, Tier 3); `None`
    /// when Slack knows no one by it.
    pub async fn users_lookup_by_email(
        &self,
        email: &str,
    ) -> Result<Option<SlackMember>, SlackApiError> {
        let session = self.client.open_session(&self.token);
        let email = email.to_string();
        let found: Result<Value, _> = session
            .http_session_api
            .http_get(
                "users.lookupByEmail",
                &vec![("email", Some(&email))],
                Some(&SLACK_TIER3_METHOD_CONFIG),
            )
            .await;
        match counted(found.map_err(SlackApiError::from)) {
            Ok(answer) => Ok(answer.get("user").and_then(SlackMember::from_json)),
            Err(SlackApiError::Api(code)) if code == "users_not_found" => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// Counts a Web API call for `/internal/metrics` by how it ended.
fn counted<T>(result: Result<T, SlackApiError>) -> Result<T, SlackApiError> {
    let status = match &result {
        Ok(_) => "ok",
        Err(SlackApiError::RateLimited(_)) => "429",
        Err(SlackApiError::Api(_)) => "refused",
        Err(SlackApiError::Transport(_)) => "transport",
    };
    crate::telemetry::outbound("slack", status);
    result
}

/// A per-channel rate bucket of 1 call a second for `method`.
fn per_channel(method: &str, channel: &str) -> SlackApiMethodRateControlConfig {
    SlackApiMethodRateControlConfig::new().with_special_rate_limit(
        SlackApiRateControlSpecialLimit::new(
            SlackApiRateControlSpecialLimitKey(format!("{method}:{channel}")),
            SlackApiRateControlLimit::new(1, Duration::from_secs(1)),
        ),
    )
}

/// A workspace member as `users.list` describes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlackMember {
    /// `U…`.
    pub id: String,
    /// Real or display name.
    pub name: String,
    /// Profile email (needs `users:read.email`).
    pub email: Option<String>,
    /// IANA time zone.
    pub tz: Option<String>,
    /// A bot or Slackbot.
    pub is_bot: bool,
    /// Deactivated.
    pub deleted: bool,
    /// A guest (single- or multi-channel).
    pub is_guest: bool,
}

impl SlackMember {
    /// A member from Slack's user object (`users.list`, `users.info`,
    /// `users.lookupByEmail`, the `team_join` and `user_change` events).
    pub fn from_json(v: &Value) -> Option<Self> {
        let text = |p: &str| {
            v.pointer(p)
                .and_then(Value::as_str)
                .filter(|s| !s.trim().is_empty())
                .map(str::to_string)
        };
        let flag = |k: &str| v.get(k).and_then(Value::as_bool).unwrap_or(false);
        let id = text("/id")?;
        Some(Self {
            name: text("/profile/real_name")
                .or_else(|| text("/real_name"))
                .or_else(|| text("/name"))
                .unwrap_or_else(|| id.clone()),
            email: text("/profile/email").map(|e| e.trim().to_lowercase()),
            tz: text("/tz"),
            is_bot: flag("is_bot") || flag("is_app_user") || id == "USLACKBOT",
            deleted: flag("deleted"),
            is_guest: flag("is_restricted") || flag("is_ultra_restricted"),
            id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_pacer_spaces_one_channel_by_a_second_and_leaves_others_free() {
        let pacer = Pacer::default();
        let now = tokio::time::Instant::now();
        let first = pacer.reserve("T1:U1");
        let second = pacer.reserve("T1:U1");
        let third = pacer.reserve("T1:U1");
        let other = pacer.reserve("T1:U2");
        assert!(first <= now + Duration::from_millis(50));
        assert_eq!(second - first, Pacer::EVERY);
        assert_eq!(third - second, Pacer::EVERY);
        assert!(
            other <= now + Duration::from_millis(50),
            "another channel waits for nobody"
        );
    }
}
