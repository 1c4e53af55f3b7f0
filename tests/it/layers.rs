//! The layers of `src/` (lib.rs, STYLE.md): each module imports only the ones below it, and
//! `provider` and `emulator` never import each other. A renderer that reached up into `apply`
//! or `notify` for its data, or a library layer that reached into `cli`, fails here with the
//! file that does it.

use std::path::Path;

/// Lowest first; each may use the ones before it.
const LAYERS: &[&str] = &[
    "model", "manifest", "state", "provider", "emulator", "plan", "render", "adopt", "apply",
    "notify", "cli",
];

/// The crate modules a source text names (`crate::plan::Plan` names `plan`; so does each
/// name in `crate::{plan, render}`).
fn named_modules(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    for (index, _) in text.match_indices("crate::") {
        let rest = &text[index + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let inner = &group[..group.find('}').unwrap_or(group.len())];
            names.extend(inner.split(',').map(|part| ident(part.trim())));
        } else {
            names.push(ident(rest));
        }
    }
    names
}

#[test]
fn named_modules_reads_paths_and_groups() {
    assert_eq!(
        named_modules("use crate::plan::Plan;\nuse crate::{apply, notify::status};"),
        ["plan", "apply", "notify"]
    );
}

#[test]
fn every_layer_imports_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut upward = Vec::new();
    for (rank, layer) in LAYERS.iter().enumerate() {
        for entry in walkdir::WalkDir::new(src.join(layer)) {
            let path = entry.expect("src/ is readable").into_path();
            if path.extension().is_none_or(|ext| ext != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("a source file");
            for module in named_modules(&text) {
                let Some(used) = LAYERS.iter().position(|l| *l == module) else {
                    continue;
                };
                let across = matches!(
                    (*layer, module.as_str()),
                    ("provider", "emulator") | ("emulator", "provider")
                );
                if used > rank || across {
                    upward.push(format!(
                        "{} uses crate::{module}",
                        path.strip_prefix(&src).unwrap().display()
                    ));
                }
            }
        }
    }
    upward.sort();
    upward.dedup();
    assert!(
        upward.is_empty(),
        "imports that run up (or across) the layers:\n{}",
        upward.join("\n")
    );
}
