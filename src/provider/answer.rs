//! Judging an answer by the rules of its host: the api host fails with HTTP 4xx/5xx and
//! `{"code","message","requestid"}`; the oapi host answers HTTP 200 with a non-zero
//! `errcode` (and, on `/topapi`, `sub_code`/`sub_msg`). Errors are built here too, so that
//! none of them can carry a URL (whose query may hold the access token).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::call::Call;
use super::endpoint::Host;
use super::error::{ApiError, ErrorKind, PlatformError};
use super::transport::{Failure, TransportError};

/// A successful answer, judged but not yet decoded: the body is decoded once, straight into
/// the type the caller wants, never first into a [`Value`] tree (issue 15: that tree was most
/// of a read's CPU and allocations).
#[derive(Debug)]
pub(crate) enum Answer {
    /// The body as it came, known to be a success by its envelope alone.
    Raw(Vec<u8>),
    /// The body parsed, when judging it needed the whole of it.
    Parsed(Value),
}

impl Answer {
    /// Decode into `T`. An answer that does not fit is decoded again through a [`Value`], so
    /// that the error reads as it always did.
    pub(crate) fn decode<T: DeserializeOwned>(self, call: &Call) -> Result<T, ApiError> {
        match self {
            Answer::Raw(body) => serde_json::from_slice(&body)
                .or_else(|_| decode(call, Answer::Raw(body).into_value(call)?)),
            Answer::Parsed(value) => decode(call, value),
        }
    }

    /// The body as a JSON value (for callers that want the raw object).
    pub(crate) fn into_value(self, call: &Call) -> Result<Value, ApiError> {
        match self {
            Answer::Raw(body) => serde_json::from_slice(&body).map_err(|e| not_json(call, 200, &e)),
            Answer::Parsed(value) => Ok(value),
        }
    }
}

/// The two fields of an answer's envelope that say whether it failed (`errcode` on the oapi
/// host, and the per-IP ban's `status`); every other field is skipped unparsed. A field that
/// is present is `Some` even when it is `null`, as [`judge`] sees it.
#[derive(Deserialize)]
struct Envelope {
    #[serde(default, deserialize_with = "present")]
    errcode: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    status: Option<Value>,
}

fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

impl Envelope {
    /// Exactly when [`judge`] finds a 2xx answer a success.
    fn is_success(&self) -> bool {
        let banned =
            self.status.as_ref().and_then(Value::as_i64) == Some(1111) && self.errcode.is_none();
        let errcode = self
            .errcode
            .as_ref()
            .and_then(|c| c.as_i64().or_else(|| c.as_str()?.parse().ok()));
        !banned && errcode.is_none_or(|code| code == 0)
    }
}

/// Judge an answer's body by the rules of its host. A 2xx object whose envelope says success
/// (almost every answer) is passed on unparsed; anything else is parsed whole and judged by
/// [`judge`], so that every error is the one it always was.
pub(crate) fn judge_body(
    call: &Call,
    host: Host,
    status: u16,
    body: Vec<u8>,
) -> Result<Answer, ApiError> {
    if body.is_empty() {
        return judge(call, host, status, Value::Object(Default::default())).map(Answer::Parsed);
    }
    let object = body
        .iter()
        .find(|byte| !byte.is_ascii_whitespace())
        .is_some_and(|byte| *byte == b'{');
    if (200..300).contains(&status)
        && object
        && serde_json::from_slice::<Envelope>(&body).is_ok_and(|envelope| envelope.is_success())
    {
        return Ok(Answer::Raw(body));
    }
    let value: Value = match serde_json::from_slice(&body) {
        Ok(value) => value,
        Err(_) if status >= 400 => {
            return Err(platform(
                call,
                status,
                status.to_string(),
                None,
                http_reason(status),
                None,
            ));
        }
        Err(e) => return Err(not_json(call, status, &e)),
    };
    judge(call, host, status, value).map(Answer::Parsed)
}

fn not_json(call: &Call, status: u16, error: &serde_json::Error) -> ApiError {
    ApiError::Decode {
        method: method_name(&call.method),
        path: call.path.to_string(),
        status,
        message: format!("not JSON: {error}"),
    }
}

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
        path: call.path.to_string(),
        status,
        code,
        sub_code,
        message,
        kind,
        request_id,
        attempts: 1,
    }))
}

/// A transport failure; `message` says what failed (the caller names the host).
pub(crate) fn transport(call: &Call, error: TransportError, message: String) -> ApiError {
    let failure = error.failure();
    let kind = match failure {
        Failure::ConnectTimeout | Failure::ReadTimeout | Failure::TotalTimeout => {
            ErrorKind::Timeout
        }
        Failure::Connect | Failure::Exchange => ErrorKind::Transport,
    };
    // A connection that never opened cannot have delivered the request; anything later may
    // have (the server may have acted and the answer been lost).
    let maybe_processed = !matches!(failure, Failure::Connect | Failure::ConnectTimeout);
    ApiError::Transport {
        method: method_name(&call.method),
        path: call.path.to_string(),
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
        path: call.path.to_string(),
        status: 200,
        message: e.to_string(),
    })
}

pub(crate) fn method_name(method: &http::Method) -> &'static str {
    match *method {
        http::Method::GET => "GET",
        http::Method::PUT => "PUT",
        http::Method::DELETE => "DELETE",
        _ => "POST",
    }
}

pub(crate) fn http_reason(status: u16) -> String {
    http::StatusCode::from_u16(status)
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

    /// `judge_body` on raw bytes against `judge` on the parsed value: the same verdict, the
    /// same error, the same decoded value.
    #[test]
    fn judging_the_body_unparsed_agrees_with_judging_it_parsed() {
        let bodies: &[&str] = &[
            r#"{"errcode":0,"errmsg":"ok","chat_info":{"name":"x"}}"#,
            r#"{"errcode":"0","errmsg":"ok"}"#,
            r#"{"errcode":null}"#,
            r#"{"errcode":88,"errmsg":"bad","sub_code":"40014","sub_msg":"token"}"#,
            r#"{"errcode":"90018","errmsg":"qps"}"#,
            r#"{"status":1111,"message":"banned"}"#,
            r#"{"status":1111,"errcode":0}"#,
            r#"{"status":1,"title":"t","memberAmount":3}"#,
            r#"{"status":1111,"status":2}"#,
            r#"{"errcode":0,"errcode":5}"#,
            r#"  {"code":"Forbidden.AccessDenied.QpsLimitForAppkeyAndApi","message":"too fast"}"#,
            r#"[1,2]"#,
            r#""text""#,
            "not json",
            "",
        ];
        for path in ["/topapi/x", "/v1.0/im/x"] {
            let call = Call::post(path, json!({}));
            let host = Host::of_path(path);
            for status in [200, 403, 500] {
                for body in bodies {
                    let unparsed = judge_body(&call, host, status, body.as_bytes().to_vec());
                    let parsed = match serde_json::from_str::<Value>(body) {
                        Ok(value) => judge(&call, host, status, value).map(Some),
                        Err(_) if body.is_empty() => {
                            judge(&call, host, status, json!({})).map(Some)
                        }
                        Err(_) => Ok(None),
                    };
                    let seen = format!("{path} {status} {body}");
                    match (unparsed, parsed) {
                        (Ok(answer), Ok(Some(value))) => {
                            assert_eq!(answer.into_value(&call).unwrap(), value, "{seen}");
                        }
                        (Err(unparsed), Err(parsed)) => {
                            assert_eq!(unparsed.to_string(), parsed.to_string(), "{seen}");
                        }
                        // Not JSON: an error either way (by the status, or "not JSON").
                        (Err(_), Ok(None)) => {}
                        (unparsed, parsed) => panic!("{seen}: {unparsed:?} against {parsed:?}"),
                    }
                }
            }
        }
    }

    #[test]
    fn an_unparsed_answer_decodes_as_a_parsed_one_does() {
        #[derive(Debug, PartialEq, serde::Deserialize)]
        struct Detail {
            title: String,
            #[serde(default)]
            members: Vec<String>,
        }
        let call = Call::post("/v1.0/im/x", json!({}));
        let body = br#"{"title":"On-call","members":["u1","u2"],"extra":{"a":[1,2]}}"#;
        let answer = judge_body(&call, Host::Api, 200, body.to_vec()).unwrap();
        assert!(matches!(answer, Answer::Raw(_)), "{answer:?}");
        let detail: Detail = answer.decode(&call).unwrap();
        assert_eq!(detail.members, ["u1", "u2"]);
        // A body that does not fit fails with the message decoding the value gives.
        let misfit = br#"{"members":["u1"]}"#;
        let unparsed = judge_body(&call, Host::Api, 200, misfit.to_vec())
            .unwrap()
            .decode::<Detail>(&call)
            .unwrap_err();
        let parsed = decode::<Detail>(&call, serde_json::from_slice(misfit).unwrap()).unwrap_err();
        assert_eq!(unparsed.to_string(), parsed.to_string());
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
