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
    manifest: Manifest,
    findings: &mut Vec<Finding>,
) {
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
