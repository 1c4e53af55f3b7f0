//! A wire-compatible DingTalk look-alike: one HTTP server that speaks both the api host
//! (`/v1.0/…`) and the oapi host (everything else), enforces the platform's rules
//! (`PLATFORM-RULES.md`, emulator column) and persists every acknowledged change to a data
//! file atomically. It never imports `provider`; the two agree only through `model::wire`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), dingform::emulator::EmulatorError> {
//! use dingform::emulator::{Emulator, EmulatorConfig, Seed};
//! let emulator = Emulator::start(EmulatorConfig {
//!     listen: "127.0.0.1:0".parse().unwrap(),
//!     data_file: None,
//!     seed: Seed::demo(),
//! })
//! .await?;
//! println!("{}", emulator.base_url()); // http://127.0.0.1:PORT, accepting already
//! emulator.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Performance (`cargo bench --bench emulator`, 64 clients on the same 2-core machine):
//! 26,000–54,000 reads/s on either host, ~22,000 in-memory writes/s, ~2,000 writes/s with a
//! data file (each answered write fsync'd; concurrent writers share one fsync).
//!
//! Layout: `host` (auth, body parsing, envelopes), `error` (refusals per host), `store`
//! (lock + atomic persistence), `world` (the state), `clock`, `faults`, `seed`, `admin`, and
//! one file per concept of the API (`tokens`, `group` + `scene_group` + `chat`, `robot`,
//! `plugin`, `notification`, `directory`, `media`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post, put};

pub mod admin;
mod chat;
pub mod clock;
mod console;
mod directory;
pub mod error;
pub mod faults;
pub mod group;
mod host;
mod media;
mod notification;
mod org_chart;
mod plugin;
mod robot;
mod scene_group;
pub mod seed;
mod server;
pub mod store;
mod tabs;
mod template;
mod tokens;
pub mod webhook;
pub mod world;

pub use seed::Seed;
pub use server::{Emulator, RunningEmulator};

/// What the emulator fails with when starting or persisting.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    /// The listen address cannot be bound.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A file cannot be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The data file cannot be written.
    #[error("cannot write {}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The data file is not an emulator data file.
    #[error("{}: not an emulator data file: {message}", path.display())]
    Data {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The seed is invalid.
    #[error("{origin}: invalid seed: {message}")]
    Seed {
        /// The file (or API call) it came from.
        origin: String,
        /// What is wrong.
        message: String,
    },
}

/// How to start an emulator.
#[derive(Clone, Debug)]
pub struct EmulatorConfig {
    /// Address to listen on (`127.0.0.1:0` picks a free port).
    pub listen: SocketAddr,
    /// Where to persist; an existing file is loaded (and wins over `seed`).
    pub data_file: Option<PathBuf>,
    /// The organization, for a fresh data file.
    pub seed: Seed,
}

/// Everything the handlers share.
#[derive(Debug)]
pub struct Shared {
    /// The state.
    pub store: store::Store,
    /// The fault set.
    pub faults: faults::Faults,
}

/// The router's state.
pub type AppState = Arc<Shared>;

impl Shared {
    /// Open the state: load `data_file` if it exists, else start from `seed` (and write it).
    pub fn open(data_file: Option<PathBuf>, seed: Seed) -> Result<AppState, EmulatorError> {
        let world = match &data_file {
            Some(path) if path.exists() => store::Store::load(path)?,
            _ => world::World::new(seed, clock::now_ms(0)),
        };
        Ok(Arc::new(Self {
            store: store::Store::new(world, data_file)?,
            faults: faults::Faults::new(),
        }))
    }
}

/// The emulator's routes (both hosts and the admin API) over a state.
pub fn app(state: AppState) -> Router {
    let platform = Router::new()
        // access tokens
        .route("/v1.0/oauth2/accessToken", post(tokens::access_token))
        .route("/v1.0/oauth2/{corp_id}/token", post(tokens::corp_token))
        .route("/gettoken", get(tokens::gettoken))
        // scene groups
        .route("/v1.0/im/sceneGroup/create", post(scene_group::create))
        .route(
            "/v1.0/im/sceneGroups",
            post(scene_group::create_conversation),
        )
        .route("/v1.0/im/sceneGroup/update", post(scene_group::update))
        .route("/v1.0/im/sceneGroups/query", post(scene_group::query))
        .route(
            "/v1.0/im/sceneGroups/queryDetail",
            post(scene_group::query_detail),
        )
        .route(
            "/v1.0/im/sceneGroup/member/add",
            post(scene_group::member_add),
        )
        .route(
            "/v1.0/im/sceneGroup/member/delete",
            post(scene_group::member_delete),
        )
        .route(
            "/v1.0/im/sceneGroups/members/batchQuery",
            post(scene_group::members_batch_query),
        )
        .route(
            "/v1.0/im/sceneGroups/subAdmins",
            put(scene_group::sub_admins),
        )
        .route("/v1.0/im/subAdministrators", post(scene_group::sub_admins))
        .route(
            "/v1.0/im/chat/scenegroup/disband",
            post(scene_group::disband),
        )
        .route(
            "/v1.0/im/chat/{chat_id}/convertToOpenConversationId",
            post(scene_group::convert_chat_id),
        )
        .route(
            "/topapi/im/chat/scenegroup/create",
            post(scene_group::oapi_create),
        )
        .route(
            "/topapi/im/chat/scenegroup/update",
            post(scene_group::oapi_update),
        )
        .route(
            "/topapi/im/chat/scenegroup/get",
            post(scene_group::oapi_get),
        )
        .route(
            "/topapi/im/chat/scenegroup/member/add",
            post(scene_group::oapi_member_add),
        )
        .route(
            "/topapi/im/chat/scenegroup/member/delete",
            post(scene_group::oapi_member_delete),
        )
        .route(
            "/topapi/im/chat/scenegroup/member/get",
            post(scene_group::oapi_member_get),
        )
        .route(
            "/topapi/chat/subadmin/update",
            post(scene_group::oapi_sub_admin),
        )
        .route("/topapi/chat/qrcode/get", post(scene_group::oapi_qrcode))
        // internal and standard groups
        .route("/chat/create", post(chat::oapi_create))
        .route("/chat/update", post(chat::oapi_update))
        .route("/chat/get", get(chat::oapi_get))
        .route("/v1.0/im/group/create", post(chat::create))
        .route("/v1.0/im/group/update", post(chat::update))
        .route(
            "/v1.0/im/innerGroups/members/query",
            post(chat::inner_members),
        )
        // bots
        .route("/v1.0/im/conversations/robots", post(robot::add))
        .route("/v1.0/im/conversations/robots/remove", post(robot::remove))
        .route(
            "/v1.0/robot/groups/robots/query",
            post(robot::list_in_group),
        )
        .route("/v1.0/robot/groups/query", post(robot::groups_of_bot))
        .route("/v1.0/robot/groupMessages/send", post(robot::send))
        .route("/v1.0/robot/groupMessages/query", post(robot::query))
        .route("/v1.0/robot/groupMessages/recall", post(robot::recall))
        .route("/robot/send", post(robot::webhook))
        // plugins
        .route(
            "/v1.0/coolApp/shortcuts/plugins/install",
            post(plugin::install),
        )
        .route(
            "/v1.0/coolApp/shortcuts/plugins/{operation}",
            post(plugin::refuse_change),
        )
        .route(
            "/v1.0/coolApp/installedInConversation/query",
            post(plugin::installed),
        )
        // work notifications
        .route(
            "/topapi/message/corpconversation/asyncsend_v2",
            post(notification::send),
        )
        .route(
            "/topapi/message/corpconversation/getsendprogress",
            post(notification::progress),
        )
        .route(
            "/topapi/message/corpconversation/getsendresult",
            post(notification::result),
        )
        .route(
            "/topapi/message/corpconversation/status_bar/update",
            post(notification::status_bar),
        )
        .route(
            "/topapi/message/corpconversation/recall",
            post(notification::recall),
        )
        // directory and media
        .route(
            "/v1.0/im/chats/sceneGroups/templates/lists",
            get(template::list),
        )
        .route("/topapi/v2/user/get", post(directory::user_get))
        .route("/topapi/user/listid", post(directory::user_list_id))
        .route(
            "/topapi/v2/department/listsubid",
            post(directory::dept_list_sub),
        )
        .route("/topapi/v2/department/get", post(org_chart::department_get))
        .route(
            "/v1.0/contact/empLeaveRecords",
            get(directory::leave_records),
        )
        .route(
            "/topapi/smartwork/hrm/employee/querydimission",
            post(directory::query_dimission),
        )
        .route("/media/upload", post(media::upload))
        .route("/v1.0/im/convNavTabs/add", post(tabs::add))
        .route("/v1.0/im/convNavTabs/update", post(tabs::update))
        .route("/v1.0/im/convNavTabs/delete", post(tabs::delete))
        .route("/v1.0/im/convNavTabs/list", post(tabs::list))
        .fallback(server::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            faults::apply,
        ));
    let admin = Router::new()
        .route("/_emulator/state", get(admin::state))
        .route("/_emulator/reset", post(admin::reset))
        .route("/_emulator/seed", post(admin::seed))
        .route("/_emulator/clock", post(admin::advance_clock))
        .route("/_emulator/faults", post(admin::faults))
        .route("/_emulator/qps", get(admin::qps))
        .route("/_emulator/users/{userid}/leave", post(admin::leave))
        .route("/_emulator/users", post(org_chart::join))
        .route("/_emulator/join_url", get(admin::join_url))
        .route("/_emulator/webhook", get(admin::webhook))
        .route("/_emulator/webhooks", post(webhook::add))
        .route("/_emulator/bots", post(console::save_bot));
    admin.merge(platform).with_state(state)
}
