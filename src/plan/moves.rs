//! `moved` blocks: a rename declared in the manifests, reviewed like any change, never a
//! disband and re-create (Terraform's `moved`). The plan reads state and live data as if the
//! entries already stood at their new addresses, and marks those changes as moves; apply
//! moves the state entry (ids and creation uuid with it) before anything else.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use super::refresh::Live;
use crate::model::Workspace;
use crate::model::manifest::{InFile, Moved};
use crate::model::{Address, Finding};
use crate::state::State;

/// State and live data with every valid move carried out, and where each moved entry was.
/// Without a move they are the ones given, not copies (a large organization's live reads
/// are most of a plan's memory).
pub struct Moves<'a> {
    /// The state as if the moves were done.
    pub state: Cow<'a, State>,
    /// Live reads re-keyed the same way.
    pub live: Cow<'a, Live>,
    /// New address → old address.
    pub from: BTreeMap<Address, Address>,
}

/// Resolve the `moved` blocks of `workspace` (chains followed to their end) against `state`.
/// Invalid blocks become error findings at their line and are not carried out.
pub fn resolve<'a>(
    workspace: &Workspace,
    state: &'a State,
    live: &'a Live,
    findings: &mut Vec<Finding>,
) -> Moves<'a> {
    let mut moves = Moves {
        state: Cow::Borrowed(state),
        live: Cow::Borrowed(live),
        from: BTreeMap::new(),
    };
    if workspace.moved.is_empty() {
        return moves;
    }
    let declared = |address: &Address| workspace.declares(address);
    // Blocks whose addresses do not parse are `validate`'s invalid-address errors.
    let parsed: Vec<(&InFile<Moved>, Address, Address)> = workspace
        .moved
        .iter()
        .filter_map(|b| b.block.addresses().map(|(from, to)| (b, from, to)))
        .collect();
    let next: BTreeMap<&Address, &Address> =
        parsed.iter().map(|(_, from, to)| (from, to)).collect();
    let error = |block: &InFile<Moved>, rule: &str, message: String, help: &str| {
        Finding::error(rule, message)
            .at(&block.file, &block.block.from.span)
            .help(help)
    };
    for (block, from, to) in &parsed {
        // A change of kind is refused by `validate` (invalid-address) before any plan.
        if declared(from) {
            findings.push(error(
                block,
                "moved-from-declared",
                format!("`{from}` is moved to `{to}` but is still declared"),
                "remove or rename the old declaration",
            ));
            continue;
        }
        // Only the first block of a chain starts a move; the others are its links.
        if !state.resources.contains_key(from) {
            continue;
        }
        let mut seen = BTreeSet::from([from]);
        let mut last = to;
        let mut cycle = false;
        while let Some(link) = next.get(last) {
            if !seen.insert(last) {
                cycle = true;
                break;
            }
            last = link;
        }
        if cycle || seen.contains(last) {
            findings.push(error(
                block,
                "moved-cycle",
                format!("the moves starting at `{from}` form a cycle"),
                "a chain of moves must end at a declared address",
            ));
            continue;
        }
        if state.resources.contains_key(last) {
            findings.push(error(
                block,
                "moved-target-taken",
                format!("`{last}` is already in the state; `{from}` cannot move there"),
                "remove one of them (`dingform state rm`) or move elsewhere",
            ));
            continue;
        }
        if let Some(entry) = moves.state.to_mut().retire(from) {
            moves.state.to_mut().resources.insert(last.clone(), entry);
        }
        if let Some(read) = moves.live.to_mut().groups.remove(from) {
            moves.live.to_mut().groups.insert(last.clone(), read);
        }
        moves.from.insert(last.clone(), from.clone());
    }
    moves
}
