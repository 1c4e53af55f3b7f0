//! Access tokens: 7200 s by the emulator clock; fetching again inside the window returns the
//! same token and extends it (`dingtalk-api.md`, "Access tokens").

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;

use super::AppState;
use super::error::Refusal;
use super::host::{ApiError, ApiOpen, OapiError, OapiOpen, oapi_ok};
use super::world::{TokenRecord, World, random_token};
use crate::model::wire::token::{
    AccessTokenRequest, AccessTokenResponse, CorpTokenRequest, CorpTokenResponse, GetTokenQuery,
    GetTokenResponse,
};

/// Token lifetime in seconds.
pub const TOKEN_SECONDS: i64 = 7200;

impl World {
    /// Issue (or re-issue and extend) the token of an app whose credentials match.
    pub fn issue_token(&mut self, app_key: &str, app_secret: &str) -> Result<String, Refusal> {
        let known = self
            .seed
            .app(app_key)
            .is_some_and(|app| app.app_secret == app_secret);
        if !known {
            return Err(Refusal::BadCredentials);
        }
        let now = self.now();
        let expires_at = now + TOKEN_SECONDS * 1000;
        // Forget long-expired tokens so the data file does not grow without bound; recent
        // ones stay so that using them answers "expired" rather than "invalid".
        self.tokens
            .retain(|_, record| record.expires_at > now - 30 * 24 * 3600 * 1000);
        let current = self
            .tokens
            .iter_mut()
            .find(|(_, record)| record.app_key == app_key && record.expires_at > now);
        if let Some((token, record)) = current {
            record.expires_at = expires_at;
            return Ok(token.clone());
        }
        let token = random_token();
        self.tokens.insert(
            token.clone(),
            TokenRecord {
                app_key: app_key.to_owned(),
                expires_at,
            },
        );
        Ok(token)
    }
}

/// `POST /v1.0/oauth2/accessToken`.
pub async fn access_token(
    State(state): State<AppState>,
    ApiOpen(body): ApiOpen<AccessTokenRequest>,
) -> Result<Json<AccessTokenResponse>, ApiError> {
    let token = state
        .store
        .write(|world| world.issue_token(&body.app_key, &body.app_secret))
        .await?;
    Ok(Json(AccessTokenResponse {
        access_token: token,
        expire_in: TOKEN_SECONDS,
    }))
}

/// `POST /v1.0/oauth2/{corpId}/token`.
pub async fn corp_token(
    State(state): State<AppState>,
    Path(corp_id): Path<String>,
    ApiOpen(body): ApiOpen<CorpTokenRequest>,
) -> Result<Json<CorpTokenResponse>, ApiError> {
    let corp_matches = state
        .store
        .read(|world| world.seed.organization.corp_id == corp_id);
    if !corp_matches {
        return Err(Refusal::BadCredentials.into());
    }
    let token = state
        .store
        .write(|world| world.issue_token(&body.client_id, &body.client_secret))
        .await?;
    Ok(Json(CorpTokenResponse {
        access_token: token,
        expires_in: TOKEN_SECONDS,
    }))
}

/// oapi `GET /gettoken?appkey=&appsecret=`.
pub async fn gettoken(
    State(state): State<AppState>,
    OapiOpen(query): OapiOpen<GetTokenQuery>,
) -> Result<Response, OapiError> {
    let token = state
        .store
        .write(|world| world.issue_token(&query.appkey, &query.appsecret))
        .await
        .map_err(super::host::refuse(false))?;
    Ok(oapi_ok(GetTokenResponse {
        access_token: token,
        expires_in: TOKEN_SECONDS,
    }))
}
