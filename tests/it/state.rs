//! The state file: real files, real locks, atomic replacement with a backup.

use std::sync::mpsc;
use std::time::Duration;

use dingform::state::{ResourceState, State, StateError, StateFile};

fn scratch() -> (tempfile::TempDir, StateFile) {
    let dir = tempfile::tempdir().unwrap();
    let file = StateFile::new(dir.path().join(".dingform/state.json"));
    (dir, file)
}

fn group(id: &str) -> ResourceState {
    ResourceState {
        id: Some(id.into()),
        creation_uuid: Some("7d3c0c3e-0000-5000-8000-000000000000".into()),
        ..ResourceState::default()
    }
}

#[test]
fn a_missing_state_file_reads_as_no_state() {
    let (_dir, file) = scratch();
    assert!(file.read().unwrap().is_none());
}

#[test]
fn writes_bump_the_serial_and_keep_the_previous_version_as_backup() {
    let (_dir, file) = scratch();
    let lock = file.lock("test", Duration::ZERO).unwrap();
    let mut state = file
        .read_or_new(Some("Test Organization Demo".into()))
        .unwrap();
    state
        .resources
        .insert("group.a".parse().unwrap(), group("cid-a"));
    file.write(&mut state, &lock).unwrap();
    state
        .resources
        .insert("group.b".parse().unwrap(), group("cid-b"));
    file.write(&mut state, &lock).unwrap();

    let now = file.read().unwrap().unwrap();
    assert_eq!(now.serial, 2);
    assert_eq!(now.resources.len(), 2);
    let backup: State =
        serde_json::from_str(&std::fs::read_to_string(file.backup_path()).unwrap()).unwrap();
    assert_eq!(backup.serial, 1);
    assert_eq!(backup.resources.keys().collect::<Vec<_>>(), ["group.a"]);
    assert_eq!(backup.lineage, now.lineage);
}

/// A state file that is a link to one elsewhere stays a link; the write goes where it points,
/// and the backup beside the link is the version before (a second name for the old file,
/// not a copy, since issue 15).
#[test]
fn a_linked_state_file_stays_a_link_and_its_backup_is_the_previous_version() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("shared/state.json");
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::fs::create_dir_all(dir.path().join(".dingform")).unwrap();
    let link = dir.path().join(".dingform/state.json");
    let file = StateFile::new(&link);
    let lock = file.lock("test", Duration::ZERO).unwrap();
    let mut state = file.read_or_new(None).unwrap();
    StateFile::new(&target).write(&mut state, &lock).unwrap();
    std::os::unix::fs::symlink(&target, &link).unwrap();
    for id in ["cid-a", "cid-b"] {
        state
            .resources
            .insert(format!("group.{id}").parse().unwrap(), group(id));
        file.write(&mut state, &lock).unwrap();
    }

    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let written: State = serde_json::from_str(&std::fs::read_to_string(&target).unwrap()).unwrap();
    assert_eq!(written.serial, 3);
    let backup: State =
        serde_json::from_str(&std::fs::read_to_string(file.backup_path()).unwrap()).unwrap();
    assert_eq!(backup.serial, 2);
    assert_eq!(backup.resources.keys().collect::<Vec<_>>(), ["group.cid-a"]);
    // The next write makes the file it replaces the backup (a link to the old file, so the
    // new one leaves it as it was).
    state.resources.clear();
    file.write(&mut state, &lock).unwrap();
    let backup: State =
        serde_json::from_str(&std::fs::read_to_string(file.backup_path()).unwrap()).unwrap();
    assert_eq!(backup.serial, 3);
    assert_eq!(backup.resources.len(), 2);
}

#[test]
fn a_second_lock_is_refused_and_names_the_holder() {
    let (_dir, file) = scratch();
    let _held = file.lock("apply", Duration::ZERO).unwrap();
    let error = file.lock("plan", Duration::ZERO).unwrap_err();
    let StateError::Locked { holder, .. } = &error else {
        panic!("expected Locked, got {error:?}")
    };
    assert_eq!(holder.pid, std::process::id());
    assert_eq!(holder.operation, "apply");
    let message = error.to_string();
    assert!(
        message.contains(&format!("pid {}", std::process::id())),
        "{message}"
    );
    assert!(message.contains("since"), "{message}");
}

#[test]
fn the_lock_is_released_when_dropped() {
    let (_dir, file) = scratch();
    drop(file.lock("apply", Duration::ZERO).unwrap());
    file.lock("apply", Duration::ZERO).unwrap();
}

#[test]
fn a_waiting_lock_gets_the_lock_once_the_holder_finishes() {
    let (_dir, file) = scratch();
    let (held_tx, held_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let holder_file = file.clone();
    let holder = std::thread::spawn(move || {
        let lock = holder_file.lock("apply", Duration::ZERO).unwrap();
        held_tx.send(()).unwrap();
        release_rx.recv().unwrap();
        drop(lock);
    });
    held_rx.recv().unwrap();
    let waiter_file = file.clone();
    let waiter =
        std::thread::spawn(move || waiter_file.lock("apply", Duration::from_secs(60)).map(drop));
    release_tx.send(()).unwrap();
    waiter.join().unwrap().unwrap();
    holder.join().unwrap();
}

#[test]
fn invalid_json_is_refused_with_its_position_and_the_file_is_left_alone() {
    let (_dir, file) = scratch();
    std::fs::create_dir_all(file.path().parent().unwrap()).unwrap();
    let broken = "{\n  \"version\": 1,\n  \"serial\": 3,\n  oops\n}\n";
    std::fs::write(file.path(), broken).unwrap();
    let error = file.read().unwrap_err();
    assert!(
        matches!(error, StateError::Invalid { line: 4, .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("state.json:4:"), "{error}");
    assert_eq!(std::fs::read_to_string(file.path()).unwrap(), broken);
}

#[test]
fn an_unknown_format_version_is_refused() {
    let (_dir, file) = scratch();
    std::fs::create_dir_all(file.path().parent().unwrap()).unwrap();
    std::fs::write(
        file.path(),
        r#"{"version": 99, "serial": 1, "lineage": "x"}"#,
    )
    .unwrap();
    let error = file.read().unwrap_err();
    assert!(
        matches!(error, StateError::UnsupportedVersion { found: 99, .. }),
        "{error:?}"
    );
}
