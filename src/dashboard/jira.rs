//! The Jira view: velocity per sprint, story points and issue cycle time,
//! and the one-line Jira note on the overview.

use super::scope::*;
use super::*;

/// One line about Jira for the overview, when Jira is connected.
pub(super) async fn jira_note(
    db: &Db,
    org: &Org,
    period: Period,
) -> Result<Option<String>, DashboardError> {
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

pub(super) async fn jira_dashboard(
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
