//! An endpoint that accepts connections and never answers: the command says what it waits
//! for while it waits, gives up after the read timeout (tried twice, not six times), and its
//! error names the host and the timeout. A real listener that accepts and stays silent.

use std::io::Read;
use std::net::TcpListener;
use std::time::{Duration, Instant};

use crate::common::workspace::finish;
use crate::common::{Run, Target, Workspace};

/// The silent listener, as something `dingform` can be aimed at.
struct Silent(String);

impl Target for Silent {
    fn base(&self) -> &str {
        &self.0
    }
}

/// `http://127.0.0.1:PORT` of a listener that accepts every connection, reads what it is
/// sent, and never answers.
fn silent_endpoint() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut buffer = [0u8; 4096];
                while matches!(stream.read(&mut buffer), Ok(n) if n > 0) {}
            });
        }
    });
    base
}

/// `dingform plan` aimed at `endpoint`, with `DINGFORM_READ_TIMEOUT` set or not; how long it
/// took.
fn plan(endpoint: &str, read_timeout: Option<&str>) -> (Run, Duration) {
    let workspace = Workspace::with_files(&[(
        "groups.yaml",
        "groups:\n  oncall: {title: On-call, type: scene, owner: manager4220}\n",
    )]);
    let mut command = workspace.command(&Silent(endpoint.to_owned()), &["plan"]);
    match read_timeout {
        Some(timeout) => command.env("DINGFORM_READ_TIMEOUT", timeout),
        None => command.env_remove("DINGFORM_READ_TIMEOUT"),
    };
    let started = Instant::now();
    let run = finish(command);
    (run, started.elapsed())
}

#[test]
fn a_silent_endpoint_is_given_up_after_the_read_timeout_naming_the_host() {
    let endpoint = silent_endpoint();
    let host = endpoint.trim_start_matches("http://").to_owned();
    // How many "waiting" lines it prints depends on timing: the lines are looked for, not
    // snapshot.
    let (run, took) = plan(&endpoint, Some("2s"));
    let stderr = run.expect_code(1).stderr.as_str();
    // Two attempts of 2 s each and a backoff: seconds, not minutes.
    assert!(took >= Duration::from_secs(4), "{took:?}: {stderr}");
    assert!(took < Duration::from_secs(30), "{took:?}: {stderr}");
    assert!(
        stderr.contains(&format!(
            "no answer from {host} within 2s (the read timeout"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("DINGFORM_READ_TIMEOUT"), "{stderr}");
    assert!(stderr.contains("after 2 attempts"), "{stderr}");
    // The token request got no answer; nothing of the plan's was sent.
    assert!(!stderr.contains("may have processed"), "{stderr}");
    // While it waited, it said what for.
    assert!(
        stderr.contains(&format!(
            "waiting for {host}: no answer yet to POST /v1.0/oauth2/accessToken"
        )),
        "{stderr}"
    );
    assert!(!stderr.contains(crate::common::APP_SECRET), "{stderr}");
}

#[test]
fn a_read_timeout_that_is_not_a_duration_is_refused_by_name() {
    let (run, _) = plan(&silent_endpoint(), Some("soon"));
    crate::assert_filtered_snapshot!("read_timeout_not_a_duration", run.snapshot());
}
