//! An image from a local file: checked against its channel's pixel limit (`image-size`, as
//! `validate` does), uploaded (`/media/upload`, type image) unless the same bytes were
//! uploaded before, and sent by media id.

use sha2::{Digest, Sha256};

use super::Runner;
use crate::manifest::checks::image_size::{BOT_MAX, WORK_NOTIFICATION_MAX};
use crate::model::message::{ImageMessage, Message};
use crate::model::{Spanned, Target};
use crate::notify::media::CachedMedia;
use crate::provider::{MessageApi, WebhookApi};

/// What the platform answers for a media id it does not know (oapi 40007; api host
/// `invalidParameter.mediaId…`).
pub const MEDIA_GONE_CODES: [&str; 2] = ["40007", "invalidParameter.mediaId"];

impl<A: MessageApi + WebhookApi> Runner<'_, A> {
    /// `message` with a local image replaced by its media id (uploading it when needed); any
    /// other message unchanged. Returns the media id used, to forget it if the platform says
    /// it is gone.
    pub(super) async fn uploaded(
        &mut self,
        message: Message,
        target: Option<Target<'_>>,
    ) -> Result<(Message, Option<String>), String> {
        let Message::Image(ImageMessage {
            path: Some(path), ..
        }) = &message
        else {
            return Ok((message, None));
        };
        let (channel, (max_width, max_height)) = match target {
            Some(Target::BotToGroup { .. }) => ("bot", BOT_MAX),
            Some(Target::WorkNotification(_)) => ("work-notification", WORK_NOTIFICATION_MAX),
            _ => return Ok((message, None)),
        };
        let file = self.options.workspace_root.join(&path.value);
        let bytes = std::fs::read(&file)
            .map_err(|error| format!("cannot read the image {}: {error}", file.display()))?;
        let size = imagesize::blob_size(&bytes)
            .map_err(|error| format!("{} is not an image: {error}", file.display()))?;
        if size.width > max_width || size.height > max_height {
            return Err(format!(
                "image-size: {} is {}×{} px; {channel} images are at most {max_width}×{max_height} px: not uploaded",
                path.value, size.width, size.height
            ));
        }
        let digest = hex::encode(Sha256::digest(&bytes));
        let media_id = match self.media.get(&digest) {
            Some(cached) => cached.media_id.clone(),
            None => {
                let file_name = file
                    .file_name()
                    .map_or_else(|| "image".to_owned(), |n| n.to_string_lossy().into_owned());
                let uploaded = self
                    .api
                    .upload_media("image", &file_name, bytes)
                    .await
                    .map_err(|error| format!("uploading {}: {error}", path.value))?;
                // A cache that cannot be written costs an upload next time, nothing more.
                if let Err(error) = self.media.put(
                    &digest,
                    CachedMedia {
                        media_id: uploaded.media_id.clone(),
                        file: path.value.clone(),
                        uploaded_at: self.now(),
                    },
                ) {
                    tracing::warn!(%error, "cannot save the media cache");
                }
                uploaded.media_id
            }
        };
        let image = ImageMessage {
            path: None,
            media_id: Some(Spanned::unplaced(media_id.clone())),
            url: None,
        };
        Ok((Message::Image(image), Some(media_id)))
    }

    /// After a send with `media_id` failed for `reason`: forget the id when the platform said
    /// it does not know it, so that the next occurrence uploads again.
    pub(super) fn forget_gone_media(&mut self, media_id: Option<&str>, reason: &str) {
        if let Some(media_id) = media_id
            && MEDIA_GONE_CODES.iter().any(|code| reason.contains(code))
            && let Err(error) = self.media.forget(media_id)
        {
            tracing::warn!(%error, "cannot save the media cache");
        }
    }
}
