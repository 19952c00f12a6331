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
    let slack = MockServer::start().await;
    for method in ["views.open", "views.publish"] {
        Mock::given(path(format!("/api/{method}")))
            .respond_with(slack_ok(json!({ "view": { "id": "V1" } })))
            .mount(&slack)
            .await;
    }
    let github = MockServer::start().await;
    Mock::given(path("/orgs/acme"))
        .and(header("authorization", "Bearer ghp_bad"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({ "message": "Bad credentials" })),
        )
        .with_priority(1)
        .mount(&github)
        .await;
    Mock::given(path("/orgs/acme"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "login": "acme" })))
        .with_priority(2)
        .mount(&github)
        .await;
    Mock::given(path("/orgs/nope"))
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
            .contains("no organisation `nope`")
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
