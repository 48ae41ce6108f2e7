//! One label from image to report: decode, prepare, OCR, check, assemble.
//!
//! This is where the pure core meets an engine. It never returns an `Err` for a bad label: an
//! unreadable image becomes a report with status `ERROR` and a message saying why.

use std::path::Path;
use std::time::Instant;

use image::DynamicImage;

use crate::application::Application;
use crate::ocr::prepare::{self, DecodeLimits, Prepared};
use crate::ocr::{OcrEngine, OcrPage};
use crate::report::{Report, Status, ValidationLevel};
use crate::rules;

/// A label to verify: its name in reports, and its application data if any.
#[derive(Debug, Clone)]
pub struct LabelInput<'a> {
    pub file: &'a str,
    pub application: Option<&'a Application>,
}

/// What OCR gave for one image, kept so that edited application data can be re-checked without
/// a new OCR run.
#[derive(Debug, Clone)]
pub struct Reading {
    pub backend: &'static str,
    pub page: OcrPage,
    pub prepared: Prepared,
    /// Size of the stored image (after EXIF orientation).
    pub image_size: [u32; 2],
    pub ocr_seconds: f64,
}

/// Prepares and reads a decoded image.
pub fn read(engine: &mut dyn OcrEngine, image: &DynamicImage) -> Result<Reading, crate::ocr::OcrError> {
    let started = Instant::now();
    let prepared = prepare::prepare(image);
    let page = engine.recognize(&prepared.gray)?;
    Ok(Reading {
        backend: engine.name(),
        page,
        prepared,
        image_size: [image.width(), image.height()],
        ocr_seconds: started.elapsed().as_secs_f64(),
    })
}

/// Runs the checks on a reading and assembles the report. Pure: no OCR, no I/O.
pub fn assess(reading: &Reading, input: &LabelInput<'_>) -> Report {
    let started = Instant::now();
    let empty = Application::default();
    let application = input.application.unwrap_or(&empty);
    let findings = rules::check_label(&reading.page, Some(&reading.prepared.gray), application);
    let scale = reading.prepared.scale;
    let mut checks = findings.checks;
    for check in &mut checks {
        for b in &mut check.boxes {
            *b = b.scaled(scale);
        }
    }
    let mut warnings = findings.warnings;
    if reading.prepared.inverted {
        warnings.push("Light text on a dark background: the image was inverted for reading.".into());
    }
    let validation_level = if application.is_empty() {
        warnings.push("No application data: only presence and format were checked.".into());
        ValidationLevel::StructuralOnly
    } else {
        ValidationLevel::FullValidation
    };
    Report {
        file: input.file.to_string(),
        status: Status::from_checks(&checks),
        validation_level,
        backend: reading.backend.to_string(),
        checks,
        extracted_fields: findings.extracted,
        violations: findings.violations,
        warnings,
        processing_time_seconds: reading.ocr_seconds + started.elapsed().as_secs_f64(),
        error: None,
        image_size: Some(reading.image_size),
    }
}

/// Verifies an image file end to end. Every failure is a report, never a panic or an `Err`.
pub fn verify_file(engine: &mut dyn OcrEngine, path: &Path, input: &LabelInput<'_>) -> (Report, Option<Reading>) {
    let started = Instant::now();
    verify_decoded(engine, prepare::load(path, DecodeLimits::default()).map_err(|e| e.to_string()), input, started)
}

/// Verifies an image held in memory (an upload).
pub fn verify_bytes(
    engine: &mut dyn OcrEngine,
    bytes: &[u8],
    limits: DecodeLimits,
    input: &LabelInput<'_>,
) -> (Report, Option<Reading>) {
    let started = Instant::now();
    verify_decoded(engine, prepare::decode(bytes, limits).map_err(|e| e.to_string()), input, started)
}

/// Verifies an image its caller decoded (or failed to decode, with the reason), timing from
/// `started`.
pub fn verify_decoded(
    engine: &mut dyn OcrEngine,
    image: Result<DynamicImage, String>,
    input: &LabelInput<'_>,
    started: Instant,
) -> (Report, Option<Reading>) {
    let backend = engine.name();
    match image.and_then(|image| read(engine, &image).map_err(|e| e.to_string())) {
        Ok(reading) => {
            let mut report = assess(&reading, input);
            report.processing_time_seconds = started.elapsed().as_secs_f64();
            (report, Some(reading))
        }
        Err(message) => {
            let mut report = Report::error(input.file, backend, message);
            report.processing_time_seconds = started.elapsed().as_secs_f64();
            (report, None)
        }
    }
}
