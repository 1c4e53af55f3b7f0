//! `dingform validate` and the platform rules of PLATFORM-RULES.md that need no live data:
//! one test per rule that fails if the rule is removed, plus the case it must let through.

use crate::common::{BASE, Workspace, png};

/// A workspace with the base bot and group and one notification `n` written as given
/// (`body` is the YAML under `n:`, indented by four spaces).
fn notification(body: &str) -> Workspace {
    Workspace::new()
        .file("base.yaml", BASE)
        .file("n.yaml", format!("notifications:\n  n:\n{body}"))
}

fn users(count: usize) -> String {
    (0..count)
        .map(|i| format!("u{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[test]
fn recipients_per_request_warns_that_a_long_list_is_split() {
    let ws = notification(&format!(
        "    schedule: '0 9 * * 1'\n    via: {{work_notification: {{users: [{}]}}}}\n    message: {{text: {{content: hi}}}}\n",
        users(5_001)
    ));
    ws.expect_warning("recipients-per-request", "n.yaml:4:39");
    let (_, report) = ws.validate_json();
    let finding = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "recipients-per-request")
        .unwrap_or_else(|| panic!("{report}"));
    crate::assert_filtered_snapshot!(
        "recipients_per_request_split",
        finding["message"].to_string()
    );
}

#[test]
fn recipients_per_request_lets_5000_users_through() {
    notification(&format!(
        "    schedule: '0 9 * * 1'\n    via: {{work_notification: {{users: [{}]}}}}\n    message: {{text: {{content: hi}}}}\n",
        users(5_000)
    ))
    .expect_clean();
}

const OA: &str = "    message:\n      oa:\n        message_url: 'https://x.example'\n        head: {text: Review}\n        status_bar: {status_value: Open}\n";

#[test]
fn oa_status_bar_to_more_than_five_users_is_an_error() {
    notification(&format!(
        "    schedule: '0 9 * * 1'\n    via: {{work_notification: {{users: [{}]}}}}\n{OA}",
        users(6)
    ))
    .expect_error("oa-status-bar-recipients", "n.yaml:4:39");
}

#[test]
fn oa_status_bar_to_a_department_is_an_error() {
    notification(&format!(
        "    schedule: '0 9 * * 1'\n    via: {{work_notification: {{departments: [2]}}}}\n{OA}"
    ))
    .expect_error("oa-status-bar-recipients", "n.yaml:4:45");
}

#[test]
fn oa_status_bar_to_five_users_is_fine() {
    notification(&format!(
        "    schedule: '0 9 * * 1'\n    via: {{work_notification: {{users: [{}]}}}}\n{OA}",
        users(5)
    ))
    .expect_clean();
}

#[test]
fn same_content_more_than_once_a_day_is_an_error() {
    let ws = notification(
        "    schedule: '0 9-17 * * *'\n    via: {work_notification: {users: [u1001]}}\n    message: {text: {content: 'Status for {{date}}'}}\n",
    );
    ws.expect_error("same-content-daily", "n.yaml:3:15");
    let (_, stderr) = ws.validate();
    crate::assert_filtered_snapshot!("same_content_count", stderr);
}

#[test]
fn same_content_rule_accepts_a_time_variable_or_one_send_a_day() {
    notification(
        "    schedule: '0 9-17 * * *'\n    via: {work_notification: {users: [u1001]}}\n    message: {text: {content: 'Status at {{time}}'}}\n",
    )
    .expect_clean();
    notification("    schedule: '0 9 * * *'\n    via: {work_notification: {users: [u1001]}}\n    message: {text: {content: 'Status'}}\n")
        .expect_clean();
}

#[test]
fn same_content_is_judged_on_platform_days_across_daylight_saving() {
    // 17:00 in Berlin is midnight in Shanghai in winter and 23:00 in summer, so on the
    // spring-forward day two sends land on one platform day. With `{{time}}` both read
    // "17:00"; with `{{date}}` they carry two different Berlin dates.
    let body = |content: &str| {
        format!(
            "    schedule: '0 17 * * *'\n    timezone: Europe/Berlin\n    via: {{work_notification: {{users: [u1001]}}}}\n    message: {{text: {{content: '{content}'}}}}\n"
        )
    };
    let ws = notification(&body("Daily {{time}}"));
    ws.expect_error("same-content-daily", "n.yaml:3:15");
    let (_, stderr) = ws.validate();
    // The day is the coming spring-forward day, in March: named so the snapshot lasts a year.
    let day = stderr
        .split("sends 2 times on ")
        .nth(1)
        .and_then(|rest| rest.get(..10))
        .unwrap_or_else(|| panic!("{stderr}"))
        .to_owned();
    assert!(day.contains("-03-"), "the March change: {stderr}");
    crate::assert_filtered_snapshot!(
        "same_content_daylight_saving",
        stderr.replace(&day, "[SPRING-FORWARD DAY]")
    );
    notification(&body("Daily {{date}}")).expect_clean();
}

#[test]
fn same_content_rule_does_not_apply_to_bot_messages() {
    notification("    schedule: '0 * * * *'\n    via: {bot: alerts, group: oncall}\n    message: {text: {content: 'ping'}}\n").expect_clean();
}

#[test]
fn per_user_daily_internal_sums_all_schedules_for_a_user() {
    // 288 + 288 = 576 a day for u1001, over the internal app's 500.
    let ws = Workspace::new().file(
        "n.yaml",
        "notifications:\n  a:\n    schedule: '*/5 * * * *'\n    via: {work_notification: {users: [u1001]}}\n    message: {text: {content: 'a {{time}}'}}\n  b:\n    schedule: '*/5 * * * *'\n    via: {work_notification: {users: [u1001, u1002]}}\n    message: {text: {content: 'b {{time}}'}}\n",
    );
    ws.expect_error("per-user-daily-internal", "n.yaml:3:15");
    ws.expect_error("per-user-daily-internal", "n.yaml:7:15");
    let (_, stderr) = ws.validate();
    crate::assert_filtered_snapshot!("per_user_daily_count", stderr);
}

#[test]
fn per_user_daily_names_the_same_user_on_every_run_when_users_tie() {
    // Eight users each get 576 a day: the finding names the smallest userId, whatever order
    // the users are visited in (a hash map's order differs from one process to the next).
    let users = "[u1008, u1003, u1006, u1001, u1007, u1002, u1005, u1004]";
    let ws = Workspace::new().file(
        "n.yaml",
        format!("notifications:\n  a:\n    schedule: '*/5 * * * *'\n    via: {{work_notification: {{users: {users}}}}}\n    message: {{text: {{content: 'a {{{{time}}}}'}}}}\n  b:\n    schedule: '*/5 * * * *'\n    via: {{work_notification: {{users: {users}}}}}\n    message: {{text: {{content: 'b {{{{time}}}}'}}}}\n"),
    );
    for _ in 0..3 {
        let (_, stderr) = ws.validate();
        assert!(stderr.contains("user `u1001` would get 576"), "{stderr}");
    }
}

#[test]
fn per_user_daily_internal_accepts_one_schedule_under_the_limit() {
    Workspace::new()
        .file("n.yaml", "notifications:\n  a:\n    schedule: '*/5 * * * *'\n    via: {work_notification: {users: [u1001]}}\n    message: {text: {content: 'a {{time}}'}}\n")
        .expect_clean();
}

#[test]
fn per_user_daily_with_only_departments_is_a_warning() {
    // Whether one person is in both departments needs the directory: a warning, not an error.
    Workspace::new()
        .file(
            "n.yaml",
            "notifications:\n  a:\n    schedule: '*/5 * * * *'\n    via: {work_notification: {departments: [2]}}\n    message: {text: {content: 'a {{time}}'}}\n  b:\n    schedule: '*/5 * * * *'\n    via: {work_notification: {departments: [3]}}\n    message: {text: {content: 'b {{time}}'}}\n",
        )
        .expect_warning("per-user-daily-internal", "n.yaml:3:15");
}

#[test]
fn per_user_daily_third_party_limit_is_100() {
    // 144 a day: fine for an internal app, over a third-party app's 100.
    let body = "notifications:\n  a:\n    schedule: '*/10 * * * *'\n    via: {work_notification: {users: [u1001]}}\n    message: {text: {content: 'a {{time}}'}}\n";
    Workspace::with_settings(
        "organization: Test Organization Demo\napp: {kind: third_party, agent_id: 1}\n",
    )
    .file("n.yaml", body)
    .expect_error("per-user-daily-third-party", "n.yaml:3:15");
    Workspace::new().file("n.yaml", body).expect_clean();
}

#[test]
fn to_all_user_more_than_three_times_a_day_is_an_error() {
    let ws = Workspace::new().file(
        "n.yaml",
        "notifications:\n  a:\n    schedule: '0 9,12 * * *'\n    via: {work_notification: {all_users: true}}\n    message: {text: {content: 'a {{time}}'}}\n  b:\n    schedule: '0 15,18 * * *'\n    via: {work_notification: {all_users: true}}\n    message: {text: {content: 'b {{time}}'}}\n",
    );
    ws.expect_error("to-all-user-daily", "n.yaml:4:42");
    ws.expect_error("to-all-user-daily", "n.yaml:8:42");
}

#[test]
fn to_all_user_three_times_a_day_is_fine() {
    Workspace::new()
        .file("n.yaml", "notifications:\n  a:\n    schedule: '0 9,12,15 * * *'\n    via: {work_notification: {all_users: true}}\n    message: {text: {content: 'a {{time}}'}}\n")
        .expect_clean();
}

#[test]
fn pc_workbench_link_on_a_link_message_is_a_warning() {
    notification(
        "    schedule: '0 9 * * 1'\n    via: {bot: alerts, group: oncall}\n    message:\n      link: {title: T, text: X, message_url: 'https://x.example', open_in: workbench}\n",
    )
    .expect_warning("pc-workbench-link", "n.yaml:6:76");
}

#[test]
fn pc_workbench_link_on_an_oa_message_is_fine() {
    notification(&format!(
        "    schedule: '0 9 * * 1'\n    via: {{work_notification: {{users: [u1]}}}}\n{OA}        open_in: workbench\n"
    ))
    .expect_clean();
}

#[test]
fn an_unencoded_dingtalk_link_is_an_error_with_the_encoded_link_as_help() {
    let ws = notification(
        "    schedule: '0 9 * * 1'\n    via: {bot: alerts, group: oncall}\n    message:\n      link:\n        title: T\n        text: X\n        message_url: 'dingtalk://dingtalkclient/page/link?url=https://x.example/a?b=1&pc_slide=true'\n",
    );
    ws.expect_error("dingtalk-link-encoding", "n.yaml:9:22");
    let (_, stderr) = ws.validate();
    crate::assert_filtered_snapshot!("dingtalk_link_encoded_help", stderr);
}

#[test]
fn an_encoded_dingtalk_link_is_fine() {
    notification(
        "    schedule: '0 9 * * 1'\n    via: {bot: alerts, group: oncall}\n    message:\n      link:\n        title: T\n        text: X\n        message_url: 'dingtalk://dingtalkclient/page/link?url=https%3A%2F%2Fx.example&pc_slide=true'\n",
    )
    .expect_clean();
}

#[test]
fn a_bot_image_over_358_by_350_is_an_error() {
    notification("    schedule: '0 9 * * 1'\n    via: {bot: alerts, group: oncall}\n    message: {image: {path: img/chart.png}}\n")
        .file("img/chart.png", png(359, 200))
        .expect_error("image-size", "n.yaml:5:29");
}

#[test]
fn image_limits_depend_on_the_channel() {
    // 338×600 fits a work notification (338×677) but not a bot message (358×350).
    let tall = png(338, 600);
    notification("    schedule: '0 9 * * 1'\n    via: {work_notification: {users: [u1]}}\n    message: {image: {path: tall.png}}\n")
        .file("tall.png", &tall)
        .expect_clean();
    notification("    schedule: '0 9 * * 1'\n    via: {work_notification: {users: [u1]}}\n    message: {image: {path: wide.png}}\n")
        .file("wide.png", png(339, 100))
        .expect_error("image-size", "n.yaml:5:29");
    notification("    schedule: '0 9 * * 1'\n    via: {bot: alerts, group: oncall}\n    message: {image: {path: tall.png}}\n")
        .file("tall.png", &tall)
        .expect_error("image-size", "n.yaml:5:29");
}

#[test]
fn a_missing_image_file_is_an_error_naming_it() {
    let ws = notification(
        "    schedule: '0 9 * * 1'\n    via: {bot: alerts, group: oncall}\n    message: {image: {path: nope.png}}\n",
    );
    ws.expect_error("image-size", "n.yaml:5:29");
    let (_, stderr) = ws.validate();
    crate::assert_filtered_snapshot!("missing_image_named", stderr);
}

#[test]
fn a_bot_without_robot_code_is_an_error() {
    Workspace::new()
        .file("b.yaml", "bots:\n  helper:\n    name: Helper\n")
        .expect_error("bot-needs-console", "b.yaml:2:3");
}

#[test]
fn bot_markdown_with_bare_line_breaks_is_a_warning_offering_the_fixed_text() {
    let ws = notification(
        "    schedule: '0 9 * * 1'\n    via: {bot: alerts, group: oncall}\n    message:\n      markdown:\n        title: T\n        text: \"line one\\nline  two\"\n",
    );
    ws.expect_warning("markdown-spacing", "n.yaml:8:15");
    let (_, stderr) = ws.validate();
    crate::assert_filtered_snapshot!("markdown_spacing_help", stderr);
}

#[test]
fn work_notification_markdown_is_not_held_to_bot_spacing() {
    notification("    schedule: '0 9 * * 1'\n    via: {work_notification: {users: [u1]}}\n    message: {markdown: {title: T, text: \"a\\nb\"}}\n")
        .expect_clean();
}

#[test]
fn an_internal_group_not_named_for_the_organization_is_a_warning() {
    let ws = Workspace::new().file(
        "g.yaml",
        "groups:\n  all:\n    title: Everyone\n    type: internal\n    owner: manager4220\n",
    );
    ws.expect_warning("internal-group-naming", "g.yaml:3:12");
    let (_, stderr) = ws.validate();
    crate::assert_filtered_snapshot!("internal_group_naming_help", stderr);
    Workspace::new()
        .file("g.yaml", "groups:\n  all:\n    title: Test Organization Demo [Internal Group]\n    type: internal\n    owner: manager4220\n")
        .expect_clean();
}

#[test]
fn a_small_bot_avatar_is_a_warning() {
    Workspace::new()
        .file(
            "b.yaml",
            "bots:\n  a: {robot_code: dingbot-alerts, name: A, avatar: a.png}\n",
        )
        .file("a.png", png(64, 64))
        .expect_warning("avatar-resolution", "b.yaml:2:52");
    Workspace::new()
        .file(
            "b.yaml",
            "bots:\n  a: {robot_code: dingbot-alerts, name: A, avatar: a.png}\n",
        )
        .file("a.png", png(256, 256))
        .expect_clean();
}

#[test]
fn automatic_removal_of_departed_members_on_a_standard_group_is_an_error() {
    let group = |kind: &str| {
        format!(
            "groups:\n  g:\n    title: G\n    type: {kind}\n    owner: u1\n    remove_departed_members: true\n"
        )
    };
    Workspace::new()
        .file("g.yaml", group("standard"))
        .expect_error("standard-group-departed", "g.yaml:6:30");
    Workspace::new()
        .file(
            "g.yaml",
            group("internal").replace("title: G", "title: Test Organization Demo [Internal Group]"),
        )
        .expect_clean();
}

#[test]
fn a_group_title_longer_than_the_platform_allows_is_an_error() {
    // 21 characters: fine for a scene group (30), too long for a standard group (20).
    let group = |kind: &str| {
        format!(
            "groups:\n  g:\n    title: Twenty-one characters\n    type: {kind}\n    owner: u1\n"
        )
    };
    Workspace::new()
        .file("g.yaml", group("standard"))
        .expect_error("group-title-length", "g.yaml:3:12");
    Workspace::new()
        .file("g.yaml", group("scene"))
        .expect_clean();
}

#[test]
fn more_than_1000_members_or_12_admins_is_an_error() {
    let members = (0..1_000)
        .map(|i| format!("m{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    Workspace::new()
        .file("g.yaml", format!("groups:\n  g:\n    title: G\n    type: standard\n    owner: u1\n    members: [{members}]\n"))
        .expect_error("group-member-limit", "g.yaml:6:15");
    let admins = (0..13)
        .map(|i| format!("a{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    Workspace::new()
        .file("g.yaml", format!("groups:\n  g:\n    title: G\n    type: standard\n    owner: u1\n    admins: [{admins}]\n"))
        .expect_error("group-member-limit", "g.yaml:6:64");
}

#[test]
fn a_plugin_name_over_four_characters_is_an_error() {
    let group = |plugin: &str| {
        format!(
            "groups:\n  g:\n    title: G\n    type: scene\n    owner: u1\n    plugins: [{{name: {plugin}, url: 'https://x.example'}}]\n"
        )
    };
    Workspace::new()
        .file("g.yaml", group("Runbook"))
        .expect_error("plugin-name-length", "g.yaml:6:22");
    Workspace::new()
        .file("g.yaml", group("运维手册"))
        .expect_clean();
}

#[test]
fn a_work_notification_over_2048_bytes_is_an_error() {
    let body = |length: usize| {
        format!(
            "    schedule: '0 9 * * 1'\n    via: {{work_notification: {{users: [u1]}}}}\n    message: {{text: {{content: '{}'}}}}\n",
            "x".repeat(length)
        )
    };
    notification(&body(2_100)).expect_error("message-size", "n.yaml:5:14");
    notification(&body(1_900)).expect_clean();
}

#[test]
fn every_rule_has_a_test_in_this_file() {
    // Rules added by issue 13 (and issue 14's tabs) are tested in their own files.
    let this_file = format!(
        "{}{}{}",
        include_str!("validate_rules.rs"),
        include_str!("validate_plan_gaps.rs"),
        include_str!("tabs_manifest.rs")
    );
    for (id, _) in dingform::manifest::checks::RULES {
        assert!(
            this_file.contains(&format!("\"{id}\", \"")),
            "rule {id} has no expect_* assertion here"
        );
    }
}

#[test]
fn two_notifications_with_the_same_content_to_one_user_on_one_day_is_an_error() {
    let two = |second_text: &str| {
        Workspace::new().file(
            "n.yaml",
            format!("notifications:\n  a:\n    schedule: '0 9 * * *'\n    via: {{work_notification: {{users: [u1001, u1002]}}}}\n    message: {{text: {{content: 'Stand-up'}}}}\n  b:\n    schedule: '0 15 * * *'\n    via: {{work_notification: {{users: [u1002]}}}}\n    message: {{text: {{content: '{second_text}'}}}}\n"),
        )
    };
    let ws = two("Stand-up");
    ws.expect_error("same-content-daily", "n.yaml:9:14");
    let (_, stderr) = ws.validate();
    crate::assert_filtered_snapshot!("same_content_across_notifications", stderr);
    two("Retro").expect_clean();
}

#[test]
fn twenty_one_webhook_schedules_in_one_minute_through_one_robot_warn() {
    let mut text = String::from("notifications:\n");
    for n in 0..21 {
        text.push_str(&format!(
            "  ping-{n:02}:\n    schedule: '0 9 * * *'\n    via: {{webhook: {{token_env: OPS_TOKEN}}}}\n    message: {{text: {{content: 'ping {n}'}}}}\n"
        ));
    }
    Workspace::new()
        .file("n.yaml", &text)
        .expect_warning("webhook-rate", "n.yaml:4:32");
}
