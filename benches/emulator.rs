//! Requests per second the emulator serves on loopback (not a timed test).
//!
//! `cargo bench --bench emulator` (release build). Client and server share the machine, so
//! the figures are a lower bound of what the emulator itself can serve. Settings:
//! `EMULATOR_BENCH_SECONDS` (default 5 per scenario), `EMULATOR_BENCH_CONCURRENCY` (64).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use dingform::emulator::{Emulator, EmulatorConfig, RunningEmulator, Seed};
use serde_json::{Value, json};

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

#[derive(Clone, Copy)]
enum Call {
    ApiRead,
    OapiRead,
    ApiWrite,
}

async fn one(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    group: &str,
    call: Call,
    n: u64,
) -> bool {
    let response = match call {
        Call::ApiRead => {
            http.post(format!("{base}/v1.0/im/sceneGroups/query"))
                .header("x-acs-dingtalk-access-token", token)
                .json(&json!({"openConversationId": group}))
                .send()
                .await
        }
        Call::OapiRead => {
            http.post(format!("{base}/topapi/v2/user/get"))
                .query(&[("access_token", token)])
                .json(&json!({"userid": "u1001"}))
                .send()
                .await
        }
        Call::ApiWrite => {
            http.post(format!("{base}/v1.0/im/sceneGroup/create"))
                .header("x-acs-dingtalk-access-token", token)
                .json(&json!({"title": format!("bench {n}"), "template_id": "tpl-default", "owner_user_id": "manager4220"}))
                .send()
                .await
        }
    };
    match response {
        Ok(response) => response.status().is_success() && response.bytes().await.is_ok(),
        Err(_) => false,
    }
}

async fn run(emulator: &RunningEmulator, name: &str, call: Call) {
    let seconds = setting("EMULATOR_BENCH_SECONDS", 5);
    let concurrency = setting("EMULATOR_BENCH_CONCURRENCY", 64);
    let base = emulator.base_url();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()
        .unwrap();
    let token: Value = http
        .post(format!("{base}/v1.0/oauth2/accessToken"))
        .json(&json!({"appKey": "demo-key", "appSecret": "demo-secret"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["accessToken"].as_str().unwrap().to_owned();
    let group: Value = http
        .post(format!("{base}/v1.0/im/sceneGroup/create"))
        .header("x-acs-dingtalk-access-token", &token)
        .json(&json!({"title": "bench", "template_id": "tpl-default", "owner_user_id": "manager4220", "user_ids": ["u1001"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let group = group["open_conversation_id"].as_str().unwrap().to_owned();
    let ok = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut workers = Vec::new();
    for worker in 0..concurrency {
        let (http, base, token, group) = (http.clone(), base.clone(), token.clone(), group.clone());
        let (ok, failed) = (ok.clone(), failed.clone());
        workers.push(tokio::spawn(async move {
            let mut n = worker * 1_000_000;
            while Instant::now() < deadline {
                n += 1;
                if one(&http, &base, &token, &group, call, n).await {
                    ok.fetch_add(1, Ordering::Relaxed);
                } else {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for worker in workers {
        worker.await.unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let ok = ok.load(Ordering::Relaxed);
    println!(
        "{name:<48} {:>9.0} requests/s  ({ok} ok, {} failed, {concurrency} clients, {elapsed:.1} s)",
        ok as f64 / elapsed,
        failed.load(Ordering::Relaxed)
    );
}

async fn start(data_file: Option<std::path::PathBuf>) -> RunningEmulator {
    Emulator::start(EmulatorConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_file,
        seed: Seed::demo(),
    })
    .await
    .unwrap()
}

fn main() {
    // `cargo bench` passes `--bench`; there is nothing to filter.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let emulator = start(None).await;
        run(&emulator, "v1.0 sceneGroups/query (read)", Call::ApiRead).await;
        run(&emulator, "oapi /topapi/v2/user/get (read)", Call::OapiRead).await;
        run(
            &emulator,
            "v1.0 sceneGroup/create (write, in memory)",
            Call::ApiWrite,
        )
        .await;
        emulator.shutdown().await;
        let dir = tempfile::tempdir().unwrap();
        let emulator = start(Some(dir.path().join("bench.json"))).await;
        run(
            &emulator,
            "v1.0 sceneGroup/create (write, fsync'd file)",
            Call::ApiWrite,
        )
        .await;
        emulator.shutdown().await;
    });
}
