//! Media ids of uploaded images, kept next to the delivery log (`.dingform/media.json`) so
//! that an image from a file is uploaded once and its id reused: DingTalk keeps uploaded media
//! for as long as the organization exists. An entry is keyed by the SHA-256 of the file's
//! bytes, so a changed file is uploaded again; an id the platform says is gone is forgotten
//! and the next occurrence uploads again. Losing the file only costs an upload.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where the cache lives, relative to the workspace.
pub const MEDIA_CACHE_PATH: &str = ".dingform/media.json";

/// One uploaded file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedMedia {
    /// The platform's media id.
    pub media_id: String,
    /// The file as registered (for people reading the cache).
    pub file: String,
    /// When it was uploaded.
    pub uploaded_at: DateTime<Utc>,
}

/// The cache: file digest → media.
#[derive(Debug, Default)]
pub struct MediaCache {
    path: PathBuf,
    entries: BTreeMap<String, CachedMedia>,
}

impl MediaCache {
    /// The cache at `path`; a missing or unreadable file is an empty cache.
    pub fn open(path: &Path) -> MediaCache {
        let entries = std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        MediaCache {
            path: path.to_owned(),
            entries,
        }
    }

    /// The media id uploaded for a file with this digest.
    pub fn get(&self, digest: &str) -> Option<&CachedMedia> {
        self.entries.get(digest)
    }

    /// Remember an upload.
    pub fn put(&mut self, digest: &str, media: CachedMedia) -> std::io::Result<()> {
        self.entries.insert(digest.to_owned(), media);
        self.save()
    }

    /// Forget a media id the platform no longer knows.
    pub fn forget(&mut self, media_id: &str) -> std::io::Result<()> {
        let before = self.entries.len();
        self.entries.retain(|_, media| media.media_id != media_id);
        if self.entries.len() == before {
            return Ok(());
        }
        self.save()
    }

    fn save(&self) -> std::io::Result<()> {
        if let Some(parent) = self.path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        let text = serde_json::to_vec_pretty(&self.entries).map_err(std::io::Error::other)?;
        let mut temporary = self.path.clone().into_os_string();
        temporary.push(".tmp");
        std::fs::write(&temporary, text)?;
        std::fs::rename(&temporary, &self.path)
    }
}
