use crate::helpers::{PATIENCE, TestDb, eventually, spawn_app, spawn_app_with};

#[tokio::test]
async fn healthz_and_readyz_answer_on_a_fresh_database() {
    let db = TestDb::new().await;
    let app = spawn_app(&db).await;

    let health = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let body: serde_json::Value = health.json().await.unwrap();
    assert_eq!(body["status"], "ok");

    // Ready once every queue's worker has started.
    let ready = eventually(PATIENCE, || async {
        matches!(app.http.get(app.url("/readyz")).send().await, Ok(r) if r.status() == 200)
    })
    .await;
    assert!(ready, "readyz turns 200");
    app.stop().await;
}

#[tokio::test]
async fn readyz_fails_when_a_migration_is_missing() {
    let db = TestDb::new().await;
    let app = spawn_app(&db).await;
    sqlx::query("delete from _aimpact_migrations")
        .execute(app.state.db.pool())
        .await
        .unwrap();

    let ready = app.http.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert!(body["reason"].as_str().unwrap().contains("aimpact migrate"));
    app.stop().await;
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_keeps_the_callers() {
    let db = TestDb::new().await;
    let app = spawn_app(&db).await;

    let generated = app.http.get(app.url("/healthz")).send().await.unwrap();
    let id = generated.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(id.len(), 36, "a UUID: {id}");

    let echoed = app
        .http
        .get(app.url("/healthz"))
        .header("x-request-id", "trace-me-42")
        .send()
        .await
        .unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "trace-me-42");
    app.stop().await;
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused_with_413() {
    let db = TestDb::new().await;
    let app = spawn_app_with(&db, &[("AIMPACT_BODY_LIMIT_BYTES", "1024")], false).await;

    let big = app
        .http
        .post(app.url("/healthz"))
        .body(vec![b'x'; 4096])
        .send()
        .await
        .unwrap();
    assert_eq!(big.status(), 413);

    let unknown = app.http.get(app.url("/nope")).send().await.unwrap();
    assert_eq!(unknown.status(), 404);
    app.stop().await;
}

#[tokio::test]
async fn a_stopped_app_no_longer_accepts_connections() {
    let db = TestDb::new().await;
    let app = spawn_app(&db).await;
    let url = app.url("/healthz");
    let http = app.http.clone();
    app.stop().await;
    assert!(http.get(url).send().await.is_err());
}
