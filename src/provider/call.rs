//! One API request, described as data so that it can be sent again on retry.

use std::borrow::Cow;

use bytes::Bytes;
use http::Method;
use serde::Serialize;

use super::retry::Idempotency;

/// A request body.
#[derive(Clone, Debug)]
pub(crate) enum CallBody {
    /// No body (GET).
    Empty,
    /// A JSON object, serialized once (a retry sends the same bytes).
    Json(Bytes),
    /// A multipart form with one file part (media upload).
    Multipart {
        /// The file part's field name (`media`).
        field: &'static str,
        /// The file name sent with it.
        file_name: String,
        /// The file's bytes.
        bytes: Vec<u8>,
        /// Plain form fields.
        fields: Vec<(&'static str, String)>,
    },
}

/// One request: which API (the rate-limit key and log name), the concrete path, query,
/// body, and whether it may be sent twice.
#[derive(Clone, Debug)]
pub(crate) struct Call {
    pub(crate) method: Method,
    /// The API as the platform counts it (the path template, no ids).
    pub(crate) api: &'static str,
    /// The concrete path (with ids substituted): the template itself, not a copy, for most
    /// APIs, whose ids go in the query or the body.
    pub(crate) path: Cow<'static, str>,
    pub(crate) query: Vec<(&'static str, String)>,
    pub(crate) body: CallBody,
    pub(crate) idempotency: Idempotency,
}

impl Call {
    fn new(method: Method, api: &'static str, body: CallBody) -> Call {
        Call {
            method,
            api,
            path: Cow::Borrowed(api),
            query: Vec::new(),
            body,
            idempotency: Idempotency::Idempotent,
        }
    }

    /// A POST with a JSON body; idempotent unless said otherwise.
    pub(crate) fn post(api: &'static str, body: impl Serialize) -> Call {
        Call::new(Method::POST, api, CallBody::Json(to_json(body)))
    }

    /// A PUT with a JSON body.
    pub(crate) fn put(api: &'static str, body: impl Serialize) -> Call {
        Call::new(Method::PUT, api, CallBody::Json(to_json(body)))
    }

    /// A GET (parameters go in the query).
    pub(crate) fn get(api: &'static str) -> Call {
        Call::new(Method::GET, api, CallBody::Empty)
    }

    /// A multipart POST.
    pub(crate) fn multipart(api: &'static str, body: CallBody) -> Call {
        Call::new(Method::POST, api, body)
    }

    /// Add a query parameter.
    pub(crate) fn query(mut self, name: &'static str, value: impl ToString) -> Call {
        self.query.push((name, value.to_string()));
        self
    }

    /// Set the concrete path when it differs from the API template.
    pub(crate) fn path(mut self, path: String) -> Call {
        self.path = Cow::Owned(path);
        self
    }

    /// Declare how safe the request is to resend.
    pub(crate) fn idempotency(mut self, idempotency: Idempotency) -> Call {
        self.idempotency = idempotency;
        self
    }
}

/// The body's JSON, in the order its struct declares its fields (as the official SDK sends
/// them), written straight to bytes rather than through a `serde_json::Value`.
fn to_json(body: impl Serialize) -> Bytes {
    // Request bodies are plain structs and maps: serializing them cannot fail.
    serde_json::to_vec(&body)
        .unwrap_or_else(|_| b"null".to_vec())
        .into()
}
