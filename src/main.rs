//! `typgraph`: the command line. Reads the logging configuration, starts the runtime and
//! runs the command given (`cli`).
// The dist profile (fat LTO) computes the layout of the schema's nested resolver futures
// deeper than the default limit of 128 queries allows.
#![recursion_limit = "256"]

use std::process::ExitCode;

use clap::Parser;
use typgraph::{config, telemetry};

mod cli;

// mimalloc instead of the system allocator: a request allocates thousands of small objects
// (parsed documents, rows, response values) across worker threads, and glibc malloc was a
// fifth of the server's CPU per case view (docs/benchmarks.md, "Load: the case view").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let logging = match config::env::logging() {
        Ok(l) => l,
        Err(e) => {
            eprintln!("typgraph: {e}");
            return ExitCode::FAILURE;
        }
    };
    let _telemetry = match telemetry::init_logging(&logging) {
        Ok(guard) => guard,
        Err(e) => {
            eprintln!("typgraph: {e}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("typgraph: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli::run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(cli::Failure(reason)) => {
            eprintln!("typgraph: {reason}");
            ExitCode::FAILURE
        }
    }
}
