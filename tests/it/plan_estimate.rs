//! The plan's request estimate (issue 15) against what `apply` then sends, counted by the
//! emulator per API: within 5%, over creates (members beyond what a create carries, admins,
//! bots, tabs, the join-URL read), member changes in chunks of 100 (scene groups) and 40
//! (ordinary groups), admins, bots added and removed, tabs added, edited and removed, a
//! disband, and notifications (state only). The real binary against the real emulator.

use crate::common::emulator::qps_sum;
use crate::common::{EmulatorProcess, Workspace};
use serde_json::{Value, json};

/// The emulator counts calls per API only under a `qps_limit`: one no run comes near.
const COUNT_ONLY: u64 = 1_000_000;
/// The token fetch is the client's business, not the plan's changes.
const TOKEN_API: &str = "/v1.0/oauth2/accessToken";

/// The demo organization and 400 more people (`p000`…`p399`).
fn seed() -> String {
    let mut users = String::from("users:\n");
    for n in 0..400 {
        users.push_str(&format!(
            "  - {{userid: p{n:03}, name: Person {n}, departments: [1]}}\n"
        ));
    }
    include_str!("../../src/emulator/demo-seed.yaml").replacen("users:\n", &users, 1)
}

fn people(range: std::ops::Range<usize>) -> String {
    range
        .map(|n| format!("p{n:03}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The calls the emulator counted since the fault set was posted, the token's left out.
fn counted(emulator: &EmulatorProcess) -> u64 {
    let rows = emulator.qps();
    let not_token = |row: &Value| row["api"] != TOKEN_API;
    qps_sum(&rows, not_token, "admitted") + qps_sum(&rows, not_token, "refused")
}

/// The plan's estimate, then the requests `apply` sent beyond the reads of its own refresh
/// (measured by a `plan` alone just before, on the same world).
fn estimated_and_sent(emulator: &EmulatorProcess, workspace: &Workspace) -> (u64, u64) {
    let run = workspace.run(emulator, &["plan", "--format", "json"]);
    let plan: Value =
        serde_json::from_str(&run.stdout).unwrap_or_else(|_| panic!("JSON plan:\n{}", run.text()));
    // Apply's steps use the token its refresh fetched, so the estimate counts none, and the
    // emulator's count here leaves tokens out.
    let estimated = plan["estimate"]["requests"].as_u64().expect("an estimate");
    emulator.faults(json!({ "qps_limit": COUNT_ONLY }));
    workspace.run(emulator, &["plan"]).expect_code(0);
    let reads = counted(emulator);
    emulator.faults(json!({ "qps_limit": COUNT_ONLY }));
    workspace.run(emulator, &["apply", "--yes"]).expect_code(0);
    let sent = counted(emulator) - reads;
    emulator.faults(json!({}));
    workspace
        .run(emulator, &["plan", "--detailed-exitcode"])
        .expect_code(0);
    (estimated, sent)
}

fn assert_within_5_percent(stage: &str, estimated: u64, sent: u64) {
    let off = estimated.abs_diff(sent) as f64 / sent.max(1) as f64;
    assert!(
        off <= 0.05,
        "{stage}: the plan estimated {estimated} requests, apply sent {sent} ({:.0}% off)",
        off * 100.0
    );
}

const SETTINGS: &str = "organization: Test Organization Demo\napp: {kind: internal, agent_id: 123456}\n\
                        defaults: {template: tpl-default}\nrate: 500\n";

const BOTS: &str = "bots:\n  alerts: {robot_code: dingbot-alerts, name: Alert Bot}\n  digest: {robot_code: dingbot-digest, name: Digest Bot}\n  deploy: {robot_code: dingbot-deploy, name: Deploy Bot}\n";

fn notifications(count: usize) -> String {
    let mut yaml = String::from("notifications:\n");
    for n in 0..count {
        yaml.push_str(&format!(
            "  note{n}: {{schedule: '0 9 * * 1-5', via: {{bot: alerts, group: oncall}}, message: {{text: {{content: 'Standup {n}'}}}}}}\n"
        ));
    }
    yaml
}

#[test]
fn the_estimate_matches_what_apply_sends_for_creates_then_changes() {
    let emulator = EmulatorProcess::fresh();
    let seeded = reqwest::blocking::Client::new()
        .post(format!("{}/_emulator/seed", emulator.base))
        .body(seed())
        .send()
        .expect("admin API answers");
    assert!(seeded.status().is_success(), "seed: {}", seeded.status());
    let workspace = Workspace::with_files(&[("dingform.yaml", SETTINGS)]);

    // Creates: a scene group of 231 members (100 in the create, then 2 chunks), 11 admins
    // in the create, two bots, two tabs and the join-URL read; a standard group of 96 (40 in
    // the create, then 2 chunks of 40) with 12 admins after and a bot; three small scene
    // groups; two notifications.
    let created = format!(
        "{BOTS}groups:\n  oncall:\n    title: On-call\n    type: scene\n    owner: manager4220\n    admins: [{}]\n    members: [{}]\n    bots: [alerts, digest]\n    tabs:\n      - {{title: Runbook, url: 'https://runbooks.example/a'}}\n      - {{title: Board, url: 'https://board.example/a'}}\n  \
         office:\n    title: Office\n    type: standard\n    owner: manager4220\n    admins: [{}]\n    members: [{}]\n    bots: [alerts]\n  \
         s1: {{title: Small 1, type: scene, owner: manager4220, members: [u1001]}}\n  \
         s2: {{title: Small 2, type: scene, owner: manager4220, members: [u1001]}}\n  \
         s3: {{title: Small 3, type: scene, owner: manager4220, members: [u1001]}}\n{}",
        people(0..11),
        people(0..230),
        people(100..112),
        people(100..195),
        notifications(2)
    );
    workspace.write("groups.yaml", &created);
    let (estimated, sent) = estimated_and_sent(&emulator, &workspace);
    assert!(
        sent >= 15,
        "the creates sent only {sent} requests (estimated {estimated})"
    );
    assert_within_5_percent("creates", estimated, sent);

    // Changes: 110 members out and 105 in (scene: 2 + 2 chunks of 100), admins swapped (out
    // before their members leave), a bot out and one in, a tab edited, one removed and one
    // added, a new title (an update, then the new join URL read); 41 out of the standard
    // group and 45 in (2 + 2 chunks of 40), its admins swapped and its title; a group
    // disbanded; one more notification.
    let changed = format!(
        "{BOTS}groups:\n  oncall:\n    title: On-call 2\n    type: scene\n    owner: manager4220\n    admins: [{}]\n    members: [{}]\n    bots: [alerts, deploy]\n    tabs:\n      - {{title: Runbook, url: 'https://runbooks.example/b'}}\n      - {{title: Wiki, url: 'https://wiki.example/a'}}\n  \
         office:\n    title: Office 2\n    type: standard\n    owner: manager4220\n    admins: [{}]\n    members: [{}]\n    bots: [alerts]\n  \
         s1: {{title: Small 1, type: scene, owner: manager4220, members: [u1001]}}\n  \
         s2: {{title: Small 2, type: scene, owner: manager4220, members: [u1001]}}\n{}",
        people(110..121),
        people(110..335),
        people(141..153),
        people(141..240),
        notifications(3)
    );
    workspace.write("groups.yaml", &changed);
    let (estimated, sent) = estimated_and_sent(&emulator, &workspace);
    assert!(
        sent >= 15,
        "the changes sent only {sent} requests (estimated {estimated})"
    );
    assert_within_5_percent("changes", estimated, sent);
}
