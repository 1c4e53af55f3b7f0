//! [`Message`]: a notification's body, one of the platform's message types, with the
//! platform's own field names in snake_case (PRODUCT.md, "Manifests"), and the `dingtalk://`
//! link builder behind `open_in`.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::span::Spanned;
use super::webhook::FeedCardMessage;

/// A message body: exactly one of the platform's message types.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Message {
    /// Plain text.
    Text(TextMessage),
    /// Markdown (the subset DingTalk renders).
    Markdown(MarkdownMessage),
    /// A link card.
    Link(LinkMessage),
    /// An action card with one button or a list of buttons.
    ActionCard(ActionCardMessage),
    /// An OA message (work notifications only), optionally with a status bar.
    Oa(Box<OaMessage>),
    /// An image.
    Image(ImageMessage),
    /// A list of linked cards (webhook robots only).
    FeedCard(FeedCardMessage),
}

impl Message {
    /// The type's name as the manifest writes it (`text`, `markdown`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Text(_) => "text",
            Self::Markdown(_) => "markdown",
            Self::Link(_) => "link",
            Self::ActionCard(_) => "action_card",
            Self::Oa(_) => "oa",
            Self::Image(_) => "image",
            Self::FeedCard(_) => "feed_card",
        }
    }

    /// Every text field a person wrote (content, titles, URLs, …), for checks that scan text
    /// (template variables, `dingtalk-link-encoding`).
    pub fn texts(&self) -> Vec<&Spanned<String>> {
        let mut texts: Vec<&Spanned<String>> = Vec::new();
        match self {
            Self::Text(text) => texts.push(&text.content),
            Self::Markdown(markdown) => texts.extend([&markdown.title, &markdown.text]),
            Self::Link(link) => {
                texts.extend([&link.title, &link.text, &link.message_url]);
                texts.extend(&link.pic_url);
            }
            Self::ActionCard(card) => {
                texts.extend([&card.title, &card.markdown]);
                texts.extend(card.single_title.iter().chain(&card.single_url));
                for button in &card.btn_json_list {
                    texts.extend([&button.title, &button.action_url]);
                }
            }
            Self::Oa(oa) => {
                texts.push(&oa.message_url);
                texts.extend(&oa.pc_message_url);
                texts.push(&oa.head.text);
                if let Some(bar) = &oa.status_bar {
                    texts.push(&bar.status_value);
                }
                let body = &oa.body;
                texts.extend(body.title.iter().chain(&body.content).chain(&body.author));
                for field in &body.form {
                    texts.extend([&field.key, &field.value]);
                }
            }
            Self::Image(image) => texts.extend(image.url.iter()),
            Self::FeedCard(feed) => {
                for card in &feed.links {
                    texts.extend([&card.title, &card.message_url, &card.pic_url]);
                }
            }
        }
        texts
    }

    /// Where the message asks links to open, if it says.
    pub fn open_in(&self) -> Option<&Spanned<OpenIn>> {
        match self {
            Self::Link(link) => link.open_in.as_ref(),
            Self::ActionCard(card) => card.open_in.as_ref(),
            Self::Oa(oa) => oa.open_in.as_ref(),
            Self::Text(_) | Self::Markdown(_) | Self::Image(_) | Self::FeedCard(_) => None,
        }
    }
}

/// `text: {content}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TextMessage {
    /// The text; may use template variables (see `model::template`).
    pub content: Spanned<String>,
}

/// `markdown: {title, text}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkdownMessage {
    /// Shown in the conversation list and notifications.
    pub title: Spanned<String>,
    /// The markdown. In bot markdown spaces are `&nbsp;` and a line break is ` \n `
    /// (`markdown-spacing`).
    pub text: Spanned<String>,
}

/// `link: {title, text, message_url, pic_url}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkMessage {
    /// Card title.
    pub title: Spanned<String>,
    /// Card text.
    pub text: Spanned<String>,
    /// Where a click goes (a plain URL; `open_in` wraps it in a `dingtalk://` link).
    pub message_url: Spanned<String>,
    /// Picture URL or media id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pic_url: Option<Spanned<String>>,
    /// Open the link in DingTalk's sidebar or in the browser (dingform builds the link).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_in: Option<Spanned<OpenIn>>,
}

/// `action_card: {title, markdown, single_title, single_url, btn_orientation, btn_json_list}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionCardMessage {
    /// Card title.
    pub title: Spanned<String>,
    /// Card body in markdown.
    pub markdown: Spanned<String>,
    /// The single button's label (with `single_url`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub single_title: Option<Spanned<String>>,
    /// The single button's URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub single_url: Option<Spanned<String>>,
    /// Button layout: 0 vertical, 1 horizontal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub btn_orientation: Option<Spanned<u8>>,
    /// Buttons, instead of the single button.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub btn_json_list: Vec<ActionCardButton>,
    /// Open button links in DingTalk's sidebar or in the browser.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_in: Option<Spanned<OpenIn>>,
}

/// One button of an action card.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionCardButton {
    /// Label.
    pub title: Spanned<String>,
    /// Where it goes.
    pub action_url: Spanned<String>,
}

/// `oa: {message_url, pc_message_url, head, status_bar, body}` (work notifications only).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OaMessage {
    /// Where a click goes on mobile.
    pub message_url: Spanned<String>,
    /// Where a click goes on the PC client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pc_message_url: Option<Spanned<String>>,
    /// The coloured header.
    pub head: OaHead,
    /// A status bar that can be updated later; such a message may go to at most 5 users
    /// per request (`oa-status-bar-recipients`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_bar: Option<OaStatusBar>,
    /// The body.
    #[serde(default)]
    pub body: OaBody,
    /// `workbench` opens the link in the PC workbench (OA only, `pc-workbench-link`);
    /// `sidebar`/`browser` build a `dingtalk://` link for the PC client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_in: Option<Spanned<OpenIn>>,
}

/// OA header.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OaHead {
    /// Header text.
    pub text: Spanned<String>,
    /// Header colour, `FFRRGGBB`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bgcolor: Option<Spanned<String>>,
}

/// OA status bar.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OaStatusBar {
    /// Status text.
    pub status_value: Spanned<String>,
    /// Status colour, `0xFFRRGGBB`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_bg: Option<Spanned<String>>,
}

/// OA body.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OaBody {
    /// Body title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Spanned<String>>,
    /// Body text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<Spanned<String>>,
    /// Key/value lines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub form: Vec<OaFormField>,
    /// A highlighted number with its unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rich: Option<OaRich>,
    /// Image media id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<Spanned<String>>,
    /// Number of attachments shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_count: Option<Spanned<String>>,
    /// Author line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<Spanned<String>>,
}

/// One key/value line of an OA body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OaFormField {
    /// Key.
    pub key: Spanned<String>,
    /// Value.
    pub value: Spanned<String>,
}

/// A highlighted number in an OA body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OaRich {
    /// The number.
    pub num: Spanned<String>,
    /// Its unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<Spanned<String>>,
}

/// `image: {path: FILE}` (a local file dingform checks and uploads), `{media_id}` or `{url}`
/// (bots only). Exactly one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageMessage {
    /// A local image file, relative to the manifest file; its pixel size is checked
    /// (`image-size`) and it is uploaded at send time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<Spanned<String>>,
    /// A media id from `/media/upload`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_id: Option<Spanned<String>>,
    /// An image URL (bot messages only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<Spanned<String>>,
}

/// Where a link opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OpenIn {
    /// Inside DingTalk, in the PC client's sidebar (`pc_slide=true`).
    Sidebar,
    /// In the system browser (`pc_slide=false`).
    Browser,
    /// In the PC workbench: OA messages only (`pc-workbench-link`).
    Workbench,
}

/// Characters left as they are when encoding a URL into a `dingtalk://` link: the unreserved
/// set of RFC 3986, everything else percent-encoded (as `encodeURIComponent` does, minus
/// `!'()*` which DingTalk's own examples encode).
const URL_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The prefix of a link that opens inside the DingTalk client.
pub const DINGTALK_LINK_PREFIX: &str = "dingtalk://dingtalkclient/page/link?";

/// Builds `dingtalk://dingtalkclient/page/link?url=<encoded>&pc_slide=true|false[&title=…]`:
/// the link that opens `url` in DingTalk's sidebar (`sidebar`) or a browser (`browser`), the
/// form `dingtalk-link-encoding` asks for. `workbench` is not a link form and returns `url`
/// unchanged (OA messages put it in `pc_message_url`).
pub fn dingtalk_link(url: &str, open_in: OpenIn, title: Option<&str>) -> String {
    let pc_slide = match open_in {
        OpenIn::Sidebar => true,
        OpenIn::Browser => false,
        OpenIn::Workbench => return url.to_owned(),
    };
    let mut link = format!(
        "{DINGTALK_LINK_PREFIX}url={}&pc_slide={pc_slide}",
        utf8_percent_encode(url, URL_COMPONENT)
    );
    if let Some(title) = title {
        link.push_str("&title=");
        link.extend(utf8_percent_encode(title, URL_COMPONENT));
    }
    link
}

/// Encodes a URL for the `url=` parameter of a `dingtalk://` link.
pub fn encode_url_component(url: &str) -> String {
    utf8_percent_encode(url, URL_COMPONENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dingtalk_link_matches_the_platform_examples() {
        // The FAQ's own examples.
        assert_eq!(
            dingtalk_link("https://www.baidu.com", OpenIn::Browser, Some("title")),
            "dingtalk://dingtalkclient/page/link?url=https%3A%2F%2Fwww.baidu.com&pc_slide=false&title=title"
        );
        assert_eq!(
            dingtalk_link("http://www.dingtalk.io", OpenIn::Sidebar, None),
            "dingtalk://dingtalkclient/page/link?url=http%3A%2F%2Fwww.dingtalk.io&pc_slide=true"
        );
        assert_eq!(
            dingtalk_link("https://x.example/a?b=c&d=e", OpenIn::Workbench, None),
            "https://x.example/a?b=c&d=e"
        );
    }
}
