//! PR surveys: the author's answer to "did AI help with this PR?" and each
//! reviewer's quality rating and AI Detective guess, with the reveal.
//!
//! Storage only: when to send, remind, expire and reveal is the survey
//! feature's business. One author survey per PR (`pr_survey`) and one
//! review survey per reviewer of it (`survey_review`); creating either
//! twice is a no-op, so a repeated webhook never asks twice.

use sqlx::{AnyConnection, Row};

use super::{StoreError, StoreResult, unix_now};
use crate::domain::{OrgId, PersonId, PullRequestId};

/// An author survey inside an org.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SurveyId(pub i64);

/// A reviewer's survey inside an org.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SurveyReviewId(pub i64);

/// Created, waiting for `send_after`.
pub const PENDING: &str = "pending";
/// Delivered to Slack, not answered yet.
pub const SENT: &str = "sent";
/// Answered.
pub const ANSWERED: &str = "answered";
/// Not answered before `expires_at`.
pub const EXPIRED: &str = "expired";

/// The author's answer (METRICS.md "AI signals → Self-reported").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AiAnswer {
    /// No AI.
    None,
    /// "AI helped with parts".
    Some,
    /// "Mostly AI-written".
    Most,
}

impl AiAnswer {
    /// The stored spelling: `none`, `some`, `most`.
    pub fn as_str(self) -> &'static str {
        match self {
            AiAnswer::None => "none",
            AiAnswer::Some => "some",
            AiAnswer::Most => "most",
        }
    }

    /// Reads a stored answer; `None` for anything else.
    pub fn parse(stored: &str) -> Option<AiAnswer> {
        match stored {
            "none" => Some(AiAnswer::None),
            "some" => Some(AiAnswer::Some),
            "most" => Some(AiAnswer::Most),
            _ => None,
        }
    }

    /// *AI-assisted (self-reported)*: `some` or `most`.
    pub fn is_ai_assisted(self) -> bool {
        matches!(self, AiAnswer::Some | AiAnswer::Most)
    }
}

/// The author's survey of a merged PR.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SurveyRow {
    /// The PR asked about.
    pub pull_request: Option<PullRequestId>,
    /// Its author, who is asked.
    pub author: Option<PersonId>,
    /// [`PENDING`], [`SENT`], [`ANSWERED`] or [`EXPIRED`].
    pub status: String,
    /// The DM channel the question went to.
    pub slack_channel_id: Option<String>,
    /// The message's `ts`, to update it in place.
    pub slack_message_ts: Option<String>,
    /// Not sent before this instant.
    pub send_after: Option<i64>,
    /// When sent.
    pub sent_at: Option<i64>,
    /// When the one reminder went out.
    pub reminded_at: Option<i64>,
    /// No answers taken after this instant.
    pub expires_at: Option<i64>,
    /// The answer, once given.
    pub ai_answer: Option<AiAnswer>,
    /// Tools the author named (stored as a JSON array).
    pub ai_tools: Vec<String>,
    /// When answered.
    pub answered_at: Option<i64>,
}

/// A reviewer's survey of a PR they reviewed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SurveyReviewRow {
    /// The reviewer, who is asked.
    pub reviewer: Option<PersonId>,
    /// [`PENDING`], [`SENT`], [`ANSWERED`] or [`EXPIRED`].
    pub status: String,
    /// The DM channel the question went to.
    pub slack_channel_id: Option<String>,
    /// The message's `ts`.
    pub slack_message_ts: Option<String>,
    /// Not sent before this instant.
    pub send_after: Option<i64>,
    /// When sent.
    pub sent_at: Option<i64>,
    /// When the one reminder went out.
    pub reminded_at: Option<i64>,
    /// No answers taken after this instant.
    pub expires_at: Option<i64>,
    /// Quality, 1 (poor) to 5 (excellent).
    pub quality_rating: Option<i64>,
    /// "Was AI used?"
    pub ai_guess: Option<bool>,
    /// When answered.
    pub answered_at: Option<i64>,
    /// Whether the guess matched the author's answer, once both answered.
    pub guess_correct: Option<bool>,
    /// When the reviewer was shown the author's answer.
    pub revealed_at: Option<i64>,
}

/// Creates the author survey of a PR. `Ok(None)` when the PR already has
/// one (nothing changes); not found when the PR or the author is not the
/// org's.
pub async fn create(
    conn: &mut AnyConnection,
    org: OrgId,
    survey: &SurveyRow,
) -> StoreResult<Option<SurveyId>> {
    const SQL: &str = "insert into pr_survey (org_id, pull_request_id, author_person_id, status, slack_channel_id,
            slack_message_ts, send_after, sent_at, reminded_at, expires_at, ai_answer, ai_tools, answered_at,
            created_at, updated_at)
        select $1, p.pull_request_id, a.person_id, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14
        from pull_request p join person a on a.org_id = p.org_id
        where p.org_id = $1 and p.pull_request_id = $2 and a.person_id = $3
        on conflict (org_id, pull_request_id) do nothing
        returning pr_survey_id";
    const EXISTS: &str =
        "select count(*) from pr_survey where org_id = $1 and pull_request_id = $2";
    let pr = survey.pull_request.ok_or(StoreError::NotFound)?;
    let author = survey.author.ok_or(StoreError::NotFound)?;
    let tools = serde_json::to_string(&survey.ai_tools).unwrap_or_else(|_| "[]".into());
    let id: Option<i64> = sqlx::query_scalar(SQL)
        .bind(org.get())
        .bind(pr.0)
        .bind(author.0)
        .bind(&survey.status)
        .bind(survey.slack_channel_id.as_deref())
        .bind(survey.slack_message_ts.as_deref())
        .bind(survey.send_after)
        .bind(survey.sent_at)
        .bind(survey.reminded_at)
        .bind(survey.expires_at)
        .bind(survey.ai_answer.map(AiAnswer::as_str))
        .bind(tools)
        .bind(survey.answered_at)
        .bind(unix_now())
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(id) = id {
        return Ok(Some(SurveyId(id)));
    }
    let existing: i64 = sqlx::query_scalar(EXISTS)
        .bind(org.get())
        .bind(pr.0)
        .fetch_one(conn)
        .await?;
    if existing > 0 {
        Ok(None)
    } else {
        Err(StoreError::NotFound)
    }
}

fn survey_from_row(r: &sqlx::any::AnyRow) -> Result<(SurveyId, SurveyRow), sqlx::Error> {
    let answer: Option<String> = r.try_get("ai_answer")?;
    let tools: String = r.try_get("ai_tools")?;
    Ok((
        SurveyId(r.try_get("pr_survey_id")?),
        SurveyRow {
            pull_request: Some(PullRequestId(r.try_get("pull_request_id")?)),
            author: Some(PersonId(r.try_get("author_person_id")?)),
            status: r.try_get("status")?,
            slack_channel_id: r.try_get("slack_channel_id")?,
            slack_message_ts: r.try_get("slack_message_ts")?,
            send_after: r.try_get("send_after")?,
            sent_at: r.try_get("sent_at")?,
            reminded_at: r.try_get("reminded_at")?,
            expires_at: r.try_get("expires_at")?,
            ai_answer: answer.as_deref().and_then(AiAnswer::parse),
            ai_tools: serde_json::from_str(&tools).unwrap_or_default(),
            answered_at: r.try_get("answered_at")?,
        },
    ))
}

/// The author survey of a PR, if any.
pub async fn find_by_pr(
    conn: &mut AnyConnection,
    org: OrgId,
    pr: PullRequestId,
) -> StoreResult<Option<(SurveyId, SurveyRow)>> {
    const SQL: &str = "select pr_survey_id, pull_request_id, author_person_id, status, slack_channel_id,
            slack_message_ts, send_after, sent_at, reminded_at, expires_at, ai_answer, ai_tools, answered_at
        from pr_survey where org_id = $1 and pull_request_id = $2";
    let row = sqlx::query(SQL)
        .bind(org.get())
        .bind(pr.0)
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(survey_from_row).transpose()?)
}

/// Creates a reviewer's survey for an author survey. `Ok(None)` when that
/// reviewer already has one; not found when the survey or the reviewer is
/// not the org's.
pub async fn create_review(
    conn: &mut AnyConnection,
    org: OrgId,
    survey: SurveyId,
    review: &SurveyReviewRow,
) -> StoreResult<Option<SurveyReviewId>> {
    const SQL: &str = "insert into survey_review (org_id, pr_survey_id, reviewer_person_id, status, slack_channel_id,
            slack_message_ts, send_after, sent_at, reminded_at, expires_at, quality_rating, ai_guess, answered_at,
            guess_correct, revealed_at, created_at, updated_at)
        select $1, s.pr_survey_id, w.person_id, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16
        from pr_survey s join person w on w.org_id = s.org_id
        where s.org_id = $1 and s.pr_survey_id = $2 and w.person_id = $3
        on conflict (pr_survey_id, reviewer_person_id) do nothing
        returning survey_review_id";
    const EXISTS: &str = "select count(*) from survey_review
        where org_id = $1 and pr_survey_id = $2 and reviewer_person_id = $3";
    let reviewer = review.reviewer.ok_or(StoreError::NotFound)?;
    let id: Option<i64> = sqlx::query_scalar(SQL)
        .bind(org.get())
        .bind(survey.0)
        .bind(reviewer.0)
        .bind(&review.status)
        .bind(review.slack_channel_id.as_deref())
        .bind(review.slack_message_ts.as_deref())
        .bind(review.send_after)
        .bind(review.sent_at)
        .bind(review.reminded_at)
        .bind(review.expires_at)
        .bind(review.quality_rating)
        .bind(review.ai_guess.map(i64::from))
        .bind(review.answered_at)
        .bind(review.guess_correct.map(i64::from))
        .bind(review.revealed_at)
        .bind(unix_now())
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(id) = id {
        return Ok(Some(SurveyReviewId(id)));
    }
    let existing: i64 = sqlx::query_scalar(EXISTS)
        .bind(org.get())
        .bind(survey.0)
        .bind(reviewer.0)
        .fetch_one(conn)
        .await?;
    if existing > 0 {
        Ok(None)
    } else {
        Err(StoreError::NotFound)
    }
}

/// The reviewer surveys of an author survey, oldest first.
pub async fn reviews(
    conn: &mut AnyConnection,
    org: OrgId,
    survey: SurveyId,
) -> StoreResult<Vec<(SurveyReviewId, SurveyReviewRow)>> {
    const SQL: &str = "select survey_review_id, reviewer_person_id, status, slack_channel_id, slack_message_ts,
            send_after, sent_at, reminded_at, expires_at, quality_rating, ai_guess, answered_at, guess_correct,
            revealed_at
        from survey_review where org_id = $1 and pr_survey_id = $2 order by survey_review_id";
    let rows = sqlx::query(SQL)
        .bind(org.get())
        .bind(survey.0)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                SurveyReviewId(r.try_get("survey_review_id")?),
                SurveyReviewRow {
                    reviewer: Some(PersonId(r.try_get("reviewer_person_id")?)),
                    status: r.try_get("status")?,
                    slack_channel_id: r.try_get("slack_channel_id")?,
                    slack_message_ts: r.try_get("slack_message_ts")?,
                    send_after: r.try_get("send_after")?,
                    sent_at: r.try_get("sent_at")?,
                    reminded_at: r.try_get("reminded_at")?,
                    expires_at: r.try_get("expires_at")?,
                    quality_rating: r.try_get("quality_rating")?,
                    ai_guess: r.try_get::<Option<i64>, _>("ai_guess")?.map(|g| g != 0),
                    answered_at: r.try_get("answered_at")?,
                    guess_correct: r
                        .try_get::<Option<i64>, _>("guess_correct")?
                        .map(|g| g != 0),
                    revealed_at: r.try_get("revealed_at")?,
                },
            ))
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Turns the org's surveys on or off (and their reminders).
pub async fn save_settings(
    conn: &mut AnyConnection,
    org: OrgId,
    enabled: bool,
    reminders: bool,
) -> StoreResult<()> {
    const SQL: &str =
        "insert into survey_setting (org_id, is_enabled, reminders_enabled, created_at, updated_at)
        values ($1, $2, $3, $4, $4)
        on conflict (org_id) do update set is_enabled = excluded.is_enabled,
            reminders_enabled = excluded.reminders_enabled, updated_at = excluded.updated_at";
    sqlx::query(SQL)
        .bind(org.get())
        .bind(i64::from(enabled))
        .bind(i64::from(reminders))
        .bind(unix_now())
        .execute(conn)
        .await?;
    Ok(())
}
