//! `dingform validate` on hostile or broken input: each ends in a clear error naming the
//! file, never a panic or a hang (every run has a timeout; a panic would exit 101).

use crate::common::Workspace;

/// `dingform validate` of `ws` as a snapshot: exit 1 (not a panic's 101), the rule, the file
/// and position named, and the message.
fn rejects(ws: &Workspace, snapshot: &str) {
    let run = ws.run_offline(&["validate"]);
    crate::assert_filtered_snapshot!(snapshot, run.snapshot());
}

#[test]
fn binary_garbage_is_rejected_naming_the_file() {
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    rejects(
        &Workspace::new().file("garbage.yaml", garbage),
        "binary_garbage",
    );
}

#[test]
fn control_characters_in_utf8_text_are_a_syntax_error() {
    rejects(
        &Workspace::new().file("nul.yaml", "groups:\n  a\u{0}b: {}\n\u{7}\u{0}"),
        "control_characters",
    );
}

#[test]
fn invalid_utf8_is_reported_at_the_first_bad_byte() {
    let ws = Workspace::new().file("latin1.yaml", b"groups:\n  caf\xe9: {}\n".as_slice());
    rejects(&ws, "invalid_utf8");
}

#[test]
fn a_50_megabyte_file_is_refused_by_size() {
    let ws = Workspace::new();
    let big = std::fs::File::create(ws.join("huge.yaml")).unwrap();
    big.set_len(50 * 1024 * 1024).unwrap();
    rejects(&ws, "file_too_large");
}

/// Asserts exit 1 (not a panic), the file named with a position, and no panic message: the
/// typed model stops hostile structure at its first misplaced node, and the parser's budget
/// (unit-tested in `manifest::parse`) stops what a permissive type would expand.
fn rejects_quickly(ws: &Workspace, file: &str) {
    let started = std::time::Instant::now();
    let (code, stderr) = ws.validate();
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains(&format!("--> {file}:")),
        "{file} not named in:\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn deeply_nested_flow_yaml_is_refused() {
    let depth = 100_000;
    rejects_quickly(
        &Workspace::new().file(
            "deep.yaml",
            format!("groups: {}{}\n", "[".repeat(depth), "]".repeat(depth)),
        ),
        "deep.yaml",
    );
    rejects_quickly(
        &Workspace::new().file(
            "deep.yaml",
            format!("{}{}\n", "[".repeat(depth), "]".repeat(depth)),
        ),
        "deep.yaml",
    );
}

#[test]
fn deeply_nested_block_mappings_are_refused() {
    let nested: String = (0..2_000)
        .map(|level| format!("{}k{level}:\n", " ".repeat(level)))
        .collect();
    rejects_quickly(
        &Workspace::new().file(
            "deep.yaml",
            format!(
                "groups:\n  g:\n    settings:\n{}",
                nested
                    .lines()
                    .map(|l| format!("      {l}\n"))
                    .collect::<String>()
            ),
        ),
        "deep.yaml",
    );
}

/// Ten levels of ten aliases each: 10^10 nodes if expanded.
fn billion_laughs() -> String {
    let mut bomb = String::from("x0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for level in 1..10 {
        let refs = vec![format!("*x{}", level - 1); 10].join(", ");
        bomb.push_str(&format!("x{level}: &x{level} [{refs}]\n"));
    }
    bomb
}

#[test]
fn a_billion_laughs_alias_bomb_is_refused() {
    rejects_quickly(
        &Workspace::new().file("bomb.yaml", format!("{}groups: *x9\n", billion_laughs())),
        "bomb.yaml",
    );
    let inline = format!(
        "groups:\n  g:\n    title: t\n    type: standard\n    owner: u1\n    members: &m [{}]\n    admins: *m\n",
        billion_laughs().replace('\n', " ")
    );
    rejects_quickly(&Workspace::new().file("bomb.yaml", inline), "bomb.yaml");
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_an_error_naming_the_link() {
    let ws = Workspace::new().file("sub/g.yaml", "groups: {}\n");
    std::os::unix::fs::symlink("..", ws.join("sub/loop")).unwrap();
    rejects(&ws, "symlink_loop");
}

#[cfg(unix)]
#[test]
fn a_dangling_symlink_is_an_unreadable_file() {
    let ws = Workspace::new();
    std::os::unix::fs::symlink("missing-target.yaml", ws.join("dangling.yaml")).unwrap();
    rejects(&ws, "dangling_symlink");
}

#[cfg(unix)]
#[test]
fn a_file_that_cannot_be_read_is_an_error_naming_it() {
    // A FIFO with no writer would block a naive reader forever; root can read any mode bits,
    // so an unreadable *regular* file cannot be made here. A directory named like a manifest
    // whose entries cannot be opened is the portable case: reading `x.yaml/` as a file fails.
    let ws = Workspace::new().file("x.yaml/inner.txt", "");
    let (code, stderr) = ws.validate();
    assert_eq!(
        code, 0,
        "a directory named x.yaml is not a manifest: {stderr}"
    );
    let ws = Workspace::new();
    std::os::unix::fs::symlink("/proc/self/mem", ws.join("mem.yaml")).unwrap();
    rejects(&ws, "unreadable_mem");
}

#[test]
fn findings_and_crashes_do_not_mix_when_one_file_is_broken() {
    // One broken file stops the cross-file checks (no false unknown-reference) but every
    // broken file is still reported.
    let ws = Workspace::new()
        .file(
            "a.yaml",
            "groups:\n  g: {title: G, type: standard, owner: u1, bots: [b]}\n",
        )
        .file("b.yaml", "bots:\n  b: {robot_code: x, name: [}\n")
        .file("c.yaml", "groups:\n  h: {title: H, tpye: standard}\n");
    let (code, diagnostics) = ws.diagnostics();
    assert_eq!(code, 1);
    let rules: Vec<&str> = diagnostics
        .iter()
        .map(|(rule, _, _)| rule.as_str())
        .collect();
    assert_eq!(rules, ["invalid-type", "unknown-key"], "{diagnostics:?}");
}
