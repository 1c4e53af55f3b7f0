//! `mass-delete`: a plan that would disband more than a safe share of the managed groups is
//! refused unless `--allow-mass-delete` is given (octoDNS's `MAX_SAFE_DELETE_PCENT`): an
//! emptied or mis-pointed workspace must never disband an organization's groups.

use crate::model::limits::{MASS_DELETE_PERCENT, is_mass_delete};
use crate::model::{Finding, ResourceKind};
use crate::plan::{Action, Change};
use crate::state::State;

/// Add an error when the plan disbands too many groups.
pub fn check(changes: &[Change], state: &State, allow: bool, findings: &mut Vec<Finding>) {
    let managed = state
        .resources
        .keys()
        .filter(|a| a.kind == ResourceKind::Group)
        .count();
    let disbanded = changes
        .iter()
        .filter(|c| {
            c.address.kind == ResourceKind::Group
                && matches!(c.action, Action::Delete | Action::Replace)
        })
        .count();
    if !allow && is_mass_delete(disbanded, managed) {
        let share = disbanded as f64 / managed as f64;
        findings.push(
            Finding::error(
                "mass-delete",
                format!(
                    "this plan disbands {disbanded} of {managed} managed groups ({:.0}%, more than {MASS_DELETE_PERCENT}%)",
                    share * 100.0,
                ),
            )
            .help("check that the manifests are all there; if this is intended, run again with --allow-mass-delete"),
        );
    }
}
