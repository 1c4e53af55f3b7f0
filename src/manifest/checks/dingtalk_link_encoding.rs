//! `dingtalk-link-encoding`: links that open inside DingTalk are
//! `dingtalk://dingtalkclient/page/link?url=<url-encoded>&pc_slide=true|false&title=…`, and
//! the target must be URL-encoded or the client cuts it at its first `&` or `?`. A
//! hand-written link whose `url` is not encoded is an error; the help gives the encoded link
//! (or `open_in:`, which builds it).

use super::Context;
use crate::model::message::{DINGTALK_LINK_PREFIX, encode_url_component};
use crate::model::{Address, Finding, Spanned};

/// The first un-encoded `dingtalk://` link in `text`, and the corrected link.
pub fn unencoded_link(text: &str) -> Option<(String, String)> {
    let mut from = 0;
    while let Some(start) = text[from..].find(DINGTALK_LINK_PREFIX).map(|at| at + from) {
        let end = text[start..]
            .find(|c: char| c.is_whitespace() || matches!(c, ')' | '"' | '\'' | '>' | ']'))
            .map_or(text.len(), |at| at + start);
        let link = &text[start..end];
        let query = &link[DINGTALK_LINK_PREFIX.len()..];
        // The url parameter runs to `&pc_slide=` / `&title=` when present (an un-encoded
        // target may carry its own `&`), else to the end.
        if let Some(url_at) = query.find("url=") {
            let value_start = url_at + 4;
            let rest = &query[value_start..];
            let value_end = ["&pc_slide=", "&title="]
                .iter()
                .filter_map(|key| rest.find(key))
                .min()
                .unwrap_or(rest.len());
            let url = &rest[..value_end];
            if url.contains([':', '/', '?', '#', '&', '=', ' ']) {
                let fixed = format!(
                    "{}{}url={}{}",
                    DINGTALK_LINK_PREFIX,
                    &query[..url_at],
                    encode_url_component(url),
                    &rest[value_end..]
                );
                return Some((link.to_owned(), fixed));
            }
        }
        from = end.max(start + 1);
    }
    None
}

/// Reports `dingtalk://` links whose target is not URL-encoded, in any text of a message.
pub fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    for (name, notification) in &context.workspace.notifications {
        for text in notification.spec.message.value.texts() {
            report(
                text,
                &notification.file,
                &Address::notification(name),
                findings,
            );
        }
    }
}

fn report(
    text: &Spanned<String>,
    file: &std::path::Path,
    address: &Address,
    findings: &mut Vec<Finding>,
) {
    if let Some((_, fixed)) = unencoded_link(&text.value) {
        findings.push(
            Finding::error("dingtalk-link-encoding", "the `url` of this dingtalk:// link is not URL-encoded")
                .at(file, &text.span)
                .address(address)
                .help(format!("write {fixed} — or give the plain URL with `open_in: sidebar|browser` and dingform builds the link")),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_unencoded_targets_only() {
        let (_, fixed) = unencoded_link("see dingtalk://dingtalkclient/page/link?url=https://x.example/a?b=1&c=2&pc_slide=true now").unwrap();
        assert_eq!(
            fixed,
            "dingtalk://dingtalkclient/page/link?url=https%3A%2F%2Fx.example%2Fa%3Fb%3D1%26c%3D2&pc_slide=true"
        );
        assert_eq!(
            unencoded_link(
                "dingtalk://dingtalkclient/page/link?url=https%3A%2F%2Fx.example&pc_slide=false"
            ),
            None
        );
        assert_eq!(unencoded_link("no links here"), None);
    }
}
