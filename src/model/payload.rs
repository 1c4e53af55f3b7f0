//! What a [`Message`] becomes on the wire, in one place: template variables rendered at an
//! occurrence in the schedule's time zone, then the `msgKey`/`msgParam` pair of a bot's group
//! message or the `msg` of a work notification (`asyncsend_v2`), with `open_in` links built.
//! The runner sends exactly this, and the `message-size` check measures exactly this, so that
//! `validate` never passes a payload the platform would refuse (#16).

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::message::{ActionCardMessage, LinkMessage, Message, OpenIn, dingtalk_link};
use super::schedule::Schedule;
use super::template;
use super::wire::notification::{OaMessage, StatusBar, WorkMessage};

/// `message` with every template variable replaced by its value at `occurrence`, read in the
/// schedule's time zone. Every string of the message is rendered.
pub fn render(message: &Message, schedule: &Schedule, occurrence: DateTime<Utc>) -> Message {
    let local = occurrence.with_timezone(&schedule.timezone());
    let Ok(mut value) = serde_json::to_value(message) else {
        return message.clone();
    };
    render_strings(&mut value, &|text| template::render(text, &local));
    serde_json::from_value(value).unwrap_or_else(|_| message.clone())
}

fn render_strings(value: &mut Value, render: &dyn Fn(&str) -> String) {
    match value {
        Value::String(text) => *text = render(text),
        Value::Array(items) => items.iter_mut().for_each(|v| render_strings(v, render)),
        Value::Object(map) => map.values_mut().for_each(|v| render_strings(v, render)),
        _ => {}
    }
}

/// The URL a click should open, with `open_in` applied (`sidebar`/`browser` build a
/// `dingtalk://` link; `workbench` and no preference keep the URL).
fn link(url: &str, open_in: Option<OpenIn>) -> String {
    match open_in {
        Some(open_in) => dingtalk_link(url, open_in, None),
        None => url.to_owned(),
    }
}

/// The bot template (`msgKey`) and its parameters (`msgParam`; the API wants it serialized
/// to a string), or why a bot cannot send it. An image from a local `path` must have been
/// uploaded first (its `media_id` set).
pub fn bot_message(message: &Message) -> Result<(String, Value), String> {
    Ok(match message {
        Message::Text(text) => ("sampleText".into(), json!({"content": text.content.value})),
        Message::Markdown(markdown) => (
            "sampleMarkdown".into(),
            json!({"title": markdown.title.value, "text": markdown.text.value}),
        ),
        Message::Link(card) => ("sampleLink".into(), link_card(card)),
        Message::ActionCard(card) => action_card(card)?,
        Message::Image(image) => {
            let photo = image
                .url
                .as_ref()
                .or(image.media_id.as_ref())
                .map(|s| s.value.clone())
                .ok_or(
                    "an image from a local `path` must be uploaded first: give `media_id` or `url`",
                )?;
            ("sampleImageMsg".into(), json!({"photoURL": photo}))
        }
        Message::Oa(_) => return Err("an `oa` message can only be a work notification".into()),
        Message::FeedCard(_) => {
            return Err("a `feed_card` can only be sent through a webhook robot".into());
        }
    })
}

/// A link card as both channels take it: `title`, `text`, `messageUrl` and, when there is a
/// picture, `picUrl`.
fn link_card(card: &LinkMessage) -> Value {
    let open_in = card.open_in.as_ref().map(|o| o.value);
    let mut body = json!({
        "title": card.title.value,
        "text": card.text.value,
        "messageUrl": link(&card.message_url.value, open_in),
    });
    if let Some(pic) = &card.pic_url {
        body["picUrl"] = json!(pic.value);
    }
    body
}

fn action_card(card: &ActionCardMessage) -> Result<(String, Value), String> {
    let open_in = card.open_in.as_ref().map(|o| o.value);
    let mut param = Map::new();
    param.insert("title".into(), json!(card.title.value));
    param.insert("text".into(), json!(card.markdown.value));
    let buttons = &card.btn_json_list;
    let horizontal = card.btn_orientation.as_ref().is_some_and(|o| o.value == 1);
    let key = if buttons.is_empty() {
        let (Some(title), Some(url)) = (&card.single_title, &card.single_url) else {
            return Err("an action card needs `single_title` and `single_url`, or buttons".into());
        };
        param.insert("singleTitle".into(), json!(title.value));
        param.insert("singleURL".into(), json!(link(&url.value, open_in)));
        "sampleActionCard".to_owned()
    } else if horizontal && buttons.len() == 2 {
        for (n, button) in buttons.iter().enumerate() {
            param.insert(format!("buttonTitle{}", n + 1), json!(button.title.value));
            let url = link(&button.action_url.value, open_in);
            param.insert(format!("buttonUrl{}", n + 1), json!(url));
        }
        "sampleActionCard6".to_owned()
    } else if (2..=5).contains(&buttons.len()) {
        for (n, button) in buttons.iter().enumerate() {
            param.insert(format!("actionTitle{}", n + 1), json!(button.title.value));
            let url = link(&button.action_url.value, open_in);
            param.insert(format!("actionURL{}", n + 1), json!(url));
        }
        format!("sampleActionCard{}", buttons.len())
    } else if let [button] = buttons.as_slice() {
        param.insert("singleTitle".into(), json!(button.title.value));
        let url = link(&button.action_url.value, open_in);
        param.insert("singleURL".into(), json!(url));
        "sampleActionCard".to_owned()
    } else {
        return Err(format!(
            "a bot action card takes 1 to 5 buttons, this one has {}",
            buttons.len()
        ));
    };
    Ok((key, Value::Object(param)))
}

/// The work notification `msg`, or why it cannot be one. An image from a local `path` must
/// have been uploaded first (its `media_id` set).
pub fn work_message(message: &Message) -> Result<WorkMessage, String> {
    let mut msg = WorkMessage {
        msgtype: message.kind().to_owned(),
        ..WorkMessage::default()
    };
    match message {
        Message::Text(text) => msg.text = Some(json!({"content": text.content.value})),
        Message::Markdown(markdown) => {
            msg.markdown =
                Some(json!({"title": markdown.title.value, "text": markdown.text.value}));
        }
        Message::Link(card) => msg.link = Some(link_card(card)),
        Message::ActionCard(card) => {
            let open_in = card.open_in.as_ref().map(|o| o.value);
            let mut body = json!({"title": card.title.value, "markdown": card.markdown.value});
            if let Some(title) = &card.single_title {
                body["single_title"] = json!(title.value);
            }
            if let Some(url) = &card.single_url {
                body["single_url"] = json!(link(&url.value, open_in));
            }
            if let Some(orientation) = &card.btn_orientation {
                body["btn_orientation"] = json!(orientation.value.to_string());
            }
            if !card.btn_json_list.is_empty() {
                body["btn_json_list"] = card
                    .btn_json_list
                    .iter()
                    .map(|b| json!({"title": b.title.value, "action_url": link(&b.action_url.value, open_in)}))
                    .collect();
            }
            msg.action_card = Some(body);
        }
        Message::Oa(oa) => {
            let open_in = oa.open_in.as_ref().map(|o| o.value);
            let pc_url = match (open_in, &oa.pc_message_url) {
                (_, Some(pc)) => Some(pc.value.clone()),
                (Some(OpenIn::Sidebar | OpenIn::Browser), None) => {
                    Some(link(&oa.message_url.value, open_in))
                }
                _ => None,
            };
            let mut head = json!({"text": oa.head.text.value});
            if let Some(bg) = &oa.head.bgcolor {
                head["bgcolor"] = json!(bg.value);
            }
            let body = serde_json::to_value(&oa.body)
                .ok()
                .filter(|b| b != &json!({}));
            msg.oa = Some(OaMessage {
                message_url: Some(oa.message_url.value.clone()),
                pc_message_url: pc_url,
                head: Some(head),
                status_bar: oa.status_bar.as_ref().map(|bar| StatusBar {
                    status_value: Some(bar.status_value.value.clone()),
                    status_bg: bar.status_bg.as_ref().map(|bg| bg.value.clone()),
                }),
                body,
            });
        }
        Message::Image(image) => {
            let media = image
                .media_id
                .as_ref()
                .ok_or("a work-notification image needs a `media_id` (upload the file first)")?;
            msg.image = Some(json!({"media_id": media.value}));
        }
        Message::FeedCard(_) => {
            return Err("a `feed_card` can only be sent through a webhook robot".into());
        }
    }
    Ok(msg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn variables_render_in_the_schedule_zone() {
        let message: Message = serde_json::from_value(json!({"markdown": {
            "title": "Digest {{date}}", "text": "{{weekday}} {{time}}"}}))
        .unwrap();
        let schedule = Schedule::parse("0 9 * * *", "Asia/Shanghai").unwrap();
        let at = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
        let (key, param) = bot_message(&render(&message, &schedule, at)).unwrap();
        assert_eq!(key, "sampleMarkdown");
        assert_eq!(
            param,
            json!({"title": "Digest 2026-03-02", "text": "Monday 09:00"})
        );
    }

    #[test]
    fn links_are_built_and_every_string_is_rendered() {
        let message: Message = serde_json::from_value(json!({"link": {
            "title": "Report {{date}}", "text": "x",
            "message_url": "https://x.example/r?id=1", "open_in": "sidebar"}}))
        .unwrap();
        let schedule = Schedule::parse("0 9 * * *", "Asia/Shanghai").unwrap();
        let at = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
        let (key, param) = bot_message(&render(&message, &schedule, at)).unwrap();
        assert_eq!(key, "sampleLink");
        assert_eq!(param["title"], "Report 2026-03-02");
        assert_eq!(
            param["messageUrl"],
            "dingtalk://dingtalkclient/page/link?url=https%3A%2F%2Fx.example%2Fr%3Fid%3D1&pc_slide=true"
        );
        assert!(param.get("picUrl").is_none(), "no picture, no picUrl");
    }
}
