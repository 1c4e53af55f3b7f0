use std::process::ExitCode;

fn main() -> ExitCode {
    dingform::cli::run()
}
