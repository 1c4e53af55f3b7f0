//! What the fuzzer expects: the workspace it writes (groups, bots, notifications and the
//! refactoring blocks) and what it knows of the live organization (departures, groups it made
//! or disbanded behind dingform's back). The manifests are rendered from this model, and the
//! emulator is checked against it after every step.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// Owners a group may have (never made to leave, so a group always has an active owner).
pub const OWNERS: [&str; 3] = ["manager4220", "u1001", "u1002"];
/// People who may be admins and members.
pub const PEOPLE: [&str; 6] = ["u1001", "u1002", "u1003", "u1004", "u1005", "u1006"];
/// People who may leave the organization (and come back): never an owner candidate.
pub const LEAVERS: [&str; 4] = ["u1003", "u1004", "u1005", "u1006"];
/// The demo organization's bots: (name in the manifests, robot code, display name).
pub const BOTS: [(&str, &str, &str); 3] = [
    ("alerts", "dingbot-alerts", "Alert Bot"),
    ("digest", "dingbot-digest", "Digest Bot"),
    ("deploy", "dingbot-deploy", "Deploy Bot"),
];
/// The demo organization's scene-group templates.
pub const TEMPLATES: [&str; 2] = ["tpl-default", "tpl-oncall"];

/// What kind of group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// 场景群: can be disbanded through the API.
    Scene,
    /// 企业群: cannot be disbanded through the API.
    Internal,
    /// 普通群: cannot be disbanded through the API, keeps departed members.
    Standard,
}

impl Kind {
    /// As the manifests and the emulator spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Scene => "scene",
            Kind::Internal => "internal",
            Kind::Standard => "standard",
        }
    }

    /// Whether dingform can disband it (`delete-unsupported` otherwise).
    pub fn disbandable(self) -> bool {
        self == Kind::Scene
    }
}

/// A group as the manifests declare it.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupSpec {
    /// Title (short: ≤30 characters).
    pub title: String,
    /// Kind.
    pub kind: Kind,
    /// Index into [`TEMPLATES`] (scene groups).
    pub template: usize,
    /// Owner.
    pub owner: String,
    /// Sub-admins (never the owner).
    pub admins: BTreeSet<String>,
    /// Members listed besides owner and admins.
    pub members: BTreeSet<String>,
    /// `members_policy: additive`.
    pub additive: bool,
    /// `settings.searchable`.
    pub searchable: Option<bool>,
    /// `settings.mention_all: admins` (true) or `everyone` (false).
    pub mention_admins: Option<bool>,
    /// Bot names (from [`BOTS`]).
    pub bots: BTreeSet<String>,
    /// `prevent_destroy: true`.
    pub prevent_destroy: bool,
}

impl GroupSpec {
    /// Everyone who must be a member: owner, admins, members.
    pub fn all_members(&self) -> BTreeSet<String> {
        let mut all = self.members.clone();
        all.extend(self.admins.iter().cloned());
        all.insert(self.owner.clone());
        all
    }

    /// Everyone the spec names.
    pub fn names_user(&self, user: &str) -> bool {
        self.all_members().contains(user)
    }

    /// Whether going from `self` to `next` replaces the group (disband and make again).
    pub fn replaced_by(&self, next: &GroupSpec) -> bool {
        self.kind != next.kind
            || (self.kind == Kind::Scene
                && next.kind == Kind::Scene
                && self.template != next.template)
    }
}

/// A group under management (declared in the manifests).
#[derive(Clone, Debug)]
pub struct Managed {
    /// Its name (the address is `group.NAME`).
    pub name: String,
    /// What the manifests say.
    pub spec: GroupSpec,
    /// The live group it is, once an apply made or adopted it (open conversation id).
    pub id: Option<String>,
    /// What the manifests said when the live group was last converged.
    pub applied: Option<GroupSpec>,
    /// `prevent_destroy` was set when dingform last made or adopted the live group, and has
    /// been set ever since.
    pub protected_since_made: bool,
    /// `prevent_destroy` was set at some point of this group's life.
    pub ever_protected: bool,
    /// Protection was switched on after the group was made (defects-a: not recorded).
    pub protected_later: bool,
    /// An `import:` block adopts this live id.
    pub import: Option<String>,
    /// A `moved:` block from this old name.
    pub moved_from: Option<String>,
    /// Adopted with `dingform import` (after an unconfirmed create) since the last
    /// convergence.
    pub adopted: bool,
}

/// A live group nobody manages any more (forgotten, or made by hand and not yet imported).
#[derive(Clone, Debug)]
pub struct Unmanaged {
    /// Open conversation id.
    pub id: String,
    /// Chat id.
    pub chat_id: String,
    /// What it looked like when it left management (or was made).
    pub spec: GroupSpec,
}

/// A work notification.
#[derive(Clone, Debug, PartialEq)]
pub struct Notification {
    /// Recipients.
    pub users: BTreeSet<String>,
    /// Edited this many times (varies the text).
    pub version: u32,
}

/// The whole expectation.
#[derive(Clone, Debug, Default)]
pub struct Model {
    /// Groups in the manifests, in declaration order.
    pub groups: Vec<Managed>,
    /// Live groups no address manages.
    pub unmanaged: Vec<Unmanaged>,
    /// Ids disbanded behind dingform's back (they may be disbanded; nothing else may).
    pub disbanded_outside: BTreeSet<String>,
    /// `removed:` blocks to write (addresses).
    pub removed: Vec<String>,
    /// Notifications by name.
    pub notifications: BTreeMap<String, Notification>,
    /// Bot display names by bot name (a rename is a change here).
    pub bot_names: BTreeMap<String, String>,
    /// People who left the organization.
    pub departed: BTreeSet<String>,
    /// Names of groups taken out of management (disbanded, renamed without `moved`, or
    /// forgotten): people declare a group under an old name again.
    pub retired: Vec<String>,
    /// A counter for fresh names and titles.
    pub counter: u32,
}

impl Model {
    /// The seed workspace: two groups (a scene group with a bot, a standard group), one
    /// notification.
    pub fn seed() -> Model {
        let mut model = Model {
            bot_names: BOTS
                .iter()
                .map(|(name, _, display)| ((*name).to_owned(), (*display).to_owned()))
                .collect(),
            ..Model::default()
        };
        let oncall = GroupSpec {
            title: "Oncall".into(),
            kind: Kind::Scene,
            template: 0,
            owner: "manager4220".into(),
            admins: set(&["u1001"]),
            members: set(&["u1001", "u1002"]),
            additive: false,
            searchable: None,
            mention_admins: None,
            bots: set(&["alerts"]),
            prevent_destroy: false,
        };
        let lunch = GroupSpec {
            title: "Lunch".into(),
            kind: Kind::Standard,
            template: 0,
            owner: "u1001".into(),
            admins: BTreeSet::new(),
            members: set(&["u1003"]),
            additive: false,
            searchable: None,
            mention_admins: None,
            bots: BTreeSet::new(),
            prevent_destroy: false,
        };
        model.add_group("oncall", oncall);
        model.add_group("lunch", lunch);
        model.notifications.insert(
            "standup".into(),
            Notification {
                users: set(&["u1001"]),
                version: 0,
            },
        );
        model
    }

    /// Declare a new group.
    pub fn add_group(&mut self, name: &str, spec: GroupSpec) {
        self.groups.push(Managed {
            name: name.to_owned(),
            ever_protected: spec.prevent_destroy,
            spec,
            id: None,
            applied: None,
            protected_since_made: false,
            protected_later: false,
            import: None,
            moved_from: None,
            adopted: false,
        });
    }

    /// A fresh number for names and titles.
    pub fn next(&mut self) -> u32 {
        self.counter += 1;
        self.counter
    }

    /// A group name not in use (nor in the state under another address).
    pub fn fresh_name(&mut self, stem: &str) -> String {
        format!("{stem}{}", self.next())
    }

    /// The managed group at `slot` (modulo the count), if any.
    pub fn slot(&self, slot: usize) -> Option<usize> {
        (!self.groups.is_empty()).then(|| slot % self.groups.len())
    }

    /// Whether some manifest names a departed user.
    pub fn names_departed(&self) -> bool {
        self.departed.iter().any(|user| {
            self.groups.iter().any(|g| g.spec.names_user(user))
                || self.notifications.values().any(|n| n.users.contains(user))
        })
    }

    /// What a person does when the plan says someone named has left: take them out.
    pub fn drop_departed(&mut self) {
        let departed = self.departed.clone();
        for group in &mut self.groups {
            group.spec.admins.retain(|u| !departed.contains(u));
            group.spec.members.retain(|u| !departed.contains(u));
        }
        for notification in self.notifications.values_mut() {
            notification.users.retain(|u| !departed.contains(u));
            if notification.users.is_empty() {
                notification.users.insert("manager4220".into());
            }
        }
    }

    /// The manifests: `groups.yaml` (groups, bots and blocks) and `notifications.yaml`.
    pub fn manifests(&self) -> Vec<(&'static str, String)> {
        let mut groups = String::from("bots:\n");
        for (name, code, _) in BOTS {
            let display = &self.bot_names[name];
            let _ = writeln!(
                groups,
                "  {name}: {{robot_code: {code}, name: {display:?}}}"
            );
        }
        if !self.groups.is_empty() {
            groups.push_str("groups:\n");
        }
        for group in &self.groups {
            render_group(&mut groups, &group.name, &group.spec);
        }
        let moved: Vec<_> = self
            .groups
            .iter()
            .filter_map(|g| g.moved_from.as_ref().map(|from| (from, &g.name)))
            .collect();
        if !moved.is_empty() {
            groups.push_str("moved:\n");
            for (from, to) in moved {
                let _ = writeln!(groups, "  - {{from: group.{from}, to: group.{to}}}");
            }
        }
        let imports: Vec<_> = self
            .groups
            .iter()
            .filter_map(|g| g.import.as_ref().map(|id| (&g.name, id)))
            .collect();
        if !imports.is_empty() {
            groups.push_str("import:\n");
            for (to, id) in imports {
                let _ = writeln!(groups, "  - {{to: group.{to}, id: {id:?}}}");
            }
        }
        if !self.removed.is_empty() {
            groups.push_str("removed:\n");
            for from in &self.removed {
                let _ = writeln!(groups, "  - {{from: {from}}}");
            }
        }
        let mut notifications = String::new();
        if !self.notifications.is_empty() {
            notifications.push_str("notifications:\n");
        }
        for (name, notification) in &self.notifications {
            let users: Vec<&str> = notification.users.iter().map(String::as_str).collect();
            let _ = writeln!(
                notifications,
                "  {name}:\n    schedule: \"0 9 * * 1-5\"\n    timezone: Asia/Shanghai\n    \
                 via: {{work_notification: {{users: [{}]}}}}\n    \
                 message: {{text: {{content: \"{name} stand-up, edition {}\"}}}}",
                users.join(", "),
                notification.version
            );
        }
        vec![
            ("groups.yaml", groups),
            ("notifications.yaml", notifications),
        ]
    }
}

fn render_group(out: &mut String, name: &str, spec: &GroupSpec) {
    let _ = writeln!(out, "  {name}:");
    let _ = writeln!(out, "    title: {:?}", spec.title);
    let _ = writeln!(out, "    type: {}", spec.kind.as_str());
    if spec.kind == Kind::Scene {
        let _ = writeln!(out, "    template: {}", TEMPLATES[spec.template]);
    }
    let _ = writeln!(out, "    owner: {}", spec.owner);
    if !spec.admins.is_empty() {
        let _ = writeln!(out, "    admins: [{}]", join(&spec.admins));
    }
    if !spec.members.is_empty() {
        let _ = writeln!(out, "    members: [{}]", join(&spec.members));
    }
    if spec.additive {
        out.push_str("    members_policy: additive\n");
    }
    let mut settings = Vec::new();
    if let Some(searchable) = spec.searchable {
        settings.push(format!("searchable: {searchable}"));
    }
    if let Some(admins) = spec.mention_admins {
        settings.push(format!(
            "mention_all: {}",
            if admins { "admins" } else { "everyone" }
        ));
    }
    if !settings.is_empty() {
        let _ = writeln!(out, "    settings: {{{}}}", settings.join(", "));
    }
    if !spec.bots.is_empty() {
        let _ = writeln!(out, "    bots: [{}]", join(&spec.bots));
    }
    if spec.prevent_destroy {
        out.push_str("    prevent_destroy: true\n");
    }
}

fn join(items: &BTreeSet<String>) -> String {
    items
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A set of user ids or names.
pub fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|item| (*item).to_owned()).collect()
}
