//! Group operations shared by every kind and both hosts: creation with uuid idempotency,
//! updates that reissue the join URL, members, sub-admins, disband, departures.
//!
//! Rules (`PLATFORM-RULES.md`): `create-idempotency` (a seen uuid returns the first group),
//! `group-url-expiry` (valid 365 days; owner, title or settings changes issue a new URL),
//! `standard-group-departed` (internal and scene groups drop departed users, standard groups
//! keep them); limits from `dingtalk-api.md`: title ≤30 characters, ≤1,000 members,
//! ≤12 sub-admins, templates and users must exist.

use std::collections::BTreeMap;

use serde::Serialize;

use super::clock::{DAY_MS, Millis};
use super::error::Refusal;
use super::world::{Group, GroupKind, World, random_id};

/// Most members a group holds.
pub const MAX_MEMBERS: usize = crate::model::limits::GROUP_MEMBERS;
/// Most sub-admins a group has.
pub const MAX_ADMINS: usize = crate::model::limits::GROUP_ADMINS;
/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = crate::model::limits::SCENE_GROUP_TITLE_CHARS;
/// Longest uuid.
pub const MAX_UUID_CHARS: usize = 64;
/// How long a join URL works.
pub const GROUP_URL_LIFETIME_MS: Millis = crate::model::limits::GROUP_URL_DAYS as Millis * DAY_MS;

/// A group to create.
#[derive(Clone, Debug)]
pub struct NewGroup {
    /// scene | internal | standard.
    pub kind: GroupKind,
    /// Title.
    pub title: String,
    /// Owner.
    pub owner: String,
    /// Members besides the owner.
    pub members: Vec<String>,
    /// Sub-admins (made members too).
    pub admins: Vec<String>,
    /// Template (scene groups).
    pub template_id: Option<String>,
    /// Idempotency key.
    pub uuid: Option<String>,
    /// Avatar.
    pub icon: Option<String>,
    /// Settings.
    pub settings: BTreeMap<String, i64>,
}

/// A change to a group; empty fields change nothing.
#[derive(Clone, Debug, Default)]
pub struct GroupChange {
    /// New title.
    pub title: Option<String>,
    /// New owner.
    pub owner: Option<String>,
    /// New avatar.
    pub icon: Option<String>,
    /// Settings to set.
    pub settings: BTreeMap<String, i64>,
    /// Members to add.
    pub add: Vec<String>,
    /// Members to remove.
    pub remove: Vec<String>,
}

/// Settings as snake_case name → 0/1 from any settings wire type (camelCase keys converted).
pub fn settings_of<T: Serialize>(options: &T) -> BTreeMap<String, i64> {
    let Ok(serde_json::Value::Object(map)) = serde_json::to_value(options) else {
        return BTreeMap::new();
    };
    map.into_iter()
        .filter_map(|(key, value)| value.as_i64().map(|number| (snake_case(&key), number)))
        .collect()
}

fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for character in name.chars() {
        if character.is_ascii_uppercase() {
            out.push('_');
            out.push(character.to_ascii_lowercase());
        } else {
            out.push(character);
        }
    }
    out
}

pub(crate) fn new_group_url() -> String {
    format!(
        "https://qr.dingtalk.com/action/joingroup?code=v1,k1,{}&_dt_no_comment=1&origin=11",
        random_id(43)
    )
}

fn dedupe(ids: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut seen = std::collections::BTreeSet::new();
    ids.into_iter()
        .filter(|id| seen.insert(id.clone()))
        .collect()
}

impl World {
    fn check_title(title: &str) -> Result<(), Refusal> {
        let chars = title.chars().count();
        if title.trim().is_empty() {
            return Err(Refusal::MissingParameter("title".to_owned()));
        }
        if chars > MAX_TITLE_CHARS {
            return Err(Refusal::BadParameter(format!(
                "title is {chars} characters; at most {MAX_TITLE_CHARS}"
            )));
        }
        Ok(())
    }

    fn check_users<'a>(&self, users: impl IntoIterator<Item = &'a String>) -> Result<(), Refusal> {
        match users.into_iter().find(|user| !self.is_active_user(user)) {
            Some(missing) => Err(Refusal::UserNotFound(missing.clone())),
            None => Ok(()),
        }
    }

    /// Create a group, or return the one made before with the same uuid. Returns its open
    /// conversation id.
    pub fn create_group(&mut self, new: NewGroup) -> Result<String, Refusal> {
        if let Some(uuid) = &new.uuid {
            if uuid.chars().count() > MAX_UUID_CHARS {
                return Err(Refusal::BadParameter(format!(
                    "uuid is longer than {MAX_UUID_CHARS} characters"
                )));
            }
            if let Some(group) = self
                .groups
                .values()
                .find(|group| group.uuid.as_deref() == Some(uuid))
            {
                return Ok(group.open_conversation_id.clone());
            }
        }
        Self::check_title(&new.title)?;
        if let Some(template) = &new.template_id
            && !self
                .seed
                .scene_group_templates
                .iter()
                .any(|known| &known.id == template)
        {
            return Err(Refusal::TemplateNotFound(template.clone()));
        }
        self.check_users([&new.owner])?;
        let members = dedupe(
            std::iter::once(new.owner.clone())
                .chain(new.members.iter().cloned())
                .chain(new.admins.iter().cloned()),
        );
        self.check_users(&members)?;
        if members.len() > MAX_MEMBERS {
            return Err(Refusal::MemberExceed(members.len()));
        }
        let admins = dedupe(new.admins.iter().filter(|id| **id != new.owner).cloned());
        if admins.len() > MAX_ADMINS {
            return Err(Refusal::SubAdminExcessive(admins.len()));
        }
        let now = self.now();
        let open_conversation_id = format!("cid{}==", random_id(22));
        let group = Group {
            kind: new.kind,
            open_conversation_id: open_conversation_id.clone(),
            chat_id: format!("chat{}", uuid::Uuid::new_v4().simple()),
            title: new.title,
            owner: new.owner,
            members,
            admins,
            template_id: new.template_id,
            uuid: new.uuid,
            icon: new.icon,
            settings: new.settings,
            active: true,
            created_at: now,
            group_url: new_group_url(),
            group_url_issued_at: now,
            expired_group_urls: Vec::new(),
            bots: Vec::new(),
            plugins: Vec::new(),
        };
        self.groups.insert(open_conversation_id.clone(), group);
        Ok(open_conversation_id)
    }

    /// The group, refusing unknown and disbanded ones.
    pub fn active_group(&self, open_conversation_id: &str) -> Result<&Group, Refusal> {
        let group = self
            .groups
            .get(open_conversation_id)
            .ok_or_else(|| Refusal::GroupNotFound(open_conversation_id.to_owned()))?;
        if !group.active {
            return Err(Refusal::GroupDisbanded);
        }
        Ok(group)
    }

    fn active_group_mut(&mut self, open_conversation_id: &str) -> Result<&mut Group, Refusal> {
        self.active_group(open_conversation_id)?;
        Ok(self
            .groups
            .get_mut(open_conversation_id)
            .expect("checked just above"))
    }

    /// Apply a change: everything is checked first, then applied; an owner, title or settings
    /// change makes the join URL stop working and a new one is issued (`group-url-expiry`).
    pub fn update_group(
        &mut self,
        open_conversation_id: &str,
        change: GroupChange,
    ) -> Result<(), Refusal> {
        let group = self.active_group(open_conversation_id)?;
        if let Some(title) = &change.title {
            Self::check_title(title)?;
        }
        if let Some(overlap) = change.add.iter().find(|id| change.remove.contains(id)) {
            return Err(Refusal::AddDelOverlap(overlap.clone()));
        }
        if let Some(owner) = &change.owner {
            self.check_users([owner])?;
        }
        self.check_users(&change.add)?;
        let new_owner = change.owner.clone().unwrap_or_else(|| group.owner.clone());
        if change.remove.contains(&new_owner) {
            return Err(Refusal::PermissionDenied(format!(
                "the owner `{new_owner}` cannot be removed"
            )));
        }
        let mut members = dedupe(
            group
                .members
                .iter()
                .cloned()
                .chain(change.owner.iter().cloned())
                .chain(change.add.iter().cloned()),
        );
        members.retain(|id| !change.remove.contains(id));
        if members.len() > MAX_MEMBERS {
            return Err(Refusal::MemberExceed(members.len()));
        }
        let title_changed = change
            .title
            .as_ref()
            .is_some_and(|title| *title != group.title);
        let owner_changed = new_owner != group.owner;
        let settings_changed = change
            .settings
            .iter()
            .any(|(key, value)| group.settings.get(key) != Some(value));
        let now = self.now();
        let group = self.active_group_mut(open_conversation_id)?;
        if let Some(title) = change.title {
            group.title = title;
        }
        if let Some(icon) = change.icon {
            group.icon = Some(icon);
        }
        group.owner = new_owner;
        group.settings.extend(change.settings);
        group
            .admins
            .retain(|id| members.contains(id) && *id != group.owner);
        group.members = members;
        if title_changed || owner_changed || settings_changed {
            reissue_url(group, now);
        }
        Ok(())
    }

    /// Make users sub-admins (role 2) or plain members (role 3).
    pub fn set_admins(
        &mut self,
        open_conversation_id: &str,
        role: i64,
        users: &[String],
    ) -> Result<(), Refusal> {
        let group = self.active_group(open_conversation_id)?;
        if let Some(outsider) = users.iter().find(|id| !group.members.contains(id)) {
            return Err(Refusal::UserNotInGroup(outsider.clone()));
        }
        let admins = match role {
            2 => dedupe(group.admins.iter().chain(users).cloned())
                .into_iter()
                .filter(|id| *id != group.owner)
                .collect::<Vec<_>>(),
            3 => group
                .admins
                .iter()
                .filter(|id| !users.contains(id))
                .cloned()
                .collect(),
            other => {
                return Err(Refusal::BadParameter(format!(
                    "role must be 2 (admin) or 3 (member), got {other}"
                )));
            }
        };
        if admins.len() > MAX_ADMINS {
            return Err(Refusal::SubAdminExcessive(admins.len()));
        }
        self.active_group_mut(open_conversation_id)?.admins = admins;
        Ok(())
    }

    /// Disband a group.
    pub fn disband(&mut self, open_conversation_id: &str) -> Result<(), Refusal> {
        let now = self.now();
        let group = self.active_group_mut(open_conversation_id)?;
        group.active = false;
        reissue_url(group, now);
        group.group_url.clear();
        Ok(())
    }

    /// Whether the group's join URL is past its 365 days.
    pub fn group_url_expired(&self, group: &Group) -> bool {
        self.now() - group.group_url_issued_at > GROUP_URL_LIFETIME_MS
    }

    /// Issue a new join URL if the current one expired; returns the current URL.
    pub fn renew_group_url(&mut self, open_conversation_id: &str) -> Result<String, Refusal> {
        let now = self.now();
        let expired = self.group_url_expired(self.active_group(open_conversation_id)?);
        let group = self.active_group_mut(open_conversation_id)?;
        if expired {
            reissue_url(group, now);
        }
        Ok(group.group_url.clone())
    }

    /// A user leaves the organization: internal groups drop them, scene groups too unless
    /// `not_quit_when_emp_leave` is 1, standard groups keep them (`standard-group-departed`).
    /// An owner stays (the platform hands ownership over by hand).
    pub fn depart(&mut self, userid: &str) -> Result<(), Refusal> {
        if !self.seed.users.iter().any(|user| user.userid == userid) {
            return Err(Refusal::DirectoryUserNotFound(userid.to_owned()));
        }
        let now = self.now();
        self.departed.entry(userid.to_owned()).or_insert(now);
        for group in self.groups.values_mut().filter(|group| group.active) {
            let drops = match group.kind {
                GroupKind::Internal => true,
                GroupKind::Scene => group.settings.get("not_quit_when_emp_leave") != Some(&1),
                GroupKind::Standard => false,
            };
            if drops && group.owner != userid {
                group.members.retain(|id| id != userid);
                group.admins.retain(|id| id != userid);
            }
        }
        Ok(())
    }
}

fn reissue_url(group: &mut Group, now: Millis) {
    if !group.group_url.is_empty() {
        group.expired_group_urls.push(group.group_url.clone());
    }
    group.group_url = new_group_url();
    group.group_url_issued_at = now;
}
