//! Jira against a fake site: connect from the environment, discovery,
//! the token-paged search with bulk changelogs, people matching, sprints,
//! PR links, export with hand-computed answers, resume after a failure,
//! rate limits, and OAuth with rotating refresh tokens.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use aimpact::domain::{OrgId, Provider};
use aimpact::github::ingest::{self, Account, PrFacts, RepoFacts};
use aimpact::jira::client::{JiraError, Refresh};
use aimpact::jira::connect::{self, OAuthRefresher};
use aimpact::store::{credentials, integrations, jira as store, people, sync_state};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::helpers::*;

/// 2026-03-02T09:00:00Z
const T0: i64 = 1_772_442_000;
const HOUR: i64 = 3600;

fn iso(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M:%S%.3f+0000")
        .to_string()
}

fn issue(
    id: &str,
    key: &str,
    assignee: Value,
    points: Option<f64>,
    sprints: Value,
    status: (&str, &str),
) -> Value {
    json!({
        "id": id, "key": key,
        "fields": {
            "summary": format!("Work on {key}"),
            "status": { "name": status.0, "statusCategory": { "key": status.1 } },
            "issuetype": { "name": "Story" },
            "assignee": assignee,
            "created": iso(T0 - 24 * HOUR),
            "updated": iso(T0 + 10 * HOUR),
            "customfield_10016": points,
            "customfield_10020": sprints,
        }
    })
}

fn change(id: &str, at: i64, from: &str, to: &str, to_name: &str) -> Value {
    json!({ "id": id, "created": iso(at), "items": [
        { "field": "status", "fieldId": "status", "from": from, "to": to, "toString": to_name }
    ] })
}

/// The fake Jira's search, counting calls and failing page 2 on demand.
#[derive(Clone, Default)]
struct Search {
    bodies: Arc<Mutex<Vec<Value>>>,
    fail_page_two: Arc<AtomicUsize>,
}

impl Respond for Search {
    fn respond(&self, r: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&r.body).unwrap_or_default();
        self.bodies.lock().unwrap().push(body.clone());
        let sprint = json!([{ "id": 100, "name": "Sprint 1", "state": "closed", "boardId": 7,
            "startDate": iso(T0 - 48 * HOUR), "endDate": iso(T0 + 72 * HOUR), "completeDate": iso(T0 + 72 * HOUR) }]);
        if body["nextPageToken"] == "p2" {
            if self.fail_page_two.load(Ordering::SeqCst) > 0 {
                self.fail_page_two.fetch_sub(1, Ordering::SeqCst);
                return ResponseTemplate::new(503)
                    .set_body_json(json!({ "errorMessages": ["down"] }));
            }
            return ResponseTemplate::new(200).set_body_json(json!({ "issues": [
                issue("103", "PROJ-3", json!({ "accountId": "acc-sam", "displayName": "Sam" }), None, json!(null), ("Done", "done")),
            ] }));
        }
        ResponseTemplate::new(200).set_body_json(json!({
            "issues": [
                issue("101", "PROJ-1", json!({ "accountId": "acc-ada", "displayName": "Ada L.", "emailAddress": "Ada@Acme.example" }), Some(3.0), sprint.clone(), ("Done", "done")),
                issue("102", "PROJ-2", json!({ "accountId": "acc-bob", "displayName": "Bob Builder" }), Some(5.0), sprint, ("Done", "done")),
            ],
            "nextPageToken": "p2"
        }))
    }
}

fn changelogs(r: &Request) -> ResponseTemplate {
    let body: Value = serde_json::from_slice(&r.body).unwrap_or_default();
    let ids: Vec<&str> = body["issueIdsOrKeys"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let logs: Vec<Value> = ids
        .iter()
        .map(|id| {
            let histories = match *id {
                // To Do → In Progress → Done: 2 h.
                "101" => json!([
                    change("1001", T0, "1", "3", "In Progress"),
                    change("1002", T0 + 2 * HOUR, "3", "10001", "Done"),
                ]),
                // Reopened: the first In Progress to the first Done after it, 1 h.
                "102" => json!([
                    change("2001", T0 + HOUR, "1", "3", "In Progress"),
                    change("2002", T0 + 2 * HOUR, "3", "10001", "Done"),
                    change("2003", T0 + 3 * HOUR, "10001", "3", "In Progress"),
                    change("2004", T0 + 6 * HOUR, "3", "10001", "Done"),
                ]),
                // Closed without work: no cycle.
                _ => json!([change("3001", T0, "1", "10001", "Done")]),
            };
            json!({ "issueId": id, "changeHistories": histories })
        })
        .collect();
    ResponseTemplate::new(200).set_body_json(json!({ "issueChangeLogs": logs }))
}

async fn fake_jira(search: Search) -> MockServer {
    let jira = MockServer::start().await;
    let get = |p: &str, body: Value| {
        Mock::given(method("GET"))
            .and(path(p.to_string()))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
    };
    get(
        "/rest/api/3/myself",
        json!({ "accountId": "acc-bot", "displayName": "aimpact bot" }),
    )
    .mount(&jira)
    .await;
    get(
        "/rest/api/3/project/search",
        json!({ "values": [{ "id": "10000", "key": "PROJ", "name": "Project" }], "isLast": true }),
    )
    .mount(&jira)
    .await;
    get(
        "/rest/api/3/field",
        json!([
            { "id": "summary", "name": "Summary", "schema": { "type": "string" } },
            { "id": "customfield_10016", "name": "Story point estimate",
              "schema": { "type": "number", "custom": "com.pyxis.greenhopper.jira:jsw-story-points" } },
            { "id": "customfield_10020", "name": "Sprint",
              "schema": { "type": "array", "custom": "com.pyxis.greenhopper.jira:gh-sprint" } }
        ]),
    )
    .mount(&jira)
    .await;
    get(
        "/rest/api/3/status",
        json!([
            { "id": "1", "name": "To Do", "statusCategory": { "key": "new" } },
            { "id": "3", "name": "In Progress", "statusCategory": { "key": "indeterminate" } },
            { "id": "10001", "name": "Done", "statusCategory": { "key": "done" } }
        ]),
    )
    .mount(&jira)
    .await;
    get(
        "/rest/agile/1.0/board",
        json!({ "values": [{ "id": 7 }], "isLast": true }),
    )
    .mount(&jira)
    .await;
    get(
        "/rest/agile/1.0/board/7/sprint",
        json!({ "values": [
            { "id": 100, "name": "Sprint 1", "state": "closed", "startDate": iso(T0 - 48 * HOUR),
              "endDate": iso(T0 + 72 * HOUR), "completeDate": iso(T0 + 72 * HOUR) },
            { "id": 101, "name": "Sprint 2", "state": "active", "startDate": iso(T0 + 72 * HOUR) }
        ], "isLast": true }),
    )
    .mount(&jira)
    .await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/search/approximate-count"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "count": 3 })))
        .mount(&jira)
        .await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/search/jql"))
        .respond_with(search)
        .mount(&jira)
        .await;
    // The removed offset search must never be called.
    Mock::given(path("/rest/api/3/search"))
        .respond_with(ResponseTemplate::new(410))
        .expect(0)
        .mount(&jira)
        .await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/changelog/bulkfetch"))
        .respond_with(changelogs)
        .mount(&jira)
        .await;
    jira
}

async fn org_with_people(db: &TestDb) -> OrgId {
    let app = spawn_app_with(db, &[], false).await;
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    let org = aimpact::store::orgs::upsert_installation(&mut conn, "T1", "Acme", Some("U1"))
        .await
        .unwrap()
        .id;
    let account = |login: &str, id: &str| Account {
        login: login.into(),
        id: Some(id.into()),
        is_bot: false,
    };
    // Ada has an email from GitHub; one Bob Builder; two people named Sam.
    let ada = ingest::person_for(&mut conn, org, &account("ada", "1"))
        .await
        .unwrap();
    people::add_email_if_free(&mut conn, org, ada, "ada@acme.example")
        .await
        .unwrap();
    let bob = ingest::person_for(&mut conn, org, &account("bob", "2"))
        .await
        .unwrap();
    people::set_display_name(&mut conn, org, bob, "Bob Builder")
        .await
        .unwrap();
    for (login, id) in [("sam1", "3"), ("sam2", "4")] {
        let p = ingest::person_for(&mut conn, org, &account(login, id))
            .await
            .unwrap();
        people::set_display_name(&mut conn, org, p, "Sam")
            .await
            .unwrap();
    }
    // A PR that names PROJ-1 in its branch and PROJ-2 in its body.
    let facts = PrFacts {
        repo: RepoFacts {
            github_repo_id: "11".into(),
            owner: "acme".into(),
            name: "api".into(),
            ..Default::default()
        },
        node_id: "PR_1".into(),
        number: 7,
        title: "Faster login".into(),
        body: "Also closes proj-2.".into(),
        head_ref: "feature/PROJ-1-login".into(),
        state: "open".into(),
        created_at: T0,
        updated_at: T0,
        author: Some(account("ada", "1")),
        ..Default::default()
    };
    ingest::ingest(&mut conn, org, &facts, &[]).await.unwrap();
    drop(conn);
    app.stop().await;
    org
}

fn jira_env(jira: &MockServer) -> Vec<(&'static str, String)> {
    vec![
        ("JIRA_URL", jira.uri()),
        ("JIRA_EMAIL", "bot@acme.example".into()),
        ("JIRA_API_TOKEN", "jira-token-123".into()),
        ("JIRA_SYNC_DAYS", "3650".into()),
    ]
}

fn export(db: &TestDb) -> Vec<Value> {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_aimpact"))
        .args(["export", "issues", "--format", "json"])
        .env_clear()
        .env("DATABASE_URL", db.url.expose())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test]
async fn connect_discover_sync_and_export_give_the_hand_computed_answers() {
    let search = Search::default();
    let jira = fake_jira(search.clone()).await;
    let db = TestDb::new().await;
    let org = org_with_people(&db).await;
    let env = jira_env(&jira);
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_app_with(&db, &pairs, true).await;

    let state = app.state.clone();
    assert!(
        eventually(PATIENCE, || async {
            let mut conn = state.db.pool().acquire().await.unwrap();
            sync_state::get(&mut conn, org, "jira", "project:PROJ")
                .await
                .unwrap()
                .is_some_and(|s| s.status == "done" && s.items_done == 3)
        })
        .await
    );
    {
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        let g = integrations::get(&mut conn, org, "jira")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(g.status, "connected");
        assert_eq!(g.setting("story_points_field"), "customfield_10016");
        assert_eq!(g.setting("sprint_field"), "customfield_10020");
        // The token is stored encrypted, never in settings.
        assert!(!g.settings.contains("jira-token-123"));
        assert_eq!(
            credentials::get(&mut conn, &app.state.keys, org, connect::API_TOKEN)
                .await
                .unwrap()
                .unwrap()
                .expose_secret(),
            "jira-token-123"
        );
    }
    // The job links PRs after the last page; wait for it before stopping.
    assert!(
        eventually(PATIENCE, || async {
            let mut conn = state.db.pool().acquire().await.unwrap();
            let n: i64 = sqlx::query_scalar("select count(*) from pr_jira_link where org_id = $1")
                .bind(org.get())
                .fetch_one(&mut *conn)
                .await
                .unwrap();
            n == 2
        })
        .await
    );
    // Only the stored fields were asked for, with the token-paged search.
    let bodies = search.bodies.lock().unwrap().clone();
    assert_eq!(bodies.len(), 2);
    assert!(
        bodies[0]["jql"]
            .as_str()
            .unwrap()
            .starts_with("project = \"PROJ\" AND updated >= \"")
    );
    assert_eq!(bodies[1]["nextPageToken"], "p2");
    assert!(bodies.iter().all(|b| b.get("startAt").is_none()));
    let fields: Vec<&str> = bodies[0]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "summary",
            "status",
            "issuetype",
            "assignee",
            "created",
            "updated",
            "customfield_10016",
            "customfield_10020"
        ]
    );
    app.stop().await;

    let rows = export(&db);
    let row = |key: &str| rows.iter().find(|r| r["issue_key"] == key).unwrap().clone();
    let one = row("PROJ-1");
    assert_eq!(one["status_category"], "done");
    assert_eq!(one["story_points"], 3.0);
    assert_eq!(one["started_at"], "2026-03-02T09:00:00Z");
    assert_eq!(one["done_at"], "2026-03-02T11:00:00Z");
    assert_eq!(one["issue_cycle_time"], 2 * HOUR);
    assert_eq!(one["assignee"], "ada", "matched by the email Jira showed");
    assert_eq!(one["sprints"], "Sprint 1");
    assert_eq!(one["pull_requests"], "acme/api#7");
    let two = row("PROJ-2");
    assert_eq!(
        two["issue_cycle_time"], HOUR,
        "first In Progress to the first Done after it"
    );
    assert_eq!(
        two["assignee"], "Bob Builder",
        "matched by the one person of that name"
    );
    assert_eq!(two["pull_requests"], "acme/api#7");
    let three = row("PROJ-3");
    assert_eq!(
        three["issue_cycle_time"],
        Value::Null,
        "closed without work"
    );
    assert_eq!(three["started_at"], Value::Null);
    assert_eq!(three["sprints"], "");

    // Two people are named Sam: Jira's Sam is nobody's yet, listed on their own.
    let app = spawn_app_with(&db, &[], false).await;
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    let sam = people::find_by_identity(&mut conn, org, Provider::Jira, "acc-sam")
        .await
        .unwrap()
        .unwrap();
    assert!(
        !people::has_identity(&mut conn, org, sam.id, Provider::Github)
            .await
            .unwrap()
    );
    assert_eq!(three["assignee"], "Sam");
    let sprints = store::sprints(&mut conn, org).await.unwrap();
    assert_eq!(
        sprints
            .iter()
            .map(|(_, s)| s.name.as_str())
            .collect::<Vec<_>>(),
        ["Sprint 1", "Sprint 2"],
        "sprints come from the boards too"
    );
    drop(conn);
    app.stop().await;
}

#[tokio::test]
async fn a_sync_that_fails_mid_way_resumes_from_its_page_and_the_incremental_run_reads_only_recent_changes()
 {
    let search = Search::default();
    // Page two fails more often than the client retries.
    search.fail_page_two.store(20, Ordering::SeqCst);
    let jira = fake_jira(search.clone()).await;
    let db = TestDb::new().await;
    let org = org_with_people(&db).await;
    let env = jira_env(&jira);
    let mut vars: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    vars.push(("DATABASE_URL", db.url.expose()));
    let key = key_entry("test1", 1);
    vars.push(("AIMPACT_ENCRYPTION_KEYS", &key));
    // The fake listens on loopback.
    vars.push(("AIMPACT_ALLOW_PRIVATE_HOSTS", "1"));

    let sync = |vars: &[(&str, &str)]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_aimpact"))
            .args(["sync", "jira"])
            .env_clear()
            .envs(vars.iter().copied())
            .output()
            .unwrap()
    };
    // Connect from the environment first (the CLI uses what is stored).
    let app = spawn_app_with(&db, &vars[..4], false).await;
    app.stop().await;

    let failed = sync(&vars);
    assert!(!failed.status.success());
    let err = String::from_utf8_lossy(&failed.stderr);
    assert!(err.contains("Jira answered 503"), "{err}");
    {
        let app = spawn_app_with(&db, &[], false).await;
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        let s = sync_state::get(&mut conn, org, "jira", "project:PROJ")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(s.status, "running");
        assert_eq!(s.items_done, 2);
        assert!(s.checkpoint.unwrap().contains("p2"));
        drop(conn);
        app.stop().await;
    }

    search.fail_page_two.store(0, Ordering::SeqCst);
    search.bodies.lock().unwrap().clear();
    let ok = sync(&vars);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let bodies = search.bodies.lock().unwrap().clone();
    assert_eq!(bodies.len(), 1, "resumed at page two");
    assert_eq!(bodies[0]["nextPageToken"], "p2");
    assert_eq!(export(&db).len(), 3);

    // The next (incremental) run asks only for what changed since the
    // last run, with a day of overlap.
    search.bodies.lock().unwrap().clear();
    let again = sync(&vars);
    assert!(again.status.success());
    let jql = search.bodies.lock().unwrap()[0]["jql"]
        .as_str()
        .unwrap()
        .to_string();
    let yesterday = (chrono::Utc::now() - chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    assert!(jql.contains(&format!("updated >= \"{yesterday}")), "{jql}");
    assert_eq!(export(&db).len(), 3, "nothing doubled");
}

#[tokio::test]
async fn a_burst_429_is_retried_after_retry_after_and_a_wrong_token_is_refused_at_connect() {
    let jira = MockServer::start().await;
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    Mock::given(path("/rest/api/3/myself"))
        .respond_with(move |r: &Request| {
            let n = seen.fetch_add(1, Ordering::SeqCst);
            use base64::Engine;
            let auth = r
                .headers
                .get("authorization")
                .unwrap()
                .to_str()
                .unwrap()
                .to_string();
            let decoded = auth
                .strip_prefix("Basic ")
                .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
                .map(|b| String::from_utf8_lossy(&b).to_string())
                .unwrap_or_default();
            if decoded != "bot@acme.example:good" {
                return ResponseTemplate::new(401)
                    .set_body_json(json!({ "errorMessages": ["Unauthorized"] }));
            }
            if n == 0 {
                return ResponseTemplate::new(429)
                    .insert_header("RateLimit-Reason", "jira-burst-based")
                    .insert_header("Retry-After", "1");
            }
            ResponseTemplate::new(200).set_body_json(json!({ "displayName": "Bot" }))
        })
        .mount(&jira)
        .await;
    let db = TestDb::new().await;
    let app = spawn_app_with(&db, &[], false).await;
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    let org = aimpact::store::orgs::upsert_installation(&mut conn, "T1", "Acme", Some("U1"))
        .await
        .unwrap()
        .id;
    drop(conn);
    let site = connect::site_url(&jira.uri()).unwrap();
    let started = std::time::Instant::now();
    let name = connect::connect_token(
        &app.state.db,
        &app.state.keys,
        &app.state.http,
        org,
        &site,
        Some("bot@acme.example"),
        &SecretString::from("good".to_string()),
        Some("U1"),
        app.state.config.outbound_hosts,
    )
    .await
    .unwrap();
    assert_eq!(name, "Bot");
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(600),
        "waited for Retry-After"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 2);

    // A wrong token is refused, and what was stored stays.
    let refused = connect::connect_token(
        &app.state.db,
        &app.state.keys,
        &app.state.http,
        org,
        &site,
        Some("bot@acme.example"),
        &SecretString::from("wrong".to_string()),
        Some("U1"),
        app.state.config.outbound_hosts,
    )
    .await;
    assert!(matches!(
        refused,
        Err(connect::ConnectError::Jira(JiraError::Unauthorized(_)))
    ));
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    assert_eq!(
        credentials::get(&mut conn, &app.state.keys, org, connect::API_TOKEN)
            .await
            .unwrap()
            .unwrap()
            .expose_secret(),
        "good"
    );
    drop(conn);
    app.stop().await;
}

#[tokio::test]
async fn oauth_connects_a_site_and_rotates_refresh_tokens_without_ever_stranding_the_org() {
    let atlassian = MockServer::start().await;
    // Token endpoint: the code, then refreshes (the second answer is "lost").
    let refreshes = Arc::new(AtomicUsize::new(0));
    let count = refreshes.clone();
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(move |r: &Request| {
            let body: Value = serde_json::from_slice(&r.body).unwrap();
            match body["grant_type"].as_str().unwrap() {
                "authorization_code" if body["code"] == "the-code" => ResponseTemplate::new(200)
                    .set_body_json(json!({ "access_token": "at-1", "refresh_token": "rt-1", "expires_in": 3600 })),
                "refresh_token" => {
                    let n = count.fetch_add(1, Ordering::SeqCst);
                    match (n, body["refresh_token"].as_str().unwrap()) {
                        // The answer is lost on the way back.
                        (0, "rt-1") => ResponseTemplate::new(502),
                        // Atlassian's reuse leeway: the old token still works.
                        (1, "rt-1") => ResponseTemplate::new(200).set_body_json(
                            json!({ "access_token": "at-2", "refresh_token": "rt-2", "expires_in": 3600 }),
                        ),
                        _ => ResponseTemplate::new(403).set_body_json(
                            json!({ "error": "unauthorized_client", "error_description": "refresh_token is invalid" }),
                        ),
                    }
                }
                _ => ResponseTemplate::new(400).set_body_json(json!({ "error": "invalid_grant" })),
            }
        })
        .mount(&atlassian)
        .await;
    Mock::given(path("/oauth/token/accessible-resources"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            { "id": "cloud-123", "url": "https://acme.atlassian.net", "name": "acme", "scopes": ["read:jira-work", "read:jira-user"] }
        ])))
        .mount(&atlassian)
        .await;
    let uri = atlassian.uri();
    let db = TestDb::new().await;
    let app = spawn_app_with(
        &db,
        &[
            ("ATLASSIAN_CLIENT_ID", "client-1"),
            ("ATLASSIAN_CLIENT_SECRET", "secret-1"),
            ("ATLASSIAN_AUTH_URL", &uri),
            ("ATLASSIAN_API_URL", &uri),
            ("AIMPACT_PUBLIC_URL", "https://aimpact.example"),
        ],
        false,
    )
    .await;
    let org = install_org(&app, "T1", "U_ADMIN").await;
    let jira_settings = app.state.config.jira.clone();
    let url = connect::authorize_url(
        &app.state.db,
        &jira_settings,
        app.state.config.public_url.as_ref(),
        org,
        "U_ADMIN",
    )
    .await
    .unwrap()
    .unwrap();
    // App Home's button leads to our own start route, which binds the
    // consent to this browser (a cookie) and sends it on to Atlassian.
    assert_eq!(url.path(), "/jira/connect");
    // It asks first, naming the workspace the site will belong to.
    let asked = app
        .http
        .get(app.url(&format!("/jira/connect?{}", url.query().unwrap())))
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), 200);
    assert!(
        asked
            .text()
            .await
            .unwrap()
            .contains("for the Slack workspace <b>Acme</b>")
    );
    let signed = url
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .to_string();
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // Posted from another site: refused, nothing bound.
    let cross_site = no_redirects
        .post(app.url("/jira/connect"))
        .header("origin", "https://evil.example")
        .form(&[("state", signed.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), 403);
    assert!(cross_site.headers().get("set-cookie").is_none());
    let started = no_redirects
        .post(app.url("/jira/connect"))
        .header("origin", "https://aimpact.example")
        .form(&[("state", signed.as_str())])
        .send()
        .await
        .unwrap();
    assert!(started.status().is_redirection(), "{}", started.status());
    let cookie = started.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("aimpact_jira_state="));
    let consent = url::Url::parse(started.headers()["location"].to_str().unwrap()).unwrap();
    let q: std::collections::HashMap<String, String> = consent.query_pairs().into_owned().collect();
    assert_eq!(q["audience"], "api.atlassian.com");
    assert_eq!(
        q["redirect_uri"],
        "https://aimpact.example/jira/oauth/callback"
    );
    assert!(q["scope"].contains("offline_access"));
    // A forged start link is refused before anything is set.
    let forged = no_redirects
        .get(app.url("/jira/connect?state=abc.00"))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 400);
    let forged = no_redirects
        .post(app.url("/jira/connect"))
        .header("origin", "https://aimpact.example")
        .form(&[("state", "abc.00")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 400);
    let callback = |state: &str, code: &str, cookie: Option<&str>| {
        let url = app.url(&format!("/jira/oauth/callback?state={state}&code={code}"));
        let mut request = app.http.get(url);
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        async move { request.send().await.unwrap() }
    };
    let (nonce, _) = q["state"].split_once('.').unwrap();
    assert_eq!(
        callback(&format!("{nonce}.00"), "the-code", Some(&cookie))
            .await
            .status(),
        400
    );
    // The consent page forwarded to someone else (another browser, no
    // cookie): nothing is linked, and the state is not used up.
    let elsewhere = callback(&q["state"], "the-code", None).await;
    assert_eq!(elsewhere.status(), 400);
    assert!(
        elsewhere
            .text()
            .await
            .unwrap()
            .contains("not started in this browser")
    );
    let other_cookie = format!("aimpact_jira_state={}", "0".repeat(nonce.len()));
    assert_eq!(
        callback(&q["state"], "the-code", Some(&other_cookie))
            .await
            .status(),
        400
    );
    {
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        assert!(
            integrations::get(&mut conn, org, "jira")
                .await
                .unwrap()
                .is_none(),
            "nothing linked by the forwarded consent"
        );
    }
    let ok = callback(&q["state"], "the-code", Some(&cookie)).await;
    let status = ok.status();
    assert_eq!(status, 200, "{}", ok.text().await.unwrap());
    assert_eq!(
        callback(&q["state"], "the-code", Some(&cookie))
            .await
            .status(),
        400,
        "single use"
    );

    let stored = |name: &'static str| {
        let db = app.state.db.clone();
        let keys = app.state.keys.clone();
        async move {
            let mut conn = db.pool().acquire().await.unwrap();
            credentials::get(&mut conn, &keys, org, name)
                .await
                .unwrap()
                .map(|s| s.expose_secret().to_string())
        }
    };
    assert_eq!(
        stored(connect::REFRESH_TOKEN).await.as_deref(),
        Some("rt-1")
    );
    {
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        let g = integrations::get(&mut conn, org, "jira")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(g.external_id.as_deref(), Some("cloud-123"));
        assert_eq!(g.setting("mode"), "oauth");
    }

    let refresher = OAuthRefresher::new(
        app.state.db.clone(),
        app.state.keys.clone(),
        app.state.http.clone(),
        jira_settings,
        org,
    );
    // Lost answer: an error, and the stored refresh token is unchanged.
    assert!(matches!(
        refresher.refresh().await,
        Err(JiraError::Transport(_))
    ));
    assert_eq!(
        stored(connect::REFRESH_TOKEN).await.as_deref(),
        Some("rt-1")
    );
    // The next attempt works and stores the rotated pair together.
    assert_eq!(refresher.refresh().await.unwrap().expose_secret(), "at-2");
    assert_eq!(stored(connect::ACCESS_TOKEN).await.as_deref(), Some("at-2"));
    assert_eq!(
        stored(connect::REFRESH_TOKEN).await.as_deref(),
        Some("rt-2")
    );
    // A revoked grant tells admins to reconnect; nothing is deleted.
    assert!(matches!(
        refresher.refresh().await,
        Err(JiraError::Unauthorized(_))
    ));
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    let g = integrations::get(&mut conn, org, "jira")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(g.status, "error");
    assert_eq!(g.last_error.as_deref(), Some(connect::RECONNECT));
    drop(conn);
    assert_eq!(
        stored(connect::REFRESH_TOKEN).await.as_deref(),
        Some("rt-2")
    );
    app.stop().await;
}

fn jira_submission(site: &str, email: &str, token: &str) -> Value {
    json!({
        "type": "view_submission", "team": { "id": "T1" }, "user": { "id": "U_ADMIN" }, "trigger_id": "t",
        "view": { "id": "V9", "callback_id": "jira_connect", "state": { "values": {
            "jira_site": { "jira_site_value": { "type": "plain_text_input", "value": site } },
            "jira_email": { "jira_email_value": { "type": "plain_text_input", "value": email } },
            "jira_token": { "jira_token_value": { "type": "plain_text_input", "value": token } }
        } } }
    })
}

#[tokio::test]
async fn admins_connect_jira_choose_projects_and_see_problems_on_app_home() {
    let slack = fake_slack(None).await;
    let jira = fake_jira(Search::default()).await;
    Mock::given(path("/rest/api/3/project/search"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "values": [
            { "id": "10000", "key": "PROJ", "name": "Project" },
            { "id": "10001", "key": "OPS", "name": "Operations" }
        ], "isLast": true })))
        .with_priority(1)
        .mount(&jira)
        .await;
    let db = TestDb::new().await;
    let settings = slack_settings(&slack);
    let pairs: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_app_with(&db, &pairs, true).await;
    let org = install_org(&app, "T1", "U_ADMIN").await;

    // Not connected, no OAuth app here: the token form opens.
    slack_interaction(&app, &json!({
        "type": "block_actions", "team": { "id": "T1" }, "user": { "id": "U_ADMIN" }, "trigger_id": "t1",
        "actions": [{ "action_id": "setup_jira", "value": "jira" }]
    }))
    .await;
    let opened: Value = serde_json::from_slice(&calls(&slack, "views.open").await[0].body).unwrap();
    assert_eq!(opened["view"]["callback_id"], "jira_connect");

    let bad_site: Value = slack_interaction(&app, &jira_submission("not a url", "", "t"))
        .await
        .json()
        .await
        .unwrap();
    assert!(bad_site["errors"]["jira_site"].is_string());
    let no_token: Value =
        slack_interaction(&app, &jira_submission(&jira.uri(), "bot@acme.example", ""))
            .await
            .json()
            .await
            .unwrap();
    assert!(no_token["errors"]["jira_token"].is_string());
    let ok = slack_interaction(
        &app,
        &jira_submission(&jira.uri(), "bot@acme.example", "jira-token-123"),
    )
    .await;
    assert_eq!(ok.status(), 200);
    let state = app.state.clone();
    assert!(
        eventually(PATIENCE, || async {
            let mut conn = state.db.pool().acquire().await.unwrap();
            store::projects(&mut conn, org).await.unwrap().len() == 2
        })
        .await
    );

    // Connected: the button opens the project chooser with both selected.
    slack_interaction(&app, &json!({
        "type": "block_actions", "team": { "id": "T1" }, "user": { "id": "U_ADMIN" }, "trigger_id": "t2",
        "actions": [{ "action_id": "setup_jira", "value": "jira" }]
    }))
    .await;
    let opened: Value =
        serde_json::from_slice(&calls(&slack, "views.open").await.last().unwrap().body).unwrap();
    assert_eq!(opened["view"]["callback_id"], "projects_choose");
    let parsed: Vec<blocks::Block> =
        serde_json::from_value(opened["view"]["blocks"].clone()).unwrap();
    blocks::validate::validate(&parsed, blocks::SurfaceKind::Modal).unwrap();

    let ops_id = {
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        store::projects(&mut conn, org)
            .await
            .unwrap()
            .iter()
            .find(|p| p.key == "OPS")
            .unwrap()
            .id
            .0
    };
    let choose = |points: &str| {
        json!({
            "type": "view_submission", "team": { "id": "T1" }, "user": { "id": "U_ADMIN" }, "trigger_id": "t",
            "view": { "id": "V9", "callback_id": "projects_choose", "state": { "values": {
                "projects_mode": { "projects_mode_value": { "type": "radio_buttons", "selected_option": { "value": "chosen" } } },
                "projects_pick": { "projects_pick_value": { "type": "multi_static_select",
                    "selected_options": [{ "text": { "type": "plain_text", "text": "OPS" }, "value": ops_id.to_string() }] } },
                "jira_points": { "jira_points_value": { "type": "plain_text_input", "value": points } }
            } } }
        })
    };
    let bad: Value = slack_interaction(&app, &choose("story points!"))
        .await
        .json()
        .await
        .unwrap();
    assert!(bad["errors"]["jira_points"].is_string());
    let r = slack_interaction(&app, &choose("customfield_20000")).await;
    assert_eq!(r.status(), 200);
    {
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        let selected: Vec<String> = store::projects(&mut conn, org)
            .await
            .unwrap()
            .into_iter()
            .filter(|p| p.is_selected)
            .map(|p| p.key)
            .collect();
        assert_eq!(selected, ["OPS"]);
        let g = integrations::get(&mut conn, org, "jira")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(g.setting("story_points_override"), "customfield_20000");
    }
    // The chosen project syncs (a good run clears only outage messages, so
    // the revocation below stays whatever the job is doing).
    assert!(
        eventually(PATIENCE, || async {
            let mut conn = state.db.pool().acquire().await.unwrap();
            sync_state::get(&mut conn, org, "jira", "project:OPS")
                .await
                .unwrap()
                .is_some_and(|s| s.status == "done")
        })
        .await
    );
    // Publishes already under way (the chooser's save republishes Home in
    // the background) may land after the one asked for below, so the check
    // looks at every publish from here on rather than the last one.
    let before = calls(&slack, "views.publish").await.len();
    {
        // A revoked token: App Home tells the admin what to do.
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        integrations::set_status(&mut conn, org, "jira", "error", Some(connect::RECONNECT))
            .await
            .unwrap();
    }
    slack_event(
        &app,
        "T1",
        "Ev-jira-1",
        json!({ "type": "app_home_opened", "user": "U_ADMIN", "tab": "home" }),
    )
    .await;
    let slack_ = &slack;
    let published_since = || async {
        calls(slack_, "views.publish")
            .await
            .iter()
            .skip(before)
            .map(|r| String::from_utf8_lossy(&r.body).to_string())
            .collect::<Vec<_>>()
    };
    assert!(
        eventually(PATIENCE, || async {
            published_since()
                .await
                .iter()
                .any(|body| body.contains("Reconnect Jira from App Home"))
        })
        .await
    );
    app.stop().await;
}

#[tokio::test]
async fn oauth_sites_get_a_webhook_that_is_refreshed_re_registered_and_only_ever_triggers_a_sync() {
    use aimpact::jira::client::{Flavor, JiraAuth, JiraClient};
    use aimpact::jira::webhook::{self, Registered};
    let jira = MockServer::start().await;
    let next_id = Arc::new(AtomicUsize::new(1));
    let ids = next_id.clone();
    Mock::given(method("POST"))
        .and(path("/rest/api/3/webhook"))
        .respond_with(move |_: &Request| {
            let id = ids.fetch_add(1, Ordering::SeqCst);
            ResponseTemplate::new(200)
                .set_body_json(json!({ "webhookRegistrationResult": [{ "createdWebhookId": id }] }))
        })
        .mount(&jira)
        .await;
    Mock::given(method("PUT"))
        .and(path("/rest/api/3/webhook/refresh"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "expirationDate": "2031-01-01T00:00:00.000Z" })),
        )
        .expect(1)
        .mount(&jira)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/rest/api/3/webhook"))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&jira)
        .await;

    let db = TestDb::new().await;
    let app = spawn_app_with(
        &db,
        &[("AIMPACT_PUBLIC_URL", "https://aimpact.example")],
        false,
    )
    .await;
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    let org = aimpact::store::orgs::upsert_installation(&mut conn, "T1", "Acme", Some("U1"))
        .await
        .unwrap()
        .id;
    integrations::upsert(&mut conn, org, "jira", "connected", Some("cloud-1"), None)
        .await
        .unwrap();
    integrations::merge_settings(&mut conn, org, "jira", &json!({ "mode": "oauth" }))
        .await
        .unwrap();
    let proj = store::upsert_project(&mut conn, org, "10000", "PROJ", "Project")
        .await
        .unwrap();
    store::set_selected(&mut conn, org, proj, true)
        .await
        .unwrap();
    drop(conn);
    let client = JiraClient::new(
        app.state.http.clone(),
        url::Url::parse(&format!("{}/", jira.uri())).unwrap(),
        JiraAuth::Bearer(SecretString::from("at".to_string())),
        Flavor::Cloud,
        org,
    );
    let public = app.state.config.public_url.clone();
    assert_eq!(
        webhook::ensure(&client, &app.state.db, org, public.as_ref())
            .await
            .unwrap(),
        Registered::Created
    );
    let registered = jira.received_requests().await.unwrap();
    let body: Value = serde_json::from_slice(&registered[0].body).unwrap();
    assert_eq!(body["webhooks"][0]["jqlFilter"], "project in (PROJ)");
    let url = body["url"].as_str().unwrap().to_string();
    let token = url.rsplit('/').next().unwrap().to_string();
    assert!(url.starts_with("https://aimpact.example/jira/webhook/") && token.len() >= 32);
    // Fresh: kept as is.
    assert_eq!(
        webhook::ensure(&client, &app.state.db, org, public.as_ref())
            .await
            .unwrap(),
        Registered::Kept
    );

    // A delivery with the token queues one sync a minute; others are 404.
    let deliver = |token: String| {
        let http = app.http.clone();
        let url = app.url(&format!("/jira/webhook/{token}"));
        async move {
            http.post(url)
                .header("content-type", "application/json")
                .body(r#"{"webhookEvent":"jira:issue_updated"}"#)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(deliver("not-a-token".into()).await, 404);
    assert_eq!(deliver(token.clone()).await, 202);
    let claimed_at = |db: aimpact::store::Db| async move {
        let mut conn = db.pool().acquire().await.unwrap();
        let n: i64 = sqlx::query_scalar(
            "select count(*) from sync_state where org_id = $1 and source = 'schedule' and scope = 'jira.webhook'",
        )
        .bind(org.get())
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        n
    };
    assert_eq!(claimed_at(app.state.db.clone()).await, 1);
    assert_eq!(
        deliver(token.clone()).await,
        202,
        "debounced, still acknowledged"
    );

    // Close to expiry: refreshed. A new project set: re-registered.
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    let g = integrations::get(&mut conn, org, "jira")
        .await
        .unwrap()
        .unwrap();
    let mut hook = g.setting("webhook");
    hook["expires_at"] = json!(aimpact::store::unix_now() + 3600);
    integrations::merge_settings(&mut conn, org, "jira", &json!({ "webhook": hook }))
        .await
        .unwrap();
    drop(conn);
    assert_eq!(
        webhook::ensure(&client, &app.state.db, org, public.as_ref())
            .await
            .unwrap(),
        Registered::Kept
    );
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    let ops = store::upsert_project(&mut conn, org, "10001", "OPS", "Ops")
        .await
        .unwrap();
    store::set_selected(&mut conn, org, ops, true)
        .await
        .unwrap();
    drop(conn);
    assert_eq!(
        webhook::ensure(&client, &app.state.db, org, public.as_ref())
            .await
            .unwrap(),
        Registered::Created
    );
    let last: Value = serde_json::from_slice(
        &jira
            .received_requests()
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.method.as_str() == "POST")
            .last()
            .unwrap()
            .body,
    )
    .unwrap();
    assert_eq!(last["webhooks"][0]["jqlFilter"], "project in (OPS, PROJ)");
    // The old token no longer triggers anything.
    assert_eq!(deliver(token).await, 404);
    app.stop().await;
}

#[tokio::test]
async fn a_jira_outage_is_shown_to_admins_keeps_the_data_and_clears_when_jira_is_back() {
    let search = Search::default();
    let jira = fake_jira(search.clone()).await;
    // The first job run meets an outage longer than the client's retries.
    Mock::given(method("POST"))
        .and(path("/rest/api/3/search/jql"))
        .respond_with(
            ResponseTemplate::new(503).set_body_json(json!({ "errorMessages": ["maintenance"] })),
        )
        .up_to_n_times(5)
        .with_priority(1)
        .mount(&jira)
        .await;
    let db = TestDb::new().await;
    let org = org_with_people(&db).await;
    let env = jira_env(&jira);
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_app_with(&db, &pairs, true).await;
    let state = app.state.clone();
    let last_error = || {
        let db = state.db.clone();
        async move {
            let mut conn = db.pool().acquire().await.unwrap();
            integrations::get(&mut conn, org, "jira")
                .await
                .unwrap()
                .unwrap()
        }
    };
    assert!(
        eventually(PATIENCE, || async {
            last_error()
                .await
                .last_error
                .is_some_and(|e| e.contains("Jira answered 503") && e.contains("retries by itself"))
        })
        .await,
        "the outage is explained"
    );
    assert_eq!(
        last_error().await.status,
        "connected",
        "an outage needs no reconnect"
    );
    // The job's retry finds Jira back: the message clears and data arrives.
    assert!(
        eventually(PATIENCE, || async {
            let g = last_error().await;
            let mut conn = state.db.pool().acquire().await.unwrap();
            g.last_error.is_none()
                && sync_state::get(&mut conn, org, "jira", "project:PROJ")
                    .await
                    .unwrap()
                    .is_some_and(|s| s.status == "done" && s.items_done == 3)
        })
        .await
    );
    app.stop().await;
}

#[tokio::test]
async fn a_jira_site_on_a_private_address_is_refused_before_anything_is_sent() {
    let slack = fake_slack(None).await;
    // Something on loopback that would answer like Jira (an internal
    // service, the cloud metadata endpoint …).
    let internal = fake_jira(Search::default()).await;
    let db = TestDb::new().await;
    let mut settings = slack_settings(&slack);
    settings.push(("AIMPACT_ALLOW_PRIVATE_HOSTS", "0".to_string()));
    let pairs: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_app_with(&db, &pairs, true).await;
    let org = install_org(&app, "T1", "U_ADMIN").await;
    let port = internal.address().port();

    let mut texts = Vec::new();
    for site in [
        internal.uri(),
        format!("localhost:{port}"),
        "http://169.254.169.254/".to_string(),
        "http://[::1]:9/".to_string(),
        "10.0.0.8".to_string(),
    ] {
        let refused: Value =
            slack_interaction(&app, &jira_submission(&site, "bot@acme.example", "t"))
                .await
                .json()
                .await
                .unwrap();
        let text = refused["errors"]["jira_site"]
            .as_str()
            .unwrap_or_else(|| panic!("{site}: {refused}"))
            .to_string();
        assert!(text.contains("is not a public address"), "{site}: {text}");
        // The same words whatever is (or is not) listening there.
        texts.push(
            text.replace(&site, "")
                .split('`')
                .nth(2)
                .unwrap()
                .to_string(),
        );
    }
    texts.dedup();
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert!(internal.received_requests().await.unwrap().is_empty());
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    assert!(
        integrations::get(&mut conn, org, "jira")
            .await
            .unwrap()
            .is_none()
    );

    // A site stored earlier (say while the name pointed elsewhere) is
    // checked again whenever its client is made: the sync sends nothing.
    integrations::upsert(
        &mut conn,
        org,
        "jira",
        "connected",
        Some(&internal.uri()),
        None,
    )
    .await
    .unwrap();
    integrations::merge_settings(
        &mut conn,
        org,
        "jira",
        &json!({ "mode": "token", "site_url": format!("{}/", internal.uri()), "email": "bot@acme.example" }),
    )
    .await
    .unwrap();
    credentials::put(
        &mut conn,
        &app.state.keys,
        org,
        connect::API_TOKEN,
        &SecretString::from("t".to_string()),
        None,
    )
    .await
    .unwrap();
    drop(conn);
    let ctx = connect::JiraContext {
        db: app.state.db.clone(),
        keys: app.state.keys.clone(),
        http: app.state.http.clone(),
        settings: app.state.config.jira.clone(),
        budget: Arc::new(aimpact::jira::client::PointBudget::new(65_000)),
        public_url: None,
        hosts: app.state.config.outbound_hosts,
    };
    let refused = connect::client_for(&ctx, org).await.unwrap_err();
    assert!(
        refused.to_string().contains("is not a public address"),
        "{refused}"
    );
    // And the outbound client itself will not connect to a private name,
    // whoever builds a request with it.
    let direct = app
        .state
        .http
        .get(format!("http://localhost:{port}/rest/api/3/myself"))
        .send()
        .await;
    assert!(direct.is_err());
    assert!(internal.received_requests().await.unwrap().is_empty());
    app.stop().await;
}

#[tokio::test]
async fn what_a_jira_site_answers_is_not_shown_back_to_the_admin() {
    let slack = fake_slack(None).await;
    let site = MockServer::start().await;
    Mock::given(path("/rest/api/3/myself"))
        .respond_with(ResponseTemplate::new(418).set_body_json(
            json!({ "errorMessages": ["internal: db password is hunter2 <!channel>"] }),
        ))
        .mount(&site)
        .await;
    let db = TestDb::new().await;
    let settings = slack_settings(&slack);
    let pairs: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_app_with(&db, &pairs, false).await;
    install_org(&app, "T1", "U_ADMIN").await;
    let answer: Value =
        slack_interaction(&app, &jira_submission(&site.uri(), "bot@acme.example", "t"))
            .await
            .json()
            .await
            .unwrap();
    let text = answer["errors"]["jira_token"].as_str().unwrap();
    assert!(text.contains("Jira answered 418"), "{text}");
    assert!(
        !text.contains("hunter2") && !text.contains("<!channel>"),
        "{text}"
    );
    app.stop().await;
}
