//! Snapshots of the plan renderers (human, Markdown, JSON) on a plan built by hand, so that
//! every kind of change and finding is shown.

use std::path::PathBuf;

use dingform::model::{Finding, Severity, Sources, Span};
use dingform::plan::{Action, Change, Estimate, FieldChange, Fingerprints, Plan};
use dingform::render;
use serde_json::json;

const GROUPS: &str = "groups:\n  oncall:\n    title: Payments On-call\n    owner: manager4220\n";

fn sample() -> (Plan, Sources) {
    let mut sources = Sources::new();
    sources.insert(PathBuf::from("groups.yaml"), GROUPS.to_owned());
    let change = |address: &str, action: Action| Change {
        address: address.parse().unwrap(),
        action,
        before: None,
        after: None,
        fields: Vec::new(),
        from: None,
        notes: Vec::new(),
    };
    let plan = Plan {
        format_version: 1,
        changes: vec![
            Change {
                after: Some(
                    json!({"type": "scene", "title": "Release Train", "owner": "u1003", "members": ["u1003", "u1004"], "uuid": "43a825f2-a972-551b-9f44-10593ed4a891"}),
                ),
                ..change("group.release-train", Action::Create)
            },
            Change {
                fields: vec![
                    FieldChange::Value {
                        field: "title".into(),
                        before: Some(json!("Payments")),
                        after: Some(json!("Payments On-call")),
                    },
                    FieldChange::Set {
                        field: "members".into(),
                        added: vec!["u1002".into()],
                        removed: vec!["u1007".into()],
                        unmanaged: 0,
                        reasons: Default::default(),
                    },
                ],
                notes: vec!["changed outside dingform since the last apply (drift)".into()],
                ..change("group.oncall", Action::Update)
            },
            Change {
                fields: vec![FieldChange::Text {
                    field: "message.markdown.text".into(),
                    before: "#### Stand-up \n - Yesterday \n - Today".into(),
                    after: "#### Stand-up \n - Yesterday \n - Today \n - Blockers".into(),
                }],
                ..change("notification.standup", Action::Update)
            },
            Change {
                before: Some(json!({"members": ["a", "b", "c"]})),
                notes: vec!["disband: 3 members lose the chat history and files".into()],
                ..change("group.old", Action::Delete)
            },
            change("group.unchanged", Action::NoOp),
        ],
        findings: vec![
            Finding::warning(
                "group-url-expiry",
                "changing title makes the group's join URL stop working",
            )
            .at("groups.yaml", &Span::new(3, 5, 25..30))
            .address("group.oncall".parse::<dingform::model::Address>().unwrap())
            .help("share the new join URL after apply (the old one expires at once)"),
            Finding::new(
                "bot-rename-test-group",
                Severity::Manual,
                "bot renamed from `Alert Bot` to `Alerts`",
            )
            .address("bot.alerts".parse::<dingform::model::Address>().unwrap()),
        ],
        fingerprints: Fingerprints::default(),
        estimate: Estimate {
            requests: 5,
            seconds: 0.25,
        },
    };
    (plan, sources)
}

#[test]
fn human_output_reads_like_terraform() {
    let (plan, sources) = sample();
    insta::assert_snapshot!(render::human(&plan, &sources, false));
}

#[test]
fn markdown_output_is_a_pull_request_comment() {
    let (plan, _) = sample();
    insta::assert_snapshot!(render::markdown(&plan));
}

#[test]
fn json_output_carries_version_changes_and_flat_findings() {
    let (plan, _) = sample();
    let json: serde_json::Value = serde_json::from_str(&render::json(&plan)).unwrap();
    assert_eq!(json["format_version"], 1);
    assert_eq!(json["changes"][0]["action"], "create");
    assert_eq!(json["changes"][4]["action"], "no-op");
    let finding = &json["findings"][0];
    assert_eq!(finding["rule"], "group-url-expiry");
    assert_eq!(
        (finding["file"].as_str(), finding["line"].as_u64()),
        (Some("groups.yaml"), Some(3))
    );
    assert_eq!(json["summary"]["destroy"], 1);
}

#[test]
fn a_plan_of_a_thousand_changes_stays_within_a_comment_size() {
    let (mut plan, _) = sample();
    let template = plan.changes[1].clone();
    let members: Vec<String> = (0..20).map(|i| format!("user{i:05}")).collect();
    plan.changes = (0..1000)
        .map(|i| Change {
            address: format!("group.g{i:04}").parse().unwrap(),
            fields: vec![FieldChange::Set {
                field: "members".into(),
                added: members.clone(),
                removed: vec![],
                unmanaged: 0,
                reasons: Default::default(),
            }],
            ..template.clone()
        })
        .collect();
    let text = render::markdown(&plan);
    assert!(text.len() < 65_536, "{} characters", text.len());
    assert!(
        text.contains("| 0 | 1000 |"),
        "the summary counts everything"
    );
    assert!(text.contains("more (see the plan artifact)"));
}

#[test]
fn colour_is_added_only_when_asked() {
    let (plan, sources) = sample();
    assert!(!render::human(&plan, &sources, false).contains('\u{1b}'));
    assert!(render::human(&plan, &sources, true).contains('\u{1b}'));
}
