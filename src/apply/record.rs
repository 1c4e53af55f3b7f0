//! How each step's result is written into state: the one place that decides what state holds.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value};

use super::graph::{Step, StepKind};
use super::group::GroupOutcome;
use crate::model::ResourceKind;
use crate::plan::Action;
use crate::state::{ResourceState, State};

/// Keys of a create's `after` that drive the request but are not attributes of the group.
const CREATE_ONLY_KEYS: &[&str] = &["uuid", "generation", "import"];

/// The attributes state keeps as last applied: the change's `after` without create-only keys.
pub fn applied_attributes(step: &Step) -> Value {
    match step.change.after.clone() {
        Some(Value::Object(mut after)) => {
            for key in CREATE_ONLY_KEYS {
                after.remove(*key);
            }
            Value::Object(after)
        }
        other => other.unwrap_or(Value::Null),
    }
}

/// The creation uuid and generation a create step sends.
fn creation(step: &Step) -> (Option<String>, u32) {
    let after = step.change.after.as_ref();
    let uuid = after
        .and_then(|a| a.get("uuid"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let generation = after
        .and_then(|a| a.get("generation"))
        .and_then(Value::as_u64)
        .unwrap_or(0) as u32;
    (uuid, generation)
}

/// Before a create is sent: the intent (address, uuid, generation, no id), so that a crash
/// before the answer is resolved by sending the same uuid again (`create-idempotency`).
/// The attributes hold the group's type (and only that) so the next plan knows whether the
/// platform can dedupe the retry.
pub fn intent(state: &mut State, step: &Step) {
    let (creation_uuid, generation) = creation(step);
    let mut attributes = Map::new();
    if let Some(kind) = step.change.after.as_ref().and_then(|a| a.get("type")) {
        attributes.insert("type".into(), kind.clone());
    }
    attributes.insert("pending_create".into(), Value::Bool(true));
    state.resources.insert(
        step.change.address.clone(),
        ResourceState {
            id: None,
            creation_uuid,
            generation,
            attributes: Value::Object(attributes),
            ..ResourceState::default()
        },
    );
}

/// Record a group step's outcome; `previous` is the entry as it was before the step's intent.
pub fn group(
    state: &mut State,
    step: &Step,
    outcome: &GroupOutcome,
    previous: Option<ResourceState>,
    now: DateTime<Utc>,
) {
    let address = &step.change.address;
    if outcome.disbanded {
        match step.change.action {
            // The replacement's intent, so the next generation's uuid is kept even if the
            // create never runs.
            Action::Replace => intent(state, step),
            _ => {
                state.retire(address);
            }
        }
        return;
    }
    if let Some(created) = &outcome.created {
        let (creation_uuid, generation) = creation(step);
        let entry = state.resources.entry(address.clone()).or_default();
        entry.id = Some(created.open_conversation_id.clone());
        if let Some(chat_id) = &created.chat_id {
            entry.ids.insert("chat_id".into(), chat_id.clone());
        }
        entry.creation_uuid = creation_uuid;
        entry.generation = generation;
        entry.attributes = if outcome.failure.is_none() {
            applied_attributes(step)
        } else {
            // Partly made: keep the type (refresh needs it) and let the next plan finish it.
            let mut partial = Map::new();
            if let Some(kind) = step.change.after.as_ref().and_then(|a| a.get("type")) {
                partial.insert("type".into(), kind.clone());
            }
            Value::Object(partial)
        };
    } else if outcome.create_refused {
        // The platform answered no: nothing was made, so the intent is withdrawn (an ordinary
        // group's retry is then safe; `create-unverified` is only for unknown outcomes).
        match previous {
            Some(previous) => state.resources.insert(address.clone(), previous),
            None => state.resources.remove(address),
        };
        return;
    }
    let Some(entry) = state.resources.get_mut(address) else {
        return;
    };
    for (code, member) in &outcome.bots_added {
        entry.ids.insert(format!("bot:{code}"), member.clone());
    }
    for code in &outcome.bots_removed {
        entry.ids.remove(&format!("bot:{code}"));
    }
    for (title, tab_id) in &outcome.tabs_added {
        entry.ids.insert(format!("tab:{title}"), tab_id.clone());
    }
    for title in &outcome.tabs_removed {
        entry.ids.remove(&format!("tab:{title}"));
    }
    if let Some(url) = &outcome.group_url
        && entry.observed.get("group_url") != Some(url)
    {
        entry.observed.insert("group_url".into(), url.clone());
        entry.observed.insert(
            "group_url_since".into(),
            now.to_rfc3339_opts(SecondsFormat::Secs, true),
        );
    }
    // The update half of an import or move records what it applied too (the protection of
    // `prevent_destroy` among it), not only a plain update.
    if step.kind == StepKind::UpdateGroup && outcome.failure.is_none() {
        entry.attributes = applied_attributes(step);
    }
}

/// Record a step that only changes state (bots, notifications, imports, moves, forgets).
pub fn state_only(state: &mut State, step: &Step) {
    let change = &step.change;
    let address = &change.address;
    match change.action {
        Action::Forget | Action::Delete => {
            state.retire(address);
        }
        Action::Move => {
            if let Some(entry) = change.moved_from().and_then(|from| state.retire(&from)) {
                state.resources.insert(address.clone(), entry);
            }
        }
        Action::Import => {
            let entry = state.resources.entry(address.clone()).or_default();
            let after = change.after.as_ref();
            let ids = after.and_then(|a| a.get("import"));
            let id = |key: &str| {
                ids.and_then(|i| i.get(key))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            };
            entry.id = id("open_conversation_id").or_else(|| change.from.clone());
            if let Some(chat_id) = id("chat_id") {
                entry.ids.insert("chat_id".into(), chat_id);
            }
            entry.attributes = if change.fields.is_empty() {
                // Live already matches the manifest: that is what is applied.
                applied_attributes(step)
            } else {
                // The update step that follows records what it applies; until then, only
                // what refresh needs to read the group back.
                serde_json::json!({"type": after.and_then(|a| a.get("type")).cloned()})
            };
        }
        _ => {
            let entry = state.resources.entry(address.clone()).or_default();
            if address.kind == ResourceKind::Bot {
                // A bot's id is its robot code (bots are made in the Developer Console).
                entry.id = change
                    .after
                    .as_ref()
                    .and_then(|a| a.get("robot_code"))
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                remember_name_in_console(entry, change.after.as_ref());
            }
            // Notifications: the registration the notify runner reads (schedule, via, message).
            entry.attributes = applied_attributes(step);
        }
    }
}

/// A bot renamed in the manifests is renamed in DingTalk only in the Developer Console: keep
/// the name DingTalk shows until the plan sees the new one there (`bot-rename-test-group`), so
/// the manual step outlives this apply.
fn remember_name_in_console(entry: &mut ResourceState, after: Option<&Value>) {
    use crate::plan::rules::bot_rename_test_group::NAME_IN_CONSOLE;
    let name = |attributes: Option<&Value>| {
        attributes
            .and_then(|a| a.get("name"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let (Some(applied), Some(wanted)) = (name(Some(&entry.attributes)), name(after)) else {
        return;
    };
    if applied == wanted {
        return;
    }
    let shown = entry
        .observed
        .get(NAME_IN_CONSOLE)
        .cloned()
        .unwrap_or(applied);
    if shown == wanted {
        entry.observed.remove(NAME_IN_CONSOLE);
    } else {
        entry.observed.insert(NAME_IN_CONSOLE.into(), shown);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::Address;
    use crate::model::live::CreatedGroup;
    use crate::plan::Change;

    fn step(action: Action, kind: StepKind) -> Step {
        Step {
            change: Change {
                address: Address::group("ops"),
                action,
                before: None,
                after: Some(
                    json!({"type": "scene", "title": "Ops", "uuid": "u-1", "generation": 1}),
                ),
                fields: Vec::new(),
                from: None,
                notes: Vec::new(),
            },
            kind,
            depends_on: Vec::new(),
        }
    }

    #[test]
    fn an_intent_holds_the_uuid_and_generation_and_no_id() {
        let mut state = State::new(None);
        intent(&mut state, &step(Action::Create, StepKind::CreateGroup));
        let entry = &state.resources[&Address::group("ops")];
        assert_eq!(entry.id, None);
        assert_eq!(entry.creation_uuid.as_deref(), Some("u-1"));
        assert_eq!(entry.generation, 1);
        assert_eq!(entry.attributes["type"], "scene");
    }

    #[test]
    fn a_create_records_ids_and_the_applied_attributes_without_create_only_keys() {
        let mut state = State::new(None);
        let step = step(Action::Create, StepKind::CreateGroup);
        intent(&mut state, &step);
        let outcome = GroupOutcome {
            created: Some(CreatedGroup {
                open_conversation_id: "cid1".into(),
                chat_id: Some("chat1".into()),
            }),
            bots_added: [("dingbot".to_owned(), "$:bot".to_owned())].into(),
            group_url: Some("https://join".into()),
            ..GroupOutcome::default()
        };
        group(&mut state, &step, &outcome, None, Utc::now());
        let entry = &state.resources[&Address::group("ops")];
        assert_eq!(entry.id.as_deref(), Some("cid1"));
        assert_eq!(entry.ids["chat_id"], "chat1");
        assert_eq!(entry.ids["bot:dingbot"], "$:bot");
        assert_eq!(entry.observed["group_url"], "https://join");
        assert!(entry.observed.contains_key("group_url_since"));
        assert_eq!(entry.attributes, json!({"type": "scene", "title": "Ops"}));
    }

    #[test]
    fn a_refused_create_withdraws_its_intent() {
        let mut state = State::new(None);
        let step = step(Action::Create, StepKind::CreateGroup);
        intent(&mut state, &step);
        let outcome = GroupOutcome {
            create_refused: true,
            ..GroupOutcome::default()
        };
        group(&mut state, &step, &outcome, None, Utc::now());
        assert!(!state.resources.contains_key(&Address::group("ops")));
    }

    #[test]
    fn a_disband_for_replace_leaves_the_next_generations_intent() {
        let mut state = State::new(None);
        state.resources.insert(
            Address::group("ops"),
            ResourceState {
                id: Some("old".into()),
                ..ResourceState::default()
            },
        );
        let step = step(Action::Replace, StepKind::DisbandForReplace);
        let outcome = GroupOutcome {
            disbanded: true,
            ..GroupOutcome::default()
        };
        group(&mut state, &step, &outcome, None, Utc::now());
        let entry = &state.resources[&Address::group("ops")];
        assert_eq!(entry.id, None);
        assert_eq!(entry.creation_uuid.as_deref(), Some("u-1"));
    }
}
