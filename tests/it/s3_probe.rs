//! The S3 store's conditional-write probe runs once per bucket, prefix and endpoint: a marker
//! in the bucket remembers that it passed, so a later run makes one GET instead of the probe's
//! writes. A marker of an older probe is probed again; a marker written through one endpoint
//! does not vouch for another (a proxy that drops `If-None-Match` / `If-Match` is still
//! refused). Counted through a proxy in front of the real S3-compatible server.

use dingform::state::s3::{PROBE_VERSION, ProbeError, S3Target};
use object_store::ObjectStoreExt;
use serde_json::Value;

use crate::s3_support::{self, TestBucket};
use crate::state_s3::{dingform, with};

/// The target of `bucket` reached through `endpoint`.
fn through(bucket: &TestBucket, endpoint: &str) -> S3Target {
    S3Target::from_url_with(
        &bucket.url,
        with(&bucket.env(), "AWS_ENDPOINT_URL", endpoint)
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value)),
    )
    .expect("a test S3 URL")
}

async fn marker(bucket: &TestBucket, target: &S3Target) -> Option<Value> {
    let got = bucket.client().get(&target.probe_marker()).await.ok()?;
    Some(serde_json::from_slice(&got.bytes().await.unwrap()).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_probe_runs_once_and_later_checks_make_one_request() {
    let bucket = crate::s3_or_skip!();
    let proxy = s3_support::proxy(bucket.endpoint.clone(), false).await;
    let target = through(&bucket, &proxy.url);
    let client = target.build().unwrap();

    target.check_conditional_writes(&*client).await.unwrap();
    let first = proxy.requests();
    assert_eq!(
        first, 6,
        "a GET finding no marker, the probe's create, second create, stale write and delete, \
         and the marker"
    );
    let written = marker(&bucket, &target).await.expect("the marker");
    assert_eq!(written["probe_version"], PROBE_VERSION);

    target.check_conditional_writes(&*client).await.unwrap();
    assert_eq!(proxy.requests() - first, 1, "one GET of the marker");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_marker_of_an_older_probe_is_probed_again_and_replaced() {
    let bucket = crate::s3_or_skip!();
    let proxy = s3_support::proxy(bucket.endpoint.clone(), false).await;
    let target = through(&bucket, &proxy.url);
    let client = target.build().unwrap();
    let old = serde_json::json!({
        "probe_version": PROBE_VERSION - 1,
        "verified_at": "2026-01-01T00:00:00Z",
        "by": "dingform 0.0.1",
    });
    bucket
        .client()
        .put(&target.probe_marker(), old.to_string().into())
        .await
        .unwrap();

    target.check_conditional_writes(&*client).await.unwrap();
    assert_eq!(proxy.requests(), 6, "probed again");
    let written = marker(&bucket, &target).await.unwrap();
    assert_eq!(written["probe_version"], PROBE_VERSION, "replaced");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bucket_verified_directly_is_still_refused_through_a_proxy_that_drops_conditions() {
    let bucket = crate::s3_or_skip!();
    let direct = bucket.target();
    direct
        .check_conditional_writes(&*direct.build().unwrap())
        .await
        .unwrap();
    assert!(marker(&bucket, &direct).await.is_some());

    let stripping = s3_support::proxy(bucket.endpoint.clone(), true).await;
    let target = through(&bucket, &stripping.url);
    let refused = target
        .check_conditional_writes(&*target.build().unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, ProbeError::Ignored(message) if message.contains("ignores conditional writes")),
        "{refused:?}"
    );
    assert!(
        marker(&bucket, &target).await.is_none(),
        "no marker vouches for the proxy"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_run_of_the_binary_skips_the_probe() {
    let bucket = crate::s3_or_skip!();
    let proxy = s3_support::proxy(bucket.endpoint.clone(), false).await;
    let env = with(&bucket.env(), "AWS_ENDPOINT_URL", &proxy.url);
    let run = || {
        let (url, env) = (bucket.url.clone(), env.clone());
        tokio::task::spawn_blocking(move || dingform(&url, &env, &["state", "history"]))
    };
    let first = run().await.unwrap();
    first.expect_code(0);
    let after_first = proxy.requests();
    let second = run().await.unwrap();
    second.expect_code(0);
    let of_second = proxy.requests() - after_first;
    assert_eq!(
        after_first - of_second,
        5,
        "the second run makes the probe's four requests and the marker's write no more \
         ({after_first} then {of_second})"
    );
}
