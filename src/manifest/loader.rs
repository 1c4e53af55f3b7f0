//! Finding and reading a workspace's files: `dingform.yaml` and every `*.yaml`/`*.yml` below
//! the directory (hidden directories such as `.dingform/` skipped), with the bad-input
//! guards: size cap, UTF-8, symlink loops, unreadable files.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::model::{Finding, Span};

/// The workspace settings file.
pub const SETTINGS_FILE: &str = "dingform.yaml";

/// Largest file read: no real manifest comes near, and a 50 MB file is a mistake.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// Why a file or directory could not be read. Each becomes a finding naming the path.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The workspace directory is missing or not a directory.
    #[error("{} is not a directory", path.display())]
    NotADirectory {
        /// The path given.
        path: PathBuf,
    },
    /// A file or directory could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// What we tried to read.
        path: PathBuf,
        /// Why it failed.
        #[source]
        source: std::io::Error,
    },
    /// A symbolic link leads back to one of its own parent directories.
    #[error("{} is a symbolic link loop (it leads back to {})", path.display(), ancestor.display())]
    SymlinkLoop {
        /// The link.
        path: PathBuf,
        /// The directory it leads back to.
        ancestor: PathBuf,
    },
    /// A file is larger than [`MAX_FILE_BYTES`].
    #[error("{} is {size} bytes, more than the {MAX_FILE_BYTES}-byte limit for a manifest", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
    },
    /// A file is not UTF-8 text.
    #[error("{} is not UTF-8 text (first bad byte at line {line}, column {col})", path.display())]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// Line of the first bad byte.
        line: u32,
        /// Column (in characters) of the first bad byte.
        col: u32,
        /// Its byte offset.
        offset: usize,
    },
}

impl LoadError {
    /// The finding this error is reported as.
    pub fn to_finding(&self) -> Finding {
        let message = self.to_string();
        match self {
            Self::NotADirectory { path } => Finding::error("workspace-not-found", message)
                .in_file(path)
                .help("give the directory that holds dingform.yaml"),
            Self::Read { path, .. } => Finding::error("unreadable-file", message).in_file(path),
            Self::SymlinkLoop { path, .. } => Finding::error("symlink-loop", message)
                .in_file(path)
                .help("remove the link or point it outside the workspace"),
            Self::TooLarge { path, .. } => Finding::error("file-too-large", message)
                .in_file(path)
                .help(
                    "split the manifests into several files, or move the file out of the workspace",
                ),
            Self::NotUtf8 {
                path,
                line,
                col,
                offset,
            } => Finding::error("invalid-utf8", message)
                .at(path, &Span::new(*line, *col, *offset..*offset))
                .help("save the file as UTF-8"),
        }
    }
}

/// One YAML file of the workspace, read.
#[derive(Debug)]
pub struct SourceFile {
    /// Its path as findings name it (the workspace directory joined with the relative path,
    /// without a leading `./`).
    pub path: PathBuf,
    /// Its text.
    pub text: String,
}

/// What a walk of the workspace found.
#[derive(Debug, Default)]
pub struct Discovered {
    /// `dingform.yaml`, if it exists (read or not).
    pub settings: Option<Result<SourceFile, LoadError>>,
    /// The other YAML files, in path order.
    pub manifests: Vec<Result<SourceFile, LoadError>>,
    /// Directories that could not be walked.
    pub errors: Vec<LoadError>,
}

/// The path findings use for `path` found under `root`: relative when `root` is `.`.
pub fn display_path(path: &Path) -> PathBuf {
    path.strip_prefix(".")
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}

fn is_yaml(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|ext| ext.to_str()),
        Some("yaml" | "yml")
    )
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str()
        .is_some_and(|name| name.starts_with('.') && name != "." && name != "..")
}

/// Walks `root` and reads every YAML file. Symbolic links are followed (a loop is an error,
/// not a hang); hidden directories (`.dingform/`, `.git/`) are skipped.
pub fn discover(root: &Path) -> Result<Discovered, LoadError> {
    if !root.is_dir() {
        return Err(LoadError::NotADirectory {
            path: root.to_path_buf(),
        });
    }
    let settings_path = root.join(SETTINGS_FILE);
    let mut found = Discovered::default();
    let walk = WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| entry.depth() == 0 || !is_hidden(entry.file_name()));
    for entry in walk {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                found.errors.push(walk_error(error));
                continue;
            }
        };
        if !entry.file_type().is_file() || !is_yaml(entry.path()) {
            continue;
        }
        let result = read(entry.path());
        if entry.path() == settings_path {
            found.settings = Some(result);
        } else {
            found.manifests.push(result);
        }
    }
    Ok(found)
}

fn walk_error(error: walkdir::Error) -> LoadError {
    let path = display_path(error.path().unwrap_or(Path::new("?")));
    if let Some(ancestor) = error.loop_ancestor() {
        // The workspace's own directory displays as nothing once `./` is stripped.
        let ancestor = match display_path(ancestor) {
            shown if shown.as_os_str().is_empty() => PathBuf::from("the workspace directory"),
            shown => shown,
        };
        return LoadError::SymlinkLoop { path, ancestor };
    }
    let source = error
        .into_io_error()
        .unwrap_or_else(|| std::io::Error::other("cannot walk this directory"));
    LoadError::Read { path, source }
}

/// Reads one file, refusing files over [`MAX_FILE_BYTES`] and text that is not UTF-8.
pub fn read(path: &Path) -> Result<SourceFile, LoadError> {
    let shown = display_path(path);
    let read_error = |source| LoadError::Read {
        path: shown.clone(),
        source,
    };
    let file = File::open(path).map_err(read_error)?;
    let size = file.metadata().map_err(read_error)?.len();
    if size > MAX_FILE_BYTES {
        return Err(LoadError::TooLarge { path: shown, size });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    // `take` guards against a file that grows while we read it.
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(LoadError::TooLarge {
            path: shown,
            size: bytes.len() as u64,
        });
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile { path: shown, text }),
        Err(error) => {
            let offset = error.utf8_error().valid_up_to();
            let valid = &error.as_bytes()[..offset];
            let text = std::str::from_utf8(valid).unwrap_or_default();
            let line = text.matches('\n').count() + 1;
            let col = text
                .rsplit('\n')
                .next()
                .map_or(0, |last| last.chars().count())
                + 1;
            Err(LoadError::NotUtf8 {
                path: shown,
                line: u32::try_from(line).unwrap_or(u32::MAX),
                col: u32::try_from(col).unwrap_or(u32::MAX),
                offset,
            })
        }
    }
}
