//! PR surveys end to end: signed GitHub webhooks in, survey DMs out to a
//! fake Slack, button clicks as Slack sends them, answers stored once, the
//! reveal, App Home, reminders, expiry, quiet hours and hostile clicks.

use std::sync::Arc;

use aimpact::domain::{OrgId, PersonId, Provider};
use aimpact::store::surveys::{self, Kind};
use aimpact::store::{integrations, people};
use serde_json::{Value, json};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::helpers::*;

const SECRET: &str = "webhook-secret";
const PR_NODE: &str = "MDExOlB1bGxSZXF1ZXN0Mjc5MTQ3NDM3";
/// Wednesday 2026-11-25 10:00 UTC: working hours in London.
const WEDNESDAY_10AM: i64 = 1_795_600_800;
const DAY: i64 = 86_400;

fn fixture(name: &str) -> Value {
    let raw = std::fs::read(format!(
        "{}/tests/fixtures/github/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    serde_json::from_slice(&raw).unwrap()
}

fn rfc3339(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// Slack members: the author, two reviewers (one matched by email, one to
/// be mapped by hand), and a bot, a deactivated member and a guest who
/// share emails with people but must never be matched.
fn members_page(cursor: Option<&str>) -> Value {
    match cursor {
        None => json!({
            "members": [
                {"id": "UAUTHOR", "profile": {"email": "Author@Example.com", "real_name": "Ann Author"}, "tz": "Europe/London"},
                {"id": "UREV1", "profile": {"email": "rev1@example.com", "real_name": "Rita Reviewer"}, "tz": "Europe/London"},
                {"id": "UBOT", "is_bot": true, "profile": {"email": "rev2@example.com"}},
            ],
            "response_metadata": {"next_cursor": "page2"}
        }),
        Some(_) => json!({
            "members": [
                {"id": "UGONE", "deleted": true, "profile": {"email": "rev2@example.com"}},
                {"id": "UGUEST", "is_restricted": true, "profile": {"email": "rev2@example.com"}},
                {"id": "UREV2", "profile": {"email": "someone-else@example.com", "real_name": "Rob"}, "tz": "Europe/London"},
            ],
            "response_metadata": {"next_cursor": ""}
        }),
    }
}

struct UsersList;

impl wiremock::Respond for UsersList {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let cursor = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "cursor")
            .map(|(_, v)| v.to_string());
        let mut page = members_page(cursor.as_deref());
        page["ok"] = json!(true);
        ResponseTemplate::new(200).set_body_json(page)
    }
}

struct World {
    app: TestApp,
    slack: MockServer,
    org: OrgId,
    author: PersonId,
    rev1: PersonId,
    rev2: PersonId,
}

async fn deliver_webhook(app: &TestApp, event: &str, delivery: &str, body: &Value) {
    let body = serde_json::to_vec(body).unwrap();
    let signature = aimpact::github::webhook::sign(SECRET, &body);
    let answer = app
        .http
        .post(app.url("/github/webhook"))
        .header("x-github-event", event)
        .header("x-github-delivery", delivery)
        .header("x-hub-signature-256", signature)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "{}", answer.status());
}

fn review(pr_node: &str, number: i64, id: i64, login: &str, user_id: i64, kind: &str) -> Value {
    let mut r = fixture("pull_request_review.submitted.json");
    r["review"]["id"] = json!(id);
    r["review"]["node_id"] = json!(format!("R{id}"));
    r["review"]["user"]["login"] = json!(login);
    r["review"]["user"]["id"] = json!(user_id);
    r["review"]["user"]["type"] = json!(kind);
    r["review"]["state"] = json!("approved");
    r["pull_request"]["node_id"] = json!(pr_node);
    r["pull_request"]["number"] = json!(number);
    r["pull_request"]["id"] = json!(1000 + number);
    r
}

fn merged(pr_node: &str, number: i64, merged_at: i64) -> Value {
    let mut m = fixture("pull_request.closed.merged.json");
    m["pull_request"]["node_id"] = json!(pr_node);
    m["pull_request"]["number"] = json!(number);
    m["pull_request"]["id"] = json!(1000 + number);
    m["pull_request"]["merged_at"] = json!(rfc3339(merged_at));
    m["pull_request"]["closed_at"] = json!(rfc3339(merged_at));
    m["pull_request"]["updated_at"] = json!(rfc3339(merged_at));
    m
}

async fn github_person(app: &TestApp, org: OrgId, github_id: i64) -> PersonId {
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    people::find_by_identity(&mut conn, org, Provider::Github, &github_id.to_string())
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("person for GitHub user {github_id}"))
        .id
}

/// An org with GitHub and Slack connected, the PR reviewed by two humans
/// and a bot, Slack people matched (one by hand), surveys on.
async fn world(db: &TestDb) -> World {
    let slack = fake_slack(Some(SlackUsers {
        admin: false,
        tz: "Europe/London",
    }))
    .await;
    mount_dms(&slack).await;
    Mock::given(path("/api/users.list"))
        .respond_with(UsersList)
        .mount(&slack)
        .await;
    Mock::given(path("/respond"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&slack)
        .await;
    let mut settings = slack_settings(&slack);
    settings.push(("GITHUB_WEBHOOK_SECRET", SECRET.to_string()));
    // Charts by URL: App Home needs no file uploads.
    settings.push((
        "AIMPACT_PUBLIC_URL",
        "https://aimpact.example.com".to_string(),
    ));
    let pairs: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    // No minute tick: these tests drive matching and delivery themselves
    // (a background match would link people before the test's own run).
    let app = spawn_app_scheduled(db, &pairs, true, false).await;
    app.state.clock.set(WEDNESDAY_10AM);
    let org = install_org(&app, "T1", "UADMIN").await;
    {
        let mut conn = app.state.db.pool().acquire().await.unwrap();
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
    }
    deliver_webhook(
        &app,
        "pull_request_review",
        "d-r1",
        &review(PR_NODE, 2, 11, "rita", 501, "User"),
    )
    .await;
    deliver_webhook(
        &app,
        "pull_request_review",
        "d-r2",
        &review(PR_NODE, 2, 12, "rob", 502, "User"),
    )
    .await;
    deliver_webhook(
        &app,
        "pull_request_review",
        "d-r3",
        &review(PR_NODE, 2, 13, "renovate[bot]", 503, "Bot"),
    )
    .await;
    let reviewed = eventually(PATIENCE, || async {
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        aimpact::store::webhooks::pending(&mut conn, org, 10)
            .await
            .unwrap()
            .is_empty()
    })
    .await;
    assert!(reviewed, "review deliveries processed");
    let author = github_person(&app, org, 21_031_067).await;
    let rev1 = github_person(&app, org, 501).await;
    let rev2 = github_person(&app, org, 502).await;
    {
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        assert!(
            people::add_email_if_free(&mut conn, org, author, "author@example.com")
                .await
                .unwrap()
        );
        assert!(
            people::add_email_if_free(&mut conn, org, rev1, "rev1@example.com")
                .await
                .unwrap()
        );
        assert!(
            people::add_email_if_free(&mut conn, org, rev2, "rev2@example.com")
                .await
                .unwrap()
        );
    }
    // Rob's only Slack matches by email are a bot, a deactivated member
    // and a guest: the admin maps him by hand in the People modal.
    let found = aimpact::people::match_people(&app.state, org)
        .await
        .unwrap();
    assert_eq!(
        (found.members, found.ignored, found.linked),
        (6, 3, 2),
        "{found:?}"
    );
    let map = json!({
        "type": "view_submission", "team": {"id": "T1"}, "user": {"id": "UADMIN"},
        "view": {"id": "V1", "callback_id": "people_map", "state": {"values": {
            "map_person": {"map_person_value": {"type": "static_select", "selected_option": {"value": rev2.0.to_string()}}},
            "map_action": {"map_action_value": {"type": "radio_buttons", "selected_option": {"value": "map"}}},
            "map_slack_user": {"map_slack_user_value": {"type": "users_select", "selected_user": "UREV2"}}
        }}}
    });
    let answer = slack_interaction(&app, &map).await;
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.text().await.unwrap(), "", "the modal closes");
    // Matching again keeps the manual mapping.
    aimpact::people::match_people(&app.state, org)
        .await
        .unwrap();
    {
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        let rob = people::find_by_identity(&mut conn, org, Provider::Slack, "UREV2")
            .await
            .unwrap();
        assert_eq!(rob.map(|p| p.id), Some(rev2));
        assert!(
            people::find_by_identity(&mut conn, org, Provider::Slack, "UBOT")
                .await
                .unwrap()
                .is_none()
        );
    }
    // The admin turns surveys on in the settings modal.
    let on = json!({
        "type": "view_submission", "team": {"id": "T1"}, "user": {"id": "UADMIN"},
        "view": {"id": "V2", "callback_id": "survey_settings", "state": {"values": {
            "surveys_enabled": {"surveys_enabled_value": {"type": "radio_buttons", "selected_option": {"value": "on"}}},
            "surveys_reminders": {"surveys_reminders_value": {"type": "radio_buttons", "selected_option": {"value": "on"}}}
        }}}
    });
    assert_eq!(slack_interaction(&app, &on).await.status(), 200);
    {
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        assert!(surveys::settings(&mut conn, org).await.unwrap().enabled);
    }
    World {
        app,
        slack,
        org,
        author,
        rev1,
        rev2,
    }
}

async fn posts(slack: &MockServer) -> Vec<Value> {
    calls(slack, "chat.postMessage")
        .await
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

async fn updates(slack: &MockServer) -> Vec<Value> {
    calls(slack, "chat.update")
        .await
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

async fn notes(slack: &MockServer) -> Vec<String> {
    slack
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.url.path() == "/respond")
        .map(|r| String::from_utf8_lossy(&r.body).to_string())
        .collect()
}

async fn wait_posts(slack: &MockServer, n: usize) -> Vec<Value> {
    let reached = eventually(PATIENCE, || async { posts(slack).await.len() >= n }).await;
    let all = posts(slack).await;
    assert!(reached, "expected {n} posts, got {}: {all:#?}", all.len());
    all
}

fn click(w: &World, user: &str, action_id: &str, value: &str) -> Value {
    json!({
        "type": "block_actions", "team": {"id": "T1"}, "user": {"id": user},
        "trigger_id": "1.2.3", "response_url": format!("{}/respond", w.slack.uri()),
        "container": {"type": "message", "channel_id": "D1", "message_ts": "1.1"},
        "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": value}]
    })
}

async fn item(w: &World, kind: Kind, id: i64) -> surveys::Item {
    let mut conn = w.app.state.db.pool().acquire().await.unwrap();
    surveys::item(&mut conn, w.org, kind, id)
        .await
        .unwrap()
        .unwrap()
}

/// The ids of the author survey and the reviewers' surveys (rev1, rev2).
async fn survey_ids(w: &World) -> (i64, i64, i64) {
    let mut conn = w.app.state.db.pool().acquire().await.unwrap();
    let pr = aimpact::store::pull_requests::find_by_github_id(&mut conn, w.org, PR_NODE)
        .await
        .unwrap()
        .unwrap()
        .0;
    let (survey, row) = surveys::find_by_pr(&mut conn, w.org, pr)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.author, Some(w.author));
    let reviews = surveys::reviews(&mut conn, w.org, survey).await.unwrap();
    let of = |p: PersonId| {
        reviews
            .iter()
            .find(|(_, r)| r.reviewer == Some(p))
            .unwrap()
            .0
            .0
    };
    assert_eq!(reviews.len(), 2, "bots are never asked");
    (survey.0, of(w.rev1), of(w.rev2))
}

#[tokio::test]
async fn merged_pr_to_dms_to_answers_to_reveal_to_app_home_exactly_once() {
    let db = TestDb::new().await;
    let w = world(&db).await;
    let merge = merged(PR_NODE, 2, WEDNESDAY_10AM - 60);
    // The same merge delivered twice (a GitHub redelivery).
    deliver_webhook(&w.app, "pull_request", "d-m1", &merge).await;
    deliver_webhook(&w.app, "pull_request", "d-m2", &merge).await;
    let sent = wait_posts(&w.slack, 3).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let sent_after = posts(&w.slack).await;
    assert_eq!(sent_after.len(), 3, "one DM per person: {sent_after:#?}");
    let mut to: Vec<&str> = sent
        .iter()
        .map(|p| p["channel"].as_str().unwrap())
        .collect();
    to.sort();
    assert_eq!(to, ["UAUTHOR", "UREV1", "UREV2"]);
    let (author_survey, r1, r2) = survey_ids(&w).await;
    let author_dm = sent
        .iter()
        .find(|p| p["channel"] == "UAUTHOR")
        .unwrap()
        .to_string();
    assert!(
        author_dm.contains("Did AI help with this PR?"),
        "{author_dm}"
    );
    assert!(author_dm.contains(&format!("{author_survey}:some")));
    assert!(author_dm.contains("Stop survey DMs"));
    let rev_dm = sent
        .iter()
        .find(|p| p["channel"] == "UREV1")
        .unwrap()
        .to_string();
    assert!(rev_dm.contains(&format!("{r1}:5")) && rev_dm.contains(&format!("{r1}:yes")));
    assert_eq!(
        item(&w, Kind::Author, author_survey)
            .await
            .channel
            .as_deref(),
        Some("DAUTHOR")
    );

    // Rob answers before the author: no reveal yet.
    for (action, value) in [
        ("rating_3", format!("{r2}:3")),
        ("guess_no", format!("{r2}:no")),
    ] {
        assert_eq!(
            slack_interaction(&w.app, &click(&w, "UREV2", action, &value))
                .await
                .status(),
            200
        );
    }
    let rob = item(&w, Kind::Reviewer, r2).await;
    assert_eq!(
        (rob.rating, rob.guess, rob.status.as_str()),
        (Some(3), Some(false), "answered")
    );
    assert!(rob.revealed_at.is_none());

    // The author answers "Some parts" — twice (a double click).
    let some = click(
        &w,
        "UAUTHOR",
        "survey_author_some",
        &format!("{author_survey}:some"),
    );
    assert_eq!(slack_interaction(&w.app, &some).await.status(), 200);
    let most = click(
        &w,
        "UAUTHOR",
        "survey_author_most",
        &format!("{author_survey}:most"),
    );
    assert_eq!(slack_interaction(&w.app, &most).await.status(), 200);
    let authored = item(&w, Kind::Author, author_survey).await;
    assert_eq!(
        authored.ai_answer,
        Some(surveys::AiAnswer::Some),
        "the first answer is kept"
    );
    let shown = updates(&w.slack).await;
    assert!(
        shown
            .iter()
            .any(|u| u["channel"] == "DAUTHOR" && u.to_string().contains("recorded: *Some parts*")),
        "the author's message updates in place: {shown:#?}"
    );
    // A tool from the picker.
    let tool = json!({
        "type": "block_actions", "team": {"id": "T1"}, "user": {"id": "UAUTHOR"},
        "container": {"type": "message"}, "response_url": format!("{}/respond", w.slack.uri()),
        "actions": [{"type": "static_select", "action_id": "survey_tool",
            "selected_option": {"value": format!("{author_survey}:Claude Code")}}]
    });
    assert_eq!(slack_interaction(&w.app, &tool).await.status(), 200);
    assert_eq!(
        item(&w, Kind::Author, author_survey).await.ai_tools,
        ["Claude Code"]
    );

    // Rob's reveal arrives in his thread: he guessed "no AI", wrongly.
    let revealed = eventually(PATIENCE, || async {
        posts(&w.slack).await.iter().any(|p| {
            p["channel"] == "DREV2"
                && p.get("thread_ts").is_some()
                && p.to_string().contains("not this time")
        })
    })
    .await;
    assert!(revealed, "reveal posted: {:#?}", posts(&w.slack).await);
    assert_eq!(
        item(&w, Kind::Reviewer, r2).await.guess_correct,
        Some(false)
    );

    // Rita answers after the author: the reveal comes in place at once.
    for (action, value) in [
        ("rating_5", format!("{r1}:5")),
        ("guess_yes", format!("{r1}:yes")),
    ] {
        assert_eq!(
            slack_interaction(&w.app, &click(&w, "UREV1", action, &value))
                .await
                .status(),
            200
        );
    }
    let rita = item(&w, Kind::Reviewer, r1).await;
    assert_eq!((rita.guess_correct, rita.rating), (Some(true), Some(5)));
    let shown = updates(&w.slack).await;
    assert!(
        shown.iter().any(|u| u["channel"] == "DREV1"
            && u.to_string().contains("correct :dart:")
            && u.to_string().contains("*1 of 1* (100%)")),
        "{shown:#?}"
    );
    // A repeated guess click stores nothing new.
    let again = click(&w, "UREV1", "guess_no", &format!("{r1}:no"));
    assert_eq!(slack_interaction(&w.app, &again).await.status(), 200);
    assert_eq!(item(&w, Kind::Reviewer, r1).await.guess, Some(true));

    // Rita's App Home shows her detective record.
    let home = slack_event(
        &w.app,
        "T1",
        "Ev-home",
        json!({"type": "app_home_opened", "user": "UREV1", "tab": "home"}),
    )
    .await;
    assert_eq!(home.status(), 200);
    let published = eventually(PATIENCE, || async {
        calls(&w.slack, "views.publish").await.iter().any(|r| {
            let body = String::from_utf8_lossy(&r.body).to_string();
            body.contains("UREV1") && body.contains("AI Detective") && body.contains("1 of 1")
        })
    })
    .await;
    let bodies: Vec<String> = calls(&w.slack, "views.publish")
        .await
        .iter()
        .map(|r| String::from_utf8_lossy(&r.body).to_string())
        .collect();
    assert!(
        published,
        "App Home shows the detective's accuracy: {bodies:#?}"
    );

    w.app.stop().await;

    // The export has every question once, as the CLI writes it.
    let export = |format: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_aimpact"))
            .args(["export", "surveys", "--format", format])
            .env_clear()
            .env("DATABASE_URL", db.url.expose())
            .output()
            .unwrap()
    };
    let out = export("json");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.len(), 3, "{rows:#?}");
    assert_eq!(rows[0]["kind"], "author");
    assert_eq!(rows[0]["ai_answer"], "some");
    assert_eq!(rows[0]["ai_tools"], "Claude Code");
    let guesses: Vec<(Value, Value)> = rows[1..]
        .iter()
        .map(|r| (r["ai_guess"].clone(), r["guess_correct"].clone()))
        .collect();
    assert!(
        guesses.contains(&(json!(true), json!(true)))
            && guesses.contains(&(json!(false), json!(false)))
    );
    let csv = export("csv");
    let text = String::from_utf8_lossy(&csv.stdout);
    assert!(
        text.starts_with("kind,repository,number,merged_at,person,status"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 4);
}

#[tokio::test]
async fn hostile_and_stale_clicks_change_nothing_and_answer_politely() {
    let db = TestDb::new().await;
    let w = world(&db).await;
    deliver_webhook(
        &w.app,
        "pull_request",
        "d-m1",
        &merged(PR_NODE, 2, WEDNESDAY_10AM - 60),
    )
    .await;
    wait_posts(&w.slack, 3).await;
    let (author_survey, r1, _) = survey_ids(&w).await;

    // Another workspace clicking this org's survey id.
    let other = install_org(&w.app, "T2", "UOTHERADMIN").await;
    assert_ne!(other, w.org);
    let mut foreign = click(
        &w,
        "UAUTHOR",
        "survey_author_most",
        &format!("{author_survey}:most"),
    );
    foreign["team"]["id"] = json!("T2");
    assert_eq!(slack_interaction(&w.app, &foreign).await.status(), 200);
    // A forged id, a mangled value, and a reviewer answering the author's survey.
    let forged = click(&w, "UAUTHOR", "survey_author_most", "999999:most");
    let mangled = click(&w, "UAUTHOR", "survey_author_most", "DROP TABLE:most");
    let not_theirs = click(
        &w,
        "UREV1",
        "survey_author_none",
        &format!("{author_survey}:none"),
    );
    let wrong_review = click(&w, "UAUTHOR", "rating_1", &format!("{r1}:1"));
    for c in [&forged, &mangled, &not_theirs, &wrong_review] {
        assert_eq!(slack_interaction(&w.app, c).await.status(), 200);
    }
    assert_eq!(item(&w, Kind::Author, author_survey).await.ai_answer, None);
    assert_eq!(item(&w, Kind::Reviewer, r1).await.rating, None);
    let said = eventually(PATIENCE, || async { notes(&w.slack).await.len() >= 4 }).await;
    let said = if said {
        notes(&w.slack).await
    } else {
        panic!("notes: {:#?}", notes(&w.slack).await)
    };
    assert!(
        said.iter().any(|n| n.contains("sent to someone else")),
        "{said:#?}"
    );
    assert!(
        said.iter().any(|n| n.contains("doesn't exist")),
        "{said:#?}"
    );
    assert!(said.iter().all(|n| n.contains("\"ephemeral\"")));

    // A week later the surveys close; a late click is refused politely.
    w.app.state.clock.advance(8 * DAY);
    aimpact::surveys::deliver::deliver(&w.app.state, w.org)
        .await
        .unwrap();
    let mut conn = w.app.state.db.pool().acquire().await.unwrap();
    let rows = surveys::export(&mut conn, w.org).await.unwrap();
    drop(conn);
    assert!(rows.iter().all(|r| r.status == "expired"), "{rows:#?}");
    assert!(
        updates(&w.slack)
            .await
            .iter()
            .any(|u| u.to_string().contains("This survey closed"))
    );
    let late = click(
        &w,
        "UAUTHOR",
        "survey_author_some",
        &format!("{author_survey}:some"),
    );
    assert_eq!(slack_interaction(&w.app, &late).await.status(), 200);
    let closed = item(&w, Kind::Author, author_survey).await;
    assert_eq!(
        (closed.ai_answer, closed.status.as_str()),
        (None, "expired")
    );
    let said = eventually(PATIENCE, || async {
        notes(&w.slack)
            .await
            .iter()
            .any(|n| n.contains("answers are no longer taken"))
    })
    .await;
    assert!(said, "{:#?}", notes(&w.slack).await);
    w.app.stop().await;
}

#[tokio::test]
async fn one_reminder_after_a_day_quiet_hours_wait_and_opting_out_stops_dms() {
    let db = TestDb::new().await;
    let w = world(&db).await;
    // Merged on Friday 21:00 London: quiet hours, nothing goes out until Monday 08:00.
    let friday_9pm = WEDNESDAY_10AM + 2 * DAY + 11 * 3_600;
    w.app.state.clock.set(friday_9pm);
    deliver_webhook(
        &w.app,
        "pull_request",
        "d-m1",
        &merged(PR_NODE, 2, friday_9pm - 60),
    )
    .await;
    let (author_survey, _, _) = {
        let planned = eventually(PATIENCE, || async {
            let mut conn = w.app.state.db.pool().acquire().await.unwrap();
            aimpact::store::pull_requests::find_by_github_id(&mut conn, w.org, PR_NODE)
                .await
                .unwrap()
                .is_some_and(|_| true)
        })
        .await;
        assert!(planned);
        let ready = eventually(PATIENCE, || async {
            let mut conn = w.app.state.db.pool().acquire().await.unwrap();
            let pr = aimpact::store::pull_requests::find_by_github_id(&mut conn, w.org, PR_NODE)
                .await
                .unwrap()
                .unwrap()
                .0;
            surveys::find_by_pr(&mut conn, w.org, pr)
                .await
                .unwrap()
                .is_some()
        })
        .await;
        assert!(ready);
        survey_ids(&w).await
    };
    let report = aimpact::surveys::deliver::deliver(&w.app.state, w.org)
        .await
        .unwrap();
    assert_eq!(report.sent, 0, "{report:?}");
    assert!(posts(&w.slack).await.is_empty());
    let waiting = item(&w, Kind::Author, author_survey).await;
    let monday_8am = friday_9pm + 2 * DAY + 11 * 3_600;
    assert_eq!(waiting.send_after, Some(monday_8am));
    // Monday morning.
    w.app.state.clock.set(monday_8am + 60);
    // (The scheduler's tick may deliver too; what counts is what Slack got.)
    aimpact::surveys::deliver::deliver(&w.app.state, w.org)
        .await
        .unwrap();
    assert_eq!(posts(&w.slack).await.len(), 3);
    // Tuesday 09:00: one reminder each, in the thread; never a second.
    w.app.state.clock.set(monday_8am + DAY + 3_600);
    aimpact::surveys::deliver::deliver(&w.app.state, w.org)
        .await
        .unwrap();
    let report = aimpact::surveys::deliver::deliver(&w.app.state, w.org)
        .await
        .unwrap();
    assert_eq!(report.reminded, 0);
    let nudges: Vec<Value> = posts(&w.slack)
        .await
        .into_iter()
        .filter(|p| p.to_string().contains("Quick nudge"))
        .collect();
    assert_eq!(nudges.len(), 3);
    assert!(nudges.iter().all(|p| p["thread_ts"].is_string()));

    // The author opts out from the DM; the next merged PR asks them nothing.
    let stop = click(
        &w,
        "UAUTHOR",
        "survey_opt_out",
        &format!("author:{author_survey}"),
    );
    assert_eq!(slack_interaction(&w.app, &stop).await.status(), 200);
    {
        let mut conn = w.app.state.db.pool().acquire().await.unwrap();
        assert!(
            people::get(&mut conn, w.org, w.author)
                .await
                .unwrap()
                .survey_opt_out
        );
    }
    assert!(
        updates(&w.slack)
            .await
            .iter()
            .any(|u| u.to_string().contains("You won't get survey DMs"))
    );
    let before = posts(&w.slack).await.len();
    let next = "PR_NODE_3";
    deliver_webhook(
        &w.app,
        "pull_request_review",
        "d-r9",
        &review(next, 3, 21, "rita", 501, "User"),
    )
    .await;
    deliver_webhook(
        &w.app,
        "pull_request",
        "d-m3",
        &merged(next, 3, w.app.state.clock.now() - 60),
    )
    .await;
    let processed = eventually(PATIENCE, || async {
        let mut conn = w.app.state.db.pool().acquire().await.unwrap();
        aimpact::store::pull_requests::find_by_github_id(&mut conn, w.org, next)
            .await
            .unwrap()
            .is_some_and(|(_, pr)| pr.merged_at.is_some())
    })
    .await;
    assert!(processed);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        posts(&w.slack).await.len(),
        before,
        "an opted-out author is not asked"
    );
    w.app.stop().await;
}

#[tokio::test]
async fn racing_workers_and_rate_limits_lose_and_double_nobody() {
    let db = TestDb::new().await;
    let slack_world = world(&db).await;
    let w = &slack_world;
    // Slack answers the first posts with 429 and Retry-After: 1.
    Mock::given(path("/api/chat.postMessage"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .set_body_json(json!({"ok": false, "error": "ratelimited"})),
        )
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&w.slack)
        .await;
    // Plan without the webhook's own delivery job: two workers race.
    {
        let mut conn = w.app.state.db.pool().acquire().await.unwrap();
        aimpact::store::pull_requests::find_by_github_id(&mut conn, w.org, PR_NODE)
            .await
            .unwrap()
            .expect("reviewed PR");
        let pr = aimpact::store::pull_requests::find_by_github_id(&mut conn, w.org, PR_NODE)
            .await
            .unwrap()
            .unwrap()
            .0;
        let now = w.app.state.clock.now();
        // Surveys limited to another repository ask nobody about this one.
        let only_other = surveys::Settings {
            enabled: true,
            repositories: vec![i64::MAX],
            ..surveys::Settings::default()
        };
        surveys::save_settings(&mut conn, w.org, &only_other)
            .await
            .unwrap();
        let skipped = aimpact::surveys::plan::on_merged(&mut conn, w.org, pr, now, now)
            .await
            .unwrap();
        assert_eq!(
            skipped,
            aimpact::surveys::plan::Planned::Skipped("repository not surveyed")
        );
        let all = surveys::Settings {
            enabled: true,
            ..surveys::Settings::default()
        };
        surveys::save_settings(&mut conn, w.org, &all)
            .await
            .unwrap();
        let planned = aimpact::surveys::plan::on_merged(&mut conn, w.org, pr, now, now)
            .await
            .unwrap();
        assert_eq!(
            planned,
            aimpact::surveys::plan::Planned::Created {
                reviewers: 2,
                waiting: vec![]
            }
        );
        let again = aimpact::surveys::plan::on_merged(&mut conn, w.org, pr, now, now)
            .await
            .unwrap();
        assert_eq!(again, aimpact::surveys::plan::Planned::Already);
    }
    let state = Arc::new(w.app.state.clone());
    let (a, b) = tokio::join!(
        aimpact::surveys::deliver::deliver(&state, w.org),
        aimpact::surveys::deliver::deliver(&state, w.org)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(a.sent + b.sent <= 3, "{a:?} {b:?}");
    let ok_posts: Vec<Value> = posts(&w.slack).await;
    // 2 refused with 429 and retried, 3 delivered.
    assert_eq!(ok_posts.len(), 5, "{ok_posts:#?}");
    let mut channels: Vec<String> = ok_posts
        .iter()
        .map(|p| p["channel"].as_str().unwrap().to_string())
        .collect();
    channels.sort();
    channels.dedup();
    assert_eq!(channels.len(), 3);
    let mut conn = w.app.state.db.pool().acquire().await.unwrap();
    let rows = surveys::export(&mut conn, w.org).await.unwrap();
    assert!(rows.iter().all(|r| r.status == "sent"), "{rows:#?}");
    drop(conn);
    slack_world.app.stop().await;
}

/// `conversations.history` of the fake: the author's DM holds the survey
/// message an interrupted worker posted (with its metadata); others hold
/// nothing.
struct History {
    author_key: String,
}

impl wiremock::Respond for History {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let channel = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "channel")
            .map(|(_, v)| v.to_string())
            .unwrap_or_default();
        let messages = if channel == "DAUTHOR" {
            json!([
                { "ts": "1700000000.000900", "text": "older" },
                { "ts": "1700000000.000901", "text": "Did AI help?",
                  "metadata": { "event_type": "aimpact_survey", "event_payload": { "survey": self.author_key } } }
            ])
        } else {
            json!([])
        };
        slack_ok(json!({ "messages": messages, "has_more": false }))
    }
}

#[tokio::test]
async fn an_interrupted_send_is_found_in_the_dm_and_never_posted_twice() {
    let db = TestDb::new().await;
    let w = world(&db).await;
    let now = w.app.state.clock.now();
    {
        let mut conn = w.app.state.db.pool().acquire().await.unwrap();
        let pr = aimpact::store::pull_requests::find_by_github_id(&mut conn, w.org, PR_NODE)
            .await
            .unwrap()
            .unwrap()
            .0;
        let planned = aimpact::surveys::plan::on_merged(&mut conn, w.org, pr, now, now)
            .await
            .unwrap();
        assert!(matches!(
            planned,
            aimpact::surveys::plan::Planned::Created { reviewers: 2, .. }
        ));
    }
    let (author, rev1, _) = survey_ids(&w).await;
    // Two workers died mid-send long ago: the author's had posted (the
    // message is in the DM), rita's had not.
    let stale = now - 2 * surveys::CLAIM_STALE_SECS;
    sqlx::query(
        "update survey_delivery set status = 'sending', claimed_at = $1 where kind = 'author' and subject_id = $2",
    )
        .bind(stale)
        .bind(author)
        .execute(w.app.state.db.pool())
        .await
        .unwrap();
    sqlx::query(
        "update survey_delivery set status = 'sending', claimed_at = $1 where kind = 'reviewer' and subject_id = $2",
    )
    .bind(stale)
    .bind(rev1)
    .execute(w.app.state.db.pool())
    .await
    .unwrap();
    Mock::given(path("/api/conversations.open"))
        .respond_with(OpenDm)
        .mount(&w.slack)
        .await;
    Mock::given(path("/api/conversations.history"))
        .respond_with(History {
            author_key: format!("author:{author}"),
        })
        .mount(&w.slack)
        .await;

    aimpact::surveys::deliver::deliver(&w.app.state, w.org)
        .await
        .unwrap();
    let sent = posts(&w.slack).await;
    let to = |user: &str| sent.iter().filter(|p| p["channel"] == user).count();
    assert_eq!(to("UAUTHOR"), 0, "the author's DM was there already");
    assert_eq!(to("UREV1"), 1, "rita's interrupted send went out once");
    assert_eq!(to("UREV2"), 1);
    for p in &sent {
        assert_eq!(p["metadata"]["event_type"], "aimpact_survey", "{p}");
        assert!(
            p["metadata"]["event_payload"]["survey"]
                .as_str()
                .is_some_and(|k| k.starts_with("reviewer:")),
            "{p}"
        );
    }
    let found = item(&w, Kind::Author, author).await;
    assert_eq!(found.status, surveys::SurveyStatus::Sent);
    assert_eq!(found.ts.as_deref(), Some("1700000000.000901"));
    assert_eq!(found.channel.as_deref(), Some("DAUTHOR"));
    // A second pass changes nothing.
    aimpact::surveys::deliver::deliver(&w.app.state, w.org)
        .await
        .unwrap();
    assert_eq!(posts(&w.slack).await.len(), 2);
    w.app.stop().await;
}
