//! `validate` on a generated workspace of 10,000 resources: 6,000 groups of 20 members,
//! 1,000 bots and 3,000 notifications with schedules, in 53 files (`dingform.yaml` and 52
//! manifests).
//!
//! Run: `cargo bench --bench validate` (release build). Goal (issue 15): under 0.25 s of wall
//! time for `dingform validate` on a 2-core machine, which is what an editor or a pre-commit
//! hook waits for: the real binary is timed too, five runs, with its CPU.
//! Set `DINGFORM_BENCH_DIR=/some/dir` to keep the generated workspace there.

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

const GROUPS: usize = 6_000;
const BOTS: usize = 1_000;
const NOTIFICATIONS: usize = 3_000;
const FILES: usize = 52;
const SCHEDULES: [&str; 6] = [
    "0 9 * * 1-5",
    "30 18 * * 1-5",
    "0 10 * * 1",
    "0 */2 * * *",
    "15 8 1 * *",
    "0 12 * * 6",
];

fn user(i: usize) -> String {
    format!("u{:05}", i % 20_000)
}

fn generate(dir: &Path) {
    std::fs::write(
        dir.join("dingform.yaml"),
        "organization: Bench Org\napp: {kind: internal, agent_id: 1}\nendpoint: sandbox\ndefaults: {template: tpl-default}\n",
    )
    .unwrap();
    let mut files = vec![String::new(); FILES];
    for (index, file) in files.iter_mut().enumerate() {
        writeln!(file, "groups:").unwrap();
        for g in (index..GROUPS).step_by(FILES) {
            let members: Vec<String> = (0..20).map(|m| user(g * 7 + m)).collect();
            let kind = ["scene", "standard", "scene"][g % 3];
            writeln!(file, "  group-{g}:\n    title: Team {g}\n    type: {kind}\n    owner: {}\n    admins: [{}]\n    members: [{}]\n    settings: {{searchable: false, mention_all: admins}}\n    bots: [bot-{}]", user(g), user(g + 1), members.join(", "), g % BOTS).unwrap();
        }
        writeln!(file, "bots:").unwrap();
        for b in (index..BOTS).step_by(FILES) {
            writeln!(
                file,
                "  bot-{b}: {{robot_code: dingbot-{b}, name: Bot {b}}}"
            )
            .unwrap();
        }
        writeln!(file, "notifications:").unwrap();
        for n in (index..NOTIFICATIONS).step_by(FILES) {
            let schedule = SCHEDULES[n % SCHEDULES.len()];
            if n % 2 == 0 {
                writeln!(file, "  note-{n}:\n    schedule: '{schedule}'\n    timezone: Asia/Shanghai\n    via: {{bot: bot-{}, group: group-{}}}\n    message: {{markdown: {{title: Update, text: 'Update {{{{date}}}} \\n - item'}}}}", n % BOTS, n % GROUPS).unwrap();
            } else {
                let users: Vec<String> = (0..5).map(|u| user(n * 13 + u)).collect();
                writeln!(file, "  note-{n}:\n    schedule: '{schedule}'\n    timezone: Europe/Berlin\n    via: {{work_notification: {{users: [{}]}}}}\n    message: {{text: {{content: 'Digest {{{{time}}}}'}}}}", users.join(", ")).unwrap();
            }
        }
    }
    for (index, text) in files.iter().enumerate() {
        std::fs::write(dir.join(format!("m{index:02}.yaml")), text).unwrap();
    }
}

fn main() {
    let temp = tempfile::tempdir().unwrap();
    let dir = std::env::var_os("DINGFORM_BENCH_DIR")
        .map_or_else(|| temp.path().to_path_buf(), std::path::PathBuf::from);
    std::fs::create_dir_all(&dir).unwrap();
    generate(&dir);
    let mut times: Vec<Duration> = Vec::new();
    let mut summary = String::new();
    for _ in 0..5 {
        let started = Instant::now();
        let validation = dingform::manifest::validate(&dir);
        times.push(started.elapsed());
        summary = format!(
            "{} resources, {} findings ({} errors)",
            validation.workspace.resource_count(),
            validation.findings.len(),
            validation
                .findings
                .iter()
                .filter(|f| f.severity == dingform::model::Severity::Error)
                .count()
        );
    }
    times.sort();
    let mut load_times: Vec<Duration> = (0..5)
        .map(|_| {
            let started = Instant::now();
            let _ = dingform::manifest::load(&dir);
            started.elapsed()
        })
        .collect();
    load_times.sort();
    println!("validate, generated workspace: {summary}");
    println!(
        "  of which loading (read + parse + merge): median {:?}",
        load_times[2]
    );
    println!(
        "  min {:?}  median {:?}  max {:?}  (5 runs)",
        times[0], times[2], times[4]
    );
    binary(&dir);
}

/// `dingform validate DIR`, the real binary, five times: wall time and CPU (user + system)
/// of each run, from the child's resource usage as `/usr/bin/time` reports it.
fn binary(dir: &Path) {
    let mut runs: Vec<(Duration, f64)> = Vec::new();
    let report = dir.join(".time");
    for _ in 0..5 {
        let started = Instant::now();
        let output = std::process::Command::new("/usr/bin/time")
            .arg("-o")
            .arg(&report)
            .args(["-f", "%U %S"])
            .arg(env!("CARGO_BIN_EXE_dingform"))
            .arg("validate")
            .arg(dir)
            .env("NO_COLOR", "1")
            .output()
            .expect("/usr/bin/time runs dingform validate");
        let wall = started.elapsed();
        assert!(
            output.status.code().is_some_and(|code| code <= 1),
            "validate crashed: {output:?}"
        );
        let measured = std::fs::read_to_string(&report).unwrap_or_default();
        let cpu: f64 = measured
            .lines()
            .last()
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(|field| field.parse::<f64>().ok())
            .sum();
        runs.push((wall, cpu));
    }
    std::fs::remove_file(&report).ok();
    runs.sort_by_key(|run| run.0);
    println!(
        "  `dingform validate` (the binary): median wall {:?} (goal < 250 ms), its CPU {:.2}s; min {:?}  max {:?}  (5 runs)",
        runs[2].0, runs[2].1, runs[0].0, runs[4].0
    );
}
