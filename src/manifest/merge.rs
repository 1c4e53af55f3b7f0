//! Merging parsed files into one [`Workspace`]: names checked, each resource once.

use std::collections::BTreeMap;
use std::path::Path;

use crate::model::address::check_name;
use crate::model::manifest::{Declared, InFile};
use crate::model::{Address, Finding, Manifest, ResourceKind, Spanned, Workspace};

/// Adds one file's resources and blocks to the workspace, reporting bad names
/// (`invalid-name`) and resources declared twice (`duplicate-resource`).
pub fn merge(
    workspace: &mut Workspace,
    file: &Path,
    mut manifest: Manifest,
    findings: &mut Vec<Finding>,
) {
    for (_, group) in &mut manifest.groups.0 {
        compact(&mut group.members);
        compact(&mut group.admins);
        compact(&mut group.bots);
    }
    add(
        &mut workspace.groups,
        ResourceKind::Group,
        file,
        manifest.groups,
        findings,
    );
    add(
        &mut workspace.bots,
        ResourceKind::Bot,
        file,
        manifest.bots,
        findings,
    );
    add(
        &mut workspace.notifications,
        ResourceKind::Notification,
        file,
        manifest.notifications,
        findings,
    );
    let in_file = |block| InFile {
        file: file.to_path_buf(),
        block,
    };
    workspace
        .moved
        .extend(manifest.moved.into_iter().map(in_file));
    workspace
        .imports
        .extend(manifest.import.into_iter().map(|block| InFile {
            file: file.to_path_buf(),
            block,
        }));
    workspace
        .removed
        .extend(manifest.removed.into_iter().map(|block| InFile {
            file: file.to_path_buf(),
            block,
        }));
}

/// Rebuilds the workspace's maps of resources from their sorted entries. Built one insert
/// at a time in name order (as files usually list them), a `BTreeMap` splits each full node
/// in two and leaves it about half full; a group is a kilobyte, so 20,000 groups kept some
/// 18 MB of empty slots for the whole plan (issue 15, the plan's memory). Collected from
/// sorted entries, the map fills its nodes.
pub fn pack(workspace: &mut Workspace) {
    fn packed<T>(map: &mut BTreeMap<String, Declared<T>>) {
        *map = std::mem::take(map).into_iter().collect();
    }
    packed(&mut workspace.groups);
    packed(&mut workspace.bots);
    packed(&mut workspace.notifications);
}

/// Moves a list the parser grew by doubling (a YAML sequence does not say its length) into
/// an allocation of its exact size: 20 members sit in room for 32, and a workspace of 20,000
/// groups kept 11 MB of that room through the whole plan (issue 15, the plan's memory).
/// `shrink_to_fit` would not do: the allocator keeps a block that shrinks by less than half.
fn compact<T>(list: &mut Vec<T>) {
    if list.capacity() > list.len() {
        let mut exact = Vec::with_capacity(list.len());
        exact.append(list);
        *list = exact;
    }
}

fn add<T>(
    declared: &mut BTreeMap<String, Declared<T>>,
    kind: ResourceKind,
    file: &Path,
    entries: crate::model::named_map::NamedMap<T>,
    findings: &mut Vec<Finding>,
) {
    for (name, spec) in entries {
        let address = Address::new(kind, name.value.clone());
        if let Err(error) = check_name(&name.value) {
            findings.push(
                Finding::error("invalid-name", format!("bad {kind} name: {error}"))
                    .at(file, &name.span)
                    .address(&address)
                    .help("names match ^[a-z0-9][a-z0-9_-]{0,62}$, e.g. `payments-oncall`"),
            );
        }
        if let Some(first) = declared.get(&name.value) {
            findings.push(duplicate(kind, &address, file, &name, first));
            continue;
        }
        declared.insert(
            name.value.clone(),
            Declared {
                file: file.to_path_buf(),
                name,
                spec,
            },
        );
    }
}

fn duplicate<T>(
    kind: ResourceKind,
    address: &Address,
    file: &Path,
    name: &Spanned<String>,
    first: &Declared<T>,
) -> Finding {
    let first_at = format!("{}:{}", first.file.display(), first.name.span);
    Finding::error(
        "duplicate-resource",
        format!("{address} is declared twice (first at {first_at})"),
    )
    .at(file, &name.span)
    .address(address)
    .related(&first.file, &first.name.span, "first declared here")
    .help(format!(
        "a {kind} name is unique across all files: rename or remove one of them"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_groups_lists_keep_no_spare_room() {
        let members: Vec<String> = (0..20).map(|n| format!("u{n:02}")).collect();
        let text = format!(
            "groups:\n  team: {{title: Team, type: scene, owner: u00, admins: [u01, u02, u03], members: [{}], bots: [a, b, c, d, e]}}\n",
            members.join(", ")
        );
        let manifest = crate::manifest::parse_manifest(Path::new("g.yaml"), &text).unwrap();
        let mut workspace = Workspace::default();
        let mut findings = Vec::new();
        merge(&mut workspace, Path::new("g.yaml"), manifest, &mut findings);
        assert!(findings.is_empty(), "{findings:?}");
        let group = &workspace.groups["team"].spec;
        assert_eq!(group.members.len(), 20);
        for list in [&group.members, &group.admins, &group.bots] {
            assert_eq!(list.capacity(), list.len());
        }
        assert_eq!(group.members[19].value, "u19");
        assert_eq!(group.members[19].span.line, 2);
    }
}
