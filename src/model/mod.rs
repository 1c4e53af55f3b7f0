//! What dingform talks about: resources as the manifests declare them, source spans, findings,
//! the live state read back from DingTalk, and the DingTalk wire types shared by the client
//! and the emulator. Depends on nothing else in the crate.
//!
//! A manifest's types ([`Group`], [`Bot`], [`Notification`], [`Message`]) mirror the YAML
//! exactly (`deny_unknown_fields`) and wrap what a finding may point at in [`Spanned`]; the
//! JSON Schema in `schema/` is generated from them.

pub mod address;
pub mod bot;
pub mod clock;
pub mod duration;
pub mod files;
pub mod finding;
pub mod group;
pub mod humanize;
pub mod limits;
pub mod live;
pub mod manifest;
pub mod members_from;
pub mod message;
pub mod named_map;
pub mod notification;
pub mod occurrence;
pub mod payload;
pub mod rules;
pub mod schedule;
pub mod schema;
pub mod secrets;
pub mod settings;
pub mod sources;
pub mod span;
pub(crate) mod spanned_de;
pub mod suggest;
pub mod template;
pub mod webhook;
pub mod wire;

pub use address::{Address, ResourceKind};
pub use bot::Bot;
pub use clock::{Clock, ManualClock, SystemClock};
pub use finding::{Finding, Severity};
pub use group::{Group, GroupSettings, GroupType};
pub use manifest::{Declared, Document, Manifest, Workspace};
pub use message::{Message, OpenIn};
pub use notification::{Notification, Target, Via, WorkNotification};
pub use settings::{AppKind, Settings};
pub use sources::Sources;
pub use span::{Span, Spanned};
