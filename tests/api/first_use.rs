//! The first hour of a real install, as a new customer walks it: `serve`
//! starts with a bot token and a GitHub token against fakes of Slack and
//! GitHub; GitHub members, emails and PRs import in the background; the
//! admin turns surveys on in the modal; a PR the sync saw open merges
//! (signed webhook); the author's and the reviewer's DMs arrive within
//! seconds. Variants: Slack's member list knows nobody until after the
//! GitHub import (the planner looks people up by email), and the reviewer
//! joins Slack only after the merge (the `team_join` event matches them
//! and their DM follows).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aimpact::domain::{OrgId, Provider};
use aimpact::store::{orgs, people, sync_state};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::helpers::*;

const SECRET: &str = "first-use-webhook-secret";
const PR_NODE: &str = "PR_kwDOfirstuse7";
/// Wednesday 2026-11-25 10:00 UTC: working hours in London.
const WEDNESDAY_10AM: i64 = 1_795_600_800;
/// How soon after the merge's 202 a DM must arrive.
const DM_WITHIN: Duration = Duration::from_secs(5);

/// Slack members the fake knows, changeable while the app runs.
type Members = Arc<Mutex<Vec<Value>>>;

/// Members `users.list` leaves out (found only by `users.lookupByEmail`).
fn unlisted(m: Value) -> Value {
    let mut m = m;
    m["unlisted"] = json!(true);
    m
}

fn member(id: &str, email: &str, name: &str) -> Value {
    json!({ "id": id, "name": name.to_lowercase(), "tz": "Europe/London",
            "profile": { "email": email, "real_name": name } })
}

struct UsersList(Members);

impl wiremock::Respond for UsersList {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let members: Vec<Value> = self
            .0
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m.get("unlisted").is_none())
            .cloned()
            .collect();
        slack_ok(json!({ "members": members, "response_metadata": { "next_cursor": "" } }))
    }
}

struct LookupByEmail(Members);

impl wiremock::Respond for LookupByEmail {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let email = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "email")
            .map(|(_, v)| v.to_lowercase())
            .unwrap_or_default();
        let found = self
            .0
            .lock()
            .unwrap()
            .iter()
            .find(|m| m["profile"]["email"].as_str() == Some(email.as_str()))
            .cloned();
        match found {
            Some(user) => slack_ok(json!({ "user": user })),
            None => ResponseTemplate::new(200)
                .set_body_json(json!({ "ok": false, "error": "users_not_found" })),
        }
    }
}

struct UsersInfo;

impl wiremock::Respond for UsersInfo {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let user = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "user")
            .map(|(_, v)| v.to_string())
            .unwrap_or_default();
        slack_ok(
            json!({ "user": { "id": user, "is_admin": user == "UADMIN", "tz": "Europe/London" } }),
        )
    }
}

/// The workspace's Slack: [`fake_slack`] with DMs, who the app is, the
/// members in `members` (listed, or found by email), admins by user id.
async fn slack_with_members(members: &Members) -> MockServer {
    let slack = fake_slack(None).await;
    mount_dms(&slack).await;
    Mock::given(path("/api/auth.test"))
        .respond_with(slack_ok(json!({
            "url": "https://acme.slack.com/", "team": "Acme", "team_id": "T1",
            "user": "aimpact", "user_id": "UBOT", "bot_id": "B1"
        })))
        .mount(&slack)
        .await;
    Mock::given(path("/api/users.list"))
        .respond_with(UsersList(members.clone()))
        .mount(&slack)
        .await;
    Mock::given(path("/api/users.lookupByEmail"))
        .respond_with(LookupByEmail(members.clone()))
        .mount(&slack)
        .await;
    Mock::given(path("/api/users.info"))
        .respond_with(UsersInfo)
        .mount(&slack)
        .await;
    slack
}

/// GitHub's GraphQL for the org: member profiles with emails, and one
/// open PR by ada, reviewed by bob.
struct Graphql;

impl wiremock::Respond for Graphql {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
        let query = body["query"].as_str().unwrap_or_default();
        let rate = json!({ "cost": 1, "remaining": 4990, "resetAt": "2030-01-01T00:00:00Z" });
        if query.contains("membersWithRole") {
            return ResponseTemplate::new(200).set_body_json(json!({ "data": {
                "organization": { "membersWithRole": {
                    "pageInfo": { "hasNextPage": false, "endCursor": null },
                    "nodes": [
                        { "login": "ada", "databaseId": 1, "name": "Ada Lovelace", "email": "ada@acme.test", "organizationVerifiedDomainEmails": [] },
                        { "login": "bob", "databaseId": 2, "name": "Bob Babbage", "email": "bob@acme.test", "organizationVerifiedDomainEmails": [] }
                    ] } },
                "rateLimit": rate } }));
        }
        if !query.contains("pullRequests(") {
            return ResponseTemplate::new(200)
                .set_body_json(json!({ "data": { "rateLimit": rate } }));
        }
        let created = chrono::DateTime::from_timestamp(WEDNESDAY_10AM - 86_400, 0)
            .unwrap()
            .to_rfc3339();
        let reviewed = chrono::DateTime::from_timestamp(WEDNESDAY_10AM - 3_600, 0)
            .unwrap()
            .to_rfc3339();
        let pr = json!({
            "id": PR_NODE, "number": 7, "title": "Retry flaky uploads", "body": "", "state": "OPEN",
            "isDraft": false, "createdAt": created, "updatedAt": reviewed,
            "mergedAt": null, "closedAt": null, "headRefName": "retries", "baseRefName": "main",
            "additions": 40, "deletions": 8, "changedFiles": 3,
            "author": { "login": "ada", "__typename": "User", "databaseId": 1 },
            "labels": { "nodes": [] },
            "timelineItems": { "nodes": [] },
            "reviews": { "pageInfo": { "hasNextPage": false, "endCursor": null }, "nodes": [
                { "databaseId": 901, "state": "APPROVED", "submittedAt": reviewed,
                  "author": { "login": "bob", "__typename": "User", "databaseId": 2 } }
            ] },
            "commits": { "totalCount": 0, "pageInfo": { "hasNextPage": false, "endCursor": null }, "nodes": [] }
        });
        ResponseTemplate::new(200).set_body_json(json!({ "data": {
            "repository": { "pullRequests": {
                "totalCount": 1, "pageInfo": { "hasNextPage": false, "endCursor": null }, "nodes": [pr] } },
            "rateLimit": rate } }))
    }
}

async fn fake_github() -> MockServer {
    let github = MockServer::start().await;
    let ok = |v: Value| ResponseTemplate::new(200).set_body_json(v);
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .respond_with(Graphql)
        .mount(&github)
        .await;
    Mock::given(path("/user/memberships/orgs/acme"))
        .respond_with(ok(
            json!({ "state": "active", "role": "admin", "organization": { "login": "acme" } }),
        ))
        .mount(&github)
        .await;
    Mock::given(path("/orgs/acme/repos"))
        .respond_with(ok(
            json!([{ "id": 11, "name": "api", "owner": { "login": "acme" },
            "private": true, "archived": false, "fork": false, "default_branch": "main" }]),
        ))
        .mount(&github)
        .await;
    Mock::given(path("/orgs/acme/members"))
        .respond_with(ok(json!([
            { "login": "ada", "id": 1, "type": "User" },
            { "login": "bob", "id": 2, "type": "User" }
        ])))
        .mount(&github)
        .await;
    Mock::given(path("/orgs/acme/teams"))
        .respond_with(ok(json!([])))
        .mount(&github)
        .await;
    github
}

fn merged_webhook(merged_at: i64) -> Value {
    let raw = std::fs::read(format!(
        "{}/tests/fixtures/github/pull_request.closed.merged.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let mut m: Value = serde_json::from_slice(&raw).unwrap();
    let at = chrono::DateTime::from_timestamp(merged_at, 0)
        .unwrap()
        .to_rfc3339();
    let created = chrono::DateTime::from_timestamp(WEDNESDAY_10AM - 86_400, 0)
        .unwrap()
        .to_rfc3339();
    if let Some(map) = m.as_object_mut() {
        map.remove("installation");
    }
    let pr = &mut m["pull_request"];
    pr["node_id"] = json!(PR_NODE);
    pr["number"] = json!(7);
    pr["id"] = json!(7007);
    pr["title"] = json!("Retry flaky uploads");
    pr["user"] = json!({ "login": "ada", "id": 1, "type": "User" });
    pr["created_at"] = json!(created);
    pr["merged_at"] = json!(at);
    pr["closed_at"] = json!(at);
    pr["updated_at"] = json!(at);
    m["number"] = json!(7);
    m["repository"] = json!({ "id": 11, "name": "api", "full_name": "acme/api",
        "owner": { "login": "acme", "id": 9 }, "private": true, "archived": false,
        "fork": false, "default_branch": "main" });
    m
}

/// Survey DMs the fake Slack received, by recipient, in order.
async fn dms_to(slack: &MockServer, user: &str) -> usize {
    calls(slack, "chat.postMessage")
        .await
        .iter()
        .filter_map(|r| serde_json::from_slice::<Value>(&r.body).ok())
        .filter(|b| b["channel"] == user && b.get("thread_ts").is_none())
        .count()
}

/// Polls every 50 ms until `user` got a DM; how long it took.
async fn dm_arrives(slack: &MockServer, user: &str, within: Duration) -> Option<Duration> {
    let started = Instant::now();
    eventually(within, || async { dms_to(slack, user).await >= 1 })
        .await
        .then(|| started.elapsed())
}

struct FirstUse {
    app: TestApp,
    slack: MockServer,
    _github: MockServer,
    members: Members,
    org: OrgId,
}

/// `serve` with a bot token and a GitHub token, the import finished, and
/// surveys turned on by the admin in the modal.
async fn serve(db: &TestDb, slack_members: Vec<Value>) -> FirstUse {
    let members: Members = Arc::new(Mutex::new(slack_members));
    let slack = slack_with_members(&members).await;
    let github = fake_github().await;
    let slack_api = format!("{}/api", slack.uri());
    let github_api = github.uri();
    let app = spawn_app_with(
        db,
        &[
            ("SLACK_BOT_TOKEN", "xoxb-first-use"),
            ("SLACK_SIGNING_SECRET", SIGNING_SECRET),
            ("SLACK_API_URL", &slack_api),
            ("GITHUB_TOKEN", "ghp_first_use"),
            ("GITHUB_ORG", "acme"),
            ("GITHUB_API_URL", &github_api),
            ("GITHUB_WEBHOOK_SECRET", SECRET),
            ("GITHUB_SYNC_DAYS", "3650"),
            // Charts by URL: App Home needs no file uploads.
            ("AIMPACT_PUBLIC_URL", "https://aimpact.example.com"),
        ],
        true,
    )
    .await;
    app.state.clock.set(WEDNESDAY_10AM);
    let org = {
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        orgs::find_by_slack_team(&mut conn, "T1")
            .await
            .unwrap()
            .expect("the bot token's workspace is installed at start")
            .id
    };
    // The PR import runs in the background.
    let state = app.state.clone();
    let imported = eventually(PATIENCE, || async {
        let mut conn = state.db.pool().acquire().await.unwrap();
        sync_state::get(&mut conn, org, "github", "repo:11")
            .await
            .unwrap()
            .is_some_and(|s| s.status == "done")
    })
    .await;
    assert!(imported, "the open PR was imported");
    // The admin turns surveys on in the settings modal.
    let on = json!({
        "type": "view_submission", "team": {"id": "T1"}, "user": {"id": "UADMIN"},
        "view": {"id": "V1", "callback_id": "survey_settings", "state": {"values": {
            "surveys_enabled": {"surveys_enabled_value": {"type": "radio_buttons", "selected_option": {"value": "on"}}},
            "surveys_reminders": {"surveys_reminders_value": {"type": "radio_buttons", "selected_option": {"value": "on"}}}
        }}}
    });
    let answer = slack_interaction(&app, &on).await;
    assert_eq!(answer.status(), 200);
    {
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        let settings = aimpact::store::surveys::settings(&mut conn, org)
            .await
            .unwrap();
        assert!(settings.enabled, "surveys are on");
    }
    FirstUse {
        app,
        slack,
        _github: github,
        members,
        org,
    }
}

/// The PR merges: a signed `pull_request` delivery, answered 202.
async fn merge(w: &FirstUse) {
    let body = serde_json::to_vec(&merged_webhook(WEDNESDAY_10AM - 60)).unwrap();
    let signature = aimpact::github::webhook::sign(SECRET, &body);
    let answer = w
        .app
        .http
        .post(w.app.url("/github/webhook"))
        .header("x-github-event", "pull_request")
        .header("x-github-delivery", "first-use-merge")
        .header("x-hub-signature-256", signature)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 202);
}

async fn slack_id_of(w: &FirstUse, github_id: &str) -> Option<String> {
    let mut conn = w.app.state.db.pool().acquire().await.unwrap();
    let person = people::find_by_identity(&mut conn, w.org, Provider::Github, github_id)
        .await
        .unwrap()?;
    let slack: Option<String> = sqlx::query_scalar(
        "select external_id from person_identity where org_id = $1 and person_id = $2 and provider = 'slack'",
    )
    .bind(w.org.get())
    .bind(person.id.0)
    .fetch_optional(w.app.state.db.pool())
    .await
    .unwrap();
    slack
}

#[tokio::test]
async fn serve_import_surveys_on_merge_and_both_dms_arrive_within_seconds() {
    let db = TestDb::new().await;
    let w = serve(
        &db,
        vec![
            member("UADA", "ada@acme.test", "Ada Lovelace"),
            member("UBOB", "bob@acme.test", "Bob Babbage"),
            member("UADMIN", "admin@acme.test", "Admin"),
        ],
    )
    .await;
    // Matching follows the import: both are matched without anyone
    // opening the People modal.
    let matched = eventually(PATIENCE, || async {
        slack_id_of(&w, "1").await.as_deref() == Some("UADA")
            && slack_id_of(&w, "2").await.as_deref() == Some("UBOB")
    })
    .await;
    assert!(
        matched,
        "ada and bob were matched by email after the import"
    );

    merge(&w).await;
    let author = dm_arrives(&w.slack, "UADA", DM_WITHIN).await;
    assert!(author.is_some(), "the author's DM arrived within 5 s");
    let reviewer = dm_arrives(&w.slack, "UBOB", DM_WITHIN).await;
    assert!(reviewer.is_some(), "the reviewer's DM arrived within 5 s");
    assert_eq!(dms_to(&w.slack, "UADA").await, 1);
    assert_eq!(dms_to(&w.slack, "UBOB").await, 1);
    w.app.stop().await;
}

#[tokio::test]
async fn people_slack_does_not_list_are_looked_up_by_email_when_their_pr_merges() {
    let db = TestDb::new().await;
    // `users.list` never shows ada and bob (the workspace's directory is
    // incomplete when GitHub members import); Slack knows their emails.
    let w = serve(
        &db,
        vec![
            unlisted(member("UADA", "ada@acme.test", "Ada Lovelace")),
            unlisted(member("UBOB", "bob@acme.test", "Bob Babbage")),
        ],
    )
    .await;
    assert_eq!(slack_id_of(&w, "1").await, None);
    merge(&w).await;
    let author = dm_arrives(&w.slack, "UADA", DM_WITHIN).await;
    assert!(
        author.is_some(),
        "the author was found by email and their DM arrived within 5 s"
    );
    let reviewer = dm_arrives(&w.slack, "UBOB", DM_WITHIN).await;
    assert!(reviewer.is_some(), "the reviewer's DM arrived within 5 s");
    assert_eq!(slack_id_of(&w, "1").await.as_deref(), Some("UADA"));
    assert_eq!(dms_to(&w.slack, "UADA").await, 1);
    w.app.stop().await;
}

#[tokio::test]
async fn a_reviewer_who_joins_slack_after_the_merge_gets_their_dm_and_admins_see_who_waits() {
    let db = TestDb::new().await;
    let w = serve(
        &db,
        vec![
            member("UADA", "ada@acme.test", "Ada Lovelace"),
            member("UADMIN", "admin@acme.test", "Admin"),
        ],
    )
    .await;
    let matched = eventually(PATIENCE, || async {
        slack_id_of(&w, "1").await.as_deref() == Some("UADA")
    })
    .await;
    assert!(matched, "ada was matched after the import");

    merge(&w).await;
    assert!(dm_arrives(&w.slack, "UADA", DM_WITHIN).await.is_some());
    // Bob is not in Slack yet: his survey waits, and admins are told.
    let waiting = eventually(PATIENCE, || async {
        let mut conn = w.app.state.db.pool().acquire().await.unwrap();
        aimpact::store::surveys::waiting_for_match(&mut conn, w.org, WEDNESDAY_10AM)
            .await
            .unwrap()
            .len()
            == 1
    })
    .await;
    assert!(waiting, "one person's survey waits for a match");
    let home = {
        let ctx = aimpact::slack::listeners::Ctx {
            state: w.app.state.clone(),
            org: {
                let mut conn = w.app.state.db.pool().acquire().await.unwrap();
                orgs::get(&mut conn, w.org).await.unwrap()
            },
        };
        let view = aimpact::slack_ui::home::home_view(
            &ctx,
            "UADMIN",
            aimpact::slack_ui::dashboards::HomeState::default(),
        )
        .await
        .unwrap();
        serde_json::to_string(&view).unwrap()
    };
    assert!(
        home.contains("1 survey waiting: 1 person not matched to Slack"),
        "{home}"
    );
    assert_eq!(dms_to(&w.slack, "UBOB").await, 0);

    // Bob joins the workspace: the event matches him and his DM follows.
    w.members
        .lock()
        .unwrap()
        .push(member("UBOB", "bob@acme.test", "Bob Babbage"));
    let joined = slack_event(
        &w.app,
        "T1",
        "Ev-bob-joins",
        json!({ "type": "team_join", "user": member("UBOB", "bob@acme.test", "Bob Babbage") }),
    )
    .await;
    assert_eq!(joined.status(), 200);
    assert!(
        dm_arrives(&w.slack, "UBOB", DM_WITHIN).await.is_some(),
        "bob's DM followed his match"
    );
    assert_eq!(dms_to(&w.slack, "UBOB").await, 1);
    w.app.stop().await;
}
