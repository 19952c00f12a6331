//! The numbers at the top of every dashboard: a period against the one
//! before it (docs/surfaces.md "Answer first"), and how review work is spread.
//!
//! Pure: facts in, numbers out. Medians below five values are `None`
//! ("not enough data"), never a number (docs/metrics.md "Aggregates").

use std::collections::BTreeMap;

use super::aggregate::{MIN_SAMPLE, Summary, median, summarise};
use super::rollup::{PrFact, ReviewFact};

/// A half-open period `[from, to)` in Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// First instant inside.
    pub from: i64,
    /// First instant after.
    pub to: i64,
}

impl Period {
    /// The period of the same length just before this one.
    pub fn previous(&self) -> Period {
        let len = self.to.saturating_sub(self.from);
        Period {
            from: self.from.saturating_sub(len),
            to: self.from,
        }
    }

    /// Whole days covered, at least 1.
    pub fn days(&self) -> i64 {
        (self.to.saturating_sub(self.from) / 86_400).max(1)
    }
}

/// A period's headline numbers and the previous period's, for the change.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Headline {
    /// PRs merged that count in throughput.
    pub merged: i64,
    /// The same, previous period.
    pub merged_before: i64,
    /// Cycle time.
    pub cycle: Option<Summary>,
    /// Cycle time, previous period.
    pub cycle_before: Option<Summary>,
    /// Pickup time.
    pub pickup: Option<Summary>,
    /// Pickup time, previous period.
    pub pickup_before: Option<Summary>,
    /// Review time.
    pub review: Option<Summary>,
    /// Review time, previous period.
    pub review_before: Option<Summary>,
    /// Median size in lines.
    pub size: Option<f64>,
    /// Reverts among the merged PRs.
    pub reverts: i64,
    /// Hotfixes among the merged PRs.
    pub hotfixes: i64,
    /// Merged PRs with a detected AI signal.
    pub ai_detected: i64,
    /// Merged PRs whose author answered the survey.
    pub answered: i64,
    /// Of those, AI-assisted (self-reported).
    pub ai_assisted: i64,
}

fn summary_of(prs: &[&PrFact], f: fn(&PrFact) -> Option<i64>) -> Option<Summary> {
    let values: Vec<i64> = prs.iter().filter_map(|p| f(p)).collect();
    summarise(&values)
}

/// The headline of `current` against `previous`. Bot PRs that do not count
/// in throughput are left out of every number.
pub fn headline(current: &[PrFact], previous: &[PrFact]) -> Headline {
    let now: Vec<&PrFact> = current.iter().filter(|p| p.counts()).collect();
    let before: Vec<&PrFact> = previous.iter().filter(|p| p.counts()).collect();
    let sizes: Vec<i64> = now.iter().map(|p| p.size).collect();
    let count = |f: fn(&PrFact) -> bool| now.iter().filter(|p| f(p)).count() as i64;
    Headline {
        merged: now.len() as i64,
        merged_before: before.len() as i64,
        cycle: summary_of(&now, |p| p.cycle),
        cycle_before: summary_of(&before, |p| p.cycle),
        pickup: summary_of(&now, |p| p.pickup),
        pickup_before: summary_of(&before, |p| p.pickup),
        review: summary_of(&now, |p| p.review),
        review_before: summary_of(&before, |p| p.review),
        size: if sizes.len() >= MIN_SAMPLE {
            median(&sizes)
        } else {
            None
        },
        reverts: count(|p| p.is_revert),
        hotfixes: count(|p| p.is_hotfix),
        ai_detected: count(|p| p.ai_detected),
        answered: count(|p| p.ai_reported.is_some()),
        ai_assisted: count(|p| p.ai_reported == Some(true)),
    }
}

/// Signed change from `before` to `now` in percent; `None` without a
/// positive, finite baseline (a change from zero has no percentage).
pub fn change_percent(now: f64, before: f64) -> Option<f64> {
    if !(before.is_finite() && now.is_finite()) || before <= 0.0 {
        return None;
    }
    Some((now - before) / before * 100.0)
}

/// The change of two medians, when both exist.
pub fn median_change(now: Option<Summary>, before: Option<Summary>) -> Option<f64> {
    change_percent(now?.median, before?.median)
}

/// How review work is spread across reviewers.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReviewLoad {
    /// Reviews given.
    pub reviews: i64,
    /// People who gave at least one.
    pub reviewers: i64,
    /// Median reviews per reviewer (from 5 reviewers up).
    pub median_per_reviewer: Option<f64>,
    /// Share (0–1) of reviews given by the busiest fifth of reviewers
    /// (at least one person), from 5 reviewers up.
    pub busiest_fifth_share: Option<f64>,
    /// Reviews per reviewer, busiest first (ties by person id). Only shown
    /// under the visibility rules.
    pub by_person: Vec<(i64, i64)>,
}

/// Review load of `reviews`.
pub fn review_load(reviews: &[ReviewFact]) -> ReviewLoad {
    let mut per: BTreeMap<i64, i64> = BTreeMap::new();
    for r in reviews {
        *per.entry(r.reviewer).or_default() += 1;
    }
    let mut by_person: Vec<(i64, i64)> = per.into_iter().collect();
    by_person.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let counts: Vec<i64> = by_person.iter().map(|(_, n)| *n).collect();
    let enough = counts.len() >= MIN_SAMPLE;
    let total: i64 = counts.iter().sum();
    let busiest = counts.len().div_ceil(5);
    let top: i64 = counts.iter().take(busiest).sum();
    ReviewLoad {
        reviews: total,
        reviewers: counts.len() as i64,
        median_per_reviewer: if enough { median(&counts) } else { None },
        busiest_fifth_share: (enough && total > 0).then(|| top as f64 / total as f64),
        by_person,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pr(cycle: i64) -> PrFact {
        PrFact {
            author_login: "dev".into(),
            cycle: Some(cycle),
            pickup: Some(cycle / 10),
            size: cycle,
            ..PrFact::default()
        }
    }

    #[test]
    fn the_previous_period_has_the_same_length_and_ends_where_this_one_starts() {
        let p = Period {
            from: 1_000,
            to: 1_600,
        };
        assert_eq!(
            p.previous(),
            Period {
                from: 400,
                to: 1_000
            }
        );
        assert_eq!(
            Period {
                from: 0,
                to: 30 * 86_400
            }
            .days(),
            30
        );
    }

    #[test]
    fn the_headline_compares_medians_and_counts_with_the_previous_period() {
        let now: Vec<PrFact> = [10, 20, 30, 40, 50, 60].map(pr).into();
        let before: Vec<PrFact> = [20, 40, 60, 80, 100].map(pr).into();
        let h = headline(&now, &before);
        assert_eq!((h.merged, h.merged_before), (6, 5));
        assert_eq!(h.cycle.map(|s| s.median), Some(35.0));
        assert_eq!(h.cycle_before.map(|s| s.median), Some(60.0));
        let change = median_change(h.cycle, h.cycle_before).unwrap_or(f64::NAN);
        assert!((change - (-41.666_666)).abs() < 1e-3, "{change}");
        assert_eq!(h.review, None, "no review times at all");
        assert_eq!(change_percent(3.0, 0.0), None);
        assert_eq!(change_percent(f64::NAN, 1.0), None);
    }

    #[test]
    fn bot_prs_that_are_not_agents_stay_out_of_the_headline() {
        let mut bot = pr(5);
        bot.author_login = "dependabot[bot]".into();
        let mut agent = pr(5);
        agent.author_login = "copilot-swe-agent[bot]".into();
        let h = headline(&[bot, agent, pr(7)], &[]);
        assert_eq!(h.merged, 2);
    }

    #[test]
    fn review_load_names_how_concentrated_reviewing_is() {
        let reviews: Vec<ReviewFact> = [(1, 10), (2, 4), (3, 3), (4, 2), (5, 1)]
            .iter()
            .flat_map(|&(who, n)| {
                (0..n).map(move |_| ReviewFact {
                    reviewer: who,
                    repository: 1,
                    submitted_at: 0,
                })
            })
            .collect();
        let load = review_load(&reviews);
        assert_eq!((load.reviews, load.reviewers), (20, 5));
        assert_eq!(load.median_per_reviewer, Some(3.0));
        assert_eq!(load.busiest_fifth_share, Some(0.5));
        assert_eq!(load.by_person.first(), Some(&(1, 10)));
        let few = review_load(&reviews[..3]);
        assert_eq!(few.median_per_reviewer, None);
        assert_eq!(few.busiest_fifth_share, None);
    }
}
