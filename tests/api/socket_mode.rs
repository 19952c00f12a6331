//! Socket Mode: the same listeners over a WebSocket from a fake Slack.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer};

use crate::helpers::*;

type Ws = tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>;

/// The app's next connection to the fake.
async fn accept_ws(socket: &tokio::net::TcpListener) -> Ws {
    let (stream, _) = tokio::time::timeout(Duration::from_secs(10), socket.accept())
        .await
        .expect("the app connects")
        .unwrap();
    tokio_tungstenite::accept_async(stream).await.unwrap()
}

async fn next_json(ws: &mut Ws) -> Value {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("an ack within 10 s")
            .expect("socket open")
            .expect("frame");
        if let Message::Text(text) = frame {
            return serde_json::from_str(text.as_str()).unwrap();
        }
    }
}

#[tokio::test]
async fn socket_mode_envelopes_reach_the_listeners_and_are_acknowledged() {
    let socket = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let ws_url = format!("ws://{}/link", socket.local_addr().unwrap());
    let slack = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/apps.connections.open"))
        .and(header("authorization", "Bearer xapp-1-test"))
        .respond_with(slack_ok(json!({ "url": ws_url })))
        .mount(&slack)
        .await;
    Mock::given(path("/api/views.publish"))
        .respond_with(slack_ok(json!({ "view": { "id": "V1" } })))
        .mount(&slack)
        .await;
    let db = TestDb::new().await;
    let app = spawn_slack_app(&db, &slack, &[("SLACK_APP_TOKEN", "xapp-1-test".into())]).await;
    install_org(&app, "T1", "U_ADMIN").await;

    let (stream, _) = tokio::time::timeout(Duration::from_secs(10), socket.accept())
        .await
        .expect("the app connects")
        .unwrap();
    let mut ws = tokio_tungstenite::accept_async(stream).await.unwrap();
    ws.send(Message::text(
        json!({ "type": "hello", "num_connections": 1 }).to_string(),
    ))
    .await
    .unwrap();

    // A slash command: the ack carries the answer.
    ws.send(Message::text(json!({
        "envelope_id": "e1", "type": "slash_commands", "accepts_response_payload": true,
        "payload": { "command": "/metrics", "text": "help", "team_id": "T1", "user_id": "U_ADMIN",
                     "channel_id": "C1", "response_url": "https://hooks.slack.com/x", "trigger_id": "t" }
    }).to_string())).await.unwrap();
    let ack = next_json(&mut ws).await;
    assert_eq!(ack["envelope_id"], "e1");
    assert_eq!(ack["payload"]["response_type"], "ephemeral");
    assert!(ack["payload"].to_string().contains("/metrics me"));

    // An event: a bare ack, and the listener runs (views.publish).
    ws.send(Message::text(json!({
        "envelope_id": "e2", "type": "events_api", "accepts_response_payload": false, "retry_attempt": 0,
        "payload": { "type": "event_callback", "team_id": "T1", "event_id": "EvS1", "event_time": 1,
                     "event": { "type": "app_home_opened", "user": "U_ADMIN", "tab": "home" } }
    }).to_string())).await.unwrap();
    assert_eq!(next_json(&mut ws).await, json!({ "envelope_id": "e2" }));
    assert!(
        eventually(PATIENCE, || async {
            calls(&slack, "views.publish").await.len() == 1
        })
        .await
    );

    // An interaction with an unknown action id: acknowledged, nothing else.
    ws.send(Message::text(
        json!({
            "envelope_id": "e3", "type": "interactive", "accepts_response_payload": false,
            "payload": { "type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U_ADMIN"},
                         "actions": [{ "action_id": "from_the_future", "value": "x" }] }
        })
        .to_string(),
    ))
    .await
    .unwrap();
    assert_eq!(next_json(&mut ws).await, json!({ "envelope_id": "e3" }));

    // Slack asks for a reconnect: the app opens a new connection.
    ws.send(Message::text(
        json!({ "type": "disconnect", "reason": "refresh_requested" }).to_string(),
    ))
    .await
    .unwrap();
    let reconnected = tokio::time::timeout(Duration::from_secs(10), socket.accept()).await;
    assert!(reconnected.is_ok(), "reconnected after disconnect");
    app.stop().await;
}

#[tokio::test]
async fn a_disconnect_warning_opens_the_next_connection_first_and_in_flight_acks_still_arrive() {
    let socket = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let ws_url = format!("ws://{}/link", socket.local_addr().unwrap());
    let slack = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/apps.connections.open"))
        .respond_with(slack_ok(json!({ "url": ws_url })))
        .mount(&slack)
        .await;
    let db = TestDb::new().await;
    let app = spawn_slack_app(&db, &slack, &[("SLACK_APP_TOKEN", "xapp-1-test".into())]).await;
    let org = install_org(&app, "T1", "U_ADMIN").await;
    let command = |id: &str| {
        Message::text(json!({
            "envelope_id": id, "type": "slash_commands", "accepts_response_payload": true,
            "payload": { "command": "/metrics", "text": "help", "team_id": "T1", "user_id": "U_ADMIN",
                         "channel_id": "C1", "response_url": "https://hooks.slack.com/x", "trigger_id": "t" }
        }).to_string())
    };
    let mut first = accept_ws(&socket).await;
    first
        .send(Message::text(json!({ "type": "hello" }).to_string()))
        .await
        .unwrap();
    // An envelope, and right behind it the warning that this connection
    // will close: the next one opens while the first still acknowledges.
    first.send(command("in-flight")).await.unwrap();
    first
        .send(Message::text(
            json!({ "type": "disconnect", "reason": "warning", "debug_info": { "host": "x" } })
                .to_string(),
        ))
        .await
        .unwrap();
    let mut second = accept_ws(&socket).await;
    let ack = next_json(&mut first).await;
    assert_eq!(
        ack["envelope_id"], "in-flight",
        "the envelope in flight was acknowledged on its own connection"
    );
    first.close(None).await.unwrap();
    second
        .send(Message::text(json!({ "type": "hello" }).to_string()))
        .await
        .unwrap();
    second.send(command("after")).await.unwrap();
    assert_eq!(next_json(&mut second).await["envelope_id"], "after");

    // Socket Mode turned off: no reconnect, and admins are told why.
    second
        .send(Message::text(
            json!({ "type": "disconnect", "reason": "link_disabled" }).to_string(),
        ))
        .await
        .unwrap();
    let told = eventually(PATIENCE, || async {
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        aimpact::store::job_state::failures(&mut conn, org)
            .await
            .unwrap()
            .iter()
            .any(|f| f.error.contains("link_disabled"))
    })
    .await;
    assert!(told, "the problem is kept for App Home");
    let opened = calls(&slack, "apps.connections.open").await.len();
    assert_eq!(opened, 2);
    let again = tokio::time::timeout(Duration::from_millis(2_500), socket.accept()).await;
    assert!(again.is_err(), "no reconnect after link_disabled");
    assert_eq!(calls(&slack, "apps.connections.open").await.len(), 2);
    app.stop().await;
}
