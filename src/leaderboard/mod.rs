//! The weekly leaderboard (docs/product.md phase 7): a week's facts are read
//! from the store, ranked by `metrics::leaderboard`, formatted into the
//! board `blocks::leaderboard` lays out, and posted once per org and week
//! by [`post`] when [`schedule`] says it is due in the org's time zone.
//!
//! A leaderboard week runs from one posting slot to the next, so the post
//! covers exactly the week before it and `/metrics leaderboard` shows the
//! week so far.

pub mod post;
pub mod schedule;
pub mod settings;

use std::collections::BTreeMap;

use blocks::dashboard::{format_count, format_duration};
use blocks::leaderboard::{Board, Category as CategoryView, Line};
use chrono::{TimeZone, Utc};
use chrono_tz::Tz;

use self::schedule::When;
use crate::dashboard::Delivery;
use crate::domain::OrgId;
use crate::metrics::leaderboard::{
    Category, IMPROVED_WEEKS, MIN_ANSWERS, MIN_CYCLES, MIN_GUESSES, MIN_PICKUPS, Person, Ranked,
    Score, Team, Week, rank,
};
use crate::metrics::rollup::{PrFact, Scope};
use crate::store::leaderboard::Settings;
use crate::store::{Db, StoreError, people, rollups, teams};

const DAY: i64 = 86_400;

/// The stored schedule (UTC when the stored zone is not one this build knows).
pub fn when(s: &Settings) -> When {
    When {
        day: s.day.clamp(1, 7),
        minute: s.minute.min(1439),
        zone: zone(&s.time_zone),
    }
}

/// An IANA zone, UTC when unknown (the same rule as people's zones).
pub fn zone(name: &str) -> Tz {
    crate::surveys::schedule::zone(Some(name))
}

/// The categories shown, in the board's order (all when none are chosen).
pub fn categories(s: &Settings) -> Vec<Category> {
    let chosen: Vec<Category> = Category::ALL
        .into_iter()
        .filter(|c| s.categories.iter().any(|k| k == c.key()))
        .collect();
    if chosen.is_empty() {
        Category::ALL.to_vec()
    } else {
        chosen
    }
}

/// `at` in the zone as people read it: "Mon Nov 16, 10:00".
pub fn local_words(at: i64, zone: Tz) -> String {
    Utc.timestamp_opt(at, 0)
        .single()
        .map(|t| {
            t.with_timezone(&zone)
                .format("%a %b %-d, %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// The schedule in words: "Mondays at 10:00 (Europe/Berlin)".
pub fn schedule_words(s: &Settings) -> String {
    let day = blocks::leaderboard::DAYS
        .get((s.day.clamp(1, 7) - 1) as usize)
        .copied()
        .unwrap_or("Monday");
    format!(
        "{day}s at {} ({})",
        schedule::format_time(s.minute),
        zone(&s.time_zone).name()
    )
}

/// When and where the board is posted: "Mondays at 10:00 (UTC) in
/// #eng-wins" ("in a private channel" when Slack gave no name).
pub fn where_words(s: &Settings) -> String {
    let place = match (&s.channel_name, &s.channel) {
        (Some(name), _) => format!(" in #{name}"),
        (None, Some(_)) => " in a private channel".to_string(),
        (None, None) => String::new(),
    };
    format!("{}{place}", schedule_words(s))
}

/// A week's facts, and the week's merged PRs (for the chart).
pub async fn load_week(
    db: &Db,
    org: OrgId,
    from: i64,
    to: i64,
) -> Result<(Week, Vec<PrFact>), StoreError> {
    let mut conn = db.pool().acquire().await?;
    let everyone = people::list(&mut conn, org).await?;
    let people: Vec<Person> = everyone
        .iter()
        .filter(|p| !p.is_bot && !p.is_excluded)
        .map(|p| Person {
            id: p.id.0,
            name: p.display_name.clone(),
            ranked: !p.rank_opt_out,
        })
        .collect();
    let map = rollups::team_map(&mut conn, org).await?;
    let mut members: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for (person, ts) in &map {
        for t in ts {
            members.entry(*t).or_default().push(*person);
        }
    }
    let teams: Vec<Team> = teams::list(&mut conn, org)
        .await?
        .into_iter()
        .map(|t| Team {
            id: t.id.0,
            members: members.remove(&t.id.0).unwrap_or_default(),
            name: t.name,
        })
        .collect();
    let guesses = rollups::guess_facts(&mut conn, org, from, to)
        .await?
        .into_iter()
        .map(|g| (g.reviewer, g.correct))
        .collect();
    // The dashboards' fast path: whole days unchanged since the last
    // rollup run come packed; the rest from the PRs and reviews.
    let reviews =
        crate::dashboard::rollups::period_review_facts(&mut conn, org, Scope::Org, from, to)
            .await?
            .into_iter()
            .map(|r| r.reviewer)
            .collect();
    let pickups = crate::store::leaderboard::pickups(&mut conn, org, from, to).await?;
    let span = IMPROVED_WEEKS * 7 * DAY;
    let cycles_of = |prs: Vec<PrFact>| -> Vec<(i64, i64)> {
        prs.into_iter()
            .filter(|p| p.counts())
            .filter_map(|p| Some((p.author?, p.cycle?)))
            .collect()
    };
    let cycles = cycles_of(
        crate::dashboard::rollups::period_pr_facts(&mut conn, org, Scope::Org, to - span, to)
            .await?,
    );
    let cycles_before = cycles_of(
        crate::dashboard::rollups::period_pr_facts(
            &mut conn,
            org,
            Scope::Org,
            to - 2 * span,
            to - span,
        )
        .await?,
    );
    let week_prs: Vec<PrFact> =
        crate::dashboard::rollups::period_pr_facts(&mut conn, org, Scope::Org, from, to)
            .await?
            .into_iter()
            .filter(PrFact::counts)
            .collect();
    let answers = week_prs
        .iter()
        .filter_map(|p| Some((p.author?, p.ai_reported?)))
        .collect();
    Ok((
        Week {
            people,
            teams,
            guesses,
            reviews,
            pickups,
            cycles,
            cycles_before,
            answers,
        },
        week_prs,
    ))
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!(
        "{} {}",
        format_count(n as i64),
        if n == 1 { one } else { many }
    )
}

fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        return "—".into();
    }
    format!("{:.0}%", part as f64 * 100.0 / whole as f64)
}

/// A ranked value in words.
pub fn value_words(score: &Score) -> String {
    match *score {
        Score::Accuracy { correct, total } => {
            format!("{correct} of {total} right ({})", percent(correct, total))
        }
        Score::Reviews(n) => plural(n, "review", "reviews"),
        Score::Pickup { median, reviews } => format!(
            "median {} over {}",
            format_duration(median),
            plural(reviews, "review", "reviews")
        ),
        Score::Improved { before, now } => format!(
            "median {}, down from {} (−{:.0}%)",
            format_duration(now),
            format_duration(before),
            (1.0 - now / before) * 100.0
        ),
        Score::Adoption { ai, answered } => format!(
            "{} AI-assisted · {}",
            percent(ai, answered),
            plural(answered, "answered PR", "answered PRs")
        ),
    }
}

/// Emoji, rule and empty text of a category.
pub fn describe(c: Category) -> (&'static str, String, String) {
    match c {
        Category::Detectives => (
            ":male-detective:",
            format!(
                "Share of right AI Detective guesses among those revealed this week; at least {MIN_GUESSES} guesses. Equal shares: more guesses first."
            ),
            format!("Nobody had {MIN_GUESSES} guesses revealed this week."),
        ),
        Category::Reviews => (
            ":eyes:",
            "Reviews submitted this week (approved, changes requested or commented; own PRs don't count)."
                .into(),
            "No reviews this week.".into(),
        ),
        Category::Pickup => (
            ":zap:",
            format!(
                "Median time from a PR being ready to your first review of it, over first reviews given this week; at least {MIN_PICKUPS}."
            ),
            format!("Nobody gave {MIN_PICKUPS} first reviews this week."),
        ),
        Category::Improved => (
            ":chart_with_downwards_trend:",
            format!(
                "Median cycle time of your PRs merged in the last {IMPROVED_WEEKS} weeks against the {IMPROVED_WEEKS} weeks before; at least {MIN_CYCLES} PRs in each."
            ),
            format!(
                "Nobody with {MIN_CYCLES} merged PRs in both windows got faster."
            ),
        ),
        Category::Adoption => (
            ":robot_face:",
            format!(
                "Share of the team's PRs merged this week whose authors said AI helped (self-reported), of those answered; at least {MIN_ANSWERS} answers. Everyone counts here, ranked or not."
            ),
            format!("No team had {MIN_ANSWERS} answered PRs this week."),
        ),
    }
}

fn lines(rows: &[Ranked]) -> Vec<Line> {
    rows.iter()
        .map(|r| Line {
            rank: r.rank,
            name: r.name.clone(),
            value: value_words(&r.score),
        })
        .collect()
}

/// The chart of the week: merged PRs per day, AI-assisted (self-reported)
/// stacked on the rest.
pub fn week_chart(prs: &[PrFact], from: i64, to: i64, zone: Tz) -> ::charts::Chart {
    use ::charts::{BarChart, BarMode, BarSeries, CategoryKind, YUnit};
    let days = ((to - from + DAY - 1) / DAY).clamp(1, 7);
    let mut ai = vec![0.0; days as usize];
    let mut other = vec![0.0; days as usize];
    for p in prs {
        let i = ((p.merged_at - from) / DAY).clamp(0, days - 1) as usize;
        if p.ai_reported == Some(true) {
            ai[i] += 1.0;
        } else {
            other[i] += 1.0;
        }
    }
    let categories = (0..days)
        .map(|i| {
            Utc.timestamp_opt(from + i * DAY, 0)
                .single()
                .map(|t| t.with_timezone(&zone).format("%a %-d").to_string())
                .unwrap_or_default()
        })
        .collect();
    ::charts::Chart::Bar(BarChart {
        title: "Merged PRs this week, by day".into(),
        categories,
        category_kind: CategoryKind::Days,
        series: vec![
            BarSeries {
                name: "AI-assisted (self-reported)".into(),
                values: ai,
            },
            BarSeries {
                name: "Other or not answered".into(),
                values: other,
            },
        ],
        mode: BarMode::Stacked,
        y_unit: YUnit::Count,
        y_label: "PRs".into(),
        ..BarChart::default()
    })
}

/// The board for `[from, to)`: every chosen category ranked, and the chart
/// of the week when `delivery` is given and there were merges (a chart
/// that cannot be delivered is left out, never the board).
pub async fn build(
    db: &Db,
    org: OrgId,
    settings: &Settings,
    title: &str,
    from: i64,
    to: i64,
    delivery: Option<&Delivery<'_>>,
) -> Result<Board, StoreError> {
    let zone = zone(&settings.time_zone);
    let (week, prs) = load_week(db, org, from, to).await?;
    let categories = categories(settings)
        .into_iter()
        .map(|c| {
            let (emoji, rule, empty) = describe(c);
            CategoryView {
                emoji: emoji.into(),
                title: c.label().into(),
                rule,
                lines: lines(&rank(&week, c)),
                empty,
            }
        })
        .collect();
    let chart = match delivery {
        Some(delivery) if !prs.is_empty() => {
            let spec = week_chart(&prs, from, to, zone);
            match crate::dashboard::charts::deliver_all(db, org, delivery, vec![spec]).await {
                Ok(mut images) => images.pop(),
                Err(e) => {
                    tracing::warn!(org_id = %org, error = %e, "leaderboard chart not delivered; posting without it");
                    None
                }
            }
        }
        _ => None,
    };
    Ok(Board {
        title: title.into(),
        period: format!(
            "{} – {} ({})",
            local_words(from, zone),
            local_words(to, zone),
            zone.name()
        ),
        categories,
        chart,
        footer: vec![
            "Not keen on being ranked? `/metrics leaderboard optout` — your work still counts in team totals."
                .into(),
        ],
    })
}

/// The stored settings; before an admin saved any, the defaults in the
/// org's time zone.
pub async fn effective_settings(db: &Db, org: OrgId) -> Result<Settings, StoreError> {
    let mut conn = db.pool().acquire().await?;
    let mut s = crate::store::leaderboard::settings(&mut conn, org).await?;
    if !s.saved {
        s.time_zone = crate::store::orgs::get(&mut conn, org).await?.time_zone;
    }
    Ok(s)
}

/// `/metrics leaderboard`: the current week so far, for the asker only.
pub async fn so_far(
    db: &Db,
    org: OrgId,
    now: i64,
    delivery: &Delivery<'_>,
) -> Result<blocks::Surface, StoreError> {
    let settings = effective_settings(db, org).await?;
    let w = when(&settings);
    let from = w.last_slot(now).at;
    let mut board = build(
        db,
        org,
        &settings,
        "Leaderboard · this week so far",
        from,
        now.max(from + 60),
        Some(delivery),
    )
    .await?;
    let next = w.next_slot(now);
    let footer = if settings.enabled && settings.channel.is_some() {
        format!(
            "Only you can see this. The week's board is posted {}; next on {}.",
            blocks::limits::escape_mrkdwn(&schedule_words(&settings)),
            local_words(next.at, w.zone)
        )
    } else {
        "Only you can see this. The board isn't posted to a channel yet: an admin can switch it on in the aimpact Home tab."
            .to_string()
    };
    board.footer.insert(0, footer);
    Ok(blocks::leaderboard::board_message(&board))
}

/// The board as it was (or would have been) posted at the latest slot
/// before the app clock's now (previews and `aimpact render`).
pub async fn last_week(
    state: &crate::state::AppState,
    org: OrgId,
    delivery: &Delivery<'_>,
) -> Result<Board, StoreError> {
    let settings = effective_settings(&state.db, org).await?;
    let w = when(&settings);
    let slot = w.last_slot(state.clock.now());
    let from = w.previous(&slot).at;
    build(
        &state.db,
        org,
        &settings,
        "Weekly leaderboard",
        from,
        slot.at,
        Some(delivery),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_as_sentences() {
        assert_eq!(
            value_words(&Score::Accuracy {
                correct: 9,
                total: 10
            }),
            "9 of 10 right (90%)"
        );
        assert_eq!(value_words(&Score::Reviews(1)), "1 review");
        assert_eq!(
            value_words(&Score::Pickup {
                median: 2_520.0,
                reviews: 6
            }),
            "median 42m over 6 reviews"
        );
        assert_eq!(
            value_words(&Score::Improved {
                before: 2.0 * 86_400.0,
                now: 86_400.0
            }),
            "median 1.0d, down from 2.0d (−50%)"
        );
        assert_eq!(
            value_words(&Score::Adoption {
                ai: 8,
                answered: 13
            }),
            "62% AI-assisted · 13 answered PRs"
        );
    }

    #[test]
    fn unknown_categories_and_zones_fall_back() {
        let s = Settings {
            categories: vec!["nope".into()],
            time_zone: "Mars/Base".into(),
            ..Settings::default()
        };
        assert_eq!(categories(&s), Category::ALL.to_vec());
        assert_eq!(when(&s).zone, Tz::UTC);
        let s = Settings {
            categories: vec!["adoption".into(), "reviews".into()],
            ..Settings::default()
        };
        assert_eq!(
            categories(&s),
            vec![Category::Reviews, Category::Adoption],
            "board order"
        );
        assert_eq!(schedule_words(&s), "Mondays at 10:00 (UTC)");
    }

    #[test]
    fn the_chart_buckets_merges_by_day_of_the_week() {
        let from = 1_795_600_800; // Wed 2026-11-25 10:00 UTC
        let pr = |at: i64, ai: Option<bool>| PrFact {
            id: 1,
            repository: 1,
            author: Some(1),
            author_login: "a".into(),
            author_is_bot: false,
            merged_at: at,
            cycle: None,
            pickup: None,
            review: None,
            size: 1,
            is_revert: false,
            is_hotfix: false,
            ai_detected: false,
            ai_reported: ai,
        };
        let prs = [
            pr(from + 10, Some(true)),
            pr(from + DAY + 5, None),
            pr(from + 6 * DAY + 1, Some(false)),
        ];
        let charts::Chart::Bar(c) = week_chart(&prs, from, from + 7 * DAY, Tz::UTC) else {
            panic!("bar chart");
        };
        assert_eq!(c.categories.len(), 7);
        assert_eq!(c.categories[0], "Wed 25");
        assert_eq!(c.series[0].values[0], 1.0);
        assert_eq!(c.series[1].values[1], 1.0);
        assert_eq!(c.series[1].values[6], 1.0);
    }
}
