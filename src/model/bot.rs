//! [`Bot`]: a bot made in the Developer Console that manifests refer to by `robot_code`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::span::Spanned;

/// A bot. Bots cannot be created through the API (`bot-needs-console`): the manifest names
/// one that exists in the Developer Console by its robot code, and groups add it by name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Bot {
    /// The robot code shown in the Developer Console once the bot is saved and published.
    /// Required to use the bot; its absence is the `bot-needs-console` error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub robot_code: Option<Spanned<String>>,
    /// The bot's display name.
    pub name: Spanned<String>,
    /// Avatar image: a local file path (relative to the manifest's file) or an `https://` URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar: Option<Spanned<String>>,
    /// Refuse any plan that would stop managing or remove this bot from its groups.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub prevent_destroy: bool,
}
