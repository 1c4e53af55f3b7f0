//! Property tests for the manifest loader: no input panics, and every finding's span lies
//! inside its file (so a caret can always be drawn).

use std::path::Path;

use dingform::manifest::{parse_manifest, parse_settings};
use dingform::model::Finding;
use proptest::prelude::*;

fn span_inside(finding: &Finding, text: &str) -> Result<(), TestCaseError> {
    if let Some(span) = &finding.span {
        prop_assert!(
            span.bytes.start <= span.bytes.end && span.bytes.end <= text.len(),
            "{finding:?} in {} bytes",
            text.len()
        );
        let lines = text.split('\n').count() as u32;
        prop_assert!(
            span.line >= 1 && span.line <= lines.max(1),
            "line {} of {lines}: {finding:?}",
            span.line
        );
    }
    Ok(())
}

/// YAML-ish text: the manifest's own keys and punctuation, so inputs get past the first
/// token often enough to reach the deeper code.
fn yamlish() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("groups:".to_owned()),
        Just("bots:".to_owned()),
        Just("notifications:".to_owned()),
        Just("title:".to_owned()),
        Just("type: scene".to_owned()),
        Just("owner: u1".to_owned()),
        Just("members: [".to_owned()),
        Just("]".to_owned()),
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("- ".to_owned()),
        Just("&a ".to_owned()),
        Just("*a".to_owned()),
        Just("\n".to_owned()),
        Just("  ".to_owned()),
        Just("'".to_owned()),
        Just("\"".to_owned()),
        Just("#".to_owned()),
        Just("---\n".to_owned()),
        "[a-z0-9 :,é漢\t]{0,8}",
    ];
    prop::collection::vec(token, 0..40).prop_map(|tokens| tokens.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn loading_any_text_never_panics(text in ".*") {
        let _ = parse_manifest(Path::new("m.yaml"), &text);
        let _ = parse_settings(Path::new("dingform.yaml"), &text);
    }

    #[test]
    fn every_error_span_lies_inside_its_file(text in yamlish()) {
        if let Err(finding) = parse_manifest(Path::new("m.yaml"), &text) {
            span_inside(&finding, &text)?;
            prop_assert_eq!(finding.file.as_deref(), Some(Path::new("m.yaml")));
        }
        if let Err(finding) = parse_settings(Path::new("dingform.yaml"), &text) {
            span_inside(&finding, &text)?;
        }
    }

    #[test]
    fn a_parsed_manifest_serializes_back_to_itself(text in yamlish()) {
        // model → YAML → model is the identity for whatever parses.
        if let Ok(manifest) = parse_manifest(Path::new("m.yaml"), &text) {
            let yaml = serde_saphyr::to_string(&manifest).expect("serialize");
            let again = parse_manifest(Path::new("m.yaml"), &yaml).map_err(|f| TestCaseError::fail(format!("{f:?}\n{yaml}")))?;
            prop_assert_eq!(manifest, again);
        }
    }
}

#[test]
fn the_example_manifests_serialize_back_to_themselves() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut checked = 0;
    for entry in walkdir::WalkDir::new(examples) {
        let path = entry.unwrap().into_path();
        if path.extension().is_none_or(|ext| ext != "yaml") || path.ends_with("dingform.yaml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let manifest = parse_manifest(&path, &text).unwrap_or_else(|f| panic!("{f:?}"));
        let yaml = serde_saphyr::to_string(&manifest).unwrap();
        assert_eq!(
            parse_manifest(&path, &yaml).unwrap_or_else(|f| panic!("{f:?}\n{yaml}")),
            manifest,
            "{}",
            path.display()
        );
        checked += 1;
    }
    assert!(checked >= 3);
}

/// Strings YAML is tempted to read as something else, mixed with ordinary ones.
fn tricky_string() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("yes".to_owned()),
        Just("null".to_owned()),
        Just("~".to_owned()),
        Just("0x10".to_owned()),
        Just("012".to_owned()),
        Just("1e3".to_owned()),
        Just("- x".to_owned()),
        Just("a: b".to_owned()),
        Just("#hash".to_owned()),
        Just("*star".to_owned()),
        Just("&amp".to_owned()),
        Just("'quoted'".to_owned()),
        Just("line\nbreak".to_owned()),
        Just(" padded ".to_owned()),
        Just("{{date}}".to_owned()),
        "[a-zA-Z0-9 _.:@#-]{1,12}",
        "\\PC{1,8}",
    ]
}

fn group_yaml() -> impl Strategy<Value = (String, String, Vec<String>)> {
    (
        tricky_string(),
        tricky_string(),
        prop::collection::vec(tricky_string(), 0..4),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn any_strings_survive_model_to_yaml_to_model((title, owner, members) in group_yaml()) {
        use dingform::model::{Manifest, Spanned, group::Group, named_map::NamedMap};
        let group: Group = serde_saphyr::from_str("title: t\ntype: scene\nowner: o\n").unwrap();
        let group = Group {
            title: Spanned::unplaced(title),
            owner: Spanned::unplaced(owner),
            members: members.into_iter().map(Spanned::unplaced).collect(),
            ..group
        };
        let manifest = Manifest { groups: NamedMap(vec![(Spanned::unplaced("g".to_owned()), group)]), ..Manifest::default() };
        let yaml = serde_saphyr::to_string(&manifest).expect("serialize");
        let again = parse_manifest(Path::new("m.yaml"), &yaml).map_err(|f| TestCaseError::fail(format!("{f:?}\n{yaml}")))?;
        prop_assert_eq!(manifest, again, "{}", yaml);
    }
}
