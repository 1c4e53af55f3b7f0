//! The `notify` layer (see the crate docs).
