//! The `state` layer (see the crate docs).
