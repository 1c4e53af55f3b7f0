//! Plan benchmark (issue 4): plan 2,000 scene groups of 50 members and 500 notifications
//! against the emulator with a QPS limit, and compare the wall time with the floor the
//! platform's rate sets (reads per API ÷ QPS), and the CPU dingform spent.
//!
//! The emulator runs as a separate process (`dingform emulator`), so the CPU time measured
//! here (from /proc/self/stat) is dingform's alone.
//!
//! ```sh
//! cargo bench --bench plan                 # QPS 100 per API (floor 20 s)
//! DINGFORM_BENCH_QPS=20 cargo bench --bench plan   # the platform's default (floor 100 s)
//! ```

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use dingform::provider::prelude::*;
use dingform::provider::{ClientOptions, NewSceneGroup, RateLimit};
use dingform::state::{ResourceState, State};
use serde_json::json;

const GROUPS: usize = 2_000;
const MEMBERS: usize = 50;
const NOTIFICATIONS: usize = 500;

fn main() {
    let qps: f64 = std::env::var("DINGFORM_BENCH_QPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100.0);
    let dir = tempfile::tempdir().expect("tempdir");
    let seed_path = dir.path().join("seed.yaml");
    let mut seed = String::from(
        "organization: {corp_id: dingbench, name: Bench Org}\napps: [{app_key: bench-key, app_secret: bench-secret, agent_id: 1, kind: internal}]\n\
         departments: [{id: 1, name: All}]\nbots: [{robot_code: dingbot-bench, name: Bench Bot}]\nscene_group_templates: [{id: tpl-default, name: Default}]\nusers:\n",
    );
    for u in 0..MEMBERS {
        seed.push_str(&format!(
            "  - {{userid: u{u:03}, name: User {u}, departments: [1]}}\n"
        ));
    }
    std::fs::write(&seed_path, seed).unwrap();
    let binary = env!("CARGO_BIN_EXE_dingform");
    let mut emulator = Command::new(binary)
        .args(["emulator", "--listen", "127.0.0.1:0", "--seed"])
        .arg(&seed_path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the emulator");
    let mut base = String::new();
    BufReader::new(emulator.stdout.take().unwrap())
        .read_line(&mut base)
        .unwrap();
    let base = base.trim().to_owned();

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let members: Vec<String> = (0..MEMBERS).map(|u| format!("u{u:03}")).collect();
    let endpoint = Endpoint::parse(&base).unwrap();
    let credentials = Credentials::new("bench-key", "bench-secret");

    // Set-up, unthrottled: groups made through the API, recorded in state as apply would.
    let setup = HttpClient::with_options(
        endpoint.clone(),
        credentials.clone(),
        ClientOptions {
            rate_limit: RateLimit::unlimited(),
            ..ClientOptions::default()
        },
    )
    .unwrap();
    let ids: Vec<String> = runtime.block_on(async {
        let mut creates = tokio::task::JoinSet::new();
        for g in 0..GROUPS {
            let (setup, members) = (setup.clone(), members.clone());
            creates.spawn(async move {
                let group = NewSceneGroup {
                    title: format!("Group {g}"),
                    template_id: "tpl-default".into(),
                    owner: members[0].clone(),
                    members,
                    ..NewSceneGroup::default()
                };
                (
                    g,
                    setup
                        .create_scene_group(&group)
                        .await
                        .expect("create")
                        .open_conversation_id,
                )
            });
        }
        let mut ids = vec![String::new(); GROUPS];
        while let Some(created) = creates.join_next().await {
            let (g, id) = created.expect("create task");
            ids[g] = id;
        }
        ids
    });
    let mut manifest = String::from("groups:\n");
    let mut state = State::new(Some("Bench Org".into()));
    let member_list = members.join(", ");
    for (g, id) in ids.iter().enumerate() {
        manifest.push_str(&format!(
            "  g{g:04}: {{title: Group {g}, type: scene, owner: u000, members: [{member_list}]}}\n"
        ));
        state.resources.insert(
            format!("group.g{g:04}"),
            ResourceState {
                id: Some(id.clone()),
                attributes: json!({"type": "scene"}),
                ..ResourceState::default()
            },
        );
    }
    manifest
        .push_str("bots:\n  bench: {robot_code: dingbot-bench, name: Bench Bot}\nnotifications:\n");
    for n in 0..NOTIFICATIONS {
        manifest.push_str(&format!(
            "  n{n:03}: {{schedule: \"{} 9 * * 1-5\", via: {{bot: bench, group: g{:04}}}, message: {{text: {{content: \"Reminder {n} for {{{{date}}}}\"}}}}}}\n",
            n % 60,
            n % GROUPS
        ));
    }
    let ws = dir.path().join("ws");
    std::fs::create_dir_all(&ws).unwrap();
    std::fs::write(
        ws.join("dingform.yaml"),
        "organization: Bench Org\ndefaults: {template: tpl-default}\n",
    )
    .unwrap();
    std::fs::write(ws.join("groups.yaml"), manifest).unwrap();

    // The measured part: load, refresh at `qps` per API, build.
    let client = Arc::new(
        HttpClient::with_options(
            endpoint,
            credentials,
            ClientOptions {
                rate_limit: RateLimit::per_second(qps),
                ..ClientOptions::default()
            },
        )
        .unwrap(),
    );
    runtime.block_on(async {
        reqwest::Client::new()
            .post(format!("{base}/_emulator/faults"))
            .json(&json!({"qps_limit": qps as u32}))
            .send()
            .await
            .unwrap();
    });
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let validation = dingform::manifest::validate(&ws);
    assert!(
        !validation.has_errors(),
        "{:?}",
        validation.findings.first()
    );
    let cpu_validate = cpu_seconds() - cpu_before;
    let live = runtime
        .block_on(dingform::plan::refresh::refresh(
            client.clone(),
            &validation.workspace,
            &state,
            chrono::Utc::now(),
        ))
        .expect("refresh");
    let plan = dingform::plan::build(
        &validation,
        &state,
        &live,
        &dingform::plan::PlanOptions::default(),
    );
    let wall = started.elapsed();
    let cpu = cpu_seconds() - cpu_before;
    let stats = client.stats();
    emulator.kill().ok();
    emulator.wait().ok();

    let changes = plan
        .changes
        .iter()
        .filter(|c| c.action != dingform::plan::Action::NoOp)
        .count();
    // Each group is read through four APIs (detail, members, bots, plugins), GROUPS each.
    let floor = Duration::from_secs_f64(GROUPS as f64 / qps);
    println!(
        "plan: {GROUPS} groups x {MEMBERS} members + {NOTIFICATIONS} notifications, QPS {qps} per API"
    );
    println!(
        "  reads: {}  throttled answers: {}  changes: {changes}",
        live.reads, stats.throttled
    );
    println!(
        "  wall: {:.2}s  floor: {:.2}s  (+{:.1}%)  cpu: {:.2}s ({:.2}s loading and validating, {:.2}s refresh and diff)",
        wall.as_secs_f64(),
        floor.as_secs_f64(),
        (wall.as_secs_f64() / floor.as_secs_f64() - 1.0) * 100.0,
        cpu,
        cpu_validate,
        cpu - cpu_validate
    );
}

/// This process's user + system CPU seconds.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}
