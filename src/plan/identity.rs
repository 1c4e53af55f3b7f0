//! Creation UUIDs (`create-idempotency`).
//!
//! DingTalk deduplicates group creation by a caller-chosen `uuid`: a create whose uuid was seen
//! before returns the group made the first time. dingform derives that uuid from the
//! organization, the workspace and the resource address (UUIDv5), never at random, so that a
//! retried or interrupted apply — even from another machine — can never make a second group.
//!
//! The workspace is its state's lineage (#18): two workspaces of one organization that both
//! declare `group.ops` mean two groups, and must not send the same uuid, or the second one's
//! create is answered with the first one's group, which it then rewrites. A state never written
//! has a lineage derived from where it will be kept (`state::store::first_lineage`), so plans
//! before the first apply show the uuids the apply sends; the lineage then travels with the state.
//!
//! A group deleted outside dingform must be made again, and the platform would answer the old
//! uuid with the old (disbanded) group: each re-creation therefore bumps a generation, kept in
//! state, that is part of the name.

use crate::model::Address;
use uuid::Uuid;

/// The UUIDv5 namespace of dingform's creation uuids: `uuid5(NAMESPACE_URL,
/// "https://dingform.dev/ns/creation")`. Never change it: every existing state depends on it.
pub const CREATION_NAMESPACE: Uuid = Uuid::from_u128(0xb15a_ebc7_c170_5594_a9ae_2712_1a0a_f3f2);

/// The creation uuid of `address` in the workspace whose state has `lineage`, in
/// `organization`; `generation` 0 for the first creation.
///
/// The name hashed is `ORGANIZATION/LINEAGE/ADDRESS` (plus `#GENERATION` after the first).
pub fn creation_uuid(
    organization: &str,
    lineage: &str,
    address: &Address,
    generation: u32,
) -> String {
    let mut name = format!("{organization}/{lineage}/{address}");
    if generation > 0 {
        name.push_str(&format!("#{generation}"));
    }
    Uuid::new_v5(&CREATION_NAMESPACE, name.as_bytes()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_namespace_is_the_documented_one() {
        let derived = Uuid::new_v5(&Uuid::NAMESPACE_URL, b"https://dingform.dev/ns/creation");
        assert_eq!(
            CREATION_NAMESPACE, derived,
            "update the constant to {derived:#x}"
        );
    }

    #[test]
    fn uuids_are_stable_and_distinct_per_address_organization_workspace_and_generation() {
        let a = creation_uuid("Org", "l1", &Address::group("a"), 0);
        assert_eq!(a, creation_uuid("Org", "l1", &Address::group("a"), 0));
        assert_ne!(a, creation_uuid("Org", "l1", &Address::group("b"), 0));
        assert_ne!(a, creation_uuid("Other", "l1", &Address::group("a"), 0));
        assert_ne!(a, creation_uuid("Org", "l2", &Address::group("a"), 0));
        assert_ne!(a, creation_uuid("Org", "l1", &Address::group("a"), 1));
        assert!(a.len() <= 64, "the platform takes at most 64 characters");
    }

    #[test]
    fn the_name_hashed_is_the_address_as_text() {
        // Every state written before addresses were typed holds uuids made from the text.
        let by_text = |name: &str| Uuid::new_v5(&CREATION_NAMESPACE, name.as_bytes()).to_string();
        assert_eq!(
            creation_uuid("Org", "l1", &Address::group("pay-ops_2"), 0),
            by_text("Org/l1/group.pay-ops_2")
        );
        assert_eq!(
            creation_uuid("Org", "l1", &Address::group("a"), 3),
            by_text("Org/l1/group.a#3")
        );
    }
}
