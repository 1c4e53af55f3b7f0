//! What dingform talks about: resources as the manifests declare them, source spans, findings,
//! the live state read back from DingTalk, and the DingTalk wire types shared by the client
//! and the emulator. Depends on nothing else in the crate.

pub mod live;
pub mod wire;
