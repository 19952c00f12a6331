//! `/metrics ai`: is AI helping? The AI-assisted share on both signals,
//! AI vs non-AI comparisons with honest statistics, agreement between the
//! signals, quality, the AI Detective record and the survey response rate;
//! per-person shares only for people the viewer may see by name.

use std::collections::HashMap;

use blocks::dashboard::{Dashboard, Empty, Table, format_count, format_duration};
use blocks::limits::escape_mrkdwn;
use blocks::{BetterWhen, Change, StatCard};

use super::{DashboardError, Db, Delivery, Period, range_value, rollups};
use crate::dashboard::grammar::Range;
use crate::domain::{PersonId, TeamId};
use crate::domain::{Subject, Viewer, can_view};
use crate::metrics::impact::{self, Basis, Comparison, ImpactPr, Metric};
use crate::metrics::rollup::Scope;
use crate::metrics::stats::{MIN_GROUP, Verdict};
use crate::store::orgs::Org;
use crate::store::{people, surveys, teams};

/// Everything the AI view and the export compute for a period.
#[derive(Debug, Clone, PartialEq)]
pub struct AiFacts {
    /// Merged PRs that count, with their quality.
    pub prs: Vec<ImpactPr>,
    /// Every comparison, both signals.
    pub comparisons: Vec<Comparison>,
    /// Reviewer ratings: `(self-reported AI, rating)`.
    pub ratings: Vec<(Option<bool>, i64)>,
    /// Survey response and detective record.
    pub stats: surveys::PeriodStats,
}

/// Reads the period's PRs and ratings and computes every comparison.
pub async fn facts(
    db: &Db,
    org: &Org,
    scope: Scope,
    period: Period,
) -> Result<AiFacts, DashboardError> {
    let mut conn = db.pool().acquire().await?;
    let prs = rollups::period_pr_facts(&mut conn, org.id, scope, period.from, period.to).await?;
    let ratings = surveys::period_ratings(&mut conn, org.id, period.from, period.to).await?;
    let stats = surveys::period_stats(&mut conn, org.id, period.from, period.to).await?;
    drop(conn);
    let mut quality: HashMap<i64, (i64, i64)> = HashMap::new();
    for (pr, rating, _) in &ratings {
        let q = quality.entry(*pr).or_default();
        q.0 += rating;
        q.1 += 1;
    }
    let prs: Vec<ImpactPr> = prs
        .iter()
        .filter(|p| p.counts())
        .map(|p| ImpactPr {
            id: p.id,
            author: p.author,
            merged_at: p.merged_at,
            cycle: p.cycle,
            pickup: p.pickup,
            review: p.review,
            size: p.size,
            is_revert: p.is_revert,
            ai_detected: p.ai_detected,
            ai_reported: p.ai_reported,
            quality: quality.get(&p.id).map(|(s, n)| *s as f64 / *n as f64),
        })
        .collect();
    let comparisons = impact::compare_all(&prs);
    let ratings = ratings
        .into_iter()
        .map(|(_, r, a)| (a.map(|a| a.is_ai_assisted()), r))
        .collect();
    Ok(AiFacts {
        prs,
        comparisons,
        ratings,
        stats,
    })
}

fn label(metric: Metric) -> &'static str {
    match metric {
        Metric::Cycle => "Cycle time",
        Metric::Pickup => "Pickup time",
        Metric::Review => "Review time",
        Metric::Size => "PR size",
        Metric::RevertRate => "Revert rate",
        Metric::Quality => "Quality rating",
    }
}

/// A group's value as people read it.
pub fn value_text(metric: Metric, v: f64) -> String {
    match metric {
        Metric::Cycle | Metric::Pickup | Metric::Review => format_duration(v),
        Metric::Size => format!("{} lines", format_count(v.round() as i64)),
        Metric::RevertRate => format!("{:.1}%", v * 100.0),
        Metric::Quality => format!("{v:.1} / 5"),
    }
}

fn pct(x: f64) -> String {
    format!("{:.0}%", (x * 100.0).abs())
}

/// The plain-language verdict of a comparison (docs/metrics.md's rule).
pub fn sentence(c: &Comparison) -> String {
    let basis = c.basis.label();
    if c.n_ai == 0 {
        return if c.metric == Metric::Quality {
            format!("no quality ratings of AI-assisted PRs yet ({basis})")
        } else {
            format!("no AI-assisted PRs yet ({basis})")
        };
    }
    match c.verdict {
        Verdict::NotEnoughData => {
            if c.n_ai < MIN_GROUP {
                format!(
                    "not enough data yet: {} AI-assisted PRs ({basis}), need {MIN_GROUP}",
                    c.n_ai
                )
            } else {
                format!(
                    "not enough data yet: {} other PRs ({basis}), need {MIN_GROUP}",
                    c.n_other
                )
            }
        }
        Verdict::NoClearDifference => format!(
            "no clear difference ({basis}; p = {:.2}, {} PRs)",
            c.p.unwrap_or(1.0),
            c.n_ai + c.n_other
        ),
        Verdict::Lower | Verdict::Higher => {
            let lower = c.verdict == Verdict::Lower;
            let what = match (c.metric, lower) {
                (Metric::Cycle, true) => "merged {} faster",
                (Metric::Cycle, false) => "merged {} slower",
                (Metric::Pickup, true) => "were picked up {} sooner",
                (Metric::Pickup, false) => "waited {} longer for review",
                (Metric::Review, true) => "went through review {} faster",
                (Metric::Review, false) => "spent {} longer in review",
                (Metric::Size, true) => "were {} smaller",
                (Metric::Size, false) => "were {} larger",
                (Metric::RevertRate, true) => "were reverted {} less often",
                (Metric::RevertRate, false) => "were reverted {} more often",
                (Metric::Quality, true) => "were rated {} lower",
                (Metric::Quality, false) => "were rated {} higher",
            };
            let n = c.n_ai + c.n_other;
            let rel = c.relative.unwrap_or_default();
            // The medians may not move with the test (equal medians,
            // shifted tails): then say only which way values lean.
            if rel == 0.0 || (rel < 0.0) != lower {
                let lean = if lower { "lower" } else { "higher" };
                let medians = if rel == 0.0 {
                    "same median".to_string()
                } else {
                    format!("medians {} apart", pct(rel))
                };
                return format!(
                    "AI-assisted PRs ({basis}): {} tends to be {lean} ({medians}; p = {:.2}), based on {n} PRs",
                    label(c.metric).to_lowercase(),
                    c.p.unwrap_or(1.0)
                );
            }
            let ci = c
                .relative_ci
                .map(|(lo, hi)| {
                    let (a, b) = if lower { (-hi, -lo) } else { (lo, hi) };
                    format!(" (95% CI {:.0}% to {:.0}%)", a * 100.0, b * 100.0)
                })
                .unwrap_or_default();
            format!(
                "AI-assisted PRs ({basis}) {}{ci}, based on {n} PRs",
                what.replace("{}", &pct(rel))
            )
        }
    }
}

fn card(c: &Comparison) -> StatCard {
    let mut card = StatCard::new(format!("{} · {}", label(c.metric), c.basis.label()));
    match (&c.ai, &c.other) {
        (Some(ai), Some(other)) => {
            card = card.with_value(format!(
                "{} vs {}",
                value_text(c.metric, ai.median),
                value_text(c.metric, other.median)
            ));
        }
        (None, Some(other)) => {
            card = card.with_value(format!("— vs {}", value_text(c.metric, other.median)));
        }
        _ => {}
    }
    if matches!(c.verdict, Verdict::Lower | Verdict::Higher)
        && let Some(rel) = c.relative
    {
        let better = if c.metric.lower_is_better() {
            BetterWhen::Lower
        } else {
            BetterWhen::Higher
        };
        card = card.with_change(Change::new(rel * 100.0, better).compared_to("other PRs"));
    }
    // The sentence, and the p-value wherever the sentence leaves it out.
    let hint = match (c.verdict, c.p) {
        (Verdict::Lower | Verdict::Higher, Some(p)) if !sentence(c).contains("p = ") => {
            format!("{} · p = {p:.3}", sentence(c))
        }
        _ => sentence(c),
    };
    card.with_hint(hint)
}

/// Which AI view: whose PRs, titled how, over which period.
#[derive(Debug, Clone, PartialEq)]
pub struct Asked {
    /// Org, team or person (visibility already checked).
    pub scope: Scope,
    /// Header.
    pub title: String,
    /// The range as asked.
    pub range: Range,
    /// Its period.
    pub period: Period,
}

/// The AI impact dashboard of `asked`.
pub async fn dashboard(
    db: &Db,
    org: &Org,
    viewer: &Viewer,
    asked: Asked,
    delivery: &Delivery<'_>,
) -> Result<Dashboard, DashboardError> {
    let f = facts(db, org, asked.scope, asked.period).await?;
    let mut d = Dashboard {
        title: asked.title.clone(),
        range: range_value(asked.range),
        definition: "AI-assisted *self-reported* = the author answered \"some parts\" or \"mostly AI\" \
            (out of PRs with an answer); *detected* = a Co-authored-by trailer, agent branch, label or \
            account (out of all merged PRs). Each cell: median of AI-assisted vs other PRs; intervals \
            are 95% bootstrap (2,000 resamples); p from a two-sided Mann–Whitney U test; a verdict \
            needs ≥ 20 PRs in each group and p < 0.05."
            .into(),
        ..Dashboard::default()
    };
    if f.prs.is_empty() {
        d.empty = Some(Empty {
            text: ":hourglass_flowing_sand: No merged PRs in this period yet. AI impact compares \
                   AI-assisted PRs with the rest once PRs merge and authors answer their survey."
                .into(),
            button: None,
        });
        return Ok(d);
    }
    let (reported_ai, answered) = impact::share(&f.prs, Basis::SelfReported);
    let (detected_ai, merged) = impact::share(&f.prs, Basis::Detected);
    let share = |k: usize, n: usize| {
        if n == 0 {
            "—".to_string()
        } else {
            format!("{:.0}%", k as f64 * 100.0 / n as f64)
        }
    };
    d.context = format!(
        "*{}* · {} merged PRs · {} with the author's answer",
        escape_mrkdwn(&org.name),
        format_count(merged as i64),
        format_count(answered as i64)
    );
    let reported = if answered == 0 {
        "no survey answers yet".to_string()
    } else if reported_ai == 0 {
        format!("no AI-assisted PRs yet among {answered} answered")
    } else {
        format!(
            "*{}* of {} answered PRs (self-reported)",
            share(reported_ai, answered),
            format_count(answered as i64)
        )
    };
    let detected = if detected_ai == 0 {
        "no AI signal detected yet".to_string()
    } else {
        format!(
            "*{}* of {} merged PRs (detected)",
            share(detected_ai, merged),
            format_count(merged as i64)
        )
    };
    let cycle = f
        .comparisons
        .iter()
        .filter(|c| c.metric == Metric::Cycle)
        .max_by_key(|c| {
            (
                matches!(c.verdict, Verdict::Lower | Verdict::Higher),
                c.basis == Basis::SelfReported,
            )
        })
        .map(sentence)
        .unwrap_or_default();
    d.headline = format!("*AI-assisted*: {reported} · {detected}.\n*Cycle time*: {cycle}.");
    d.cards = f
        .comparisons
        .iter()
        .filter(|c| c.basis == Basis::SelfReported)
        .map(card)
        .collect();
    let detected_lines: Vec<String> = f
        .comparisons
        .iter()
        .filter(|c| c.basis == Basis::Detected)
        .map(|c| {
            let values = match (&c.ai, &c.other) {
                (Some(a), Some(o)) => format!(
                    "{} vs {} · ",
                    value_text(c.metric, a.median),
                    value_text(c.metric, o.median)
                ),
                _ => String::new(),
            };
            format!("• {}: {values}{}", label(c.metric), sentence(c))
        })
        .collect();
    d.notes.push(format!(
        "*Detected AI signal* (all merged PRs)\n{}",
        detected_lines.join("\n")
    ));
    let a = impact::agreement(&f.prs);
    if a.both + a.reported_only + a.detected_only + a.neither > 0 {
        d.notes.push(format!(
            "*Do the signals agree?* On {} PRs with an answer: both say AI {} · only the author {} · \
             only detection {} · neither {}{}",
            a.both + a.reported_only + a.detected_only + a.neither,
            a.both,
            a.reported_only,
            a.detected_only,
            a.neither,
            a.kappa
                .map(|k| format!(" · Cohen's κ {k:.2}"))
                .unwrap_or_default()
        ));
    }
    let q = impact::quality_distribution(&f.ratings);
    let (qa, qo): (usize, usize) = (q[0].iter().sum(), q[1].iter().sum());
    if qa + qo > 0 {
        let row = |c: &[usize; 5]| {
            c.iter()
                .enumerate()
                .map(|(i, n)| format!("{}★ {n}", i + 1))
                .collect::<Vec<_>>()
                .join(" · ")
        };
        d.notes.push(format!(
            "*Quality ratings* · AI-assisted ({qa}): {} \n· other ({qo}): {}",
            row(&q[0]),
            row(&q[1])
        ));
    }
    let s = f.stats;
    let mut survey = Vec::new();
    if s.asked > 0 {
        survey.push(format!(
            "survey response {} of {} authors ({:.0}%)",
            s.answered,
            s.asked,
            s.answered as f64 * 100.0 / s.asked as f64
        ));
    }
    if s.revealed > 0 {
        survey.push(format!(
            "AI Detective: {} of {} guesses right ({:.0}%)",
            s.correct,
            s.revealed,
            s.correct as f64 * 100.0 / s.revealed as f64
        ));
    }
    if !survey.is_empty() {
        d.notes.push(format!("*Surveys* · {}", survey.join(" · ")));
    }
    if let Some(t) = people_table(db, org, viewer, &f.prs).await? {
        d.tables.push(t);
    }
    d.charts = super::charts::deliver_all(db, org.id, delivery, charts(&f)).await?;
    Ok(d)
}

/// AI vs non-AI cycle time (box plots), the weekly AI-assisted share on
/// both signals, quality ratings of both groups, and size against cycle
/// time coloured by the detected signal.
pub fn charts(f: &AiFacts) -> Vec<::charts::Chart> {
    use ::charts::{
        BarChart, BarMode, BarSeries, BoxChart, BoxGroup, Chart, LineChart, ScatterChart,
        ScatterSeries, Series, YUnit,
    };
    let cycles = |pick: &dyn Fn(&ImpactPr) -> bool| -> Vec<f64> {
        f.prs
            .iter()
            .filter(|p| pick(p))
            .filter_map(|p| p.cycle.map(|c| c as f64))
            .collect()
    };
    let boxes = Chart::Box(BoxChart {
        title: "Cycle time: AI-assisted vs other PRs".into(),
        groups: vec![
            BoxGroup {
                name: "AI (self-reported)".into(),
                values: cycles(&|p| p.ai_reported == Some(true)),
            },
            BoxGroup {
                name: "No AI (self-reported)".into(),
                values: cycles(&|p| p.ai_reported == Some(false)),
            },
            BoxGroup {
                name: "AI detected".into(),
                values: cycles(&|p| p.ai_detected),
            },
            BoxGroup {
                name: "Not detected".into(),
                values: cycles(&|p| !p.ai_detected),
            },
        ],
        y_unit: YUnit::Duration,
        y_label: "cycle time".into(),
        ..BoxChart::default()
    });
    // Weekly share, each signal out of its own base.
    let mut weeks: std::collections::BTreeMap<i64, [usize; 4]> = Default::default();
    for p in &f.prs {
        let w = weeks
            .entry(crate::metrics::rollup::week_start(p.merged_at))
            .or_default();
        if let Some(ai) = p.ai_reported {
            w[0] += usize::from(ai);
            w[1] += 1;
        }
        w[2] += usize::from(p.ai_detected);
        w[3] += 1;
    }
    let share = |k: usize, n: usize| (n > 0).then(|| k as f64 * 100.0 / n as f64);
    let line = |name: &str, pick: fn(&[usize; 4]) -> (usize, usize)| Series {
        name: name.into(),
        points: weeks
            .iter()
            .filter_map(|(w, c)| {
                let (k, n) = pick(c);
                share(k, n).map(|s| (*w, s))
            })
            .collect(),
        band: Vec::new(),
    };
    let trend = Chart::Line(LineChart {
        title: "AI-assisted share of merged PRs per week".into(),
        series: vec![
            line("Self-reported (of answered)", |c| (c[0], c[1])),
            line("Detected (of merged)", |c| (c[2], c[3])),
        ],
        y_unit: YUnit::Count,
        y_label: "% of PRs".into(),
        ..LineChart::default()
    });
    let q = impact::quality_distribution(&f.ratings);
    let quality = Chart::Bar(BarChart {
        title: "Quality ratings: AI-assisted vs other PRs (self-reported)".into(),
        categories: (1..=5).map(|r| format!("{r}★")).collect(),
        series: vec![
            BarSeries {
                name: "AI-assisted".into(),
                values: q[0].iter().map(|n| *n as f64).collect(),
            },
            BarSeries {
                name: "Other".into(),
                values: q[1].iter().map(|n| *n as f64).collect(),
            },
        ],
        mode: BarMode::Grouped,
        y_unit: YUnit::Count,
        y_label: "ratings".into(),
        ..BarChart::default()
    });
    let points = |ai: bool| -> Vec<(f64, f64)> {
        f.prs
            .iter()
            .filter(|p| p.ai_detected == ai)
            .filter_map(|p| p.cycle.map(|c| (p.size as f64, c as f64)))
            .collect()
    };
    let scatter = Chart::Scatter(ScatterChart {
        title: "PR size vs cycle time".into(),
        x_label: "PR size (lines changed)".into(),
        y_label: "cycle time".into(),
        x_unit: YUnit::Count,
        y_unit: YUnit::Duration,
        series: vec![
            ScatterSeries {
                name: "Not detected".into(),
                points: points(false),
            },
            ScatterSeries {
                name: "AI detected".into(),
                points: points(true),
            },
        ],
        log_x: true,
        ..ScatterChart::default()
    });
    vec![boxes, trend, quality, scatter]
}

/// AI-assisted share per person, only for people the viewer may see by
/// name (their own row for developers, their teams for leads, everyone
/// for admins).
async fn people_table(
    db: &Db,
    org: &Org,
    viewer: &Viewer,
    prs: &[ImpactPr],
) -> Result<Option<Table>, DashboardError> {
    let mut conn = db.pool().acquire().await?;
    let everyone = people::list(&mut conn, org.id).await?;
    let mut teams_of: HashMap<PersonId, Vec<TeamId>> = HashMap::new();
    for t in teams::list(&mut conn, org.id).await? {
        for m in teams::members(&mut conn, org.id, t.id).await? {
            teams_of.entry(m).or_default().push(t.id);
        }
    }
    drop(conn);
    let mut rows = Vec::new();
    for p in everyone.iter().filter(|p| !p.is_bot && !p.is_excluded) {
        let mine: Vec<&ImpactPr> = prs.iter().filter(|x| x.author == Some(p.id.0)).collect();
        if mine.is_empty() {
            continue;
        }
        let subject = Subject::Person {
            person: p.id,
            teams: teams_of.get(&p.id).cloned().unwrap_or_default(),
        };
        if !can_view(viewer, &subject) {
            continue;
        }
        let answered: Vec<bool> = mine.iter().filter_map(|x| x.ai_reported).collect();
        let ai = answered.iter().filter(|a| **a).count();
        let detected = mine.iter().filter(|x| x.ai_detected).count();
        let reported = if answered.is_empty() {
            "no answers".to_string()
        } else {
            format!("{ai} of {} answered", answered.len())
        };
        rows.push((
            mine.len(),
            p.display_name.clone(),
            format!("{} PRs · AI: {reported} · {detected} detected", mine.len()),
        ));
    }
    if rows.is_empty() {
        return Ok(None);
    }
    rows.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    Ok(Some(Table {
        title: "People".into(),
        columns: ("Person".into(), "Merged · AI-assisted".into()),
        rows: rows.into_iter().map(|(_, n, v)| (n, v)).collect(),
    }))
}

/// The AI section of App Home: the AI-assisted share on both signals, the
/// verdicts people ask about first (cycle time, review time, quality; the
/// signal with a verdict preferred, then self-reported), and the viewer's
/// own answers.
pub fn home_note(f: &AiFacts, person: Option<PersonId>) -> Option<String> {
    if f.prs.is_empty() {
        return None;
    }
    let (reported_ai, answered) = impact::share(&f.prs, Basis::SelfReported);
    let (detected_ai, merged) = impact::share(&f.prs, Basis::Detected);
    let reported = if answered == 0 {
        "no survey answers yet".to_string()
    } else {
        format!(
            "{:.0}% of {answered} answered PRs AI-assisted (self-reported)",
            reported_ai as f64 * 100.0 / answered as f64
        )
    };
    let mut lines = vec![format!(
        "*:robot_face: AI impact* · {reported} · {:.0}% of {merged} detected",
        detected_ai as f64 * 100.0 / merged as f64
    )];
    for metric in [Metric::Cycle, Metric::Review, Metric::Quality] {
        let best = f
            .comparisons
            .iter()
            .filter(|c| c.metric == metric)
            .max_by_key(|c| {
                (
                    matches!(c.verdict, Verdict::Lower | Verdict::Higher),
                    c.basis == Basis::SelfReported,
                )
            });
        if let Some(c) = best {
            lines.push(format!("• {}: {}", label(metric), sentence(c)));
        }
    }
    if let Some(me) = person {
        let mine: Vec<bool> = f
            .prs
            .iter()
            .filter(|p| p.author == Some(me.0))
            .filter_map(|p| p.ai_reported)
            .collect();
        if !mine.is_empty() {
            lines.push(format!(
                "• Your PRs: {} of {} answered were AI-assisted · `/metrics ai me`",
                mine.iter().filter(|a| **a).count(),
                mine.len()
            ));
        }
    }
    lines.push("`/metrics ai` for every comparison, the charts and how the signals agree".into());
    Some(lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(prs: Vec<ImpactPr>) -> AiFacts {
        AiFacts {
            comparisons: impact::compare_all(&prs),
            prs,
            ratings: Vec::new(),
            stats: surveys::PeriodStats::default(),
        }
    }

    #[test]
    fn the_home_section_leads_with_shares_and_verdicts_and_the_viewers_own() {
        assert_eq!(home_note(&facts(Vec::new()), None), None);
        let prs: Vec<ImpactPr> = (0..50)
            .map(|i| ImpactPr {
                id: i,
                author: Some(i % 2),
                cycle: Some(if i < 25 { 3_600 + i } else { 10_000 + i }),
                review: Some(600),
                size: 10,
                ai_detected: i < 25,
                ai_reported: Some(i < 25),
                ..ImpactPr::default()
            })
            .collect();
        let note = home_note(&facts(prs), Some(PersonId(0))).unwrap();
        assert!(
            note.starts_with("*:robot_face: AI impact* · 50% of 50 answered PRs"),
            "{note}"
        );
        assert!(
            note.contains("• Cycle time: AI-assisted PRs (self-reported) merged"),
            "{note}"
        );
        assert!(
            note.contains("• Quality rating: no quality ratings of AI-assisted PRs yet"),
            "{note}"
        );
        assert!(note.contains("• Your PRs: 13 of 25 answered"), "{note}");
        assert!(!note.contains("NaN"));
    }
}
