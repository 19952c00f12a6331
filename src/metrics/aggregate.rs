//! Aggregates over a set of values (docs/metrics.md "Aggregates").
//!
//! Headline numbers are medians, never means, and fewer than [`MIN_SAMPLE`]
//! values are "not enough data" rather than a number: with three PRs a
//! median says more about luck than about the team.
//! Inputs may be in any order and hold any `i64`; nothing here panics.

/// Fewest values an aggregate is shown for; below it, "not enough data".
pub const MIN_SAMPLE: usize = 5;

/// Median, p75 and p90 of a set of values with enough data to show.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// How many values the summary is over (at least [`MIN_SAMPLE`]).
    pub n: usize,
    /// Median; for an even count, the mean of the two middle values.
    pub median: f64,
    /// 75th percentile by nearest rank.
    pub p75: i64,
    /// 90th percentile by nearest rank.
    pub p90: i64,
}

/// Median of `values`; for an even count, the mean of the two middle
/// values. `None` for no values.
pub fn median(values: &[i64]) -> Option<f64> {
    median_of_sorted(&sorted(values))
}

/// The `q`-quantile by nearest rank: the `ceil(q·n)`-th smallest value.
///
/// `q` must be in `(0, 1]`; anything else (including NaN), or no values,
/// gives `None`. A `q·n` within floating-point error of a whole number is
/// taken as that number, so `q = 0.7` over ten values is the 7th, not the
/// 8th, even though `0.7 * 10.0` is `7.000000000000001`.
pub fn percentile_nearest_rank(values: &[i64], q: f64) -> Option<i64> {
    nearest_rank_of_sorted(&sorted(values), q)
}

/// 75th percentile by nearest rank; `None` for no values.
pub fn p75(values: &[i64]) -> Option<i64> {
    percentile_nearest_rank(values, 0.75)
}

/// 90th percentile by nearest rank; `None` for no values.
pub fn p90(values: &[i64]) -> Option<i64> {
    percentile_nearest_rank(values, 0.9)
}

/// Median, p75 and p90 of `values`, or `None` ("not enough data") for
/// fewer than [`MIN_SAMPLE`] values.
pub fn summarise(values: &[i64]) -> Option<Summary> {
    if values.len() < MIN_SAMPLE {
        return None;
    }
    let sorted = sorted(values);
    Some(Summary {
        n: sorted.len(),
        median: median_of_sorted(&sorted)?,
        p75: nearest_rank_of_sorted(&sorted, 0.75)?,
        p90: nearest_rank_of_sorted(&sorted, 0.9)?,
    })
}

fn sorted(values: &[i64]) -> Vec<i64> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    sorted
}

fn median_of_sorted(sorted: &[i64]) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let upper = *sorted.get(n / 2)?;
    if n % 2 == 1 {
        return Some(upper as f64);
    }
    let lower = *sorted.get(n / 2 - 1)?;
    // Summed in i128 so two values near i64::MAX cannot overflow.
    Some((i128::from(lower) + i128::from(upper)) as f64 / 2.0)
}

fn nearest_rank_of_sorted(sorted: &[i64], q: f64) -> Option<i64> {
    // Written as a positive test so NaN falls out as "not in range".
    let in_range = q > 0.0 && q <= 1.0;
    if sorted.is_empty() || !in_range {
        return None;
    }
    let n = sorted.len() as f64;
    let exact = q * n;
    let nearest_whole = exact.round();
    let rank = if (exact - nearest_whole).abs() <= 1e-9 * n {
        nearest_whole
    } else {
        exact.ceil()
    };
    // Rank is 1-based and, with q in (0, 1], already within 1..=n; clamping
    // only guards the float conversion.
    let index = (rank as usize).clamp(1, sorted.len()) - 1;
    sorted.get(index).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_an_odd_count_is_the_middle_value_whatever_the_order() {
        assert_eq!(median(&[9, 1, 5]), Some(5.0));
        assert_eq!(median(&[7]), Some(7.0));
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_two_middle_values() {
        assert_eq!(median(&[4, 1, 3, 2]), Some(2.5));
        assert_eq!(median(&[10, 20]), Some(15.0));
    }

    #[test]
    fn nothing_has_no_median_or_percentile() {
        assert_eq!(median(&[]), None);
        assert_eq!(p75(&[]), None);
        assert_eq!(p90(&[]), None);
        assert_eq!(percentile_nearest_rank(&[], 0.5), None);
    }

    #[test]
    fn p75_and_p90_of_one_to_ten_are_eight_and_nine_by_nearest_rank() {
        let values = [10, 3, 7, 1, 9, 2, 8, 5, 4, 6];
        assert_eq!(p75(&values), Some(8));
        assert_eq!(p90(&values), Some(9));
        assert_eq!(percentile_nearest_rank(&values, 1.0), Some(10));
        assert_eq!(percentile_nearest_rank(&values, 0.01), Some(1));
    }

    #[test]
    fn a_rank_that_is_whole_in_decimal_is_not_pushed_up_by_float_error() {
        let one_to_ten: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile_nearest_rank(&one_to_ten, 0.7), Some(7));
        assert_eq!(percentile_nearest_rank(&one_to_ten, 0.3), Some(3));
        assert_eq!(percentile_nearest_rank(&one_to_ten, 0.71), Some(8));
    }

    #[test]
    fn a_quantile_outside_zero_to_one_gives_none_rather_than_a_panic() {
        for q in [0.0, -0.5, 1.5, f64::NAN, f64::INFINITY] {
            assert_eq!(percentile_nearest_rank(&[1, 2, 3], q), None, "q = {q}");
        }
    }

    #[test]
    fn fewer_than_five_values_are_not_enough_data() {
        assert_eq!(summarise(&[]), None);
        assert_eq!(summarise(&[1, 2, 3, 4]), None);
    }

    #[test]
    fn five_or_more_values_get_a_summary() {
        assert_eq!(
            summarise(&[50, 10, 40, 20, 30]),
            Some(Summary {
                n: 5,
                median: 30.0,
                p75: 40,
                p90: 50
            })
        );
        let one_to_ten: Vec<i64> = (1..=10).rev().collect();
        assert_eq!(
            summarise(&one_to_ten),
            Some(Summary {
                n: 10,
                median: 5.5,
                p75: 8,
                p90: 9
            })
        );
    }

    #[test]
    fn extreme_values_neither_overflow_nor_panic() {
        assert_eq!(median(&[i64::MAX, i64::MAX]), Some(i64::MAX as f64));
        assert_eq!(median(&[i64::MIN, i64::MAX]), Some(-0.5));
        let extremes = [i64::MIN, i64::MAX, 0, i64::MIN, i64::MAX];
        let summary = summarise(&extremes).expect("five values");
        assert_eq!(summary.median, 0.0);
        assert_eq!(summary.p90, i64::MAX);
    }

    #[test]
    fn the_median_and_percentiles_lie_between_the_smallest_and_largest_value() {
        // A deterministic sweep standing in for a property test (no proptest
        // dev-dependency): many pseudo-random samples of varied sizes.
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for len in 1..=40 {
            for _ in 0..25 {
                let values: Vec<i64> = (0..len).map(|_| (next() % 2001) as i64 - 1000).collect();
                let (min, max) = (values.iter().min().copied(), values.iter().max().copied());
                let (min, max) = (min.unwrap_or(0), max.unwrap_or(0));
                let m = median(&values).expect("non-empty");
                assert!(min as f64 <= m && m <= max as f64, "{values:?}");
                for q in [0.1, 0.5, 0.75, 0.9, 1.0] {
                    let p = percentile_nearest_rank(&values, q).expect("non-empty");
                    assert!(
                        min <= p && p <= max && values.contains(&p),
                        "{values:?} q={q}"
                    );
                }
                let (p75, p90) = (p75(&values), p90(&values));
                assert!(p75 <= p90, "{values:?}");
            }
        }
    }
}
