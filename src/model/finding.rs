//! [`Finding`]: one diagnostic — a loading error or a platform rule that fires — with its rule
//! id, severity, the resource it is about and where in which file. `validate` produces them and
//! `plan` reuses the type; renderers in `render` turn them into text or JSON.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::address::Address;
use super::span::Span;

/// How a finding weighs on the run (PLATFORM-RULES.md, "Severities").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The platform cannot or will not do it: `validate` exits 1 and apply is blocked.
    Error,
    /// A side effect the reviewer should see; the run goes on.
    Warning,
    /// A step a person must do in the DingTalk console or client.
    Manual,
}

impl Severity {
    /// The lowercase name used in output (`error`, `warning`, `manual`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Manual => "manual",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A second place a finding points at (for example where a duplicate was first defined).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Related {
    /// The file.
    pub file: PathBuf,
    /// Where in it.
    pub span: Span,
    /// What is there.
    pub message: String,
}

/// One diagnostic: a loading error or a rule of PLATFORM-RULES.md that fires.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable rule id: a PLATFORM-RULES.md id, or a loading error kind such as `yaml-syntax`,
    /// `unknown-key`, `duplicate-resource`, `unknown-reference`, `invalid-cron`.
    pub rule: String,
    /// Whether it blocks.
    pub severity: Severity,
    /// The resource it is about (`group.NAME`, …), when there is one.
    pub address: Option<Address>,
    /// The file it points into, when there is one.
    pub file: Option<PathBuf>,
    /// Where in that file (absent for whole-file problems such as an unreadable file).
    pub span: Option<Span>,
    /// What is wrong, in one sentence.
    pub message: String,
    /// How to fix it, when we know.
    pub help: Option<String>,
    /// Other places worth showing (for example the first of two definitions).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
}

impl Finding {
    /// A finding of the given rule and severity; add place and help with the builder methods.
    pub fn new(rule: impl Into<String>, severity: Severity, message: impl Into<String>) -> Self {
        Self {
            rule: rule.into(),
            severity,
            address: None,
            file: None,
            span: None,
            message: message.into(),
            help: None,
            related: Vec::new(),
        }
    }

    /// An `error` finding.
    pub fn error(rule: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(rule, Severity::Error, message)
    }

    /// A `warning` finding.
    pub fn warning(rule: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(rule, Severity::Warning, message)
    }

    /// Sets the file and span (an unknown span is dropped, the file kept).
    pub fn at(mut self, file: impl Into<PathBuf>, span: &Span) -> Self {
        self.file = Some(file.into());
        self.span = span.is_known().then(|| span.clone());
        self
    }

    /// Sets the file only (whole-file problems).
    pub fn in_file(mut self, file: impl Into<PathBuf>) -> Self {
        self.file = Some(file.into());
        self
    }

    /// Sets the resource address.
    pub fn address(mut self, address: impl Into<Address>) -> Self {
        self.address = Some(address.into());
        self
    }

    /// Sets the help line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a related place.
    pub fn related(
        mut self,
        file: impl Into<PathBuf>,
        span: &Span,
        message: impl Into<String>,
    ) -> Self {
        self.related.push(Related {
            file: file.into(),
            span: span.clone(),
            message: message.into(),
        });
        self
    }

    /// `file:line:col`, `file` or nothing, as far as the place is known.
    pub fn location(&self) -> Option<String> {
        let file = self.file.as_ref()?.display().to_string();
        Some(match &self.span {
            Some(span) => format!("{file}:{span}"),
            None => file,
        })
    }

    /// Sort key: file, position, then rule, so output is stable across runs.
    pub fn sort_key(&self) -> impl Ord + '_ {
        (
            self.file.clone(),
            self.span.as_ref().map(|span| (span.line, span.col)),
            self.rule.clone(),
            self.message.clone(),
        )
    }
}

/// Whether any finding is an error.
pub fn has_errors(findings: &[Finding]) -> bool {
    findings
        .iter()
        .any(|finding| finding.severity == Severity::Error)
}
