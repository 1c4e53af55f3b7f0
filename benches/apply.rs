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
//!
//! Every run starts at the same point of the emulator's one-second windows: the emulator
//! counts them from its own start, and where in a window a run begins decides about one
//! window of its wall time. Before each timed part (dingform's apply, each script's loop once
//! its token is fetched and it says `ready`), the bench asks the emulator how far into its
//! window it is (`GET /_emulator/qps`, `window_phase_ms`) and lets the client go
//! [`START_AFTER`] after the next window begins. After each run it prints how many calls the
//! emulator let through in each window of the create API, and which windows were not full.

mod groups_support;
mod log_support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use dingform::apply::{self, ApplyOptions, Progress, StepOutcome};
use dingform::emulator::{Emulator, EmulatorConfig, Seed};
use dingform::plan::{self, Action, PlanOptions};
use dingform::provider::{ClientOptions, Credentials, Endpoint, HttpClient, RateLimit};
use dingform::state::StateFile;

/// The binary's allocator (`src/main.rs`), so that what is measured here is the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Prints nothing; remembers when the first and the last step finished.
#[derive(Default)]
struct Silent {
    finished: std::sync::Mutex<(Option<Instant>, Option<Instant>)>,
}

impl Progress for Silent {
    fn start(&self, _steps: usize) {}
    fn step(&self, _address: &dingform::model::Address, _action: Action, _outcome: &StepOutcome) {
        let now = Instant::now();
        let mut finished = self.finished.lock().expect("not poisoned");
        finished.0.get_or_insert(now);
        finished.1 = Some(now);
    }
}

fn env_list(name: &str, default: &[f64]) -> Vec<f64> {
    std::env::var(name)
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .filter(|list: &Vec<f64>| !list.is_empty())
        .unwrap_or_else(|| default.to_vec())
}

fn main() {
    log_support::init_from_env();
    let groups = env_list("DINGFORM_BENCH_GROUPS", &[300.0, 1000.0]);
    let qps = env_list("DINGFORM_BENCH_QPS", &[20.0, 50.0]);
    let python = std::env::var("DINGFORM_SDK_PYTHON")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/sdk-venv/bin/python")
        });
    // dingform's side runs on one thread, as the CLI does (`cli::session::runtime`).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    // The emulator serves on threads of its own, as a server in another process would: on the
    // client's runtime, dingform's requests and the emulator's answers shared two worker
    // threads, while each SDK script had a process of its own.
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("emulator")
        .enable_all()
        .build()
        .expect("the emulator's runtime");
    SERVER.set(server.handle().clone()).expect("set once");
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

/// How long after one of the emulator's windows begins each timed run starts.
const START_AFTER: Duration = Duration::from_millis(5);

/// Sleep until [`START_AFTER`] past the start of the emulator's next one-second window.
async fn align_to_window(base: &str) {
    let answer: serde_json::Value = reqwest::Client::new()
        .get(format!("{base}/_emulator/qps"))
        .send()
        .await
        .expect("admin API reachable")
        .json()
        .await
        .expect("qps is JSON");
    let phase = answer["window_phase_ms"]
        .as_f64()
        .expect("the emulator reports its window phase");
    let wait = Duration::from_secs_f64((1000.0 - phase) / 1000.0) + START_AFTER;
    tokio::time::sleep(wait).await;
}

/// What the emulator let through in each window of the create API: one line of counts, and
/// the windows (after the first and before the last) that took less than the limit.
async fn print_windows(base: &str, qps: f64) {
    let answer: serde_json::Value = reqwest::get(format!("{base}/_emulator/qps"))
        .await
        .expect("admin API reachable")
        .json()
        .await
        .expect("qps is JSON");
    let Some(create) = answer["apis"].as_array().and_then(|rows| {
        rows.iter().find(|row| {
            row["api"]
                .as_str()
                .is_some_and(|api| api.ends_with("sceneGroup/create"))
        })
    }) else {
        return;
    };
    let windows: Vec<u64> = create["windows"]
        .as_array()
        .map(|windows| {
            windows
                .iter()
                .filter_map(serde_json::Value::as_u64)
                .collect()
        })
        .unwrap_or_default();
    // The windows before the run's first call (plan, refresh) count 0: skip them.
    let first = windows.iter().position(|count| *count > 0).unwrap_or(0);
    let run = &windows[first..];
    let short: Vec<String> = run
        .iter()
        .enumerate()
        .skip(1)
        .take(run.len().saturating_sub(2))
        .filter(|(_, count)| (**count as f64) < qps)
        .map(|(index, count)| format!("#{index}: {count}"))
        .collect();
    let counts: Vec<String> = run.iter().map(u64::to_string).collect();
    println!(
        "    create API, calls let through per window: {} ({} windows; not full: {})",
        counts.join(" "),
        run.len(),
        if short.is_empty() {
            "none".to_owned()
        } else {
            short.join(", ")
        }
    );
}

/// The runtime the emulator serves on.
static SERVER: std::sync::OnceLock<tokio::runtime::Handle> = std::sync::OnceLock::new();

fn server() -> &'static tokio::runtime::Handle {
    SERVER.get().expect("the emulator's runtime is set")
}

/// Stop an emulator on its own runtime.
async fn stop(emulator: dingform::emulator::RunningEmulator) {
    server()
        .spawn(emulator.shutdown())
        .await
        .expect("the emulator stops");
}

/// An emulator in this process, on its own threads, enforcing `qps` per app per API. In memory: with a data file
/// every create rewrote the whole world (fsync'd) before answering, a cost that grows with
/// the groups made and that the platform does not have.
async fn emulator(_dir: &std::path::Path, qps: f64) -> dingform::emulator::RunningEmulator {
    let emulator = server()
        .spawn(Emulator::start(EmulatorConfig {
            listen: "127.0.0.1:0".parse().expect("address"),
            data_file: None,
            seed: Seed::demo(),
        }))
        .await
        .expect("the emulator's start ends")
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
    let mut child = tokio::process::Command::new(python)
        .arg(script)
        .arg(emulator.base_url())
        .arg(groups.to_string())
        .arg(threads.to_string())
        .env("DINGFORM_SDK_WAIT_FOR_GO", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the SDK script runs");
    let mut stdout = tokio::io::BufReader::new(child.stdout.take().expect("stdout"));
    let mut ready = String::new();
    tokio::io::AsyncBufReadExt::read_line(&mut stdout, &mut ready)
        .await
        .expect("the SDK script's stdout");
    if ready.trim() == "ready" {
        // Imports done and the token fetched: the loop starts where dingform's apply does.
        align_to_window(&emulator.base_url()).await;
        let mut stdin = child.stdin.take().expect("stdin");
        tokio::io::AsyncWriteExt::write_all(&mut stdin, b"go\n")
            .await
            .expect("the SDK script's stdin");
    }
    let mut rest = Vec::new();
    tokio::io::AsyncReadExt::read_to_end(&mut stdout, &mut rest)
        .await
        .expect("the SDK script's stdout");
    let output = child.wait_with_output().await.expect("the SDK script ends");
    let base = emulator.base_url();
    if !output.status.success() {
        println!(
            "  SDK script, {threads} thread(s): failed: {}",
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .last()
                .unwrap_or_default()
        );
        stop(emulator).await;
        return;
    }
    let result: serde_json::Value =
        serde_json::from_slice(&rest).expect("the SDK script prints JSON");
    let wall = result["wall"].as_f64().unwrap_or_default();
    let floor = groups as f64 / qps;
    println!(
        "  SDK script, {threads} thread(s): wall {wall:.2}s ({:+.1}% over the floor), {} requests, {} throttling answers",
        (wall / floor - 1.0) * 100.0,
        result["requests"],
        result["throttled"]
    );
    print_windows(&base, qps).await;
    stop(emulator).await;
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
    let progress = Silent::default();
    align_to_window(&base).await;
    let before = client.stats();
    let started = Instant::now();
    let report = apply::apply(
        client.clone(),
        &plan,
        state,
        &state_file,
        &lock,
        &ApplyOptions::default(),
        &progress,
    )
    .await
    .expect("apply");
    let wall = started.elapsed().as_secs_f64();
    let (first_step, last_step) = *progress.finished.lock().expect("not poisoned");
    let since = |at: Option<Instant>| at.map_or(0.0, |at| (at - started).as_secs_f64());
    let after = client.stats();
    let requests = after.requests - before.requests;
    // Two APIs (create, read) each carry one request per group: the busiest has `groups`.
    let floor = groups as f64 / qps;
    println!(
        "apply: {groups} scene-group creations, the emulator at {qps} requests/s per API, dingform not told"
    );
    println!(
        "  wall {wall:.2}s, floor {floor:.1}s ({:+.1}% over the floor)",
        (wall / floor - 1.0) * 100.0
    );
    println!(
        "  first step done at {:.3}s, last at {:.3}s, apply returned {:.3}s after it",
        since(first_step),
        since(last_step),
        wall - since(last_step)
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
    print_windows(&base, qps).await;
    println!(
        "  {} added, {} failed steps surfaced",
        report.added,
        report.failed.len()
    );
    assert!(report.failed.is_empty(), "failures: {:?}", report.failed);
    drop(lock);
    stop(emulator).await;
}
