//! What a webhook delivery may carry: the five message types a custom robot sends (`text`,
//! `markdown`, `link`, `action_card`, `feed_card`), at most 50 @-mentions, and environment
//! variable names that can hold a value. The variables' values are read at send time only.

use std::path::Path;

use crate::model::message::Message;
use crate::model::webhook::{WEBHOOK_MAX_MENTIONS, Webhook};
use crate::model::{Address, Finding, Spanned};

/// Reports a message a webhook cannot send and a malformed `via.webhook`.
pub fn message_shape(
    message: &Spanned<Message>,
    webhook: &Webhook,
    file: &Path,
    address: &Address,
    findings: &mut Vec<Finding>,
) {
    let mut invalid = |span: &crate::model::Span, text: String, help: &str| {
        findings.push(
            Finding::error("invalid-message", text)
                .at(file, span)
                .address(address)
                .help(help),
        );
    };
    if let Message::Oa(_) | Message::Image(_) = &message.value {
        invalid(
            &message.span,
            format!(
                "a webhook robot cannot send an `{}` message",
                message.value.kind()
            ),
            "webhook messages are text, markdown, link, action_card or feed_card",
        );
    }
    if let Message::FeedCard(feed) = &message.value
        && feed.links.is_empty()
    {
        invalid(
            &message.span,
            "a feed card needs at least one link".to_owned(),
            "`links: [{title, message_url, pic_url}]`",
        );
    }
    let mentioned = webhook.mentioned_users();
    if mentioned.len() > WEBHOOK_MAX_MENTIONS {
        invalid(
            &mentioned[WEBHOOK_MAX_MENTIONS].span,
            format!(
                "a webhook message @-mentions at most {WEBHOOK_MAX_MENTIONS} users, this one {}",
                mentioned.len()
            ),
            "mention fewer users, or `all: true`",
        );
    }
    let variables = std::iter::once(&webhook.token_env).chain(webhook.secret_env.as_ref());
    for variable in variables {
        if !is_variable_name(&variable.value) {
            findings.push(
                Finding::error(
                    "invalid-via",
                    format!(
                        "`{}` is not an environment variable name",
                        variable.value
                    ),
                )
                .at(file, &variable.span)
                .address(address)
                .help("name the variable that holds the value (e.g. OPS_WEBHOOK_TOKEN), never the value itself"),
            );
        }
    }
}

/// Letters, digits and `_`, not starting with a digit: a name a shell can export. A pasted
/// token or URL is not one, so it is reported (without repeating it in full elsewhere).
fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
