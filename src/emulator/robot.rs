//! Bots in groups (add → `chatBotUserId` and a webhook token, `webhook-token-after-join`;
//! remove; list; a bot's groups), group messages from a bot (`msgKey` + `msgParam` as a JSON
//! string ≤15,000 bytes; query; recall), and the webhook `/robot/send` (20 a minute per bot,
//! then 10 minutes throttled). Bots come only from the seed (`bot-needs-console`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::AppState;
use super::error::Refusal;
use super::host::{Api, ApiError, OapiError, from_value, oapi_ok, query_pairs};
use super::world::{GroupBot, Message, MessageKind, World, random_id, random_token};
use crate::model::limits::WEBHOOK_MENTIONS;
use crate::model::wire::error::Empty;
use crate::model::wire::robot::*;

impl World {
    fn check_robot(&self, robot_code: &str) -> Result<(), Refusal> {
        if self
            .seed
            .bots
            .iter()
            .any(|bot| bot.robot_code == robot_code)
        {
            Ok(())
        } else {
            Err(Refusal::RobotNotFound(robot_code.to_owned()))
        }
    }

    /// Add a bot to a group (again: the same member id); issues its webhook token.
    pub fn add_robot(
        &mut self,
        open_conversation_id: &str,
        robot_code: &str,
    ) -> Result<String, Refusal> {
        self.check_robot(robot_code)?;
        let now = self.now();
        self.active_group(open_conversation_id)?;
        let group = self
            .groups
            .get_mut(open_conversation_id)
            .expect("checked just above");
        if let Some(bot) = group.bots.iter().find(|bot| bot.robot_code == robot_code) {
            return Ok(bot.chat_bot_user_id.clone());
        }
        let chat_bot_user_id = format!("$:LWCP_v1:${}", random_id(32));
        group.bots.push(GroupBot {
            robot_code: robot_code.to_owned(),
            chat_bot_user_id: chat_bot_user_id.clone(),
            webhook_token: format!("{}{}", random_token(), random_token()),
            added_at: now,
            webhook_sends: Vec::new(),
            throttled_until: 0,
        });
        Ok(chat_bot_user_id)
    }
}

/// `POST /v1.0/im/conversations/robots`.
pub async fn add(
    State(state): State<AppState>,
    call: Api<AddRobotRequest>,
) -> Result<Json<ChatBotUserIdResponse>, ApiError> {
    let body = call.body;
    let chat_bot_user_id = state
        .store
        .write(|world| world.add_robot(&body.open_conversation_id, &body.robot_code))
        .await?;
    Ok(Json(ChatBotUserIdResponse { chat_bot_user_id }))
}

/// `POST /v1.0/im/conversations/robots/remove`: the webhook token stops working.
pub async fn remove(
    State(state): State<AppState>,
    call: Api<RemoveRobotRequest>,
) -> Result<Json<ChatBotUserIdResponse>, ApiError> {
    let body = call.body;
    state
        .store
        .write(|world| {
            world.active_group(&body.open_conversation_id)?;
            let group = world
                .groups
                .get_mut(&body.open_conversation_id)
                .expect("checked just above");
            let before = group.bots.len();
            group
                .bots
                .retain(|bot| bot.chat_bot_user_id != body.chat_bot_user_id);
            if group.bots.len() == before {
                return Err(Refusal::BadParameter(format!(
                    "chatBotUserId `{}` is not in the group",
                    body.chat_bot_user_id
                )));
            }
            Ok(())
        })
        .await?;
    Ok(Json(ChatBotUserIdResponse {
        chat_bot_user_id: body.chat_bot_user_id,
    }))
}

/// `POST /v1.0/robot/groups/robots/query`.
pub async fn list_in_group(
    State(state): State<AppState>,
    call: Api<BotListInGroupRequest>,
) -> Result<Json<BotListInGroupResponse>, ApiError> {
    let list = state.store.read(|world| {
        let group = world.active_group(&call.body.open_conversation_id)?;
        Ok::<_, Refusal>(
            group
                .bots
                .iter()
                .map(|bot| ChatbotInstance {
                    name: world
                        .seed
                        .bots
                        .iter()
                        .find(|known| known.robot_code == bot.robot_code)
                        .map(|known| known.name.clone())
                        .unwrap_or_default(),
                    robot_code: bot.robot_code.clone(),
                    open_robot_type: 1,
                })
                .collect(),
        )
    })?;
    Ok(Json(BotListInGroupResponse {
        chatbot_instance_vo_list: list,
    }))
}

/// `POST /v1.0/robot/groups/query`.
pub async fn groups_of_bot(
    State(state): State<AppState>,
    call: Api<BotGroupsRequest>,
) -> Result<Json<BotGroupsResponse>, ApiError> {
    let body = call.body;
    if body.page_number < 1 || !(1..=100).contains(&body.page_size) {
        return Err(Refusal::BadParameter(
            "pageNumber starts at 1 and pageSize is 1 to 100".to_owned(),
        )
        .into());
    }
    let ids: Vec<String> = state.store.read(|world| {
        world.check_robot(&body.robot_code)?;
        Ok::<_, Refusal>(
            world
                .groups
                .values()
                .filter(|group| {
                    group.active
                        && group
                            .bots
                            .iter()
                            .any(|bot| bot.robot_code == body.robot_code)
                })
                .map(|group| group.open_conversation_id.clone())
                .collect(),
        )
    })?;
    let size = body.page_size as usize;
    let start = (body.page_number as usize - 1).saturating_mul(size);
    let (open_conversation_ids, has_more) = super::scene_group::page(&ids, start, size);
    Ok(Json(BotGroupsResponse {
        open_conversation_ids,
        has_more,
    }))
}

/// The keys each msgKey's msgParam must carry.
fn required_keys(msg_key: &str) -> &'static [&'static str] {
    match msg_key {
        "sampleText" => &["content"],
        "sampleMarkdown" => &["title", "text"],
        "sampleImageMsg" => &["photoURL"],
        "sampleLink" => &["text", "title", "messageUrl"],
        "sampleActionCard" => &["title", "text", "singleTitle", "singleURL"],
        "sampleActionCard2" | "sampleActionCard3" | "sampleActionCard4" | "sampleActionCard5" => {
            &["title", "text", "actionTitle1", "actionURL1"]
        }
        "sampleActionCard6" => &["title", "text", "buttonTitle1", "buttonUrl1"],
        "sampleAudio" => &["mediaId", "duration"],
        "sampleFile" => &["mediaId", "fileName", "fileType"],
        "sampleVideo" => &["videoMediaId", "videoType", "picMediaId", "duration"],
        _ => &[],
    }
}

fn check_message(body: &OrgGroupSendRequest) -> Result<Value, Refusal> {
    if !MSG_KEYS.contains(&body.msg_key.as_str()) {
        return Err(Refusal::MsgKeyInvalid(body.msg_key.clone()));
    }
    if body.msg_param.len() > MSG_PARAM_MAX_BYTES {
        return Err(Refusal::MsgParamInvalid(format!(
            "{} bytes; at most {MSG_PARAM_MAX_BYTES}",
            body.msg_param.len()
        )));
    }
    let param: Value = serde_json::from_str(&body.msg_param)
        .map_err(|error| Refusal::MsgParamInvalid(format!("not a JSON string: {error}")))?;
    let Value::Object(map) = &param else {
        return Err(Refusal::MsgParamInvalid("must be a JSON object".to_owned()));
    };
    if let Some(missing) = required_keys(&body.msg_key)
        .iter()
        .find(|key| !map.contains_key(**key))
    {
        return Err(Refusal::MsgParamInvalid(format!(
            "{} needs `{missing}`",
            body.msg_key
        )));
    }
    Ok(param)
}

/// `POST /v1.0/robot/groupMessages/send`.
pub async fn send(
    State(state): State<AppState>,
    call: Api<OrgGroupSendRequest>,
) -> Result<Json<OrgGroupSendResponse>, ApiError> {
    let app_key = call.app_key;
    let body = call.body;
    let param = check_message(&body)?;
    let key = state
        .store
        .write(|world| {
            world.check_robot(&body.robot_code)?;
            // A photo given as a media id (`@…`) must be one the platform issued.
            if body.msg_key == "sampleImageMsg"
                && let Some(photo) = param["photoURL"].as_str()
                && photo.starts_with('@')
            {
                world.check_media(photo)?;
            }
            let group = world.active_group(&body.open_conversation_id)?;
            if !group
                .bots
                .iter()
                .any(|bot| bot.robot_code == body.robot_code)
            {
                return Err(Refusal::RobotNotInGroup(body.robot_code.clone()));
            }
            let recipients = group.members.clone();
            let key = random_id(40);
            world.messages.push(Message {
                kind: MessageKind::Bot,
                at: world.now(),
                app_key: Some(app_key),
                content: serde_json::json!({"msgKey": body.msg_key, "msgParam": param}),
                recipients,
                open_conversation_id: Some(body.open_conversation_id.clone()),
                robot_code: Some(body.robot_code.clone()),
                process_query_key: Some(key.clone()),
                recalled: false,
                task: None,
            });
            Ok(key)
        })
        .await?;
    Ok(Json(OrgGroupSendResponse {
        process_query_key: key,
    }))
}

fn find_bot_message<'a>(
    world: &'a World,
    open_conversation_id: &str,
    robot_code: &str,
    key: &str,
) -> Option<&'a Message> {
    world.messages.iter().find(|message| {
        message.kind == MessageKind::Bot
            && message.process_query_key.as_deref() == Some(key)
            && message.open_conversation_id.as_deref() == Some(open_conversation_id)
            && message.robot_code.as_deref() == Some(robot_code)
    })
}

/// `POST /v1.0/robot/groupMessages/query`.
pub async fn query(
    State(state): State<AppState>,
    call: Api<OrgGroupQueryRequest>,
) -> Result<Json<OrgGroupQueryResponse>, ApiError> {
    let body = call.body;
    if body
        .max_results
        .is_some_and(|max| !(1..=200).contains(&max))
    {
        return Err(Refusal::BadParameter("maxResults must be 1 to 200".to_owned()).into());
    }
    let recalled = state.store.read(|world| {
        find_bot_message(
            world,
            &body.open_conversation_id,
            &body.robot_code,
            &body.process_query_key,
        )
        .map(|message| message.recalled)
        .ok_or_else(|| {
            Refusal::BadParameter(format!(
                "processQueryKey `{}` not found",
                body.process_query_key
            ))
        })
    })?;
    Ok(Json(OrgGroupQueryResponse {
        send_status: if recalled { "RECALLED" } else { "SUCCESS" }.to_owned(),
        read_user_ids: Vec::new(),
        has_more: false,
        next_token: None,
    }))
}

/// `POST /v1.0/robot/groupMessages/recall`.
pub async fn recall(
    State(state): State<AppState>,
    call: Api<OrgGroupRecallRequest>,
) -> Result<Json<OrgGroupRecallResponse>, ApiError> {
    let body = call.body;
    let answer = state
        .store
        .write(|world| {
            let mut answer = OrgGroupRecallResponse::default();
            for key in &body.process_query_keys {
                let found = world.messages.iter_mut().find(|message| {
                    message.kind == MessageKind::Bot
                        && message.process_query_key.as_deref() == Some(key)
                        && message.open_conversation_id.as_deref()
                            == Some(&body.open_conversation_id)
                        && message.robot_code.as_deref() == Some(&body.robot_code)
                });
                match found {
                    Some(message) if !message.recalled => {
                        message.recalled = true;
                        answer.success_result.push(key.clone());
                    }
                    Some(_) => {
                        answer
                            .failed_result
                            .insert(key.clone(), "already recalled".to_owned());
                    }
                    None => {
                        answer
                            .failed_result
                            .insert(key.clone(), "processQueryKey not found".to_owned());
                    }
                }
            }
            Ok(answer)
        })
        .await?;
    Ok(Json(answer))
}

fn check_webhook(message: &WebhookMessage) -> Result<(), Refusal> {
    let present = match message.msgtype.as_str() {
        "text" => message.text.is_some(),
        "link" => message.link.is_some(),
        "markdown" => message.markdown.is_some(),
        "actionCard" => message.action_card.is_some(),
        "feedCard" => message.feed_card.is_some(),
        other => {
            return Err(Refusal::BadParameter(format!(
                "msgtype `{other}` is not one of text, link, markdown, actionCard, feedCard"
            )));
        }
    };
    if !present {
        return Err(Refusal::MissingParameter(message.msgtype.clone()));
    }
    if let Some(at) = &message.at
        && at
            .at_user_ids
            .as_ref()
            .is_some_and(|ids| ids.len() > WEBHOOK_MENTIONS)
    {
        return Err(Refusal::BadParameter(format!(
            "at.atUserIds has more than {WEBHOOK_MENTIONS} users"
        )));
    }
    Ok(())
}

/// The webhook `POST /robot/send?access_token=…` (the token issued when the bot joined).
pub async fn webhook(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let refuse = |refusal| {
        OapiError {
            refusal,
            topapi: false,
        }
        .into_response()
    };
    let token = query_pairs(query.as_deref())
        .into_iter()
        .find(|(key, _)| key == "access_token")
        .map(|(_, value)| value);
    let Some(token) = token else {
        return refuse(Refusal::WebhookTokenUnknown);
    };
    let value = match serde_json::from_slice::<Value>(&body) {
        Ok(value) => value,
        Err(error) => {
            return refuse(Refusal::BadParameter(format!(
                "the body is not JSON: {error}"
            )));
        }
    };
    let content = value.clone();
    let message: WebhookMessage = match from_value(value) {
        Ok(message) => message,
        Err(refusal) => return refuse(refusal),
    };
    if let Err(refusal) = check_webhook(&message) {
        return refuse(refusal);
    }
    let pairs = query_pairs(query.as_deref());
    let custom = state
        .store
        .write(|world| {
            if !super::webhook::is_custom_robot(world, &token) {
                return Ok(false);
            }
            super::webhook::send(world, &token, &pairs, &message, content.clone()).map(|()| true)
        })
        .await;
    match custom {
        Ok(true) => return oapi_ok(Empty {}),
        Ok(false) => {}
        Err(refusal) => return refuse(refusal),
    }
    let result = state
        .store
        .write(|world| {
            let now = world.now();
            let (id, group) = world
                .groups
                .iter()
                .find(|(_, group)| group.bots.iter().any(|bot| bot.webhook_token == token))
                .map(|(id, group)| (id.clone(), group))
                .ok_or(Refusal::WebhookTokenUnknown)?;
            if !group.active {
                return Err(Refusal::GroupDisbanded);
            }
            let recipients = group.members.clone();
            let group = world.groups.get_mut(&id).expect("found just above");
            let bot = group
                .bots
                .iter_mut()
                .find(|bot| bot.webhook_token == token)
                .expect("found just above");
            super::webhook::admit_send(&mut bot.webhook_sends, &mut bot.throttled_until, now)?;
            let robot_code = bot.robot_code.clone();
            world.messages.push(Message {
                kind: MessageKind::Webhook,
                at: now,
                app_key: None,
                content,
                recipients,
                open_conversation_id: Some(id),
                robot_code: Some(robot_code),
                process_query_key: None,
                recalled: false,
                task: None,
            });
            Ok(())
        })
        .await;
    match result {
        Ok(()) => oapi_ok(Empty {}),
        Err(refusal) => refuse(refusal),
    }
}
