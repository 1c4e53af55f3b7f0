//! The organization the emulator pretends to be: a YAML seed file (`--seed`), or the built-in
//! demo organization (`demo-seed.yaml`, the one `examples/` are written against).

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::EmulatorError;

/// The built-in demo organization.
const DEMO_SEED: &str = include_str!("demo-seed.yaml");

/// A seed: organization, apps, directory, bots, templates (and optionally plugins).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    /// The organization.
    pub organization: Organization,
    /// Apps whose credentials get tokens.
    #[serde(default)]
    pub apps: Vec<App>,
    /// Departments.
    #[serde(default)]
    pub departments: Vec<Department>,
    /// Users (`active: false` = departed).
    #[serde(default)]
    pub users: Vec<User>,
    /// Bots made in the Developer Console (`bot-needs-console`: the API cannot create one).
    #[serde(default)]
    pub bots: Vec<Bot>,
    /// Scene-group templates made in the Developer Console.
    #[serde(default)]
    pub scene_group_templates: Vec<Template>,
    /// Group plugins (cool apps) made in the Developer Console; installing a code not listed
    /// here is accepted too, named by its code.
    #[serde(default)]
    pub plugins: Vec<Plugin>,
    /// Groups that exist before anyone calls the API (an organization's Internal Group is
    /// made by DingTalk itself), for import and adoption.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<SeedGroup>,
}

/// A group the organization already has.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedGroup {
    /// Its open conversation id.
    pub open_conversation_id: String,
    /// Its chat id.
    pub chat_id: String,
    /// scene | internal | standard.
    #[serde(rename = "type")]
    pub kind: super::world::GroupKind,
    /// Its name.
    pub title: String,
    /// The owner's userId.
    pub owner: String,
    /// Members besides the owner.
    #[serde(default)]
    pub members: Vec<String>,
    /// Sub-admins.
    #[serde(default)]
    pub admins: Vec<String>,
    /// Scene groups: the template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_id: Option<String>,
}

/// The organization.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    /// corpId.
    pub corp_id: String,
    /// Display name (internal groups are named "`<name> [Internal Group]`").
    pub name: String,
}

/// What kind of app: it changes the daily limits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppKind {
    /// An internal app: 500 messages a day per user, 5,000 users per request.
    #[default]
    Internal,
    /// A third-party enterprise app: 100 a day per user, 1,000 users per request.
    ThirdParty,
}

/// An app and its credentials.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct App {
    /// appKey / client_id.
    pub app_key: String,
    /// appSecret (a secret: never logged, never in `GET state`).
    pub app_secret: String,
    /// agent_id for work notifications.
    pub agent_id: i64,
    /// internal | third_party.
    #[serde(default)]
    pub kind: AppKind,
}

/// A department.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Department {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Parent department (none = under the root).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<i64>,
}

/// A user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// userId.
    pub userid: String,
    /// Name.
    pub name: String,
    /// Departments.
    #[serde(default)]
    pub departments: Vec<i64>,
    /// false = departed (left the organization).
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// A bot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bot {
    /// robotCode.
    pub robot_code: String,
    /// Name.
    pub name: String,
}

/// A scene-group template.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    /// Template id.
    pub id: String,
    /// Name.
    pub name: String,
}

/// A group plugin (cool app).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plugin {
    /// coolAppCode.
    pub cool_app_code: String,
    /// Name (≤4 characters).
    pub name: String,
    /// Its page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl Seed {
    /// The built-in demo organization.
    pub fn demo() -> Self {
        Self::from_yaml("demo-seed.yaml", DEMO_SEED).expect("the built-in demo seed is valid")
    }

    /// Parse a seed from YAML text; `origin` names it in errors.
    pub fn from_yaml(origin: &str, text: &str) -> Result<Self, EmulatorError> {
        let seed: Seed = serde_saphyr::from_str(text).map_err(|error| EmulatorError::Seed {
            origin: origin.to_owned(),
            message: error.to_string(),
        })?;
        seed.check(origin)?;
        Ok(seed)
    }

    /// Read and parse a seed file.
    pub fn from_file(path: &Path) -> Result<Self, EmulatorError> {
        let text = std::fs::read_to_string(path).map_err(|source| EmulatorError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::from_yaml(&path.display().to_string(), &text)
    }

    /// Refuse a seed whose references do not resolve.
    pub fn check(&self, origin: &str) -> Result<(), EmulatorError> {
        let invalid = |message: String| EmulatorError::Seed {
            origin: origin.to_owned(),
            message,
        };
        let mut seen = std::collections::BTreeSet::new();
        for department in &self.departments {
            if !seen.insert(department.id) {
                return Err(invalid(format!(
                    "department {} is declared twice",
                    department.id
                )));
            }
        }
        for department in &self.departments {
            if let Some(parent) = department.parent
                && !seen.contains(&parent)
            {
                return Err(invalid(format!(
                    "department {} names parent {parent}, which is not declared",
                    department.id
                )));
            }
        }
        let mut users = std::collections::BTreeSet::new();
        for user in &self.users {
            if !users.insert(&user.userid) {
                return Err(invalid(format!("user `{}` is declared twice", user.userid)));
            }
            if let Some(missing) = user.departments.iter().find(|id| !seen.contains(id)) {
                return Err(invalid(format!(
                    "user `{}` is in department {missing}, which is not declared",
                    user.userid
                )));
            }
        }
        let mut keys = std::collections::BTreeSet::new();
        for app in &self.apps {
            if !keys.insert(&app.app_key) {
                return Err(invalid(format!("app `{}` is declared twice", app.app_key)));
            }
        }
        Ok(())
    }

    /// The app with this key.
    pub fn app(&self, app_key: &str) -> Option<&App> {
        self.apps.iter().find(|app| app.app_key == app_key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_seed_loads_with_a_departed_user() {
        let seed = Seed::demo();
        assert_eq!(seed.organization.corp_id, "dingdemo");
        let han = seed
            .users
            .iter()
            .find(|user| user.userid == "u1099")
            .unwrap();
        assert!(!han.active);
    }

    #[test]
    fn an_unknown_department_is_named_in_the_error() {
        let error = Seed::from_yaml(
            "s.yaml",
            "organization: {corp_id: c, name: n}\nusers: [{userid: a, name: A, departments: [9]}]\n",
        )
        .unwrap_err();
        assert!(error.to_string().contains("department 9"), "{error}");
        assert!(error.to_string().contains("s.yaml"), "{error}");
    }
}
