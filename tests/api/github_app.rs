//! GitHub App mode, the repository chooser, the daily schedule, the
//! organisation webhook in token mode and people's emails.

use aimpact::domain::{OrgId, Provider};
use aimpact::github::client::GithubClient;
use aimpact::github::connect::{self, WebhookSetup};
use aimpact::store::{audit, integrations, people, repositories};
use base64::Engine;
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::helpers::*;

const SECRET: &str = "app-webhook-secret";
const CLIENT_ID: &str = "Iv1.testclient";
const CLIENT_SECRET: &str = "app-client-secret";
const KEY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/github/test-app-key.pem"
);

/// The claims of the JWT a request authenticated with, if any.
fn jwt_claims(r: &Request) -> Option<Value> {
    let auth = r.headers.get("authorization")?.to_str().ok()?;
    let token = auth.strip_prefix("Bearer ")?;
    let mut parts = token.split('.');
    let (_, claims, _) = (parts.next()?, parts.next()?, parts.next()?);
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(claims)
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// A GitHub that knows installation 42 on `acme` and mints installation
/// tokens that are already expired, so every call needs a fresh one.
async fn github_app_fake() -> MockServer {
    let github = MockServer::start().await;
    Mock::given(path("/app/installations/42"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({ "id": 42, "account": { "login": "acme", "type": "Organization" } }),
        ))
        .mount(&github)
        .await;
    // The user authorization GitHub asks for during the install: a code
    // per person, exchanged for a user token that lists the installations
    // that person can access.
    Mock::given(method("POST"))
        .and(path("/login/oauth/access_token"))
        .respond_with(|r: &Request| {
            let form: std::collections::HashMap<String, String> =
                url::form_urlencoded::parse(&r.body).into_owned().collect();
            let token = match (
                form.get("client_id").map(String::as_str),
                form.get("client_secret").map(String::as_str),
                form.get("code").map(String::as_str),
            ) {
                (Some(CLIENT_ID), Some(CLIENT_SECRET), Some("code-ada")) => Some("ghu_ada"),
                (Some(CLIENT_ID), Some(CLIENT_SECRET), Some("code-mallory")) => Some("ghu_mallory"),
                _ => None,
            };
            ResponseTemplate::new(200).set_body_json(match token {
                Some(t) => json!({ "access_token": t, "token_type": "bearer", "scope": "" }),
                None => json!({ "error": "bad_verification_code",
                                "error_description": "<script>alert(1)</script>" }),
            })
        })
        .mount(&github)
        .await;
    Mock::given(method("GET"))
        .and(path("/user/installations"))
        .respond_with(|r: &Request| {
            let auth = r
                .headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            let installations = if auth.ends_with("ghu_ada") {
                json!([
                    { "id": 5, "account": { "login": "ada-personal" } },
                    { "id": 42, "account": { "login": "acme", "type": "Organization" } },
                    { "id": 7, "account": { "login": "gone" } }
                ])
            } else if auth.ends_with("ghu_mallory") {
                json!([{ "id": 99, "account": { "login": "mallory-co" } }])
            } else {
                return ResponseTemplate::new(401)
                    .set_body_json(json!({ "message": "Bad credentials" }));
            };
            ResponseTemplate::new(200).set_body_json(json!({
                "total_count": installations.as_array().unwrap().len(),
                "installations": installations
            }))
        })
        .mount(&github)
        .await;
    Mock::given(method("POST"))
        .and(path("/app/installations/42/access_tokens"))
        .respond_with(ResponseTemplate::new(201).set_body_json(
            json!({ "token": "ghs_installation", "expires_at": "2020-01-01T00:00:00Z",
                    "permissions": { "members": "read", "pull_requests": "read" },
                    "repository_selection": "all" }),
        ))
        .mount(&github)
        .await;
    Mock::given(path("/orgs/acme/repos"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            { "id": 11, "name": "api", "owner": { "login": "acme" }, "private": true, "archived": false, "fork": false },
            { "id": 12, "name": "web", "owner": { "login": "acme" }, "private": false, "archived": false, "fork": false },
            { "id": 13, "name": "old", "owner": { "login": "acme" }, "private": false, "archived": true, "fork": false }
        ])))
        .mount(&github)
        .await;
    Mock::given(path("/orgs/acme/members"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            { "login": "ada", "id": 1, "type": "User" },
            { "login": "bob", "id": 2, "type": "User" }
        ])))
        .mount(&github)
        .await;
    Mock::given(path("/orgs/acme/teams"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&github)
        .await;
    Mock::given(path("/graphql"))
        .respond_with(|r: &Request| {
            let body: Value = serde_json::from_slice(&r.body).unwrap_or_default();
            let query = body["query"].as_str().unwrap_or_default();
            let data = if query.contains("membersWithRole") {
                json!({ "organization": { "membersWithRole": {
                    "pageInfo": { "hasNextPage": false, "endCursor": null },
                    "nodes": [
                        { "login": "ada", "databaseId": 1, "name": "Ada Lovelace", "email": "",
                          "organizationVerifiedDomainEmails": ["Ada@Acme.example"] },
                        { "login": "bob", "databaseId": 2, "name": null, "email": null,
                          "organizationVerifiedDomainEmails": [] }
                    ] } } })
            } else {
                json!({ "repository": { "pullRequests": { "totalCount": 0,
                    "pageInfo": { "hasNextPage": false, "endCursor": null }, "nodes": [] } } })
            };
            let mut data = data;
            data["rateLimit"] =
                json!({ "cost": 1, "remaining": 4999, "resetAt": "2030-01-01T00:00:00Z" });
            ResponseTemplate::new(200).set_body_json(json!({ "data": data }))
        })
        .mount(&github)
        .await;
    github
}

fn app_settings(slack: &MockServer, github: &MockServer) -> Vec<(&'static str, String)> {
    let mut settings = slack_settings(slack);
    settings.extend([
        ("GITHUB_API_URL", github.uri()),
        ("GITHUB_WEB_URL", format!("{}/", github.uri())),
        ("GITHUB_APP_ID", "1234".to_string()),
        ("GITHUB_APP_SLUG", "aimpact-test".to_string()),
        ("GITHUB_APP_PRIVATE_KEY", KEY.to_string()),
        ("GITHUB_APP_CLIENT_ID", CLIENT_ID.to_string()),
        ("GITHUB_APP_CLIENT_SECRET", CLIENT_SECRET.to_string()),
        ("GITHUB_WEBHOOK_SECRET", SECRET.to_string()),
        ("AIMPACT_PUBLIC_URL", "https://aimpact.example".to_string()),
    ]);
    settings
}

fn block_action(action: &str) -> Value {
    json!({
        "type": "block_actions", "team": { "id": "T1" }, "user": { "id": "U_ADMIN" }, "trigger_id": "t1",
        "actions": [{ "action_id": action, "value": "x" }]
    })
}

/// The confirmation page App Home's link (`/github/connect?state=…`) shows.
async fn ask_page(app: &TestApp, link: &url::Url) -> String {
    let asked = app
        .http
        .get(app.url(&format!("/github/connect?{}", link.query().unwrap())))
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), 200);
    asked.text().await.unwrap()
}

/// Opens App Home's link as a browser would, and presses "Continue":
/// returns the state on the App's install page and the cookie it set.
async fn start_install(app: &TestApp, github: &MockServer, link: &url::Url) -> (String, String) {
    let page = ask_page(app, link).await;
    assert!(page.contains("for the Slack workspace <b>"), "{page}");
    assert!(page.contains("action=\"/github/connect\""), "{page}");
    let state = link
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .to_string();
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let started = no_redirects
        .post(app.url("/github/connect"))
        .header("origin", "https://aimpact.example")
        .form(&[("state", state.as_str())])
        .send()
        .await
        .unwrap();
    assert!(started.status().is_redirection(), "{}", started.status());
    let set = started.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        set.contains("HttpOnly") && set.contains("Path=/github/setup"),
        "{set}"
    );
    let cookie = set.split(';').next().unwrap().to_string();
    assert!(cookie.starts_with("aimpact_github_state="));
    let install = url::Url::parse(started.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(
        install.as_str().split('?').next().unwrap(),
        format!("{}/apps/aimpact-test/installations/new", github.uri())
    );
    let on_install_page = install
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .to_string();
    assert_eq!(on_install_page, state);
    (state, cookie)
}

/// GitHub sending the browser back to `/github/setup?{query}`.
async fn setup(app: &TestApp, query: &str, cookie: Option<&str>) -> reqwest::Response {
    let mut request = app.http.get(app.url(&format!("/github/setup?{query}")));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.unwrap()
}

async fn last_opened_view(slack: &MockServer) -> Value {
    let opened = calls(slack, "views.open").await;
    let body: Value = serde_json::from_slice(&opened.last().unwrap().body).unwrap();
    body["view"].clone()
}

#[tokio::test]
async fn the_github_app_is_installed_through_a_signed_state_and_syncs_with_installation_tokens() {
    let slack = fake_slack(None).await;
    let github = github_app_fake().await;
    let db = TestDb::new().await;
    let settings = app_settings(&slack, &github);
    let pairs: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_app_with(&db, &pairs, true).await;
    let org = install_org(&app, "T1", "U_ADMIN").await;

    // "Connect GitHub" opens a modal whose button goes to the App's page.
    slack_interaction(&app, &block_action("setup_github")).await;
    let view = last_opened_view(&slack).await;
    assert_eq!(view["callback_id"], "github_app_install");
    let link = view["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|b| b["elements"][0]["url"].as_str())
        .unwrap()
        .to_string();
    let link = url::Url::parse(&link).unwrap();
    // It leads to our own start route, which binds the install to this
    // browser (a cookie) and sends it on to the App's install page.
    assert_eq!(
        link.as_str().split('?').next().unwrap(),
        "https://aimpact.example/github/connect"
    );
    let (state, cookie) = start_install(&app, &github, &link).await;
    let cookie = Some(cookie.as_str());

    // A forged signature, a missing state or a setup without the user's
    // authorization link nothing.
    let (nonce, _) = state.split_once('.').unwrap();
    let forged_state = format!("{nonce}.{}", "00".repeat(32));
    let forged = setup(
        &app,
        &format!("installation_id=42&setup_action=install&code=code-ada&state={forged_state}"),
        cookie,
    )
    .await;
    assert_eq!(forged.status(), 400);
    assert!(forged.text().await.unwrap().contains("not valid any more"));
    assert_eq!(
        setup(
            &app,
            "installation_id=42&setup_action=install&code=code-ada",
            cookie
        )
        .await
        .status(),
        400
    );
    let unauthorized = setup(
        &app,
        &format!("installation_id=42&setup_action=install&state={state}"),
        cookie,
    )
    .await;
    assert_eq!(unauthorized.status(), 400);
    assert!(
        unauthorized
            .text()
            .await
            .unwrap()
            .contains("Request user authorization")
    );
    {
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        assert!(
            integrations::get(&mut conn, org, "github")
                .await
                .unwrap()
                .is_none()
        );
    }

    let ok = setup(
        &app,
        &format!("installation_id=42&setup_action=install&code=code-ada&state={state}"),
        cookie,
    )
    .await;
    let status = ok.status();
    let text = ok.text().await.unwrap();
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("<b>acme</b>"));
    // The code was exchanged with the App's OAuth credentials, and the
    // installation was found among the user's own.
    let requests = github.received_requests().await.unwrap();
    let listed = requests
        .iter()
        .find(|r| r.url.path() == "/user/installations")
        .unwrap();
    assert_eq!(listed.headers["authorization"], "Bearer ghu_ada");

    // The state is single use.
    let replay = setup(
        &app,
        &format!("installation_id=42&setup_action=install&code=code-ada&state={state}"),
        cookie,
    )
    .await;
    assert_eq!(replay.status(), 400);

    let mut conn = app.state.db.pool().acquire().await.unwrap();
    let row = integrations::get(&mut conn, org, "github")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.external_id.as_deref(), Some("installation:42"));
    assert_eq!(row.setting("mode"), "app");
    assert_eq!(
        connect::Link::of(&row),
        Some(connect::Link::App {
            installation: 42,
            login: "acme".into()
        })
    );
    drop(conn);

    // Discovery and the sync run as the installation; the expired tokens
    // GitHub handed out were replaced as they expired.
    let state_ = app.state.clone();
    assert!(
        eventually(PATIENCE, || async {
            let mut conn = state_.db.pool().acquire().await.unwrap();
            repositories::list(&mut conn, org).await.unwrap().len() == 3
                && people::find_by_identity(&mut conn, org, Provider::Email, "ada@acme.example")
                    .await
                    .unwrap()
                    .is_some()
        })
        .await
    );
    let requests = github.received_requests().await.unwrap();
    let minted = requests
        .iter()
        .filter(|r| r.url.path() == "/app/installations/42/access_tokens")
        .count();
    assert!(
        minted >= 2,
        "a fresh token per expired one, minted {minted}"
    );
    // Installation tokens are minted with a JWT the App signed.
    let mint = requests
        .iter()
        .find(|r| r.url.path() == "/app/installations/42/access_tokens")
        .unwrap();
    let claims = jwt_claims(mint).expect("a JWT");
    assert_eq!(claims["iss"], json!(1234));
    assert!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap() <= 600);
    let repos_call = requests
        .iter()
        .find(|r| r.url.path() == "/orgs/acme/repos")
        .unwrap();
    assert!(
        repos_call.headers["authorization"]
            .to_str()
            .unwrap()
            .contains("ghs_installation")
    );
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    let names: Vec<String> = people::list(&mut conn, org)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.display_name)
        .collect();
    assert_eq!(names, ["Ada Lovelace", "bob"]);
    drop(conn);

    // Uninstalling the App on GitHub revokes the connection; data stays.
    let mut body: Value = serde_json::from_slice(
        &std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/github/installation.deleted.json"
        ))
        .unwrap(),
    )
    .unwrap();
    body["installation"]["id"] = json!(42);
    let body = serde_json::to_vec(&body).unwrap();
    let r = app
        .http
        .post(app.url("/github/webhook"))
        .header("x-github-event", "installation")
        .header("x-github-delivery", "inst-del-1")
        .header(
            "x-hub-signature-256",
            aimpact::github::webhook::sign(SECRET, &body),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let state_ = app.state.clone();
    assert!(
        eventually(PATIENCE, || async {
            let mut conn = state_.db.pool().acquire().await.unwrap();
            integrations::get(&mut conn, org, "github")
                .await
                .unwrap()
                .is_some_and(|g| g.status == "revoked")
        })
        .await
    );
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    assert_eq!(repositories::list(&mut conn, org).await.unwrap().len(), 3);
    drop(conn);
    app.stop().await;
}

#[tokio::test]
async fn an_installation_is_linked_only_for_someone_who_can_access_it_and_only_once() {
    let slack = fake_slack(None).await;
    let github = github_app_fake().await;
    let db = TestDb::new().await;
    let settings = app_settings(&slack, &github);
    let pairs: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_app_with(&db, &pairs, false).await;
    let victim = install_org(&app, "T1", "U_ADMIN").await;
    let attacker = install_org(&app, "T2", "U_OTHER").await;
    let public = app.state.config.public_url.clone();
    let link_for = |org: OrgId, user: &'static str| {
        let db = app.state.db.clone();
        let github_settings = app.state.config.github.clone();
        let public = public.clone();
        async move {
            connect::app_install_url(&db, &github_settings, public.as_ref(), org, user)
                .await
                .unwrap()
                .unwrap()
        }
    };
    let linked_to = |org: OrgId| {
        let db = app.state.db.clone();
        async move {
            let mut conn = db.pool().acquire().await.unwrap();
            integrations::get(&mut conn, org, "github")
                .await
                .unwrap()
                .and_then(|g| g.external_id)
        }
    };

    {
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        sqlx::query("update org set name = 'Mallory Inc' where org_id = $1")
            .bind(attacker.get())
            .execute(&mut *conn)
            .await
            .unwrap();
    }
    // The attacker's own link, sent to the victim, names the attacker's
    // workspace before anything happens …
    let link = link_for(attacker, "U_OTHER").await;
    assert!(ask_page(&app, &link).await.contains("<b>Mallory Inc</b>"));
    // … and a page elsewhere that posts it on (to skip that page) is
    // refused: no cookie, so the setup would link nothing.
    let state = link
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .to_string();
    for origin in [Some("https://evil.example"), None] {
        let mut post = app
            .http
            .post(app.url("/github/connect"))
            .form(&[("state", state.as_str())]);
        if let Some(origin) = origin {
            post = post.header("origin", origin);
        }
        let refused = post.send().await.unwrap();
        assert_eq!(refused.status(), 403, "{origin:?}");
        assert!(refused.headers().get("set-cookie").is_none());
    }

    // The attacker runs their own flow to the end, then swaps in the
    // victim's installation id: GitHub does not list it for them.
    let (state, cookie) = start_install(&app, &github, &link_for(attacker, "U_OTHER").await).await;
    let swapped = setup(
        &app,
        &format!("installation_id=42&setup_action=install&code=code-mallory&state={state}"),
        Some(&cookie),
    )
    .await;
    assert_eq!(swapped.status(), 400);
    assert!(
        swapped
            .text()
            .await
            .unwrap()
            .contains("cannot access this installation")
    );
    assert_eq!(linked_to(attacker).await, None);

    // The GitHub install page with the attacker's state, completed in the
    // victim's browser (no cookie from our start route): nothing linked.
    let (state, _attackers_cookie) =
        start_install(&app, &github, &link_for(attacker, "U_OTHER").await).await;
    let phished = setup(
        &app,
        &format!("installation_id=42&setup_action=install&code=code-ada&state={state}"),
        None,
    )
    .await;
    assert_eq!(phished.status(), 400);
    assert!(
        phished
            .text()
            .await
            .unwrap()
            .contains("not started in this browser")
    );
    assert_eq!(linked_to(attacker).await, None);

    // A code GitHub does not know: a clear page, GitHub's words not echoed.
    let (state, cookie) = start_install(&app, &github, &link_for(attacker, "U_OTHER").await).await;
    let bad_code = setup(
        &app,
        &format!("installation_id=42&setup_action=install&code=stolen&state={state}"),
        Some(&cookie),
    )
    .await;
    assert_eq!(bad_code.status(), 502);
    let text = bad_code.text().await.unwrap();
    assert!(text.contains("wrong or was used already"), "{text}");
    assert!(!text.contains("script"), "{text}");

    // The victim's own admin links it; the attacker cannot take it over
    // afterwards, even with a member of that GitHub organisation's code.
    let (state, cookie) = start_install(&app, &github, &link_for(victim, "U_ADMIN").await).await;
    let ok = setup(
        &app,
        &format!("installation_id=42&setup_action=install&code=code-ada&state={state}"),
        Some(&cookie),
    )
    .await;
    assert_eq!(ok.status(), 200);
    assert_eq!(linked_to(victim).await.as_deref(), Some("installation:42"));
    let (state, cookie) = start_install(&app, &github, &link_for(attacker, "U_OTHER").await).await;
    let taken = setup(
        &app,
        &format!("installation_id=42&setup_action=install&code=code-ada&state={state}"),
        Some(&cookie),
    )
    .await;
    assert_eq!(taken.status(), 400);
    assert!(
        taken
            .text()
            .await
            .unwrap()
            .contains("another Slack workspace")
    );
    assert_eq!(linked_to(attacker).await, None);
    app.stop().await;
}

/// Stores a token-mode connection with `n` repositories (`acme/repo-000`…).
async fn connected_with_repos(app: &TestApp, org: OrgId, n: usize) {
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    integrations::upsert(&mut conn, org, "github", "connected", Some("acme"), None)
        .await
        .unwrap();
    for i in 0..n {
        let id = (1000 + i).to_string();
        let name = format!("repo-{i:03}");
        repositories::upsert(
            &mut conn,
            org,
            &repositories::NewRepository {
                github_repo_id: &id,
                owner: "acme",
                name: &name,
                default_branch: Some("main"),
                is_private: false,
                is_archived: i == 0,
                is_fork: false,
            },
        )
        .await
        .unwrap();
    }
}

fn choose(mode: &str, picked: &[i64]) -> Value {
    let options: Vec<Value> = picked
        .iter()
        .map(|id| json!({ "text": { "type": "plain_text", "text": "x" }, "value": id.to_string() }))
        .collect();
    json!({
        "type": "view_submission", "team": { "id": "T1" }, "user": { "id": "U_ADMIN" }, "trigger_id": "t",
        "view": { "id": "V9", "callback_id": "repos_choose", "state": { "values": {
            "repos_mode": { "repos_mode_value": { "type": "radio_buttons", "selected_option": { "value": mode } } },
            "repos_pick": { "repos_pick_value": { "type": "multi_static_select", "selected_options": options } }
        } } }
    })
}

#[tokio::test]
async fn admins_narrow_and_widen_the_tracked_repositories_in_a_modal() {
    let slack = fake_slack(None).await;
    let db = TestDb::new().await;
    let app = spawn_slack_app(&db, &slack, &[]).await;
    let org = install_org(&app, "T1", "U_ADMIN").await;
    connected_with_repos(&app, org, 4).await;

    slack_interaction(&app, &block_action("setup_repos")).await;
    let view = last_opened_view(&slack).await;
    assert_eq!(view["callback_id"], "repos_choose");
    let parsed: Vec<blocks::Block> = serde_json::from_value(view["blocks"].clone()).unwrap();
    blocks::validate::validate(&parsed, blocks::SurfaceKind::Modal).unwrap();
    let pick = &view["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["block_id"] == "repos_pick")
        .unwrap()["element"];
    assert_eq!(pick["type"], "multi_static_select");
    assert_eq!(pick["options"].as_array().unwrap().len(), 4);

    let ids: Vec<i64> = {
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        repositories::list(&mut conn, org)
            .await
            .unwrap()
            .iter()
            .map(|r| r.id.0)
            .collect()
    };
    let tracked = |app: &TestApp| {
        let db = app.state.db.clone();
        async move {
            let mut conn = db.pool().acquire().await.unwrap();
            repositories::list(&mut conn, org)
                .await
                .unwrap()
                .iter()
                .map(|r| r.is_tracked)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(tracked(&app).await, [false, true, true, true]);

    // Choosing nothing is an error under the field; nothing changes.
    let empty: Value = slack_interaction(&app, &choose("chosen", &[]))
        .await
        .json()
        .await
        .unwrap();
    assert!(empty["errors"]["repos_pick"].is_string());
    assert_eq!(tracked(&app).await, [false, true, true, true]);

    // Narrow to two, one of them the archived one.
    let r = slack_interaction(&app, &choose("chosen", &[ids[0], ids[2]])).await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().is_empty());
    assert_eq!(tracked(&app).await, [true, false, true, false]);
    {
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        let g = integrations::get(&mut conn, org, "github")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(g.setting("repos"), "chosen");
        let log = audit::recent(&mut conn, org, 10).await.unwrap();
        assert!(log.iter().any(|e| e.action == "github.repositories_chosen"));
    }
    // The modal now opens on the chosen set.
    slack_interaction(&app, &block_action("setup_repos")).await;
    let view = last_opened_view(&slack).await;
    let pick = &view["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["block_id"] == "repos_pick")
        .unwrap()["element"];
    assert_eq!(pick["initial_options"].as_array().unwrap().len(), 2);

    // Widen back to every active repository.
    slack_interaction(&app, &choose("all", &[])).await;
    assert_eq!(tracked(&app).await, [false, true, true, true]);
    app.stop().await;
}

#[tokio::test]
async fn more_than_a_hundred_repositories_are_searched_through_the_options_url() {
    let slack = fake_slack(None).await;
    let db = TestDb::new().await;
    let app = spawn_slack_app(&db, &slack, &[]).await;
    let org = install_org(&app, "T1", "U_ADMIN").await;
    connected_with_repos(&app, org, 130).await;

    slack_interaction(&app, &block_action("setup_repos")).await;
    let view = last_opened_view(&slack).await;
    let pick = &view["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["block_id"] == "repos_pick")
        .unwrap()["element"];
    assert_eq!(pick["type"], "multi_external_select");

    let suggest = |user: &str, text: &str| {
        json!({
            "type": "block_suggestion", "team": { "id": "T1" }, "user": { "id": user },
            "action_id": "repos_pick_value", "block_id": "repos_pick", "value": text,
            "view": { "id": "V1", "callback_id": "repos_choose" }
        })
    };
    let found: Value = signed_slack_request(
        &app,
        "/slack/options",
        "application/x-www-form-urlencoded",
        form_payload(&suggest("U_ADMIN", "REPO-12")),
    )
    .await
    .json()
    .await
    .unwrap();
    let labels: Vec<&str> = found["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["text"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "acme/repo-120",
            "acme/repo-121",
            "acme/repo-122",
            "acme/repo-123",
            "acme/repo-124",
            "acme/repo-125",
            "acme/repo-126",
            "acme/repo-127",
            "acme/repo-128",
            "acme/repo-129"
        ]
    );
    let all: Value = signed_slack_request(
        &app,
        "/slack/options",
        "application/x-www-form-urlencoded",
        form_payload(&suggest("U_ADMIN", "")),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(all["options"].as_array().unwrap().len(), 100);
    Mock::given(path("/api/users.info"))
        .respond_with(slack_ok(
            json!({ "user": { "id": "U_DEV", "is_admin": false, "is_owner": false } }),
        ))
        .mount(&slack)
        .await;
    let stranger: Value = signed_slack_request(
        &app,
        "/slack/options",
        "application/x-www-form-urlencoded",
        form_payload(&suggest("U_DEV", "repo")),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(stranger["options"], json!([]));
    app.stop().await;
}

fn form_payload(payload: &Value) -> Vec<u8> {
    format!(
        "payload={}",
        url::form_urlencoded::byte_serialize(payload.to_string().as_bytes()).collect::<String>()
    )
    .into_bytes()
}

#[tokio::test]
async fn the_daily_sync_is_claimed_once_a_day_per_connected_org() {
    let db = TestDb::new().await;
    let app = spawn_app_with(&db, &[], false).await;
    let slack = fake_slack(None).await;
    let _ = &slack;
    let org = {
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        let org = aimpact::store::orgs::upsert_installation(&mut conn, "T1", "Acme", Some("U1"))
            .await
            .unwrap()
            .id;
        integrations::upsert(&mut conn, org, "github", "connected", Some("acme"), None)
            .await
            .unwrap();
        org
    };
    let now = 1_900_000_000;
    let tick = |at: i64| aimpact::app::tick(&app.state.db, &app.state.jobs, at);
    let ran = |task: &'static str| {
        let db = app.state.db.clone();
        async move {
            let mut conn = db.pool().acquire().await.unwrap();
            sqlx::query_scalar::<_, i64>(
                "select started_at from sync_state where org_id = $1 and source = 'schedule' and scope = $2",
            )
            .bind(org.get())
            .bind(task)
            .fetch_one(&mut *conn)
            .await
            .unwrap()
        }
    };
    let rollups = aimpact::dashboard::rollups::TASK;
    let daily = aimpact::github::job::DAILY;
    let people = aimpact::people::TASK;
    // The daily sync, the 5-minute rollups refresh and the daily Slack
    // people matching (no surveys are due: nothing is enqueued for them).
    assert_eq!(tick(now).await.unwrap(), 3);
    assert_eq!(tick(now + 60).await.unwrap(), 0);
    // Only the rollups are due again before the day is over.
    assert_eq!(tick(now + 86_399).await.unwrap(), 1);
    assert_eq!((ran(daily).await, ran(rollups).await), (now, now + 86_399));
    // A day after the first: the daily sync is due and matching, not the
    // rollups (run 1 s ago). No worker ran the first sync, which is still
    // queued: the new one joins it instead of queuing a second.
    assert_eq!(tick(now + 86_400).await.unwrap(), 1);
    assert_eq!(
        app.state
            .jobs
            .depth(<aimpact::github::job::SyncGithub as aimpact::jobs::Job>::QUEUE)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        (ran(daily).await, ran(rollups).await, ran(people).await),
        (now + 86_400, now + 86_399, now + 86_400)
    );
    app.stop().await;
}

async fn token_client(github: &MockServer) -> GithubClient {
    GithubClient::with_token(
        &url::Url::parse(&format!("{}/", github.uri())).unwrap(),
        &SecretString::from("ghp_test".to_string()),
    )
    .unwrap()
}

#[tokio::test]
async fn in_token_mode_the_org_webhook_is_created_once_or_the_admin_is_told_how() {
    let db = TestDb::new().await;
    let app = spawn_app_with(&db, &[], false).await;
    let org = {
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        let org = aimpact::store::orgs::upsert_installation(&mut conn, "T1", "Acme", Some("U1"))
            .await
            .unwrap()
            .id;
        integrations::upsert(&mut conn, org, "github", "connected", Some("acme"), None)
            .await
            .unwrap();
        org
    };
    let hook = url::Url::parse("https://aimpact.example/github/webhook").unwrap();
    let secret = SecretString::from(SECRET.to_string());

    let github = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/orgs/acme/hooks"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            { "id": 1, "config": { "url": "https://elsewhere.example/hook" } }
        ])))
        .mount(&github)
        .await;
    Mock::given(method("POST"))
        .and(path("/orgs/acme/hooks"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({ "id": 2 })))
        .expect(1)
        .mount(&github)
        .await;
    let client = token_client(&github).await;
    let done = connect::ensure_org_webhook(
        &client,
        &app.state.db,
        org,
        "acme",
        Some(&hook),
        Some(&secret),
        false,
    )
    .await
    .unwrap();
    assert_eq!(done, WebhookSetup::Created);
    let posted = github
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.method.as_str() == "POST")
        .unwrap();
    let body: Value = serde_json::from_slice(&posted.body).unwrap();
    assert_eq!(body["config"]["url"], hook.as_str());
    assert_eq!(body["config"]["secret"], SECRET);
    assert_eq!(body["config"]["content_type"], "json");
    assert!(
        body["events"]
            .as_array()
            .unwrap()
            .contains(&json!("pull_request_review"))
    );

    // Already there: not created twice.
    let present = MockServer::start().await;
    Mock::given(path("/orgs/acme/hooks"))
        .and(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            { "id": 2, "config": { "url": hook.as_str() } }
        ])))
        .mount(&present)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201))
        .expect(0)
        .mount(&present)
        .await;
    let client = token_client(&present).await;
    assert_eq!(
        connect::ensure_org_webhook(
            &client,
            &app.state.db,
            org,
            "acme",
            Some(&hook),
            Some(&secret),
            false,
        )
        .await
        .unwrap(),
        WebhookSetup::Present
    );

    // A token without admin:org_hook: the admin is told how.
    let refused = MockServer::start().await;
    Mock::given(path_regex("^/orgs/acme/hooks"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({ "message": "Not Found" })))
        .mount(&refused)
        .await;
    let client = token_client(&refused).await;
    assert_eq!(
        connect::ensure_org_webhook(
            &client,
            &app.state.db,
            org,
            "acme",
            Some(&hook),
            Some(&secret),
            false,
        )
        .await
        .unwrap(),
        WebhookSetup::NotAllowed
    );
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    let g = integrations::get(&mut conn, org, "github")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(g.setting("webhook"), "not_allowed");
    drop(conn);
    // Without a public URL nothing is asked of GitHub.
    assert_eq!(
        connect::ensure_org_webhook(
            &client,
            &app.state.db,
            org,
            "acme",
            None,
            Some(&secret),
            false
        )
        .await
        .unwrap(),
        WebhookSetup::NotConfigured
    );
    app.stop().await;
}

#[tokio::test]
async fn people_whose_profile_hides_their_email_get_the_one_they_commit_with() {
    use aimpact::github::ingest::{self, Account, PrFacts, RepoFacts};
    use aimpact::store::pull_requests::CommitRow;
    let db = TestDb::new().await;
    let app = spawn_app_with(&db, &[], false).await;
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
    let ada = ingest::person_for(&mut conn, org, &account("ada", "1"))
        .await
        .unwrap();
    let bob = ingest::person_for(&mut conn, org, &account("bob", "2"))
        .await
        .unwrap();
    let cy = ingest::person_for(&mut conn, org, &account("cy", "3"))
        .await
        .unwrap();
    // Bob's profile already gave an email; Cy commits only from no-reply.
    people::add_email_if_free(&mut conn, org, bob, "bob@acme.example")
        .await
        .unwrap();
    let commit = |sha: &str, login: &str, email: &str| CommitRow {
        sha: sha.into(),
        author_login: Some(login.into()),
        author_name: login.into(),
        author_email: email.into(),
        authored_at: Some(1_700_000_000),
        committed_at: Some(1_700_000_000),
        message: "work".into(),
    };
    let facts = PrFacts {
        repo: RepoFacts {
            github_repo_id: "11".into(),
            owner: "acme".into(),
            name: "api".into(),
            ..Default::default()
        },
        node_id: "PR_1".into(),
        number: 1,
        title: "A change".into(),
        state: "open".into(),
        created_at: 1_700_000_000,
        updated_at: 1_700_000_000,
        author: Some(account("ada", "1")),
        commits: Some(vec![
            commit("a1", "ada", "ada@home.example"),
            commit("a2", "ada", "Ada@Acme.example"),
            commit("a3", "ada", "ada@acme.example"),
            commit("b1", "bob", "bob@home.example"),
            commit("c1", "cy", "3+cy@users.noreply.github.com"),
        ]),
        ..Default::default()
    };
    ingest::ingest(&mut conn, org, &facts, &[]).await.unwrap();
    drop(conn);

    assert_eq!(
        connect::emails_from_commits(&app.state.db, org)
            .await
            .unwrap(),
        1
    );
    let db2 = app.state.db.clone();
    let owner = |email: &'static str| {
        let db = db2.clone();
        async move {
            let mut conn = db.pool().acquire().await.unwrap();
            people::find_by_identity(&mut conn, org, Provider::Email, email)
                .await
                .unwrap()
                .map(|p| p.id)
        }
    };
    assert_eq!(
        owner("ada@acme.example").await,
        Some(ada),
        "the most used address"
    );
    assert_eq!(owner("ada@home.example").await, None);
    assert_eq!(owner("bob@home.example").await, None, "bob already had one");
    assert_eq!(owner("3+cy@users.noreply.github.com").await, None);
    let _ = cy;
    // Running again adds nothing.
    assert_eq!(
        connect::emails_from_commits(&app.state.db, org)
            .await
            .unwrap(),
        0
    );
    app.stop().await;
}
