//! The `render` layer: plans and findings as text for people and JSON for machines, and the
//! reports of `apply` ([`apply_report`]) and `notify` ([`notify_report`]). Renderers are
//! functions of the data; they never decide anything and never print.

pub mod apply_report;
pub mod diagnostic;
mod failure;
mod field_lines;
mod human;
mod json;
mod markdown;
pub mod messages;
pub mod notify_report;
mod words;

pub use failure::{json_failure, markdown_failure};
pub use human::human;
pub use json::json;
pub use markdown::{COMMENT_MARKER, markdown};
