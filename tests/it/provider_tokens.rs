//! Access tokens over real HTTP against the emulator: fetched once, shared, renewed when the
//! platform says they expired, refused credentials reported without the secret.

use crate::common::{APP_KEY, Emu};
use chrono::DateTime;
use dingform::provider::{Credentials, DirectoryApi, ErrorKind, HttpClient};

#[tokio::test]
async fn one_token_serves_many_requests_on_both_hosts() {
    let emu = Emu::start().await;
    let client = emu.client();
    for _ in 0..3 {
        // oapi host (token in the query) and api host (token in the header).
        client.get_user("u1001").await.expect("user read");
        client
            .departed_users(DateTime::UNIX_EPOCH, None)
            .await
            .expect("departures read");
    }
    assert_eq!(client.stats().token_fetches, 1);
}

#[tokio::test]
async fn concurrent_first_requests_fetch_one_token() {
    let emu = Emu::start().await;
    let client = emu.client();
    let reads: Vec<_> = (0..10)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.get_user("u1002").await })
        })
        .collect();
    for read in reads {
        read.await.unwrap().expect("user read");
    }
    assert_eq!(client.stats().token_fetches, 1);
}

#[tokio::test]
async fn an_expired_token_is_renewed_and_the_request_repeated() {
    let emu = Emu::start().await;
    let client = emu.client();
    client.get_user("u1001").await.expect("first read");
    let before = client.stats();
    // Past the 7,200 s lifetime on the emulator's clock: the cached token is refused.
    emu.advance(7_300).await;
    let user = client.get_user("u1001").await.expect("read after expiry");
    assert_eq!(user.userid, "u1001");
    let after = client.stats();
    assert_eq!(after.token_fetches, before.token_fetches + 1);
    // The refused attempt, the token fetch, the repeat.
    assert_eq!(after.requests, before.requests + 3);
}

#[tokio::test]
async fn refused_credentials_are_an_auth_error_without_the_secret() {
    let emu = Emu::start().await;
    let secret = "wrong-secret-7f3a";
    let client =
        HttpClient::new(emu.endpoint(), Credentials::new(APP_KEY, secret)).expect("client");
    let error = client.get_user("u1001").await.expect_err("bad credentials");
    assert_eq!(error.kind(), ErrorKind::Auth);
    assert_eq!(error.path(), Some("/v1.0/oauth2/accessToken"));
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains(secret), "{shown}");
    assert!(shown.contains("invalidClientIdOrSecret"), "{shown}");
}

#[tokio::test]
async fn many_requests_refused_with_one_expired_token_renew_it_once() {
    let emu = Emu::start().await;
    let client = emu.client();
    client.get_user("u1001").await.expect("first read");
    emu.advance(7_300).await;
    let reads: Vec<_> = (0..10)
        .map(|n| {
            let client = client.clone();
            tokio::spawn(async move { client.get_user(&format!("u100{}", n % 8 + 1)).await })
        })
        .collect();
    for read in reads {
        read.await.unwrap().expect("read after expiry");
    }
    assert_eq!(client.stats().token_fetches, 2, "one renewal shared by all");
}
