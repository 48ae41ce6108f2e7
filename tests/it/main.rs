//! Integration tests of the root package, one binary with modules (cheaper to link than many).
//! They use the real Tesseract on the real samples in `test_samples/`.

// Helpers outside `#[test]` functions are test code too; clippy's allow-unwrap-in-tests does
// not reach them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bold;
mod cli;
#[cfg(feature = "gui")]
mod gui;
#[cfg(feature = "gui")]
mod gui_ollama;
#[cfg(feature = "gui")]
mod gui_support;
mod ollama;
mod quality;
mod support;
