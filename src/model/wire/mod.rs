//! DingTalk Open API wire types (JSON bodies of both hosts), shared by the client in
//! `provider` and the `emulator`, which never import each other.
