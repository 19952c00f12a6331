//! What several benchmarks share: a synthetic org and timing reports.
#![allow(dead_code)]

use std::time::Duration;

use aimpact::domain::{OrgId, PersonId, Provider};
use aimpact::store::people::{self, LinkSource};
use aimpact::store::pull_requests::{self, PullRequestRow, ReviewRow};
use aimpact::store::repositories::{self, NewRepository};
use aimpact::store::{integrations, orgs, teams, unix_now};

pub const DAY: i64 = 86_400;

pub fn percentile(sorted: &[Duration], q: f64) -> Duration {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

pub fn report(what: &str, mut times: Vec<Duration>) {
    times.sort();
    println!(
        "{what}: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms ({} runs)",
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.95).as_secs_f64() * 1e3,
        times.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
        times.len()
    );
}

/// 50 people in 5 teams, 6 repositories, `prs` merged PRs spread over 180
/// days with one review each.
pub async fn seed(db: &aimpact::store::Db, prs: usize) -> anyhow::Result<OrgId> {
    let mut tx = db.begin_write().await?;
    let org = orgs::upsert_installation(&mut tx, "TBENCH", "Bench", Some("U1"))
        .await?
        .id;
    integrations::upsert(&mut tx, org, "github", "connected", Some("bench"), None).await?;
    let mut people_ids: Vec<PersonId> = Vec::new();
    for i in 0..50 {
        let p = people::create(&mut tx, org, &format!("Person {i}"), false).await?;
        people::link_identity(
            &mut tx,
            org,
            p,
            Provider::Github,
            &format!("dev{i}"),
            Some(&format!("dev{i}")),
            LinkSource::Auto,
        )
        .await?;
        people_ids.push(p);
    }
    for t in 0..5 {
        let team = teams::upsert(
            &mut tx,
            org,
            &format!("team{t}"),
            &format!("Team {t}"),
            None,
        )
        .await?;
        for p in people_ids.iter().skip(t * 10).take(10) {
            teams::add_member(&mut tx, org, team, *p).await?;
        }
    }
    let mut repos = Vec::new();
    for r in 0..6 {
        let id = repositories::upsert(
            &mut tx,
            org,
            &NewRepository {
                github_repo_id: &format!("R{r}"),
                owner: "bench",
                name: &format!("repo{r}"),
                default_branch: Some("main"),
                is_private: true,
                is_archived: false,
                is_fork: false,
            },
        )
        .await?;
        repositories::set_tracked(&mut tx, org, id, true).await?;
        repos.push(id);
    }
    let now = unix_now();
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for i in 0..prs {
        let merged = now - (next() % (180 * DAY as u64)) as i64;
        let cycle = 3600 + (next() % (6 * DAY as u64)) as i64;
        let author = people_ids[i % people_ids.len()];
        let reviewer = people_ids[(i + 7) % people_ids.len()];
        let row = PullRequestRow {
            repository: Some(repos[i % repos.len()]),
            github_pr_id: format!("PR{i}"),
            number: i as i64,
            title: format!("Change {i}"),
            author: Some(author),
            author_login: Some(format!("dev{}", i % 50)),
            state: "merged".into(),
            opened_at: merged - cycle,
            merged_at: Some(merged),
            github_updated_at: merged,
            ready_at: merged - cycle,
            first_review_at: Some(merged - cycle / 3),
            pickup_time: Some(cycle * 2 / 3),
            review_time: Some(cycle / 3),
            cycle_time: Some(cycle),
            size: (next() % 800) as i64,
            ai_detected: next() % 3 == 0,
            ..PullRequestRow::default()
        };
        let id = pull_requests::upsert(&mut tx, org, &row).await?;
        pull_requests::upsert_review(
            &mut tx,
            org,
            id,
            &ReviewRow {
                github_review_id: format!("RV{i}"),
                reviewer: Some(reviewer),
                reviewer_login: format!("dev{}", (i + 7) % 50),
                state: "APPROVED".into(),
                submitted_at: Some(merged - cycle / 3),
                is_bot: false,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(org)
}
