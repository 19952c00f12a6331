//! Tick placement and label text for value and time axes.

/// What the y values mean, which decides how axis labels are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum YUnit {
    /// Plain quantities (PRs, commits, people); large values shown as `12k`.
    #[default]
    Count,
    /// Durations given in seconds, shown as `45s`, `3h`, `2.4d`.
    Duration,
}

const MINUTE: f64 = 60.0;
const HOUR: f64 = 3_600.0;
const DAY_F: f64 = 86_400.0;

/// Largest unit first so the first one a value reaches wins.
const DURATION_UNITS: [(f64, &str); 4] = [(DAY_F, "d"), (HOUR, "h"), (MINUTE, "m"), (1.0, "s")];

/// Formats a duration in seconds compactly for labels.
///
/// The rule: use the largest of `d`, `h`, `m`, `s` in which the value,
/// rounded to one decimal, is at least 1; show at most one decimal and drop a
/// trailing `.0`. So 90 s → `1.5m`, 3 h → `3h`, 2.4 days → `2.4d`,
/// 3599 s → `1h` (rounding reaches the next unit). Zero is `0s`, negative
/// values keep their sign, and non-finite input gives `–` because a label
/// must never fail.
#[must_use]
pub fn format_duration_short(seconds: f64) -> String {
    if !seconds.is_finite() {
        return "–".to_owned();
    }
    let sign = if seconds < 0.0 { "-" } else { "" };
    let abs = seconds.abs();
    for (unit, suffix) in DURATION_UNITS {
        let value = round1(abs / unit);
        if value >= 1.0 || unit == 1.0 {
            if value == 0.0 {
                return "0s".to_owned();
            }
            return format!("{sign}{}{suffix}", trim_decimal(value));
        }
    }
    "0s".to_owned()
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// One decimal at most, without a trailing `.0`, so `3h` rather than `3.0h`.
fn trim_decimal(v: f64) -> String {
    let s = format!("{v:.1}");
    match s.strip_suffix(".0") {
        Some(whole) => whole.to_owned(),
        None => s,
    }
}

/// Beyond this, values are treated like NaN: axis maths would lose all precision.
pub(crate) const MAX_ABS_VALUE: f64 = 1e15;

/// Whether a data value can be plotted: finite and within [`MAX_ABS_VALUE`].
pub(crate) fn usable(v: f64) -> bool {
    v.is_finite() && v.abs() <= MAX_ABS_VALUE
}

/// Formats one value the way tick labels write it, for value labels and
/// alt text: counts as `7`, `2.5`, `9999`, `12.3k`, `4.1M`; durations with
/// [`format_duration_short`]. Non-finite input gives `–`.
#[must_use]
pub fn format_value(value: f64, unit: YUnit) -> String {
    if !value.is_finite() {
        return "–".to_owned();
    }
    match unit {
        YUnit::Duration => format_duration_short(value),
        YUnit::Count => {
            let abs = value.abs();
            let (scaled, suffix) = if abs >= 1e6 {
                (value / 1e6, "M")
            } else if abs >= 1e4 {
                (value / 1e3, "k")
            } else {
                (value, "")
            };
            // Large magnitudes keep two significant decimals at most, small
            // ones (0.05) keep theirs.
            let text = if scaled.abs() >= 1.0 || scaled == 0.0 {
                trim_decimal(round1(scaled))
            } else {
                let decimals = (-scaled.abs().log10()).ceil().clamp(1.0, 6.0) as usize + 1;
                trim_zeros(format!("{scaled:.decimals$}"))
            };
            if text == "-0" {
                return "0".to_owned();
            }
            format!("{text}{suffix}")
        }
    }
}

/// A Unix time (UTC) as a short date, `Mar 3`, as on time axes.
#[must_use]
pub fn format_date_short(unix_secs: i64) -> String {
    let (_, month, day) = civil_from_days(unix_secs.div_euclid(DAY));
    let name = MONTHS
        .get(month.saturating_sub(1) as usize)
        .copied()
        .unwrap_or("?");
    format!("{name} {day}")
}

/// The word for a tick suffix, for axis captions: `d` → `days`.
pub(crate) fn unit_word(suffix: &str) -> Option<&'static str> {
    match suffix {
        "d" => Some("days"),
        "h" => Some("hours"),
        "m" => Some("minutes"),
        "s" => Some("seconds"),
        "k" => Some("thousands"),
        "M" => Some("millions"),
        _ => None,
    }
}

/// A y-axis: tick values (in data units, ascending) and their labels. The
/// first and last ticks are the axis bounds, so the grid always frames the data.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ValueTicks {
    pub(crate) ticks: Vec<(f64, String)>,
    /// The suffix every non-zero label carries (`d`, `h`, `k`, or none).
    pub(crate) suffix: &'static str,
}

impl ValueTicks {
    pub(crate) fn lo(&self) -> f64 {
        self.ticks.first().map_or(0.0, |t| t.0)
    }

    pub(crate) fn hi(&self) -> f64 {
        self.ticks.last().map_or(1.0, |t| t.0)
    }
}

/// Picks "nice" ticks (1, 2, 5 × 10ⁿ in the display unit) covering
/// `[lo, hi]` in about `intervals` steps (never more than one extra). All
/// labels share one unit so the axis reads as a scale, not a mix like
/// `20h, 1d, 1.2d`.
pub(crate) fn value_ticks(lo: f64, hi: f64, unit: YUnit, intervals: usize) -> ValueTicks {
    let (mut lo, mut hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    if !(lo.is_finite() && hi.is_finite()) {
        (lo, hi) = (0.0, 0.0);
    }
    let max_abs = lo.abs().max(hi.abs());
    let (divisor, suffix) = display_unit(max_abs, unit);
    let (mut lo_s, mut hi_s) = (lo / divisor, hi / divisor);
    if hi_s - lo_s <= f64::EPSILON * hi_s.abs().max(lo_s.abs()).max(1.0) {
        // A flat line still needs a scale; grow upwards from it (or from 0).
        hi_s = if hi_s > 0.0 { hi_s * 1.2 } else { hi_s + 1.0 };
        if lo_s > 0.0 {
            lo_s = 0.0;
        }
    }
    let intervals = intervals.max(1) as f64;
    let mut step = nice_step((hi_s - lo_s) / intervals);
    // Aligning to whole steps can add an interval at each end; if that
    // overshoots, move to the next nice step up.
    let (first, last) = loop {
        let first = (lo_s / step).floor();
        let last = (hi_s / step).ceil();
        if last - first <= intervals + 1.0 || !step.is_finite() {
            break (first as i64, last as i64);
        }
        step = nice_step(step * 1.5);
    };
    let decimals = if step >= 1.0 {
        0
    } else {
        (-step.log10()).ceil().clamp(0.0, 6.0) as usize
    };
    let ticks = (first..=last)
        .map(|k| {
            let v = k as f64 * step;
            let label = if k == 0 {
                // A bare zero reads cleanly whatever the unit.
                "0".to_owned()
            } else {
                format!("{}{suffix}", trim_zeros(format!("{v:.decimals$}")))
            };
            (v * divisor, label)
        })
        .collect();
    ValueTicks { ticks, suffix }
}

/// `1.50` → `1.5`, `2.0` → `2`, so `0.5d, 1d, 1.5d` rather than `1.0d`.
fn trim_zeros(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

fn display_unit(max_abs: f64, unit: YUnit) -> (f64, &'static str) {
    match unit {
        YUnit::Count => {
            // Below 10 000 the full number is still easy to read.
            if max_abs >= 10_000_000.0 {
                (1_000_000.0, "M")
            } else if max_abs >= 10_000.0 {
                (1_000.0, "k")
            } else {
                (1.0, "")
            }
        }
        YUnit::Duration => DURATION_UNITS
            .into_iter()
            .find(|(u, _)| max_abs >= *u)
            .unwrap_or((1.0, "s")),
    }
}

fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let base = 10f64.powf(raw.log10().floor());
    let f = raw / base;
    let nice = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * base
}

/// Ticks for a logarithmic axis: bounds snapped outwards to round values and
/// the labelled ticks between them, all in data units.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LogTicks {
    pub(crate) ticks: Vec<(f64, String)>,
    pub(crate) lo: f64,
    pub(crate) hi: f64,
}

/// Round durations for log axes, in seconds; the ones reached by a "unit"
/// (minute, hour, day, week, month, year) are preferred as ticks.
const LOG_DURATIONS: [(f64, bool); 24] = [
    (1.0, true),
    (2.0, false),
    (5.0, false),
    (10.0, false),
    (15.0, false),
    (30.0, false),
    (MINUTE, true),
    (2.0 * MINUTE, false),
    (5.0 * MINUTE, false),
    (10.0 * MINUTE, false),
    (15.0 * MINUTE, false),
    (30.0 * MINUTE, false),
    (HOUR, true),
    (2.0 * HOUR, false),
    (3.0 * HOUR, false),
    (6.0 * HOUR, false),
    (12.0 * HOUR, false),
    (DAY_F, true),
    (2.0 * DAY_F, false),
    (7.0 * DAY_F, true),
    (14.0 * DAY_F, false),
    (30.0 * DAY_F, true),
    (91.0 * DAY_F, false),
    (365.0 * DAY_F, true),
];

/// Log-axis ticks for positive `[lo, hi]`, at most `max_ticks` of them
/// (at least two). Counts tick at 1, 2, 5 × 10ⁿ (preferring powers of ten),
/// durations at round units (`1m`, `1h`, `1d`, `7d`).
pub(crate) fn log_ticks(lo: f64, hi: f64, unit: YUnit, max_ticks: usize) -> LogTicks {
    let (mut lo, mut hi) = (lo.min(hi), lo.max(hi));
    if !(lo.is_finite() && hi.is_finite() && lo > 0.0) {
        (lo, hi) = (1.0, 10.0);
    }
    let decades = |from: f64, to: f64| {
        let e0 = (from.log10().floor() as i32 - 1).clamp(-300, 300);
        let e1 = (to.log10().ceil() as i32 + 1).clamp(-300, 300);
        (e0..=e1).flat_map(|e| {
            let p = 10f64.powi(e);
            [(p, true), (2.0 * p, false), (5.0 * p, false)]
        })
    };
    let candidates: Vec<(f64, bool)> = match unit {
        YUnit::Count => decades(lo, hi).collect(),
        YUnit::Duration => {
            let year = 365.0 * DAY_F;
            let below = decades(lo.min(0.5), 0.5).filter(|c| c.0 < 1.0);
            let above = decades(1.0, (hi / year).max(1.0))
                .filter(|c| c.0 > 1.0)
                .map(|(v, major)| (v * year, major));
            below.chain(LOG_DURATIONS).chain(above).collect()
        }
    };
    let label = |v: f64| match unit {
        YUnit::Duration => format_duration_short(v),
        YUnit::Count => log_count_label(v),
    };
    let below = candidates.iter().rev().find(|c| c.0 <= lo).map(|c| c.0);
    let above = candidates.iter().find(|c| c.0 >= hi).map(|c| c.0);
    let (mut lo_b, mut hi_b) = (below.unwrap_or(lo), above.unwrap_or(hi));
    if lo_b >= hi_b {
        // One value: show the round values either side of it.
        lo_b = candidates
            .iter()
            .rev()
            .find(|c| c.0 < lo_b)
            .map_or(lo_b / 10.0, |c| c.0);
        hi_b = candidates
            .iter()
            .find(|c| c.0 > hi_b)
            .map_or(hi_b * 10.0, |c| c.0);
    }
    let in_range: Vec<(f64, bool)> = candidates
        .iter()
        .copied()
        .filter(|c| c.0 >= lo_b && c.0 <= hi_b)
        .collect();
    let majors: Vec<f64> = in_range.iter().filter(|c| c.1).map(|c| c.0).collect();
    let chosen: Vec<f64> = if majors.len() >= 3 {
        majors
    } else {
        in_range.iter().map(|c| c.0).collect()
    };
    // Thin evenly in log space so labels keep their distance.
    let min_gap = (hi_b.log10() - lo_b.log10()) / max_ticks.max(2) as f64 * 0.999;
    let mut ticks: Vec<(f64, String)> = Vec::new();
    let mut last = f64::NEG_INFINITY;
    for v in chosen {
        if v.log10() - last >= min_gap {
            ticks.push((v, label(v)));
            last = v.log10();
        }
    }
    LogTicks {
        ticks,
        lo: lo_b,
        hi: hi_b,
    }
}

/// `1`, `20`, `500`, `1k`, `20k`, `1M`, `0.05`: log-axis labels for counts.
fn log_count_label(v: f64) -> String {
    if v >= 1e6 {
        format!("{}M", trim_zeros(format!("{:.1}", v / 1e6)))
    } else if v >= 1e3 {
        format!("{}k", trim_zeros(format!("{:.1}", v / 1e3)))
    } else if v >= 1.0 {
        trim_zeros(format!("{v:.1}"))
    } else if v >= 1e-6 {
        let decimals = (-v.log10()).ceil().clamp(1.0, 6.0) as usize;
        trim_zeros(format!("{v:.decimals$}"))
    } else {
        format!("{v:e}")
    }
}

/// Seconds in a day, the unit all date arithmetic here is built on.
pub(crate) const DAY: i64 = 86_400;

/// Candidate spacings for time ticks, smallest first; multiples of a week are
/// aligned to Mondays so weekly charts tick on week starts.
const TIME_STEPS: [i64; 14] = [
    3_600,
    2 * 3_600,
    3 * 3_600,
    6 * 3_600,
    12 * 3_600,
    DAY,
    2 * DAY,
    7 * DAY,
    14 * DAY,
    28 * DAY,
    56 * DAY,
    91 * DAY,
    182 * DAY,
    364 * DAY,
];

/// Day 4 of the Unix epoch (1970-01-05) was a Monday.
const FIRST_MONDAY: i128 = 4 * DAY as i128;

/// Ticks for a Unix-seconds x range, at most `max_ticks` of them (at least
/// one per call if the range is a day or longer), labelled `Mar 3` at
/// midnights and `14:00` otherwise. Times are UTC.
pub(crate) fn time_ticks(lo: i64, hi: i64, max_ticks: usize) -> Vec<(i64, String)> {
    let (lo, hi) = (i128::from(lo.min(hi)), i128::from(lo.max(hi)));
    let span = hi - lo;
    let max_ticks = max_ticks.max(2) as i128;
    let step = TIME_STEPS
        .iter()
        .map(|s| i128::from(*s))
        .find(|s| span / s < max_ticks)
        .unwrap_or_else(|| {
            // Decades of data: fall back to whole days, still bounded in count.
            let days = span / (max_ticks - 1) / i128::from(DAY) + 1;
            days * i128::from(DAY)
        });
    let offset = if step % (7 * i128::from(DAY)) == 0 {
        FIRST_MONDAY
    } else {
        0
    };
    let first = lo + (offset - lo).rem_euclid(step);
    let mut ticks = Vec::new();
    let mut t = first;
    while t <= hi {
        if let Ok(secs) = i64::try_from(t) {
            ticks.push((secs, format_time_tick(secs)));
        }
        t += step;
    }
    ticks
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn format_time_tick(secs: i64) -> String {
    let in_day = secs.rem_euclid(DAY);
    if in_day == 0 {
        format_date_short(secs)
    } else {
        format!("{:02}:{:02}", in_day / 3_600, (in_day % 3_600) / 60)
    }
}

/// Days since 1970-01-01 → (year, month 1–12, day 1–31), proleptic Gregorian.
///
/// Howard Hinnant's `civil_from_days`; hand-rolled so month-day labels do not
/// pull in a date library.
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let d = doy - (153 * mp + 2) / 5 + 1; // [1, 31]
    let m = if mp < 10 { mp + 3 } else { mp - 9 }; // [1, 12]
    let y = if m <= 2 { y + 1 } else { y };
    (y, m as u32, d as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duration_labels_follow_the_documented_rule() {
        let cases = [
            (0.0, "0s"),
            (0.04, "0s"),
            (45.0, "45s"),
            (55.0, "55s"),
            (12.25, "12.3s"),
            (59.4, "1m"), // 0.99m rounds to 1m
            (59.97, "1m"),
            (90.0, "1.5m"),
            (120.0, "2m"),
            (3_599.0, "1h"),
            (3.0 * 3_600.0, "3h"),
            (36.0 * 3_600.0, "1.5d"),
            (2.4 * 86_400.0, "2.4d"),
            (400.0 * 86_400.0, "400d"),
            (-7_200.0, "-2h"),
        ];
        for (secs, want) in cases {
            assert_eq!(format_duration_short(secs), want, "{secs} s");
        }
    }

    #[test]
    fn duration_labels_survive_non_finite_input() {
        assert_eq!(format_duration_short(f64::NAN), "–");
        assert_eq!(format_duration_short(f64::INFINITY), "–");
        assert_eq!(format_duration_short(f64::NEG_INFINITY), "–");
    }

    fn labels(t: &ValueTicks) -> Vec<&str> {
        t.ticks.iter().map(|(_, l)| l.as_str()).collect()
    }

    #[test]
    fn count_ticks_are_round_and_cover_the_data() {
        let t = value_ticks(0.0, 37.0, YUnit::Count, 5);
        assert_eq!(labels(&t), ["0", "10", "20", "30", "40"]);
        assert!(t.lo() <= 0.0 && t.hi() >= 37.0);

        let t = value_ticks(0.0, 0.8, YUnit::Count, 5);
        assert_eq!(labels(&t), ["0", "0.2", "0.4", "0.6", "0.8"]);

        let t = value_ticks(0.0, 48_000.0, YUnit::Count, 5);
        assert_eq!(labels(&t), ["0", "10k", "20k", "30k", "40k", "50k"]);

        let t = value_ticks(-3.0, 4.0, YUnit::Count, 5);
        assert_eq!(labels(&t), ["-4", "-2", "0", "2", "4"]);
    }

    #[test]
    fn duration_ticks_share_one_unit() {
        let t = value_ticks(0.0, 2.3 * 86_400.0, YUnit::Duration, 5);
        assert_eq!(labels(&t), ["0", "0.5d", "1d", "1.5d", "2d", "2.5d"]);
        let t = value_ticks(0.0, 19.0 * 3_600.0, YUnit::Duration, 5);
        assert_eq!(labels(&t), ["0", "5h", "10h", "15h", "20h"]);
    }

    #[test]
    fn short_axes_get_fewer_ticks() {
        let t = value_ticks(-5.5, 3.5, YUnit::Count, 2);
        assert_eq!(labels(&t), ["-10", "-5", "0", "5"]);
        let t = value_ticks(0.0, 37.0, YUnit::Count, 1);
        assert!(t.ticks.len() <= 3, "{:?}", labels(&t));
    }

    #[test]
    fn flat_or_degenerate_ranges_still_get_a_scale() {
        let t = value_ticks(0.0, 0.0, YUnit::Count, 5);
        assert!(t.ticks.len() >= 2);
        assert!(t.hi() > t.lo());
        let t = value_ticks(5.0, 5.0, YUnit::Count, 5);
        assert!(t.lo() <= 5.0 && t.hi() > 5.0);
        let t = value_ticks(f64::NAN, f64::INFINITY, YUnit::Duration, 5);
        assert!(t.ticks.len() >= 2);
    }

    #[test]
    fn civil_dates_match_known_days() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(19_052), (2022, 3, 1));
        assert_eq!(civil_from_days(19_783), (2024, 3, 1)); // after a leap day
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
    }

    #[test]
    fn daily_ticks_are_midnights_labelled_with_dates() {
        // 2024-03-01 .. 2024-03-07
        let lo = 19_783 * DAY;
        let t = time_ticks(lo, lo + 6 * DAY, 8);
        let labels: Vec<_> = t.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(
            labels,
            [
                "Mar 1", "Mar 2", "Mar 3", "Mar 4", "Mar 5", "Mar 6", "Mar 7"
            ]
        );
    }

    #[test]
    fn weekly_ticks_fall_on_mondays() {
        let lo = 19_783 * DAY; // Friday 2024-03-01
        let t = time_ticks(lo, lo + 60 * DAY, 10);
        assert!(!t.is_empty());
        for (secs, _) in &t {
            assert_eq!((secs / DAY + 3) % 7, 0, "{secs} is not a Monday");
        }
        assert_eq!(t[0].1, "Mar 4");
    }

    #[test]
    fn sub_day_ranges_use_clock_times() {
        let lo = 19_783 * DAY;
        let t = time_ticks(lo, lo + DAY, 8);
        let labels: Vec<_> = t.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(labels.first(), Some(&"Mar 1"));
        assert!(labels.contains(&"12:00"));
        assert_eq!(labels.last(), Some(&"Mar 2"));
    }

    #[test]
    fn extreme_time_ranges_stay_bounded() {
        let t = time_ticks(i64::MIN, i64::MAX, 8);
        assert!(t.len() <= 9);
        let t = time_ticks(0, 0, 8);
        assert_eq!(t.len(), 1);
    }

    #[test]
    fn values_format_like_tick_labels() {
        let cases = [
            (0.0, "0"),
            (-0.0, "0"),
            (7.0, "7"),
            (2.54, "2.5"),
            (0.05, "0.05"),
            (9_999.0, "9999"),
            (12_345.0, "12.3k"),
            (4_100_000.0, "4.1M"),
            (41_000_000.0, "41M"),
            (-3.0, "-3"),
        ];
        for (v, want) in cases {
            assert_eq!(format_value(v, YUnit::Count), want, "{v}");
        }
        assert_eq!(format_value(1.5 * 86_400.0, YUnit::Duration), "1.5d");
        assert_eq!(format_value(f64::NAN, YUnit::Count), "–");
    }

    #[test]
    fn short_dates_are_month_and_day() {
        assert_eq!(format_date_short(1_709_510_400), "Mar 4");
        assert_eq!(format_date_short(1_709_510_400 + 3_600), "Mar 4");
        assert_eq!(format_date_short(i64::MIN), format_date_short(i64::MIN));
    }

    fn log_labels(t: &LogTicks) -> Vec<&str> {
        t.ticks.iter().map(|(_, l)| l.as_str()).collect()
    }

    #[test]
    fn log_ticks_prefer_powers_of_ten_and_round_units() {
        let t = log_ticks(3.0, 4_000.0, YUnit::Count, 8);
        assert_eq!(log_labels(&t), ["10", "100", "1k"]);
        assert!(t.lo <= 3.0 && t.hi >= 4_000.0);

        let t = log_ticks(600.0, 20.0 * 86_400.0, YUnit::Duration, 8);
        assert_eq!(log_labels(&t), ["1h", "1d", "7d", "30d"]);

        let t = log_ticks(20.0, 40.0, YUnit::Count, 8);
        assert_eq!(log_labels(&t), ["20", "50"]);
    }

    #[test]
    fn log_ticks_survive_degenerate_input() {
        for (lo, hi) in [
            (5.0, 5.0),
            (0.0, 1.0),
            (f64::NAN, 1.0),
            (f64::MIN_POSITIVE, 1e15),
            (1e15, 1e15),
        ] {
            for unit in [YUnit::Count, YUnit::Duration] {
                let t = log_ticks(lo, hi, unit, 6);
                assert!(t.hi > t.lo, "{lo} {hi}");
                assert!(!t.ticks.is_empty(), "{lo} {hi}");
                assert!(t.ticks.len() <= 7, "{lo} {hi}: {:?}", log_labels(&t));
            }
        }
    }
}
