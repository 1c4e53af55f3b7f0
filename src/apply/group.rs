//! The requests that carry out one group step. Each returns what it learned (ids, bot member
//! ids, the join URL) even when a later request of the step fails, so that nothing made is
//! ever left out of state.

use std::collections::BTreeMap;

use serde_json::Value;

use super::error::StepFailure;
use super::graph::{Step, StepKind};
use crate::model::live::{CreatedGroup, GroupKind};
use crate::plan::FieldChange;
use crate::plan::attributes::{GroupAttributes, settings_to_wire, tab_urls};
use crate::provider::{
    ApiError, DingTalkApi, GroupUpdate, NewGroup, NewSceneGroup, PluginInstall, SceneGroupUpdate,
    Tab,
};
use crate::state::ResourceState;

/// Scene groups made with no template named use the platform's default one.
const FALLBACK_TEMPLATE: &str = "tpl-default";

/// What a group step did.
#[derive(Debug, Default)]
pub struct GroupOutcome {
    /// The ids of the group made (creates).
    pub created: Option<CreatedGroup>,
    /// Whether the create request itself failed in a way that proves nothing was made.
    pub create_refused: bool,
    /// `chatBotUserId` of each bot added, by robot code.
    pub bots_added: BTreeMap<String, String>,
    /// Robot codes of bots removed.
    pub bots_removed: Vec<String>,
    /// Tab ids of the tabs added, by title.
    pub tabs_added: BTreeMap<String, String>,
    /// Titles of the tabs removed.
    pub tabs_removed: Vec<String>,
    /// The join URL read after the step, when it was read.
    pub group_url: Option<String>,
    /// The group was disbanded.
    pub disbanded: bool,
    /// The first request that failed; later ones were not sent.
    pub failure: Option<StepFailure>,
}

/// The id of the group (and its kind) as state knows it.
pub struct Known {
    /// Open conversation id.
    pub id: Option<String>,
    /// Chat id (ordinary groups).
    pub chat_id: Option<String>,
    /// `chatBotUserId` by robot code.
    pub bot_ids: BTreeMap<String, String>,
    /// Tab ids by title.
    pub tab_ids: BTreeMap<String, String>,
}

impl Known {
    /// Read from a state entry.
    pub fn from_state(entry: Option<&ResourceState>) -> Known {
        Known {
            id: entry.and_then(|e| e.id.clone()),
            chat_id: entry.and_then(|e| e.ids.get("chat_id").cloned()),
            bot_ids: entry
                .map(|e| {
                    e.ids
                        .iter()
                        .filter_map(|(k, v)| Some((k.strip_prefix("bot:")?.to_owned(), v.clone())))
                        .collect()
                })
                .unwrap_or_default(),
            tab_ids: entry
                .map(|e| {
                    e.ids
                        .iter()
                        .filter_map(|(k, v)| Some((k.strip_prefix("tab:")?.to_owned(), v.clone())))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

/// Run one group step.
pub async fn run<A: DingTalkApi>(api: &A, step: &Step, known: Known) -> GroupOutcome {
    let mut outcome = GroupOutcome::default();
    let result = match step.kind {
        StepKind::CreateGroup => create(api, step, &mut outcome).await,
        StepKind::UpdateGroup => update(api, step, &known, &mut outcome).await,
        StepKind::DeleteGroup | StepKind::DisbandForReplace => {
            disband(api, step, &known, &mut outcome).await
        }
        StepKind::StateOnly => Ok(()),
    };
    if let Err(failure) = result {
        outcome.failure = Some(failure);
    }
    outcome
}

fn attributes(step: &Step) -> GroupAttributes {
    step.change
        .after
        .clone()
        .and_then(|after| serde_json::from_value(after).ok())
        .unwrap_or_default()
}

fn failed(step: &Step, operation: &str) -> impl Fn(ApiError) -> StepFailure {
    let address = step.change.address.clone();
    let action = step.change.action;
    let operation = operation.to_owned();
    move |error| StepFailure::api(&address, action, &operation, &error)
}

async fn create<A: DingTalkApi>(
    api: &A,
    step: &Step,
    outcome: &mut GroupOutcome,
) -> Result<(), StepFailure> {
    let after = attributes(step);
    let uuid = step
        .change
        .after
        .as_ref()
        .and_then(|a| a.get("uuid"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let kind = after.kind();
    let settings = settings_to_wire(&after.settings);
    let created = if kind == GroupKind::Scene {
        api.create_scene_group(&NewSceneGroup {
            title: after.title.clone(),
            template_id: after
                .template
                .clone()
                .unwrap_or_else(|| FALLBACK_TEMPLATE.to_owned()),
            owner: after.owner.clone(),
            members: after.members.clone(),
            admins: after.admins.clone(),
            uuid,
            icon: after.icon.clone(),
            settings,
        })
        .await
    } else {
        api.create_group(&NewGroup {
            kind,
            title: after.title.clone(),
            owner: after.owner.clone(),
            members: after.members.clone(),
            settings,
        })
        .await
    };
    let created = match created {
        Ok(created) => created,
        Err(error) => {
            // A refusal (an answer from the platform) proves nothing was made; a lost answer
            // does not.
            outcome.create_refused = !error.maybe_processed();
            return Err(failed(step, "create")(error));
        }
    };
    let id = created.open_conversation_id.clone();
    outcome.created = Some(created);
    if kind != GroupKind::Scene && !after.admins.is_empty() {
        api.set_group_admins(&id, &after.admins, true)
            .await
            .map_err(failed(step, "set admins"))?;
    }
    if kind != GroupKind::Scene
        && let Some(icon) = &after.icon
        && let Some(chat_id) = outcome.created.as_ref().and_then(|c| c.chat_id.clone())
    {
        let update = GroupUpdate {
            icon: Some(icon.clone()),
            ..GroupUpdate::default()
        };
        api.update_group(&chat_id, &update)
            .await
            .map_err(failed(step, "set the icon"))?;
    }
    add_bots(api, step, &id, &after.bots, outcome).await?;
    let plugins: Vec<String> = after.plugins.keys().cloned().collect();
    install_plugins(api, step, &id, &after, &plugins).await?;
    let titles: Vec<String> = after.tabs.keys().cloned().collect();
    add_tabs(api, step, &id, &after, &titles, outcome).await?;
    outcome.group_url = read_url(api, kind, &id).await;
    Ok(())
}

async fn add_bots<A: DingTalkApi>(
    api: &A,
    step: &Step,
    id: &str,
    robot_codes: &[String],
    outcome: &mut GroupOutcome,
) -> Result<(), StepFailure> {
    for code in robot_codes {
        let member = api
            .add_bot(id, code)
            .await
            .map_err(failed(step, &format!("add bot {code}")))?;
        outcome.bots_added.insert(code.clone(), member);
    }
    Ok(())
}

async fn install_plugins<A: DingTalkApi>(
    api: &A,
    step: &Step,
    id: &str,
    after: &GroupAttributes,
    names: &[String],
) -> Result<(), StepFailure> {
    // Installs only: plugins can be neither edited nor deleted (`plugin-immutable`).
    for name in names {
        let install = PluginInstall {
            open_conversation_id: id.to_owned(),
            cool_app_code: name.clone(),
            operator: after.owner.clone(),
            template_id: after
                .template
                .clone()
                .unwrap_or_else(|| FALLBACK_TEMPLATE.to_owned()),
        };
        api.install_plugin(&install)
            .await
            .map_err(failed(step, &format!("install plugin {name}")))?;
    }
    Ok(())
}

fn tab(after: &GroupAttributes, title: &str) -> Tab {
    let (pc_url, mobile_url) = after.tabs.get(title).map(tab_urls).unwrap_or_default();
    Tab {
        title: title.to_owned(),
        pc_url,
        mobile_url,
    }
}

async fn add_tabs<A: DingTalkApi>(
    api: &A,
    step: &Step,
    id: &str,
    after: &GroupAttributes,
    titles: &[String],
    outcome: &mut GroupOutcome,
) -> Result<(), StepFailure> {
    for title in titles {
        let tab_id = api
            .add_tab(id, &tab(after, title))
            .await
            .map_err(failed(step, &format!("add tab {title}")))?;
        outcome.tabs_added.insert(title.clone(), tab_id);
    }
    Ok(())
}

/// Edit tabs in place and remove others, by the ids state recorded; a tab made outside
/// dingform (no id in state) is found by its title in the group's list.
async fn change_tabs<A: DingTalkApi>(
    api: &A,
    step: &Step,
    id: &str,
    known: &Known,
    after: &GroupAttributes,
    (edited, removed): (&[&str], &[String]),
    outcome: &mut GroupOutcome,
) -> Result<(), StepFailure> {
    if edited.is_empty() && removed.is_empty() {
        return Ok(());
    }
    let mut ids = known.tab_ids.clone();
    let titles = || {
        edited
            .iter()
            .copied()
            .chain(removed.iter().map(String::as_str))
    };
    if titles().any(|title| !ids.contains_key(title)) {
        let live = api.list_tabs(id).await.map_err(failed(step, "list tabs"))?;
        for tab in live {
            ids.entry(tab.tab.title).or_insert(tab.tab_id);
        }
    }
    let id_of = |title: &str| {
        ids.get(title).cloned().ok_or_else(|| StepFailure {
            address: step.change.address.clone(),
            action: step.change.action,
            operation: format!("find tab {title}"),
            error: "the group has no tab of that title; run `dingform plan` again".into(),
        })
    };
    for title in edited {
        let tab_id = id_of(title)?;
        api.update_tab(id, &tab_id, &tab(after, title))
            .await
            .map_err(failed(step, &format!("update tab {title}")))?;
        outcome.tabs_added.insert((*title).to_owned(), tab_id);
    }
    if !removed.is_empty() {
        let tab_ids = removed
            .iter()
            .map(|title| id_of(title))
            .collect::<Result<Vec<_>, _>>()?;
        api.delete_tabs(id, &tab_ids)
            .await
            .map_err(failed(step, "delete tabs"))?;
        outcome.tabs_removed.extend(removed.iter().cloned());
    }
    Ok(())
}

/// The join URL, for `group-url-expiry`; only scene-group reads return one. Best effort: a
/// failed read leaves the URL unknown and the step complete.
async fn read_url<A: DingTalkApi>(api: &A, kind: GroupKind, id: &str) -> Option<String> {
    if kind != GroupKind::Scene {
        return None;
    }
    // The detail alone: the members a full read would page through are not needed here.
    api.scene_group_url(id).await.ok()?
}

async fn update<A: DingTalkApi>(
    api: &A,
    step: &Step,
    known: &Known,
    outcome: &mut GroupOutcome,
) -> Result<(), StepFailure> {
    let after = attributes(step);
    let kind = after.kind();
    let Some(id) = known.id.clone() else {
        return Err(missing(step, "the group's id"));
    };
    let mut values: Vec<&str> = Vec::new();
    let mut tabs_edited: Vec<&str> = Vec::new();
    let mut sets: BTreeMap<&str, (&[String], &[String])> = BTreeMap::new();
    for field in &step.change.fields {
        match field {
            FieldChange::Set {
                field,
                added,
                removed,
                ..
            } => {
                sets.insert(field.as_str(), (added.as_slice(), removed.as_slice()));
            }
            // Recorded in state by `record`; nothing to send.
            other if crate::plan::protection::is_state_only(other) => {}
            other => match other.field().strip_prefix("tabs.") {
                Some(title) => tabs_edited.push(title),
                None => values.push(other.field()),
            },
        }
    }
    let changed = |name: &str| {
        values
            .iter()
            .any(|v| *v == name || v.starts_with(&format!("{name}.")))
    };
    let settings = if changed("settings") {
        let only: serde_json::Map<String, Value> = after
            .settings
            .iter()
            .filter(|(key, _)| changed(&format!("settings.{key}")))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        settings_to_wire(&only)
    } else {
        Default::default()
    };
    let title = changed("title").then(|| after.title.clone());
    let owner = changed("owner").then(|| after.owner.clone());
    let icon = changed("icon").then(|| after.icon.clone()).flatten();
    let none = (&[][..], &[][..]);
    let (members_added, members_removed) = sets.get("members").copied().unwrap_or(none);
    // The platform refuses to demote someone who is no longer a member (`userNotInGroup`), so
    // admins leave their role before members leave the group.
    let (_, admins_removed) = sets.get("admins").copied().unwrap_or(none);
    set_admins(api, step, kind, &id, admins_removed, false).await?;
    if kind == GroupKind::Scene {
        if !values.is_empty() {
            let update = SceneGroupUpdate {
                title,
                owner,
                icon,
                settings,
            };
            api.update_scene_group(&id, &update)
                .await
                .map_err(failed(step, "update"))?;
        }
        if !members_added.is_empty() {
            api.add_scene_group_members(&id, members_added)
                .await
                .map_err(failed(step, "add members"))?;
        }
        if !members_removed.is_empty() {
            api.remove_scene_group_members(&id, members_removed)
                .await
                .map_err(failed(step, "remove members"))?;
        }
    } else if !values.is_empty() || !members_added.is_empty() || !members_removed.is_empty() {
        let Some(chat_id) = known.chat_id.clone() else {
            return Err(missing(step, "the group's chat_id"));
        };
        let update = GroupUpdate {
            title,
            owner,
            icon,
            add_members: members_added.to_vec(),
            remove_members: members_removed.to_vec(),
            settings,
        };
        api.update_group(&chat_id, &update)
            .await
            .map_err(failed(step, "update"))?;
    }
    // Admins are members: additions once the members are in, above.
    let (admins_added, _) = sets.get("admins").copied().unwrap_or(none);
    set_admins(api, step, kind, &id, admins_added, true).await?;
    if let Some((added, removed)) = sets.get("bots").copied() {
        add_bots(api, step, &id, added, outcome).await?;
        for code in removed {
            let member = match known.bot_ids.get(code) {
                Some(member) => member.clone(),
                // A bot added outside dingform: its chatBotUserId is not in the state. Adding
                // a bot that is already in the group answers with the chatBotUserId it has.
                None => api
                    .add_bot(&id, code)
                    .await
                    .map_err(failed(step, &format!("look up bot {code}")))?,
            };
            api.remove_bot(&id, &member)
                .await
                .map_err(failed(step, &format!("remove bot {code}")))?;
            outcome.bots_removed.push(code.clone());
        }
    }
    if let Some((added, _)) = sets.get("plugins").copied() {
        install_plugins(api, step, &id, &after, added).await?;
    }
    let (tabs_added, tabs_removed) = sets.get("tabs").copied().unwrap_or(none);
    change_tabs(
        api,
        step,
        &id,
        known,
        &after,
        (&tabs_edited, tabs_removed),
        outcome,
    )
    .await?;
    add_tabs(api, step, &id, &after, tabs_added, outcome).await?;
    if changed("title") || changed("owner") || changed("settings") {
        // `group-url-expiry`: such changes replace the join URL.
        outcome.group_url = read_url(api, kind, &id).await;
    }
    Ok(())
}

/// Make `users` admins of the group (`admin`), or members only again.
async fn set_admins<A: DingTalkApi>(
    api: &A,
    step: &Step,
    kind: GroupKind,
    id: &str,
    users: &[String],
    admin: bool,
) -> Result<(), StepFailure> {
    if users.is_empty() {
        return Ok(());
    }
    let result = if kind == GroupKind::Scene {
        api.set_scene_group_admins(id, users, admin).await
    } else {
        api.set_group_admins(id, users, admin).await
    };
    result.map_err(failed(
        step,
        if admin { "add admins" } else { "remove admins" },
    ))
}

async fn disband<A: DingTalkApi>(
    api: &A,
    step: &Step,
    known: &Known,
    outcome: &mut GroupOutcome,
) -> Result<(), StepFailure> {
    let Some(id) = known.id.clone() else {
        // Never made (an unconfirmed create): nothing to disband.
        outcome.disbanded = true;
        return Ok(());
    };
    match api.disband_scene_group(&id).await {
        Ok(()) => {}
        // Already gone: what was wanted.
        Err(error)
            if matches!(
                error.kind(),
                crate::provider::ErrorKind::NotFound | crate::provider::ErrorKind::Gone
            ) => {}
        Err(error) => return Err(failed(step, "disband")(error)),
    }
    outcome.disbanded = true;
    Ok(())
}

fn missing(step: &Step, what: &str) -> StepFailure {
    StepFailure {
        address: step.change.address.clone(),
        action: step.change.action,
        operation: "look up state".into(),
        error: format!("state does not hold {what}; run `dingform plan` to refresh it"),
    }
}
