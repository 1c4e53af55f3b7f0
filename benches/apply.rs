//! Apply throughput against the emulator under the platform's QPS limit, side by side with
//! plain scripts on DingTalk's official SDK (`benches/sdk/apply_scene_groups.py`).
//!
//! `cargo bench --bench apply` creates 300 and 1,000 scene groups (env `DINGFORM_BENCH_GROUPS`,
//! a comma-separated list) with the emulator enforcing 20 and 50 requests/s per app per API
//! (`DINGFORM_BENCH_QPS`, a list). dingform is not told the limit: its client paces adaptively
//! (`RateLimit::adaptive`, what the CLI does without `rate:`), starting at the documented 20.
//! The floor is the busiest API's requests ÷ QPS (each group is one create, then one read of
//! its join URL on another API, each limited separately). Reports wall time against the
//! floor, the throttling answers met (retried, never surfaced: a throttled step would be a
//! failed step) and the pace learned per API; then the same groups made by the SDK script with
//! one thread and with eight, each against a fresh emulator, when the SDK's Python is found
//! (`DINGFORM_SDK_PYTHON`, default `target/sdk-venv/bin/python`, installed by `scripts/test`).

mod groups_support;

use std::sync::Arc;
use std::time::Instant;

use dingform::apply::{self, ApplyOptions, Progress, StepOutcome};
use dingform::emulator::{Emulator, EmulatorConfig, Seed};
use dingform::plan::{self, Action, PlanOptions};
use dingform::provider::{ClientOptions, Credentials, Endpoint, HttpClient, RateLimit};
use dingform::state::StateFile;

struct Silent;

impl Progress for Silent {
    fn start(&self, _steps: usize) {}
    fn step(&self, _address: &dingform::model::Address, _action: Action, _outcome: &StepOutcome) {}
}

fn env_list(name: &str, default: &[f64]) -> Vec<f64> {
    std::env::var(name)
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .filter(|list: &Vec<f64>| !list.is_empty())
        .unwrap_or_else(|| default.to_vec())
}

fn main() {
    let groups = env_list("DINGFORM_BENCH_GROUPS", &[300.0, 1000.0]);
    let qps = env_list("DINGFORM_BENCH_QPS", &[20.0, 50.0]);
    let python = std::env::var("DINGFORM_SDK_PYTHON")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/sdk-venv/bin/python")
        });
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    for &qps in &qps {
        for &groups in &groups {
            runtime.block_on(run(groups as usize, qps));
            if python.exists() {
                for threads in [1, 8] {
                    runtime.block_on(sdk(&python, groups as usize, qps, threads));
                }
            } else {
                println!("  (SDK scripts skipped: no {})", python.display());
            }
        }
    }
}

/// An emulator in this process, enforcing `qps` per app per API. In memory: with a data file
/// every create rewrote the whole world (fsync'd) before answering, a cost that grows with
/// the groups made and that the platform does not have.
async fn emulator(_dir: &std::path::Path, qps: f64) -> dingform::emulator::RunningEmulator {
    let emulator = Emulator::start(EmulatorConfig {
        listen: "127.0.0.1:0".parse().expect("address"),
        data_file: None,
        seed: Seed::demo(),
    })
    .await
    .expect("the emulator starts");
    let answer = reqwest::Client::new()
        .post(format!("{}/_emulator/faults", emulator.base_url()))
        .json(&serde_json::json!({"qps_limit": qps as u32}))
        .send()
        .await
        .expect("admin API reachable");
    // The limit is an integer count per window: a refused fault set would measure nothing.
    assert!(
        answer.status().is_success(),
        "faults refused: {}",
        answer.status()
    );
    emulator
}

/// The SDK script with `threads` threads against a fresh emulator.
async fn sdk(python: &std::path::Path, groups: usize, qps: f64, threads: usize) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let emulator = emulator(dir.path(), qps).await;
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/sdk/apply_scene_groups.py");
    let output = tokio::process::Command::new(python)
        .arg(script)
        .arg(emulator.base_url())
        .arg(groups.to_string())
        .arg(threads.to_string())
        .output()
        .await
        .expect("the SDK script runs");
    emulator.shutdown().await;
    if !output.status.success() {
        println!(
            "  SDK script, {threads} thread(s): failed: {}",
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .last()
                .unwrap_or_default()
        );
        return;
    }
    let result: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("the SDK script prints JSON");
    let wall = result["wall"].as_f64().unwrap_or_default();
    let floor = groups as f64 / qps;
    println!(
        "  SDK script, {threads} thread(s): wall {wall:.1}s ({:+.1}% over the floor), {} requests, {} throttling answers",
        (wall / floor - 1.0) * 100.0,
        result["requests"],
        result["throttled"]
    );
}

async fn run(groups: usize, qps: f64) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let emulator = emulator(dir.path(), qps).await;
    let base = emulator.base_url();

    let workspace = groups_support::write_workspace(dir.path(), &base, groups);

    let validation = dingform::manifest::validate(&workspace);
    let state_file = StateFile::new(workspace.join(".dingform/state.json"));
    let state = state_file.read_or_new(None).expect("state");
    // Not told the limit: the adaptive pace, as the CLI runs without `rate:`.
    let options = ClientOptions {
        rate_limit: RateLimit::adaptive(),
        ..ClientOptions::default()
    };
    let client = Arc::new(
        HttpClient::with_options(
            Endpoint::parse(&base).expect("endpoint"),
            Credentials::new("demo-key", "demo-secret"),
            options,
        )
        .expect("client"),
    );
    let now = chrono::Utc::now();
    let live = plan::refresh::refresh(client.clone(), &validation.workspace, &state, now)
        .await
        .expect("refresh");
    let plan = plan::build(&validation, &state, &live, &PlanOptions::default());
    assert!(!plan.is_blocked(), "the generated plan has error findings");
    let lock = dingform::state::StateStore::lock(&state_file, "bench", std::time::Duration::ZERO)
        .await
        .expect("lock");
    let before = client.stats();
    let started = Instant::now();
    let report = apply::apply(
        client.clone(),
        &plan,
        state,
        &state_file,
        &lock,
        &ApplyOptions::default(),
        &Silent,
    )
    .await
    .expect("apply");
    let wall = started.elapsed().as_secs_f64();
    let after = client.stats();
    let requests = after.requests - before.requests;
    // Two APIs (create, read) each carry one request per group: the busiest has `groups`.
    let floor = groups as f64 / qps;
    println!(
        "apply: {groups} scene-group creations, the emulator at {qps} requests/s per API, dingform not told"
    );
    println!(
        "  wall {wall:.1}s, floor {floor:.1}s ({:+.1}% over the floor)",
        (wall / floor - 1.0) * 100.0
    );
    let throttled = after.throttled - before.throttled;
    println!(
        "  {requests} requests, {} retries, {throttled} throttling answers met ({:.1}% of the requests), {} token fetches",
        after.retries - before.retries,
        throttled as f64 * 100.0 / requests.max(1) as f64,
        after.token_fetches - before.token_fetches
    );
    let learned: Vec<String> = client
        .learned_rates()
        .iter()
        .filter(|learned| learned.throttled_windows > 0)
        .map(|learned| format!("{} {:.1}/s", learned.api, learned.per_second))
        .collect();
    println!("  pace learned: {}", learned.join(", "));
    println!(
        "  {} added, {} failed steps surfaced",
        report.added,
        report.failed.len()
    );
    assert!(report.failed.is_empty(), "failures: {:?}", report.failed);
    drop(lock);
    emulator.shutdown().await;
}
