//! Work notifications meet the platform's limits in the emulator (PLATFORM-RULES.md).

use crate::common::{Emu, bulk_user, seed_with_users};
use dingform::emulator::Seed;
use dingform::emulator::seed::AppKind;
use serde_json::{Value, json};

const SEND: &str = "/topapi/message/corpconversation/asyncsend_v2";
const RESULT: &str = "/topapi/message/corpconversation/getsendresult";
const PROGRESS: &str = "/topapi/message/corpconversation/getsendprogress";

fn text(content: &str) -> Value {
    json!({"msgtype": "text", "text": {"content": content}})
}

async fn send_to(emu: &Emu, users: &str, msg: Value) -> Value {
    emu.oapi(
        SEND,
        json!({"agent_id": 123456, "userid_list": users, "msg": msg}),
    )
    .await
}

async fn result_of(emu: &Emu, task_id: &Value) -> Value {
    let body = emu
        .oapi(RESULT, json!({"agent_id": 123456, "task_id": task_id}))
        .await;
    assert_eq!(body["errcode"], 0, "{body}");
    body["send_result"].clone()
}

fn bulk(range: std::ops::Range<usize>) -> String {
    range.map(bulk_user).collect::<Vec<_>>().join(",")
}

#[tokio::test]
async fn recipients_per_request_over_5000_users_is_refused_with_41029() {
    let emu = Emu::start_with(seed_with_users(5001, 2), None).await;
    let body = send_to(&emu, &bulk(0..5001), text("too many")).await;
    assert_eq!(body["errcode"], 41029);
    let body = send_to(&emu, &bulk(0..5000), text("just enough")).await;
    assert_eq!(body["errcode"], 0, "{body}");
    assert_eq!(emu.state().await["messages"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn oa_status_bar_recipients_at_most_5_userids_and_no_departments_or_all() {
    let emu = Emu::start().await;
    let oa = json!({"msgtype": "oa", "oa": {
        "message_url": "https://example.com",
        "head": {"bgcolor": "FFBBBBBB", "text": "Deploy"},
        "status_bar": {"status_value": "pending", "status_bg": "0xFFF65E5E"},
        "body": {"title": "Release 42"}}});
    let body = send_to(&emu, "u1001,u1002,u1003,u1004,u1005,u1006", oa.clone()).await;
    assert_eq!(body["errcode"], 41052);
    let body = emu
        .oapi(
            SEND,
            json!({"agent_id": 123456, "dept_id_list": "2", "msg": oa}),
        )
        .await;
    assert_eq!(body["errcode"], 41052);
    let body = emu
        .oapi(
            SEND,
            json!({"agent_id": 123456, "to_all_user": "true", "msg": oa}),
        )
        .await;
    assert_eq!(body["errcode"], 41052);
    let body = send_to(&emu, "u1001,u1002,u1003,u1004,u1005", oa).await;
    assert_eq!(body["errcode"], 0, "{body}");

    // Its status bar can be updated within 24 hours.
    let body = emu
        .oapi(
            "/topapi/message/corpconversation/status_bar/update",
            json!({"agent_id": 123456, "task_id": body["task_id"], "status_value": "done"}),
        )
        .await;
    assert_eq!(body["errcode"], 0, "{body}");
    let state = emu.state().await;
    assert_eq!(
        state["messages"][0]["task"]["status_bar"]["status_value"],
        "done"
    );
}

#[tokio::test]
async fn to_all_user_daily_the_fourth_of_a_day_is_refused_with_41045() {
    let emu = Emu::start().await;
    let to_all = |content: &str| {
        emu.oapi(
            SEND,
            json!({"agent_id": 123456, "to_all_user": true, "msg": text(content)}),
        )
    };
    for index in 0..3 {
        let body = to_all(&format!("all {index}")).await;
        assert_eq!(body["errcode"], 0, "{body}");
    }
    assert_eq!(to_all("all 3").await["errcode"], 41045);
    emu.advance(86_400).await;
    let emu = &emu;
    let token = emu.fetch_token().await;
    let body = emu
        .oapi_with(
            SEND,
            json!({"agent_id": 123456, "to_all_user": true, "msg": text("next day")}),
            &token,
        )
        .await;
    assert_eq!(body["errcode"], 0, "a new day: {body}");
}

#[tokio::test]
async fn same_content_daily_a_repeat_succeeds_but_is_not_delivered() {
    let emu = Emu::start().await;
    let first = send_to(&emu, "u1001,u1002", text("standup at 9")).await;
    let second = send_to(&emu, "u1001", text("standup at 9")).await;
    assert_eq!(second["errcode"], 0, "the request succeeds: {second}");
    let result = result_of(&emu, &second["task_id"]).await;
    assert_eq!(result["forbidden_user_id_list"], json!(["u1001"]));
    assert_eq!(result["forbidden_list"][0]["code"], "143106");
    assert_eq!(result["unread_user_id_list"], json!([]));
    let result = result_of(&emu, &first["task_id"]).await;
    assert_eq!(result["unread_user_id_list"], json!(["u1001", "u1002"]));
    // Both requests were accepted and are listed.
    assert_eq!(emu.state().await["messages"].as_array().unwrap().len(), 2);
}

async fn daily_limit(emu: &Emu, limit: usize) {
    for index in 0..limit {
        let body = send_to(emu, "u1001", text(&format!("message {index}"))).await;
        assert_eq!(body["errcode"], 0);
    }
    let body = send_to(emu, "u1001,u1002", text("one too many")).await;
    assert_eq!(body["errcode"], 0, "{body}");
    let result = result_of(emu, &body["task_id"]).await;
    assert_eq!(result["forbidden_user_id_list"], json!(["u1001"]));
    assert_eq!(result["forbidden_list"][0]["code"], "143105");
    assert_eq!(result["forbidden_list"][0]["count"], limit);
    assert_eq!(result["unread_user_id_list"], json!(["u1002"]));
}

#[tokio::test]
async fn per_user_daily_internal_an_internal_app_reaches_a_user_500_times_a_day() {
    let emu = Emu::start().await;
    daily_limit(&emu, 500).await;
}

#[tokio::test]
async fn per_user_daily_third_party_a_third_party_app_reaches_a_user_100_times_a_day() {
    let mut seed = Seed::demo();
    seed.apps[0].kind = AppKind::ThirdParty;
    let emu = Emu::start_with(seed, None).await;
    daily_limit(&emu, 100).await;
}

#[tokio::test]
async fn recipients_per_minute_past_5000_users_a_minute_delivery_waits() {
    let emu = Emu::start_with(seed_with_users(5100, 2), None).await;
    let first = send_to(&emu, &bulk(0..5000), text("wave 1")).await;
    let progress = |task: Value| {
        let emu = &emu;
        async move {
            emu.oapi(PROGRESS, json!({"agent_id": 123456, "task_id": task}))
                .await["progress"]
                .clone()
        }
    };
    assert_eq!(progress(first["task_id"].clone()).await["status"], 2);
    let second = send_to(&emu, &bulk(5000..5100), text("wave 2")).await;
    assert_eq!(second["errcode"], 0, "throttled sends still succeed");
    let now = progress(second["task_id"].clone()).await;
    assert_eq!(now["status"], 1, "still sending: {now}");
    assert_eq!(now["progress_in_percent"], 0);
    assert_eq!(
        result_of(&emu, &second["task_id"]).await["unread_user_id_list"],
        json!([])
    );
    emu.advance(60).await;
    assert_eq!(progress(second["task_id"].clone()).await["status"], 2);
    let delivered = result_of(&emu, &second["task_id"]).await["unread_user_id_list"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(delivered, 100);
}

#[tokio::test]
async fn delivery_result_window_progress_results_status_bar_and_recall_only_within_24_hours() {
    let emu = Emu::start().await;
    let sent = send_to(&emu, "u1001", text("window")).await;
    let task = sent["task_id"].clone();
    emu.advance(23 * 3600).await;
    let token = emu.fetch_token().await;
    let answer = emu
        .oapi_with(
            PROGRESS,
            json!({"agent_id": 123456, "task_id": task}),
            &token,
        )
        .await;
    assert_eq!(answer["errcode"], 0, "{answer}");
    emu.advance(3600 + 1).await;
    let token = emu.fetch_token().await;
    for (path, body) in [
        (PROGRESS, json!({"agent_id": 123456, "task_id": task})),
        (RESULT, json!({"agent_id": 123456, "task_id": task})),
        (
            "/topapi/message/corpconversation/status_bar/update",
            json!({"agent_id": 123456, "task_id": task, "status_value": "late"}),
        ),
        (
            "/topapi/message/corpconversation/recall",
            json!({"agent_id": 123456, "msg_task_id": task}),
        ),
    ] {
        let answer = emu.oapi_with(path, body, &token).await;
        assert_eq!(answer["errcode"], 400002, "{path}: {answer}");
    }
}

#[tokio::test]
async fn delivery_result_lists_invalid_forbidden_and_injected_failures() {
    let emu = Emu::start().await;
    let body = emu
        .oapi(
            SEND,
            json!({"agent_id": 123456, "userid_list": "u1001,ghost,u1099", "dept_id_list": "3,99", "msg": text("lists")}),
        )
        .await;
    let result = result_of(&emu, &body["task_id"]).await;
    assert_eq!(result["invalid_user_id_list"], json!(["ghost", "u1099"]));
    assert_eq!(result["invalid_dept_id_list"], json!([99]));
    // Department 3 brings its users; departed ones are not among them.
    assert_eq!(
        result["unread_user_id_list"],
        json!(["u1001", "u1003", "u1004"])
    );

    emu.admin("faults", json!({"delivery_failure_rate": 1.0}))
        .await;
    let body = send_to(&emu, "u1005,u1006", text("will fail")).await;
    let result = result_of(&emu, &body["task_id"]).await;
    assert_eq!(result["failed_user_id_list"], json!(["u1005", "u1006"]));
    assert_eq!(result["unread_user_id_list"], json!([]));
    let state = emu.state().await;
    let message = &state["messages"][1];
    assert_eq!(message["kind"], "work_notification");
    assert_eq!(message["recipients"], json!(["u1005", "u1006"]));
    assert_eq!(message["content"]["text"]["content"], "will fail");
}

#[tokio::test]
async fn a_department_reaches_its_sub_departments_and_a_foreign_agent_is_refused() {
    let emu = Emu::start().await;
    let body = emu
        .oapi(
            SEND,
            json!({"agent_id": 123456, "dept_id_list": "1", "msg": text("eng")}),
        )
        .await;
    let result = result_of(&emu, &body["task_id"]).await;
    assert_eq!(
        result["unread_user_id_list"],
        json!(["manager4220", "u1001", "u1002", "u1003", "u1004"])
    );
    let body = emu
        .oapi(
            SEND,
            json!({"agent_id": 999, "userid_list": "u1001", "msg": text("x")}),
        )
        .await;
    assert_eq!(body["errcode"], 40056);
}

#[tokio::test]
async fn a_recalled_work_notification_is_marked_in_the_state() {
    let emu = Emu::start().await;
    let body = send_to(&emu, "u1001", text("oops")).await;
    let answer = emu
        .oapi(
            "/topapi/message/corpconversation/recall",
            json!({"agent_id": "123456", "msg_task_id": body["task_id"]}),
        )
        .await;
    assert_eq!(answer["errcode"], 0);
    assert_eq!(emu.state().await["messages"][0]["recalled"], true);
}
