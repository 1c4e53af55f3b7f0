//! `image: {path: FILE}` end to end: the runner (the real binary) checks the pixel size,
//! uploads the file to the emulator's `/media/upload`, sends the media id, reuses it while
//! the platform keeps it, uploads again when the file changes or the platform says the id is
//! gone (`invalidParameter.mediaId.notExist`, oapi 40007), and refuses an oversized image without uploading it.

use crate::notify_support::Fixture;
use serde_json::{Value, json};

/// The first bytes of a PNG of `width` × `height` (signature and IHDR: what a reader of
/// image sizes looks at), plus `salt` so that equal sizes can differ in content.
fn png(width: u32, height: u32, salt: u8) -> Vec<u8> {
    let mut bytes = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    bytes.extend(13u32.to_be_bytes());
    bytes.extend(b"IHDR");
    bytes.extend(width.to_be_bytes());
    bytes.extend(height.to_be_bytes());
    bytes.extend([8, 6, 0, 0, 0]);
    bytes.extend([0, 0, 0, salt]);
    bytes
}

async fn emulator_media(fx: &Fixture) -> Vec<Value> {
    let state = fx.emu.state().await;
    state["media"].as_array().cloned().unwrap_or_default()
}

async fn photos(fx: &Fixture) -> Vec<String> {
    fx.messages_of("bot")
        .await
        .iter()
        .map(|m| {
            m["content"]["msgParam"]["photoURL"]
                .as_str()
                .unwrap_or("")
                .to_owned()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_image_file_is_uploaded_once_and_again_when_it_changes_or_is_gone() {
    let fx = Fixture::start().await;
    fx.group_with_bot().await;
    std::fs::create_dir_all(fx.root().join("img")).unwrap();
    let file = fx.root().join("img/chart.png");
    std::fs::write(&file, png(300, 200, 1)).unwrap();
    fx.register(
        "chart",
        json!({
            "schedule": "0 9 * * *", "timezone": "UTC",
            "via": {"bot": "alerts", "group": "oncall"},
            "message": {"image": {"path": "img/chart.png"}},
        }),
    );

    let first = fx.run_once("2026-03-02T09:00:05Z").await;
    assert_eq!(first.code, 0, "{first:?}");
    let media = emulator_media(&fx).await;
    assert_eq!(media.len(), 1, "{media:?}");
    assert_eq!(media[0]["media_type"], "image");
    assert_eq!(media[0]["dimensions"], json!([300, 200]));
    let id = media[0]["media_id"].as_str().unwrap().to_owned();
    assert_eq!(photos(&fx).await, vec![id.clone()]);

    // The next day: the same id, no second upload.
    let second = fx.run_once("2026-03-03T09:00:05Z").await;
    assert_eq!(second.code, 0, "{second:?}");
    assert_eq!(emulator_media(&fx).await.len(), 1);
    assert_eq!(photos(&fx).await, [id.clone(), id.clone()]);

    // The file changes: uploaded again, the new id sent.
    std::fs::write(&file, png(300, 200, 2)).unwrap();
    let third = fx.run_once("2026-03-04T09:00:05Z").await;
    assert_eq!(third.code, 0, "{third:?}");
    let media = emulator_media(&fx).await;
    assert_eq!(media.len(), 2);
    let new_id = media[1]["media_id"].as_str().unwrap().to_owned();
    assert_ne!(new_id, id);
    assert_eq!(photos(&fx).await.last(), Some(&new_id));

    // The platform no longer knows the kept id: that occurrence fails with its answer, the
    // id is forgotten, and the next occurrence uploads again.
    let cache_path = fx.root().join(".dingform/media.json");
    let cache = std::fs::read_to_string(&cache_path).unwrap();
    assert!(cache.contains(&new_id), "{cache}");
    std::fs::write(&cache_path, cache.replace(&new_id, "@lAgone")).unwrap();
    let gone = fx.run_once("2026-03-05T09:00:05Z").await;
    crate::assert_filtered_snapshot!("kept_media_id_gone", gone.snapshot());
    let again = fx.run_once("2026-03-06T09:00:05Z").await;
    assert_eq!(again.code, 0, "{again:?}");
    assert_eq!(emulator_media(&fx).await.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_image_is_refused_before_upload() {
    let fx = Fixture::start().await;
    fx.group_with_bot().await;
    std::fs::write(fx.root().join("big.png"), png(400, 100, 0)).unwrap();
    fx.register(
        "big",
        json!({
            "schedule": "0 9 * * *", "timezone": "UTC",
            "via": {"bot": "alerts", "group": "oncall"},
            "message": {"image": {"path": "big.png"}},
        }),
    );
    let run = fx.run_once("2026-03-02T09:00:05Z").await;
    crate::assert_filtered_snapshot!("oversized_image", run.snapshot());
    assert!(emulator_media(&fx).await.is_empty());
    assert!(fx.messages().await.is_empty());
}
