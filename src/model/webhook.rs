//! Custom robots: `via: {webhook: {token_env, secret_env, at}}` posts through the webhook of a
//! robot a person added to a group in the DingTalk client (no API creates one), and the
//! `feed_card` message only a webhook can send. The token and the secret are secrets: the
//! manifest names the environment variables that hold them, never the values.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::message::{Message, OpenIn, dingtalk_link};
use super::span::Spanned;
use super::wire::robot::{WebhookAt, WebhookMessage};

/// Most messages a custom robot takes in a minute before the platform throttles it for ten
/// minutes (`webhook-rate`).
pub const WEBHOOK_PER_MINUTE: usize = crate::model::limits::WEBHOOK_PER_MINUTE;

/// Most users one webhook message may @-mention (`at.atUserIds`).
pub const WEBHOOK_MAX_MENTIONS: usize = crate::model::limits::WEBHOOK_MENTIONS;

/// How far a signed request's `timestamp` may be off the platform's clock
/// (`webhook-signature`), in milliseconds.
pub const WEBHOOK_TIMESTAMP_WINDOW_MS: i64 = 60 * 60 * 1000;

/// A custom robot's webhook.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Webhook {
    /// The environment variable holding the robot's access token (the `access_token=` of
    /// its webhook URL, or the whole URL). Read at send time, never stored or printed.
    pub token_env: Spanned<String>,
    /// The environment variable holding the robot's signing secret (`SEC…`), when signing is
    /// on in the robot's security settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_env: Option<Spanned<String>>,
    /// Whom to @-mention.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<WebhookMentions>,
}

/// `at` of a webhook: users by userId, or everyone.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookMentions {
    /// userIds to @-mention (at most 50); write `@USERID` in the text where it should show.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<Spanned<String>>,
    /// @everyone in the group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all: Option<Spanned<bool>>,
}

impl Webhook {
    /// The userIds it @-mentions, as written (for `unknown-user`).
    pub fn mentioned_users(&self) -> &[Spanned<String>] {
        self.at.as_ref().map_or(&[], |at| at.users.as_slice())
    }

    /// Whether it @-mentions everyone.
    pub fn mentions_all(&self) -> bool {
        self.at
            .as_ref()
            .and_then(|at| at.all.as_ref())
            .is_some_and(|all| all.value)
    }
}

/// `feed_card: {links: [{title, message_url, pic_url}]}` (webhook robots only).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedCardMessage {
    /// The cards, top to bottom.
    pub links: Vec<FeedCardLink>,
}

/// One card of a feed card.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedCardLink {
    /// Card title.
    pub title: Spanned<String>,
    /// Where a click goes.
    pub message_url: Spanned<String>,
    /// Picture URL.
    pub pic_url: Spanned<String>,
}

/// The body of `POST /robot/send` for `message`, with `at` and the idempotency key
/// `msgUuid`; or why a webhook cannot send it. Template variables are already rendered.
pub fn webhook_body(
    message: &Message,
    webhook: &Webhook,
    msg_uuid: &str,
) -> Result<WebhookMessage, String> {
    let link = |url: &Spanned<String>, open_in: Option<&Spanned<OpenIn>>| match open_in {
        Some(open_in) => dingtalk_link(&url.value, open_in.value, None),
        None => url.value.clone(),
    };
    let mut body = WebhookMessage {
        msg_uuid: Some(msg_uuid.to_owned()),
        ..WebhookMessage::default()
    };
    match message {
        Message::Text(text) => {
            body.msgtype = "text".into();
            body.text = Some(json!({"content": text.content.value}));
        }
        Message::Markdown(markdown) => {
            body.msgtype = "markdown".into();
            body.markdown =
                Some(json!({"title": markdown.title.value, "text": markdown.text.value}));
        }
        Message::Link(card) => {
            body.msgtype = "link".into();
            let mut value = json!({
                "title": card.title.value,
                "text": card.text.value,
                "messageUrl": link(&card.message_url, card.open_in.as_ref()),
            });
            if let Some(pic) = &card.pic_url {
                value["picUrl"] = json!(pic.value);
            }
            body.link = Some(value);
        }
        Message::ActionCard(card) => {
            body.msgtype = "actionCard".into();
            let mut value = json!({"title": card.title.value, "text": card.markdown.value});
            if let Some(title) = &card.single_title {
                value["singleTitle"] = json!(title.value);
            }
            if let Some(url) = &card.single_url {
                value["singleURL"] = json!(link(url, card.open_in.as_ref()));
            }
            if let Some(orientation) = &card.btn_orientation {
                value["btnOrientation"] = json!(orientation.value.to_string());
            }
            if !card.btn_json_list.is_empty() {
                value["btns"] = card
                    .btn_json_list
                    .iter()
                    .map(|button| {
                        json!({
                            "title": button.title.value,
                            "actionURL": link(&button.action_url, card.open_in.as_ref()),
                        })
                    })
                    .collect();
            }
            body.action_card = Some(value);
        }
        Message::FeedCard(feed) => {
            body.msgtype = "feedCard".into();
            let links: Vec<_> = feed
                .links
                .iter()
                .map(|card| {
                    json!({
                        "title": card.title.value,
                        "messageURL": card.message_url.value,
                        "picURL": card.pic_url.value,
                    })
                })
                .collect();
            body.feed_card = Some(json!({ "links": links }));
        }
        Message::Oa(_) | Message::Image(_) => {
            return Err(format!(
                "a webhook robot cannot send an `{}` message",
                message.kind()
            ));
        }
    }
    let users: Vec<String> = webhook
        .mentioned_users()
        .iter()
        .map(|user| user.value.clone())
        .collect();
    if !users.is_empty() || webhook.mentions_all() {
        body.at = Some(WebhookAt {
            at_mobiles: None,
            at_user_ids: (!users.is_empty()).then_some(users),
            is_at_all: webhook.mentions_all().then_some(true),
        });
    }
    Ok(body)
}

/// The `sign` of a webhook request (`webhook-signature`): base64 of HMAC-SHA256 keyed by the
/// secret over `timestamp + "\n" + secret` (sent URL-encoded in the query).
pub fn webhook_signature(secret: &str, timestamp_ms: i64) -> String {
    use base64::Engine;
    use hmac::{KeyInit, Mac};
    let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) else {
        // HMAC takes keys of any length: this cannot fail.
        return String::new();
    };
    mac.update(format!("{timestamp_ms}\n{secret}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}
