//! A real S3-compatible server for the tests: moto in server mode, which `./scripts/test` starts
//! (`scripts/s3-throwaway start`) and names in `DINGFORM_TEST_S3`. Every test gets a bucket of
//! its own. Without the variable the S3 tests say so and skip (CI always sets it).
#![allow(dead_code, reason = "each test file uses a different part")]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use dingform::state::s3::S3Target;
use object_store::ObjectStore;

/// The variable `./scripts/test` sets to the throwaway server's endpoint.
pub const TEST_S3_VAR: &str = "DINGFORM_TEST_S3";

/// The secret key the tests give the binary: it must appear in no output.
pub const SECRET_KEY: &str = "s3-test-secret-7f3a9c-never-printed";
/// The access key id (moto accepts any).
pub const ACCESS_KEY: &str = "AKIADINGFORMTEST";

/// The endpoint, or `None` (and a line saying how to run these tests) when it is not set.
pub fn endpoint() -> Option<String> {
    match std::env::var(TEST_S3_VAR) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            crate::common::skip(&format!(
                "{TEST_S3_VAR} is not set, so there is no S3-compatible server to test \
                 against. ./scripts/test starts one (moto); by hand: \
                 eval \"$(scripts/s3-throwaway start)\" and run cargo test again"
            ));
            None
        }
    }
}

/// Return from the test (it is skipped) when no S3 server is set.
#[macro_export]
macro_rules! s3_or_skip {
    () => {
        match $crate::s3_support::TestBucket::fresh().await {
            Some(bucket) => bucket,
            None => return,
        }
    };
}

/// A bucket made for one test, and the prefix its state lives under.
#[derive(Clone)]
pub struct TestBucket {
    /// The server's endpoint.
    pub endpoint: String,
    /// The bucket's name.
    pub bucket: String,
    /// `s3://BUCKET/dingform`.
    pub url: String,
}

impl TestBucket {
    /// A new, empty bucket on the test server; `None` when there is none.
    pub async fn fresh() -> Option<TestBucket> {
        let endpoint = endpoint()?;
        Some(Self::fresh_on(&endpoint).await)
    }

    /// [`TestBucket::fresh`] for a test that is not async.
    pub fn fresh_blocking() -> Option<TestBucket> {
        blocking(Self::fresh())
    }

    /// A new bucket on the server at `endpoint` (moto makes one on a plain `PUT /BUCKET`).
    pub async fn fresh_on(endpoint: &str) -> TestBucket {
        let bucket = format!("t-{}", uuid::Uuid::new_v4().simple());
        let made = reqwest::Client::new()
            .put(format!("{endpoint}/{bucket}"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("cannot reach the test S3 server at {endpoint}: {e}"));
        assert!(
            made.status().is_success(),
            "cannot make bucket {bucket}: {}",
            made.status()
        );
        TestBucket {
            endpoint: endpoint.to_owned(),
            url: format!("s3://{bucket}/dingform"),
            bucket,
        }
    }

    /// The `AWS_*` environment a runner of this bucket is given.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
            ("AWS_ALLOW_HTTP", "true".into()),
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY.into()),
            ("AWS_SECRET_ACCESS_KEY", SECRET_KEY.into()),
            ("AWS_REGION", "us-east-1".into()),
        ]
    }

    /// [`TestBucket::env`] plus the state store's URL and `key`.
    pub fn env_with_key(&self, key: &str) -> Vec<(&'static str, String)> {
        let mut env = self.env();
        env.push(("DINGFORM_STATE_URL", self.url.clone()));
        env.push(("DINGFORM_STATE_KEY", key.into()));
        env
    }

    /// The target of this bucket, as the binary would build it from [`TestBucket::env`].
    pub fn target(&self) -> S3Target {
        self.target_of(&self.url)
    }

    /// The target of `url` with this bucket's environment.
    pub fn target_of(&self, url: &str) -> S3Target {
        S3Target::from_url_with(
            url,
            self.env()
                .into_iter()
                .map(|(name, value)| (name.to_owned(), value)),
        )
        .expect("a test S3 URL")
    }

    /// A plain client of the bucket, to look at (or tamper with) the objects.
    pub fn client(&self) -> Arc<dyn ObjectStore> {
        self.target().build().expect("a client of the test bucket")
    }

    /// Whether the object at `name` (under the prefix) exists.
    pub fn exists_blocking(&self, name: &str) -> bool {
        use object_store::ObjectStoreExt;
        let client = self.client();
        let path = object_store::path::Path::from(format!("dingform/{name}"));
        blocking(async move { client.head(&path).await.is_ok() })
    }

    /// Every object name under the prefix.
    pub fn names_blocking(&self) -> Vec<String> {
        use futures_util::TryStreamExt;
        let client = self.client();
        blocking(async move {
            let prefix = object_store::path::Path::from("dingform");
            let listed: Vec<object_store::ObjectMeta> =
                client.list(Some(&prefix)).try_collect().await.unwrap();
            listed.into_iter().map(|m| m.location.to_string()).collect()
        })
    }
}

/// Run `future` to completion on a runtime of its own (for tests that are not async).
pub fn blocking<T: Send + 'static>(
    future: impl std::future::Future<Output = T> + Send + 'static,
) -> T {
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
            .block_on(future)
    })
    .join()
    .expect("the blocking task")
}

/// A moto server of a test's own that checks access keys (`INITIAL_NO_AUTH_ACTION_COUNT=0`):
/// keys it never issued are refused. Stopped when dropped.
pub struct AuthServer {
    child: std::process::Child,
    /// Its endpoint.
    pub endpoint: String,
}

impl AuthServer {
    /// Start `moto_server` (the path `DINGFORM_TEST_MOTO_SERVER` names) on a free port and wait
    /// until it answers.
    pub fn start(moto_server: &str) -> AuthServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = std::process::Command::new(moto_server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env("INITIAL_NO_AUTH_ACTION_COUNT", "0")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start moto_server");
        let server = AuthServer {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        // The event: the port accepts a connection.
        crate::common::wait::until("moto to listen", std::time::Duration::from_secs(60), || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        server
    }
}

impl Drop for AuthServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A proxy in front of an S3 server, counting the requests that pass.
pub struct Proxy {
    /// Its endpoint, for `AWS_ENDPOINT_URL`.
    pub url: String,
    requests: Arc<AtomicUsize>,
}

impl Proxy {
    /// How many requests have passed so far.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

/// A proxy in front of `upstream`. With `strip_conditions` it drops `If-None-Match` and
/// `If-Match` from every request: a store that ignores conditional writes (as some S3
/// look-alikes do). One request per connection (`Connection: close`), so that every request's
/// headers pass through it and each is counted once its head is read.
pub async fn proxy(upstream: String, strip_conditions: bool) -> Proxy {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let upstream = upstream.trim_start_matches("http://").to_owned();
    let requests = Arc::new(AtomicUsize::new(0));
    let counted = requests.clone();
    tokio::spawn(async move {
        loop {
            let Ok((client, _)) = listener.accept().await else {
                return;
            };
            let upstream = upstream.clone();
            let counted = counted.clone();
            tokio::spawn(async move {
                let mut client = BufReader::new(client);
                let mut head = String::new();
                loop {
                    let mut line = String::new();
                    if client.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let name = line.split(':').next().unwrap_or("").to_ascii_lowercase();
                    let dropped = match name.as_str() {
                        "connection" => true,
                        "if-none-match" | "if-match" => strip_conditions,
                        _ => false,
                    };
                    if !dropped {
                        if line == "\r\n" {
                            head.push_str("Connection: close\r\n");
                        }
                        head.push_str(&line);
                    }
                    if line == "\r\n" {
                        break;
                    }
                }
                counted.fetch_add(1, Ordering::SeqCst);
                let Ok(mut server) = tokio::net::TcpStream::connect(&upstream).await else {
                    return;
                };
                if server.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let buffered = client.buffer().to_vec();
                let _ = server.write_all(&buffered).await;
                let mut client = client.into_inner();
                let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
            });
        }
    });
    Proxy {
        url: format!("http://{address}"),
        requests,
    }
}
