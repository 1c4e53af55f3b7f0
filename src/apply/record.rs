//! How each step's result is written into state: the one place that decides what state holds.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value};

use super::graph::Step;
use super::group::GroupOutcome;
use crate::plan::Action;
use crate::state::{ResourceState, State};

/// Keys of a create's `after` that drive the request but are not attributes of the group.
const CREATE_ONLY_KEYS: &[&str] = &["uuid", "generation"];

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
                state.resources.remove(address);
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
    if let Some(url) = &outcome.group_url
        && entry.observed.get("group_url") != Some(url)
    {
        entry.observed.insert("group_url".into(), url.clone());
        entry.observed.insert(
            "group_url_since".into(),
            now.to_rfc3339_opts(SecondsFormat::Secs, true),
        );
    }
    if step.change.action == Action::Update && outcome.failure.is_none() {
        entry.attributes = applied_attributes(step);
    }
}

/// Record a step that only changes state (bots, notifications, imports, moves, forgets).
pub fn state_only(state: &mut State, step: &Step) {
    let change = &step.change;
    let address = &change.address;
    match change.action {
        Action::Forget | Action::Delete => {
            state.resources.remove(address);
        }
        Action::Move => {
            if let Some(entry) = change
                .from
                .as_ref()
                .and_then(|from| state.resources.remove(from))
            {
                state.resources.insert(address.clone(), entry);
            }
        }
        Action::Import => {
            let entry = state.resources.entry(address.clone()).or_default();
            entry.id = change.from.clone();
            entry.attributes = Value::Null;
        }
        _ => {
            let entry = state.resources.entry(address.clone()).or_default();
            if address.starts_with("bot.") {
                // A bot's id is its robot code (bots are made in the Developer Console).
                entry.id = change
                    .after
                    .as_ref()
                    .and_then(|a| a.get("robot_code"))
                    .and_then(Value::as_str)
                    .map(str::to_owned);
            }
            // Notifications: the registration the notify runner reads (schedule, via, message).
            entry.attributes = applied_attributes(step);
        }
    }
}
