//! App credentials, read from the environment only and never printed.

use std::fmt;
use std::sync::Arc;

use super::error::CredentialsError;

/// The environment variable holding the app key.
pub const APP_KEY_VAR: &str = "DINGTALK_APP_KEY";
/// The environment variable holding the app secret.
pub const APP_SECRET_VAR: &str = "DINGTALK_APP_SECRET";

/// A secret string (app secret, access token): `Debug` and `Display` print `***`; the value is
/// reachable only through [`Secret::expose`], so it cannot end up in logs or errors by accident.
/// Shared, not copied: every request takes the access token (issue 15).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Arc<str>);

impl Secret {
    /// Wrap a secret value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(Arc::from(value.into()))
    }

    /// The secret value, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// An app's key and secret (an internal app's AppKey/AppSecret, or a bot's).
#[derive(Clone, Debug)]
pub struct Credentials {
    /// The app key (not secret; it names the app in errors).
    pub app_key: String,
    /// The app secret.
    pub app_secret: Secret,
}

impl Credentials {
    /// Build credentials from values already at hand (tests, the sandbox).
    pub fn new(app_key: impl Into<String>, app_secret: impl Into<String>) -> Credentials {
        Credentials {
            app_key: app_key.into(),
            app_secret: Secret::new(app_secret),
        }
    }

    /// Read `DINGTALK_APP_KEY` and `DINGTALK_APP_SECRET`; both must be set and non-empty.
    pub fn from_env() -> Result<Credentials, CredentialsError> {
        Credentials::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`Credentials::from_env`] with a custom lookup (for tests: the process environment
    /// is shared by every test thread).
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Credentials, CredentialsError> {
        let read = |name: &'static str| match lookup(name) {
            Some(value) if !value.trim().is_empty() => Ok(value),
            _ => Err(CredentialsError::Missing { variable: name }),
        };
        Ok(Credentials::new(read(APP_KEY_VAR)?, read(APP_SECRET_VAR)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_never_prints() {
        let credentials = Credentials::new("demo-key", "demo-secret");
        let shown = format!("{credentials:?} {}", credentials.app_secret);
        assert!(!shown.contains("demo-secret"), "{shown}");
        assert!(shown.contains("demo-key"));
    }

    #[test]
    fn missing_secret_names_the_variable() {
        let error =
            Credentials::from_lookup(|name| (name == APP_KEY_VAR).then(|| "demo-key".to_string()))
                .unwrap_err();
        assert_eq!(
            error.to_string(),
            "DINGTALK_APP_SECRET is not set (credentials come only from the environment)"
        );
    }
}
