//! The `apply` layer (see the crate docs).
