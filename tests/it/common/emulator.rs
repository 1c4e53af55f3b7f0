//! The emulator under test, two ways: [`Emu`] runs the real server inside the test process
//! (async; its client, raw requests on both hosts, and the admin API), [`EmulatorProcess`] runs
//! the real `dingform emulator` binary as a child process (for tests that kill or restart
//! things). Both are a [`Target`] the binary can be aimed at.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::Duration;

use dingform::emulator::{Emulator, EmulatorConfig, RunningEmulator, Seed};
use dingform::provider::{
    ClientOptions, Credentials, DirectoryApi, Endpoint, HttpClient, NewSceneGroup, RateLimit,
    RetryPolicy, SceneGroupApi,
};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::OnceCell;

use super::run::blocking;
use super::{APP_KEY, APP_SECRET};

/// Something `dingform` can be aimed at with `DINGFORM_ENDPOINT`.
pub trait Target {
    /// Its base URL (`http://127.0.0.1:PORT`).
    fn base(&self) -> &str;
}

/// The emulator, in process on 127.0.0.1:0.
pub struct Emu {
    /// The server, running as long as this handle lives.
    _server: RunningEmulator,
    pub base: String,
    pub http: reqwest::Client,
    token: OnceCell<String>,
}

impl Target for Emu {
    fn base(&self) -> &str {
        &self.base
    }
}

impl Emu {
    /// The demo organization, in memory.
    pub async fn start() -> Emu {
        Self::start_with(Seed::demo(), None).await
    }

    /// A seed, and a data file to keep the organization in (or memory only).
    pub async fn start_with(seed: Seed, data_file: Option<PathBuf>) -> Emu {
        let server = Emulator::start(EmulatorConfig {
            listen: "127.0.0.1:0".parse().expect("address"),
            data_file,
            seed,
        })
        .await
        .expect("the emulator starts");
        let base = server.base_url();
        Emu {
            _server: server,
            base,
            http: reqwest::Client::new(),
            token: OnceCell::new(),
        }
    }

    /// The endpoint a client uses to reach it.
    pub fn endpoint(&self) -> Endpoint {
        Endpoint::parse(&self.base).expect("emulator URL")
    }

    /// A client for the demo app with default options but fast retries (no test waits seconds).
    pub fn client(&self) -> HttpClient {
        self.client_with(ClientOptions {
            retry: fast_retries(6),
            ..ClientOptions::default()
        })
    }

    /// A client for the demo app with these options.
    pub fn client_with(&self, options: ClientOptions) -> HttpClient {
        HttpClient::with_options(
            self.endpoint(),
            Credentials::new(APP_KEY, APP_SECRET),
            options,
        )
        .expect("client")
    }

    /// `base` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The demo app's access token, fetched on first use through `/v1.0/oauth2/accessToken`
    /// with a raw request (so tests can look for it in logs); later calls reuse it.
    pub async fn token(&self) -> &str {
        self.token.get_or_init(|| self.fetch_token()).await.as_str()
    }

    /// A fresh token request (inside the token's lifetime the emulator hands out the same one).
    pub async fn fetch_token(&self) -> String {
        self.admin_api().token().await
    }

    /// POST to the api host without a token.
    pub async fn api_open(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let response = self
            .http
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .expect("the emulator answers");
        read(response).await
    }

    /// POST to the api host with the token header.
    pub async fn api(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let token = self.token().await.to_owned();
        self.api_with(reqwest::Method::POST, path, body, &token)
            .await
    }

    /// Any method to the api host with a given token.
    pub async fn api_with(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Value,
        token: &str,
    ) -> (StatusCode, Value) {
        let response = self
            .http
            .request(method, self.url(path))
            .header("x-acs-dingtalk-access-token", token)
            .json(&body)
            .send()
            .await
            .expect("the emulator answers");
        read(response).await
    }

    /// POST JSON to the oapi host; asserts HTTP 200 (the oapi host always answers 200).
    pub async fn oapi(&self, path: &str, body: Value) -> Value {
        let token = self.token().await.to_owned();
        self.oapi_with(path, body, &token).await
    }

    /// POST JSON to the oapi host with a given token.
    pub async fn oapi_with(&self, path: &str, body: Value, token: &str) -> Value {
        let response = self
            .http
            .post(self.url(path))
            .query(&[("access_token", token)])
            .json(&body)
            .send()
            .await
            .expect("the emulator answers");
        let (status, body) = read(response).await;
        assert_eq!(status, StatusCode::OK, "oapi answers HTTP 200: {body}");
        body
    }

    /// POST form-urlencoded to the oapi host.
    pub async fn oapi_form(&self, path: &str, pairs: &[(&str, &str)]) -> Value {
        let token = self.token().await.to_owned();
        let response = self
            .http
            .post(self.url(path))
            .query(&[("access_token", token.as_str())])
            .form(pairs)
            .send()
            .await
            .expect("the emulator answers");
        let (status, body) = read(response).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// Its admin API.
    pub fn admin_api(&self) -> Admin {
        Admin::new(&self.base)
    }

    /// POST to the admin API (`/_emulator/PATH`); asserts success, returns its JSON (or null).
    pub async fn admin(&self, path: &str, body: Value) -> Value {
        self.admin_api().post(path, body).await
    }

    /// `GET /_emulator/state`: the whole organization.
    pub async fn state(&self) -> Value {
        self.admin_api().state().await
    }

    /// Replace the fault set.
    pub async fn faults(&self, faults: Value) {
        self.admin("faults", faults).await;
    }

    /// Move the emulator's clock.
    pub async fn advance(&self, seconds: i64) {
        self.admin("clock", json!({"advance_seconds": seconds}))
            .await;
    }

    /// Create a scene group from the default template through the client (as a person's script
    /// would, not dingform); returns its open conversation id.
    pub async fn scene_group(&self, title: &str, owner: &str, members: &[&str]) -> String {
        let group = NewSceneGroup {
            title: title.into(),
            template_id: "tpl-default".into(),
            owner: owner.into(),
            members: members.iter().map(|m| (*m).to_owned()).collect(),
            ..NewSceneGroup::default()
        };
        self.client()
            .create_scene_group(&group)
            .await
            .expect("create scene group")
            .open_conversation_id
    }

    /// The group with this open conversation id, from the admin state.
    pub async fn group(&self, open_conversation_id: &str) -> Value {
        let state = self.state().await;
        state["groups"]
            .as_array()
            .expect("groups")
            .iter()
            .find(|group| group["open_conversation_id"] == open_conversation_id)
            .cloned()
            .expect("the group is in the state")
    }

    /// The webhook token of `robot_code` in the group, as the console shows it once the bot
    /// joined (None before).
    pub async fn webhook_token(
        &self,
        open_conversation_id: &str,
        robot_code: &str,
    ) -> Option<String> {
        let response = self
            .http
            .get(self.url("/_emulator/webhook"))
            .query(&[
                ("open_conversation_id", open_conversation_id),
                ("robot_code", robot_code),
            ])
            .send()
            .await
            .expect("the emulator answers");
        if response.status() == StatusCode::NOT_FOUND {
            return None;
        }
        let body: Value = response.json().await.expect("a JSON answer");
        Some(body["access_token"].as_str().expect("a token").to_owned())
    }

    /// POST `body` to the webhook of `token` (`/robot/send`): the platform's answer.
    pub async fn webhook(&self, token: &str, body: Value) -> Value {
        self.http
            .post(self.url("/robot/send"))
            .query(&[("access_token", token)])
            .json(&body)
            .send()
            .await
            .expect("the emulator answers")
            .json()
            .await
            .expect("a JSON answer")
    }

    /// The emulator's word on a join URL: `{valid, open_conversation_id, reason}`.
    pub async fn join_url(&self, url: &str) -> Value {
        self.admin_api()
            .get("/_emulator/join_url", &[("url", url)])
            .await
    }

    /// Every accepted send request the emulator recorded.
    pub async fn messages(&self) -> Vec<Value> {
        let state = self.state().await;
        state["messages"].as_array().cloned().unwrap_or_default()
    }
}

async fn read(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("an answer body");
    let value = serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("answer is not JSON ({error}): {text}"));
    (status, value)
}

/// The user `userid` in an emulator state ([`Admin::state`]).
#[track_caller]
pub fn user<'a>(state: &'a Value, userid: &str) -> &'a Value {
    state["users"]
        .as_array()
        .expect("users")
        .iter()
        .find(|user| user["userid"] == userid)
        .unwrap_or_else(|| panic!("no user {userid} in the state"))
}

/// `calls` concurrent reads of one API (`/topapi/v2/user/get`) through `client`; every one must
/// succeed (a throttling answer must never reach the caller).
pub async fn read_users_at_once(client: &HttpClient, calls: usize) {
    let reads: Vec<_> = (0..calls)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.get_user("u1003").await })
        })
        .collect();
    for read in reads {
        read.await
            .expect("the read ends")
            .expect("a throttling answer never reaches the caller");
    }
}

/// Retries bounded at `attempts`, with millisecond backoff.
pub fn fast_retries(attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts: attempts,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(100),
    }
}

/// Options with no rate limit and fast retries.
pub fn unlimited(attempts: u32) -> ClientOptions {
    ClientOptions {
        rate_limit: RateLimit::unlimited(),
        retry: fast_retries(attempts),
        ..ClientOptions::default()
    }
}

/// The admin API (`/_emulator/…`) and the demo app's v1.0 API over plain HTTP, for an emulator
/// the test reaches only by its URL. [`Emu`] has its own; [`EmulatorProcess`] hands this out to
/// async tests and wraps it for the others.
#[derive(Clone)]
pub struct Admin {
    base: String,
    http: reqwest::Client,
}

impl Admin {
    /// The admin API of the emulator at `base`.
    pub fn new(base: &str) -> Admin {
        Admin {
            base: base.to_owned(),
            // No pooled connections: a blocking wrapper drives each call on a runtime of its own.
            http: reqwest::Client::builder()
                .pool_max_idle_per_host(0)
                .build()
                .expect("an HTTP client"),
        }
    }

    /// POST to `/_emulator/PATH`; asserts success, returns its JSON (or null).
    pub async fn post(&self, path: &str, body: Value) -> Value {
        let response = self
            .http
            .post(format!("{}/_emulator/{path}", self.base))
            .json(&body)
            .send()
            .await
            .expect("admin API reachable");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        assert!(status.is_success(), "admin {path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// GET `path` with `query`, on either host: the JSON answer, whatever its status.
    pub async fn get(&self, path: &str, query: &[(&str, &str)]) -> Value {
        self.http
            .get(format!("{}{path}", self.base))
            .query(query)
            .send()
            .await
            .expect("the emulator answers")
            .json()
            .await
            .unwrap_or_else(|error| panic!("GET {path}: not JSON: {error}"))
    }

    /// `GET /_emulator/state`: the whole organization.
    pub async fn state(&self) -> Value {
        self.get("/_emulator/state", &[]).await
    }

    /// `GET /_emulator/qps`: what `qps_limit` counted since the fault set was posted, a row per
    /// app and API (`api`, `admitted`, `refused`, `windows`, …).
    pub async fn qps(&self) -> Vec<Value> {
        let answer = self.get("/_emulator/qps", &[]).await;
        answer["apis"].as_array().cloned().expect("apis")
    }

    /// The [`Admin::qps`] row of `api` (the demo app's: the only app the tests call with).
    pub async fn qps_of(&self, api: &str) -> Value {
        let rows = self.qps().await;
        rows.iter()
            .find(|row| row["api"] == api)
            .cloned()
            .unwrap_or_else(|| panic!("{api} not counted: {rows:?}"))
    }

    /// One count of [`Admin::qps`] (`admitted` or `refused`) for `api`, 0 when it was not
    /// called.
    pub async fn qps_count(&self, api: &str, count: &str) -> u64 {
        qps_sum(&self.qps().await, |row| row["api"] == api, count)
    }

    /// A token for the demo app (inside its lifetime the emulator hands out the same one).
    pub async fn token(&self) -> String {
        let answer: Value = self
            .http
            .post(format!("{}/v1.0/oauth2/accessToken", self.base))
            .json(&json!({"appKey": APP_KEY, "appSecret": APP_SECRET}))
            .send()
            .await
            .expect("token endpoint reachable")
            .json()
            .await
            .expect("token JSON");
        answer["accessToken"]
            .as_str()
            .expect("accessToken")
            .to_owned()
    }

    /// POST to a v1.0 API as the demo app (to change the live world behind dingform's back).
    pub async fn api(&self, path: &str, body: Value) -> Value {
        let token = self.token().await;
        self.http
            .post(format!("{}{path}", self.base))
            .header("x-acs-dingtalk-access-token", token)
            .json(&body)
            .send()
            .await
            .expect("API answers")
            .json()
            .await
            .expect("JSON")
    }
}

/// `count` (`admitted`, `refused`) summed over the [`Admin::qps`] rows `which` picks.
pub fn qps_sum(rows: &[Value], which: impl Fn(&Value) -> bool, count: &str) -> u64 {
    rows.iter()
        .filter(|row| which(row))
        .map(|row| row[count].as_u64().unwrap_or(0))
        .sum()
}

/// `dingform emulator --listen 127.0.0.1:0 …`, the real binary, killed when dropped. Async tests
/// use [`EmulatorProcess::admin`]; the blocking methods are for tests that are not async.
pub struct EmulatorProcess {
    child: Child,
    /// The directory of its data file, when the handle made one.
    _data: Option<tempfile::TempDir>,
    _stdout: BufReader<ChildStdout>,
    /// Its base URL, from its first stdout line.
    pub base: String,
}

impl Target for EmulatorProcess {
    fn base(&self) -> &str {
        &self.base
    }
}

impl EmulatorProcess {
    /// Start it on a data file of its own (removed when the handle is dropped).
    pub fn fresh() -> EmulatorProcess {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mut emulator = Self::start(&dir.path().join("emulator.json"));
        emulator._data = Some(dir);
        emulator
    }

    /// Start it on `data` (`--data`).
    pub fn start(data: &Path) -> EmulatorProcess {
        Self::spawn(&["--data".as_ref(), data.as_os_str()])
    }

    /// Start it serving the organization of a seed file (`--seed`).
    pub fn seeded(seed: &Path) -> EmulatorProcess {
        Self::spawn(&["--seed".as_ref(), seed.as_os_str()])
    }

    /// `dingform emulator --listen 127.0.0.1:0 ARGS`, once its first line (the base URL) is out:
    /// no sleeps.
    fn spawn(args: &[&OsStr]) -> EmulatorProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dingform"))
            .args(["emulator", "--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("first line");
        let base = line.trim().to_owned();
        assert!(
            base.starts_with("http://127.0.0.1:"),
            "first line: {line:?}"
        );
        EmulatorProcess {
            child,
            _data: None,
            _stdout: stdout,
            base,
        }
    }

    /// SIGKILL it and wait until it is gone (its data file keeps what it acknowledged).
    pub fn kill(&mut self) {
        self.child.kill().expect("kill the emulator");
        self.child.wait().expect("the emulator ends");
    }

    /// Its admin API, for an async test.
    pub fn admin(&self) -> Admin {
        Admin::new(&self.base)
    }

    /// POST to its admin API (`/_emulator/PATH`), for a test that is not async; asserts success.
    pub fn admin_post(&self, path: &str, body: Value) -> Value {
        blocking(self.admin().post(path, body))
    }

    /// Replace the whole fault set.
    pub fn faults(&self, faults: Value) {
        blocking(self.admin().post("faults", faults));
    }

    /// `GET /_emulator/state`.
    pub fn state(&self) -> Value {
        blocking(self.admin().state())
    }

    /// [`Admin::qps`], for a test that is not async.
    pub fn qps(&self) -> Vec<Value> {
        blocking(self.admin().qps())
    }

    /// Live (not disbanded) groups as the emulator holds them.
    pub fn groups(&self) -> Vec<Value> {
        let state = self.state();
        let groups = match &state["groups"] {
            Value::Array(groups) => groups.clone(),
            Value::Object(groups) => groups.values().cloned().collect(),
            _ => Vec::new(),
        };
        groups
            .into_iter()
            .filter(|group| group["status"] != json!("disbanded"))
            .collect()
    }

    /// Titles of the live groups dingform could have made (not the seed's), sorted, duplicates
    /// kept.
    pub fn titles(&self) -> Vec<String> {
        let seeded: Vec<String> = Seed::demo()
            .groups
            .into_iter()
            .map(|group| group.open_conversation_id)
            .collect();
        let mut titles: Vec<String> = self
            .groups()
            .iter()
            .filter(|group| {
                !seeded
                    .iter()
                    .any(|id| group["open_conversation_id"] == id.as_str())
            })
            .filter_map(|group| group["title"].as_str().map(str::to_owned))
            .collect();
        titles.sort();
        titles
    }

    /// Call a v1.0 API as the demo app (to change the live world behind dingform's back).
    pub fn api(&self, path: &str, body: Value) -> Value {
        blocking(self.admin().api(path, body))
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
