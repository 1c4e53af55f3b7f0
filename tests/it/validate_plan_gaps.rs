//! Static checks issue 13 found missing, each an `error` at its line that `validate` (and so
//! `plan`) reports before anything is sent: the owner in `admins`, a blank title, a bot that is
//! not in the group it posts to, two plugins with one name, plugins on a group that cannot hold
//! them, a schedule that never fires.

use crate::common::Workspace;

fn groups(text: &str) -> Workspace {
    Workspace::new().file("groups.yaml", text)
}

#[test]
fn the_owner_listed_in_admins_is_an_error_at_the_entry() {
    groups("groups:\n  g:\n    title: G\n    type: scene\n    owner: manager4220\n    admins: [u1001, manager4220]\n")
        .expect_error("owner-in-admins", "groups.yaml:6:21");
}

#[test]
fn a_blank_title_is_an_error_at_the_title() {
    groups("groups:\n  g:\n    title: \"  \"\n    type: scene\n    owner: manager4220\n")
        .expect_error("group-title-length", "groups.yaml:3:12");
}

#[test]
fn a_notification_by_a_bot_not_in_its_group_is_an_error_at_via_bot() {
    groups("bots:\n  alerts: {robot_code: dingbot-alerts, name: Alert Bot}\ngroups:\n  g: {title: G, type: scene, owner: manager4220}\nnotifications:\n  n:\n    schedule: \"0 9 * * 1\"\n    via: {bot: alerts, group: g}\n    message: {text: {content: Hi}}\n")
        .expect_error("bot-not-in-group", "groups.yaml:8:16");
}

#[test]
fn a_bot_in_its_group_is_not_reported() {
    groups("bots:\n  alerts: {robot_code: dingbot-alerts, name: Alert Bot}\ngroups:\n  g: {title: G, type: scene, owner: manager4220, bots: [alerts]}\nnotifications:\n  n:\n    schedule: \"0 9 * * 1\"\n    via: {bot: alerts, group: g}\n    message: {text: {content: Hi}}\n")
        .expect_no("bot-not-in-group");
}

#[test]
fn two_plugins_with_one_name_are_an_error_at_the_second() {
    groups("groups:\n  g:\n    title: G\n    type: scene\n    owner: manager4220\n    plugins:\n      - {name: 手册, url: 'https://a.example'}\n      - {name: 手册, url: 'https://b.example'}\n")
        .expect_error("plugin-duplicate-name", "groups.yaml:8:16");
}

#[test]
fn plugins_on_an_internal_group_are_an_error() {
    groups("groups:\n  g:\n    title: G\n    type: internal\n    owner: manager4220\n    plugins: [{name: 手册, url: 'https://a.example'}]\n")
        .expect_error("plugin-duplicate-name", "groups.yaml:6:22");
}

#[test]
fn a_schedule_that_never_fires_is_an_error_and_the_29th_of_february_is_not() {
    let never = "notifications:\n  n:\n    schedule: \"0 9 30 2 *\"\n    via: {work_notification: {users: [u1001]}}\n    message: {text: {content: Hi}}\n";
    groups(never).expect_error("schedule-never-fires", "groups.yaml:3:15");
    groups(&never.replace("30 2", "29 2")).expect_no("schedule-never-fires");
}
