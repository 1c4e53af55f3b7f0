//! One access token a run (issue 15, "read nothing twice in one run"): `apply` refreshes, then
//! carries the plan out through the same client, so the token its refresh fetched serves its
//! steps too. Counted by the emulator per API, the real binary against the real emulator.

use crate::common::fixtures::scene_groups;
use crate::common::{EmulatorProcess, Workspace};
use serde_json::{Value, json};

/// The emulator counts calls per API only under a `qps_limit`: one no run comes near.
const COUNT_ONLY: u64 = 1_000_000;
const TOKEN_API: &str = "/v1.0/oauth2/accessToken";

/// Start counting from zero (a new fault set restarts the emulator's counts).
fn count_from_now(emulator: &EmulatorProcess) {
    emulator.faults(json!({ "qps_limit": COUNT_ONLY }));
}

/// (token requests, all other requests) the emulator counted since [`count_from_now`].
fn counted(emulator: &EmulatorProcess) -> (u64, u64) {
    let answer: Value = reqwest::blocking::get(format!("{}/_emulator/qps", emulator.base))
        .expect("admin API answers")
        .json()
        .expect("JSON");
    let calls = |count: &Value| {
        count["admitted"].as_u64().unwrap_or(0) + count["refused"].as_u64().unwrap_or(0)
    };
    let apis = answer["apis"].as_array().expect("apis");
    let tokens = apis
        .iter()
        .filter(|count| count["api"] == TOKEN_API)
        .map(calls)
        .sum();
    let others = apis
        .iter()
        .filter(|count| count["api"] != TOKEN_API)
        .map(calls)
        .sum();
    (tokens, others)
}

#[test]
fn apply_of_a_workspace_fetches_one_access_token_for_its_plan_and_its_steps() {
    let emulator = EmulatorProcess::fresh();
    let workspace = Workspace::with_files(&[("groups.yaml", &scene_groups(3))]);
    count_from_now(&emulator);
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);
    let (tokens, others) = counted(&emulator);
    // The refresh read names and bots, and the steps made three groups: both used a token.
    assert!(others >= 6, "apply sent only {others} other requests");
    assert_eq!(tokens, 1, "apply fetched {tokens} access tokens");
    assert_eq!(emulator.titles(), ["Group 000", "Group 001", "Group 002"]);
}

#[test]
fn apply_of_a_plan_file_fetches_one_access_token_for_its_check_and_its_steps() {
    let emulator = EmulatorProcess::fresh();
    let workspace = Workspace::with_files(&[("groups.yaml", &scene_groups(2))]);
    let plan_file = workspace.join("plan.json");
    let plan_file = plan_file.to_str().expect("a UTF-8 path");
    workspace
        .run(&emulator, &["plan", "-o", plan_file])
        .expect_code(0);
    count_from_now(&emulator);
    workspace
        .run(&emulator, &["apply", "--yes", plan_file])
        .expect_code(0);
    let (tokens, others) = counted(&emulator);
    assert!(others >= 4, "apply sent only {others} other requests");
    assert_eq!(tokens, 1, "apply fetched {tokens} access tokens");
    assert_eq!(emulator.titles(), ["Group 000", "Group 001"]);
}

#[test]
fn a_plan_fetches_one_access_token() {
    let emulator = EmulatorProcess::fresh();
    let workspace = Workspace::with_files(&[("groups.yaml", &scene_groups(3))]);
    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);
    count_from_now(&emulator);
    // Three groups read back (detail, bots, plugins each), names and the bot checked.
    workspace
        .run(&emulator, &["plan", "--detailed-exitcode"])
        .expect_code(0);
    let (tokens, others) = counted(&emulator);
    assert!(others >= 9, "the plan sent only {others} other requests");
    assert_eq!(tokens, 1, "the plan fetched {tokens} access tokens");
}
