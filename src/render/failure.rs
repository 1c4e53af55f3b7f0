//! A plan that could not be made, in the format its reader asked for: `--format json` and
//! `--format markdown` always print a document of that format, so a pull-request comment says
//! why there is no plan and a JSON consumer reads an error instead of failing on empty input.

use std::fmt::Write;

use serde::Serialize;

use super::diagnostic::JsonDiagnostic;
use super::markdown::{COMMENT_MARKER, findings_table};
use crate::model::{Finding, Severity};
use crate::plan::{FORMAT_VERSION, Summary};

#[derive(Serialize)]
struct JsonFailure<'a> {
    format_version: u32,
    /// Why no plan was made (the findings, if any, say more).
    error: &'a str,
    summary: Summary,
    changes: [(); 0],
    findings: Vec<JsonDiagnostic<'a>>,
}

fn summary(findings: &[Finding]) -> Summary {
    let count = |severity| findings.iter().filter(|f| f.severity == severity).count();
    Summary {
        errors: count(Severity::Error),
        warnings: count(Severity::Warning),
        manual: count(Severity::Manual),
        ..Summary::default()
    }
}

/// The JSON document of a failed plan: the plan's shape (no changes) plus `error`.
pub fn json_failure(error: &str, findings: &[Finding]) -> String {
    let view = JsonFailure {
        format_version: FORMAT_VERSION,
        error,
        summary: summary(findings),
        changes: [],
        findings: findings.iter().map(JsonDiagnostic::from).collect(),
    };
    let mut text = serde_json::to_string_pretty(&view).expect("a failure serializes");
    text.push('\n');
    text
}

/// The pull-request comment of a failed plan: the marker, the reason, the findings.
pub fn markdown_failure(error: &str, findings: &[Finding]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{COMMENT_MARKER}");
    let _ = writeln!(out, "### dingform plan: ❌ **failed**: no plan was made\n");
    let _ = writeln!(
        out,
        "```\n{}\n```\n",
        error.trim_end().replace("```", "'''")
    );
    findings_table(&mut out, findings);
    out
}
