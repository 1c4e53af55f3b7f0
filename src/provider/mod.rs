//! The DingTalk client: what `plan`, `apply`, `import` and `notify` need from DingTalk, as one
//! trait ([`DingTalkApi`]) with one implementation ([`HttpClient`]) that speaks HTTP to real
//! DingTalk or to the emulator — they differ only by [`Endpoint`].
//!
//! Owns: endpoints, credentials, the access-token cache ([`token`]), retries ([`retry`]), the
//! per-API rate limiter ([`rate_limit`]) and its adaptive pace ([`pacing`]), typed errors
//! ([`ApiError`]) and the calls by concept
//! (scene groups, ordinary groups, bots, messages, work notifications, media, directory).
//! Must not touch: the emulator (the two agree only through `model::wire` and the wire format).
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use dingform::provider::prelude::*;
//!
//! /// Code above the provider is generic over the trait…
//! async fn title_of(api: &impl DingTalkApi, id: &str) -> Result<String, ApiError> {
//!     Ok(api.get_scene_group(id).await?.title)
//! }
//!
//! // …and the CLI hands it the one implementation, aimed at DingTalk or an emulator.
//! let endpoint = Endpoint::parse("http://127.0.0.1:8080")?;
//! let client = HttpClient::new(endpoint, Credentials::from_env()?)?;
//! let title = title_of(&client, "cidXXXX").await?;
//! # Ok(()) }
//! ```

mod answer;
mod api;
mod call;
mod chat;
mod credentials;
mod directory;
mod endpoint;
mod error;
mod http;
mod message;
pub mod pacing;
pub mod rate_limit;
pub mod retry;
mod robot;
mod scene_group;
mod settings;
mod tabs;
mod template;
pub mod token;
mod transport;
mod webhook;

pub use api::*;
pub use credentials::{APP_KEY_VAR, APP_SECRET_VAR, Credentials, Secret};
pub use endpoint::{DINGTALK_API, DINGTALK_OAPI, Endpoint, Host};
pub use error::{ApiError, CredentialsError, EndpointError, ErrorKind, PlatformError};
pub use http::{
    ClientError, ClientOptions, ClientStats, DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT,
    HttpClient, PROGRESS_EVERY,
};
pub use rate_limit::{LearnedRate, RateLimit, RateLimiter};
pub use retry::{Idempotency, RetryPolicy};
pub use tabs::{LiveTab, Tab, TabsApi};
pub use transport::{SetupError, TransportError};
pub use webhook::{WebhookApi, WebhookSend};

/// Everything a caller of the client needs, traits included (methods of the per-concept traits
/// are callable on a concrete [`HttpClient`] only with those traits in scope).
pub mod prelude {
    pub use super::{
        ApiError, ChatApi, Credentials, DingTalkApi, DirectoryApi, Endpoint, ErrorKind, HttpClient,
        MessageApi, RobotApi, SceneGroupApi, TabsApi, TemplateApi, WebhookApi,
    };
}
