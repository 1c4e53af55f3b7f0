//! What is particular to the S3 store, through the real binary against a real S3-compatible
//! server (moto): a store that ignores conditional writes is refused; a missing bucket, refused
//! keys and an unreachable endpoint each read clearly; the secret key is never printed; every
//! version is its own object, with no bucket versioning.

use crate::s3_support;

use futures_util::StreamExt;
use s3_support::{SECRET_KEY, TestBucket};

use crate::common::workspace::finish;
use crate::common::{Run, Workspace};

/// `dingform ARGS` in an empty workspace (no manifests: the `state` commands need none), with
/// the state in `url` under key `payments` and `env` for the rest. The environment is only that
/// (and `PATH`, and `HOME` in the workspace): the S3 client reads `AWS_*` variables and
/// `~/.aws`, and nothing of the developer's may stand in for what a test leaves out.
pub(crate) fn dingform(url: &str, env: &[(&'static str, String)], args: &[&str]) -> Run {
    let workspace = Workspace::empty();
    let mut command = workspace.offline_command(args);
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", workspace.path())
        .env("DINGFORM_STATE_URL", url)
        .env("DINGFORM_STATE_KEY", "payments")
        .envs(env.iter().map(|(k, v)| (*k, v.clone())));
    finish(command)
}

/// The run failed (exit 1) without showing the secret key; its snapshot `name`, with each of
/// `named` (text, placeholder) replaced first: the test's bucket (a fresh name each run), or an
/// endpoint the message must name that the port filter would not tell from another.
#[track_caller]
fn assert_refused(run: &Run, name: &str, named: &[(&str, &str)]) {
    run.expect_code(1);
    assert!(
        !run.text().contains(SECRET_KEY),
        "the secret key was printed: {}",
        run.text()
    );
    let mut text = run.snapshot();
    for (real, placeholder) in named {
        text = text.replace(real, placeholder);
    }
    crate::assert_filtered_snapshot!(name, without_marker_digest(&text));
}

/// The probe's marker object is named by a digest of the endpoint, whose port is new each run.
fn without_marker_digest(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("verified-") {
        let (before, after) = rest.split_at(at + "verified-".len());
        out.push_str(before);
        let digest = after.len()
            - after
                .trim_start_matches(|c: char| c.is_ascii_hexdigit())
                .len();
        out.push_str(if digest > 0 { "[ENDPOINT DIGEST]" } else { "" });
        rest = &after[digest..];
    }
    out.push_str(rest);
    out
}

pub(crate) fn with(
    env: &[(&'static str, String)],
    name: &'static str,
    value: &str,
) -> Vec<(&'static str, String)> {
    let mut env: Vec<_> = env.iter().filter(|(k, _)| *k != name).cloned().collect();
    env.push((name, value.to_owned()));
    env
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_ignores_conditional_writes_is_refused_and_named() {
    let Some(bucket) = TestBucket::fresh().await else {
        return;
    };
    let proxy = s3_support::proxy(bucket.endpoint.clone(), true).await.url;
    let env = with(&bucket.env(), "AWS_ENDPOINT_URL", &proxy);
    let url = bucket.url.clone();
    let output = tokio::task::spawn_blocking(move || dingform(&url, &env, &["state", "pull"]))
        .await
        .unwrap();
    // Names the store (the proxy) and the header it ignores.
    assert_refused(
        &output,
        "ignores_conditional_writes",
        &[(&proxy, "[THE PROXY]"), (&bucket.bucket, "[THE BUCKET]")],
    );
    // And nothing was written: no state, no lock, only the probe (removed).
    assert!(
        bucket.client().list(None).next().await.is_none(),
        "the bucket is as it was"
    );
}

#[test]
fn the_same_server_without_the_proxy_is_accepted() {
    let Some(bucket) = TestBucket::fresh_blocking() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pushed.json");
    std::fs::write(
        &file,
        r#"{"version": 1, "lineage": "3f0c1c9e-0000-4000-8000-000000000002", "serial": 4,
            "organization": "Test Organization Demo", "resources": {}}"#,
    )
    .unwrap();
    let pushed = dingform(
        &bucket.url,
        &bucket.env(),
        &["state", "push", file.to_str().unwrap()],
    );
    pushed.expect_code(0);
    let pulled = dingform(&bucket.url, &bucket.env(), &["state", "pull"]);
    let state = pulled.expect_code(0).json();
    assert_eq!(state["lineage"], "3f0c1c9e-0000-4000-8000-000000000002");
    assert_eq!(state["serial"], 4);
    assert!(!pushed.text().contains(SECRET_KEY) && !pulled.text().contains(SECRET_KEY));
}

#[test]
fn a_missing_bucket_is_named() {
    let Some(bucket) = TestBucket::fresh_blocking() else {
        return;
    };
    let output = dingform(
        "s3://no-such-bucket-dingform/state",
        &bucket.env(),
        &["state", "history"],
    );
    // The bucket named, and the endpoint.
    assert_refused(
        &output,
        "missing_bucket",
        &[(&bucket.endpoint, "[THE ENDPOINT]")],
    );
}

#[test]
fn an_unreachable_endpoint_is_named() {
    let Some(bucket) = TestBucket::fresh_blocking() else {
        return;
    };
    // A port nobody listens on: bound, then closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let env = with(&bucket.env(), "AWS_ENDPOINT_URL", &endpoint);
    let output = dingform(&bucket.url, &env, &["state", "history"]);
    assert_refused(
        &output,
        "unreachable_endpoint",
        &[
            (&endpoint, "[THE CLOSED PORT]"),
            (&bucket.bucket, "[THE BUCKET]"),
        ],
    );
}

#[test]
fn missing_credentials_and_plain_http_say_what_to_set() {
    let Some(bucket) = TestBucket::fresh_blocking() else {
        return;
    };
    let no_keys: Vec<_> = bucket
        .env()
        .into_iter()
        .filter(|(k, _)| !k.starts_with("AWS_ACCESS") && !k.starts_with("AWS_SECRET"))
        .collect();
    let output = dingform(&bucket.url, &no_keys, &["state", "history"]);
    assert_refused(
        &output,
        "no_credentials",
        &[(&bucket.bucket, "[THE BUCKET]")],
    );
    let no_http: Vec<_> = bucket
        .env()
        .into_iter()
        .filter(|(k, _)| *k != "AWS_ALLOW_HTTP")
        .collect();
    let output = dingform(&bucket.url, &no_http, &["state", "history"]);
    assert_refused(&output, "plain_http", &[(&bucket.bucket, "[THE BUCKET]")]);
    let output = dingform("s3://", &bucket.env(), &["state", "history"]);
    assert_refused(
        &output,
        "no_bucket_in_url",
        &[(&bucket.bucket, "[THE BUCKET]")],
    );
}

#[test]
fn refused_keys_are_named_and_the_secret_never_shown() {
    let Some(_) = s3_support::endpoint() else {
        return;
    };
    let Ok(moto) = std::env::var("DINGFORM_TEST_MOTO_SERVER") else {
        crate::common::skip("DINGFORM_TEST_MOTO_SERVER is not set (scripts/s3-throwaway sets it)");
        return;
    };
    // A server of its own that checks keys (moto does once told to): ours are unknown to it.
    let server = s3_support::AuthServer::start(&moto);
    let bucket = TestBucket {
        endpoint: server.endpoint.clone(),
        bucket: "locked".into(),
        url: "s3://locked/dingform".into(),
    };
    let output = dingform(&bucket.url, &bucket.env(), &["state", "history"]);
    // The access key named (not the secret).
    assert_refused(&output, "refused_keys", &[(&bucket.bucket, "[THE BUCKET]")]);
}

#[test]
fn every_version_is_its_own_object_with_no_bucket_versioning() {
    let Some(bucket) = TestBucket::fresh_blocking() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let state = serde_json::json!({
        "version": 1, "lineage": "3f0c1c9e-0000-4000-8000-000000000001", "serial": 1,
        "organization": "Test Organization Demo", "resources": {}
    });
    let file = dir.path().join("pushed.json");
    for serial in [1, 2, 3] {
        let mut state = state.clone();
        state["serial"] = serial.into();
        std::fs::write(&file, state.to_string()).unwrap();
        let pushed = dingform(
            &bucket.url,
            &bucket.env(),
            &["state", "push", file.to_str().unwrap()],
        );
        pushed.expect_code(0);
    }
    let names = bucket.names_blocking();
    for serial in 1..=3 {
        let name = format!("dingform/payments/versions/{serial:020}.json");
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    assert!(names.contains(&"dingform/payments/state.json".to_owned()));
    assert!(
        !names.iter().any(|n| n.ends_with("lock.json")),
        "the lock is gone once the push ended: {names:?}"
    );
    let pulled = dingform(
        &bucket.url,
        &bucket.env(),
        &["state", "pull", "--serial", "2"],
    );
    let version = pulled.expect_code(0).json();
    assert_eq!(version["serial"], 2);
}
