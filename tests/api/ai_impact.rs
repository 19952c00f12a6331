//! `/metrics ai` and `aimpact export ai` from stored PRs and survey answers:
//! a clear verdict with enough data, never one with too little, an honest
//! empty AI group, and numbers a short script reproduces from the exports.

use aimpact::domain::OrgId;
use aimpact::metrics::ai::{AiDetection, AiRule};
use aimpact::store::pull_requests::{self, PullRequestRow};
use aimpact::store::surveys::{self, AiAnswer, SurveyRow};
use aimpact::store::unix_now;
use serde_json::Value;
use wiremock::MockServer;

use crate::helpers::*;

const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;

/// `ai` AI-assisted PRs by Alice (1–1.5 h, answered "some", detected) and
/// `other` PRs by Bob (3–3.5 h, answered "none"), merged in the last 30 days.
async fn seed(app: &TestApp, ai: i64, other: i64) -> OrgId {
    let org = install_org(app, "T1", "U_ADMIN").await;
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    seed::github_connected(&mut conn, org).await;
    let alice = seed::person(&mut conn, org, "alice", "U_ALICE", Some("alice")).await;
    let bob = seed::person(&mut conn, org, "bob", "U_BOB", Some("bob")).await;
    let repo = seed::repo(&mut conn, org).await;
    let now = unix_now();
    for i in 0..ai + other {
        let is_ai = i < ai;
        let cycle = if is_ai {
            HOUR + i * 60
        } else {
            3 * HOUR + i * 60
        };
        let merged = now - DAY - i * HOUR;
        let (author, login) = if is_ai {
            (alice, "alice")
        } else {
            (bob, "bob")
        };
        let mut row = PullRequestRow {
            number: i + 1,
            ..seed::merged_pr(repo, i, author, login, merged, cycle)
        };
        row.metrics.first_review_at = Some(merged - cycle / 2);
        row.metrics.pickup_time = Some(cycle / 2);
        row.metrics.review_time = Some(cycle / 2);
        row.metrics.size = 50 + i;
        row.metrics.ai = is_ai.then(|| AiDetection::stored(AiRule::AiLabel));
        let pr = pull_requests::upsert(&mut conn, org, &row).await.unwrap();
        let survey = SurveyRow {
            pull_request: Some(pr),
            author: Some(author),
            delivery: surveys::Delivery {
                status: surveys::SurveyStatus::Answered,
                sent_at: Some(merged + 60),
                expires_at: Some(merged + 7 * DAY),
                ..surveys::Delivery::default()
            },
            ai_answer: Some(if is_ai {
                AiAnswer::Some
            } else {
                AiAnswer::None
            }),
            answered_at: Some(merged + 120),
            ..SurveyRow::default()
        };
        surveys::create(&mut conn, org, &survey).await.unwrap();
    }
    org
}

async fn app() -> (TestDb, TestApp, MockServer) {
    let db = TestDb::new().await;
    let slack = fake_slack(Some(SlackUsers {
        admin: false,
        tz: "UTC",
    }))
    .await;
    wiremock::Mock::given(wiremock::matchers::path_regex("^/respond/"))
        .respond_with(wiremock::ResponseTemplate::new(200))
        .mount(&slack)
        .await;
    let mut settings = slack_settings(&slack);
    settings.push((
        "AIMPACT_PUBLIC_URL",
        "https://aimpact.example.com".to_string(),
    ));
    let pairs: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    // Workers on: a slow answer arrives through response_url.
    let app = spawn_app_with(&db, &pairs, true).await;
    (db, app, slack)
}

/// `/metrics ai` as `user`: the dashboard from the acknowledgement, or, when
/// it took longer than Slack's window (a loaded CI machine), from the
/// `response_url` delivery.
async fn ask_ai(app: &TestApp, slack: &MockServer, user: &str, text: &str) -> String {
    let respond = format!("{}/respond/{user}-{}", slack.uri(), text.replace(' ', "-"));
    let r = slack_form(
        app,
        "/slack/commands",
        &[
            ("command", "/metrics"),
            ("text", text),
            ("team_id", "T1"),
            ("user_id", user),
            ("channel_id", "C1"),
            ("response_url", &respond),
        ],
    )
    .await;
    assert_eq!(r.status(), 200);
    let mut body: Value = r.json().await.unwrap();
    if body.get("blocks").is_none() {
        let sent = || async {
            slack
                .received_requests()
                .await
                .unwrap_or_default()
                .into_iter()
                .rfind(|r| respond.ends_with(r.url.path()))
        };
        assert!(
            eventually(PATIENCE, || async { sent().await.is_some() }).await,
            "{body}"
        );
        body = serde_json::from_slice(&sent().await.unwrap().body).unwrap();
    }
    let blocks: Vec<blocks::Block> =
        serde_json::from_value(body["blocks"].clone()).unwrap_or_else(|e| panic!("{e}: {body}"));
    blocks::validate(&blocks, blocks::SurfaceKind::Message).unwrap();
    body.to_string()
}

fn assert_no_nonsense(text: &str) {
    for bad in ["NaN", "inf", "null%"] {
        assert!(!text.contains(bad), "{bad} in {text}");
    }
}

#[tokio::test]
async fn enough_data_gives_a_verdict_with_its_interval_and_sample() {
    let (_db, app, slack) = app().await;
    seed(&app, 30, 30).await;
    let text = ask_ai(&app, &slack, "U_ADMIN", "ai").await;
    assert_no_nonsense(&text);
    assert!(text.contains("AI impact"), "{text}");
    assert!(
        text.contains("*50%* of 60 answered PRs (self-reported)"),
        "{text}"
    );
    assert!(
        text.contains("AI-assisted PRs (self-reported) merged") && text.contains("faster (95% CI"),
        "{text}"
    );
    assert!(text.contains("based on 60 PRs"), "{text}");
    // Both signals agree on every PR.
    assert!(text.contains("Cohen's κ 1.00"), "{text}");
    // A developer sees the org's comparisons but only their own row.
    let mine = ask_ai(&app, &slack, "U_ALICE", "ai").await;
    assert!(mine.contains("alice") && !mine.contains("bob"), "{mine}");
    // `/metrics ai me`: Alice's own PRs, all AI-assisted: nothing to compare with.
    let me = ask_ai(&app, &slack, "U_ALICE", "ai me 30d").await;
    assert_no_nonsense(&me);
    assert!(me.contains("AI impact · your PRs"), "{me}");
    assert!(me.contains("*100%* of 30 answered PRs"), "{me}");
    assert!(
        me.contains("not enough data yet: 0 other PRs (self-reported), need 20"),
        "{me}"
    );
    // A team that does not exist gets the usual correction.
    let nope = ask_ai(&app, &slack, "U_ALICE", "ai team nosuch").await;
    assert!(nope.contains("no team called"), "{nope}");
    app.stop().await;
}

#[tokio::test]
async fn small_samples_never_get_a_confident_verdict() {
    let (_db, app, slack) = app().await;
    seed(&app, 9, 30).await;
    let text = ask_ai(&app, &slack, "U_ADMIN", "ai").await;
    assert_no_nonsense(&text);
    assert!(
        text.contains("not enough data yet: 9 AI-assisted PRs (self-reported), need 20"),
        "{text}"
    );
    assert!(
        !text.contains("faster") && !text.contains("slower"),
        "{text}"
    );
    app.stop().await;
}

#[tokio::test]
async fn no_ai_assisted_prs_says_so_never_nan() {
    let (_db, app, slack) = app().await;
    seed(&app, 0, 25).await;
    let text = ask_ai(&app, &slack, "U_ADMIN", "ai").await;
    assert_no_nonsense(&text);
    assert!(text.contains("no AI-assisted PRs yet"), "{text}");
    app.stop().await;
}

fn run(db: &TestDb, args: &[&str]) -> Value {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_aimpact"))
        .args(args)
        .env_clear()
        .env("DATABASE_URL", db.url.expose())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

#[tokio::test]
async fn the_ai_export_is_reproduced_from_the_pr_and_survey_exports() {
    let (db, app, _slack) = app().await;
    seed(&app, 24, 31).await;
    app.stop().await;
    let ai = run(&db, &["export", "ai", "--range", "30d", "--format", "json"]);
    let prs = run(&db, &["export", "prs", "--format", "json"]);
    let answers = run(&db, &["export", "surveys", "--format", "json"]);
    // The "short script": join PRs to their author's answer, split, take medians.
    let answer_of = |number: &Value| {
        answers
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["kind"] == "author" && &s["number"] == number)
            .and_then(|s| s["ai_answer"].as_str())
            .map(|a| a != "none")
    };
    let (mut yes, mut no) = (Vec::new(), Vec::new());
    for pr in prs.as_array().unwrap() {
        let cycle = pr["cycle_time"].as_f64().unwrap();
        match answer_of(&pr["number"]) {
            Some(true) => yes.push(cycle),
            Some(false) => no.push(cycle),
            None => {}
        }
    }
    let row = ai
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["basis"] == "self-reported" && r["metric"] == "cycle_time")
        .unwrap();
    assert_eq!(row["n_ai"], 24);
    assert_eq!(row["n_other"], 31);
    assert_eq!(row["median_ai"].as_f64().unwrap(), median(yes.clone()));
    assert_eq!(row["median_other"].as_f64().unwrap(), median(no.clone()));
    let rel = row["relative_difference"].as_f64().unwrap();
    assert!((rel - (median(yes) - median(no.clone())) / median(no)).abs() < 1e-12);
    assert!(row["p_value"].as_f64().unwrap() < 0.05);
    assert!(row["ci_ai_low"].as_f64().unwrap() <= row["median_ai"].as_f64().unwrap());
    assert_eq!(ai.as_array().unwrap().len(), 12, "6 metrics × 2 signals");
}
