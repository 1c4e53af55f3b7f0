//! The state document: [`State`] (format version, organization, lineage, serial, resources by
//! address) and [`ResourceState`], what dingform remembers of one managed resource.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Location, StateError};
use crate::model::{Address, ResourceKind};

/// The state file format this build reads and writes; bumped when old readers must refuse.
pub const FORMAT_VERSION: u32 = 1;

/// Everything dingform remembers between runs, sorted by address so that files diff cleanly.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    /// [`FORMAT_VERSION`] of the writer.
    pub version: u32,
    /// Incremented on every write; a plan records it to notice a moved world.
    pub serial: u64,
    /// Chosen when the state is first created; a state file from another lineage is another
    /// organization's or another workspace's.
    pub lineage: String,
    /// The organization the resources live in (from `dingform.yaml`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// Managed resources by address (`group.NAME`, `bot.NAME`, `notification.NAME`).
    #[serde(default)]
    pub resources: BTreeMap<Address, ResourceState>,
    /// The next creation generation of group addresses no longer in `resources` (disbanded,
    /// forgotten, or moved away): the platform answers a creation uuid it has seen with the
    /// group made the first time, even a disbanded or forgotten one, so a group declared
    /// again under an old address must be created with a uuid never sent before (issue 18,
    /// found by the convergence fuzzer).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub retired: BTreeMap<Address, u32>,
}

impl State {
    /// Forget the resource at `address` (nothing on the platform changes).
    pub fn remove(&mut self, address: &Address) -> Result<ResourceState, StateError> {
        self.retire(address)
            .ok_or_else(|| StateError::UnknownAddress {
                address: address.clone(),
                known: self.resources.keys().map(Address::to_string).collect(),
            })
    }

    /// Take the entry at `address` out of `resources`, remembering the next creation
    /// generation of a group address (see [`State::retired`]).
    pub fn retire(&mut self, address: &Address) -> Option<ResourceState> {
        let entry = self.resources.remove(address)?;
        if address.kind == ResourceKind::Group {
            let next = self.retired.entry(address.clone()).or_default();
            *next = (*next).max(entry.generation + 1);
        }
        Some(entry)
    }

    /// The generation a group created at `address` now starts from: 0 for an address never
    /// used, else one past the last group made there.
    pub fn first_generation(&self, address: &Address) -> u32 {
        self.retired.get(address).copied().unwrap_or(0)
    }

    /// Record the resource at `from` under `to` instead (a rename: its ids and creation
    /// uuid go with it, so it is never made again).
    pub fn rename(&mut self, from: &Address, to: &Address) -> Result<(), StateError> {
        if from.kind != to.kind {
            return Err(StateError::KindMismatch {
                from: from.clone(),
                to: to.clone(),
            });
        }
        if self.resources.contains_key(to) {
            return Err(StateError::AddressTaken {
                address: to.clone(),
            });
        }
        let entry = self.remove(from)?;
        self.resources.insert(to.clone(), entry);
        Ok(())
    }
}

/// What dingform knows of one managed resource.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceState {
    /// The platform's id for it: the open conversation id of a group, the robot code of a bot;
    /// `None` while a create is in flight (the intent was written, the answer not yet seen).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Other ids the platform gave (`chat_id`, `chat_bot_user_id`…).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub ids: BTreeMap<String, String>,
    /// The idempotency key the resource was (or is being) created with; kept across renames
    /// so that an interrupted create is always retried with the same key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_uuid: Option<String>,
    /// How many times the resource was made again after being deleted outside dingform; part
    /// of its creation uuid (see `plan::identity`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub generation: u32,
    /// Facts observed on the platform that it does not return later, such as when the join
    /// URL was first seen (`group_url`, `group_url_since`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub observed: BTreeMap<String, String>,
    /// What was last applied (the desired attributes as dingform wrote them), for drift.
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub attributes: serde_json::Value,
}

impl State {
    /// An empty state of a new lineage.
    pub fn new(organization: Option<String>) -> Self {
        State {
            version: FORMAT_VERSION,
            serial: 0,
            lineage: uuid::Uuid::new_v4().to_string(),
            organization,
            resources: BTreeMap::new(),
            retired: BTreeMap::new(),
        }
    }

    /// A stored state document read back, the same for every store: its version is checked
    /// before its shape, so that a newer writer's document says "newer", not "unknown key";
    /// `hint` (where a good version is) ends a shape error.
    pub fn from_document(
        document: serde_json::Value,
        location: Location,
        hint: String,
    ) -> Result<State, StateError> {
        let found = document.get("version").and_then(serde_json::Value::as_u64);
        if found != Some(u64::from(FORMAT_VERSION)) {
            return Err(StateError::UnsupportedVersion {
                location,
                found: found.unwrap_or(0),
                supported: FORMAT_VERSION,
            });
        }
        serde_json::from_value(document).map_err(|error| StateError::Invalid {
            location,
            hint,
            line: error.line(),
            column: error.column(),
            message: error.to_string(),
        })
    }
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}
