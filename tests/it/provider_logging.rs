//! Secrets never reach the logs: every request is logged at debug level with its path, status
//! and timing, but never the access token (query or header) nor the app secret.

use std::io::Write;
use std::sync::{Arc, Mutex};

use crate::common::{AGENT_ID, APP_SECRET, Emu, text_notification};
use chrono::DateTime;
use dingform::provider::{DirectoryApi, MessageApi};

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Buffer {
    type Writer = Buffer;
    fn make_writer(&'a self) -> Buffer {
        self.clone()
    }
}

/// tracing caches per callsite, for the whole process, whether anyone listens: with every test
/// in one process, another test's thread can settle that before this subscriber exists. So the
/// check runs alone, in a process of its own (this test binary, filtered to it).
#[test]
fn request_logs_name_paths_but_never_tokens_or_secrets() {
    let name = "provider_logging::logged_requests_in_a_process_of_their_own";
    let output = std::process::Command::new(std::env::current_exe().expect("the test binary"))
        .args(["--exact", name, "--ignored", "--test-threads", "1"])
        .output()
        .expect("the test binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test]
#[ignore = "run alone in its own process by request_logs_name_paths_but_never_tokens_or_secrets"]
async fn logged_requests_in_a_process_of_their_own() {
    let emu = Emu::start().await;
    let buffer = Buffer::default();
    // Every crate at every level: reqwest and hyper must not leak the token either.
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(buffer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let client = emu.client();
    client.get_user("u1001").await.expect("oapi read");
    client
        .departed_users(DateTime::UNIX_EPOCH, None)
        .await
        .expect("api read");
    let failed = client.get_user("nobody").await.expect_err("unknown user");
    let notification = text_notification("u1001");
    client
        .send_work_notification(AGENT_ID, &notification)
        .await
        .expect("send");
    let first_token = emu.fetch_token().await;
    emu.advance(7_300).await;
    client.get_user("u1002").await.expect("read after renewal");
    let second_token = emu.fetch_token().await;
    assert_ne!(first_token, second_token, "the token was renewed");

    let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("/topapi/v2/user/get"),
        "requests are logged:\n{logs}"
    );
    assert!(logs.contains("/v1.0/contact/empLeaveRecords"), "{logs}");
    assert!(logs.contains("attempt"), "{logs}");
    for secret in [first_token.as_str(), second_token.as_str(), APP_SECRET] {
        assert!(
            !logs.contains(secret),
            "`{secret}` leaked into the logs:\n{logs}"
        );
        assert!(!failed.to_string().contains(secret));
        assert!(!format!("{failed:?}").contains(secret));
        assert!(!format!("{client:?}").contains(secret));
    }
    assert!(!logs.contains("access_token="), "{logs}");
}
