//! The `provider` layer (see the crate docs).
