//! Reaching DingTalk from a command: which endpoint (real, an emulator, or the built-in
//! sandbox started in-process), with which credentials, and the state store of the workspace
//! (a file, or a shared store named by `state: {url, key}` or `DINGFORM_STATE_URL`).

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use anyhow::{Context, bail};

use crate::emulator::{Emulator, EmulatorConfig, RunningEmulator, Seed};
use crate::model::Settings;
use crate::model::Workspace;
use crate::provider::{ClientOptions, Credentials, Endpoint, HttpClient};
use crate::state::postgres::PostgresStore;
use crate::state::s3::S3Store;
use crate::state::{StateFile, StateStore};

/// The environment variable that overrides `state.url` of `dingform.yaml` (a CI secret: it
/// may carry the password, which is never printed).
pub const STATE_URL_VAR: &str = "DINGFORM_STATE_URL";
/// The environment variable that overrides `state.key`.
pub const STATE_KEY_VAR: &str = "DINGFORM_STATE_KEY";

/// The environment variable that overrides `endpoint:` of `dingform.yaml`.
pub const ENDPOINT_VAR: &str = "DINGFORM_ENDPOINT";

/// A connection to DingTalk (or a look-alike) for one command.
pub struct Session {
    /// The client every layer uses.
    pub client: Arc<HttpClient>,
    /// Where requests go, for messages (`the sandbox`, a URL).
    pub label: String,
    sandbox: Option<RunningEmulator>,
}

impl Session {
    /// Resolve the endpoint of `workspace` (environment first) and connect, paced at `--rate`
    /// when given (see [`super::pace`]).
    pub async fn open(workspace: &Workspace, rate: Option<f64>) -> anyhow::Result<Session> {
        let written = std::env::var(ENDPOINT_VAR)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .or_else(|| {
                workspace
                    .settings
                    .as_ref()
                    .and_then(|s| s.endpoint.as_ref())
                    .map(|e| e.value.clone())
            });
        let endpoint = match &written {
            Some(text) => Endpoint::parse(text).context("cannot use the endpoint")?,
            None => Endpoint::dingtalk(),
        };
        let options = ClientOptions {
            rate_limit: super::pace::rate_limit(workspace, rate),
            read_timeout: read_timeout()?,
            ..ClientOptions::default()
        };
        if endpoint == Endpoint::Sandbox {
            let data_file = workspace.root.join(".dingform").join("sandbox.json");
            if let Some(parent) = data_file.parent() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create {}", parent.display()))?;
            }
            let seed = Seed::demo();
            let app = seed
                .apps
                .first()
                .context("the demo organization has no app")?;
            let credentials = Credentials::new(app.app_key.clone(), app.app_secret.clone());
            let sandbox = Emulator::start(EmulatorConfig {
                listen: "127.0.0.1:0".parse().expect("constant address"),
                data_file: Some(data_file),
                seed,
            })
            .await
            .context("cannot start the built-in sandbox")?;
            let base = url::Url::parse(&sandbox.base_url()).context("sandbox URL")?;
            let client = HttpClient::with_options(Endpoint::single(base), credentials, options)?;
            return Ok(Session {
                client: Arc::new(client),
                label: "the built-in sandbox".into(),
                sandbox: Some(sandbox),
            });
        }
        let credentials = match Credentials::from_env() {
            Ok(credentials) => credentials,
            Err(error) => bail!(
                "{error}\n  dingform reads the app's credentials only from DINGTALK_APP_KEY and \
                 DINGTALK_APP_SECRET; to try it without an account, set `endpoint: sandbox` in \
                 dingform.yaml (or DINGFORM_ENDPOINT=sandbox)"
            ),
        };
        let label = written.unwrap_or_else(|| "DingTalk".into());
        let client = HttpClient::with_options(endpoint, credentials, options)?;
        Ok(Session {
            client: Arc::new(client),
            label,
            sandbox: None,
        })
    }

    /// Stop the sandbox, if one was started.
    pub async fn close(self) {
        super::pace::log_learned_rates(&self.client);
        if let Some(sandbox) = self.sandbox {
            sandbox.shutdown().await;
        }
    }
}

/// Where a workspace's state is kept, opened (a shared store connects on first use).
pub struct Store {
    /// The store every command goes through.
    pub store: Box<dyn StateStore>,
    /// The state file, when the store is one (for messages about its backup).
    pub file: Option<StateFile>,
}

impl Store {
    /// Where the previous version went after a write, for messages.
    pub fn previous_version_hint(&self, previous_serial: u64) -> String {
        let backup = self.file.as_ref().map(|file| file.backup_path());
        crate::render::messages::previous_state(backup.as_deref(), previous_serial)
    }
}

/// The state store of a workspace (`state:` of dingform.yaml, the environment first).
pub fn state_store(workspace: &Workspace) -> anyhow::Result<Store> {
    open_store(
        &workspace.root,
        workspace.settings.as_ref(),
        &workspace.settings_file,
    )
}

/// The state store of the workspace in `dir`, reading only its `dingform.yaml` (so that the
/// state can be inspected and repaired even when manifests do not load).
pub fn state_store_of_dir(dir: &Path) -> anyhow::Result<Store> {
    let settings_path = dir.join(crate::manifest::SETTINGS_FILE);
    let settings = match std::fs::read_to_string(&settings_path) {
        Ok(text) => Some(
            crate::manifest::parse_settings(&settings_path, &text).map_err(|finding| {
                let at = finding
                    .location()
                    .unwrap_or_else(|| settings_path.display().to_string());
                anyhow::anyhow!("{at}: {}", finding.message)
            })?,
        ),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(error) => {
            return Err(error).with_context(|| format!("cannot read {}", settings_path.display()));
        }
    };
    open_store(dir, settings.as_ref(), &settings_path)
}

/// Where a shared store is (URL and key), from the environment first, then `state:` of
/// `dingform.yaml`; `None` when the state is a file. One answer for the state store and the
/// notification runner's delivery log, so the two never live in different places.
fn shared_target(
    settings: Option<&Settings>,
    settings_file: &Path,
) -> anyhow::Result<Option<(String, String)>> {
    let from_env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let shared = settings.and_then(Settings::shared_state);
    let at = |span: Option<&crate::model::Span>| match span.filter(|s| s.is_known()) {
        Some(span) => format!("{}:{span}", settings_file.display()),
        None => settings_file.display().to_string(),
    };
    let state_span = settings.and_then(|s| s.state.as_ref()).map(|s| &s.span);
    let url = from_env(STATE_URL_VAR).or_else(|| {
        shared
            .and_then(|s| s.url.as_ref())
            .map(|url| url.value.clone())
    });
    let Some(url) = url else {
        if shared.is_some() {
            bail!(
                "{}: `state` names a shared store but no `url` (write `url: postgres://…` or `url: s3://BUCKET/PREFIX`, or set {STATE_URL_VAR})",
                at(state_span)
            );
        }
        return Ok(None);
    };
    let key = from_env(STATE_KEY_VAR).or_else(|| {
        shared
            .and_then(|s| s.key.as_ref())
            .map(|key| key.value.clone())
    });
    let Some(key) = key else {
        bail!(
            "{}: a shared state store needs `key` (this workspace's name in the store): write \
             `state: {{url: …, key: NAME}}` or set {STATE_KEY_VAR}",
            at(state_span)
        );
    };
    Ok(Some((url, key)))
}

/// The shared store of `workspace` (URL and key), or `None` when its state is a file.
pub fn shared_store_of(workspace: &Workspace) -> anyhow::Result<Option<(String, String)>> {
    shared_target(workspace.settings.as_ref(), &workspace.settings_file)
}

fn open_store(
    root: &Path,
    settings: Option<&Settings>,
    settings_file: &Path,
) -> anyhow::Result<Store> {
    let Some((url, key)) = shared_target(settings, settings_file)? else {
        let written = settings.map_or(crate::model::settings::DEFAULT_STATE_PATH, |s| {
            s.state_path()
        });
        let file = state_file_at(root, written);
        return Ok(Store {
            store: Box::new(file.clone()),
            file: Some(file),
        });
    };
    let masked = crate::state::postgres::connect::mask(&url);
    let store: Box<dyn StateStore> = if url.starts_with("postgres://")
        || url.starts_with("postgresql://")
    {
        Box::new(PostgresStore::new(&url, &key)?)
    } else if url.starts_with("s3://") {
        Box::new(S3Store::new(&url, &key)?)
    } else {
        bail!(
            "state store `{masked}`: the URL must start with postgres:// or s3:// (or name a file with `state: PATH`)"
        )
    };
    Ok(Store { store, file: None })
}

/// `written` (the `state:` setting) relative to the workspace `root` unless absolute.
fn state_file_at(root: &Path, written: &str) -> StateFile {
    StateFile::new(root.join(PathBuf::from(written)))
}

/// The command's runtime (one per process: a shared store's connections live on it from the
/// first use to the last).
///
/// One thread: a command's work is requests that wait for their turn and their answer, and a
/// one-thread runtime wakes for them without handing tasks between workers. Issue 15, the plan
/// benchmark's refresh (8,057 paced reads): 0.72 s of CPU on the multi-threaded runtime against
/// 0.50-0.59 s on this one, the same wall time. Its tasks (a shared store's lock renewal, its
/// connections) run only while the command waits in `block_on`, so whatever waits for a person
/// (apply's confirmation) waits inside it ([`blocking`]).
pub fn runtime() -> anyhow::Result<&'static tokio::runtime::Runtime> {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    if let Some(runtime) = RUNTIME.get() {
        return Ok(runtime);
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    Ok(RUNTIME.get_or_init(|| runtime))
}

/// Run `wait` (a read from the terminal) on a thread of its own while the runtime goes on with
/// its tasks: a shared store's lock keeps being renewed however long the person takes.
pub fn blocking<T: Send + 'static>(
    wait: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> anyhow::Result<T> {
    let runtime = runtime()?;
    let joined = runtime.block_on(runtime.spawn_blocking(wait));
    Ok(joined.context("the terminal reader stopped")??)
}

/// How long DingTalk may stay silent before a request is given up: `DINGFORM_READ_TIMEOUT`
/// (`30s`, `2m`) or the client's default.
fn read_timeout() -> anyhow::Result<std::time::Duration> {
    match std::env::var(READ_TIMEOUT_VAR) {
        Ok(text) if !text.trim().is_empty() => {
            let timeout = crate::model::duration::parse_duration(&text)
                .map_err(|why| anyhow::anyhow!("{READ_TIMEOUT_VAR}: {why}"))?;
            if timeout.is_zero() {
                bail!("{READ_TIMEOUT_VAR}: must be more than 0s");
            }
            Ok(timeout)
        }
        _ => Ok(crate::provider::DEFAULT_READ_TIMEOUT),
    }
}

/// The variable that sets the read timeout.
const READ_TIMEOUT_VAR: &str = "DINGFORM_READ_TIMEOUT";
