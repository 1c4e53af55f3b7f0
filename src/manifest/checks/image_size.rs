//! `image-size`: the platform shows images within fixed sizes — bot images at most 358 px wide
//! and 350 px high, work-notification images at most 338 × 677 px. A local image over the
//! limit for its channel is an error; the pixel size is read from the file itself, never
//! guessed from its name. A local file that cannot be read is an error too (the send would
//! fail at upload).

use super::Context;
use crate::manifest::resolve_relative;
use crate::model::{Address, Finding, Message, Target};

/// Largest bot image, width × height in pixels.
pub const BOT_MAX: (usize, usize) = (358, 350);
/// Largest work-notification image, width × height in pixels.
pub const WORK_NOTIFICATION_MAX: (usize, usize) = (338, 677);

/// Reports local images larger than their channel allows, or unreadable.
pub fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    for (name, notification) in &context.workspace.notifications {
        let Message::Image(image) = &notification.spec.message.value else {
            continue;
        };
        let Some(path) = &image.path else { continue };
        let (channel, (max_width, max_height)) = match notification.spec.via.value.target() {
            Ok(Target::BotToGroup { .. }) => ("bot", BOT_MAX),
            Ok(Target::WorkNotification(_)) => ("work-notification", WORK_NOTIFICATION_MAX),
            // A webhook sends no image message (`invalid-message`).
            Ok(Target::Webhook(_)) | Err(_) => continue,
        };
        let address = Address::notification(name);
        let file = resolve_relative(&notification.file, &path.value);
        match imagesize::size(&file) {
            Ok(size) if size.width > max_width || size.height > max_height => findings.push(
                Finding::error(
                    "image-size",
                    format!(
                        "{} is {}×{} px; {channel} images are at most {max_width}×{max_height} px",
                        path.value, size.width, size.height
                    ),
                )
                .at(&notification.file, &path.span)
                .address(&address)
                .help(format!("scale it to fit {max_width}×{max_height}")),
            ),
            Ok(_) => {}
            Err(error) => findings.push(
                Finding::error(
                    "image-size",
                    format!("cannot read the image {}: {error}", file.display()),
                )
                .at(&notification.file, &path.span)
                .address(&address)
                .help("the path is relative to the manifest file"),
            ),
        }
    }
}
