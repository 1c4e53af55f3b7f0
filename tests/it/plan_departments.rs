//! Work notifications to departments (issue 13): the plan reads each department once, with its
//! members and sub-departments, and counts those people as the platform does — in one
//! request's recipients (`recipients-per-request`), per minute (`recipients-per-minute`), for
//! identical content once a day (`same-content-daily`: a department and its parent) and in each
//! user's daily total (`per-user-daily-*`). Each case also shows what the emulator does with the
//! request the plan warns about. The real binary against the emulator over real HTTP.

use crate::common::*;
use crate::plan_support::*;
use dingform::model::live::WorkNotificationTask;
use dingform::model::wire::notification::WorkMessage;
use dingform::provider::prelude::*;
use dingform::provider::{ApiError, WorkNotification};
use serde_json::{Value, json};

/// The demo organization with `extra` departments `(id, name, parent)`, each holding
/// `people` new users, and the app of `kind` (`internal` or `third_party`).
async fn seed(emu: &Emu, kind: &str, extra: &[(i64, &str, Option<i64>, usize)]) {
    let mut departments = vec![
        json!({"id": 1, "name": "Engineering"}),
        json!({"id": 2, "name": "Payments", "parent": 1}),
        json!({"id": 3, "name": "Platform", "parent": 1}),
        json!({"id": 4, "name": "Operations"}),
        json!({"id": 5, "name": "Sales"}),
    ];
    let mut users = vec![
        json!({"userid": "manager4220", "name": "Wang Fang", "departments": [1]}),
        json!({"userid": "u1001", "name": "Li Lei", "departments": [2]}),
        json!({"userid": "u1002", "name": "Zhang Wei", "departments": [2]}),
        json!({"userid": "u1003", "name": "Liu Yang", "departments": [3]}),
        json!({"userid": "u1004", "name": "Chen Jing", "departments": [3]}),
    ];
    for (id, name, parent, people) in extra {
        departments.push(json!({"id": id, "name": name, "parent": parent}));
        for n in 0..*people {
            users.push(json!({"userid": format!("d{id}p{n:05}"), "name": format!("Person {n}"), "departments": [id]}));
        }
    }
    let seed = json!({
        "organization": {"corp_id": "dingdemo", "name": "Test Organization Demo"},
        "apps": [{"app_key": APP_KEY, "app_secret": APP_SECRET, "agent_id": 123456, "kind": kind}],
        "departments": departments,
        "users": users,
        "bots": [],
        "scene_group_templates": [{"id": "tpl-default", "name": "Default"}],
    });
    emu.admin("seed", seed).await;
}

fn settings(kind: &str) -> String {
    format!("organization: Test Organization Demo\napp: {{kind: {kind}, agent_id: 123456}}\n")
}

/// `(rule, severity, line, message)` of every finding of `rule`.
fn of_rule(plan: &Value, rule: &str) -> Vec<(String, u64, String)> {
    findings(plan, rule)
        .into_iter()
        .map(|f| {
            (
                f["severity"].as_str().unwrap_or_default().to_owned(),
                f["line"].as_u64().unwrap_or_default(),
                f["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn text(content: &str) -> WorkMessage {
    serde_json::from_value(json!({"msgtype": "text", "text": {"content": content}}))
        .expect("a text message")
}

async fn send(
    client: &HttpClient,
    departments: &[i64],
    content: &str,
) -> Result<WorkNotificationTask, ApiError> {
    client
        .send_work_notification(
            123456,
            &WorkNotification {
                userids: Vec::new(),
                dept_ids: departments.to_vec(),
                to_all_user: false,
                msg: text(content),
            },
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_department_and_its_parent_with_the_same_text_is_same_content_daily_at_its_line() {
    let emu = Emu::start().await;
    // Platform (3) is in Engineering (1): its people would get the release notes twice.
    let notifications = "notifications:
  a-platform:
    schedule: \"0 9 * * 1\"
    via: {work_notification: {departments: [3]}}
    message: {text: {content: Release notes}}
  b-engineering:
    schedule: \"0 9 * * 1\"
    via: {work_notification: {departments: [1]}}
    message: {text: {content: Release notes}}
";
    let ws = Workspace::with_settings(&settings("internal")).file("n.yaml", notifications);
    // Without the directory nothing says so.
    let (code, validated) = ws.validate_json();
    assert_eq!(code, 0, "{validated:#}");
    let (code, plan) = plan_json(&ws, &emu, &[]);
    assert_eq!(code, 1, "{plan:#}");
    let found = of_rule(&plan, "same-content-daily");
    assert_eq!(found.len(), 1, "{found:#?}");
    let (severity, line, message) = &found[0];
    assert_eq!((severity.as_str(), *line), ("error", 9), "{found:#?}");
    assert!(
        message.contains("user `u1003` (in Platform)")
            && message.contains("notification.a-platform"),
        "{message}"
    );

    // What the plan foresaw: the emulator drops the repeat for Platform's people (143106).
    let client = emu.client();
    send(&client, &[3], "Release notes").await.expect("first");
    let task = send(&client, &[1], "Release notes").await.expect("second");
    let result = client
        .work_notification_result(123456, task)
        .await
        .expect("result");
    let mut dropped = result.forbidden_user_ids.clone();
    dropped.sort();
    assert_eq!(dropped, ["u1003", "u1004"], "{result:?}");

    // Sibling departments share nobody: no error.
    let siblings = notifications.replace("departments: [1]", "departments: [2]");
    let ws = Workspace::with_settings(&settings("internal")).file("n.yaml", siblings);
    let (code, plan) = plan_json(&ws, &emu, &[]);
    assert_eq!(code, 0, "{plan:#}");
    assert!(of_rule(&plan, "same-content-daily").is_empty(), "{plan:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn department_members_count_in_each_users_daily_total() {
    let emu = Emu::start().await;
    seed(&emu, "third_party", &[]).await;
    // 96 a day to Platform and 6 to Engineering, which includes Platform: 102 > 100.
    let notifications = "notifications:
  status:
    schedule: \"*/15 * * * *\"
    via: {work_notification: {departments: [3]}}
    message: {text: {content: \"Status at {{time}}\"}}
  digest:
    schedule: \"0 9-14 * * *\"
    via: {work_notification: {departments: [1]}}
    message: {text: {content: \"Digest at {{time}}\"}}
";
    let ws = Workspace::with_settings(&settings("third_party")).file("n.yaml", notifications);
    // validate can only guess: a warning.
    let (_, validated) = ws.diagnostics();
    let guessed: Vec<&str> = validated
        .iter()
        .filter(|(rule, _, _)| rule == "per-user-daily-third-party")
        .map(|(_, severity, _)| severity.as_str())
        .collect();
    assert!(
        !guessed.is_empty() && guessed.iter().all(|severity| *severity == "warning"),
        "{validated:#?}"
    );
    let (code, plan) = plan_json(&ws, &emu, &[]);
    assert_eq!(code, 1, "{plan:#}");
    let found = of_rule(&plan, "per-user-daily-third-party");
    let lines: Vec<u64> = found.iter().map(|(_, line, _)| *line).collect();
    assert_eq!(lines, [3, 7], "at both schedules: {found:#?}");
    for (severity, _, message) in &found {
        assert_eq!(severity, "error");
        assert!(
            message.contains("user `u1003` (in Platform) would get 102 work notifications"),
            "{message}"
        );
    }

    // Payments and Platform share nobody: no finding at all, not even validate's guess.
    let disjoint = notifications.replace("departments: [1]", "departments: [2]");
    let ws = Workspace::with_settings(&settings("third_party")).file("n.yaml", disjoint);
    let (code, plan) = plan_json(&ws, &emu, &[]);
    assert_eq!(code, 0, "{plan:#}");
    assert!(
        of_rule(&plan, "per-user-daily-third-party").is_empty(),
        "{plan:#}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_internal_app_every_minute_to_a_department_is_over_500_a_day() {
    let emu = Emu::start().await;
    let notifications = "notifications:
  ticker:
    schedule: \"* * * * *\"
    via: {work_notification: {departments: [3]}}
    message: {text: {content: \"Tick {{time}}\"}}
";
    let ws = Workspace::with_settings(&settings("internal")).file("n.yaml", notifications);
    let (code, plan) = plan_json(&ws, &emu, &[]);
    assert_eq!(code, 1, "{plan:#}");
    let found = of_rule(&plan, "per-user-daily-internal");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!((found[0].0.as_str(), found[0].1), ("error", 3));
    assert!(found[0].2.contains("1440 work notifications"), "{found:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_department_with_its_sub_departments_over_one_request_is_an_error_and_the_emulator_refuses_it()
 {
    let emu = Emu::start().await;
    // Third-party: 1,000 per request. Support has 1,000 people and its team below it one more.
    seed(
        &emu,
        "third_party",
        &[(6, "Support", None, 1_000), (7, "Support Team", Some(6), 1)],
    )
    .await;
    let notifications = "notifications:
  support:
    schedule: \"0 9 * * 1\"
    via: {work_notification: {departments: [6]}}
    message: {text: {content: \"Weekly {{date}}\"}}
  team:
    schedule: \"0 10 * * 1\"
    via: {work_notification: {users: [u1001], departments: [7]}}
    message: {text: {content: \"Team {{date}}\"}}
";
    let ws = Workspace::with_settings(&settings("third_party")).file("n.yaml", notifications);
    let (code, plan) = plan_json(&ws, &emu, &[]);
    assert_eq!(code, 1, "{plan:#}");
    let found = of_rule(&plan, "recipients-per-request");
    assert_eq!(found.len(), 1, "only Support is too large: {found:#?}");
    let (severity, line, message) = &found[0];
    assert_eq!((severity.as_str(), *line), ("error", 4));
    assert!(
        message.contains("1001 people") && message.contains("6 (Support)"),
        "{message}"
    );

    // What the plan foresaw: the platform refuses the request (41029), on every send.
    let client = emu.client();
    let refused = send(&client, &[6], "Weekly").await.expect_err("refused");
    assert_eq!(refused.code(), Some("41029"), "{refused}");
    send(&client, &[7], "Team")
        .await
        .expect("a small department");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn departments_that_fire_in_one_minute_past_5000_people_get_a_warning_with_the_delay() {
    let emu = Emu::start().await;
    seed(
        &emu,
        "internal",
        &[(6, "Support", None, 3_000), (7, "Field", None, 2_500)],
    )
    .await;
    let notifications = "notifications:
  support:
    schedule: \"0 9 * * 1\"
    via: {work_notification: {departments: [6]}}
    message: {text: {content: \"Support {{date}}\"}}
  field:
    schedule: \"0 9 * * 1\"
    via: {work_notification: {departments: [7]}}
    message: {text: {content: \"Field {{date}}\"}}
";
    let ws = Workspace::with_settings(&settings("internal")).file("n.yaml", notifications);
    let (code, plan) = plan_json(&ws, &emu, &[]);
    assert_eq!(code, 0, "a warning does not block: {plan:#}");
    let found = of_rule(&plan, "recipients-per-minute");
    let lines: Vec<u64> = found.iter().map(|(_, line, _)| *line).collect();
    assert_eq!(lines, [3, 7], "{found:#?}");
    for (severity, _, message) in &found {
        assert_eq!(severity, "warning");
        assert!(
            message.contains("5500 people") && message.contains("about 1 minute later"),
            "{message}"
        );
    }

    // What the plan foresaw: the emulator delivers the last 500 a minute later.
    let client = emu.client();
    send(&client, &[6], "Support").await.expect("first");
    let second = send(&client, &[7], "Field").await.expect("second");
    let progress = client
        .work_notification_progress(123456, second)
        .await
        .expect("progress");
    assert_eq!(progress.status, 1, "still sending: {progress:?}");
    emu.advance(60).await;
    let progress = client
        .work_notification_progress(123456, second)
        .await
        .expect("progress");
    assert_eq!(progress.status, 2, "done a minute later: {progress:?}");

    // An hour apart, each minute is under the limit.
    let apart = notifications.replacen("\"0 9 * * 1\"", "\"0 10 * * 1\"", 1);
    let ws = Workspace::with_settings(&settings("internal")).file("n.yaml", apart);
    let (_, plan) = plan_json(&ws, &emu, &[]);
    assert!(
        of_rule(&plan, "recipients-per-minute").is_empty(),
        "{plan:#}"
    );
}

#[test]
fn more_than_500_departments_in_one_notification_is_an_error_the_runner_cannot_split() {
    let ids: Vec<String> = (1..=501).map(|id| id.to_string()).collect();
    let ws = Workspace::with_settings(&settings("internal")).file(
        "n.yaml",
        format!(
            "notifications:\n  n:\n    schedule: '0 9 * * 1'\n    via: {{work_notification: {{departments: [{}]}}}}\n    message: {{text: {{content: hi}}}}\n",
            ids.join(", ")
        ),
    );
    ws.expect_error("recipients-per-request", "n.yaml:4:45");
}

/// Requests each API answered since the fault set was posted (`GET /_emulator/qps`).
async fn requests(emu: &Emu, api: &str) -> u64 {
    emu.admin_api().qps_count(api, "admitted").await
}

/// A group that follows Platform and a notification to Platform.
const BOTH: &str = "groups:
  platform:
    title: Platform
    type: scene
    template: tpl-default
    owner: manager4220
    members_from: {departments: [3], except: [u1004]}
notifications:
  n:
    schedule: \"0 9 * * 1\"
    via: {work_notification: {departments: [3]}}
    message: {text: {content: Hi}}
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_department_named_by_members_from_and_by_a_notification_is_read_once() {
    let emu = Emu::start().await;
    // A limit no plan reaches: the emulator counts each API's requests.
    emu.faults(json!({"qps_limit": 100_000})).await;
    let ws = Workspace::with_settings(&settings("internal")).file("m.yaml", BOTH);
    let (code, plan) = plan_json(&ws, &emu, &[]);
    assert_eq!(code, 0, "{plan:#}");
    for api in [
        "/topapi/v2/department/get",
        "/topapi/user/listid",
        "/topapi/v2/department/listsubid",
    ] {
        assert_eq!(requests(&emu, api).await, 1, "{api}");
    }
    // manager4220 and u1004 (`except`), each once.
    assert_eq!(requests(&emu, "/topapi/v2/user/get").await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_from_names_get_the_same_findings_as_every_name_with_did_you_mean() {
    let emu = Emu::start().await;
    let typos = BOTH
        .replace(
            "departments: [3], except: [u1004]",
            "departments: [3, 33], except: [u1030]",
        )
        .replace("departments: [3]}}", "departments: [3, 33]}}");
    let ws = Workspace::with_settings(&settings("internal")).file("m.yaml", typos);
    let (code, plan) = plan_json(&ws, &emu, &[]);
    assert_eq!(code, 1, "{plan:#}");
    let place = |f: &Value| format!("{}:{}", f["line"], f["column"]);
    let departments = findings(&plan, "unknown-department");
    let places: Vec<String> = departments.iter().map(|f| place(f)).collect();
    assert_eq!(places, ["7:37", "11:48"], "{plan:#}");
    for finding in &departments {
        assert!(
            finding["help"]
                .as_str()
                .unwrap_or_default()
                .starts_with("did you mean `3`?"),
            "{finding:#}"
        );
    }
    let users = findings(&plan, "unknown-user");
    assert_eq!(users.len(), 1, "{plan:#}");
    assert_eq!(place(users[0]), "7:51");
    assert!(
        users[0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("`members_from.except` entry `u1030`"),
        "{:#}",
        users[0]
    );
    assert!(
        users[0]["help"]
            .as_str()
            .unwrap_or_default()
            .starts_with("did you mean `u1003`?"),
        "{:#}",
        users[0]
    );
}
