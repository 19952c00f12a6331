//! Dashboards end to end: `/metrics` answers and App Home from stored PRs,
//! the visibility rule on every path, chart delivery (public URL and Slack
//! upload), rollups, corrections and empty states.

use aimpact::domain::{OrgId, PersonId, TeamId};
use aimpact::metrics::rollup::{Scope, week_start};
use aimpact::store::people;
use aimpact::store::pull_requests::{self, PullRequestRow};
use aimpact::store::repositories;
use aimpact::store::{roles, rollups, teams, unix_now};
use serde_json::{Value, json};
use wiremock::Mock;
use wiremock::matchers::{method, path};

use crate::helpers::*;

const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

/// Slack users here: nobody is a workspace admin.
const MEMBERS: SlackUsers = SlackUsers {
    admin: false,
    tz: "UTC",
};

struct Seeded {
    org: OrgId,
    alice: PersonId,
    bob: PersonId,
    platform: TeamId,
    repo: i64,
}

/// An org: Alice and Bob in Platform (led by U_LEAD), Carol in Mobile,
/// Dave in no team. Alice merged 6 PRs in the last 30 days with cycle
/// times 1..=6 h (median 3.5 h), Bob 4 PRs of 10 h; the 30 days before had
/// 5 PRs of 7 h. Bob reviewed all of Alice's PRs.
async fn seed(app: &TestApp) -> Seeded {
    let org = install_org(app, "T1", "U_ADMIN").await;
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    seed::github_connected(&mut conn, org).await;
    let alice = seed::person(&mut conn, org, "Alice Anderson", "U_ALICE", Some("alice")).await;
    let bob = seed::person(&mut conn, org, "Bob Brown", "U_BOB", Some("bob")).await;
    let carol = seed::person(&mut conn, org, "Carol Chen", "U_CAROL", Some("carol")).await;
    seed::person(&mut conn, org, "Dave Dunn", "U_DEV", Some("dave")).await;
    let platform = teams::upsert(&mut conn, org, "platform", "Platform", None)
        .await
        .unwrap();
    let mobile = teams::upsert(&mut conn, org, "mobile", "Mobile", None)
        .await
        .unwrap();
    for (t, p) in [(platform, alice), (platform, bob), (mobile, carol)] {
        teams::add_member(&mut conn, org, t, p).await.unwrap();
    }
    roles::add_team_lead(&mut conn, org, platform, "U_LEAD")
        .await
        .unwrap();
    let repo = seed::repo(&mut conn, org).await;
    repositories::set_tracked(&mut conn, org, repo, true)
        .await
        .unwrap();
    let now = unix_now();
    let mut n = 0;
    let mut pr = |author: PersonId, login: &str, merged_at: i64, cycle: i64| {
        n += 1;
        let mut row = PullRequestRow {
            additions: 80,
            deletions: 20,
            ..seed::merged_pr(repo, n, author, login, merged_at, cycle)
        };
        row.metrics.first_review_at = Some(merged_at - cycle / 2);
        row.metrics.pickup_time = Some(cycle / 2);
        row.metrics.review_time = Some(cycle / 2);
        row.metrics.size = 100;
        row
    };
    let mut rows = Vec::new();
    for h in 1..=6 {
        rows.push((pr(alice, "alice", now - h * DAY, h * HOUR), true));
    }
    for d in 1..=4 {
        rows.push((pr(bob, "bob", now - d * DAY - HOUR, 10 * HOUR), false));
    }
    for d in 1..=5 {
        rows.push((
            pr(carol, "carol", now - 30 * DAY - d * DAY, 7 * HOUR),
            false,
        ));
    }
    for (i, (row, reviewed)) in rows.iter().enumerate() {
        let id = pull_requests::upsert(&mut conn, org, row).await.unwrap();
        if *reviewed {
            let rv = format!("RV{i}");
            seed::approval(
                &mut conn,
                org,
                id,
                rv,
                bob,
                "bob",
                row.metrics.first_review_at,
            )
            .await;
        }
    }
    Seeded {
        org,
        alice,
        bob,
        platform,
        repo: repo.0,
    }
}

fn metrics(user: &str, text: &str) -> Vec<(String, String)> {
    [
        ("command", "/metrics"),
        ("text", text),
        ("team_id", "T1"),
        ("user_id", user),
        ("channel_id", "C1"),
        ("response_url", "http://127.0.0.1:9/never"),
        ("trigger_id", "1.2.3"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

async fn ask(app: &TestApp, user: &str, text: &str) -> Value {
    let fields = metrics(user, text);
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let r = slack_form(app, "/slack/commands", &pairs).await;
    assert_eq!(r.status(), 200, "{text}");
    r.json().await.unwrap()
}

fn valid(message: &Value) {
    let blocks: Vec<blocks::Block> = serde_json::from_value(message["blocks"].clone()).unwrap();
    blocks::validate(&blocks, blocks::SurfaceKind::Message).unwrap();
}

fn image_urls(message: &Value) -> Vec<String> {
    message["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["type"] == "image")
        .map(|b| b["image_url"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn the_overview_answers_with_numbers_from_the_stored_prs_and_charts_served_here() {
    let slack = fake_slack(Some(MEMBERS)).await;
    let db = TestDb::new().await;
    let app = spawn_slack_app(
        &db,
        &slack,
        &[("AIMPACT_PUBLIC_URL", "http://127.0.0.1:1/".into())],
    )
    .await;
    seed(&app).await;

    let answer = ask(&app, "U_DEV", "").await;
    assert_eq!(answer["response_type"], "ephemeral");
    valid(&answer);
    let text = answer.to_string();
    // 10 PRs in the last 30 days against 5 before; median of 1..=6 h and
    // four 10 h PRs is (5 h + 6 h) / 2 = 5.5 h, against 7 h before.
    assert!(text.contains("*10 PRs merged*"), "{text}");
    assert!(text.contains("median cycle time *5h 30m*"), "{text}");
    assert!(
        text.contains("21% faster than the previous 30 days"),
        "{text}"
    );
    assert!(
        text.contains("▲ 100% (better) vs previous 30 days"),
        "{text}"
    );
    assert!(text.contains("Review load"), "{text}");
    assert!(text.contains("Share in channel"), "{text}");
    let urls = image_urls(&answer);
    assert_eq!(urls.len(), 2, "throughput and cycle trend");
    for url in &urls {
        // The same chart from this app, on its real address.
        let local = url.replace("http://127.0.0.1:1/", &app.url("/"));
        let png = app.http.get(&local).send().await.unwrap();
        assert_eq!(png.status(), 200, "{url}");
        assert_eq!(png.headers()["content-type"], "image/png");
        assert!(png.bytes().await.unwrap().starts_with(b"\x89PNG"));
        // A guessed token is a plain 404.
        let guessed = format!(
            "{}0000000000000000000000000000000{}.png",
            &local[..local.rfind('/').unwrap() + 1],
            1
        );
        assert_eq!(app.http.get(&guessed).send().await.unwrap().status(), 404);
    }
    // Asking again renders nothing new: same charts, same URLs.
    let again = ask(&app, "U_DEV", "").await;
    assert_eq!(image_urls(&again), urls);
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    let stored: i64 = sqlx::query_scalar("select count(*) from chart_image")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(stored, 2);
    drop(conn);
    app.stop().await;
}

#[tokio::test]
async fn developers_never_get_another_persons_numbers_by_any_path() {
    let slack = fake_slack(Some(MEMBERS)).await;
    let db = TestDb::new().await;
    // Workers on: a share goes out through the durable `slack.respond` job.
    let mut settings = slack_settings(&slack);
    settings.push(("AIMPACT_PUBLIC_URL", "http://127.0.0.1:1/".into()));
    let pairs: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_app_with(&db, &pairs, true).await;
    let s = seed(&app).await;

    // Commands: `me` is Dave's own (no PRs); a team view has no people table.
    let me = ask(&app, "U_DEV", "me").await;
    assert!(me.to_string().contains("Your numbers"), "{me}");
    assert!(!me.to_string().contains("Alice"), "{me}");
    let team = ask(&app, "U_DEV", "team platform").await;
    valid(&team);
    let text = team.to_string();
    assert!(text.contains("Team Platform"), "{text}");
    assert!(
        !text.contains("Alice") && !text.contains("Bob Brown"),
        "no names for a developer: {text}"
    );
    // The lead of Platform sees its people; Alice herself does not.
    let lead = ask(&app, "U_LEAD", "team platform").await.to_string();
    assert!(
        lead.contains("Alice Anderson") && lead.contains("6 PRs · 0 reviews · cycle 3h 30m"),
        "{lead}"
    );
    // Bob's 4 PRs are too few for a median (docs/metrics.md: 5 values at least).
    assert!(
        lead.contains("Bob Brown") && lead.contains("\"4 PRs · 6 reviews\""),
        "{lead}"
    );
    let alice_view = ask(&app, "U_ALICE", "team platform").await.to_string();
    assert!(!alice_view.contains("Bob Brown"), "{alice_view}");
    // The lead of Platform does not see Mobile's people.
    let mobile = ask(&app, "U_LEAD", "team mobile").await.to_string();
    assert!(!mobile.contains("Carol"), "{mobile}");

    // The team picker on Home: a developer's forged pick of Platform shows
    // no names either, whatever the payload says.
    let pick = |user: &str, team: i64| {
        json!({
            "type": "block_actions", "team": { "id": "T1" }, "user": { "id": user },
            "container": { "type": "view", "view_id": "V1" },
            "view": { "id": "V1", "type": "home", "callback_id": "", "private_metadata": "r=30d" },
            "actions": [{ "action_id": "metrics_team", "block_id": "metrics_controls",
                "selected_option": { "value": team.to_string() } }]
        })
    };
    let before = calls(&slack, "views.publish").await.len();
    let r = slack_interaction(&app, &pick("U_ALICE", s.platform.0)).await;
    assert_eq!(r.status(), 200);
    assert!(
        eventually(PATIENCE, || async {
            calls(&slack, "views.publish").await.len() > before
        })
        .await
    );
    let published =
        String::from_utf8_lossy(&calls(&slack, "views.publish").await.last().unwrap().body)
            .to_string();
    assert!(
        published.contains("Your numbers"),
        "Alice still sees her own view: {published}"
    );
    assert!(!published.contains("Bob Brown"), "{published}");
    // The share button re-answers for whoever clicks: a forged share of a
    // team view by a developer carries no names.
    let share = json!({
        "type": "block_actions", "team": { "id": "T1" }, "user": { "id": "U_DEV" },
        "response_url": format!("{}/respond", slack.uri()),
        "container": { "type": "message" },
        "actions": [{ "action_id": "metrics_share", "block_id": "metrics_controls", "value": "team platform 30d" }]
    });
    Mock::given(method("POST"))
        .and(path("/respond"))
        .respond_with(wiremock::ResponseTemplate::new(200))
        .mount(&slack)
        .await;
    assert_eq!(slack_interaction(&app, &share).await.status(), 200);
    let responded = || async {
        slack
            .received_requests()
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r.url.path() == "/respond")
            .map(|r| String::from_utf8_lossy(&r.body).to_string())
            .collect::<Vec<_>>()
    };
    assert!(eventually(PATIENCE, || async { !responded().await.is_empty() }).await);
    let shared = responded().await.remove(0);
    assert!(
        shared.contains("in_channel") && shared.contains("Team Platform"),
        "{shared}"
    );
    assert!(
        !shared.contains("Alice Anderson") && !shared.contains("metrics_range"),
        "{shared}"
    );
    // Even a lead's share leaves per-person rows out of the channel.
    let _ = (s.alice, s.bob);
    app.stop().await;
}

#[tokio::test]
async fn wrong_input_gets_a_friendly_correction_with_the_help() {
    let slack = fake_slack(Some(MEMBERS)).await;
    let db = TestDb::new().await;
    let app = spawn_slack_app(
        &db,
        &slack,
        &[("AIMPACT_PUBLIC_URL", "http://127.0.0.1:1/".into())],
    )
    .await;
    seed(&app).await;
    for (input, says) in [
        ("frobnicate", "I don't know `frobnicate`"),
        (
            "team nosuchteam",
            "There's no team called `nosuchteam`. Teams I know: `mobile`, `platform`.",
        ),
        ("repo nope", "There's no tracked repository called `nope`"),
        ("2999-01-01..2999-02-01", "is in the future"),
        ("2026-03-01..2026-01-01", "starts after it ends"),
        ("team", "needs a name"),
    ] {
        let answer = ask(&app, "U_DEV", input).await;
        valid(&answer);
        let text = answer.to_string();
        assert!(text.contains(says), "{input}: {text}");
        assert!(
            text.contains("/metrics help"),
            "{input}: the help follows: {text}"
        );
    }
    // A repository by its short or full name.
    let repo = ask(&app, "U_DEV", "repo acme/api 7d").await.to_string();
    assert!(repo.contains("acme/api · last 7 days"), "{repo}");
    app.stop().await;
}

#[tokio::test]
async fn an_empty_org_gets_empty_states_never_an_error_or_a_blank_chart() {
    let slack = fake_slack(Some(MEMBERS)).await;
    let db = TestDb::new().await;
    let app = spawn_slack_app(
        &db,
        &slack,
        &[("AIMPACT_PUBLIC_URL", "http://127.0.0.1:1/".into())],
    )
    .await;
    install_org(&app, "T1", "U_ADMIN").await;
    for (user, text) in [
        ("U_DEV", ""),
        ("U_ADMIN", ""),
        ("U_ADMIN", "jira"),
        ("U_ADMIN", "90d"),
    ] {
        let answer = ask(&app, user, text).await;
        valid(&answer);
        let body = answer.to_string();
        assert!(image_urls(&answer).is_empty(), "{text}: {body}");
        assert!(
            body.contains("Nothing to show yet") || body.contains("Jira isn't connected"),
            "{user} {text}: {body}"
        );
    }
    let admin = ask(&app, "U_ADMIN", "").await.to_string();
    assert!(
        admin.contains("setup_github"),
        "admins get the next step as a button: {admin}"
    );
    let dev = ask(&app, "U_DEV", "").await.to_string();
    assert!(!dev.contains("setup_github"), "{dev}");
    app.stop().await;
}

#[tokio::test]
async fn rollups_follow_the_data_week_by_week_and_a_second_run_changes_nothing() {
    let slack = fake_slack(Some(MEMBERS)).await;
    let db = TestDb::new().await;
    let app = spawn_slack_app(&db, &slack, &[]).await;
    let s = seed(&app).await;
    let db = &app.state.db;
    // Rows written in the second a refresh starts count as changed (the
    // cursor is compared with `>=`), so let the seeding second pass.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let weeks = aimpact::dashboard::rollups::refresh(db, s.org, false)
        .await
        .unwrap();
    assert!(weeks >= 2, "{weeks}");
    let now = unix_now();
    let mut conn = db.pool().acquire().await.unwrap();
    let read = |scope| {
        let db = db.clone();
        async move {
            let mut conn = db.pool().acquire().await.unwrap();
            rollups::read(
                &mut conn,
                s.org,
                scope,
                week_start(now - 70 * DAY),
                week_start(now),
            )
            .await
            .unwrap()
        }
    };
    let org_rows = read(Scope::Org).await;
    let total: i64 = org_rows.iter().map(|(_, v)| v.prs_merged).sum();
    assert_eq!(total, 15);
    let alice_total: i64 = read(Scope::Person(s.alice.0))
        .await
        .iter()
        .map(|(_, v)| v.prs_merged)
        .sum();
    assert_eq!(alice_total, 6);
    let team_reviews: i64 = read(Scope::Team(s.platform.0))
        .await
        .iter()
        .map(|(_, v)| v.reviews_given)
        .sum();
    assert_eq!(team_reviews, 6);
    // Dashboards read whole days packed by the run and the rest raw: the
    // same facts as reading every PR, for any period and scope.
    let same_as_raw = |label: &'static str| {
        let db = db.clone();
        async move {
            let mut conn = db.pool().acquire().await.unwrap();
            for scope in [
                Scope::Org,
                Scope::Team(s.platform.0),
                Scope::Person(s.alice.0),
                Scope::Repo(s.repo),
            ] {
                for (from, to) in [
                    (now - 30 * DAY, now),
                    (now - 60 * DAY, now - 30 * DAY),
                    (now - 7 * DAY - 5 * HOUR, now + HOUR),
                    (now - 90 * DAY, now),
                ] {
                    let raw = rollups::pr_facts(&mut conn, s.org, scope, from, to)
                        .await
                        .unwrap();
                    let fast = aimpact::dashboard::rollups::period_pr_facts(
                        &mut conn, s.org, scope, from, to,
                    )
                    .await
                    .unwrap();
                    assert_eq!(fast, raw, "{label}: {scope:?} {from}..{to}");
                    let raw = rollups::review_facts(&mut conn, s.org, scope, from, to)
                        .await
                        .unwrap();
                    let fast = aimpact::dashboard::rollups::period_review_facts(
                        &mut conn, s.org, scope, from, to,
                    )
                    .await
                    .unwrap();
                    assert_eq!(fast, raw, "{label}: reviews {scope:?} {from}..{to}");
                }
            }
        }
    };
    same_as_raw("after a run").await;
    let packed: i64 = sqlx::query_scalar("select count(*) from daily_pr_facts")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert!(packed > 0, "the run packed its days");
    // ...and those are what the dashboards read: without them whole days
    // go missing (a full run puts them back).
    sqlx::query("delete from daily_pr_facts")
        .execute(&mut *conn)
        .await
        .unwrap();
    let period = (now - 30 * DAY, now);
    let without = aimpact::dashboard::rollups::period_pr_facts(
        &mut conn,
        s.org,
        Scope::Org,
        period.0,
        period.1,
    )
    .await
    .unwrap();
    let raw = rollups::pr_facts(&mut conn, s.org, Scope::Org, period.0, period.1)
        .await
        .unwrap();
    assert!(
        without.len() < raw.len(),
        "{} vs {}",
        without.len(),
        raw.len()
    );
    aimpact::dashboard::rollups::refresh(db, s.org, true)
        .await
        .unwrap();
    same_as_raw("after a full run").await;
    // Bob is excluded while a run packs the days, then included again: the
    // packed days follow at once, with no run in between.
    people::set_excluded(&mut conn, s.org, s.bob, true)
        .await
        .unwrap();
    same_as_raw("Bob excluded").await;
    aimpact::dashboard::rollups::refresh(db, s.org, true)
        .await
        .unwrap();
    same_as_raw("Bob excluded during a run").await;
    people::set_excluded(&mut conn, s.org, s.bob, false)
        .await
        .unwrap();
    same_as_raw("Bob included after the run").await;
    // Nothing changed: nothing recomputed.
    assert_eq!(
        aimpact::dashboard::rollups::refresh(db, s.org, false)
            .await
            .unwrap(),
        0
    );
    // A PR changes (Bob's first one becomes a revert): its week is redone.
    let mut row = pull_requests::find_by_github_id(&mut conn, s.org, "PR7")
        .await
        .unwrap()
        .unwrap()
        .1;
    row.metrics.is_revert = true;
    pull_requests::upsert(&mut conn, s.org, &row).await.unwrap();
    // Changed since the run: that day is read raw until the next one.
    same_as_raw("a PR changed since the run").await;
    assert_eq!(
        aimpact::dashboard::rollups::refresh(db, s.org, false)
            .await
            .unwrap(),
        1
    );
    let reverted: i64 = read(Scope::Org)
        .await
        .iter()
        .map(|(_, v)| v.prs_reverted)
        .sum();
    assert_eq!(reverted, 1);
    drop(conn);
    app.stop().await;
}
