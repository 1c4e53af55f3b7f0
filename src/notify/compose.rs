//! From a registered message to what goes on the wire: the runner uses
//! [`crate::model::payload`], the one home of a message's wire form, which the `message-size`
//! check measures too; and the fingerprint the delivery log keeps of what was sent.

use sha2::{Digest, Sha256};

pub use crate::model::payload::{bot_message, render, work_message};

/// SHA-256 of a JSON value's canonical text: equal content, equal fingerprint.
pub fn fingerprint(value: &impl serde::Serialize) -> String {
    let text = serde_json::to_value(value)
        .map(|v| v.to_string())
        .unwrap_or_default();
    hex::encode(Sha256::digest(text.as_bytes()))
}
