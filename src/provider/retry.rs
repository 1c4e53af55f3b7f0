//! When a failed request is sent again, and after how long.
//!
//! Transient failures (throttling, system busy, 5xx, timeouts, lost connections) are retried
//! with exponential backoff and jitter, a bounded number of times. Whether a retry is *safe*
//! depends on the request: sending twice must not do twice what the caller asked once.
//!
//! - [`Idempotency::Idempotent`]: reads, and writes whose repetition converges (set a title,
//!   add members who are then present): retried on every transient failure.
//! - [`Idempotency::Keyed`]: a create that carries an idempotency key the platform dedupes on
//!   (scene-group create with `uuid`): retried like an idempotent request.
//! - [`Idempotency::NotIdempotent`]: sends (work notifications, bot messages) and creates with
//!   no key. Retried **only** on answers that prove the request was not processed: a
//!   throttling answer (the platform refused it before doing anything) or a connection that
//!   was never established. A timeout, a dropped connection, a 5xx or "system busy" may come
//!   after the server acted, so the error goes back to the caller, marked
//!   [`ApiError::maybe_processed`](super::ApiError::maybe_processed) when the answer was lost.

use std::time::Duration;

use super::error::{ApiError, ErrorKind};

/// Whether sending a request twice has the effect of sending it once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Idempotency {
    /// Repeating it is harmless (reads, convergent writes).
    Idempotent,
    /// It carries a key the platform dedupes on (e.g. scene-group `uuid`).
    Keyed,
    /// Repeating it could act twice (sends, creates without a key).
    NotIdempotent,
}

/// How often and how patiently to retry.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = never retry).
    pub max_attempts: u32,
    /// The backoff before the second attempt; it doubles each time.
    pub base_delay: Duration,
    /// No backoff is longer than this.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 6,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The pause after failed attempt number `attempt` (1-based): exponential, capped, with
    /// "equal jitter" (half fixed, half random) so that clients throttled together spread out
    /// but each still waits at least half the step.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(20);
        let step = self
            .base_delay
            .saturating_mul(1 << exponent)
            .min(self.max_delay);
        let half = step / 2;
        half + half.mul_f64(rand::random_range(0.0..=1.0))
    }

    /// Whether `error`, after attempt number `attempt`, should be followed by another attempt.
    pub fn should_retry(&self, idempotency: Idempotency, error: &ApiError, attempt: u32) -> bool {
        attempt < self.max_attempts && safe_to_resend(idempotency, error)
    }
}

/// Whether a request that failed with `error` may be sent again without risk of acting twice.
pub fn safe_to_resend(idempotency: Idempotency, error: &ApiError) -> bool {
    let kind = error.kind();
    if !kind.is_transient() {
        return false;
    }
    match idempotency {
        Idempotency::Idempotent | Idempotency::Keyed => true,
        // Only answers that prove nothing happened: the platform throttled it, or the
        // connection never opened.
        Idempotency::NotIdempotent => {
            kind == ErrorKind::Throttled
                || matches!(
                    error,
                    ApiError::Transport {
                        maybe_processed: false,
                        ..
                    }
                )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn platform(kind: ErrorKind) -> ApiError {
        ApiError::Platform(Box::new(super::super::error::PlatformError {
            method: "POST",
            path: "/x".into(),
            status: 200,
            code: "c".into(),
            sub_code: None,
            message: "m".into(),
            kind,
            request_id: None,
            attempts: 1,
        }))
    }

    fn lost_answer() -> ApiError {
        ApiError::Transport {
            method: "POST",
            path: "/x".into(),
            kind: ErrorKind::Transport,
            message: "connection closed".into(),
            maybe_processed: true,
            attempts: 1,
            source: None,
        }
    }

    #[test]
    fn sends_are_resent_only_when_provably_unprocessed() {
        use Idempotency::*;
        assert!(safe_to_resend(
            NotIdempotent,
            &platform(ErrorKind::Throttled)
        ));
        assert!(!safe_to_resend(NotIdempotent, &platform(ErrorKind::Busy)));
        assert!(!safe_to_resend(NotIdempotent, &platform(ErrorKind::Server)));
        assert!(!safe_to_resend(NotIdempotent, &lost_answer()));
        assert!(safe_to_resend(Keyed, &lost_answer()));
        assert!(safe_to_resend(Idempotent, &platform(ErrorKind::Busy)));
        assert!(!safe_to_resend(
            Idempotent,
            &platform(ErrorKind::InvalidParameter)
        ));
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy::default();
        for attempt in 1..10 {
            let delay = policy.backoff(attempt);
            let step = (policy.base_delay * (1 << (attempt - 1))).min(policy.max_delay);
            assert!(
                delay >= step / 2 && delay <= step,
                "attempt {attempt}: {delay:?}"
            );
        }
        assert!(policy.backoff(30) <= policy.max_delay);
    }

    #[test]
    fn attempts_are_bounded() {
        let policy = RetryPolicy::default();
        let error = platform(ErrorKind::Throttled);
        assert!(policy.should_retry(Idempotency::Idempotent, &error, 5));
        assert!(!policy.should_retry(Idempotency::Idempotent, &error, 6));
    }
}
