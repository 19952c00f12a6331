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

#[tokio::test]
async fn operators_read_prometheus_series_on_loopback_or_with_the_token_only() {
    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let sink = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&sink)
        .await;
    let db = TestDb::new().await;
    let app = spawn_app(&db).await;
    let _ = app.http.get(app.url("/healthz")).send().await.unwrap();
    app.state
        .jobs
        .enqueue(aimpact::slack::respond::Respond {
            org: aimpact::domain::OrgId::from_db(1),
            response_url: format!("{}/r", sink.uri()),
            message: serde_json::json!({ "text": "hi" }),
        })
        .await
        .unwrap();
    assert!(
        eventually(PATIENCE, || async {
            !sink
                .received_requests()
                .await
                .unwrap_or_default()
                .is_empty()
        })
        .await
    );
    let scraped = eventually(PATIENCE, || async {
        let text = app
            .http
            .get(app.url("/internal/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        [
            r#"aimpact_http_requests_total{route="/healthz",status="200"}"#,
            r#"aimpact_job_queue_depth{queue="slack.respond"}"#,
            r#"aimpact_job_start_latency_seconds_bucket{queue="slack.respond""#,
            r#"aimpact_jobs_total{queue="slack.respond",outcome="ok"}"#,
            r#"aimpact_job_duration_seconds_count{queue="slack.respond"}"#,
        ]
        .iter()
        .all(|series| text.contains(series))
    })
    .await;
    assert!(scraped, "the series are there on a loopback bind");
    app.stop().await;

    // With a token, it is asked for; on a public bind without one, the
    // endpoint does not exist.
    let guarded = spawn_app_with(&db, &[("AIMPACT_METRICS_TOKEN", "s3cret-scrape")], true).await;
    let url = guarded.url("/internal/metrics");
    assert_eq!(guarded.http.get(&url).send().await.unwrap().status(), 401);
    let wrong = guarded.http.get(&url).bearer_auth("s3cret-scrapf");
    assert_eq!(wrong.send().await.unwrap().status(), 401);
    let right = guarded.http.get(&url).bearer_auth("s3cret-scrape");
    assert_eq!(right.send().await.unwrap().status(), 200);
    guarded.stop().await;
    let public = spawn_app_with(&db, &[("AIMPACT_BIND", "0.0.0.0:0")], false).await;
    let url = format!("http://127.0.0.1:{}/internal/metrics", public.addr.port());
    assert_eq!(public.http.get(&url).send().await.unwrap().status(), 404);
    public.stop().await;
}
