//! The `manifest` layer (see the crate docs).
