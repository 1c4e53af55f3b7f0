//! The access-token cache: one token for both hosts, fetched once, shared by every caller,
//! renewed a margin before it expires and again whenever the platform refuses it.
//!
//! Concurrent callers never stampede the token endpoint: the fast path reads the cached token
//! under a short lock; a caller that finds it missing or stale takes the (async) refresh lock
//! and checks again before fetching, so callers queued behind a refresh reuse its result.
//! A token the platform refused is invalidated by *generation*: many requests failing with the
//! same old token cause one refresh, not one each.

use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use super::credentials::Secret;
use super::error::ApiError;

/// Renew this long before the platform's expiry (tokens live 7,200 s).
pub const RENEW_MARGIN: Duration = Duration::from_secs(300);

/// A token as the token endpoint returned it.
#[derive(Clone, Debug)]
pub struct FetchedToken {
    /// The access token.
    pub token: Secret,
    /// Its lifetime as announced (`expireIn`).
    pub expires_in: Duration,
}

/// A token handed to a request, with the generation to invalidate if it is refused.
#[derive(Clone, Debug)]
pub struct LeasedToken {
    /// The access token.
    pub token: Secret,
    /// Which fetch produced it.
    pub generation: u64,
}

#[derive(Debug)]
struct Cached {
    token: Secret,
    renew_at: Instant,
    generation: u64,
}

/// The cache (see the module docs).
#[derive(Debug, Default)]
pub struct TokenCache {
    current: Mutex<Option<Cached>>,
    refresh: tokio::sync::Mutex<u64>,
}

impl TokenCache {
    /// An empty cache.
    pub fn new() -> TokenCache {
        TokenCache::default()
    }

    fn fresh(&self) -> Option<LeasedToken> {
        let current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        current
            .as_ref()
            .filter(|cached| Instant::now() < cached.renew_at)
            .map(|cached| LeasedToken {
                token: cached.token.clone(),
                generation: cached.generation,
            })
    }

    /// The current token, fetching one with `fetch` if there is none or it is due for renewal.
    pub async fn get<F, Fut>(&self, fetch: F) -> Result<LeasedToken, ApiError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<FetchedToken, ApiError>>,
    {
        if let Some(leased) = self.fresh() {
            return Ok(leased);
        }
        let mut generations = self.refresh.lock().await;
        // Someone may have refreshed while we waited for the lock.
        if let Some(leased) = self.fresh() {
            return Ok(leased);
        }
        let fetched = fetch().await?;
        *generations += 1;
        let margin = RENEW_MARGIN.min(fetched.expires_in / 2);
        let cached = Cached {
            token: fetched.token.clone(),
            renew_at: Instant::now() + fetched.expires_in.saturating_sub(margin),
            generation: *generations,
        };
        *self.current.lock().unwrap_or_else(|p| p.into_inner()) = Some(cached);
        Ok(LeasedToken {
            token: fetched.token,
            generation: *generations,
        })
    }

    /// Forget the token of `generation` because the platform refused it (a newer one stays).
    pub fn invalidate(&self, generation: u64) {
        let mut current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        if current
            .as_ref()
            .is_some_and(|cached| cached.generation == generation)
        {
            *current = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    fn fetcher(
        count: Arc<AtomicU32>,
    ) -> impl FnOnce() -> std::pin::Pin<Box<dyn Future<Output = Result<FetchedToken, ApiError>> + Send>>
    {
        move || {
            Box::pin(async move {
                let n = count.fetch_add(1, Ordering::SeqCst) + 1;
                tokio::time::sleep(Duration::from_millis(10)).await;
                Ok(FetchedToken {
                    token: Secret::new(format!("token-{n}")),
                    expires_in: Duration::from_secs(7200),
                })
            })
        }
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_callers_share_one_fetch() {
        let cache = Arc::new(TokenCache::new());
        let count = Arc::new(AtomicU32::new(0));
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let (cache, count) = (cache.clone(), count.clone());
                tokio::spawn(async move { cache.get(fetcher(count)).await.unwrap() })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.unwrap().token.expose(), "token-1");
        }
        assert_eq!(count.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn renews_five_minutes_before_expiry() {
        let cache = TokenCache::new();
        let count = Arc::new(AtomicU32::new(0));
        cache.get(fetcher(count.clone())).await.unwrap();
        let token_now = || async {
            let cached = cache.get(fetcher(count.clone())).await.unwrap();
            cached.token.expose().to_owned()
        };
        tokio::time::advance(Duration::from_secs(7200 - 301)).await;
        assert_eq!(token_now().await, "token-1");
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(token_now().await, "token-2");
    }

    #[tokio::test(start_paused = true)]
    async fn a_refused_token_is_replaced_once() {
        let cache = TokenCache::new();
        let count = Arc::new(AtomicU32::new(0));
        let first = cache.get(fetcher(count.clone())).await.unwrap();
        cache.invalidate(first.generation);
        let second = cache.get(fetcher(count.clone())).await.unwrap();
        // A late failure with the old token must not throw away the new one.
        cache.invalidate(first.generation);
        let third = cache.get(fetcher(count.clone())).await.unwrap();
        assert_eq!(second.token.expose(), "token-2");
        assert_eq!(third.token.expose(), "token-2");
        assert_eq!(count.load(Ordering::SeqCst), 2);
    }
}
