//! Plan benchmark (issue 4): plan 2,000 scene groups of 50 members and 500 notifications
//! against the emulator with a QPS limit, and compare the wall time with the floor the
//! platform's rate sets (reads per API ÷ QPS), and the CPU dingform spent.
//!
//! The emulator runs as a separate process (`dingform emulator`), so the CPU time measured
//! here (the process's CPU clock) is dingform's alone.
//!
//! Then the peak memory: the real binary's `dingform plan` on a workspace of
//! `DINGFORM_BENCH_RSS_GROUPS` groups (default 20,000; 0 skips it), all in state, each read
//! back, with its peak resident set size and CPU taken by `/usr/bin/time` (goal < 250 MB).
//! That plan is paced by `rate: 1000` and so by the per-IP ceiling (450 calls/s): 80,000
//! reads take three minutes.
//!
//! ```sh
//! cargo bench --bench plan                 # QPS 100 per API (floor 20 s), then 20,000 groups
//! DINGFORM_BENCH_QPS=20 cargo bench --bench plan   # the platform's default (floor 100 s)
//! DINGFORM_BENCH_RSS_GROUPS=0 cargo bench --bench plan   # the CPU part only
//! DINGFORM_BENCH_CPU=0 DINGFORM_BENCH_WRAP="heaptrack -o /tmp/plan" cargo bench --bench plan
//!                                          # the memory part only, the binary under a profiler
//! DINGFORM_BENCH_RSS_GROUPS=0 DINGFORM_BENCH_PACE=adaptive DINGFORM_BENCH_LOG=dingform::provider=debug \
//!     cargo bench --bench plan               # told nothing, each request and decrease logged
//! ```

mod log_support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use dingform::provider::prelude::*;
use dingform::provider::{ClientOptions, NewSceneGroup, RateLimit};
use dingform::state::{ResourceState, State};
use serde_json::json;

/// The binary's allocator (`src/main.rs`), so that the CPU measured here is the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const GROUPS: usize = 2_000;
const MEMBERS: usize = 50;
const NOTIFICATIONS: usize = 500;

/// The emulator (a separate process, no data file) seeded with `members` users, and
/// `groups` scene groups of all of them made through the API, unthrottled; the workspace
/// that manages them, with `notifications` notifications, and its state as apply records it.
struct Prepared {
    dir: tempfile::TempDir,
    emulator: std::process::Child,
    base: String,
    ws: std::path::PathBuf,
    state: State,
}

fn prepare(
    runtime: &tokio::runtime::Runtime,
    groups: usize,
    members: usize,
    notifications: usize,
) -> Prepared {
    let dir = tempfile::tempdir().expect("tempdir");
    let seed_path = dir.path().join("seed.yaml");
    let mut seed = String::from(
        "organization: {corp_id: dingbench, name: Bench Org}\napps: [{app_key: bench-key, app_secret: bench-secret, agent_id: 1, kind: internal}]\n\
         departments: [{id: 1, name: All}]\nbots: [{robot_code: dingbot-bench, name: Bench Bot}]\nscene_group_templates: [{id: tpl-default, name: Default}]\nusers:\n",
    );
    for u in 0..members {
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

    let member_ids: Vec<String> = (0..members).map(|u| format!("u{u:03}")).collect();
    let setup = HttpClient::with_options(
        Endpoint::parse(&base).unwrap(),
        Credentials::new("bench-key", "bench-secret"),
        ClientOptions {
            rate_limit: RateLimit::unlimited(),
            ..ClientOptions::default()
        },
    )
    .unwrap();
    let ids: Vec<String> = runtime.block_on(async {
        let mut creates = tokio::task::JoinSet::new();
        let mut ids = vec![String::new(); groups];
        for g in 0..groups {
            let (setup, members) = (setup.clone(), member_ids.clone());
            creates.spawn(async move {
                let group = NewSceneGroup {
                    title: format!("Group {g}"),
                    template_id: "tpl-default".into(),
                    owner: members[0].clone(),
                    members,
                    ..NewSceneGroup::default()
                };
                let id = setup
                    .create_scene_group(&group)
                    .await
                    .expect("create")
                    .open_conversation_id;
                if g < notifications {
                    // The groups notifications send to have the bot (`bot-not-in-group`).
                    setup.add_bot(&id, "dingbot-bench").await.expect("add bot");
                }
                (g, id)
            });
            // Not all at once: 20,000 tasks holding their bodies would measure the set-up.
            if creates.len() >= 256
                && let Some(created) = creates.join_next().await
            {
                let (g, id) = created.expect("create task");
                ids[g] = id;
            }
        }
        while let Some(created) = creates.join_next().await {
            let (g, id) = created.expect("create task");
            ids[g] = id;
        }
        ids
    });
    // A file holds at most 250,000 YAML nodes (`yaml-too-complex`): 2,000 groups a file.
    let mut files: Vec<String> = Vec::new();
    let mut state = State::new(Some("Bench Org".into()));
    let member_list = member_ids.join(", ");
    for (g, id) in ids.iter().enumerate() {
        if g % 2_000 == 0 {
            files.push(String::from("groups:\n"));
        }
        let manifest = files.last_mut().expect("a file");
        let bots = if g < notifications { "[bench]" } else { "[]" };
        manifest.push_str(&format!(
            "  g{g:05}: {{title: Group {g}, type: scene, owner: u000, members: [{member_list}], bots: {bots}}}\n"
        ));
        state.resources.insert(
            format!("group.g{g:05}").parse().unwrap(),
            ResourceState {
                id: Some(id.clone()),
                attributes: json!({"type": "scene"}),
                ..ResourceState::default()
            },
        );
    }
    let mut manifest =
        String::from("bots:\n  bench: {robot_code: dingbot-bench, name: Bench Bot}\n");
    if notifications > 0 {
        manifest.push_str("notifications:\n");
    }
    for n in 0..notifications {
        manifest.push_str(&format!(
            "  n{n:03}: {{schedule: \"{} 9 * * 1-5\", via: {{bot: bench, group: g{n:05}}}, message: {{text: {{content: \"Reminder {n} for {{{{date}}}}\"}}}}}}\n",
            n % 60,
        ));
    }
    let ws = dir.path().join("ws");
    std::fs::create_dir_all(&ws).unwrap();
    std::fs::write(
        ws.join("dingform.yaml"),
        "organization: Bench Org\ndefaults: {template: tpl-default}\n",
    )
    .unwrap();
    for (index, text) in files.iter().enumerate() {
        std::fs::write(ws.join(format!("groups-{index:02}.yaml")), text).unwrap();
    }
    std::fs::write(ws.join("notifications.yaml"), manifest).unwrap();
    Prepared {
        dir,
        emulator,
        base,
        ws,
        state,
    }
}

fn main() {
    log_support::init_from_env();
    let qps: f64 = std::env::var("DINGFORM_BENCH_QPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100.0);
    let rss_groups: usize = std::env::var("DINGFORM_BENCH_RSS_GROUPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let measure_cpu = std::env::var("DINGFORM_BENCH_CPU").as_deref() != Ok("0");
    // One thread, as the CLI runs (`cli::session::runtime`); `multi` or a number of workers
    // for a multi-threaded runtime.
    let runtime = match std::env::var("DINGFORM_BENCH_RUNTIME").as_deref() {
        Ok("multi") => tokio::runtime::Runtime::new(),
        Ok(n) if n.parse::<usize>().is_ok() => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(n.parse().unwrap())
            .enable_all()
            .build(),
        _ => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build(),
    }
    .unwrap();
    if measure_cpu {
        cpu(&runtime, qps);
    }
    if rss_groups > 0 {
        peak_memory(&runtime, rss_groups);
    }
}

/// The measured part: load, refresh at `qps` per API, build, in this process.
fn cpu(runtime: &tokio::runtime::Runtime, qps: f64) {
    let Prepared {
        dir: _dir,
        mut emulator,
        base,
        ws,
        state,
    } = prepare(runtime, GROUPS, MEMBERS, NOTIFICATIONS);
    let client = Arc::new(
        HttpClient::with_options(
            Endpoint::parse(&base).unwrap(),
            Credentials::new("bench-key", "bench-secret"),
            ClientOptions {
                rate_limit: if std::env::var("DINGFORM_BENCH_PACE").as_deref() == Ok("adaptive") {
                    RateLimit::adaptive()
                } else {
                    RateLimit::per_second(qps)
                },
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
    let cpu_refresh = cpu_seconds() - cpu_before - cpu_validate;
    let plan = dingform::plan::build(
        &validation,
        &state,
        &live,
        &dingform::plan::PlanOptions::default(),
    );
    let wall = started.elapsed();
    let cpu = cpu_seconds() - cpu_before;
    let stats = client.stats();
    let refused = refused_calls(runtime, &base);
    emulator.kill().ok();
    emulator.wait().ok();

    let changes = plan
        .changes
        .iter()
        .filter(|c| c.action != dingform::plan::Action::NoOp)
        .count();
    // The busiest APIs (the detail, members, bots and plugins reads) carry GROUPS each.
    let floor = Duration::from_secs_f64(GROUPS as f64 / qps);
    println!(
        "plan: {GROUPS} groups x {MEMBERS} members + {NOTIFICATIONS} notifications, QPS {qps} per API"
    );
    println!(
        "  reads: {}  requests: {}  throttled answers: {}  changes: {changes}",
        live.reads, stats.requests, stats.throttled
    );
    println!(
        "  wall: {:.2}s  floor: {:.2}s  (+{:.1}%)  cpu: {:.3}s ({:.3}s loading and validating, {:.3}s refresh, {:.3}s diff and checks)",
        wall.as_secs_f64(),
        floor.as_secs_f64(),
        (wall.as_secs_f64() / floor.as_secs_f64() - 1.0) * 100.0,
        cpu,
        cpu_validate,
        cpu_refresh,
        cpu - cpu_validate - cpu_refresh
    );
    if !refused.is_empty() {
        println!(
            "  refused by the emulator's qps_limit:\n    {}",
            refused.join("\n    ")
        );
    }
}

/// The APIs whose calls the emulator's `qps_limit` refused: `API: N (let through per window:
/// W W ..)`, one count for each of the emulator's one-second windows from that API's first
/// call on.
fn refused_calls(runtime: &tokio::runtime::Runtime, base: &str) -> Vec<String> {
    let counts: serde_json::Value = runtime.block_on(async {
        reqwest::Client::new()
            .get(format!("{base}/_emulator/qps"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    counts["apis"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|api| api["refused"].as_u64().unwrap_or(0) > 0)
        .map(|api| {
            let windows: Vec<String> = api["windows"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|count| count.to_string())
                .collect();
            format!(
                "{}: {} (let through per window: {})",
                api["api"].as_str().unwrap_or("?"),
                api["refused"],
                windows.join(" ")
            )
        })
        .collect()
}

/// `dingform plan` (the real binary) on `groups` managed groups: its peak RSS and CPU.
fn peak_memory(runtime: &tokio::runtime::Runtime, groups: usize) {
    let Prepared {
        dir,
        mut emulator,
        base,
        ws,
        mut state,
    } = prepare(runtime, groups, 20, 0);
    std::fs::write(
        ws.join("dingform.yaml"),
        "organization: Bench Org\ndefaults: {template: tpl-default}\nrate: 1000\n",
    )
    .unwrap();
    std::fs::create_dir_all(ws.join(".dingform")).unwrap();
    state.serial = 1;
    std::fs::write(
        ws.join(".dingform/state.json"),
        serde_json::to_vec(&state).unwrap(),
    )
    .unwrap();
    let report = dir.path().join("time.txt");
    let started = Instant::now();
    // A profiler to run the binary under (`heaptrack -o FILE`), for finding what holds memory.
    let wrap = std::env::var("DINGFORM_BENCH_WRAP").unwrap_or_default();
    let output = Command::new("/usr/bin/time")
        .arg("-o")
        .arg(&report)
        .args(["-f", "%M %U %S"])
        .args(wrap.split_whitespace())
        .arg(env!("CARGO_BIN_EXE_dingform"))
        .args(["plan", "--detailed-exitcode"])
        .arg(&ws)
        .env("DINGFORM_ENDPOINT", &base)
        .env("DINGTALK_APP_KEY", "bench-key")
        .env("DINGTALK_APP_SECRET", "bench-secret")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("/usr/bin/time runs the plan");
    let wall = started.elapsed();
    emulator.kill().ok();
    emulator.wait().ok();
    let stdout = String::from_utf8_lossy(&output.stdout);
    // 0: no changes, 2: changes (the bot is not in state); anything else is a failed plan.
    assert!(
        matches!(output.status.code(), Some(0 | 2)),
        "the plan of {groups} groups failed: {:?}\n{}{}",
        output.status,
        stdout.lines().last().unwrap_or_default(),
        String::from_utf8_lossy(&output.stderr)
    );
    let measured = std::fs::read_to_string(&report).unwrap_or_default();
    let fields: Vec<f64> = measured
        .lines()
        .last()
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|field| field.parse().ok())
        .collect();
    let [kib, user, system] = fields[..] else {
        panic!("/usr/bin/time said: {measured}");
    };
    println!("plan (the binary): {groups} groups x 20 members, all in state and read back");
    println!(
        "  peak RSS {:.0} MB (goal < 250 MB)  cpu {:.2}s  wall {:.1}s (paced by the per-IP ceiling)",
        kib / 1024.0,
        user + system,
        wall.as_secs_f64()
    );
}

/// This process's user + system CPU seconds.
/// The process's CPU time so far, every thread's, to the nanosecond (`CLOCK_PROCESS_CPUTIME_ID`;
/// `/proc/self/stat` counts in 10 ms ticks, a twentieth of the goal).
fn cpu_seconds() -> f64 {
    cpu_time::ProcessTime::now().as_duration().as_secs_f64()
}
