//! Where a store keeps the state, as messages show it (never a password).

use std::fmt;
use std::path::{Path, PathBuf};

/// Where a state store keeps the state, as messages show it: a file's path, or a shared
/// store's URL with any password masked (`postgres://dingform:***@db:5432/infra`) and its key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location(String);

impl Location {
    /// A state file.
    pub fn file(path: &Path) -> Self {
        Location(path.display().to_string())
    }

    /// A shared store: `masked_url` must already hide the password.
    pub fn shared(masked_url: &str, key: &str) -> Self {
        Location(format!("{masked_url} (key {key})"))
    }

    /// The text shown.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&PathBuf> for Location {
    fn from(path: &PathBuf) -> Self {
        Location::file(path)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
