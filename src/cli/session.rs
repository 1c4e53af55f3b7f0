//! Reaching DingTalk from a command: which endpoint (real, an emulator, or the built-in
//! sandbox started in-process), with which credentials, and the state file of the workspace.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};

use crate::emulator::{Emulator, EmulatorConfig, RunningEmulator, Seed};
use crate::model::Workspace;
use crate::provider::{ClientOptions, Credentials, Endpoint, HttpClient};
use crate::state::StateFile;

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
            Some(text) => Endpoint::parse(text).with_context(|| format!("endpoint `{text}`"))?,
            None => Endpoint::dingtalk(),
        };
        let options = ClientOptions {
            rate_limit: super::pace::rate_limit(workspace, rate),
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

/// The state file of a workspace (`state:` of dingform.yaml, relative to the workspace).
pub fn state_file(workspace: &Workspace) -> StateFile {
    let written = workspace
        .settings
        .as_ref()
        .map_or(crate::model::settings::DEFAULT_STATE_PATH, |s| {
            s.state_path()
        });
    state_file_at(&workspace.root, written)
}

/// The state file of the workspace in `dir`, reading only its `dingform.yaml` (so that the
/// state can be inspected and repaired even when manifests do not load).
pub fn state_file_of_dir(dir: &std::path::Path) -> anyhow::Result<StateFile> {
    let settings_path = dir.join(crate::manifest::SETTINGS_FILE);
    let written = match std::fs::read_to_string(&settings_path) {
        Ok(text) => crate::manifest::parse_settings(&settings_path, &text)
            .map_err(|finding| anyhow::anyhow!("{}: {}", settings_path.display(), finding.message))?
            .state_path()
            .to_owned(),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            crate::model::settings::DEFAULT_STATE_PATH.to_owned()
        }
        Err(error) => {
            return Err(error).with_context(|| format!("cannot read {}", settings_path.display()));
        }
    };
    Ok(state_file_at(dir, &written))
}

/// `written` (the `state:` setting) relative to the workspace `root` unless absolute.
fn state_file_at(root: &std::path::Path, written: &str) -> StateFile {
    StateFile::new(root.join(PathBuf::from(written)))
}

/// A multi-threaded runtime for one command.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}
