//! `yiwang`: one binary for every role — serve, demo, migrate, and the
//! administrative commands.

mod archive;
mod backup;
mod bench_dashboard;
mod bench_intake;
mod bench_search;
mod cli;
mod crash_test;
mod grids;
mod scale_test;
mod scratch_db;
mod soak;

use std::process::ExitCode;

fn main() -> ExitCode {
    // before the runtime's threads: see the crate's reasons
    yiwang_malloc::tune();
    let cli = <cli::Cli as clap::Parser>::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("yiwang: error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One clear line naming the problem.
            eprintln!("yiwang: error: {}", one_line(&e));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line, skipping a cause whose text the
/// message already carries.
fn one_line(e: &anyhow::Error) -> String {
    let mut line = e.to_string();
    for cause in e.chain().skip(1) {
        let text = cause.to_string();
        if !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
    }
    line.replace('\n', " ")
}
