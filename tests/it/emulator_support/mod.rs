//! Shared plumbing for the emulator tests: a real emulator on 127.0.0.1:0 and a reqwest client
//! speaking both hosts' conventions. Each test file uses part of it.
#![allow(dead_code)]

use dingform::emulator::{Emulator, EmulatorConfig, RunningEmulator, Seed};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A running emulator and a client for it.
pub struct Emu {
    pub running: RunningEmulator,
    pub base: String,
    pub http: reqwest::Client,
    token: String,
}

impl Emu {
    /// The demo organization, in memory.
    pub async fn start() -> Self {
        Self::start_with(Seed::demo(), None).await
    }

    /// A seed and an optional data file.
    pub async fn start_with(seed: Seed, data_file: Option<std::path::PathBuf>) -> Self {
        let running = Emulator::start(EmulatorConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            data_file,
            seed,
        })
        .await
        .expect("the emulator starts");
        let base = running.base_url();
        let http = reqwest::Client::new();
        let mut emu = Self {
            running,
            base,
            http,
            token: String::new(),
        };
        emu.token = emu.fetch_token().await;
        emu
    }

    /// A fresh access token through `/v1.0/oauth2/accessToken`.
    pub async fn fetch_token(&self) -> String {
        let (status, body) = self
            .api_open(
                "/v1.0/oauth2/accessToken",
                json!({"appKey": "demo-key", "appSecret": "demo-secret"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["accessToken"].as_str().unwrap().to_owned()
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// POST to the api host without a token.
    pub async fn api_open(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let response = self
            .http
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap();
        read(response).await
    }

    /// POST to the api host with the token header.
    pub async fn api(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.api_with(reqwest::Method::POST, path, body, &self.token)
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
            .unwrap();
        read(response).await
    }

    /// POST JSON to the oapi host; asserts HTTP 200 (the oapi host always answers 200).
    pub async fn oapi(&self, path: &str, body: Value) -> Value {
        self.oapi_with(path, body, &self.token).await
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
            .unwrap();
        let (status, body) = read(response).await;
        assert_eq!(status, StatusCode::OK, "oapi answers HTTP 200: {body}");
        body
    }

    /// POST form-urlencoded to the oapi host.
    pub async fn oapi_form(&self, path: &str, pairs: &[(&str, &str)]) -> Value {
        let response = self
            .http
            .post(self.url(path))
            .query(&[("access_token", self.token.as_str())])
            .form(pairs)
            .send()
            .await
            .unwrap();
        let (status, body) = read(response).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// POST to the admin API.
    pub async fn admin(&self, path: &str, body: Value) -> Value {
        let response = self
            .http
            .post(self.url(&format!("/_emulator/{path}")))
            .json(&body)
            .send()
            .await
            .unwrap();
        let (status, body) = read(response).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// `GET /_emulator/state`.
    pub async fn state(&self) -> Value {
        let response = self
            .http
            .get(self.url("/_emulator/state"))
            .send()
            .await
            .unwrap();
        read(response).await.1
    }

    /// Move the emulator clock.
    pub async fn advance(&self, seconds: i64) {
        self.admin("clock", json!({"advance_seconds": seconds}))
            .await;
    }

    /// Create a scene group from the default template; returns its open conversation id.
    pub async fn scene_group(&self, title: &str, members: &[&str]) -> String {
        let (status, body) = self
            .api(
                "/v1.0/im/sceneGroup/create",
                json!({
                    "title": title,
                    "template_id": "tpl-default",
                    "owner_user_id": "manager4220",
                    "user_ids": members,
                }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["open_conversation_id"].as_str().unwrap().to_owned()
    }

    /// The group with this open conversation id, from the admin state.
    pub async fn group(&self, open_conversation_id: &str) -> Value {
        let state = self.state().await;
        state["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|group| group["open_conversation_id"] == open_conversation_id)
            .cloned()
            .expect("the group is in the state")
    }
}

async fn read(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.unwrap();
    let value = serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("answer is not JSON ({error}): {text}"));
    (status, value)
}

/// The demo seed with `extra` more active users in department 2 (`bulk0`, `bulk1`, …).
pub fn seed_with_users(extra: usize) -> Seed {
    let mut seed = Seed::demo();
    for index in 0..extra {
        seed.users.push(dingform::emulator::seed::User {
            userid: format!("bulk{index}"),
            name: format!("Bulk {index}"),
            departments: vec![2],
            active: true,
        });
    }
    seed
}
