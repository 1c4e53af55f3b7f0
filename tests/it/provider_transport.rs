//! Transport failures: a connection that never opens proves the request was not processed, so
//! even a send is retried (to the bound); errors name the path, never the URL's token.

use std::time::Duration;

use crate::common::text_notification;
use dingform::provider::{
    ClientOptions, Credentials, Endpoint, ErrorKind, HttpClient, MessageApi, RateLimit, RetryPolicy,
};

/// A base URL where nothing listens (a port bound, then released).
fn closed_port() -> Endpoint {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    Endpoint::parse(&format!("http://127.0.0.1:{port}")).unwrap()
}

#[tokio::test]
async fn refused_connections_are_retried_to_the_bound_and_reported() {
    let options = ClientOptions {
        rate_limit: RateLimit::unlimited(),
        retry: RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        },
        ..ClientOptions::default()
    };
    let client = HttpClient::with_options(
        closed_port(),
        Credentials::new("k", "s3cr3t-value"),
        options,
    )
    .unwrap();
    let notification = text_notification("u1");
    let error = client
        .send_work_notification(1, &notification)
        .await
        .expect_err("nothing listens");
    // The token fetch fails first: its connection never opened, so it was retried.
    assert_eq!(error.kind(), ErrorKind::Transport);
    assert!(!error.maybe_processed(), "{error}");
    assert_eq!(error.attempts(), 4, "{error}");
    assert_eq!(client.stats().requests, 4);
    let shown = format!("{error} {error:?}");
    assert!(shown.contains("/v1.0/oauth2/accessToken"), "{shown}");
    assert!(!shown.contains("s3cr3t-value"), "{shown}");
}

#[tokio::test]
async fn an_unstarted_sandbox_cannot_make_a_client() {
    let error = HttpClient::new(
        Endpoint::parse("sandbox").unwrap(),
        Credentials::new("k", "s"),
    )
    .expect_err("sandbox must be resolved");
    assert!(error.to_string().contains("sandbox"), "{error}");
}
