//! A plan for people at a terminal, in Terraform's manner: a symbol per change, values shown
//! `before → after`, message texts as line diffs, the findings as compiler-style diagnostics,
//! and a closing line with the counts and the time the apply will take.

use std::fmt::Write;

use owo_colors::{OwoColorize, Style};
use serde_json::Value;

use super::field_lines::{self, Line, Sign, show};
use super::words::{self, Tense};
use crate::model::sources::Sources;
use crate::plan::{Action, Change, FieldChange, Plan};

/// Render `plan` for a person; `color` adds ANSI colours (only on a terminal).
pub fn human(plan: &Plan, sources: &Sources, color: bool) -> String {
    let paint = Painter { color };
    let mut out = String::new();
    let changes: Vec<&Change> = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp)
        .collect();
    if changes.is_empty() {
        out.push_str(no_changes(plan));
        out.push('\n');
    } else {
        let _ = writeln!(out, "dingform will perform the following actions:\n");
        for change in changes {
            render_change(&mut out, change, &paint);
        }
    }
    if !plan.findings.is_empty() {
        out.push_str(&super::diagnostic::human(&plan.findings, sources, color));
        out.push('\n');
    }
    let summary = plan.summary();
    let counted = words::planned(&summary);
    let mut line = format!("Plan: {}", words::counts(counted, Tense::Will));
    let _ = write!(
        line,
        "; {} warning{}, {} error{}",
        summary.warnings,
        plural(summary.warnings),
        summary.errors,
        plural(summary.errors)
    );
    if summary.manual > 0 {
        let _ = write!(
            line,
            ", {} manual step{}",
            summary.manual,
            plural(summary.manual)
        );
    }
    line.push('.');
    let _ = writeln!(out, "{}", paint.paint(&line, Style::new().bold()));
    if plan.estimate.requests > 0 {
        let _ = writeln!(
            out,
            "Apply will send {} request{}: about {} at the platform's rate.",
            plan.estimate.requests,
            plural(plan.estimate.requests as usize),
            duration(plan.estimate.seconds)
        );
    }
    if plan.is_blocked() {
        let _ = writeln!(
            out,
            "{}",
            paint.paint(
                "The platform would refuse part of this plan: fix the errors above before applying.",
                Style::new().red()
            )
        );
    }
    out
}

/// What a plan with nothing to change says, before the manual steps (if any); `apply` says
/// it too. A manual step still to do means DingTalk does not match yet
/// (`bot-rename-test-group`).
pub(crate) fn no_changes(plan: &Plan) -> &'static str {
    if plan.summary().manual > 0 {
        "No changes to apply. DingTalk matches the manifests but for the manual steps below.\n"
    } else {
        "No changes. DingTalk matches the manifests.\n"
    }
}

struct Painter {
    color: bool,
}

impl Painter {
    fn paint(&self, text: &str, style: Style) -> String {
        if self.color {
            text.style(style).to_string()
        } else {
            text.to_owned()
        }
    }
}

fn action_style(action: Action) -> Style {
    match action {
        Action::Create | Action::Import => Style::new().green(),
        Action::Update | Action::Move => Style::new().yellow(),
        Action::Replace | Action::Delete => Style::new().red(),
        Action::Forget | Action::NoOp => Style::new().dimmed(),
    }
}

fn headline(change: &Change) -> String {
    let address = &change.address;
    let will = super::words::words(change.action, address.kind).will;
    match change.action {
        Action::Import => format!(
            "{address} {will}{}",
            change
                .from
                .as_deref()
                .map(|id| format!(" from {id}"))
                .unwrap_or_default()
        ),
        Action::Move => format!("{} {will} {address}", change.from.as_deref().unwrap_or("?")),
        _ => format!("{address} {will}"),
    }
}

fn render_change(out: &mut String, change: &Change, paint: &Painter) {
    let style = action_style(change.action);
    let _ = writeln!(
        out,
        "  {}",
        paint.paint(&format!("# {}", headline(change)), Style::new().bold())
    );
    for note in &change.notes {
        let _ = writeln!(out, "  # ({note})");
    }
    let symbol = change.action.symbol();
    let _ = writeln!(out, "  {} {}", paint.paint(symbol, style), change.address);
    match change.action {
        Action::Create | Action::Import if change.fields.is_empty() => {
            if let Some(Value::Object(after)) = &change.after {
                for (key, value) in after {
                    let empty = value.is_null()
                        || value.as_array().is_some_and(Vec::is_empty)
                        || value.as_object().is_some_and(serde_json::Map::is_empty);
                    if !empty {
                        let _ = writeln!(
                            out,
                            "      {} {key} = {}",
                            paint.paint("+", style),
                            show(value)
                        );
                    }
                }
            }
        }
        _ => {}
    }
    for field in &change.fields {
        render_field(out, field, paint);
    }
    out.push('\n');
}

fn render_field(out: &mut String, field: &FieldChange, paint: &Painter) {
    let changed = paint.paint("~", Style::new().yellow());
    let style = |sign: Sign| match sign {
        Sign::Added => Style::new().green(),
        Sign::Removed => Style::new().red(),
        Sign::Kept => Style::new(),
    };
    field_lines::walk(field, |line| {
        let _ = match line {
            Line::Value { field, change } => writeln!(out, "      {changed} {field}: {change}"),
            Line::SetOpens { field } | Line::TextOpens { field } => {
                writeln!(out, "      {changed} {field}:")
            }
            Line::Entry {
                sign,
                entry,
                reason,
                ..
            } => {
                let why = reason.map(|r| format!("  ({r})")).unwrap_or_default();
                let sign = paint.paint(sign.symbol(), style(sign));
                writeln!(out, "          {sign} {entry}{why}")
            }
            Line::Unmanaged { count, .. } => {
                writeln!(out, "          (unmanaged: {count} left alone)")
            }
            Line::Diff { sign, line } => {
                let line = format!("{} {line}", sign.symbol());
                writeln!(out, "          {}", paint.paint(&line, style(sign)))
            }
        };
    });
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// "4s", "2m 30s", "1h 5m".
pub(crate) fn duration(seconds: f64) -> String {
    let total = seconds.ceil() as u64;
    match total {
        0..60 => format!("{total}s"),
        60..3600 => format!("{}m {}s", total / 60, total % 60),
        _ => format!("{}h {}m", total / 3600, (total % 3600) / 60),
    }
}
