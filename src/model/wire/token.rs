//! Access tokens (7200 s; re-fetching inside the window returns the same token).

use serde::{Deserialize, Serialize};

/// api `POST /v1.0/oauth2/accessToken` (SDK `get_access_token`), no token header.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessTokenRequest {
    /// The app key.
    pub app_key: String,
    /// The app secret (a secret: never logged).
    pub app_secret: String,
}

/// Answer of `POST /v1.0/oauth2/accessToken`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AccessTokenResponse {
    /// The token (a secret).
    pub access_token: String,
    /// Seconds until it expires.
    pub expire_in: i64,
}

/// api `POST /v1.0/oauth2/{corpId}/token` (SDK `get_token`), snake_case.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorpTokenRequest {
    /// The app key.
    pub client_id: String,
    /// The app secret (a secret).
    pub client_secret: String,
    /// `client_credentials`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grant_type: Option<String>,
}

/// Answer of `POST /v1.0/oauth2/{corpId}/token`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CorpTokenResponse {
    /// The token (a secret).
    pub access_token: String,
    /// Seconds until it expires.
    pub expires_in: i64,
}

/// Query of oapi `GET /gettoken?appkey=&appsecret=`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetTokenQuery {
    /// The app key.
    pub appkey: String,
    /// The app secret (a secret).
    pub appsecret: String,
}

/// Payload of oapi `GET /gettoken` (inside [`super::OapiResponse`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetTokenResponse {
    /// The token (a secret).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub access_token: String,
    /// Seconds until it expires.
    #[serde(skip_serializing_if = "is_zero")]
    pub expires_in: i64,
}

fn is_zero(value: &i64) -> bool {
    *value == 0
}
