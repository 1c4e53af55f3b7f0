//! The `model` layer (see the crate docs).
