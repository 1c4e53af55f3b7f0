//! Template variables in message text: `{{date}}`, `{{weekday}}`, `{{time}}`, `{{datetime}}`.
//!
//! The notify runner replaces them with the occurrence's local time in the notification's
//! time zone when it sends. Only `{{time}}` and `{{datetime}}` differ between two sends on
//! the same day, so only they make repeated sends differ for `same-content-daily`.

use chrono::{DateTime, TimeZone};

/// A variable a message may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Variable {
    /// Its name, written `{{name}}`.
    pub name: &'static str,
    /// What it becomes, as a `chrono` format string.
    pub format: &'static str,
    /// Whether two occurrences on the same day give different text.
    pub varies_within_a_day: bool,
}

/// Every variable dingform knows.
pub const VARIABLES: [Variable; 4] = [
    Variable {
        name: "date",
        format: "%Y-%m-%d",
        varies_within_a_day: false,
    },
    Variable {
        name: "weekday",
        format: "%A",
        varies_within_a_day: false,
    },
    Variable {
        name: "time",
        format: "%H:%M",
        varies_within_a_day: true,
    },
    Variable {
        name: "datetime",
        format: "%Y-%m-%d %H:%M",
        varies_within_a_day: true,
    },
];

/// A `{{…}}` in a text: its name and byte range within the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placeholder<'a> {
    /// The name between the braces, trimmed.
    pub name: &'a str,
    /// Byte range of the whole `{{…}}`.
    pub range: std::ops::Range<usize>,
}

/// Every `{{…}}` in `text`.
pub fn placeholders(text: &str) -> Vec<Placeholder<'_>> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find("{{").map(|at| at + from) {
        let Some(close) = text[open + 2..].find("}}").map(|at| at + open + 2) else {
            break;
        };
        found.push(Placeholder {
            name: text[open + 2..close].trim(),
            range: open..close + 2,
        });
        from = close + 2;
    }
    found
}

/// The variable called `name`, if dingform knows it.
pub fn variable(name: &str) -> Option<&'static Variable> {
    VARIABLES.iter().find(|variable| variable.name == name)
}

/// Replaces every known variable in `text` by its value at `at`; unknown ones stay as written.
pub fn render<Tz: TimeZone>(text: &str, at: &DateTime<Tz>) -> String
where
    Tz::Offset: std::fmt::Display,
{
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for placeholder in placeholders(text) {
        if let Some(variable) = variable(placeholder.name) {
            out.push_str(&text[last..placeholder.range.start]);
            out.push_str(&at.format(variable.format).to_string());
            last = placeholder.range.end;
        }
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    #[test]
    fn renders_known_variables_and_keeps_unknown_ones() {
        let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 30, 0).unwrap();
        assert_eq!(
            render("Digest {{date}} ({{ weekday }}) {{time}} {{x}}", &at),
            "Digest 2026-03-02 (Monday) 09:30 {{x}}"
        );
        assert_eq!(placeholders("a {{b}} {{c").len(), 1);
    }
}
