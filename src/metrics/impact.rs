//! AI impact comparisons (docs/metrics.md "AI impact comparisons"), pure: a
//! period's merged PRs in, one comparison per metric and AI signal out.
//!
//! The two signals are never mixed: *self-reported* compares PRs whose
//! author answered `some`/`most` with those who answered `none` (PRs
//! without an answer are left out); *detected* compares PRs with a detected
//! AI signal with all other merged PRs.

use super::stats::{self, MedianEstimate, Verdict};

/// One merged PR as the comparisons see it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImpactPr {
    /// Row id.
    pub id: i64,
    /// Author's person id.
    pub author: Option<i64>,
    /// When merged.
    pub merged_at: i64,
    /// `cycle_time`, seconds.
    pub cycle: Option<i64>,
    /// `pickup_time`, seconds.
    pub pickup: Option<i64>,
    /// `review_time`, seconds.
    pub review: Option<i64>,
    /// Lines changed.
    pub size: i64,
    /// A revert.
    pub is_revert: bool,
    /// Detected AI signal.
    pub ai_detected: bool,
    /// The author's answer: `Some(true)` for some/most.
    pub ai_reported: Option<bool>,
    /// Mean of the reviewers' 1–5 ratings, when any.
    pub quality: Option<f64>,
}

/// Which AI signal splits the PRs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Basis {
    /// The author's survey answer.
    SelfReported,
    /// A detected signal in the PR's data.
    Detected,
}

impl Basis {
    /// Both, in display order.
    pub const ALL: [Basis; 2] = [Basis::SelfReported, Basis::Detected];

    /// The label people see.
    pub fn label(self) -> &'static str {
        match self {
            Basis::SelfReported => "self-reported",
            Basis::Detected => "detected",
        }
    }

    /// Whether a PR is AI-assisted on this basis; `None` when the basis
    /// says nothing about it (no survey answer).
    pub fn of(self, pr: &ImpactPr) -> Option<bool> {
        match self {
            Basis::SelfReported => pr.ai_reported,
            Basis::Detected => Some(pr.ai_detected),
        }
    }
}

/// What is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    /// Cycle time.
    Cycle,
    /// Pickup time.
    Pickup,
    /// Review time.
    Review,
    /// PR size.
    Size,
    /// Share of reverts.
    RevertRate,
    /// Reviewers' quality rating.
    Quality,
}

impl Metric {
    /// Every metric, in display order.
    pub const ALL: [Metric; 6] = [
        Metric::Cycle,
        Metric::Pickup,
        Metric::Review,
        Metric::Size,
        Metric::RevertRate,
        Metric::Quality,
    ];

    /// Stable name (export column, ids).
    pub fn name(self) -> &'static str {
        match self {
            Metric::Cycle => "cycle_time",
            Metric::Pickup => "pickup_time",
            Metric::Review => "review_time",
            Metric::Size => "size",
            Metric::RevertRate => "revert_rate",
            Metric::Quality => "quality",
        }
    }

    /// Whether lower is better (times, size, reverts) or higher (quality).
    pub fn lower_is_better(self) -> bool {
        !matches!(self, Metric::Quality)
    }

    fn value(self, pr: &ImpactPr) -> Option<f64> {
        match self {
            Metric::Cycle => pr.cycle.map(|v| v as f64),
            Metric::Pickup => pr.pickup.map(|v| v as f64),
            Metric::Review => pr.review.map(|v| v as f64),
            Metric::Size => Some(pr.size as f64),
            Metric::RevertRate => Some(if pr.is_revert { 1.0 } else { 0.0 }),
            Metric::Quality => pr.quality,
        }
    }
}

/// One metric compared between AI-assisted PRs and the rest.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// What.
    pub metric: Metric,
    /// Split by which signal.
    pub basis: Basis,
    /// AI-assisted PRs with a value.
    pub n_ai: usize,
    /// Other PRs with a value.
    pub n_other: usize,
    /// AI group: median with CI (for the revert rate: the rate, with a
    /// Wilson interval).
    pub ai: Option<MedianEstimate>,
    /// Other group, likewise.
    pub other: Option<MedianEstimate>,
    /// `(ai − other) / other` with its bootstrap interval (none for the
    /// revert rate's interval).
    pub relative: Option<f64>,
    /// Its 95% interval.
    pub relative_ci: Option<(f64, f64)>,
    /// Two-sided Mann–Whitney p-value.
    pub p: Option<f64>,
    /// What may be said.
    pub verdict: Verdict,
}

/// A proportion `k / n` with its 95% Wilson score interval.
pub fn rate_ci(k: usize, n: usize) -> Option<MedianEstimate> {
    if n == 0 {
        return None;
    }
    let (k, nf) = (k as f64, n as f64);
    let z = 1.959_963_984_540_054;
    let p = k / nf;
    let denom = 1.0 + z * z / nf;
    let centre = (p + z * z / (2.0 * nf)) / denom;
    let half = z * ((p * (1.0 - p) + z * z / (4.0 * nf)) / nf).sqrt() / denom;
    Some(MedianEstimate {
        n,
        median: p,
        ci: ((centre - half).max(0.0), (centre + half).min(1.0)),
    })
}

/// Compares one metric on one basis.
pub fn compare(prs: &[ImpactPr], metric: Metric, basis: Basis) -> Comparison {
    let mut ai = Vec::new();
    let mut other = Vec::new();
    for pr in prs {
        let (Some(is_ai), Some(v)) = (basis.of(pr), metric.value(pr)) else {
            continue;
        };
        if is_ai {
            ai.push(v);
        } else {
            other.push(v);
        }
    }
    let test = stats::mann_whitney(&ai, &other);
    let p = test.map(|m| m.p);
    let (ai_est, other_est, relative, relative_ci) = if metric == Metric::RevertRate {
        let count = |v: &[f64]| v.iter().filter(|x| **x > 0.5).count();
        let a = rate_ci(count(&ai), ai.len());
        let o = rate_ci(count(&other), other.len());
        let rel = match (a, o) {
            (Some(a), Some(o)) => stats::relative_difference(a.median, o.median),
            _ => None,
        };
        (a, o, rel, None)
    } else {
        let a = stats::Bootstrap::new(&ai, stats::SEED);
        let o = stats::Bootstrap::new(&other, stats::SEED_OTHER);
        let rel = a
            .as_ref()
            .zip(o.as_ref())
            .and_then(|(a, o)| a.relative_to(o));
        (
            a.map(|b| b.estimate()),
            o.map(|b| b.estimate()),
            rel.map(|r| r.0),
            rel.map(|r| r.1),
        )
    };
    Comparison {
        metric,
        basis,
        n_ai: ai.len(),
        n_other: other.len(),
        ai: ai_est,
        other: other_est,
        relative,
        relative_ci,
        p,
        verdict: stats::verdict(ai.len(), other.len(), test.as_ref()),
    }
}

/// Every metric on both bases.
pub fn compare_all(prs: &[ImpactPr]) -> Vec<Comparison> {
    Basis::ALL
        .iter()
        .flat_map(|b| Metric::ALL.iter().map(move |m| compare(prs, *m, *b)))
        .collect()
}

/// AI-assisted share on a basis: `(ai, out of)`: self-reported out of PRs
/// with an answer, detected out of all merged PRs (docs/metrics.md).
pub fn share(prs: &[ImpactPr], basis: Basis) -> (usize, usize) {
    let known: Vec<bool> = prs.iter().filter_map(|p| basis.of(p)).collect();
    (known.iter().filter(|a| **a).count(), known.len())
}

/// Agreement of the two signals on PRs with an answer.
pub fn agreement(prs: &[ImpactPr]) -> stats::Agreement {
    let pairs: Vec<(bool, bool)> = prs
        .iter()
        .filter_map(|p| p.ai_reported.map(|r| (r, p.ai_detected)))
        .collect();
    stats::agreement(&pairs)
}

/// Quality ratings 1–5 of AI-assisted (self-reported) and other PRs:
/// `[ai counts, other counts]`, index 0 = rating 1. Ratings are the
/// reviewers' individual ones.
pub fn quality_distribution(ratings: &[(Option<bool>, i64)]) -> [[usize; 5]; 2] {
    let mut out = [[0; 5]; 2];
    for (ai, r) in ratings {
        let (Some(ai), 1..=5) = (ai, r) else { continue };
        out[usize::from(!ai)][(*r - 1) as usize] += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pr(i: i64, cycle: i64, reported: Option<bool>, detected: bool) -> ImpactPr {
        ImpactPr {
            id: i,
            cycle: Some(cycle),
            pickup: Some(cycle / 4),
            review: Some(cycle / 2),
            size: 100 + i % 7,
            is_revert: i % 10 == 0,
            ai_detected: detected,
            ai_reported: reported,
            quality: Some(3.0 + (i % 3) as f64 / 2.0),
            ..ImpactPr::default()
        }
    }

    #[test]
    fn wilson_interval_matches_the_published_formula() {
        // 8 of 20: Wilson 95% interval (0.2188, 0.6134) (e.g. R's
        // prop.test(8, 20, correct = FALSE)$conf.int).
        let r = rate_ci(8, 20).unwrap();
        assert!(
            (r.ci.0 - 0.2188).abs() < 1e-4 && (r.ci.1 - 0.6134).abs() < 1e-4,
            "{r:?}"
        );
        assert_eq!(rate_ci(0, 0), None);
        assert_eq!(rate_ci(0, 10).unwrap().ci.0, 0.0);
    }

    #[test]
    fn faster_ai_prs_get_a_verdict_only_with_enough_of_both() {
        let mut prs: Vec<ImpactPr> = (0..40)
            .map(|i| pr(i, 3_600 + i * 60, Some(true), i % 2 == 0))
            .collect();
        prs.extend((40..80).map(|i| pr(i, 7_200 + i * 60, Some(false), false)));
        // Unanswered PRs count for "detected" only.
        prs.extend((80..90).map(|i| pr(i, 5_000, None, true)));
        let c = compare(&prs, Metric::Cycle, Basis::SelfReported);
        assert_eq!((c.n_ai, c.n_other), (40, 40));
        assert_eq!(c.verdict, Verdict::Lower);
        let rel = c.relative.unwrap();
        let (lo, hi) = c.relative_ci.unwrap();
        assert!(rel < 0.0 && lo <= rel && rel <= hi, "{c:?}");
        let d = compare(&prs, Metric::Cycle, Basis::Detected);
        assert_eq!(d.n_ai + d.n_other, 90);
        // A small group never gets a verdict.
        let few: Vec<ImpactPr> = prs
            .iter()
            .filter(|p| p.id < 9 || p.id >= 40)
            .cloned()
            .collect();
        assert_eq!(
            compare(&few, Metric::Cycle, Basis::SelfReported).verdict,
            Verdict::NotEnoughData
        );
        assert_eq!(compare_all(&prs).len(), 12);
    }

    #[test]
    fn an_empty_ai_group_gives_no_numbers_and_no_nan() {
        let prs: Vec<ImpactPr> = (0..30).map(|i| pr(i, 3_600, Some(false), false)).collect();
        for c in compare_all(&prs) {
            assert_eq!(c.n_ai, 0);
            assert!(
                c.ai.is_none() && c.relative.is_none() && c.p.is_none(),
                "{c:?}"
            );
            assert_eq!(c.verdict, Verdict::NotEnoughData);
        }
        assert_eq!(share(&prs, Basis::SelfReported), (0, 30));
        assert_eq!(share(&[], Basis::Detected), (0, 0));
    }

    #[test]
    fn revert_rates_and_shares_and_quality_counts() {
        let mut prs: Vec<ImpactPr> = (0..30).map(|i| pr(i, 3_600, Some(true), true)).collect();
        prs.extend((30..60).map(|i| pr(i, 3_600, Some(false), false)));
        let c = compare(&prs, Metric::RevertRate, Basis::Detected);
        assert_eq!(c.ai.unwrap().median, 3.0 / 30.0);
        assert_eq!(share(&prs, Basis::Detected), (30, 60));
        let a = agreement(&prs);
        assert_eq!((a.both, a.neither), (30, 30));
        assert_eq!(a.kappa, Some(1.0));
        let q = quality_distribution(&[
            (Some(true), 5),
            (Some(true), 4),
            (Some(false), 1),
            (None, 3),
            (Some(true), 9),
        ]);
        assert_eq!(q, [[0, 0, 0, 1, 1], [1, 0, 0, 0, 0]]);
    }
}
