//! Apply throughput against the emulator under the platform's QPS limit.
//!
//! `cargo bench --bench apply` creates 1,000 scene groups (env `DINGFORM_BENCH_GROUPS`) with
//! the emulator enforcing 20 requests/s per app per API (`DINGFORM_BENCH_QPS`) and the client
//! pacing itself at the same rate. The floor is the busiest API's requests ÷ QPS (each group
//! is one create and one read for its join URL, on two APIs that are limited separately).
//! Reports wall time against the floor, and the throttling answers met (retried, never
//! surfaced: a throttled step would be a failed step).

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
    fn step(&self, _address: &str, _action: Action, _outcome: &StepOutcome) {}
}

fn env_number(name: &str, default: f64) -> f64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let groups = env_number("DINGFORM_BENCH_GROUPS", 1000.0) as usize;
    let qps = env_number("DINGFORM_BENCH_QPS", 20.0);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(run(groups, qps));
}

async fn run(groups: usize, qps: f64) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let emulator = Emulator::start(EmulatorConfig {
        listen: "127.0.0.1:0".parse().expect("address"),
        data_file: Some(dir.path().join("emulator.json")),
        seed: Seed::demo(),
    })
    .await
    .expect("the emulator starts");
    let base = emulator.base_url();
    let admin = reqwest::Client::new();
    admin
        .post(format!("{base}/_emulator/faults"))
        .json(&serde_json::json!({"qps_limit": qps}))
        .send()
        .await
        .expect("faults set");

    let workspace = dir.path().join("workspace");
    std::fs::create_dir_all(&workspace).expect("workspace");
    std::fs::write(
        workspace.join("dingform.yaml"),
        format!("organization: Test Organization Demo\nendpoint: {base}\n"),
    )
    .expect("settings");
    let mut yaml = String::from("groups:\n");
    for i in 0..groups {
        yaml.push_str(&format!(
            "  g{i:04}: {{title: Group {i:04}, type: scene, template: tpl-default, owner: manager4220, members: [u1001]}}\n"
        ));
    }
    std::fs::write(workspace.join("groups.yaml"), yaml).expect("manifests");

    let validation = dingform::manifest::validate(&workspace);
    let state_file = StateFile::new(workspace.join(".dingform/state.json"));
    let state = state_file.read_or_new(None).expect("state");
    let options = ClientOptions {
        rate_limit: RateLimit {
            per_second: qps,
            ..RateLimit::default()
        },
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
        "apply: {groups} scene-group creations, {qps} requests/s per API (emulator and client)"
    );
    println!(
        "  wall {wall:.1}s, floor {floor:.1}s ({:+.1}% over the floor)",
        (wall / floor - 1.0) * 100.0
    );
    println!(
        "  {requests} requests, {} retries, {} throttling answers met, {} token fetches",
        after.retries - before.retries,
        after.throttled - before.throttled,
        after.token_fetches - before.token_fetches
    );
    println!(
        "  {} added, {} failed steps surfaced",
        report.added,
        report.failed.len()
    );
    assert!(report.failed.is_empty(), "failures: {:?}", report.failed);
    drop(lock);
    emulator.shutdown().await;
}
