//! How many requests `apply` will send for a plan, and how long they take at the platform's
//! rate: counted the way `apply` and the client send them (one create, then the members the
//! create could not carry in chunks of 100 for a scene group and 40 for an ordinary one,
//! admins in twelves, one request per bot, plugin and tab, the join-URL read after a scene
//! group's create), per API, since the platform paces each API separately.
//!
//! `tests/it/plan_estimate.rs` holds it to what the emulator then counts (within 5%).

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Action, Change, Estimate, FieldChange};
use crate::model::ResourceKind;
use crate::provider::{ADMIN_CHUNK, CHAT_MEMBER_CHUNK, MEMBER_CHUNK};
use crate::state::State;

/// The requests of `changes` and the seconds they take at `requests_per_second` per API.
pub fn estimate(changes: &[Change], state: &State, requests_per_second: f64) -> Estimate {
    let mut per_api = PerApi::default();
    for change in changes {
        if change.address.kind == ResourceKind::Group {
            group(change, state, &mut per_api);
        }
    }
    // No access token is counted: apply's own refresh fetches the one its steps use.
    let requests = per_api.0.values().sum();
    let busiest = per_api.0.values().copied().max().unwrap_or(0);
    Estimate {
        requests,
        // The platform counts QPS per API, so independent kinds of request run side by side:
        // the apply takes as long as its busiest API.
        seconds: busiest as f64 / requests_per_second.max(0.001),
    }
}

/// Requests by API (the path the platform counts them under).
#[derive(Default)]
struct PerApi(BTreeMap<&'static str, u64>);

impl PerApi {
    fn add(&mut self, api: &'static str, n: u64) {
        if n > 0 {
            *self.0.entry(api).or_default() += n;
        }
    }
}

/// `n` entries in requests of `chunk` each.
fn chunks(n: usize, chunk: usize) -> u64 {
    n.div_ceil(chunk) as u64
}

/// The group's shape as `after` says: scene or ordinary, and its lists.
struct Shape<'a> {
    scene: bool,
    after: Option<&'a Value>,
}

impl Shape<'_> {
    fn of(change: &Change) -> Shape<'_> {
        let after = change.after.as_ref();
        let scene = after
            .and_then(|a| a.get("type"))
            .and_then(Value::as_str)
            .is_none_or(|kind| kind == "scene");
        Shape { scene, after }
    }

    /// How many entries a list (or map) field holds.
    fn count(&self, key: &str) -> usize {
        self.after.and_then(|a| a.get(key)).map_or(0, |v| match v {
            Value::Array(items) => items.len(),
            Value::Object(entries) => entries.len(),
            _ => 0,
        })
    }

    fn has(&self, key: &str) -> bool {
        self.after
            .and_then(|a| a.get(key))
            .is_some_and(|v| !v.is_null())
    }

    fn admins_api(&self) -> &'static str {
        if self.scene {
            "/v1.0/im/sceneGroups/subAdmins"
        } else {
            "/v1.0/im/subAdministrators"
        }
    }
}

const SCENE_CREATE: &str = "/v1.0/im/sceneGroup/create";
const SCENE_UPDATE: &str = "/v1.0/im/sceneGroup/update";
const SCENE_MEMBER_ADD: &str = "/v1.0/im/sceneGroup/member/add";
const SCENE_MEMBER_DELETE: &str = "/v1.0/im/sceneGroup/member/delete";
const SCENE_DETAIL: &str = "/v1.0/im/sceneGroups/queryDetail";
const CHAT_CREATE: &str = "/chat/create";
const CHAT_UPDATE: &str = "/chat/update";
const DISBAND: &str = "/v1.0/im/chat/scenegroup/disband";
const BOT_ADD: &str = "/v1.0/im/conversations/robots";
const BOT_REMOVE: &str = "/v1.0/im/conversations/robots/remove";
const PLUGIN_INSTALL: &str = "/v1.0/coolApp/shortcuts/plugins/install";
const TAB_ADD: &str = "/v1.0/im/convNavTabs/add";
const TAB_UPDATE: &str = "/v1.0/im/convNavTabs/update";
const TAB_DELETE: &str = "/v1.0/im/convNavTabs/delete";
const TAB_LIST: &str = "/v1.0/im/convNavTabs/list";

fn group(change: &Change, state: &State, per_api: &mut PerApi) {
    let shape = Shape::of(change);
    match change.action {
        Action::Create => create(&shape, per_api),
        Action::Replace => {
            per_api.add(DISBAND, 1);
            create(&shape, per_api);
        }
        Action::Delete => per_api.add(DISBAND, 1),
        Action::Update | Action::Import | Action::Move => {
            update(change, &shape, state, per_api);
        }
        _ => {}
    }
}

/// A create: the create request, the members it could not carry, admins, icon, bots,
/// plugins, tabs, and (scene groups) the read of the join URL.
fn create(shape: &Shape<'_>, per_api: &mut PerApi) {
    let members = shape.count("members");
    if shape.scene {
        // Admins and the icon go in the create request itself.
        per_api.add(SCENE_CREATE, 1);
        per_api.add(
            SCENE_MEMBER_ADD,
            chunks(members.saturating_sub(MEMBER_CHUNK), MEMBER_CHUNK),
        );
        per_api.add(SCENE_DETAIL, 1);
    } else {
        per_api.add(CHAT_CREATE, 1);
        per_api.add(
            CHAT_UPDATE,
            chunks(members.saturating_sub(CHAT_MEMBER_CHUNK), CHAT_MEMBER_CHUNK),
        );
        per_api.add(
            shape.admins_api(),
            chunks(shape.count("admins"), ADMIN_CHUNK),
        );
        per_api.add(CHAT_UPDATE, u64::from(shape.has("icon")));
    }
    per_api.add(BOT_ADD, shape.count("bots") as u64);
    per_api.add(PLUGIN_INSTALL, shape.count("plugins") as u64);
    per_api.add(TAB_ADD, shape.count("tabs") as u64);
}

/// An update in place, field by field, as `apply` sends it.
fn update(change: &Change, shape: &Shape<'_>, state: &State, per_api: &mut PerApi) {
    let known = state.resources.get(&change.address);
    let known_id = |prefix: &str, name: &str| {
        known.is_some_and(|entry| entry.ids.contains_key(&format!("{prefix}{name}")))
    };
    let mut values = false;
    let mut url_changes = false;
    let mut tabs_looked_up = false;
    let mut look_up_tabs = |per_api: &mut PerApi| {
        if !tabs_looked_up {
            tabs_looked_up = true;
            per_api.add(TAB_LIST, 1);
        }
    };
    for field in &change.fields {
        match field {
            FieldChange::Set {
                field,
                added,
                removed,
                ..
            } => match field.as_str() {
                "members" if shape.scene => {
                    per_api.add(SCENE_MEMBER_ADD, chunks(added.len(), MEMBER_CHUNK));
                    per_api.add(SCENE_MEMBER_DELETE, chunks(removed.len(), MEMBER_CHUNK));
                }
                "members" => {
                    per_api.add(CHAT_UPDATE, chunks(added.len(), CHAT_MEMBER_CHUNK));
                    per_api.add(CHAT_UPDATE, chunks(removed.len(), CHAT_MEMBER_CHUNK));
                }
                "admins" => {
                    let api = shape.admins_api();
                    per_api.add(api, chunks(added.len(), ADMIN_CHUNK));
                    per_api.add(api, chunks(removed.len(), ADMIN_CHUNK));
                }
                "bots" => {
                    per_api.add(BOT_ADD, added.len() as u64);
                    for code in removed {
                        // A bot added outside dingform is looked up by adding it again.
                        if !known_id("bot:", code) {
                            per_api.add(BOT_ADD, 1);
                        }
                        per_api.add(BOT_REMOVE, 1);
                    }
                }
                "plugins" => per_api.add(PLUGIN_INSTALL, added.len() as u64),
                "tabs" => {
                    per_api.add(TAB_ADD, added.len() as u64);
                    if !removed.is_empty() {
                        if removed.iter().any(|title| !known_id("tab:", title)) {
                            look_up_tabs(per_api);
                        }
                        per_api.add(TAB_DELETE, 1);
                    }
                }
                _ => {}
            },
            // Recorded in state only (`prevent_destroy`): nothing is sent.
            other if super::protection::is_state_only(other) => {}
            other => match other.field().strip_prefix("tabs.") {
                Some(title) => {
                    if !known_id("tab:", title) {
                        look_up_tabs(per_api);
                    }
                    per_api.add(TAB_UPDATE, 1);
                }
                None => {
                    values = true;
                    let name = other.field().split('.').next().unwrap_or_default();
                    url_changes |= matches!(name, "title" | "owner" | "settings");
                }
            },
        }
    }
    if values {
        // Title, owner, icon and settings go in one update request.
        per_api.add(
            if shape.scene {
                SCENE_UPDATE
            } else {
                CHAT_UPDATE
            },
            1,
        );
    }
    if shape.scene && url_changes {
        // `group-url-expiry`: such changes replace the join URL, read again after.
        per_api.add(SCENE_DETAIL, 1);
    }
}
