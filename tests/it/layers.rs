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

/// Where `cli` is allowed to print a literal sentence of its own, and why. Everything else a
/// command says comes from `render` (`render::messages`, the reports), so that a test of the
/// library reaches it and its words are in one place.
const CLI_SENTENCES_ALLOWED: &[(&str, &str)] = &[];

/// The literal sentences printed in a source text, by line: the format string of a `print!`,
/// `println!`, `eprint!`, `eprintln!`, `write!` or `writeln!` (after its first argument), or
/// of a progress bar's `.println(`, when its text starts with a letter (after any `\n`).
/// `println!("{}", render::…)` prints no sentence of its own.
fn printed_sentences(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let macros = [
        "print!(",
        "println!(",
        "eprint!(",
        "eprintln!(",
        "write!(",
        "writeln!(",
    ];
    let mut starts: Vec<(usize, bool)> = Vec::new();
    for name in macros {
        for (index, _) in text.match_indices(name) {
            let whole_word = text[..index]
                .chars()
                .next_back()
                .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'));
            if whole_word {
                starts.push((index + name.len(), name.starts_with("write")));
            }
        }
    }
    for (index, _) in text.match_indices(".println(") {
        starts.push((index + ".println(".len(), false));
    }
    for (start, skip_writer) in starts {
        let mut rest = &text[start..];
        if skip_writer {
            // `writeln!(out)` has no format string.
            match (rest.find(','), rest.find(')')) {
                (Some(comma), close) if close.is_none_or(|close| comma < close) => {
                    rest = &rest[comma + 1..];
                }
                _ => continue,
            }
        }
        let rest = rest.trim_start();
        let Some(literal) = rest.strip_prefix('"') else {
            continue;
        };
        let mut words = literal;
        while let Some(after) = words.strip_prefix("\\n") {
            words = after;
        }
        if words.starts_with(|c: char| c.is_alphabetic()) {
            let line = text[..start].matches('\n').count() + 1;
            let end = literal.find('"').unwrap_or(literal.len());
            found.push((line, literal[..end].to_owned()));
        }
    }
    found.sort();
    found
}

#[test]
fn printed_sentences_finds_literal_text_and_not_what_render_returns() {
    let text = "eprintln!(\n    \"Apply cancelled.\");\nprintln!(\"{}\", render::x());\n\
                writeln!(out, \"\\nSaved {}\", p)?;\nwriteln!(out, \"{a}\\t{b}\")?;\n\
                bar.println(\"Interrupted\");\nmy_println!(\"not ours\");\n";
    assert_eq!(
        printed_sentences(text),
        [
            (1, "Apply cancelled.".to_owned()),
            (4, "\\nSaved {}".to_owned()),
            (6, "Interrupted".to_owned())
        ]
    );
}

#[test]
fn cli_prints_no_sentence_of_its_own() {
    let cli = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/cli");
    let mut own = Vec::new();
    for entry in walkdir::WalkDir::new(&cli) {
        let path = entry.expect("src/cli is readable").into_path();
        if path.extension().is_none_or(|ext| ext != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("a source file");
        let file = path.strip_prefix(&cli).unwrap().display().to_string();
        for (line, sentence) in printed_sentences(&text) {
            let allowed = CLI_SENTENCES_ALLOWED
                .iter()
                .any(|(f, start)| *f == file && sentence.starts_with(start));
            if !allowed {
                own.push(format!("src/cli/{file}:{line}: \"{sentence}\""));
            }
        }
    }
    assert!(
        own.is_empty(),
        "cli prints sentences of its own; render them in src/render (render::messages or a \
         report) and print what it returns:\n{}",
        own.join("\n")
    );
}
