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
