//! Names the manifests write — users, departments, scene-group templates — checked against the
//! live organization, so that a typo is an `error` at plan time and never a refusal halfway
//! through apply (`dingform explain unknown-user`, `departed-user`, `unknown-template`,
//! `unknown-department`).
//!
//! [`Names::of`] collects every place a name is written — groups, `members_from`, work
//! notifications, webhook `at.users` — so that each name gets the same findings wherever it is
//! written. [`read`] reads each distinct userId once and the templates once, concurrently (the
//! client's limiter paces the reads like every other), into a [`Directory`]. Departments are
//! read once each by `plan::directory` (their members too: `members_from` and the work-
//! notification counts need them), from [`Names::departments`]. The rules in `plan/rules/`
//! turn both into findings.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;
use tokio::task::JoinSet;

use crate::model::notification::Target;
use crate::model::{Address, Finding, Span, Workspace};
use crate::provider::{ApiError, DingTalkApi, ErrorKind};

/// What a name is to the resource that writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A group's `owner`.
    Owner,
    /// One of a group's `admins`.
    Admin,
    /// One of a group's `members`.
    Member,
    /// A user left out of `members_from` (`except`).
    Except,
    /// A work notification's `users`.
    Recipient,
    /// A webhook's `at.users`.
    Mention,
    /// A department a work notification reaches.
    Department,
    /// A department `members_from` follows.
    OrgChartDepartment,
    /// A scene group's `template`.
    Template,
    /// `defaults.template`, for a scene group that names none.
    DefaultTemplate,
}

impl Role {
    /// How a finding calls the place.
    pub fn label(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Member => "member",
            Role::Except => "`members_from.except` entry",
            Role::Recipient => "work-notification recipient",
            Role::Mention => "webhook mention",
            Role::Department => "department",
            Role::OrgChartDepartment => "`members_from` department",
            Role::Template => "template",
            Role::DefaultTemplate => "`defaults.template`",
        }
    }
}

/// One place a name is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    /// The resource that writes it (`group.NAME`, `notification.NAME`).
    pub address: Address,
    /// The file.
    pub file: PathBuf,
    /// Where in the file.
    pub span: Span,
    /// What the name is there.
    pub role: Role,
}

/// Every name the manifests write, and where.
#[derive(Clone, Debug, Default)]
pub struct Names {
    /// userIds.
    pub users: BTreeMap<String, Vec<Place>>,
    /// Department ids.
    pub departments: BTreeMap<i64, Vec<Place>>,
    /// The departments whose sub-departments are needed too: those a work notification
    /// reaches (the platform includes sub-departments) and those of `members_from` with
    /// `sub_departments: true`.
    pub sub_departments: BTreeSet<i64>,
    /// Scene-group template ids.
    pub templates: BTreeMap<String, Vec<Place>>,
}

impl Names {
    /// The names of groups (owner, admins, members, template or `defaults.template`,
    /// `members_from` departments and `except`), of work notifications (users, departments) and
    /// of webhook mentions.
    pub fn of(workspace: &Workspace) -> Names {
        Names::collect(workspace, &|_| true)
    }

    /// Like [`Names::of`], but only the userIds `places_of` picks get their places (the others
    /// are listed with none): 20,000 groups of 20 members write 420,000 userIds, and the rules
    /// need the places only of those that are wrong (issue 15, the plan's memory).
    pub fn collect(workspace: &Workspace, places_of: &dyn Fn(&str) -> bool) -> Names {
        let mut names = Names::default();
        let default_template = workspace
            .settings
            .as_ref()
            .and_then(|settings| settings.defaults.template.as_ref());
        for (name, declared) in &workspace.groups {
            let address = Address::group(name);
            let spec = &declared.spec;
            let place = |span: &Span, role| Place {
                address: address.clone(),
                file: declared.file.clone(),
                span: span.clone(),
                role,
            };
            let owner = &spec.owner;
            names.user_at(&owner.value, places_of, || place(&owner.span, Role::Owner));
            for admin in &spec.admins {
                names.user_at(&admin.value, places_of, || place(&admin.span, Role::Admin));
            }
            for member in &spec.members {
                names.user_at(&member.value, places_of, || {
                    place(&member.span, Role::Member)
                });
            }
            if let Some(from) = &spec.members_from {
                for department in &from.departments {
                    let id = department.value as i64;
                    names.department(id, place(&department.span, Role::OrgChartDepartment));
                    if from.sub_departments {
                        names.sub_departments.insert(id);
                    }
                }
                for user in &from.except {
                    names.user_at(&user.value, places_of, || place(&user.span, Role::Except));
                }
            }
            if spec.group_type.value == crate::model::GroupType::Scene {
                match (&spec.template, default_template) {
                    (Some(template), _) => {
                        names.template(&template.value, place(&template.span, Role::Template));
                    }
                    (None, Some(template)) => names.template(
                        &template.value,
                        Place {
                            address: address.clone(),
                            file: workspace.settings_file.clone(),
                            span: template.span.clone(),
                            role: Role::DefaultTemplate,
                        },
                    ),
                    (None, None) => {}
                }
            }
        }
        for (name, declared) in &workspace.notifications {
            let place = |span: &Span, role| Place {
                address: Address::notification(name),
                file: declared.file.clone(),
                span: span.clone(),
                role,
            };
            let work = match declared.spec.via.value.target() {
                Ok(Target::WorkNotification(work)) => work,
                // A webhook's @-mentions name users too: an unknown one is mentioned in vain.
                Ok(Target::Webhook(webhook)) => {
                    for user in webhook.mentioned_users() {
                        names.user_at(&user.value, places_of, || place(&user.span, Role::Mention));
                    }
                    continue;
                }
                _ => continue,
            };
            for user in &work.users {
                names.user_at(&user.value, places_of, || {
                    place(&user.span, Role::Recipient)
                });
            }
            for department in &work.departments {
                let id = department.value as i64;
                names.department(id, place(&department.span, Role::Department));
                // `dept_id_list` reaches the sub-departments too.
                names.sub_departments.insert(id);
            }
        }
        names
    }

    /// Record a userId written at `place`.
    pub fn user(&mut self, userid: &str, place: Place) {
        self.users.entry(userid.to_owned()).or_default().push(place);
    }

    /// Record a userId, and where it is written when `places_of` picks it (the place is made
    /// only then, and the userId copied only the first time).
    fn user_at(
        &mut self,
        userid: &str,
        places_of: &dyn Fn(&str) -> bool,
        place: impl FnOnce() -> Place,
    ) {
        let places = match self.users.get_mut(userid) {
            Some(places) => places,
            None => self.users.entry(userid.to_owned()).or_default(),
        };
        if places_of(userid) {
            places.push(place());
        }
    }

    /// Record a department id written at `place`.
    pub fn department(&mut self, id: i64, place: Place) {
        self.departments.entry(id).or_default().push(place);
    }

    /// Record a template id written at `place`.
    pub fn template(&mut self, id: &str, place: Place) {
        self.templates.entry(id.to_owned()).or_default().push(place);
    }

    /// Reads [`read`] sends: one per user, one list of templates (departments are read by
    /// `plan::directory`).
    pub fn reads(&self) -> usize {
        self.users.len() + usize::from(!self.templates.is_empty())
    }
}

/// What the organization says of a userId.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    /// In the organization.
    Active,
    /// Left the organization.
    Departed,
    /// Not known to the organization.
    Unknown,
}

/// What the live organization says of the names the manifests write.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Directory {
    /// Each userId read.
    pub users: BTreeMap<String, UserStatus>,
    /// The organization's scene-group templates; `None` when no template was named.
    pub templates: Option<BTreeSet<String>>,
    /// userIds seen in the root department and its first sub-departments, read only when a
    /// name is unknown, to suggest the nearest one.
    pub nearby_users: BTreeSet<String>,
}

/// The root department of every DingTalk organization.
const ROOT_DEPARTMENT: i64 = 1;
/// Sub-departments of the root whose members are read for suggestions (a bound on the reads).
const SUGGESTION_DEPARTMENTS: usize = 20;

/// A directory read that failed for a reason other than "no such name".
#[derive(Debug, thiserror::Error)]
#[error("cannot check {what} against the organization: {source}")]
pub struct NameReadError {
    /// What was being read (`user u1001`, `the scene-group templates`).
    pub what: String,
    /// The platform's or the network's error.
    #[source]
    pub source: ApiError,
}

enum Outcome {
    User(String, Result<UserStatus, ApiError>),
    Templates(Result<Vec<String>, ApiError>),
}

/// Whether an answer says the name does not exist (33012, `member.notFound`…), rather
/// than that the read failed: any other error stops the plan instead of inventing a finding.
fn is_unknown(error: &ApiError) -> bool {
    error.kind() == ErrorKind::NotFound
}

/// Read each distinct userId once and the templates once, concurrently. Returns the directory
/// and the reads sent.
pub async fn read<A: DingTalkApi + 'static>(
    api: Arc<A>,
    names: &Names,
) -> Result<(Directory, u64), NameReadError> {
    let mut tasks = JoinSet::new();
    for userid in names.users.keys() {
        let (api, userid) = (api.clone(), userid.clone());
        tasks.spawn(async move {
            let status = match api.get_user(&userid).await {
                Ok(user) if user.active => Ok(UserStatus::Active),
                Ok(_) => Ok(UserStatus::Departed),
                // 60121: the platform knows the user left.
                Err(error) if error.code() == Some("60121") => Ok(UserStatus::Departed),
                Err(error) if is_unknown(&error) => Ok(UserStatus::Unknown),
                Err(error) => Err(error),
            };
            Outcome::User(userid, status)
        });
    }
    if !names.templates.is_empty() {
        let api = api.clone();
        tasks.spawn(async move { Outcome::Templates(api.list_templates().await) });
    }
    let mut directory = Directory::default();
    let mut reads = 0;
    while let Some(joined) = tasks.join_next().await {
        reads += 1;
        match joined.expect("name reads do not panic") {
            Outcome::User(userid, status) => {
                let status = status.map_err(|source| NameReadError {
                    what: format!("user {userid}"),
                    source,
                })?;
                directory.users.insert(userid, status);
            }
            Outcome::Templates(templates) => {
                let templates = templates.map_err(|source| NameReadError {
                    what: "the scene-group templates".into(),
                    source,
                })?;
                directory.templates = Some(templates.into_iter().collect());
            }
        }
    }
    if directory.users.values().any(|s| *s == UserStatus::Unknown) {
        reads += read_nearby_users(api, &mut directory.nearby_users).await;
    }
    Ok((directory, reads))
}

/// Best effort, on the error path only: members of the root department and of its first
/// sub-departments, so that "did you mean" can name a user the manifests do not (the platform
/// has no search by similar userId). Returns the reads sent; failures only cost suggestions.
async fn read_nearby_users<A: DingTalkApi + 'static>(
    api: Arc<A>,
    nearby: &mut BTreeSet<String>,
) -> u64 {
    let mut departments = vec![ROOT_DEPARTMENT];
    if let Ok(children) = api.sub_departments(ROOT_DEPARTMENT).await {
        departments.extend(children.into_iter().take(SUGGESTION_DEPARTMENTS));
    }
    let mut tasks = JoinSet::new();
    for id in &departments {
        let (api, id) = (api.clone(), *id);
        tasks.spawn(async move { api.department_user_ids(id).await });
    }
    while let Some(joined) = tasks.join_next().await {
        if let Ok(Ok(users)) = joined {
            nearby.extend(users);
        }
    }
    1 + departments.len() as u64
}

/// Every finding about names: one rule per file in `plan/rules/`.
pub fn check(workspace: &Workspace, live: &super::refresh::Live, findings: &mut Vec<Finding>) {
    use super::rules;
    // Only unknown and departed users are findings: the places of the others are not needed.
    let names = Names::collect(workspace, &|userid| {
        live.names.users.get(userid) != Some(&UserStatus::Active)
    });
    rules::unknown_user::check(&names, live, findings);
    rules::departed_user::check(&names, live, findings);
    rules::unknown_template::check(&names, &live.names, findings);
    rules::unknown_department::check(&names, &live.directory, findings);
    rules::bot_needs_console::check_uses(workspace, live, findings);
}

/// userIds known to exist: those read as active, the members of the departments and of the
/// groups read.
pub fn known_users(live: &super::refresh::Live) -> BTreeSet<&str> {
    let mut known: BTreeSet<&str> = live
        .names
        .users
        .iter()
        .filter(|(_, status)| **status == UserStatus::Active)
        .map(|(userid, _)| userid.as_str())
        .collect();
    known.extend(live.names.nearby_users.iter().map(String::as_str));
    for department in live.directory.departments.values() {
        known.extend(department.users.iter().map(String::as_str));
    }
    for read in live.groups.values() {
        if let super::refresh::GroupRead::Found { attributes, .. } = read {
            known.insert(attributes.owner.as_str());
            known.extend(attributes.members.iter().map(String::as_str));
        }
    }
    known
}
