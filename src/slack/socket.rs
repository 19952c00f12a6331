//! Socket Mode (`SLACK_APP_TOKEN`): the same listeners over a WebSocket,
//! so a self-hosted install needs no public URL. Each envelope is
//! acknowledged with its `envelope_id`, carrying the listener's answer as
//! `payload` (a command's message, a `response_action`, options).

use serde_json::{Value, json};

use super::listeners::{self, Ack};
use super::payload::{Command, EventsBody, Interaction};
use crate::app::AppState;

/// What to do after an envelope.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Send this acknowledgement frame.
    Ack(Value),
    /// Slack asked us to reconnect (`disconnect`).
    Reconnect,
    /// Nothing to send (`hello`, or a frame without an envelope id).
    Nothing,
}

fn ack(envelope_id: &str, answer: Ack) -> Outcome {
    match answer {
        Ack::Empty => Outcome::Ack(json!({ "envelope_id": envelope_id })),
        Ack::Json(payload) => {
            Outcome::Ack(json!({ "envelope_id": envelope_id, "payload": payload }))
        }
    }
}

/// Handles one text frame from the Socket Mode connection.
pub async fn handle_frame(state: &AppState, frame: &str) -> Outcome {
    let Ok(envelope) = serde_json::from_str::<Value>(frame) else {
        tracing::warn!("unparsable Socket Mode frame ignored");
        return Outcome::Nothing;
    };
    let kind = envelope.get("type").and_then(Value::as_str).unwrap_or("");
    match kind {
        "hello" => return Outcome::Nothing,
        "disconnect" => return Outcome::Reconnect,
        _ => {}
    }
    let Some(envelope_id) = envelope.get("envelope_id").and_then(Value::as_str) else {
        tracing::warn!(kind, "Socket Mode frame without envelope_id ignored");
        return Outcome::Nothing;
    };
    let payload = envelope.get("payload").cloned().unwrap_or(Value::Null);
    if let Some(retry) = envelope
        .get("retry_attempt")
        .and_then(Value::as_u64)
        .filter(|r| *r > 0)
    {
        tracing::info!(retry, "Slack retried a Socket Mode envelope");
    }
    let listeners = &state.listeners;
    let answer = match kind {
        "slash_commands" => match Command::from_json(payload) {
            Ok(cmd) => listeners::dispatch_command(state, listeners, cmd).await,
            Err(e) => {
                tracing::warn!(reason = %e, "malformed Socket Mode command");
                Ack::Empty
            }
        },
        "interactive" => match Interaction::from_json(payload) {
            Ok(i) => listeners::dispatch_interaction(state, listeners, i).await,
            Err(e) => {
                tracing::warn!(reason = %e, "malformed Socket Mode interaction");
                Ack::Empty
            }
        },
        "events_api" => {
            match EventsBody::from_value(payload) {
                Ok(EventsBody::Callback(event)) => {
                    listeners::dispatch_event(state, listeners, event).await;
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(reason = %e, "malformed Socket Mode event"),
            }
            Ack::Empty
        }
        other => {
            tracing::warn!(
                kind = other,
                "unknown Socket Mode envelope type; acknowledged"
            );
            Ack::Empty
        }
    };
    ack(envelope_id, answer)
}
