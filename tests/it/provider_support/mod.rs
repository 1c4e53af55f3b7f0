//! Shared plumbing for the provider tests: an emulator on 127.0.0.1:0 (the real server, in
//! process), a client aimed at it, and the emulator's admin API.
#![allow(dead_code, reason = "each test file uses a different part")]

use std::time::Duration;

use dingform::emulator::{Emulator, EmulatorConfig, RunningEmulator, Seed};
use dingform::provider::{
    ClientOptions, Credentials, Endpoint, HttpClient, RateLimit, RetryPolicy,
};
use serde_json::{Value, json};

/// The demo seed's app.
pub const APP_KEY: &str = "demo-key";
/// The demo seed's app secret.
pub const APP_SECRET: &str = "demo-secret";
/// The demo seed's agent id.
pub const AGENT_ID: i64 = 123456;

/// A running emulator and a raw HTTP client for its admin API.
pub struct Emu {
    pub server: RunningEmulator,
    pub base: String,
    admin: reqwest::Client,
}

impl Emu {
    /// Start the emulator with the demo organization on an ephemeral port.
    pub async fn start() -> Emu {
        let config = EmulatorConfig {
            listen: "127.0.0.1:0".parse().expect("address"),
            data_file: None,
            seed: Seed::demo(),
        };
        let server = Emulator::start(config).await.expect("emulator starts");
        let base = server.base_url();
        Emu {
            server,
            base,
            admin: reqwest::Client::new(),
        }
    }

    /// The endpoint a client uses to reach it.
    pub fn endpoint(&self) -> Endpoint {
        Endpoint::parse(&self.base).expect("emulator URL")
    }

    /// A client with default options except fast retries (tests must not wait seconds).
    pub fn client(&self) -> HttpClient {
        self.client_with(ClientOptions {
            retry: fast_retries(6),
            ..ClientOptions::default()
        })
    }

    /// A client with these options.
    pub fn client_with(&self, options: ClientOptions) -> HttpClient {
        HttpClient::with_options(
            self.endpoint(),
            Credentials::new(APP_KEY, APP_SECRET),
            options,
        )
        .expect("client")
    }

    /// POST to the admin API and return its JSON answer.
    pub async fn admin(&self, path: &str, body: Value) -> Value {
        let response = self
            .admin
            .post(format!("{}/_emulator/{path}", self.base))
            .json(&body)
            .send()
            .await
            .expect("admin API reachable");
        assert!(
            response.status().is_success(),
            "admin {path}: {}",
            response.status()
        );
        response.json().await.unwrap_or(Value::Null)
    }

    /// The emulator's whole state.
    pub async fn state(&self) -> Value {
        self.admin
            .get(format!("{}/_emulator/state", self.base))
            .send()
            .await
            .expect("admin API reachable")
            .json()
            .await
            .expect("state is JSON")
    }

    /// Replace the fault set.
    pub async fn faults(&self, faults: Value) {
        self.admin("faults", faults).await;
    }

    /// Move the emulator's clock.
    pub async fn advance(&self, seconds: u64) {
        self.admin("clock", json!({ "advance_seconds": seconds }))
            .await;
    }

    /// The access token the emulator hands this app now (re-fetching inside the window returns
    /// the same token), read with a raw request so that tests can look for it in logs.
    pub async fn current_token(&self) -> String {
        let answer: Value = self
            .admin
            .post(format!("{}/v1.0/oauth2/accessToken", self.base))
            .json(&json!({ "appKey": APP_KEY, "appSecret": APP_SECRET }))
            .send()
            .await
            .expect("token endpoint reachable")
            .json()
            .await
            .expect("token JSON");
        answer["accessToken"]
            .as_str()
            .expect("accessToken")
            .to_string()
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
