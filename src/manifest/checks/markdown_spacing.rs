//! `markdown-spacing`: in bot markdown the platform collapses plain spaces; a space is written
//! `&nbsp;` (or `&#160;`, `&#xA0;`) and a line break is `\n` with a space before and after.
//! Bot markdown that relies on runs of plain spaces or has a line break without those spaces
//! renders differently from what its author sees: a warning, with the fixed text as help
//! (a double-quoted YAML string, ready to paste).

use super::Context;
use crate::model::{Address, Finding, Message, Target};

/// Whether `text` relies on plain-space runs or on line breaks without surrounding spaces.
pub fn needs_fixing(text: &str) -> bool {
    let body = text.trim_end_matches('\n');
    let bytes = body.as_bytes();
    let bad_break = bytes.iter().enumerate().any(|(at, byte)| {
        *byte == b'\n' && (at == 0 || bytes[at - 1] != b' ' || bytes.get(at + 1) != Some(&b' '))
    });
    bad_break
        || body
            .split('\n')
            .any(|line| line.trim_end().contains("  ") || (line.starts_with("  ")))
}

/// The text written the way bot markdown wants it: lines joined by ` \n `, runs of two or
/// more spaces as `&nbsp;`.
pub fn fixed(text: &str) -> String {
    let lines: Vec<String> = text
        .trim_end_matches('\n')
        .split('\n')
        .map(|line| line.trim_matches(' '))
        .map(nbsp_runs)
        .collect();
    lines.join(" \n ")
}

fn nbsp_runs(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ' ' && chars.peek() == Some(&' ') {
            out.push_str("&nbsp;");
            while chars.peek() == Some(&' ') {
                chars.next();
                out.push_str("&nbsp;");
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Reports bot markdown with plain-space runs or bare line breaks.
pub fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    for (name, notification) in &context.workspace.notifications {
        let Ok(Target::BotToGroup { .. }) = notification.spec.via.value.target() else {
            continue;
        };
        let Message::Markdown(markdown) = &notification.spec.message.value else {
            continue;
        };
        if needs_fixing(&markdown.text.value) {
            let quoted = serde_json::to_string(&fixed(&markdown.text.value)).unwrap_or_default();
            findings.push(
                Finding::warning(
                    "markdown-spacing",
                    "bot markdown needs ` \\n ` for line breaks and `&nbsp;` for repeated spaces",
                )
                .at(&notification.file, &markdown.text.span)
                .address(Address::notification(name))
                .help(format!("text: {quoted}")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_breaks_and_space_runs_are_fixed() {
        assert!(needs_fixing("a\nb"));
        assert!(needs_fixing("a  b"));
        assert!(!needs_fixing("a \n b\n"));
        assert_eq!(
            fixed("**Stand-up**\n- a  b\n"),
            "**Stand-up** \n - a&nbsp;&nbsp;b"
        );
        assert!(!needs_fixing(&fixed("x\ny   z\n")));
    }
}
