//! The time survey and schedule logic reads: the system clock, or a clock
//! a test sets and advances (a 24-hour reminder or a 7-day expiry is then
//! a line of test code, not a day of waiting).
//!
//! Only decisions about *when* (quiet hours, reminders, expiry, answers
//! after expiry) read this clock; bookkeeping columns such as
//! `created_at` keep the system time.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// A shared clock: clones see the same time.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// Unix seconds set by a test; 0 follows the system clock.
    manual: Arc<AtomicI64>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// Now, in Unix seconds.
    pub fn now(&self) -> i64 {
        match self.manual.load(Ordering::Relaxed) {
            0 => crate::store::unix_now(),
            t => t,
        }
    }

    /// Stops the clock at `unix` (every clone follows).
    pub fn set(&self, unix: i64) {
        self.manual.store(unix.max(1), Ordering::Relaxed);
    }

    /// Moves a set clock forward (from the system time if none was set).
    pub fn advance(&self, secs: i64) {
        let now = self.now();
        self.set(now + secs);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_clock_is_shared_by_clones_and_advances() {
        let clock = Clock::system();
        let seen_by_jobs = clock.clone();
        assert!((clock.now() - crate::store::unix_now()).abs() <= 1);
        clock.set(1_800_000_000);
        assert_eq!(seen_by_jobs.now(), 1_800_000_000);
        seen_by_jobs.advance(86_400);
        assert_eq!(clock.now(), 1_800_086_400);
    }
}
