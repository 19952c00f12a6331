//! Who is asked about a merged PR, and from when. Runs inside the
//! transaction that records the "PR merged" event: the unique survey per
//! PR and per reviewer make a repeated event (or two racing workers) ask
//! nobody twice.
//!
//! A person who may be asked but is not matched to Slack yet still gets
//! their survey: it waits (it is not sent, nor given up) until they are
//! matched or it would have expired, and App Home tells admins how many
//! wait.

use super::schedule::{OPEN_FOR, next_working_time};
use crate::domain::{OrgId, PersonId, PullRequestId};
use crate::store::StoreResult;
use crate::store::surveys::{self, Delivery, SurveyReviewRow, SurveyRow, SurveyStatus, Target};

/// PRs merged longer ago than this are not surveyed (a replayed or late
/// event; memories fade).
pub const RECENT_SECS: i64 = 3 * 86_400;

/// What planning did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Planned {
    /// Surveys created: the author's and this many reviewers'.
    Created {
        /// Reviewer surveys.
        reviewers: usize,
        /// People asked who are not matched to Slack yet (their surveys
        /// wait for a match).
        waiting: Vec<PersonId>,
    },
    /// The PR already had its surveys.
    Already,
    /// Nobody asked, and why.
    Skipped(&'static str),
}

/// May be asked (once matched to Slack, if they are not yet).
fn askable(t: &Target) -> bool {
    !t.is_bot && !t.is_excluded && !t.opted_out
}

/// Plans the surveys of a PR merged at `merged_at`, seen at `now`.
pub async fn on_merged(
    conn: &mut sqlx::AnyConnection,
    org: OrgId,
    pr: PullRequestId,
    merged_at: i64,
    now: i64,
) -> StoreResult<Planned> {
    let settings = surveys::settings(&mut *conn, org).await?;
    if !settings.enabled {
        return Ok(Planned::Skipped("surveys are off"));
    }
    if merged_at < now - RECENT_SECS {
        return Ok(Planned::Skipped("merged too long ago"));
    }
    let (author, reviewers, repo) = surveys::targets(&mut *conn, org, pr).await?;
    if let Some(repo) = repo
        && !settings.repositories.is_empty()
        && !settings.repositories.contains(&repo)
    {
        return Ok(Planned::Skipped("repository not surveyed"));
    }
    let Some(author) = author else {
        return Ok(Planned::Skipped("author unknown"));
    };
    // The reveal needs the author's answer: without an author to ask,
    // reviewers are not asked either.
    if !askable(&author) {
        return Ok(Planned::Skipped("author cannot be asked"));
    }
    let mut waiting = Vec::new();
    if author.slack_user.is_none() {
        waiting.push(author.person);
    }
    let send_after = next_working_time(now, author.time_zone.as_deref());
    let row = SurveyRow {
        pull_request: Some(pr),
        author: Some(author.person),
        delivery: Delivery {
            status: SurveyStatus::Pending,
            send_after: Some(send_after),
            expires_at: Some(send_after + OPEN_FOR),
            ..Delivery::default()
        },
        ..SurveyRow::default()
    };
    let Some(survey) = surveys::create(&mut *conn, org, &row).await? else {
        return Ok(Planned::Already);
    };
    let mut asked = 0;
    for r in reviewers.iter().filter(|r| askable(r)) {
        let send_after = next_working_time(now, r.time_zone.as_deref());
        let review = SurveyReviewRow {
            reviewer: Some(r.person),
            delivery: Delivery {
                status: SurveyStatus::Pending,
                send_after: Some(send_after),
                expires_at: Some(send_after + OPEN_FOR),
                ..Delivery::default()
            },
            ..SurveyReviewRow::default()
        };
        if surveys::create_review(&mut *conn, org, survey, &review)
            .await?
            .is_some()
        {
            asked += 1;
            if r.slack_user.is_none() {
                waiting.push(r.person);
            }
        }
    }
    Ok(Planned::Created {
        reviewers: asked,
        waiting,
    })
}
