//! `dingform schema` and the checked-in `schema/dingform.schema.json`.

use crate::common::workspace::dingform;

fn generated() -> String {
    dingform(&["schema"]).expect_code(0).stdout.clone()
}

#[test]
fn the_checked_in_schema_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/dingform.schema.json");
    let checked_in = std::fs::read_to_string(&path).expect("schema/dingform.schema.json");
    assert!(
        checked_in == generated(),
        "schema/dingform.schema.json is stale: run `cargo run -- schema > schema/dingform.schema.json`"
    );
}

#[test]
fn the_schema_covers_both_kinds_of_file_and_the_contract_keys() {
    let schema: serde_json::Value = serde_json::from_str(&generated()).unwrap();
    let defs = &schema["$defs"];
    let properties = |name: &str| -> Vec<String> {
        let mut keys: Vec<String> = defs[name]["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("{name}"))
            .keys()
            .cloned()
            .collect();
        keys.sort();
        keys
    };
    assert_eq!(
        properties("Manifest"),
        [
            "bots",
            "groups",
            "import",
            "moved",
            "notifications",
            "removed"
        ]
    );
    assert_eq!(
        properties("Settings"),
        [
            "app",
            "defaults",
            "endpoint",
            "organization",
            "rate",
            "state"
        ]
    );
    for key in [
        "title",
        "type",
        "template",
        "owner",
        "admins",
        "members",
        "members_policy",
        "settings",
        "bots",
        "plugins",
    ] {
        assert!(
            properties("Group").contains(&key.to_owned()),
            "group key {key}"
        );
    }
    assert_eq!(
        defs["Group"]["additionalProperties"], false,
        "unknown keys are refused"
    );
    assert_eq!(defs["Manifest"]["additionalProperties"], false);
    let message = serde_json::to_string(&defs["Message"]).unwrap();
    for kind in ["text", "markdown", "link", "action_card", "oa", "image"] {
        assert!(
            message.contains(&format!("\"{kind}\"")),
            "message type {kind}"
        );
    }
}
