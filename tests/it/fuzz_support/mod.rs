//! The convergence fuzzer of issue 18: from a seed workspace, a sequence of the edits people
//! make, changes made behind dingform's back and faults, each followed by the guarantees:
//!
//! - `plan` either refuses with an `error` finding (exit 1, the JSON document still printed)
//!   for a reason the step explains, or `apply` succeeds (through faults, after a resume);
//! - the next `plan` is empty (`--detailed-exitcode` exits 0);
//! - the emulator matches the manifests (titles, kinds, templates, owners, members, admins,
//!   bots, settings), each address has its own live group, and no live group is there that
//!   no address, forgotten group or person's script accounts for (no duplicate, no orphan);
//! - a group made once stays the same group (a rename with `moved`, an import, an edit never
//!   make it again); forgetting never disbands; no `prevent_destroy` group is disbanded;
//! - no secret appears in any output or in the state.
//!
//! When the plan refuses, the fuzzer does what a person would: take a departed person out of
//! the manifests, adopt or drop an unconfirmed create, or undo the edit.

pub mod model;
pub mod steps;
pub mod world;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};

use model::{BOTS, Kind, LEAVERS, Model, OWNERS, PEOPLE, TEMPLATES, Unmanaged, set};
use steps::{Action, Edit, Fault, Step};
use world::World;

/// Steps run by every case in this process (for the long run's figure).
pub static STEPS_RUN: AtomicUsize = AtomicUsize::new(0);
/// Refusals met (and handled as a person would).
pub static REFUSALS: AtomicUsize = AtomicUsize::new(0);
/// Applies killed with `kill -9` in the middle.
pub static KILLS: AtomicUsize = AtomicUsize::new(0);
/// Cases run.
pub static CASES_RUN: AtomicUsize = AtomicUsize::new(0);

/// The open conversation id of the demo organization's own Internal Group.
const SEEDED: &str = "cidDemoAllHands==";

/// Run one sequence from the seed workspace; the error says which guarantee broke, after
/// which step, and what was run.
pub fn run_case(actions: &[Action]) -> Result<(), String> {
    CASES_RUN.fetch_add(1, Ordering::Relaxed);
    let mut fuzzer = Fuzzer::start()?;
    for (index, action) in actions.iter().enumerate() {
        STEPS_RUN.fetch_add(1, Ordering::Relaxed);
        fuzzer
            .world
            .log
            .push(format!("--- step {index}: {action:?}"));
        if let Err(error) = fuzzer.step(action) {
            let tail: Vec<&String> = fuzzer.world.log.iter().rev().take(40).collect();
            let tail: Vec<&str> = tail.into_iter().rev().map(String::as_str).collect();
            return Err(format!(
                "after step {index} ({action:?}): {error}\n\nlast commands:\n{}\n\nmanifests:\n{}",
                tail.join("\n"),
                fuzzer
                    .model
                    .manifests()
                    .into_iter()
                    .map(|(_, text)| text)
                    .collect::<String>()
            ));
        }
    }
    if std::env::var_os("DINGFORM_FUZZ_VERBOSE").is_some() {
        println!("{}\n", fuzzer.world.log.join("\n"));
    }
    Ok(())
}

/// What the plan must and may refuse for, given what changed since the last convergence.
#[derive(Debug, Default)]
struct Expect {
    must: BTreeSet<&'static str>,
    may: BTreeSet<&'static str>,
}

struct Fuzzer {
    world: World,
    /// What the manifests say now.
    model: Model,
    /// The model as of the last convergence.
    converged: Model,
    /// Addresses forgotten with `state rm` in this step.
    forgotten: Vec<String>,
}

impl Fuzzer {
    fn start() -> Result<Fuzzer, String> {
        let mut fuzzer = Fuzzer {
            world: World::start(),
            model: Model::seed(),
            converged: Model::default(),
            forgotten: Vec::new(),
        };
        fuzzer.settle(Fault::None, false, false)?;
        Ok(fuzzer)
    }

    /// Change something the outside world did in both the current and the converged model.
    fn outside(&mut self, change: impl Fn(&mut Model)) {
        change(&mut self.model);
        change(&mut self.converged);
    }

    fn live(&self, id: &str) -> Option<Value> {
        self.world
            .live_groups()
            .into_iter()
            .find(|g| g["open_conversation_id"] == id && g["status"] == "active")
    }

    fn step(&mut self, action: &Action) -> Result<(), String> {
        self.forgotten.clear();
        let model = &mut self.model;
        let revertible = match &action.step {
            Step::Edit(slot, edit) => {
                let Some(index) = model.slot(*slot) else {
                    return Ok(());
                };
                let title = format!("Team {}", model.next());
                edit_group(&mut model.groups[index].spec, edit, title);
                true
            }
            Step::AddGroup {
                kind,
                owner,
                members,
                bot,
                protect,
                reuse,
            } => {
                if model.groups.len() >= 4 {
                    return Ok(());
                }
                let name = match reuse {
                    Some(slot) if !model.retired.is_empty() => {
                        let index = slot % model.retired.len();
                        model.retired.remove(index)
                    }
                    _ => model.fresh_name("team"),
                };
                let spec = model::GroupSpec {
                    title: format!("Team {}", model.next()),
                    kind: *kind,
                    template: 0,
                    owner: OWNERS[owner % OWNERS.len()].to_owned(),
                    admins: BTreeSet::new(),
                    members: PEOPLE
                        .iter()
                        .enumerate()
                        .filter(|(bit, _)| members & (1 << bit) != 0)
                        .map(|(_, user)| (*user).to_owned())
                        .collect(),
                    additive: false,
                    searchable: None,
                    mention_admins: None,
                    bots: bot
                        .map(|b| set(&[BOTS[b % BOTS.len()].0]))
                        .unwrap_or_default(),
                    prevent_destroy: *protect,
                };
                model.add_group(&name, spec);
                true
            }
            Step::RemoveGroup(slot) => {
                let Some(index) = model.slot(*slot) else {
                    return Ok(());
                };
                let group = model.groups.remove(index);
                model.retired.push(group.name);
                true
            }
            Step::Rename(slot, moved) => {
                let Some(index) = model.slot(*slot) else {
                    return Ok(());
                };
                let name = model.fresh_name("renamed");
                let group = &mut model.groups[index];
                let old = std::mem::replace(&mut group.name, name);
                if *moved {
                    group.moved_from = Some(old.clone());
                    model.retired.push(old);
                } else {
                    model.retired.push(old);
                    // A new address: a new group (the old one is disbanded).
                    let spec = group.spec.clone();
                    let name = group.name.clone();
                    model.groups.remove(index);
                    model.add_group(&name, spec);
                }
                true
            }
            Step::Forget(slot, state_rm) => {
                let Some(index) = model.slot(*slot) else {
                    return Ok(());
                };
                let Some(id) = model.groups[index].id.clone() else {
                    return Ok(());
                };
                let Some(live) = self.live(&id) else {
                    return Ok(()); // disbanded outside: nothing to keep
                };
                let group = self.model.groups.remove(index);
                self.model.retired.push(group.name.clone());
                let address = format!("group.{}", group.name);
                self.model.unmanaged.push(Unmanaged {
                    id,
                    chat_id: live["chat_id"].as_str().unwrap_or_default().to_owned(),
                    spec: group.spec,
                });
                if *state_rm {
                    let run = self.world.run(&["state", "rm", &address])?;
                    if run.code != 0 {
                        return Err(format!("`state rm {address}` failed:\n{}", run.snapshot()));
                    }
                    self.forgotten.push(group.name);
                    // The state changed now: the converged model forgets it too.
                    self.converged
                        .groups
                        .retain(|g| format!("group.{}", g.name) != address);
                } else {
                    self.model.removed.push(address);
                }
                false
            }
            Step::ImportHandMade {
                by_chat_id,
                retitle,
            } => {
                if model.groups.len() >= 4 {
                    return Ok(());
                }
                let title = format!("Made {}", model.next());
                let members = vec!["u1001".to_owned()];
                let (id, chat_id) =
                    self.world
                        .outside_scene_group(&title, TEMPLATES[0], OWNERS[0], &members);
                if id.is_empty() {
                    return Err("the emulator refused a hand-made scene group".into());
                }
                let spec = model::GroupSpec {
                    title: title.clone(),
                    kind: Kind::Scene,
                    template: 0,
                    owner: OWNERS[0].to_owned(),
                    admins: BTreeSet::new(),
                    members: members.iter().cloned().collect(),
                    additive: false,
                    searchable: None,
                    mention_admins: None,
                    bots: BTreeSet::new(),
                    prevent_destroy: false,
                };
                let unmanaged = Unmanaged {
                    id: id.clone(),
                    chat_id: chat_id.clone(),
                    spec: spec.clone(),
                };
                self.outside(|m| m.unmanaged.push(unmanaged.clone()));
                let model = &mut self.model;
                model.unmanaged.retain(|u| u.id != id);
                let mut spec = spec;
                if *retitle {
                    spec.title = format!("Adopted {}", model.next());
                }
                let name = model.fresh_name("adopted");
                model.add_group(&name, spec);
                let group = model.groups.last_mut().expect("just added");
                group.import = Some(if *by_chat_id { chat_id } else { id.clone() });
                group.id = Some(id);
                true
            }
            Step::ImportForgotten(slot) => {
                if model.groups.len() >= 4 || model.unmanaged.is_empty() {
                    return Ok(());
                }
                let index = slot % model.unmanaged.len();
                let forgotten = model.unmanaged[index].clone();
                if model.disbanded_outside.contains(&forgotten.id)
                    || self.live(&forgotten.id).is_none()
                {
                    return Ok(());
                }
                let model = &mut self.model;
                model.unmanaged.remove(index);
                let name = model.fresh_name("again");
                model.add_group(&name, forgotten.spec.clone());
                let group = model.groups.last_mut().expect("just added");
                group.import = Some(if forgotten.spec.kind == Kind::Scene {
                    forgotten.id.clone()
                } else {
                    forgotten.chat_id.clone()
                });
                group.id = Some(forgotten.id);
                true
            }
            Step::AddNotification(bits) => {
                if model.notifications.len() >= 3 {
                    return Ok(());
                }
                let mut users: BTreeSet<String> = PEOPLE
                    .iter()
                    .enumerate()
                    .filter(|(bit, _)| bits & (1 << bit) != 0)
                    .map(|(_, user)| (*user).to_owned())
                    .collect();
                if users.is_empty() {
                    users.insert("manager4220".into());
                }
                let name = model.fresh_name("notice");
                model
                    .notifications
                    .insert(name, model::Notification { users, version: 0 });
                true
            }
            Step::EditNotification(slot) | Step::RemoveNotification(slot) => {
                let Some(name) = model
                    .notifications
                    .keys()
                    .nth(slot % model.notifications.len().max(1))
                    .cloned()
                else {
                    return Ok(());
                };
                if matches!(action.step, Step::RemoveNotification(_)) {
                    model.notifications.remove(&name);
                } else if let Some(notification) = model.notifications.get_mut(&name) {
                    notification.version += 1;
                }
                true
            }
            Step::RenameBot(slot) => {
                let (name, _, display) = BOTS[slot % BOTS.len()];
                let number = model.next();
                model
                    .bot_names
                    .insert(name.to_owned(), format!("{display} {number}"));
                true
            }
            Step::OutsideAddMember(slot, user) => {
                let Some(live) = self.managed_live(*slot) else {
                    return Ok(());
                };
                self.world
                    .outside_add_member(&live, PEOPLE[user % PEOPLE.len()]);
                false
            }
            Step::OutsideAddBot(slot, bot) => {
                let Some(live) = self.managed_live(*slot) else {
                    return Ok(());
                };
                self.world.outside_add_bot(&live, BOTS[bot % BOTS.len()].1);
                false
            }
            Step::OutsideDisband(slot) => {
                let Some(live) = self.managed_live(*slot) else {
                    return Ok(());
                };
                if live["kind"] != "scene" {
                    return Ok(());
                }
                let id = live["open_conversation_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                self.world.outside_disband(&id);
                self.outside(|m| {
                    m.disbanded_outside.insert(id.clone());
                });
                false
            }
            Step::Leave(slot) => {
                let user = LEAVERS[slot % LEAVERS.len()];
                if self.model.departed.contains(user) {
                    return Ok(());
                }
                self.world.leave(user);
                self.outside(|m| {
                    m.departed.insert(user.to_owned());
                });
                false
            }
            Step::Rejoin(slot) => {
                let user = LEAVERS[slot % LEAVERS.len()];
                if !self.model.departed.contains(user) {
                    return Ok(());
                }
                self.world.rejoin(user);
                self.outside(|m| {
                    m.departed.remove(user);
                });
                false
            }
        };
        let bot_renamed = matches!(action.step, Step::RenameBot(_));
        self.settle(action.fault, revertible, bot_renamed)
    }

    /// The live group of the managed group at `slot`, when it is live.
    fn managed_live(&self, slot: usize) -> Option<Value> {
        let index = self.model.slot(slot)?;
        let id = self.model.groups[index].id.clone()?;
        self.live(&id)
    }

    /// What the plan must and may refuse, from what changed since the last convergence.
    fn expect(&self) -> Expect {
        let mut expect = Expect::default();
        let mut disbands = 0;
        for before in &self.converged.groups {
            let (Some(id), Some(applied)) = (&before.id, &before.applied) else {
                continue;
            };
            let address = format!("group.{}", before.name);
            let after = self.model.groups.iter().find(|g| {
                g.moved_from.as_deref() == Some(&before.name)
                    || (g.name == before.name && g.moved_from.is_none())
            });
            let declared_protect = match after {
                None if self.model.removed.contains(&address)
                    || self.forgotten.contains(&before.name) =>
                {
                    continue;
                }
                None => false,
                Some(after) if applied.replaced_by(&after.spec) => after.spec.prevent_destroy,
                Some(_) => continue,
            };
            disbands += 1;
            let gone = self.model.disbanded_outside.contains(id);
            let mut refuse = |rule: &'static str, certain: bool| {
                if certain && !gone {
                    expect.must.insert(rule);
                } else {
                    expect.may.insert(rule);
                }
            };
            if !applied.kind.disbandable() {
                refuse("delete-unsupported", true);
            }
            if declared_protect || before.protected_since_made {
                refuse("prevent-destroy", true);
            } else if before.ever_protected {
                // Switched off since, or switched on after the group was made (defects-a:
                // not recorded yet): the plan may go either way.
                refuse("prevent-destroy", false);
            }
        }
        if disbands >= 2 {
            expect.may.insert("mass-delete");
        }
        if self.model.names_departed() {
            expect.may.insert("departed-user");
        }
        expect
    }

    /// Plan; on a refusal do what a person would and plan again; then apply through `fault`,
    /// check that the next plan is empty and the world matches, and record the convergence.
    fn settle(
        &mut self,
        fault: Fault,
        mut revertible: bool,
        bot_renamed: bool,
    ) -> Result<(), String> {
        for _round in 0..5 {
            self.world.write(&self.model.manifests());
            let (errors, plan) = self.plan()?;
            let expect = self.expect();
            if !errors.is_empty() {
                REFUSALS.fetch_add(1, Ordering::Relaxed);
                let unexpected: Vec<_> = errors
                    .iter()
                    .filter(|rule| {
                        !expect.must.contains(rule.as_str()) && !expect.may.contains(rule.as_str())
                    })
                    .collect();
                let missing: Vec<_> = expect
                    .must
                    .iter()
                    .filter(|rule| !errors.contains(**rule))
                    .collect();
                if !unexpected.is_empty() || !missing.is_empty() {
                    return Err(format!(
                        "the plan refused for {unexpected:?} (expected {:?}, maybe {:?}; missing {missing:?}):\n{plan:#}",
                        expect.must, expect.may
                    ));
                }
                if errors.contains("departed-user") && self.model.names_departed() {
                    self.world
                        .log
                        .push("person: take departed people out".into());
                    self.model.drop_departed();
                    continue;
                }
                if revertible {
                    self.world.log.push("person: undo the edit".into());
                    self.revert();
                    revertible = false;
                    continue;
                }
                return Err(format!(
                    "refused, and nothing a person could fix:\n{plan:#}"
                ));
            }
            if !expect.must.is_empty() {
                return Err(format!(
                    "the plan should have refused for {:?}, and did not:\n{plan:#}",
                    expect.must
                ));
            }
            self.apply(fault)?;
            let empty = self.world.run(&["plan", "--detailed-exitcode"])?;
            if empty.code == 2 && bot_renamed && self.only_bots_change()? {
                // A bot rename stays a manual step (the Developer Console) until DingTalk
                // shows the new name or `state done` says so: the plan after the apply still
                // shows the bot, by design.
            } else if empty.code != 0 {
                return Err(format!(
                    "the plan after a successful apply is not empty:\n{}",
                    empty.snapshot()
                ));
            }
            self.check_world()?;
            self.record();
            return Ok(());
        }
        Err("no convergence after five rounds of fixes".into())
    }

    /// Whether the plan's only changes are to bots.
    fn only_bots_change(&mut self) -> Result<bool, String> {
        let (_, plan) = self.plan()?;
        Ok(plan["changes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| c["action"] != "no-op")
            .all(|c| c["address"].as_str().is_some_and(|a| a.starts_with("bot."))))
    }

    /// Back to the manifests of the last convergence, keeping what the outside world did.
    fn revert(&mut self) {
        self.model = self.converged.clone();
    }

    /// `plan --format json`: the error rules and the document.
    fn plan(&mut self) -> Result<(BTreeSet<String>, Value), String> {
        let run = self.world.run(&["plan", "--format", "json"])?;
        let plan: Value = serde_json::from_str(&run.stdout).map_err(|e| {
            format!(
                "plan --format json printed no JSON ({e}):\n{}",
                run.snapshot()
            )
        })?;
        if run.stderr.contains("panicked") {
            return Err(format!("plan panicked:\n{}", run.snapshot()));
        }
        let errors: BTreeSet<String> = plan["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| f["severity"] == "error")
            .filter_map(|f| f["rule"].as_str().map(str::to_owned))
            .collect();
        let expected_code = if errors.is_empty() { 0 } else { 1 };
        if run.code != expected_code {
            return Err(format!(
                "plan exited {} with {} error findings (PRODUCT.md: 1 exactly when there is one):\n{}",
                run.code,
                errors.len(),
                run.snapshot()
            ));
        }
        Ok((errors, plan))
    }

    /// Apply through a fault; after a fault, resume (clearing unconfirmed creates as a person
    /// would) until an apply succeeds.
    fn apply(&mut self, fault: Fault) -> Result<(), String> {
        match fault {
            Fault::None => {
                let run = self.world.run(&["apply", "--yes"])?;
                if run.code != 0 {
                    return Err(format!("apply failed:\n{}", run.snapshot()));
                }
                return Ok(());
            }
            Fault::Errors | Fault::Drops => {
                let faults = if matches!(fault, Fault::Errors) {
                    json!({"error_rate": 0.3})
                } else {
                    json!({"drop_rate": 0.2})
                };
                self.world.faults(faults);
                for _ in 0..4 {
                    let run = self.world.run(&["apply", "--yes"])?;
                    if run.stderr.contains("panicked") {
                        return Err(format!("apply panicked:\n{}", run.snapshot()));
                    }
                    if run.code == 0 {
                        break;
                    }
                    if matches!(fault, Fault::Drops) {
                        break; // an answer lost may need a person (create-unverified)
                    }
                }
                self.world.faults(json!({}));
            }
            Fault::Kill(lines) => {
                self.world.faults(json!({"latency_ms": 30}));
                if self.world.apply_killed_after(lines)? {
                    KILLS.fetch_add(1, Ordering::Relaxed);
                }
                self.world.faults(json!({}));
            }
        }
        for _ in 0..4 {
            let (errors, plan) = self.plan()?;
            if errors.is_empty() {
                let run = self.world.run(&["apply", "--yes"])?;
                if run.code != 0 {
                    return Err(format!("the resumed apply failed:\n{}", run.snapshot()));
                }
                return Ok(());
            }
            if errors.iter().any(|rule| rule != "create-unverified") {
                return Err(format!(
                    "after {fault:?}, the plan refused for {errors:?}, not only unconfirmed creates:\n{plan:#}"
                ));
            }
            self.repair_unverified(&plan)?;
        }
        Err("unconfirmed creates kept coming back".into())
    }

    /// `create-unverified`: look in DingTalk, as the finding asks; adopt the group when the
    /// create made one, else drop the intent.
    fn repair_unverified(&mut self, plan: &Value) -> Result<(), String> {
        let known = self.known_ids();
        let addresses: Vec<String> = plan["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| f["rule"] == "create-unverified")
            .filter_map(|f| f["address"].as_str().map(str::to_owned))
            .collect();
        for address in addresses {
            let name = address.trim_start_matches("group.");
            let Some(group) = self.model.groups.iter().find(|g| g.name == name) else {
                return Err(format!(
                    "create-unverified for {address}, which no manifest declares"
                ));
            };
            let made: Vec<Value> = self
                .world
                .live_groups()
                .into_iter()
                .filter(|g| g["status"] == "active" && g["title"] == group.spec.title.as_str())
                .filter(|g| !known.contains(g["open_conversation_id"].as_str().unwrap_or_default()))
                .collect();
            let run = match made.as_slice() {
                [] => {
                    self.world
                        .log
                        .push(format!("person: {address} was not made"));
                    self.world.run(&["state", "rm", &address])?
                }
                [live] => {
                    self.world.log.push(format!("person: {address} was made"));
                    if let Some(group) = self.model.groups.iter_mut().find(|g| g.name == name) {
                        group.adopted = true;
                    }
                    let chat_id = live["chat_id"].as_str().unwrap_or_default().to_owned();
                    self.world.run(&["import", &address, &chat_id])?
                }
                _ => {
                    return Err(format!(
                        "an unconfirmed create of {address} made {} groups",
                        made.len()
                    ));
                }
            };
            if run.code != 0 {
                return Err(format!(
                    "the create-unverified repair failed:\n{}",
                    run.snapshot()
                ));
            }
        }
        Ok(())
    }

    /// Live ids accounted for: the seeded group, managed groups, unmanaged ones.
    fn known_ids(&self) -> BTreeSet<String> {
        let state = self.world.state();
        let mut known: BTreeSet<String> = state["resources"]
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(_, entry)| entry["id"].as_str().map(str::to_owned))
            .collect();
        known.insert(SEEDED.to_owned());
        known.extend(self.model.unmanaged.iter().map(|u| u.id.clone()));
        known
    }

    /// The guarantees, after a convergence.
    fn check_world(&self) -> Result<(), String> {
        let live = self.world.live_groups();
        let active: Vec<&Value> = live.iter().filter(|g| g["status"] == "active").collect();
        let find = |id: &str| active.iter().find(|g| g["open_conversation_id"] == id);
        let mut expected_ids = BTreeSet::from([SEEDED.to_owned()]);
        for group in &self.model.groups {
            let address = format!("group.{}", group.name);
            let Some(id) = self.world.state_id(&address) else {
                return Err(format!("{address} has no id in the state after apply"));
            };
            if let (Some(before), Some(applied)) = (&group.id, &group.applied)
                && before != &id
                && !applied.replaced_by(&group.spec)
                && !self.model.disbanded_outside.contains(before)
            {
                return Err(format!(
                    "{address} is another group now ({before} → {id}), with no replace planned"
                ));
            }
            if let (Some(before), None) = (&group.id, &group.applied)
                && before != &id
            {
                return Err(format!(
                    "{address} was to adopt {before} and holds {id} instead"
                ));
            }
            if !expected_ids.insert(id.clone()) {
                return Err(format!("{id} is managed by two addresses"));
            }
            if let Some(forgotten) = self.model.unmanaged.iter().find(|u| u.id == id) {
                return Err(format!(
                    "{address} took over {id} ({:?}), a group no longer managed, though nothing imported it",
                    forgotten.spec.title
                ));
            }
            let Some(live) = find(&id) else {
                return Err(format!("{address}'s group {id} is not live"));
            };
            matches_spec(&address, live, &group.spec, &self.model.departed)?;
        }
        for unmanaged in &self.model.unmanaged {
            if self.model.disbanded_outside.contains(&unmanaged.id) {
                continue;
            }
            if find(&unmanaged.id).is_none() {
                return Err(format!(
                    "{} ({:?}) was disbanded, though dingform no longer manages it",
                    unmanaged.id, unmanaged.spec.title
                ));
            }
            expected_ids.insert(unmanaged.id.clone());
        }
        for group in &active {
            let id = group["open_conversation_id"].as_str().unwrap_or_default();
            if !expected_ids.contains(id) {
                return Err(format!(
                    "a live group no address accounts for (a duplicate or an orphan): {group}"
                ));
            }
        }
        for before in &self.converged.groups {
            let Some(id) = &before.id else { continue };
            let protected = before.applied.as_ref().is_some_and(|a| a.prevent_destroy);
            if !protected || self.model.disbanded_outside.contains(id) {
                continue;
            }
            if find(id).is_none() {
                return Err(format!(
                    "group.{} had prevent_destroy and was disbanded",
                    before.name
                ));
            }
        }
        Ok(())
    }

    /// The world converged: remember ids and what was applied; applied blocks are dropped.
    fn record(&mut self) {
        for group in &mut self.model.groups {
            let id = self.world.state_id(&format!("group.{}", group.name));
            let made_again = group.id != id || group.applied.is_none();
            if made_again && (group.import.is_some() || group.adopted) {
                // An adopted group's prevent_destroy is recorded by the apply after the
                // import, like one switched on after the group was made: both are checked.
                group.protected_since_made = false;
                group.protected_later = group.spec.prevent_destroy;
            } else if made_again {
                group.protected_since_made = group.spec.prevent_destroy;
                group.protected_later = false;
            } else if !group.spec.prevent_destroy {
                group.protected_since_made = false;
                group.protected_later = false;
            } else if !group.applied.as_ref().is_some_and(|a| a.prevent_destroy) {
                group.protected_later = true;
            }
            group.ever_protected |= group.spec.prevent_destroy;
            group.id = id;
            group.applied = Some(group.spec.clone());
            group.import = None;
            group.moved_from = None;
            group.adopted = false;
        }
        self.model.removed.clear();
        self.world.write(&self.model.manifests());
        self.converged = self.model.clone();
    }
}

/// Apply one edit to a group's spec, keeping it valid by construction (the owner is never an
/// admin; a person taken out of members is taken out of admins too).
fn edit_group(spec: &mut model::GroupSpec, edit: &Edit, title: String) {
    let person = |slot: &usize| PEOPLE[slot % PEOPLE.len()].to_owned();
    match edit {
        Edit::AddMember(p) => {
            spec.members.insert(person(p));
        }
        Edit::RemoveMember(p) => {
            let user = person(p);
            spec.members.remove(&user);
            spec.admins.remove(&user);
        }
        Edit::AddAdmin(p) => {
            let user = person(p);
            if user != spec.owner {
                spec.admins.insert(user);
            }
        }
        Edit::RemoveAdmin(p) => {
            spec.admins.remove(&person(p));
        }
        Edit::SetOwner(o) => {
            spec.owner = OWNERS[o % OWNERS.len()].to_owned();
            let owner = spec.owner.clone();
            spec.admins.remove(&owner);
        }
        Edit::Retitle => spec.title = title,
        Edit::SetKind(kind) => spec.kind = *kind,
        Edit::SetTemplate(t) => spec.template = t % TEMPLATES.len(),
        Edit::Searchable(value) => spec.searchable = *value,
        Edit::MentionAll(value) => spec.mention_admins = *value,
        Edit::TogglePolicy => spec.additive = !spec.additive,
        Edit::AddBot(b) => {
            spec.bots.insert(BOTS[b % BOTS.len()].0.to_owned());
        }
        Edit::RemoveBot(b) => {
            spec.bots.remove(BOTS[b % BOTS.len()].0);
        }
        Edit::ToggleProtect => spec.prevent_destroy = !spec.prevent_destroy,
    }
}

fn strings(value: &Value) -> BTreeSet<String> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// The live group is what the manifest says.
///
/// People who left the organization are left out of the comparison: scene and internal
/// groups drop them by themselves, a standard group keeps them until the plan takes them out,
/// and the fuzzer takes them out of the manifests once the plan names them.
fn matches_spec(
    address: &str,
    live: &Value,
    spec: &model::GroupSpec,
    departed: &BTreeSet<String>,
) -> Result<(), String> {
    let active = |users: BTreeSet<String>| -> BTreeSet<String> {
        users
            .into_iter()
            .filter(|u| !departed.contains(u))
            .collect()
    };
    let differs = |what: &str, want: String| {
        Err(format!(
            "{address} differs from its manifest in {what}: want {want}, live {live}"
        ))
    };
    if live["title"] != spec.title.as_str() {
        return differs("title", spec.title.clone());
    }
    if live["kind"] != spec.kind.as_str() {
        return differs("type", spec.kind.as_str().into());
    }
    if spec.kind == Kind::Scene && live["template_id"] != TEMPLATES[spec.template] {
        return differs("template", TEMPLATES[spec.template].into());
    }
    if live["owner"] != spec.owner.as_str() {
        return differs("owner", spec.owner.clone());
    }
    let members = active(strings(&live["members"]));
    let want = active(spec.all_members());
    let ok = if spec.additive {
        members.is_superset(&want)
    } else {
        members == want
    };
    if !ok {
        return differs("members", format!("{want:?}"));
    }
    if active(strings(&live["admins"])) != active(spec.admins.clone()) {
        return differs("admins", format!("{:?}", spec.admins));
    }
    let bots: BTreeSet<String> = live["bots"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|b| b["robot_code"].as_str().map(str::to_owned))
        .collect();
    let want_bots: BTreeSet<String> = spec
        .bots
        .iter()
        .filter_map(|name| BOTS.iter().find(|(n, _, _)| n == name))
        .map(|(_, code, _)| (*code).to_owned())
        .collect();
    if bots != want_bots {
        return differs("bots", format!("{want_bots:?}"));
    }
    // A setting never set reads as the platform's default, 0.
    let setting = |name: &str| Some(live["settings"][name].as_i64().unwrap_or(0));
    if let Some(searchable) = spec.searchable
        && setting("searchable") != Some(i64::from(searchable))
    {
        return differs("settings.searchable", searchable.to_string());
    }
    if let Some(admins) = spec.mention_admins
        && setting("mention_all_authority") != Some(i64::from(admins))
    {
        return differs("settings.mention_all", admins.to_string());
    }
    Ok(())
}
