//! DingTalk Open API wire types (JSON bodies of both hosts), shared by the client in
//! `provider` and the `emulator`, which never import each other.
//!
//! Two hosts (see `dingtalk-api.md`):
//!
//! - the **api host** (`/v1.0/…`, what the official `alibabacloud-dingtalk` SDK calls) speaks
//!   JSON, casing per endpoint exactly as the SDK's models name the fields; failures are HTTP
//!   4xx/5xx with [`ApiErrorBody`];
//! - the **oapi host** (`/gettoken`, `/chat/*`, `/topapi/*`, `/robot/send`, `/media/upload`)
//!   always answers HTTP 200 with [`OapiStatus`] flattened next to the payload
//!   ([`OapiResponse`]); request scalars may arrive as strings and id lists as comma strings,
//!   which the `lenient` deserializers accept while serialization stays canonical.
//!
//! Optional fields are never serialized as `null` (the SDK never sends null). Response types
//! default missing fields, so a client can read an error answer into them too.

pub mod chat;
pub mod directory;
pub mod error;
pub mod lenient;
pub mod media;
pub mod notification;
pub mod plugin;
pub mod robot;
pub mod scene_group;
pub mod scene_group_oapi;
pub mod tabs;
pub mod template;
pub mod token;

pub use error::{ApiErrorBody, OapiResponse, OapiStatus};
pub use lenient::CommaList;

/// The header that carries the access token on the api host.
pub const ACCESS_TOKEN_HEADER: &str = "x-acs-dingtalk-access-token";

/// The `success` answer many v1.0 write endpoints give.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct SuccessBody {
    /// Whether the operation succeeded.
    pub success: bool,
}
