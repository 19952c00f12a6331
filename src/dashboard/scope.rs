//! The overview, team, repository and personal views: stat cards, the
//! headline sentence and the weekly charts of one scope.

use super::*;

pub(super) fn ago(now: i64, then: i64) -> String {
    let secs = (now - then).max(0);
    match secs {
        s if s < 90 => "just now".into(),
        s if s < 3600 => format!("{} min ago", s / 60),
        s if s < 2 * DAY => format!("{} h ago", s / 3600),
        s => format!("{} days ago", s / DAY),
    }
}

pub(super) fn duration_card(
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

pub(super) fn pct(part: i64, whole: i64) -> String {
    if whole <= 0 {
        return "—".into();
    }
    format!("{:.0}%", part as f64 / whole as f64 * 100.0)
}

pub(super) fn cards(h: &Headline, compared: &str) -> Vec<StatCard> {
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

pub(super) fn headline_text(h: &Headline, range: Range) -> String {
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

pub(super) fn period_noun(range: Range) -> String {
    match range {
        Range::LastDays(n) => format!("{n} days"),
        Range::Between(..) => "period of the same length".into(),
    }
}

pub(super) fn week_label(week: i64) -> String {
    Utc.timestamp_opt(week, 0)
        .single()
        .map(|t| t.format("%b %-d").to_string())
        .unwrap_or_default()
}

/// The weeks a weekly chart shows for `period`.
pub(super) fn chart_weeks(period: Period) -> Vec<i64> {
    let last = week_start(period.to - 1);
    let first = week_start(period.from)
        .min(last - (CHART_WEEKS_MIN - 1) * WEEK)
        .max(last - (CHART_WEEKS_MAX - 1) * WEEK);
    (0..)
        .map(|i| first + i * WEEK)
        .take_while(|w| *w <= last)
        .collect()
}

pub(super) fn weekly_charts(
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
pub(super) async fn scope_dashboard(
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
