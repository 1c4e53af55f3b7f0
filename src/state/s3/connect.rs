//! Reaching an S3-compatible store: `s3://BUCKET/PREFIX` plus the standard `AWS_*` environment,
//! errors that say which of bucket, keys or endpoint is wrong (never the secret key), and the
//! check, at first use, that the store honours conditional writes.

use std::sync::Arc;
use std::time::Duration;

use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::path::Path;
use object_store::{
    BackoffConfig, ClientOptions, ObjectStore, ObjectStoreExt, PutMode, PutOptions, RetryConfig,
    UpdateVersion,
};

/// The environment variables a store reads (the standard AWS names); any other `AWS_*` that
/// `object_store` understands is passed on too.
pub const ENVIRONMENT: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ALLOW_HTTP",
];

/// Variables whose values are secrets: masked out of every message.
const SECRET_VARIABLES: &[&str] = &["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"];

/// Why an `s3://` store cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum S3Error {
    /// The URL is not `s3://BUCKET[/PREFIX]`.
    #[error("`{url}` is not an S3 state URL: {reason} (write s3://BUCKET/PREFIX)")]
    Url {
        /// The URL as written (an S3 URL carries no secret).
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The environment does not name credentials, or names a bad setting.
    #[error("{url}: {reason}")]
    Config {
        /// The store's URL.
        url: String,
        /// What to set.
        reason: String,
    },
}

/// Where an S3 store is: bucket, prefix, and the `AWS_*` settings it was given.
#[derive(Clone)]
pub struct S3Target {
    bucket: String,
    prefix: String,
    settings: Vec<(String, String)>,
}

impl std::fmt::Debug for S3Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The settings hold the secret key: only their names are shown.
        f.debug_struct("S3Target")
            .field("bucket", &self.bucket)
            .field("prefix", &self.prefix)
            .field(
                "settings",
                &self.settings.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl S3Target {
    /// The store at `url`, configured by this process's `AWS_*` environment.
    pub fn from_url(url: &str) -> Result<S3Target, S3Error> {
        let settings = std::env::vars()
            .filter(|(name, value)| name.starts_with("AWS_") && !value.trim().is_empty());
        S3Target::from_url_with(url, settings)
    }

    /// The store at `url`, configured by `settings` (`AWS_*` names and values) alone.
    pub fn from_url_with(
        url: &str,
        settings: impl IntoIterator<Item = (String, String)>,
    ) -> Result<S3Target, S3Error> {
        let bad = |reason| S3Error::Url {
            url: crate::model::secrets::mask_url(url),
            reason,
        };
        let rest = url
            .strip_prefix("s3://")
            .ok_or_else(|| bad("it must start with s3://"))?;
        let rest = rest.split(['?', '#']).next().unwrap_or_default();
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(bad("it names no bucket"));
        }
        if bucket.contains('@') || bucket.contains(':') {
            return Err(bad(
                "credentials do not belong in the URL: set AWS_ACCESS_KEY_ID and \
                 AWS_SECRET_ACCESS_KEY",
            ));
        }
        Ok(S3Target {
            bucket: bucket.to_owned(),
            prefix: prefix.trim_matches('/').to_owned(),
            settings: settings.into_iter().collect(),
        })
    }

    /// `s3://BUCKET/PREFIX`, for messages.
    pub fn url(&self) -> String {
        if self.prefix.is_empty() {
            format!("s3://{}", self.bucket)
        } else {
            format!("s3://{}/{}", self.bucket, self.prefix)
        }
    }

    /// The bucket.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    fn setting(&self, name: &str) -> Option<&str> {
        self.settings
            .iter()
            .rev()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Where requests go: the endpoint (`AWS_ENDPOINT_URL`) or AWS in the region.
    pub fn endpoint(&self) -> String {
        match self.setting("AWS_ENDPOINT_URL") {
            Some(endpoint) => endpoint.trim_end_matches('/').to_owned(),
            None => format!(
                "AWS S3 in {}",
                self.setting("AWS_REGION")
                    .or(self.setting("AWS_DEFAULT_REGION"))
                    .unwrap_or("us-east-1")
            ),
        }
    }

    /// The object path of `name` under the prefix and `key`.
    pub fn path(&self, key: &str, name: &str) -> Path {
        let mut full = String::new();
        for part in [self.prefix.as_str(), key, name] {
            if !part.is_empty() {
                if !full.is_empty() {
                    full.push('/');
                }
                full.push_str(part);
            }
        }
        Path::from(full)
    }

    /// `text` with every secret value given to this store replaced by `***`.
    pub fn mask(&self, text: &str) -> String {
        let mut masked = crate::model::secrets::mask_url(text);
        for name in SECRET_VARIABLES {
            if let Some(secret) = self.setting(name).filter(|s| s.len() >= 4) {
                masked = masked.replace(secret, "***");
            }
        }
        masked
    }

    /// The client (no request is made yet).
    pub fn build(&self) -> Result<Arc<dyn ObjectStore>, S3Error> {
        let config = |reason: String| S3Error::Config {
            url: self.url(),
            reason,
        };
        let has_keys = self.setting("AWS_ACCESS_KEY_ID").is_some();
        if has_keys && self.setting("AWS_SECRET_ACCESS_KEY").is_none() {
            return Err(config(
                "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not".into(),
            ));
        }
        let other_credentials = [
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        ]
        .iter()
        .any(|name| self.setting(name).is_some());
        if !has_keys && !other_credentials {
            return Err(config(
                "no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and \
                 AWS_SESSION_TOKEN for temporary ones), or AWS_WEB_IDENTITY_TOKEN_FILE"
                    .into(),
            ));
        }
        // Client options first: the settings below (AWS_ALLOW_HTTP) are client options too.
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&self.bucket)
            .with_client_options(
                ClientOptions::new()
                    .with_connect_timeout(Duration::from_secs(5))
                    .with_timeout(Duration::from_secs(30)),
            );
        for (name, value) in &self.settings {
            if let Ok(key) = name.to_ascii_lowercase().parse::<AmazonS3ConfigKey>()
                && !matches!(key, AmazonS3ConfigKey::Bucket)
            {
                builder = builder.with_config(key, value);
            }
        }
        if let Some(endpoint) = self.setting("AWS_ENDPOINT_URL")
            && endpoint.starts_with("http://")
            && !self
                .setting("AWS_ALLOW_HTTP")
                .is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
        {
            return Err(config(format!(
                "AWS_ENDPOINT_URL `{endpoint}` is plain http: set AWS_ALLOW_HTTP=true to allow it \
                 (for a store on this machine or a private network)"
            )));
        }
        builder
            .with_retry(RetryConfig {
                backoff: BackoffConfig::default(),
                max_retries: 3,
                retry_timeout: Duration::from_secs(20),
            })
            .build()
            .map(|store| Arc::new(store) as Arc<dyn ObjectStore>)
            .map_err(|error| config(self.mask(&error.to_string())))
    }

    /// An `object_store` error as one line that says what to fix: a missing bucket, refused
    /// credentials, an endpoint that does not answer; the secret key never appears.
    pub fn explain(&self, error: &object_store::Error) -> String {
        let text = self.mask(&crate::state::error::with_causes(error));
        let bucket = &self.bucket;
        let endpoint = self.endpoint();
        if text.contains("NoSuchBucket") {
            return format!("the bucket `{bucket}` does not exist at {endpoint}");
        }
        let refused_keys = [
            "InvalidAccessKeyId",
            "SignatureDoesNotMatch",
            "InvalidToken",
        ]
        .iter()
        .find(|code| text.contains(*code));
        if let Some(code) = refused_keys {
            let key_id = self.setting("AWS_ACCESS_KEY_ID").unwrap_or("(none)");
            return format!(
                "{endpoint} refused the credentials ({code}): check AWS_ACCESS_KEY_ID \
                 (`{key_id}`) and AWS_SECRET_ACCESS_KEY"
            );
        }
        if matches!(
            error,
            object_store::Error::PermissionDenied { .. }
                | object_store::Error::Unauthenticated { .. }
        ) {
            return format!(
                "{endpoint} denied access to the bucket `{bucket}` (check the credentials \
                 and the bucket's policy): {}",
                first_line(&text)
            );
        }
        let unreachable = [
            "error sending request",
            "Connection refused",
            "dns error",
            "timed out",
            "connection closed",
            "operation timed out",
        ]
        .iter()
        .any(|words| text.contains(words));
        if unreachable {
            return format!(
                "cannot reach {endpoint} (is AWS_ENDPOINT_URL right, and the store up?): {}",
                first_line(&text)
            );
        }
        text
    }

    /// Check that the store refuses a second conditional create of one object and a write
    /// over a stale ETag: a store that ignores `If-None-Match` / `If-Match` would let two runs
    /// both take the lock, or both write the state. Four requests; run once per bucket, prefix
    /// and endpoint ([`S3Target::check_conditional_writes`] remembers it in the bucket).
    pub(super) async fn probe_conditional_writes(
        &self,
        store: &dyn ObjectStore,
    ) -> Result<(), ProbeError> {
        let path = self.path(".dingform-probe", &uuid::Uuid::new_v4().to_string());
        let create = || PutOptions::from(PutMode::Create);
        store
            .put_opts(&path, "1".into(), create())
            .await
            .map_err(|error| ProbeError::Store(self.explain(&error)))?;
        let second = store.put_opts(&path, "2".into(), create()).await;
        let stale = store
            .put_opts(
                &path,
                "3".into(),
                PutMode::Update(UpdateVersion {
                    e_tag: Some("\"dingform-stale-etag\"".into()),
                    version: None,
                })
                .into(),
            )
            .await;
        let _ = store.delete(&path).await;
        let ignored = match (second, stale) {
            (
                Err(object_store::Error::AlreadyExists { .. }),
                Err(object_store::Error::Precondition { .. }),
            ) => {
                return Ok(());
            }
            (Ok(_), _) => "a second `If-None-Match: *` create of the same object",
            (_, Ok(_)) => "a write with `If-Match` on an ETag the object does not have",
            (Err(second), Err(stale)) => {
                // The store failed otherwise (refused the keys, went away): say that.
                let error = match second {
                    object_store::Error::AlreadyExists { .. } => stale,
                    other => other,
                };
                return Err(ProbeError::Store(self.explain(&error)));
            }
        };
        Err(ProbeError::Ignored(format!(
            "the store at {} accepted {ignored}: it ignores conditional writes, so two runs could \
             both take the lock or both write the state. dingform refuses to keep state there; \
             use a store that honours If-None-Match and If-Match on PutObject (AWS S3 does)",
            self.endpoint()
        )))
    }
}

/// Why the check of [`S3Target::check_conditional_writes`] failed.
#[derive(Debug)]
pub enum ProbeError {
    /// The store could not be reached or refused the probe ([`S3Target::explain`]).
    Store(String),
    /// The store ignores conditional writes.
    Ignored(String),
}

impl ProbeError {
    /// The message.
    pub fn into_message(self) -> String {
        match self {
            ProbeError::Store(message) | ProbeError::Ignored(message) => message,
        }
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(url: &str) -> Result<S3Target, S3Error> {
        S3Target::from_url_with(
            url,
            [
                ("AWS_ACCESS_KEY_ID".to_owned(), "AKIDEXAMPLE".to_owned()),
                (
                    "AWS_SECRET_ACCESS_KEY".to_owned(),
                    "wJalrXUtnFEMI/K7MDENG".to_owned(),
                ),
            ],
        )
    }

    #[test]
    fn a_url_names_bucket_and_prefix() {
        let t = target("s3://infra-state/dingform/").unwrap();
        assert_eq!(t.bucket(), "infra-state");
        assert_eq!(t.url(), "s3://infra-state/dingform");
        assert_eq!(
            t.path("payments", "state.json").as_ref(),
            "dingform/payments/state.json"
        );
        let bare = target("s3://infra-state").unwrap();
        assert_eq!(
            bare.path("payments", "lock.json").as_ref(),
            "payments/lock.json"
        );
    }

    #[test]
    fn bad_urls_are_refused_with_the_form_to_write() {
        for url in [
            "s3://",
            "s3:///prefix",
            "https://bucket/x",
            "s3://AKID:secret@bucket/x",
        ] {
            let error = target(url).unwrap_err().to_string();
            assert!(error.contains("s3://BUCKET/PREFIX"), "{error}");
            assert!(!error.contains("secret"), "{error}");
        }
    }

    #[test]
    fn the_secret_key_is_masked_out_of_messages() {
        let t = target("s3://b/p").unwrap();
        let masked = t.mask("signature for wJalrXUtnFEMI/K7MDENG failed");
        assert_eq!(masked, "signature for *** failed");
        assert!(!format!("{t:?}").contains("wJalr"));
    }

    #[test]
    fn no_credentials_is_a_clear_error() {
        let t = S3Target::from_url_with("s3://b/p", []).unwrap();
        let error = t.build().err().unwrap().to_string();
        assert!(error.contains("AWS_ACCESS_KEY_ID"), "{error}");
    }
}
