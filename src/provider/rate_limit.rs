//! Client-side rate limiting, counted per API path as the platform counts (per app per API:
//! 20 calls/s on standard-edition orgs, `shared/dingtalk-api.md`).
//!
//! The algorithm is GCRA (the generic cell rate algorithm, a token bucket kept as one
//! timestamp per API): each API remembers its *theoretical arrival time* (TAT), the moment the
//! bucket is empty again. A caller reserves the next slot under a short lock — TAT moves one
//! emission interval (1/rate) forward — then, outside the lock, sleeps with `tokio::time` until
//! its slot starts. So callers never spin, are served in the order they reserved, and a burst
//! of `burst` calls may go at once after a quiet period. Distinct APIs never wait for each
//! other. Time is `tokio::time::Instant`, so unit tests run on a paused clock.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// How fast requests may go, per API path.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateLimit {
    /// Sustained requests per second per API (the platform's default is 20).
    pub per_second: f64,
    /// How many requests may go back to back after a quiet period (1 = evenly spaced).
    pub burst: u32,
}

impl Default for RateLimit {
    fn default() -> RateLimit {
        RateLimit {
            per_second: 20.0,
            burst: 1,
        }
    }
}

impl RateLimit {
    /// A limit of `per_second` requests per second, evenly spaced.
    pub fn per_second(per_second: f64) -> RateLimit {
        RateLimit {
            per_second,
            burst: 1,
        }
    }

    /// No limit at all (for tests that measure something else).
    pub fn unlimited() -> RateLimit {
        RateLimit {
            per_second: f64::INFINITY,
            burst: 1,
        }
    }

    fn interval(&self) -> Duration {
        if self.per_second.is_finite() && self.per_second > 0.0 {
            Duration::from_secs_f64(1.0 / self.per_second)
        } else {
            Duration::ZERO
        }
    }
}

/// One GCRA per API path.
#[derive(Debug)]
pub struct RateLimiter {
    limit: RateLimit,
    /// API path → theoretical arrival time.
    arrivals: Mutex<HashMap<String, Instant>>,
}

impl RateLimiter {
    /// A limiter applying `limit` to each API path separately.
    pub fn new(limit: RateLimit) -> RateLimiter {
        RateLimiter {
            limit,
            arrivals: Mutex::new(HashMap::new()),
        }
    }

    /// The limit in force.
    pub fn limit(&self) -> RateLimit {
        self.limit
    }

    /// Reserve the next slot for `api` and return how long to wait before using it.
    pub fn reserve(&self, api: &str) -> Duration {
        let interval = self.limit.interval();
        if interval.is_zero() {
            return Duration::ZERO;
        }
        let tolerance = interval * self.limit.burst.saturating_sub(1);
        let now = Instant::now();
        let mut arrivals = self
            .arrivals
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let tat = arrivals.get(api).copied().unwrap_or(now).max(now);
        arrivals.insert(api.to_string(), tat + interval);
        // The slot starts `tolerance` before the TAT: that is the burst allowance.
        tat.saturating_duration_since(now + tolerance)
    }

    /// Wait (without spinning) until `api` may be called again.
    pub async fn acquire(&self, api: &str) {
        let wait = self.reserve(api);
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn spaces_requests_to_one_api_at_the_rate() {
        let limiter = RateLimiter::new(RateLimit::per_second(20.0));
        let start = Instant::now();
        for _ in 0..21 {
            limiter.acquire("/v1.0/im/sceneGroup/create").await;
        }
        // The first goes at once, the next twenty one interval (50 ms) apart.
        assert_eq!(start.elapsed(), Duration::from_millis(1000));
    }

    #[tokio::test(start_paused = true)]
    async fn apis_are_counted_separately() {
        let limiter = RateLimiter::new(RateLimit::per_second(10.0));
        let start = Instant::now();
        for api in ["/a", "/b", "/c", "/d"] {
            limiter.acquire(api).await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_goes_at_once_after_a_quiet_period() {
        let limiter = RateLimiter::new(RateLimit {
            per_second: 10.0,
            burst: 5,
        });
        let start = Instant::now();
        for _ in 0..5 {
            limiter.acquire("/a").await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
        limiter.acquire("/a").await;
        assert_eq!(start.elapsed(), Duration::from_millis(100));
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_callers_each_get_their_own_slot() {
        let limiter = std::sync::Arc::new(RateLimiter::new(RateLimit::per_second(100.0)));
        let start = Instant::now();
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let limiter = limiter.clone();
                tokio::spawn(async move { limiter.acquire("/a").await })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(start.elapsed(), Duration::from_millis(490));
    }
}
