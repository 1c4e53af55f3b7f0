//! Ctrl-C during apply: the requests in flight finish and are recorded, the summary says what
//! was not started, the exit code is 130, and the next apply finishes the job (#18).

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::common::{EmulatorProcess, Workspace};
use serde_json::json;

fn standard_groups(count: usize) -> String {
    let mut yaml = String::from("groups:\n");
    for i in 0..count {
        yaml.push_str(&format!(
            "  g{i:03}: {{title: Group {i:03}, type: standard, owner: u1005, members: [u1006]}}\n"
        ));
    }
    yaml
}

#[test]
fn ctrl_c_finishes_the_requests_in_flight_records_them_and_exits_130() {
    const GROUPS: usize = 20;
    let emulator = EmulatorProcess::fresh();
    let workspace = Workspace::with_files(&[("groups.yaml", &standard_groups(GROUPS))]);
    emulator.faults(json!({"latency_ms": 300}));

    let mut apply = workspace
        .command(&emulator, &["apply", "--yes", "--concurrency", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The event: the first step's line (a line per step when stderr is not a terminal).
    let mut stderr = BufReader::new(apply.stderr.take().unwrap());
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "apply ended early: {seen}"
        );
        seen.push_str(&line);
        if line.contains(": created") {
            break;
        }
    }
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &apply.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    let output = apply.wait_with_output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(130), "{stdout}\n{seen}{rest}");
    assert!(
        rest.contains("Interrupted: finishing the requests in flight"),
        "{rest}"
    );
    assert!(stdout.contains("Apply interrupted:"), "{stdout}");
    assert!(stdout.contains("not started"), "{stdout}");

    // Every create that went out was answered and recorded: nothing is left unconfirmed.
    let state = workspace.state();
    let resources = state["resources"].as_object().unwrap();
    let unconfirmed: Vec<_> = resources
        .iter()
        .filter(|(_, e)| e["id"].is_null())
        .collect();
    assert!(
        unconfirmed.is_empty(),
        "unconfirmed creates: {unconfirmed:?}"
    );
    let made = emulator.titles().len();
    assert_eq!(made, resources.len(), "each group made is in the state");
    assert!(
        made < GROUPS,
        "interrupted before the end ({made} of {GROUPS})"
    );

    emulator.faults(json!({}));
    let plan = workspace.run(&emulator, &["plan", "--format", "json"]);
    plan.expect_code(0);
    assert!(!plan.stdout.clone().contains("create-unverified"));
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);
    let expected: Vec<String> = (0..GROUPS).map(|i| format!("Group {i:03}")).collect();
    assert_eq!(emulator.titles(), expected, "every group exactly once");
}
