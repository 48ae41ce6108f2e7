//! Shared helpers: paths, the sample manifest, running the binary.
#![allow(clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub use ttb_verifier::eval::Expected;
use ttb_verifier::eval::read_manifest;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn samples() -> PathBuf {
    root().join("test_samples")
}

/// The entries of `test_samples/manifest.json`, read as `eval` reads them.
pub fn manifest() -> Vec<Expected> {
    read_manifest(&samples().join("manifest.json")).unwrap_or_else(|e| panic!("test_samples/manifest.json: {e}"))
}

/// Runs `ttb-verifier ARGS` in the repository root.
pub fn run(args: &[&str]) -> Output {
    run_with_env(args, &[])
}

/// [`run`] with extra environment variables.
pub fn run_with_env(args: &[&str], vars: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ttb-verifier"))
        .args(args)
        .envs(vars.iter().copied())
        .current_dir(root())
        .output()
        .expect("the binary runs")
}

/// The JSON array `verify --format json` printed.
pub fn reports(output: &Output) -> Vec<serde_json::Value> {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!("stdout is not a JSON array ({e}); stderr:\n{}", String::from_utf8_lossy(&output.stderr))
    })
}

pub fn file_name(path: &str) -> String {
    Path::new(path).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}
