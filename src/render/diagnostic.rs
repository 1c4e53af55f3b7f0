//! Findings rendered like a compiler's diagnostics, and as versioned JSON.
//!
//! ```text
//! error[unknown-reference]: no bot named `alert` is declared
//!  --> groups.yaml:9:12
//!   |
//! 9 |     bots: [alert]
//!   |            ^^^^^
//!   |
//!   = help: declared bots: `alerts`
//! ```

use std::path::Path;

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};
use serde::Serialize;

use crate::model::{Finding, Severity, Sources, Span};

/// Version of the JSON produced by [`json`]; bumped when consumers must change.
pub const FORMAT_VERSION: u32 = 1;

/// Renders every finding, each followed by a blank line. `color` selects ANSI styling.
pub fn human(findings: &[Finding], sources: &Sources, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for finding in findings {
        out.push_str(&render_one(finding, sources, &renderer));
        out.push_str("\n\n");
    }
    out
}

/// One line counting the findings: `2 errors, 1 warning`, or `no problems`.
pub fn summary(findings: &[Finding]) -> String {
    let count = |severity| {
        findings
            .iter()
            .filter(|finding| finding.severity == severity)
            .count()
    };
    let parts: Vec<String> = [
        (Severity::Error, "error"),
        (Severity::Warning, "warning"),
        (Severity::Manual, "manual step"),
    ]
    .into_iter()
    .filter_map(|(severity, noun)| {
        let n = count(severity);
        (n > 0).then(|| format!("{n} {noun}{}", if n == 1 { "" } else { "s" }))
    })
    .collect();
    if parts.is_empty() {
        "no problems".to_owned()
    } else {
        parts.join(", ")
    }
}

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Manual => Level::NOTE.with_name(Some("manual")),
    }
}

fn render_one(finding: &Finding, sources: &Sources, renderer: &Renderer) -> String {
    let title = level(finding.severity)
        .primary_title(finding.message.as_str())
        .id(finding.rule.as_str());
    let mut group: Group<'_> = match (&finding.file, &finding.span) {
        (Some(file), Some(span)) => match excerpt(sources, file, span) {
            Some(excerpt) => title.element(excerpt.snippet(file)),
            None => title.element(origin(file, Some(span))),
        },
        (Some(file), None) => title.element(origin(file, None)),
        (None, _) => Group::with_title(title),
    };
    for related in &finding.related {
        if let Some(excerpt) = excerpt(sources, &related.file, &related.span) {
            group = group.element(
                excerpt.source(&related.file).annotation(
                    AnnotationKind::Context
                        .span(excerpt.range.clone())
                        .label(related.message.as_str()),
                ),
            );
        }
    }
    if let Some(help) = &finding.help {
        group = group.element(Level::HELP.message(help.as_str()));
    }
    renderer.render(&[group])
}

fn origin<'a>(file: &'a Path, span: Option<&Span>) -> Origin<'a> {
    let origin = Origin::path(file.to_string_lossy());
    match span {
        Some(span) if span.is_known() => origin
            .line(span.line as usize)
            .char_column(span.col as usize),
        _ => origin,
    }
}

/// The source line a span starts on, and the annotated byte range within it.
struct Excerpt<'a> {
    line_text: &'a str,
    line: usize,
    range: std::ops::Range<usize>,
}

impl<'a> Excerpt<'a> {
    fn source(&self, file: &'a Path) -> Snippet<'a, annotate_snippets::Annotation<'a>> {
        Snippet::source(self.line_text)
            .path(file.to_string_lossy())
            .line_start(self.line)
    }

    fn snippet(&self, file: &'a Path) -> Snippet<'a, annotate_snippets::Annotation<'a>> {
        self.source(file)
            .annotation(AnnotationKind::Primary.span(self.range.clone()))
    }
}

/// Cuts the span's first line out of the file (rendering a whole large file for each
/// finding would be slow), locating it by line and column, which the parser always gives.
fn excerpt<'a>(sources: &'a Sources, file: &Path, span: &Span) -> Option<Excerpt<'a>> {
    let text = sources.get(file)?;
    if !span.is_known() {
        return None;
    }
    let line_index = span.line as usize - 1;
    let line_start = if line_index == 0 {
        0
    } else {
        text.match_indices('\n')
            .nth(line_index - 1)
            .map(|(at, _)| at + 1)?
    };
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |at| at + line_start);
    let line_text = text[line_start..line_end].trim_end_matches('\r');
    let col = (span.col as usize).saturating_sub(1);
    let start = line_text
        .char_indices()
        .nth(col)
        .map_or(line_text.len(), |(at, _)| at);
    let wanted = span.bytes.len();
    let end = if wanted > 0 {
        (start + wanted).min(line_text.len())
    } else {
        // A point: mark the token that starts there.
        line_text[start..]
            .find(char::is_whitespace)
            .map_or(line_text.len(), |at| at + start)
    };
    let end = if line_text.is_char_boundary(end) {
        end
    } else {
        line_text.len()
    };
    let end = if end == start {
        (start + 1).min(line_text.len())
    } else {
        end
    };
    Some(Excerpt {
        line_text,
        line: span.line as usize,
        range: start..end,
    })
}

/// One finding in the JSON form.
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic<'a> {
    /// Rule id.
    pub rule: &'a str,
    /// `error`, `warning` or `manual`.
    pub severity: Severity,
    /// Resource address, or null.
    pub address: Option<&'a crate::model::Address>,
    /// File, or null.
    pub file: Option<String>,
    /// 1-based line, or null.
    pub line: Option<u32>,
    /// 1-based column, or null.
    pub column: Option<u32>,
    /// What is wrong.
    pub message: &'a str,
    /// How to fix it, or null.
    pub help: Option<&'a str>,
}

impl<'a> From<&'a Finding> for JsonDiagnostic<'a> {
    fn from(finding: &'a Finding) -> Self {
        JsonDiagnostic {
            rule: &finding.rule,
            severity: finding.severity,
            address: finding.address.as_ref(),
            file: finding.file.as_ref().map(|file| file.display().to_string()),
            line: finding.span.as_ref().map(|span| span.line),
            column: finding.span.as_ref().map(|span| span.col),
            message: &finding.message,
            help: finding.help.as_deref(),
        }
    }
}

/// The JSON document `validate --format json` prints.
#[derive(Debug, Serialize)]
pub struct JsonReport<'a> {
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// Whether there is no error.
    pub valid: bool,
    /// Count of errors.
    pub errors: usize,
    /// Count of warnings.
    pub warnings: usize,
    /// Every finding, in output order.
    pub diagnostics: Vec<JsonDiagnostic<'a>>,
}

/// Renders findings as a versioned JSON object (pretty-printed, with a trailing newline).
pub fn json(findings: &[Finding]) -> String {
    let count = |severity| {
        findings
            .iter()
            .filter(|finding| finding.severity == severity)
            .count()
    };
    let report = JsonReport {
        format_version: FORMAT_VERSION,
        valid: count(Severity::Error) == 0,
        errors: count(Severity::Error),
        warnings: count(Severity::Warning),
        diagnostics: findings.iter().map(JsonDiagnostic::from).collect(),
    };
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}
