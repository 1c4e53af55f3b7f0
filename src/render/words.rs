//! The words for each kind of change, in one table: what the plan says it will do (`will be
//! registered`), what apply says it did (`registered`), and what apply was doing when it
//! failed (`register failed`). The plan's headlines ([`super::human`]), its Markdown groups
//! ([`super::markdown`]) and apply's lines ([`super::apply_report`]) all read them here, so
//! the two tenses cannot drift apart.

use crate::model::ResourceKind;
use crate::plan::Action;

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

    /// Every action, checked against the enum: a new action fails to compile here until it is
    /// listed, and then fails the tests below until it has its words.
    const ACTIONS: [Action; 8] = {
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
        let all = [
            Action::Create,
            Action::Import,
            Action::Move,
            Action::Update,
            Action::Replace,
            Action::Delete,
            Action::Forget,
            Action::NoOp,
        ];
        let mut i = 0;
        while i < all.len() {
            assert!(listed(all[i]) == i);
            i += 1;
        }
        all
    };

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
