//! Connecting to PostgreSQL the way libpq does: a `postgres://` URL completed by the libpq
//! environment (`PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE`, `PGSSLMODE`,
//! `PGSSLROOTCERT`), TLS through rustls, and a URL for messages with the password masked as
//! `user:***@`. Shared by every store that keeps its data in PostgreSQL.
//!
//! TLS follows `sslmode` as libpq reads it: `disable` (plain), `prefer` (the default: TLS when
//! the server offers it), `require` (TLS, the certificate not checked, as libpq does),
//! `verify-ca` (the certificate chains to a trusted root) and `verify-full` (and names the
//! host). Trusted roots are the system's, or the PEM file in `sslrootcert` / `PGSSLROOTCERT`.

use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use tokio_postgres::config::SslMode as DriverSslMode;

/// How long to wait for a server to answer a connection (an unreachable host fails then).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// `sslmode`, as libpq reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SslMode {
    /// Plain TCP.
    Disable,
    /// TLS when the server offers it, plain otherwise (libpq's default).
    Prefer,
    /// TLS; the certificate is not checked.
    Require,
    /// TLS; the certificate must chain to a trusted root.
    VerifyCa,
    /// TLS; the certificate must chain to a trusted root and name the host.
    VerifyFull,
}

impl SslMode {
    fn parse(text: &str) -> Option<SslMode> {
        Some(match text {
            "disable" => SslMode::Disable,
            "allow" | "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return None,
        })
    }
}

/// Why a connection could not be made (or described); never holds a password.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The URL cannot be read.
    #[error("`{masked}` is not a PostgreSQL URL: {reason}")]
    BadUrl {
        /// The URL, password masked.
        masked: String,
        /// What is wrong.
        reason: String,
    },
    /// The server could not be reached or refused us.
    #[error("cannot connect to PostgreSQL {target}: {reason}{}", hint.map(|h| format!("\n  {h}")).unwrap_or_default())]
    Connect {
        /// `database D on HOST:PORT as USER`.
        target: String,
        /// The driver's or server's words.
        reason: String,
        /// What to check.
        hint: Option<&'static str>,
    },
}

/// A PostgreSQL database to connect to.
#[derive(Clone)]
pub struct PgTarget {
    host: String,
    port: u16,
    user: String,
    password: Option<String>,
    database: String,
    ssl_mode: SslMode,
    root_cert: Option<String>,
    masked: String,
}

impl std::fmt::Debug for PgTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.masked)
    }
}

/// Whether `url` carries a password (`postgres://user:secret@…`): a file must never hold one.
pub fn has_password(url: &str) -> bool {
    crate::model::settings::url_has_secret(url)
}

/// `url` with its password replaced by `***` (and any `password=` parameter dropped).
pub fn mask(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        // Not a URL: mask whatever sits between `:` and `@` after the scheme.
        return match (url.find("://"), url.rfind('@')) {
            (Some(scheme), Some(at)) if at > scheme => {
                let userinfo = &url[scheme + 3..at];
                let user = userinfo.split(':').next().unwrap_or_default();
                format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
            }
            _ => url.to_owned(),
        };
    };
    if parsed.password().is_some() {
        let _ = parsed.set_password(Some("***"));
    }
    if parsed.query_pairs().any(|(k, _)| k == "password") {
        let kept: Vec<(String, String)> = parsed
            .query_pairs()
            .filter(|(k, _)| k != "password")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        parsed.query_pairs_mut().clear().extend_pairs(kept);
    }
    parsed.to_string().replace(":%2A%2A%2A@", ":***@")
}

impl PgTarget {
    /// `url` completed by this process's libpq environment.
    pub fn from_url(url: &str) -> Result<PgTarget, ConnectError> {
        Self::from_url_with_env(url, |name| std::env::var(name).ok())
    }

    /// `url` completed by the libpq variables `env` gives (for tests).
    pub fn from_url_with_env(
        url: &str,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<PgTarget, ConnectError> {
        let masked = mask(url);
        let bad = |reason: &str| ConnectError::BadUrl {
            masked: masked.clone(),
            reason: reason.to_owned(),
        };
        let parsed = url::Url::parse(url).map_err(|e| bad(&e.to_string()))?;
        if !matches!(parsed.scheme(), "postgres" | "postgresql") {
            return Err(bad("the scheme must be postgres://"));
        }
        let env = |name: &str| env(name).filter(|v| !v.is_empty());
        let param = |name: &str| {
            parsed
                .query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        let decode = |text: &str| {
            percent_encoding::percent_decode_str(text)
                .decode_utf8_lossy()
                .into_owned()
        };
        let host = param("host")
            .or_else(|| {
                parsed
                    .host_str()
                    .filter(|h| !h.is_empty())
                    .map(str::to_owned)
            })
            .or_else(|| env("PGHOST"))
            .unwrap_or_else(|| "localhost".into());
        let port = match parsed.port() {
            Some(port) => port,
            None => match param("port").or_else(|| env("PGPORT")) {
                Some(text) => text
                    .parse()
                    .map_err(|_| bad(&format!("port `{text}` is not a number")))?,
                None => 5432,
            },
        };
        let user = Some(decode(parsed.username()))
            .filter(|u| !u.is_empty())
            .or_else(|| param("user"))
            .or_else(|| env("PGUSER"))
            .unwrap_or_else(super::super::store::user_name);
        let password = parsed
            .password()
            .map(decode)
            .or_else(|| param("password"))
            .or_else(|| env("PGPASSWORD"));
        let database = Some(decode(parsed.path().trim_start_matches('/')))
            .filter(|d| !d.is_empty())
            .or_else(|| param("dbname"))
            .or_else(|| env("PGDATABASE"))
            .unwrap_or_else(|| user.clone());
        let ssl_text = param("sslmode").or_else(|| env("PGSSLMODE"));
        let ssl_mode = match ssl_text {
            Some(text) => SslMode::parse(&text).ok_or_else(|| {
                bad(&format!(
                    "sslmode `{text}` is not one of disable, allow, prefer, require, verify-ca, verify-full"
                ))
            })?,
            None => SslMode::Prefer,
        };
        let root_cert = param("sslrootcert").or_else(|| env("PGSSLROOTCERT"));
        Ok(PgTarget {
            host,
            port,
            user,
            password,
            database,
            ssl_mode,
            root_cert,
            masked,
        })
    }

    /// The URL as written, password masked: for messages.
    pub fn masked_url(&self) -> &str {
        &self.masked
    }

    /// `database D on HOST:PORT as USER`: for messages.
    pub fn describe(&self) -> String {
        format!(
            "database `{}` on {}:{} as `{}`",
            self.database, self.host, self.port, self.user
        )
    }

    /// The database name.
    pub fn database(&self) -> &str {
        &self.database
    }

    /// `sslmode` in force.
    pub fn ssl_mode(&self) -> SslMode {
        self.ssl_mode
    }

    /// Connect; the connection's task runs on the current tokio runtime until the client is
    /// dropped.
    pub async fn connect(&self) -> Result<tokio_postgres::Client, ConnectError> {
        let mut config = tokio_postgres::Config::new();
        if self.host.starts_with('/') {
            config.host_path(&self.host);
        } else {
            config.host(&self.host);
        }
        config
            .port(self.port)
            .user(&self.user)
            .dbname(&self.database)
            .application_name("dingform")
            .connect_timeout(CONNECT_TIMEOUT)
            .keepalives(true)
            .keepalives_idle(Duration::from_secs(10));
        if let Some(password) = &self.password {
            config.password(password.as_bytes());
        }
        let connected = match self.ssl_mode {
            SslMode::Disable => {
                config.ssl_mode(DriverSslMode::Disable);
                config
                    .connect(tokio_postgres::NoTls)
                    .await
                    .map(|(client, connection)| {
                        tokio::spawn(connection);
                        client
                    })
            }
            mode => {
                config.ssl_mode(if mode == SslMode::Prefer {
                    DriverSslMode::Prefer
                } else {
                    DriverSslMode::Require
                });
                let tls = self.tls()?;
                config.connect(tls).await.map(|(client, connection)| {
                    tokio::spawn(connection);
                    client
                })
            }
        };
        connected.map_err(|error| self.connect_error(&error))
    }

    fn connect_error(&self, error: &tokio_postgres::Error) -> ConnectError {
        let mut reason = crate::state::error::with_causes(error);
        let code = error.as_db_error().map(|db| db.code().code().to_owned());
        let hint = match code.as_deref() {
            Some("28P01") | Some("28000") => Some(
                "check the user and the password (PGPASSWORD); dingform reads passwords only from the environment",
            ),
            Some("3D000") => Some("create the database, or name another one in the URL"),
            _ if reason.contains("refused")
                || reason.contains("timed out")
                || reason.contains("timeout") =>
            {
                Some(
                    "check the host and port, and that the server is running and accepts TCP connections",
                )
            }
            _ if reason.contains("failed to lookup") || reason.contains("resolve") => {
                Some("check the host name")
            }
            _ => None,
        };
        if let Some(password) = self.password.as_deref().filter(|p| !p.is_empty()) {
            reason = reason.replace(password, "***");
        }
        ConnectError::Connect {
            target: self.describe(),
            reason,
            hint,
        }
    }

    fn tls(&self) -> Result<tokio_postgres_rustls::MakeRustlsConnect, ConnectError> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let tls_error = |reason: String| ConnectError::Connect {
            target: self.describe(),
            reason,
            hint: None,
        };
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| tls_error(e.to_string()))?;
        let config = match self.ssl_mode {
            SslMode::Disable | SslMode::Prefer | SslMode::Require => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(EncryptOnly(provider)))
                .with_no_client_auth(),
            SslMode::VerifyCa | SslMode::VerifyFull => {
                let roots = Arc::new(self.roots().map_err(tls_error)?);
                let webpki = rustls::client::WebPkiServerVerifier::builder_with_provider(
                    roots,
                    provider.clone(),
                )
                .build()
                .map_err(|e| tls_error(e.to_string()))?;
                let verifier: Arc<dyn ServerCertVerifier> = if self.ssl_mode == SslMode::VerifyCa {
                    Arc::new(AnyName(webpki))
                } else {
                    webpki
                };
                builder
                    .dangerous()
                    .with_custom_certificate_verifier(verifier)
                    .with_no_client_auth()
            }
        };
        Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
    }

    fn roots(&self) -> Result<rustls::RootCertStore, String> {
        use rustls::pki_types::pem::PemObject;
        let mut roots = rustls::RootCertStore::empty();
        match &self.root_cert {
            Some(path) if path != "system" => {
                for cert in CertificateDer::pem_file_iter(path)
                    .map_err(|e| format!("cannot read sslrootcert {path}: {e}"))?
                {
                    let cert = cert.map_err(|e| format!("sslrootcert {path}: {e}"))?;
                    roots
                        .add(cert)
                        .map_err(|e| format!("sslrootcert {path}: {e}"))?;
                }
            }
            _ => {
                roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
            }
        }
        if roots.is_empty() {
            return Err("no trusted root certificates (set sslrootcert or PGSSLROOTCERT)".into());
        }
        Ok(roots)
    }
}

/// `sslmode=require` (and `prefer`): encrypted, the certificate not checked, as libpq does;
/// the handshake's signatures are still verified.
#[derive(Debug)]
struct EncryptOnly(Arc<CryptoProvider>);

impl ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `sslmode=verify-ca`: the chain is checked, the host name is not.
#[derive(Debug)]
struct AnyName(Arc<rustls::client::WebPkiServerVerifier>);

impl ServerCertVerifier for AnyName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::NotValidForName
                | rustls::CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn passwords_are_masked_in_every_form() {
        assert_eq!(
            mask("postgres://dingform:s3cret@db.internal:5432/infra"),
            "postgres://dingform:***@db.internal:5432/infra"
        );
        assert_eq!(
            mask("postgres://db/infra?sslmode=require&password=s3cret"),
            "postgres://db/infra?sslmode=require"
        );
        assert_eq!(mask("postgres://db/infra"), "postgres://db/infra");
        assert!(!mask("postgres://u:s3cret@[bad").contains("s3cret"));
        assert!(has_password("postgres://u:s3cret@db/x"));
        assert!(has_password("postgres://db/x?password=s3cret"));
        assert!(!has_password("postgres://u@db/x"));
    }

    #[test]
    fn the_url_wins_over_the_libpq_environment_which_fills_the_gaps() {
        let vars = [
            ("PGHOST", "envhost"),
            ("PGPORT", "6543"),
            ("PGUSER", "envuser"),
            ("PGPASSWORD", "envpass"),
            ("PGSSLMODE", "require"),
        ];
        let full = PgTarget::from_url_with_env("postgres://u@h:1234/d?sslmode=disable", env(&vars))
            .unwrap();
        assert_eq!(full.describe(), "database `d` on h:1234 as `u`");
        assert_eq!(full.ssl_mode(), SslMode::Disable);
        assert_eq!(full.password.as_deref(), Some("envpass"));
        let bare = PgTarget::from_url_with_env("postgres:///d", env(&vars)).unwrap();
        assert_eq!(bare.describe(), "database `d` on envhost:6543 as `envuser`");
        assert_eq!(bare.ssl_mode(), SslMode::Require);
        let none = PgTarget::from_url_with_env("postgres://h/d", env(&[])).unwrap();
        assert_eq!(none.ssl_mode(), SslMode::Prefer);
        assert_eq!(none.port, 5432);
    }

    #[test]
    fn a_bad_url_is_refused_without_its_password() {
        let error = PgTarget::from_url_with_env("postgres://u:s3cret@h/d?sslmode=maybe", env(&[]))
            .unwrap_err()
            .to_string();
        assert!(error.contains("sslmode `maybe`"), "{error}");
        assert!(!error.contains("s3cret"), "{error}");
        let error = PgTarget::from_url_with_env("mysql://h/d", env(&[]))
            .unwrap_err()
            .to_string();
        assert!(error.contains("postgres://"), "{error}");
    }

    #[test]
    fn debug_shows_the_masked_url() {
        let target = PgTarget::from_url_with_env("postgres://u:s3cret@h/d", env(&[])).unwrap();
        assert!(!format!("{target:?}").contains("s3cret"));
    }
}
