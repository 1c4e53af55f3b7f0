//! `avatar-resolution`: a bot avatar can look blurry on Windows depending on the screen's
//! resolution. A local avatar smaller than 240 × 240 px (what DingTalk's console recommends
//! for bot and app icons) is a warning; remote avatars are not fetched.

use super::Context;
use crate::manifest::resolve_relative;
use crate::model::{Address, Finding};

/// Smallest avatar side, in pixels, that stays sharp on high-resolution screens.
pub const MIN_AVATAR_SIDE: usize = 240;

/// Reports local bot avatars below the minimum size, or unreadable.
pub fn check(context: &Context<'_>, findings: &mut Vec<Finding>) {
    for (name, bot) in &context.workspace.bots {
        let Some(avatar) = &bot.spec.avatar else {
            continue;
        };
        if avatar.value.starts_with("https://")
            || avatar.value.starts_with("http://")
            || avatar.value.starts_with("@")
        {
            continue;
        }
        let address = Address::bot(name);
        let file = resolve_relative(&bot.file, &avatar.value);
        match imagesize::size(&file) {
            Ok(size) if size.width < MIN_AVATAR_SIDE || size.height < MIN_AVATAR_SIDE => findings
                .push(
                    Finding::warning(
                        "avatar-resolution",
                        format!(
                            "the avatar is {}×{} px and may look blurry on high-resolution screens",
                            size.width, size.height
                        ),
                    )
                    .at(&bot.file, &avatar.span)
                    .address(&address)
                    .help(format!(
                        "use an image of at least {MIN_AVATAR_SIDE}×{MIN_AVATAR_SIDE} px"
                    )),
                ),
            Ok(_) => {}
            Err(error) => findings.push(
                Finding::error(
                    "avatar-resolution",
                    format!("cannot read the avatar {}: {error}", file.display()),
                )
                .at(&bot.file, &avatar.span)
                .address(&address)
                .help("the path is relative to the manifest file"),
            ),
        }
    }
}
