//! An `image: {path: FILE}` is written relative to its manifest file; the notification runner
//! reads state, not manifests, so the registered path is made relative to the workspace
//! directory (the runner joins it to the workspace it runs in).

use std::path::Path;

use serde_json::Value;

use crate::manifest::resolve_relative;

/// Rewrites `message.image.path` (registered JSON) from manifest-relative to
/// workspace-relative. An absolute path stays as written.
pub fn rebase(message: &mut Value, manifest_file: &Path, root: &Path) {
    let Some(path) = message.pointer_mut("/image/path") else {
        return;
    };
    let Some(written) = path.as_str() else { return };
    let resolved = resolve_relative(manifest_file, written);
    let relative = resolved.strip_prefix(root).unwrap_or(&resolved);
    *path = Value::String(relative.to_string_lossy().replace('\\', "/"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_path_becomes_relative_to_the_workspace() {
        let mut message = json!({"image": {"path": "img/chart.png"}});
        rebase(
            &mut message,
            Path::new("ws/notify/daily.yaml"),
            Path::new("ws"),
        );
        assert_eq!(message, json!({"image": {"path": "notify/img/chart.png"}}));
        let mut other = json!({"text": {"content": "x"}});
        rebase(&mut other, Path::new("ws/a.yaml"), Path::new("ws"));
        assert_eq!(other, json!({"text": {"content": "x"}}));
    }
}
