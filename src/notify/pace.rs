//! Pacing work notifications to the platform's `recipients-per-minute` (5,000 users a minute
//! for an internal app), on tokio's clock so that tests may pause time.

use std::time::Duration;

use tokio::time::Instant;

/// How many recipients may be sent to per window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pace {
    /// Recipients per window.
    pub users: usize,
    /// The window.
    pub per: Duration,
}

impl Default for Pace {
    /// 5,000 users a minute (`recipients-per-minute`).
    fn default() -> Self {
        Self {
            users: crate::model::limits::RECIPIENTS_PER_MINUTE,
            per: Duration::from_secs(60),
        }
    }
}

/// Admits requests so that no window carries more than [`Pace::users`] recipients.
#[derive(Debug)]
pub struct Pacer {
    pace: Pace,
    window: Option<Instant>,
    used: usize,
    waited: Duration,
}

impl Pacer {
    /// A pacer with nothing sent yet.
    pub fn new(pace: Pace) -> Self {
        Self {
            pace,
            window: None,
            used: 0,
            waited: Duration::ZERO,
        }
    }

    /// The pace it keeps.
    pub fn pace(&self) -> Pace {
        self.pace
    }

    /// Total time spent waiting so far.
    pub fn waited(&self) -> Duration {
        self.waited
    }

    /// Count time spent waiting for a pace kept elsewhere (one shared through the store).
    pub fn record_wait(&mut self, waited: Duration) {
        self.waited += waited;
    }

    /// Wait until a request to `users` recipients fits (a request larger than a window takes
    /// a whole window of its own).
    pub async fn admit(&mut self, users: usize) {
        let users = users.min(self.pace.users);
        let now = Instant::now();
        let start = match self.window {
            Some(start) if now < start + self.pace.per => start,
            _ => {
                self.window = Some(now);
                self.used = 0;
                now
            }
        };
        if self.used > 0 && self.used + users > self.pace.users {
            let next = start + self.pace.per;
            tokio::time::sleep_until(next).await;
            self.waited += next.saturating_duration_since(now);
            self.window = Some(next);
            self.used = 0;
        }
        self.used += users;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn twenty_thousand_users_take_three_windows_of_waiting() {
        let mut pacer = Pacer::new(Pace::default());
        let start = Instant::now();
        for _ in 0..4 {
            pacer
                .admit(crate::model::limits::RECIPIENTS_PER_MINUTE)
                .await;
        }
        assert_eq!(start.elapsed(), Duration::from_secs(180));
        pacer.admit(1).await;
        assert_eq!(start.elapsed(), Duration::from_secs(240));
    }
}
