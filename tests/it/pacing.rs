//! Adaptive pacing against the emulator's `qps_limit` (the platform's per-app-per-API count in
//! one-second windows): the client, told nothing, converges near the limit, backs off after a
//! throttling answer, never hands a throttling answer to its caller, and a pinned `rate:` stays
//! pinned. The emulator side: calls are counted per API (path template), not per concrete path.

use crate::common::emulator::read_users_at_once;
use crate::common::{Emu, fast_retries};
use dingform::provider::{ChatApi, ClientOptions, RateLimit, SceneGroupApi};
use serde_json::{Value, json};

fn adaptive() -> ClientOptions {
    ClientOptions {
        rate_limit: RateLimit::adaptive(),
        retry: fast_retries(6),
        ..ClientOptions::default()
    }
}

/// What the emulator's `qps_limit` counted for one API.
async fn counted(emu: &Emu, api: &str) -> Value {
    emu.admin_api().qps_of(api).await
}

/// The calls let through per window.
fn windows(count: &Value) -> Vec<u64> {
    count["windows"]
        .as_array()
        .expect("windows")
        .iter()
        .map(|n| n.as_u64().unwrap())
        .collect()
}

/// The calls let through per window, leaving out the first and the last (partial) windows.
fn full_windows(count: &Value) -> Vec<u64> {
    let windows = windows(count);
    windows[1..windows.len() - 1].to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn told_nothing_the_pace_grows_to_near_the_limit_the_platform_enforces() {
    const LIMIT: u64 = 50;
    let emu = Emu::start().await;
    let client = emu.client_with(adaptive());
    client.authenticate().await.expect("token");
    emu.faults(json!({ "qps_limit": LIMIT })).await;
    read_users_at_once(&client, 300).await;

    let stats = client.stats();
    let learned = &client.learned_rates()[0];
    assert_eq!(learned.api, "/topapi/v2/user/get");
    // Started at the documented 20, learned about 50.
    assert!(
        learned.per_second > LIMIT as f64 * 0.8 && learned.per_second < LIMIT as f64 * 1.2,
        "learned {learned:?}"
    );
    assert!(learned.throttled_windows >= 1, "{learned:?}");
    let count = counted(&emu, "/topapi/v2/user/get").await;
    assert_eq!(count["refused"].as_u64(), Some(stats.throttled));
    assert!(
        stats.throttled * 20 < 300,
        "throttling answers under 5% of the calls: {stats:?}"
    );
    // Once grown, each window is (nearly) full: the windows after the first two carry at least
    // 85% of the limit on average.
    let windows = full_windows(&count);
    let settled = &windows[1.min(windows.len())..];
    let mean = settled.iter().sum::<u64>() as f64 / settled.len().max(1) as f64;
    assert!(
        mean >= LIMIT as f64 * 0.85,
        "calls per window {:?}",
        count["windows"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn below_the_documented_rate_the_pace_backs_off_after_the_first_throttling_answer() {
    const LIMIT: u64 = 8;
    let emu = Emu::start().await;
    let client = emu.client_with(adaptive());
    client.authenticate().await.expect("token");
    emu.faults(json!({ "qps_limit": LIMIT })).await;
    read_users_at_once(&client, 40).await;

    let learned = &client.learned_rates()[0];
    // The documented 20 was too fast: the pace came down to about the limit.
    assert!(
        learned.per_second < 20.0 && learned.per_second <= LIMIT as f64 * 1.25,
        "learned {learned:?}"
    );
    let stats = client.stats();
    assert!(stats.throttled >= 1, "{stats:?}");
    // After the first full window the client waits for the next instead of sending into it.
    assert!(
        stats.throttled <= 12,
        "40 calls over a limit of {LIMIT}/s: {stats:?}"
    );
    let count = counted(&emu, "/topapi/v2/user/get").await;
    assert_eq!(count["admitted"], 40);
}

#[tokio::test]
async fn a_pinned_rate_is_held_and_learns_nothing() {
    let emu = Emu::start().await;
    let client = emu.client_with(ClientOptions {
        rate_limit: RateLimit::per_second(40.0),
        retry: fast_retries(6),
        ..ClientOptions::default()
    });
    client.authenticate().await.expect("token");
    read_users_at_once(&client, 20).await;
    assert!(client.learned_rates().is_empty());
    assert_eq!(client.stats().throttled, 0);
}

#[tokio::test]
async fn the_emulator_counts_an_api_with_ids_in_its_path_as_one_api() {
    let emu = Emu::start().await;
    let client = emu.client_with(ClientOptions {
        rate_limit: RateLimit::unlimited(),
        retry: dingform::provider::RetryPolicy::none(),
        ..ClientOptions::default()
    });
    client.authenticate().await.expect("token");
    emu.faults(json!({ "qps_limit": 1 })).await;
    // Two different chat ids, one API: the platform counts them together.
    let mut throttled = 0;
    for chat_id in ["chat-a", "chat-b", "chat-c"] {
        if let Err(error) = client.open_conversation_id(chat_id).await
            && error.kind() == dingform::provider::ErrorKind::Throttled
        {
            throttled += 1;
        }
    }
    let count = counted(&emu, "/v1.0/im/chat/{chat_id}/convertToOpenConversationId").await;
    assert_eq!(
        count["admitted"].as_u64().unwrap() + count["refused"].as_u64().unwrap(),
        3
    );
    assert!(throttled >= 1, "three calls to one API at 1/s");
    assert_eq!(count["refused"].as_u64(), Some(throttled));
}

#[tokio::test]
async fn scene_group_reads_pace_each_of_their_two_apis() {
    let emu = Emu::start().await;
    let client = emu.client_with(adaptive());
    let group = client
        .create_scene_group(&dingform::provider::NewSceneGroup {
            title: "paced".into(),
            template_id: "tpl-default".into(),
            owner: "manager4220".into(),
            members: vec!["manager4220".into()],
            uuid: Some("group.paced".into()),
            ..Default::default()
        })
        .await
        .expect("create");
    client
        .get_scene_group(&group.open_conversation_id)
        .await
        .expect("read");
    let apis: Vec<String> = client
        .learned_rates()
        .into_iter()
        .map(|learned| learned.api)
        .collect();
    assert!(apis.len() >= 3, "{apis:?}");
    assert!(
        apis.iter().any(|api| api.contains("queryDetail")),
        "{apis:?}"
    );
}

/// Told nothing, calls are counted by the platform's windows from the first call: the
/// documented 20 go at once, more while nothing is throttled, and once a throttling answer has
/// counted the limit each window takes it at once. Six windows' worth of calls then need at
/// most seven of the emulator's windows (the first one begun part-way), as a plain script
/// bursting from its first call would, with throttling answers under 5%.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn told_nothing_the_calls_fill_the_windows_the_platform_counts_from_the_first() {
    for limit in [20u64, 50] {
        let emu = Emu::start().await;
        let client = emu.client_with(adaptive());
        client.authenticate().await.expect("token");
        emu.faults(json!({ "qps_limit": limit })).await;
        read_users_at_once(&client, 6 * limit as usize).await;

        let count = counted(&emu, "/topapi/v2/user/get").await;
        let windows = windows(&count);
        assert_eq!(count["admitted"].as_u64(), Some(6 * limit));
        assert!(
            windows.len() <= 7,
            "{limit}/s: six windows' worth of calls took windows {windows:?}"
        );
        let refused = count["refused"].as_u64().unwrap();
        assert_eq!(refused, client.stats().throttled);
        assert!(
            refused * 20 < 6 * limit,
            "{limit}/s: {refused} throttling answers"
        );
        let learned = &client.learned_rates()[0];
        // What a window let through, counted exactly (CUBIC may have begun to probe above).
        assert_eq!(learned.per_second.floor(), limit as f64, "{learned:?}");
    }
}

/// How far into its current one-second window the emulator's `qps_limit` counts now.
async fn window_phase_ms(emu: &Emu) -> f64 {
    let answer: Value = emu
        .http
        .get(emu.url("/_emulator/qps"))
        .send()
        .await
        .expect("admin API reachable")
        .json()
        .await
        .expect("qps is JSON");
    let phase = answer["window_phase_ms"]
        .as_f64()
        .expect("the emulator reports how far into its window it is");
    assert!((0.0..1000.0).contains(&phase), "window_phase_ms {phase}");
    phase
}

/// Wherever in the emulator's window the first call goes (just before a window ends, just
/// after one begins, in the middle), no window is lost after the one the limit is learned in:
/// every window between the second and the last takes the limit, and the calls reach the
/// emulator after the window they are meant for has begun (a call that went just after a
/// learned start and arrived before the platform's window began would meet the full one).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wherever_in_a_window_the_first_call_goes_no_window_is_lost_after_the_limit_is_learned() {
    const LIMIT: u64 = 50;
    for start_at_ms in [997.0, 5.0, 500.0] {
        let emu = Emu::start().await;
        let client = emu.client_with(adaptive());
        client.authenticate().await.expect("token");
        emu.faults(json!({ "qps_limit": LIMIT })).await;
        // Choose where the first call goes, by the emulator's own clock.
        let phase = window_phase_ms(&emu).await;
        let wait = (start_at_ms - phase).rem_euclid(1000.0);
        tokio::time::sleep(std::time::Duration::from_secs_f64(wait / 1000.0)).await;
        read_users_at_once(&client, 6 * LIMIT as usize).await;

        let count = counted(&emu, "/topapi/v2/user/get").await;
        let windows = windows(&count);
        assert_eq!(count["admitted"].as_u64(), Some(6 * LIMIT));
        // The first window may be begun part-way and the second is where the limit may be
        // learned; from then on every window is full until the calls run out.
        let after_learning = &windows[2.min(windows.len())..windows.len().saturating_sub(1)];
        assert!(
            after_learning.iter().all(|count| *count == LIMIT),
            "first call at {start_at_ms} ms into a window: calls per window {windows:?}"
        );
        assert!(
            windows.len() <= 8,
            "first call at {start_at_ms} ms: {windows:?}"
        );
        let refused = count["refused"].as_u64().unwrap();
        assert!(
            refused * 20 < 6 * LIMIT,
            "first call at {start_at_ms} ms: {refused} throttling answers, windows {windows:?}"
        );
    }
}
