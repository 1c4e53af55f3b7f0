//! A plan that cannot be made still prints a document of the asked format: CI posts the
//! Markdown as the pull request's comment and feeds the JSON to other tools (#18).

use crate::common::*;

const UNKNOWN_KEY: &str =
    "groups:\n  oncall: {title: On-call, type: scene, owner: manager4220, colour: red}\n";

fn plan(ws: &Workspace, format: &str) -> (i32, String, String) {
    let run = ws.run_offline(&["plan", "--format", format]);
    (run.code, run.stdout, run.stderr)
}

#[test]
fn manifests_that_do_not_load_give_a_json_document_with_their_findings() {
    let ws = Workspace::new().file("groups.yaml", UNKNOWN_KEY);
    let (code, stdout, stderr) = plan(&ws, "json");
    assert_eq!(code, 1, "{stderr}");
    let document: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout:?}"));
    assert_eq!(document["format_version"], 1);
    assert!(document["error"].as_str().unwrap().contains("do not load"));
    assert_eq!(document["changes"], serde_json::json!([]));
    assert_eq!(document["summary"]["errors"], 1);
    let finding = &document["findings"][0];
    assert_eq!(finding["rule"], "unknown-key");
    assert_eq!(finding["file"], "groups.yaml");
    assert_eq!(finding["line"], 2);
}

#[test]
fn manifests_that_do_not_load_give_a_pull_request_comment_that_says_why() {
    let ws = Workspace::new().file("groups.yaml", UNKNOWN_KEY);
    let run = ws.run_offline(&["plan", "--format", "markdown"]);
    assert!(
        run.stdout.starts_with(dingform::render::COMMENT_MARKER),
        "{}",
        run.stdout
    );
    crate::assert_filtered_snapshot!("comment_when_manifests_do_not_load", run.snapshot());
}

#[test]
fn a_plan_that_cannot_reach_dingtalk_gives_a_json_document_with_the_error() {
    let ws = Workspace::with_settings(
        "organization: Test Organization Demo\ndefaults: {template: tpl-default}\n",
    )
    .file("groups.yaml", "groups: {}\n");
    // The error in the document, and on stderr where people still read it.
    let run = ws.run_offline(&["plan", "--format", "json"]);
    crate::assert_filtered_snapshot!("json_when_dingtalk_cannot_be_reached", run.snapshot());
}
