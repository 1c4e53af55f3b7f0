//! Issue 13's "Done when", as a new user meets it: a fresh copy of `examples/quickstart` with
//! one more file holding five mistakes — a mistyped member, a departed owner, a missing
//! template, a bot never published, an unknown department — gives one `error` for each at its
//! line, `plan` exits 1, `apply` refuses and the organization is left untouched. With the
//! mistakes fixed the same workspace gets no false error, applies, and plans empty after.

use crate::common::*;
use crate::plan_support::*;
use serde_json::Value;

/// The five mistakes, one per line, in a file a user adds to the quickstart.
const MISTAKES: &str = "\
bots:
  ghost: {robot_code: dingbot-ghost, name: Ghost Bot}
groups:
  incident-room:
    title: Incident Room
    type: scene
    template: tpl-incident
    owner: u1099
    members: [u1003, u1040]
    bots: [ghost]
notifications:
  incident-digest:
    schedule: \"0 18 * * 1-5\"
    via: {work_notification: {departments: [33]}}
    message: {text: {content: \"Incidents of {{date}}\"}}
";

/// The same file with every name right.
const FIXED: &str = "\
groups:
  incident-room:
    title: Incident Room
    type: scene
    template: tpl-oncall
    owner: manager4220
    members: [u1003, u1004]
    bots: [alerts]
notifications:
  incident-digest:
    schedule: \"0 18 * * 1-5\"
    via: {work_notification: {departments: [3]}}
    message: {text: {content: \"Incidents of {{date}}\"}}
";

/// A fresh copy of `examples/quickstart`, as a user would start from it.
fn quickstart() -> Workspace {
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/quickstart");
    let mut workspace = Workspace::empty();
    for entry in std::fs::read_dir(&example).expect("examples/quickstart") {
        let path = entry.expect("entry").path();
        if !path.is_file() {
            continue; // `.dingform/`, left by a plan of the example against the sandbox
        }
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        workspace = workspace.file(&name, std::fs::read(&path).expect("read example"));
    }
    workspace
}

/// Each error finding as one line: `rule file:line:col: message (help)`.
fn errors(plan: &Value) -> String {
    plan["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| {
            format!(
                "{} {}:{}:{}: {} ({})\n",
                f["rule"].as_str().unwrap_or_default(),
                f["file"].as_str().unwrap_or_default(),
                f["line"],
                f["column"],
                f["message"].as_str().unwrap_or_default(),
                f["help"].as_str().unwrap_or_default(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_mistakes_in_the_quickstart_are_five_errors_at_their_lines_and_apply_touches_nothing()
{
    let emu = Emu::start().await;
    let ws = quickstart().file("mistakes.yaml", MISTAKES);
    let (code, plan) = plan_json(&ws, &emu, &[]);
    assert_eq!(code, 1, "{plan:#}");
    let errors = errors(&plan);
    assert_eq!(
        errors.lines().count(),
        5,
        "one error per mistake:\n{errors}"
    );
    insta::assert_snapshot!("quickstart_five_mistakes", errors);

    let human = ws.run(&emu, &["plan"]);
    assert_eq!(human.code, 1, "{}", human.stderr);
    for place in [
        "mistakes.yaml:7:15",
        "mistakes.yaml:8:12",
        "mistakes.yaml:9:22",
        "mistakes.yaml:10:12",
        "mistakes.yaml:14:45",
    ] {
        assert!(
            human.stdout.contains(&format!("--> {place}")),
            "{place} in:\n{}",
            human.stdout
        );
    }

    apply_refused(&ws, &emu).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_quickstart_with_the_mistakes_fixed_gets_no_false_error_and_converges() {
    let emu = Emu::start().await;
    let ws = quickstart().file("mistakes.yaml", FIXED);
    let (code, plan) = plan_json(&ws, &emu, &[]);
    assert_eq!(errors(&plan), "", "{plan:#}");
    assert_eq!(code, 0, "{plan:#}");
    let apply = ws.run(&emu, &["apply", "--yes"]);
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    let again = ws.run(&emu, &["plan", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}\n{}", again.stdout, again.stderr);
}
