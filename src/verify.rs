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
    /// Whether the engine measured its words' boxes (Tesseract) or only transcribed the text (a
    /// vision model): see [`OcrEngine::measures_boxes`].
    pub measured_boxes: bool,
}

/// Prepares and reads a decoded image.
pub fn read(engine: &mut dyn OcrEngine, image: &DynamicImage) -> Result<Reading, crate::ocr::OcrError> {
    let started = Instant::now();
    let prepared = prepare::prepare(image);
    let page = engine.recognize_label(image, &prepared)?;
    Ok(Reading {
        backend: engine.name(),
        page,
        prepared,
        image_size: [image.width(), image.height()],
        ocr_seconds: started.elapsed().as_secs_f64(),
        measured_boxes: engine.measures_boxes(),
    })
}

/// Runs the checks on a reading and assembles the report. Pure: no OCR, no I/O.
pub fn assess(reading: &Reading, input: &LabelInput<'_>) -> Report {
    let started = Instant::now();
    let empty = Application::default();
    let application = input.application.unwrap_or(&empty);
    // A transcription has no pixels under its words: type weight is not measured on them.
    let image = reading.measured_boxes.then_some(&reading.prepared.gray);
    let findings = rules::check_label(&reading.page, image, application);
    let scale = reading.prepared.scale;
    let mut checks = findings.checks;
    for check in &mut checks {
        for b in &mut check.boxes {
            *b = b.scaled(scale);
        }
    }
    let mut warnings = findings.warnings;
    if !reading.measured_boxes {
        from_transcription(&mut checks);
        warnings.push(TRANSCRIPTION_NOTE.into());
    }
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

/// What a report read from a transcription says about its evidence.
pub const TRANSCRIPTION_NOTE: &str = "Read by a vision model, which transcribes the text without its position on \
     the label: no evidence boxes are shown, and whether the warning header is bold is left to the reviewer.";

/// The check of the warning header's weight (a CONTRACTS field name).
const BOLD_CHECK: &str = "government_warning_bold";

/// Checks judged on a transcription: its boxes and confidences are made up, so they are dropped,
/// and the header's weight, which no transcription shows, is always for the reviewer to judge.
fn from_transcription(checks: &mut [crate::report::Check]) {
    for check in checks {
        check.boxes.clear();
        check.confidence = None;
        if check.field == BOLD_CHECK {
            check.outcome = crate::report::Outcome::Review;
            check.found = None;
            check.message = "A vision model's transcription does not show type weight: please check by eye that \
                 \"GOVERNMENT WARNING\" is in bold type and the rest of the warning is not."
                .into();
        }
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
