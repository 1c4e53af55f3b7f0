//! `POST /media/upload?access_token=` (multipart, file part `media`; `type` as a form field or
//! in the query: image ≤20 MB, voice ≤2 MB, video ≤20 MB, file ≤20 MB). Only metadata is kept.

use axum::extract::{FromRequest, Multipart, Request, State};
use axum::response::Response;

use super::AppState;
use super::error::Refusal;
use super::host::{OapiError, app_of_token, oapi_ok, query_pairs, refuse};
use super::world::{Media, World, random_id};
use crate::model::wire::media::MediaUploadResponse;

const MB: usize = 1024 * 1024;

fn limit_of(media_type: &str) -> Option<usize> {
    match media_type {
        "image" | "video" | "file" => Some(20 * MB),
        "voice" => Some(2 * MB),
        _ => None,
    }
}

/// `POST /media/upload`.
pub async fn upload(
    State(state): State<AppState>,
    request: Request,
) -> Result<Response, OapiError> {
    let refuse = refuse(false);
    let query = query_pairs(request.uri().query());
    let token = query
        .iter()
        .find(|(key, _)| key == "access_token")
        .map(|(_, value)| value.clone())
        .ok_or(Refusal::TokenMissing)
        .map_err(refuse)?;
    state
        .store
        .read(|world| app_of_token(world, &token))
        .map_err(refuse)?;
    let mut media_type = query
        .iter()
        .find(|(key, _)| key == "type")
        .map(|(_, value)| value.clone());
    let mut multipart = Multipart::from_request(request, &state)
        .await
        .map_err(|error| {
            refuse(Refusal::BadParameter(format!(
                "not a multipart body: {error}"
            )))
        })?;
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        let field = multipart
            .next_field()
            .await
            .map_err(|error| refuse(Refusal::BadParameter(error.to_string())))?;
        let Some(field) = field else { break };
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().unwrap_or("media").to_owned();
        let bytes = field
            .bytes()
            .await
            .map_err(|error| refuse(Refusal::BadParameter(error.to_string())))?;
        match name.as_str() {
            "media" => file = Some((file_name, bytes.to_vec())),
            "type" => media_type = Some(String::from_utf8_lossy(&bytes).into_owned()),
            _ => {}
        }
    }
    let media_type =
        media_type.ok_or_else(|| refuse(Refusal::MissingParameter("type".to_owned())))?;
    let limit = limit_of(&media_type).ok_or_else(|| {
        refuse(Refusal::BadParameter(format!(
            "type `{media_type}` is not one of image, voice, video, file"
        )))
    })?;
    let (file_name, bytes) =
        file.ok_or_else(|| refuse(Refusal::MissingParameter("media".to_owned())))?;
    if bytes.len() > limit {
        return Err(refuse(Refusal::BadParameter(format!(
            "{media_type} is {} bytes; at most {limit}",
            bytes.len()
        ))));
    }
    let dimensions = (media_type == "image")
        .then(|| imagesize::blob_size(&bytes).ok())
        .flatten()
        .map(|size| (size.width, size.height));
    let media_id = format!("@lA{}", random_id(30));
    let created_at = state
        .store
        .write(|world| {
            let now = world.now();
            world.media.push(Media {
                media_id: media_id.clone(),
                media_type: media_type.clone(),
                file_name,
                size: bytes.len(),
                dimensions,
                created_at: now,
            });
            Ok(now)
        })
        .await
        .map_err(refuse)?;
    Ok(oapi_ok(MediaUploadResponse {
        media_type,
        media_id,
        created_at,
    }))
}

impl World {
    /// A media id in a message must be one this emulator issued: DingTalk keeps uploads for
    /// as long as the organization exists, and refuses an id it never issued (or lost, here:
    /// after a reset) with 40007.
    pub fn check_media(&self, media_id: &str) -> Result<(), Refusal> {
        if self.media.iter().any(|media| media.media_id == media_id) {
            Ok(())
        } else {
            Err(Refusal::MediaNotFound(media_id.to_owned()))
        }
    }
}
