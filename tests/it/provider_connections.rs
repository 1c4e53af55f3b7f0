//! How the client holds its connections (issue 15: the transport is dingform's own): requests
//! in a row share one connection, one the server closed is not used again, HTTPS is verified
//! against the trusted roots, and proxies from the environment carry the requests (`CONNECT`
//! for HTTPS) without their password reaching any output. Real HTTP, through real middlemen.

use std::process::Command;
use std::time::Duration;

use dingform::provider::{
    ClientOptions, Credentials, DirectoryApi, Endpoint, ErrorKind, HttpClient, MessageApi,
    RateLimit, RetryPolicy,
};

use crate::common::relay::{Certificate, Proxy, Relay};
use crate::common::workspace::finish;
use crate::common::{
    AGENT_ID, APP_KEY, APP_SECRET, Emu, Run, Target, Workspace, text_notification,
};

/// A client of `base` that never retries, so a failed request shows.
fn client_with(base: &str, options: ClientOptions) -> HttpClient {
    HttpClient::with_options(
        Endpoint::parse(base).expect("base URL"),
        Credentials::new(APP_KEY, APP_SECRET),
        ClientOptions {
            rate_limit: RateLimit::unlimited(),
            retry: RetryPolicy::none(),
            ..options
        },
    )
    .expect("client")
}

fn client_of(target: &impl Target) -> HttpClient {
    client_with(target.base(), ClientOptions::default())
}

#[tokio::test]
async fn a_connection_that_does_not_open_is_given_up_after_the_connect_timeout() {
    // A listener that never accepts, its queue of one filled: the kernel drops further SYNs.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let address = socket.local_addr().unwrap();
    let _listener = socket.listen(1).unwrap();
    let mut queued = Vec::new();
    for _ in 0..4 {
        let connect = tokio::net::TcpStream::connect(address);
        if let Ok(Ok(stream)) = tokio::time::timeout(Duration::from_millis(200), connect).await {
            queued.push(stream);
        }
    }
    let client = client_with(
        &format!("http://{address}"),
        ClientOptions {
            connect_timeout: Duration::from_secs(1),
            ..ClientOptions::default()
        },
    );
    let error = client.authenticate().await.expect_err("it never connects");
    assert_eq!(error.kind(), ErrorKind::Timeout, "{error}");
    assert!(!error.maybe_processed(), "{error}");
    assert!(
        error.to_string().contains(&format!(
            "could not connect to {address} within 1s (the connect timeout)"
        )),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_in_a_row_share_one_connection() {
    let emu = Emu::start().await;
    let relay = Relay::plain(&emu.base);
    let client = client_of(&relay);
    for _ in 0..10 {
        client.get_user("manager4220").await.expect("a read");
    }
    assert_eq!(client.stats().requests, 11, "a token and ten reads");
    assert_eq!(relay.connections(), 1);
}

/// The relay has closed the connection when the send is made: the client sees it when it
/// takes the connection from its pool (a close that crosses a request on the wire still fails
/// it, as with reqwest, and the retry policy decides).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_the_server_closed_is_not_used_again() {
    let emu = Emu::start().await;
    let relay = Relay::plain(&emu.base);
    let client = client_of(&relay);
    client.get_user("manager4220").await.expect("a read");
    relay.close_all().await;
    // A send is never resent after it may have gone out: it must go on a fresh connection.
    let notification = text_notification("manager4220");
    client
        .send_work_notification(AGENT_ID, &notification)
        .await
        .expect("sent on a fresh connection");
    assert_eq!(relay.connections(), 2);
    assert_eq!(client.stats().retries, 0);
}

/// A read may go on a connection used a moment ago without a look at its socket (issue 15:
/// the look is a system call per request); when the server has closed it, the read is
/// answered all the same, on a fresh connection or by a retry, and never twice by mistake.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_on_a_connection_the_server_just_closed_is_answered() {
    let emu = Emu::start().await;
    let relay = Relay::plain(&emu.base);
    let client = HttpClient::with_options(
        Endpoint::parse(relay.base()).expect("base URL"),
        Credentials::new(APP_KEY, APP_SECRET),
        ClientOptions {
            rate_limit: RateLimit::unlimited(),
            retry: RetryPolicy {
                base_delay: Duration::from_millis(10),
                ..RetryPolicy::default()
            },
            ..ClientOptions::default()
        },
    )
    .expect("client");
    client.get_user("manager4220").await.expect("a read");
    relay.close_all().await;
    let user = client.get_user("manager4220").await.expect("read again");
    assert_eq!(user.userid, "manager4220");
    assert_eq!(relay.connections(), 2);
    assert!(client.stats().retries <= 1, "{:?}", client.stats());
}

/// A workspace with one group to plan.
fn workspace() -> Workspace {
    Workspace::with_files(&[(
        "groups.yaml",
        "groups:\n  oncall: {title: On-call, type: scene, owner: manager4220}\n",
    )])
}

/// `dingform plan` aimed at `target` with no proxy or TLS settings from the test's own
/// environment, then `settings` applied.
fn plan(ws: &Workspace, target: &impl Target, settings: &[(&str, &str)]) -> Run {
    let mut command: Command = ws.command(target, &["plan"]);
    for name in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
    ] {
        command.env_remove(name);
    }
    command.envs(settings.iter().copied());
    finish(command)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_is_verified_against_the_trusted_roots() {
    let emu = Emu::start().await;
    let certificate = Certificate::new();
    let relay = Relay::tls(&emu.base, &certificate);
    let ws = workspace();
    let host = relay.base().trim_start_matches("https://").to_owned();

    let untrusted = plan(&ws, &relay, &[]);
    assert_eq!(untrusted.code, 1, "{}", untrusted.text());
    assert!(
        untrusted
            .text()
            .contains(&format!("{host}: cannot connect: invalid peer certificate")),
        "{}",
        untrusted.text()
    );

    let pem = ws.join("relay.pem");
    certificate.write(&pem);
    let trusted = plan(&ws, &relay, &[("SSL_CERT_FILE", pem.to_str().unwrap())]);
    trusted.expect_code(0);
    assert!(
        trusted.text().contains("group.oncall"),
        "{}",
        trusted.text()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http_proxy_from_the_environment_carries_plain_requests_unless_no_proxy_says() {
    let emu = Emu::start().await;
    let proxy = Proxy::start();
    let ws = workspace();
    let with_user = proxy.url.replace("http://", "http://squid:pr0xy-pass@");

    let run = plan(&ws, &emu, &[("HTTP_PROXY", &with_user)]);
    run.expect_code(0);
    assert!(!run.text().contains("pr0xy-pass"), "{}", run.text());
    let asked = proxy.asked();
    let token = format!("POST {}/v1.0/oauth2/accessToken HTTP/1.1", emu.base);
    assert!(asked.iter().any(|a| a.line == token), "{asked:?}");
    assert!(
        asked
            .iter()
            .all(|a| a.authorization.as_deref() == Some("Basic c3F1aWQ6cHIweHktcGFzcw==")),
        "{asked:?}"
    );

    plan(
        &ws,
        &emu,
        &[("http_proxy", &proxy.url), ("NO_PROXY", "127.0.0.1")],
    )
    .expect_code(0);
    assert_eq!(proxy.asked().len(), asked.len(), "NO_PROXY bypasses it");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_https_proxy_tunnels_with_connect() {
    let emu = Emu::start().await;
    let certificate = Certificate::new();
    let relay = Relay::tls(&emu.base, &certificate);
    let proxy = Proxy::start();
    let ws = workspace();
    let pem = ws.join("relay.pem");
    certificate.write(&pem);

    let run = plan(
        &ws,
        &relay,
        &[
            ("HTTPS_PROXY", &proxy.url),
            ("SSL_CERT_FILE", pem.to_str().unwrap()),
        ],
    );
    run.expect_code(0);
    let host = relay.base().trim_start_matches("https://");
    let asked = proxy.asked();
    assert!(!asked.is_empty());
    assert!(
        asked
            .iter()
            .all(|a| a.line == format!("CONNECT {host} HTTP/1.1")),
        "{asked:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_proxy_is_named_without_its_password() {
    let emu = Emu::start().await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let run = plan(
        &workspace(),
        &emu,
        &[(
            "HTTP_PROXY",
            &format!("http://squid:pr0xy-pass@127.0.0.1:{port}"),
        )],
    );
    assert_eq!(run.code, 1, "{}", run.text());
    assert!(
        run.text().contains(&format!(
            "cannot connect: through the proxy at 127.0.0.1:{port}: "
        )),
        "{}",
        run.text()
    );
    assert!(!run.text().contains("pr0xy-pass"), "{}", run.text());
}
