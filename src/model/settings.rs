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
    /// Where resource ids are kept, relative to the workspace (default `.dingform/state.json`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<Spanned<String>>,
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

    /// The state file path as written, or [`DEFAULT_STATE_PATH`].
    pub fn state_path(&self) -> &str {
        self.state
            .as_ref()
            .map_or(DEFAULT_STATE_PATH, |state| state.value.as_str())
    }
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
            Self::Internal => 500,
            Self::ThirdParty => 100,
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
