//! The pace the shared stores keep for every runner of a workspace ([`DeliveryStore::admit`]):
//! one window, when it started and how many recipients it has admitted. PostgreSQL keeps it as a
//! row read `FOR UPDATE`, S3 as `pace.json` replaced with `If-Match`; how a request is admitted
//! into it is decided here, once.
//!
//! [`DeliveryStore::admit`]: super::DeliveryStore::admit

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::notify::pace::Pace;

/// One pace window as a store keeps it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaceWindow {
    /// When the window started.
    pub window_start: DateTime<Utc>,
    /// Recipients admitted in it.
    pub used: usize,
}

impl PaceWindow {
    /// A window starting at `now` with nothing admitted.
    pub fn new(now: DateTime<Utc>) -> Self {
        Self {
            window_start: now,
            used: 0,
        }
    }

    /// Admit a request to `users` recipients (at most a whole window's) at `now`: the window to
    /// store (a new one when this one is over), or how long to wait before asking again. A
    /// window with nothing in it admits any request.
    pub fn admit(self, users: usize, pace: Pace, now: DateTime<Utc>) -> Result<Self, Duration> {
        let users = users.min(pace.users);
        let per = chrono::Duration::from_std(pace.per).unwrap_or(chrono::Duration::MAX);
        let end = self.window_start.checked_add_signed(per);
        let mut window = if end.is_some_and(|end| now >= end) {
            Self::new(now)
        } else {
            self
        };
        if window.used > 0 && window.used + users > pace.users {
            let wait = end.map_or(pace.per, |end| {
                (end - now).to_std().unwrap_or(Duration::ZERO)
            });
            return Err(wait.max(Duration::from_millis(1)));
        }
        window.used += users;
        Ok(window)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pace() -> Pace {
        Pace {
            users: 10,
            per: Duration::from_secs(60),
        }
    }

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + seconds, 0).expect("a time")
    }

    #[test]
    fn a_window_admits_up_to_its_users_then_says_how_long_to_wait() {
        let window = PaceWindow::new(at(0)).admit(6, pace(), at(0)).unwrap();
        let window = window.admit(4, pace(), at(10)).unwrap();
        assert_eq!(window.used, 10);
        assert_eq!(
            window.admit(1, pace(), at(15)),
            Err(Duration::from_secs(45))
        );
    }

    #[test]
    fn an_empty_window_admits_a_request_larger_than_the_pace() {
        let window = PaceWindow::new(at(0)).admit(25, pace(), at(0)).unwrap();
        assert_eq!(window.used, 10, "counted as a whole window");
    }

    #[test]
    fn a_window_that_is_over_starts_again() {
        let full = PaceWindow::new(at(0)).admit(10, pace(), at(0)).unwrap();
        let next = full.admit(3, pace(), at(60)).unwrap();
        assert_eq!(
            next,
            PaceWindow {
                window_start: at(60),
                used: 3
            }
        );
    }

    #[test]
    fn the_wait_is_never_zero() {
        let full = PaceWindow::new(at(0)).admit(10, pace(), at(0)).unwrap();
        let just_before = at(60) - chrono::Duration::nanoseconds(1);
        assert_eq!(
            full.admit(1, pace(), just_before),
            Err(Duration::from_millis(1))
        );
    }
}
