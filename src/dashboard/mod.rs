//! Dashboards: what `/metrics` answers and App Home shows.
//!
//! One path for both: the question (view, range, team) and the viewer are
//! turned into a subject, the one visibility rule (`slack::roles::can_view`)
//! decides before any data is loaded, then facts and weekly rollups are
//! read, the pure metrics compute the numbers, chart specs are rendered and
//! delivered, and `blocks::dashboard` lays it all out.

pub mod ai;
pub mod charts;
pub mod grammar; // the /metrics grammar
pub mod rollups;

use blocks::dashboard::{Dashboard, Empty, Table, format_count, format_duration};
use blocks::kit::Button;
use blocks::limits::escape_mrkdwn;
use blocks::{BetterWhen, Change, StatCard};
use chrono::{NaiveDate, TimeZone, Utc};

use crate::dashboard::grammar::{AiOf, Range, View};
use crate::domain::{PersonId, Provider, Role, TeamId};
use crate::domain::{Subject, Viewer, can_view};
use crate::metrics::aggregate::Summary;
use crate::metrics::dashboard::{Headline, Period, headline, median_change, review_load};
use crate::metrics::rollup::{Scope, WEEK, WeekValues, week_start};
use crate::store::orgs::Org;
use crate::store::{Db, StoreError, integrations, people, pull_requests, repositories, roles};
use crate::store::{rollups as facts, sync_state, teams};

pub use self::charts::{ChartError, Delivery};

const DAY: i64 = 86_400;
/// Weekly charts show at least this many weeks, so a 7-day range still has a trend.
const CHART_WEEKS_MIN: i64 = 8;
/// And at most this many, so bars stay readable.
const CHART_WEEKS_MAX: i64 = 26;

/// What a person asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asked {
    /// The view.
    pub view: View,
    /// The period.
    pub range: Range,
}

/// Why a dashboard could not be built.
#[derive(Debug, thiserror::Error)]
pub enum DashboardError {
    /// Storage.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Charts.
    #[error(transparent)]
    Chart(#[from] ChartError),
}

impl From<sqlx::Error> for DashboardError {
    fn from(e: sqlx::Error) -> Self {
        DashboardError::Store(e.into())
    }
}

/// The outcome of a question.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// A dashboard to show.
    Dashboard(Box<Dashboard>),
    /// The question cannot be answered as asked: a friendly correction,
    /// shown above the help.
    Correction(String),
    /// A view a later release adds; what it will show.
    NotYet(String),
    /// A finished message (the leaderboard, an opt-out confirmation) and
    /// its notification text.
    Message(Box<blocks::Surface>, String),
}

/// Who is asking, from the stored roles and the person matched to their
/// Slack account. Workspace admins are recognised by `slack::roles::resolve`
/// before this; `role` is what it decided.
pub async fn viewer(
    db: &Db,
    org: &Org,
    slack_user: &str,
    role: Role,
) -> Result<Viewer, StoreError> {
    let mut conn = db.pool().acquire().await?;
    let person = people::find_by_identity(&mut conn, org.id, Provider::Slack, slack_user)
        .await?
        .map(|p| p.id);
    let leads = roles::teams_led(&mut conn, org.id, slack_user).await?;
    let role = match role {
        Role::Developer if !leads.is_empty() => Role::Lead,
        other => other,
    };
    Ok(Viewer {
        role,
        person,
        leads,
    })
}

/// The period a range names at `now`; a friendly correction for ranges in
/// the future or backwards.
pub fn period(range: Range, now: i64) -> Result<Period, String> {
    match range {
        Range::LastDays(n) => Ok(Period {
            from: now - i64::from(n) * DAY,
            to: now,
        }),
        Range::Between(a, b) => {
            let midnight = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp());
            let (Some(from), Some(end)) = (midnight(a), b.succ_opt().and_then(midnight)) else {
                return Err(format!("`{a}..{b}` is not a range I can use."));
            };
            if from >= end {
                return Err(format!("`{a}..{b}` starts after it ends — try `{b}..{a}`."));
            }
            if from > now {
                return Err(format!(
                    "`{a}..{b}` is in the future, so there is nothing to show yet."
                ));
            }
            Ok(Period {
                from,
                to: end.min(now),
            })
        }
    }
}

pub(crate) fn range_words(range: Range) -> String {
    match range {
        Range::LastDays(n) => format!("last {n} days"),
        Range::Between(a, b) => format!("{a} – {b}"),
    }
}

/// The picker value of a range (`30d`, `2026-01-01..2026-03-31`).
pub fn range_value(range: Range) -> String {
    match range {
        Range::LastDays(n) => format!("{n}d"),
        Range::Between(a, b) => format!("{a}..{b}"),
    }
}

/// Whose numbers, resolved from the question.
enum Target {
    Org,
    Team(teams::Team),
    Repo(repositories::Repository),
    Person(PersonId, String),
    Jira,
}

async fn person_teams(db: &Db, org: &Org, person: PersonId) -> Result<Vec<TeamId>, StoreError> {
    let mut conn = db.pool().acquire().await?;
    Ok(facts::team_map(&mut conn, org.id)
        .await?
        .remove(&person.0)
        .unwrap_or_default()
        .into_iter()
        .map(TeamId)
        .collect())
}

fn folded(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Answers `/metrics`: the same for every surface that shows a view.
pub async fn answer(
    db: &Db,
    org: &Org,
    viewer: &Viewer,
    asked: &Asked,
    team: Option<TeamId>,
    now: i64,
    delivery: &Delivery<'_>,
) -> Result<Answer, DashboardError> {
    let period = match period(asked.range, now) {
        Ok(p) => p,
        Err(correction) => return Ok(Answer::Correction(correction)),
    };
    // `/metrics ai [me | team <name>]`: the same subject as the plain view,
    // the AI comparisons instead of the overview.
    let (view, ai_view) = match &asked.view {
        View::Ai(AiOf::Org) => (View::Overview, true),
        View::Ai(AiOf::Me) => (View::Me, true),
        View::Ai(AiOf::Team(name)) => (View::Team(name.clone()), true),
        other => (other.clone(), false),
    };
    let mut conn = db.pool().acquire().await?;
    let target = match &view {
        View::Overview => match team {
            Some(id) => match teams::list(&mut conn, org.id)
                .await?
                .into_iter()
                .find(|t| t.id == id)
            {
                Some(t) => Target::Team(t),
                None => Target::Org,
            },
            None => Target::Org,
        },
        View::Me => match viewer.person {
            Some(p) => {
                let name = people::get(&mut conn, org.id, p).await?.display_name;
                Target::Person(p, name)
            }
            None => {
                return Ok(Answer::Correction(
                    "I can't tell which GitHub account is yours yet: your Slack account isn't matched \
                     to a person. An admin can match people from the aimpact Home tab."
                        .into(),
                ));
            }
        },
        View::Team(name) => {
            let all = teams::list(&mut conn, org.id).await?;
            match all
                .iter()
                .find(|t| folded(&t.name) == folded(name) || folded(&t.slug) == folded(name))
            {
                Some(t) => Target::Team(t.clone()),
                None => {
                    let names: Vec<String> = all
                        .iter()
                        .map(|t| format!("`{}`", escape_mrkdwn(&t.slug)))
                        .collect();
                    let known = if names.is_empty() {
                        "No teams are synced yet (they come from GitHub).".to_string()
                    } else {
                        format!("Teams I know: {}.", names.join(", "))
                    };
                    return Ok(Answer::Correction(format!(
                        "There's no team called `{}`. {known}",
                        escape_mrkdwn(name)
                    )));
                }
            }
        }
        View::Repo(name) => {
            let all = repositories::list(&mut conn, org.id).await?;
            let wanted = name.trim().to_lowercase();
            let found = all.into_iter().filter(|r| r.is_tracked).find(|r| {
                let full = r.full_name.to_lowercase();
                full == wanted || full.rsplit('/').next() == Some(wanted.as_str())
            });
            match found {
                Some(r) => Target::Repo(r),
                None => {
                    return Ok(Answer::Correction(format!(
                        "There's no tracked repository called `{}`. Use its name as on GitHub, \
                         e.g. `/metrics repo api-gateway`.",
                        escape_mrkdwn(name)
                    )));
                }
            }
        }
        View::Jira => Target::Jira,
        // Mapped to its subject's view above.
        View::Ai(_) => Target::Org,
        View::Copilot => return Ok(Answer::NotYet("GitHub Copilot usage".into())),
        View::Leaderboard | View::LeaderboardOptOut(_) => {
            // The leaderboard's own (and a change, for the opt-out):
            // `slack::dashboards` answers them before asking here.
            return Ok(Answer::Correction(String::new()));
        }
        View::Help => return Ok(Answer::Correction(String::new())),
    };
    drop(conn);
    // The one visibility check, before any numbers are loaded.
    let subject = match &target {
        Target::Org | Target::Repo(_) | Target::Jira => Subject::Org,
        Target::Team(t) => Subject::Team(t.id),
        Target::Person(p, _) => Subject::Person {
            person: *p,
            teams: person_teams(db, org, *p).await?,
        },
    };
    if !can_view(viewer, &subject) {
        return Ok(Answer::Correction(
            "Those are someone else's numbers: people see their own numbers and team totals; \
             leads see their teams' people."
                .into(),
        ));
    }
    let range = range_words(asked.range);
    if ai_view {
        let (scope, title) = match &target {
            Target::Team(t) => (
                Scope::Team(t.id.0),
                format!("AI impact · team {} · {range}", t.name),
            ),
            Target::Person(p, _) if viewer.person == Some(*p) => (
                Scope::Person(p.0),
                format!("AI impact · your PRs · {range}"),
            ),
            Target::Person(p, name) => {
                (Scope::Person(p.0), format!("AI impact · {name} · {range}"))
            }
            _ => (Scope::Org, format!("AI impact · {range}")),
        };
        let d = ai::dashboard(
            db,
            org,
            viewer,
            ai::Asked {
                scope,
                title,
                range: asked.range,
                period,
            },
            delivery,
        )
        .await?;
        return Ok(Answer::Dashboard(Box::new(d)));
    }
    let (scope, title) = match target {
        Target::Jira => {
            let d = jira_dashboard(db, org, viewer, asked.range, period, now, delivery).await?;
            return Ok(Answer::Dashboard(Box::new(d)));
        }
        Target::Org => (Scope::Org, format!("Engineering overview · {range}")),
        Target::Team(t) => (Scope::Team(t.id.0), format!("Team {} · {range}", t.name)),
        Target::Repo(r) => (Scope::Repo(r.id.0), format!("{} · {range}", r.full_name)),
        Target::Person(p, _) if viewer.person == Some(p) => {
            (Scope::Person(p.0), format!("Your numbers · {range}"))
        }
        Target::Person(p, name) => (Scope::Person(p.0), format!("{name} · {range}")),
    };
    let d = scope_dashboard(
        db,
        org,
        viewer,
        scope,
        &title,
        asked.range,
        period,
        now,
        delivery,
    )
    .await?;
    Ok(Answer::Dashboard(Box::new(d)))
}

fn ago(now: i64, then: i64) -> String {
    let secs = (now - then).max(0);
    match secs {
        s if s < 90 => "just now".into(),
        s if s < 3600 => format!("{} min ago", s / 60),
        s if s < 2 * DAY => format!("{} h ago", s / 3600),
        s => format!("{} days ago", s / DAY),
    }
}

fn duration_card(
    label: &str,
    now: Option<Summary>,
    before: Option<Summary>,
    compared: &str,
) -> StatCard {
    let mut card = StatCard::new(label);
    match now {
        Some(s) => {
            card = card
                .with_value(format_duration(s.median))
                .with_hint(format!(
                    "from {} PRs · p75 {}",
                    format_count(s.n as i64),
                    format_duration(s.p75 as f64)
                ));
            if let Some(c) = median_change(now, before) {
                card = card.with_change(Change::new(c, BetterWhen::Lower).compared_to(compared));
            }
        }
        None => card = card.with_hint("needs 5 merged PRs with this time"),
    }
    card
}

fn pct(part: i64, whole: i64) -> String {
    if whole <= 0 {
        return "—".into();
    }
    format!("{:.0}%", part as f64 / whole as f64 * 100.0)
}

fn cards(h: &Headline, compared: &str) -> Vec<StatCard> {
    let mut merged = StatCard::new("PRs merged").with_value(format_count(h.merged));
    if let Some(c) =
        crate::metrics::dashboard::change_percent(h.merged as f64, h.merged_before as f64)
    {
        merged = merged.with_change(Change::new(c, BetterWhen::Higher).compared_to(compared));
    }
    let mut ai = StatCard::new("AI-assisted");
    if h.merged > 0 {
        let mut value = format!("{} detected", pct(h.ai_detected, h.merged));
        if h.answered > 0 {
            value.push_str(&format!(
                " · {} self-reported",
                pct(h.ai_assisted, h.answered)
            ));
        }
        ai = ai.with_value(value).with_hint(format!(
            "detected of {} merged PRs; self-reported of {} survey answers",
            format_count(h.merged),
            format_count(h.answered)
        ));
    }
    let size = match h.size {
        Some(s) => StatCard::new("Median PR size")
            .with_value(format!("{} lines", format_count(s.round() as i64)))
            .with_hint(format!("{} reverts · {} hotfixes", h.reverts, h.hotfixes)),
        None => StatCard::new("Median PR size"),
    };
    vec![
        merged,
        duration_card("Median cycle time", h.cycle, h.cycle_before, compared),
        duration_card("Median pickup time", h.pickup, h.pickup_before, compared),
        duration_card("Median review time", h.review, h.review_before, compared),
        size,
        ai,
    ]
}

fn headline_text(h: &Headline, range: Range) -> String {
    let words = range_words(range);
    if h.merged == 0 {
        return format!("No PRs merged in the {words}.");
    }
    let merged = format!(
        "*{} PR{} merged*",
        format_count(h.merged),
        if h.merged == 1 { "" } else { "s" }
    );
    match h.cycle {
        Some(c) => {
            let change = match median_change(h.cycle, h.cycle_before) {
                Some(p) if p.abs() >= 1.0 => format!(
                    ", {:.0}% {} than the previous {}",
                    p.abs(),
                    if p < 0.0 { "faster" } else { "slower" },
                    period_noun(range)
                ),
                Some(_) => format!(", about the same as the previous {}", period_noun(range)),
                None => String::new(),
            };
            format!(
                "{merged} in the {words} · median cycle time *{}*{change}.",
                format_duration(c.median)
            )
        }
        None => format!(
            "{merged} in the {words} — not enough yet for a median cycle time (it needs 5)."
        ),
    }
}

fn period_noun(range: Range) -> String {
    match range {
        Range::LastDays(n) => format!("{n} days"),
        Range::Between(..) => "period of the same length".into(),
    }
}

fn week_label(week: i64) -> String {
    Utc.timestamp_opt(week, 0)
        .single()
        .map(|t| t.format("%b %-d").to_string())
        .unwrap_or_default()
}

/// The weeks a weekly chart shows for `period`.
fn chart_weeks(period: Period) -> Vec<i64> {
    let last = week_start(period.to - 1);
    let first = week_start(period.from)
        .min(last - (CHART_WEEKS_MIN - 1) * WEEK)
        .max(last - (CHART_WEEKS_MAX - 1) * WEEK);
    (0..)
        .map(|i| first + i * WEEK)
        .take_while(|w| *w <= last)
        .collect()
}

fn weekly_charts(
    weeks: &[i64],
    rows: &[(i64, WeekValues)],
    scope_words: &str,
) -> Vec<::charts::Chart> {
    use ::charts::{BarChart, BarMode, BarSeries, Chart, LineChart, Series, YUnit};
    let value = |w: i64| rows.iter().find(|(rw, _)| *rw == w).map(|(_, v)| v);
    let (mut ai, mut other) = (Vec::new(), Vec::new());
    for &w in weeks {
        let v = value(w);
        let merged = v.map_or(0, |v| v.prs_merged);
        let detected = v.map_or(0, |v| v.prs_ai_detected);
        ai.push(detected as f64);
        other.push((merged - detected).max(0) as f64);
    }
    let throughput = Chart::Bar(BarChart {
        title: format!("Merged PRs per week · {scope_words}"),
        categories: weeks.iter().map(|w| week_label(*w)).collect(),
        series: vec![
            BarSeries {
                name: "AI detected".into(),
                values: ai,
            },
            BarSeries {
                name: "Other".into(),
                values: other,
            },
        ],
        mode: BarMode::Stacked,
        y_unit: YUnit::Count,
        y_label: "PRs merged".into(),
        category_kind: ::charts::CategoryKind::Weeks,
        ..BarChart::default()
    });
    let mut points = Vec::new();
    let mut band = Vec::new();
    for &w in weeks {
        if let Some(v) = value(w)
            && let Some(p50) = v.cycle.p50
        {
            points.push((w, p50));
            if let (Some(lo), Some(hi)) = (v.cycle.p25, v.cycle.p75) {
                band.push((w, lo as f64, hi as f64));
            }
        }
    }
    let cycle = Chart::Line(LineChart {
        title: format!("Median cycle time per week (p25–p75 shaded) · {scope_words}"),
        series: vec![Series {
            name: "Median cycle time".into(),
            points,
            band,
        }],
        y_unit: YUnit::Duration,
        y_label: "cycle time".into(),
        ..LineChart::default()
    });
    vec![throughput, cycle]
}

#[allow(clippy::too_many_arguments)]
async fn scope_dashboard(
    db: &Db,
    org: &Org,
    viewer: &Viewer,
    scope: Scope,
    title: &str,
    range: Range,
    period: Period,
    now: i64,
    delivery: &Delivery<'_>,
) -> Result<Dashboard, DashboardError> {
    let mut conn = db.pool().acquire().await?;
    let mut d = Dashboard {
        title: title.to_string(),
        range: range_value(range),
        definition: "Cycle time = first commit → merge; pickup = ready for review → first review; \
                     review = first review → merge. Medians of merged PRs, bots excluded; fewer than \
                     5 values show as not enough data."
            .into(),
        ..Dashboard::default()
    };
    let github = integrations::get(&mut conn, org.id, "github").await?;
    let merged_ever = pull_requests::merged_count(&mut conn, org.id).await?;
    if merged_ever == 0 {
        let connected = github.as_ref().is_some_and(|g| g.status == "connected");
        let text = if connected {
            ":hourglass_flowing_sand: GitHub is connected and the import is running. PRs merged, \
             cycle, pickup and review time appear here as soon as the first merged PRs are in."
        } else {
            ":wave: Nothing to show yet: GitHub isn't connected. Once an admin connects it and the \
             first import finishes, this shows PRs merged, cycle time and review load."
        };
        let button = (viewer.role == Role::Admin && !connected).then(|| {
            Button::new(
                blocks::ids::action::SETUP_GITHUB,
                "Connect GitHub",
                "github",
            )
            .primary()
        });
        d.empty = Some(Empty {
            text: text.into(),
            button,
        });
        return Ok(d);
    }
    let repos = repositories::list(&mut conn, org.id).await?;
    let tracked = repos.iter().filter(|r| r.is_tracked).count();
    let current =
        rollups::period_pr_facts(&mut conn, org.id, scope, period.from, period.to).await?;
    let prev = period.previous();
    let previous = rollups::period_pr_facts(&mut conn, org.id, scope, prev.from, prev.to).await?;
    let reviews =
        rollups::period_review_facts(&mut conn, org.id, scope, period.from, period.to).await?;
    let weeks = chart_weeks(period);
    let rows = facts::read(
        &mut conn,
        org.id,
        scope,
        weeks.first().copied().unwrap_or(0),
        weeks.last().copied().unwrap_or(0),
    )
    .await?;
    let synced = sync_state::last_finished(&mut conn, org.id, "github").await?;
    let h = headline(&current, &previous);
    let compared = format!("previous {}", period_noun(range));
    d.context = format!(
        "*{}* · {tracked} {} · {} merged PRs{}",
        escape_mrkdwn(&org.name),
        if tracked == 1 {
            "repository"
        } else {
            "repositories"
        },
        format_count(h.merged),
        synced
            .map(|t| format!(" · synced {}", ago(now, t)))
            .unwrap_or_default()
    );
    d.headline = headline_text(&h, range);
    d.cards = cards(&h, &compared);
    let load = review_load(&reviews);
    let mut review_note = format!(
        "*Review load* · {} reviews by {} {}",
        format_count(load.reviews),
        format_count(load.reviewers),
        if load.reviewers == 1 {
            "person"
        } else {
            "people"
        }
    );
    if let (Some(m), Some(share)) = (load.median_per_reviewer, load.busiest_fifth_share) {
        review_note.push_str(&format!(
            " · median {} per reviewer · the busiest fifth gave {:.0}%",
            format_count(m.round() as i64),
            share * 100.0
        ));
    }
    d.notes.push(review_note);
    // Jira numbers are org-wide: only on the overview, not beside one
    // team's, repository's or person's PRs.
    if matches!(scope, Scope::Org)
        && let Some(note) = jira_note(db, org, period).await?
    {
        d.notes.push(note);
    }
    // Per-person rows only for people the viewer may see by name.
    if let Scope::Team(team) = scope {
        let members = teams::members(&mut conn, org.id, TeamId(team)).await?;
        let names: std::collections::HashMap<PersonId, people::Person> =
            people::list(&mut conn, org.id)
                .await?
                .into_iter()
                .map(|p| (p.id, p))
                .collect();
        let mut rows = Vec::new();
        for id in members {
            let Some(m) = names.get(&id).filter(|p| !p.is_bot && !p.is_excluded) else {
                continue;
            };
            let subject = Subject::Person {
                person: m.id,
                teams: vec![TeamId(team)],
            };
            if !can_view(viewer, &subject) {
                continue;
            }
            let mine: Vec<&crate::metrics::rollup::PrFact> = current
                .iter()
                .filter(|p| p.author == Some(m.id.0) && p.counts())
                .collect();
            let given = reviews.iter().filter(|r| r.reviewer == m.id.0).count();
            let cycles: Vec<i64> = mine.iter().filter_map(|p| p.cycle).collect();
            let cycle = crate::metrics::summarise(&cycles)
                .map(|s| format!(" · cycle {}", format_duration(s.median)))
                .unwrap_or_default();
            rows.push((
                mine.len(),
                m.display_name.clone(),
                format!("{} PRs · {} reviews{cycle}", mine.len(), given),
            ));
        }
        rows.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        if !rows.is_empty() {
            d.tables.push(Table {
                title: "People".into(),
                columns: ("Person".into(), "Merged · reviews · median cycle".into()),
                rows: rows.into_iter().map(|(_, n, v)| (n, v)).collect(),
            });
        }
    }
    drop(conn);
    let words = match scope {
        Scope::Org => "all repositories".to_string(),
        _ => title.split(" · ").next().unwrap_or_default().to_string(),
    };
    d.charts =
        charts::deliver_all(db, org.id, delivery, weekly_charts(&weeks, &rows, &words)).await?;
    Ok(d)
}

/// One line about Jira for the overview, when Jira is connected.
async fn jira_note(db: &Db, org: &Org, period: Period) -> Result<Option<String>, DashboardError> {
    let mut conn = db.pool().acquire().await?;
    let connected = integrations::get(&mut conn, org.id, "jira")
        .await?
        .is_some_and(|j| j.status == "connected");
    if !connected {
        return Ok(None);
    }
    let done = crate::store::jira::done_between(&mut conn, org.id, period.from, period.to).await?;
    let points: f64 = done
        .iter()
        .filter_map(|(_, p, _)| *p)
        .filter(|p| p.is_finite() && *p >= 0.0)
        .sum();
    let cycles: Vec<i64> = done.iter().filter_map(|(_, _, c)| *c).collect();
    let cycle = crate::metrics::summarise(&cycles)
        .map(|s| format!(" · median issue cycle {}", format_duration(s.median)))
        .unwrap_or_default();
    Ok(Some(format!(
        "*Jira* · {} story points done in {} issues{cycle} · `/metrics jira` for velocity",
        format_count(points.round() as i64),
        format_count(done.len() as i64)
    )))
}

async fn jira_dashboard(
    db: &Db,
    org: &Org,
    viewer: &Viewer,
    range: Range,
    period: Period,
    now: i64,
    delivery: &Delivery<'_>,
) -> Result<Dashboard, DashboardError> {
    use crate::metrics::jira::{DoneIssue, SprintWindow, sprint_velocity, weekly_velocity};
    let mut conn = db.pool().acquire().await?;
    let mut d = Dashboard {
        title: format!("Jira · {}", range_words(range)),
        range: range_value(range),
        definition:
            "Velocity = story points of issues done in a sprint (or week, without sprints); \
                     issue cycle time = first In Progress → Done, from Jira's status categories."
                .into(),
        ..Dashboard::default()
    };
    let jira = integrations::get(&mut conn, org.id, "jira").await?;
    if jira.as_ref().is_none_or(|j| j.status != "connected") {
        let button = (viewer.role == Role::Admin).then(|| {
            Button::new(blocks::ids::action::SETUP_JIRA, "Connect Jira", "jira").primary()
        });
        d.empty = Some(Empty {
            text: ":jigsaw: Jira isn't connected. Connect it to see story points, sprint velocity \
                   and issue cycle time next to your GitHub numbers."
                .into(),
            button,
        });
        return Ok(d);
    }
    let done = crate::store::jira::done_between(&mut conn, org.id, period.from, period.to).await?;
    let prev = period.previous();
    let before = crate::store::jira::done_between(&mut conn, org.id, prev.from, prev.to).await?;
    let sprints = crate::store::jira::sprints(&mut conn, org.id).await?;
    let synced = sync_state::last_finished(&mut conn, org.id, "jira").await?;
    drop(conn);
    let points = |rows: &[(i64, Option<f64>, Option<i64>)]| -> f64 {
        rows.iter()
            .filter_map(|(_, p, _)| *p)
            .filter(|p| p.is_finite() && *p >= 0.0)
            .sum()
    };
    let cycles = |rows: &[(i64, Option<f64>, Option<i64>)]| -> Option<Summary> {
        crate::metrics::summarise(&rows.iter().filter_map(|(_, _, c)| *c).collect::<Vec<_>>())
    };
    let compared = format!("previous {}", period_noun(range));
    let mut pts =
        StatCard::new("Story points done").with_value(format_count(points(&done).round() as i64));
    if let Some(c) = crate::metrics::dashboard::change_percent(points(&done), points(&before)) {
        pts = pts.with_change(Change::new(c, BetterWhen::Higher).compared_to(&compared));
    }
    let issues = StatCard::new("Issues done").with_value(format_count(done.len() as i64));
    let (cycle_now, cycle_before) = (cycles(&done), cycles(&before));
    let mut cycle = StatCard::new("Median issue cycle time");
    if let Some(s) = cycle_now {
        cycle = cycle
            .with_value(format_duration(s.median))
            .with_hint(format!("from {} issues", s.n));
        if let Some(c) = median_change(cycle_now, cycle_before) {
            cycle = cycle.with_change(Change::new(c, BetterWhen::Lower).compared_to(&compared));
        }
    }
    d.cards = vec![pts, issues, cycle];
    d.context = format!(
        "*{}*{}",
        escape_mrkdwn(&org.name),
        synced
            .map(|t| format!(" · synced {}", ago(now, t)))
            .unwrap_or_default()
    );
    d.headline = if done.is_empty() {
        format!("No Jira issues done in the {}.", range_words(range))
    } else {
        format!(
            "*{} story points* done in {} issues in the {}.",
            format_count(points(&done).round() as i64),
            format_count(done.len() as i64),
            range_words(range)
        )
    };
    // Velocity per sprint for sprints overlapping the chart window, else per week.
    let window_from = period.from.min(period.to - 12 * WEEK);
    let all_done = {
        let mut conn = db.pool().acquire().await?;
        crate::store::jira::done_between(&mut conn, org.id, window_from, period.to).await?
    };
    let done_issues: Vec<DoneIssue> = all_done
        .iter()
        .map(|(at, p, _)| DoneIssue {
            done_at: *at,
            points: *p,
        })
        .collect();
    let recent: Vec<&crate::store::jira::SprintRow> = sprints
        .iter()
        .map(|(_, s)| s)
        .filter(|s| {
            s.start_at.is_some_and(|st| st < period.to) && s.end_at.is_some_and(|e| e > window_from)
        })
        .collect();
    let chart = if recent.is_empty() {
        let weekly = weekly_velocity(&done_issues);
        ::charts::Chart::Bar(::charts::BarChart {
            title: "Story points done per week".into(),
            categories: weekly.iter().map(|(w, _)| week_label(*w)).collect(),
            series: vec![::charts::BarSeries {
                name: "Story points".into(),
                values: weekly.iter().map(|(_, v)| v.points).collect(),
            }],
            y_unit: ::charts::YUnit::Count,
            y_label: "story points".into(),
            category_kind: ::charts::CategoryKind::Weeks,
            ..::charts::BarChart::default()
        })
    } else {
        let windows: Vec<SprintWindow> = recent
            .iter()
            .map(|s| SprintWindow {
                start: s.start_at.unwrap_or_default(),
                end: s.end_at.unwrap_or_default(),
                complete_at: s.complete_at,
            })
            .collect();
        let velocity = sprint_velocity(&done_issues, &windows);
        ::charts::Chart::Bar(::charts::BarChart {
            title: "Velocity per sprint (story points done)".into(),
            categories: recent.iter().map(|s| s.name.clone()).collect(),
            series: vec![::charts::BarSeries {
                name: "Story points".into(),
                values: velocity.iter().map(|v| v.points).collect(),
            }],
            y_unit: ::charts::YUnit::Count,
            y_label: "story points".into(),
            ..::charts::BarChart::default()
        })
    };
    d.charts = charts::deliver_all(db, org.id, delivery, vec![chart]).await?;
    Ok(d)
}
