//! Waiting for an event the test can observe (a row in a table, a file's serial, a message the
//! emulator recorded), looked for again every few milliseconds up to a deadline: never a guessed
//! duration standing in for the event.

use std::future::Future;
use std::time::{Duration, Instant};

/// How often the condition is looked at again.
const POLL: Duration = Duration::from_millis(10);

/// Block until `condition` holds; fail the test naming `what` after `timeout`.
#[track_caller]
pub fn until(what: &str, timeout: Duration, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(POLL);
    }
}

/// [`until`] for an async condition; returns whether it held before `timeout` (for a test that
/// asserts it with more context).
pub async fn until_async<F, Fut>(timeout: Duration, mut condition: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if condition().await {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(POLL).await;
    }
}
