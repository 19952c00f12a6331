use std::time::Duration;

use aimpact::domain::OrgId;
use aimpact::jobs::respond::Respond;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{PATIENCE, TestDb, eventually, spawn_app, spawn_app_with};

fn respond_to(server: &MockServer, text: &str) -> Respond {
    Respond {
        org: OrgId::from_db(1),
        response_url: format!("{}/commands/T1/123/abc", server.uri()),
        message: serde_json::json!({ "response_type": "ephemeral", "text": text }),
    }
}

async fn hits(server: &MockServer) -> usize {
    server.received_requests().await.unwrap_or_default().len()
}

#[tokio::test]
async fn a_job_enqueued_before_a_restart_runs_after_it() {
    let slack = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/commands/T1/123/abc"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&slack)
        .await;
    let db = TestDb::new().await;

    // First process: web only, enqueues and stops before any worker runs.
    let web_only = spawn_app_with(&db, &[], false).await;
    web_only
        .state
        .jobs
        .enqueue(respond_to(&slack, "later"))
        .await
        .unwrap();
    web_only.stop().await;
    assert_eq!(hits(&slack).await, 0);

    // Second process on the same database: the worker picks it up.
    let restarted = spawn_app(&db).await;
    assert!(
        eventually(PATIENCE, || async { hits(&slack).await == 1 }).await,
        "the queued job ran after the restart"
    );
    let sent: serde_json::Value =
        serde_json::from_slice(&slack.received_requests().await.unwrap()[0].body).unwrap();
    assert_eq!(sent["text"], "later");
    restarted.stop().await;
}

#[tokio::test]
async fn a_failing_job_is_retried_with_backoff_until_it_succeeds() {
    let slack = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&slack)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .with_priority(2)
        .mount(&slack)
        .await;
    let db = TestDb::new().await;
    let app = spawn_app(&db).await;

    app.state
        .jobs
        .enqueue(respond_to(&slack, "flaky"))
        .await
        .unwrap();
    assert!(eventually(PATIENCE, || async { hits(&slack).await >= 3 }).await);
    let times: Vec<_> = slack.received_requests().await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(hits(&slack).await, 3, "no attempt after the success");
    assert_eq!(times.len(), 3);
    app.stop().await;
}

#[tokio::test]
async fn a_refused_message_is_not_retried() {
    let slack = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(404).set_body_string("expired_url"))
        .mount(&slack)
        .await;
    let db = TestDb::new().await;
    let app = spawn_app(&db).await;

    app.state
        .jobs
        .enqueue(respond_to(&slack, "too late"))
        .await
        .unwrap();
    assert!(eventually(PATIENCE, || async { hits(&slack).await >= 1 }).await);
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(hits(&slack).await, 1, "a 404 is final");
    app.stop().await;
}
