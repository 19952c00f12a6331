//! What Slack sends, parsed once into small typed structs. Only the fields
//! the listeners use are modelled; the raw JSON rides along for the rest.

use serde::Deserialize;
use serde_json::Value;

/// Why a body could not be understood (a 400 with this reason).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    /// Not UTF-8.
    #[error("body is not UTF-8")]
    NotUtf8,
    /// Not `application/x-www-form-urlencoded` as expected, or fields missing.
    #[error("malformed form body: {0}")]
    BadForm(String),
    /// The JSON does not parse or lacks required fields.
    #[error("malformed JSON payload: {0}")]
    BadJson(String),
    /// A `type` this app does not handle.
    #[error("unknown payload type `{0}`")]
    UnknownType(String),
}

/// A slash command invocation.
#[derive(Debug, Clone, Deserialize)]
pub struct Command {
    /// `/metrics`.
    pub command: String,
    /// What follows the command.
    #[serde(default)]
    pub text: String,
    /// Workspace (`T…`).
    pub team_id: String,
    /// Invoking user (`U…`).
    pub user_id: String,
    /// Channel it was typed in.
    #[serde(default)]
    pub channel_id: Option<String>,
    /// Where a later answer may be posted (30 minutes, 5 uses).
    #[serde(default)]
    pub response_url: Option<String>,
    /// For opening a modal within 3 seconds.
    #[serde(default)]
    pub trigger_id: Option<String>,
}

impl Command {
    /// Parses a form-encoded body (HTTP).
    pub fn from_form(body: &[u8]) -> Result<Self, PayloadError> {
        std::str::from_utf8(body).map_err(|_| PayloadError::NotUtf8)?;
        serde_urlencoded::from_bytes(body).map_err(|e| PayloadError::BadForm(e.to_string()))
    }

    /// Parses a Socket Mode `slash_commands` payload.
    pub fn from_json(value: Value) -> Result<Self, PayloadError> {
        serde_json::from_value(value).map_err(|e| PayloadError::BadJson(e.to_string()))
    }
}

/// The kinds of interaction payloads the app handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InteractionKind {
    /// A button or select was used.
    BlockActions,
    /// A modal was submitted.
    ViewSubmission,
    /// A modal was closed (only with `notify_on_close`).
    ViewClosed,
    /// A message shortcut.
    MessageShortcut,
    /// A global shortcut.
    GlobalShortcut,
    /// An external select wants options (the options URL).
    BlockSuggestion,
}

/// The action a `block_actions` or `block_suggestion` payload is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionRef {
    /// Stable id from `blocks::ids`.
    pub action_id: String,
    /// Block it sits in.
    pub block_id: Option<String>,
    /// The button's value (or the typed text, for suggestions).
    pub value: Option<String>,
}

/// The view a view payload is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewRef {
    /// Slack's view id.
    pub id: Option<String>,
    /// Our callback id from `blocks::ids::callback`.
    pub callback_id: String,
    /// What we stored in the view.
    pub private_metadata: Option<String>,
}

/// One interaction.
#[derive(Debug, Clone)]
pub struct Interaction {
    /// What kind.
    pub kind: InteractionKind,
    /// Workspace.
    pub team_id: String,
    /// Acting user.
    pub user_id: String,
    /// For opening a modal.
    pub trigger_id: Option<String>,
    /// For answering later.
    pub response_url: Option<String>,
    /// Shortcut callback id.
    pub callback_id: Option<String>,
    /// First action, for `block_actions` and `block_suggestion`.
    pub action: Option<ActionRef>,
    /// The view, for view payloads.
    pub view: Option<ViewRef>,
    /// The whole payload.
    pub raw: Value,
}

fn text(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

impl Interaction {
    /// Parses the `payload` field of a form-encoded body (HTTP).
    pub fn from_form(body: &[u8]) -> Result<Self, PayloadError> {
        std::str::from_utf8(body).map_err(|_| PayloadError::NotUtf8)?;
        #[derive(Deserialize)]
        struct Form {
            payload: String,
        }
        let form: Form =
            serde_urlencoded::from_bytes(body).map_err(|e| PayloadError::BadForm(e.to_string()))?;
        let value: Value = serde_json::from_str(&form.payload)
            .map_err(|e| PayloadError::BadJson(e.to_string()))?;
        Self::from_json(value)
    }

    /// Parses an interaction JSON (HTTP `payload` or Socket Mode).
    pub fn from_json(raw: Value) -> Result<Self, PayloadError> {
        let kind = match raw.get("type").and_then(Value::as_str) {
            Some("block_actions") => InteractionKind::BlockActions,
            Some("view_submission") => InteractionKind::ViewSubmission,
            Some("view_closed") => InteractionKind::ViewClosed,
            Some("message_action") => InteractionKind::MessageShortcut,
            Some("shortcut") => InteractionKind::GlobalShortcut,
            Some("block_suggestion") => InteractionKind::BlockSuggestion,
            Some(other) => return Err(PayloadError::UnknownType(other.to_string())),
            None => return Err(PayloadError::BadJson("no `type`".into())),
        };
        let team_id = text(&raw, "/team/id")
            .or_else(|| text(&raw, "/user/team_id"))
            .ok_or_else(|| PayloadError::BadJson("no `team.id`".into()))?;
        let user_id =
            text(&raw, "/user/id").ok_or_else(|| PayloadError::BadJson("no `user.id`".into()))?;
        let action = match kind {
            InteractionKind::BlockActions => raw.pointer("/actions/0").map(|a| ActionRef {
                action_id: text(a, "/action_id").unwrap_or_default(),
                block_id: text(a, "/block_id"),
                value: text(a, "/value").or_else(|| text(a, "/selected_option/value")),
            }),
            InteractionKind::BlockSuggestion => Some(ActionRef {
                action_id: text(&raw, "/action_id").unwrap_or_default(),
                block_id: text(&raw, "/block_id"),
                value: raw.get("value").and_then(Value::as_str).map(str::to_string),
            }),
            _ => None,
        };
        let view = raw.get("view").filter(|v| v.is_object()).map(|v| ViewRef {
            id: text(v, "/id"),
            callback_id: text(v, "/callback_id").unwrap_or_default(),
            private_metadata: text(v, "/private_metadata"),
        });
        Ok(Self {
            kind,
            team_id,
            user_id,
            trigger_id: text(&raw, "/trigger_id"),
            response_url: text(&raw, "/response_url"),
            callback_id: text(&raw, "/callback_id"),
            action,
            view,
            raw,
        })
    }
}

/// An Events API body.
#[derive(Debug, Clone)]
pub enum EventsBody {
    /// Slack checking the request URL.
    UrlVerification {
        /// To echo back.
        challenge: String,
    },
    /// An event.
    Callback(Event),
    /// Slack telling us we exceeded the event rate.
    RateLimited,
}

/// One event callback.
#[derive(Debug, Clone)]
pub struct Event {
    /// Workspace.
    pub team_id: String,
    /// Unique per event; retries repeat it.
    pub event_id: String,
    /// Inner event type, e.g. `app_home_opened`.
    pub event_type: String,
    /// Inner event's user, if any.
    pub user: Option<String>,
    /// The inner event.
    pub event: Value,
}

impl EventsBody {
    /// Parses an Events API JSON body.
    pub fn from_json(body: &[u8]) -> Result<Self, PayloadError> {
        std::str::from_utf8(body).map_err(|_| PayloadError::NotUtf8)?;
        let raw: Value =
            serde_json::from_slice(body).map_err(|e| PayloadError::BadJson(e.to_string()))?;
        Self::from_value(raw)
    }

    /// Parses an Events API value (HTTP body or Socket Mode payload).
    pub fn from_value(raw: Value) -> Result<Self, PayloadError> {
        match raw.get("type").and_then(Value::as_str) {
            Some("url_verification") => Ok(EventsBody::UrlVerification {
                challenge: text(&raw, "/challenge")
                    .ok_or_else(|| PayloadError::BadJson("no `challenge`".into()))?,
            }),
            Some("app_rate_limited") => Ok(EventsBody::RateLimited),
            Some("event_callback") => {
                let missing = |f: &str| PayloadError::BadJson(format!("no `{f}`"));
                Ok(EventsBody::Callback(Event {
                    team_id: text(&raw, "/team_id").ok_or_else(|| missing("team_id"))?,
                    event_id: text(&raw, "/event_id").ok_or_else(|| missing("event_id"))?,
                    event_type: text(&raw, "/event/type").ok_or_else(|| missing("event.type"))?,
                    user: text(&raw, "/event/user"),
                    event: raw.get("event").cloned().unwrap_or(Value::Null),
                }))
            }
            Some(other) => Err(PayloadError::UnknownType(other.to_string())),
            None => Err(PayloadError::BadJson("no `type`".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_form_parses() {
        let c = Command::from_form(b"command=%2Fmetrics&text=team+platform+7d&team_id=T1&user_id=U1&response_url=https%3A%2F%2Fhooks.slack.com%2Fx").unwrap();
        assert_eq!(c.command, "/metrics");
        assert_eq!(c.text, "team platform 7d");
        assert_eq!(c.response_url.as_deref(), Some("https://hooks.slack.com/x"));
        assert!(matches!(
            Command::from_form(b"text=hi"),
            Err(PayloadError::BadForm(_))
        ));
        assert_eq!(
            Command::from_form(&[0xff, 0xfe]).unwrap_err(),
            PayloadError::NotUtf8
        );
    }

    #[test]
    fn interactions_of_each_kind_parse() {
        let click = serde_json::json!({
            "type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U1"},
            "trigger_id": "1.2.3", "actions": [{"action_id": "setup_github", "block_id": "b", "value": "github"}]
        });
        let i = Interaction::from_json(click).unwrap();
        assert_eq!(i.kind, InteractionKind::BlockActions);
        assert_eq!(i.action.unwrap().action_id, "setup_github");
        let shortcut = serde_json::json!({
            "type": "message_action", "callback_id": "report_ai_issue", "team": {"id": "T1"},
            "user": {"id": "U1"}, "trigger_id": "t"
        });
        assert_eq!(
            Interaction::from_json(shortcut)
                .unwrap()
                .callback_id
                .as_deref(),
            Some("report_ai_issue")
        );
        let unknown = serde_json::json!({"type": "dialog_submission", "team": {"id": "T1"}, "user": {"id": "U1"}});
        assert_eq!(
            Interaction::from_json(unknown).unwrap_err(),
            PayloadError::UnknownType("dialog_submission".into())
        );
        assert!(Interaction::from_form(b"payload=%7Bnot+json").is_err());
        assert!(Interaction::from_form(b"nopayload=1").is_err());
    }

    #[test]
    fn event_bodies_parse() {
        let body = br#"{"type":"url_verification","challenge":"abc","token":"x"}"#;
        assert!(matches!(
            EventsBody::from_json(body).unwrap(),
            EventsBody::UrlVerification { challenge } if challenge == "abc"
        ));
        let body = br#"{"type":"event_callback","team_id":"T1","event_id":"Ev1","event":{"type":"app_home_opened","user":"U1","tab":"home"}}"#;
        let EventsBody::Callback(e) = EventsBody::from_json(body).unwrap() else {
            panic!("callback")
        };
        assert_eq!(
            (e.event_type.as_str(), e.user.as_deref()),
            ("app_home_opened", Some("U1"))
        );
        assert!(EventsBody::from_json(b"{}").is_err());
        assert!(EventsBody::from_json(br#"{"type":"wat"}"#).is_err());
    }
}
