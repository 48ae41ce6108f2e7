//! Integration tests of the root package, one binary with modules (cheaper to link than many).
//! They use the real Tesseract on the real samples in `test_samples/`.

mod cli;
#[cfg(feature = "gui")]
mod gui;
#[cfg(feature = "gui")]
mod gui_ollama;
mod ollama;
mod support;
