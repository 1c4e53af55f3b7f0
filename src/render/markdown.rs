//! A plan as a pull-request comment: a summary table first, the findings as a table, then the
//! changes grouped by action, each group folded in `<details>`. Long plans stay readable: past
//! a size that code hosts accept in one comment, the rest is counted rather than shown.

use std::fmt::Write;

use crate::model::Finding;
use crate::model::finding::Severity;
use crate::plan::{Action, Change, Plan};

use super::field_lines::{self, Line};

/// A comment body must stay under the code hosts' limit (GitHub: 65,536 characters).
const BUDGET: usize = 60_000;

/// The marker a CI job finds to update its previous comment instead of adding one.
pub const COMMENT_MARKER: &str = "<!-- dingform-plan -->";

/// Render `plan` as GitHub/GitLab-flavoured Markdown.
pub fn markdown(plan: &Plan) -> String {
    let summary = plan.summary();
    let mut out = String::new();
    let _ = writeln!(out, "{COMMENT_MARKER}");
    let verdict = if plan.is_blocked() {
        "❌ **blocked**: the platform would refuse part of this plan"
    } else if plan.has_changes() {
        "✅ ready to apply"
    } else {
        "✅ no changes"
    };
    let _ = writeln!(out, "### dingform plan: {verdict}\n");
    let _ = writeln!(
        out,
        "| add | change | destroy | import | move | forget | errors | warnings | manual |"
    );
    let _ = writeln!(out, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let cells: Vec<String> = super::words::planned(&summary)
        .into_iter()
        .chain([summary.errors, summary.warnings, summary.manual])
        .map(|count| count.to_string())
        .collect();
    let _ = writeln!(out, "| {} |\n", cells.join(" | "));
    if plan.estimate.requests > 0 {
        let _ = writeln!(
            out,
            "Apply will send {} requests, about {} at the platform's rate.\n",
            plan.estimate.requests,
            super::human::duration(plan.estimate.seconds)
        );
    }
    findings_table(&mut out, &plan.findings);
    for action in super::words::ACTIONS {
        if action == Action::NoOp {
            continue;
        }
        let title = super::words::general(action).doing;
        let changes: Vec<&Change> = plan.changes.iter().filter(|c| c.action == action).collect();
        if changes.is_empty() {
            continue;
        }
        let open = if action == Action::Delete {
            " open"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "<details{open}><summary><b>{} to {title}</b></summary>\n",
            changes.len()
        );
        out.push_str("```diff\n");
        for (index, change) in changes.iter().enumerate() {
            if out.len() > BUDGET {
                let _ = writeln!(
                    out,
                    "# … and {} more (see the plan artifact)",
                    changes.len() - index
                );
                break;
            }
            render_change(&mut out, change);
        }
        out.push_str("```\n</details>\n\n");
    }
    out
}

/// The findings as a table (the first half of the budget at most), for a plan or a failure.
pub(super) fn findings_table(out: &mut String, findings: &[Finding]) {
    if findings.is_empty() {
        return;
    }
    let _ = writeln!(out, "| | rule | where | message |");
    let _ = writeln!(out, "|---|---|---|---|");
    for (index, finding) in findings.iter().enumerate() {
        if out.len() > BUDGET / 2 {
            let _ = writeln!(
                out,
                "| | | | … and {} more findings |",
                findings.len() - index
            );
            break;
        }
        let icon = match finding.severity {
            Severity::Error => "❌",
            Severity::Warning => "⚠️",
            Severity::Manual => "✋",
        };
        let place = match (&finding.file, &finding.span) {
            (Some(file), Some(span)) if span.is_known() => {
                format!("`{}:{}`", file.display(), span.line)
            }
            (Some(file), _) => format!("`{}`", file.display()),
            _ => finding
                .address
                .clone()
                .map(|a| format!("`{a}`"))
                .unwrap_or_default(),
        };
        let _ = writeln!(
            out,
            "| {icon} | `{}` | {place} | {} |",
            finding.rule,
            cell(&finding.message)
        );
    }
    out.push('\n');
}

fn render_change(out: &mut String, change: &Change) {
    let sign = match change.action {
        Action::Create | Action::Import => "+",
        Action::Delete | Action::Forget => "-",
        _ => "!",
    };
    let from = change
        .from
        .as_deref()
        .map(|f| format!(" (from {f})"))
        .unwrap_or_default();
    let _ = writeln!(out, "{sign} {}{from}", change.address);
    for note in &change.notes {
        let _ = writeln!(out, "#   ({note})");
    }
    for field in &change.fields {
        field_lines::walk(field, |line| {
            let _ = match line {
                Line::Value { field, change } => writeln!(out, "!   {field}: {change}"),
                // The entries name their field.
                Line::SetOpens { .. } => Ok(()),
                Line::Entry {
                    field,
                    sign,
                    entry,
                    reason,
                } => {
                    let why = reason.map(|r| format!(" ({r})")).unwrap_or_default();
                    writeln!(out, "{}   {field}: {entry}{why}", sign.symbol())
                }
                Line::Unmanaged { field, count } => {
                    writeln!(out, "#   {field}: {count} unmanaged, left alone")
                }
                Line::TextOpens { field } => writeln!(out, "!   {field}:"),
                Line::Diff { sign, line } => writeln!(out, "{}     {line}", sign.symbol()),
            };
        });
    }
}

/// Text safe inside a table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
