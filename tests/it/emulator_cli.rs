//! `dingform emulator`: the first stdout line is the base URL; a bad seed is a clear error;
//! the admin API replaces the seed and resets the world.

use crate::common::workspace::dingform;
use crate::common::{Emu, EmulatorProcess};

use serde_json::{Value, json};

#[test]
fn a_seed_naming_an_undeclared_department_is_refused_with_the_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("org.yaml");
    std::fs::write(
        &seed,
        "organization: {corp_id: c, name: Org}\nusers: [{userid: a, name: A, departments: [7]}]\n",
    )
    .unwrap();
    // The seed file named, and the department.
    let run = dingform(&[
        "emulator",
        "--listen",
        "127.0.0.1:0",
        "--seed",
        seed.to_str().unwrap(),
    ]);
    crate::assert_filtered_snapshot!("seed_with_an_undeclared_department", run.snapshot());
}

#[tokio::test]
async fn a_seed_file_is_served_and_post_seed_replaces_it() {
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("org.yaml");
    std::fs::write(
        &seed,
        "organization: {corp_id: acme, name: Acme}\n\
         apps: [{app_key: k, app_secret: s, agent_id: 7}]\n\
         departments: [{id: 1, name: Eng}]\n\
         users: [{userid: ann, name: Ann, departments: [1]}]\n\
         scene_group_templates: [{id: t1, name: T}]\n",
    )
    .unwrap();
    let emulator = EmulatorProcess::seeded(&seed);
    let base = emulator.base.clone();
    let http = reqwest::Client::new();
    let token = emulator
        .admin()
        .get("/gettoken", &[("appkey", "k"), ("appsecret", "s")])
        .await;
    assert_eq!(token["errcode"], 0, "{token}");

    let state = emulator.admin().state().await;
    assert_eq!(state["organization"]["name"], "Acme");

    emulator
        .admin()
        .post(
            "seed",
            json!({"organization": {"corp_id": "other", "name": "Other"}, "users": [{"userid": "bob", "name": "Bob"}]}),
        )
        .await;
    let state = emulator.admin().state().await;
    assert_eq!(state["organization"]["name"], "Other");
    assert_eq!(state["users"][0]["userid"], "bob");
    let bad = http
        .post(format!("{base}/_emulator/seed"))
        .json(&json!({"organization": {"corp_id": "x"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), reqwest::StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn reset_forgets_groups_messages_and_the_clock() {
    let emu = Emu::start().await;
    let admin = emu.admin_api();
    admin.post("clock", json!({"advance_seconds": 60})).await;
    admin.post("users/u1001/leave", json!({})).await;
    admin.post("reset", json!({})).await;
    let state = admin.state().await;
    assert_eq!(state["clock"]["offset_seconds"], 0);
    assert_eq!(
        crate::common::emulator::user(&state, "u1001")["active"],
        true
    );
    let unknown = emu
        .http
        .post(emu.url("/v1.0/im/nothing"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), reqwest::StatusCode::NOT_FOUND);
    let body: Value = unknown.json().await.unwrap();
    assert_eq!(body["code"], "InvalidAction.NotFound");
}
