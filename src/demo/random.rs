//! The one source of randomness ([`Gen`], seeded once), with the
//! distributions the history is drawn from (log-normal durations, Poisson
//! counts, weighted picks) and working-hours snapping.

use rand::Rng;
use rand::rngs::StdRng;

use super::calendar::{DAY, HOUR, MIN, at_local, is_workday, local_day, local_hour};

/// The seeded generator every random choice of the demo comes from.
pub(super) struct Gen {
    pub(super) rng: StdRng,
}

impl Gen {
    pub(super) fn unit(&mut self) -> f64 {
        self.rng.gen_range(0.0..1.0)
    }

    pub(super) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub(super) fn between(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// An integer in `[lo, hi)` (`lo` when empty).
    pub(super) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            lo
        } else {
            self.rng.gen_range(lo..hi)
        }
    }

    pub(super) fn index(&mut self, len: usize) -> usize {
        self.rng.gen_range(0..len.max(1))
    }

    pub(super) fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.index(xs.len())]
    }

    /// Standard normal (Box–Muller).
    pub(super) fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.unit();
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    pub(super) fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }

    /// A log-normal duration in seconds, between a minute and 60 days.
    pub(super) fn secs(&mut self, median: f64, sigma: f64) -> i64 {
        self.lognormal(median, sigma).clamp(60.0, 60.0 * DAY as f64) as i64
    }

    pub(super) fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.iter().rposition(|w| *w > 0.0).unwrap_or(0)
    }

    pub(super) fn poisson(&mut self, lambda: f64) -> usize {
        let limit = (-lambda).exp();
        let mut k = 0;
        let mut p = self.unit();
        while p > limit && k < 500 {
            k += 1;
            p *= self.unit();
        }
        k
    }

    pub(super) fn sha(&mut self) -> String {
        (0..20)
            .map(|_| format!("{:02x}", self.rng.gen_range(0..=255u8)))
            .collect()
    }

    /// `t` if it falls in working hours, else a moment early on the next
    /// working morning.
    pub(super) fn snap(&mut self, t: i64) -> i64 {
        let day = local_day(t);
        let hour = local_hour(t);
        if is_workday(day) && (8.0..18.0).contains(&hour) {
            return t;
        }
        let mut next = if is_workday(day) && hour < 8.0 {
            day
        } else {
            day + 1
        };
        while !is_workday(next) {
            next += 1;
        }
        at_local(next, 8 * HOUR + self.range(0, 100 * MIN))
    }

    /// A time of day when people open PRs, peaking around midday.
    pub(super) fn work_time(&mut self, day: i64) -> i64 {
        let hour = 8.5 + 9.0 * (self.unit() + self.unit()) / 2.0;
        at_local(day, (hour * HOUR as f64) as i64)
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;
    use crate::demo::calendar::weekday;

    #[test]
    fn working_hours_are_berlin_weekdays() {
        // 2026-01-03 is a Saturday; 12:00 UTC is 13:00 in Berlin.
        let saturday_noon = 1_767_441_600;
        assert_eq!(weekday(local_day(saturday_noon)), 5);
        let mut g = Gen {
            rng: StdRng::seed_from_u64(1),
        };
        let monday = g.snap(saturday_noon);
        assert_eq!(weekday(local_day(monday)), 0);
        assert!((8.0..10.0).contains(&local_hour(monday)));
        let tuesday_ten = at_local(local_day(saturday_noon) + 3, 10 * HOUR);
        assert_eq!(g.snap(tuesday_ten), tuesday_ten);
    }
}
