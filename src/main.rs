//! The `ttb-verifier` binary: parses arguments, starts logging, and hands over to the desktop app
//! or to the `verify` and `eval` commands.

use std::process::ExitCode;

use clap::Parser;
use ttb_verifier::cli::{self, Cli, Command};

fn main() -> ExitCode {
    limit_openmp_threads();
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    match cli.command {
        Some(Command::Verify(args)) => ExitCode::from(cli::run_verify(&args)),
        Some(Command::Eval(args)) => ExitCode::from(ttb_verifier::eval::run_eval(&args)),
        None => run_app(cli.images),
    }
}

/// Tesseract's OpenMP threads fight over a small machine's cores (recognition measured 6-10x
/// slower here); parallelism comes from one engine per worker instead. libgomp reads
/// `OMP_THREAD_LIMIT` when it is loaded, before `main`, so the variable is set by starting the
/// program again with it.
fn limit_openmp_threads() {
    #[cfg(unix)]
    if std::env::var_os("OMP_THREAD_LIMIT").is_none() {
        use std::os::unix::process::CommandExt;
        if let Ok(exe) = std::env::current_exe() {
            let err =
                std::process::Command::new(exe).args(std::env::args_os().skip(1)).env("OMP_THREAD_LIMIT", "1").exec();
            // exec returns only on failure; carry on with OpenMP's default.
            eprintln!("warning: could not restart with OMP_THREAD_LIMIT=1 ({err}); OCR may be slow");
        }
    }
}

#[cfg(feature = "gui")]
fn run_app(images: Vec<std::path::PathBuf>) -> ExitCode {
    match ttb_verifier::gui::run(images) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: the window could not open: {e}");
            ExitCode::from(cli::EXIT_ERROR)
        }
    }
}

#[cfg(not(feature = "gui"))]
fn run_app(_images: Vec<std::path::PathBuf>) -> ExitCode {
    eprintln!("error: this build has no desktop app; use `ttb-verifier verify PATH...`");
    ExitCode::from(cli::EXIT_ERROR)
}
