//! Connecting GitHub from App Home: the modal checks the token with GitHub.

use aimpact::store::{credentials, integrations, repositories};
use serde_json::{Value, json};
use wiremock::matchers::{header, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::*;

fn submission(org: &str, token: &str) -> Value {
    json!({
        "type": "view_submission", "team": { "id": "T1" }, "user": { "id": "U_ADMIN" }, "trigger_id": "t",
        "view": { "id": "V9", "callback_id": "github_connect", "state": { "values": {
            "github_org": { "github_org_value": { "type": "plain_text_input", "value": org } },
            "github_token": { "github_token_value": { "type": "plain_text_input", "value": token } }
        } } }
    })
}

#[tokio::test]
async fn an_admin_connects_github_from_a_modal_with_errors_under_the_right_field() {
    let slack = fake_slack(None).await;
    let github = MockServer::start().await;
    Mock::given(path("/user/memberships/orgs/acme"))
        .and(header("authorization", "Bearer ghp_bad"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({ "message": "Bad credentials" })),
        )
        .with_priority(1)
        .mount(&github)
        .await;
    Mock::given(path("/user/memberships/orgs/acme"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({ "state": "active", "role": "admin", "organization": { "login": "acme" } }),
        ))
        .with_priority(2)
        .mount(&github)
        .await;
    Mock::given(path("/user/memberships/orgs/nope"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({ "message": "Not Found" })))
        .mount(&github)
        .await;
    Mock::given(path("/orgs/acme/repos"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            { "id": 11, "name": "api", "owner": { "login": "acme" }, "private": true, "archived": false, "fork": false }
        ])))
        .mount(&github)
        .await;
    for p in ["/orgs/acme/members", "/orgs/acme/teams"] {
        Mock::given(path(p))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
            .mount(&github)
            .await;
    }
    Mock::given(path("/graphql"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "data": {
            "repository": { "pullRequests": { "totalCount": 0, "pageInfo": { "hasNextPage": false, "endCursor": null }, "nodes": [] } },
            "rateLimit": { "cost": 1, "remaining": 4999, "resetAt": "2030-01-01T00:00:00Z" } } })))
        .mount(&github)
        .await;

    let db = TestDb::new().await;
    let mut settings = slack_settings(&slack);
    settings.push(("GITHUB_API_URL", github.uri()));
    let pairs: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_app_with(&db, &pairs, true).await;
    let org = install_org(&app, "T1", "U_ADMIN").await;

    // The setup button opens the connect modal while GitHub is not connected.
    slack_interaction(&app, &json!({
        "type": "block_actions", "team": { "id": "T1" }, "user": { "id": "U_ADMIN" }, "trigger_id": "t1",
        "actions": [{ "action_id": "setup_github", "value": "github" }]
    }))
    .await;
    let opened: Value = serde_json::from_slice(&calls(&slack, "views.open").await[0].body).unwrap();
    assert_eq!(opened["view"]["callback_id"], "github_connect");

    let bad_org: Value = slack_interaction(&app, &submission("nope", "ghp_good"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(bad_org["response_action"], "errors");
    assert!(
        bad_org["errors"]["github_org"]
            .as_str()
            .unwrap()
            .contains("no active membership of `nope`")
    );
    let bad_token: Value = slack_interaction(&app, &submission("acme", "ghp_bad"))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        bad_token["errors"]["github_token"]
            .as_str()
            .unwrap()
            .contains("refused this token")
    );
    let empty: Value = slack_interaction(&app, &submission("acme", ""))
        .await
        .json()
        .await
        .unwrap();
    assert!(empty["errors"]["github_token"].is_string());
    {
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        assert!(
            integrations::get(&mut conn, org, "github")
                .await
                .unwrap()
                .is_none(),
            "nothing stored yet"
        );
    }

    let ok = slack_interaction(&app, &submission("acme", "ghp_good")).await;
    assert_eq!(ok.status(), 200);
    assert!(
        ok.text().await.unwrap().is_empty(),
        "an empty ack closes the modal"
    );
    let state = app.state.clone();
    assert!(
        eventually(PATIENCE, || async {
            let mut conn = state.db.pool().acquire().await.unwrap();
            !repositories::list(&mut conn, org).await.unwrap().is_empty()
        })
        .await
    );
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    let github_row = integrations::get(&mut conn, org, "github")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(github_row.external_id.as_deref(), Some("acme"));
    let token = credentials::get(&mut conn, &app.state.keys, org, "github_token")
        .await
        .unwrap()
        .unwrap();
    use secrecy::ExposeSecret;
    assert_eq!(token.expose_secret(), "ghp_good");
    drop(conn);
    assert!(
        eventually(PATIENCE, || async {
            !calls(&slack, "views.publish").await.is_empty()
        })
        .await,
        "App Home refreshed"
    );
    app.stop().await;
}

/// A GitHub where `acme` has a webhook list and members of it connect.
async fn fake_github_for_tokens() -> MockServer {
    let github = MockServer::start().await;
    let ok = |v: Value| ResponseTemplate::new(200).set_body_json(v);
    Mock::given(path("/user/memberships/orgs/acme"))
        .and(header("authorization", "Bearer ghp_outsider"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({ "message": "Not Found" })))
        .with_priority(1)
        .mount(&github)
        .await;
    Mock::given(path("/user/memberships/orgs/acme"))
        .and(header("authorization", "Bearer ghp_invited"))
        .respond_with(ok(json!({ "state": "pending", "role": "member" })))
        .with_priority(1)
        .mount(&github)
        .await;
    Mock::given(path("/user/memberships/orgs/acme"))
        .respond_with(ok(json!({ "state": "active", "role": "admin" })))
        .with_priority(2)
        .mount(&github)
        .await;
    // Anyone can read a public organisation.
    Mock::given(path("/orgs/acme"))
        .respond_with(ok(json!({ "login": "acme", "id": 9 })))
        .mount(&github)
        .await;
    for p in ["/orgs/acme/repos", "/orgs/acme/members", "/orgs/acme/teams"] {
        Mock::given(path(p))
            .respond_with(ok(json!([])))
            .mount(&github)
            .await;
    }
    Mock::given(wiremock::matchers::method("GET"))
        .and(path("/orgs/acme/hooks"))
        .respond_with(ok(json!([])))
        .mount(&github)
        .await;
    Mock::given(wiremock::matchers::method("POST"))
        .and(path("/orgs/acme/hooks"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({ "id": 5 })))
        .mount(&github)
        .await;
    Mock::given(path("/graphql"))
        .respond_with(ok(json!({ "data": {
            "organization": { "membersWithRole": { "pageInfo": { "hasNextPage": false, "endCursor": null }, "nodes": [] } },
            "repository": { "pullRequests": { "totalCount": 0, "pageInfo": { "hasNextPage": false, "endCursor": null }, "nodes": [] } },
            "rateLimit": { "cost": 1, "remaining": 4999, "resetAt": "2030-01-01T00:00:00Z" } } })))
        .mount(&github)
        .await;
    github
}

fn submission_from(team: &str, user: &str, org: &str, token: &str) -> Value {
    let mut s = submission(org, token);
    s["team"]["id"] = json!(team);
    s["user"]["id"] = json!(user);
    s
}

/// A pull request delivery naming the organisation `login`.
fn delivery_for(login: &str) -> Vec<u8> {
    let mut body: Value = serde_json::from_slice(
        &std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/github/pull_request.opened.json"
        ))
        .unwrap(),
    )
    .unwrap();
    body.as_object_mut().unwrap().remove("installation");
    body["organization"] = json!({ "login": login });
    body["repository"]["owner"]["login"] = json!(login);
    serde_json::to_vec(&body).unwrap()
}

async fn deliver(app: &TestApp, id: &str, secret: &str, body: &[u8]) -> reqwest::Response {
    app.http
        .post(app.url("/github/webhook"))
        .header("x-github-event", "pull_request")
        .header("x-github-delivery", id)
        .header(
            "x-hub-signature-256",
            aimpact::github::webhook::sign(secret, body),
        )
        .body(body.to_vec())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn in_token_mode_one_workspace_cannot_claim_or_feed_another_workspaces_organisation() {
    let slack = fake_slack(None).await;
    let github = fake_github_for_tokens().await;
    let db = TestDb::new().await;
    let mut settings = slack_settings(&slack);
    settings.extend([
        ("GITHUB_API_URL", github.uri()),
        ("GITHUB_WEBHOOK_SECRET", "deployment-secret".to_string()),
        // Many workspaces share this deployment.
        ("SLACK_CLIENT_ID", "123.456".to_string()),
        ("SLACK_CLIENT_SECRET", "client-secret".to_string()),
        ("AIMPACT_PUBLIC_URL", "https://aimpact.example".to_string()),
    ]);
    let pairs: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_app_with(&db, &pairs, true).await;
    let owner = install_org(&app, "T1", "U_ADMIN").await;
    let other = install_org(&app, "T2", "U_OTHER").await;
    let github_of = |org: aimpact::domain::OrgId| {
        let db = app.state.db.clone();
        async move {
            let mut conn = db.pool().acquire().await.unwrap();
            integrations::get(&mut conn, org, "github").await.unwrap()
        }
    };

    // A token that can read the public organisation but is not a member's,
    // or belongs to someone only invited: refused, nothing stored.
    for token in ["ghp_outsider", "ghp_invited"] {
        let refused: Value =
            slack_interaction(&app, &submission_from("T2", "U_OTHER", "acme", token))
                .await
                .json()
                .await
                .unwrap();
        assert_eq!(refused["response_action"], "errors", "{token}");
        assert!(
            refused["errors"]["github_org"]
                .as_str()
                .unwrap()
                .contains("no active membership of `acme`"),
            "{refused}"
        );
        assert!(github_of(other).await.is_none(), "{token}");
    }

    // The owner's workspace connects; its webhook gets a secret of its own.
    let ok = slack_interaction(&app, &submission("acme", "ghp_member")).await;
    assert_eq!(ok.status(), 200);
    assert!(ok.text().await.unwrap().is_empty());
    assert_eq!(github_of(owner).await.unwrap().status, "connected");
    let hook_posted = || async {
        github
            .received_requests()
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.method.as_str() == "POST" && r.url.path() == "/orgs/acme/hooks")
    };
    assert!(eventually(PATIENCE, || async { hook_posted().await.is_some() }).await);
    let hook: Value = serde_json::from_slice(&hook_posted().await.unwrap().body).unwrap();
    let own = {
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        credentials::get(
            &mut conn,
            &app.state.keys,
            owner,
            aimpact::github::connect::HOOK_SECRET,
        )
        .await
        .unwrap()
        .expect("an org secret")
    };
    use secrecy::ExposeSecret;
    assert_eq!(hook["config"]["secret"], own.expose_secret());
    assert_ne!(own.expose_secret(), "deployment-secret");

    // Another workspace, even with a member's token, cannot take the same
    // organisation.
    let taken: Value = slack_interaction(
        &app,
        &submission_from("T2", "U_OTHER", "acme", "ghp_member2"),
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(
        taken["errors"]["github_org"]
            .as_str()
            .unwrap()
            .contains("already connected to another Slack workspace"),
        "{taken}"
    );
    assert!(github_of(other).await.is_none());

    // Deliveries for acme verify with acme's own secret only: the shared
    // one (which an admin adding a hook by hand used to be told) is refused.
    let body = delivery_for("acme");
    assert_eq!(
        deliver(&app, "d-shared", "deployment-secret", &body)
            .await
            .status(),
        401
    );
    assert_eq!(
        deliver(&app, "d-own", own.expose_secret(), &body)
            .await
            .status(),
        202
    );
    let stored = |org: aimpact::domain::OrgId| {
        let db = app.state.db.clone();
        async move {
            let mut conn = db.pool().acquire().await.unwrap();
            sqlx::query_scalar::<_, i64>("select count(*) from webhook_delivery where org_id = $1")
                .bind(org.get())
                .fetch_one(&mut *conn)
                .await
                .unwrap()
        }
    };
    assert_eq!(stored(owner).await, 1);

    // Once acme's link is revoked, its deliveries reach no one, and not the
    // other workspace that holds a stale row for the same login either.
    {
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        integrations::set_status(&mut conn, owner, "github", "revoked", None)
            .await
            .unwrap();
        integrations::upsert(&mut conn, other, "github", "revoked", Some("acme"), None)
            .await
            .unwrap();
    }
    // (Spelled as GitHub may spell it, so the intake's 5 s routing cache
    // has not seen this delivery's names.)
    let late = deliver(&app, "d-late", "deployment-secret", &delivery_for("Acme")).await;
    assert_eq!(late.status(), 202);
    assert!(
        late.text()
            .await
            .unwrap()
            .contains("no connected organisation")
    );
    assert_eq!(stored(owner).await, 1);
    assert_eq!(stored(other).await, 0);
    app.stop().await;
}
