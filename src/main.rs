use std::process::ExitCode;

/// mimalloc: a plan holds a million small strings (userIds, members), which glibc's allocator
/// pads to 32 bytes each and keeps in per-thread arenas (issue 15, the plan's memory and CPU).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    dingform::cli::run()
}
