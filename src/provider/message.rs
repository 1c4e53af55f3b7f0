//! Sending: bot group messages and work notifications (工作通知), their status, and media
//! upload. Sends are not idempotent (the platform has no key for them): they are resent only
//! on answers that prove they were not processed (see `retry`).

use std::future::Future;

use serde::Deserialize;
use serde_json::{Value, json};

use super::call::{Call, CallBody};
use super::error::ApiError;
use super::http::HttpClient;
use super::lenient;
use super::retry::Idempotency;
use crate::model::live::{
    BotMessageReceipt, BotMessageStatus, SendProgress, SendResult, UploadedMedia,
    WorkNotificationTask,
};

/// A message a bot sends to a group.
#[derive(Clone, Debug, PartialEq)]
pub struct BotMessage {
    /// The bot's robot code.
    pub robot_code: String,
    /// The group.
    pub open_conversation_id: String,
    /// The template (`sampleText`, `sampleMarkdown`, `sampleActionCard`…).
    pub msg_key: String,
    /// The template's parameters (sent as a JSON *string*, ≤15,000 bytes).
    pub msg_param: Value,
}

/// A work notification to send.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkNotification {
    /// Recipients by userid (≤5,000).
    pub userids: Vec<String>,
    /// Recipients by department (sub-departments included).
    pub dept_ids: Vec<i64>,
    /// Everyone in the organization (≤3 per day).
    pub to_all_user: bool,
    /// The message: `{"msgtype": …, "<type>": {…}}` (≤2,048 bytes).
    pub msg: Value,
}

/// Message calls.
pub trait MessageApi: Send + Sync {
    /// Send a bot message to a group. Not resent after an ambiguous failure.
    fn send_bot_message(
        &self,
        message: &BotMessage,
    ) -> impl Future<Output = Result<BotMessageReceipt, ApiError>> + Send;

    /// Status and readers of a bot message (first page).
    fn bot_message_status(
        &self,
        open_conversation_id: &str,
        robot_code: &str,
        process_query_key: &str,
    ) -> impl Future<Output = Result<BotMessageStatus, ApiError>> + Send;

    /// Send a work notification as app `agent_id`. Not resent after an ambiguous failure.
    fn send_work_notification(
        &self,
        agent_id: i64,
        notification: &WorkNotification,
    ) -> impl Future<Output = Result<WorkNotificationTask, ApiError>> + Send;

    /// How far a work notification task got.
    fn work_notification_progress(
        &self,
        agent_id: i64,
        task: WorkNotificationTask,
    ) -> impl Future<Output = Result<SendProgress, ApiError>> + Send;

    /// Who got, read or missed a work notification.
    fn work_notification_result(
        &self,
        agent_id: i64,
        task: WorkNotificationTask,
    ) -> impl Future<Output = Result<SendResult, ApiError>> + Send;

    /// Change an OA message's status bar.
    fn update_work_notification_status(
        &self,
        agent_id: i64,
        task: WorkNotificationTask,
        status_value: &str,
        status_bg: Option<&str>,
    ) -> impl Future<Output = Result<(), ApiError>> + Send;

    /// Recall a work notification (within 24 h).
    fn recall_work_notification(
        &self,
        agent_id: i64,
        task: WorkNotificationTask,
    ) -> impl Future<Output = Result<(), ApiError>> + Send;

    /// Upload a file (`kind`: image, voice, video or file) and return its media id.
    fn upload_media(
        &self,
        kind: &str,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> impl Future<Output = Result<UploadedMedia, ApiError>> + Send;
}

// TODO(wire): move to model::wire.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StatusAnswer {
    #[serde(default)]
    send_status: String,
    #[serde(default, deserialize_with = "lenient::string_list")]
    read_user_ids: Vec<String>,
    #[serde(default)]
    has_more: bool,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    next_token: Option<String>,
}

#[derive(Default, Deserialize)]
struct SendResultWire {
    #[serde(default, deserialize_with = "lenient::string_list")]
    invalid_user_id_list: Vec<String>,
    #[serde(default, deserialize_with = "lenient::string_list")]
    forbidden_user_id_list: Vec<String>,
    #[serde(default, deserialize_with = "lenient::string_list")]
    failed_user_id_list: Vec<String>,
    #[serde(default, deserialize_with = "lenient::string_list")]
    read_user_id_list: Vec<String>,
    #[serde(default, deserialize_with = "lenient::string_list")]
    unread_user_id_list: Vec<String>,
    #[serde(default, deserialize_with = "lenient::int_list")]
    invalid_dept_id_list: Vec<i64>,
}

impl MessageApi for HttpClient {
    fn send_bot_message(
        &self,
        message: &BotMessage,
    ) -> impl Future<Output = Result<BotMessageReceipt, ApiError>> + Send {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Answer {
            process_query_key: String,
        }
        let call = Call::post(
            "/v1.0/robot/groupMessages/send",
            json!({
                "robotCode": message.robot_code,
                "openConversationId": message.open_conversation_id,
                "msgKey": message.msg_key,
                "msgParam": message.msg_param.to_string(),
            }),
        )
        .idempotency(Idempotency::NotIdempotent);
        async move {
            let answer: Answer = self.call(call).await?;
            Ok(BotMessageReceipt {
                process_query_key: answer.process_query_key,
            })
        }
    }

    fn bot_message_status(
        &self,
        open_conversation_id: &str,
        robot_code: &str,
        process_query_key: &str,
    ) -> impl Future<Output = Result<BotMessageStatus, ApiError>> + Send {
        let call = Call::post(
            "/v1.0/robot/groupMessages/query",
            json!({
                "openConversationId": open_conversation_id,
                "robotCode": robot_code,
                "processQueryKey": process_query_key,
                "maxResults": 200,
            }),
        );
        async move {
            let answer: StatusAnswer = self.call(call).await?;
            Ok(BotMessageStatus {
                send_status: answer.send_status,
                read_user_ids: answer.read_user_ids,
                next_token: answer
                    .next_token
                    .filter(|t| answer.has_more && !t.is_empty()),
            })
        }
    }

    fn send_work_notification(
        &self,
        agent_id: i64,
        notification: &WorkNotification,
    ) -> impl Future<Output = Result<WorkNotificationTask, ApiError>> + Send {
        #[derive(Deserialize)]
        struct Answer {
            #[serde(deserialize_with = "lenient::int")]
            task_id: i64,
        }
        let mut body = json!({ "agent_id": agent_id, "msg": notification.msg });
        // `/topapi/*` id lists are comma strings.
        if !notification.userids.is_empty() {
            body["userid_list"] = Value::from(notification.userids.join(","));
        }
        if !notification.dept_ids.is_empty() {
            let ids: Vec<String> = notification.dept_ids.iter().map(i64::to_string).collect();
            body["dept_id_list"] = Value::from(ids.join(","));
        }
        if notification.to_all_user {
            body["to_all_user"] = Value::from(true);
        }
        let call = Call::post("/topapi/message/corpconversation/asyncsend_v2", body)
            .idempotency(Idempotency::NotIdempotent);
        async move {
            let answer: Answer = self.call(call).await?;
            Ok(WorkNotificationTask {
                task_id: answer.task_id,
            })
        }
    }

    fn work_notification_progress(
        &self,
        agent_id: i64,
        task: WorkNotificationTask,
    ) -> impl Future<Output = Result<SendProgress, ApiError>> + Send {
        #[derive(Deserialize)]
        struct Answer {
            progress: Progress,
        }
        #[derive(Deserialize)]
        struct Progress {
            #[serde(default, deserialize_with = "lenient::int")]
            progress_in_percent: i64,
            #[serde(default, deserialize_with = "lenient::int")]
            status: i64,
        }
        let call = Call::post(
            "/topapi/message/corpconversation/getsendprogress",
            json!({ "agent_id": agent_id, "task_id": task.task_id }),
        );
        async move {
            let answer: Answer = self.call(call).await?;
            Ok(SendProgress {
                progress_in_percent: answer.progress.progress_in_percent,
                status: answer.progress.status,
            })
        }
    }

    fn work_notification_result(
        &self,
        agent_id: i64,
        task: WorkNotificationTask,
    ) -> impl Future<Output = Result<SendResult, ApiError>> + Send {
        #[derive(Deserialize)]
        struct Answer {
            #[serde(default)]
            send_result: SendResultWire,
        }
        let call = Call::post(
            "/topapi/message/corpconversation/getsendresult",
            json!({ "agent_id": agent_id, "task_id": task.task_id }),
        );
        async move {
            let wire = self.call::<Answer>(call).await?.send_result;
            Ok(SendResult {
                invalid_user_ids: wire.invalid_user_id_list,
                forbidden_user_ids: wire.forbidden_user_id_list,
                failed_user_ids: wire.failed_user_id_list,
                read_user_ids: wire.read_user_id_list,
                unread_user_ids: wire.unread_user_id_list,
                invalid_dept_ids: wire.invalid_dept_id_list,
            })
        }
    }

    fn update_work_notification_status(
        &self,
        agent_id: i64,
        task: WorkNotificationTask,
        status_value: &str,
        status_bg: Option<&str>,
    ) -> impl Future<Output = Result<(), ApiError>> + Send {
        let mut body =
            json!({ "agent_id": agent_id, "task_id": task.task_id, "status_value": status_value });
        if let Some(bg) = status_bg {
            body["status_bg"] = Value::from(bg);
        }
        let call = Call::post("/topapi/message/corpconversation/status_bar/update", body);
        async move { self.call_value(&call).await.map(drop) }
    }

    fn recall_work_notification(
        &self,
        agent_id: i64,
        task: WorkNotificationTask,
    ) -> impl Future<Output = Result<(), ApiError>> + Send {
        let call = Call::post(
            "/topapi/message/corpconversation/recall",
            json!({ "agent_id": agent_id, "msg_task_id": task.task_id }),
        );
        async move { self.call_value(&call).await.map(drop) }
    }

    fn upload_media(
        &self,
        kind: &str,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> impl Future<Output = Result<UploadedMedia, ApiError>> + Send {
        #[derive(Deserialize)]
        struct Answer {
            media_id: String,
            #[serde(default, rename = "type")]
            kind: Option<String>,
        }
        // Uploading twice only stores a second copy: safe to resend.
        let call = Call::multipart(
            "/media/upload",
            CallBody::Multipart {
                field: "media",
                file_name: file_name.to_string(),
                bytes,
                fields: vec![("type", kind.to_string())],
            },
        )
        .query("type", kind);
        let kind = kind.to_string();
        async move {
            let answer: Answer = self.call(call).await?;
            Ok(UploadedMedia {
                media_id: answer.media_id,
                kind: answer.kind.unwrap_or(kind),
            })
        }
    }
}
