//! The HTTP transport under [`HttpClient`](super::HttpClient): HTTP/1.1 over hyper's
//! connection API (`hyper::client::conn::http1`), TLS by rustls with the platform verifier
//! (the roots and checks reqwest's `rustls` feature used), proxies from `HTTPS_PROXY`,
//! `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` (hyper-util's matcher, which reqwest used too), and
//! a small pool of idle connections per base URL. It owns sockets, timers and bytes; what an
//! answer means is [`answer`](super::answer)'s business, and it never sees a token except as
//! a header or query it writes.
//!
//! Why not reqwest (or hyper-util's pooled client under it): the plan benchmark (issue 15) sends
//! 8,057 small requests, and per request reqwest spent three timers (total timeout, read
//! timeout, and our "still waiting" notice), several URL parses, its pool's checkout, and a
//! hop through the spawned connection task that drives each hyper connection (~16% of the
//! process's samples in `UpgradeableConnection::poll`, ~10% more in reqwest's and hyper-util's
//! request paths). Here one timer covers the connect, read and total timeouts and the notice,
//! the request is built from a base parsed once, and the connection is driven by the task
//! that sends on it, so an exchange costs no task switch.
//!
//! Measured side by side (`DINGFORM_BENCH_RSS_GROUPS=0 cargo bench --bench plan`, the bench
//! binary built from the commit before this transport and from this one run in turns, three
//! runs each, load 0.2-1.9): refresh CPU 0.60-0.66 s with reqwest against 0.49-0.52 s here
//! on the default runtime, 0.47-0.54 s against 0.36-0.40 s on one thread
//! (`DINGFORM_BENCH_RUNTIME=current`); the whole plan 0.77-0.83 s against 0.63-0.67 s, and
//! 0.63-0.72 s against 0.51-0.56 s. What is left per request is mostly the kernel's (writev
//! and the loopback delivery under it are a third of the process's samples).
//!
//! The pool is hand-rolled rather than hyper-util's (which reqwest wraps) because that pool
//! is what costs: its checkout and the spawned task per connection were ~15% of the samples
//! above, and ours is small. The client talks to one or two base URLs; an idle connection is
//! checked for a close by the server when it is taken (a peek at its socket, skipped for a
//! read on a connection used within the last second, then one poll of its driver); a request
//! that a reused connection could not take (hyper hands it back
//! unwritten) goes out on a fresh one, as hyper-util's pool does; a close that crosses a
//! request on the wire fails it, as it did with reqwest, and the retry policy decides.
//! HTTP/1.1 only: reqwest offered HTTP/2 to real DingTalk; here concurrent requests each take
//! a connection of the pool (kept alive, so a handshake per connection, not per request).

use std::fmt;
use std::future::{Future, poll_fn};
use std::io;
use std::pin::{Pin, pin};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::header::{HOST, HeaderValue, PROXY_AUTHORIZATION, USER_AGENT};
use http::{Request, Uri};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::{Instant, Sleep};
use tower::ServiceExt;
use url::Url;

pub(crate) mod multipart;

/// How long an idle connection is kept (hyper-util's default).
const IDLE_FOR: Duration = Duration::from_secs(90);
/// How long a connection may have been idle and still be taken, by a request its caller may
/// send again, without a look at its socket (see [`Connection::is_open`]).
const FRESH_FOR: Duration = Duration::from_secs(1);

/// The limits of one exchange.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Timeouts {
    /// Opening a connection (TCP, proxy tunnel, TLS).
    pub(crate) connect: Duration,
    /// Silence from the server: no byte of the answer.
    pub(crate) read: Duration,
    /// One attempt in all.
    pub(crate) total: Duration,
    /// How often a waiting exchange says so.
    pub(crate) notice_every: Duration,
}

/// What went wrong in one exchange. Its text never holds a URL, a query or a proxy's user.
#[derive(Debug)]
pub struct TransportError {
    failure: Failure,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

/// Which part of an exchange failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The connection did not open (nothing was sent).
    Connect,
    /// The connection did not open within the connect timeout.
    ConnectTimeout,
    /// The server stayed silent for the read timeout.
    ReadTimeout,
    /// The attempt took longer than it may in all.
    TotalTimeout,
    /// The connection failed while the request or its answer was on it.
    Exchange,
}

impl TransportError {
    fn new(failure: Failure, source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        TransportError {
            failure,
            source: Some(source.into()),
        }
    }

    fn timeout(failure: Failure) -> Self {
        TransportError {
            failure,
            source: None,
        }
    }

    pub(crate) fn failure(&self) -> Failure {
        self.failure
    }

    /// The innermost cause's text (an OS error, a TLS alert, hyper's reason).
    fn cause(&self) -> String {
        let mut cause: Option<&(dyn std::error::Error + 'static)> =
            self.source.as_deref().map(|e| e as _);
        let mut text = String::new();
        while let Some(error) = cause {
            text = error.to_string();
            cause = error.source();
        }
        text
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.failure {
            Failure::Connect => write!(f, "cannot connect: {}", self.cause()),
            Failure::ConnectTimeout => f.write_str("connect timed out"),
            Failure::ReadTimeout => f.write_str("no answer within the read timeout"),
            Failure::TotalTimeout => f.write_str("no complete answer within the timeout"),
            Failure::Exchange => f.write_str(&self.cause()),
        }
    }
}

impl std::error::Error for TransportError {}

/// How connections to a base URL are made.
#[derive(Debug)]
enum Route {
    /// Straight to the host.
    Direct,
    /// Through an HTTP proxy that forwards plain-HTTP requests (absolute-form URIs).
    Forward {
        proxy: Uri,
        authorization: Option<HeaderValue>,
    },
    /// Through an HTTP proxy's `CONNECT` tunnel (HTTPS).
    Tunnel {
        proxy: Uri,
        authorization: Option<HeaderValue>,
    },
}

/// A base URL, parsed once.
#[derive(Debug)]
pub(crate) struct Origin {
    https: bool,
    /// The host as TLS names it (no brackets).
    server_name: String,
    /// `scheme://host[:port]`, what the connector dials.
    dial: Uri,
    /// `host[:port]` as the URL has it (the `Host` header, and messages).
    authority: String,
    host_header: HeaderValue,
    /// The base URL's path, without its trailing `/`.
    base_path: String,
    route: Route,
}

impl Origin {
    /// `host[:port]`, for messages.
    pub(crate) fn authority(&self) -> &str {
        &self.authority
    }

    /// The request target for `path_and_query` (which starts with `/`): origin-form, or the
    /// absolute form a forwarding proxy needs.
    fn target(&self, path_and_query: &str) -> Result<Uri, http::Error> {
        let mut target = String::with_capacity(
            self.base_path.len() + path_and_query.len() + self.authority.len() + 8,
        );
        if let Route::Forward { .. } = self.route {
            target.push_str(if self.https { "https://" } else { "http://" });
            target.push_str(&self.authority);
        }
        target.push_str(&self.base_path);
        target.push_str(path_and_query);
        Ok(Uri::try_from(target)?)
    }
}

/// Why a transport could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The platform's certificate verifier could not be made.
    #[error("cannot set up TLS: {0}")]
    Tls(#[source] rustls::Error),
    /// A proxy from the environment cannot be used.
    #[error("cannot use the proxy at {0} for {1}: only http:// proxies are supported")]
    Proxy(String, String),
    /// A base URL has no host.
    #[error("the base URL {0} has no host")]
    NoHost(String),
}

/// Connections and how to make them, for a fixed list of base URLs.
pub(crate) struct Transport {
    origins: Vec<Origin>,
    tls: tokio_rustls::TlsConnector,
    connector: HttpConnector,
    user_agent: HeaderValue,
    timeouts: Timeouts,
    idle: Mutex<Vec<Connection>>,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("origins", &self.origins)
            .field("timeouts", &self.timeouts)
            .finish_non_exhaustive()
    }
}

/// A request to send: its target path and query (already encoded), method, headers, body.
pub(crate) type Outgoing = Request<Full<Bytes>>;

impl Transport {
    /// A transport for `bases`, with proxies as the environment says now.
    pub(crate) fn new(
        bases: &[&Url],
        user_agent: &'static str,
        timeouts: Timeouts,
    ) -> Result<Transport, SetupError> {
        let proxies = Matcher::from_system();
        let origins = bases
            .iter()
            .map(|base| origin(base, &proxies))
            .collect::<Result<Vec<_>, _>>()?;
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let verifier =
            rustls_platform_verifier::Verifier::new(provider.clone()).map_err(SetupError::Tls)?;
        let mut tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(SetupError::Tls)?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        let mut connector = HttpConnector::new();
        connector.enforce_http(false);
        connector.set_nodelay(true);
        Ok(Transport {
            origins,
            tls: tokio_rustls::TlsConnector::from(Arc::new(tls)),
            connector,
            user_agent: HeaderValue::from_static(user_agent),
            timeouts,
            idle: Mutex::new(Vec::new()),
        })
    }

    /// The base URL number `index` (as given to [`Transport::new`]).
    pub(crate) fn origin(&self, index: usize) -> &Origin {
        &self.origins[index]
    }

    /// A request for `path_and_query` on origin `index`, with the headers every request has.
    pub(crate) fn request(
        &self,
        index: usize,
        method: http::Method,
        path_and_query: &str,
    ) -> Result<http::request::Builder, http::Error> {
        let origin = &self.origins[index];
        let mut builder = Request::builder()
            .method(method)
            .uri(origin.target(path_and_query)?)
            .header(HOST, origin.host_header.clone())
            .header(USER_AGENT, self.user_agent.clone());
        if let Route::Forward {
            authorization: Some(authorization),
            ..
        } = &origin.route
        {
            builder = builder.header(PROXY_AUTHORIZATION, authorization.clone());
        }
        Ok(builder)
    }

    /// Send `request` to origin `index` and read the whole answer: its status and body.
    /// `waiting` is told, every [`Timeouts::notice_every`], how long the exchange has waited.
    /// `resendable` says the caller may send the request again if it fails (a read).
    pub(crate) async fn send(
        &self,
        index: usize,
        mut request: Outgoing,
        resendable: bool,
        waiting: &(dyn Fn(Duration) + Send + Sync),
    ) -> Result<(u16, Vec<u8>), TransportError> {
        let mut clock = Clock::start(&self.timeouts);
        let mut timer = pin!(tokio::time::sleep_until(clock.deadline()));
        loop {
            let mut connection = match self.checkout(index, resendable) {
                Some(connection) => connection,
                None => {
                    let connect = self.connect(index);
                    clock.timed(timer.as_mut(), waiting, connect).await??
                }
            };
            clock.connected();
            let Connection { sender, driver, .. } = &mut connection;
            let ready = drive(driver, poll_fn(|cx| sender.poll_ready(cx)));
            let unready: Option<Box<dyn std::error::Error + Send + Sync>> =
                match clock.timed(timer.as_mut(), waiting, ready).await? {
                    Ok(Ok(())) => None,
                    Ok(Err(error)) => Some(error.into()),
                    Err(ended) => Some(ended.into()),
                };
            if let Some(error) = unready {
                // A reused connection that cannot take a request: a fresh one takes it.
                if connection.reused {
                    continue;
                }
                return Err(TransportError::new(Failure::Exchange, error));
            }
            let Connection { sender, driver, .. } = &mut connection;
            let exchange = drive(driver, sender.try_send_request(request));
            let response = match clock.timed(timer.as_mut(), waiting, exchange).await? {
                Ok(Ok(response)) => response,
                Err(ended) => return Err(TransportError::new(Failure::Exchange, ended)),
                Ok(Err(mut error)) => match error.take_message() {
                    // Not written: a reused connection the server had closed. A fresh one
                    // takes it, as hyper-util's pool does.
                    Some(unsent) if connection.reused => {
                        request = unsent;
                        continue;
                    }
                    _ => return Err(TransportError::new(Failure::Exchange, error.into_error())),
                },
            };
            clock.heard();
            let status = response.status().as_u16();
            let mut body = response.into_body();
            let mut bytes = Vec::new();
            loop {
                let Connection { driver, .. } = &mut connection;
                let frame = drive(driver, body.frame());
                match clock.timed(timer.as_mut(), waiting, frame).await? {
                    Err(ended) => return Err(TransportError::new(Failure::Exchange, ended)),
                    Ok(Some(Ok(frame))) => {
                        if let Some(data) = frame.data_ref() {
                            bytes.extend_from_slice(data);
                        }
                        clock.heard();
                    }
                    Ok(Some(Err(error))) => {
                        return Err(TransportError::new(Failure::Exchange, error));
                    }
                    Ok(None) => break,
                }
            }
            self.checkin(connection);
            return Ok((status, bytes));
        }
    }

    /// An idle connection to origin `index` that the server has not closed.
    fn checkout(&self, index: usize, resendable: bool) -> Option<Connection> {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        while let Some(position) = idle.iter().rposition(|c| c.origin == index) {
            let mut connection = idle.swap_remove(position);
            let look = !resendable || now.duration_since(connection.idle_since) >= FRESH_FOR;
            if connection.is_open(now, look) {
                connection.reused = true;
                return Some(connection);
            }
        }
        None
    }

    fn checkin(&self, mut connection: Connection) {
        if connection.driver.is_none() || connection.sender.is_closed() {
            return;
        }
        connection.idle_since = Instant::now();
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        idle.push(connection);
    }

    /// A new connection to origin `index`: TCP (through a proxy's tunnel when one is set),
    /// TLS for https, and the HTTP/1.1 handshake.
    async fn connect(&self, index: usize) -> Result<Connection, TransportError> {
        let origin = &self.origins[index];
        let connect_error =
            |e: Box<dyn std::error::Error + Send + Sync>| TransportError::new(Failure::Connect, e);
        let tcp = match &origin.route {
            Route::Direct => self
                .connector
                .clone()
                .oneshot(origin.dial.clone())
                .await
                .map_err(|e| connect_error(e.into())),
            Route::Forward { proxy, .. } => self
                .connector
                .clone()
                .oneshot(proxy.clone())
                .await
                .map_err(|e| {
                    connect_error(Box::new(ProxyError {
                        proxy: proxy_shown(proxy),
                        error: e.into(),
                    }))
                }),
            Route::Tunnel {
                proxy,
                authorization,
            } => {
                let mut tunnel = Tunnel::new(proxy.clone(), self.connector.clone());
                if let Some(authorization) = authorization {
                    tunnel = tunnel.with_auth(authorization.clone());
                }
                tunnel.oneshot(origin.dial.clone()).await.map_err(|e| {
                    connect_error(Box::new(ProxyError {
                        proxy: proxy_shown(proxy),
                        error: e.into(),
                    }))
                })
            }
        }?
        .into_inner();
        // A second handle on the socket, to look at it while the connection is idle.
        let probe = std::os::fd::AsFd::as_fd(&tcp)
            .try_clone_to_owned()
            .map(std::net::TcpStream::from)
            .map_err(|e| connect_error(e.into()))?;
        let stream = if origin.https {
            let name = rustls::pki_types::ServerName::try_from(origin.server_name.clone())
                .map_err(|e| connect_error(e.into()))?;
            let tls = self
                .tls
                .connect(name, tcp)
                .await
                .map_err(|e| connect_error(e.into()))?;
            Stream::Tls(Box::new(tls))
        } else {
            Stream::Plain(tcp)
        };
        let (sender, driver) = http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| connect_error(e.into()))?;
        Ok(Connection {
            origin: index,
            sender,
            driver: Some(driver),
            probe,
            reused: false,
            idle_since: Instant::now(),
        })
    }
}

/// A proxy's failure, naming the proxy by host and port (never its user).
#[derive(Debug)]
struct ProxyError {
    proxy: String,
    error: Box<dyn std::error::Error + Send + Sync>,
}

impl fmt::Display for ProxyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "through the proxy at {}: {}", self.proxy, self.error)?;
        let mut cause = self.error.source();
        while let Some(error) = cause {
            write!(f, ": {error}")?;
            cause = error.source();
        }
        Ok(())
    }
}

impl std::error::Error for ProxyError {}

/// `host:port` of a proxy.
fn proxy_shown(proxy: &Uri) -> String {
    proxy
        .authority()
        .map(|a| match a.port() {
            Some(port) => format!("{}:{port}", a.host()),
            None => a.host().to_owned(),
        })
        .unwrap_or_default()
}

/// Parse a base URL once, and decide its route by the proxy settings.
fn origin(base: &Url, proxies: &Matcher) -> Result<Origin, SetupError> {
    let host = base
        .host_str()
        .ok_or_else(|| SetupError::NoHost(base.to_string()))?;
    let https = base.scheme() == "https";
    let authority = match base.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    };
    let dial = Uri::try_from(format!("{}://{authority}", base.scheme()))
        .map_err(|_| SetupError::NoHost(base.to_string()))?;
    let route = match proxies.intercept(&dial) {
        None => Route::Direct,
        Some(intercept) => {
            let proxy = intercept.uri().clone();
            if proxy.scheme_str() != Some("http") {
                return Err(SetupError::Proxy(proxy_shown(&proxy), authority));
            }
            let authorization = intercept.basic_auth().cloned();
            if https {
                Route::Tunnel {
                    proxy,
                    authorization,
                }
            } else {
                Route::Forward {
                    proxy,
                    authorization,
                }
            }
        }
    };
    Ok(Origin {
        https,
        server_name: host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned(),
        dial,
        host_header: HeaderValue::from_str(&authority)
            .map_err(|_| SetupError::NoHost(base.to_string()))?,
        authority,
        base_path: base.path().trim_end_matches('/').to_owned(),
        route,
    })
}

/// One HTTP/1.1 connection: the handle requests are sent on and the state machine that reads
/// and writes its socket, driven by whichever task sends on it.
struct Connection {
    origin: usize,
    sender: http1::SendRequest<Full<Bytes>>,
    /// `None` once it ended.
    driver: Option<Driver>,
    /// The socket, non-blocking, to peek at while idle.
    probe: std::net::TcpStream,
    /// Taken from the pool (so a request it cannot take may go on a fresh one).
    reused: bool,
    idle_since: Instant,
}

impl Connection {
    /// Whether an idle connection may be used: not idle too long, and not closed by the
    /// server. When `look`, a peek at the socket sees a close (or any byte, which an idle
    /// HTTP/1.1 connection never gets but a TLS close_notify is) whether or not the runtime's
    /// reactor has yet; one poll of the driver then lets hyper see what the reactor saw.
    ///
    /// The peek is a system call per request, a fifth of the plan benchmark's (issue 15), so a
    /// request its caller may send again skips it on a connection idle for less than
    /// [`FRESH_FOR`]: a server that means to close a connection it has just answered on says
    /// so in the answer (`Connection: close`, which hyper heeds), and a close that still
    /// crosses such a request costs a retry, not a double action. A request that must not be
    /// sent twice always looks.
    fn is_open(&mut self, now: Instant, look: bool) -> bool {
        if self.sender.is_closed() || now.duration_since(self.idle_since) > IDLE_FOR {
            return false;
        }
        if look {
            match self.probe.peek(&mut [0u8; 1]) {
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}
                _ => return false,
            }
        }
        let Some(driver) = self.driver.as_mut() else {
            return false;
        };
        let mut cx = Context::from_waker(std::task::Waker::noop());
        Pin::new(driver).poll(&mut cx).is_pending()
    }
}

/// The state machine of one HTTP/1.1 connection.
type Driver = http1::Connection<TokioIo<Stream>, Full<Bytes>>;

/// Await `future` while driving the connection it needs (in `slot`), in this task. When the
/// connection ends first, it is dropped, which answers whatever waits on it (hyper hands back
/// a request it had not written); an error if `future` is still unanswered then.
async fn drive<F: Future>(slot: &mut Option<Driver>, future: F) -> Result<F::Output, Ended> {
    let mut future = pin!(future);
    poll_fn(|cx| {
        if let Poll::Ready(output) = future.as_mut().poll(cx) {
            return Poll::Ready(Ok(output));
        }
        let Some(driver) = slot.as_mut() else {
            return Poll::Ready(Err(Ended(None)));
        };
        match Pin::new(driver).poll(cx) {
            Poll::Pending => future.as_mut().poll(cx).map(Ok),
            Poll::Ready(ended) => {
                *slot = None;
                Poll::Ready(match future.as_mut().poll(cx) {
                    Poll::Ready(output) => Ok(output),
                    Poll::Pending => Err(Ended(ended.err())),
                })
            }
        }
    })
    .await
}

/// A connection that ended while it was needed, with the error that ended it.
#[derive(Debug)]
struct Ended(Option<hyper::Error>);

impl fmt::Display for Ended {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(error) => error.fmt(f),
            None => f.write_str("the server closed the connection"),
        }
    }
}

impl std::error::Error for Ended {}

/// The one timer of an exchange: the connect timeout while connecting, the read timeout
/// (silence) after, the total timeout throughout, and the "still waiting" notices.
struct Clock {
    started: Instant,
    total: Instant,
    /// The connect deadline, then (once connected) the silence deadline.
    limit: Instant,
    connected: bool,
    notice: Instant,
    timeouts: Timeouts,
}

impl Clock {
    fn start(timeouts: &Timeouts) -> Clock {
        let started = Instant::now();
        Clock {
            started,
            total: started + timeouts.total,
            limit: started + timeouts.connect,
            connected: false,
            notice: started + timeouts.notice_every,
            timeouts: *timeouts,
        }
    }

    fn deadline(&self) -> Instant {
        self.total.min(self.limit).min(self.notice)
    }

    fn connected(&mut self) {
        if !self.connected {
            self.connected = true;
            self.heard();
        }
    }

    /// Something came from the server (or the connection opened): silence starts again.
    fn heard(&mut self) {
        self.limit = Instant::now() + self.timeouts.read;
    }

    /// Await `future` under the clock: a timeout error when a limit passes first.
    async fn timed<F: Future>(
        &mut self,
        mut timer: Pin<&mut Sleep>,
        waiting: &(dyn Fn(Duration) + Send + Sync),
        future: F,
    ) -> Result<F::Output, TransportError> {
        let mut future = pin!(future);
        loop {
            if timer.deadline() != self.deadline() {
                timer.as_mut().reset(self.deadline());
            }
            tokio::select! {
                biased;
                output = &mut future => return Ok(output),
                () = timer.as_mut() => {
                    let now = Instant::now();
                    if now >= self.total {
                        return Err(TransportError::timeout(Failure::TotalTimeout));
                    }
                    if now >= self.limit {
                        return Err(TransportError::timeout(if self.connected {
                            Failure::ReadTimeout
                        } else {
                            Failure::ConnectTimeout
                        }));
                    }
                    waiting(now.duration_since(self.started));
                    self.notice += self.timeouts.notice_every;
                }
            }
        }
    }
}

/// A connection's socket: plain TCP or TLS over it.
enum Stream {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            Stream::Tls(s) => Pin::new(s).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Stream::Plain(s) => s.is_write_vectored(),
            Stream::Tls(s) => s.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}
