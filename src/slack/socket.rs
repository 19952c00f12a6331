//! Socket Mode (`SLACK_APP_TOKEN`): the same listeners over a WebSocket,
//! so a self-hosted install needs no public URL. The connection loop is our
//! own (tokio-tungstenite, as slack-morphism uses): slack-morphism's
//! listener hands typed events to `fn` callbacks, which would drop fields
//! it does not model and cannot send a bare ack for commands. Each envelope is
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

/// Resolves once shutdown is requested (without holding the watch guard
/// across an await).
async fn stopped(stop: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// Why one connection ended.
enum Ended {
    /// Shutdown was requested.
    Stopped,
    /// Slack asked for a reconnect or closed the socket.
    Reconnect,
}

/// Keeps a Socket Mode connection open until `stop` flips: reconnects when
/// Slack asks (or drops the socket), with backoff after failures.
pub async fn run(
    state: AppState,
    app_token: secrecy::SecretString,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut backoff = std::time::Duration::from_secs(1);
    loop {
        if *stop.borrow() {
            return;
        }
        match connect_once(&state, &app_token, &mut stop).await {
            Ok(Ended::Stopped) => return,
            Ok(Ended::Reconnect) => {
                backoff = std::time::Duration::from_secs(1);
                tracing::info!("Socket Mode reconnecting");
            }
            Err(e) => {
                tracing::warn!(error = %e, retry_in = ?backoff, "Socket Mode connection failed");
                tokio::select! {
                    _ = tokio::time::sleep(backoff) => {}
                    _ = stopped(&mut stop) => return,
                }
                backoff = (backoff * 2).min(std::time::Duration::from_secs(60));
            }
        }
    }
}

async fn connect_once(
    state: &AppState,
    app_token: &secrecy::SecretString,
    stop: &mut tokio::sync::watch::Receiver<bool>,
) -> Result<Ended, String> {
    use futures::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;

    let url = tokio::select! {
        url = state.slack.socket_url(app_token) => url.map_err(|e| e.to_string())?,
        _ = stopped(stop) => return Ok(Ended::Stopped),
    };
    let connected = tokio::select! {
        c = tokio_tungstenite::connect_async(url.as_str()) => c,
        _ = stopped(stop) => return Ok(Ended::Stopped),
    };
    let (ws, _) = connected.map_err(|e| format!("WebSocket connect: {e}"))?;
    tracing::info!("Socket Mode connected");
    let (mut sink, mut stream) = ws.split();
    // Envelopes are handled concurrently; their acks come back here.
    let (acks_tx, mut acks) = tokio::sync::mpsc::channel::<Outcome>(64);
    loop {
        tokio::select! {
            _ = stopped(stop) => {
                let _ = sink.send(Message::Close(None)).await;
                return Ok(Ended::Stopped);
            }
            Some(outcome) = acks.recv() => match outcome {
                Outcome::Ack(frame) => {
                    sink.send(Message::text(frame.to_string()))
                        .await
                        .map_err(|e| format!("WebSocket send: {e}"))?;
                }
                Outcome::Reconnect => return Ok(Ended::Reconnect),
                Outcome::Nothing => {}
            },
            frame = stream.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    let state = state.clone();
                    let acks_tx = acks_tx.clone();
                    tokio::spawn(async move {
                        let outcome = handle_frame(&state, text.as_str()).await;
                        let _ = acks_tx.send(outcome).await;
                    });
                }
                Some(Ok(Message::Ping(data))) => {
                    let _ = sink.send(Message::Pong(data)).await;
                }
                Some(Ok(Message::Close(_))) | None => return Ok(Ended::Reconnect),
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(format!("WebSocket read: {e}")),
            },
        }
    }
}
