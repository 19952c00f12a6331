//! The OAuth v2 install end to end, and rotating-token refresh.

use aimpact::domain::Role;
use aimpact::store::{credentials, orgs, roles};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::*;

fn distribution() -> Vec<(&'static str, String)> {
    vec![
        ("SLACK_CLIENT_ID", "123.456".into()),
        ("SLACK_CLIENT_SECRET", "client-secret".into()),
        ("AIMPACT_PUBLIC_URL", "https://aimpact.example.com".into()),
    ]
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// `/slack/install`: the state from the redirect and the cookie it set.
async fn begin(app: &TestApp) -> (url::Url, String, String) {
    let r = no_redirects()
        .get(app.url("/slack/install"))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    let location = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    let state = location
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let cookie = cookie.split(';').next().unwrap().to_string();
    (location, state, cookie)
}

async fn callback(app: &TestApp, query: &str, cookie: Option<&str>) -> (u16, String) {
    let mut req = no_redirects().get(app.url(&format!("/slack/oauth/callback?{query}")));
    if let Some(cookie) = cookie {
        req = req.header("cookie", cookie);
    }
    let r = req.send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

fn granted() -> ResponseTemplate {
    slack_ok(json!({
        "access_token": "xoxb-installed-token", "token_type": "bot", "scope": "commands,chat:write",
        "bot_user_id": "UBOT", "app_id": "A0APP", "team": { "id": "T5", "name": "Globex" },
        "enterprise": null, "is_enterprise_install": false,
        "authed_user": { "id": "U_INSTALLER" },
        "refresh_token": "xoxe-1-refresh", "expires_in": 43200
    }))
}

#[tokio::test]
async fn an_install_stores_the_token_encrypted_makes_the_installer_admin_and_refuses_reuse() {
    let slack = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/oauth.v2.access"))
        .and(body_string_contains("code=the-code"))
        .respond_with(granted())
        .expect(1)
        .mount(&slack)
        .await;
    let db = TestDb::new().await;
    let app = spawn_slack_app(&db, &slack, &distribution()).await;

    let (location, state, cookie) = begin(&app).await;
    assert_eq!(location.host_str(), Some("slack.com"));
    assert_eq!(location.path(), "/oauth/v2/authorize");
    let q: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(q["client_id"], "123.456");
    assert_eq!(q["scope"], aimpact::slack::install::BOT_SCOPES.join(","));
    assert_eq!(
        q["redirect_uri"],
        "https://aimpact.example.com/slack/oauth/callback"
    );
    assert!(cookie.starts_with("aimpact_slack_state="));

    // A forged state and a missing cookie are refused before any exchange.
    let (status, _) = callback(&app, "code=the-code&state=abc.def", Some(&cookie)).await;
    assert_eq!(status, 400);
    let (status, page) = callback(&app, &format!("code=the-code&state={state}"), None).await;
    assert_eq!(status, 400);
    assert!(page.contains("expired or was already used"));

    let (status, page) =
        callback(&app, &format!("code=the-code&state={state}"), Some(&cookie)).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Open in Slack"));
    assert!(page.contains("https://slack.com/app_redirect?app=A0APP&amp;team=T5"));

    let exchange = &calls(&slack, "oauth.v2.access").await[0];
    let auth = exchange
        .headers
        .get("authorization")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        auth.starts_with("Basic "),
        "client credentials in HTTP Basic auth"
    );

    let mut conn = app.state.db.pool().acquire().await.unwrap();
    let org = orgs::find_by_slack_team(&mut conn, "T5")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(org.name, "Globex");
    assert_eq!(
        org.installed_by_slack_user_id.as_deref(),
        Some("U_INSTALLER")
    );
    assert_eq!(
        roles::get(&mut conn, org.id, "U_INSTALLER").await.unwrap(),
        Role::Admin
    );
    let token = credentials::get(&mut conn, &app.state.keys, org.id, "slack_bot_token")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(token.expose_secret(), "xoxb-installed-token");
    let stored: Vec<u8> = sqlx::query_scalar(
        "select ciphertext from credential where org_id = $1 and name = 'slack_bot_token'",
    )
    .bind(org.id.get())
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    assert!(
        !stored.windows(12).any(|w| w == b"xoxb-install"),
        "stored encrypted"
    );
    assert!(
        credentials::expires_at(&mut conn, org.id, "slack_bot_token")
            .await
            .unwrap()
            .is_some()
    );
    drop(conn);

    // The same state cannot be used twice.
    let (status, page) =
        callback(&app, &format!("code=the-code&state={state}"), Some(&cookie)).await;
    assert_eq!(status, 400);
    assert!(page.contains("expired or was already used"));
    app.stop().await;
}

#[tokio::test]
async fn a_code_slack_refuses_shows_why_and_stores_nothing() {
    let slack = MockServer::start().await;
    Mock::given(path("/api/oauth.v2.access"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "ok": false, "error": "invalid_code" })),
        )
        .mount(&slack)
        .await;
    let db = TestDb::new().await;
    let app = spawn_slack_app(&db, &slack, &distribution()).await;
    let (_, state, cookie) = begin(&app).await;
    let (status, page) = callback(&app, &format!("code=stale&state={state}"), Some(&cookie)).await;
    assert_eq!(status, 400);
    assert!(page.contains("invalid_code"), "{page}");
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    assert!(orgs::list_ids(&mut conn).await.unwrap().is_empty());
    drop(conn);

    let (_, state, cookie) = begin(&app).await;
    let (status, page) = callback(
        &app,
        &format!("error=access_denied&state={state}"),
        Some(&cookie),
    )
    .await;
    assert_eq!(status, 400);
    assert!(page.contains("cancelled"));
    app.stop().await;
}

#[tokio::test]
async fn single_workspace_mode_has_no_install_page() {
    let slack = MockServer::start().await;
    let db = TestDb::new().await;
    let app = spawn_slack_app(&db, &slack, &[]).await;
    let r = no_redirects()
        .get(app.url("/slack/install"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().contains("single workspace"));
    app.stop().await;
}

#[tokio::test]
async fn a_rotating_token_is_refreshed_before_use_and_the_new_pair_stored() {
    let slack = MockServer::start().await;
    Mock::given(path("/api/oauth.v2.access"))
        .and(body_string_contains("grant_type=refresh_token"))
        .and(body_string_contains("refresh_token=xoxe-old"))
        .respond_with(slack_ok(json!({
            "access_token": "xoxb-refreshed", "token_type": "bot", "team": { "id": "T1", "name": "Acme" },
            "refresh_token": "xoxe-new", "expires_in": 43200
        })))
        .expect(1)
        .mount(&slack)
        .await;
    Mock::given(path("/api/views.publish"))
        .respond_with(slack_ok(json!({ "view": { "id": "V1" } })))
        .mount(&slack)
        .await;
    let db = TestDb::new().await;
    let app = spawn_slack_app(&db, &slack, &distribution()).await;
    let org = install_org(&app, "T1", "U_ADMIN").await;
    {
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        let soon = chrono::Utc::now().timestamp() + 60;
        credentials::put(
            &mut conn,
            &app.state.keys,
            org,
            "slack_bot_token",
            &SecretString::from("xoxb-expiring"),
            Some(soon),
        )
        .await
        .unwrap();
        credentials::put(
            &mut conn,
            &app.state.keys,
            org,
            "slack_refresh_token",
            &SecretString::from("xoxe-old"),
            None,
        )
        .await
        .unwrap();
    }
    slack_event(
        &app,
        "T1",
        "Ev1",
        json!({ "type": "app_home_opened", "user": "U_ADMIN", "tab": "home" }),
    )
    .await;
    assert!(
        eventually(PATIENCE, || async {
            !calls(&slack, "views.publish").await.is_empty()
        })
        .await
    );
    let publish = &calls(&slack, "views.publish").await[0];
    assert_eq!(publish.headers["authorization"], "Bearer xoxb-refreshed");
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    let refresh = credentials::get(&mut conn, &app.state.keys, org, "slack_refresh_token")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(refresh.expose_secret(), "xoxe-new");
    drop(conn);
    app.stop().await;
}

fn granted_to(user: &str) -> ResponseTemplate {
    slack_ok(json!({
        "access_token": "xoxb-installed-token", "token_type": "bot", "scope": "commands,chat:write",
        "bot_user_id": "UBOT", "app_id": "A0APP", "team": { "id": "T5", "name": "Globex" },
        "enterprise": null, "is_enterprise_install": false,
        "authed_user": { "id": user }
    }))
}

#[tokio::test]
async fn reinstalling_makes_nobody_an_admin_unless_slack_says_they_are_one() {
    let slack = MockServer::start().await;
    for (code, user) in [
        ("first", "U_FIRST"),
        ("member", "U_MEMBER"),
        ("boss", "U_BOSS"),
    ] {
        Mock::given(method("POST"))
            .and(path("/api/oauth.v2.access"))
            .and(body_string_contains(format!("code={code}")))
            .respond_with(granted_to(user))
            .mount(&slack)
            .await;
    }
    for (user, admin) in [("U_MEMBER", false), ("U_BOSS", true)] {
        Mock::given(path("/api/users.info"))
            .and(wiremock::matchers::query_param("user", user))
            .respond_with(slack_ok(json!({
                "user": { "id": user, "team_id": "T5", "name": user, "is_admin": admin, "is_owner": false }
            })))
            .mount(&slack)
            .await;
    }
    let db = TestDb::new().await;
    let app = spawn_slack_app(&db, &slack, &distribution()).await;
    for code in ["first", "member", "boss"] {
        let (_, state, cookie) = begin(&app).await;
        let (status, page) =
            callback(&app, &format!("code={code}&state={state}"), Some(&cookie)).await;
        assert_eq!(status, 200, "{page}");
    }
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    let org = orgs::find_by_slack_team(&mut conn, "T5")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(org.installed_by_slack_user_id.as_deref(), Some("U_FIRST"));
    let role = |user: &'static str| {
        let db = app.state.db.clone();
        async move {
            let mut conn = db.pool().acquire().await.unwrap();
            roles::get(&mut conn, org.id, user).await.unwrap()
        }
    };
    assert_eq!(role("U_FIRST").await, Role::Admin, "the org's creator");
    assert_ne!(
        role("U_MEMBER").await,
        Role::Admin,
        "a member who reinstalls does not become an admin"
    );
    assert_eq!(
        role("U_BOSS").await,
        Role::Admin,
        "a Slack workspace admin does"
    );
    drop(conn);
    app.stop().await;
}

#[tokio::test]
async fn install_starts_are_limited_per_address_and_abandoned_states_are_pruned() {
    let slack = MockServer::start().await;
    let db = TestDb::new().await;
    let app = spawn_slack_app(&db, &slack, &distribution()).await;
    let states = |db: aimpact::store::Db| async move {
        let n: i64 = sqlx::query_scalar("select count(*) from oauth_state")
            .fetch_one(db.pool())
            .await
            .unwrap();
        n
    };
    for _ in 0..aimpact::slack::install::INSTALL_STARTS {
        let r = no_redirects()
            .get(app.url("/slack/install"))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_redirection(), "{}", r.status());
    }
    let refused = no_redirects()
        .get(app.url("/slack/install"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 429);
    assert_eq!(
        states(app.state.db.clone()).await,
        aimpact::slack::install::INSTALL_STARTS as i64,
        "a refused start writes no state"
    );
    // Abandoned states are deleted by the scheduler's tick once a day past
    // their expiry.
    let later = aimpact::store::unix_now() + 2 * 86_400;
    aimpact::app::tick(&app.state.db, &app.state.jobs, later)
        .await
        .unwrap();
    assert_eq!(states(app.state.db.clone()).await, 0);
    app.stop().await;
}
