//! Socket Mode (`SLACK_APP_TOKEN`): the same listeners over a WebSocket,
//! so a self-hosted install needs no public URL. The connection loop is our
//! own (tokio-tungstenite, as slack-morphism uses): slack-morphism's
//! listener hands typed events to `fn` callbacks, which would drop fields
//! it does not model and cannot send a bare ack for commands. Each envelope is
//! acknowledged with its `envelope_id`, carrying the listener's answer as
//! `payload` (a command's message, a `response_action`, options).
//!
//! When Slack warns that a connection will close (`disconnect`, about ten
//! seconds ahead), the new connection is opened first and the old one keeps
//! acknowledging what is in flight until Slack closes it. After
//! `link_disabled` (Socket Mode turned off for the app) nothing reconnects:
//! the log and the admins' App Home say why.

use serde_json::{Value, json};

use super::listeners::{self, Ack};
use super::payload::{Command, EventsBody, Interaction};
use crate::state::AppState;

/// What to do after an envelope.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Send this acknowledgement frame.
    Ack(Value),
    /// Slack will close this connection soon (`disconnect`): open the next.
    Reconnect,
    /// Socket Mode was turned off for the app (`disconnect`,
    /// `link_disabled`): stop reconnecting.
    LinkDisabled,
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
        "disconnect" => {
            let reason = envelope.get("reason").and_then(Value::as_str).unwrap_or("");
            tracing::info!(reason, "Slack will close this Socket Mode connection");
            return if reason == "link_disabled" {
                Outcome::LinkDisabled
            } else {
                Outcome::Reconnect
            };
        }
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
    let listeners = &*listeners::of(state);
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

/// What a connection tells the loop that keeps Socket Mode up.
#[derive(Debug)]
enum Said {
    /// Slack will close it soon: open the next one now (it keeps serving
    /// until Slack closes it).
    Replace,
    /// It closed.
    Closed,
    /// It failed (read or write error).
    Failed(String),
    /// Socket Mode was turned off for the app.
    LinkDisabled,
}

/// App Home's name for a Socket Mode problem (job_state).
pub const PROBLEM: &str = "slack.socket";

/// What admins are told after `link_disabled`.
const LINK_DISABLED: &str = "Slack turned Socket Mode off for this app (link_disabled), so aimpact \
     no longer receives commands, clicks or events. Turn Socket Mode back on in the app's \
     settings (or set the request URLs and unset SLACK_APP_TOKEN), then restart aimpact";

/// Keeps a Socket Mode connection open until `stop` flips: a replacement
/// is opened as soon as Slack warns of a close (the old one keeps
/// acknowledging in-flight envelopes until Slack closes it), with backoff
/// after failures; after `link_disabled`, it stops and says why.
pub async fn run(
    state: AppState,
    app_token: secrecy::SecretString,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let (said_tx, mut said) = tokio::sync::mpsc::channel::<(u64, Said)>(16);
    let mut backoff = std::time::Duration::from_secs(1);
    let mut id = 0u64;
    'connect: loop {
        if *stop.borrow() {
            return;
        }
        let ws = tokio::select! {
            ws = open(&state, &app_token) => ws,
            _ = stopped(&mut stop) => return,
        };
        match ws {
            Ok(ws) => {
                id += 1;
                backoff = std::time::Duration::from_secs(1);
                tracing::info!(connection = id, "Socket Mode connected");
                problem_solved(&state).await;
                tokio::spawn(serve(state.clone(), ws, id, said_tx.clone(), stop.clone()));
            }
            Err(e) => {
                tracing::warn!(error = format!("{e:#}"), retry_in = ?backoff, "Socket Mode connection failed");
                tokio::select! {
                    _ = tokio::time::sleep(backoff) => {}
                    _ = stopped(&mut stop) => return,
                }
                backoff = (backoff * 2).min(std::time::Duration::from_secs(60));
                continue 'connect;
            }
        }
        loop {
            let (from, what) = tokio::select! {
                Some(m) = said.recv() => m,
                _ = stopped(&mut stop) => return,
            };
            // Only the newest connection decides; older ones are draining.
            if from != id {
                continue;
            }
            match what {
                Said::Replace | Said::Closed => {
                    tracing::info!(connection = id, "Socket Mode opening the next connection");
                    continue 'connect;
                }
                Said::Failed(e) => {
                    tracing::warn!(error = format!("{e:#}"), retry_in = ?backoff, "Socket Mode connection failed");
                    tokio::select! {
                        _ = tokio::time::sleep(backoff) => {}
                        _ = stopped(&mut stop) => return,
                    }
                    backoff = (backoff * 2).min(std::time::Duration::from_secs(60));
                    continue 'connect;
                }
                Said::LinkDisabled => {
                    tracing::error!("{LINK_DISABLED}; not reconnecting");
                    record_problem(&state).await;
                    return;
                }
            }
        }
    }
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn open(state: &AppState, app_token: &secrecy::SecretString) -> anyhow::Result<Socket> {
    use anyhow::Context;
    let url = state.slack.socket_url(app_token).await?;
    let (ws, _) = tokio_tungstenite::connect_async(url.as_str())
        .await
        .context("WebSocket connect")?;
    Ok(ws)
}

/// How long a connection Slack warned about may linger if Slack does not
/// close it (it says about ten seconds).
const DRAIN_FOR: std::time::Duration = std::time::Duration::from_secs(30);

/// Serves one connection until it closes; envelopes are handled
/// concurrently and their acks go back on this connection, also after a
/// replacement was opened.
async fn serve(
    state: AppState,
    ws: Socket,
    id: u64,
    said: tokio::sync::mpsc::Sender<(u64, Said)>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    use futures::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;

    let (mut sink, mut stream) = ws.split();
    let (acks_tx, mut acks) = tokio::sync::mpsc::channel::<Outcome>(64);
    let mut draining: Option<tokio::time::Instant> = None;
    let ended = loop {
        let deadline = draining.unwrap_or_else(|| tokio::time::Instant::now() + DRAIN_FOR * 1000);
        tokio::select! {
            _ = stopped(&mut stop) => {
                let _ = sink.send(Message::Close(None)).await;
                return;
            }
            _ = tokio::time::sleep_until(deadline), if draining.is_some() => {
                tracing::info!(connection = id, "Socket Mode connection drained; closing it");
                let _ = sink.send(Message::Close(None)).await;
                return;
            }
            Some(outcome) = acks.recv() => match outcome {
                Outcome::Ack(frame) => {
                    if let Err(e) = sink.send(Message::text(frame.to_string())).await {
                        break Said::Failed(format!("WebSocket send: {e}"));
                    }
                }
                Outcome::Reconnect => {
                    if draining.is_none() {
                        draining = Some(tokio::time::Instant::now() + DRAIN_FOR);
                        let _ = said.send((id, Said::Replace)).await;
                    }
                }
                Outcome::LinkDisabled => break Said::LinkDisabled,
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
                Some(Ok(Message::Close(_))) | None => break Said::Closed,
                Some(Ok(_)) => {}
                Some(Err(e)) => break Said::Failed(format!("WebSocket read: {e}")),
            },
        }
    };
    if matches!(ended, Said::Closed) {
        tracing::info!(connection = id, "Socket Mode connection closed");
    }
    let _ = said.send((id, ended)).await;
}

/// Tells every installed org's admins (App Home) that Socket Mode is off.
async fn record_problem(state: &AppState) {
    let Ok(mut conn) = state.db.pool().acquire().await else {
        return;
    };
    let Ok(orgs) = crate::store::orgs::list_ids(&mut conn).await else {
        return;
    };
    for org in orgs {
        if let Err(e) =
            crate::store::job_state::record_failure(&mut conn, org, PROBLEM, LINK_DISABLED).await
        {
            tracing::warn!(error = %e, "could not record the Socket Mode problem");
        }
    }
}

/// A connection is up again: the notice goes.
async fn problem_solved(state: &AppState) {
    let Ok(mut conn) = state.db.pool().acquire().await else {
        return;
    };
    let Ok(orgs) = crate::store::orgs::list_ids(&mut conn).await else {
        return;
    };
    for org in orgs {
        let _ = crate::store::job_state::clear_failure(&mut conn, org, PROBLEM).await;
    }
}
