//! The demo org: a plausible shape, the same rows from the same seed, and
//! rows exactly like the ones GitHub sync stores, telling the AI story.

use std::time::Instant;

use aimpact::demo::{self, DemoOrg};
use aimpact::domain::{OrgId, Role};
use aimpact::metrics::pr::{CommitInput, PrInput, ReviewInput, compute};
use aimpact::store::{Db, orgs, pull_requests, roles, teams};
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::helpers::TestDb;

/// Wednesday 2026-03-11 14:30 UTC.
const NOW: i64 = 1_773_239_400;
const DAY: i64 = 86_400;

async fn seeded(rng_seed: u64) -> (TestDb, Db, DemoOrg) {
    let test_db = TestDb::new().await;
    let db = test_db.connect().await;
    let started = Instant::now();
    let made = demo::seed(&db, NOW, rng_seed).await.unwrap();
    eprintln!(
        "demo seeded in {:.1} s on {:?}: {made:?}",
        started.elapsed().as_secs_f64(),
        db.backend()
    );
    (test_db, db, made)
}

async fn count(db: &Db, sql: &str, org: OrgId) -> i64 {
    let mut conn = db.pool().acquire().await.unwrap();
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .bind(org.get())
        .fetch_one(&mut *conn)
        .await
        .unwrap()
}

fn median(mut xs: Vec<i64>) -> f64 {
    assert!(!xs.is_empty());
    xs.sort_unstable();
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2] as f64
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) as f64 / 2.0
    }
}

/// A digest of the org's PRs, reviews, commits, Jira issues and surveys,
/// by natural keys only (ids and bookkeeping times differ between runs).
async fn digest(db: &Db, org: OrgId) -> String {
    let mut conn = db.pool().acquire().await.unwrap();
    let mut hash = Sha256::new();
    let prs = pull_requests::updated_since(&mut conn, org, i64::MIN)
        .await
        .unwrap();
    for (_, mut pr) in prs {
        pr.repository = None;
        pr.author = None;
        hash.update(format!("{pr:?}\n"));
    }
    const REVIEWS: &str = "select p.github_pr_id, r.github_review_id, r.reviewer_login, r.state, r.submitted_at, r.is_bot
        from pr_review r join pull_request p on p.pull_request_id = r.pull_request_id
        where r.org_id = $1 order by r.github_review_id";
    for r in sqlx::query(REVIEWS)
        .bind(org.get())
        .fetch_all(&mut *conn)
        .await
        .unwrap()
    {
        let line = format!(
            "{}|{}|{:?}|{}|{:?}|{}\n",
            r.get::<String, _>(0),
            r.get::<String, _>(1),
            r.get::<Option<String>, _>(2),
            r.get::<String, _>(3),
            r.get::<Option<i64>, _>(4),
            r.get::<i64, _>(5)
        );
        hash.update(line);
    }
    const COMMITS: &str = "select p.github_pr_id, c.sha, c.author_login, c.authored_at, c.message
        from pr_commit c join pull_request p on p.pull_request_id = c.pull_request_id
        where c.org_id = $1 order by p.github_pr_id, c.sha";
    for r in sqlx::query(COMMITS)
        .bind(org.get())
        .fetch_all(&mut *conn)
        .await
        .unwrap()
    {
        let line = format!(
            "{}|{}|{:?}|{:?}|{:?}\n",
            r.get::<String, _>(0),
            r.get::<String, _>(1),
            r.get::<Option<String>, _>(2),
            r.get::<Option<i64>, _>(3),
            r.get::<Option<String>, _>(4)
        );
        hash.update(line);
    }
    const ISSUES: &str =
        "select issue_key, summary, status, status_category, story_points, jira_created_at,
            started_at, done_at, cycle_time, assignee_account_id
        from jira_issue where org_id = $1 order by issue_key";
    for r in sqlx::query(ISSUES)
        .bind(org.get())
        .fetch_all(&mut *conn)
        .await
        .unwrap()
    {
        let line = format!(
            "{}|{}|{:?}|{:?}|{:?}|{}|{:?}|{:?}|{:?}|{:?}\n",
            r.get::<String, _>(0),
            r.get::<String, _>(1),
            r.get::<Option<String>, _>(2),
            r.get::<Option<String>, _>(3),
            r.get::<Option<f64>, _>(4),
            r.get::<i64, _>(5),
            r.get::<Option<i64>, _>(6),
            r.get::<Option<i64>, _>(7),
            r.get::<Option<i64>, _>(8),
            r.get::<Option<String>, _>(9)
        );
        hash.update(line);
    }
    const SURVEYS: &str = "select p.github_pr_id, d.status, s.ai_answer, s.ai_tools, s.answered_at,
            v.reviewer_person_id is not null as has_review, v.quality_rating, v.ai_guess, v.guess_correct, v.revealed_at
        from pr_survey s join pull_request p on p.pull_request_id = s.pull_request_id
        join survey_delivery d on d.kind = 'author' and d.subject_id = s.pr_survey_id
        left join survey_review v on v.pr_survey_id = s.pr_survey_id
        left join person w on w.person_id = v.reviewer_person_id
        where s.org_id = $1 order by p.github_pr_id, w.display_name";
    for r in sqlx::query(SURVEYS)
        .bind(org.get())
        .fetch_all(&mut *conn)
        .await
        .unwrap()
    {
        let line = format!(
            "{}|{}|{:?}|{}|{:?}|{:?}|{:?}|{:?}|{:?}\n",
            r.get::<String, _>(0),
            r.get::<String, _>(1),
            r.get::<Option<String>, _>(2),
            r.get::<String, _>(3),
            r.get::<Option<i64>, _>(4),
            r.get::<Option<i64>, _>(6),
            r.get::<Option<i64>, _>(7),
            r.get::<Option<i64>, _>(8),
            r.get::<Option<i64>, _>(9)
        );
        hash.update(line);
    }
    hex::encode(hash.finalize())
}

#[tokio::test]
async fn seeding_the_demo_twice_rebuilds_it_with_identical_rows() {
    let (_guard, db, made) = seeded(42).await;
    let org = made.org;
    assert_eq!(made.admin_slack, "UDEMOADMIN");
    assert_eq!(made.lead_slack, "UDEMOLEAD");
    assert_eq!(made.developer_slack, "UDEMODEV");
    assert!((25..=27).contains(&made.people), "{made:?}");
    assert!((2_500..=4_000).contains(&made.prs), "{made:?}");
    assert!((400..=2_000).contains(&made.issues), "{made:?}");
    assert!((500..=2_000).contains(&made.surveys), "{made:?}");

    let people = count(&db, "select count(*) from person where org_id = $1", org).await;
    let prs = count(
        &db,
        "select count(*) from pull_request where org_id = $1",
        org,
    )
    .await;
    let merged = count(
        &db,
        "select count(*) from pull_request where org_id = $1 and merged_at is not null",
        org,
    )
    .await;
    let open = count(
        &db,
        "select count(*) from pull_request where org_id = $1 and state = 'open'",
        org,
    )
    .await;
    let drafts = count(
        &db,
        "select count(*) from pull_request where org_id = $1 and ready_for_review_at is not null",
        org,
    )
    .await;
    let issues = count(
        &db,
        "select count(*) from jira_issue where org_id = $1",
        org,
    )
    .await;
    let sprints = count(
        &db,
        "select count(*) from jira_sprint where org_id = $1",
        org,
    )
    .await;
    let active = count(
        &db,
        "select count(*) from jira_sprint where org_id = $1 and state = 'active'",
        org,
    )
    .await;
    let surveys = count(&db, "select count(*) from pr_survey where org_id = $1", org).await;
    let answered = count(
        &db,
        "select count(*) from pr_survey where org_id = $1 and ai_answer is not null",
        org,
    )
    .await;
    let reviews = count(
        &db,
        "select count(*) from survey_review where org_id = $1",
        org,
    )
    .await;
    let links = count(
        &db,
        "select count(*) from pr_jira_link where org_id = $1",
        org,
    )
    .await;
    let repos = count(
        &db,
        "select count(*) from repository where org_id = $1",
        org,
    )
    .await;
    let teams = count(&db, "select count(*) from team where org_id = $1", org).await;
    let bots = count(
        &db,
        "select count(*) from person where org_id = $1 and is_bot = 1",
        org,
    )
    .await;
    eprintln!(
        "people {people} (bots {bots}), PRs {prs} (merged {merged}, open {open}, drafted {drafts}), \
         issues {issues}, sprints {sprints}, links {links}, surveys {surveys} (answered {answered}), \
         review surveys {reviews}"
    );
    assert_eq!(people as usize, made.people);
    assert_eq!(prs as usize, made.prs);
    assert_eq!(issues as usize, made.issues);
    assert_eq!(surveys as usize, made.surveys);
    assert_eq!((repos, teams, bots), (4, 3, 2));
    assert!(
        merged as f64 > 0.8 * prs as f64 && open > 20 && drafts > 100,
        "{merged} {open} {drafts}"
    );
    assert!(
        (10..=30).contains(&sprints) && active == 2,
        "{sprints} sprints, {active} active"
    );
    assert!(links as f64 > 0.4 * prs as f64, "{links} links");
    assert!(reviews > surveys / 2, "{reviews} reviewer surveys");
    // AI issue reports, with languages, and the pattern's suggested rule.
    let reports = count(&db, "select count(*) from ai_report where org_id = $1", org).await;
    let with_languages = count(
        &db,
        "select count(*) from ai_report where org_id = $1 and languages is not null and pull_request_id is not null",
        org,
    )
    .await;
    let rules = count(
        &db,
        "select count(*) from rule_suggestion where org_id = $1 and scope_key = 'tests|acme/payments-core|Java'",
        org,
    )
    .await;
    assert_eq!(reports as usize, made.reports);
    assert!(
        reports >= 20 && with_languages == reports,
        "{reports} reports"
    );
    assert_eq!(rules, 1, "the missing-tests pattern has its rule");
    // Fully synced and connected, as App Home reads it.
    let synced = count(
        &db,
        "select count(*) from sync_state where org_id = $1 and status = 'done'",
        org,
    )
    .await;
    let connected = count(
        &db,
        "select count(*) from integration where org_id = $1 and status = 'connected'",
        org,
    )
    .await;
    assert_eq!((synced, connected), (6, 2));

    let first = digest(&db, org).await;
    let again = demo::seed(&db, NOW, 42).await.unwrap();
    assert_eq!(again.prs, made.prs);
    assert_eq!(digest(&db, again.org).await, first, "same seed, same rows");
    let demo_orgs = {
        let mut conn = db.pool().acquire().await.unwrap();
        orgs::list_ids(&mut conn).await.unwrap()
    };
    assert_eq!(demo_orgs, vec![again.org], "the old demo org is gone");
    let all_prs: i64 = {
        let mut conn = db.pool().acquire().await.unwrap();
        sqlx::query_scalar("select count(*) from pull_request")
            .fetch_one(&mut *conn)
            .await
            .unwrap()
    };
    assert_eq!(all_prs as usize, made.prs);
}

#[tokio::test]
async fn demo_prs_carry_exactly_the_metrics_ingest_computes() {
    let (_guard, db, made) = seeded(7).await;
    let org = made.org;
    let mut conn = db.pool().acquire().await.unwrap();
    let prs = pull_requests::updated_since(&mut conn, org, i64::MIN)
        .await
        .unwrap();
    let mut checked = 0;
    for (id, pr) in prs.iter().step_by(17) {
        let reviews = pull_requests::reviews(&mut conn, org, *id).await.unwrap();
        let commits = pull_requests::commits(&mut conn, org, *id).await.unwrap();
        let author_login = pr.author_login.clone().unwrap_or_default();
        let input = PrInput {
            created_at: pr.opened_at,
            ready_for_review_at: pr.ready_for_review_at,
            opened_as_draft: pr.ready_for_review_at.is_some() || pr.is_draft,
            merged_at: pr.merged_at,
            title: pr.title.clone(),
            body: pr.body.clone(),
            head_ref: pr.head_ref.clone(),
            labels: serde_json::from_str(&pr.labels).unwrap(),
            additions: pr.additions,
            deletions: pr.deletions,
            author_is_bot: author_login.ends_with("[bot]"),
            author_login,
            commits: commits
                .iter()
                .map(|c| CommitInput {
                    authored_at: c.authored_at,
                    message: c.message.clone(),
                    author_name: c.author_name.clone(),
                    author_email: c.author_email.clone(),
                })
                .collect(),
            reviews: reviews
                .iter()
                .map(|r| ReviewInput {
                    author_login: r.reviewer_login.clone(),
                    author_is_bot: r.is_bot,
                    state: r.state.clone(),
                    submitted_at: r.submitted_at,
                })
                .collect(),
        };
        let m = compute(&input, &[]);
        let stored = (
            pr.metrics.ready_at,
            pr.metrics.first_commit_at,
            pr.metrics.first_review_at,
            pr.metrics.coding_time,
            pr.metrics.pickup_time,
            pr.metrics.review_time,
            pr.metrics.cycle_time,
            pr.metrics.size,
            pr.metrics.is_revert,
            pr.metrics.is_hotfix,
            pr.metrics.ai.is_some(),
            pr.metrics.ai.as_ref().map(|a| a.rule.as_str().to_string()),
        );
        let computed = (
            m.ready_at,
            m.first_commit_at,
            m.first_review_at,
            m.coding_time,
            m.pickup_time,
            m.review_time,
            m.cycle_time,
            m.size,
            m.is_revert,
            m.is_hotfix,
            m.ai.is_some(),
            m.ai.map(|a| a.rule.as_str().to_string()),
        );
        assert_eq!(stored, computed, "{} #{}", pr.title, pr.number);
        assert_eq!(pr.commit_count, commits.len() as i64);
        checked += 1;
    }
    assert!(checked > 100, "{checked}");

    // Every detection rule shows up, each PR explained by one.
    let rules: Vec<String> = sqlx::query_scalar(
        "select distinct ai_detection_rule from pull_request
        where org_id = $1 and ai_detection_rule is not null order by ai_detection_rule",
    )
    .bind(org.get())
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    assert_eq!(
        rules,
        [
            "agent_account",
            "agent_branch",
            "ai_label",
            "assistant_trailer",
            "co_author_trailer",
            "generated_with_line"
        ]
    );

    // Reviews come from others: never the author, humans from the
    // author's team, bots flagged (and never counted).
    let self_reviews = count(
        &db,
        "select count(*) from pr_review r join pull_request p on p.pull_request_id = r.pull_request_id
        where r.org_id = $1 and (r.reviewer_person_id = p.author_person_id
            or lower(r.reviewer_login) = lower(p.author_login))",
        org,
    )
    .await;
    assert_eq!(self_reviews, 0);
    let outsiders = count(
        &db,
        "select count(*) from pr_review r join pull_request p on p.pull_request_id = r.pull_request_id
        join person a on a.person_id = p.author_person_id
        where r.org_id = $1 and r.is_bot = 0 and a.is_bot = 0
            and not exists (select 1 from team_membership ta join team_membership tr on tr.team_id = ta.team_id
                where ta.person_id = p.author_person_id and tr.person_id = r.reviewer_person_id)",
        org,
    )
    .await;
    assert_eq!(outsiders, 0, "human PRs are reviewed by teammates");
    let bot_reviews = count(
        &db,
        "select count(*) from pr_review where org_id = $1 and reviewer_login like '%[bot]'",
        org,
    )
    .await;
    let flagged = count(
        &db,
        "select count(*) from pr_review where org_id = $1 and is_bot = 1",
        org,
    )
    .await;
    assert!(
        bot_reviews > 10 && bot_reviews == flagged,
        "{bot_reviews} bot reviews, {flagged} flagged"
    );

    // Shapes: reverts, hotfixes, cycle and size medians.
    let merged: Vec<(i64, i64, bool, bool)> = prs
        .iter()
        .filter(|(_, p)| p.merged_at.is_some())
        .map(|(_, p)| {
            let m = &p.metrics;
            (m.cycle_time.unwrap(), m.size, m.is_revert, m.is_hotfix)
        })
        .collect();
    let share = |f: fn(&(i64, i64, bool, bool)) -> bool| {
        merged.iter().filter(|x| f(x)).count() as f64 / merged.len() as f64
    };
    let (reverts, hotfixes) = (share(|x| x.2), share(|x| x.3));
    let cycle = median(merged.iter().map(|x| x.0).collect()) / DAY as f64;
    let size = median(merged.iter().map(|x| x.1).collect());
    eprintln!(
        "reverts {reverts:.3}, hotfixes {hotfixes:.3}, median cycle {cycle:.2} d, median size {size}"
    );
    assert!((0.015..=0.05).contains(&reverts), "{reverts}");
    assert!((0.02..=0.07).contains(&hotfixes), "{hotfixes}");
    assert!((0.7..=3.0).contains(&cycle), "{cycle}");
    assert!((70.0..=200.0).contains(&size), "{size}");
}

/// Merged PRs in `[from, to)`, each with whether a bot opened it.
async fn merged(
    conn: &mut sqlx::AnyConnection,
    org: OrgId,
    from: i64,
    to: i64,
) -> Vec<(pull_requests::PullRequestRow, bool)> {
    pull_requests::merged_between(conn, org, from, to)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, p)| {
            let bot = p
                .author_login
                .as_deref()
                .unwrap_or_default()
                .ends_with("[bot]");
            (p, bot)
        })
        .collect()
}

#[tokio::test]
async fn the_demo_shows_ai_use_growing_and_ai_prs_a_little_faster() {
    let (_guard, db, made) = seeded(42).await;
    let org = made.org;
    let mut conn = db.pool().acquire().await.unwrap();
    let start = NOW - demo::DAYS * DAY;
    let share = |rows: &[(pull_requests::PullRequestRow, bool)]| {
        rows.iter().filter(|(p, _)| p.metrics.ai.is_some()).count() as f64 / rows.len() as f64
    };
    let first = merged(&mut conn, org, start, start + 30 * DAY).await;
    let last = merged(&mut conn, org, NOW - 30 * DAY, NOW + 1).await;
    let (early, late) = (share(&first), share(&last));
    eprintln!(
        "detected AI share: first 30 days {early:.3} of {}, last 30 days {late:.3} of {}",
        first.len(),
        last.len()
    );
    assert!(early < late, "{early} < {late}");
    assert!((0.05..=0.3).contains(&early), "{early}");
    assert!((0.3..=0.6).contains(&late), "{late}");
    assert!(last.len() > first.len(), "throughput rises");

    // AI-assisted (detected) human PRs are modestly faster.
    let all = merged(&mut conn, org, start, NOW + 1).await;
    let cycles = |ai: bool| {
        all.iter()
            .filter(|(p, bot)| !bot && p.metrics.ai.is_some() == ai)
            .filter_map(|(p, _)| p.metrics.cycle_time)
            .collect::<Vec<_>>()
    };
    let ratio = median(cycles(true)) / median(cycles(false));
    eprintln!("median cycle, AI-detected vs not: {ratio:.2}");
    assert!((0.6..=0.92).contains(&ratio), "{ratio}");

    // Authors report more AI than is detected, on the same PRs.
    let answers: Vec<(String, i64)> = sqlx::query(
        "select s.ai_answer, p.ai_detected from pr_survey s
        join pull_request p on p.pull_request_id = s.pull_request_id
        where s.org_id = $1 and s.ai_answer is not null",
    )
    .bind(org.get())
    .fetch_all(&mut *conn)
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
    let reported =
        answers.iter().filter(|(a, _)| a != "none").count() as f64 / answers.len() as f64;
    let detected = answers.iter().filter(|(_, d)| *d != 0).count() as f64 / answers.len() as f64;
    eprintln!("answered PRs: self-reported {reported:.3}, detected {detected:.3}");
    assert!(reported > detected + 0.05, "{reported} vs {detected}");
    let merged_recent: i64 = sqlx::query_scalar(
        "select count(*) from pull_request p join person a on a.person_id = p.author_person_id
        where p.org_id = $1 and a.is_bot = 0 and p.merged_at >= $2",
    )
    .bind(org.get())
    .bind(NOW - demo::SURVEY_DAYS * DAY)
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    let answered_share = answers.len() as f64 / merged_recent as f64;
    assert!((0.55..=0.75).contains(&answered_share), "{answered_share}");
}

#[tokio::test]
async fn every_demo_guess_is_scored_as_metrics_md_says() {
    let (_guard, db, made) = seeded(3).await;
    let org = made.org;
    let mut conn = db.pool().acquire().await.unwrap();
    let rows = sqlx::query(
        "select s.ai_answer, s.answered_at, v.ai_guess, v.answered_at, v.guess_correct, v.revealed_at,
            v.quality_rating, p.merged_at,
            (select count(*) from pr_review r where r.pull_request_id = p.pull_request_id
                and r.reviewer_person_id = v.reviewer_person_id and r.is_bot = 0) as reviewed,
            p.author_person_id = s.author_person_id as by_author,
            p.author_person_id = v.reviewer_person_id as self_review
        from survey_review v
        join pr_survey s on s.pr_survey_id = v.pr_survey_id
        join pull_request p on p.pull_request_id = s.pull_request_id
        where v.org_id = $1",
    )
    .bind(org.get())
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    assert!(rows.len() > 300, "{}", rows.len());
    let (mut revealed, mut correct) = (0, 0);
    let (mut ai_quality, mut other_quality) = (Vec::new(), Vec::new());
    for r in &rows {
        let answer: Option<String> = r.get(0);
        let author_at: Option<i64> = r.get(1);
        let guess: Option<i64> = r.get(2);
        let reviewer_at: Option<i64> = r.get(3);
        let scored: Option<i64> = r.get(4);
        let revealed_at: Option<i64> = r.get(5);
        let quality: Option<i64> = r.get(6);
        let merged_at: Option<i64> = r.get(7);
        let reviewed: i64 = r.get(8);
        // Both backends: a comparison reads back as 0/1 or a boolean.
        let by_author = r
            .try_get::<bool, _>(9)
            .unwrap_or_else(|_| r.get::<i64, _>(9) != 0);
        let self_review = r
            .try_get::<bool, _>(10)
            .unwrap_or_else(|_| r.get::<i64, _>(10) != 0);
        assert!(by_author && !self_review && reviewed > 0);
        let merged_at = merged_at.expect("only merged PRs are surveyed");
        assert!(merged_at >= NOW - demo::SURVEY_DAYS * DAY);
        // docs/metrics.md: correct when the guess equals "the author said some or
        // most"; only once both have answered.
        let expected = match (&answer, guess) {
            (Some(a), Some(g)) => Some(i64::from((g != 0) == (a == "some" || a == "most"))),
            _ => None,
        };
        assert_eq!(scored, expected, "{answer:?} {guess:?}");
        assert_eq!(revealed_at.is_some(), scored.is_some());
        if let Some(at) = revealed_at {
            assert!(at >= author_at.unwrap() && at >= reviewer_at.unwrap() && at <= NOW);
            revealed += 1;
            correct += scored.unwrap();
        }
        if let (Some(q), Some(a)) = (quality, &answer) {
            assert!((1..=5).contains(&q));
            if a == "none" {
                other_quality.push(q as f64);
            } else {
                ai_quality.push(q as f64);
            }
        }
    }
    let accuracy = correct as f64 / revealed as f64;
    let mean = |xs: &[f64]| xs.iter().sum::<f64>() / xs.len() as f64;
    let (ai, other) = (mean(&ai_quality), mean(&other_quality));
    eprintln!(
        "detective accuracy {accuracy:.3} over {revealed}; quality AI {ai:.2}, other {other:.2}"
    );
    assert!((0.6..=0.8).contains(&accuracy), "{accuracy}");
    assert!(ai < other && other - ai < 0.8, "{ai} vs {other}");
}

#[tokio::test]
async fn demo_people_have_roles_and_one_slack_user_each() {
    let (_guard, db, made) = seeded(11).await;
    let org = made.org;
    let mut conn = db.pool().acquire().await.unwrap();
    let o = orgs::get(&mut conn, org).await.unwrap();
    assert_eq!(
        (
            o.slack_team_id.as_str(),
            o.name.as_str(),
            o.time_zone.as_str()
        ),
        ("TDEMO0001", "Acme (demo)", demo::TIME_ZONE)
    );
    assert_eq!(o.installed_by_slack_user_id.as_deref(), Some("UDEMOADMIN"));

    let doubles = count(
        &db,
        "select count(*) from (select person_id from person_identity where org_id = $1 and provider = 'slack'
            group by person_id having count(*) > 1) d",
        org,
    )
    .await;
    assert_eq!(doubles, 0, "nobody is matched to two Slack users");
    let humans = count(
        &db,
        "select count(*) from person where org_id = $1 and is_bot = 0",
        org,
    )
    .await;
    let with_slack = count(
        &db,
        "select count(distinct i.person_id) from person_identity i join person p on p.person_id = i.person_id
        where i.org_id = $1 and i.provider = 'slack' and p.is_bot = 0",
        org,
    )
    .await;
    assert_eq!(with_slack, humans);
    for provider in ["github", "jira", "email"] {
        let sql = format!(
            "select count(distinct person_id) from person_identity where org_id = $1 and provider = '{provider}'"
        );
        let n = count(&db, &sql, org).await;
        assert!(n >= humans, "{provider}: {n}");
    }

    assert_eq!(
        roles::get(&mut conn, org, "UDEMOADMIN").await.unwrap(),
        Role::Admin
    );
    assert_eq!(
        roles::get(&mut conn, org, "UDEMOLEAD").await.unwrap(),
        Role::Lead
    );
    assert_eq!(
        roles::get(&mut conn, org, "UDEMODEV").await.unwrap(),
        Role::Developer
    );
    let platform = teams::list(&mut conn, org)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.slug == "platform")
        .unwrap();
    assert_eq!(
        roles::teams_led(&mut conn, org, "UDEMOLEAD").await.unwrap(),
        vec![platform.id]
    );
    assert_eq!(
        roles::any_lead(&mut conn, org).await.unwrap().as_deref(),
        Some("UDEMOLEAD")
    );
    let developer = aimpact::store::people::find_by_identity(
        &mut conn,
        org,
        aimpact::domain::Provider::Slack,
        "UDEMODEV",
    )
    .await
    .unwrap()
    .unwrap();
    assert!(
        teams::members(&mut conn, org, platform.id)
            .await
            .unwrap()
            .contains(&developer.id)
    );
    let preview_developer = roles::any_developer(&mut conn, org).await.unwrap().unwrap();
    assert!(!["UDEMOADMIN", "UDEMOLEAD"].contains(&preview_developer.as_str()));
}
