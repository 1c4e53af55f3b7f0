//! [`Settings`]: the workspace file `dingform.yaml` (PRODUCT.md, "Workspace").

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::span::Spanned;

/// Where the state file lives when `state:` is not set.
pub const DEFAULT_STATE_PATH: &str = ".dingform/state.json";

/// The workspace settings in `dingform.yaml`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The organization's name as DingTalk shows it. Used by the `internal-group-naming` rule
    /// and, with the resource address, to derive creation UUIDs.
    pub organization: Spanned<String>,
    /// The DingTalk app dingform acts as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<App>,
    /// `sandbox` (the built-in emulator), `https://…` (real DingTalk, the default when
    /// credentials are set) or `http://127.0.0.1:PORT` (an emulator). `DINGFORM_ENDPOINT` wins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<Spanned<String>>,
    /// Where resource ids are kept: a file, relative to the workspace (default
    /// `.dingform/state.json`), or a shared store `{url: postgres://… | s3://BUCKET/PREFIX, key:
    /// NAME}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<Spanned<StateSetting>>,
    /// Requests per second per API, pinned. Left out: start at the platform's documented 20
    /// and adapt to what the organization allows. `--rate` wins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<Spanned<f64>>,
    /// Defaults applied to resources that do not say otherwise.
    #[serde(default)]
    pub defaults: Defaults,
}

impl Settings {
    /// The app kind, `internal` when no `app:` is given.
    pub fn app_kind(&self) -> AppKind {
        self.app
            .as_ref()
            .map_or(AppKind::Internal, |app| app.kind.value)
    }

    /// The pinned rate (`rate:`), if any.
    pub fn rate(&self) -> Option<f64> {
        self.rate.as_ref().map(|rate| rate.value)
    }

    /// The state file path as written, or [`DEFAULT_STATE_PATH`] (also when the state is in a
    /// shared store: see [`Settings::shared_state`]).
    pub fn state_path(&self) -> &str {
        match self.state.as_ref().map(|state| &state.value) {
            Some(StateSetting::Path(path)) => path,
            _ => DEFAULT_STATE_PATH,
        }
    }

    /// The shared store `state:` names, if it names one.
    pub fn shared_state(&self) -> Option<&SharedState> {
        match self.state.as_ref().map(|state| &state.value) {
            Some(StateSetting::Shared(shared)) => Some(shared),
            _ => None,
        }
    }
}

/// `state:` of `dingform.yaml`: a file, or a shared store.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum StateSetting {
    /// A state file, relative to the workspace.
    Path(String),
    /// A shared store (PRODUCT.md, "Shared state").
    Shared(SharedState),
}

/// A shared state store: `{url: postgres://… | s3://BUCKET/PREFIX, key: NAME}`.
/// `DINGFORM_STATE_URL` and `DINGFORM_STATE_KEY` override them; a password or secret key never
/// belongs here (it comes from the environment, `PGPASSWORD` or `AWS_SECRET_ACCESS_KEY`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SharedState {
    /// `postgres://[user@]host[:port]/database[?sslmode=…]`, without a password, or
    /// `s3://BUCKET/PREFIX` (S3-compatible storage, configured by the `AWS_*` environment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<Spanned<String>>,
    /// This workspace's name in the shared store (one store holds many workspaces).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<Spanned<String>>,
}

impl<'de> Deserialize<'de> for StateSetting {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = StateSetting;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a state file path, or {url: postgres://…, key: NAME}")
            }
            fn visit_str<E: serde::de::Error>(self, path: &str) -> Result<StateSetting, E> {
                Ok(StateSetting::Path(path.to_owned()))
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                map: M,
            ) -> Result<StateSetting, M::Error> {
                SharedState::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(StateSetting::Shared)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// `text` with the password of every `scheme://user:PASSWORD@` replaced by as many `*`, so
/// that a finding's source line never shows it (byte offsets stay where they were).
pub fn mask_url_passwords(text: &str) -> String {
    let mut masked = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("://") {
        let (before, after) = rest.split_at(start + 3);
        masked.push_str(before);
        let end = after
            .find(|c: char| c.is_whitespace() || matches!(c, '/' | '"' | '\'' | '}' | ',' | '?'))
            .unwrap_or(after.len());
        let authority = &after[..end];
        match authority
            .rfind('@')
            .and_then(|at| authority[..at].find(':').map(|colon| (colon, at)))
        {
            Some((colon, at)) => {
                masked.push_str(&authority[..=colon]);
                masked.push_str(&"*".repeat(authority[colon + 1..at].len()));
                masked.push_str(&authority[at..]);
            }
            None => masked.push_str(authority),
        }
        rest = &after[end..];
    }
    masked.push_str(rest);
    masked
}

/// Whether a store URL carries a secret: a password (`user:secret@`) or a parameter naming
/// one (`password=`, `secret…=`). Secrets come only from the environment.
pub fn url_has_secret(url: &str) -> bool {
    let in_userinfo = match url::Url::parse(url) {
        Ok(parsed) => parsed.password().is_some(),
        Err(_) => url
            .split_once("://")
            .and_then(|(_, rest)| rest.split_once('@'))
            .is_some_and(|(userinfo, _)| userinfo.contains(':')),
    };
    let lower = url.to_ascii_lowercase();
    let query = lower.split_once('?').map_or("", |(_, q)| q);
    in_userinfo
        || query
            .split('&')
            .any(|pair| pair.starts_with("password=") || pair.starts_with("secret"))
}

/// The app dingform acts as.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct App {
    /// Internal (enterprise-built) or third-party app: the daily per-user limits differ.
    pub kind: Spanned<AppKind>,
    /// The app's agent id, needed for work notifications.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<Spanned<u64>>,
}

/// What kind of DingTalk app dingform acts as.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AppKind {
    /// An app developed by the organization itself: 500 work notifications per user per day.
    #[default]
    Internal,
    /// A third-party enterprise app: 100 work notifications per user per day.
    ThirdParty,
}

impl AppKind {
    /// Work notifications one app may send to one user per day (`per-user-daily-*`).
    pub fn daily_messages_per_user(self) -> u32 {
        match self {
            Self::Internal => super::limits::PER_USER_DAILY_INTERNAL as u32,
            Self::ThirdParty => super::limits::PER_USER_DAILY_THIRD_PARTY as u32,
        }
    }
}

/// Defaults for resources that name none.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    /// Scene-group template id for scene groups that name no `template`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<Spanned<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_passwords_are_masked_in_place() {
        let text =
            "state: {url: \"postgres://u:hunter2@db:5432/x\", key: k}\nendpoint: https://a.b/c\n";
        let masked = mask_url_passwords(text);
        assert_eq!(masked.len(), text.len());
        assert!(!masked.contains("hunter2"), "{masked}");
        assert!(
            masked.contains("postgres://u:*******@db:5432/x"),
            "{masked}"
        );
        assert!(masked.contains("https://a.b/c"), "{masked}");
        assert!(url_has_secret("postgres://u:hunter2@db/x"));
        assert!(url_has_secret("s3://bucket/p?secret_access_key=abc"));
        assert!(!url_has_secret("postgres://u@db/x?sslmode=require"));
    }
}
