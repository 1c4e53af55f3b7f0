//! `dingform validate`: the examples, exit codes, the rendered diagnostic and the JSON form.

use crate::common::Workspace;
use crate::common::workspace::{dingform, finish};

#[test]
fn every_example_workspace_validates_cleanly() {
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut checked = 0;
    for entry in std::fs::read_dir(&examples).expect("examples/") {
        let dir = entry.expect("entry").path();
        if !dir.join("dingform.yaml").is_file() {
            continue; // not a workspace (examples/ci/ holds CI templates)
        }
        let run = dingform(&["validate", "--format", "json", dir.to_str().unwrap()]);
        let report = run.json();
        assert_eq!(run.code, 0, "{}: {report:#}", dir.display());
        assert_eq!(
            report["diagnostics"],
            serde_json::json!([]),
            "{} has findings",
            dir.display()
        );
        checked += 1;
    }
    assert!(checked >= 1, "no example workspace found");
}

#[test]
fn every_example_file_carries_the_schema_comment() {
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    for entry in walkdir::WalkDir::new(&examples) {
        let path = entry.unwrap().into_path();
        let in_workspace = path
            .ancestors()
            .skip(1)
            .take_while(|dir| *dir != examples)
            .any(|dir| dir.join("dingform.yaml").is_file());
        if in_workspace
            && path
                .extension()
                .is_some_and(|ext| ext == "yaml" || ext == "yml")
        {
            let depth = path.strip_prefix(&examples).unwrap().components().count();
            let expected = format!(
                "# yaml-language-server: $schema={}schema/dingform.schema.json",
                "../".repeat(depth)
            );
            let text = std::fs::read_to_string(&path).unwrap();
            assert_eq!(
                text.lines().next(),
                Some(expected.as_str()),
                "{}",
                path.display()
            );
        }
    }
}

#[test]
fn the_quickstart_summary_counts_resources() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let workspace = Workspace::empty();
    let mut command = workspace.offline_command(&["validate", "examples/quickstart"]);
    command.current_dir(root);
    let run = finish(command);
    crate::assert_filtered_snapshot!("quickstart_summary", run.snapshot());
}

#[test]
fn an_error_renders_like_a_compiler_diagnostic() {
    let ws = Workspace::new()
        .file("bots.yaml", "bots:\n  alerts: {robot_code: dingbot-alerts, name: Alert Bot}\n")
        .file("groups.yaml", "groups:\n  payments:\n    title: Payments\n    type: standard\n    owner: manager4220\n    bots: [alert]\n");
    let (code, stderr) = ws.validate();
    assert_eq!(code, 1);
    insta::assert_snapshot!(stderr, @r"
    error[unknown-reference]: no bot named `alert` is declared
     --> groups.yaml:6:12
      |
    6 |     bots: [alert]
      |            ^^^^^
      |
      = help: did you mean `alerts`? declared bots: `alerts`

    .: 1 error
    ");
}

#[test]
fn a_warning_alone_exits_zero() {
    let ws = Workspace::new().file(
        "g.yaml",
        "groups:\n  all: {title: Everyone, type: internal, owner: manager4220}\n",
    );
    let (code, stderr) = ws.validate();
    assert_eq!(code, 0);
    insta::assert_snapshot!(stderr, @r#"
    warning[internal-group-naming]: an internal group of Test Organization Demo is titled "Test Organization Demo [Internal Group]"
     --> g.yaml:2:16
      |
    2 |   all: {title: Everyone, type: internal, owner: manager4220}
      |                ^^^^^^^^
      |
      = help: title: "Test Organization Demo [Internal Group]"

    .: valid (1 resource in 2 files; 1 warning)
    "#);
}

#[test]
fn json_output_lists_every_diagnostic_with_its_place() {
    let ws = Workspace::new().file(
        "b.yaml",
        "bots:\n  helper: {name: Helper}\n  Bad: {robot_code: x, name: y}\n",
    );
    let (code, report) = ws.validate_json();
    assert_eq!(code, 1);
    insta::assert_json_snapshot!(report, @r#"
    {
      "diagnostics": [
        {
          "address": "bot.helper",
          "column": 3,
          "file": "b.yaml",
          "help": "bots are created in the Developer Console: save and publish it there, then copy its robotCode into `robot_code:`",
          "line": 2,
          "message": "bot `helper` has no robot_code",
          "rule": "bot-needs-console",
          "severity": "error"
        },
        {
          "address": "bot.Bad",
          "column": 3,
          "file": "b.yaml",
          "help": "names match ^[a-z0-9][a-z0-9_-]{0,62}$, e.g. `payments-oncall`",
          "line": 3,
          "message": "bad bot name: `Bad` must start with a lowercase letter or digit and use only a-z, 0-9, `-` and `_`",
          "rule": "invalid-name",
          "severity": "error"
        }
      ],
      "errors": 2,
      "format_version": 1,
      "valid": false,
      "warnings": 0
    }
    "#);
}

#[test]
fn output_is_plain_when_not_a_terminal() {
    let ws = Workspace::new().file("b.yaml", "bots:\n  helper: {name: Helper}\n");
    let (_, stderr) = ws.validate();
    assert!(
        !stderr.contains('\u{1b}'),
        "escape codes in piped output: {stderr:?}"
    );
}

/// Runs `dingform validate` (with `extra` arguments) in `ws` under a pseudo-terminal made by
/// util-linux `script`, so stderr is a terminal; returns what the terminal showed.
#[cfg(unix)]
fn on_a_terminal(ws: &Workspace, extra: &str, no_color_env: bool) -> Option<String> {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        crate::common::skip("util-linux `script` is not installed");
        return None;
    }
    let binary = assert_cmd::cargo::cargo_bin("dingform");
    let mut command = std::process::Command::new("script");
    command.current_dir(ws.path()).args([
        "-qec",
        &format!("{} validate {extra}", binary.display()),
        "/dev/null",
    ]);
    command.env_remove("NO_COLOR");
    if no_color_env {
        command.env("NO_COLOR", "1");
    }
    let output = command.output().unwrap();
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[cfg(unix)]
#[test]
fn colour_is_used_on_a_terminal_unless_turned_off() {
    let ws = Workspace::new().file("b.yaml", "bots:\n  helper: {name: Helper}\n");
    let Some(coloured) = on_a_terminal(&ws, "", false) else {
        return;
    };
    assert!(
        coloured.contains("\u{1b}["),
        "no colour on a terminal: {coloured:?}"
    );
    assert!(coloured.contains("bot-needs-console"));
    let flag = on_a_terminal(&ws, "--no-color", false).unwrap();
    assert!(
        !flag.contains("\u{1b}[") && flag.contains("error[bot-needs-console]"),
        "{flag:?}"
    );
    let env = on_a_terminal(&ws, "", true).unwrap();
    assert!(
        !env.contains("\u{1b}[") && env.contains("error[bot-needs-console]"),
        "{env:?}"
    );
}
