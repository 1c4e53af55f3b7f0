//! The provider's errors: each names the API path (never the URL with its token), the
//! platform's code and message, the HTTP status, and a [`ErrorKind`] callers branch on.

/// What went wrong, in terms a caller can act on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The credentials or the access token were refused.
    Auth,
    /// A QPS limit was hit (90018, 90002, 90019, `Forbidden.AccessDenied.QpsLimit*`,
    /// `send.too.fast`, 410100). Retried with backoff.
    Throttled,
    /// The platform is busy (-1, 500 `system.error`, 429 `systemBusy`). Retried.
    Busy,
    /// Any other 5xx answer. Retried.
    Server,
    /// The monthly call quota is spent (90020, `ApiCountLimitForOrg`).
    QuotaExceeded,
    /// The caller's IP is banned for a while (body `{"status":1111}`).
    Banned,
    /// Something named in the request does not exist (user, group, template, department…).
    NotFound,
    /// The group was disbanded or the bot stopped.
    Gone,
    /// The request is malformed or a field is out of range.
    InvalidParameter,
    /// The app lacks a permission or the group refuses the operation.
    PermissionDenied,
    /// A platform limit: too many members, admins, recipients, sends per day…
    Limit,
    /// The connection failed before or while talking to the server.
    Transport,
    /// No answer in time.
    Timeout,
    /// The answer could not be understood.
    Decode,
    /// A platform error this client does not classify.
    Other,
}

impl ErrorKind {
    /// Classify a platform answer by HTTP status, code and sub-code (tables in
    /// `shared/dingtalk-api.md`, "Errors, throttling, QPS").
    pub fn classify(status: u16, code: &str, sub_code: Option<&str>) -> ErrorKind {
        // `/topapi` wraps token errors in 88 with the token code as `sub_code`.
        if code == "88" && matches!(sub_code, Some("40014" | "40001" | "42001" | "43007")) {
            return ErrorKind::Auth;
        }
        if code.starts_with("Forbidden.AccessDenied.QpsLimit") {
            return ErrorKind::Throttled;
        }
        if code.starts_with("invalidParameter.") {
            return ErrorKind::InvalidParameter;
        }
        match code {
            "InvalidAuthentication"
            | "invalidClientIdOrSecret"
            | "40014"
            | "40001"
            | "42001"
            | "43007"
            | "40096"
            | "40089" => ErrorKind::Auth,
            "90018" | "90002" | "90019" | "send.too.fast" | "410100" => ErrorKind::Throttled,
            "-1" | "system.error" | "systemBusy" => ErrorKind::Busy,
            "90020" | "Forbidden.AccessDenied.ApiCountLimitForOrg" => ErrorKind::QuotaExceeded,
            "1111" => ErrorKind::Banned,
            "groupTemplate.notFound"
            | "member.notFound"
            | "invalid.openConversationId"
            | "userNotInGroup"
            | "665036"
            | "660041"
            | "33012"
            | "60003"
            | "40016"
            | "400101"
            | "60124"
            | "60121" => ErrorKind::NotFound,
            "group.disbanded" | "bot.stopped" | "400013" | "400102" => ErrorKind::Gone,
            "parameter.invalid" | "40035" | "400002" | "49004" | "400001" | "40056" => {
                ErrorKind::InvalidParameter
            }
            "60011"
            | "permession.checkFailed"
            | "groupPermissionDenied"
            | "400020"
            | "Forbidden.AccessDenied.AccessTokenPermissionDenied" => ErrorKind::PermissionDenied,
            "member.exceed"
            | "subAdminNumberExcessive"
            | "665033"
            | "1002"
            | "41029"
            | "143105"
            | "143106"
            | "41045"
            | "41052" => ErrorKind::Limit,
            _ if status == 429 => ErrorKind::Throttled,
            _ if status >= 500 => ErrorKind::Server,
            _ if status == 404 => ErrorKind::NotFound,
            _ => ErrorKind::Other,
        }
    }

    /// Whether a request that failed this way may be sent again after a pause. Whether it is
    /// *safe* to send again is decided by the request's idempotency (see `retry`).
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            ErrorKind::Throttled
                | ErrorKind::Busy
                | ErrorKind::Server
                | ErrorKind::Transport
                | ErrorKind::Timeout
        )
    }
}

/// An error answer from DingTalk (or the emulator).
#[derive(Debug, thiserror::Error)]
#[error(
    "{method} {path}: DingTalk error {code}{}: {message} (HTTP {status}{})",
    sub_code.as_deref().map(|s| format!("/{s}")).unwrap_or_default(),
    attempts_note(*attempts)
)]
pub struct PlatformError {
    /// HTTP method.
    pub method: &'static str,
    /// The API path (no query, so no token).
    pub path: String,
    /// HTTP status (oapi errors come with 200).
    pub status: u16,
    /// The platform's code: oapi `errcode` as text, or the api host's `code`.
    pub code: String,
    /// The oapi `sub_code`, when given.
    pub sub_code: Option<String>,
    /// The platform's message (`errmsg`, `message`, `sub_msg`).
    pub message: String,
    /// What it means for the caller.
    pub kind: ErrorKind,
    /// The platform's request id, for support tickets.
    pub request_id: Option<String>,
    /// How many times the request was sent.
    pub attempts: u32,
}

/// A failed API call.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// DingTalk (or the emulator) answered with an error.
    #[error(transparent)]
    Platform(Box<PlatformError>),
    /// The request did not get an answer.
    #[error("{method} {path}: {message}{}{}", if *maybe_processed { " (the server may have processed it)" } else { "" }, attempts_note(*attempts))]
    Transport {
        /// HTTP method.
        method: &'static str,
        /// The API path.
        path: String,
        /// [`ErrorKind::Transport`] or [`ErrorKind::Timeout`].
        kind: ErrorKind,
        /// What failed (the transport's message, with the URL removed).
        message: String,
        /// True when the request may have reached the server (so it was not retried unless
        /// idempotent): callers must not assume it had no effect.
        maybe_processed: bool,
        /// How many times the request was sent.
        attempts: u32,
        /// The underlying error (it never holds a URL).
        #[source]
        source: Option<super::transport::TransportError>,
    },
    /// An answer came but did not have the expected shape.
    #[error("{method} {path}: unexpected answer (HTTP {status}): {message}")]
    Decode {
        /// HTTP method.
        method: &'static str,
        /// The API path.
        path: String,
        /// HTTP status.
        status: u16,
        /// What did not match.
        message: String,
    },
    /// The endpoint cannot serve the request.
    #[error(transparent)]
    Endpoint(#[from] EndpointError),
    /// A request could not be built (bad input from the caller).
    #[error("{path}: {message}")]
    Request {
        /// The API path.
        path: String,
        /// What is wrong.
        message: String,
    },
}

fn attempts_note(attempts: u32) -> String {
    if attempts > 1 {
        format!(", after {attempts} attempts")
    } else {
        String::new()
    }
}

impl ApiError {
    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        match self {
            ApiError::Platform(error) => error.kind,
            ApiError::Transport { kind, .. } => *kind,
            ApiError::Decode { .. } => ErrorKind::Decode,
            ApiError::Endpoint(_) | ApiError::Request { .. } => ErrorKind::InvalidParameter,
        }
    }

    /// The HTTP status, when an answer came.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Platform(error) => Some(error.status),
            ApiError::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The platform's error code, when the platform answered.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Platform(error) => Some(&error.code),
            _ => None,
        }
    }

    /// The API path the error is about.
    pub fn path(&self) -> Option<&str> {
        match self {
            ApiError::Platform(error) => Some(&error.path),
            ApiError::Transport { path, .. }
            | ApiError::Decode { path, .. }
            | ApiError::Request { path, .. } => Some(path),
            ApiError::Endpoint(_) => None,
        }
    }

    /// True when the request may have taken effect although it failed (an answer was lost).
    pub fn maybe_processed(&self) -> bool {
        matches!(
            self,
            ApiError::Transport {
                maybe_processed: true,
                ..
            }
        )
    }

    /// True when the request certainly never reached the platform, so sending it again cannot
    /// act twice: the access token it needed could not be had (the token request failed, was
    /// refused, or its answer was lost: the request itself was never written), the connection
    /// was refused before anything was written, or the platform throttled or refused the
    /// token without acting on it. A lost answer to the request itself is not this: it may
    /// have been processed ([`maybe_processed`](Self::maybe_processed)).
    pub fn never_sent(&self) -> bool {
        if self.path() == Some(super::http::TOKEN_API) {
            return true;
        }
        match self {
            ApiError::Transport {
                maybe_processed, ..
            } => !maybe_processed,
            ApiError::Platform(error) => {
                matches!(error.kind, ErrorKind::Auth | ErrorKind::Throttled)
            }
            ApiError::Endpoint(_) | ApiError::Request { .. } => true,
            ApiError::Decode { .. } => false,
        }
    }

    /// How many times the request was sent (0 when it never was).
    pub fn attempts(&self) -> u32 {
        match self {
            ApiError::Platform(error) => error.attempts,
            ApiError::Transport { attempts, .. } => *attempts,
            _ => 0,
        }
    }

    pub(crate) fn set_attempts(&mut self, n: u32) {
        match self {
            ApiError::Platform(error) => error.attempts = n,
            ApiError::Transport { attempts, .. } => *attempts = n,
            _ => {}
        }
    }
}

/// An endpoint that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    /// The text is not `sandbox`, `dingtalk` or an http(s) base URL.
    #[error(
        "invalid endpoint `{text}`: {reason} (expected `sandbox`, `dingtalk`, https://… or http://127.0.0.1:PORT)"
    )]
    Invalid {
        /// What was given.
        text: String,
        /// Why it was refused.
        reason: String,
    },
    /// `sandbox` must be started (and resolved to its URL) before requests can be sent.
    #[error("the sandbox endpoint has not been started (resolve it to the emulator's URL first)")]
    SandboxNotStarted,
}

/// Credentials that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    /// A variable is unset or empty.
    #[error("{variable} is not set (credentials come only from the environment)")]
    Missing {
        /// The variable's name.
        variable: &'static str,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_the_documented_codes() {
        assert_eq!(
            ErrorKind::classify(200, "88", Some("40014")),
            ErrorKind::Auth
        );
        assert_eq!(
            ErrorKind::classify(400, "InvalidAuthentication", None),
            ErrorKind::Auth
        );
        assert_eq!(
            ErrorKind::classify(200, "90018", None),
            ErrorKind::Throttled
        );
        assert_eq!(
            ErrorKind::classify(403, "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi", None),
            ErrorKind::Throttled
        );
        assert_eq!(
            ErrorKind::classify(429, "systemBusy", None),
            ErrorKind::Busy
        );
        assert_eq!(
            ErrorKind::classify(503, "whatever", None),
            ErrorKind::Server
        );
        assert_eq!(
            ErrorKind::classify(400, "member.exceed", None),
            ErrorKind::Limit
        );
        assert_eq!(ErrorKind::classify(200, "33012", None), ErrorKind::NotFound);
        assert_eq!(
            ErrorKind::classify(400, "some.new.code", None),
            ErrorKind::Other
        );
    }
}
