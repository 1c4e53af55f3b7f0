//! The real `dingform emulator` binary persists every acknowledged change: kill -9 it while
//! clients are writing, restart it on the same data file, and every answered write is there.

use crate::common::EmulatorProcess;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_loses_no_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("emulator.json");
    let mut emulator = EmulatorProcess::start(&data);
    let base = emulator.base.clone();
    let http = reqwest::Client::new();
    let token = emulator.admin().token().await;

    // Acknowledged writes of several kinds before the storm.
    let post = |path: &str, body: Value| {
        http.post(format!("{base}{path}"))
            .header("x-acs-dingtalk-access-token", &token)
            .json(&body)
            .send()
    };
    let created: Value = post(
        "/v1.0/im/sceneGroup/create",
        json!({"title": "Kept", "template_id": "tpl-default", "owner_user_id": "manager4220", "uuid": "kept-1"}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let kept = created["open_conversation_id"].as_str().unwrap().to_owned();
    let added = post(
        "/v1.0/im/conversations/robots",
        json!({"openConversationId": kept, "robotCode": "dingbot-alerts"}),
    )
    .await
    .unwrap();
    assert!(added.status().is_success());
    let sent: Value = http
        .post(format!("{base}/topapi/message/corpconversation/asyncsend_v2"))
        .query(&[("access_token", token.as_str())])
        .json(&json!({"agent_id": 123456, "userid_list": "u1001", "msg": {"msgtype": "text", "text": {"content": "kept"}}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(sent["errcode"], 0);
    emulator.admin().post("users/u1006/leave", json!({})).await;

    // Eight writers create groups as fast as they can; kill -9 after 40 acknowledgements.
    let (acks, mut acked) = tokio::sync::mpsc::unbounded_channel::<String>();
    let mut writers = Vec::new();
    for writer in 0..8 {
        let http = http.clone();
        let base = base.clone();
        let token = token.clone();
        let acks = acks.clone();
        writers.push(tokio::spawn(async move {
            for index in 0.. {
                let answer = http
                    .post(format!("{base}/v1.0/im/sceneGroup/create"))
                    .header("x-acs-dingtalk-access-token", &token)
                    .json(
                        &json!({"title": format!("w{writer}-{index}"), "template_id": "tpl-default",
                                  "owner_user_id": "manager4220"}),
                    )
                    .send()
                    .await;
                let Ok(answer) = answer else { return };
                let Ok(body) = answer.json::<Value>().await else {
                    return;
                };
                if let Some(id) = body["open_conversation_id"].as_str() {
                    let _ = acks.send(id.to_owned());
                }
            }
        }));
    }
    drop(acks);
    let mut acknowledged = Vec::new();
    while acknowledged.len() < 40 {
        acknowledged.push(acked.recv().await.expect("writers keep going"));
    }
    emulator.kill(); // SIGKILL
    for writer in writers {
        writer.await.unwrap();
    }
    while let Some(id) = acked.recv().await {
        acknowledged.push(id); // answered before the kill landed
    }

    let mut emulator = EmulatorProcess::start(&data);
    let state = emulator.admin().state().await;
    emulator.kill();

    let groups = state["groups"].as_array().unwrap();
    let has = |id: &str| {
        groups
            .iter()
            .any(|group| group["open_conversation_id"] == id)
    };
    let missing: Vec<&String> = acknowledged.iter().filter(|id| !has(id)).collect();
    assert!(missing.is_empty(), "lost acknowledged groups: {missing:?}");
    let kept_group = groups
        .iter()
        .find(|group| group["open_conversation_id"] == kept.as_str())
        .unwrap();
    assert_eq!(kept_group["uuid"], "kept-1");
    assert_eq!(kept_group["bots"][0]["robot_code"], "dingbot-alerts");
    assert_eq!(state["messages"][0]["content"]["text"]["content"], "kept");
    assert_eq!(
        crate::common::emulator::user(&state, "u1006")["active"],
        false
    );
}

#[tokio::test]
async fn a_restarted_emulator_keeps_tokens_and_the_clock() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("nested").join("emulator.json");
    let mut emulator = EmulatorProcess::start(&data);
    let first = emulator.admin().token().await;
    emulator
        .admin()
        .post("clock", json!({"advance_seconds": 3600}))
        .await;
    emulator.kill();

    let mut emulator = EmulatorProcess::start(&data);
    let state = emulator.admin().state().await;
    let again = emulator.admin().token().await;
    emulator.kill();
    assert_eq!(state["clock"]["offset_seconds"], 3600);
    assert_eq!(
        again, first,
        "the token issued before the restart is still current"
    );
}
