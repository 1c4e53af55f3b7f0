//! Judging an answer by the rules of its host: the api host fails with HTTP 4xx/5xx and
//! `{"code","message","requestid"}`; the oapi host answers HTTP 200 with a non-zero
//! `errcode` (and, on `/topapi`, `sub_code`/`sub_msg`). Errors are built here too, so that
//! none of them can carry a URL (whose query may hold the access token).

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::call::Call;
use super::endpoint::Host;
use super::error::{ApiError, ErrorKind, PlatformError};

/// Turn a parsed answer into success or a typed error, by the rules of its host.
pub(crate) fn judge(call: &Call, host: Host, status: u16, value: Value) -> Result<Value, ApiError> {
    let text = |key: &str| -> Option<String> {
        match value.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        }
    };
    // The per-IP ban answers `{"status":1111,…}` on either host.
    if value.get("status").and_then(Value::as_i64) == Some(1111) && value.get("errcode").is_none() {
        let message = text("message")
            .or_else(|| text("msg"))
            .unwrap_or_else(|| "IP banned".into());
        return Err(platform(call, status, "1111".into(), None, message, None));
    }
    if (200..300).contains(&status) {
        let errcode = value
            .get("errcode")
            .and_then(|c| c.as_i64().or_else(|| c.as_str()?.parse().ok()));
        match errcode {
            Some(code) if code != 0 => {}
            // The api host: any 2xx is success. The oapi host: errcode 0.
            _ => return Ok(value),
        }
    }
    let request_id = text("requestid")
        .or_else(|| text("request_id"))
        .or_else(|| text("requestId"));
    let (code, sub_code, message) = match host {
        Host::Oapi if value.get("errcode").is_some() => {
            let sub_code = text("sub_code").filter(|s| !s.is_empty());
            let message = text("sub_msg")
                .filter(|s| !s.is_empty())
                .or_else(|| text("errmsg"))
                .unwrap_or_default();
            (text("errcode").unwrap_or_default(), sub_code, message)
        }
        _ => (
            text("code").unwrap_or_else(|| status.to_string()),
            None,
            text("message").unwrap_or_else(|| http_reason(status)),
        ),
    };
    Err(platform(call, status, code, sub_code, message, request_id))
}

pub(crate) fn platform(
    call: &Call,
    status: u16,
    code: String,
    sub_code: Option<String>,
    message: String,
    request_id: Option<String>,
) -> ApiError {
    let kind = ErrorKind::classify(status, &code, sub_code.as_deref());
    ApiError::Platform(Box::new(PlatformError {
        method: method_name(&call.method),
        path: call.path.clone(),
        status,
        code,
        sub_code,
        message,
        kind,
        request_id,
        attempts: 1,
    }))
}

/// A transport failure, its URL (which may hold the token) removed.
pub(crate) fn transport(call: &Call, error: reqwest::Error) -> ApiError {
    let error = error.without_url();
    let kind = if error.is_timeout() {
        ErrorKind::Timeout
    } else {
        ErrorKind::Transport
    };
    // A connection that never opened cannot have delivered the request; anything later may
    // have (the server may have acted and the answer been lost).
    let maybe_processed = !error.is_connect();
    let mut message = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    ApiError::Transport {
        method: method_name(&call.method),
        path: call.path.clone(),
        kind,
        message,
        maybe_processed,
        attempts: 1,
        source: Some(error),
    }
}

pub(crate) fn decode<T: DeserializeOwned>(call: &Call, value: Value) -> Result<T, ApiError> {
    serde_json::from_value(value).map_err(|e| ApiError::Decode {
        method: method_name(&call.method),
        path: call.path.clone(),
        status: 200,
        message: e.to_string(),
    })
}

pub(crate) fn method_name(method: &reqwest::Method) -> &'static str {
    match *method {
        reqwest::Method::GET => "GET",
        reqwest::Method::PUT => "PUT",
        reqwest::Method::DELETE => "DELETE",
        _ => "POST",
    }
}

pub(crate) fn http_reason(status: u16) -> String {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("error")
        .to_string()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn judged(path: &'static str, status: u16, body: Value) -> Result<Value, ApiError> {
        let call = Call::post(path, json!({}));
        judge(&call, Host::of_path(path), status, body)
    }

    #[test]
    fn oapi_success_is_errcode_zero() {
        let body = json!({ "errcode": 0, "errmsg": "ok", "task_id": 7 });
        assert_eq!(judged("/topapi/x", 200, body.clone()).unwrap(), body);
    }

    #[test]
    fn topapi_bad_token_is_auth_by_sub_code() {
        let body = json!({ "errcode": 88, "errmsg": "ding talk error[subcode=40014]", "sub_code": "40014", "sub_msg": "不合法的access_token", "request_id": "r1" });
        let error = judged("/topapi/v2/user/get", 200, body).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Auth);
        assert_eq!(error.code(), Some("88"));
        assert!(error.to_string().contains("88/40014"), "{error}");
    }

    #[test]
    fn oapi_errcodes_as_strings_are_read_too() {
        let error = judged(
            "/chat/get",
            200,
            json!({ "errcode": "90018", "errmsg": "qps" }),
        )
        .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Throttled);
    }

    #[test]
    fn api_host_errors_come_from_status_and_code() {
        let body = json!({ "code": "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi", "message": "too fast", "requestid": "r2" });
        let error = judged("/v1.0/im/sceneGroup/create", 403, body).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Throttled);
        assert_eq!(error.status(), Some(403));
        let ApiError::Platform(platform) = error else {
            panic!("platform error")
        };
        assert_eq!(platform.request_id.as_deref(), Some("r2"));
    }

    #[test]
    fn an_oapi_envelope_behind_a_5xx_keeps_its_code() {
        let error =
            judged("/topapi/x", 502, json!({ "errcode": -1, "errmsg": "busy" })).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Busy);
        assert_eq!(error.code(), Some("-1"));
    }

    #[test]
    fn the_ip_ban_is_recognized_on_either_host() {
        let error = judged(
            "/v1.0/x",
            403,
            json!({ "status": 1111, "message": "banned" }),
        )
        .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Banned);
    }
}
