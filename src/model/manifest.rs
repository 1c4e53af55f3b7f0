//! [`Manifest`] (one manifest file as written) and [`Workspace`] (every file merged).

use std::collections::BTreeMap;
use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::address::{Address, ResourceKind};
use super::bot::Bot;
use super::group::Group;
use super::named_map::NamedMap;
use super::notification::Notification;
use super::settings::Settings;
use super::span::Spanned;

/// One manifest file: resources by kind, and refactoring blocks.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Chat groups by name.
    #[serde(default, skip_serializing_if = "NamedMap::is_empty")]
    pub groups: NamedMap<Group>,
    /// Bots by name.
    #[serde(default, skip_serializing_if = "NamedMap::is_empty")]
    pub bots: NamedMap<Bot>,
    /// Scheduled notifications by name.
    #[serde(default, skip_serializing_if = "NamedMap::is_empty")]
    pub notifications: NamedMap<Notification>,
    /// Renames: the resource at `from` is now at `to` (never a disband and re-create).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub moved: Vec<Moved>,
    /// Live resources to adopt into state.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub import: Vec<Import>,
    /// Resources to stop managing without deleting them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<Removed>,
}

/// `moved: [{from, to}]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Moved {
    /// The old address.
    pub from: Spanned<String>,
    /// The new address (same kind).
    pub to: Spanned<String>,
}

/// `import: [{to, id}]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Import {
    /// The address the live resource will have.
    pub to: Spanned<String>,
    /// Its remote id (open conversation id for groups, robot code for bots).
    pub id: Spanned<String>,
}

/// `removed: [{from}]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Removed {
    /// The address to forget.
    pub from: Spanned<String>,
}

// The blocks keep the addresses as written, so that `validate` reports one that does not
// parse as `invalid-address` at its line and still reads the rest of the file.

impl Moved {
    /// The old and the new address; `None` when either does not parse (`validate`'s
    /// `invalid-address`).
    pub fn addresses(&self) -> Option<(Address, Address)> {
        Some((self.from.value.parse().ok()?, self.to.value.parse().ok()?))
    }
}

impl Import {
    /// The address adopted into; `None` when it does not parse (`invalid-address`).
    pub fn address(&self) -> Option<Address> {
        self.to.value.parse().ok()
    }
}

impl Removed {
    /// The address forgotten; `None` when it does not parse (`invalid-address`).
    pub fn address(&self) -> Option<Address> {
        self.from.value.parse().ok()
    }
}

/// A resource as declared: the file it is in, its name (with span) and its spec.
#[derive(Clone, Debug, PartialEq)]
pub struct Declared<T> {
    /// The file that declares it (as findings name it).
    pub file: PathBuf,
    /// Its name, where the name is written.
    pub name: Spanned<String>,
    /// What the manifest says.
    pub spec: T,
}

impl<T> Declared<T> {
    /// `kind.name`.
    pub fn address(&self, kind: ResourceKind) -> Address {
        Address::new(kind, self.name.value.clone())
    }
}

/// A refactoring block with the file it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct InFile<T> {
    /// The file.
    pub file: PathBuf,
    /// The block.
    pub block: T,
}

/// Every manifest of a workspace merged: resources by name, each knowing its file.
#[derive(Clone, Debug, Default)]
pub struct Workspace {
    /// The workspace directory.
    pub root: PathBuf,
    /// `dingform.yaml`, when it loaded.
    pub settings: Option<Settings>,
    /// The path of `dingform.yaml` as findings name it.
    pub settings_file: PathBuf,
    /// Groups by name.
    pub groups: BTreeMap<String, Declared<Group>>,
    /// Bots by name.
    pub bots: BTreeMap<String, Declared<Bot>>,
    /// Notifications by name.
    pub notifications: BTreeMap<String, Declared<Notification>>,
    /// `moved` blocks, in file order.
    pub moved: Vec<InFile<Moved>>,
    /// `import` blocks, in file order.
    pub imports: Vec<InFile<Import>>,
    /// `removed` blocks, in file order.
    pub removed: Vec<InFile<Removed>>,
}

impl Workspace {
    /// Whether a manifest declares the resource at `address`.
    pub fn declares(&self, address: &Address) -> bool {
        match address.kind {
            ResourceKind::Group => self.groups.contains_key(&address.name),
            ResourceKind::Bot => self.bots.contains_key(&address.name),
            ResourceKind::Notification => self.notifications.contains_key(&address.name),
        }
    }

    /// Number of declared resources.
    pub fn resource_count(&self) -> usize {
        self.groups.len() + self.bots.len() + self.notifications.len()
    }

    /// The organization's name, when the settings loaded.
    pub fn organization(&self) -> Option<&str> {
        self.settings
            .as_ref()
            .map(|settings| settings.organization.value.as_str())
    }
}

/// What a YAML file in a workspace may be: the settings file or a manifest. The JSON Schema's
/// root, so one `$schema` comment serves every file.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
#[schemars(title = "dingform workspace file")]
#[expect(
    clippy::large_enum_variant,
    reason = "one per file, a handful per workspace: boxing would only add indirection"
)]
pub enum Document {
    /// `dingform.yaml`.
    Settings(Settings),
    /// Any other `*.yaml`/`*.yml`.
    Manifest(Manifest),
}
