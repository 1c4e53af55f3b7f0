//! The `plan` layer (see the crate docs).
