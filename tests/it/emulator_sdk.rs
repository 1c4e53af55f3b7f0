//! The official DingTalk SDK (PyPI `alibabacloud-dingtalk`) talks to the emulator: if it
//! cannot, the emulator's wire format is wrong. Runs `tests/sdk_compat/sdk_compat.py` against
//! an emulator on 127.0.0.1:0.
//!
//! The SDK lives in a virtualenv:
//!
//! ```sh
//! python3 -m venv target/sdk-venv
//! target/sdk-venv/bin/pip install alibabacloud-dingtalk
//! ```
//!
//! `DINGFORM_SDK_PYTHON` names another interpreter; `DINGFORM_SKIP_SDK=1` skips the test when
//! no SDK is installed (otherwise a missing SDK fails it, with these instructions).

use std::path::PathBuf;

use crate::common::Emu;

fn python() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("DINGFORM_SDK_PYTHON") {
        return Some(PathBuf::from(path));
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/sdk-venv/bin/python");
    venv.exists().then_some(venv)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_sdk_gets_a_token_creates_and_queries_a_scene_group_and_sends_as_a_bot() {
    let Some(python) = python() else {
        // Under CI the SDK is always installed (./scripts/test): the test runs, never skips.
        if std::env::var("DINGFORM_SKIP_SDK").is_ok_and(|value| value == "1") {
            crate::common::skip("DINGFORM_SKIP_SDK=1 and no SDK virtualenv");
            return;
        }
        panic!(
            "the official SDK is not installed: run `python3 -m venv target/sdk-venv && \
             target/sdk-venv/bin/pip install alibabacloud-dingtalk`, or set DINGFORM_SDK_PYTHON \
             to a python that has it (DINGFORM_SKIP_SDK=1 skips this test)"
        );
    };
    let emulator = Emu::start().await;
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/sdk_compat/sdk_compat.py");
    let output = tokio::process::Command::new(&python)
        .arg(&script)
        .arg(&emulator.base)
        .output()
        .await
        .unwrap_or_else(|error| panic!("cannot run {}: {error}", python.display()));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the SDK could not talk to the emulator ({}):\n{stdout}\n{stderr}",
        output.status
    );
    let answer: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert!(
        answer["open_conversation_id"]
            .as_str()
            .unwrap()
            .starts_with("cid")
    );
}
