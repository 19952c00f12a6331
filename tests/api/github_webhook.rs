//! GitHub webhooks with real payloads (tests/fixtures/github).

use aimpact::domain::OrgId;
use aimpact::store::{audit, integrations, orgs, pull_requests, repositories, webhooks};
use serde_json::Value;

use crate::helpers::*;

const SECRET: &str = "webhook-secret";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/github/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

async fn github_app(db: &TestDb) -> (TestApp, OrgId) {
    let app = spawn_app_with(
        db,
        &[
            ("GITHUB_WEBHOOK_SECRET", SECRET),
            ("AIMPACT_BODY_LIMIT_BYTES", "65536"),
        ],
        true,
    )
    .await;
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    let org = orgs::upsert_installation(&mut conn, "T1", "Acme", None)
        .await
        .unwrap()
        .id;
    // Token mode: the organisation login the deliveries name.
    integrations::upsert(
        &mut conn,
        org,
        "github",
        "connected",
        Some("Codertocat"),
        None,
    )
    .await
    .unwrap();
    drop(conn);
    (app, org)
}

async fn deliver(app: &TestApp, event: &str, delivery: &str, body: Vec<u8>) -> reqwest::Response {
    let signature = aimpact::github::webhook::sign(SECRET, &body);
    app.http
        .post(app.url("/github/webhook"))
        .header("x-github-event", event)
        .header("x-github-delivery", delivery)
        .header("x-hub-signature-256", signature)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn pending(app: &TestApp, org: OrgId) -> usize {
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    webhooks::pending(&mut conn, org, 100).await.unwrap().len()
}

async fn the_pr(app: &TestApp, org: OrgId) -> Option<pull_requests::PullRequestRow> {
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    pull_requests::find_by_github_id(&mut conn, org, "MDExOlB1bGxSZXF1ZXN0Mjc5MTQ3NDM3")
        .await
        .unwrap()
        .map(|(_, row)| row)
}

#[tokio::test]
async fn a_pull_request_delivery_is_stored_once_and_processed_into_a_pr_with_metrics() {
    let db = TestDb::new().await;
    let (app, org) = github_app(&db).await;

    let r = deliver(
        &app,
        "pull_request",
        "d-1",
        fixture("pull_request.opened.json"),
    )
    .await;
    assert_eq!(r.status(), 202);
    let again = deliver(
        &app,
        "pull_request",
        "d-1",
        fixture("pull_request.opened.json"),
    )
    .await;
    assert_eq!(again.status(), 200, "a redelivery is acknowledged");
    assert!(
        eventually(PATIENCE, || async {
            the_pr(&app, org).await.is_some() && pending(&app, org).await == 0
        })
        .await
    );
    let pr = the_pr(&app, org).await.unwrap();
    assert_eq!(pr.number, 2);
    assert_eq!(pr.title, "Update the README with new information.");
    assert_eq!(pr.metrics.size, 2);
    assert_eq!(pr.state, "open");
    assert_eq!(pr.author_login.as_deref(), Some("Codertocat"));
    assert_eq!(pr.opened_at, 1_557_933_633, "2019-05-15T15:20:33Z");
    assert_eq!(pr.metrics.ready_at, pr.opened_at);
    assert!(pr.metrics.cycle_time.is_none());
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    let repos = repositories::list(&mut conn, org).await.unwrap();
    assert_eq!(repos.len(), 1);
    assert_eq!(repos[0].full_name, "Codertocat/Hello-World");
    drop(conn);

    // The review, then the merge: metrics follow, the merge event fires once.
    assert_eq!(
        deliver(
            &app,
            "pull_request_review",
            "d-2",
            fixture("pull_request_review.submitted.json")
        )
        .await
        .status(),
        202
    );
    assert_eq!(
        deliver(
            &app,
            "pull_request",
            "d-3",
            fixture("pull_request.closed.merged.json")
        )
        .await
        .status(),
        202
    );
    assert_eq!(
        deliver(
            &app,
            "pull_request",
            "d-4",
            fixture("pull_request.closed.merged.json")
        )
        .await
        .status(),
        202
    );
    assert!(
        eventually(PATIENCE, || async {
            pending(&app, org).await == 0 && the_pr(&app, org).await.unwrap().merged_at.is_some()
        })
        .await
    );
    let pr = the_pr(&app, org).await.unwrap();
    assert_eq!(pr.state, "merged");
    assert_eq!(pr.merged_at, Some(1_557_933_678), "2019-05-15T15:21:18Z");
    assert_eq!(
        pr.metrics.cycle_time,
        Some(45),
        "merged − created without commits"
    );
    assert_eq!(
        pr.metrics.size, 2,
        "the review's short PR did not erase sizes"
    );
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    let merged_events = audit::recent(&mut conn, org, 50)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "github.pr_merged")
        .count();
    assert_eq!(merged_events, 1);
    drop(conn);
    app.stop().await;
}

#[tokio::test]
async fn hostile_deliveries_get_4xx_and_change_nothing() {
    let db = TestDb::new().await;
    let (app, org) = github_app(&db).await;
    let body = fixture("pull_request.opened.json");

    let unsigned = app
        .http
        .post(app.url("/github/webhook"))
        .header("x-github-event", "pull_request")
        .header("x-github-delivery", "h-1")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 401);
    let forged = app
        .http
        .post(app.url("/github/webhook"))
        .header("x-github-event", "pull_request")
        .header("x-github-delivery", "h-2")
        .header(
            "x-hub-signature-256",
            aimpact::github::webhook::sign("wrong", &body),
        )
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    let truncated = deliver(&app, "pull_request", "h-3", body[..body.len() / 2].to_vec()).await;
    assert_eq!(truncated.status(), 400);
    let unknown = deliver(&app, "star", "h-4", fixture("star.created.json")).await;
    assert_eq!(unknown.status(), 202);
    let mut big = b"{\"pad\":\"".to_vec();
    big.extend(std::iter::repeat_n(b'a', 70_000));
    big.extend(b"\"}");
    assert_eq!(
        deliver(&app, "pull_request", "h-5", big).await.status(),
        413
    );
    let no_delivery_id = {
        let signature = aimpact::github::webhook::sign(SECRET, &body);
        app.http
            .post(app.url("/github/webhook"))
            .header("x-github-event", "pull_request")
            .header("x-hub-signature-256", signature)
            .body(body.clone())
            .send()
            .await
            .unwrap()
    };
    assert_eq!(no_delivery_id.status(), 400);

    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(the_pr(&app, org).await.is_none());
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    assert!(repositories::list(&mut conn, org).await.unwrap().is_empty());
    drop(conn);

    // A signed payload of an unexpected shape: accepted, skipped, and the
    // PR stored before it is untouched.
    assert_eq!(
        deliver(&app, "pull_request", "h-6", body.clone())
            .await
            .status(),
        202
    );
    assert!(
        eventually(PATIENCE, || async {
            the_pr(&app, org).await.is_some() && pending(&app, org).await == 0
        })
        .await
    );
    let before = the_pr(&app, org).await.unwrap();
    let mut odd: Value = serde_json::from_slice(&body).unwrap();
    odd["pull_request"]["number"] = Value::String("two".into());
    odd["pull_request"]["title"] = Value::String("changed?".into());
    assert_eq!(
        deliver(
            &app,
            "pull_request",
            "h-7",
            serde_json::to_vec(&odd).unwrap()
        )
        .await
        .status(),
        202
    );
    assert!(eventually(PATIENCE, || async { pending(&app, org).await == 0 }).await);
    assert_eq!(the_pr(&app, org).await.unwrap(), before);
    app.stop().await;
}

#[tokio::test]
async fn deliveries_for_an_unconnected_organisation_are_ignored() {
    let db = TestDb::new().await;
    let app = spawn_app_with(&db, &[("GITHUB_WEBHOOK_SECRET", SECRET)], true).await;
    let r = deliver(
        &app,
        "pull_request",
        "x-1",
        fixture("pull_request.opened.json"),
    )
    .await;
    assert_eq!(r.status(), 202);
    let ping = deliver(&app, "ping", "x-2", fixture("ping.json")).await;
    assert_eq!(ping.status(), 200);
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    assert!(orgs::list_ids(&mut conn).await.unwrap().is_empty());
    drop(conn);
    app.stop().await;
}

#[tokio::test]
async fn deliveries_processed_after_the_merge_never_reopen_the_pr() {
    let db = TestDb::new().await;
    let (app, org) = github_app(&db).await;
    let merged = deliver(
        &app,
        "pull_request",
        "m-1",
        fixture("pull_request.closed.merged.json"),
    )
    .await;
    assert_eq!(merged.status(), 202);
    assert!(
        eventually(PATIENCE, || async {
            the_pr(&app, org)
                .await
                .is_some_and(|p| p.merged_at.is_some())
        })
        .await
    );
    // GitHub delivers in no particular order: the "opened" delivery and a
    // review (the PR still open in both) arrive after the merge.
    let opened = deliver(
        &app,
        "pull_request",
        "o-1",
        fixture("pull_request.opened.json"),
    )
    .await;
    assert_eq!(opened.status(), 202);
    let review = deliver(
        &app,
        "pull_request_review",
        "r-1",
        fixture("pull_request_review.submitted.json"),
    )
    .await;
    assert_eq!(review.status(), 202);
    assert!(eventually(PATIENCE, || async { pending(&app, org).await == 0 }).await);
    let pr = the_pr(&app, org).await.unwrap();
    assert_eq!(pr.state, "merged");
    assert!(pr.merged_at.is_some() && pr.metrics.cycle_time.is_some());
    app.stop().await;
}

#[tokio::test]
async fn a_pr_reported_under_its_other_global_id_updates_the_same_row() {
    use aimpact::github::ingest;
    use aimpact::github::webhook::facts_from_payload;

    let db = TestDb::new().await;
    let store = db.connect().await;
    let mut conn = store.pool().acquire().await.unwrap();
    let org = orgs::upsert_installation(&mut conn, "T1", "Acme", None)
        .await
        .unwrap()
        .id;
    let raw = std::fs::read(format!(
        "{}/tests/fixtures/github/pull_request.opened.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let payload: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    let legacy = facts_from_payload(&payload).unwrap();
    assert!(legacy.node_id.starts_with("MDEx"), "{}", legacy.node_id);
    ingest::ingest(&mut conn, org, &legacy, &[]).await.unwrap();

    // The same PR (repository and number) under GitHub's next id format,
    // merged meanwhile: it updates the row instead of failing for ever.
    let mut next = legacy.clone();
    next.node_id = "PR_kwDOCx5JWs4QpZ9x".into();
    next.title = "Renamed".into();
    next.state = "merged".into();
    next.merged_at = Some(next.updated_at + 60);
    next.closed_at = next.merged_at;
    ingest::ingest(&mut conn, org, &next, &[]).await.unwrap();

    let count: i64 = sqlx::query_scalar("select count(*) from pull_request where org_id = $1")
        .bind(org.get())
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(count, 1, "one PR, not two");
    let (_, row) = pull_requests::find_by_facts(
        &mut conn,
        org,
        &legacy.node_id,
        &legacy.repo.github_repo_id,
        legacy.number,
    )
    .await
    .unwrap()
    .expect("found by repository and number under the old id");
    assert_eq!(row.title, "Renamed");
    assert_eq!(row.merged_at, next.merged_at);
    // And a late report under the legacy id again changes the same row.
    ingest::ingest(&mut conn, org, &legacy, &[]).await.unwrap();
    let count: i64 = sqlx::query_scalar("select count(*) from pull_request where org_id = $1")
        .bind(org.get())
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(count, 1);
    drop(conn);
    store.close().await;
}
