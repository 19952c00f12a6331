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
mod jira; // the Jira view and the overview's Jira note
pub mod rollups;
mod scope; // the overview, team, repository and personal views

use blocks::dashboard::{Dashboard, Empty, Table, format_count, format_duration};
use blocks::kit::Button;
use blocks::limits::escape_mrkdwn;
use blocks::{BetterWhen, Change, StatCard};
use chrono::{NaiveDate, TimeZone, Utc};

use crate::dashboard::grammar::{AiOf, Query, Range, View};
use crate::domain::{PersonId, Provider, Role, TeamId};
use crate::domain::{Subject, Viewer, can_view};
use crate::metrics::aggregate::Summary;
use crate::metrics::dashboard::{Headline, Period, headline, median_change, review_load};
use crate::metrics::rollup::{Scope, WEEK, WeekValues, week_start};
use crate::state::AppState;
use crate::store::orgs::Org;
use crate::store::{Db, StoreError, integrations, people, pull_requests, repositories, roles};
use crate::store::{rollups as facts, sync_state, teams};

pub use self::charts::{ChartError, Delivery};
use self::jira::{jira_dashboard, jira_note};
use self::scope::*;

const DAY: i64 = 86_400;
/// Weekly charts show at least this many weeks, so a 7-day range still has a trend.
const CHART_WEEKS_MIN: i64 = 8;
/// And at most this many, so bars stay readable.
const CHART_WEEKS_MAX: i64 = 26;

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
    state: &AppState,
    org: &Org,
    viewer: &Viewer,
    asked: &Query,
    team: Option<TeamId>,
    delivery: &Delivery<'_>,
) -> Result<Answer, DashboardError> {
    let db = &state.db;
    let now = state.clock.now();
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
        View::Leaderboard | View::LeaderboardOptOut(_) | View::Feedback => {
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
