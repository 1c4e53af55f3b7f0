//! The integration tests, in one binary (one link, one process): a module per feature,
//! and the support modules they share.

mod apply_support;
mod emulator_support;
mod notify_support;
mod plan_support;
mod provider_support;
mod validate_support;

mod adopt;
mod apply_crash;
mod apply_end_to_end;
mod apply_terminal;
mod ci_examples;
mod emulator_bots;
mod emulator_cli;
mod emulator_faults;
mod emulator_groups;
mod emulator_notifications;
mod emulator_persistence;
mod emulator_robustness;
mod emulator_sdk;
mod emulator_wire;
mod help;
mod loader_props;
mod notify_recovery;
mod notify_runner;
mod notify_service;
mod plan;
mod plan_failure;
mod provider_directory;
mod provider_faults;
mod provider_logging;
mod provider_messages;
mod provider_scene_groups;
mod provider_throughput;
mod provider_tokens;
mod provider_transport;
mod refactor;
mod render;
mod schema;
mod state;
mod state_cli;
mod validate;
mod validate_bad_input;
mod validate_errors;
mod validate_rules;
