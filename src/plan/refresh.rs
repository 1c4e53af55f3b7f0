//! Refresh: read the live state of every managed resource, concurrently (the client's rate
//! limiter keeps the pace under the platform's QPS).
//!
//! State maps addresses to remote ids; refresh reads each one back. A group that no longer
//! exists (or is disbanded) is reported as [`GroupRead::Gone`], so that the plan re-creates it;
//! a bot whose robot code the platform does not know is reported as unknown (it must be made
//! in the Developer Console); users who left the organization are collected once.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Serialize;
use tokio::task::JoinSet;

use super::attributes::{GroupAttributes, tab_value};
use crate::model::live::{GroupKind, GroupStatus};
use crate::model::{Address, GroupType, ResourceKind, Workspace};
use crate::provider::{ApiError, DingTalkApi, ErrorKind};
use crate::state::State;

/// What refresh saw of one group.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum GroupRead {
    /// It exists: its attributes, and facts plan rules need.
    Found {
        /// Normalized attributes (plugins by name; their URLs are not readable).
        attributes: Box<GroupAttributes>,
        /// The join URL the platform gave, if any.
        group_url: Option<String>,
    },
    /// It was deleted or disbanded outside dingform.
    Gone,
}

/// Everything refresh read.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Live {
    /// Managed groups by address.
    pub groups: BTreeMap<Address, GroupRead>,
    /// Robot codes the manifests use, and whether the platform knows each.
    pub robots: BTreeMap<String, bool>,
    /// The names DingTalk shows for the bots whose rename is pending, by robot code (read from
    /// a group each is in; absent when it is in none): `bot-rename-test-group`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub bot_names: BTreeMap<String, String>,
    /// userIds of people who left the organization (read only when a standard group needs it).
    pub departed: BTreeSet<String>,
    /// Groups named by `import` blocks and not yet in state, by address.
    pub imports: BTreeMap<Address, ImportRead>,
    /// The departments the manifests name, with their people: what groups with `members_from`
    /// follow and work notifications reach.
    pub directory: super::directory::Directory,
    /// What the organization says of the users, departments and templates the manifests name.
    pub names: super::names::Directory,
    /// Reads sent.
    pub reads: u64,
}

/// What refresh saw of a group an `import` block adopts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum ImportRead {
    /// It exists.
    Found {
        /// Its attributes (plugins by name).
        attributes: Box<GroupAttributes>,
        /// Its open conversation id (what state records).
        open_conversation_id: String,
        /// Its chat id, when it has one.
        chat_id: Option<String>,
    },
    /// The platform has no such group; its words.
    Missing(String),
    /// Read by open conversation id, it is not a scene group (it has no template): internal
    /// and standard groups are read and updated by their chat id, which this id cannot give.
    NeedsChatId,
}

/// A read that failed for a reason other than "it is gone".
#[derive(Debug, thiserror::Error)]
#[error("cannot read {what} from DingTalk: {source}")]
pub struct RefreshError {
    /// What was being read (`group.NAME`, `bot dingxxx`, `departed users`).
    pub what: String,
    /// The platform's or the network's error.
    #[source]
    pub source: ApiError,
}

enum Outcome {
    Group(Address, Result<GroupRead, ApiError>, u64),
    Import(Address, Result<ImportRead, ApiError>),
    Robot(String, Result<bool, ApiError>, Option<String>),
    Departed(Result<BTreeSet<String>, ApiError>),
    Names(Result<(super::names::Directory, u64), super::names::NameReadError>),
}

/// Read back every group in `state`, every robot code in `workspace`, and (when a standard
/// group is managed) who left the organization in the year before `now`.
pub async fn refresh<A: DingTalkApi + 'static>(
    api: Arc<A>,
    workspace: &Workspace,
    state: &State,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Live, RefreshError> {
    // Every name the manifests write; its departments are read (with their members) once.
    // The reads need the names, not where each is written.
    let names = super::names::Names::collect(workspace, &|_| false);
    let needs = super::directory::Needs::of(&names);
    let follows_org_chart = workspace
        .groups
        .values()
        .any(|group| group.spec.members_from.is_some());
    let directory = tokio::spawn(super::directory::read(api.clone(), needs));
    let mut tasks = JoinSet::new();
    // Group reads are queued and started a few hundred at a time: the pace is what bounds
    // them, and 20,000 reads spawned at once held 20,000 futures (and their requests) in
    // memory while they waited for their turn.
    let mut group_reads = Vec::new();
    for (address, resource) in &state.resources {
        if address.kind != ResourceKind::Group {
            continue;
        }
        let Some(id) = resource.id.clone() else {
            continue; // a create that never got its answer: plan re-sends it with the same uuid
        };
        let kind = resource
            .attributes
            .get("type")
            .and_then(|t| t.as_str())
            .unwrap_or("scene")
            .to_owned();
        let chat_id = resource.ids.get("chat_id").cloned();
        let tabs = resource
            .attributes
            .get("tabs")
            .and_then(|t| t.as_object())
            .is_some_and(|t| !t.is_empty())
            || address
                .name_of(ResourceKind::Group)
                .and_then(|name| workspace.groups.get(name))
                .is_some_and(|g| !g.spec.tabs.is_empty());
        group_reads.push((address.clone(), kind, id, chat_id, tabs));
    }
    group_reads.reverse();
    let spawn_group_read = |tasks: &mut JoinSet<Outcome>,
                            (address, kind, id, chat_id, tabs): (
        Address,
        String,
        String,
        Option<String>,
        bool,
    )| {
        let api = api.clone();
        tasks.spawn(async move {
            let (read, reads) = read_group(&*api, &kind, &id, chat_id.as_deref(), tabs).await;
            Outcome::Group(address, read, reads)
        });
    };
    for _ in 0..GROUP_READS_IN_FLIGHT {
        let Some(read) = group_reads.pop() else {
            break;
        };
        spawn_group_read(&mut tasks, read);
    }
    for block in &workspace.imports {
        let Some(address) = block.block.address() else {
            continue; // `validate` reports an address that does not parse
        };
        let Some(name) = address.name_of(ResourceKind::Group) else {
            continue; // a bot's import is its robot code: nothing to read beyond the bot check
        };
        let Some(declared) = workspace.groups.get(name) else {
            continue; // `validate` reports an import into an undeclared address
        };
        if state.resources.contains_key(&address) {
            continue; // imported already: the block is harmless
        }
        let kind = declared.spec.group_type.value.as_str().to_owned();
        let id = block.block.id.value.clone();
        let tabs = !declared.spec.tabs.is_empty();
        let api = api.clone();
        tasks.spawn(async move {
            let read = read_import(&*api, &kind, &id, tabs).await;
            Outcome::Import(address, read)
        });
    }
    let robots: BTreeSet<String> = workspace
        .bots
        .values()
        .filter_map(|bot| bot.spec.robot_code.as_ref().map(|code| code.value.clone()))
        .collect();
    let renamed = super::rules::bot_rename_test_group::pending_codes(workspace, state);
    for robot in robots {
        let api = api.clone();
        let wants_name = renamed.contains(&robot);
        tasks.spawn(async move {
            let (known, groups) = match api.bot_groups(&robot).await {
                Ok(groups) => (Ok(true), groups),
                Err(error)
                    if matches!(
                        error.kind(),
                        ErrorKind::InvalidParameter | ErrorKind::NotFound
                    ) =>
                {
                    (Ok(false), Vec::new())
                }
                Err(error) => (Err(error), Vec::new()),
            };
            let name = match groups.first() {
                Some(group) if wants_name => shown_name(&*api, group, &robot).await,
                _ => None,
            };
            Outcome::Robot(robot, known, name)
        });
    }
    let has_standard = workspace
        .groups
        .values()
        .any(|group| group.spec.group_type.value == GroupType::Standard);
    // Groups that follow the org chart say which of their leavers left the organization.
    if has_standard || follows_org_chart {
        let api = api.clone();
        tasks.spawn(async move {
            let departed = api
                .departed_users(now - chrono::Duration::days(365), None)
                .await
                .map(|users| users.into_iter().map(|user| user.userid).collect());
            Outcome::Departed(departed)
        });
    }
    {
        let api = api.clone();
        tasks.spawn(async move { Outcome::Names(super::names::read(api, &names).await) });
    }

    let mut live = Live::default();
    while let Some(joined) = tasks.join_next().await {
        let outcome = joined.expect("refresh tasks do not panic");
        match outcome {
            Outcome::Group(address, read, reads) => {
                if let Some(next) = group_reads.pop() {
                    spawn_group_read(&mut tasks, next);
                }
                live.reads += reads;
                let read = read.map_err(|source| RefreshError {
                    what: address.to_string(),
                    source,
                })?;
                live.groups.insert(address, read);
            }
            Outcome::Import(address, read) => {
                live.reads += 3;
                let read = read.map_err(|source| RefreshError {
                    what: address.to_string(),
                    source,
                })?;
                live.imports.insert(address, read);
            }
            Outcome::Robot(robot, known, name) => {
                live.reads += 1;
                let known = known.map_err(|source| RefreshError {
                    what: format!("bot {robot}"),
                    source,
                })?;
                if let Some(name) = name {
                    live.reads += 1;
                    live.bot_names.insert(robot.clone(), name);
                }
                live.robots.insert(robot, known);
            }
            Outcome::Names(read) => {
                let (names, reads) = read.map_err(|error| RefreshError {
                    what: error.what,
                    source: error.source,
                })?;
                live.reads += reads;
                live.names = names;
            }
            Outcome::Departed(departed) => {
                live.reads += 1;
                live.departed = departed.map_err(|source| RefreshError {
                    what: "the users who left the organization".into(),
                    source,
                })?;
            }
        }
    }
    live.directory = directory.await.expect("directory reads do not panic")?;
    live.reads += live.directory.reads;
    Ok(live)
}

/// The name DingTalk shows for the bot `robot` in `group`; `None` when it cannot be read (the
/// rename then stays unconfirmed, which is only a reminder, never a change).
async fn shown_name<A: DingTalkApi>(api: &A, group: &str, robot: &str) -> Option<String> {
    let bots = api.list_bots(group).await.ok()?;
    bots.into_iter()
        .find(|bot| bot.robot_code == robot)
        .map(|bot| bot.name)
        .filter(|name| !name.is_empty())
}
/// Group reads started at once: far more than the pace lets through in a round trip.
const GROUP_READS_IN_FLIGHT: usize = 256;

fn is_gone(error: &ApiError) -> bool {
    matches!(error.kind(), ErrorKind::NotFound | ErrorKind::Gone)
}

async fn read_group<A: DingTalkApi>(
    api: &A,
    kind: &str,
    open_conversation_id: &str,
    chat_id: Option<&str>,
    tabs: bool,
) -> (Result<GroupRead, ApiError>, u64) {
    let group = match (kind, chat_id) {
        ("internal" | "standard", Some(chat_id)) => api.get_group(chat_id).await,
        _ => api.get_scene_group(open_conversation_id).await,
    };
    let mut group = match group {
        Ok(group) if group.status == GroupStatus::Disbanded => return (Ok(GroupRead::Gone), 1),
        Ok(group) => group,
        Err(error) if is_gone(&error) => return (Ok(GroupRead::Gone), 1),
        Err(error) => return (Err(error), 1),
    };
    // The ordinary-group read cannot tell an internal group from a standard one; state can.
    if group.kind != GroupKind::Scene {
        group.kind = if kind == "standard" {
            GroupKind::Standard
        } else {
            GroupKind::Internal
        };
    }
    let id = group.open_conversation_id.clone();
    let (bots, plugins) = tokio::join!(api.list_bots(&id), api.list_plugins(&id));
    let bots = match bots {
        Ok(bots) => bots,
        Err(error) => return (Err(error), 3),
    };
    let plugins = match plugins {
        Ok(plugins) => plugins,
        Err(error) => return (Err(error), 3),
    };
    let plugins = plugins
        .into_iter()
        .map(|plugin| (plugin.name.unwrap_or(plugin.cool_app_code), String::new()))
        .collect();
    let group_url = group.group_url.take();
    let mut attributes = GroupAttributes::live(group, &bots, plugins);
    let mut reads = 3;
    if tabs {
        reads += 1;
        match api.list_tabs(&id).await {
            Ok(tabs) => {
                attributes.tabs = tabs
                    .into_iter()
                    .map(|live| {
                        let value =
                            tab_value(live.tab.pc_url.as_deref(), live.tab.mobile_url.as_deref());
                        (live.tab.title, value)
                    })
                    .collect();
            }
            Err(error) => return (Err(error), reads),
        }
    }
    (
        Ok(GroupRead::Found {
            attributes: Box::new(attributes),
            group_url,
        }),
        reads,
    )
}

/// Read the group an `import` block names: by chat id (`chat…`) or open conversation id.
async fn read_import<A: DingTalkApi>(
    api: &A,
    kind: &str,
    id: &str,
    tabs: bool,
) -> Result<ImportRead, ApiError> {
    let (chat_id, open_conversation_id) = if id.starts_with("chat") {
        // A scene group has a chat id too, but is read by its open conversation id: the
        // manifest's type says which (issue 18, found by the convergence fuzzer).
        let open_conversation_id = if kind == "scene" {
            match api.open_conversation_id(id).await {
                Ok(open_conversation_id) => open_conversation_id,
                Err(error)
                    if is_gone(&error) || matches!(error.kind(), ErrorKind::InvalidParameter) =>
                {
                    return Ok(ImportRead::Missing(error.to_string()));
                }
                Err(error) => return Err(error),
            }
        } else {
            String::new()
        };
        (Some(id), open_conversation_id)
    } else {
        (None, id.to_owned())
    };
    let read_kind = if chat_id.is_some() { kind } else { "scene" };
    let (read, _) = read_group(api, read_kind, &open_conversation_id, chat_id, tabs).await;
    match read {
        Err(error) if matches!(error.kind(), ErrorKind::InvalidParameter) => {
            Ok(ImportRead::Missing(error.to_string()))
        }
        Err(error) => Err(error),
        Ok(GroupRead::Gone) => Ok(ImportRead::Missing(
            "no such group, or it is disbanded".into(),
        )),
        Ok(GroupRead::Found { attributes, .. })
            if chat_id.is_none() && attributes.template.is_none() =>
        {
            Ok(ImportRead::NeedsChatId)
        }
        Ok(GroupRead::Found { mut attributes, .. }) => {
            // The ordinary-group read cannot tell internal from standard: the manifest can.
            if attributes.group_type != "scene" {
                attributes.group_type = kind.to_owned();
            }
            let (open_conversation_id, chat_id) = match chat_id {
                Some(chat_id) if open_conversation_id.is_empty() => (
                    api.open_conversation_id(chat_id).await?,
                    Some(chat_id.to_owned()),
                ),
                chat_id => (open_conversation_id, chat_id.map(str::to_owned)),
            };
            Ok(ImportRead::Found {
                attributes,
                open_conversation_id,
                chat_id,
            })
        }
    }
}
