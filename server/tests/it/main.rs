//! Server tests, one binary with modules. Servers run on real loopback ports with the real
//! Tesseract and the samples in `test_samples/`; Ollama is the stand-in of `tools/ollama-standin`.

// Helpers outside `#[test]` functions are test code too; clippy's allow-unwrap-in-tests does
// not reach them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod app;
mod auth;
mod batch;
mod health;
mod jobs;
mod ollama;
mod openapi;
mod runbook;
mod support;
mod verify;
