//! When the weekly post is due (pure): a weekday and a local time in the
//! org's time zone, daylight-saving changes included.
//!
//! - A **slot** is the week's posting instant: the configured weekday at
//!   the configured local time. A local time that does not exist (clocks
//!   jump forward over it) becomes the first minute after the jump; one
//!   that happens twice (clocks go back) is the first of the two.
//! - A **week** is keyed by the local Monday of the slot's week, so the
//!   post is once per ISO week even when an admin moves the day or time.
//! - The post is **due** from its slot until the end of that local day:
//!   an app that was down at the slot posts once when it comes back the
//!   same day and skips the week after that.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// The configured posting time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct When {
    /// ISO weekday, 1 Monday … 7 Sunday.
    pub day: u32,
    /// Minutes after local midnight, 0 … 1439.
    pub minute: u32,
    /// The org's time zone.
    pub zone: Tz,
}

/// One week's posting instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// The week's key: its local Monday, as Unix seconds of that date at
    /// 00:00 UTC.
    pub week: i64,
    /// The instant, Unix seconds.
    pub at: i64,
    /// The local date of the instant.
    pub date: NaiveDate,
}

impl When {
    /// The slot of the local week starting on `monday`.
    pub fn slot_in(&self, monday: NaiveDate) -> Slot {
        let date = monday + Duration::days(i64::from(self.day.clamp(1, 7)) - 1);
        let time =
            NaiveTime::from_hms_opt(self.minute.min(1439) / 60, self.minute.min(1439) % 60, 0)
                .unwrap_or_default();
        let local = date.and_time(time);
        // Walk past a daylight-saving gap a minute at a time (gaps are at
        // most a few hours; 24 h bounds the loop for any zone).
        let mut at = None;
        for step in 0..=24 * 60 {
            if let Some(t) = self
                .zone
                .from_local_datetime(&(local + Duration::minutes(step)))
                .earliest()
            {
                at = Some(t.timestamp());
                break;
            }
        }
        let at = at.unwrap_or_else(|| local.and_utc().timestamp());
        Slot {
            week: monday_key(monday),
            at,
            date,
        }
    }

    /// The local date of `at`.
    pub fn local_date(&self, at: i64) -> NaiveDate {
        Utc.timestamp_opt(at, 0)
            .single()
            .map(|t| t.with_timezone(&self.zone).date_naive())
            .unwrap_or_default()
    }

    /// The Monday of the local week holding `at`.
    fn monday_of(&self, at: i64) -> NaiveDate {
        let date = self.local_date(at);
        date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
    }

    /// The latest slot at or before `now`.
    pub fn last_slot(&self, now: i64) -> Slot {
        let monday = self.monday_of(now);
        let this = self.slot_in(monday);
        if this.at <= now {
            this
        } else {
            self.slot_in(monday - Duration::days(7))
        }
    }

    /// The first slot after `now`.
    pub fn next_slot(&self, now: i64) -> Slot {
        let monday = self.monday_of(now);
        let this = self.slot_in(monday);
        if this.at > now {
            this
        } else {
            self.slot_in(monday + Duration::days(7))
        }
    }

    /// The slot before `slot`: where its week starts.
    pub fn previous(&self, slot: &Slot) -> Slot {
        self.slot_in(slot.date - Duration::days(i64::from(self.day.clamp(1, 7)) - 1 + 7))
    }

    /// The slot whose post is due at `now`, if any: reached, on the same
    /// local day, and not before `since` (when posting was switched on, so
    /// switching it on late in the day does not post at once).
    pub fn due(&self, now: i64, since: i64) -> Option<Slot> {
        let slot = self.last_slot(now);
        (slot.at >= since && self.local_date(now) == slot.date).then_some(slot)
    }
}

fn monday_key(monday: NaiveDate) -> i64 {
    monday.and_time(NaiveTime::MIN).and_utc().timestamp()
}

/// A time of day typed as `HH:MM`, as minutes after midnight.
pub fn parse_time(text: &str) -> Option<u32> {
    let (h, m) = text.trim().split_once(':')?;
    let (h, m) = (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?);
    (h < 24 && m < 60 && text.trim().len() <= 5).then_some(h * 60 + m)
}

/// Minutes after midnight as `HH:MM`.
pub fn format_time(minute: u32) -> String {
    format!("{:02}:{:02}", (minute / 60) % 24, minute % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unix(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp()
    }

    fn when(day: u32, time: &str, zone: &str) -> When {
        When {
            day,
            minute: parse_time(time).unwrap(),
            zone: zone.parse().unwrap(),
        }
    }

    #[test]
    fn mondays_at_ten_follow_berlin_across_the_october_change() {
        let w = when(1, "10:00", "Europe/Berlin");
        // Monday 2026-10-19 10:00 CEST = 08:00 UTC; after the change on
        // Sunday 2026-10-25, Monday 10:00 CET = 09:00 UTC.
        assert_eq!(
            w.last_slot(unix("2026-10-19T08:00:00Z")).at,
            unix("2026-10-19T08:00:00Z")
        );
        let next = w.next_slot(unix("2026-10-19T08:00:00Z"));
        assert_eq!(next.at, unix("2026-10-26T09:00:00Z"));
        assert_eq!(w.previous(&next).at, unix("2026-10-19T08:00:00Z"));
        assert_eq!(next.week - w.previous(&next).week, 7 * 86_400);
    }

    #[test]
    fn a_minute_before_is_not_due_the_slot_is_and_the_day_after_is_not() {
        let w = when(5, "16:30", "America/New_York");
        // Friday 2026-11-27 16:30 EST = 21:30 UTC.
        let slot = unix("2026-11-27T21:30:00Z");
        assert_eq!(w.due(slot - 60, 0), None);
        assert_eq!(w.due(slot, 0).map(|s| s.at), Some(slot));
        // 23:59 local the same day: still due (catch-up).
        assert_eq!(
            w.due(unix("2026-11-28T04:59:00Z"), 0).map(|s| s.at),
            Some(slot)
        );
        // Saturday 00:00 local: skipped.
        assert_eq!(w.due(unix("2026-11-28T05:00:00Z"), 0), None);
        // Switched on after the slot: not due until next week.
        assert_eq!(w.due(slot + 3_600, slot + 60), None);
    }

    #[test]
    fn a_time_the_clocks_skip_posts_right_after_the_jump_and_a_repeated_one_once() {
        // US clocks jump 02:00 → 03:00 on Sunday 2027-03-14.
        let w = when(7, "02:30", "America/New_York");
        let slot = w.slot_in(NaiveDate::from_ymd_opt(2027, 3, 8).unwrap());
        assert_eq!(slot.at, unix("2027-03-14T07:00:00Z"), "03:00 EDT");
        // They fall back 02:00 → 01:00 on Sunday 2026-11-01: 01:30 happens
        // twice; the first (EDT) is the slot.
        let w = when(7, "01:30", "America/New_York");
        let slot = w.slot_in(NaiveDate::from_ymd_opt(2026, 10, 26).unwrap());
        assert_eq!(slot.at, unix("2026-11-01T05:30:00Z"));
    }

    #[test]
    fn every_minute_of_a_dst_month_has_exactly_one_due_slot_per_week() {
        // Minute by minute through October–November 2026 in two zones: the
        // due windows never overlap and each week is due on one local day.
        for zone in ["Europe/Berlin", "America/New_York"] {
            let w = when(1, "10:00", zone);
            let mut weeks = std::collections::BTreeMap::new();
            let mut t = unix("2026-10-01T00:00:00Z");
            while t < unix("2026-11-30T00:00:00Z") {
                if let Some(s) = w.due(t, 0) {
                    let first = *weeks.entry(s.week).or_insert(t);
                    assert_eq!(w.local_date(first), w.local_date(t));
                    assert!(t >= s.at);
                }
                t += 60;
            }
            assert_eq!(weeks.len(), 8, "{zone}: Mondays Oct 5 … Nov 23");
        }
    }

    #[test]
    fn times_parse_strictly() {
        assert_eq!(parse_time("09:05"), Some(545));
        assert_eq!(parse_time("23:59"), Some(1439));
        assert_eq!(parse_time("24:00"), None);
        assert_eq!(parse_time("9"), None);
        assert_eq!(parse_time("aa:bb"), None);
        assert_eq!(format_time(545), "09:05");
    }
}
