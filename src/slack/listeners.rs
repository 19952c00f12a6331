//! Listener registry in the style of Slack's Bolt frameworks: listeners are
//! registered by kind and id (command, action id, view callback id, options
//! action id, shortcut callback id, event type) and dispatched here, for
//! HTTP and Socket Mode alike. An unknown id is logged and acknowledged.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde_json::{Value, json};

use super::payload::{Command, Event, Interaction, InteractionKind};
use crate::domain::OrgId;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::orgs::{self, Org};
use crate::store::webhooks::{self, Recorded};

/// What a listener answers inside Slack's 3 seconds.
#[derive(Debug, Clone, PartialEq)]
pub enum Ack {
    /// An empty 200.
    Empty,
    /// A JSON body: a command's message, `response_action`, or options.
    Json(Value),
}

impl Ack {
    /// A modal submission refused with `message` under the input `block`
    /// (`response_action: errors`); the modal stays open.
    pub fn field_error(block: &str, message: &str) -> Self {
        Ack::Json(json!({ "response_action": "errors", "errors": { block: message } }))
    }

    /// An ephemeral message answer to a command, with a plain-text fallback
    /// for notifications.
    pub fn ephemeral(surface: &blocks::Surface, fallback: &str) -> Self {
        let mut body = serde_json::to_value(surface).unwrap_or_else(|_| json!({}));
        if let Some(map) = body.as_object_mut() {
            map.insert("response_type".into(), json!("ephemeral"));
            map.insert("text".into(), json!(fallback));
        }
        Ack::Json(body)
    }
}

/// A listener failed; logged with its cause, shown to people politely.
#[derive(Debug, thiserror::Error)]
pub enum ListenerError {
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A Slack Web API call failed.
    #[error("Slack API: {0}")]
    Slack(String),
    /// Anything else.
    #[error("{0}")]
    Other(String),
}

/// The request a listener serves: the app and the tenant it came from.
#[derive(Clone, Debug)]
pub struct Ctx {
    /// App state.
    pub state: AppState,
    /// The org of the request's workspace.
    pub org: Org,
}

/// Result of a listener.
pub type ListenerResult = Result<Ack, ListenerError>;
type BoxFut = Pin<Box<dyn Future<Output = ListenerResult> + Send>>;
type Listener<P> = Arc<dyn Fn(Ctx, P) -> BoxFut + Send + Sync>;

/// The process's listeners (`slack_ui::listeners`, set by the root; none
/// without it).
pub fn of(state: &AppState) -> Arc<Listeners> {
    state.handles.get_or_default::<Listeners>()
}

/// Refreshes one person's App Home after something they see there changed.
/// App Home shows every capability, so it sits above them; the root sets
/// this handle to its `publish`, and capabilities call [`refresh_home`]
/// instead of naming it.
#[derive(Clone)]
pub struct HomeRefresh(pub Arc<dyn Fn(Ctx, String) -> RefreshFut + Send + Sync>);

/// What refreshing a Home tab returns.
pub type RefreshFut = Pin<Box<dyn Future<Output = Result<(), ListenerError>> + Send>>;

/// Publishes `user`'s App Home again (nothing without the root's handle).
pub async fn refresh_home(ctx: &Ctx, user: &str) -> Result<(), ListenerError> {
    match ctx.state.handles.get::<HomeRefresh>() {
        Some(refresh) => (refresh.0)(ctx.clone(), user.to_string()).await,
        None => Ok(()),
    }
}

/// Every registered listener, by kind and id.
#[derive(Default, Clone)]
pub struct Listeners {
    commands: BTreeMap<&'static str, Listener<Command>>,
    actions: BTreeMap<&'static str, Listener<Interaction>>,
    views: BTreeMap<&'static str, Listener<Interaction>>,
    options: BTreeMap<&'static str, Listener<Interaction>>,
    shortcuts: BTreeMap<&'static str, Listener<Interaction>>,
    events: BTreeMap<&'static str, Listener<Event>>,
}

impl std::fmt::Debug for Listeners {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listeners")
            .field("commands", &self.commands.keys().collect::<Vec<_>>())
            .field("events", &self.events.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

macro_rules! registrar {
    ($name:ident, $field:ident, $payload:ty) => {
        /// Registers a listener for this id.
        pub fn $name<F, Fut>(&mut self, id: &'static str, f: F) -> &mut Self
        where
            F: Fn(Ctx, $payload) -> Fut + Send + Sync + 'static,
            Fut: Future<Output = ListenerResult> + Send + 'static,
        {
            self.$field
                .insert(id, Arc::new(move |ctx, p| Box::pin(f(ctx, p))));
            self
        }
    };
}

impl Listeners {
    registrar!(command, commands, Command);
    registrar!(action, actions, Interaction);
    registrar!(view, views, Interaction);
    registrar!(options, options, Interaction);
    registrar!(shortcut, shortcuts, Interaction);
    registrar!(event, events, Event);

    /// Registered commands (for the manifest check).
    pub fn command_ids(&self) -> Vec<&'static str> {
        self.commands.keys().copied().collect()
    }

    /// Registered shortcut callback ids.
    pub fn shortcut_ids(&self) -> Vec<&'static str> {
        self.shortcuts.keys().copied().collect()
    }

    /// Registered event types.
    pub fn event_types(&self) -> Vec<&'static str> {
        self.events.keys().copied().collect()
    }

    /// Registered action ids.
    pub fn action_ids(&self) -> Vec<&'static str> {
        self.actions.keys().copied().collect()
    }
}

/// The polite answer when a listener failed; details stay in the log.
fn sorry() -> Ack {
    Ack::ephemeral(
        &blocks::Surface::message().with_block(blocks::Block::section(
            ":warning: Something went wrong on our side and it has been logged. Please try again in a minute.",
        )),
        "Something went wrong on our side; please try again in a minute.",
    )
}

async fn org_of(state: &AppState, team_id: &str) -> Result<Option<Org>, StoreError> {
    let mut conn = state.db.pool().acquire().await?;
    let org = orgs::find_by_slack_team(&mut conn, team_id).await?;
    Ok(org.filter(|o| o.uninstalled_at.is_none()))
}

fn not_installed() -> Ack {
    Ack::ephemeral(
        &blocks::Surface::message().with_block(blocks::Block::section(
            "aimpact isn't installed in this workspace yet. An admin can install it from the app's install page.",
        )),
        "aimpact isn't installed in this workspace yet.",
    )
}

/// Slack waits 3 seconds for an acknowledgement; leave room for the trip.
pub const ACK_BUDGET: std::time::Duration = std::time::Duration::from_millis(2500);

/// Runs a listener inside its span (kind, id, org), so everything it and
/// the store functions under it log carries them: every listener is
/// instrumented here, once.
async fn run(kind: &str, id: &str, org: OrgId, fut: BoxFut) -> Ack {
    use tracing::Instrument;
    let span = tracing::info_span!("listener", kind, id, org_id = %org);
    match tokio::time::timeout(ACK_BUDGET, fut).instrument(span).await {
        Ok(Ok(ack)) => ack,
        Ok(Err(e)) => {
            tracing::error!(kind, id, error = %e, "listener failed");
            sorry()
        }
        Err(_) => {
            // Acknowledge anyway: a late answer is a failure in Slack's eyes.
            tracing::error!(
                kind,
                id,
                budget_ms = ACK_BUDGET.as_millis() as u64,
                "listener missed the ack budget"
            );
            Ack::Empty
        }
    }
}

/// Routes a slash command.
pub async fn dispatch_command(state: &AppState, listeners: &Listeners, cmd: Command) -> Ack {
    let org = match org_of(state, &cmd.team_id).await {
        Ok(Some(org)) => org,
        Ok(None) => return not_installed(),
        Err(e) => {
            tracing::error!(error = %e, "org lookup failed");
            return sorry();
        }
    };
    let Some(listener) = listeners.commands.get(cmd.command.as_str()) else {
        tracing::warn!(command = %cmd.command, "no listener for command");
        return Ack::Empty;
    };
    let id = cmd.command.clone();
    let org_id = org.id;
    run(
        "command",
        &id,
        org_id,
        listener(
            Ctx {
                state: state.clone(),
                org,
            },
            cmd,
        ),
    )
    .await
}

/// Routes an interaction by kind and id.
pub async fn dispatch_interaction(state: &AppState, listeners: &Listeners, i: Interaction) -> Ack {
    let unknown_ack = if i.kind == InteractionKind::BlockSuggestion {
        Ack::Json(json!({ "options": [] }))
    } else {
        Ack::Empty
    };
    let org = match org_of(state, &i.team_id).await {
        Ok(Some(org)) => org,
        Ok(None) => return unknown_ack,
        Err(e) => {
            tracing::error!(error = %e, "org lookup failed");
            return unknown_ack;
        }
    };
    let (table, id) = match i.kind {
        InteractionKind::BlockActions => (
            &listeners.actions,
            i.action.as_ref().map(|a| a.action_id.clone()),
        ),
        InteractionKind::BlockSuggestion => (
            &listeners.options,
            i.action.as_ref().map(|a| a.action_id.clone()),
        ),
        InteractionKind::ViewSubmission | InteractionKind::ViewClosed => (
            &listeners.views,
            i.view.as_ref().map(|v| v.callback_id.clone()),
        ),
        InteractionKind::MessageShortcut | InteractionKind::GlobalShortcut => {
            (&listeners.shortcuts, i.callback_id.clone())
        }
    };
    let id = id.unwrap_or_default();
    let Some(listener) = table.get(id.as_str()) else {
        tracing::warn!(kind = ?i.kind, id = %id, "no listener; acknowledged");
        return unknown_ack;
    };
    let org_id = org.id;
    let fut = listener(
        Ctx {
            state: state.clone(),
            org,
        },
        i,
    );
    run("interaction", &id, org_id, fut).await
}

/// Records an event (Slack retries repeat `event_id`) and runs its
/// listener in the background: events only need a prompt 200. What is
/// recorded as done is success: a retry of an event whose listener failed
/// (or whose process stopped mid-way) runs again; a retry of one that
/// succeeded, or is running now, is ignored.
pub async fn dispatch_event(state: &AppState, listeners: &Listeners, event: Event) {
    // One lookup, uninstalled orgs included: app_uninstalled may arrive after
    // the org was marked, and its cleanup must still run. Only the Home tab
    // needs a live installation.
    let found = async {
        let mut conn = state.db.pool().acquire().await?;
        orgs::find_by_slack_team(&mut conn, &event.team_id).await
    }
    .await;
    let org = match found {
        Ok(Some(org)) if org.uninstalled_at.is_none() || event.event_type != "app_home_opened" => {
            org
        }
        Ok(_) => {
            tracing::info!(event_type = %event.event_type, "event for a workspace without an installation");
            return;
        }
        Err(e) => {
            tracing::error!(error = %e, "org lookup failed");
            return;
        }
    };
    let Some(listener) = listeners.events.get(event.event_type.as_str()).cloned() else {
        tracing::warn!(event_type = %event.event_type, "no listener for event; acknowledged");
        return;
    };
    let recorded = async {
        let mut conn = state.db.pool().acquire().await?;
        let payload = serde_json::to_vec(&event.event).unwrap_or_default();
        webhooks::record_or_retry(
            &mut conn,
            org.id,
            "slack",
            &event.event_id,
            &event.event_type,
            &payload,
            EVENT_STALE_SECS,
        )
        .await
    }
    .await;
    let delivery = match recorded {
        Ok(Recorded::New(id)) => id,
        Ok(Recorded::Duplicate) => {
            tracing::info!(event_id = %event.event_id, "repeated event ignored");
            return;
        }
        Err(e) => {
            tracing::error!(error = %e, "could not record event");
            return;
        }
    };
    let state = state.clone();
    let org_id = org.id;
    let event_type = event.event_type.clone();
    let span = tracing::info_span!("listener", kind = "event", id = %event_type, org_id = %org_id);
    let run = async move {
        let ctx = Ctx {
            state: state.clone(),
            org,
        };
        match listener(ctx, event).await {
            Ok(_) => {
                if let Ok(mut conn) = state.db.pool().acquire().await {
                    let _ = webhooks::mark_processed(&mut conn, org_id, delivery).await;
                }
            }
            Err(e) => {
                tracing::error!(event_type = %event_type, error = %e, "event listener failed; a retry runs it again");
                if let Ok(mut conn) = state.db.pool().acquire().await {
                    let _ =
                        webhooks::mark_failed(&mut conn, org_id, delivery, &e.to_string()).await;
                }
            }
        }
    };
    tokio::spawn(tracing::Instrument::instrument(run, span));
}

/// An event recorded this long ago without an outcome was lost with its
/// process: Slack's retry runs it again.
const EVENT_STALE_SECS: i64 = 60;
