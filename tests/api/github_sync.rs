//! Connect → discovery → historical sync → export, against a fake GitHub.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use aimpact::domain::OrgId;
use aimpact::github::client::GithubClient;
use aimpact::github::ingest::RepoFacts;
use aimpact::github::sync::{self, Mode, RepoRef};
use aimpact::store::{orgs, people, repositories, sync_state, teams};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::helpers::*;

fn pr_node(
    id: &str,
    number: i64,
    updated: &str,
    reviews: Value,
    reviews_more: Option<&str>,
    extra: Value,
) -> Value {
    let mut node = json!({
        "id": id, "number": number, "title": format!("PR {number}"), "body": "", "state": "OPEN",
        "isDraft": false, "createdAt": "2026-11-01T10:00:00Z", "updatedAt": updated,
        "mergedAt": null, "closedAt": null, "headRefName": "feature", "baseRefName": "main",
        "additions": 1, "deletions": 1, "changedFiles": 1,
        "author": { "login": "ada", "__typename": "User", "databaseId": 1 },
        "labels": { "nodes": [] },
        "timelineItems": { "nodes": [] },
        "reviews": { "pageInfo": { "hasNextPage": reviews_more.is_some(), "endCursor": reviews_more }, "nodes": reviews },
        "commits": { "totalCount": 0, "pageInfo": { "hasNextPage": false, "endCursor": null }, "nodes": [] }
    });
    if let (Some(n), Some(e)) = (node.as_object_mut(), extra.as_object()) {
        n.extend(e.clone());
    }
    node
}

fn review(id: i64, login: &str, state: &str, at: &str) -> Value {
    json!({ "databaseId": id, "state": state, "submittedAt": at, "author": { "login": login, "__typename": "User", "databaseId": 2 } })
}

/// The hand-made PR whose metrics are known (see the assertions).
fn known_pr() -> Value {
    pr_node(
        "PR_known",
        1,
        "2026-11-02T10:00:00Z",
        json!([review(501, "bob", "COMMENTED", "2026-11-01T11:00:00Z")]),
        Some("r1"),
        json!({
            "isDraft": false, "state": "MERGED", "mergedAt": "2026-11-02T10:00:00Z", "closedAt": "2026-11-02T10:00:00Z",
            "additions": 30, "deletions": 12,
            "timelineItems": { "nodes": [{ "createdAt": "2026-11-01T12:00:00Z" }] },
            "commits": { "totalCount": 2, "pageInfo": { "hasNextPage": false, "endCursor": null }, "nodes": [
                { "commit": { "oid": "a1", "authoredDate": "2026-11-01T08:00:00Z", "committedDate": "2026-11-01T08:00:00Z",
                  "message": "Add retries\n\nCo-authored-by: Claude <noreply@anthropic.com>", "author": { "name": "Ada", "email": "ada@acme.test", "user": { "login": "ada" } } } },
                { "commit": { "oid": "a2", "authoredDate": "2026-11-01T09:00:00Z", "committedDate": "2026-11-01T09:00:00Z",
                  "message": "Tests", "author": { "name": "Ada", "email": "ada@acme.test", "user": { "login": "ada" } } } }
            ] }
        }),
    )
}

/// A fake GitHub GraphQL endpoint: two pages of PRs and one overflow page.
struct FakeGraphql {
    calls: Arc<AtomicUsize>,
    fail_page_two: Arc<std::sync::atomic::AtomicBool>,
}

impl Respond for FakeGraphql {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let query = body["query"].as_str().unwrap_or_default();
        let vars = &body["variables"];
        let rate = json!({ "cost": 1, "remaining": 4990, "resetAt": "2030-01-01T00:00:00Z" });
        // Follow-ups of overflowing lists: aliases `n0`, `n1`, … riding
        // along with a page query or in a query of their own.
        let mut data = serde_json::Map::new();
        let mut i = 0;
        while let Some(id) = vars.get(format!("id{i}")) {
            assert_eq!(id, "PR_known");
            assert_eq!(vars[format!("after{i}")], "r1");
            assert!(
                query.contains(&format!(
                    "n{i}: node(id: $id{i}) {{ ... on PullRequest {{ reviews("
                )),
                "{query}"
            );
            data.insert(
                format!("n{i}"),
                json!({ "reviews": { "pageInfo": { "hasNextPage": false, "endCursor": null },
                    "nodes": [review(502, "bob", "APPROVED", "2026-11-01T14:00:00Z")] } }),
            );
            i += 1;
        }
        data.insert("rateLimit".into(), rate);
        if !query.contains("pullRequests(") {
            return ResponseTemplate::new(200).set_body_json(json!({ "data": data }));
        }
        let (nodes, next) = match vars["after"].as_str() {
            None => (
                vec![
                    pr_node(
                        "PR_new",
                        3,
                        "2026-11-03T09:00:00Z",
                        json!([]),
                        None,
                        json!({}),
                    ),
                    known_pr(),
                ],
                Some("c1"),
            ),
            Some("c1") => {
                if self.fail_page_two.load(Ordering::SeqCst) {
                    return ResponseTemplate::new(200)
                        .set_body_json(json!({ "data": null, "errors": [{ "message": "Something went wrong while executing your query." }] }));
                }
                (
                    vec![pr_node(
                        "PR_old",
                        2,
                        "2026-10-30T09:00:00Z",
                        json!([]),
                        None,
                        json!({}),
                    )],
                    None,
                )
            }
            Some(other) => panic!("unexpected cursor {other}"),
        };
        data.insert(
            "repository".into(),
            json!({ "pullRequests": {
                "totalCount": 3,
                "pageInfo": { "hasNextPage": next.is_some(), "endCursor": next },
                "nodes": nodes } }),
        );
        ResponseTemplate::new(200).set_body_json(json!({ "data": data }))
    }
}

async fn fake_github() -> (
    MockServer,
    Arc<AtomicUsize>,
    Arc<std::sync::atomic::AtomicBool>,
) {
    let github = MockServer::start().await;
    let calls = Arc::new(AtomicUsize::new(0));
    let fail = Arc::new(std::sync::atomic::AtomicBool::new(false));
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .respond_with(FakeGraphql {
            calls: calls.clone(),
            fail_page_two: fail.clone(),
        })
        .mount(&github)
        .await;
    let ok = |v: Value| ResponseTemplate::new(200).set_body_json(v);
    Mock::given(path("/user/memberships/orgs/acme"))
        .respond_with(ok(
            json!({ "state": "active", "role": "admin", "organization": { "login": "acme" } }),
        ))
        .mount(&github)
        .await;
    let repo = |id: i64, name: &str, archived: bool| json!({ "id": id, "name": name, "owner": { "login": "acme" }, "private": true, "archived": archived, "fork": false, "default_branch": "main" });
    Mock::given(path("/orgs/acme/repos"))
        .and(wiremock::matchers::query_param("page", "2"))
        .respond_with(ok(json!([repo(12, "legacy", true)])))
        .with_priority(1)
        .mount(&github)
        .await;
    Mock::given(path("/orgs/acme/repos"))
        .respond_with(
            ok(json!([repo(11, "api", false)])).insert_header(
                "link",
                format!(
                    "<{}/orgs/acme/repos?per_page=100&type=all&page=2>; rel=\"next\"",
                    github.uri()
                )
                .as_str(),
            ),
        )
        .with_priority(2)
        .mount(&github)
        .await;
    Mock::given(path("/orgs/acme/members"))
        .respond_with(ok(json!([
            { "login": "ada", "id": 1, "type": "User" },
            { "login": "bob", "id": 2, "type": "User" },
            { "login": "renovate[bot]", "id": 3, "type": "Bot" }
        ])))
        .mount(&github)
        .await;
    Mock::given(path("/orgs/acme/teams"))
        .respond_with(ok(
            json!([{ "id": 100, "slug": "platform", "name": "Platform" }]),
        ))
        .mount(&github)
        .await;
    Mock::given(path("/orgs/acme/teams/platform/members"))
        .respond_with(ok(json!([{ "login": "ada", "id": 1, "type": "User" }])))
        .mount(&github)
        .await;
    (github, calls, fail)
}

/// A client for the fake and the repository it serves.
fn client_and_repo(github: &MockServer) -> (GithubClient, RepoRef) {
    let client = GithubClient::with_token(
        &url::Url::parse(&github.uri()).unwrap(),
        &"ghp".to_string().into(),
    )
    .unwrap();
    let repo = RepoRef {
        facts: RepoFacts {
            github_repo_id: "11".into(),
            owner: "acme".into(),
            name: "api".into(),
            ..RepoFacts::default()
        },
    };
    (client, repo)
}

async fn new_org(db: &TestDb) -> OrgId {
    let store = db.connect().await;
    let mut conn = store.pool().acquire().await.unwrap();
    let org = orgs::upsert_installation(&mut conn, "T1", "Acme", None)
        .await
        .unwrap()
        .id;
    drop(conn);
    store.close().await;
    org
}

#[tokio::test]
async fn connect_discover_sync_and_export_give_the_hand_computed_metrics() {
    let (github, _, _) = fake_github().await;
    let db = TestDb::new().await;
    let org = new_org(&db).await;
    let api = github.uri();
    let app = spawn_app_with(
        &db,
        &[
            ("GITHUB_TOKEN", "ghp_test"),
            ("GITHUB_ORG", "acme"),
            ("GITHUB_API_URL", &api),
            ("GITHUB_SYNC_DAYS", "3650"),
        ],
        true,
    )
    .await;

    // Discovery happened at start.
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    let repos = repositories::list(&mut conn, org).await.unwrap();
    let tracked: Vec<_> = repos
        .iter()
        .map(|r| (r.full_name.as_str(), r.is_tracked))
        .collect();
    assert_eq!(tracked, [("acme/api", true), ("acme/legacy", false)]);
    let names: Vec<String> = people::list(&mut conn, org)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.display_name)
        .collect();
    assert_eq!(names, ["ada", "bob", "renovate[bot]"]);
    let team = &teams::list(&mut conn, org).await.unwrap()[0];
    assert_eq!(team.slug, "platform");
    assert_eq!(
        teams::members(&mut conn, org, team.id).await.unwrap().len(),
        1
    );
    drop(conn);

    // The sync job runs in the background and finishes the repository.
    let state = app.state.clone();
    assert!(
        eventually(PATIENCE, || async {
            let mut conn = state.db.pool().acquire().await.unwrap();
            sync_state::get(&mut conn, org, "github", "repo:11")
                .await
                .unwrap()
                .is_some_and(|s| s.status == "done")
        })
        .await
    );
    app.stop().await;

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_aimpact"))
        .args(["export", "prs", "--format", "json"])
        .env_clear()
        .env("DATABASE_URL", db.url.expose())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.len(), 3);
    let known = rows.iter().find(|r| r["number"] == 1).unwrap();
    assert_eq!(known["repository"], "acme/api");
    assert_eq!(known["state"], "merged");
    assert_eq!(
        known["ready_at"], "2026-11-01T12:00:00Z",
        "opened as draft, ready at noon"
    );
    assert_eq!(known["first_commit_at"], "2026-11-01T08:00:00Z");
    assert_eq!(
        known["first_review_at"], "2026-11-01T14:00:00Z",
        "the 11:00 review came before ready; the 14:00 one came from the overflow page"
    );
    assert_eq!(known["coding_time"], 7_200);
    assert_eq!(known["pickup_time"], 7_200);
    assert_eq!(known["review_time"], 72_000);
    assert_eq!(known["cycle_time"], 93_600);
    assert_eq!(known["size"], 42);
    assert_eq!(known["ai_detected"], true);
    assert_eq!(known["ai_detection_rule"], "co_author_trailer");

    let csv = std::process::Command::new(env!("CARGO_BIN_EXE_aimpact"))
        .args(["export", "prs", "--format", "csv", "--since", "2026-11-02"])
        .env_clear()
        .env("DATABASE_URL", db.url.expose())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&csv.stdout);
    assert!(
        text.starts_with("repository,number,title,author,state,created_at,ready_at"),
        "{text}"
    );
    assert_eq!(
        text.lines().count(),
        3,
        "header and the two PRs updated since Nov 2: {text}"
    );
}

#[tokio::test]
async fn a_sync_stopped_mid_way_resumes_from_its_checkpoint() {
    let (github, calls, fail) = fake_github().await;
    let db = TestDb::new().await;
    let org = new_org(&db).await;
    let store = db.connect().await;
    let (client, repo) = client_and_repo(&github);
    let mode = Mode::Full { days: 3650 };

    fail.store(true, Ordering::SeqCst);
    let err = sync::sync_repo(&client, &store, org, &repo, mode, &|_| {}).await;
    assert!(err.is_err(), "page two failed");
    let mut conn = store.pool().acquire().await.unwrap();
    let state = sync_state::get(&mut conn, org, "github", "repo:11")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(state.status, "running");
    assert_eq!(state.items_done, 2, "page one is stored");
    assert!(state.checkpoint.unwrap().contains("\"after\":\"c1\""));
    drop(conn);

    fail.store(false, Ordering::SeqCst);
    let before = calls.load(Ordering::SeqCst);
    let done = sync::sync_repo(&client, &store, org, &repo, mode, &|_| {})
        .await
        .unwrap();
    assert_eq!(done.done, 3);
    assert_eq!(
        calls.load(Ordering::SeqCst) - before,
        1,
        "only page two was fetched again"
    );
    let mut conn = store.pool().acquire().await.unwrap();
    let state = sync_state::get(&mut conn, org, "github", "repo:11")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(state.status, "done");
    assert!(state.cursor.is_some() && state.checkpoint.is_none());
}

#[tokio::test]
async fn a_graphql_rate_limit_pauses_the_sync_until_the_reset() {
    let github = MockServer::start().await;
    let reset = chrono::Utc::now().timestamp() + 1;
    Mock::given(path("/graphql"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-reset", reset.to_string().as_str())
                .set_body_json(json!({ "data": null, "errors": [{ "type": "RATE_LIMITED", "message": "API rate limit exceeded" }] })),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&github)
        .await;
    Mock::given(path("/graphql"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "data": {
            "repository": { "pullRequests": { "totalCount": 0, "pageInfo": { "hasNextPage": false, "endCursor": null }, "nodes": [] } },
            "rateLimit": { "cost": 1, "remaining": 4999, "resetAt": "2030-01-01T00:00:00Z" } } })))
        .with_priority(2)
        .mount(&github)
        .await;
    let db = TestDb::new().await;
    let org = new_org(&db).await;
    let store = db.connect().await;
    let (client, repo) = client_and_repo(&github);
    let done = sync::sync_repo(
        &client,
        &store,
        org,
        &repo,
        Mode::Full { days: 30 },
        &|_| {},
    )
    .await
    .unwrap();
    assert_eq!(done.done, 0);
    assert_eq!(
        github.received_requests().await.unwrap().len(),
        2,
        "retried once after the pause"
    );
    assert!(
        chrono::Utc::now().timestamp() >= reset,
        "waited for the reset"
    );
}

/// One page whose PRs overflow in three ways: reviews over three pages,
/// commits over two, and nothing.
struct OverflowingPage;

impl Respond for OverflowingPage {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let query = body["query"].as_str().unwrap_or_default();
        let vars = &body["variables"];
        let rate = json!({ "cost": 1, "remaining": 4990, "resetAt": "2030-01-01T00:00:00Z" });
        let page = |more: Option<&str>, nodes: Value| json!({ "pageInfo": { "hasNextPage": more.is_some(), "endCursor": more }, "nodes": nodes });
        let commit = |oid: &str| {
            json!({ "commit": { "oid": oid, "authoredDate": "2026-11-01T08:00:00Z",
            "committedDate": "2026-11-01T08:00:00Z", "message": "Work", "author": { "name": "Ada", "email": "ada@acme.test", "user": { "login": "ada" } } } })
        };
        if query.contains("pullRequests(") {
            let nodes = vec![
                pr_node(
                    "PR_a",
                    1,
                    "2026-11-03T09:00:00Z",
                    json!([review(1, "bob", "COMMENTED", "2026-11-01T11:00:00Z")]),
                    Some("ra1"),
                    json!({}),
                ),
                pr_node(
                    "PR_b",
                    2,
                    "2026-11-02T09:00:00Z",
                    json!([]),
                    None,
                    json!({ "commits": { "totalCount": 2, "pageInfo": { "hasNextPage": true, "endCursor": "cb1" }, "nodes": [commit("b1")] } }),
                ),
                pr_node(
                    "PR_c",
                    3,
                    "2026-11-01T09:00:00Z",
                    json!([]),
                    None,
                    json!({}),
                ),
            ];
            return ResponseTemplate::new(200).set_body_json(json!({ "data": {
                "repository": { "pullRequests": { "totalCount": 3,
                    "pageInfo": { "hasNextPage": false, "endCursor": "p1" }, "nodes": nodes } },
                "rateLimit": rate } }));
        }
        let mut data = serde_json::Map::new();
        let mut i = 0;
        while let Some(id) = vars.get(format!("id{i}")).and_then(Value::as_str) {
            let node = match (id, vars[format!("after{i}")].as_str()) {
                ("PR_a", Some("ra1")) => json!({ "reviews": page(Some("ra2"),
                    json!([review(2, "bob", "COMMENTED", "2026-11-01T12:00:00Z")])) }),
                ("PR_a", Some("ra2")) => json!({ "reviews": page(None,
                    json!([review(3, "bob", "APPROVED", "2026-11-01T13:00:00Z")])) }),
                ("PR_b", Some("cb1")) => json!({ "commits": page(None, json!([commit("b2")])) }),
                other => panic!("unexpected follow-up {other:?}"),
            };
            data.insert(format!("n{i}"), node);
            i += 1;
        }
        assert!(i > 0, "a query with neither a page nor follow-ups: {query}");
        data.insert("rateLimit".into(), rate);
        ResponseTemplate::new(200).set_body_json(json!({ "data": data }))
    }
}

#[tokio::test]
async fn the_overflowing_lists_of_one_page_are_fetched_together_and_only_as_far_as_they_go() {
    let github = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .respond_with(OverflowingPage)
        .mount(&github)
        .await;
    let db = TestDb::new().await;
    let org = new_org(&db).await;
    let store = db.connect().await;
    let (client, repo) = client_and_repo(&github);

    let done = sync::sync_repo(
        &client,
        &store,
        org,
        &repo,
        Mode::Full { days: 3650 },
        &|_| {},
    )
    .await
    .unwrap();
    assert_eq!(done.done, 3);
    let requests = github.received_requests().await.unwrap();
    assert_eq!(
        requests.len(),
        3,
        "the page, then PR a's reviews and PR b's commits together, then PR a's last reviews"
    );
    let second: Value = serde_json::from_slice(&requests[1].body).unwrap();
    assert_eq!(second["variables"]["id0"], "PR_a");
    assert_eq!(second["variables"]["id1"], "PR_b");
    let third: Value = serde_json::from_slice(&requests[2].body).unwrap();
    assert_eq!(third["variables"]["id0"], "PR_a");
    assert!(third["variables"].get("id1").is_none());

    let pool = store.pool();
    let count = |sql: &'static str| async move {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(pool)
            .await
            .unwrap()
    };
    assert_eq!(count("select count(*) from pr_review").await, 3);
    assert_eq!(count("select count(*) from pr_commit").await, 2);
}

#[tokio::test]
async fn a_list_that_never_ends_or_an_oversized_answer_fails_the_run_instead_of_holding_it() {
    let github = MockServer::start().await;
    let ok = |v: Value| ResponseTemplate::new(200).set_body_json(v);
    let repo = json!({ "id": 11, "name": "api", "owner": { "login": "acme" }, "private": true,
        "archived": false, "fork": false, "default_branch": "main" });
    // Page 2 points at itself for ever.
    let again = format!(
        "<{}/orgs/acme/repos?per_page=100&type=all&page=2>; rel=\"next\"",
        github.uri()
    );
    Mock::given(path("/orgs/acme/repos"))
        .respond_with(ok(json!([repo])).insert_header("link", again.as_str()))
        .mount(&github)
        .await;
    Mock::given(path("/user/memberships/orgs/acme"))
        .respond_with(ok(
            json!({ "state": "active", "role": "admin", "organization": { "login": "acme" } }),
        ))
        .mount(&github)
        .await;
    // GraphQL answers with more than the body cap.
    let huge = "x".repeat(aimpact::bounds::MAX_BODY_BYTES + 1);
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .respond_with(ResponseTemplate::new(200).set_body_string(huge))
        .mount(&github)
        .await;
    let db = TestDb::new().await;
    let org = new_org(&db).await;
    let store = db.connect().await;
    let (client, repo) = client_and_repo(&github);

    let started = std::time::Instant::now();
    let err = aimpact::github::connect::discover(&client, &store, org, "acme")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("repeated a page cursor"), "{err}");
    let calls = github.received_requests().await.unwrap().len();
    assert!(calls <= 3, "stopped at the repeat, not after {calls} calls");

    let err = sync::sync_repo(
        &client,
        &store,
        org,
        &repo,
        Mode::Full { days: 30 },
        &|_| {},
    )
    .await
    .unwrap_err();
    assert!(
        err.to_string().to_lowercase().contains("length limit")
            || err.to_string().contains("larger than"),
        "{err}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    store.close().await;
}
