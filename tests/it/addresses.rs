//! Addresses are one type, `dingform::model::Address`: what the plan JSON, the state file and
//! `state list` print parses back into the same addresses in the same order, a state file
//! written before addresses were typed is written back byte for byte, and an address mistyped
//! on the command line is refused by name before anything is read.

use std::time::Duration;

use dingform::model::Address;
use dingform::state::StateFile;

use crate::common::{EmulatorProcess, Workspace};

/// Names that sort differently by kind first (group, bot, notification) than as text, and
/// names whose `-`, digit and `_` sort by byte.
const MANIFESTS: &str = "\
bots:
  alerts: {robot_code: dingbot-alerts, name: Alert Bot}
groups:
  ops_b: {title: Ops underscore, type: scene, owner: manager4220, bots: [alerts]}
  ops0: {title: Ops zero, type: scene, owner: manager4220}
  ops-b: {title: Ops dash, type: scene, owner: manager4220}
  ops: {title: Ops, type: scene, owner: manager4220, bots: [alerts]}
notifications:
  standup:
    schedule: '0 9 * * 1-5'
    timezone: Asia/Shanghai
    via: {bot: alerts, group: ops}
    message: {text: {content: Stand-up time}}
";

/// What every view must list, in the text order the state file and plan always had.
const EXPECTED: [&str; 6] = [
    "bot.alerts",
    "group.ops",
    "group.ops-b",
    "group.ops0",
    "group.ops_b",
    "notification.standup",
];

#[track_caller]
fn parsed(texts: &[String]) -> Vec<Address> {
    texts
        .iter()
        .map(|text| {
            let address: Address = text
                .parse()
                .unwrap_or_else(|error| panic!("`{text}` does not parse: {error}"));
            assert_eq!(
                address.to_string(),
                *text,
                "an address prints as it is read"
            );
            address
        })
        .collect()
}

#[test]
fn plan_json_state_file_and_state_list_name_the_same_addresses_in_the_same_order() {
    let emulator = EmulatorProcess::fresh();
    let workspace = Workspace::with_files(&[("groups.yaml", MANIFESTS)]);

    let planned = workspace.run(&emulator, &["plan", "--format", "json"]);
    planned.expect_code(0);
    let plan_addresses: Vec<String> = planned.json()["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|change| change["address"].as_str().expect("a string").to_owned())
        .collect();
    assert_eq!(plan_addresses, EXPECTED);
    let from_plan = parsed(&plan_addresses);
    let mut sorted = from_plan.clone();
    sorted.sort();
    assert_eq!(
        sorted, from_plan,
        "typed addresses sort as the plan lists them"
    );

    workspace.run(&emulator, &["apply", "--yes"]).expect_code(0);

    // The state file: its keys, in the order they are written.
    let text = std::fs::read_to_string(workspace.state_path()).unwrap();
    let state: serde_json::Value = serde_json::from_str(&text).unwrap();
    let keys: Vec<String> = state["resources"]
        .as_object()
        .expect("resources")
        .keys()
        .cloned()
        .collect();
    let mut written: Vec<(usize, String)> = keys
        .iter()
        .map(|key| {
            (
                text.find(&format!("\"{key}\": {{")).expect("written"),
                key.clone(),
            )
        })
        .collect();
    written.sort();
    let written: Vec<String> = written.into_iter().map(|(_, key)| key).collect();
    assert_eq!(parsed(&written), from_plan);

    let listed = workspace.run_offline(&["state", "list"]);
    listed.expect_code(0);
    let listed: Vec<String> = listed
        .stdout
        .lines()
        .map(|line| line.split('\t').next().unwrap().to_owned())
        .collect();
    assert_eq!(parsed(&listed), from_plan);

    // The plan after apply names the same addresses again (all no-ops).
    let again = workspace.run(&emulator, &["plan", "--format", "json"]);
    again.expect_code(0);
    let again: Vec<String> = again.json()["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|change| change["address"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(parsed(&again), from_plan);
}

/// A state file as the build before typed addresses wrote it (checked by running that build's
/// `state mv` there and back over it): every kind, names that sort by byte, retired addresses.
const STATE_FILE: &str = r#"{
  "version": 1,
  "serial": 7,
  "lineage": "6b0d3c1e-2f4a-4c5b-9d8e-7f6a5b4c3d2e",
  "organization": "Test Organization Demo",
  "resources": {
    "bot.alerts": {
      "id": "dingbot-alerts",
      "attributes": {
        "name": "Alert Bot",
        "robot_code": "dingbot-alerts"
      }
    },
    "group.ops": {
      "id": "cid-ops",
      "ids": {
        "chat_id": "chat-ops"
      },
      "creation_uuid": "0d6c5f8e-3b1a-5e2f-9c4d-1a2b3c4d5e6f",
      "observed": {
        "group_url": "https://example/join/ops",
        "group_url_since": "2026-01-02T03:04:05Z"
      },
      "attributes": {
        "title": "Ops",
        "type": "scene"
      }
    },
    "group.ops-b": {
      "id": "cid-ops-b",
      "generation": 2,
      "attributes": {
        "title": "Ops B",
        "type": "scene"
      }
    },
    "group.ops0": {
      "id": "cid-ops0"
    },
    "group.ops_b": {
      "creation_uuid": "1e7d6a9f-4c2b-5f3a-8d5e-2b3c4d5e6f70"
    },
    "notification.standup": {
      "attributes": {
        "schedule": "0 9 * * 1-5"
      }
    }
  },
  "retired": {
    "group.gone": 1,
    "group.old-name": 3
  }
}
"#;

#[test]
fn a_state_file_written_before_addresses_were_typed_is_written_back_byte_for_byte() {
    let workspace = Workspace::with_settings("organization: Test Organization Demo\n");
    std::fs::create_dir_all(workspace.join(".dingform")).unwrap();
    std::fs::write(workspace.state_path(), STATE_FILE).unwrap();
    let file = StateFile::new(workspace.state_path());
    let lock = file.lock("test", Duration::ZERO).unwrap();
    let mut state = file.read().unwrap().expect("a state");
    assert_eq!(
        state
            .resources
            .keys()
            .map(Address::to_string)
            .collect::<Vec<_>>(),
        [
            "bot.alerts",
            "group.ops",
            "group.ops-b",
            "group.ops0",
            "group.ops_b",
            "notification.standup"
        ]
    );
    assert_eq!(
        state.first_generation(&Address::group("old-name")),
        3,
        "retired addresses are read by their typed key"
    );
    file.write(&mut state, &lock).unwrap();
    assert_eq!(
        std::fs::read_to_string(workspace.state_path()).unwrap(),
        STATE_FILE.replace("\"serial\": 7", "\"serial\": 8")
    );
    assert_eq!(
        std::fs::read_to_string(file.backup_path()).unwrap(),
        STATE_FILE
    );

    // The real binary reads the same file and lists it in the same order.
    let listed = workspace.run_offline(&["state", "list"]);
    listed.expect_code(0);
    let first_column: Vec<&str> = listed
        .stdout
        .lines()
        .map(|line| line.split('\t').next().unwrap())
        .collect();
    assert_eq!(first_column, EXPECTED);
}

#[test]
fn a_mistyped_address_on_the_command_line_is_refused_naming_it() {
    let workspace = Workspace::with_settings("organization: Test Organization Demo\n");
    std::fs::create_dir_all(workspace.join(".dingform")).unwrap();
    std::fs::write(workspace.state_path(), STATE_FILE).unwrap();
    let mut report = String::new();
    for args in [
        &["state", "show", "team.ops"][..],
        &["state", "rm", "group.Ops"],
        &["state", "mv", "group.ops", "group"],
        &["state", "done", "bot."],
        &["import", "groups.ops", "cid-1"],
    ] {
        let run = workspace.run_offline(args);
        // A usage error exits 1 (PRODUCT.md), never 2, which `--detailed-exitcode` keeps.
        assert_eq!(run.code, 1, "{args:?}: {}", run.text());
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        report.push_str(&format!(
            "$ dingform {}\n{}\n",
            args.join(" "),
            run.snapshot()
        ));
    }
    crate::assert_filtered_snapshot!("mistyped_addresses_on_the_command_line", report);
    // Nothing was touched.
    assert_eq!(
        std::fs::read_to_string(workspace.state_path()).unwrap(),
        STATE_FILE
    );
}
