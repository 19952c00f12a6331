//! When survey DMs may go out (pure): never in a person's quiet hours —
//! 20:00 to 08:00 local time, or a weekend — by their Slack time zone.
//! A DM due in quiet hours waits for the next working morning.

use chrono::{Datelike, Duration, NaiveTime, TimeZone, Timelike, Utc, Weekday};
use chrono_tz::Tz;

/// First local hour DMs may go out.
pub const DAY_STARTS: u32 = 8;
/// First local hour of the quiet evening.
pub const DAY_ENDS: u32 = 20;
/// The one reminder comes this long after the survey was sent.
pub const REMIND_AFTER: i64 = 86_400;
/// Answers are taken for this long after sending.
pub const OPEN_FOR: i64 = 7 * 86_400;

/// A person's time zone: their Slack `tz`, or UTC when unknown or not an
/// IANA name this build knows.
pub fn zone(tz: Option<&str>) -> Tz {
    tz.and_then(|t| t.parse::<Tz>().ok()).unwrap_or(Tz::UTC)
}

/// Whether `at` (Unix seconds) is inside working hours in `tz`.
pub fn is_working_time(at: i64, tz: Option<&str>) -> bool {
    next_working_time(at, tz) == at
}

/// `at` itself when it is a weekday between 08:00 and 20:00 local time,
/// else the next weekday 08:00 local.
pub fn next_working_time(at: i64, tz: Option<&str>) -> i64 {
    let zone = zone(tz);
    let Some(utc) = Utc.timestamp_opt(at, 0).single() else {
        return at;
    };
    let local = utc.with_timezone(&zone);
    let weekend = matches!(local.weekday(), Weekday::Sat | Weekday::Sun);
    if !weekend && (DAY_STARTS..DAY_ENDS).contains(&local.hour()) {
        return at;
    }
    // The morning to wait for: today's if it is still ahead, else the
    // next day's; then skip to Monday past a weekend.
    let mut day = local.date_naive();
    if local.hour() >= DAY_STARTS || weekend {
        day += Duration::days(1);
    }
    while matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
        day += Duration::days(1);
    }
    let morning = day.and_time(NaiveTime::from_hms_opt(DAY_STARTS, 0, 0).unwrap_or_default());
    // A daylight-saving jump at 08:00 would make the time not exist: the
    // first instant after it is taken instead.
    match zone.from_local_datetime(&morning).earliest() {
        Some(t) => t.timestamp(),
        None => zone
            .from_local_datetime(&(morning + Duration::hours(1)))
            .earliest()
            .map_or(at + 3_600, |t| t.timestamp()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unix(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp()
    }

    #[test]
    fn working_hours_pass_straight_through() {
        // Wednesday 2026-11-25 10:00 in Berlin (09:00 UTC).
        let at = unix("2026-11-25T09:00:00Z");
        assert_eq!(next_working_time(at, Some("Europe/Berlin")), at);
        assert!(is_working_time(at, Some("Europe/Berlin")));
    }

    #[test]
    fn an_evening_merge_waits_for_the_next_morning_in_the_persons_zone() {
        // 21:30 in New York on Wednesday → Thursday 08:00 New York (13:00 UTC).
        let at = unix("2026-11-26T02:30:00Z");
        assert_eq!(
            next_working_time(at, Some("America/New_York")),
            unix("2026-11-26T13:00:00Z")
        );
        // The same instant is 03:30 Thursday in Berlin: 08:00 that day.
        assert_eq!(
            next_working_time(at, Some("Europe/Berlin")),
            unix("2026-11-26T07:00:00Z")
        );
    }

    #[test]
    fn weekends_wait_for_monday() {
        // Friday 20:15 in Tokyo → Monday 08:00 Tokyo.
        let at = unix("2026-11-27T11:15:00Z");
        assert_eq!(
            next_working_time(at, Some("Asia/Tokyo")),
            unix("2026-11-29T23:00:00Z")
        );
        // Saturday noon UTC → Monday 08:00 UTC.
        assert_eq!(
            next_working_time(unix("2026-11-28T12:00:00Z"), None),
            unix("2026-11-30T08:00:00Z")
        );
    }

    #[test]
    fn daylight_saving_changes_keep_8am_local() {
        // Europe switches back on Sunday 2026-10-25: Monday 08:00 Berlin is
        // 07:00 UTC, not 06:00 as on the Friday before.
        let friday_night = unix("2026-10-23T19:00:00Z"); // 21:00 CEST
        assert_eq!(
            next_working_time(friday_night, Some("Europe/Berlin")),
            unix("2026-10-26T07:00:00Z")
        );
    }

    #[test]
    fn unknown_zones_fall_back_to_utc() {
        let at = unix("2026-11-25T05:00:00Z");
        assert_eq!(
            next_working_time(at, Some("Mars/Olympus_Mons")),
            unix("2026-11-25T08:00:00Z")
        );
        assert_eq!(zone(None), Tz::UTC);
    }
}
