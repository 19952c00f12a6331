//! The AI feedback loop as Slack and GitHub drive it: the "Report AI issue"
//! shortcut on a message linking a PR opens the form with that PR, the
//! submission is stored with the PR's languages (read from GitHub once),
//! the reporter is thanked in a DM, and their thread reply adds to the
//! report. Hostile input changes nothing.

use aimpact::domain::OrgId;
use aimpact::store::feedback;
use aimpact::store::pull_requests::{self, PullRequestRow};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{
    PATIENCE, SlackUsers, TestApp, TestDb, calls, eventually, fake_slack, install_org, mount_dms,
    seed, slack_event, slack_interaction, slack_settings, spawn_app_with,
};

const DAY: i64 = 86_400;
const WEBHOOK_SECRET: &str = "feedback-webhook-secret";

struct World {
    /// Holds the SQLite file until the test ends.
    _db: TestDb,
    app: TestApp,
    slack: MockServer,
    github: MockServer,
    org: OrgId,
    pr: i64,
}

async fn world() -> World {
    let db = TestDb::new().await;
    let slack = fake_slack(Some(SlackUsers {
        admin: false,
        tz: "Europe/Berlin",
    }))
    .await;
    mount_dms(&slack).await;
    let github = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/api/pulls/1/files"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            { "filename": "payments/retry.py", "additions": 10, "deletions": 2 },
            { "filename": "payments/test_retry.py", "additions": 30, "deletions": 0 },
            { "filename": "README.md", "additions": 1, "deletions": 0 }
        ])))
        .mount(&github)
        .await;
    let mut settings = slack_settings(&slack);
    settings.push(("GITHUB_API_URL", github.uri()));
    settings.push(("GITHUB_WEBHOOK_SECRET", WEBHOOK_SECRET.to_string()));
    let pairs: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_app_with(&db, &pairs, true).await;
    let org = install_org(&app, "T1", "UADMIN").await;
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    seed::github_connected(&mut conn, org).await;
    aimpact::store::credentials::put(
        &mut conn,
        &app.state.keys,
        org,
        aimpact::github::connect::TOKEN,
        &secrecy::SecretString::from("ghp_test".to_string()),
        None,
    )
    .await
    .unwrap();
    let dev = seed::person(&mut conn, org, "Dana Dev", "UDEV", Some("dana")).await;
    let repo = seed::repo(&mut conn, org).await;
    let now = aimpact::store::unix_now();
    let row = PullRequestRow {
        number: 1,
        title: "Retry payments <!channel>".into(),
        ..seed::merged_pr(repo, 1, dev, "dana", now - DAY, 3_600)
    };
    let pr = pull_requests::upsert(&mut conn, org, &row).await.unwrap().0;
    drop(conn);
    World {
        _db: db,
        app,
        slack,
        github,
        org,
        pr,
    }
}

fn shortcut(user: &str, text: &str) -> Value {
    json!({
        "type": "message_action", "callback_id": "report_ai_issue", "team": {"id": "T1"},
        "user": {"id": user}, "trigger_id": "trig-1", "channel": {"id": "C1"},
        "message": {"type": "message", "text": text, "ts": "1700000000.000100"}
    })
}

fn submission(user: &str, pr: Option<&str>, text: &str, metadata: &str) -> Value {
    let mut values = json!({
        "feedback_category": {"feedback_category_value": {"type": "static_select",
            "selected_option": {"text": {"type": "plain_text", "text": "Missing or wrong tests"}, "value": "tests"}}},
        "feedback_tool": {"feedback_tool_value": {"type": "static_select",
            "selected_option": {"text": {"type": "plain_text", "text": "Cursor"}, "value": "Cursor"}}},
        "feedback_pr": {"feedback_pr_value": {"type": "external_select", "selected_option": null}},
        "feedback_text": {"feedback_text_value": {"type": "plain_text_input", "value": text}}
    });
    if let Some(pr) = pr {
        values["feedback_pr"]["feedback_pr_value"]["selected_option"] =
            json!({"text": {"type": "plain_text", "text": "a PR"}, "value": pr});
    }
    json!({
        "type": "view_submission", "team": {"id": "T1"}, "user": {"id": user},
        "view": {"id": "V9", "callback_id": "report_ai_issue", "private_metadata": metadata,
            "state": {"values": values}}
    })
}

async fn reports(w: &World) -> Vec<feedback::Report> {
    let mut conn = w.app.state.db.pool().acquire().await.unwrap();
    feedback::since(&mut conn, w.org, 0).await.unwrap()
}

async fn body_of(resp: reqwest::Response) -> String {
    resp.text().await.unwrap_or_default()
}

#[tokio::test]
async fn a_report_from_a_message_linking_a_pr_is_stored_with_languages_thanked_and_added_to() {
    let w = world().await;

    // The shortcut on a message that links the PR: the form opens with it.
    let resp = slack_interaction(
        &w.app,
        &shortcut(
            "UDEV",
            "Copilot's retry here is wrong <https://github.com/acme/api/pull/1|acme/api#1>",
        ),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let opened = calls(&w.slack, "views.open").await;
    assert_eq!(opened.len(), 1);
    let view: Value = serde_json::from_slice(&opened[0].body).unwrap();
    let modal = view["view"].to_string();
    assert!(
        modal.contains(r#""callback_id":"report_ai_issue""#),
        "{modal}"
    );
    assert!(
        modal.contains(&format!(r#""value":"{}""#, w.pr)),
        "the linked PR is prefilled: {modal}"
    );
    let metadata = view["view"]["private_metadata"]
        .as_str()
        .unwrap()
        .to_string();

    // Submitted: stored at once with the PR and its repository.
    let resp = slack_interaction(
        &w.app,
        &submission(
            "UDEV",
            Some(&w.pr.to_string()),
            "It wrote tests that never call the retry path",
            &metadata,
        ),
    )
    .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(body_of(resp).await, "", "the modal closes");
    let stored = reports(&w).await;
    assert_eq!(stored.len(), 1);
    let r = &stored[0];
    assert_eq!(r.category, "tests");
    assert_eq!(r.tool.as_deref(), Some("Cursor"));
    assert_eq!(r.pull_request.map(|p| p.0), Some(w.pr));
    assert_eq!(r.repository_name.as_deref(), Some("acme/api"));
    assert_eq!(r.source, "shortcut");
    assert!(r.reporter.is_some());

    // The languages arrive from GitHub once; the reporter is thanked.
    assert!(
        eventually(PATIENCE, || async {
            reports(&w).await[0].languages.as_deref() == Some(&["Python".to_string()][..])
        })
        .await,
        "{:?}",
        reports(&w).await
    );
    assert!(
        eventually(PATIENCE, || async {
            reports(&w).await[0].confirmation.is_some()
        })
        .await
    );
    let thanks = calls(&w.slack, "chat.postMessage").await;
    assert_eq!(thanks.len(), 1);
    let posted: Value = serde_json::from_slice(&thanks[0].body).unwrap();
    assert_eq!(posted["channel"], "UDEV");
    let text = posted.to_string();
    assert!(text.contains("Missing or wrong tests"), "{text}");
    assert!(
        !text.contains("<!channel>"),
        "a PR title never pings: {text}"
    );
    let files = w
        .github
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path().ends_with("/files"))
        .count();
    assert_eq!(files, 1, "the PR's files are read once");

    // A reply in the thank-you's thread adds to the report; someone else's
    // reply, a bot's, or the same reply again does not.
    let (channel, ts) = reports(&w).await[0].confirmation.clone().unwrap();
    let reply = |id: &str, user: &str, text: &str, reply_ts: &str| {
        json!({"type": "message", "channel": channel, "channel_type": "im", "user": user,
            "text": text, "ts": reply_ts, "thread_ts": ts, "event_ts": reply_ts, "id": id})
    };
    for (event, user, text, reply_ts) in [
        (
            "Ev1",
            "UDEV",
            "Also: it mocked the clock wrongly",
            "1700000100.000001",
        ),
        (
            "Ev2",
            "UDEV",
            "Also: it mocked the clock wrongly",
            "1700000100.000001",
        ),
        ("Ev3", "UOTHER", "me too", "1700000100.000002"),
    ] {
        let resp = slack_event(&w.app, "T1", event, reply(event, user, text, reply_ts)).await;
        assert_eq!(resp.status(), 200);
    }
    assert!(
        eventually(PATIENCE, || async { reports(&w).await[0].notes.len() == 1 }).await,
        "{:?}",
        reports(&w).await[0].notes
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        reports(&w).await[0].notes,
        ["Also: it mocked the clock wrongly"]
    );
    w.app.stop().await;

    // `aimpact export feedback`: the report, its languages and its details.
    let export = |format: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_aimpact"))
            .args(["export", "feedback", "--format", format])
            .env_clear()
            .env("DATABASE_URL", w._db.url.expose())
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
    assert_eq!(rows.len(), 1, "{rows:#?}");
    assert_eq!(rows[0]["category"], "tests");
    assert_eq!(rows[0]["repository"], "acme/api");
    assert_eq!(rows[0]["languages"], "Python");
    assert_eq!(rows[0]["details"], "Also: it mocked the clock wrongly");
    let csv = export("csv");
    assert!(csv.status.success());
    assert!(
        String::from_utf8_lossy(&csv.stdout)
            .starts_with("id,reported_at,reporter_slack_user,category"),
        "{}",
        String::from_utf8_lossy(&csv.stdout)
    );
}

#[tokio::test]
async fn hostile_reports_are_refused_and_change_nothing() {
    let w = world().await;
    // Another workspace's PR.
    let other = {
        let mut conn = w.app.state.db.pool().acquire().await.unwrap();
        let org2 = aimpact::store::orgs::upsert_installation(&mut conn, "T2", "Other", None)
            .await
            .unwrap()
            .id;
        let p = seed::person(&mut conn, org2, "Olga", "UOLGA", Some("olga")).await;
        let repo = seed::repo(&mut conn, org2).await;
        pull_requests::upsert(
            &mut conn,
            org2,
            &seed::merged_pr(repo, 5, p, "olga", aimpact::store::unix_now(), 600),
        )
        .await
        .unwrap()
        .0
    };
    let refused = [
        (
            submission(
                "UDEV",
                Some(&other.to_string()),
                "text",
                r#"{"source":"shortcut"}"#,
            ),
            "not in this workspace",
        ),
        (
            submission("UDEV", Some("not-a-number"), "text", "{}"),
            "Choose a pull request",
        ),
        (
            submission("UDEV", None, &"x".repeat(10_000), "{}"),
            "under 3000 characters",
        ),
        (submission("UDEV", None, "   ", "{}"), "what happened"),
    ];
    for (payload, why) in refused {
        let resp = slack_interaction(&w.app, &payload).await;
        assert_eq!(resp.status(), 200);
        let body = body_of(resp).await;
        assert!(body.contains("\"errors\""), "{body}");
        assert!(body.contains(why), "{why}: {body}");
    }
    assert!(reports(&w).await.is_empty());

    // A forged private_metadata is only a label; mentions in the text are
    // stored as typed and never reach Slack from here.
    let resp = slack_interaction(
        &w.app,
        &submission(
            "UDEV",
            None,
            "<!here> it invented `pay.retry()` <@UADMIN>",
            r#"{"source":"<script>","pr":999999}"#,
        ),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let stored = reports(&w).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].source, "shortcut");
    assert_eq!(stored[0].pull_request, None);
    assert!(
        eventually(PATIENCE, || async {
            !calls(&w.slack, "chat.postMessage").await.is_empty()
        })
        .await
    );
    for call in calls(&w.slack, "chat.postMessage").await {
        let text = String::from_utf8_lossy(&call.body).to_string();
        assert!(
            !text.contains("<!here>") && !text.contains("<@UADMIN>"),
            "{text}"
        );
    }

    // The PR search lists this workspace's PRs only.
    let search = json!({
        "type": "block_suggestion", "team": {"id": "T1"}, "user": {"id": "UDEV"},
        "action_id": "feedback_pr_value", "block_id": "feedback_pr", "value": "",
        "view": {"id": "V9", "callback_id": "report_ai_issue"}
    });
    let body: Value = slack_interaction(&w.app, &search)
        .await
        .json()
        .await
        .unwrap();
    let values: Vec<&str> = body["options"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["value"].as_str())
        .collect();
    assert_eq!(values, [w.pr.to_string()]);
    w.app.stop().await;
}

async fn ask_metrics(app: &TestApp, user: &str, text: &str) -> Value {
    let r = crate::helpers::slack_form(
        app,
        "/slack/commands",
        &[
            ("command", "/metrics"),
            ("text", text),
            ("team_id", "T1"),
            ("user_id", user),
            ("channel_id", "C1"),
            ("response_url", "http://127.0.0.1:9/never"),
            ("trigger_id", "1.2.3"),
        ],
    )
    .await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

#[tokio::test]
async fn metrics_feedback_groups_reports_finds_the_recurring_problem_and_keeps_words_to_who_may_read_them()
 {
    let w = world().await;
    // Nothing reported yet: the empty state says how to report.
    let empty = ask_metrics(&w.app, "UDEV", "feedback").await.to_string();
    assert!(empty.contains("No AI issues reported"), "{empty}");

    let (dana, olga) = {
        let mut conn = w.app.state.db.pool().acquire().await.unwrap();
        aimpact::store::roles::set(
            &mut conn,
            w.org,
            "UADMIN",
            aimpact::domain::Role::Admin,
            None,
        )
        .await
        .unwrap();
        let olga = seed::person(&mut conn, w.org, "Olga Other", "UOLGA", Some("olga")).await;
        let dana = aimpact::store::people::find_by_identity(
            &mut conn,
            w.org,
            aimpact::domain::Provider::Slack,
            "UDEV",
        )
        .await
        .unwrap()
        .unwrap()
        .id;
        (dana, olga)
    };
    let texts = [
        (dana, "Generated tests never exercise the retry path"),
        (olga, "The tests it wrote skip the retry path entirely"),
        (olga, "No tests for the retry logic were generated"),
        (dana, "It invented payments.refund_all which does not exist"),
    ];
    for (who, text) in texts {
        let mut conn = w.app.state.db.pool().acquire().await.unwrap();
        feedback::create(
            &mut conn,
            w.org,
            &feedback::NewReport {
                reporter_slack_user_id: if who == dana { "UDEV" } else { "UOLGA" }.into(),
                reporter: Some(who),
                category: if text.contains("invented") {
                    "invented_api"
                } else {
                    "tests"
                }
                .into(),
                tool: Some("Cursor".into()),
                pull_request: Some(aimpact::domain::PullRequestId(w.pr)),
                description: text.into(),
                source: "shortcut".into(),
                at: None,
            },
        )
        .await
        .unwrap();
    }

    // The admin: counts, the recurring problem with quotes, names.
    let admin = ask_metrics(&w.app, "UADMIN", "feedback").await;
    let blocks: Vec<blocks::Block> = serde_json::from_value(admin["blocks"].clone()).unwrap();
    blocks::validate(&blocks, blocks::SurfaceKind::Message).unwrap();
    let text = admin.to_string();
    assert!(text.contains("4 · Missing or wrong tests 3"), "{text}");
    assert!(
        text.contains("Missing or wrong tests* · 3 reports in acme/api"),
        "{text}"
    );
    assert!(text.contains("skip the retry path"), "{text}");
    assert!(text.contains("Olga Other"), "{text}");

    // A developer: the same counts and problem, only their own words.
    let dev = ask_metrics(&w.app, "UDEV", "feedback").await.to_string();
    assert!(dev.contains("Missing or wrong tests* · 3 reports"), "{dev}");
    assert!(dev.contains("Your reports"), "{dev}");
    assert!(dev.contains("refund_all"), "their own report: {dev}");
    assert!(!dev.contains("skip the retry path"), "Olga's words: {dev}");
    assert!(!dev.contains("Olga"), "no names for developers: {dev}");
    w.app.stop().await;
}

#[tokio::test]
async fn five_reports_of_one_pattern_give_one_suggested_rule_and_the_admins_hear_once() {
    let w = world().await;
    // Four reports about missing tests in acme/api (Python) already.
    for i in 0..4 {
        let mut conn = w.app.state.db.pool().acquire().await.unwrap();
        let id = feedback::create(
            &mut conn,
            w.org,
            &feedback::NewReport {
                reporter_slack_user_id: "UDEV".into(),
                category: "tests".into(),
                pull_request: Some(aimpact::domain::PullRequestId(w.pr)),
                description: format!("missing tests {i}"),
                source: "shortcut".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        feedback::set_languages(&mut conn, w.org, id, &["Python".to_string()])
            .await
            .unwrap();
    }
    let suggested = || async {
        let mut conn = w.app.state.db.pool().acquire().await.unwrap();
        feedback::suggestions(&mut conn, w.org).await.unwrap()
    };
    // The fifth, through Slack: a suggestion, and one DM to the admin.
    let resp = slack_interaction(
        &w.app,
        &submission(
            "UDEV",
            Some(&w.pr.to_string()),
            "Again no tests for the new branch",
            r#"{"source":"home"}"#,
        ),
    )
    .await;
    assert_eq!(resp.status(), 200);
    assert!(eventually(PATIENCE, || async { suggested().await.len() == 1 }).await);
    let s = &suggested().await[0];
    assert_eq!(
        s.evidence,
        "Based on 5 reports about missing or wrong tests in acme/api, Python."
    );
    assert!(s.rule.contains("tests that exercise it"), "{}", s.rule);
    let told = || async {
        calls(&w.slack, "chat.postMessage")
            .await
            .into_iter()
            .filter(|c| {
                let body: Value = serde_json::from_slice(&c.body).unwrap_or_default();
                body["channel"] == "UADMIN" && body.to_string().contains("suggested rule")
            })
            .count()
    };
    assert!(eventually(PATIENCE, || async { told().await == 1 }).await);

    // A sixth report: the count follows, nobody is told again.
    let resp = slack_interaction(
        &w.app,
        &submission(
            "UDEV",
            Some(&w.pr.to_string()),
            "Still no tests",
            r#"{"source":"home"}"#,
        ),
    )
    .await;
    assert_eq!(resp.status(), 200);
    assert!(
        eventually(PATIENCE, || async {
            suggested().await.first().map(|s| s.report_count) == Some(6)
        })
        .await
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(told().await, 1);
    assert_eq!(suggested().await.len(), 1);

    // /metrics feedback shows it with its evidence; only admins can ship it.
    let shown = ask_metrics(&w.app, "UDEV", "feedback").await.to_string();
    assert!(shown.contains("Suggested rules"), "{shown}");
    assert!(
        shown.contains("Based on 6 reports about missing or wrong tests"),
        "{shown}"
    );
    assert!(!shown.contains("feedback_ship"), "{shown}");
    {
        let mut conn = w.app.state.db.pool().acquire().await.unwrap();
        aimpact::store::roles::set(
            &mut conn,
            w.org,
            "UADMIN",
            aimpact::domain::Role::Admin,
            None,
        )
        .await
        .unwrap();
    }
    let admin_view = ask_metrics(&w.app, "UADMIN", "feedback").await.to_string();
    assert!(admin_view.contains("feedback_ship"), "{admin_view}");

    // The admin ships it: the modal, then the pull request on the fake
    // GitHub, then a DM with its link.
    let id = suggested().await[0].id;
    for (m, p, body) in [
        (
            "GET",
            "/repos/acme/api",
            json!({"default_branch": "main", "permissions": {"push": true}}),
        ),
        (
            "GET",
            "/repos/acme/api/git/ref/heads/main",
            json!({"object": {"sha": "base"}}),
        ),
        ("POST", "/repos/acme/api/git/refs", json!({})),
        (
            "POST",
            "/repos/acme/api/pulls",
            json!({"number": 12, "html_url": "https://github.com/acme/api/pull/12"}),
        ),
    ] {
        Mock::given(method(m))
            .and(path(p))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(&w.github)
            .await;
    }
    Mock::given(method("PUT"))
        .and(wiremock::matchers::path_regex(
            "^/repos/acme/api/contents/.+",
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({})))
        .mount(&w.github)
        .await;
    let click = |user: &str| {
        json!({
            "type": "block_actions", "team": {"id": "T1"}, "user": {"id": user}, "trigger_id": "trig-9",
            "actions": [{"action_id": "feedback_ship", "block_id": "b", "value": id.to_string(), "type": "button"}]
        })
    };
    let opened_before = calls(&w.slack, "views.open").await.len();
    slack_interaction(&w.app, &click("UDEV")).await;
    assert_eq!(
        calls(&w.slack, "views.open").await.len(),
        opened_before,
        "developers cannot ship"
    );
    slack_interaction(&w.app, &click("UADMIN")).await;
    let opened = calls(&w.slack, "views.open").await;
    assert_eq!(opened.len(), opened_before + 1);
    let modal: Value = serde_json::from_slice(&opened.last().unwrap().body).unwrap();
    assert_eq!(modal["view"]["callback_id"], "feedback_ship");
    let repo_id = modal["view"]["blocks"][1]["element"]["initial_option"]["value"]
        .as_str()
        .unwrap()
        .to_string();
    let submit = |metadata: &str| {
        json!({
            "type": "view_submission", "team": {"id": "T1"}, "user": {"id": "UADMIN"},
            "view": {"id": "V7", "callback_id": "feedback_ship", "private_metadata": metadata,
                "state": {"values": {"feedback_ship_repo": {"feedback_ship_repo_value": {
                    "type": "static_select", "selected_option": {"text": {"type": "plain_text", "text": "acme/api"}, "value": repo_id}}}}}}
        })
    };
    // A forged suggestion id is refused.
    let forged = slack_interaction(&w.app, &submit("999999"))
        .await
        .text()
        .await
        .unwrap();
    assert!(forged.contains("not in this workspace"), "{forged}");
    let ok = slack_interaction(&w.app, &submit(&id.to_string())).await;
    assert_eq!(ok.status(), 200);
    assert!(
        eventually(PATIENCE, || async {
            suggested().await[0].pull_request_url.as_deref()
                == Some("https://github.com/acme/api/pull/12")
        })
        .await
    );
    assert!(
        eventually(PATIENCE, || async {
            calls(&w.slack, "chat.postMessage").await.iter().any(|c| {
                let body: Value = serde_json::from_slice(&c.body).unwrap_or_default();
                body["channel"] == "UADMIN" && body.to_string().contains("pull/12")
            })
        })
        .await
    );
    let puts = w
        .github
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "PUT")
        .count();
    assert_eq!(puts, 5, "every agent file committed once");
    let after = ask_metrics(&w.app, "UADMIN", "feedback").await.to_string();
    assert!(after.contains("Shipped in"), "{after}");

    // GitHub says the pull request merged: the rule is adopted.
    let mut merged: Value = serde_json::from_slice(
        &std::fs::read(format!(
            "{}/tests/fixtures/github/pull_request.closed.merged.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap(),
    )
    .unwrap();
    for (pointer, value) in [
        ("/repository/full_name", json!("acme/api")),
        ("/repository/name", json!("api")),
        ("/repository/owner/login", json!("acme")),
        ("/pull_request/base/repo/full_name", json!("acme/api")),
        ("/pull_request/base/repo/name", json!("api")),
        ("/pull_request/base/repo/owner/login", json!("acme")),
        ("/pull_request/number", json!(12)),
        ("/number", json!(12)),
        ("/pull_request/head/ref", json!("aimpact/rules-1-2")),
        ("/pull_request/node_id", json!("PR_rules_12")),
    ] {
        if let Some(slot) = merged.pointer_mut(pointer) {
            *slot = value;
        }
    }
    if let Some(map) = merged.as_object_mut() {
        map.remove("installation");
    }
    let body = serde_json::to_vec(&merged).unwrap();
    let delivered = w
        .app
        .http
        .post(w.app.url("/github/webhook"))
        .header("x-github-event", "pull_request")
        .header("x-github-delivery", "d-rules-12")
        .header(
            "x-hub-signature-256",
            aimpact::github::webhook::sign(WEBHOOK_SECRET, &body),
        )
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert!(delivered.status().is_success(), "{}", delivered.status());
    assert!(
        eventually(PATIENCE, || async {
            suggested().await[0].status == "adopted"
        })
        .await,
        "{:?}",
        suggested().await
    );
    let adopted = ask_metrics(&w.app, "UADMIN", "feedback").await.to_string();
    assert!(adopted.contains("Adopted"), "{adopted}");
    assert!(adopted.contains("Effect: not enough data yet"), "{adopted}");
    w.app.stop().await;
}

#[tokio::test]
async fn suggested_rules_ship_as_a_pull_request_with_exactly_the_generated_files() {
    use aimpact::feedback::files::{self, Rule};
    use aimpact::feedback::ship::{self, ShipError, Shipped};
    use base64::Engine;
    use wiremock::matchers::path_regex;

    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let unb64 = |s: &str| {
        String::from_utf8(base64::engine::general_purpose::STANDARD.decode(s).unwrap()).unwrap()
    };
    let rules = vec![Rule {
        text: "Every behaviour change comes with tests that exercise it.".into(),
        evidence: "Based on 5 reports about missing or wrong tests in acme/api, Python.".into(),
    }];
    let ours = "# Ours\n\nUse tabs.\n";
    let github = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/api"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"full_name": "acme/api", "default_branch": "main", "permissions": {"push": true}}),
        ))
        .mount(&github)
        .await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/api/contents/AGENTS.md"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"type": "file", "sha": "s1", "encoding": "base64", "content": b64(ours)}),
        ))
        .mount(&github)
        .await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/api/git/ref/heads/main"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"object": {"sha": "base-sha"}})),
        )
        .mount(&github)
        .await;
    Mock::given(method("POST"))
        .and(path("/repos/acme/api/git/refs"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({})))
        .mount(&github)
        .await;
    Mock::given(method("PUT"))
        .and(path_regex("^/repos/acme/api/contents/.+"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({})))
        .mount(&github)
        .await;
    Mock::given(method("POST"))
        .and(path("/repos/acme/api/pulls"))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(
                json!({"number": 9, "html_url": "https://github.com/acme/api/pull/9"}),
            ),
        )
        .mount(&github)
        .await;
    let api: url::Url = github.uri().parse().unwrap();
    let client = aimpact::github::client::GithubClient::with_token(
        &api,
        &secrecy::SecretString::from("ghp_test".to_string()),
    )
    .unwrap();

    // The preview shows the five files, AGENTS.md against its current text.
    let preview = ship::preview(&client, "acme/api", &rules).await.unwrap();
    assert_eq!(preview.len(), files::PATHS.len());
    assert_eq!(preview[0].1.as_deref(), Some(ours));

    let shipped = match ship::open_pull_request(&client, "acme/api", &rules, "1-1700000000").await {
        Ok(s) => s,
        Err(e) => {
            let seen: Vec<String> = github
                .received_requests()
                .await
                .unwrap()
                .iter()
                .map(|r| format!("{} {}", r.method, r.url))
                .collect();
            panic!("{e}: {seen:#?}");
        }
    };
    let Shipped::Opened {
        url,
        number,
        files: committed,
    } = shipped
    else {
        panic!("expected a pull request: {shipped:?}");
    };
    assert_eq!(
        (url.as_str(), number),
        ("https://github.com/acme/api/pull/9", 9)
    );
    assert_eq!(committed, files::PATHS);

    let requests = github.received_requests().await.unwrap();
    let branch: Value = requests
        .iter()
        .find(|r| r.url.path() == "/repos/acme/api/git/refs")
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .unwrap();
    assert_eq!(branch["ref"], "refs/heads/aimpact/rules-1-1700000000");
    assert_eq!(branch["sha"], "base-sha");
    let puts: Vec<(String, Value)> = requests
        .iter()
        .filter(|r| r.method.as_str() == "PUT")
        .map(|r| {
            (
                r.url
                    .path()
                    .trim_start_matches("/repos/acme/api/contents/")
                    .to_string(),
                serde_json::from_slice(&r.body).unwrap(),
            )
        })
        .collect();
    assert_eq!(
        puts.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(),
        files::PATHS
    );
    // Exactly the generated files: what was committed is what the renderer
    // makes from the repository's current text.
    let current = |p: &str| (p == files::AGENTS_MD).then(|| ours.to_string());
    for ((path, body), (expected_path, expected)) in puts.iter().zip(files::render(current, &rules))
    {
        assert_eq!(path, &expected_path);
        assert_eq!(unb64(body["content"].as_str().unwrap()), expected, "{path}");
        assert_eq!(body["branch"], "aimpact/rules-1-1700000000");
    }
    assert_eq!(
        puts[0].1["sha"], "s1",
        "AGENTS.md is updated, not replaced blindly"
    );
    assert!(unb64(puts[0].1["content"].as_str().unwrap()).starts_with(ours));
    let pr: Value = requests
        .iter()
        .find(|r| r.url.path() == "/repos/acme/api/pulls")
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .unwrap();
    assert_eq!(
        (pr["head"].as_str(), pr["base"].as_str()),
        (Some("aimpact/rules-1-1700000000"), Some("main"))
    );
    assert!(pr["body"].as_str().unwrap().contains("Based on 5 reports"));

    // A connection that may only read is told so, and nothing is written.
    let read_only = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/api"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"default_branch": "main", "permissions": {"push": false}})),
        )
        .mount(&read_only)
        .await;
    let client = aimpact::github::client::GithubClient::with_token(
        &read_only.uri().parse().unwrap(),
        &secrecy::SecretString::from("ghp_test".to_string()),
    )
    .unwrap();
    let refused = ship::open_pull_request(&client, "acme/api", &rules, "2")
        .await
        .unwrap_err();
    assert!(matches!(refused, ShipError::NoWriteAccess(_)), "{refused}");
    assert!(
        refused
            .to_string()
            .contains("contents and pull requests write")
    );
    assert!(
        read_only
            .received_requests()
            .await
            .unwrap()
            .iter()
            .all(|r| r.method.as_str() == "GET")
    );
}
