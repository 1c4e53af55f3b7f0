//! A measurement, not a check of behaviour: how close concurrent reads come to the floor the
//! platform's QPS sets (reads needed ÷ QPS per API). Run with
//! `cargo test --release --test provider_throughput -- --ignored --nocapture`.

use std::time::Instant;

use crate::common::{Emu, fast_retries};
use dingform::provider::{ClientOptions, NewSceneGroup, RateLimit, SceneGroupApi};
use serde_json::json;

/// User + system CPU seconds of this process (emulator included), from /proc.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks: f64 = fields.get(11..13).map_or(0.0, |f| {
        f.iter().filter_map(|t| t.parse::<f64>().ok()).sum()
    });
    ticks / 100.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement; takes seconds"]
async fn concurrent_group_reads_approach_the_qps_floor() {
    const GROUPS: usize = 200;
    const QPS: f64 = 50.0;
    let emu = Emu::start().await;
    let client = emu.client_with(ClientOptions {
        rate_limit: RateLimit::per_second(QPS),
        retry: fast_retries(6),
        ..ClientOptions::default()
    });
    emu.faults(json!({ "qps_limit": QPS as u32 })).await;
    let creates: Vec<_> = (0..GROUPS)
        .map(|n| {
            let client = client.clone();
            tokio::spawn(async move {
                let group = NewSceneGroup {
                    title: format!("group {n}"),
                    template_id: "tpl-default".into(),
                    owner: "manager4220".into(),
                    members: vec!["manager4220".into(), "u1001".into(), "u1002".into()],
                    uuid: Some(format!("group.{n}")),
                    ..NewSceneGroup::default()
                };
                client
                    .create_scene_group(&group)
                    .await
                    .expect("create")
                    .open_conversation_id
            })
        })
        .collect();
    let mut ids = Vec::new();
    for create in creates {
        ids.push(create.await.unwrap());
    }
    let throttled_before = client.stats().throttled;
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let reads: Vec<_> = ids
        .into_iter()
        .map(|id| {
            let client = client.clone();
            tokio::spawn(async move { client.get_scene_group(&id).await.expect("read") })
        })
        .collect();
    for read in reads {
        read.await.unwrap();
    }
    let wall = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_before;
    // Each read is one queryDetail + one batchQuery: two APIs, each limited separately.
    let floor = (GROUPS as f64 - 1.0) / QPS;
    eprintln!(
        "{GROUPS} scene-group reads at {QPS}/s per API: wall {wall:.2} s, floor {floor:.2} s \
         ({:+.1} %), CPU {cpu:.2} s (client and emulator), throttled answers {}",
        (wall / floor - 1.0) * 100.0,
        client.stats().throttled - throttled_before
    );
    assert!(
        wall >= floor * 0.99,
        "faster than the limit allows: {wall} < {floor}"
    );
}
