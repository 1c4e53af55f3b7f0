//! Decisions the library makes and `apply` / `notify status` only ask about (#16): a saved
//! plan's freshness, the state serial it was made from, which findings block an apply, and
//! summaries that add up.

use dingform::model::Finding;
use dingform::notify::Summary;
use dingform::plan::decide::{self, StateMoved};
use dingform::plan::file::PlanFile;
use dingform::plan::{Estimate, FORMAT_VERSION, Fingerprints, Plan};

fn fingerprints(manifests: &str, serial: u64, live: &str) -> Fingerprints {
    Fingerprints {
        manifests: manifests.into(),
        state_lineage: Some("lineage".into()),
        state_serial: serial,
        live: live.into(),
        manifest_files: Default::default(),
        live_parts: Default::default(),
    }
}

fn plan(findings: Vec<Finding>, fingerprints: Fingerprints) -> Plan {
    Plan {
        format_version: FORMAT_VERSION,
        changes: Vec::new(),
        findings,
        fingerprints,
        estimate: Estimate::default(),
    }
}

#[test]
fn a_plan_file_is_fresh_until_the_manifests_the_state_or_the_live_resources_move() {
    let dir = tempfile::tempdir().unwrap();
    let saved = PlanFile::new(dir.path(), plan(Vec::new(), fingerprints("m", 3, "l")));
    assert_eq!(saved.check_fresh(&fingerprints("m", 3, "l")), Ok(()));
    assert_eq!(
        saved.check_fresh(&fingerprints("m2", 3, "l")),
        Err(vec!["the manifests"])
    );
    assert_eq!(
        saved.check_fresh(&fingerprints("m2", 4, "l2")),
        Err(vec![
            "the manifests",
            "the state",
            "the live resources on DingTalk"
        ])
    );
}

#[test]
fn the_state_must_be_at_the_serial_the_plan_was_made_from() {
    let plan = plan(Vec::new(), fingerprints("m", 7, "l"));
    assert_eq!(plan.check_serial(7), Ok(()));
    let moved = plan.check_serial(8).unwrap_err();
    assert_eq!(moved, StateMoved { planned: 7, now: 8 });
    assert_eq!(
        moved.to_string(),
        "the state changed since the plan was made (serial 7 then, 8 now); plan again"
    );
}

#[test]
fn errors_of_the_saved_and_the_fresh_plan_block_each_once_warnings_do_not() {
    let refused = Finding::error("message-size", "too long");
    let destroy = Finding::error("prevent-destroy", "kept");
    let warning = Finding::warning("group-url-expiry", "expires");
    let saved = plan(
        vec![refused.clone(), warning.clone()],
        Fingerprints::default(),
    );
    let fresh = plan(
        vec![destroy.clone(), refused.clone()],
        Fingerprints::default(),
    );
    assert_eq!(decide::blocking(&saved, &fresh), vec![destroy, refused]);
    let clean = plan(vec![warning], Fingerprints::default());
    assert!(decide::blocking(&clean, &clean).is_empty());
}

#[test]
fn summaries_add_up_with_plus_equals() {
    let mut total = Summary {
        requests: 1,
        delivered: 2,
        failed: vec!["u1".into()],
        ..Summary::default()
    };
    let mut other = Summary {
        requests: 2,
        delivered: 3,
        resent: 1,
        pending: 1,
        unconfirmed: 1,
        invalid: vec!["dept:9".into()],
        ..Summary::default()
    };
    other.forbidden.insert("143106".into(), vec!["u2".into()]);
    other
        .refused
        .insert("to-all-user-daily".into(), vec!["all".into()]);
    total += &other;
    total += &other;
    assert_eq!((total.requests, total.delivered, total.resent), (5, 8, 2));
    assert_eq!((total.pending, total.unconfirmed), (2, 2));
    assert_eq!(total.failed, ["u1"]);
    assert_eq!(total.invalid, ["dept:9", "dept:9"]);
    assert_eq!(total.forbidden["143106"], ["u2", "u2"]);
    assert_eq!(total.refused["to-all-user-daily"], ["all", "all"]);
}
