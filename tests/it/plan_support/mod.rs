//! Plumbing for the plan tests: an emulator (the real server, in process), a scratch
//! workspace, state entries written through the real state file, and the real binary run
//! against the emulator the way a user or CI would (DINGFORM_ENDPOINT + credentials).
#![allow(dead_code, reason = "each test file uses a different part")]

use crate::provider_support;
use crate::validate_support;

use std::time::Duration;

use assert_cmd::Command;
use dingform::provider::NewSceneGroup;
use dingform::provider::prelude::*;
use dingform::state::{ResourceState, StateFile};
use serde_json::Value;

pub use provider_support::{APP_KEY, APP_SECRET, Emu};
pub use validate_support::Workspace;

/// What a run printed.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Run `dingform ARGS` in `workspace` against `emu`.
pub fn dingform(workspace: &Workspace, emu: &Emu, args: &[&str]) -> Run {
    let output = Command::cargo_bin("dingform")
        .expect("binary")
        .current_dir(workspace.path())
        .args(args)
        .env("DINGFORM_ENDPOINT", &emu.base)
        .env("DINGTALK_APP_KEY", APP_KEY)
        .env("DINGTALK_APP_SECRET", APP_SECRET)
        .env_remove("NO_COLOR")
        .env_remove("RUST_LOG")
        .timeout(Duration::from_secs(120))
        .output()
        .expect("run dingform");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `dingform plan --format json` parsed.
pub fn plan_json(workspace: &Workspace, emu: &Emu, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["plan", "--format", "json"];
    args.extend_from_slice(extra);
    let run = dingform(workspace, emu, &args);
    let plan = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("plan JSON ({e}): {}\n{}", run.stdout, run.stderr));
    (run.code, plan)
}

/// The change of `address` in a JSON plan.
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

/// Record `entries` (address → resource) in the workspace's state file, as apply would.
pub fn write_state(workspace: &Workspace, entries: &[(&str, ResourceState)]) {
    let file = StateFile::new(workspace.join(".dingform/state.json"));
    let lock = file.lock("test", Duration::ZERO).expect("lock");
    let mut state = file
        .read_or_new(Some("Test Organization Demo".into()))
        .expect("state");
    for (address, entry) in entries {
        state.resources.insert((*address).into(), entry.clone());
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

/// Create a scene group directly through the API (as a person's script would, not dingform)
/// and return its open conversation id.
pub async fn scene_group(emu: &Emu, title: &str, owner: &str, members: &[&str]) -> String {
    let group = NewSceneGroup {
        title: title.into(),
        template_id: "tpl-default".into(),
        owner: owner.into(),
        members: members.iter().map(|m| (*m).to_owned()).collect(),
        ..NewSceneGroup::default()
    };
    emu.client()
        .create_scene_group(&group)
        .await
        .expect("create scene group")
        .open_conversation_id
}
