//! The Slack app as Slack meets it: signed requests to the real app on a
//! real database, a fake Web API at SLACK_API_URL.

use std::time::Duration;

use aimpact::store::{orgs, people, webhooks};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

use crate::helpers::*;

async fn users_info(slack: &MockServer, user: &str, admin: bool) {
    Mock::given(path("/api/users.info"))
        .and(wiremock::matchers::query_param("user", user))
        .respond_with(slack_ok(json!({
            "user": { "id": user, "team_id": "T1", "name": user, "is_admin": admin, "is_owner": false, "tz": "Europe/Berlin" }
        })))
        .mount(slack)
        .await;
}

fn metrics_fields(text: &str) -> Vec<(&str, &str)> {
    vec![
        ("command", "/metrics"),
        ("text", text),
        ("team_id", "T1"),
        ("user_id", "U_DEV"),
        ("channel_id", "C1"),
        ("response_url", "https://hooks.slack.com/commands/T1/1/x"),
        ("trigger_id", "1.2.3"),
    ]
}

async fn body_text(r: reqwest::Response) -> String {
    r.text().await.unwrap()
}

#[tokio::test]
async fn unsigned_stale_and_forged_requests_are_refused_and_nothing_runs() {
    let slack = fake_slack(None).await;
    let db = TestDb::new().await;
    let app = spawn_slack_app(&db, &slack, &[]).await;
    install_org(&app, "T1", "U_ADMIN").await;
    let event = json!({
        "type": "event_callback", "team_id": "T1", "event_id": "Ev1", "event_time": 1,
        "event": { "type": "app_home_opened", "user": "U_ADMIN", "tab": "home" }
    })
    .to_string();

    // No headers at all.
    let none = app
        .http
        .post(app.url("/slack/events"))
        .body(event.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), 401);
    // Signed with another secret.
    let ts = chrono::Utc::now().timestamp();
    let forged = aimpact::slack::verify::sign("not-the-secret", ts, event.as_bytes());
    let r = app
        .http
        .post(app.url("/slack/events"))
        .header("x-slack-request-timestamp", ts.to_string())
        .header("x-slack-signature", forged)
        .body(event.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // A valid signature replayed with a different body.
    let good = aimpact::slack::verify::sign(SIGNING_SECRET, ts, event.as_bytes());
    let r = app
        .http
        .post(app.url("/slack/events"))
        .header("x-slack-request-timestamp", ts.to_string())
        .header("x-slack-signature", &good)
        .body(event.replace("Ev1", "Ev2"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // A correctly signed request captured more than 5 minutes ago.
    let stale = signed_slack_request_aged(
        &app,
        "/slack/events",
        "application/json",
        event.clone(),
        301,
    )
    .await;
    assert_eq!(stale.status(), 401);
    assert!(body_text(stale).await.contains("5 minutes"));

    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(calls(&slack, "views.publish").await.is_empty());
    let org = {
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        orgs::find_by_slack_team(&mut conn, "T1")
            .await
            .unwrap()
            .unwrap()
            .id
    };
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    assert!(
        webhooks::pending(&mut conn, org, 10)
            .await
            .unwrap()
            .is_empty()
    );
    drop(conn);
    app.stop().await;
}

#[tokio::test]
async fn url_verification_echoes_the_challenge() {
    let slack = fake_slack(None).await;
    let db = TestDb::new().await;
    let app = spawn_slack_app(&db, &slack, &[]).await;
    let body = json!({ "type": "url_verification", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "token": "x" });
    let r = signed_slack_request(&app, "/slack/events", "application/json", body.to_string()).await;
    assert_eq!(r.status(), 200);
    let answer: Value = r.json().await.unwrap();
    assert_eq!(
        answer["challenge"],
        "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    );
    app.stop().await;
}

#[tokio::test]
async fn opening_app_home_publishes_a_checklist_for_the_installer_and_a_welcome_for_developers() {
    let slack = fake_slack(None).await;
    users_info(&slack, "U_DEV", false).await;
    let db = TestDb::new().await;
    let app = spawn_slack_app(&db, &slack, &[]).await;
    install_org(&app, "T1", "U_ADMIN").await;

    let r = slack_event(
        &app,
        "T1",
        "Ev1",
        json!({ "type": "app_home_opened", "user": "U_ADMIN", "tab": "home" }),
    )
    .await;
    assert_eq!(r.status(), 200);
    let r = slack_event(
        &app,
        "T1",
        "Ev2",
        json!({ "type": "app_home_opened", "user": "U_DEV", "tab": "home" }),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert!(
        eventually(PATIENCE, || async {
            calls(&slack, "views.publish").await.len() == 2
        })
        .await
    );

    let mut by_user = std::collections::HashMap::new();
    for call in calls(&slack, "views.publish").await {
        assert_eq!(
            call.headers.get("authorization").unwrap().to_str().unwrap(),
            "Bearer xoxb-T1-token",
            "the org's own bot token, decrypted for the call"
        );
        let body: Value = serde_json::from_slice(&call.body).unwrap();
        let blocks: Vec<blocks::Block> =
            serde_json::from_value(body["view"]["blocks"].clone()).unwrap();
        blocks::validate(&blocks, blocks::SurfaceKind::Home).unwrap();
        assert_eq!(body["view"]["type"], "home");
        by_user.insert(
            body["user_id"].as_str().unwrap().to_string(),
            body["view"].to_string(),
        );
    }
    assert!(by_user["U_ADMIN"].contains("Set up aimpact · 1 of 7 done"));
    assert!(by_user["U_ADMIN"].contains("setup_github"));
    assert!(by_user["U_DEV"].contains("Welcome to aimpact"));
    assert!(!by_user["U_DEV"].contains("setup_github"));
    app.stop().await;
}

#[tokio::test]
async fn a_retried_event_is_processed_once() {
    let slack = fake_slack(None).await;
    let db = TestDb::new().await;
    let app = spawn_slack_app(&db, &slack, &[]).await;
    install_org(&app, "T1", "U_ADMIN").await;
    let event = json!({ "type": "app_home_opened", "user": "U_ADMIN", "tab": "home" });
    for _ in 0..3 {
        let r = slack_event(&app, "T1", "EvSame", event.clone()).await;
        assert_eq!(r.status(), 200);
    }
    assert!(
        eventually(PATIENCE, || async {
            !calls(&slack, "views.publish").await.is_empty()
        })
        .await
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(calls(&slack, "views.publish").await.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn metrics_help_answers_with_the_grammar_and_other_input_never_errors() {
    let slack = fake_slack(None).await;
    let db = TestDb::new().await;
    let app = spawn_slack_app(&db, &slack, &[]).await;
    install_org(&app, "T1", "U_ADMIN").await;

    let help: Value = slack_form(&app, "/slack/commands", &metrics_fields("help"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(help["response_type"], "ephemeral");
    let text = help.to_string();
    for form in [
        "/metrics me",
        "/metrics team &lt;name&gt;",
        "/metrics ai",
        "7d",
        "90d",
    ] {
        assert!(text.contains(form), "{form} in {text}");
    }
    let blocks: Vec<blocks::Block> = serde_json::from_value(help["blocks"].clone()).unwrap();
    blocks::validate(&blocks, blocks::SurfaceKind::Message).unwrap();

    for input in ["team platform 7d", "bogus words", "me 14d"] {
        let r = slack_form(&app, "/slack/commands", &metrics_fields(input)).await;
        assert_eq!(r.status(), 200, "{input}");
        let answer: Value = r.json().await.unwrap();
        assert_eq!(answer["response_type"], "ephemeral");
        assert!(
            answer.to_string().contains("/metrics help"),
            "{input}: help included"
        );
    }
    let unknown: Value = slack_form(&app, "/slack/commands", &metrics_fields("bogus"))
        .await
        .json()
        .await
        .unwrap();
    assert!(unknown.to_string().contains("I don't know `bogus`"));
    // No input is the overview; with nothing synced it says what comes.
    let overview: Value = slack_form(&app, "/slack/commands", &metrics_fields(""))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(overview["response_type"], "ephemeral");
    assert!(
        overview.to_string().contains("Nothing to show yet"),
        "{overview}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_command_from_a_workspace_without_an_install_is_told_so() {
    let slack = fake_slack(None).await;
    let db = TestDb::new().await;
    let app = spawn_slack_app(&db, &slack, &[]).await;
    let answer: Value = slack_form(&app, "/slack/commands", &metrics_fields("help"))
        .await
        .json()
        .await
        .unwrap();
    assert!(answer.to_string().contains("isn't installed"));
    app.stop().await;
}

#[tokio::test]
async fn malformed_bodies_get_a_reason_and_never_a_500() {
    let slack = fake_slack(None).await;
    let db = TestDb::new().await;
    let app = spawn_slack_app(&db, &slack, &[("AIMPACT_BODY_LIMIT_BYTES", "4096".into())]).await;
    install_org(&app, "T1", "U_ADMIN").await;
    let form = "application/x-www-form-urlencoded";

    let r = signed_slack_request(&app, "/slack/commands", form, "text=only").await;
    assert_eq!(r.status(), 400);
    assert!(body_text(r).await.contains("malformed form body"));
    let r = signed_slack_request(&app, "/slack/commands", form, vec![0xff, 0xfe, 0x00]).await;
    assert_eq!(r.status(), 400);
    assert!(body_text(r).await.contains("not UTF-8"));
    let r = signed_slack_request(&app, "/slack/interactions", form, "payload=%7Bbroken").await;
    assert_eq!(r.status(), 400);
    let r = slack_interaction(
        &app,
        &json!({ "type": "dialog_submission", "team": {"id": "T1"}, "user": {"id": "U1"} }),
    )
    .await;
    assert_eq!(r.status(), 400);
    assert!(
        body_text(r)
            .await
            .contains("unknown payload type `dialog_submission`")
    );
    let r = signed_slack_request(
        &app,
        "/slack/events",
        "application/json",
        r#"{"type":"mystery"}"#,
    )
    .await;
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["x-slack-no-retry"], "1");
    let r = signed_slack_request(&app, "/slack/events", "application/json", "not json").await;
    assert_eq!(r.status(), 400);
    let big = format!("text={}", "a".repeat(8192));
    let r = signed_slack_request(&app, "/slack/commands", form, big).await;
    assert_eq!(r.status(), 413);
    // Still alive and answering.
    assert_eq!(
        slack_form(&app, "/slack/commands", &metrics_fields("help"))
            .await
            .status(),
        200
    );
    app.stop().await;
}

#[tokio::test]
async fn unknown_ids_are_acknowledged_and_setup_buttons_open_a_modal_for_admins() {
    let slack = fake_slack(None).await;
    let db = TestDb::new().await;
    let app = spawn_slack_app(&db, &slack, &[]).await;
    install_org(&app, "T1", "U_ADMIN").await;
    let click = |action: &str| {
        json!({
            "type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U_ADMIN"}, "trigger_id": "13345224609.738474920.8088930838d88f008e0",
            "container": {"type": "view", "view_id": "V1"},
            "actions": [{"action_id": action, "block_id": "b1", "value": "github", "type": "button"}]
        })
    };
    let r = slack_interaction(&app, &click("no_such_action")).await;
    assert_eq!(r.status(), 200);
    assert!(calls(&slack, "views.open").await.is_empty());

    let r = slack_interaction(&app, &click(blocks::ids::action::SETUP_JIRA)).await;
    assert_eq!(r.status(), 200);
    let opened = calls(&slack, "views.open").await;
    assert_eq!(opened.len(), 1);
    let body: Value = serde_json::from_slice(&opened[0].body).unwrap();
    assert_eq!(
        body["trigger_id"],
        "13345224609.738474920.8088930838d88f008e0"
    );
    // Jira is not connected and no OAuth app is configured: the token form.
    assert_eq!(
        body["view"]["callback_id"],
        blocks::ids::callback::JIRA_CONNECT
    );

    let options = slack_form(&app, "/slack/options", &[("payload", &json!({
        "type": "block_suggestion", "team": {"id": "T1"}, "user": {"id": "U_ADMIN"}, "action_id": "nothing_here", "value": "ac"
    }).to_string())]).await;
    assert_eq!(options.status(), 200);
    assert_eq!(
        options.json::<Value>().await.unwrap(),
        json!({ "options": [] })
    );

    let shortcut = slack_interaction(&app, &json!({
        "type": "message_action", "callback_id": "report_ai_issue", "team": {"id": "T1"}, "user": {"id": "U_ADMIN"},
        "trigger_id": "t-2", "response_url": "https://hooks.slack.com/x", "message": {"ts": "1.2", "text": "code"}
    })).await;
    assert_eq!(shortcut.status(), 200);
    assert_eq!(calls(&slack, "views.open").await.len(), 2);
    app.stop().await;
}

#[tokio::test]
async fn uninstalling_deletes_the_slack_tokens_and_keeps_the_data() {
    let slack = fake_slack(None).await;
    let db = TestDb::new().await;
    let app = spawn_slack_app(&db, &slack, &[]).await;
    let org = install_org(&app, "T1", "U_ADMIN").await;
    {
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        people::create(&mut conn, org, "Ada", false).await.unwrap();
    }
    let r = slack_event(&app, "T1", "EvU", json!({ "type": "app_uninstalled" })).await;
    assert_eq!(r.status(), 200);
    let state = app.state.clone();
    assert!(
        eventually(PATIENCE, || async {
            let mut conn = state.db.pool().acquire().await.unwrap();
            orgs::get(&mut conn, org)
                .await
                .unwrap()
                .uninstalled_at
                .is_some()
        })
        .await
    );
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    let token =
        aimpact::store::credentials::get(&mut conn, &app.state.keys, org, "slack_bot_token")
            .await
            .unwrap();
    assert!(token.is_none(), "bot token deleted");
    assert_eq!(
        people::list(&mut conn, org).await.unwrap().len(),
        1,
        "data kept"
    );
    drop(conn);
    // Commands from the uninstalled workspace are told it is not installed.
    let answer: Value = slack_form(&app, "/slack/commands", &metrics_fields("help"))
        .await
        .json()
        .await
        .unwrap();
    assert!(answer.to_string().contains("isn't installed"));
    app.stop().await;
}

#[tokio::test]
async fn single_workspace_mode_identifies_the_workspace_with_auth_test() {
    let slack = fake_slack(None).await;
    Mock::given(path("/api/auth.test"))
        .respond_with(slack_ok(json!({ "url": "https://acme.slack.com/", "team": "Acme", "user": "aimpact", "team_id": "T9", "user_id": "UBOT", "bot_id": "B1" })))
        .mount(&slack)
        .await;
    let db = TestDb::new().await;
    let app = spawn_slack_app(
        &db,
        &slack,
        &[("SLACK_BOT_TOKEN", "xoxb-single-workspace".into())],
    )
    .await;
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    let org = orgs::find_by_slack_team(&mut conn, "T9")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(org.name, "Acme");
    let token =
        aimpact::store::credentials::get(&mut conn, &app.state.keys, org.id, "slack_bot_token")
            .await
            .unwrap()
            .unwrap();
    use secrecy::ExposeSecret;
    assert_eq!(token.expose_secret(), "xoxb-single-workspace");
    drop(conn);
    app.stop().await;
}

#[tokio::test]
async fn a_refused_bot_token_stops_start_up_with_a_clear_error() {
    let slack = MockServer::start().await;
    Mock::given(path("/api/auth.test"))
        .respond_with(
            wiremock::ResponseTemplate::new(200)
                .set_body_json(json!({ "ok": false, "error": "invalid_auth" })),
        )
        .mount(&slack)
        .await;
    let db = TestDb::new().await;
    let mut settings = slack_settings(&slack);
    settings.push(("SLACK_BOT_TOKEN", "xoxb-wrong".into()));
    let pairs: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let config = test_config(&db, &pairs);
    let err = aimpact::app::App::build(config, aimpact::app::RunOptions::default())
        .await
        .err()
        .expect("start-up fails");
    let line = err.to_string();
    assert!(
        line.starts_with("SLACK_BOT_TOKEN:") && line.contains("invalid_auth"),
        "{line}"
    );
    assert!(!line.contains("xoxb-wrong"));
}

#[tokio::test]
async fn a_slow_slack_api_never_delays_the_acknowledgement_past_three_seconds() {
    let slack = MockServer::start().await;
    Mock::given(path("/api/views.open"))
        .respond_with(slack_ok(json!({})).set_delay(Duration::from_secs(6)))
        .mount(&slack)
        .await;
    let db = TestDb::new().await;
    let app = spawn_slack_app(&db, &slack, &[]).await;
    install_org(&app, "T1", "U_ADMIN").await;
    let started = std::time::Instant::now();
    let r = slack_interaction(&app, &json!({
        "type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U_ADMIN"}, "trigger_id": "t",
        "actions": [{ "action_id": blocks::ids::action::SETUP_JIRA, "value": "jira" }]
    }))
    .await;
    assert_eq!(r.status(), 200);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "acknowledged after {:?}",
        started.elapsed()
    );
    app.stop().await;
}

#[tokio::test]
async fn a_rate_limited_call_is_retried_after_retry_after() {
    let slack = MockServer::start().await;
    Mock::given(path("/api/views.publish"))
        .respond_with(
            wiremock::ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .set_body_json(json!({ "ok": false, "error": "ratelimited" })),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&slack)
        .await;
    Mock::given(path("/api/views.publish"))
        .respond_with(slack_ok(json!({ "view": { "id": "V1" } })))
        .with_priority(2)
        .mount(&slack)
        .await;
    let db = TestDb::new().await;
    let app = spawn_slack_app(&db, &slack, &[]).await;
    let org = install_org(&app, "T1", "U_ADMIN").await;
    slack_event(
        &app,
        "T1",
        "Ev429",
        json!({ "type": "app_home_opened", "user": "U_ADMIN", "tab": "home" }),
    )
    .await;
    let state = app.state.clone();
    // Processed (marked done) only once the retry succeeded.
    assert!(
        eventually(PATIENCE, || async {
            let mut conn = state.db.pool().acquire().await.unwrap();
            calls(&slack, "views.publish").await.len() == 2
                && webhooks::pending(&mut conn, org, 10)
                    .await
                    .unwrap()
                    .is_empty()
        })
        .await
    );
    app.stop().await;
}

#[tokio::test]
async fn the_admin_checklist_shows_github_and_the_import_progress() {
    use aimpact::store::{integrations, repositories, sync_state};
    let slack = fake_slack(None).await;
    let db = TestDb::new().await;
    let app = spawn_slack_app(&db, &slack, &[]).await;
    let org = install_org(&app, "T1", "U_ADMIN").await;
    {
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        integrations::upsert(&mut conn, org, "github", "connected", Some("acme"), None)
            .await
            .unwrap();
        for (id, name) in [("1", "api"), ("2", "web")] {
            let repo = repositories::NewRepository {
                github_repo_id: id,
                owner: "acme",
                name,
                default_branch: None,
                is_private: true,
                is_archived: false,
                is_fork: false,
            };
            repositories::upsert(&mut conn, org, &repo).await.unwrap();
        }
        let state = sync_state::SyncState {
            source: "github".into(),
            scope: "repo:1".into(),
            status: "running".into(),
            items_done: 1_240,
            items_total: Some(5_000),
            ..Default::default()
        };
        sync_state::save(&mut conn, org, &state).await.unwrap();
    }
    slack_event(
        &app,
        "T1",
        "EvP",
        json!({ "type": "app_home_opened", "user": "U_ADMIN", "tab": "home" }),
    )
    .await;
    assert!(
        eventually(PATIENCE, || async {
            !calls(&slack, "views.publish").await.is_empty()
        })
        .await
    );
    let body: Value =
        serde_json::from_slice(&calls(&slack, "views.publish").await[0].body).unwrap();
    let view = body["view"].to_string();
    assert!(view.contains("Set up aimpact · 3 of 7 done"), "{view}");
    assert!(view.contains("connected to acme"));
    assert!(view.contains("2 of 2 repositories tracked"));
    assert!(view.contains("1,240 of ~5,000 PRs imported"));
    app.stop().await;
}

#[tokio::test]
async fn a_retry_of_an_event_whose_listener_failed_runs_again_and_one_that_succeeded_does_not() {
    let slack = MockServer::start().await;
    // Slack is down for the first publish: the listener fails.
    Mock::given(method("POST"))
        .and(path("/api/views.publish"))
        .respond_with(wiremock::ResponseTemplate::new(500))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&slack)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/views.publish"))
        .respond_with(slack_ok(json!({ "view": { "id": "V1" } })))
        .with_priority(2)
        .mount(&slack)
        .await;
    let db = TestDb::new().await;
    let app = spawn_slack_app(&db, &slack, &[]).await;
    let org = install_org(&app, "T1", "U_ADMIN").await;
    let event = json!({ "type": "app_home_opened", "user": "U_ADMIN", "tab": "home" });
    let failed_once = || async {
        let error: Option<String> = sqlx::query_scalar(
            "select last_error from webhook_delivery where org_id = $1 and delivery_id = 'EvRetry'",
        )
        .bind(org.get())
        .fetch_optional(app.state.db.pool())
        .await
        .unwrap()
        .flatten();
        error.is_some()
    };
    let status: &str =
        "select status from webhook_delivery where org_id = $1 and delivery_id = 'EvRetry'";

    assert_eq!(
        slack_event(&app, "T1", "EvRetry", event.clone())
            .await
            .status(),
        200
    );
    assert!(
        eventually(PATIENCE, failed_once).await,
        "the failure is recorded"
    );
    assert_eq!(calls(&slack, "views.publish").await.len(), 1);

    // Slack's retry of the failed event runs it again, and it succeeds.
    assert_eq!(
        slack_event(&app, "T1", "EvRetry", event.clone())
            .await
            .status(),
        200
    );
    let processed = eventually(PATIENCE, || async {
        let s: String = sqlx::query_scalar(status)
            .bind(org.get())
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
        s == "processed"
    })
    .await;
    assert!(processed, "the retry succeeded and is recorded");
    assert_eq!(calls(&slack, "views.publish").await.len(), 2);

    // A retry of the event that succeeded changes nothing.
    assert_eq!(
        slack_event(&app, "T1", "EvRetry", event).await.status(),
        200
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(calls(&slack, "views.publish").await.len(), 2);
    app.stop().await;
}

/// `users.info` whose admin flag the test flips.
struct FlippingAdmin(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl wiremock::Respond for FlippingAdmin {
    fn respond(&self, request: &wiremock::Request) -> wiremock::ResponseTemplate {
        let user = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "user")
            .map(|(_, v)| v.to_string())
            .unwrap_or_default();
        let admin = self.0.load(std::sync::atomic::Ordering::SeqCst);
        slack_ok(
            json!({ "user": { "id": user, "team_id": "T1", "name": user, "is_admin": admin, "is_owner": false } }),
        )
    }
}

#[tokio::test]
async fn an_admin_role_slack_implied_goes_when_slack_demotes_them_and_the_installer_stays() {
    use aimpact::domain::Role;
    let slack = fake_slack(None).await;
    let admin = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    Mock::given(path("/api/users.info"))
        .respond_with(FlippingAdmin(admin.clone()))
        .mount(&slack)
        .await;
    let db = TestDb::new().await;
    let app = spawn_slack_app(&db, &slack, &[]).await;
    let org = install_org(&app, "T1", "U_INSTALLER").await;
    let ctx = aimpact::slack::listeners::Ctx {
        state: app.state.clone(),
        org: {
            let mut conn = app.state.db.pool().acquire().await.unwrap();
            orgs::get(&mut conn, org).await.unwrap()
        },
    };
    assert_eq!(
        aimpact::slack::roles::resolve(&ctx, "U_BOSS")
            .await
            .unwrap(),
        Role::Admin,
        "a Slack workspace admin is an admin"
    );
    // Slack demotes them: the role they had because of it goes.
    admin.store(false, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(
        aimpact::slack::roles::resolve(&ctx, "U_BOSS")
            .await
            .unwrap(),
        Role::Developer
    );
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    assert_eq!(
        aimpact::store::roles::get(&mut conn, org, "U_BOSS")
            .await
            .unwrap(),
        Role::Developer,
        "no stored admin role is left behind"
    );
    drop(conn);
    // The installer's role does not depend on Slack's flags.
    assert_eq!(
        aimpact::slack::roles::resolve(&ctx, "U_INSTALLER")
            .await
            .unwrap(),
        Role::Admin
    );
    app.stop().await;
}

#[tokio::test]
async fn metrics_with_a_mention_or_a_link_echoes_it_inert() {
    let slack = fake_slack(None).await;
    let db = TestDb::new().await;
    let app = spawn_slack_app(&db, &slack, &[]).await;
    install_org(&app, "T1", "U_ADMIN").await;
    for typed in [
        "<!channel>",
        "me <!here>",
        "<@U999>",
        "<http://evil.example|docs>",
    ] {
        let answer = slack_form(&app, "/slack/commands", &metrics_fields(typed))
            .await
            .text()
            .await
            .unwrap();
        for raw in [
            "<!channel>",
            "<!here>",
            "<@U999>",
            "<http://evil.example|docs>",
        ] {
            assert!(!answer.contains(raw), "{typed}: echoed {raw} raw: {answer}");
        }
        assert!(answer.contains("&lt;"), "{typed}: {answer}");
    }
    app.stop().await;
}

fn admins_submission(by: &str, user: &str, action: &str) -> Value {
    json!({
        "type": "view_submission", "team": { "id": "T1" }, "user": { "id": by }, "trigger_id": "t",
        "view": { "id": "V9", "callback_id": "admins", "state": { "values": {
            "admin_user": { "admin_user_value": { "type": "users_select", "selected_user": user } },
            "admin_action": { "admin_action_value": { "type": "radio_buttons", "selected_option": { "value": action } } }
        } } }
    })
}

#[tokio::test]
async fn admins_added_in_aimpact_and_the_installer_can_be_removed_by_another_admin() {
    use aimpact::domain::Role;
    let slack = fake_slack(None).await;
    for (user, admin) in [
        ("U_INSTALLER", false),
        ("U_ADDED", false),
        ("U_DEV", false),
        ("U_SLACKADMIN", true),
    ] {
        users_info(&slack, user, admin).await;
    }
    let db = TestDb::new().await;
    let app = spawn_slack_app(&db, &slack, &[]).await;
    let org = install_org(&app, "T1", "U_INSTALLER").await;
    let role_of = |user: &'static str| {
        let state = app.state.clone();
        async move {
            let ctx = aimpact::slack::listeners::Ctx {
                org: {
                    let mut conn = state.db.pool().acquire().await.unwrap();
                    orgs::get(&mut conn, org).await.unwrap()
                },
                state,
            };
            aimpact::slack::roles::resolve(&ctx, user).await.unwrap()
        }
    };
    let submit = |by: &'static str, user: &'static str, action: &'static str| {
        let app = &app;
        async move {
            let r = slack_interaction(app, &admins_submission(by, user, action)).await;
            assert_eq!(r.status(), 200);
            let text = r.text().await.unwrap();
            if text.is_empty() {
                Value::Null
            } else {
                serde_json::from_str::<Value>(&text).unwrap()["errors"]["admin_user"].clone()
            }
        }
    };

    // A developer cannot make themselves an admin.
    let refused = submit("U_DEV", "U_DEV", "grant").await;
    assert!(
        refused.as_str().unwrap().contains("Only aimpact admins"),
        "{refused}"
    );
    assert_eq!(role_of("U_DEV").await, Role::Developer);

    // The installer opens the modal from App Home and adds an admin.
    slack_interaction(&app, &json!({
        "type": "block_actions", "team": { "id": "T1" }, "user": { "id": "U_INSTALLER" }, "trigger_id": "t1",
        "actions": [{ "action_id": "admins_open", "value": "admins" }]
    }))
    .await;
    assert!(
        eventually(PATIENCE, || async {
            calls(&slack, "views.open").await.iter().any(|c| {
                serde_json::from_slice::<Value>(&c.body).unwrap()["view"]["callback_id"] == "admins"
            })
        })
        .await
    );
    let added = submit("U_INSTALLER", "U_ADDED", "grant").await;
    assert!(added.is_null(), "{added}");
    assert_eq!(role_of("U_ADDED").await, Role::Admin);
    // A Slack workspace admin is listed as following Slack and cannot be
    // removed here.
    assert_eq!(role_of("U_SLACKADMIN").await, Role::Admin);
    let slack_admin = submit("U_ADDED", "U_SLACKADMIN", "revoke").await;
    assert!(
        slack_admin
            .as_str()
            .unwrap()
            .contains("aimpact follows Slack"),
        "{slack_admin}"
    );
    assert_eq!(role_of("U_SLACKADMIN").await, Role::Admin);
    // Nobody removes themselves.
    let themselves = submit("U_ADDED", "U_ADDED", "revoke").await;
    assert!(
        themselves
            .as_str()
            .unwrap()
            .contains("cannot remove yourself")
    );

    // The added admin removes the installer, who is a developer from now on
    // and can no longer change anything.
    assert!(submit("U_ADDED", "U_INSTALLER", "revoke").await.is_null());
    assert_eq!(role_of("U_INSTALLER").await, Role::Developer);
    let late = submit("U_INSTALLER", "U_ADDED", "revoke").await;
    assert!(
        late.as_str().unwrap().contains("Only aimpact admins"),
        "{late}"
    );
    assert_eq!(role_of("U_ADDED").await, Role::Admin);
    // And removing a developer says so.
    let not_admin = submit("U_ADDED", "U_DEV", "revoke").await;
    assert!(not_admin.as_str().unwrap().contains("not an aimpact admin"));
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    let audited: i64 = sqlx::query_scalar(
        "select count(*) from audit_log where org_id = $1 and action in ('role.granted', 'role.revoked')",
    )
    .bind(org.get())
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    assert_eq!(audited, 2);
    drop(conn);
    app.stop().await;
}
