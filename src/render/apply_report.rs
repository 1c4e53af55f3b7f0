//! What `dingform apply` tells a person: a line per change as it ends, in the words the plan
//! used for it ("will be registered" becomes "registered"), the closing line counted the way
//! the plan's closing line counts ("15 to add, 1 to import" becomes "15 added, 1 imported"),
//! what failed and what waited for it, and the manual steps still to do.
//!
//! Functions of the [`Report`] and the [`Plan`]; whether the apply is complete, and its exit
//! code, are decided in `apply` and `cli`, not here.

use std::fmt::Write;
use std::path::Path;

use owo_colors::{OwoColorize, Style};

use super::words::{self, Tense};
use crate::model::{Address, Finding, Severity};
use crate::plan::file::Target;
use crate::plan::outcome::{Report, StepOutcome};
use crate::plan::{Action, Plan};

/// The line `apply PLANFILE` starts with: which workspace it acts on, and why that one
/// (`made_in` is where the plan was made).
pub fn applying_plan_file(plan_file: &Path, made_in: &Path, target: &Target) -> String {
    let mut line = format!(
        "Applying the plan file {} to the workspace {} ({})",
        plan_file.display(),
        target.dir.display(),
        target.why
    );
    if !target.made_here {
        let _ = write!(
            line,
            "; it was made in {}: the manifests and the state must match what it saw",
            made_in.display()
        );
    }
    line.push_str(".\n");
    line
}

/// The question `apply` asks on a terminal before it changes anything (only `yes` goes on).
pub fn confirm_prompt() -> &'static str {
    "\nDo you want to perform these actions?\n  Only 'yes' will be accepted to approve.\n\n  \
     Enter a value: "
}

/// What `apply` says when the answer to [`confirm_prompt`] was not `yes`.
pub fn cancelled() -> &'static str {
    "Apply cancelled."
}

/// What the first Ctrl-C prints (the apply stops starting steps).
pub fn interrupted() -> &'static str {
    "Interrupted: finishing the requests in flight and recording their answers \
     (Ctrl-C again stops at once; the next apply resumes either way)…"
}

/// The line for one change as it ends (`group.ops: created`, `bot.alerts: registered`,
/// `group.ops: create failed: create: …`, `notification.n: skipped (group.ops failed)`).
pub fn step(address: &Address, action: Action, outcome: &StepOutcome) -> String {
    match outcome {
        StepOutcome::Done => format!("{address}: {}", done(address, action)),
        StepOutcome::Failed(failure) => format!(
            "{address}: {} failed: {}: {}",
            verb(address, action),
            failure.operation,
            failure.error
        ),
        StepOutcome::Skipped { waiting_for } => {
            format!("{address}: skipped ({waiting_for} failed)")
        }
    }
}

/// The closing line (for stdout): `Apply complete: 15 added, 0 changed, 0 destroyed, 1
/// imported.`, or `Apply incomplete: …`, or `Apply interrupted: … 3 changes not started.`
pub fn closing(report: &Report, color: bool) -> String {
    let counts = counts(report);
    let (line, style) = if report.is_complete() {
        (
            format!("Apply complete: {counts}"),
            Style::new().green().bold(),
        )
    } else if report.interrupted {
        (
            format!(
                "Apply interrupted: {counts} {} not started.",
                plural(report.not_started, "change")
            ),
            Style::new().yellow().bold(),
        )
    } else {
        (
            format!("Apply incomplete: {counts}"),
            Style::new().red().bold(),
        )
    };
    format!("\n{}\n", paint(&line, style, color))
}

/// What failed, what waited for it, and what to do next (for stderr); empty when the apply
/// is complete.
pub fn problems(report: &Report, color: bool) -> String {
    if report.is_complete() {
        return String::new();
    }
    let mut out = String::new();
    let error = paint("error", Style::new().red().bold(), color);
    for failure in &report.failed {
        let _ = writeln!(
            out,
            "{error}: {}: {} failed: {}: {}",
            failure.address,
            verb(&failure.address, failure.action),
            failure.operation,
            failure.error
        );
    }
    for (address, waiting_for) in &report.skipped {
        let _ = writeln!(
            out,
            "skipped: {address}: waits for {waiting_for}, which failed"
        );
    }
    if report.interrupted && report.failed.is_empty() {
        out.push_str("Run apply again to finish: it resumes where this one stopped.\n");
    } else {
        out.push_str("Fix what failed and run apply again: it resumes where this one stopped.\n");
    }
    out
}

/// The plan's manual steps as a checklist, each with where it comes from and its help
/// (`Still to do by hand in DingTalk:` then `  [ ] …`); empty when there are none.
pub fn manual_steps(plan: &Plan, color: bool) -> String {
    let manual: Vec<&Finding> = plan
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Manual)
        .collect();
    if manual.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "\n{}\n",
        paint(
            "Still to do by hand in DingTalk:",
            Style::new().bold(),
            color
        )
    );
    for finding in manual {
        let at = finding
            .location()
            .map(|l| format!(" ({l})"))
            .unwrap_or_default();
        let _ = writeln!(out, "  [ ] {}{at}", finding.message);
        if let Some(help) = &finding.help {
            let _ = writeln!(out, "      {help}");
        }
    }
    out
}

/// What `apply` says when the plan has nothing to change, before the manual steps (if any).
pub fn no_changes(plan: &Plan) -> String {
    super::human::no_changes(plan).to_owned()
}

/// `15 added, 0 changed, 0 destroyed, 1 imported.`: the plan's closing line in the past
/// tense, imports, moves and forgets shown when there are any, as the plan shows them.
fn counts(report: &Report) -> String {
    let counted = [
        report.added,
        report.changed,
        report.destroyed,
        report.imported,
        report.moved,
        report.forgotten,
    ];
    format!("{}.", words::counts(counted, Tense::Did))
}

/// What a change did, in the plan's words for it ([`super::words`]).
fn done(address: &Address, action: Action) -> &'static str {
    words::words(action, address.kind).did
}

/// What was being done, as a verb: `create failed`, `disband failed`.
fn verb(address: &Address, action: Action) -> &'static str {
    words::words(action, address.kind).doing
}

fn paint(text: &str, style: Style, color: bool) -> String {
    if color {
        text.style(style).to_string()
    } else {
        text.to_owned()
    }
}

fn plural(count: usize, noun: &str) -> String {
    format!("{count} {noun}{}", if count == 1 { "" } else { "s" })
}
