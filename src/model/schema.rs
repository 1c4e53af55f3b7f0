//! The JSON Schema of workspace files, generated from the model's types (`dingform schema`;
//! checked in as `schema/dingform.schema.json`).

use crate::model::manifest::Document;

/// The schema as pretty JSON with a trailing newline.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Document);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
