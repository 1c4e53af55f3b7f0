//! Sending: bot group messages and work notifications (工作通知), their status, and media
//! upload. Sends are not idempotent (the platform has no key for them): they are resent only
//! on answers that prove they were not processed (see `retry`).

use std::future::Future;

use serde_json::Value;

use super::call::{Call, CallBody};
use super::error::ApiError;
use super::http::HttpClient;
use super::retry::Idempotency;
use crate::model::live::{
    BotMessageReceipt, BotMessageStatus, ForbiddenRecipient, SendProgress, SendResult,
    UploadedMedia, WorkNotificationTask,
};
use crate::model::wire::CommaList;
use crate::model::wire::media::MediaUploadResponse;
use crate::model::wire::notification::{
    AsyncSendRequest, AsyncSendResponse, RecallRequest, SendProgressResponse, SendResultResponse,
    StatusBarUpdateRequest, TaskRequest, WorkMessage,
};
use crate::model::wire::robot::{
    OrgGroupQueryRequest, OrgGroupQueryResponse, OrgGroupRecallRequest, OrgGroupRecallResponse,
    OrgGroupSendRequest, OrgGroupSendResponse,
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
    /// The message: `msgtype` and its body (≤2,048 bytes).
    pub msg: WorkMessage,
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

    /// Recall bot messages; returns the keys recalled.
    fn recall_bot_messages(
        &self,
        open_conversation_id: &str,
        robot_code: &str,
        process_query_keys: &[String],
    ) -> impl Future<Output = Result<Vec<String>, ApiError>> + Send;

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

/// A follow-up of a work notification's task: `POST api` with its agent and task id.
fn task_call(api: &'static str, agent_id: i64, task: WorkNotificationTask) -> Call {
    let body = TaskRequest {
        agent_id,
        task_id: task.task_id,
    };
    Call::post(api, body)
}

impl MessageApi for HttpClient {
    fn send_bot_message(
        &self,
        message: &BotMessage,
    ) -> impl Future<Output = Result<BotMessageReceipt, ApiError>> + Send {
        let body = OrgGroupSendRequest {
            robot_code: message.robot_code.clone(),
            open_conversation_id: message.open_conversation_id.clone(),
            msg_key: message.msg_key.clone(),
            // The platform wants the parameters as a JSON *string*.
            msg_param: message.msg_param.to_string(),
            cool_app_code: None,
        };
        let call = Call::post("/v1.0/robot/groupMessages/send", body)
            .idempotency(Idempotency::NotIdempotent);
        async move {
            let answer: OrgGroupSendResponse = self.call(call).await?;
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
        let body = OrgGroupQueryRequest {
            open_conversation_id: open_conversation_id.to_string(),
            robot_code: robot_code.to_string(),
            process_query_key: process_query_key.to_string(),
            max_results: Some(200),
            next_token: None,
        };
        let call = Call::post("/v1.0/robot/groupMessages/query", body);
        async move {
            let answer: OrgGroupQueryResponse = self.call(call).await?;
            Ok(BotMessageStatus {
                send_status: answer.send_status,
                read_user_ids: answer.read_user_ids,
                next_token: answer
                    .next_token
                    .filter(|t| answer.has_more && !t.is_empty()),
            })
        }
    }

    fn recall_bot_messages(
        &self,
        open_conversation_id: &str,
        robot_code: &str,
        process_query_keys: &[String],
    ) -> impl Future<Output = Result<Vec<String>, ApiError>> + Send {
        let body = OrgGroupRecallRequest {
            open_conversation_id: open_conversation_id.to_string(),
            robot_code: robot_code.to_string(),
            process_query_keys: process_query_keys.to_vec(),
        };
        let call = Call::post("/v1.0/robot/groupMessages/recall", body);
        async move {
            Ok(self
                .call::<OrgGroupRecallResponse>(call)
                .await?
                .success_result)
        }
    }

    fn send_work_notification(
        &self,
        agent_id: i64,
        notification: &WorkNotification,
    ) -> impl Future<Output = Result<WorkNotificationTask, ApiError>> + Send {
        let ids = |ids: Vec<String>| (!ids.is_empty()).then_some(CommaList(ids));
        let body = AsyncSendRequest {
            agent_id,
            userid_list: ids(notification.userids.clone()),
            dept_id_list: ids(notification.dept_ids.iter().map(i64::to_string).collect()),
            to_all_user: notification.to_all_user.then_some(true),
            msg: notification.msg.clone(),
        };
        let call = Call::post("/topapi/message/corpconversation/asyncsend_v2", body)
            .idempotency(Idempotency::NotIdempotent);
        async move {
            let answer: AsyncSendResponse = self.call(call).await?;
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
        let call = task_call(
            "/topapi/message/corpconversation/getsendprogress",
            agent_id,
            task,
        );
        async move {
            let progress = self.call::<SendProgressResponse>(call).await?.progress;
            Ok(SendProgress {
                progress_in_percent: progress.progress_in_percent,
                status: progress.status,
            })
        }
    }

    fn work_notification_result(
        &self,
        agent_id: i64,
        task: WorkNotificationTask,
    ) -> impl Future<Output = Result<SendResult, ApiError>> + Send {
        let call = task_call(
            "/topapi/message/corpconversation/getsendresult",
            agent_id,
            task,
        );
        async move {
            let wire = self.call::<SendResultResponse>(call).await?.send_result;
            Ok(SendResult {
                invalid_user_ids: wire.invalid_user_id_list,
                forbidden_user_ids: wire.forbidden_user_id_list,
                failed_user_ids: wire.failed_user_id_list,
                read_user_ids: wire.read_user_id_list,
                unread_user_ids: wire.unread_user_id_list,
                invalid_dept_ids: wire.invalid_dept_id_list,
                forbidden: wire
                    .forbidden_list
                    .into_iter()
                    .map(|entry| ForbiddenRecipient {
                        userid: entry.userid,
                        code: entry.code,
                        count: entry.count,
                    })
                    .collect(),
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
        let body = StatusBarUpdateRequest {
            agent_id,
            task_id: task.task_id,
            status_value: status_value.to_string(),
            status_bg: status_bg.map(String::from),
        };
        let call = Call::post("/topapi/message/corpconversation/status_bar/update", body);
        async move { self.call_value(&call).await.map(drop) }
    }

    fn recall_work_notification(
        &self,
        agent_id: i64,
        task: WorkNotificationTask,
    ) -> impl Future<Output = Result<(), ApiError>> + Send {
        let body = RecallRequest {
            agent_id,
            msg_task_id: task.task_id,
        };
        let call = Call::post("/topapi/message/corpconversation/recall", body);
        async move { self.call_value(&call).await.map(drop) }
    }

    fn upload_media(
        &self,
        kind: &str,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> impl Future<Output = Result<UploadedMedia, ApiError>> + Send {
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
            let answer: MediaUploadResponse = self.call(call).await?;
            Ok(UploadedMedia {
                media_id: answer.media_id,
                kind: Some(answer.media_type)
                    .filter(|t| !t.is_empty())
                    .unwrap_or(kind),
            })
        }
    }
}
