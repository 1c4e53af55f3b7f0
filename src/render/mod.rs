//! The `render` layer: findings (and, later, plans) as text for people and JSON for machines.
//! Renderers are functions of the data; they never decide anything and never print.

pub mod diagnostic;
mod failure;
mod human;
mod json;
mod markdown;

pub use failure::{json_failure, markdown_failure};
pub use human::human;
pub use json::json;
pub use markdown::{COMMENT_MARKER, markdown};
