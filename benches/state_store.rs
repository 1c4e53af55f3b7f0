//! Apply with the state in PostgreSQL against the same apply with the state file, side by side.
//!
//! `cargo bench --bench state_store` runs, in one process, two applies of 1,000 scene groups
//! (env `DINGFORM_BENCH_GROUPS`) against the emulator at 20 requests/s per API
//! (`DINGFORM_BENCH_QPS`), each into a fresh emulator: one with the file store, one with
//! PostgreSQL at `DINGFORM_TEST_POSTGRES` (`eval "$(scripts/postgres-throwaway start)"` first).
//! Reports both wall times, the difference, and the state writes each made.

use std::sync::Arc;
use std::time::{Duration, Instant};

use dingform::apply::{self, ApplyOptions, Progress, StepOutcome};
use dingform::emulator::{Emulator, EmulatorConfig, Seed};
use dingform::plan::{self, Action, PlanOptions};
use dingform::provider::{ClientOptions, Credentials, Endpoint, HttpClient, RateLimit};
use dingform::state::StateFile;
use dingform::state::postgres::PostgresStore;
use dingform::state::store::{self, StateStore};

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
    let server = std::env::var("DINGFORM_TEST_POSTGRES")
        .expect("DINGFORM_TEST_POSTGRES: run `eval \"$(scripts/postgres-throwaway start)\"` first");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let database = fresh_database(&server).await;
        let dir = tempfile::tempdir().expect("temporary directory");
        let file = StateFile::new(dir.path().join("state.json"));
        let postgres = PostgresStore::new(&database, "bench").expect("store");
        println!(
            "apply: {groups} scene-group creations at {qps} requests/s per API, state in a file vs PostgreSQL"
        );
        let file_wall = run(groups, qps, &file).await;
        let postgres_wall = run(groups, qps, &postgres).await;
        let writes = postgres.history().await.expect("history").len();
        println!(
            "  file {:.1}s, PostgreSQL {:.1}s: {:+.1}% ({writes} state versions written)",
            file_wall.as_secs_f64(),
            postgres_wall.as_secs_f64(),
            (postgres_wall.as_secs_f64() / file_wall.as_secs_f64() - 1.0) * 100.0
        );
    });
}

async fn fresh_database(server: &str) -> String {
    let name = format!("bench_{}", uuid::Uuid::new_v4().simple());
    let (client, connection) = tokio_postgres::connect(server, tokio_postgres::NoTls)
        .await
        .expect("the test PostgreSQL answers");
    tokio::spawn(connection);
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create database");
    let mut url = url::Url::parse(server).expect("URL");
    url.set_path(&name);
    url.to_string()
}

async fn run(groups: usize, qps: f64, state_store: &dyn StateStore) -> Duration {
    let dir = tempfile::tempdir().expect("temporary directory");
    let emulator = Emulator::start(EmulatorConfig {
        listen: "127.0.0.1:0".parse().expect("address"),
        data_file: Some(dir.path().join("emulator.json")),
        seed: Seed::demo(),
    })
    .await
    .expect("the emulator starts");
    let base = emulator.base_url();
    reqwest::Client::new()
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
    let state = store::read_or_new(state_store, None).await.expect("state");
    let live = plan::refresh::refresh(
        client.clone(),
        &validation.workspace,
        &state,
        chrono::Utc::now(),
    )
    .await
    .expect("refresh");
    let plan = plan::build(&validation, &state, &live, &PlanOptions::default());
    assert!(!plan.is_blocked(), "the generated plan has error findings");
    let started = Instant::now();
    let lock = state_store
        .lock("bench", Duration::ZERO)
        .await
        .expect("lock");
    let report = apply::apply(
        client.clone(),
        &plan,
        state,
        state_store,
        &lock,
        &ApplyOptions::default(),
        &Silent,
    )
    .await
    .expect("apply");
    state_store.release(lock).await.expect("release");
    let wall = started.elapsed();
    assert!(report.failed.is_empty(), "failures: {:?}", report.failed);
    assert_eq!(report.added, groups);
    emulator.shutdown().await;
    wall
}
