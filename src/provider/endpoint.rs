//! Where the client sends requests: real DingTalk (two hosts), an emulator (one base URL for
//! both), or the in-process sandbox (which the CLI starts and then turns into an emulator URL).

use std::fmt;

use url::Url;

use super::error::EndpointError;

/// Real DingTalk's api host (`/v1.0/…`, JSON, token in a header).
pub const DINGTALK_API: &str = "https://api.dingtalk.com";
/// Real DingTalk's oapi host (`/gettoken`, `/chat/*`, `/topapi/*`, `/media/upload`).
pub const DINGTALK_OAPI: &str = "https://oapi.dingtalk.com";

/// Which host family a request path belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Host {
    /// `/v1.0/…`: JSON, `x-acs-dingtalk-access-token`, HTTP status carries failure.
    Api,
    /// Everything else: `?access_token=`, HTTP 200 with `errcode`.
    Oapi,
}

impl Host {
    /// The host a path is served by (`/v1.0/` → api, the rest → oapi), as DingTalk and the
    /// emulator route them.
    pub fn of_path(path: &str) -> Host {
        if path.starts_with("/v1.0/") {
            Host::Api
        } else {
            Host::Oapi
        }
    }
}

/// Where requests go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// Two base URLs: one for the api host, one for the oapi host (real DingTalk).
    Split {
        /// Base URL for `/v1.0/…`.
        api: Url,
        /// Base URL for the rest.
        oapi: Url,
    },
    /// One base URL serving both hosts (an emulator, or a proxy in front of DingTalk).
    Single(Url),
    /// The built-in emulator, run in-process by the CLI; it must be resolved with
    /// [`Endpoint::single`] once it listens, before a client can use it.
    Sandbox,
}

impl Endpoint {
    /// Real DingTalk: `https://api.dingtalk.com` and `https://oapi.dingtalk.com`.
    pub fn dingtalk() -> Endpoint {
        Endpoint::Split {
            api: Url::parse(DINGTALK_API).expect("constant URL"),
            oapi: Url::parse(DINGTALK_OAPI).expect("constant URL"),
        }
    }

    /// One base URL for both hosts (e.g. an emulator at `http://127.0.0.1:PORT`).
    pub fn single(base: Url) -> Endpoint {
        Endpoint::Single(base)
    }

    /// Parse what a user wrote in `endpoint:` or `DINGFORM_ENDPOINT`: `sandbox`, `dingtalk`,
    /// either real DingTalk host URL (both hosts are then used), or any other `http(s)://` base
    /// URL (one base URL serving both hosts).
    pub fn parse(text: &str) -> Result<Endpoint, EndpointError> {
        let text = text.trim();
        match text {
            "sandbox" => return Ok(Endpoint::Sandbox),
            "dingtalk" => return Ok(Endpoint::dingtalk()),
            _ => {}
        }
        // Credentials written into the URL must not reach a CI log through this error.
        let shown = crate::model::secrets::mask_url(text);
        let url = Url::parse(text).map_err(|source| EndpointError::Invalid {
            text: shown.clone(),
            reason: source.to_string(),
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(EndpointError::Invalid {
                text: shown,
                reason: format!("scheme `{}` is not http or https", url.scheme()),
            });
        }
        if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
            return Err(EndpointError::Invalid {
                text: shown,
                reason: "a base URL has no query, fragment or user (credentials come only from \
                         DINGTALK_APP_KEY and DINGTALK_APP_SECRET)"
                    .to_string(),
            });
        }
        let host = url.host_str().unwrap_or_default();
        if url.scheme() == "https"
            && matches!(host, "api.dingtalk.com" | "oapi.dingtalk.com")
            && matches!(url.path(), "" | "/")
        {
            return Ok(Endpoint::dingtalk());
        }
        Ok(Endpoint::Single(url))
    }

    /// The sandbox resolved to the URL its emulator listens on; any other endpoint unchanged.
    pub fn resolve_sandbox(self, emulator: Url) -> Endpoint {
        match self {
            Endpoint::Sandbox => Endpoint::Single(emulator),
            other => other,
        }
    }

    /// The full URL of an API path (which must start with `/`), on the host that serves it.
    pub fn url(&self, path: &str) -> Result<Url, EndpointError> {
        let base = match self {
            Endpoint::Split { api, oapi } => match Host::of_path(path) {
                Host::Api => api,
                Host::Oapi => oapi,
            },
            Endpoint::Single(base) => base,
            Endpoint::Sandbox => return Err(EndpointError::SandboxNotStarted),
        };
        // The base was parsed once: only the path is set on a copy of it (parsing the whole
        // URL again, host and all, was a share of every request's CPU; issue 15).
        if !path.contains(['?', '#'])
            && base.query().is_none()
            && base.fragment().is_none()
            && !base.cannot_be_a_base()
        {
            let mut url = base.clone();
            url.set_path(&format!("{}{path}", base.path().trim_end_matches('/')));
            return Ok(url);
        }
        let joined = format!("{}{}", base.as_str().trim_end_matches('/'), path);
        Url::parse(&joined).map_err(|source| EndpointError::Invalid {
            text: joined,
            reason: source.to_string(),
        })
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Split { api, oapi } => write!(
                f,
                "{} + {}",
                api.as_str().trim_end_matches('/'),
                oapi.as_str().trim_end_matches('/')
            ),
            Endpoint::Single(base) => f.write_str(base.as_str().trim_end_matches('/')),
            Endpoint::Sandbox => f.write_str("sandbox"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_dingtalk_splits_paths_between_two_hosts() {
        let endpoint = Endpoint::parse("https://api.dingtalk.com").unwrap();
        assert_eq!(endpoint, Endpoint::dingtalk());
        assert_eq!(
            endpoint.url("/v1.0/im/sceneGroup/create").unwrap().as_str(),
            "https://api.dingtalk.com/v1.0/im/sceneGroup/create"
        );
        assert_eq!(
            endpoint.url("/topapi/v2/user/get").unwrap().as_str(),
            "https://oapi.dingtalk.com/topapi/v2/user/get"
        );
    }

    #[test]
    fn a_base_url_with_a_path_keeps_it_before_the_api_path() {
        for base in ["http://127.0.0.1:8080/emu/", "http://127.0.0.1:8080/emu"] {
            let endpoint = Endpoint::single(Url::parse(base).unwrap());
            assert_eq!(
                endpoint.url("/chat/get").unwrap().as_str(),
                "http://127.0.0.1:8080/emu/chat/get"
            );
        }
        let endpoint = Endpoint::single(Url::parse("http://127.0.0.1:8080").unwrap());
        assert_eq!(
            endpoint.url("/v1.0/im/x").unwrap().as_str(),
            "http://127.0.0.1:8080/v1.0/im/x"
        );
    }

    #[test]
    fn emulator_serves_both_hosts_on_one_base_url() {
        let endpoint = Endpoint::parse("http://127.0.0.1:4567/").unwrap();
        assert_eq!(
            endpoint.url("/v1.0/oauth2/accessToken").unwrap().as_str(),
            "http://127.0.0.1:4567/v1.0/oauth2/accessToken"
        );
        assert_eq!(
            endpoint.url("/chat/get").unwrap().as_str(),
            "http://127.0.0.1:4567/chat/get"
        );
    }

    #[test]
    fn sandbox_must_be_resolved_first() {
        let endpoint = Endpoint::parse("sandbox").unwrap();
        assert!(matches!(
            endpoint.url("/chat/get"),
            Err(EndpointError::SandboxNotStarted)
        ));
        let resolved = endpoint.resolve_sandbox(Url::parse("http://127.0.0.1:9/").unwrap());
        assert_eq!(
            resolved.url("/chat/get").unwrap().as_str(),
            "http://127.0.0.1:9/chat/get"
        );
    }

    #[test]
    fn bad_endpoints_name_the_text() {
        for text in ["ftp://x", "not a url", "http://h/?a=1", ""] {
            let error = Endpoint::parse(text).unwrap_err();
            assert!(error.to_string().contains(text.trim()), "{error}");
        }
    }
}
