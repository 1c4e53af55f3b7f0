//! The plan tests' helpers on top of the common harness: a JSON plan and the parts of it tests
//! look at, and state entries written through the real state file as apply would write them.

use std::time::Duration;

use dingform::state::{ResourceState, StateFile};
use serde_json::Value;

use crate::common::{Emu, ORGANIZATION, Run, Target, Workspace};

/// `dingform plan --format json EXTRA…` in `workspace` against `emu`: exit code and the plan.
pub fn plan_json(workspace: &Workspace, emu: &impl Target, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["plan", "--format", "json"];
    args.extend_from_slice(extra);
    let run = workspace.run(emu, &args);
    (run.code, run.json())
}

/// The change of `address` in a JSON plan.
#[track_caller]
pub fn change<'a>(plan: &'a Value, address: &str) -> &'a Value {
    plan["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|c| c["address"] == address)
        .unwrap_or_else(|| panic!("no change for {address} in {plan:#}"))
}

/// Findings of `rule` in a JSON plan.
pub fn findings<'a>(plan: &'a Value, rule: &str) -> Vec<&'a Value> {
    plan["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

/// `apply --yes` in `workspace`, refused (exit 1) before anything reached `emu`: its groups and
/// messages are as they were. The run, for a test to look at why.
pub async fn apply_refused(workspace: &Workspace, emu: &Emu) -> Run {
    let before = emu.state().await;
    let apply = workspace.run(emu, &["apply", "--yes"]);
    assert_eq!(apply.code, 1, "{}\n{}", apply.stdout, apply.stderr);
    let after = emu.state().await;
    assert_eq!(
        before["groups"], after["groups"],
        "no group made or changed"
    );
    assert_eq!(before["messages"], after["messages"], "nothing sent");
    apply
}

/// Record `entries` (address → resource) in the workspace's state file, as apply would.
pub fn write_state(workspace: &Workspace, entries: &[(&str, ResourceState)]) {
    let file = StateFile::new(workspace.state_path());
    let lock = file.lock("test", Duration::ZERO).expect("lock");
    let mut state = file.read_or_new(Some(ORGANIZATION.into())).expect("state");
    for (address, entry) in entries {
        state
            .resources
            .insert(address.parse().expect("an address"), entry.clone());
    }
    file.write(&mut state, &lock).expect("write state");
}

/// A state entry for a group made outside dingform, last applied as `attributes`.
pub fn group_entry(open_conversation_id: &str, attributes: Value) -> ResourceState {
    ResourceState {
        id: Some(open_conversation_id.into()),
        attributes,
        ..ResourceState::default()
    }
}
