//! dingform keeps an organization's DingTalk chat groups, bots and scheduled notifications as
//! YAML in git and reconciles DingTalk with them.
//!
//! The crate is layered; each module depends only on the ones listed before it (and all on
//! [`model`]):
//!
//! - [`model`]: resources as the manifests declare them, spans, and the DingTalk wire types;
//! - [`manifest`]: loading a workspace with source positions, and the static checks;
//! - [`state`]: the state file, its lock and atomic writes;
//! - [`provider`]: the DingTalk client (one HTTP implementation, any base URL);
//! - [`emulator`]: a wire-compatible DingTalk look-alike (never imports `provider`);
//! - [`plan`]: refresh, diff and findings; [`render`]: plans, diagnostics and the apply and
//!   notify reports as text;
//! - [`apply`]: carries a plan out; [`notify`]: the scheduled notification runner;
//! - [`cli`]: the commands, the only place that prints.
#![warn(missing_docs)]
#![deny(clippy::print_stdout)]

pub mod adopt;
pub mod apply;
#[expect(clippy::print_stdout, reason = "the CLI is the one layer that prints")]
pub mod cli;
pub mod emulator;
pub mod manifest;
pub mod model;
pub mod notify;
pub mod plan;
pub mod provider;
pub mod render;
pub mod state;
