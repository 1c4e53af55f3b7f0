//! The `emulator` layer (see the crate docs).
