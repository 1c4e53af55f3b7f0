//! The machine-readable plan (`--format json`), documented in the README ("JSON plan format").
//!
//! A view of [`Plan`] with its own shape, so that the internal type can change without
//! breaking consumers: findings are flattened to `file`, `line`, `column`; `format_version`
//! is bumped when consumers must change.

use serde::Serialize;
use serde_json::Value;

use super::diagnostic::JsonDiagnostic;
use crate::plan::{Change, FieldChange, Plan, Summary};

#[derive(Serialize)]
struct JsonPlan<'a> {
    format_version: u32,
    summary: Summary,
    changes: Vec<JsonChange<'a>>,
    findings: Vec<JsonDiagnostic<'a>>,
    estimate: &'a crate::plan::Estimate,
}

#[derive(Serialize)]
struct JsonChange<'a> {
    address: &'a crate::model::Address,
    action: &'static str,
    before: &'a Option<Value>,
    after: &'a Option<Value>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    fields: &'a [FieldChange],
    #[serde(skip_serializing_if = "Option::is_none")]
    from: &'a Option<String>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    notes: &'a [String],
}

impl<'a> From<&'a Change> for JsonChange<'a> {
    fn from(change: &'a Change) -> Self {
        JsonChange {
            address: &change.address,
            action: change.action.as_str(),
            before: &change.before,
            after: &change.after,
            fields: &change.fields,
            from: &change.from,
            notes: &change.notes,
        }
    }
}

/// Render `plan` as pretty-printed JSON.
pub fn json(plan: &Plan) -> String {
    let view = JsonPlan {
        format_version: plan.format_version,
        summary: plan.summary(),
        changes: plan.changes.iter().map(JsonChange::from).collect(),
        findings: plan.findings.iter().map(JsonDiagnostic::from).collect(),
        estimate: &plan.estimate,
    };
    let mut text = serde_json::to_string_pretty(&view).expect("a plan serializes");
    text.push('\n');
    text
}
