//! Integration tests of the root package, one binary with modules (cheaper to link than many).
//! They use the real Tesseract on the real samples in `test_samples/`.

mod bold;
mod cli;
#[cfg(feature = "gui")]
mod gui;
mod quality;
mod support;
