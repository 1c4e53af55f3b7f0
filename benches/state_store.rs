//! Apply with the state in PostgreSQL and in S3 against the same apply with the state file,
//! side by side.
//!
//! `cargo bench --bench state_store` runs, in one process, applies of 1,000 scene groups
//! (env `DINGFORM_BENCH_GROUPS`) against the emulator at 20 requests/s per API
//! (`DINGFORM_BENCH_QPS`), each into a fresh emulator: one with the file store, one with
//! PostgreSQL at `DINGFORM_TEST_POSTGRES` (`eval "$(scripts/postgres-throwaway start)"` first)
//! and one with S3 at `DINGFORM_TEST_S3` (`eval "$(scripts/s3-throwaway start)"`), each when its
//! variable is set. Reports the wall times, the differences, and the state writes each made.

mod groups_support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use dingform::apply::{self, ApplyOptions, Progress, StepOutcome};
use dingform::emulator::{Emulator, EmulatorConfig, Seed};
use dingform::plan::{self, Action, PlanOptions};
use dingform::provider::{ClientOptions, Credentials, Endpoint, HttpClient, RateLimit};
use dingform::state::StateFile;
use dingform::state::postgres::PostgresStore;
use dingform::state::s3::{S3Store, S3Target};
use dingform::state::store::{self, StateStore};

/// The binary's allocator (`src/main.rs`), so that what is measured here is the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Silent;

impl Progress for Silent {
    fn start(&self, _steps: usize) {}
    fn step(&self, _address: &dingform::model::Address, _action: Action, _outcome: &StepOutcome) {}
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
    let postgres_server = std::env::var("DINGFORM_TEST_POSTGRES").ok();
    let s3_server = std::env::var("DINGFORM_TEST_S3").ok();
    assert!(
        postgres_server.is_some() || s3_server.is_some(),
        "set DINGFORM_TEST_POSTGRES or DINGFORM_TEST_S3: run \
         `eval \"$(scripts/postgres-throwaway start)\"` or `eval \"$(scripts/s3-throwaway start)\"` first"
    );
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temporary directory");
        let file = StateFile::new(dir.path().join("state.json"));
        let mut shared: Vec<(&str, Box<dyn StateStore>)> = Vec::new();
        if let Some(server) = &postgres_server {
            let database = fresh_database(server).await;
            shared.push((
                "PostgreSQL",
                Box::new(PostgresStore::new(&database, "bench").expect("store")),
            ));
        }
        if let Some(endpoint) = &s3_server {
            shared.push(("S3", Box::new(fresh_bucket(endpoint).await)));
        }
        let names: Vec<&str> = shared.iter().map(|(name, _)| *name).collect();
        println!(
            "apply: {groups} scene-group creations at {qps} requests/s per API, state in a file vs {}",
            names.join(" vs ")
        );
        let file_wall = run(groups, qps, &file).await;
        println!("  file {:.1}s", file_wall.as_secs_f64());
        for (name, store) in &shared {
            let wall = run(groups, qps, store.as_ref()).await;
            let writes = store.history().await.expect("history").len();
            println!(
                "  {name} {:.1}s: {:+.1}% against the file ({writes} state versions written)",
                wall.as_secs_f64(),
                (wall.as_secs_f64() / file_wall.as_secs_f64() - 1.0) * 100.0
            );
        }
    });
}

/// A new bucket on the moto server at `endpoint` (it makes one on a plain `PUT /BUCKET`).
async fn fresh_bucket(endpoint: &str) -> S3Store {
    let bucket = format!("bench-{}", uuid::Uuid::new_v4().simple());
    reqwest::Client::new()
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .expect("the test S3 server answers")
        .error_for_status()
        .expect("bucket made");
    let settings = [
        ("AWS_ENDPOINT_URL", endpoint),
        ("AWS_ALLOW_HTTP", "true"),
        ("AWS_ACCESS_KEY_ID", "bench"),
        ("AWS_SECRET_ACCESS_KEY", "bench-secret"),
        ("AWS_REGION", "us-east-1"),
    ]
    .map(|(name, value)| (name.to_owned(), value.to_owned()));
    let target =
        S3Target::from_url_with(&format!("s3://{bucket}/dingform"), settings).expect("URL");
    S3Store::with_target(target, "bench")
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
    let workspace = groups_support::write_workspace(dir.path(), &base, groups);
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
