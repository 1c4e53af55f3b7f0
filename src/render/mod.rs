//! The `render` layer (see the crate docs).
