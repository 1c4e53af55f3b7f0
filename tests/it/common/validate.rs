//! Assertions on `dingform validate` in a [`Workspace`]: its findings as `(rule, severity,
//! "file:line:col")`, in JSON and in the human output.

use serde_json::Value;

use super::workspace::Workspace;

/// One finding: rule, severity, `file:line:col`.
pub type Finding = (String, String, String);

impl Workspace {
    /// `dingform validate` (human output); exit code and stderr.
    pub fn validate(&self) -> (i32, String) {
        let run = self.run_offline(&["validate"]);
        (run.code, run.stderr)
    }

    /// `dingform validate --format json`; exit code and the parsed report.
    pub fn validate_json(&self) -> (i32, Value) {
        let run = self.run_offline(&["validate", "--format", "json"]);
        (run.code, run.json())
    }

    /// The findings of a JSON run.
    pub fn diagnostics(&self) -> (i32, Vec<Finding>) {
        let (code, report) = self.validate_json();
        let list = report["diagnostics"]
            .as_array()
            .expect("diagnostics array")
            .iter()
            .map(|d| {
                let place = match (d["file"].as_str(), d["line"].as_u64(), d["column"].as_u64()) {
                    (Some(file), Some(line), Some(col)) => format!("{file}:{line}:{col}"),
                    (Some(file), _, _) => file.to_owned(),
                    _ => String::new(),
                };
                (
                    d["rule"].as_str().unwrap_or_default().to_owned(),
                    d["severity"].as_str().unwrap_or_default().to_owned(),
                    place,
                )
            })
            .collect();
        (code, list)
    }

    /// Validation fails (exit 1) with an error of `rule` at `place`, in JSON and in the human
    /// output.
    #[track_caller]
    pub fn expect_error(&self, rule: &str, place: &str) {
        self.expect(1, rule, "error", place);
        let (_, stderr) = self.validate();
        assert!(
            stderr.contains(&format!("error[{rule}]")),
            "no error[{rule}] in:\n{stderr}"
        );
        assert!(
            stderr.contains(&format!("--> {place}")),
            "no `--> {place}` in:\n{stderr}"
        );
    }

    /// Validation passes (exit 0) with a warning of `rule` at `place`.
    #[track_caller]
    pub fn expect_warning(&self, rule: &str, place: &str) {
        self.expect(0, rule, "warning", place);
    }

    /// Exit code `code` and one finding of `rule` with `severity` at `place`.
    #[track_caller]
    pub fn expect(&self, code: i32, rule: &str, severity: &str, place: &str) {
        let (actual, diagnostics) = self.diagnostics();
        let wanted = (rule.to_owned(), severity.to_owned(), place.to_owned());
        assert!(
            diagnostics.contains(&wanted),
            "no {wanted:?} among {diagnostics:#?}"
        );
        assert_eq!(actual, code, "exit code; diagnostics: {diagnostics:#?}");
    }

    /// No finding of `rule`.
    #[track_caller]
    pub fn expect_no(&self, rule: &str) {
        let (_, diagnostics) = self.diagnostics();
        assert!(
            diagnostics.iter().all(|(r, _, _)| r != rule),
            "unexpected {rule} among {diagnostics:#?}"
        );
    }

    /// A clean run: exit 0 and no findings at all.
    #[track_caller]
    pub fn expect_clean(&self) {
        let (code, diagnostics) = self.diagnostics();
        assert_eq!((code, diagnostics), (0, vec![]));
    }
}
