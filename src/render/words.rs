//! The words for each kind of change, in one table: what the plan says it will do (`will be
//! registered`), what apply says it did (`registered`), and what apply was doing when it
//! failed (`register failed`); and the counts of the closing lines in both tenses (`15 to
//! add` and `15 added`). The plan's headlines ([`super::human`]), its Markdown groups
//! ([`super::markdown`]) and apply's lines ([`super::apply_report`]) all read them here, so
//! the two tenses cannot drift apart.

use std::fmt::Write;

use crate::model::ResourceKind;
use crate::plan::{Action, Summary};

/// Every action, in the order Markdown groups a plan's changes. A new action fails to compile
/// in the tests below until it is listed here.
pub(crate) const ACTIONS: [Action; 8] = [
    Action::Create,
    Action::Import,
    Action::Move,
    Action::Update,
    Action::Replace,
    Action::Delete,
    Action::Forget,
    Action::NoOp,
];

/// Which tense a closing line's counts take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tense {
    /// The plan's: `15 to add`.
    Will,
    /// Apply's: `15 added`.
    Did,
}

/// The counts of a closing line, in its order: to add (added), to change (changed), to
/// destroy (destroyed), to import (imported), to move (moved), to forget (forgotten).
pub(crate) type Counts = [usize; 6];

/// A plan's [`Counts`].
pub(crate) fn planned(summary: &Summary) -> Counts {
    [
        summary.add,
        summary.change,
        summary.destroy,
        summary.import,
        summary.moved,
        summary.forget,
    ]
}

const COUNTED: [(&str, &str); 6] = [
    ("to add", "added"),
    ("to change", "changed"),
    ("to destroy", "destroyed"),
    ("to import", "imported"),
    ("to move", "moved"),
    ("to forget", "forgotten"),
];

/// `15 to add, 0 to change, 0 to destroy, 1 to import` (or `15 added, …, 1 imported`): adds,
/// changes and destroys always, imports, moves and forgets when there are any.
pub(crate) fn counts(counts: Counts, tense: Tense) -> String {
    let mut line = String::new();
    for (index, (count, (will, did))) in counts.into_iter().zip(COUNTED).enumerate() {
        if index < 3 || count > 0 {
            let word = if tense == Tense::Will { will } else { did };
            let comma = if index == 0 { "" } else { ", " };
            let _ = write!(line, "{comma}{count} {word}");
        }
    }
    line
}

/// The words for one action on one kind of resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Words {
    /// After the address in the plan's headline (`group.ops will be created`). For a move the
    /// address it moved from comes first (`group.old has moved to group.new`).
    pub(crate) will: &'static str,
    /// After the address in apply's line once the change is done (`group.ops: created`).
    pub(crate) did: &'static str,
    /// Before `failed` in apply's line when the change failed (`group.ops: create failed`).
    pub(crate) doing: &'static str,
}

/// The words most kinds take for `action`. Markdown's groups are titled by them
/// (`to create`, `to destroy`).
pub(crate) const fn general(action: Action) -> Words {
    match action {
        Action::Create => Words {
            will: "will be created",
            did: "created",
            doing: "create",
        },
        Action::Import => Words {
            will: "will be imported",
            did: "imported",
            doing: "import",
        },
        Action::Move => Words {
            will: "has moved to",
            did: "moved",
            doing: "move",
        },
        Action::Update => Words {
            will: "will be updated in place",
            did: "updated in place",
            doing: "update",
        },
        Action::Replace => Words {
            will: "must be replaced",
            did: "replaced",
            doing: "replace",
        },
        Action::Delete => Words {
            will: "will be destroyed",
            did: "destroyed",
            doing: "destroy",
        },
        Action::Forget => Words {
            will: "will no longer be managed (left as it is in DingTalk)",
            did: "no longer managed (left as it is in DingTalk)",
            doing: "forget",
        },
        Action::NoOp => Words {
            will: "is up to date",
            did: "up to date",
            doing: "no-op",
        },
    }
}

/// Where a kind of resource takes other words than [`general`]: bots are made in the
/// Developer Console and notifications run in dingform, so "create" only registers or
/// schedules them; disbanding a group loses its history; forgetting a notification stops its
/// sends.
const OWN_WORDS: [(Action, ResourceKind, Words); 4] = [
    (
        Action::Create,
        ResourceKind::Bot,
        Words {
            will: "will be registered (the bot itself is made in the console)",
            did: "registered",
            doing: "register",
        },
    ),
    (
        Action::Create,
        ResourceKind::Notification,
        Words {
            will: "will be scheduled (sent by `dingform notify run`)",
            did: "scheduled",
            doing: "schedule",
        },
    ),
    (
        Action::Delete,
        ResourceKind::Group,
        Words {
            will: "will be DISBANDED: its chat history and files are lost",
            did: "disbanded",
            doing: "disband",
        },
    ),
    (
        Action::Forget,
        ResourceKind::Notification,
        Words {
            will: "will stop being sent: `dingform notify run` no longer sends it",
            did: "no longer sent",
            doing: "forget",
        },
    ),
];

/// The words for `action` on a resource of `kind`.
pub(crate) fn words(action: Action, kind: ResourceKind) -> Words {
    OWN_WORDS
        .iter()
        .find(|(a, k, _)| *a == action && *k == kind)
        .map_or_else(|| general(action), |(_, _, words)| *words)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`ACTIONS`] holds every action once: a new action fails to compile here until it is
    /// listed, and then fails the tests below until it has its words.
    const _: () = {
        const fn listed(action: Action) -> usize {
            match action {
                Action::Create => 0,
                Action::Import => 1,
                Action::Move => 2,
                Action::Update => 3,
                Action::Replace => 4,
                Action::Delete => 5,
                Action::Forget => 6,
                Action::NoOp => 7,
            }
        }
        let mut i = 0;
        while i < ACTIONS.len() {
            assert!(listed(ACTIONS[i]) == i);
            i += 1;
        }
    };

    #[test]
    fn counts_show_adds_changes_and_destroys_always_and_the_rest_when_any() {
        assert_eq!(
            counts([15, 0, 0, 1, 0, 2], Tense::Will),
            "15 to add, 0 to change, 0 to destroy, 1 to import, 2 to forget"
        );
        assert_eq!(
            counts([15, 0, 0, 1, 0, 2], Tense::Did),
            "15 added, 0 changed, 0 destroyed, 1 imported, 2 forgotten"
        );
        assert_eq!(
            counts([0, 0, 0, 0, 3, 0], Tense::Did),
            "0 added, 0 changed, 0 destroyed, 3 moved"
        );
    }

    #[test]
    fn every_action_on_every_kind_has_words_in_both_tenses() {
        for action in ACTIONS {
            for kind in ResourceKind::ALL {
                let words = words(action, kind);
                for (tense, word) in [
                    ("plan", words.will),
                    ("apply", words.did),
                    ("failure", words.doing),
                ] {
                    assert!(
                        !word.trim().is_empty(),
                        "{kind} {}: no {tense} word",
                        action.as_str()
                    );
                }
            }
        }
    }

    /// Within a kind, no two actions read the same in either tense: a person can tell from
    /// the words alone what was planned and what was done.
    #[test]
    fn the_actions_on_a_kind_read_apart_in_each_tense() {
        for kind in ResourceKind::ALL {
            for (i, a) in ACTIONS.iter().enumerate() {
                for b in &ACTIONS[i + 1..] {
                    let (wa, wb) = (words(*a, kind), words(*b, kind));
                    assert_ne!(wa.will, wb.will, "{kind}: {a:?} and {b:?} in the plan");
                    assert_ne!(wa.did, wb.did, "{kind}: {a:?} and {b:?} in apply");
                }
            }
        }
    }

    /// A kind's own words replace an action's general ones once, for a kind that exists.
    #[test]
    fn each_own_word_is_listed_once() {
        for (i, (action, kind, _)) in OWN_WORDS.iter().enumerate() {
            assert!(
                !OWN_WORDS[i + 1..]
                    .iter()
                    .any(|(a, k, _)| a == action && k == kind),
                "{kind} {action:?} has two rows"
            );
        }
    }
}
