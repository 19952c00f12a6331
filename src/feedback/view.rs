//! `/metrics feedback`: the period's reports grouped, the recurring
//! problems, and the reports the viewer may read, under the visibility
//! rule: counts are the workspace's; quotes and names only for admins (every
//! report) and leads (their teams' members' reports); everyone sees their
//! own reports.

use std::collections::{HashMap, HashSet};

use blocks::feedback::{FeedbackView, ProblemLine, ReportLine};

use crate::domain::{PersonId, Role, Viewer};
use crate::metrics::dashboard::Period;
use crate::metrics::feedback::{ReportFact, breakdown, recurring};
use crate::metrics::rollup::week_start;
use crate::state::AppState;
use crate::store::feedback::{self as store, Report};
use crate::store::orgs::Org;
use crate::store::{StoreError, people, teams};

/// Reports listed under the counts.
const LISTED: usize = 5;

/// A stored report as the pure patterns read it (its thread notes with it).
pub fn fact(r: &Report) -> ReportFact {
    let mut text = r.description.clone();
    for n in &r.notes {
        text.push('\n');
        text.push_str(n);
    }
    ReportFact {
        id: r.id.0,
        category: r.category.clone(),
        tool: r.tool.clone(),
        repository: r.repository_name.clone(),
        languages: r.languages.clone().unwrap_or_default(),
        week: week_start(r.created_at),
        text,
    }
}

fn day(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.format("%b %-d").to_string())
        .unwrap_or_default()
}

/// Who may read which reports' words: `None` is everyone's (admins).
async fn readable(
    state: &AppState,
    org: &Org,
    viewer: &Viewer,
) -> Result<Option<HashSet<PersonId>>, StoreError> {
    if viewer.role == Role::Admin {
        return Ok(None);
    }
    let mut people: HashSet<PersonId> = viewer.person.into_iter().collect();
    if viewer.role == Role::Lead {
        let mut conn = state.db.pool().acquire().await?;
        for team in &viewer.leads {
            people.extend(teams::members(&mut conn, org.id, *team).await?);
        }
    }
    Ok(Some(people))
}

/// Longest window compared before and after adoption (six weeks).
const EFFECT_WINDOW_MAX: i64 = 42 * 86_400;

/// Whether an adopted rule helped: its pattern's reports per merged PR in
/// its repository, equal windows before and after `adopted`.
async fn effect_of(
    state: &AppState,
    org: &Org,
    s: &store::StoredSuggestion,
    adopted: i64,
    now: i64,
) -> Result<String, StoreError> {
    use crate::metrics::rules::{effect, effect_sentence};
    let window = (now - adopted).clamp(0, EFFECT_WINDOW_MAX);
    let mut conn = state.db.pool().acquire().await?;
    let reports = store::since(&mut conn, org.id, adopted - window).await?;
    let in_scope = |r: &&Report| {
        r.category == s.category
            && r.repository_name == s.repository
            && r.created_at < adopted + window
    };
    let before = reports
        .iter()
        .filter(in_scope)
        .filter(|r| r.created_at < adopted)
        .count() as i64;
    let after = reports
        .iter()
        .filter(in_scope)
        .filter(|r| r.created_at >= adopted)
        .count() as i64;
    let (prs_before, prs_after) = match &s.repository {
        Some(repo) => (
            crate::store::pull_requests::merged_in_repository(
                &mut conn,
                org.id,
                repo,
                adopted - window,
                adopted,
            )
            .await?,
            crate::store::pull_requests::merged_in_repository(
                &mut conn,
                org.id,
                repo,
                adopted,
                adopted + window,
            )
            .await?,
        ),
        None => (0, 0),
    };
    let e = effect(before, prs_before, after, prs_after, window);
    Ok(effect_sentence(&e, (window / (7 * 86_400)).max(1)))
}

/// The view of `period` (called `words`, e.g. "last 30 days") for `viewer`.
pub async fn view(
    state: &AppState,
    org: &Org,
    viewer: &Viewer,
    period: Period,
    words: &str,
) -> Result<FeedbackView, StoreError> {
    let reports: Vec<Report> = {
        let mut conn = state.db.pool().acquire().await?;
        store::since(&mut conn, org.id, period.from)
            .await?
            .into_iter()
            .filter(|r| r.created_at <= period.to)
            .collect()
    };
    let readable = readable(state, org, viewer).await?;
    let stored = {
        let mut conn = state.db.pool().acquire().await?;
        store::suggestions(&mut conn, org.id).await?
    };
    let now = state.clock.now();
    let mut suggestions: Vec<blocks::feedback::SuggestionLine> = Vec::new();
    for s in stored.into_iter().filter(|s| s.status != "dismissed") {
        let effect = match (s.status.as_str(), s.adopted_at) {
            ("adopted", Some(at)) => Some(effect_of(state, org, &s, at, now).await?),
            _ => None,
        };
        suggestions.push(blocks::feedback::SuggestionLine {
            id: s.id,
            evidence: s.evidence,
            rule: s.rule,
            adopted: s.status == "adopted",
            pull_request: s.pull_request_url,
            effect,
        });
    }
    let may_read = |r: &Report| match &readable {
        None => true,
        Some(set) => r.reporter.is_some_and(|p| set.contains(&p)),
    };
    let names: HashMap<PersonId, String> = if viewer.role == Role::Developer {
        HashMap::new()
    } else {
        let mut conn = state.db.pool().acquire().await?;
        people::list(&mut conn, org.id)
            .await?
            .into_iter()
            .map(|p| (p.id, p.display_name))
            .collect()
    };
    let facts: Vec<ReportFact> = reports.iter().map(fact).collect();
    let counts = breakdown(&facts);
    let by_id: HashMap<i64, &Report> = reports.iter().map(|r| (r.id.0, r)).collect();
    let problems = recurring(&facts)
        .into_iter()
        .map(|p| {
            let mut quotes: Vec<String> = Vec::new();
            for r in p.reports.iter().filter_map(|id| by_id.get(id)) {
                if quotes.len() < 2 && may_read(r) && !quotes.contains(&r.description) {
                    quotes.push(r.description.clone());
                }
            }
            ProblemLine {
                category: p.category,
                reports: p.reports.len(),
                repository: p.repository,
                language: p.language,
                terms: p.terms,
                quotes,
            }
        })
        .collect();
    let list: Vec<ReportLine> = reports
        .iter()
        .rev()
        .filter(|r| match viewer.role {
            Role::Developer => viewer.person.is_some() && r.reporter == viewer.person,
            _ => may_read(r),
        })
        .take(LISTED)
        .map(|r| ReportLine {
            when: day(r.created_at),
            who: if viewer.role == Role::Developer {
                None
            } else {
                r.reporter.and_then(|p| names.get(&p).cloned())
            },
            category: r.category.clone(),
            pr: r.repository_name.clone(),
            text: r.description.clone(),
        })
        .collect();
    Ok(FeedbackView {
        period: words.to_string(),
        total: counts.total,
        by_category: counts.by_category,
        by_tool: counts.by_tool,
        by_repository: counts.by_repository,
        by_language: counts.by_language,
        problems,
        list_title: match viewer.role {
            Role::Admin => "Recent reports".into(),
            Role::Lead => "Recent reports from your teams".into(),
            Role::Developer => "Your reports".into(),
        },
        list,
        suggestions,
        can_ship: viewer.role == Role::Admin,
        min_reports: crate::metrics::rules::MIN_REPORTS,
    })
}

/// App Home's section for `viewer`: the last 30 days' count, the top
/// problem and how many are theirs (aggregates only: no words, no names).
pub async fn home_section(
    state: &AppState,
    org: &Org,
    viewer: &Viewer,
) -> Result<Vec<blocks::Block>, StoreError> {
    const DAYS_30: i64 = 30 * 86_400;
    let now = state.clock.now();
    let reports: Vec<Report> = {
        let mut conn = state.db.pool().acquire().await?;
        store::since(&mut conn, org.id, now - DAYS_30).await?
    };
    let mine = reports
        .iter()
        .filter(|r| viewer.person.is_some() && r.reporter == viewer.person)
        .count();
    let facts: Vec<ReportFact> = reports.iter().map(fact).collect();
    let top = recurring(&facts).into_iter().next().map(|p| ProblemLine {
        category: p.category,
        reports: p.reports.len(),
        repository: p.repository,
        language: p.language,
        terms: p.terms,
        quotes: Vec::new(),
    });
    Ok(blocks::feedback::home_section(
        reports.len(),
        top.as_ref(),
        mine,
    ))
}
