//! PR surveys: the author's answer to "did AI help with this PR?" and each
//! reviewer's quality rating and AI Detective guess, with the reveal.
//!
//! Storage only: when to send, remind, expire and reveal is the survey
//! feature's business. One author survey per PR (`pr_survey`) and one
//! review survey per reviewer of it (`survey_review`) hold the answers;
//! the delivery of every question, author's or reviewer's, is one state
//! machine in one table (`survey_delivery`, [`SurveyStatus`]), so each
//! transition is written once. Creating a survey twice is a no-op, so a
//! repeated webhook never asks twice.

use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Connection, Row};

use super::{StoreError, StoreResult, unix_now};
use crate::domain::{OrgId, PersonId, PullRequestId};

/// An author survey inside an org.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SurveyId(pub i64);

/// A reviewer's survey inside an org.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SurveyReviewId(pub i64);

/// Where a survey question is in its delivery (`survey_delivery.status`).
///
/// ```text
/// pending -> sending -> sent -> answered | expired
/// pending | sending -> skipped | failed      (final, never sent)
/// pending -> expired                         (never reached in time)
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SurveyStatus {
    /// Created, waiting for `send_after` (and for a Slack match).
    #[default]
    Pending,
    /// A worker is posting it right now (see `claimed_at`).
    Sending,
    /// Delivered to Slack, not answered yet.
    Sent,
    /// Answered.
    Answered,
    /// Not answered before `expires_at`.
    Expired,
    /// Never sent: the person opted out or can no longer be reached.
    Skipped,
    /// Slack refused the message for good (`failure` says why).
    Failed,
}

impl SurveyStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [SurveyStatus; 7] = [
        SurveyStatus::Pending,
        SurveyStatus::Sending,
        SurveyStatus::Sent,
        SurveyStatus::Answered,
        SurveyStatus::Expired,
        SurveyStatus::Skipped,
        SurveyStatus::Failed,
    ];

    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SurveyStatus::Pending => "pending",
            SurveyStatus::Sending => "sending",
            SurveyStatus::Sent => "sent",
            SurveyStatus::Answered => "answered",
            SurveyStatus::Expired => "expired",
            SurveyStatus::Skipped => "skipped",
            SurveyStatus::Failed => "failed",
        }
    }

    /// Reads a stored status; `None` for anything else.
    pub fn parse(stored: &str) -> Option<SurveyStatus> {
        SurveyStatus::ALL.into_iter().find(|s| s.as_str() == stored)
    }

    /// Not sent yet (waiting, or being posted).
    pub fn is_unsent(self) -> bool {
        matches!(self, SurveyStatus::Pending | SurveyStatus::Sending)
    }
}

impl std::fmt::Display for SurveyStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A claim older than this (a worker died mid-send) may be taken again.
pub const CLAIM_STALE_SECS: i64 = 1_200;

/// The delivery of one survey question to one person: the lifecycle author
/// and reviewer questions share (`survey_delivery`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delivery {
    /// Where it is in its lifecycle.
    pub status: SurveyStatus,
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
}

fn status_from(r: &sqlx::any::AnyRow) -> Result<SurveyStatus, sqlx::Error> {
    let stored: String = r.try_get("status")?;
    SurveyStatus::parse(&stored).ok_or_else(|| sqlx::Error::ColumnDecode {
        index: "status".into(),
        source: format!("unknown survey status {stored:?}").into(),
    })
}

fn delivery_from(r: &sqlx::any::AnyRow) -> Result<Delivery, sqlx::Error> {
    Ok(Delivery {
        status: status_from(r)?,
        slack_channel_id: r.try_get("slack_channel_id")?,
        slack_message_ts: r.try_get("slack_message_ts")?,
        send_after: r.try_get("send_after")?,
        sent_at: r.try_get("sent_at")?,
        reminded_at: r.try_get("reminded_at")?,
        expires_at: r.try_get("expires_at")?,
    })
}

/// Records the delivery of a question just created, inside the caller's
/// transaction.
async fn insert_delivery(
    conn: &mut AnyConnection,
    org: OrgId,
    kind: Kind,
    subject: i64,
    survey: SurveyId,
    person: PersonId,
    d: &Delivery,
) -> StoreResult<()> {
    const SQL: &str = "insert into survey_delivery (org_id, kind, subject_id, pr_survey_id, person_id, status,
            slack_channel_id, slack_message_ts, send_after, sent_at, reminded_at, expires_at, created_at, updated_at)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)";
    sqlx::query(SQL)
        .bind(org.get())
        .bind(kind.as_str())
        .bind(subject)
        .bind(survey.0)
        .bind(person.0)
        .bind(d.status.as_str())
        .bind(d.slack_channel_id.as_deref())
        .bind(d.slack_message_ts.as_deref())
        .bind(d.send_after)
        .bind(d.sent_at)
        .bind(d.reminded_at)
        .bind(d.expires_at)
        .bind(unix_now())
        .execute(conn)
        .await?;
    Ok(())
}

/// The delivery columns, for the queries that read a delivery `d`.
macro_rules! delivery_columns {
    () => {
        "d.status, d.slack_channel_id, d.slack_message_ts, d.send_after, d.sent_at, d.reminded_at, d.expires_at"
    };
}

/// The author's answer (docs/metrics.md "AI signals → Self-reported").
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
    /// The question's delivery to the author.
    pub delivery: Delivery,
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
    /// The question's delivery to the reviewer.
    pub delivery: Delivery,
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

/// Creates the author survey of a PR with its delivery. `Ok(None)` when
/// the PR already has one (nothing changes); not found when the PR or the
/// author is not the org's.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn create(
    conn: &mut AnyConnection,
    org: OrgId,
    survey: &SurveyRow,
) -> StoreResult<Option<SurveyId>> {
    const SQL: &str =
        "insert into pr_survey (org_id, pull_request_id, author_person_id, ai_answer, ai_tools,
            answered_at, created_at, updated_at)
        select $1, p.pull_request_id, a.person_id, $4, $5, $6, $7, $7
        from pull_request p join person a on a.org_id = p.org_id
        where p.org_id = $1 and p.pull_request_id = $2 and a.person_id = $3
        on conflict (org_id, pull_request_id) do nothing
        returning pr_survey_id";
    const EXISTS: &str =
        "select count(*) from pr_survey where org_id = $1 and pull_request_id = $2";
    let pr = survey.pull_request.ok_or(StoreError::NotFound)?;
    let author = survey.author.ok_or(StoreError::NotFound)?;
    let tools = serde_json::to_string(&survey.ai_tools).unwrap_or_else(|_| "[]".into());
    let mut tx = conn.begin().await?;
    let id: Option<i64> = sqlx::query_scalar(SQL)
        .bind(org.get())
        .bind(pr.0)
        .bind(author.0)
        .bind(survey.ai_answer.map(AiAnswer::as_str))
        .bind(tools)
        .bind(survey.answered_at)
        .bind(unix_now())
        .fetch_optional(&mut *tx)
        .await?;
    if let Some(id) = id {
        let id = SurveyId(id);
        insert_delivery(
            &mut tx,
            org,
            Kind::Author,
            id.0,
            id,
            author,
            &survey.delivery,
        )
        .await?;
        tx.commit().await?;
        return Ok(Some(id));
    }
    let existing: i64 = sqlx::query_scalar(EXISTS)
        .bind(org.get())
        .bind(pr.0)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    if existing > 0 {
        Ok(None)
    } else {
        Err(StoreError::NotFound)
    }
}

/// The author survey of a PR, if any.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn find_by_pr(
    conn: &mut AnyConnection,
    org: OrgId,
    pr: PullRequestId,
) -> StoreResult<Option<(SurveyId, SurveyRow)>> {
    const SQL: &str = concat!(
        "select s.pr_survey_id, s.pull_request_id, s.author_person_id, s.ai_answer, s.ai_tools, s.answered_at, ",
        delivery_columns!(),
        " from pr_survey s join survey_delivery d on d.org_id = s.org_id and d.kind = 'author'
            and d.subject_id = s.pr_survey_id
        where s.org_id = $1 and s.pull_request_id = $2"
    );
    let row = sqlx::query(SQL)
        .bind(org.get())
        .bind(pr.0)
        .fetch_optional(conn)
        .await?;
    let Some(r) = row else {
        return Ok(None);
    };
    let answer: Option<String> = r.try_get("ai_answer")?;
    let tools: String = r.try_get("ai_tools")?;
    Ok(Some((
        SurveyId(r.try_get("pr_survey_id")?),
        SurveyRow {
            pull_request: Some(PullRequestId(r.try_get("pull_request_id")?)),
            author: Some(PersonId(r.try_get("author_person_id")?)),
            delivery: delivery_from(&r)?,
            ai_answer: answer.as_deref().and_then(AiAnswer::parse),
            ai_tools: serde_json::from_str(&tools).unwrap_or_default(),
            answered_at: r.try_get("answered_at")?,
        },
    )))
}

/// Creates a reviewer's survey for an author survey, with its delivery.
/// `Ok(None)` when that reviewer already has one; not found when the
/// survey or the reviewer is not the org's.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn create_review(
    conn: &mut AnyConnection,
    org: OrgId,
    survey: SurveyId,
    review: &SurveyReviewRow,
) -> StoreResult<Option<SurveyReviewId>> {
    const SQL: &str =
        "insert into survey_review (org_id, pr_survey_id, reviewer_person_id, quality_rating,
            ai_guess, answered_at, guess_correct, revealed_at, created_at, updated_at)
        select $1, s.pr_survey_id, w.person_id, $4, $5, $6, $7, $8, $9, $9
        from pr_survey s join person w on w.org_id = s.org_id
        where s.org_id = $1 and s.pr_survey_id = $2 and w.person_id = $3
        on conflict (pr_survey_id, reviewer_person_id) do nothing
        returning survey_review_id";
    const EXISTS: &str = "select count(*) from survey_review
        where org_id = $1 and pr_survey_id = $2 and reviewer_person_id = $3";
    let reviewer = review.reviewer.ok_or(StoreError::NotFound)?;
    let mut tx = conn.begin().await?;
    let id: Option<i64> = sqlx::query_scalar(SQL)
        .bind(org.get())
        .bind(survey.0)
        .bind(reviewer.0)
        .bind(review.quality_rating)
        .bind(review.ai_guess.map(i64::from))
        .bind(review.answered_at)
        .bind(review.guess_correct.map(i64::from))
        .bind(review.revealed_at)
        .bind(unix_now())
        .fetch_optional(&mut *tx)
        .await?;
    if let Some(id) = id {
        insert_delivery(
            &mut tx,
            org,
            Kind::Reviewer,
            id,
            survey,
            reviewer,
            &review.delivery,
        )
        .await?;
        tx.commit().await?;
        return Ok(Some(SurveyReviewId(id)));
    }
    let existing: i64 = sqlx::query_scalar(EXISTS)
        .bind(org.get())
        .bind(survey.0)
        .bind(reviewer.0)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    if existing > 0 {
        Ok(None)
    } else {
        Err(StoreError::NotFound)
    }
}

/// The reviewer surveys of an author survey, oldest first.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn reviews(
    conn: &mut AnyConnection,
    org: OrgId,
    survey: SurveyId,
) -> StoreResult<Vec<(SurveyReviewId, SurveyReviewRow)>> {
    const SQL: &str = concat!(
        "select w.survey_review_id, w.reviewer_person_id, w.quality_rating, w.ai_guess, w.answered_at,
            w.guess_correct, w.revealed_at, ",
        delivery_columns!(),
        " from survey_review w join survey_delivery d on d.org_id = w.org_id and d.kind = 'reviewer'
            and d.subject_id = w.survey_review_id
        where w.org_id = $1 and w.pr_survey_id = $2 order by w.survey_review_id"
    );
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
                    delivery: delivery_from(r)?,
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

/// An org's survey settings (`survey_setting`); without a row surveys
/// are off: nothing reaches people until an admin turns them on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Surveys are sent.
    pub enabled: bool,
    /// The one reminder after 24 hours is sent.
    pub reminders: bool,
    /// Repositories whose merged PRs are surveyed; empty means every
    /// tracked repository.
    pub repositories: Vec<i64>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            enabled: false,
            reminders: true,
            repositories: Vec::new(),
        }
    }
}

/// The org's survey settings (the defaults when never saved).
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn settings(conn: &mut AnyConnection, org: OrgId) -> StoreResult<Settings> {
    const SQL: &str = "select is_enabled, reminders_enabled, repository_filter
        from survey_setting where org_id = $1";
    let row = sqlx::query(SQL)
        .bind(org.get())
        .fetch_optional(conn)
        .await?;
    let Some(row) = row else {
        return Ok(Settings::default());
    };
    let repos: String = row.try_get("repository_filter")?;
    Ok(Settings {
        enabled: super::flag(&row, "is_enabled")?,
        reminders: super::flag(&row, "reminders_enabled")?,
        repositories: serde_json::from_str(&repos).unwrap_or_default(),
    })
}

/// Saves the org's survey settings.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn save_settings(
    conn: &mut AnyConnection,
    org: OrgId,
    settings: &Settings,
) -> StoreResult<()> {
    const SQL: &str =
        "insert into survey_setting (org_id, is_enabled, reminders_enabled, repository_filter,
            created_at, updated_at)
        values ($1, $2, $3, $4, $5, $5)
        on conflict (org_id) do update set is_enabled = excluded.is_enabled,
            reminders_enabled = excluded.reminders_enabled,
            repository_filter = excluded.repository_filter, updated_at = excluded.updated_at";
    let repos = serde_json::to_string(&settings.repositories).unwrap_or_else(|_| "[]".into());
    sqlx::query(SQL)
        .bind(org.get())
        .bind(i64::from(settings.enabled))
        .bind(i64::from(settings.reminders))
        .bind(repos)
        .bind(unix_now())
        .execute(conn)
        .await?;
    Ok(())
}

/// Which of the two survey messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Kind {
    /// The author's "did AI help?".
    Author,
    /// A reviewer's rating and AI Detective guess.
    Reviewer,
}

impl Kind {
    /// The stored spelling (`survey_delivery.kind`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Author => "author",
            Kind::Reviewer => "reviewer",
        }
    }
}

/// The PR a survey is about, as its messages show it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrSummary {
    /// PR number.
    pub number: i64,
    /// Title.
    pub title: String,
    /// Repository owner.
    pub owner: String,
    /// Repository name.
    pub repo: String,
    /// Lines added plus deleted.
    pub size: i64,
    /// First commit (or open) to merge, seconds.
    pub cycle_time: Option<i64>,
    /// The author's display name.
    pub author_name: String,
    /// When merged.
    pub merged_at: Option<i64>,
}

impl PrSummary {
    /// The PR's page on GitHub.
    pub fn url(&self) -> String {
        format!(
            "https://github.com/{}/{}/pull/{}",
            self.owner, self.repo, self.number
        )
    }
}

/// One survey message with everything its DM, reminder, expiry and
/// reveal need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Author or reviewer survey.
    pub kind: Kind,
    /// `pr_survey_id` or `survey_review_id`.
    pub id: i64,
    /// The author survey (the item itself, for authors).
    pub survey: SurveyId,
    /// Who is asked.
    pub person: PersonId,
    /// Their Slack user (`U…`), when matched.
    pub slack_user: Option<String>,
    /// Their Slack time zone (IANA), when known.
    pub time_zone: Option<String>,
    /// Whether they opted out of surveys.
    pub opted_out: bool,
    /// Where its delivery is.
    pub status: SurveyStatus,
    /// The DM channel, once sent.
    pub channel: Option<String>,
    /// The message, once sent.
    pub ts: Option<String>,
    /// Not sent before.
    pub send_after: Option<i64>,
    /// When sent.
    pub sent_at: Option<i64>,
    /// When reminded.
    pub reminded_at: Option<i64>,
    /// Answers refused from then on.
    pub expires_at: Option<i64>,
    /// When this person answered (for reviewers: both questions).
    pub answered_at: Option<i64>,
    /// The PR.
    pub pr: PrSummary,
    /// The author's answer (for reviewer items too: the reveal needs it).
    pub ai_answer: Option<AiAnswer>,
    /// The author's tools.
    pub ai_tools: Vec<String>,
    /// Reviewer: quality 1–5.
    pub rating: Option<i64>,
    /// Reviewer: "AI helped write it?".
    pub guess: Option<bool>,
    /// Reviewer: whether the guess was right, once revealed.
    pub guess_correct: Option<bool>,
    /// Reviewer: when revealed.
    pub revealed_at: Option<i64>,
}

/// Every survey message (`d` is its delivery) with what its DM, reminder,
/// expiry and reveal show: one query for both kinds.
macro_rules! items {
    ($($where:expr),+ $(,)?) => {
        concat!(
            "select d.kind, d.subject_id as id, d.pr_survey_id as survey_id, d.person_id,
                pe.slack_time_zone, pe.survey_opt_out,
                (select min(i.external_id) from person_identity i where i.org_id = d.org_id
                    and i.person_id = d.person_id and i.provider = 'slack') as slack_user, ",
            delivery_columns!(),
            ", case when d.kind = 'author' then s.answered_at else w.answered_at end as answered_at,
                p.number, p.title, r.owner, r.name as repo_name, p.additions + p.deletions as pr_size,
                p.cycle_time, p.merged_at, au.display_name as author_name, s.ai_answer, s.ai_tools,
                w.quality_rating, w.ai_guess, w.guess_correct, w.revealed_at
            from survey_delivery d
            join pr_survey s on s.org_id = d.org_id and s.pr_survey_id = d.pr_survey_id
            left join survey_review w on d.kind = 'reviewer' and w.org_id = d.org_id
                and w.survey_review_id = d.subject_id
            join pull_request p on p.org_id = s.org_id and p.pull_request_id = s.pull_request_id
            join repository r on r.org_id = p.org_id and r.repository_id = p.repository_id
            join person pe on pe.org_id = d.org_id and pe.person_id = d.person_id
            join person au on au.org_id = s.org_id and au.person_id = s.author_person_id
            where d.org_id = $1 and ",
            $($where),+
        )
    };
}

/// A pending question whose person can be reached on Slack.
macro_rules! reachable {
    () => {
        "exists (select 1 from person_identity m where m.org_id = d.org_id and m.person_id = d.person_id
            and m.provider = 'slack')"
    };
}

fn item_from_row(r: &sqlx::any::AnyRow) -> Result<Item, sqlx::Error> {
    let kind: String = r.try_get("kind")?;
    let answer: Option<String> = r.try_get("ai_answer")?;
    let tools: String = r.try_get("ai_tools")?;
    let bit = |c: &str| -> Result<Option<bool>, sqlx::Error> {
        Ok(r.try_get::<Option<i64>, _>(c)?.map(|v| v != 0))
    };
    Ok(Item {
        kind: if kind == Kind::Author.as_str() {
            Kind::Author
        } else {
            Kind::Reviewer
        },
        id: r.try_get("id")?,
        survey: SurveyId(r.try_get("survey_id")?),
        person: PersonId(r.try_get("person_id")?),
        slack_user: r.try_get("slack_user")?,
        time_zone: r.try_get("slack_time_zone")?,
        opted_out: super::flag(r, "survey_opt_out")?,
        status: status_from(r)?,
        channel: r.try_get("slack_channel_id")?,
        ts: r.try_get("slack_message_ts")?,
        send_after: r.try_get("send_after")?,
        sent_at: r.try_get("sent_at")?,
        reminded_at: r.try_get("reminded_at")?,
        expires_at: r.try_get("expires_at")?,
        answered_at: r.try_get("answered_at")?,
        pr: PrSummary {
            number: r.try_get("number")?,
            title: r.try_get("title")?,
            owner: r.try_get("owner")?,
            repo: r.try_get("repo_name")?,
            size: r.try_get("pr_size")?,
            cycle_time: r.try_get("cycle_time")?,
            author_name: r.try_get("author_name")?,
            merged_at: r.try_get("merged_at")?,
        },
        ai_answer: answer.as_deref().and_then(AiAnswer::parse),
        ai_tools: serde_json::from_str(&tools).unwrap_or_default(),
        rating: r.try_get("quality_rating")?,
        guess: bit("ai_guess")?,
        guess_correct: bit("guess_correct")?,
        revealed_at: r.try_get("revealed_at")?,
    })
}

async fn items(
    conn: &mut AnyConnection,
    sql: &'static str,
    org: OrgId,
    a: i64,
    b: i64,
    c: &str,
) -> StoreResult<Vec<Item>> {
    let rows = sqlx::query(sql)
        .bind(org.get())
        .bind(a)
        .bind(b)
        .bind(c)
        .fetch_all(conn)
        .await?;
    Ok(rows
        .iter()
        .map(item_from_row)
        .collect::<Result<_, sqlx::Error>>()?)
}

/// One survey message of this org; `None` for an id of another org.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn item(
    conn: &mut AnyConnection,
    org: OrgId,
    kind: Kind,
    id: i64,
) -> StoreResult<Option<Item>> {
    const SQL: &str = items!("d.subject_id = $2 and $3 = $3 and d.kind = $4");
    Ok(items(conn, SQL, org, id, 0, kind.as_str())
        .await?
        .into_iter()
        .next())
}

/// Surveys due to be posted at `now` (pending, due and reachable, or
/// claimed by a worker that has not finished in [`CLAIM_STALE_SECS`]),
/// oldest first.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn due_sends(
    conn: &mut AnyConnection,
    org: OrgId,
    now: i64,
    limit: i64,
) -> StoreResult<Vec<Item>> {
    const SQL: &str = items!(
        "((d.status = 'pending' and d.send_after <= $2 and ",
        reachable!(),
        ") or (d.status = 'sending' and d.claimed_at < $2 - 1200))
        and $4 = $4 order by d.send_after, d.survey_delivery_id limit $3"
    );
    items(conn, SQL, org, now, limit, "").await
}

/// The survey message posted as `channel`/`ts`, if it is one of the org's.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn find_by_message(
    conn: &mut AnyConnection,
    org: OrgId,
    channel: &str,
    ts: &str,
) -> StoreResult<Option<Item>> {
    const SQL: &str = "select kind, subject_id from survey_delivery
        where org_id = $1 and slack_channel_id = $2 and slack_message_ts = $3";
    let row = sqlx::query(SQL)
        .bind(org.get())
        .bind(channel)
        .bind(ts)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let kind: String = row.try_get("kind")?;
    let kind = if kind == Kind::Author.as_str() {
        Kind::Author
    } else {
        Kind::Reviewer
    };
    item(conn, org, kind, row.try_get("subject_id")?).await
}

/// Sent, unanswered surveys 24 hours old that had no reminder yet.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn due_reminders(
    conn: &mut AnyConnection,
    org: OrgId,
    now: i64,
) -> StoreResult<Vec<Item>> {
    const SQL: &str = items!(
        "d.status = 'sent' and d.reminded_at is null and d.sent_at <= $2 - 86400 and d.expires_at > $2
            and $3 = $3 and $4 = $4 order by d.sent_at, d.survey_delivery_id"
    );
    items(conn, SQL, org, now, 0, "").await
}

/// Surveys past `expires_at` still open (sent, or never sent).
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn due_expiries(
    conn: &mut AnyConnection,
    org: OrgId,
    now: i64,
) -> StoreResult<Vec<Item>> {
    const SQL: &str = items!(
        "d.status in ('pending', 'sent') and d.expires_at <= $2 and $3 = $3 and $4 = $4
            order by d.expires_at, d.survey_delivery_id"
    );
    items(conn, SQL, org, now, 0, "").await
}

/// Reviewer surveys answered in full whose author has answered too and
/// that were not revealed yet.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn due_reveals(conn: &mut AnyConnection, org: OrgId) -> StoreResult<Vec<Item>> {
    const SQL: &str = items!(
        "d.kind = 'reviewer' and d.status = 'answered' and w.revealed_at is null and s.ai_answer is not null
            and $2 = $3 and $4 = $4 order by w.answered_at, d.survey_delivery_id"
    );
    items(conn, SQL, org, 0, 0, "").await
}

/// A person's surveys still open for answers at `now`, newest first.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn open_for(
    conn: &mut AnyConnection,
    org: OrgId,
    person: PersonId,
    now: i64,
) -> StoreResult<Vec<Item>> {
    const SQL: &str = items!(
        "d.person_id = $2 and d.status = 'sent' and d.expires_at > $3 and $4 = $4
            order by d.sent_at desc, d.kind, d.survey_delivery_id desc"
    );
    items(conn, SQL, org, person.0, now, "").await
}

/// Whether the delivery job has anything to do for the org at `now`.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn has_due_work(conn: &mut AnyConnection, org: OrgId, now: i64) -> StoreResult<bool> {
    const SQL: &str = concat!(
        "select count(*) from survey_delivery d where d.org_id = $1 and (
            (d.status = 'pending' and d.send_after <= $2 and ",
        reachable!(),
        ") or (d.status = 'sending' and d.claimed_at < $2 - 1200)
            or (d.status in ('pending', 'sent') and d.expires_at <= $2)
            or (d.status = 'sent' and d.reminded_at is null and d.sent_at <= $2 - 86400)
            or (d.kind = 'reviewer' and d.status = 'answered'
                and exists (select 1 from survey_review w join pr_survey s
                        on s.org_id = w.org_id and s.pr_survey_id = w.pr_survey_id
                    where w.org_id = d.org_id and w.survey_review_id = d.subject_id
                        and w.revealed_at is null and s.ai_answer is not null)))"
    );
    let n: i64 = sqlx::query_scalar(SQL)
        .bind(org.get())
        .bind(now)
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}

/// People with open surveys that wait for a Slack match (pending, not
/// expired, and no Slack account linked), most waiting first.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn waiting_for_match(
    conn: &mut AnyConnection,
    org: OrgId,
    now: i64,
) -> StoreResult<Vec<(PersonId, i64)>> {
    const SQL: &str = concat!(
        "select d.person_id, count(*) as n from survey_delivery d
        where d.org_id = $1 and d.status = 'pending' and d.expires_at > $2 and not ",
        reachable!(),
        " group by d.person_id order by n desc, d.person_id"
    );
    let rows = sqlx::query(SQL)
        .bind(org.get())
        .bind(now)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| Ok((PersonId(r.try_get("person_id")?), r.try_get("n")?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Runs one transition of a question's delivery; true when it happened
/// (the `where` of `sql` says from which states).
async fn transition(
    conn: &mut AnyConnection,
    sql: &'static str,
    org: OrgId,
    kind: Kind,
    id: i64,
    binds: &[Bind<'_>],
) -> StoreResult<bool> {
    let mut q = sqlx::query(sql)
        .bind(org.get())
        .bind(kind.as_str())
        .bind(id);
    for b in binds {
        q = match b {
            Bind::Int(v) => q.bind(*v),
            Bind::Text(v) => q.bind(*v),
        };
    }
    let done = q.bind(unix_now()).execute(conn).await?;
    Ok(done.rows_affected() == 1)
}

/// A value bound after `(org, kind, id)` in a [`transition`].
enum Bind<'a> {
    Int(i64),
    Text(&'a str),
}

/// Takes a due survey for posting; false when another worker has it or
/// it is no longer due. Exactly one of several racing workers wins.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn claim(
    conn: &mut AnyConnection,
    org: OrgId,
    kind: Kind,
    id: i64,
    now: i64,
) -> StoreResult<bool> {
    const SQL: &str = "update survey_delivery set status = 'sending', claimed_at = $4, updated_at = $5
        where org_id = $1 and kind = $2 and subject_id = $3 and ((status = 'pending' and send_after <= $4)
            or (status = 'sending' and claimed_at < $4 - 1200))";
    transition(conn, SQL, org, kind, id, &[Bind::Int(now)]).await
}

/// Where and when a survey message was posted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    /// The DM channel (`D…`).
    pub channel: String,
    /// The message `ts`.
    pub ts: String,
    /// When.
    pub at: i64,
    /// Answers refused from then on.
    pub expires_at: i64,
}

/// Records the posted message of a claimed survey.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn mark_sent(
    conn: &mut AnyConnection,
    org: OrgId,
    kind: Kind,
    id: i64,
    posted: &Posted,
) -> StoreResult<()> {
    const SQL: &str = "update survey_delivery set status = 'sent', slack_channel_id = $4,
            slack_message_ts = $5, sent_at = $6, expires_at = $7, claimed_at = null, updated_at = $8
        where org_id = $1 and kind = $2 and subject_id = $3 and status = 'sending'";
    let binds = [
        Bind::Text(&posted.channel),
        Bind::Text(&posted.ts),
        Bind::Int(posted.at),
        Bind::Int(posted.expires_at),
    ];
    transition(conn, SQL, org, kind, id, &binds).await?;
    Ok(())
}

/// Puts a claimed survey back in the queue until `send_after` (quiet
/// hours began, or Slack could not be reached).
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn postpone(
    conn: &mut AnyConnection,
    org: OrgId,
    kind: Kind,
    id: i64,
    send_after: i64,
) -> StoreResult<()> {
    const SQL: &str =
        "update survey_delivery set status = 'pending', send_after = $4, claimed_at = null,
            updated_at = $5
        where org_id = $1 and kind = $2 and subject_id = $3 and status in ('pending', 'sending')";
    transition(conn, SQL, org, kind, id, &[Bind::Int(send_after)]).await?;
    Ok(())
}

/// How an unsent survey ends for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GiveUp {
    /// [`SurveyStatus::Skipped`]: opted out, or cannot be reached.
    Skip,
    /// [`SurveyStatus::Failed`]: Slack refused the message for good.
    Fail,
}

/// Ends an unsent survey for good, saying why.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn give_up(
    conn: &mut AnyConnection,
    org: OrgId,
    kind: Kind,
    id: i64,
    how: GiveUp,
    why: &str,
) -> StoreResult<()> {
    const SQL: &str =
        "update survey_delivery set status = $4, failure = $5, claimed_at = null, updated_at = $6
        where org_id = $1 and kind = $2 and subject_id = $3 and status in ('pending', 'sending')";
    let status = match how {
        GiveUp::Skip => SurveyStatus::Skipped,
        GiveUp::Fail => SurveyStatus::Failed,
    };
    let binds = [Bind::Text(status.as_str()), Bind::Text(why)];
    transition(conn, SQL, org, kind, id, &binds).await?;
    Ok(())
}

/// Takes a survey's one reminder; false when it was taken already.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn claim_reminder(
    conn: &mut AnyConnection,
    org: OrgId,
    kind: Kind,
    id: i64,
    now: i64,
) -> StoreResult<bool> {
    const SQL: &str = "update survey_delivery set reminded_at = $4, updated_at = $5
        where org_id = $1 and kind = $2 and subject_id = $3 and status = 'sent' and reminded_at is null";
    transition(conn, SQL, org, kind, id, &[Bind::Int(now)]).await
}

/// Closes an open survey past its expiry; false when it was answered or
/// closed meanwhile.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn expire(
    conn: &mut AnyConnection,
    org: OrgId,
    kind: Kind,
    id: i64,
    now: i64,
) -> StoreResult<bool> {
    const SQL: &str = "update survey_delivery set status = 'expired', updated_at = $5
        where org_id = $1 and kind = $2 and subject_id = $3 and status in ('pending', 'sent')
            and expires_at <= $4";
    transition(conn, SQL, org, kind, id, &[Bind::Int(now)]).await
}

/// What happened to an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answered {
    /// Stored now.
    Recorded(Item),
    /// No such survey in this org.
    NotFound,
    /// The survey is someone else's.
    NotYours,
    /// Already answered (the stored answer wins; a double click lands here).
    Already(Item),
    /// Past its expiry, or closed.
    Closed(Item),
}

async fn explain(
    conn: &mut AnyConnection,
    org: OrgId,
    kind: Kind,
    id: i64,
    person: PersonId,
    now: i64,
) -> StoreResult<Answered> {
    let Some(item) = item(conn, org, kind, id).await? else {
        return Ok(Answered::NotFound);
    };
    if item.person != person {
        return Ok(Answered::NotYours);
    }
    let closed = item.status == SurveyStatus::Expired
        || item.expires_at.is_some_and(|e| e <= now)
        || !matches!(item.status, SurveyStatus::Sent | SurveyStatus::Answered);
    if closed && item.answered_at.is_none() {
        return Ok(Answered::Closed(item));
    }
    Ok(Answered::Already(item))
}

/// Moves an open (sent, unexpired) question to answered; false when it
/// was not open. The first step of every answer, inside its transaction.
const ANSWER: &str = "update survey_delivery set status = 'answered', updated_at = $6
    where org_id = $1 and kind = $2 and subject_id = $3 and person_id = $4 and status = 'sent'
        and expires_at > $5";

/// Stores the author's answer once: only the author, only while the
/// survey is open, only the first answer.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn answer_author(
    conn: &mut AnyConnection,
    org: OrgId,
    id: i64,
    person: PersonId,
    answer: AiAnswer,
    now: i64,
) -> StoreResult<Answered> {
    const SQL: &str = "update pr_survey set ai_answer = $3, answered_at = $4, updated_at = $5
        where org_id = $1 and pr_survey_id = $2 and ai_answer is null";
    let mut tx = conn.begin().await?;
    let opened = sqlx::query(ANSWER)
        .bind(org.get())
        .bind(Kind::Author.as_str())
        .bind(id)
        .bind(person.0)
        .bind(now)
        .bind(unix_now())
        .execute(&mut *tx)
        .await?;
    if opened.rows_affected() == 1 {
        sqlx::query(SQL)
            .bind(org.get())
            .bind(id)
            .bind(answer.as_str())
            .bind(now)
            .bind(unix_now())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        let item = item(conn, org, Kind::Author, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        return Ok(Answered::Recorded(item));
    }
    tx.rollback().await?;
    explain(conn, org, Kind::Author, id, person, now).await
}

/// Adds a tool to an answered author survey's list (each tool once).
/// Returns the updated survey, or why not.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn add_tool(
    conn: &mut AnyConnection,
    org: OrgId,
    id: i64,
    person: PersonId,
    tool: &str,
    now: i64,
) -> StoreResult<Answered> {
    let Some(current) = item(conn, org, Kind::Author, id).await? else {
        return Ok(Answered::NotFound);
    };
    if current.person != person {
        return Ok(Answered::NotYours);
    }
    if current.expires_at.is_some_and(|e| e <= now) || current.status != SurveyStatus::Answered {
        return Ok(Answered::Closed(current));
    }
    if current.ai_tools.iter().any(|t| t == tool) {
        return Ok(Answered::Already(current));
    }
    let mut tools = current.ai_tools.clone();
    tools.push(tool.to_string());
    const SQL: &str = "update pr_survey set ai_tools = $4, updated_at = $5
        where org_id = $1 and pr_survey_id = $2 and ai_tools = $3";
    let done = sqlx::query(SQL)
        .bind(org.get())
        .bind(id)
        .bind(serde_json::to_string(&current.ai_tools).unwrap_or_else(|_| "[]".into()))
        .bind(serde_json::to_string(&tools).unwrap_or_else(|_| "[]".into()))
        .bind(unix_now())
        .execute(&mut *conn)
        .await?;
    let after = item(conn, org, Kind::Author, id)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(if done.rows_affected() == 1 {
        Answered::Recorded(after)
    } else {
        Answered::Already(after)
    })
}

/// Stores a reviewer's rating or guess once each; the survey counts as
/// answered when both are in.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn answer_review(
    conn: &mut AnyConnection,
    org: OrgId,
    id: i64,
    person: PersonId,
    rating: Option<i64>,
    guess: Option<bool>,
    now: i64,
) -> StoreResult<Answered> {
    // The part given now, while the question is open and that part empty.
    const PART: &str = "update survey_review set
            quality_rating = coalesce(quality_rating, $4),
            ai_guess = coalesce(ai_guess, $5),
            answered_at = case when coalesce(quality_rating, $4) is not null and coalesce(ai_guess, $5) is not null
                then $6 else answered_at end,
            updated_at = $7
        where org_id = $1 and survey_review_id = $2 and reviewer_person_id = $3
            and exists (select 1 from survey_delivery d where d.org_id = $1 and d.kind = 'reviewer'
                and d.subject_id = $2 and d.status = 'sent' and d.expires_at > $6)
            and ((quality_rating is null and coalesce(quality_rating, $4) is not null)
                or (ai_guess is null and coalesce(ai_guess, $5) is not null))";
    // Both parts in: the question is answered.
    const COMPLETE: &str = "select count(*) from survey_review
        where org_id = $1 and survey_review_id = $2 and quality_rating is not null and ai_guess is not null";
    let mut tx = conn.begin().await?;
    let done = sqlx::query(PART)
        .bind(org.get())
        .bind(id)
        .bind(person.0)
        .bind(rating)
        .bind(guess.map(i64::from))
        .bind(now)
        .bind(unix_now())
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 1 {
        let complete: i64 = sqlx::query_scalar(COMPLETE)
            .bind(org.get())
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        if complete > 0 {
            sqlx::query(ANSWER)
                .bind(org.get())
                .bind(Kind::Reviewer.as_str())
                .bind(id)
                .bind(person.0)
                .bind(now)
                .bind(unix_now())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        let item = item(conn, org, Kind::Reviewer, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        return Ok(Answered::Recorded(item));
    }
    tx.rollback().await?;
    let why = explain(conn, org, Kind::Reviewer, id, person, now).await?;
    // A partly answered survey is still open: a repeated click is "already".
    Ok(match why {
        Answered::Closed(item)
            if item.status == SurveyStatus::Sent && item.expires_at.is_some_and(|e| e > now) =>
        {
            Answered::Already(item)
        }
        other => other,
    })
}

/// Takes a reviewer's reveal, recording whether the guess was right;
/// false when it was revealed already.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn claim_reveal(
    conn: &mut AnyConnection,
    org: OrgId,
    review: i64,
    correct: bool,
    now: i64,
) -> StoreResult<bool> {
    const SQL: &str = "update survey_review set revealed_at = $3, guess_correct = $4, updated_at = $5
        where org_id = $1 and survey_review_id = $2 and revealed_at is null and ai_guess is not null";
    let done = sqlx::query(SQL)
        .bind(org.get())
        .bind(review)
        .bind(now)
        .bind(i64::from(correct))
        .bind(unix_now())
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A reviewer's AI Detective record: `(correct, revealed)` guesses
/// revealed since `since`.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn accuracy(
    conn: &mut AnyConnection,
    org: OrgId,
    person: PersonId,
    since: i64,
) -> StoreResult<(i64, i64)> {
    const SQL: &str =
        "select cast(coalesce(sum(guess_correct), 0) as bigint) as correct, count(*) as revealed
        from survey_review where org_id = $1 and reviewer_person_id = $2 and revealed_at >= $3
            and guess_correct is not null";
    let row = sqlx::query(SQL)
        .bind(org.get())
        .bind(person.0)
        .bind(since)
        .fetch_one(conn)
        .await?;
    Ok((row.try_get("correct")?, row.try_get("revealed")?))
}

/// Someone who may be asked about a PR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The person.
    pub person: PersonId,
    /// Their Slack user, when matched.
    pub slack_user: Option<String>,
    /// Their Slack time zone.
    pub time_zone: Option<String>,
    /// A bot account.
    pub is_bot: bool,
    /// Excluded by an admin.
    pub is_excluded: bool,
    /// Opted out of surveys.
    pub opted_out: bool,
}

fn target_from_row(r: &sqlx::any::AnyRow) -> Result<Target, sqlx::Error> {
    Ok(Target {
        person: PersonId(r.try_get("person_id")?),
        slack_user: r.try_get("slack_user")?,
        time_zone: r.try_get("slack_time_zone")?,
        is_bot: super::flag(r, "is_bot")?,
        is_excluded: super::flag(r, "is_excluded")?,
        opted_out: super::flag(r, "survey_opt_out")?,
    })
}

/// A merged PR's author and its human reviewers (people with at least one
/// review that is not a bot's and not the author's own), with whether each
/// may be asked.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn targets(
    conn: &mut AnyConnection,
    org: OrgId,
    pr: PullRequestId,
) -> StoreResult<(Option<Target>, Vec<Target>, Option<i64>)> {
    const AUTHOR: &str = "select pe.person_id, pe.slack_time_zone, pe.is_bot, pe.is_excluded, pe.survey_opt_out,
            (select min(i.external_id) from person_identity i where i.org_id = pe.org_id
                and i.person_id = pe.person_id and i.provider = 'slack') as slack_user,
            p.repository_id
        from pull_request p join person pe on pe.org_id = p.org_id and pe.person_id = p.author_person_id
        where p.org_id = $1 and p.pull_request_id = $2";
    const REVIEWERS: &str =
        "select pe.person_id, pe.slack_time_zone, pe.is_bot, pe.is_excluded, pe.survey_opt_out,
            (select min(i.external_id) from person_identity i where i.org_id = pe.org_id
                and i.person_id = pe.person_id and i.provider = 'slack') as slack_user
        from person pe
        where pe.org_id = $1 and pe.person_id in (
            select v.reviewer_person_id from pr_review v join pull_request p
                on p.org_id = v.org_id and p.pull_request_id = v.pull_request_id
            where v.org_id = $1 and v.pull_request_id = $2 and v.is_bot = 0
                and v.reviewer_person_id is not null
                and (p.author_person_id is null or v.reviewer_person_id <> p.author_person_id))
        order by pe.person_id";
    let author = sqlx::query(AUTHOR)
        .bind(org.get())
        .bind(pr.0)
        .fetch_optional(&mut *conn)
        .await?;
    let repo = author
        .as_ref()
        .map(|r| r.try_get::<i64, _>("repository_id"))
        .transpose()?;
    let author = author.as_ref().map(target_from_row).transpose()?;
    let rows = sqlx::query(REVIEWERS)
        .bind(org.get())
        .bind(pr.0)
        .fetch_all(conn)
        .await?;
    let reviewers = rows.iter().map(target_from_row).collect::<Result<_, _>>()?;
    Ok((author, reviewers, repo))
}

/// Skips a person's surveys that were not sent yet (they opted out).
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn skip_unsent_for(
    conn: &mut AnyConnection,
    org: OrgId,
    person: PersonId,
) -> StoreResult<u64> {
    const SQL: &str =
        "update survey_delivery set status = 'skipped', failure = 'opted out', updated_at = $3
        where org_id = $1 and person_id = $2 and status = 'pending'";
    Ok(sqlx::query(SQL)
        .bind(org.get())
        .bind(person.0)
        .bind(unix_now())
        .execute(conn)
        .await?
        .rows_affected())
}

/// One answered (or asked) survey question for `aimpact export surveys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportRow {
    /// `author` or `reviewer`.
    pub kind: &'static str,
    /// `owner/name`.
    pub repository: String,
    /// PR number.
    pub number: i64,
    /// When the PR merged (RFC 3339, UTC).
    pub merged_at: Option<String>,
    /// Who was asked.
    pub person: String,
    /// Survey status.
    pub status: String,
    /// When sent (RFC 3339).
    pub sent_at: Option<String>,
    /// When answered (RFC 3339).
    pub answered_at: Option<String>,
    /// Author: none / some / most.
    pub ai_answer: Option<String>,
    /// Author: tools, `;`-separated.
    pub ai_tools: String,
    /// Reviewer: quality 1–5.
    pub quality_rating: Option<i64>,
    /// Reviewer: guessed AI (`true`/`false`).
    pub ai_guess: Option<bool>,
    /// Reviewer: guess right, once revealed.
    pub guess_correct: Option<bool>,
}

fn rfc3339(t: Option<i64>) -> Option<String> {
    t.and_then(|t| chrono::DateTime::from_timestamp(t, 0))
        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// Every survey of the org, author then reviewers per PR, by merge time.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn export(conn: &mut AnyConnection, org: OrgId) -> StoreResult<Vec<ExportRow>> {
    const SQL: &str = items!("$2 = $3 and $4 = $4 order by p.merged_at, d.pr_survey_id");
    let mut all = items(conn, SQL, org, 0, 0, "").await?;
    let names: std::collections::HashMap<PersonId, String> = super::people::list(conn, org)
        .await?
        .into_iter()
        .map(|p| (p.id, p.display_name))
        .collect();
    all.sort_by_key(|i| (i.pr.merged_at, i.survey.0, i.kind == Kind::Reviewer, i.id));
    Ok(all
        .into_iter()
        .map(|i| {
            let reviewer = i.kind == Kind::Reviewer;
            ExportRow {
                kind: if reviewer { "reviewer" } else { "author" },
                repository: format!("{}/{}", i.pr.owner, i.pr.repo),
                number: i.pr.number,
                merged_at: rfc3339(i.pr.merged_at),
                person: names.get(&i.person).cloned().unwrap_or_default(),
                status: i.status.to_string(),
                sent_at: rfc3339(i.sent_at),
                answered_at: rfc3339(i.answered_at),
                ai_answer: if reviewer {
                    None
                } else {
                    i.ai_answer.map(|a| a.as_str().to_string())
                },
                ai_tools: if reviewer {
                    String::new()
                } else {
                    i.ai_tools.join(";")
                },
                quality_rating: i.rating,
                ai_guess: i.guess,
                guess_correct: i.guess_correct,
            }
        })
        .collect())
}

/// The newest survey of a kind in the org (previews show real data).
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn latest(conn: &mut AnyConnection, org: OrgId, kind: Kind) -> StoreResult<Option<Item>> {
    const SQL: &str = items!("$2 = $3 and d.kind = $4 order by d.subject_id desc limit 1");
    Ok(items(conn, SQL, org, 0, 0, kind.as_str())
        .await?
        .into_iter()
        .next())
}

/// Every reviewer rating of PRs merged in `[from, to)`:
/// `(pull request, rating 1–5, the author's answer)`.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn period_ratings(
    conn: &mut AnyConnection,
    org: OrgId,
    from: i64,
    to: i64,
) -> StoreResult<Vec<(i64, i64, Option<AiAnswer>)>> {
    const SQL: &str = "select p.pull_request_id, w.quality_rating, s.ai_answer
        from survey_review w
        join pr_survey s on s.org_id = w.org_id and s.pr_survey_id = w.pr_survey_id
        join pull_request p on p.org_id = s.org_id and p.pull_request_id = s.pull_request_id
        where w.org_id = $1 and p.merged_at >= $2 and p.merged_at < $3
            and w.quality_rating is not null
        order by p.pull_request_id, w.survey_review_id";
    let rows = sqlx::query(SQL)
        .bind(org.get())
        .bind(from)
        .bind(to)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            let answer: Option<String> = r.try_get("ai_answer")?;
            Ok((
                r.try_get("pull_request_id")?,
                r.try_get("quality_rating")?,
                answer.as_deref().and_then(AiAnswer::parse),
            ))
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Survey activity of a period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PeriodStats {
    /// Author surveys sent in the period.
    pub asked: i64,
    /// Of those, answered.
    pub answered: i64,
    /// Guesses revealed in the period.
    pub revealed: i64,
    /// Of those, correct.
    pub correct: i64,
}

/// Response rate and detective record of `[from, to)`, org-wide.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn period_stats(
    conn: &mut AnyConnection,
    org: OrgId,
    from: i64,
    to: i64,
) -> StoreResult<PeriodStats> {
    const SQL: &str = "select
        (select count(*) from survey_delivery where org_id = $1 and kind = 'author' and sent_at >= $2
            and sent_at < $3) as asked,
        (select count(*) from survey_delivery d join pr_survey s on s.org_id = d.org_id
                and s.pr_survey_id = d.subject_id
            where d.org_id = $1 and d.kind = 'author' and d.sent_at >= $2 and d.sent_at < $3
                and s.ai_answer is not null) as answered,
        (select count(*) from survey_review where org_id = $1 and revealed_at >= $2 and revealed_at < $3
            and guess_correct is not null) as revealed,
        (select count(*) from survey_review where org_id = $1 and revealed_at >= $2 and revealed_at < $3
            and guess_correct = 1) as correct";
    let r = sqlx::query(SQL)
        .bind(org.get())
        .bind(from)
        .bind(to)
        .fetch_one(conn)
        .await?;
    Ok(PeriodStats {
        asked: r.try_get("asked")?,
        answered: r.try_get("answered")?,
        revealed: r.try_get("revealed")?,
        correct: r.try_get("correct")?,
    })
}
