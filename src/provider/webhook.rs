//! Custom robots' webhooks: `POST /robot/send?access_token=…&timestamp=…&sign=…` on the oapi
//! host. The token names the robot (a person added it to a group in the client; no API
//! creates one) and is the only credential: the app's access token is not sent. The token
//! and the secret are [`Secret`]s; errors name the path, never the query.

use std::future::Future;

use serde_json::Value;

use super::call::Call;
use super::credentials::Secret;
use super::error::ApiError;
use super::http::HttpClient;
use super::retry::Idempotency;
use crate::model::webhook::webhook_signature;
use crate::model::wire::robot::WebhookMessage;

/// One webhook request.
#[derive(Clone, Debug)]
pub struct WebhookSend<'a> {
    /// The robot's access token.
    pub token: &'a Secret,
    /// The robot's signing secret, when signing is on.
    pub secret: Option<&'a Secret>,
    /// Milliseconds since the epoch, signed with the secret (the platform refuses one more
    /// than an hour off its clock).
    pub timestamp_ms: i64,
    /// The message.
    pub body: &'a WebhookMessage,
}

/// Webhook calls.
pub trait WebhookApi: Send + Sync {
    /// Post a message through a custom robot's webhook. Not resent after an ambiguous
    /// failure (the webhook has no way to ask whether it arrived).
    fn send_webhook(
        &self,
        send: &WebhookSend<'_>,
    ) -> impl Future<Output = Result<(), ApiError>> + Send;
}

impl WebhookApi for HttpClient {
    fn send_webhook(
        &self,
        send: &WebhookSend<'_>,
    ) -> impl Future<Output = Result<(), ApiError>> + Send {
        let mut call = Call::post("/robot/send", send.body)
            .query("access_token", send.token.expose())
            .idempotency(Idempotency::NotIdempotent);
        if let Some(secret) = send.secret {
            call = call.query("timestamp", send.timestamp_ms).query(
                "sign",
                webhook_signature(secret.expose(), send.timestamp_ms),
            );
        }
        async move {
            let _: Value = self.call_without_token(&call).await?;
            Ok(())
        }
    }
}
