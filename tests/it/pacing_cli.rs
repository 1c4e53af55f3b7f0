//! The pace as a user meets it: `apply` told nothing learns what the organization allows and
//! reports it with `--verbose`, throttling answers never fail a step, `rate: N` pins the pace,
//! and a bad rate is an error at its line.

use crate::common::{Emu, Workspace};
use serde_json::json;

const SETTINGS: &str = "organization: Test Organization Demo\ndefaults: {template: tpl-default}\n";

fn groups(count: usize) -> String {
    let mut yaml = String::from("groups:\n");
    for n in 0..count {
        yaml.push_str(&format!(
            "  g{n:02}: {{title: Paced {n:02}, type: scene, owner: manager4220, members: [u1001]}}\n"
        ));
    }
    yaml
}

async fn refused(emu: &Emu, api: &str) -> u64 {
    emu.admin_api().qps_count(api, "refused").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_told_nothing_slows_to_the_organizations_limit_and_fails_no_step() {
    let emu = Emu::start().await;
    emu.faults(json!({ "qps_limit": 6 })).await;
    let workspace = Workspace::with_settings(SETTINGS).file("groups.yaml", groups(24));
    let run = workspace.run(&emu, &["-v", "apply", "--yes"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let created = emu.state().await["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .filter(|group| {
            group["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("Paced"))
        })
        .count();
    assert_eq!(created, 24);
    // The documented 20/s was too fast for this organization: it said so, and dingform
    // slowed down instead of failing.
    assert!(refused(&emu, "/v1.0/im/sceneGroup/create").await >= 1);
    let learned = run
        .stderr
        .lines()
        .find(|line| line.contains("pace learned: /v1.0/im/sceneGroup/create at"))
        .unwrap_or_else(|| panic!("no learned pace in:\n{}", run.stderr));
    let rate: f64 = learned
        .split(" at ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|number| number.parse().ok())
        .unwrap_or_else(|| panic!("{learned}"));
    assert!(rate <= 6.0 * 1.3, "well under the documented 20: {learned}");
    assert!(
        run.stderr.contains("throttled: the window let about"),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_in_dingform_yaml_pins_the_pace() {
    let emu = Emu::start().await;
    let settings = format!("{SETTINGS}rate: 5\n");
    let workspace = Workspace::with_settings(&settings).file("groups.yaml", groups(2));
    let run = workspace.run(&emu, &["-v", "plan"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("pace learned"), "{}", run.stderr);
    // --rate wins over the file, and must be a positive number.
    let run = workspace.run(&emu, &["plan", "--rate", "0"]);
    crate::assert_filtered_snapshot!("rate_zero", run.snapshot());
}

#[test]
fn a_rate_that_is_not_a_positive_number_is_an_error_at_its_line() {
    let settings = format!("{SETTINGS}rate: -3\n");
    Workspace::with_settings(&settings).expect_error("invalid-value", "dingform.yaml:3:7");
}
