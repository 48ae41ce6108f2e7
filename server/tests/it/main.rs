//! Server tests, one binary with modules. Servers run on real loopback ports with the real
//! Tesseract and the samples in `test_samples/`; Ollama is a stand-in answering `/api/tags`.

mod auth;
mod batch;
mod health;
mod jobs;
mod openapi;
mod support;
mod verify;
