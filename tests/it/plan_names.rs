//! Names checked against the live organization at plan time (`unknown-user`, `departed-user`,
//! `unknown-template`, `unknown-department`, `bot-needs-console` on every use): each mistake is
//! one `error` at the line that writes it, `plan` exits 1, `apply` refuses and the organization
//! is left untouched. The real binary against the emulator over real HTTP.

use std::sync::Arc;

use crate::common::*;
use crate::plan_support::*;
use dingform::plan::names::{self, Names, UserStatus};
use dingform::provider::prelude::*;
use serde_json::Value;

/// Five mistakes, one per line: a mistyped member, a departed owner, a missing template, a bot
/// never published, an unknown department.
const MISTAKES: &str = "\
bots:
  alerts: {robot_code: dingbot-alerts, name: Alert Bot}
  ghost: {robot_code: dingbot-ghost, name: Ghost Bot}
groups:
  oncall:
    title: On-call
    type: scene
    template: tpl-oncal
    owner: u1099
    members: [u1020, u1002]
    bots: [ghost]
notifications:
  weekly:
    schedule: \"0 9 * * 1\"
    via: {work_notification: {departments: [42]}}
    message: {text: {content: Weekly report}}
";

/// The same workspace, every name right.
const CORRECT: &str = "\
bots:
  alerts: {robot_code: dingbot-alerts, name: Alert Bot}
groups:
  oncall:
    title: On-call
    type: scene
    template: tpl-oncall
    owner: manager4220
    admins: [u1001]
    members: [u1001, u1002]
    bots: [alerts]
notifications:
  weekly:
    schedule: \"0 9 * * 1\"
    via: {work_notification: {users: [u1003], departments: [2]}}
    message: {text: {content: Weekly report}}
  standup:
    schedule: \"0 9 * * 1-5\"
    via: {bot: alerts, group: oncall}
    message: {text: {content: Stand-up}}
";

/// `(rule, severity, file:line:column, help)` of every finding.
fn places(plan: &Value) -> Vec<(String, String, String, String)> {
    plan["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let text = |key: &str| f[key].as_str().unwrap_or_default().to_owned();
            (
                text("rule"),
                text("severity"),
                format!("{}:{}:{}", text("file"), f["line"], f["column"]),
                text("help"),
            )
        })
        .collect()
}

fn error_at<'a>(
    all: &'a [(String, String, String, String)],
    rule: &str,
    place: &str,
) -> &'a (String, String, String, String) {
    let found: Vec<_> = all
        .iter()
        .filter(|(r, s, p, _)| r == rule && s == "error" && p == place)
        .collect();
    assert_eq!(found.len(), 1, "one {rule} error at {place} among {all:#?}");
    found[0]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_mistaken_name_is_one_error_at_its_line_and_apply_leaves_the_organization_untouched() {
    let emu = Emu::start().await;
    let ws = Workspace::new().file("groups.yaml", MISTAKES);
    let (code, plan) = plan_json(&ws, &emu, &[]);
    assert_eq!(code, 1, "{plan:#}");
    let all = places(&plan);

    let typo = error_at(&all, "unknown-user", "groups.yaml:10:15");
    assert!(typo.3.contains("did you mean `u1002`?"), "{typo:?}");
    error_at(&all, "departed-user", "groups.yaml:9:12");
    let template = error_at(&all, "unknown-template", "groups.yaml:8:15");
    assert!(
        template.3.contains("did you mean `tpl-oncall`?"),
        "{template:?}"
    );
    error_at(&all, "bot-needs-console", "groups.yaml:11:12");
    error_at(&all, "unknown-department", "groups.yaml:15:45");
    let errors = all.iter().filter(|(_, s, _, _)| s == "error").count();
    assert_eq!(errors, 5, "exactly one error per mistake: {all:#?}");

    // Apply names why it refuses.
    let apply = apply_refused(&ws, &emu).await;
    crate::assert_filtered_snapshot!("apply_refuses_unknown_names", apply.snapshot());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_correct_workspace_gets_no_false_error_and_applies() {
    let emu = Emu::start().await;
    let ws = Workspace::new().file("groups.yaml", CORRECT);
    let (code, plan) = plan_json(&ws, &emu, &[]);
    let all = places(&plan);
    assert!(
        all.iter().all(|(_, severity, _, _)| severity != "error"),
        "{all:#?}"
    );
    assert_eq!(code, 0, "{plan:#}");
    let apply = ws.run(&emu, &["apply", "--yes"]);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_default_template_is_one_error_at_defaults_template() {
    let emu = Emu::start().await;
    let settings = "organization: Test Organization Demo\napp: {kind: internal, agent_id: 123456}\ndefaults: {template: tpl-gone}\n";
    let groups = "groups:\n  a: {title: A, type: scene, owner: manager4220}\n  b: {title: B, type: scene, owner: manager4220}\n  c: {title: C, type: scene, template: tpl-default, owner: manager4220}\n";
    let ws = Workspace::with_settings(settings).file("groups.yaml", groups);
    let (code, plan) = plan_json(&ws, &emu, &[]);
    assert_eq!(code, 1, "{plan:#}");
    let all = places(&plan);
    error_at(&all, "unknown-template", "dingform.yaml:3:22");
    let templates = findings(&plan, "unknown-template");
    assert_eq!(templates.len(), 1, "{templates:#?}");
    let message = templates[0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("group.a, group.b"),
        "names the groups: {message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn departed_admins_and_recipients_are_found_and_an_unknown_recipient_is_an_error() {
    let emu = Emu::start().await;
    emu.admin("users/u1003/leave", serde_json::json!({})).await;
    let groups = "groups:\n  g:\n    title: G\n    type: scene\n    owner: manager4220\n    admins: [u1003]\n    members: [u1001]\nnotifications:\n  n:\n    schedule: \"0 9 * * 1\"\n    via: {work_notification: {users: [u1003, u10001]}}\n    message: {text: {content: Hi}}\n";
    let ws = Workspace::new().file("groups.yaml", groups);
    let (code, plan) = plan_json(&ws, &emu, &[]);
    assert_eq!(code, 1, "{plan:#}");
    let all = places(&plan);
    error_at(&all, "departed-user", "groups.yaml:6:14");
    let unknown = error_at(&all, "unknown-user", "groups.yaml:11:46");
    assert!(unknown.3.contains("did you mean `u1001`?"), "{unknown:?}");
    assert!(
        all.iter()
            .any(|(r, s, p, _)| r == "departed-user" && s == "warning" && p == "groups.yaml:11:39"),
        "a departed recipient is a warning (the platform skips them): {all:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_distinct_name_is_read_once_concurrently() {
    let emu = Emu::start().await;
    let groups = "groups:\n  a: {title: A, type: scene, owner: manager4220, members: [u1001, u1002]}\n  b: {title: B, type: scene, template: tpl-oncall, owner: manager4220, members: [u1001]}\nnotifications:\n  n:\n    schedule: \"0 9 * * 1\"\n    via: {work_notification: {users: [u1001], departments: [2, 2]}}\n    message: {text: {content: Hi}}\n";
    let ws = Workspace::new().file("groups.yaml", groups);
    let workspace = dingform::manifest::validate(ws.path()).workspace;
    let names = Names::of(&workspace);
    // manager4220, u1001, u1002; one list of templates.
    assert_eq!(names.reads(), 4);
    let client = Arc::new(emu.client());
    client.authenticate().await.expect("token");
    let before = client.stats().requests;
    let (directory, reads) = names::read(client.clone(), &names).await.expect("read");
    assert_eq!(reads, 4);
    assert_eq!(client.stats().requests - before, 4, "one request per name");
    assert_eq!(directory.users["u1001"], UserStatus::Active);
    assert!(directory.templates.expect("listed").contains("tpl-oncall"));
    // Department 2, written twice, is read once (`plan::directory`): its name, its people and
    // what lies below it (a work notification reaches the sub-departments).
    let before = client.stats().requests;
    let needs = dingform::plan::directory::Needs::of(&names);
    let departments = dingform::plan::directory::read(client.clone(), needs)
        .await
        .expect("read departments");
    assert_eq!(departments.reads, 3);
    assert_eq!(client.stats().requests - before, 3, "one request per read");
    assert!(departments.knows(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_credentials_fail_a_plan_of_an_empty_state_once_with_credentials_rejected() {
    let emu = Emu::start().await;
    let ws = Workspace::new().file("groups.yaml", "groups: {}\n");
    let mut command = ws.command(&emu, &["plan"]);
    command.env("DINGTALK_APP_SECRET", "not-the-secret");
    let run = crate::common::workspace::finish(command);
    let stderr = &run.stderr;
    assert_eq!(run.code, 1, "{stderr}");
    assert_eq!(
        stderr.matches("credentials rejected").count(),
        1,
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("invalidClientIdOrSecret").count(),
        1,
        "the cause once: {stderr}"
    );
    assert!(!stderr.contains("not-the-secret"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn additive_admins_are_counted_with_the_live_ones_against_the_cap_of_12() {
    let emu = Emu::start().await;
    let admins: Vec<String> = (1..=12).map(|n| format!("a{n:02}")).collect();
    let mut seed = serde_json::to_value(dingform::emulator::Seed::demo()).expect("seed");
    let users = seed["users"].as_array_mut().expect("users");
    for userid in admins.iter().chain([&"a13".to_owned()]) {
        users.push(serde_json::json!({"userid": userid, "name": userid, "departments": [1]}));
    }
    emu.admin("seed", seed).await;
    let group = dingform::provider::NewSceneGroup {
        title: "Ops".into(),
        template_id: "tpl-default".into(),
        owner: "manager4220".into(),
        members: admins.clone(),
        admins: admins.clone(),
        ..Default::default()
    };
    let id = emu
        .client()
        .create_scene_group(&group)
        .await
        .expect("create")
        .open_conversation_id;
    let manifest = |policy: &str| {
        format!(
            "groups:\n  ops:\n    title: Ops\n    type: scene\n    owner: manager4220\n    admins_policy: {policy}\n    admins: [a13]\n    members_policy: additive\n    members: [a13]\n"
        )
    };
    let ws = Workspace::new().file("groups.yaml", manifest("additive"));
    let mut applied = admins.clone();
    applied.insert(0, "manager4220".into());
    write_state(
        &ws,
        &[(
            "group.ops",
            group_entry(
                &id,
                serde_json::json!({"type": "scene", "title": "Ops", "owner": "manager4220", "admins": admins, "members": applied}),
            ),
        )],
    );
    let (code, plan) = plan_json(&ws, &emu, &[]);
    assert_eq!(code, 1, "{plan:#}");
    let all = places(&plan);
    error_at(&all, "group-member-limit", "groups.yaml:7:14");
    // Listed exactly, the live admins are removed: 1 admin, no error.
    std::fs::write(ws.join("groups.yaml"), manifest("exact")).expect("write");
    let (_, plan) = plan_json(&ws, &emu, &[]);
    assert!(findings(&plan, "group-member-limit").is_empty(), "{plan:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_typo_of_a_user_the_manifests_never_name_still_gets_a_suggestion() {
    let emu = Emu::start().await;
    let ws = Workspace::new().file(
        "groups.yaml",
        "groups:\n  g: {title: G, type: scene, owner: manager422}\n",
    );
    let (code, plan) = plan_json(&ws, &emu, &[]);
    assert_eq!(code, 1, "{plan:#}");
    let all = places(&plan);
    let typo = error_at(&all, "unknown-user", "groups.yaml:2:37");
    assert!(typo.3.contains("did you mean `manager4220`?"), "{typo:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_mention_of_an_unknown_user_is_an_error_at_its_line() {
    let emu = Emu::start().await;
    let groups = "notifications:\n  ping:\n    schedule: \"0 14 * * 3\"\n    via: {webhook: {token_env: OPS_TOKEN, at: {users: [u1001, u1o02]}}}\n    message: {markdown: {title: Deploys, text: \"@u1001 the deploy window opens\"}}\n";
    let ws = Workspace::new().file("notifications.yaml", groups);
    let (code, plan) = plan_json(&ws, &emu, &[]);
    assert_eq!(code, 1, "{plan:#}");
    let all = places(&plan);
    let unknown = error_at(&all, "unknown-user", "notifications.yaml:4:63");
    assert!(unknown.3.contains("did you mean `u1002`?"), "{unknown:?}");
    assert_eq!(
        all.iter().filter(|(r, ..)| r == "unknown-user").count(),
        1,
        "u1001 is known: {all:#?}"
    );
}
