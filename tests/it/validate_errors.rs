//! `dingform validate` on manifests with mistakes: each kind of loading and reference error
//! exits 1 and names its rule id and `file:line:col`.

use crate::common::{BASE, Workspace};

#[test]
fn malformed_yaml_is_a_syntax_error_at_its_line() {
    Workspace::new()
        .file("groups.yaml", "groups:\n  a: {title: x\n  b: 1\n")
        .expect_error("yaml-syntax", "groups.yaml:3:4");
}

#[test]
fn an_unknown_key_is_an_error_naming_the_key() {
    let ws = Workspace::new().file(
        "groups.yaml",
        "groups:\n  a:\n    title: A\n    type: standard\n    ownr: u1001\n",
    );
    ws.expect_error("unknown-key", "groups.yaml:5:5");
    // The help lists the expected keys.
    let (_, stderr) = ws.validate();
    crate::assert_filtered_snapshot!("unknown_key", stderr);
}

#[test]
fn an_unknown_top_level_key_is_an_error() {
    Workspace::new()
        .file("m.yaml", "group:\n  a: {}\n")
        .expect_error("unknown-key", "m.yaml:1:1");
}

#[test]
fn an_unknown_key_in_the_settings_file_is_an_error() {
    Workspace::with_settings("organization: X\nendpont: sandbox\n")
        .expect_error("unknown-key", "dingform.yaml:2:1");
}

#[test]
fn a_missing_required_key_is_an_error() {
    Workspace::new()
        .file(
            "g.yaml",
            "groups:\n  a:\n    type: standard\n    owner: u1\n",
        )
        .expect_error("missing-key", "g.yaml:4:5");
}

#[test]
fn a_value_of_the_wrong_type_is_an_error() {
    Workspace::new()
        .file(
            "g.yaml",
            "groups:\n  a:\n    title: [A]\n    type: standard\n    owner: u1\n",
        )
        .expect_error("invalid-type", "g.yaml:3:12");
}

#[test]
fn an_unknown_enum_value_is_an_error() {
    Workspace::new()
        .file(
            "g.yaml",
            "groups:\n  a:\n    title: A\n    type: secret\n    owner: u1\n",
        )
        .expect_error("invalid-value", "g.yaml:4:11");
}

#[test]
fn a_key_twice_in_one_mapping_is_an_error() {
    Workspace::new()
        .file(
            "g.yaml",
            "groups:\n  a:\n    title: A\n    title: B\n    type: standard\n    owner: u1\n",
        )
        .expect_error("duplicate-key", "g.yaml:4:5");
}

#[test]
fn a_resource_declared_in_two_files_names_both_places() {
    let ws = Workspace::new()
        .file(
            "a.yaml",
            "groups:\n  ops: {title: Ops, type: standard, owner: u1005}\n",
        )
        .file(
            "b.yaml",
            "\ngroups:\n  ops: {title: Ops 2, type: standard, owner: u1006}\n",
        );
    ws.expect_error("duplicate-resource", "b.yaml:3:3");
    // The first definition is shown too.
    let (_, stderr) = ws.validate();
    crate::assert_filtered_snapshot!("duplicate_resource", stderr);
}

#[test]
fn a_bad_resource_name_is_an_error() {
    Workspace::new()
        .file(
            "g.yaml",
            "groups:\n  Payments On-call: {title: P, type: standard, owner: u1}\n",
        )
        .expect_error("invalid-name", "g.yaml:2:3");
}

#[test]
fn a_group_naming_an_undeclared_bot_is_an_error() {
    Workspace::new()
        .file(
            "g.yaml",
            "groups:\n  a: {title: A, type: standard, owner: u1, bots: [ghost]}\n",
        )
        .expect_error("unknown-reference", "g.yaml:2:51");
}

#[test]
fn a_notification_naming_an_undeclared_bot_or_group_is_an_error() {
    let ws = Workspace::new().file("base.yaml", BASE).file(
        "n.yaml",
        "notifications:\n  n:\n    schedule: '0 9 * * *'\n    via: {bot: ghost, group: nowhere}\n    message: {text: {content: hi}}\n",
    );
    ws.expect_error("unknown-reference", "n.yaml:4:16");
    ws.expect_error("unknown-reference", "n.yaml:4:30");
}

/// A mistyped name is suggested, and an undeclared bot is one finding: not also
/// `bot-not-in-group`, which only says the same again.
#[test]
fn a_mistyped_bot_suggests_the_declared_one_and_is_reported_once() {
    let ws = Workspace::new().file("base.yaml", BASE).file(
        "n.yaml",
        "notifications:\n  n:\n    schedule: '0 9 * * *'\n    via: {bot: alert, group: oncall}\n    message: {text: {content: hi}}\n",
    );
    ws.expect_error("unknown-reference", "n.yaml:4:16");
    ws.expect_no("bot-not-in-group");
    let (_, stderr) = ws.validate();
    assert!(stderr.contains("did you mean `alerts`?"), "{stderr}");
}

#[test]
fn a_cron_expression_that_does_not_parse_is_an_error() {
    let ws = Workspace::new()
        .file("base.yaml", BASE)
        .file("n.yaml", "notifications:\n  n:\n    schedule: '0 25 * * *'\n    via: {bot: alerts, group: oncall}\n    message: {text: {content: hi}}\n");
    ws.expect_error("invalid-cron", "n.yaml:3:15");
    // In the words of the fields, not the cron library's.
    let (_, stderr) = ws.validate();
    assert!(
        stderr.contains("the hour field's 25 is outside 0-23"),
        "{stderr}"
    );
}

#[test]
fn a_time_zone_that_is_not_iana_is_an_error() {
    Workspace::new()
        .file("base.yaml", BASE)
        .file(
            "n.yaml",
            "notifications:\n  n:\n    schedule: '0 9 * * *'\n    timezone: Beijing\n    via: {bot: alerts, group: oncall}\n    message: {text: {content: hi}}\n",
        )
        .expect_error("invalid-timezone", "n.yaml:4:15");
}

#[test]
fn a_grace_window_that_is_not_a_duration_is_an_error() {
    Workspace::new()
        .file("base.yaml", BASE)
        .file(
            "n.yaml",
            "notifications:\n  n:\n    schedule: '0 9 * * *'\n    via: {bot: alerts, group: oncall}\n    message: {text: {content: hi}}\n    grace: soon\n",
        )
        .expect_error("invalid-duration", "n.yaml:6:12");
}

#[test]
fn via_with_a_bot_but_no_group_is_an_error() {
    Workspace::new()
        .file("base.yaml", BASE)
        .file("n.yaml", "notifications:\n  n:\n    schedule: '0 9 * * *'\n    via: {bot: alerts}\n    message: {text: {content: hi}}\n")
        .expect_error("invalid-via", "n.yaml:4:10");
}

#[test]
fn a_message_with_two_types_is_an_error() {
    Workspace::new()
        .file("base.yaml", BASE)
        .file(
            "n.yaml",
            "notifications:\n  n:\n    schedule: '0 9 * * *'\n    via: {bot: alerts, group: oncall}\n    message: {text: {content: hi}, markdown: {title: t, text: x}}\n",
        )
        .expect(1, "yaml-syntax", "error", "n.yaml:5:36");
}

#[test]
fn an_unknown_template_variable_is_an_error() {
    Workspace::new()
        .file("base.yaml", BASE)
        .file(
            "n.yaml",
            "notifications:\n  n:\n    schedule: '0 9 * * *'\n    via: {bot: alerts, group: oncall}\n    message: {text: {content: 'Report {{dat}}'}}\n",
        )
        .expect_error("unknown-template-variable", "n.yaml:5:31");
}

#[test]
fn a_scene_group_without_any_template_is_an_error() {
    Workspace::with_settings("organization: Test Organization Demo\n")
        .file(
            "g.yaml",
            "groups:\n  a: {title: A, type: scene, owner: u1}\n",
        )
        .expect_error("missing-template", "g.yaml:2:23");
}

#[test]
fn an_image_needs_exactly_one_source() {
    Workspace::new()
        .file("base.yaml", BASE)
        .file(
            "n.yaml",
            "notifications:\n  n:\n    schedule: '0 9 * * *'\n    via: {bot: alerts, group: oncall}\n    message:\n      image: {media_id: m1, url: 'https://x.example/a.png'}\n",
        )
        .expect_error("invalid-message", "n.yaml:6:7");
}

#[test]
fn moved_addresses_must_be_well_formed() {
    Workspace::new()
        .file("base.yaml", BASE)
        .file("moves.yaml", "moved:\n  - {from: groups.old, to: group.oncall}\nremoved:\n  - from: bot.gone\nimport:\n  - {to: group.oncall, id: cid123}\n")
        .expect_error("invalid-address", "moves.yaml:2:12");
}

#[test]
fn moving_to_an_undeclared_address_is_an_error() {
    Workspace::new()
        .file("base.yaml", BASE)
        .file(
            "moves.yaml",
            "moved:\n  - {from: group.old, to: group.newer}\n",
        )
        .expect_error("unknown-reference", "moves.yaml:2:27");
}

#[test]
fn a_directory_without_dingform_yaml_is_an_error() {
    let ws = Workspace::empty().file("g.yaml", "groups: {}\n");
    let (code, diagnostics) = ws.diagnostics();
    assert_eq!(code, 1);
    assert!(
        diagnostics.contains(&(
            "missing-settings".into(),
            "error".into(),
            "dingform.yaml".into()
        )),
        "{diagnostics:?}"
    );
}

#[test]
fn a_directory_that_does_not_exist_is_an_error_naming_it() {
    let ws = Workspace::new();
    let run = ws.run_offline(&["validate", "no/such/dir"]);
    crate::assert_filtered_snapshot!("workspace_not_found", run.snapshot());
}

#[test]
fn an_empty_or_comment_only_manifest_is_valid() {
    Workspace::new()
        .file("empty.yaml", "")
        .file(
            "comment.yml",
            "# yaml-language-server: $schema=../schema/dingform.schema.json\n",
        )
        .file("null.yaml", "---\n")
        .expect_clean();
}

#[test]
fn hidden_directories_and_other_files_are_not_read() {
    Workspace::new()
        .file(".dingform/state.yaml", "not: [valid")
        .file(".git/x.yml", "::")
        .file("notes.txt", "::")
        .file(
            "nested/deeper/g.yml",
            "groups:\n  ops: {title: Ops, type: standard, owner: u1005}\n",
        )
        .expect_clean();
}

#[test]
fn a_loading_error_inside_a_resource_names_its_address() {
    let ws = Workspace::new().file("groups.yaml", "groups:\n  payments:\n    title: P\n    type: standard\n    owner: u1\n    settings:\n      serchable: true\n");
    let (code, report) = ws.validate_json();
    assert_eq!(code, 1);
    let diagnostic = &report["diagnostics"][0];
    assert_eq!(diagnostic["rule"], "unknown-key");
    assert_eq!(diagnostic["address"], "group.payments");
    assert_eq!(
        (diagnostic["line"].as_u64(), diagnostic["column"].as_u64()),
        (Some(7), Some(7))
    );
}
