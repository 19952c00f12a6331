//! Statistics for the AI impact comparisons (docs/metrics.md "AI impact
//! comparisons"), pure:
//!
//! - medians with a 95% bootstrap confidence interval (percentile method,
//!   2,000 resamples, fixed seed: the same data gives the same numbers);
//! - the relative difference of two medians, with its bootstrap interval;
//! - the two-sided Mann–Whitney U test (normal approximation with tie and
//!   continuity correction, as SciPy's `mannwhitneyu(method="asymptotic")`);
//! - the verdict rule: a direction only with ≥ 20 PRs in each group and
//!   p < 0.05;
//! - agreement between self-reported and detected AI: counts and Cohen's
//!   kappa.
//!
//! **Resampling without materialising resamples.** The median of a
//! resample of `n` sorted values is one of them, and which one follows a
//! known law: the k-th smallest of `n` draws with replacement is at or
//! below the j-th value exactly when at least k draws land at or below it,
//! a binomial event. So each of the 2,000 resamples' median is drawn from
//! that law (inverse CDF, the regularised incomplete beta from statrs) in
//! O(log n) instead of resampling `n` values: for odd `n` this is the same
//! distribution as resampling; for even `n` the two middle order statistics
//! are drawn from their exact laws with one shared uniform (comonotone).
//! Small groups (≤ [`DIRECT_MAX`]) are resampled directly.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use statrs::distribution::{ContinuousCDF, Normal};

/// Resamples per bootstrap (docs/metrics.md).
pub const RESAMPLES: usize = 2_000;
/// The fixed seed: the same data always gives the same interval.
pub const SEED: u64 = 0x5EED_A1A1;
/// PRs each group needs before a verdict is shown (docs/metrics.md).
pub const MIN_GROUP: usize = 20;
/// Significance level of the verdict.
pub const ALPHA: f64 = 0.05;
/// Groups up to this size are resampled value by value.
pub const DIRECT_MAX: usize = 100;

/// The median of `values` (mean of the two middle values when even);
/// `None` when empty or not finite.
pub fn median(values: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(median_sorted(&v))
}

fn median_sorted(v: &[f64]) -> f64 {
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Linear-interpolated quantile of sorted values (NumPy's default).
fn quantile_sorted(v: &[f64], q: f64) -> f64 {
    let pos = q * (v.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
}

/// Where the resamples' k-th smallest value (1-based `k`) of `n` sorted
/// values lands: `first` is the lowest index with any weight and `cdf[i]`
/// is P(index ≤ first + i).
struct OrderStatLaw {
    first: usize,
    cdf: Vec<f64>,
}

impl OrderStatLaw {
    fn new(n: usize, k: usize) -> Self {
        // P(X(k) ≤ x(j)) = P(Bin(n, (j+1)/n) ≥ k) = I_{(j+1)/n}(k, n-k+1).
        let at = |j: usize| {
            let p = (j + 1) as f64 / n as f64;
            if p >= 1.0 {
                1.0
            } else {
                statrs::function::beta::beta_reg(k as f64, (n - k + 1) as f64, p)
            }
        };
        // Nearly all weight lies within a few standard deviations of k.
        let spread = ((n as f64).sqrt() * 4.0).ceil() as usize + 8;
        let first = k.saturating_sub(1).saturating_sub(spread);
        let last = (k - 1 + spread).min(n - 1);
        let cdf = (first..=last).map(at).collect();
        Self { first, cdf }
    }

    fn index(&self, u: f64) -> usize {
        let i = self.cdf.partition_point(|c| *c < u);
        self.first + i.min(self.cdf.len() - 1)
    }
}

/// Draws the medians of `RESAMPLES` resamples of `sorted` with `rng`.
fn resampled_medians(sorted: &[f64], rng: &mut ChaCha8Rng) -> Vec<f64> {
    let n = sorted.len();
    let mut out = Vec::with_capacity(RESAMPLES);
    if n <= DIRECT_MAX {
        let mut buf = vec![0.0; n];
        for _ in 0..RESAMPLES {
            for b in buf.iter_mut() {
                *b = sorted[rng.gen_range(0..n)];
            }
            buf.sort_by(f64::total_cmp);
            out.push(median_sorted(&buf));
        }
        return out;
    }
    if n % 2 == 1 {
        let law = OrderStatLaw::new(n, n.div_ceil(2));
        for _ in 0..RESAMPLES {
            out.push(sorted[law.index(rng.r#gen::<f64>())]);
        }
    } else {
        let low = OrderStatLaw::new(n, n / 2);
        let high = OrderStatLaw::new(n, n / 2 + 1);
        for _ in 0..RESAMPLES {
            let u = rng.r#gen::<f64>();
            out.push((sorted[low.index(u)] + sorted[high.index(u)]) / 2.0);
        }
    }
    out
}

/// A group's median with its 95% bootstrap interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MedianEstimate {
    /// Values in the group.
    pub n: usize,
    /// The median.
    pub median: f64,
    /// 2.5th and 97.5th percentiles of the resampled medians.
    pub ci: (f64, f64),
}

/// A group's values and the medians of its 2,000 resamples (in draw
/// order, so two groups' resamples pair up for a difference).
#[derive(Debug, Clone, PartialEq)]
pub struct Bootstrap {
    sorted: Vec<f64>,
    medians: Vec<f64>,
}

impl Bootstrap {
    /// Resamples `values` (non-finite ones dropped) with a generator seeded
    /// by `seed`; `None` when nothing is left.
    pub fn new(values: &[f64], seed: u64) -> Option<Self> {
        let mut sorted: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        if sorted.is_empty() {
            return None;
        }
        sorted.sort_by(f64::total_cmp);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let medians = resampled_medians(&sorted, &mut rng);
        Some(Self { sorted, medians })
    }

    /// The group's median with the 2.5th and 97.5th percentiles of the
    /// resampled medians.
    pub fn estimate(&self) -> MedianEstimate {
        let mut m = self.medians.clone();
        m.sort_by(f64::total_cmp);
        MedianEstimate {
            n: self.sorted.len(),
            median: median_sorted(&self.sorted),
            ci: (quantile_sorted(&m, 0.025), quantile_sorted(&m, 0.975)),
        }
    }

    /// `(a − b) / b` of the medians, with the percentile interval of the
    /// same over paired resamples; `None` without a usable interval.
    pub fn relative_to(&self, b: &Bootstrap) -> Option<(f64, (f64, f64))> {
        let point = relative_difference(median_sorted(&self.sorted), median_sorted(&b.sorted))?;
        let mut d: Vec<f64> = self
            .medians
            .iter()
            .zip(&b.medians)
            .filter_map(|(x, y)| relative_difference(*x, *y))
            .collect();
        if d.len() < RESAMPLES / 2 {
            // The other group's median is mostly zero: no usable interval.
            return None;
        }
        d.sort_by(f64::total_cmp);
        Some((
            point,
            (quantile_sorted(&d, 0.025), quantile_sorted(&d, 0.975)),
        ))
    }
}

/// The seed of the second group of a comparison: independent of the
/// first's, so paired resamples are not coupled.
pub const SEED_OTHER: u64 = SEED ^ 0x0F0F_0F0F;

/// The median of `values` with its bootstrap interval; `None` when empty.
pub fn median_ci(values: &[f64]) -> Option<MedianEstimate> {
    Bootstrap::new(values, SEED).map(|b| b.estimate())
}

/// `(a − b) / b`: how much larger (positive) or smaller (negative) `a`'s
/// median is than `b`'s. `None` when `b` is zero or either is not finite.
pub fn relative_difference(a: f64, b: f64) -> Option<f64> {
    let d = (a - b) / b;
    (b != 0.0 && d.is_finite()).then_some(d)
}

/// The relative difference of two groups' medians with its bootstrap
/// interval (each group resampled on its own seed).
pub fn relative_difference_ci(a: &[f64], b: &[f64]) -> Option<(f64, (f64, f64))> {
    Bootstrap::new(a, SEED)?.relative_to(&Bootstrap::new(b, SEED_OTHER)?)
}

/// A Mann–Whitney U test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MannWhitney {
    /// U of the first group.
    pub u: f64,
    /// Two-sided p-value.
    pub p: f64,
    /// Which way the first group leans: its values tend to be higher
    /// (`U` above `n1·n2/2`), lower, or neither (`None`).
    pub first_higher: Option<bool>,
}

/// Two-sided Mann–Whitney U test of `a` against `b`: normal approximation
/// with tie correction and continuity correction (SciPy's
/// `mannwhitneyu(a, b, method="asymptotic")`). `None` when a group is empty.
pub fn mann_whitney(a: &[f64], b: &[f64]) -> Option<MannWhitney> {
    let (n1, n2) = (a.len(), b.len());
    if n1 == 0 || n2 == 0 {
        return None;
    }
    let mut all: Vec<(f64, bool)> = a
        .iter()
        .map(|x| (*x, true))
        .chain(b.iter().map(|x| (*x, false)))
        .collect();
    all.sort_by(|x, y| x.0.total_cmp(&y.0));
    let n = all.len();
    let (mut rank_sum_a, mut ties) = (0.0, 0.0);
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && all[j + 1].0 == all[i].0 {
            j += 1;
        }
        // Ranks i+1 ..= j+1 share their average.
        let avg = (i + j + 2) as f64 / 2.0;
        let t = (j - i + 1) as f64;
        ties += t * t * t - t;
        rank_sum_a += avg * all[i..=j].iter().filter(|x| x.1).count() as f64;
        i = j + 1;
    }
    let (n1f, n2f, nf) = (n1 as f64, n2 as f64, n as f64);
    let u1 = rank_sum_a - n1f * (n1f + 1.0) / 2.0;
    let u = u1.max(n1f * n2f - u1);
    let mu = n1f * n2f / 2.0;
    let var = n1f * n2f / 12.0 * ((nf + 1.0) - ties / (nf * (nf - 1.0)));
    if var.is_nan() || var <= 0.0 {
        // Every value tied: no evidence of any difference.
        return Some(MannWhitney {
            u: u1,
            p: 1.0,
            first_higher: None,
        });
    }
    let z = (u - mu - 0.5) / var.sqrt();
    let normal = Normal::standard();
    let p = (2.0 * (1.0 - normal.cdf(z))).clamp(0.0, 1.0);
    let first_higher = match u1.total_cmp(&mu) {
        std::cmp::Ordering::Greater => Some(true),
        std::cmp::Ordering::Less => Some(false),
        std::cmp::Ordering::Equal => None,
    };
    Some(MannWhitney {
        u: u1,
        p,
        first_higher,
    })
}

/// What a comparison may say to people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// A group has fewer than [`MIN_GROUP`] PRs.
    NotEnoughData,
    /// Enough data, p ≥ 0.05.
    NoClearDifference,
    /// The AI group's values tend to be lower, p < 0.05.
    Lower,
    /// The AI group's values tend to be higher, p < 0.05.
    Higher,
}

/// docs/metrics.md's verdict rule; the direction is the test's (which group's
/// values tend to be higher), so a significant test never reads "no clear
/// difference" because two medians happen to be equal.
pub fn verdict(n_ai: usize, n_other: usize, test: Option<&MannWhitney>) -> Verdict {
    if n_ai < MIN_GROUP || n_other < MIN_GROUP {
        return Verdict::NotEnoughData;
    }
    match test {
        Some(t) if t.p < ALPHA && t.first_higher == Some(false) => Verdict::Lower,
        Some(t) if t.p < ALPHA && t.first_higher == Some(true) => Verdict::Higher,
        _ => Verdict::NoClearDifference,
    }
}

/// How self-reported and detected AI agree on PRs that have both.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Agreement {
    /// Both say AI.
    pub both: usize,
    /// Only the author says AI.
    pub reported_only: usize,
    /// Only detection says AI.
    pub detected_only: usize,
    /// Neither.
    pub neither: usize,
    /// Cohen's kappa; `None` without PRs or when chance agreement is total.
    pub kappa: Option<f64>,
}

/// Agreement over `(self-reported AI, detected AI)` pairs.
pub fn agreement(pairs: &[(bool, bool)]) -> Agreement {
    let mut a = Agreement::default();
    for (reported, detected) in pairs {
        match (reported, detected) {
            (true, true) => a.both += 1,
            (true, false) => a.reported_only += 1,
            (false, true) => a.detected_only += 1,
            (false, false) => a.neither += 1,
        }
    }
    let n = pairs.len() as f64;
    if n > 0.0 {
        let observed = (a.both + a.neither) as f64 / n;
        let reported_yes = (a.both + a.reported_only) as f64 / n;
        let detected_yes = (a.both + a.detected_only) as f64 / n;
        let chance = reported_yes * detected_yes + (1.0 - reported_yes) * (1.0 - detected_yes);
        if chance < 1.0 {
            a.kappa = Some((observed - chance) / (1.0 - chance));
        }
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn mann_whitney_matches_scipy() {
        // scipy 1.17.1: stats.mannwhitneyu(x, y, method="asymptotic")
        // (its documentation's example data).
        let r = mann_whitney(&[19., 22., 16., 29., 24.], &[20., 11., 17., 12.]).unwrap();
        assert_eq!(r.u, 17.0);
        assert!(close(r.p, 0.111_346_886_533_140_41, 1e-9), "{r:?}");
        // With ties: scipy gives U = 26.5, p = 0.04682250687805345.
        let a = [1., 2., 2., 3., 3., 3., 4., 5., 6., 7.];
        let b = [2., 3., 4., 4., 5., 6., 6., 7., 8., 9., 9.];
        let r = mann_whitney(&a, &b).unwrap();
        assert_eq!(r.u, 26.5);
        assert!(close(r.p, 0.046_822_506_878_053_45, 1e-9), "{r:?}");
        // Skewed durations: scipy gives U = 105, p = 0.40609769518295935.
        let c = [
            3., 5., 8., 13., 21., 34., 55., 89., 144., 233., 377., 610., 987., 1597., 2584.,
        ];
        let d = [
            4., 6., 9., 15., 25., 40., 70., 100., 170., 260., 400., 700., 1100., 1800., 2900.,
            4000., 6000.,
        ];
        let r = mann_whitney(&c, &d).unwrap();
        assert_eq!(r.u, 105.0);
        assert!(close(r.p, 0.406_097_695_182_959_35, 1e-9), "{r:?}");
        // Everything tied, or an empty group.
        assert_eq!(mann_whitney(&[1., 1.], &[1., 1., 1.]).unwrap().p, 1.0);
        assert!(mann_whitney(&[], &[1.]).is_none());
    }

    #[test]
    fn cohens_kappa_matches_the_textbook_example() {
        // Wikipedia, "Cohen's kappa", worked example: 20 yes/yes, 5 yes/no,
        // 10 no/yes, 15 no/no gives po = 0.7, pe = 0.5, kappa = 0.4.
        let mut pairs = Vec::new();
        pairs.extend(std::iter::repeat_n((true, true), 20));
        pairs.extend(std::iter::repeat_n((true, false), 5));
        pairs.extend(std::iter::repeat_n((false, true), 10));
        pairs.extend(std::iter::repeat_n((false, false), 15));
        let a = agreement(&pairs);
        assert_eq!(
            (a.both, a.reported_only, a.detected_only, a.neither),
            (20, 5, 10, 15)
        );
        assert!(close(a.kappa.unwrap(), 0.4, 1e-12));
        assert_eq!(agreement(&[]).kappa, None);
        // Everyone agrees on "no": chance agreement is total, kappa undefined.
        assert_eq!(agreement(&[(false, false); 4]).kappa, None);
    }

    #[test]
    fn bootstrap_intervals_are_reproducible_and_contain_the_median() {
        let values: Vec<f64> = (1..=101).map(|i| (i * i) as f64).collect();
        let a = median_ci(&values).unwrap();
        let b = median_ci(&values).unwrap();
        assert_eq!(a, b, "fixed seed: same data, same numbers");
        assert_eq!(a.median, 2601.0);
        assert!(a.ci.0 < a.median && a.median < a.ci.1, "{a:?}");
        // The median's standard error here is about 500; the interval is
        // roughly ±2 standard errors.
        assert!(
            a.ci.1 - a.ci.0 > 1000.0 && a.ci.1 - a.ci.0 < 4000.0,
            "{a:?}"
        );
        assert!(median_ci(&[]).is_none());
        let one = median_ci(&[7.0]).unwrap();
        assert_eq!((one.median, one.ci), (7.0, (7.0, 7.0)));
    }

    #[test]
    fn the_order_statistic_law_gives_the_same_interval_as_resampling() {
        // A large group uses the binomial law; the same values resampled
        // directly must give nearly the same interval.
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut v: Vec<f64> = (0..5_001).map(|_| rng.r#gen::<f64>() * 1000.0).collect();
        v.sort_by(f64::total_cmp);
        let by_law = median_ci(&v).unwrap();
        let mut direct = Vec::new();
        let mut buf = vec![0.0; v.len()];
        for _ in 0..RESAMPLES {
            for b in buf.iter_mut() {
                *b = v[rng.gen_range(0..v.len())];
            }
            buf.sort_by(f64::total_cmp);
            direct.push(median_sorted(&buf));
        }
        direct.sort_by(f64::total_cmp);
        let (lo, hi) = (
            quantile_sorted(&direct, 0.025),
            quantile_sorted(&direct, 0.975),
        );
        let width = hi - lo;
        assert!(
            close(by_law.ci.0, lo, width * 0.15),
            "{by_law:?} vs ({lo}, {hi})"
        );
        assert!(
            close(by_law.ci.1, hi, width * 0.15),
            "{by_law:?} vs ({lo}, {hi})"
        );
        // Even sizes too.
        let even = median_ci(&v[..5_000]).unwrap();
        assert!(even.ci.0 < even.median && even.median < even.ci.1);
    }

    #[test]
    fn relative_differences_and_verdicts() {
        assert_eq!(relative_difference(69.0, 100.0), Some(-0.31));
        assert_eq!(relative_difference(1.0, 0.0), None);
        let fast: Vec<f64> = (0..60).map(|i| 50.0 + i as f64).collect();
        let slow: Vec<f64> = (0..60).map(|i| 100.0 + 2.0 * i as f64).collect();
        let (d, (lo, hi)) = relative_difference_ci(&fast, &slow).unwrap();
        assert!(
            d < 0.0 && lo <= d && d <= hi && hi < 0.0,
            "{d} ({lo}, {hi})"
        );
        let test = mann_whitney(&fast, &slow).unwrap();
        assert_eq!(test.first_higher, Some(false));
        assert_eq!(verdict(60, 60, Some(&test)), Verdict::Lower);
        assert_eq!(verdict(19, 60, Some(&test)), Verdict::NotEnoughData);
        let weak = MannWhitney { p: 0.2, ..test };
        assert_eq!(verdict(60, 60, Some(&weak)), Verdict::NoClearDifference);
        let up = mann_whitney(&slow, &fast).unwrap();
        assert_eq!(verdict(60, 60, Some(&up)), Verdict::Higher);
        assert_eq!(verdict(60, 60, None), Verdict::NoClearDifference);
        // Equal medians, shifted tails: the test still decides the direction.
        let mut a = vec![3.0; 19];
        a.extend([1.0, 2.0]);
        let mut b = vec![3.0; 19];
        b.extend([4.0, 5.0]);
        assert_eq!(median(&a), median(&b));
        assert_eq!(mann_whitney(&a, &b).unwrap().first_higher, Some(false));
    }
}
