//! `dingform import ADDRESS ID`: a live group or bot read by its id and recorded in state under
//! an address, without changing anything on DingTalk.

use std::time::Duration;

use serde_json::json;

use crate::model::live::{GroupKind, GroupStatus, LiveGroup};
use crate::model::{Address, Clock, ResourceKind, SystemClock};
use crate::provider::{ApiError, DingTalkApi, ErrorKind};
use crate::state::store::{self, StateStore};
use crate::state::{ResourceState, StateError};

/// Why an import was refused. Nothing is written when it is.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The address is not `group.NAME` or `bot.NAME`.
    #[error(
        "`{address}`: only groups (`group.NAME`) and bots (`bot.NAME`) can be imported; notifications live only in dingform"
    )]
    Kind {
        /// The address given.
        address: Address,
    },
    /// The address already stands for a resource.
    #[error(
        "`{address}` is already in the state (as {id}); `dingform state rm {address}` first to re-import it"
    )]
    AddressTaken {
        /// The address.
        address: Address,
        /// The id it stands for.
        id: String,
    },
    /// The remote id is managed under another address already.
    #[error(
        "{id} is already managed as `{address}`; use `dingform state mv {address} NEW` to rename it"
    )]
    AlreadyManaged {
        /// The remote id.
        id: String,
        /// Where it is managed.
        address: Address,
    },
    /// DingTalk has no such resource (or not of that kind).
    #[error("DingTalk has no {kind} with id `{id}`{reason}")]
    NotFound {
        /// `group` or `bot`.
        kind: &'static str,
        /// The remote id.
        id: String,
        /// The platform's words, when it said something.
        reason: String,
    },
    /// Read by open conversation id, the group is not a scene group: internal and standard
    /// groups are read and updated by their chat id, which cannot be found from this one.
    #[error(
        "`{id}` is not a scene group (it has no template); import an internal or standard group by its chat id (chat…): DingTalk reads and updates those by chat id"
    )]
    NeedsChatId {
        /// The open conversation id given.
        id: String,
    },
    /// Reading failed for another reason.
    #[error("cannot read {id} from DingTalk: {source}")]
    Api {
        /// The remote id.
        id: String,
        /// The error.
        #[source]
        source: ApiError,
    },
    /// State could not be read, locked or written.
    #[error(transparent)]
    State(#[from] StateError),
}

/// Read the live resource `remote_id` and record it in state under `address`.
///
/// A group is read by its open conversation id (scene or internal) or its chat id (`chat…`,
/// internal and standard groups); a bot by its robot code. Returns the recorded entry.
pub async fn import<A: DingTalkApi>(
    api: &A,
    state_store: &dyn StateStore,
    organization: Option<String>,
    address: &Address,
    remote_id: &str,
    lock_timeout: Duration,
) -> Result<ResourceState, ImportError> {
    if address.kind == ResourceKind::Notification {
        return Err(ImportError::Kind {
            address: address.clone(),
        });
    }
    let lock = state_store.lock("import", lock_timeout).await?;
    let mut state = store::read_or_new(state_store, organization).await?;
    // An entry with no id is an unconfirmed create (`create-unverified`): importing the group
    // that create made is exactly what that finding asks for, so it replaces the intent.
    if let Some(entry) = state
        .resources
        .get(address)
        .filter(|entry| entry.id.is_some())
    {
        return Err(ImportError::AddressTaken {
            address: address.clone(),
            id: entry.id.clone().unwrap_or_default(),
        });
    }
    if let Some((managed, _)) = state.resources.iter().find(|(_, entry)| {
        entry.id.as_deref() == Some(remote_id) || entry.ids.values().any(|id| id == remote_id)
    }) {
        return Err(ImportError::AlreadyManaged {
            id: remote_id.to_owned(),
            address: managed.clone(),
        });
    }
    let entry = if address.kind == ResourceKind::Group {
        let group = read_group(api, remote_id).await?;
        if let Some((managed, _)) = state
            .resources
            .iter()
            .find(|(_, entry)| entry.id.as_deref() == Some(group.open_conversation_id.as_str()))
        {
            return Err(ImportError::AlreadyManaged {
                id: remote_id.to_owned(),
                address: managed.clone(),
            });
        }
        group_entry(&group)
    } else {
        bot_entry(api, remote_id).await?
    };
    state.resources.insert(address.clone(), entry.clone());
    store::write(state_store, &mut state, &lock).await?;
    state_store.release(lock).await?;
    Ok(entry)
}

fn not_found(kind: &'static str, id: &str, error: Option<&ApiError>) -> ImportError {
    ImportError::NotFound {
        kind,
        id: id.to_owned(),
        reason: error.map(|e| format!(" ({e})")).unwrap_or_default(),
    }
}

fn is_missing(error: &ApiError) -> bool {
    matches!(
        error.kind(),
        ErrorKind::NotFound | ErrorKind::Gone | ErrorKind::InvalidParameter
    )
}

async fn read_group<A: DingTalkApi>(api: &A, id: &str) -> Result<LiveGroup, ImportError> {
    let read = if id.starts_with("chat") {
        match api.get_group(id).await {
            // A scene group has a chat id too, and `/chat/get` reads it like an internal group:
            // only the scene-group detail (its template) tells them apart. Recorded as internal,
            // `export` would write the wrong type and correcting it would plan a disband.
            Ok(group) => match api.get_scene_group(&group.open_conversation_id).await {
                Ok(scene) if scene.template_id.is_some() => Ok(LiveGroup {
                    chat_id: group.chat_id.clone(),
                    ..scene
                }),
                _ => Ok(group),
            },
            Err(error) => Err(error),
        }
    } else {
        match api.get_scene_group(id).await {
            Ok(group) if group.template_id.is_none() && group.status == GroupStatus::Active => {
                return Err(ImportError::NeedsChatId { id: id.to_owned() });
            }
            read => read,
        }
    };
    match read {
        Ok(group) if group.status == GroupStatus::Disbanded => Err(not_found("group", id, None)),
        Ok(group) => Ok(group),
        Err(error) if is_missing(&error) => Err(not_found("group", id, Some(&error))),
        Err(source) => Err(ImportError::Api {
            id: id.to_owned(),
            source,
        }),
    }
}

fn group_entry(group: &LiveGroup) -> ResourceState {
    let kind = match group.kind {
        GroupKind::Scene => "scene",
        GroupKind::Internal => "internal",
        GroupKind::Standard => "standard",
    };
    let mut entry = ResourceState {
        id: Some(group.open_conversation_id.clone()),
        // The type tells refresh how to read the group back; the rest is compared live.
        attributes: json!({"type": kind}),
        ..ResourceState::default()
    };
    if let Some(chat_id) = &group.chat_id {
        entry.ids.insert("chat_id".into(), chat_id.clone());
    }
    if let Some(url) = &group.group_url {
        entry.observed.insert("group_url".into(), url.clone());
        entry
            .observed
            .insert("group_url_since".into(), SystemClock.now().to_rfc3339());
    }
    entry
}

async fn bot_entry<A: DingTalkApi>(
    api: &A,
    robot_code: &str,
) -> Result<ResourceState, ImportError> {
    let groups = match api.bot_groups(robot_code).await {
        Ok(groups) => groups,
        Err(error) if is_missing(&error) => return Err(not_found("bot", robot_code, Some(&error))),
        Err(source) => {
            return Err(ImportError::Api {
                id: robot_code.to_owned(),
                source,
            });
        }
    };
    // The platform reads a bot's name only through a group it is in.
    let mut name = robot_code.to_owned();
    if let Some(group) = groups.first()
        && let Ok(bots) = api.list_bots(group).await
        && let Some(bot) = bots.into_iter().find(|b| b.robot_code == robot_code)
    {
        name = bot.name;
    }
    Ok(ResourceState {
        id: Some(robot_code.to_owned()),
        attributes: json!({"robot_code": robot_code, "name": name}),
        ..ResourceState::default()
    })
}
