//! `dingform explain RULE`, `dingform rules` and `docs/rules.md`, all from one source: every
//! rule the checks and the plan can report has a page, and the generated document is current.

/// `dingform ARGS` with no workspace: exit code, stdout, stderr.
fn dingform(args: &[&str]) -> (i32, String, String) {
    let run = crate::common::workspace::dingform(args);
    (run.code, run.stdout, run.stderr)
}

#[test]
fn docs_rules_md_is_generated_from_the_rule_pages() {
    let (code, generated, _) = dingform(&["rules", "--markdown"]);
    assert_eq!(code, 0);
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md"))
        .expect("docs/rules.md");
    assert!(
        committed == generated,
        "docs/rules.md is stale: run `cargo run -q -- rules --markdown > docs/rules.md`"
    );
}

#[test]
fn every_rule_a_check_or_the_plan_reports_has_a_page() {
    let checks = dingform::manifest::checks::RULES.iter().map(|(id, _)| *id);
    // One file per plan rule, named by its id (`plan/rules/mass_delete.rs` is `mass-delete`).
    let rules_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/plan/rules");
    let plan: Vec<String> = std::fs::read_dir(rules_dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != "mod.rs")
        .map(|name| name.trim_end_matches(".rs").replace('_', "-"))
        .collect();
    assert!(plan.len() >= 15, "{plan:?}");
    for id in checks.chain(plan.iter().map(String::as_str)) {
        assert!(
            dingform::model::rules::page(id).is_some(),
            "rule {id} has no page in src/model/rules.rs"
        );
    }
}

#[test]
fn explain_prints_what_why_an_example_and_the_fix() {
    let (code, text, _) = dingform(&["explain", "unknown-user"]);
    assert_eq!(code, 0);
    for part in [
        "unknown-user (error)",
        "What the platform does",
        "660041",
        "Example",
        "Fix",
    ] {
        assert!(text.contains(part), "no {part:?} in:\n{text}");
    }
}

#[test]
fn explain_of_an_unknown_rule_exits_1_and_suggests_the_nearest() {
    let run = crate::common::workspace::dingform(&["explain", "unknwn-user"]);
    crate::assert_filtered_snapshot!("explain_unknown_rule", run.snapshot());
}

#[test]
fn rules_lists_every_page() {
    let (code, text, _) = dingform(&["rules"]);
    assert_eq!(code, 0);
    assert_eq!(text.lines().count(), dingform::model::rules::PAGES.len());
    assert!(text.contains("schedule-never-fires"), "{text}");
}

/// Kebab-case strings in the finding-making layers that are not rule ids.
const NOT_RULES: &[&str] = &["kebab-case", "no-op", "third-party", "work-notification"];

/// Every kebab-case string literal in `src/manifest`, `src/plan` and `src/adopt`: the rule ids
/// their findings carry (and the few words of `NOT_RULES`).
fn rule_ids_in_source() -> std::collections::BTreeSet<String> {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut ids = std::collections::BTreeSet::new();
    for layer in ["manifest", "plan", "adopt"] {
        for entry in walkdir::WalkDir::new(src.join(layer)) {
            let path = entry.unwrap().into_path();
            if path.extension().is_none_or(|ext| ext != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for literal in text.split('"').skip(1).step_by(2) {
                let kebab = literal.contains('-')
                    && literal.starts_with(|c: char| c.is_ascii_lowercase())
                    && literal.split('-').all(|word| {
                        !word.is_empty()
                            && word
                                .chars()
                                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                    });
                if kebab && !NOT_RULES.contains(&literal) {
                    ids.insert(literal.to_owned());
                }
            }
        }
    }
    ids
}

#[test]
fn every_rule_id_a_finding_carries_has_a_page_that_explain_prints() {
    let ids = rule_ids_in_source();
    assert!(
        ids.contains("unknown-key") && ids.contains("moved-cycle"),
        "{ids:?}"
    );
    let missing: Vec<&String> = ids
        .iter()
        .filter(|id| dingform::model::rules::page(id).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "findings carry these rule ids but `dingform explain` has no page for them \
         (add one to src/model/rules.rs): {missing:?}"
    );
}
