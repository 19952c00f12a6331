//! The weekly leaderboard end to end with a controllable clock: settings
//! saved through the real modal submission, the scheduler's tick, the
//! `leaderboard.post` job on the real workers, posts at a fake Slack.
//! Two time zones across both 2026 daylight-saving changes, never twice,
//! one catch-up after downtime; channels that are gone pause only their
//! own org; opted-out people are never named.

use std::sync::atomic::{AtomicU64, Ordering};

use aimpact::domain::OrgId;
use aimpact::store::leaderboard::{self as store, POSTED};
use aimpact::store::people;
use aimpact::store::pull_requests::{self, PullRequestRow};
use aimpact::store::surveys::{self, AiAnswer, SurveyRow};
use aimpact::store::teams;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::helpers::*;

const DAY: i64 = 86_400;
const HOUR: i64 = 3_600;

fn at(s: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp()
}

/// `chat.postMessage`: channels named in `GONE` answer as Slack does for
/// a removed app, an archived and a deleted channel.
struct PostMessage {
    next_ts: AtomicU64,
}

const GONE: [(&str, &str); 3] = [
    ("CREMOVED", "not_in_channel"),
    ("CARCHIVED", "is_archived"),
    ("CDELETED", "channel_not_found"),
];

impl wiremock::Respond for PostMessage {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
        let channel = body["channel"].as_str().unwrap_or("X").to_string();
        if let Some((_, code)) = GONE.iter().find(|(c, _)| *c == channel) {
            return ResponseTemplate::new(200).set_body_json(json!({"ok": false, "error": code}));
        }
        let ts = self.next_ts.fetch_add(1, Ordering::SeqCst);
        slack_ok(json!({ "channel": channel, "ts": format!("1700000000.{ts:06}") }))
    }
}

/// `conversations.join`: public channels join; `CPRIVATE` is private and
/// `CWASARCHIVED` archived already.
struct Join;

impl wiremock::Respond for Join {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
        let channel = body["channel"].as_str().unwrap_or_default().to_string();
        let error = match channel.as_str() {
            "CPRIVATE" => Some("method_not_supported_for_channel_type"),
            "CWASARCHIVED" => Some("is_archived"),
            _ => None,
        };
        match error {
            Some(e) => ResponseTemplate::new(200).set_body_json(json!({"ok": false, "error": e})),
            None => slack_ok(json!({"channel": {"id": channel, "name": channel.to_lowercase()}})),
        }
    }
}

async fn world() -> (TestDb, TestApp, MockServer) {
    let db = TestDb::new().await;
    // Installers are workspace admins; their Slack time zone is New York.
    let slack = fake_slack(Some(SlackUsers {
        admin: true,
        tz: "America/New_York",
    }))
    .await;
    Mock::given(method("POST"))
        .and(path("/api/chat.postMessage"))
        .respond_with(PostMessage {
            next_ts: AtomicU64::new(1),
        })
        .mount(&slack)
        .await;
    Mock::given(path("/api/conversations.join"))
        .respond_with(Join)
        .mount(&slack)
        .await;
    let mut settings = slack_settings(&slack);
    settings.push((
        "AIMPACT_PUBLIC_URL",
        "https://aimpact.example.com".to_string(),
    ));
    let pairs: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    // The tests are the scheduler: no background tick races theirs.
    let app = spawn_app_scheduled(&db, &pairs, true, false).await;
    (db, app, slack)
}

/// The settings modal as Slack submits it.
fn submission(team: &str, user: &str, channel: &str, day: u32, time: &str, zone: &str) -> Value {
    json!({
        "type": "view_submission", "team": {"id": team}, "user": {"id": user},
        "view": {"id": "V1", "callback_id": "leaderboard_settings", "state": {"values": {
            "leaderboard_enabled": {"leaderboard_enabled_value": {"type": "radio_buttons", "selected_option": {"value": "on"}}},
            "leaderboard_channel": {"leaderboard_channel_value": {"type": "conversations_select", "selected_conversation": channel}},
            "leaderboard_day": {"leaderboard_day_value": {"type": "static_select", "selected_option": {"value": day.to_string()}}},
            "leaderboard_time": {"leaderboard_time_value": {"type": "timepicker", "selected_time": time}},
            "leaderboard_zone": {"leaderboard_zone_value": {"type": "external_select", "selected_option": {"value": zone}}},
            "leaderboard_categories": {"leaderboard_categories_value": {"type": "checkboxes", "selected_options": [
                {"value": "detectives"}, {"value": "reviews"}, {"value": "pickup"}, {"value": "improved"}, {"value": "adoption"}
            ]}}
        }}}
    })
}

/// Saves the settings through the modal and waits for the App Home refresh
/// the save starts, so later Home checks see only their own publish.
async fn configure(
    app: &TestApp,
    slack: &MockServer,
    team: &str,
    channel: &str,
    day: u32,
    time: &str,
    zone: &str,
) {
    let before = calls(slack, "views.publish").await.len();
    let r = slack_interaction(app, &submission(team, "UADMIN", channel, day, time, zone)).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "", "the modal closes");
    assert!(
        eventually(PATIENCE, || async {
            calls(slack, "views.publish").await.len() > before
        })
        .await,
        "App Home refreshed after saving"
    );
}

async fn tick(app: &TestApp, now: i64) -> usize {
    app.state.clock.set(now);
    aimpact::app::tick(&app.state.db, &app.state.jobs, now)
        .await
        .unwrap()
}

async fn posts_to(slack: &MockServer, channel: &str) -> Vec<Value> {
    calls(slack, "chat.postMessage")
        .await
        .into_iter()
        .map(|r| serde_json::from_slice::<Value>(&r.body).unwrap())
        .filter(|b| b["channel"] == channel)
        .collect()
}

async fn rows(app: &TestApp, org: OrgId) -> Vec<store::Post> {
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    store::posts(&mut conn, org).await.unwrap()
}

/// Waits until the org has `n` week rows, none of them in flight.
async fn settled(app: &TestApp, org: OrgId, n: usize) -> Vec<store::Post> {
    let done = eventually(PATIENCE, || async {
        let rows = rows(app, org).await;
        rows.len() == n
            && rows
                .iter()
                .all(|r| !matches!(r.status.as_str(), "queued" | "building" | "sending"))
    })
    .await;
    let rows = rows(app, org).await;
    assert!(done, "{rows:?}");
    rows
}

#[tokio::test]
async fn posts_at_local_time_in_two_zones_across_dst_never_twice_and_catches_up_once() {
    let (_db, app, slack) = world().await;
    let berlin = install_org(&app, "T1", "UADMIN").await;
    let new_york = install_org(&app, "T2", "UADMIN").await;

    // Saved on Monday 2026-10-12 at 14:00 UTC, after both orgs' slot that
    // day: switching on late does not post at once.
    app.state.clock.set(at("2026-10-12T14:00:00Z"));
    configure(&app, &slack, "T1", "CBERLIN", 1, "10:00", "Europe/Berlin").await;
    configure(
        &app,
        &slack,
        "T2",
        "CNEWYORK",
        1,
        "09:00",
        "America/New_York",
    )
    .await;
    assert_eq!(tick(&app, at("2026-10-12T14:00:00Z")).await, 0);
    assert_eq!(tick(&app, at("2026-10-12T20:00:00Z")).await, 0);
    {
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        let org = aimpact::store::orgs::get(&mut conn, berlin).await.unwrap();
        assert_eq!(org.time_zone, "Europe/Berlin", "the org's zone follows");
    }

    // Week 1, both on summer time: Berlin 10:00 CEST = 08:00 UTC,
    // New York 09:00 EDT = 13:00 UTC.
    assert_eq!(tick(&app, at("2026-10-19T07:59:00Z")).await, 0);
    assert_eq!(tick(&app, at("2026-10-19T08:00:00Z")).await, 1);
    settled(&app, berlin, 1).await;
    // More ticks, and two schedulers at once: nothing more.
    assert_eq!(tick(&app, at("2026-10-19T08:01:00Z")).await, 0);
    let now = at("2026-10-19T08:07:00Z");
    app.state.clock.set(now);
    let (a, b) = tokio::join!(
        aimpact::app::tick(&app.state.db, &app.state.jobs, now),
        aimpact::app::tick(&app.state.db, &app.state.jobs, now)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 0);
    assert_eq!(tick(&app, at("2026-10-19T12:59:00Z")).await, 0);
    assert_eq!(tick(&app, at("2026-10-19T13:00:00Z")).await, 1);
    settled(&app, new_york, 1).await;
    // The same job delivered again (a retry, another worker) posts nothing.
    let week1 = rows(&app, berlin).await[0].week;
    let again = aimpact::leaderboard::post::post(&app.state, berlin, week1)
        .await
        .unwrap();
    assert_eq!(again, aimpact::leaderboard::post::Outcome::Taken);

    // Week 2: Berlin changed on Oct 25 (10:00 CET = 09:00 UTC); New York
    // has not yet (still 13:00 UTC).
    assert_eq!(tick(&app, at("2026-10-26T08:00:00Z")).await, 0);
    assert_eq!(tick(&app, at("2026-10-26T09:00:00Z")).await, 1);
    settled(&app, berlin, 2).await;
    assert_eq!(tick(&app, at("2026-10-26T13:00:00Z")).await, 1);
    settled(&app, new_york, 2).await;

    // Week 3: New York changed on Nov 1 (09:00 EST = 14:00 UTC). Berlin's
    // app was down at its 09:00 UTC slot and comes back at 13:00 UTC, the
    // same local day: one catch-up post. New York is not due at 13:00.
    assert_eq!(tick(&app, at("2026-11-02T13:00:00Z")).await, 1);
    settled(&app, berlin, 3).await;
    assert_eq!(rows(&app, new_york).await.len(), 2);
    assert_eq!(tick(&app, at("2026-11-02T14:00:00Z")).await, 1);
    settled(&app, new_york, 3).await;
    assert_eq!(tick(&app, at("2026-11-02T16:00:00Z")).await, 0);

    // Week 4: down all Monday in both zones; on Tuesday the week is skipped.
    assert_eq!(tick(&app, at("2026-11-10T08:00:00Z")).await, 0);
    assert_eq!(tick(&app, at("2026-11-10T15:00:00Z")).await, 0);
    assert_eq!(rows(&app, berlin).await.len(), 3);
    assert_eq!(rows(&app, new_york).await.len(), 3);

    // What Slack got: three posts in each channel, each week's
    // period in local time.
    let berlin_posts = posts_to(&slack, "CBERLIN").await;
    let ny_posts = posts_to(&slack, "CNEWYORK").await;
    assert_eq!((berlin_posts.len(), ny_posts.len()), (3, 3));
    let text = |v: &Value| v.to_string();
    assert!(
        text(&berlin_posts[0]).contains("Mon Oct 12, 10:00 – Mon Oct 19, 10:00 (Europe/Berlin)"),
        "{}",
        text(&berlin_posts[0])
    );
    assert!(text(&berlin_posts[1]).contains("Mon Oct 19, 10:00 – Mon Oct 26, 10:00"));
    assert!(text(&ny_posts[2]).contains("Mon Oct 26, 09:00 – Mon Nov 2, 09:00 (America/New_York)"));
    for r in rows(&app, berlin)
        .await
        .iter()
        .chain(rows(&app, new_york).await.iter())
    {
        assert_eq!(r.status, POSTED, "{r:?}");
        assert!(r.ts.is_some());
    }
    let due: Vec<i64> = rows(&app, berlin).await.iter().map(|r| r.due_at).collect();
    assert_eq!(
        due,
        vec![
            at("2026-11-02T09:00:00Z"),
            at("2026-10-26T09:00:00Z"),
            at("2026-10-19T08:00:00Z")
        ]
    );
    app.stop().await;
}

#[tokio::test]
async fn a_lost_job_or_a_dead_worker_is_picked_up_again_once() {
    let (_db, app, slack) = world().await;
    let org = install_org(&app, "T1", "UADMIN").await;
    app.state.clock.set(at("2026-11-20T12:00:00Z"));
    configure(&app, &slack, "T1", "CWINS", 1, "10:00", "UTC").await;
    let slot = at("2026-11-23T10:00:00Z");
    // A scheduler claimed the week and died before enqueueing the job.
    {
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        let claim = store::claim_week(
            &mut conn,
            org,
            at("2026-11-23T00:00:00Z"),
            slot,
            "CWINS",
            slot,
        )
        .await
        .unwrap();
        assert_eq!(claim, store::Claim::New);
    }
    // Within five minutes the job may still be on its way: no second job.
    assert_eq!(tick(&app, slot + 60).await, 0);
    assert_eq!(tick(&app, slot + 4 * 60).await, 0);
    // Then the week is queued again, once.
    assert_eq!(tick(&app, slot + 5 * 60).await, 1);
    settled(&app, org, 1).await;
    assert_eq!(tick(&app, slot + 11 * 60).await, 0);
    assert_eq!(posts_to(&slack, "CWINS").await.len(), 1);

    // Next week a worker dies while building the board: after ten minutes
    // another takes over and posts once.
    let slot = slot + 7 * DAY;
    assert_eq!(tick(&app, slot - 60).await, 0);
    {
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        let week = at("2026-11-30T00:00:00Z");
        assert_eq!(
            store::claim_week(&mut conn, org, week, slot, "CWINS", slot)
                .await
                .unwrap(),
            store::Claim::New
        );
        assert!(
            store::claim_build(&mut conn, org, week, slot)
                .await
                .unwrap()
        );
    }
    assert_eq!(
        tick(&app, slot + 6 * 60).await,
        0,
        "the builder may be alive"
    );
    assert_eq!(tick(&app, slot + 10 * 60).await, 1);
    settled(&app, org, 2).await;
    assert_eq!(tick(&app, slot + 20 * 60).await, 0);
    assert_eq!(posts_to(&slack, "CWINS").await.len(), 2);

    // A third week's job was queued but the app went down until Tuesday:
    // when it finally runs, the day has passed and the week is skipped.
    let slot = slot + 7 * DAY;
    let week = at("2026-12-07T00:00:00Z");
    {
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        store::claim_week(&mut conn, org, week, slot, "CWINS", slot)
            .await
            .unwrap();
    }
    app.state.clock.set(slot + DAY);
    let outcome = aimpact::leaderboard::post::post(&app.state, org, week)
        .await
        .unwrap();
    assert!(
        matches!(outcome, aimpact::leaderboard::post::Outcome::Skipped(_)),
        "{outcome:?}"
    );
    assert_eq!(rows(&app, org).await[0].status, store::SKIPPED);
    assert_eq!(tick(&app, slot + DAY + 600).await, 0);
    assert_eq!(posts_to(&slack, "CWINS").await.len(), 2);
    app.stop().await;
}

async fn home_text(app: &TestApp, slack: &MockServer, team: &str) -> String {
    let before = calls(slack, "views.publish").await.len();
    slack_event(
        app,
        team,
        &format!("Ev{team}{before}"),
        json!({"type": "app_home_opened", "user": "UADMIN", "tab": "home"}),
    )
    .await;
    assert!(
        eventually(PATIENCE, || async {
            calls(slack, "views.publish").await.len() > before
        })
        .await
    );
    let published = calls(slack, "views.publish").await;
    String::from_utf8_lossy(&published.last().unwrap().body).to_string()
}

#[tokio::test]
async fn a_channel_that_is_gone_pauses_posting_and_tells_admins_without_failing_other_orgs() {
    let (_db, app, slack) = world().await;
    app.state.clock.set(at("2026-11-20T12:00:00Z"));
    let mut orgs = Vec::new();
    for (team, channel) in [
        ("T1", "CREMOVED"),
        ("T2", "CARCHIVED"),
        ("T3", "CDELETED"),
        ("T4", "CFINE"),
    ] {
        let org = install_org(&app, team, "UADMIN").await;
        configure(&app, &slack, team, channel, 1, "10:00", "UTC").await;
        orgs.push((team, channel, org));
    }
    let slot = at("2026-11-23T10:00:00Z");
    assert_eq!(tick(&app, slot).await, 4);
    for (_, _, org) in &orgs {
        settled(&app, *org, 1).await;
    }
    for (team, channel, org) in &orgs[..3] {
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        let s = store::settings(&mut conn, *org).await.unwrap();
        assert!(!s.enabled, "{channel} paused");
        assert!(s.problem.is_some());
        assert_eq!(rows(&app, *org).await[0].status, store::FAILED);
        drop(conn);
        let home = home_text(&app, &slack, team).await;
        assert!(home.contains("Paused"), "{home}");
    }
    assert_eq!(rows(&app, orgs[3].2).await[0].status, POSTED);
    let home = home_text(&app, &slack, "T1").await;
    assert!(home.contains("removed"), "{home}");
    let home = home_text(&app, &slack, "T2").await;
    assert!(home.contains("archived"), "{home}");

    // Next week only the healthy org posts; the others wait for an admin.
    assert_eq!(tick(&app, slot + 7 * DAY).await, 1);
    settled(&app, orgs[3].2, 2).await;
    assert_eq!(posts_to(&slack, "CFINE").await.len(), 2);
    assert_eq!(posts_to(&slack, "CREMOVED").await.len(), 1);

    // The admin picks a channel again: the problem is gone, posting resumes.
    configure(&app, &slack, "T1", "CNEW", 1, "10:00", "UTC").await;
    let home = home_text(&app, &slack, "T1").await;
    assert!(!home.contains("Paused"), "{home}");
    assert!(home.contains("#cnew"), "{home}");
    app.stop().await;
}

#[tokio::test]
async fn the_modal_joins_public_channels_explains_private_ones_and_refuses_bad_input() {
    let (_db, app, slack) = world().await;
    let org = install_org(&app, "T1", "UADMIN").await;
    // Before anyone saved, the modal offers the installer's Slack time zone.
    let r = slack_interaction(
        &app,
        &json!({
            "type": "block_actions", "team": {"id": "T1"}, "user": {"id": "UADMIN"},
            "trigger_id": "trig", "actions": [{"action_id": "setup_leaderboard", "value": "leaderboard", "type": "button"}]
        }),
    )
    .await;
    assert_eq!(r.status(), 200);
    let opened = calls(&slack, "views.open").await;
    let modal = String::from_utf8_lossy(&opened.last().expect("views.open").body).to_string();
    assert!(modal.contains("leaderboard_settings"), "{modal}");
    assert!(modal.contains("\"value\":\"America/New_York\""), "{modal}");
    // Archived: an error under the channel, nothing saved.
    let r = slack_interaction(
        &app,
        &submission("T1", "UADMIN", "CWASARCHIVED", 1, "10:00", "UTC"),
    )
    .await;
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["response_action"], "errors");
    assert!(body["errors"]["leaderboard_channel"].is_string());
    // A time zone that does not exist and a time that is not one.
    let mut bad = submission("T1", "UADMIN", "CPUBLIC", 1, "10:00", "Mars/Olympus");
    let body: Value = slack_interaction(&app, &bad).await.json().await.unwrap();
    assert!(body["errors"]["leaderboard_zone"].is_string(), "{body}");
    bad = submission("T1", "UADMIN", "CPUBLIC", 1, "25:99", "UTC");
    let body: Value = slack_interaction(&app, &bad).await.json().await.unwrap();
    assert!(body["errors"]["leaderboard_time"].is_string(), "{body}");
    {
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        assert!(!store::settings(&mut conn, org).await.unwrap().saved);
    }
    // Private: saved, and the modal says how to invite the app.
    let r = slack_interaction(
        &app,
        &submission("T1", "UADMIN", "CPRIVATE", 5, "16:30", "America/New_York"),
    )
    .await;
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["response_action"], "update", "{body}");
    assert!(body.to_string().contains("/invite @aimpact"));
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    let s = store::settings(&mut conn, org).await.unwrap();
    assert_eq!(
        (s.enabled, s.channel.as_deref(), s.day, s.minute),
        (true, Some("CPRIVATE"), 5, 16 * 60 + 30)
    );
    drop(conn);
    // Public: joined.
    configure(&app, &slack, "T1", "CPUBLIC", 1, "10:00", "UTC").await;
    let joins = calls(&slack, "conversations.join").await;
    assert!(
        joins
            .iter()
            .any(|j| String::from_utf8_lossy(&j.body).contains("CPUBLIC"))
    );
    // The time zone search.
    let r = slack_interaction(
        &app,
        &json!({
            "type": "block_suggestion", "team": {"id": "T1"}, "user": {"id": "UADMIN"},
            "action_id": "leaderboard_zone_value", "block_id": "leaderboard_zone", "value": "new york",
            "view": {"id": "V1", "callback_id": "leaderboard_settings"}
        }),
    )
    .await;
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["options"][0]["value"], "America/New_York", "{body}");
    app.stop().await;
}

/// `/metrics <text>` typed by `user` in T1.
async fn metrics(app: &TestApp, user: &str, text: &str) -> reqwest::Response {
    slack_form(
        app,
        "/slack/commands",
        &[
            ("command", "/metrics"),
            ("text", text),
            ("team_id", "T1"),
            ("user_id", user),
            ("channel_id", "C1"),
        ],
    )
    .await
}

#[tokio::test]
async fn opted_out_people_are_never_named_but_count_in_team_totals() {
    let (_db, app, slack) = world().await;
    let org = install_org(&app, "T1", "UADMIN").await;
    app.state.clock.set(at("2026-11-20T12:00:00Z"));
    configure(&app, &slack, "T1", "CWINS", 1, "10:00", "UTC").await;
    // The week of the post: Mon 2026-11-16 10:00 → Mon 2026-11-23 10:00.
    let week_start = at("2026-11-16T10:00:00Z");
    {
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        let rita = seed::person(&mut conn, org, "Rita Reviewer", "URITA", None).await;
        let rob = seed::person(&mut conn, org, "Rob Builder", "UROB", None).await;
        let ann = seed::person(&mut conn, org, "Ann Author", "UANN", None).await;
        let team = teams::upsert(&mut conn, org, "platform", "Platform", None)
            .await
            .unwrap();
        teams::add_member(&mut conn, org, team, rita).await.unwrap();
        teams::add_member(&mut conn, org, team, rob).await.unwrap();
        let repo = seed::repo(&mut conn, org).await;
        // Rita merges six PRs (five say AI helped), reviewed by everyone;
        // Rita reviews most.
        for i in 0..6 {
            let merged = week_start + DAY + i * HOUR;
            let author = if i < 5 { rita } else { rob };
            let mut row = PullRequestRow {
                number: i + 1,
                ..seed::merged_pr(repo, i, author, "x", merged, 5 * HOUR)
            };
            row.metrics.size = 10;
            let pr = pull_requests::upsert(&mut conn, org, &row).await.unwrap();
            surveys::create(
                &mut conn,
                org,
                &SurveyRow {
                    pull_request: Some(pr),
                    author: Some(author),
                    delivery: surveys::Delivery {
                        status: surveys::SurveyStatus::Answered,
                        ..surveys::Delivery::default()
                    },
                    ai_answer: Some(if i < 5 {
                        AiAnswer::Most
                    } else {
                        AiAnswer::None
                    }),
                    answered_at: Some(merged),
                    ..SurveyRow::default()
                },
            )
            .await
            .unwrap();
            for (k, (who, login)) in [(rob, "rob"), (ann, "ann"), (rita, "rita")]
                .into_iter()
                .enumerate()
            {
                if who == author || (who == ann && i > 1) {
                    continue;
                }
                let id = format!("RV{i}{k}");
                seed::approval(&mut conn, org, pr, id, who, login, Some(merged - HOUR)).await;
            }
        }
    }
    // First reviews and their pickup (ready 5 h before the merge, reviewed
    // 1 h before it): Rob 5, Ann 2, Rita 1, each 4 h; none outside the week.
    {
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        let mut got = store::pickups(&mut conn, org, week_start, week_start + 7 * DAY)
            .await
            .unwrap();
        got.sort();
        assert_eq!(got.len(), 8, "{got:?}");
        assert!(got.iter().all(|(_, secs)| *secs == 4 * HOUR), "{got:?}");
        assert!(
            store::pickups(&mut conn, org, week_start + 7 * DAY, week_start + 14 * DAY)
                .await
                .unwrap()
                .is_empty()
        );
    }
    // Rob opts out with the command; Rita with the App Home button.
    let r = metrics(&app, "UROB", "leaderboard optout").await;
    let body = r.text().await.unwrap();
    assert!(body.contains("won't be named"), "{body}");
    let r = slack_interaction(
        &app,
        &json!({
            "type": "block_actions", "team": {"id": "T1"}, "user": {"id": "URITA"},
            "trigger_id": "t", "actions": [{"action_id": "leaderboard_opt_out", "value": "home", "type": "button"}]
        }),
    )
    .await;
    assert_eq!(r.status(), 200);
    // Someone unmatched is told nothing of theirs is ranked.
    let r = metrics(&app, "USTRANGER", "leaderboard optout").await;
    assert!(r.text().await.unwrap().contains("isn't matched"));
    let opted = eventually(PATIENCE, || async {
        let mut conn = app.state.db.pool().acquire().await.unwrap();
        people::list(&mut conn, org)
            .await
            .unwrap()
            .iter()
            .filter(|p| p.rank_opt_out)
            .count()
            == 2
    })
    .await;
    assert!(opted);

    assert_eq!(tick(&app, at("2026-11-23T10:00:00Z")).await, 1);
    settled(&app, org, 1).await;
    let post = posts_to(&slack, "CWINS").await.pop().unwrap().to_string();
    assert!(post.contains("Ann Author"), "{post}");
    assert!(!post.contains("Rita"), "opted out: {post}");
    assert!(!post.contains("Rob"), "opted out: {post}");
    // Team totals still count Rita's and Rob's answers: 5 of 6.
    assert!(
        post.contains("*Platform* — 83% AI-assisted · 6 answered PRs"),
        "{post}"
    );
    assert!(
        post.contains("\"image_url\""),
        "the chart of the week: {post}"
    );
    let blocks: Vec<blocks::Block> =
        serde_json::from_value(serde_json::from_str::<Value>(&post).unwrap()["blocks"].clone())
            .unwrap();
    blocks::validate(&blocks, blocks::SurfaceKind::Message).unwrap();

    // Rob opts back in: the week so far names him (ephemeral, to him).
    app.state.clock.set(at("2026-11-23T10:00:00Z") + 3 * DAY);
    let r = metrics(&app, "UROB", "leaderboard optin").await;
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("named on the leaderboard again")
    );
    let r = metrics(&app, "UROB", "leaderboard").await;
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["response_type"], "ephemeral");
    let text = body.to_string();
    assert!(text.contains("this week so far"), "{text}");
    assert!(
        text.contains("Mon Nov 23, 10:00 – Thu Nov 26, 10:00 (UTC)"),
        "{text}"
    );
    assert!(text.contains("No reviews this week"), "{text}");
    app.stop().await;
}

#[tokio::test]
async fn slack_events_about_the_channel_pause_posting_at_once() {
    let (_db, app, slack) = world().await;
    let org = install_org(&app, "T1", "UADMIN").await;
    let other = install_org(&app, "T2", "UADMIN").await;
    app.state.clock.set(at("2026-11-20T12:00:00Z"));
    configure(&app, &slack, "T1", "CWINS", 1, "10:00", "UTC").await;
    configure(&app, &slack, "T2", "CWINS2", 1, "10:00", "UTC").await;
    let enabled = |org: OrgId| {
        let app = &app;
        async move {
            let mut conn = app.state.db.pool().acquire().await.unwrap();
            store::settings(&mut conn, org).await.unwrap().enabled
        }
    };
    // Another channel archived: nothing changes.
    slack_event(
        &app,
        "T1",
        "Ev1",
        json!({"type": "channel_archive", "channel": "CELSEWHERE", "user": "U1"}),
    )
    .await;
    // The app removed from T2's channel: T2 pauses, T1 carries on.
    slack_event(
        &app,
        "T2",
        "Ev2",
        json!({"type": "channel_left", "channel": "CWINS2", "actor_id": "U1"}),
    )
    .await;
    assert!(
        eventually(PATIENCE, || async { !enabled(other).await }).await,
        "paused on channel_left"
    );
    assert!(enabled(org).await);
    let home = home_text(&app, &slack, "T2").await;
    assert!(
        home.contains("Paused") && home.contains("removed"),
        "{home}"
    );
    // The next Monday only T1 posts.
    assert_eq!(tick(&app, at("2026-11-23T10:00:00Z")).await, 1);
    settled(&app, org, 1).await;
    assert_eq!(posts_to(&slack, "CWINS").await.len(), 1);
    assert!(posts_to(&slack, "CWINS2").await.is_empty());
    app.stop().await;
}
