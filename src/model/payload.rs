//! What a [`Message`] becomes on the wire: the `msg` object of a work notification
//! (`asyncsend_v2`) and the `msgKey`/`msgParam` pair of a bot's group message, after template
//! variables are rendered and `open_in` links are built. Pure functions of the message: the
//! notify layer calls them, the provider sends the result.

use chrono::DateTime;
use chrono_tz::Tz;
use serde_json::{Map, Value, json};

use super::message::{Message, OpenIn, dingtalk_link};
use super::span::Spanned;
use super::template::render;

/// The URL a click should open, with `open_in` applied (`sidebar`/`browser` build a
/// `dingtalk://` link; `workbench` and no preference keep the URL).
fn link(url: &str, open_in: Option<&Spanned<OpenIn>>) -> String {
    match open_in.map(|open_in| open_in.value) {
        Some(open_in @ (OpenIn::Sidebar | OpenIn::Browser)) => dingtalk_link(url, open_in, None),
        Some(OpenIn::Workbench) | None => url.to_owned(),
    }
}

fn text(value: &Spanned<String>) -> Value {
    Value::String(value.value.clone())
}

fn insert_some(map: &mut Map<String, Value>, key: &str, value: Option<&Spanned<String>>) {
    if let Some(value) = value {
        map.insert(key.to_owned(), text(value));
    }
}

impl Message {
    /// The message with every template variable rendered at `at` (see `model::template`).
    pub fn rendered(&self, at: &DateTime<Tz>) -> Message {
        let mut message = self.clone();
        for field in message.texts_mut() {
            field.value = render(&field.value, at);
        }
        message
    }

    /// The `msg` object of a work notification. `image_media_id` is the media id of an
    /// uploaded `image.path` (None for other messages or when `media_id` is given).
    pub fn work_notification_msg(&self, image_media_id: Option<&str>) -> Value {
        match self {
            Self::Text(m) => json!({"msgtype": "text", "text": {"content": m.content.value}}),
            Self::Markdown(m) => {
                json!({"msgtype": "markdown", "markdown": {"title": m.title.value, "text": m.text.value}})
            }
            Self::Link(m) => {
                let mut body = Map::new();
                body.insert(
                    "messageUrl".into(),
                    Value::String(link(&m.message_url.value, m.open_in.as_ref())),
                );
                body.insert("title".into(), text(&m.title));
                body.insert("text".into(), text(&m.text));
                body.insert(
                    "picUrl".into(),
                    m.pic_url
                        .as_ref()
                        .map_or(Value::String(String::new()), text),
                );
                json!({"msgtype": "link", "link": body})
            }
            Self::ActionCard(m) => {
                let mut body = Map::new();
                body.insert("title".into(), text(&m.title));
                body.insert("markdown".into(), text(&m.markdown));
                insert_some(&mut body, "single_title", m.single_title.as_ref());
                if let Some(url) = &m.single_url {
                    body.insert(
                        "single_url".into(),
                        Value::String(link(&url.value, m.open_in.as_ref())),
                    );
                }
                if let Some(orientation) = &m.btn_orientation {
                    body.insert(
                        "btn_orientation".into(),
                        Value::String(orientation.value.to_string()),
                    );
                }
                if !m.btn_json_list.is_empty() {
                    let buttons = m
                        .btn_json_list
                        .iter()
                        .map(|b| json!({"title": b.title.value, "action_url": link(&b.action_url.value, m.open_in.as_ref())}))
                        .collect();
                    body.insert("btn_json_list".into(), Value::Array(buttons));
                }
                json!({"msgtype": "action_card", "action_card": body})
            }
            Self::Oa(m) => {
                let mut oa = Map::new();
                oa.insert("message_url".into(), text(&m.message_url));
                let pc_url = match (&m.pc_message_url, m.open_in.as_ref().map(|o| o.value)) {
                    (Some(url), open_in) => Some(match open_in {
                        Some(open_in @ (OpenIn::Sidebar | OpenIn::Browser)) => {
                            dingtalk_link(&url.value, open_in, None)
                        }
                        _ => url.value.clone(),
                    }),
                    (None, Some(open_in @ (OpenIn::Sidebar | OpenIn::Browser))) => {
                        Some(dingtalk_link(&m.message_url.value, open_in, None))
                    }
                    (None, Some(OpenIn::Workbench)) => Some(m.message_url.value.clone()),
                    (None, None) => None,
                };
                if let Some(pc_url) = pc_url {
                    oa.insert("pc_message_url".into(), Value::String(pc_url));
                }
                let mut head = Map::new();
                head.insert("text".into(), text(&m.head.text));
                insert_some(&mut head, "bgcolor", m.head.bgcolor.as_ref());
                oa.insert("head".into(), Value::Object(head));
                if let Some(bar) = &m.status_bar {
                    let mut status = Map::new();
                    status.insert("status_value".into(), text(&bar.status_value));
                    insert_some(&mut status, "status_bg", bar.status_bg.as_ref());
                    oa.insert("status_bar".into(), Value::Object(status));
                }
                let mut body = Map::new();
                insert_some(&mut body, "title", m.body.title.as_ref());
                insert_some(&mut body, "content", m.body.content.as_ref());
                if !m.body.form.is_empty() {
                    let form = m
                        .body
                        .form
                        .iter()
                        .map(|f| json!({"key": f.key.value, "value": f.value.value}))
                        .collect();
                    body.insert("form".into(), Value::Array(form));
                }
                if let Some(rich) = &m.body.rich {
                    let mut value = Map::new();
                    value.insert("num".into(), text(&rich.num));
                    insert_some(&mut value, "unit", rich.unit.as_ref());
                    body.insert("rich".into(), Value::Object(value));
                }
                insert_some(&mut body, "image", m.body.image.as_ref());
                insert_some(&mut body, "file_count", m.body.file_count.as_ref());
                insert_some(&mut body, "author", m.body.author.as_ref());
                oa.insert("body".into(), Value::Object(body));
                json!({"msgtype": "oa", "oa": oa})
            }
            Self::Image(m) => {
                let media_id = m
                    .media_id
                    .as_ref()
                    .map(|id| id.value.as_str())
                    .or(image_media_id)
                    .unwrap_or_default();
                json!({"msgtype": "image", "image": {"media_id": media_id}})
            }
            // Webhook robots only (`invalid-message` elsewhere): no work-notification form.
            Self::FeedCard(_) => json!({"msgtype": "feed_card"}),
        }
    }

    /// The `msgKey` and `msgParam` (as a JSON object; the API wants it serialized to a string)
    /// of a bot's group message. OA messages have no bot form (`invalid-message`); they return
    /// None. `image_media_id` as for [`Message::work_notification_msg`].
    pub fn bot_message(&self, image_media_id: Option<&str>) -> Option<(&'static str, Value)> {
        Some(match self {
            Self::Text(m) => ("sampleText", json!({"content": m.content.value})),
            Self::Markdown(m) => (
                "sampleMarkdown",
                json!({"title": m.title.value, "text": m.text.value}),
            ),
            Self::Link(m) => (
                "sampleLink",
                json!({
                    "title": m.title.value,
                    "text": m.text.value,
                    "messageUrl": link(&m.message_url.value, m.open_in.as_ref()),
                    "picUrl": m.pic_url.as_ref().map(|p| p.value.clone()).unwrap_or_default(),
                }),
            ),
            Self::ActionCard(m) if m.btn_json_list.is_empty() => (
                "sampleActionCard",
                json!({
                    "title": m.title.value,
                    "text": m.markdown.value,
                    "singleTitle": m.single_title.as_ref().map(|t| t.value.clone()).unwrap_or_default(),
                    "singleURL": m.single_url.as_ref().map(|u| link(&u.value, m.open_in.as_ref())).unwrap_or_default(),
                }),
            ),
            Self::ActionCard(m) => {
                // sampleActionCard2…5: 2–5 vertical buttons as actionTitleN / actionURLN.
                let count = m.btn_json_list.len().clamp(2, 5);
                let mut param = Map::new();
                param.insert("title".into(), text(&m.title));
                param.insert("text".into(), text(&m.markdown));
                for (index, button) in m.btn_json_list.iter().take(5).enumerate() {
                    param.insert(format!("actionTitle{}", index + 1), text(&button.title));
                    param.insert(
                        format!("actionURL{}", index + 1),
                        Value::String(link(&button.action_url.value, m.open_in.as_ref())),
                    );
                }
                (
                    [
                        "sampleActionCard2",
                        "sampleActionCard3",
                        "sampleActionCard4",
                        "sampleActionCard5",
                    ][count - 2],
                    Value::Object(param),
                )
            }
            Self::Oa(_) | Self::FeedCard(_) => return None,
            Self::Image(m) => {
                let photo = m
                    .url
                    .as_ref()
                    .or(m.media_id.as_ref())
                    .map(|source| source.value.as_str())
                    .or(image_media_id)
                    .unwrap_or_default();
                ("sampleImageMsg", json!({"photoURL": photo}))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::message::{LinkMessage, TextMessage};
    use chrono::TimeZone;

    fn s(text: &str) -> Spanned<String> {
        Spanned::unplaced(text.to_owned())
    }

    #[test]
    fn links_are_built_and_variables_rendered() {
        let message = Message::Link(LinkMessage {
            title: s("Report {{date}}"),
            text: s("x"),
            message_url: s("https://x.example/r?id=1"),
            pic_url: None,
            open_in: Some(Spanned::unplaced(OpenIn::Sidebar)),
        });
        let at = chrono_tz::Asia::Shanghai
            .with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
            .unwrap();
        let (key, param) = message.rendered(&at).bot_message(None).unwrap();
        assert_eq!(key, "sampleLink");
        assert_eq!(param["title"], "Report 2026-03-02");
        assert_eq!(
            param["messageUrl"],
            "dingtalk://dingtalkclient/page/link?url=https%3A%2F%2Fx.example%2Fr%3Fid%3D1&pc_slide=true"
        );
        let text = Message::Text(TextMessage { content: s("hi") });
        assert_eq!(
            text.work_notification_msg(None),
            json!({"msgtype": "text", "text": {"content": "hi"}})
        );
    }

    #[test]
    fn every_text_field_is_rendered() {
        let yaml = "oa:\n  message_url: 'https://x/{{date}}'\n  pc_message_url: 'https://pc/{{date}}'\n  head: {text: 'H {{date}}'}\n  status_bar: {status_value: 'S {{date}}'}\n  body: {title: 'T {{date}}', content: 'C {{date}}', author: 'A {{date}}', form: [{key: 'K {{date}}', value: 'V {{date}}'}]}\n";
        let mut message: Message = serde_saphyr::from_str(yaml).unwrap();
        let read = message.texts().len();
        assert_eq!(read, 9);
        assert_eq!(
            message.texts_mut().len(),
            read,
            "texts() and texts_mut() list the same fields"
        );
        let at = chrono_tz::Asia::Shanghai
            .with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
            .unwrap();
        let rendered = message.rendered(&at);
        assert!(
            rendered
                .texts()
                .iter()
                .all(|t| t.value.contains("2026-03-02")),
            "{rendered:?}"
        );
    }
}
