//! `aimpact export prs|issues|surveys|ai`: stored data and computed
//! metrics for analysis, on stdout as pretty JSON or as CSV whose cells a
//! spreadsheet will not run ([`spreadsheet_safe`]).

use anyhow::{Context, anyhow};

use super::{Format, pick_org};
use crate::app;
use crate::config::Config;

/// `aimpact export prs`: every pull request with its computed metrics.
pub(super) async fn export_prs(
    config: &Config,
    org: Option<&str>,
    since: Option<chrono::NaiveDate>,
    format: Format,
) -> anyhow::Result<()> {
    let (db, jobs) = app::connect_and_migrate(config).await?;
    jobs.close().await;
    let org = pick_org(&db, org).await?;
    let since = since
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(0, |t| t.and_utc().timestamp());
    let mut conn = db.pool().acquire().await?;
    let repos: std::collections::HashMap<_, _> = crate::store::repositories::list(&mut conn, org)
        .await?
        .into_iter()
        .map(|r| (r.id, r.full_name))
        .collect();
    let prs = crate::store::pull_requests::updated_since(&mut conn, org, since).await?;
    drop(conn);
    let rows: Vec<crate::github::export::ExportRow> = prs
        .iter()
        .map(|(_, pr)| crate::github::export::row(pr, &repos))
        .collect();
    write_rows(&rows, format)?;
    db.close().await;
    Ok(())
}

/// `aimpact export issues`: every Jira issue with its computed fields.
pub(super) async fn export_issues(
    config: &Config,
    org: Option<&str>,
    since: Option<chrono::NaiveDate>,
    format: Format,
) -> anyhow::Result<()> {
    let (db, jobs) = app::connect_and_migrate(config).await?;
    jobs.close().await;
    let org = pick_org(&db, org).await?;
    let since = since
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(0, |t| t.and_utc().timestamp());
    let mut conn = db.pool().acquire().await?;
    let rows: Vec<crate::jira::export::ExportRow> =
        crate::store::jira::export(&mut conn, org, since)
            .await?
            .into_iter()
            .map(crate::jira::export::row)
            .collect();
    drop(conn);
    write_rows(&rows, format)?;
    db.close().await;
    Ok(())
}

/// `aimpact export surveys`: every survey question asked, one row each.
pub(super) async fn export_surveys(
    config: &Config,
    org: Option<&str>,
    format: Format,
) -> anyhow::Result<()> {
    let (db, jobs) = app::connect_and_migrate(config).await?;
    jobs.close().await;
    let org = pick_org(&db, org).await?;
    let mut conn = db.pool().acquire().await?;
    let rows = crate::store::surveys::export(&mut conn, org).await?;
    drop(conn);
    write_rows(&rows, format)?;
    db.close().await;
    Ok(())
}

/// One report as `aimpact export feedback` writes it.
#[derive(Debug, serde::Serialize)]
struct FeedbackRow {
    id: i64,
    reported_at: String,
    reporter_slack_user: String,
    category: String,
    tool: Option<String>,
    repository: Option<String>,
    languages: String,
    source: String,
    description: String,
    details: String,
}

/// `aimpact export feedback`: every AI issue report of the org.
pub(super) async fn export_feedback(
    config: &Config,
    org: Option<&str>,
    format: Format,
) -> anyhow::Result<()> {
    let (db, jobs) = app::connect_and_migrate(config).await?;
    jobs.close().await;
    let org = pick_org(&db, org).await?;
    let mut conn = db.pool().acquire().await?;
    let reports = crate::store::feedback::since(&mut conn, org, i64::MIN).await?;
    drop(conn);
    let rows: Vec<FeedbackRow> = reports
        .into_iter()
        .map(|r| FeedbackRow {
            id: r.id.0,
            reported_at: chrono::DateTime::from_timestamp(r.created_at, 0)
                .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
                .unwrap_or_default(),
            reporter_slack_user: r.reporter_slack_user_id,
            category: r.category,
            tool: r.tool,
            repository: r.repository_name,
            languages: r.languages.unwrap_or_default().join(";"),
            source: r.source,
            description: r.description,
            details: r.notes.join("\n"),
        })
        .collect();
    write_rows(&rows, format)?;
    db.close().await;
    Ok(())
}

/// One comparison as `aimpact export ai` writes it.
#[derive(Debug, serde::Serialize)]
struct AiRow {
    basis: &'static str,
    metric: &'static str,
    n_ai: usize,
    n_other: usize,
    median_ai: Option<f64>,
    ci_ai_low: Option<f64>,
    ci_ai_high: Option<f64>,
    median_other: Option<f64>,
    ci_other_low: Option<f64>,
    ci_other_high: Option<f64>,
    relative_difference: Option<f64>,
    relative_ci_low: Option<f64>,
    relative_ci_high: Option<f64>,
    p_value: Option<f64>,
    verdict: String,
}

/// `aimpact export ai`: every AI vs non-AI comparison of a period.
pub(super) async fn export_ai(
    config: &Config,
    org: Option<&str>,
    range: &str,
    format: Format,
) -> anyhow::Result<()> {
    let query = crate::dashboard::grammar::parse(range)
        .map_err(|e| anyhow!("--range: {e} Use 7d, 30d, 90d or 2026-01-01..2026-03-31."))?;
    let period = crate::dashboard::period(query.range, crate::store::unix_now())
        .map_err(anyhow::Error::msg)
        .context("--range")?;
    let (db, jobs) = app::connect_and_migrate(config).await?;
    jobs.close().await;
    let org = pick_org(&db, org).await?;
    let org = {
        let mut conn = db.pool().acquire().await?;
        crate::store::orgs::get(&mut conn, org).await?
    };
    let facts =
        crate::dashboard::ai::facts(&db, &org, crate::metrics::rollup::Scope::Org, period).await?;
    let rows: Vec<AiRow> = facts
        .comparisons
        .iter()
        .map(|c| AiRow {
            basis: c.basis.label(),
            metric: c.metric.name(),
            n_ai: c.n_ai,
            n_other: c.n_other,
            median_ai: c.ai.map(|e| e.median),
            ci_ai_low: c.ai.map(|e| e.ci.0),
            ci_ai_high: c.ai.map(|e| e.ci.1),
            median_other: c.other.map(|e| e.median),
            ci_other_low: c.other.map(|e| e.ci.0),
            ci_other_high: c.other.map(|e| e.ci.1),
            relative_difference: c.relative,
            relative_ci_low: c.relative_ci.map(|r| r.0),
            relative_ci_high: c.relative_ci.map(|r| r.1),
            p_value: c.p,
            verdict: crate::dashboard::ai::sentence(c),
        })
        .collect();
    write_rows(&rows, format)?;
    db.close().await;
    Ok(())
}

/// Writes export rows to stdout as pretty JSON or CSV with a header.
fn write_rows<T: serde::Serialize>(rows: &[T], format: Format) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    match format {
        Format::Json => serde_json::to_writer_pretty(stdout.lock(), rows)?,
        Format::Csv => {
            let mut plain = csv::Writer::from_writer(Vec::new());
            for r in rows {
                plain.serialize(r)?;
            }
            let plain = plain.into_inner()?;
            // Cells are neutralised after serialising, so every column of
            // every export gets it (PR titles, names, Jira summaries).
            let mut read = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(plain.as_slice());
            let mut w = csv::Writer::from_writer(stdout.lock());
            for record in read.records() {
                let record = record?;
                w.write_record(
                    record
                        .iter()
                        .map(|cell| spreadsheet_safe(cell).into_owned()),
                )?;
            }
            w.flush()?;
        }
    }
    Ok(())
}

/// A CSV cell a spreadsheet will not run: text starting with `=`, `+`,
/// `-`, `@`, a tab or a carriage return (a PR titled `=HYPERLINK(…)`)
/// gets a leading `'`; numbers (`-12.5`) stay numbers.
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && cell.parse::<f64>().is_err() {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}
