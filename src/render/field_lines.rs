//! One walk of a [`FieldChange`] into the lines a person reads, whatever the format: a value
//! `before → after` (`(unset)` when absent), a set's entries added and removed with why, how
//! many it leaves alone, a text as a line diff. [`super::human`] and [`super::markdown`] walk
//! it once each and give every line their own symbols, indents and colours.

use serde_json::Value;

use crate::plan::FieldChange;

/// Whether a line adds, removes or keeps what it shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Sign {
    Added,
    Removed,
    Kept,
}

impl Sign {
    /// `+`, `-` or a space, as a diff shows it.
    pub(super) fn symbol(self) -> &'static str {
        match self {
            Sign::Added => "+",
            Sign::Removed => "-",
            Sign::Kept => " ",
        }
    }
}

/// One line of a field's change.
#[derive(Debug, PartialEq)]
pub(super) enum Line<'a> {
    /// A value replaced by another: `before → after`, each as shown ([`show`]), `(unset)`
    /// when absent.
    Value { field: &'a str, change: String },
    /// The line before a set's entries.
    SetOpens { field: &'a str },
    /// An entry of a set, added or removed, and why when the plan says it.
    Entry {
        field: &'a str,
        sign: Sign,
        entry: &'a str,
        reason: Option<&'a str>,
    },
    /// How many entries of a set are live and left alone (more than none).
    Unmanaged { field: &'a str, count: usize },
    /// The line before a text's diff.
    TextOpens { field: &'a str },
    /// A line of a text's diff, without its line break.
    Diff { sign: Sign, line: &'a str },
}

/// Call `each` with the lines of `field`, in the order they are shown: a set's added entries
/// before its removed ones, a text's lines in diff order.
pub(super) fn walk(field: &FieldChange, mut each: impl FnMut(Line<'_>)) {
    match field {
        FieldChange::Value {
            field,
            before,
            after,
        } => {
            let shown = |value: &Option<Value>| {
                value.as_ref().map(show).unwrap_or_else(|| "(unset)".into())
            };
            each(Line::Value {
                field,
                change: format!("{} → {}", shown(before), shown(after)),
            });
        }
        FieldChange::Set {
            field,
            added,
            removed,
            unmanaged,
            reasons,
        } => {
            each(Line::SetOpens { field });
            for (entries, sign) in [(added, Sign::Added), (removed, Sign::Removed)] {
                for entry in entries {
                    each(Line::Entry {
                        field,
                        sign,
                        entry,
                        reason: reasons.get(entry).map(String::as_str),
                    });
                }
            }
            if *unmanaged > 0 {
                each(Line::Unmanaged {
                    field,
                    count: *unmanaged,
                });
            }
        }
        FieldChange::Text {
            field,
            before,
            after,
        } => {
            each(Line::TextOpens { field });
            let diff = similar::TextDiff::from_lines(before.as_str(), after.as_str());
            for change in diff.iter_all_changes() {
                let sign = match change.tag() {
                    similar::ChangeTag::Delete => Sign::Removed,
                    similar::ChangeTag::Insert => Sign::Added,
                    similar::ChangeTag::Equal => Sign::Kept,
                };
                each(Line::Diff {
                    sign,
                    line: change.value().trim_end_matches('\n'),
                });
            }
        }
    }
}

/// A JSON value as a person reads it: strings quoted, lists inline.
pub(crate) fn show(value: &Value) -> String {
    match value {
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(show).collect();
            format!("[{}]", items.join(", "))
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn lines(field: &FieldChange) -> Vec<String> {
        let mut out = Vec::new();
        walk(field, |line| out.push(format!("{line:?}")));
        out
    }

    #[test]
    fn a_set_lists_added_then_removed_with_reasons_then_what_it_leaves() {
        let field = FieldChange::Set {
            field: "members".into(),
            added: vec!["u2".into(), "u1".into()],
            removed: vec!["u3".into()],
            unmanaged: 4,
            reasons: BTreeMap::from([("u3".into(), "left the organization".into())]),
        };
        assert_eq!(
            lines(&field),
            [
                r#"SetOpens { field: "members" }"#,
                r#"Entry { field: "members", sign: Added, entry: "u2", reason: None }"#,
                r#"Entry { field: "members", sign: Added, entry: "u1", reason: None }"#,
                r#"Entry { field: "members", sign: Removed, entry: "u3", reason: Some("left the organization") }"#,
                r#"Unmanaged { field: "members", count: 4 }"#,
            ]
        );
    }

    #[test]
    fn a_value_shows_unset_for_what_is_absent_and_lists_inline() {
        let field = FieldChange::Value {
            field: "admins".into(),
            before: None,
            after: Some(serde_json::json!(["a", 1])),
        };
        assert_eq!(
            lines(&field),
            [r#"Value { field: "admins", change: "(unset) → [\"a\", 1]" }"#]
        );
    }

    #[test]
    fn a_text_is_a_line_diff_without_line_breaks() {
        let field = FieldChange::Text {
            field: "message.text".into(),
            before: "hello\nold\n".into(),
            after: "hello\nnew\n".into(),
        };
        assert_eq!(
            lines(&field),
            [
                r#"TextOpens { field: "message.text" }"#,
                r#"Diff { sign: Kept, line: "hello" }"#,
                r#"Diff { sign: Removed, line: "old" }"#,
                r#"Diff { sign: Added, line: "new" }"#,
            ]
        );
    }
}
