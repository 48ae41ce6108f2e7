//! ttb-verifier checks alcohol beverage label images against their application data and the
//! machine-checkable parts of 27 CFR.
//!
//! # Layout
//! - [`application`]: the application data a label is checked against (JSON, CSV manifests).
//! - [`ocr`]: the OCR seam (words, boxes, confidences), image preparation, the Tesseract engine.
//! - [`text`]: normalisation and fuzzy comparison shared by the checks.
//! - [`extract`]: OCR words to label fields.
//! - [`rules`]: one pure function per check, producing the report's checks.
//! - [`report`]: the report's wire shape (shared CONTRACTS).
//! - [`quality`]: image-quality flags (blur, glare, too dark, too small) measured when a label
//!   is read, turning passes they undermine into reviews.
//! - [`verify`]: one label from image to report (preparation, re-reads, checks);
//!   [`pool`]: worker threads, one engine each.
//! - [`api`]: the server's request/response types, shared with its clients; [`ollama`]: the
//!   Ollama availability check.
//! - [`cli`]: the `verify` and `eval` subcommands ([`eval`]: accuracy and speed against a
//!   manifest of expected outcomes); `gui` (feature `gui`): the desktop app.

pub mod api;
pub mod application;
pub mod cli;
pub mod eval;
pub mod extract;
#[cfg(feature = "gui")]
pub mod gui;
pub mod ocr;
pub mod ollama;
pub mod pool;
pub mod quality;
pub mod remote;
pub mod report;
pub mod rules;
pub mod text;
pub mod verify;
