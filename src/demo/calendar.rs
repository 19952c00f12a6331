//! Time units and the working week: days and hours in Berlin time (UTC+1,
//! without DST), weekdays, and instants at a local time of day.

/// Seconds in a minute.
pub(super) const MIN: i64 = 60;
/// Seconds in an hour.
pub(super) const HOUR: i64 = 3_600;
/// Seconds in a day.
pub(super) const DAY: i64 = 86_400;
/// Berlin standard time; DST is ignored for the synthetic working hours.
const LOCAL_OFFSET: i64 = HOUR;

/// The Berlin day (days since 1970-01-01) of the instant `t`.
pub(super) fn local_day(t: i64) -> i64 {
    (t + LOCAL_OFFSET).div_euclid(DAY)
}

/// The Berlin hour of day (fractional) of the instant `t`.
pub(super) fn local_hour(t: i64) -> f64 {
    (t + LOCAL_OFFSET).rem_euclid(DAY) as f64 / HOUR as f64
}

/// Monday is 0 (1970-01-01 was a Thursday).
pub(super) fn weekday(day: i64) -> i64 {
    (day + 3).rem_euclid(7)
}

/// Monday to Friday.
pub(super) fn is_workday(day: i64) -> bool {
    weekday(day) < 5
}

/// The instant `seconds` after Berlin midnight of `day`.
pub(super) fn at_local(day: i64, seconds: i64) -> i64 {
    day * DAY + seconds - LOCAL_OFFSET
}
