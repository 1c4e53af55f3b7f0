//! Writing a file that must never be seen half-written: state, its backup, plan files,
//! exports and the emulator's data. The one place that decides how a path is replaced.
//!
//! A regular file (or a path that does not exist yet) is replaced atomically: the bytes go to
//! a temporary sibling, are fsync'd, and the sibling is renamed over the path (then the
//! directory is fsync'd), so a killed process leaves the old or the new file, never a torn one.
//! Renaming over anything else would be wrong: `dingform plan -o /dev/null`, run as root,
//! would replace the device with a regular file and break every program that writes to it.
//! So a character device, a FIFO or a socket is written in place, a symlink is followed to the
//! file it names, and a directory is refused.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};

/// Replace the contents of `path` with `bytes`, atomically when `path` is a regular file (or
/// does not exist); creates missing parent directories.
pub fn replace(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let path = match std::fs::metadata(path) {
        Ok(metadata) => {
            let kind = metadata.file_type();
            if kind.is_dir() {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::IsADirectory,
                    "is a directory, not a file",
                ));
            }
            if kind.is_char_device() || kind.is_fifo() || kind.is_socket() || kind.is_block_device()
            {
                let mut file = OpenOptions::new().write(true).open(path)?;
                return file.write_all(bytes).and_then(|()| file.flush());
            }
            // A symlink (metadata followed it to a regular file): replace what it names, and
            // keep the link.
            std::fs::canonicalize(path)?
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => path.to_owned(),
        Err(error) => return Err(error),
    };
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&directory)?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temporary = directory.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut file = File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temporary, &path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written?;
    // The directory's fsync makes the rename durable; not every file system supports it.
    if let Ok(directory) = File::open(&directory) {
        let _ = directory.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::replace;

    #[test]
    fn a_regular_file_is_replaced_and_no_temporary_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        replace(&path, b"one").unwrap();
        replace(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["state.json"]);
    }

    #[test]
    fn a_fifo_is_written_in_place_never_replaced() {
        // A FIFO stands in for /dev/null here: a test must never risk replacing the real one.
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("plan.fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(fifo).unwrap())
        };
        replace(&fifo, b"plan").unwrap();
        let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
        assert!(kind.is_fifo(), "the FIFO was replaced by {kind:?}");
        assert_eq!(reader.join().unwrap(), b"plan");
    }

    #[test]
    fn a_symlink_keeps_pointing_at_the_replaced_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.json");
        std::fs::write(&target, b"old").unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        replace(&link, b"new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
    }

    #[test]
    fn a_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let error = replace(dir.path(), b"x").unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::IsADirectory);
    }
}
