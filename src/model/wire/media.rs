//! Media: oapi `POST /media/upload?access_token=&type=` (multipart, file part `media`).

use serde::{Deserialize, Serialize};

/// Payload of `/media/upload`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MediaUploadResponse {
    /// image | voice | video | file.
    #[serde(rename = "type")]
    pub media_type: String,
    /// The id to put in messages.
    pub media_id: String,
    /// Milliseconds since the epoch.
    pub created_at: i64,
}
