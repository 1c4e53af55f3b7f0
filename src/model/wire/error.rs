//! Error envelopes of both hosts.

use serde::{Deserialize, Serialize};

/// The api host's failure body (HTTP 4xx/5xx), e.g.
/// `{"code":"InvalidAuthentication","message":"…","requestid":"…"}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApiErrorBody {
    /// The error code (`parameter.invalid`, `Forbidden.AccessDenied.QpsLimitForAppkeyAndApi`…).
    pub code: String,
    /// A human-readable message.
    pub message: String,
    /// The request id (lower-case, as the platform spells it).
    pub requestid: String,
}

/// The oapi host's status fields, present in every answer (HTTP 200 even on failure);
/// `errcode` 0 is success.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OapiStatus {
    /// 0 on success; the platform's error code otherwise (40035, 90018, 88…).
    pub errcode: i64,
    /// `ok` on success; the message otherwise.
    pub errmsg: String,
    /// The request id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub request_id: String,
    /// `/topapi` answers a bad token with errcode 88 and the detail here (`"40014"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_code: Option<String>,
    /// The message matching `sub_code`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_msg: Option<String>,
}

impl OapiStatus {
    /// Whether the call succeeded.
    pub fn is_ok(&self) -> bool {
        self.errcode == 0
    }
}

/// An oapi answer: the status fields flattened next to the endpoint's payload.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OapiResponse<T> {
    /// `errcode`, `errmsg`, `request_id`.
    #[serde(flatten)]
    pub status: OapiStatus,
    /// The endpoint's payload fields.
    #[serde(flatten)]
    pub body: T,
}

/// An empty oapi payload (answers that carry only the status).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Empty {}
