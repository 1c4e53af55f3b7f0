//! Build a [`Plan`] from the manifests, the state and what refresh read.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::attributes::{BotAttributes, GroupAttributes, NotificationAttributes, to_object};
use super::diff::{SetPolicy, diff_fields, diff_objects};
use super::identity::creation_uuid;
use super::refresh::{GroupRead, Live};
use super::{Action, Change, FORMAT_VERSION, Fingerprints, Plan, rules};
use crate::manifest::Validation;
use crate::model::group::Policy;
use crate::model::manifest::{Import, InFile};
use crate::model::{Address, Clock, Declared, Finding, Group, ResourceKind, Sources, SystemClock};
use crate::state::State;

/// What a plan may depend on besides the manifests, state and live reads.
#[derive(Clone, Debug)]
pub struct PlanOptions {
    /// Accept a plan that disbands more than the safe share of managed groups.
    pub allow_mass_delete: bool,
    /// The time join-URL ages are measured at.
    pub now: DateTime<Utc>,
    /// The platform's rate per API, for the duration estimate.
    pub requests_per_second: f64,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            allow_mass_delete: false,
            now: SystemClock.now(),
            requests_per_second: 20.0,
        }
    }
}

/// Fields of a group compared by the generic diff (the rest have rules of their own).
const GENERIC_GROUP_FIELDS: &[&str] = &[
    "title", "owner", "admins", "members", "settings", "bots", "icon",
];

/// Compare and decide. `validation` carries the static findings, which the plan keeps.
pub fn build(validation: &Validation, state: &State, live: &Live, options: &PlanOptions) -> Plan {
    let workspace = &validation.workspace;
    let organization = workspace.organization().unwrap_or_default().to_owned();
    // The workspace's part of every creation uuid (`plan::identity`).
    let scope = CreationScope {
        organization: &organization,
        lineage: &state.lineage,
    };
    let default_template = workspace
        .settings
        .as_ref()
        .and_then(|s| s.defaults.template.as_ref())
        .map(|t| t.value.clone());
    let robot_code = |name: &str| {
        workspace
            .bots
            .get(name)
            .and_then(|bot| bot.spec.robot_code.as_ref())
            .map(|code| code.value.clone())
    };
    let mut changes = Vec::new();
    let mut findings = validation.findings.clone();
    let moves = super::moves::resolve(workspace, state, live, &mut findings);
    let (state, live) = (&*moves.state, &*moves.live);
    // A block whose address does not parse is `validate`'s invalid-address error.
    let forgotten: BTreeSet<Address> = workspace
        .removed
        .iter()
        .filter_map(|block| block.block.address())
        .collect();

    for (name, declared) in &workspace.groups {
        let address = Address::group(name);
        let mut desired =
            GroupAttributes::desired(&declared.spec, default_template.as_deref(), &robot_code);
        let org_chart =
            super::members_from::resolve(&address, declared, live, &mut desired, &mut findings);
        let entry = state.resources.get(&address);
        rules::create_unverified::check(&address, declared, entry, &mut findings);
        let mut change = plan_group(
            &address,
            declared,
            &desired,
            entry,
            state.first_generation(&address),
            live,
            &workspace.imports,
            &scope,
            &mut findings,
        );
        if let Some(resolution) = &org_chart {
            super::members_from::explain(
                &mut change,
                declared,
                resolution,
                entry,
                live,
                options.allow_mass_delete,
                &mut findings,
            );
        }
        if matches!(change.action, Action::Update | Action::NoOp) {
            let now = options.now;
            rules::group_url_expiry::check_age(&address, declared, entry, live, now, &mut findings);
        }
        rules::group_title_length::check(&change, declared, &mut findings);
        rules::prevent_destroy::check_replace(&change, declared, entry, &mut findings);
        changes.push(change);
    }
    for (name, declared) in &workspace.bots {
        let address = Address::bot(name);
        let desired = BotAttributes::desired(&declared.spec);
        let entry = state.resources.get(&address);
        changes.push(plan_attributes(&address, to_object(&desired), entry));
        rules::bot_needs_console::check(&address, declared, live, &mut findings);
        rules::bot_rename_test_group::check(&address, declared, entry, live, &mut findings);
    }
    for (name, declared) in &workspace.notifications {
        let address = Address::notification(name);
        let mut desired = NotificationAttributes::desired(&declared.spec);
        super::image_path::rebase(&mut desired.message, &declared.file, &workspace.root);
        changes.push(plan_attributes(
            &address,
            to_object(&desired),
            state.resources.get(&address),
        ));
    }
    let declared: BTreeSet<Address> = changes.iter().map(|c| c.address.clone()).collect();
    for (address, entry) in &state.resources {
        if declared.contains(address) {
            continue;
        }
        let before = match live.groups.get(address) {
            Some(GroupRead::Found { attributes, .. }) => Some(Value::Object(to_object(attributes))),
            _ => (!entry.attributes.is_null()).then(|| entry.attributes.clone()),
        };
        let action = if forgotten.contains(address)
            || address.kind != ResourceKind::Group
            || entry.id.is_none()
        {
            // An unconfirmed create (no id) of a resource no longer declared is forgotten too.
            // Bots and notifications have nothing on the platform to destroy.
            Action::Forget
        } else if matches!(live.groups.get(address), Some(GroupRead::Gone)) {
            Action::Forget
        } else {
            Action::Delete
        };
        let mut notes = Vec::new();
        if address.kind == ResourceKind::Notification {
            notes.push(
                "no longer in the manifests: `dingform notify run` stops sending it".to_owned(),
            );
        }
        if action == Action::Delete {
            let members = before
                .as_ref()
                .and_then(|b| b.get("members"))
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            notes.push(format!(
                "disband: {members} members lose the chat history and files"
            ));
            if entry.attributes.get("prevent_destroy") == Some(&Value::Bool(true)) {
                findings.push(
                    Finding::error(
                        "prevent-destroy",
                        format!("{address} has prevent_destroy set and would be disbanded"),
                    )
                    .address(address.clone())
                    .help(format!("put the group back in the manifests, or to stop managing it without disbanding, add `removed: [{{from: {address}}}]`")),
                );
            }
        }
        let change = Change {
            address: address.clone(),
            action,
            before,
            after: None,
            fields: Vec::new(),
            from: None,
            notes,
        };
        rules::delete_unsupported::check(&change, &mut findings);
        changes.push(change);
    }
    for change in &changes {
        if change.action == Action::Replace {
            rules::delete_unsupported::check(change, &mut findings);
        }
    }
    for change in &mut changes {
        if let Some(from) = moves.from.get(&change.address) {
            if matches!(change.action, Action::NoOp | Action::Update) {
                change.action = Action::Move;
            } else {
                change.notes.push(format!("moved from {from}"));
            }
            change.from = Some(from.to_string());
        }
    }
    changes.sort_by(|a, b| a.address.cmp(&b.address));
    rules::import_already_managed::check(&changes, state, &workspace.imports, &mut findings);
    rules::mass_delete::check(&changes, state, options.allow_mass_delete, &mut findings);
    rules::rename_without_moved::check(&changes, workspace, &mut findings);
    super::names::check(workspace, live, &mut findings);
    super::recipients::check(workspace, &live.directory, options.now, &mut findings);
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup();
    let estimate = super::estimate::estimate(&changes, state, options.requests_per_second);
    Plan {
        format_version: FORMAT_VERSION,
        changes,
        findings,
        fingerprints: Fingerprints {
            manifests: manifests_digest(&validation.sources, &workspace.root),
            manifest_files: super::staleness::manifest_files(&validation.sources, &workspace.root),
            // A state never written has no lineage of its own yet (only the one it would take,
            // derived from where it is kept, which differs per machine): none to compare.
            state_lineage: (state.serial > 0).then(|| state.lineage.clone()),
            state_serial: state.serial,
            live: live_digest(live),
            live_parts: super::staleness::live_parts(live),
        },
        estimate,
    }
}

/// Where the creation uuids of a plan are derived: the organization and the workspace (its
/// state's lineage).
pub(super) struct CreationScope<'a> {
    pub(super) organization: &'a str,
    pub(super) lineage: &'a str,
}

#[expect(
    clippy::too_many_arguments,
    reason = "one call site; a struct would only rename them"
)]
pub(super) fn plan_group(
    address: &Address,
    declared: &Declared<Group>,
    desired: &GroupAttributes,
    entry: Option<&crate::state::ResourceState>,
    first_generation: u32,
    live: &Live,
    imports: &[InFile<Import>],
    scope: &CreationScope<'_>,
    findings: &mut Vec<Finding>,
) -> Change {
    if entry.is_none()
        && let Some(read) = live.imports.get(address)
    {
        return super::imports::plan_import(
            address, declared, desired, read, live, imports, scope, findings,
        );
    }
    let mut after = to_object(desired);
    if declared.spec.prevent_destroy {
        // Recorded in state by apply, so that a later plan without the manifest still refuses.
        after.insert("prevent_destroy".into(), Value::Bool(true));
    }
    let create = |generation: u32, notes: Vec<String>| {
        let mut after = after.clone();
        let uuid = entry
            .filter(|e| e.id.is_none() && e.generation == generation)
            .and_then(|e| e.creation_uuid.clone())
            .unwrap_or_else(|| {
                creation_uuid(scope.organization, scope.lineage, address, generation)
            });
        after.insert("uuid".into(), Value::from(uuid));
        if generation > 0 {
            after.insert("generation".into(), Value::from(generation));
        }
        Change {
            address: address.clone(),
            action: Action::Create,
            before: None,
            after: Some(Value::Object(after)),
            fields: Vec::new(),
            from: None,
            notes,
        }
    };
    let Some(entry) = entry.filter(|e| e.id.is_some()) else {
        let notes = match entry {
            Some(_) => vec![
                "an earlier apply was interrupted: the create is sent again with the same uuid"
                    .into(),
            ],
            None => Vec::new(),
        };
        return create(entry.map_or(first_generation, |e| e.generation), notes);
    };
    let live_attributes = match live.groups.get(address) {
        Some(GroupRead::Found { attributes, .. }) => attributes,
        Some(GroupRead::Gone) => {
            return create(
                entry.generation + 1,
                vec!["deleted or disbanded outside dingform: it will be made again".into()],
            );
        }
        None => {
            return Change {
                address: address.clone(),
                action: Action::NoOp,
                before: Some(Value::Object(after.clone())),
                after: Some(Value::Object(after)),
                fields: Vec::new(),
                from: None,
                notes: vec!["not read".into()],
            };
        }
    };
    let live_attributes = &with_unreadable_from_state(live_attributes, entry);
    let before = to_object(live_attributes);
    let mut notes = Vec::new();
    let template_moved = desired.template.is_some()
        && live_attributes.template.is_some()
        && desired.template != live_attributes.template;
    if live_attributes.group_type != desired.group_type || template_moved {
        let mut change = create(entry.generation + 1, Vec::new());
        change.action = Action::Replace;
        change.before = Some(Value::Object(before));
        change.notes.push(if template_moved {
            "a scene group's template cannot change: the group is disbanded and made again".into()
        } else {
            "a group's type cannot change: the group is disbanded and made again".into()
        });
        // As loud as a delete: a replace disbands the group just the same.
        let members = live_attributes.members.len();
        change.notes.push(format!(
            "disband: {members} members lose the chat history and files"
        ));
        return change;
    }
    let spec = &declared.spec;
    let policy = |field: &str| match field {
        "members" if spec.members_policy == Policy::Additive => SetPolicy::Additive,
        "admins" if spec.admins_policy == Policy::Additive => SetPolicy::Additive,
        _ => SetPolicy::Exact,
    };
    let generic = |key: &str| GENERIC_GROUP_FIELDS.contains(&key);
    let mut fields = diff_fields(&before, &after, &generic, &policy);
    let last_applied_plugins: BTreeMap<String, String> = entry
        .attributes
        .get("plugins")
        .and_then(|p| serde_json::from_value(p.clone()).ok())
        .unwrap_or_default();
    let last_applied_tabs: BTreeMap<String, Value> = entry
        .attributes
        .get("tabs")
        .and_then(|t| serde_json::from_value(t.clone()).ok())
        .unwrap_or_default();
    fields.extend(super::tabs::diff(
        &live_attributes.tabs,
        &desired.tabs,
        &last_applied_tabs,
    ));
    if let Some(install) = rules::plugin_immutable::check(
        address,
        declared,
        desired,
        live_attributes,
        &last_applied_plugins,
        findings,
    ) {
        fields.push(install);
    }
    rules::group_url_expiry::check(address, declared, &fields, findings);
    rules::standard_group_departed::check(address, declared, live_attributes, live, findings);
    rules::group_member_limit::check(address, declared, desired, live_attributes, findings);
    if !fields.is_empty() && entry.attributes.is_null() {
        notes.push("imported or first seen: changes bring it to the manifest".into());
    } else if let Some(note) = super::drift::mark(&mut fields, &before, &entry.attributes) {
        notes.push(note);
    }
    if let Some(protection) = super::protection::change(entry, declared.spec.prevent_destroy) {
        if fields.is_empty() {
            notes.push("recorded in state only: nothing changes on DingTalk".into());
        }
        fields.push(protection);
    }
    Change {
        address: address.clone(),
        action: if fields.is_empty() {
            Action::NoOp
        } else {
            Action::Update
        },
        before: Some(Value::Object(before)),
        after: Some(Value::Object(after)),
        fields,
        from: None,
        notes,
    }
}

/// Fill in what the platform's reads do not report with what dingform last applied: the
/// scene-group read returns only some switches, and `/chat/get` returns no sub-admins. Without
/// this, such fields would show as changed on every plan. An admin is a member: one who has
/// left the group since (removed by an apply killed before it recorded so, or by hand) lost
/// the role with it, so the applied admins count only while the live group lists them.
fn with_unreadable_from_state(
    live: &GroupAttributes,
    entry: &crate::state::ResourceState,
) -> GroupAttributes {
    let mut live = live.clone();
    let applied = &entry.attributes;
    if let Some(Value::Object(settings)) = applied.get("settings") {
        for (key, value) in settings {
            live.settings
                .entry(key.clone())
                .or_insert_with(|| value.clone());
        }
    }
    if live.kind() != crate::model::live::GroupKind::Scene
        && live.admins.is_empty()
        && let Some(admins) = applied.get("admins").and_then(Value::as_array)
    {
        live.admins = admins
            .iter()
            .filter_map(Value::as_str)
            .filter(|admin| live.members.iter().any(|member| member == admin))
            .map(str::to_owned)
            .collect();
    }
    live
}

/// Bots and notifications: compared with what was last applied (nothing live to read).
fn plan_attributes(
    address: &Address,
    desired: Map<String, Value>,
    entry: Option<&crate::state::ResourceState>,
) -> Change {
    let before = entry.map(|e| e.attributes.clone()).filter(|a| !a.is_null());
    let (action, fields) = match &before {
        None => (Action::Create, Vec::new()),
        Some(Value::Object(before)) => {
            let fields = diff_objects(before, &desired, &|_| SetPolicy::Exact);
            let action = if fields.is_empty() {
                Action::NoOp
            } else {
                Action::Update
            };
            (action, fields)
        }
        Some(_) => (Action::Update, Vec::new()),
    };
    Change {
        address: address.clone(),
        action,
        before,
        after: Some(Value::Object(desired)),
        fields,
        from: None,
        notes: Vec::new(),
    }
}

fn manifests_digest(sources: &Sources, root: &std::path::Path) -> String {
    let mut hasher = Sha256::new();
    // Paths relative to the workspace, so that `plan` in the workspace and `apply PLANFILE`
    // (which knows the workspace by its absolute path) digest the same files alike.
    let mut files: Vec<_> = sources
        .iter()
        .map(|(path, text)| (path.strip_prefix(root).unwrap_or(path), text))
        .collect();
    files.sort();
    for (path, text) in files {
        hasher.update(path.to_string_lossy().as_bytes());
        hasher.update([0]);
        hasher.update(text.as_bytes());
        hasher.update([0]);
    }
    hex::encode(hasher.finalize())
}

fn live_digest(live: &Live) -> String {
    /// The live reads as they serialize, the count of reads left out (it is not what was
    /// seen), streamed into the digest: no copy of the reads, no text of them in memory.
    #[derive(serde::Serialize)]
    struct Seen<'a> {
        groups: &'a BTreeMap<Address, GroupRead>,
        robots: &'a BTreeMap<String, bool>,
        departed: &'a BTreeSet<String>,
        imports: &'a BTreeMap<Address, super::refresh::ImportRead>,
        directory: &'a super::directory::Directory,
        names: &'a super::names::Directory,
        reads: u64,
    }
    struct Digesting(Sha256);
    impl std::io::Write for Digesting {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.update(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let seen = Seen {
        groups: &live.groups,
        robots: &live.robots,
        departed: &live.departed,
        imports: &live.imports,
        directory: &live.directory,
        names: &live.names,
        reads: 0,
    };
    let mut digesting = Digesting(Sha256::new());
    // Writing into a digest cannot fail; a value that cannot serialize digests as nothing.
    let _ = serde_json::to_writer(std::io::BufWriter::new(&mut digesting), &seen);
    hex::encode(digesting.0.finalize())
}
