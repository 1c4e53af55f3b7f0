//! Adopting what already exists: `import` records a live resource in state without changing
//! anything on DingTalk; `export` writes manifests for what state holds and no manifest
//! declares, so that after both the next plan is empty.
//!
//! Uses `provider` (to read), `state` (to record) and `plan::attributes` (the normalized shape
//! of a group); never the CLI.

mod export;
mod import;

pub use export::{ExportError, Exported, export};
pub use import::{ImportError, import};
