//! `dingform export`: manifests written for what state holds and no manifest declares, one
//! file per kind, never over an existing file unless forced.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

use crate::model::{Address, ResourceKind, Workspace};
use crate::plan::attributes::GroupAttributes;
use crate::plan::refresh::{GroupRead, Live};
use crate::state::State;

/// Why export stopped. Nothing is written when it does.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A file to write exists and `--force` was not given.
    #[error("{} exists; pass --force to overwrite it", path.display())]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// Writing failed.
    #[error("cannot write {}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// What export wrote.
#[derive(Debug, Default)]
pub struct Exported {
    /// Files written, with the addresses each declares.
    pub files: Vec<(PathBuf, Vec<Address>)>,
    /// Things that could not be written faithfully, in a sentence each.
    pub notes: Vec<String>,
}

/// A group as a person would write it: contract keys in the README's order, no defaults.
#[derive(Serialize)]
struct GroupOut {
    title: String,
    #[serde(rename = "type")]
    group_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    template: Option<String>,
    owner: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    admins: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    members: Vec<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    settings: BTreeMap<String, Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    bots: Vec<String>,
}

#[derive(Serialize)]
struct BotOut {
    robot_code: String,
    name: String,
}

/// Write manifests for every resource in `state` that `workspace` does not declare: one file
/// per kind (`exported-groups.yaml`, `exported-bots.yaml`) in `out`, never overwriting a file
/// unless `force`. `live` is a refresh of that state.
pub fn export(
    workspace: &Workspace,
    state: &State,
    live: &Live,
    out: &Path,
    schema_path: &str,
    force: bool,
) -> Result<Exported, ExportError> {
    let mut exported = Exported::default();
    // Bots first: groups refer to them by name.
    let mut bot_names: BTreeMap<String, String> = workspace
        .bots
        .iter()
        .filter_map(|(name, bot)| {
            bot.spec
                .robot_code
                .as_ref()
                .map(|code| (code.value.clone(), name.clone()))
        })
        .collect();
    let mut bots = BTreeMap::new();
    for (address, entry) in &state.resources {
        let Some(name) = address.name_of(ResourceKind::Bot) else {
            continue;
        };
        if workspace.bots.contains_key(name) {
            continue;
        }
        let code = entry.id.clone().unwrap_or_default();
        let display = entry
            .attributes
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or(&code)
            .to_owned();
        bot_names.insert(code.clone(), name.to_owned());
        bots.insert(
            name.to_owned(),
            BotOut {
                robot_code: code,
                name: display,
            },
        );
    }
    let mut groups = BTreeMap::new();
    for (address, read) in &live.groups {
        let Some(name) = address.name_of(ResourceKind::Group) else {
            continue;
        };
        if workspace.groups.contains_key(name) {
            continue;
        }
        let GroupRead::Found { attributes, .. } = read else {
            exported.notes.push(format!(
                "{address} no longer exists on DingTalk: not exported"
            ));
            continue;
        };
        groups.insert(
            name.to_owned(),
            group_out(address, attributes, &bot_names, &mut exported.notes),
        );
    }
    let files = [
        (
            "exported-bots.yaml",
            "bots",
            to_yaml(&bots),
            bots.keys().map(Address::bot).collect::<Vec<_>>(),
        ),
        (
            "exported-groups.yaml",
            "groups",
            to_yaml(&groups),
            groups.keys().map(Address::group).collect(),
        ),
    ];
    let files: Vec<_> = files
        .into_iter()
        .filter(|(_, _, _, addresses)| !addresses.is_empty())
        .collect();
    for (file, _, _, _) in &files {
        let path = out.join(file);
        if path.exists() && !force {
            return Err(ExportError::Exists { path });
        }
    }
    for (file, key, body, addresses) in files {
        let path = out.join(file);
        let text = format!(
            "# yaml-language-server: $schema={schema_path}\n{key}:\n{}",
            indent(&body)
        );
        std::fs::create_dir_all(out)
            .and_then(|()| std::fs::write(&path, text))
            .map_err(|source| ExportError::Write {
                path: path.clone(),
                source,
            })?;
        exported.files.push((path, addresses));
    }
    Ok(exported)
}

fn group_out(
    address: &Address,
    live: &GroupAttributes,
    bot_names: &BTreeMap<String, String>,
    notes: &mut Vec<String>,
) -> GroupOut {
    // `members` in a manifest need not repeat the owner and admins (they are members anyway).
    let implied: BTreeSet<&String> = std::iter::once(&live.owner).chain(&live.admins).collect();
    let mut bots = Vec::new();
    for code in &live.bots {
        match bot_names.get(code) {
            Some(name) => bots.push(name.clone()),
            None => notes.push(format!(
                "{address} has bot {code}, which no manifest or state entry names: import it with `dingform import bot.NAME {code}`"
            )),
        }
    }
    if !live.plugins.is_empty() {
        notes.push(format!(
            "{address} has plugins ({}) whose URLs DingTalk does not return: add them by hand",
            live.plugins.keys().cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    GroupOut {
        title: live.title.clone(),
        group_type: live.group_type.clone(),
        template: live.template.clone(),
        owner: live.owner.clone(),
        admins: live.admins.clone(),
        members: live
            .members
            .iter()
            .filter(|m| !implied.contains(m))
            .cloned()
            .collect(),
        // Only what differs from the platform's defaults (off, everyone).
        settings: live
            .settings
            .iter()
            .filter(|(_, value)| **value == Value::Bool(true) || *value == "admins")
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect(),
        bots,
    }
}

fn to_yaml<T: Serialize>(value: &T) -> String {
    serde_saphyr::to_string(value).unwrap_or_default()
}

fn indent(text: &str) -> String {
    text.lines().map(|line| format!("  {line}\n")).collect()
}
