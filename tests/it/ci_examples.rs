//! The CI templates in `examples/ci/`: the dingform commands of each workflow (the lines
//! between `# --- dingform:plan` / `# --- dingform:apply` and `# --- end ---`) run as written,
//! in bash, against an emulator — the commands, not the CI service. Every job runs in a fresh
//! checkout (as on a fresh runner), with the state in one PostgreSQL (the URL as the secret).

use crate::s3_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::*;

/// The commands of one marked section of a CI file.
fn section(file: &str, name: &str) -> Vec<String> {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples/ci")
            .join(file),
    )
    .unwrap();
    let start = format!("# --- dingform:{name}");
    text.lines()
        .skip_while(|line| !line.trim_start().starts_with(&start))
        .skip(1)
        .take_while(|line| !line.trim_start().starts_with("# --- end"))
        .map(|line| {
            let line = line
                .trim_start()
                .trim_start_matches("- ")
                .trim_start_matches("run: ");
            line.split("     #").next().unwrap().trim().to_owned()
        })
        .filter(|line| !line.is_empty())
        .collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
        }
    }
}

/// Run `commands` in bash, in `repo`, as a CI job would; returns (success, output).
fn run(
    repo: &Path,
    workspace: &Path,
    emu: &Emu,
    store: &[(&'static str, String)],
    commands: &[String],
) -> (bool, String) {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_dingform"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = Command::new("bash")
        .arg("-euo")
        .arg("pipefail")
        .arg("-c")
        .arg(commands.join("\n"))
        .current_dir(repo)
        .env("PATH", path)
        .env("WORKSPACE", workspace)
        .env("DINGFORM_ENDPOINT", &emu.base)
        .env("DINGTALK_APP_KEY", APP_KEY)
        .env("DINGTALK_APP_SECRET", APP_SECRET)
        .envs(store.iter().map(|(k, v)| (*k, v.clone())))
        .env_remove("DINGFORM_STATE_KEY")
        .env("CI", "true")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

/// The shared store's environment (`DINGFORM_STATE_URL`, and the `AWS_*` settings for S3),
/// as a CI secret would give it; `None` when no S3 server is set (the S3 case is skipped).
async fn store_env(s3: bool) -> Option<Vec<(&'static str, String)>> {
    if s3 {
        let bucket = s3_support::TestBucket::fresh().await?;
        let mut env = bucket.env();
        env.push(("DINGFORM_STATE_URL", bucket.url.clone()));
        return Some(env);
    }
    let db = crate::common::postgres::TestDatabase::fresh().await;
    Some(vec![("DINGFORM_STATE_URL", db.url)])
}

async fn workflow_runs_green_and_refuses_a_stale_plan(file: &str, s3: bool) {
    let Some(store) = store_env(s3).await else {
        return;
    };
    let plan = section(file, "plan");
    let apply = section(file, "apply");
    assert!(
        plan.iter().any(|c| c.starts_with("dingform plan")),
        "{file}: {plan:?}"
    );
    assert!(
        apply.iter().any(|c| c.starts_with("dingform apply")),
        "{file}: {apply:?}"
    );
    let emu = Emu::start().await;
    let key = template_key(file);
    // Three fresh checkouts of one repository: the pull request's job, the merge's, the next
    // pull request's.
    let checkouts: Vec<tempfile::TempDir> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let workspaces: Vec<PathBuf> = checkouts
        .iter()
        .map(|repo| {
            let workspace = repo.path().join("infra/dingtalk");
            copy_dir(
                &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/quickstart"),
                &workspace,
            );
            std::fs::write(workspace.join("dingform.yaml"), "organization: Test Organization Demo\napp: {kind: internal, agent_id: 123456}\ndefaults: {template: tpl-default}\n").unwrap();
            workspace
        })
        .collect();
    let job = |n: usize, commands: &[String]| {
        run(
            checkouts[n].path(),
            &workspaces[n],
            &emu,
            &store,
            &with_key(&key, commands),
        )
    };

    // Pull request: validate, plan as a comment, the plan file kept as an artifact.
    let (ok, output) = job(0, &plan);
    assert!(ok, "{file} plan job: {output}");
    let comment = std::fs::read_to_string(checkouts[0].path().join("plan.md")).unwrap();
    assert!(
        comment.starts_with(dingform::render::COMMENT_MARKER),
        "{comment}"
    );
    assert!(comment.contains("ready to apply"), "{comment}");
    // Merge: on another runner, apply of exactly that plan file (the artifact).
    std::fs::copy(
        checkouts[0].path().join("plan.json"),
        checkouts[1].path().join("plan.json"),
    )
    .unwrap();
    let (ok, output) = job(1, &apply);
    assert!(ok, "{file} apply job: {output}");
    assert!(
        output.contains("will be created"),
        "show prints the plan: {output}"
    );
    assert!(output.contains("Apply complete"), "{output}");
    // The next pull request, on a third runner: nothing left to do.
    let (ok, output) = job(2, &plan);
    assert!(ok, "{output}");
    let comment = std::fs::read_to_string(checkouts[2].path().join("plan.md")).unwrap();
    assert!(
        comment.contains("no changes"),
        "the third runner sees the state: {comment}"
    );
    assert!(
        !workspaces
            .iter()
            .any(|w| w.join(".dingform/state.json").exists())
    );

    // A plan made, then the manifests change before the merge: the apply job refuses it.
    let groups = workspaces[2].join("groups.yaml");
    let text = std::fs::read_to_string(&groups)
        .unwrap()
        .replace("title: Lunch Club", "title: Lunch Crew");
    std::fs::write(&groups, text).unwrap();
    let (ok, output) = job(2, &plan);
    assert!(ok, "{output}");
    let groups = workspaces[2].join("groups.yaml");
    let text = std::fs::read_to_string(&groups)
        .unwrap()
        .replace("title: Lunch Crew", "title: Lunch Gang");
    std::fs::write(&groups, text).unwrap();
    let (ok, output) = job(2, &apply);
    assert!(!ok, "a stale plan must be refused: {output}");
    assert!(
        output.contains("manifests"),
        "the refusal names what moved: {output}"
    );
}

/// `DINGFORM_STATE_KEY` as the template sets it (a workflow-level variable).
fn template_key(file: &str) -> String {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples/ci")
            .join(file),
    )
    .unwrap();
    text.lines()
        .find_map(|line| line.trim().strip_prefix("DINGFORM_STATE_KEY:"))
        .unwrap_or_else(|| panic!("{file} sets no DINGFORM_STATE_KEY"))
        .trim()
        .to_owned()
}

fn with_key(key: &str, commands: &[String]) -> Vec<String> {
    let mut all = vec![format!("export DINGFORM_STATE_KEY={key}")];
    all.extend_from_slice(commands);
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_github_actions_workflow_commands_run_green() {
    workflow_runs_green_and_refuses_a_stale_plan("github-actions.yml", false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gitlab_ci_commands_run_green() {
    workflow_runs_green_and_refuses_a_stale_plan("gitlab-ci.yml", false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_github_actions_workflow_commands_run_green_with_state_in_s3() {
    workflow_runs_green_and_refuses_a_stale_plan("github-actions.yml", true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gitlab_ci_commands_run_green_with_state_in_s3() {
    workflow_runs_green_and_refuses_a_stale_plan("gitlab-ci.yml", true).await;
}
