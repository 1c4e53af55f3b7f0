//! A `multipart/form-data` body (RFC 7578) with one file part and plain fields, for the media
//! upload: the bytes reqwest's `Form` wrote (same part order and headers, file name escaped
//! the same way), built whole, since an upload is at most a few megabytes. Hand-written: the
//! well-kept builders are tied to their HTTP clients, and this is one `format!` per part.

/// A form ready to send.
pub(crate) struct Form {
    boundary: String,
    body: Vec<u8>,
}

impl Form {
    /// The file part `field` (named `file_name`, holding `bytes`), then `fields` in order.
    pub(crate) fn new(
        field: &str,
        file_name: &str,
        bytes: &[u8],
        fields: &[(&'static str, String)],
    ) -> Form {
        let boundary = format!(
            "{:016x}-{:016x}-{:016x}-{:016x}",
            rand::random::<u64>(),
            rand::random::<u64>(),
            rand::random::<u64>(),
            rand::random::<u64>()
        );
        let mut body = Vec::with_capacity(bytes.len() + 256);
        // As reqwest: backslash, quote, CR and LF escaped with a backslash.
        let file_name = file_name
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\r', "\\\r")
            .replace('\n', "\\\n");
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{file_name}\"\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
        for (name, value) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        Form { boundary, body }
    }

    /// The `Content-Type` header, with the boundary.
    pub(crate) fn content_type(&self) -> http::HeaderValue {
        http::HeaderValue::from_str(&format!("multipart/form-data; boundary={}", self.boundary))
            .unwrap_or_else(|_| http::HeaderValue::from_static("multipart/form-data"))
    }

    /// The body's bytes.
    pub(crate) fn into_body(self) -> Vec<u8> {
        self.body
    }
}
