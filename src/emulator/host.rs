//! The two hosts' conventions: authentication, body parsing and envelopes.
//!
//! - [`Api`] / [`ApiOpen`]: `/v1.0/…`, token in `x-acs-dingtalk-access-token` (a
//!   `?access_token=` query is refused), JSON bodies, errors as [`ApiError`];
//! - [`Oapi`] / [`OapiOpen`]: the rest, token in `?access_token=`, bodies JSON or
//!   form-urlencoded (scalars as strings are fine, see `model::wire::lenient`), always HTTP 200,
//!   errors as [`OapiError`].
//!
//! Bodies are parsed into a `serde_json::Value` first (query parameters merged in), then into
//! the wire type, so a bad parameter gets the platform's error instead of axum's.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::AppState;
use super::error::Refusal;
use super::world::World;
use crate::model::wire::{ACCESS_TOKEN_HEADER, ApiErrorBody, OapiResponse, OapiStatus};

/// A fresh request id.
pub fn request_id() -> String {
    uuid::Uuid::new_v4().simple().to_string().to_uppercase()
}

/// A refusal answered the api-host way.
#[derive(Debug)]
pub struct ApiError(pub Refusal);

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        Self(refusal)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.0.api();
        let body = ApiErrorBody {
            code: code.to_owned(),
            message: self.0.to_string(),
            requestid: request_id(),
        };
        (status, Json(body)).into_response()
    }
}

/// A refusal answered the oapi way (HTTP 200). `/topapi` answers token errors with errcode 88
/// and the detail in `sub_code`/`sub_msg` (observed).
#[derive(Debug)]
pub struct OapiError {
    /// What was refused.
    pub refusal: Refusal,
    /// The path is under `/topapi/`.
    pub topapi: bool,
}

/// A refusal answered in the envelope of the host `path` is on: the api host's for `/v1.0/…`,
/// else the oapi host's (`/topapi/…` with its token errcode).
pub fn refusal_response(path: &str, refusal: Refusal) -> Response {
    if path.starts_with("/v1.0/") {
        ApiError(refusal).into_response()
    } else {
        OapiError {
            refusal,
            topapi: path.starts_with("/topapi/"),
        }
        .into_response()
    }
}

/// How a handler of a path under `/topapi/` (or not) turns a refusal into its answer:
/// `.map_err(refuse(call.topapi))`.
pub fn refuse(topapi: bool) -> impl Fn(Refusal) -> OapiError + Copy {
    move |refusal| OapiError { refusal, topapi }
}

impl IntoResponse for OapiError {
    fn into_response(self) -> Response {
        let code = self.refusal.oapi();
        let token_error = matches!(
            self.refusal,
            Refusal::TokenMissing | Refusal::TokenInvalid | Refusal::TokenExpired
        );
        let status = if self.topapi && token_error {
            OapiStatus {
                errcode: 88,
                errmsg: self.refusal.to_string(),
                request_id: request_id(),
                sub_code: Some(code.to_string()),
                sub_msg: Some(self.refusal.to_string()),
            }
        } else {
            OapiStatus {
                errcode: code,
                errmsg: self.refusal.to_string(),
                request_id: request_id(),
                sub_code: None,
                sub_msg: None,
            }
        };
        Json(status).into_response()
    }
}

/// A success answered the oapi way: status fields next to the payload.
pub fn oapi_ok<T: Serialize>(body: T) -> Response {
    Json(OapiResponse {
        status: OapiStatus {
            errcode: 0,
            errmsg: "ok".to_owned(),
            request_id: request_id(),
            sub_code: None,
            sub_msg: None,
        },
        body,
    })
    .into_response()
}

/// The query parameters of a request.
pub fn query_pairs(request_query: Option<&str>) -> Vec<(String, String)> {
    request_query
        .map(|query| {
            url::form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default()
}

/// Which app a token belongs to, by the emulator clock.
pub fn app_of_token(world: &World, token: &str) -> Result<String, Refusal> {
    let record = world.tokens.get(token).ok_or(Refusal::TokenInvalid)?;
    if record.expires_at <= world.now() {
        return Err(Refusal::TokenExpired);
    }
    Ok(record.app_key.clone())
}

/// Read a JSON value into a wire type, mapping serde's complaint to the platform's error.
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, Refusal> {
    serde_json::from_value(value).map_err(|error| {
        let text = error.to_string();
        match text.strip_prefix("missing field `") {
            Some(rest) => Refusal::MissingParameter(rest.trim_end_matches('`').to_owned()),
            None => Refusal::BadParameter(text),
        }
    })
}

fn json_object(bytes: &[u8]) -> Result<Map<String, Value>, Refusal> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(Refusal::BadParameter(format!(
            "the body must be a JSON object, not `{other}`"
        ))),
        Err(error) => Err(Refusal::BadParameter(format!(
            "the body is not JSON: {error}"
        ))),
    }
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/x-www-form-urlencoded"))
}

struct Parts {
    query: Vec<(String, String)>,
    headers: HeaderMap,
    method: Method,
    topapi: bool,
    body: Bytes,
}

async fn split(request: Request) -> Result<Parts, Refusal> {
    let query = query_pairs(request.uri().query());
    let topapi = request.uri().path().starts_with("/topapi/");
    let headers = request.headers().clone();
    let method = request.method().clone();
    let body = axum::body::to_bytes(request.into_body(), 64 * 1024 * 1024)
        .await
        .map_err(|error| Refusal::BadParameter(format!("cannot read the body: {error}")))?;
    Ok(Parts {
        query,
        headers,
        method,
        topapi,
        body,
    })
}

/// An authenticated api-host call: the caller's app and the parsed body.
#[derive(Debug)]
pub struct Api<T> {
    /// The app the token belongs to.
    pub app_key: String,
    /// The body (for GET, the query).
    pub body: T,
}

/// An api-host call without a token (the token endpoints).
#[derive(Debug)]
pub struct ApiOpen<T>(pub T);

fn api_body<T: DeserializeOwned>(parts: &Parts) -> Result<T, Refusal> {
    let mut object = if parts.method == Method::GET {
        Map::new()
    } else {
        json_object(&parts.body)?
    };
    if parts.method == Method::GET {
        for (key, value) in &parts.query {
            object.insert(key.clone(), Value::String(value.clone()));
        }
    }
    from_value(Value::Object(object))
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for Api<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let parts = split(request).await?;
        if parts.query.iter().any(|(key, _)| key == "access_token") {
            return Err(Refusal::TokenMissing.into());
        }
        let token = parts
            .headers
            .get(ACCESS_TOKEN_HEADER)
            .and_then(|value| value.to_str().ok())
            .ok_or(Refusal::TokenMissing)?;
        let app_key = state.store.read(|world| app_of_token(world, token))?;
        let body = api_body(&parts)?;
        Ok(Self { app_key, body })
    }
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for ApiOpen<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, _state: &AppState) -> Result<Self, Self::Rejection> {
        let parts = split(request).await?;
        Ok(Self(api_body(&parts)?))
    }
}

/// An authenticated oapi call.
#[derive(Debug)]
pub struct Oapi<T> {
    /// The app the token belongs to.
    pub app_key: String,
    /// The body merged with the query (body wins).
    pub body: T,
    /// Under `/topapi/` (error style).
    pub topapi: bool,
}

/// An oapi call without a token (`/gettoken`, the webhook).
#[derive(Debug)]
pub struct OapiOpen<T>(pub T);

fn oapi_body<T: DeserializeOwned>(parts: &Parts) -> Result<T, Refusal> {
    let mut object = Map::new();
    for (key, value) in &parts.query {
        if key != "access_token" {
            object.insert(key.clone(), Value::String(value.clone()));
        }
    }
    // curl's `-d` labels JSON as form-urlencoded; a body that is a JSON object is JSON.
    let looks_like_json = parts.body.trim_ascii_start().starts_with(b"{");
    let body = if is_form(&parts.headers) && !looks_like_json {
        url::form_urlencoded::parse(&parts.body)
            .into_owned()
            .map(|(key, value)| (key, Value::String(value)))
            .collect()
    } else {
        json_object(&parts.body)?
    };
    object.extend(body);
    from_value(Value::Object(object))
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for Oapi<T> {
    type Rejection = OapiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let topapi = request.uri().path().starts_with("/topapi/");
        let refuse = refuse(topapi);
        let parts = split(request).await.map_err(refuse)?;
        let token = parts
            .query
            .iter()
            .find(|(key, _)| key == "access_token")
            .map(|(_, value)| value.clone())
            .ok_or(Refusal::TokenMissing)
            .map_err(refuse)?;
        let app_key = state
            .store
            .read(|world| app_of_token(world, &token))
            .map_err(refuse)?;
        let body = oapi_body(&parts).map_err(refuse)?;
        Ok(Self {
            app_key,
            body,
            topapi: parts.topapi,
        })
    }
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for OapiOpen<T> {
    type Rejection = OapiError;

    async fn from_request(request: Request, _state: &AppState) -> Result<Self, Self::Rejection> {
        let topapi = request.uri().path().starts_with("/topapi/");
        let parts = split(request).await.map_err(refuse(topapi))?;
        let body = oapi_body(&parts).map_err(refuse(topapi))?;
        Ok(Self(body))
    }
}
