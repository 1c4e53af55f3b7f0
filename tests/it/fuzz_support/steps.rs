//! The steps the fuzzer takes: the edits people make to the manifests, the changes made
//! behind dingform's back, and the faults an apply meets. Each step names groups, people and
//! bots by slot (taken modulo what exists when it runs), so that any sequence is valid and
//! proptest can shrink one by dropping steps.

use proptest::prelude::*;

use super::model::Kind;

/// An edit of one group's manifest.
#[derive(Clone, Debug)]
pub enum Edit {
    /// Add a person to `members`.
    AddMember(usize),
    /// Take a person out of `members` and `admins` in one change.
    RemoveMember(usize),
    /// Make a person an admin.
    AddAdmin(usize),
    /// Take a person out of `admins` (still listed as a member if they were).
    RemoveAdmin(usize),
    /// Hand the group to another owner.
    SetOwner(usize),
    /// A new title.
    Retitle,
    /// Another kind (a replace).
    SetKind(Kind),
    /// Another template (a replace of a scene group).
    SetTemplate(usize),
    /// `settings.searchable`.
    Searchable(Option<bool>),
    /// `settings.mention_all`.
    MentionAll(Option<bool>),
    /// `members_policy` exact ⇄ additive.
    TogglePolicy,
    /// Add a bot.
    AddBot(usize),
    /// Remove a bot.
    RemoveBot(usize),
    /// `prevent_destroy` on ⇄ off.
    ToggleProtect,
}

/// One step of a sequence.
#[derive(Clone, Debug)]
pub enum Step {
    /// Edit a group's manifest.
    Edit(usize, Edit),
    /// Declare a new group.
    AddGroup {
        /// Its kind.
        kind: Kind,
        /// Its owner (slot).
        owner: usize,
        /// Members (bits over the people).
        members: u8,
        /// A bot (slot), or none.
        bot: Option<usize>,
        /// `prevent_destroy` from the start.
        protect: bool,
        /// Declare it under a name used before (slot into the retired names), if any.
        reuse: Option<usize>,
    },
    /// Take a group out of the manifests (a disband).
    RemoveGroup(usize),
    /// Rename a group, with a `moved` block or without (a disband and a create).
    Rename(usize, bool),
    /// Stop managing a group and keep it: a `removed` block, or `state rm`.
    Forget(usize, bool),
    /// A person's script makes a scene group, which a manifest then adopts with an `import`
    /// block (by open conversation id or by chat id), possibly with a new title.
    ImportHandMade {
        /// Import by chat id.
        by_chat_id: bool,
        /// Declare another title than the live one.
        retitle: bool,
    },
    /// Adopt again a group that was forgotten.
    ImportForgotten(usize),
    /// Add a work notification.
    AddNotification(u8),
    /// Edit a notification's text.
    EditNotification(usize),
    /// Remove a notification.
    RemoveNotification(usize),
    /// Rename a bot (a console step: `bot-rename-test-group`).
    RenameBot(usize),
    /// Someone adds a member to a managed group in the client.
    OutsideAddMember(usize, usize),
    /// Someone adds a bot to a managed group in the client.
    OutsideAddBot(usize, usize),
    /// Someone disbands a managed scene group.
    OutsideDisband(usize),
    /// Someone leaves the organization.
    Leave(usize),
    /// Someone who left comes back.
    Rejoin(usize),
}

/// What the apply after a step meets.
#[derive(Clone, Copy, Debug)]
pub enum Fault {
    /// Nothing.
    None,
    /// 30% platform errors: applies are repeated until one succeeds.
    Errors,
    /// 20% of connections dropped without an answer.
    Drops,
    /// `kill -9` after this many step lines, then a resume.
    Kill(usize),
}

/// A step and the fault its apply meets.
#[derive(Clone, Debug)]
pub struct Action {
    /// The step.
    pub step: Step,
    /// The fault.
    pub fault: Fault,
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        3 => Just(Kind::Scene),
        1 => Just(Kind::Internal),
        2 => Just(Kind::Standard),
    ]
}

fn setting() -> impl Strategy<Value = Option<bool>> {
    prop_oneof![Just(None), Just(Some(true)), Just(Some(false))]
}

fn edit() -> impl Strategy<Value = Edit> {
    let slot = 0..6usize;
    prop_oneof![
        3 => slot.clone().prop_map(Edit::AddMember),
        3 => slot.clone().prop_map(Edit::RemoveMember),
        2 => slot.clone().prop_map(Edit::AddAdmin),
        2 => slot.clone().prop_map(Edit::RemoveAdmin),
        2 => slot.clone().prop_map(Edit::SetOwner),
        2 => Just(Edit::Retitle),
        1 => kind().prop_map(Edit::SetKind),
        1 => (0..2usize).prop_map(Edit::SetTemplate),
        1 => setting().prop_map(Edit::Searchable),
        1 => setting().prop_map(Edit::MentionAll),
        1 => Just(Edit::TogglePolicy),
        2 => slot.clone().prop_map(Edit::AddBot),
        2 => slot.prop_map(Edit::RemoveBot),
        2 => Just(Edit::ToggleProtect),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    let slot = 0..6usize;
    prop_oneof![
        12 => (slot.clone(), edit()).prop_map(|(group, edit)| Step::Edit(group, edit)),
        2 => (kind(), slot.clone(), any::<u8>(), proptest::option::of(slot.clone()), proptest::bool::weighted(0.3), proptest::option::weighted(0.4, slot.clone()))
            .prop_map(|(kind, owner, members, bot, protect, reuse)| Step::AddGroup { kind, owner, members, bot, protect, reuse }),
        2 => slot.clone().prop_map(Step::RemoveGroup),
        2 => (slot.clone(), any::<bool>()).prop_map(|(group, moved)| Step::Rename(group, moved)),
        1 => (slot.clone(), any::<bool>()).prop_map(|(group, state_rm)| Step::Forget(group, state_rm)),
        1 => (any::<bool>(), any::<bool>()).prop_map(|(by_chat_id, retitle)| Step::ImportHandMade { by_chat_id, retitle }),
        1 => slot.clone().prop_map(Step::ImportForgotten),
        1 => any::<u8>().prop_map(Step::AddNotification),
        1 => slot.clone().prop_map(Step::EditNotification),
        1 => slot.clone().prop_map(Step::RemoveNotification),
        1 => slot.clone().prop_map(Step::RenameBot),
        2 => (slot.clone(), slot.clone()).prop_map(|(group, user)| Step::OutsideAddMember(group, user)),
        2 => (slot.clone(), slot.clone()).prop_map(|(group, bot)| Step::OutsideAddBot(group, bot)),
        1 => slot.clone().prop_map(Step::OutsideDisband),
        1 => slot.clone().prop_map(Step::Leave),
        1 => slot.prop_map(Step::Rejoin),
    ]
}

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        14 => Just(Fault::None),
        2 => Just(Fault::Errors),
        2 => Just(Fault::Drops),
        2 => (1..4usize).prop_map(Fault::Kill),
    ]
}

/// One step and its fault.
pub fn action() -> impl Strategy<Value = Action> {
    (step(), fault()).prop_map(|(step, fault)| Action { step, fault })
}
