//! AI issue reports (`ai_report`) and the details added in the thread of
//! their confirmation (`ai_report_note`). Storage only: what a report means
//! and who may see it is the feedback capability's business.

use serde::Serialize;
use sqlx::{AnyConnection, Row};

use super::{StoreError, StoreResult, unix_now};
use crate::domain::{OrgId, PersonId, PullRequestId, RepositoryId};

/// A report inside an org.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct ReportId(pub i64);

/// A report as it is made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewReport {
    /// Who reported (`U…`).
    pub reporter_slack_user_id: String,
    /// Their person, when matched.
    pub reporter: Option<PersonId>,
    /// One of `blocks::feedback::CATEGORIES`.
    pub category: String,
    /// The assistant, one of the survey tools.
    pub tool: Option<String>,
    /// The pull request, which must be the org's.
    pub pull_request: Option<PullRequestId>,
    /// What happened.
    pub description: String,
    /// `shortcut`, `home`, `survey` or `reaction`.
    pub source: String,
    /// When it was reported; now when `None`.
    pub at: Option<i64>,
}

/// A stored report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Its id.
    pub id: ReportId,
    /// Who reported.
    pub reporter_slack_user_id: String,
    /// Their person, when matched.
    pub reporter: Option<PersonId>,
    /// The category.
    pub category: String,
    /// The assistant.
    pub tool: Option<String>,
    /// The PR.
    pub pull_request: Option<PullRequestId>,
    /// The PR's repository.
    pub repository: Option<RepositoryId>,
    /// `owner/name` of that repository.
    pub repository_name: Option<String>,
    /// Languages of the PR's changed files; `None` until fetched.
    pub languages: Option<Vec<String>>,
    /// What happened.
    pub description: String,
    /// Where it was reported.
    pub source: String,
    /// The thank-you DM's channel and `ts`.
    pub confirmation: Option<(String, String)>,
    /// When.
    pub created_at: i64,
    /// Details added in the thread, oldest first.
    pub notes: Vec<String>,
}

/// Stores a report. Not found when the PR is not the org's (nothing is
/// stored); the PR's repository is recorded with it.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn create(
    conn: &mut AnyConnection,
    org: OrgId,
    report: &NewReport,
) -> StoreResult<ReportId> {
    const SQL: &str =
        "insert into ai_report (org_id, reporter_slack_user_id, reporter_person_id, category, tool,
            pull_request_id, repository_id, description, source, created_at, updated_at)
        select $1, $2, pe.person_id, $4, $5, p.pull_request_id, p.repository_id, $7, $8, $9, $9
        from org o
        left join person pe on pe.org_id = o.org_id and pe.person_id = $3
        left join pull_request p on p.org_id = o.org_id and p.pull_request_id = $6
        where o.org_id = $1 and ($6 is null or p.pull_request_id is not null)
        returning ai_report_id";
    let id: Option<i64> = sqlx::query_scalar(SQL)
        .bind(org.get())
        .bind(&report.reporter_slack_user_id)
        .bind(report.reporter.map(|p| p.0))
        .bind(&report.category)
        .bind(report.tool.as_deref())
        .bind(report.pull_request.map(|p| p.0))
        .bind(&report.description)
        .bind(&report.source)
        .bind(report.at.unwrap_or_else(unix_now))
        .fetch_optional(conn)
        .await?;
    id.map(ReportId).ok_or(StoreError::NotFound)
}

/// Records the languages of the report's PR (once: a later call changes
/// nothing).
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn set_languages(
    conn: &mut AnyConnection,
    org: OrgId,
    id: ReportId,
    languages: &[String],
) -> StoreResult<bool> {
    const SQL: &str = "update ai_report set languages = $3, updated_at = $4
        where org_id = $1 and ai_report_id = $2 and languages is null";
    let done = sqlx::query(SQL)
        .bind(org.get())
        .bind(id.0)
        .bind(serde_json::to_string(languages).unwrap_or_else(|_| "[]".into()))
        .bind(unix_now())
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Records where the thank-you DM went, so thread replies find the report.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn set_confirmation(
    conn: &mut AnyConnection,
    org: OrgId,
    id: ReportId,
    channel: &str,
    ts: &str,
) -> StoreResult<()> {
    const SQL: &str =
        "update ai_report set slack_channel_id = $3, slack_message_ts = $4, updated_at = $5
        where org_id = $1 and ai_report_id = $2";
    sqlx::query(SQL)
        .bind(org.get())
        .bind(id.0)
        .bind(channel)
        .bind(ts)
        .bind(unix_now())
        .execute(conn)
        .await?;
    Ok(())
}

/// The report whose thank-you DM is `channel`/`ts`, if any.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn find_by_confirmation(
    conn: &mut AnyConnection,
    org: OrgId,
    channel: &str,
    ts: &str,
) -> StoreResult<Option<(ReportId, String)>> {
    const SQL: &str = "select ai_report_id, reporter_slack_user_id from ai_report
        where org_id = $1 and slack_channel_id = $2 and slack_message_ts = $3";
    let row = sqlx::query(SQL)
        .bind(org.get())
        .bind(channel)
        .bind(ts)
        .fetch_optional(conn)
        .await?;
    Ok(row
        .map(|r| {
            Ok::<_, sqlx::Error>((
                ReportId(r.try_get("ai_report_id")?),
                r.try_get("reporter_slack_user_id")?,
            ))
        })
        .transpose()?)
}

/// Adds a thread reply to a report; false when that reply was added
/// already (Slack retries an event).
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn add_note(
    conn: &mut AnyConnection,
    org: OrgId,
    id: ReportId,
    slack_user_id: &str,
    ts: &str,
    text: &str,
) -> StoreResult<bool> {
    const SQL: &str = "insert into ai_report_note (org_id, ai_report_id, slack_user_id, slack_message_ts, text,
            created_at, updated_at)
        select $1, ai_report_id, $3, $4, $5, $6, $6 from ai_report where org_id = $1 and ai_report_id = $2
        on conflict (org_id, ai_report_id, slack_message_ts) do nothing";
    let done = sqlx::query(SQL)
        .bind(org.get())
        .bind(id.0)
        .bind(slack_user_id)
        .bind(ts)
        .bind(text)
        .bind(unix_now())
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

macro_rules! select_reports {
    () => {
        "select a.ai_report_id, a.reporter_slack_user_id, a.reporter_person_id, a.category, a.tool,
        a.pull_request_id, a.repository_id, r.owner, r.name, a.languages, a.description, a.source,
        a.slack_channel_id, a.slack_message_ts, a.created_at
    from ai_report a left join repository r on r.org_id = a.org_id and r.repository_id = a.repository_id"
    };
}

fn report_from(r: &sqlx::any::AnyRow) -> Result<Report, sqlx::Error> {
    let owner: Option<String> = r.try_get("owner")?;
    let name: Option<String> = r.try_get("name")?;
    let languages: Option<String> = r.try_get("languages")?;
    let channel: Option<String> = r.try_get("slack_channel_id")?;
    let ts: Option<String> = r.try_get("slack_message_ts")?;
    Ok(Report {
        id: ReportId(r.try_get("ai_report_id")?),
        reporter_slack_user_id: r.try_get("reporter_slack_user_id")?,
        reporter: r
            .try_get::<Option<i64>, _>("reporter_person_id")?
            .map(PersonId),
        category: r.try_get("category")?,
        tool: r.try_get("tool")?,
        pull_request: r
            .try_get::<Option<i64>, _>("pull_request_id")?
            .map(PullRequestId),
        repository: r
            .try_get::<Option<i64>, _>("repository_id")?
            .map(RepositoryId),
        repository_name: owner.zip(name).map(|(o, n)| format!("{o}/{n}")),
        languages: languages.map(|l| serde_json::from_str(&l).unwrap_or_default()),
        description: r.try_get("description")?,
        source: r.try_get("source")?,
        confirmation: channel.zip(ts),
        created_at: r.try_get("created_at")?,
        notes: Vec::new(),
    })
}

async fn with_notes(
    conn: &mut AnyConnection,
    org: OrgId,
    mut reports: Vec<Report>,
) -> StoreResult<Vec<Report>> {
    const NOTES: &str = "select n.ai_report_id, n.text from ai_report_note n
        join ai_report a on a.org_id = n.org_id and a.ai_report_id = n.ai_report_id
        where n.org_id = $1 and a.created_at >= $2
        order by n.ai_report_id, n.slack_message_ts";
    let since = reports.iter().map(|r| r.created_at).min().unwrap_or(0);
    let rows = sqlx::query(NOTES)
        .bind(org.get())
        .bind(since)
        .fetch_all(conn)
        .await?;
    for r in rows {
        let id = ReportId(r.try_get("ai_report_id")?);
        if let Some(report) = reports.iter_mut().find(|x| x.id == id) {
            report.notes.push(r.try_get("text")?);
        }
    }
    Ok(reports)
}

/// One report of the org, with its notes.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn get(conn: &mut AnyConnection, org: OrgId, id: ReportId) -> StoreResult<Report> {
    const SQL: &str = concat!(
        select_reports!(),
        " where a.org_id = $1 and a.ai_report_id = $2"
    );
    let row = sqlx::query(SQL)
        .bind(org.get())
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let report = report_from(&row)?;
    let mut with = with_notes(conn, org, vec![report]).await?;
    with.pop().ok_or(StoreError::NotFound)
}

/// The org's reports made at or after `since`, oldest first, with notes.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn since(conn: &mut AnyConnection, org: OrgId, since: i64) -> StoreResult<Vec<Report>> {
    const SQL: &str = concat!(
        select_reports!(),
        " where a.org_id = $1 and a.created_at >= $2 order by a.created_at, a.ai_report_id"
    );
    let rows = sqlx::query(SQL)
        .bind(org.get())
        .bind(since)
        .fetch_all(&mut *conn)
        .await?;
    let reports = rows
        .iter()
        .map(report_from)
        .collect::<Result<Vec<_>, _>>()?;
    with_notes(conn, org, reports).await
}

/// A stored rule suggestion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSuggestion {
    /// Its id.
    pub id: i64,
    /// `category|repository|language`.
    pub scope_key: String,
    /// Stored category.
    pub category: String,
    /// Reports it rests on, when last counted.
    pub report_count: i64,
    /// The evidence sentence.
    pub evidence: String,
    /// The rule.
    pub rule: String,
    /// `suggested`, `accepted`, `dismissed` or `adopted`.
    pub status: String,
    /// `owner/name` it is about, when its reports link PRs.
    pub repository: Option<String>,
    /// The pull request that ships it.
    pub pull_request_url: Option<String>,
    /// When that pull request merged.
    pub adopted_at: Option<i64>,
}

fn suggestion_from(r: &sqlx::any::AnyRow) -> Result<StoredSuggestion, sqlx::Error> {
    Ok(StoredSuggestion {
        id: r.try_get("rule_suggestion_id")?,
        scope_key: r.try_get("scope_key")?,
        category: r.try_get("category")?,
        report_count: r.try_get("report_count")?,
        evidence: r.try_get("evidence")?,
        rule: r.try_get("rule_text")?,
        status: r.try_get("status")?,
        repository: r.try_get("repository")?,
        pull_request_url: r.try_get("pull_request_url")?,
        adopted_at: r.try_get("adopted_at")?,
    })
}

/// A shipped suggestion whose pull request (`owner/name#number`, any GitHub
/// host) merged at `at` becomes adopted; false when none matches.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn adopt_shipped(
    conn: &mut AnyConnection,
    org: OrgId,
    owner: &str,
    name: &str,
    number: i64,
    at: i64,
) -> StoreResult<bool> {
    const SQL: &str =
        "update rule_suggestion set status = 'adopted', adopted_at = $3, updated_at = $4
        where org_id = $1 and status = 'accepted' and pull_request_url is not null
            and length(pull_request_url) >= length($2)
            and lower(substr(pull_request_url, length(pull_request_url) - length($2) + 1)) = $2";
    let suffix = format!("/{owner}/{name}/pull/{number}").to_lowercase();
    let done = sqlx::query(SQL)
        .bind(org.get())
        .bind(suffix)
        .bind(at)
        .bind(unix_now())
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// One suggestion of the org; `None` for another org's id.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn suggestion(
    conn: &mut AnyConnection,
    org: OrgId,
    id: i64,
) -> StoreResult<Option<StoredSuggestion>> {
    const SQL: &str =
        "select rule_suggestion_id, scope_key, category, report_count, evidence, rule_text,
            status, repository, pull_request_url, adopted_at
        from rule_suggestion where org_id = $1 and rule_suggestion_id = $2";
    let row = sqlx::query(SQL)
        .bind(org.get())
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(suggestion_from).transpose()?)
}

/// Records the pull request that ships a suggestion (it is then accepted).
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn mark_shipped(
    conn: &mut AnyConnection,
    org: OrgId,
    id: i64,
    url: &str,
) -> StoreResult<()> {
    const SQL: &str =
        "update rule_suggestion set status = 'accepted', pull_request_url = $3, updated_at = $4
        where org_id = $1 and rule_suggestion_id = $2";
    sqlx::query(SQL)
        .bind(org.get())
        .bind(id)
        .bind(url)
        .bind(unix_now())
        .execute(conn)
        .await?;
    Ok(())
}

/// Records a suggestion: `true` when it is new (the caller tells the
/// admins, once), `false` when the scope had one (its count and evidence
/// follow; its rule and status stay).
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn suggest(
    conn: &mut AnyConnection,
    org: OrgId,
    s: &crate::metrics::rules::Suggestion,
) -> StoreResult<bool> {
    const INSERT: &str =
        "insert into rule_suggestion (org_id, scope_key, category, repository, language,
            report_count, evidence, rule_text, created_at, updated_at)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
        on conflict (org_id, scope_key) do nothing
        returning rule_suggestion_id";
    const UPDATE: &str =
        "update rule_suggestion set report_count = $3, evidence = $4, updated_at = $5
        where org_id = $1 and scope_key = $2 and report_count <> $3";
    let key = s.scope.key();
    let id: Option<i64> = sqlx::query_scalar(INSERT)
        .bind(org.get())
        .bind(&key)
        .bind(&s.scope.category)
        .bind(s.scope.repository.as_deref())
        .bind(s.scope.language.as_deref())
        .bind(s.reports as i64)
        .bind(&s.evidence)
        .bind(&s.rule)
        .bind(unix_now())
        .fetch_optional(&mut *conn)
        .await?;
    if id.is_some() {
        return Ok(true);
    }
    sqlx::query(UPDATE)
        .bind(org.get())
        .bind(&key)
        .bind(s.reports as i64)
        .bind(&s.evidence)
        .bind(unix_now())
        .execute(conn)
        .await?;
    Ok(false)
}

/// The org's suggestions, most reports first.
#[tracing::instrument(level = "debug", skip_all, fields(org_id = %org), err(level = "debug"))]
pub async fn suggestions(
    conn: &mut AnyConnection,
    org: OrgId,
) -> StoreResult<Vec<StoredSuggestion>> {
    const SQL: &str =
        "select rule_suggestion_id, scope_key, category, report_count, evidence, rule_text,
            status, repository, pull_request_url, adopted_at
        from rule_suggestion where org_id = $1 order by report_count desc, rule_suggestion_id";
    let rows = sqlx::query(SQL).bind(org.get()).fetch_all(conn).await?;
    rows.iter()
        .map(suggestion_from)
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}
