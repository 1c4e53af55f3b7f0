//! Why a saved plan is stale: what moved between `plan -o FILE` and `apply FILE`, named so a
//! reader knows what to look at (#18): which manifest file, which state serial, which group.
//!
//! A plan records, besides one digest of everything it read, a digest per manifest file and
//! per live read (a group, a bot, the directory reads), so that the refusal can say which of
//! them differ. Plan files written before these existed still compare by the whole digests.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::Fingerprints;
use super::decide::Moved;
use super::refresh::Live;
use crate::model::Sources;

/// SHA-256 of each manifest by its path relative to the workspace `root`.
pub fn manifest_files(sources: &Sources, root: &Path) -> BTreeMap<String, String> {
    sources
        .iter()
        .map(|(path, text)| {
            let relative = path.strip_prefix(root).unwrap_or(path);
            (
                relative.to_string_lossy().into_owned(),
                hex::encode(Sha256::digest(text.as_bytes())),
            )
        })
        .collect()
}

fn digest(value: &impl Serialize) -> String {
    hex::encode(Sha256::digest(
        serde_json::to_vec(value).unwrap_or_default(),
    ))
}

/// SHA-256 of each part of what refresh read, by what a reader calls it.
pub fn live_parts(live: &Live) -> BTreeMap<String, String> {
    let mut parts = BTreeMap::new();
    for (address, read) in &live.groups {
        parts.insert(format!("the live {address}"), digest(read));
    }
    for (address, read) in &live.imports {
        parts.insert(format!("the live group {address} imports"), digest(read));
    }
    for (code, known) in &live.robots {
        parts.insert(format!("the live bot {code}"), digest(known));
    }
    parts.insert(
        "the people who left the organization".into(),
        digest(&live.departed),
    );
    let mut directory = live.directory.clone();
    directory.reads = 0;
    parts.insert(
        "the departments groups follow (members_from)".into(),
        digest(&directory),
    );
    parts.insert(
        "the users, departments and templates the manifests name".into(),
        digest(&live.names),
    );
    parts
}

/// What differs between the fingerprints of a saved plan and those of the world now, each in
/// a few words; empty when nothing moved. Whether something moved is
/// [`Fingerprints::moved`]'s decision (the one [`PlanFile::check_fresh`] makes); this only
/// names, for each that moved, what in it did.
///
/// [`PlanFile::check_fresh`]: super::file::PlanFile::check_fresh
pub fn what_moved(saved: &Fingerprints, now: &Fingerprints) -> Vec<String> {
    let mut moved = Vec::new();
    for what in saved.moved(now) {
        match what {
            Moved::Manifests => moved.push(manifests_moved(saved, now)),
            Moved::State => moved.push(state_moved(saved, now)),
            Moved::Live => moved.extend(live_moved(saved, now)),
        }
    }
    moved
}

fn manifests_moved(saved: &Fingerprints, now: &Fingerprints) -> String {
    let named = differing(&saved.manifest_files, &now.manifest_files, |file, how| {
        format!("{file} {}", if how == "changed" { "edited" } else { how })
    });
    if named.is_empty() {
        "the manifests changed".to_owned()
    } else {
        format!("the manifests changed ({})", named.join(", "))
    }
}

fn state_moved(saved: &Fingerprints, now: &Fingerprints) -> String {
    match (&saved.state_lineage, &now.state_lineage) {
        (then, current) if then == current => format!(
            "the state moved (serial {} when the plan was made, {} now)",
            saved.state_serial, now.state_serial
        ),
        (Some(_), None) => {
            "the state moved (it was written when the plan was made, and is empty now)".to_owned()
        }
        (None, Some(_)) => format!(
            "the state moved (it was empty when the plan was made, and is at serial {} now)",
            now.state_serial
        ),
        _ => "the state moved (it is another workspace's now: its lineage differs)".to_owned(),
    }
}

/// Each live read that differs, or one line when the plan file recorded none of them.
fn live_moved(saved: &Fingerprints, now: &Fingerprints) -> Vec<String> {
    let named = differing(&saved.live_parts, &now.live_parts, |part, how| match how {
        "changed" => format!("{part} changed"),
        "added" => format!("{part} is read now and was not then"),
        _ => format!("{part} was read then and is not now"),
    });
    if named.is_empty() {
        vec!["the live resources on DingTalk changed".to_owned()]
    } else {
        named
    }
}

/// The keys whose digests differ, each described by `describe(key, "changed" | "added" |
/// "removed")`; empty when either side has none recorded (an older plan file).
fn differing(
    then: &BTreeMap<String, String>,
    now: &BTreeMap<String, String>,
    describe: impl Fn(&str, &str) -> String,
) -> Vec<String> {
    if then.is_empty() || now.is_empty() {
        return Vec::new();
    }
    let mut named = Vec::new();
    for (key, digest) in then {
        match now.get(key) {
            Some(current) if current != digest => named.push(describe(key, "changed")),
            Some(_) => {}
            None => named.push(describe(key, "removed")),
        }
    }
    for key in now.keys().filter(|key| !then.contains_key(*key)) {
        named.push(describe(key, "added"));
    }
    named
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fingerprints(files: &[(&str, &str)], serial: u64) -> Fingerprints {
        let manifest_files: BTreeMap<String, String> = files
            .iter()
            .map(|(f, d)| ((*f).to_owned(), (*d).to_owned()))
            .collect();
        Fingerprints {
            manifests: format!("{manifest_files:?}"),
            manifest_files,
            state_lineage: Some("l".into()),
            state_serial: serial,
            ..Fingerprints::default()
        }
    }

    #[test]
    fn names_each_manifest_file_that_changed_appeared_or_went() {
        let then = fingerprints(&[("a.yaml", "1"), ("b.yaml", "2")], 3);
        let now = fingerprints(&[("a.yaml", "9"), ("c.yaml", "3")], 3);
        assert_eq!(
            what_moved(&then, &now),
            ["the manifests changed (a.yaml edited, b.yaml removed, c.yaml added)"]
        );
    }

    #[test]
    fn names_something_exactly_when_the_plan_file_is_stale() {
        let base = fingerprints(&[("a.yaml", "1")], 3);
        let mut cases = vec![base.clone()];
        let mut other = base.clone();
        other.manifests = "m2".into();
        cases.push(other.clone());
        other.state_serial = 4;
        cases.push(other.clone());
        other.state_lineage = None;
        cases.push(other.clone());
        other.live = "l2".into();
        cases.push(other);
        for now in &cases {
            assert_eq!(
                what_moved(&base, now).is_empty(),
                base.moved(now).is_empty(),
                "{now:?}"
            );
            for then in &cases {
                assert!(what_moved(then, now).len() >= then.moved(now).len());
            }
        }
    }

    #[test]
    fn names_the_serials_of_a_state_that_moved() {
        let then = fingerprints(&[], 3);
        let now = fingerprints(&[], 5);
        assert_eq!(
            what_moved(&then, &now),
            ["the state moved (serial 3 when the plan was made, 5 now)"]
        );
    }
}
