//! [`HttpClient`], the one implementation of the DingTalk API: requests over the
//! [`transport`](super::transport) (HTTP/1.1, rustls), per-API rate limiting, retries, the
//! shared access token, and masked debug logs.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::header::{ACCEPT, CONTENT_TYPE, HeaderName, HeaderValue};
use http_body_util::Full;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::time::Instant;

use super::answer::{Answer, judge_body, transport};
use super::call::{Call, CallBody};
use super::credentials::Credentials;
use super::endpoint::{Endpoint, Host};
use super::error::{ApiError, ErrorKind};
use super::rate_limit::{RateLimit, RateLimiter};
use super::retry::RetryPolicy;
use super::token::{FetchedToken, LeasedToken, TokenCache};
use super::transport::{Failure, Timeouts, Transport, TransportError};

/// The api host's token header.
const TOKEN_HEADER: HeaderName = HeaderName::from_static("x-acs-dingtalk-access-token");
/// A JSON body's content type (static: a header built from a `&str` is parsed and copied on
/// every request, a share of a read's CPU; issue 15).
const JSON_CONTENT_TYPE: HeaderValue = HeaderValue::from_static("application/json; charset=utf-8");
/// What a JSON request accepts.
const ACCEPT_JSON: HeaderValue = HeaderValue::from_static("application/json");
/// What any other request accepts (reqwest's default, which the client sent before).
const ACCEPT_ANY: HeaderValue = HeaderValue::from_static("*/*");
/// What a path percent-encodes: the URL standard's path set, as `Url::set_path` did.
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'#')
    .add(b'?')
    .add(b'{')
    .add(b'}');
/// The token endpoint (api host; its token serves both hosts).
pub(crate) const TOKEN_API: &str = "/v1.0/oauth2/accessToken";
/// Throttling answers one call may meet before it is given up (at any pace, minutes of them).
const MAX_THROTTLED: u32 = 1_000;
/// Attempts of a call that met no answer at all: an endpoint that does not answer is most
/// likely down, so the call is tried once more, not [`RetryPolicy::max_attempts`] times
/// (which made minutes of silence).
const MAX_ATTEMPTS_WITHOUT_ANSWER: u32 = 2;
/// How often a call that has no answer yet says what it waits for (a warning on stderr; at
/// half the read timeout when that is shorter).
pub const PROGRESS_EVERY: Duration = Duration::from_secs(5);
/// The read timeout unless `DINGFORM_READ_TIMEOUT` says otherwise: DingTalk answers in well
/// under a second, so 15 s of silence means it will not.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(15);
/// The connect timeout: a TCP and TLS handshake with DingTalk takes milliseconds.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How the client behaves.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// Requests per second per API (default 20, the platform's standard-edition limit), or
    /// an adaptive pace starting there ([`RateLimit::adaptive`]).
    pub rate_limit: RateLimit,
    /// Retries of transient failures.
    pub retry: RetryPolicy,
    /// How long one attempt may take in all (an upload included).
    pub timeout: Duration,
    /// How long connecting may take.
    pub connect_timeout: Duration,
    /// How long the server may stay silent (no byte of the answer) before the attempt is
    /// given up as unanswered.
    pub read_timeout: Duration,
}

impl Default for ClientOptions {
    fn default() -> ClientOptions {
        ClientOptions {
            rate_limit: RateLimit::default(),
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(30),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            read_timeout: DEFAULT_READ_TIMEOUT,
        }
    }
}

/// Counters of what the client did, for tests and measurements.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClientStats {
    /// HTTP requests sent (every attempt, token fetches included).
    pub requests: u64,
    /// Attempts that were retries.
    pub retries: u64,
    /// Access tokens fetched.
    pub token_fetches: u64,
    /// Throttling answers received (each then retried or returned).
    pub throttled: u64,
}

#[derive(Debug, Default)]
struct Counters {
    requests: AtomicU64,
    retries: AtomicU64,
    token_fetches: AtomicU64,
    throttled: AtomicU64,
}

#[derive(Debug)]
struct Inner {
    transport: Transport,
    /// Which of the transport's base URLs serves the oapi host (the api host's is 0).
    oapi_origin: usize,
    read_timeout: Duration,
    connect_timeout: Duration,
    endpoint: Endpoint,
    credentials: Credentials,
    retry: RetryPolicy,
    limiter: RateLimiter,
    tokens: TokenCache,
    counters: Counters,
}

/// The DingTalk client. Cheap to clone (clones share the token, the rate limiter and the
/// connection pool).
#[derive(Clone, Debug)]
pub struct HttpClient {
    inner: Arc<Inner>,
}

/// Why a client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The endpoint is not usable (e.g. an unresolved sandbox).
    #[error(transparent)]
    Endpoint(#[from] super::error::EndpointError),
    /// The HTTP stack could not be set up.
    #[error("cannot set up the HTTP client: {0}")]
    Http(#[source] super::transport::SetupError),
}

impl HttpClient {
    /// A client for `endpoint` with default options.
    pub fn new(endpoint: Endpoint, credentials: Credentials) -> Result<HttpClient, ClientError> {
        HttpClient::with_options(endpoint, credentials, ClientOptions::default())
    }

    /// A client for `endpoint` with `options`.
    pub fn with_options(
        endpoint: Endpoint,
        credentials: Credentials,
        options: ClientOptions,
    ) -> Result<HttpClient, ClientError> {
        if endpoint == Endpoint::Sandbox {
            return Err(super::error::EndpointError::SandboxNotStarted.into());
        }
        let bases = match &endpoint {
            Endpoint::Split { api, oapi } => vec![api, oapi],
            Endpoint::Single(base) => vec![base],
            Endpoint::Sandbox => Vec::new(),
        };
        let timeouts = Timeouts {
            connect: options.connect_timeout,
            read: options.read_timeout,
            total: options.timeout,
            // Halfway through a short timeout too, so the wait is never silent.
            notice_every: PROGRESS_EVERY
                .min(options.read_timeout / 2)
                .max(Duration::from_millis(100)),
        };
        let transport = Transport::new(
            &bases,
            concat!("dingform/", env!("CARGO_PKG_VERSION")),
            timeouts,
        )
        .map_err(ClientError::Http)?;
        Ok(HttpClient {
            inner: Arc::new(Inner {
                transport,
                oapi_origin: bases.len() - 1,
                read_timeout: options.read_timeout,
                connect_timeout: options.connect_timeout,
                endpoint,
                credentials,
                retry: options.retry,
                limiter: RateLimiter::new(options.rate_limit),
                tokens: TokenCache::new(),
                counters: Counters::default(),
            }),
        })
    }

    /// Where requests go.
    pub fn endpoint(&self) -> &Endpoint {
        &self.inner.endpoint
    }

    /// The app key requests are made for.
    pub fn app_key(&self) -> &str {
        &self.inner.credentials.app_key
    }

    /// The rate limit in force (per API).
    pub fn rate_limit(&self) -> RateLimit {
        self.inner.limiter.limit()
    }

    /// Each API's pace now, when adaptive (empty when pinned): for `--verbose` and benchmarks.
    pub fn learned_rates(&self) -> Vec<super::rate_limit::LearnedRate> {
        self.inner.limiter.learned_rates()
    }

    /// What the client did so far.
    pub fn stats(&self) -> ClientStats {
        let c = &self.inner.counters;
        ClientStats {
            requests: c.requests.load(Ordering::Relaxed),
            retries: c.retries.load(Ordering::Relaxed),
            token_fetches: c.token_fetches.load(Ordering::Relaxed),
            throttled: c.throttled.load(Ordering::Relaxed),
        }
    }

    /// Make sure a valid access token is cached (fetching one if needed); useful to fail early
    /// on bad credentials.
    pub async fn authenticate(&self) -> Result<(), ApiError> {
        self.token().await.map(drop)
    }

    async fn token(&self) -> Result<LeasedToken, ApiError> {
        self.inner.tokens.get(|| self.fetch_token()).await
    }

    async fn fetch_token(&self) -> Result<FetchedToken, ApiError> {
        #[derive(serde::Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Body<'a> {
            app_key: &'a str,
            app_secret: &'a str,
        }
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Token {
            access_token: String,
            expire_in: i64,
        }
        let credentials = &self.inner.credentials;
        let call = Call::post(
            TOKEN_API,
            Body {
                app_key: &credentials.app_key,
                app_secret: credentials.app_secret.expose(),
            },
        );
        self.inner
            .counters
            .token_fetches
            .fetch_add(1, Ordering::Relaxed);
        let answer: Token = self.send_with_retries(&call, None).await?.decode(&call)?;
        Ok(FetchedToken {
            token: super::credentials::Secret::new(answer.access_token),
            expires_in: Duration::from_secs(answer.expire_in.max(0) as u64),
        })
    }

    /// Send `call` with the access token and decode the answer. A refused token is renewed
    /// once and the call repeated (the platform did not act on it, so this is safe for any
    /// request).
    pub(crate) async fn call<T: DeserializeOwned>(&self, call: Call) -> Result<T, ApiError> {
        self.call_answer(&call).await?.decode(&call)
    }

    /// Like [`HttpClient::call`], returning the raw JSON object.
    pub(crate) async fn call_value(&self, call: &Call) -> Result<Value, ApiError> {
        self.call_answer(call).await?.into_value(call)
    }

    /// Send `call` with the access token (renewed once if refused): the judged answer.
    ///
    /// Boxed: the exchange's state (the connection, its timer, the request, the answer) is
    /// about 6 KB, and every future that awaits a call (a group's read awaits four, two at
    /// once) would otherwise hold it inline and copy it whole as it moves (a group's read
    /// was 13 KB of future, 1.9 KB with the box; issue 15).
    fn call_answer<'a>(
        &'a self,
        call: &'a Call,
    ) -> Pin<Box<dyn Future<Output = Result<Answer, ApiError>> + Send + 'a>> {
        Box::pin(self.call_answer_inline(call))
    }

    async fn call_answer_inline(&self, call: &Call) -> Result<Answer, ApiError> {
        let leased = self.token().await?;
        match self.send_with_retries(call, Some(&leased)).await {
            Err(error) if error.kind() == ErrorKind::Auth => {
                tracing::debug!(path = %call.path, "access token refused; renewing it once");
                self.inner.tokens.invalidate(leased.generation);
                let renewed = self.token().await?;
                self.send_with_retries(call, Some(&renewed)).await
            }
            other => other,
        }
    }

    /// Send `call` with no access token (a webhook: its own token is in the query).
    pub(crate) async fn call_without_token(&self, call: &Call) -> Result<Value, ApiError> {
        self.send_with_retries(call, None).await?.into_value(call)
    }

    async fn send_with_retries(
        &self,
        call: &Call,
        token: Option<&LeasedToken>,
    ) -> Result<Answer, ApiError> {
        let policy = &self.inner.retry;
        let limiter = &self.inner.limiter;
        let adaptive = limiter.limit().adaptive;
        // Throttling answers are the pace's business, not failures: they do not use up the
        // attempts (only a policy that never retries gives them back to the caller).
        let mut attempt = 0;
        let mut throttled = 0;
        loop {
            if attempt + throttled > 0 {
                self.inner.counters.retries.fetch_add(1, Ordering::Relaxed);
            }
            let sent_at = limiter.acquire(call.api).await;
            let started = Instant::now();
            self.inner.counters.requests.fetch_add(1, Ordering::Relaxed);
            let result = self.send_once(call, token).await;
            let elapsed_ms = started.elapsed().as_millis() as u64;
            match result {
                Ok((status, answer)) => {
                    limiter.on_success(call.api, sent_at);
                    tracing::debug!(method = %call.method, path = %call.path, status, elapsed_ms, attempt = attempt + throttled + 1, "DingTalk request");
                    return Ok(answer);
                }
                Err(error) if error.kind() == ErrorKind::Throttled => {
                    self.inner
                        .counters
                        .throttled
                        .fetch_add(1, Ordering::Relaxed);
                    throttled += 1;
                    let retry = policy.max_attempts > 1
                        && throttled <= MAX_THROTTLED
                        && policy.should_retry(call.idempotency, &error, 1);
                    if let Some(decrease) = limiter.on_throttle(call.api, sent_at) {
                        tracing::debug!(
                            api = call.api,
                            code = error.code().unwrap_or(""),
                            through_per_second = decrease.estimate,
                            rate = format_args!("{:.1}", decrease.rate),
                            "throttled: the window let about {:.0} calls/s through; pacing at {:.1}/s",
                            decrease.estimate,
                            decrease.rate
                        );
                    }
                    tracing::debug!(
                        method = %call.method, path = %call.path, status = error.status(), elapsed_ms,
                        code = error.code().unwrap_or(""), retry, "DingTalk request throttled"
                    );
                    if !retry {
                        let mut error = error;
                        error.set_attempts(attempt + throttled);
                        return Err(error);
                    }
                    if !adaptive {
                        // A pinned pace does not move: wait the backoff out instead.
                        tokio::time::sleep(policy.backoff(throttled.min(4))).await;
                    }
                }
                Err(mut error) => {
                    attempt += 1;
                    let unanswered = error.kind() == ErrorKind::Timeout;
                    let retry = policy.should_retry(call.idempotency, &error, attempt)
                        && !(unanswered && attempt >= MAX_ATTEMPTS_WITHOUT_ANSWER);
                    tracing::debug!(
                        method = %call.method, path = %call.path, status = error.status(), elapsed_ms, attempt,
                        kind = ?error.kind(), code = error.code().unwrap_or(""), retry,
                        "DingTalk request failed"
                    );
                    if !retry {
                        error.set_attempts(attempt + throttled);
                        return Err(error);
                    }
                    tokio::time::sleep(policy.backoff(attempt)).await;
                }
            }
        }
    }

    /// Which of the transport's base URLs serves `host`.
    fn origin_of(&self, host: Host) -> usize {
        match host {
            Host::Api => 0,
            Host::Oapi => self.inner.oapi_origin,
        }
    }

    /// A transport failure, naming the host (never a path or query); a timeout says which
    /// limit it met.
    fn transport(&self, call: &Call, host: &str, error: TransportError) -> ApiError {
        let message = match error.failure() {
            Failure::ConnectTimeout => format!(
                "could not connect to {host} within {}s (the connect timeout)",
                self.inner.connect_timeout.as_secs()
            ),
            Failure::ReadTimeout | Failure::TotalTimeout => format!(
                "no answer from {host} within {}s (the read timeout; DINGFORM_READ_TIMEOUT \
                 changes it)",
                self.inner.read_timeout.as_secs()
            ),
            Failure::Connect | Failure::Exchange => format!("{host}: {error}"),
        };
        let mut error = transport(call, error, message);
        // Whatever became of a token request, the caller's request was never sent: it cannot
        // have been processed (so a create is not left "unverified").
        if let ApiError::Transport {
            maybe_processed, ..
        } = &mut error
            && call.path == TOKEN_API
        {
            *maybe_processed = false;
        }
        error
    }

    /// One attempt: build, send, read, and judge the answer by the rules of its host.
    async fn send_once(
        &self,
        call: &Call,
        token: Option<&LeasedToken>,
    ) -> Result<(u16, Answer), ApiError> {
        let host = Host::of_path(&call.path);
        let origin = self.origin_of(host);
        let transport = &self.inner.transport;
        // Borrowed when the path needs no escapes, as DingTalk's paths do not.
        let path: Cow<'_, str> = utf8_percent_encode(&call.path, PATH).into();
        let token_in_query = token.filter(|_| host == Host::Oapi);
        let target = if !call.query.is_empty() || token_in_query.is_some() {
            let mut target = String::with_capacity(path.len() + 64);
            target.push_str(&path);
            target.push('?');
            let start = target.len();
            let mut query = url::form_urlencoded::Serializer::for_suffix(target, start);
            query.extend_pairs(&call.query);
            if let Some(leased) = token_in_query {
                query.append_pair("access_token", leased.token.expose());
            }
            Cow::Owned(query.finish())
        } else {
            path
        };
        let invalid = |e: http::Error| ApiError::Request {
            path: call.path.to_string(),
            message: format!("cannot build the request: {e}"),
        };
        let mut request = transport
            .request(origin, call.method.clone(), &target)
            .map_err(invalid)?;
        if let Some(leased) = token.filter(|_| host == Host::Api) {
            let mut value =
                HeaderValue::from_str(leased.token.expose()).map_err(|_| ApiError::Request {
                    path: call.path.to_string(),
                    message: "the access token is not a valid header value".into(),
                })?;
            value.set_sensitive(true);
            request = request.header(TOKEN_HEADER, value);
        }
        let body = match &call.body {
            CallBody::Empty => {
                request = request.header(ACCEPT, ACCEPT_ANY);
                Bytes::new()
            }
            CallBody::Json(json) => {
                request = request
                    .header(CONTENT_TYPE, JSON_CONTENT_TYPE)
                    .header(ACCEPT, ACCEPT_JSON);
                json.clone()
            }
            CallBody::Multipart {
                field,
                file_name,
                bytes,
                fields,
            } => {
                let form = super::transport::multipart::Form::new(field, file_name, bytes, fields);
                request = request
                    .header(ACCEPT, ACCEPT_ANY)
                    .header(CONTENT_TYPE, form.content_type());
                form.into_body().into()
            }
        };
        let request = request.body(Full::new(body)).map_err(invalid)?;
        let authority = transport.origin(origin).authority();
        let waiting = |waited: Duration| {
            tracing::warn!(
                "waiting for {authority}: no answer yet to {} {} after {}s (given up after {}s of silence)",
                call.method,
                call.path,
                waited.as_secs(),
                self.inner.read_timeout.as_secs()
            );
        };
        // A read (or a keyed write) may be sent again if it fails; only then may a connection
        // just used go without a look at its socket.
        let resendable = call.idempotency != super::retry::Idempotency::NotIdempotent
            && self.inner.retry.max_attempts > 1;
        let (status, body) = transport
            .send(origin, request, resendable, &waiting)
            .await
            .map_err(|e| self.transport(call, authority, e))?;
        judge_body(call, host, status, body).map(|answer| (status, answer))
    }
}
