//! [`Sources`]: the text of every file a workspace was read from, kept for caret rendering.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A file's text with its secrets masked ([`super::secrets::mask_source`]): the only text
/// [`Sources::insert_masked`] takes, so that unmasked text cannot slip in by that door.
#[derive(Clone, Debug)]
pub struct Masked(String);

impl Masked {
    /// Masks `text`.
    pub fn new(text: &str) -> Self {
        Self(super::secrets::mask_source(text))
    }
}

/// The text of each loaded file, by the path findings name it with.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    files: BTreeMap<PathBuf, String>,
}

impl Sources {
    /// An empty set of sources.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a file's text (replacing any earlier text for the same path), with secrets
    /// written where they do not belong masked: every renderer quotes lines from here.
    pub fn insert(&mut self, path: PathBuf, text: String) {
        self.files.insert(path, super::secrets::mask_source(&text));
    }

    /// Records a file's text that [`Masked::new`] already masked (on a parsing thread, where a
    /// large workspace's masking costs no wall time).
    pub fn insert_masked(&mut self, path: PathBuf, text: Masked) {
        self.files.insert(path, text.0);
    }

    /// The text of a file, if it was loaded.
    pub fn get(&self, path: &Path) -> Option<&str> {
        self.files.get(path).map(String::as_str)
    }

    /// Every file, in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&Path, &str)> {
        self.files
            .iter()
            .map(|(path, text)| (path.as_path(), text.as_str()))
    }

    /// How many files were loaded.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether no file was loaded.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}
