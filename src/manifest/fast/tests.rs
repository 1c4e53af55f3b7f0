//! The fast reading against serde-saphyr's: whatever the fast one reads, it reads alike.

use proptest::prelude::*;

use crate::model::{Manifest, Settings};

/// Whether the fast reading took `text`; when it did, it must be serde-saphyr's reading,
/// spans and all (their `Debug` shows every span).
fn agrees<T: serde::de::DeserializeOwned + std::fmt::Debug>(text: &str) -> bool {
    let slow =
        serde_saphyr::from_str_with_options::<Option<T>>(text, super::super::parse::options());
    match super::parse::<T>(text) {
        None => false,
        Some(fast) => {
            let slow = slow.unwrap_or_else(|error| {
                panic!("read fast, refused by serde-saphyr ({error}):\n{text}")
            });
            assert_eq!(format!("{fast:#?}"), format!("{slow:#?}"), "{text}");
            true
        }
    }
}

fn example(name: &str) -> String {
    let path = format!("{}/examples/quickstart/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{path}: {error}"))
}

const MANIFESTS: [&str; 3] = ["groups.yaml", "bots.yaml", "notifications.yaml"];

/// Plain YAML of every shape the model has, in block and flow style, quoted and not.
const VARIED: &str = "groups:\n  g-1:\n    title: \"Team \\u00e9 1\"\n    type: scene\n    template: 'tpl-1'\n    owner: u1\n    admins:\n      - u2\n      - \"u3\"\n    members: [u4, 'u5',\n      u6]\n    members_policy: additive\n    settings:\n      searchable: true\n      mention_all: everyone\n    bots: []\n    plugins: [{name: 手册, url: \"https://x.example/a\"}]\n    tabs:\n      - {title: D, url: 'https://y.example'}\n    prevent_destroy: false\n  g-2: {title: Two, type: standard, owner: u1}\nbots:\n  b-1: {robot_code: dingbot-1, name: Bot 1}\nnotifications:\n  n-1:\n    schedule: '0 9 * * 1-5'\n    timezone: Asia/Shanghai\n    via: {bot: b-1, group: g-1}\n    message:\n      markdown:\n        title: Update\n        text: |\n          Line {{date}}\n           - item\n  n-2:\n    schedule: \"30 18 * * 1-5\"\n    via: {work_notification: {users: [u1, u2]}}\n    message:\n      text:\n        content: >-\n          folded\n          text\nmoved: [{from: group.a, to: group.b}]\nimport:\n  - {to: group.g-2, id: cid123}\nremoved: [{from: bot.old}]\n";

#[test]
fn the_examples_read_fast_and_alike() {
    for name in MANIFESTS {
        assert!(
            agrees::<Manifest>(&example(name)),
            "{name} was not read fast"
        );
    }
    agrees::<Settings>(&example("dingform.yaml"));
}

#[test]
fn plain_yaml_of_every_shape_reads_fast_and_alike() {
    assert!(agrees::<Manifest>(VARIED));
    assert!(agrees::<Manifest>(&VARIED.replace('\n', "\r\n")));
}

#[test]
fn what_only_serde_saphyr_reads_is_left_to_it() {
    for text in [
        "groups:\n  a: &x {title: A, type: scene, owner: u1}\n  b: *x\n",
        "groups:\n  a: {title: !!str 1, type: scene, owner: u1}\n",
        "groups:\n  a: {title: A, type: scene, owner: u1}\n  a: {title: B, type: scene, owner: u1}\n",
        "groups:\n  a: {title: A, title: B, type: scene, owner: u1}\n",
        "groups:\n  a: {title: ~, type: scene, owner: u1}\n",
        "groups:\n  a: {title: A, type: scene, owner: u1, bogus: 1}\n",
        "groups:\n  a: {title: A, type: scene, owner: u1, prevent_destroy: yes}\n",
        "groups:\n  1: {title: A, type: scene, owner: u1}\n",
        "groups: {}\n---\nbots: {}\n",
        "groups:\n  a: {<<: {title: A}, type: scene, owner: u1}\n",
        "",
        "# only a comment\n",
        "groups:\n",
        "groups: [\n",
    ] {
        assert!(!agrees::<Manifest>(text), "read fast:\n{text}");
    }
}

/// Edits that make YAML a parser may read differently: quotes, indicators, anchors, tags.
const EDITS: [&str; 24] = [
    ":", "-", "'", "\"", "&a ", "*a", "~", "null", "!!str ", "<<: ", "\t", " ", "  ", "#", "\n",
    "{", "}", "[", "]", ",", "? ", "|", ">", "yes",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    #[test]
    fn an_edited_manifest_reads_fast_only_as_serde_saphyr_reads_it(
        file in 0..4_usize,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0..EDITS.len(), 0..3_usize), 1..4),
    ) {
        let mut text = if file == 3 { VARIED.to_owned() } else { example(MANIFESTS[file]) };
        for (at, edit, kind) in edits {
            let mut offset = at.index(text.len() + 1);
            while !text.is_char_boundary(offset) {
                offset -= 1;
            }
            match kind {
                0 => text.insert_str(offset, EDITS[edit]),
                1 => {
                    let end = text[offset..].find('\n').map_or(text.len(), |n| offset + n);
                    text.replace_range(offset..end, EDITS[edit]);
                }
                _ => {
                    let end = text[offset..].chars().next().map_or(offset, |c| offset + c.len_utf8());
                    text.replace_range(offset..end, "");
                }
            }
        }
        agrees::<Manifest>(&text);
    }
}
