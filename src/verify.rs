//! One label from image to report: decode, prepare, OCR, check, assemble.
//!
//! [`read`] is where the pure core meets an engine. It prepares the image (see
//! [`crate::ocr::prepare`]), reads it, and reads again where the first read is doubtful, always
//! through the engine it is given:
//! - the other way up, when the photo was sideways (text lines alone cannot tell 90 from 270
//!   degrees) or the upright read is mostly illegible (an upside-down photo), and then, while
//!   still illegible, turned a quarter the other way both ways up (the lines' direction was
//!   misjudged); the read with the most confidently read letters wins;
//! - the government warning's region at a larger scale, when its checks are uncertain (OCR noise
//!   in the wording, an unclear header, a type weight that could not be judged); the read whose
//!   warning checks come out better wins, and its words replace the first read's there.
//!
//! An engine that only transcribes the text (a vision model) reads once, the stored image as it
//! is; its words' boxes are made up, so no type weight or image quality is measured under them
//! and its report shows no boxes.
//!
//! It then makes the warning's checks (they need pixels, for the type weight, and do not depend
//! on the application) and measures the image's quality, so the [`Reading`] it returns holds no
//! pixels. [`assess`] is pure: the checks on a reading and an application, re-run whenever the
//! application data is edited. Neither returns an `Err` for a bad label: an unreadable image
//! becomes a report with status `ERROR` and a message saying why.

use std::cmp::Reverse;
use std::path::Path;
use std::time::Instant;

use image::{DynamicImage, GrayImage, imageops::FilterType};

use crate::application::Application;
use crate::ocr::prepare::{self, Affine, DecodeLimits, Preparation};
use crate::ocr::{BBox, OcrEngine, OcrError, OcrPage, OcrWord};
use crate::quality::{self, QualityFlag, QualityKind};
use crate::report::{Outcome, Report, Status, ValidationLevel};
use crate::rules;
use crate::rules::warning::{self, Obscured, WarningResult};

/// A label to verify: its name in reports, and its application data if any.
#[derive(Debug, Clone)]
pub struct LabelInput<'a> {
    pub file: &'a str,
    pub application: Option<&'a Application>,
}

/// What reading one image gave, kept so that edited application data can be re-checked without
/// a new OCR run. Holds no pixels: a few kilobytes per label.
#[derive(Debug, Clone)]
pub struct Reading {
    pub backend: &'static str,
    /// The words, in pixels of the prepared image.
    pub page: OcrPage,
    /// The government warning's checks, in pixels of the prepared image.
    pub warning: WarningResult,
    /// Image-quality problems found, in pixels of the prepared image.
    pub quality: Vec<QualityFlag>,
    /// How the image was prepared, to map boxes back to the stored image.
    pub preparation: Preparation,
    /// Size of the stored image (after EXIF orientation).
    pub image_size: [u32; 2],
    pub ocr_seconds: f64,
    /// OCR passes made: 1 for a clean upright label, more for the re-reads above.
    pub passes: u32,
    /// Whether the engine measured its words' boxes (Tesseract) or only transcribed the text (a
    /// vision model): see [`OcrEngine::measures_boxes`].
    pub measured_boxes: bool,
}

impl Reading {
    /// About how many bytes the reading holds (its words, warning checks and quality flags).
    pub fn approximate_bytes(&self) -> usize {
        use std::mem::size_of;
        let words: usize = self.page.words.iter().map(|w| size_of::<OcrWord>() + w.text.len()).sum();
        let checks: usize = self
            .warning
            .checks
            .iter()
            .map(|c| {
                let text = [&c.expected, &c.found].iter().filter_map(|t| t.as_ref()).map(String::len).sum::<usize>();
                size_of::<crate::report::Check>() + c.message.len() + text + c.boxes.len() * size_of::<BBox>()
            })
            .sum();
        let flags: usize = self
            .quality
            .iter()
            .map(|f| size_of::<QualityFlag>() + f.message.len() + f.boxes.len() * size_of::<BBox>())
            .sum();
        size_of::<Self>() + words + checks + flags
    }
}

/// Prepares and reads a decoded image (see the module's notes).
pub fn read(engine: &mut dyn OcrEngine, image: &DynamicImage) -> Result<Reading, OcrError> {
    let started = Instant::now();
    let rereads = engine.affords_rereads();
    let measured_boxes = engine.measures_boxes();
    let prepared = prepare::prepare(image);
    let page = engine.recognize_label(image, &prepared)?;
    let mut passes = 1;
    let mut best = (prepared, page);
    // The other way up; then, if still illegible, the other axis both ways up (the direction of
    // the text lines was misjudged). The most legible read wins.
    if rereads && (best.0.how.sideways() || !legible(&best.1)) {
        let sideways = best.0.how.sideways();
        let turned = best.0.half_turned();
        keep_more_legible(engine, &mut best, turned, &mut passes)?;
        if !legible(&best.1) {
            let other = prepare::prepare_oriented(image, Some(!sideways));
            let other_turned = other.half_turned();
            keep_more_legible(engine, &mut best, other, &mut passes)?;
            if !legible(&best.1) {
                keep_more_legible(engine, &mut best, other_turned, &mut passes)?;
            }
        }
    }
    let (prepared, mut page) = best;
    let lines = page.lines();
    if !measured_boxes {
        // No pixels lie under a transcription's words.
        return Ok(Reading {
            backend: engine.name(),
            warning: warning::check_warning(&lines, None),
            page,
            quality: Vec::new(),
            preparation: prepared.how,
            image_size: [image.width(), image.height()],
            ocr_seconds: started.elapsed().as_secs_f64(),
            passes,
            measured_boxes,
        });
    }
    let mut warning = warning::check_warning(&lines, Some(&prepared.gray));
    // Where the image is unclear over the warning (glare, or all of it blurred, dark or tiny),
    // differences there may only be misread.
    let first_flags = quality::measure(&prepared.gray, prepared.scale(), &page, &warning);
    let obscured = quality::obscured(&first_flags, warning_lines(&warning));
    if !obscured.is_empty() {
        warning = warning::check_warning_with(&lines, Some(&prepared.gray), &obscured);
    }
    if rereads
        && uncertain(&warning)
        && let Some(region) = warning_region(&warning, &prepared.gray)
    {
        // Washed-out print reads better thresholded against its own surroundings.
        let glare = first_flags.iter().any(|f| f.kind == QualityKind::Glare);
        let (crop_page, crop_warning) = reread(engine, &prepared.gray, &region, glare, &obscured)?;
        passes += 1;
        if warning_key(&crop_warning) > warning_key(&warning) {
            page = merge_words(page, crop_page, region.core);
            warning = crop_warning;
        }
    }
    let quality = quality::measure(&prepared.gray, prepared.scale(), &page, &warning);
    Ok(Reading {
        backend: engine.name(),
        page,
        warning,
        quality,
        preparation: prepared.how,
        image_size: [image.width(), image.height()],
        ocr_seconds: started.elapsed().as_secs_f64(),
        passes,
        measured_boxes,
    })
}

/// Reads `candidate` and keeps it in `best` when it reads more legibly.
fn keep_more_legible(
    engine: &mut dyn OcrEngine,
    best: &mut (prepare::Prepared, OcrPage),
    candidate: prepare::Prepared,
    passes: &mut u32,
) -> Result<(), OcrError> {
    let page = engine.recognize(&candidate.gray)?;
    *passes += 1;
    if legibility(&page) > legibility(&best.1) {
        *best = (candidate, page);
    }
    Ok(())
}

/// Letters in words read with confidence: words of three letters or digits or more at
/// confidence 0.7 or more.
fn legibility(page: &OcrPage) -> usize {
    page.words
        .iter()
        .filter(|w| w.confidence >= 0.7)
        .map(|w| w.text.chars().filter(|c| c.is_alphanumeric()).count())
        .filter(|&n| n >= 3)
        .sum()
}

/// Whether a read looks like upright text: at least 40 confidently read letters, at least half
/// of all letters read. Upside-down text reads as short low-confidence fragments.
fn legible(page: &OcrPage) -> bool {
    let all: usize = page.words.iter().map(|w| w.text.chars().filter(|c| c.is_alphanumeric()).count()).sum();
    let good = legibility(page);
    good >= 40 && good * 2 >= all
}

/// The boxes of the warning's lines, none when it was not found.
fn warning_lines(result: &WarningResult) -> &[BBox] {
    match result.checks.first() {
        Some(c) if result.summary.present => &c.boxes,
        _ => &[],
    }
}

fn outcome_of(result: &WarningResult, field: &str) -> Option<Outcome> {
    result.checks.iter().find(|c| c.field == field).map(|c| c.outcome)
}

/// A warning that was found but whose wording, header or weight a better read could change.
fn uncertain(result: &WarningResult) -> bool {
    result.summary.present && result.doubtful
}

/// Orders two reads of the warning: found, then wording (pass over review over fail, then fewer
/// differing words), header and weight (pass over review over fail), then a weight that could
/// be measured, then confidence.
fn warning_key(result: &WarningResult) -> (bool, u8, Reverse<usize>, u8, u8, bool, i32) {
    let rank = |field| match outcome_of(result, field) {
        Some(Outcome::Pass) => 2,
        Some(Outcome::Review) => 1,
        _ => 0,
    };
    let bold = result.checks.iter().find(|c| c.field == warning::FIELD_BOLD);
    let confidence = result.checks.first().and_then(|c| c.confidence).unwrap_or(0.0);
    (
        result.summary.present,
        rank(warning::FIELD_TEXT),
        Reverse(result.differences),
        rank(warning::FIELD_HEADER),
        rank(warning::FIELD_BOLD),
        bold.is_some_and(|c| c.found.is_some()),
        (confidence * 1000.0) as i32,
    )
}

/// A part of the prepared image to read again, larger.
#[derive(Debug, Clone, Copy)]
struct Region {
    /// What is cropped: the warning with a margin.
    crop: BBox,
    /// The warning's lines: words there are replaced by the re-read's.
    core: BBox,
    /// How much the crop is enlarged.
    factor: f64,
}

/// Warning lines enlarged to about this many pixels tall read best.
const REREAD_LINE_HEIGHT: f64 = 52.0;
/// Grey levels under the neighbourhood's mean from which a pixel counts as ink, when thresholding
/// washed-out print: above JPEG noise, below faint strokes.
const ADAPTIVE_DELTA: i32 = 12;
/// The most pixels a re-read may cost (about a whole label's worth).
const REREAD_MAX_PIXELS: f64 = 1.6e6;

/// The warning's lines with a margin, and how much to enlarge them.
fn warning_region(result: &WarningResult, gray: &GrayImage) -> Option<Region> {
    let lines = &result.checks.first()?.boxes;
    let core = BBox::enclosing(lines)?;
    let mut heights: Vec<u32> = lines.iter().map(|b| b.h).collect();
    heights.sort_unstable();
    let line_h = f64::from(*heights.get(heights.len() / 2)?.max(&4));
    let (mx, my) = ((line_h * 1.5) as u32, (line_h * 0.8) as u32);
    let (w, h) = gray.dimensions();
    let x = core.x.saturating_sub(mx);
    let y = core.y.saturating_sub(my);
    let crop = BBox::new(x, y, (core.right() + mx).min(w) - x, (core.bottom() + my).min(h) - y);
    let area = f64::from(crop.w) * f64::from(crop.h);
    let factor = (REREAD_LINE_HEIGHT / line_h).clamp(1.25, 3.0).min((REREAD_MAX_PIXELS / area.max(1.0)).sqrt());
    (factor >= 1.1 && crop.w >= 8 && crop.h >= 8).then_some(Region { crop, core, factor })
}

/// Reads `region` of the prepared image again, enlarged (and, when `adaptive`, thresholded
/// against each pixel's surroundings), and checks the warning there; the type weight is measured
/// on the enlarged grey image. Words and boxes come back in pixels of the prepared image.
fn reread(
    engine: &mut dyn OcrEngine,
    gray: &GrayImage,
    region: &Region,
    adaptive: bool,
    obscured: &[Obscured],
) -> Result<(OcrPage, WarningResult), OcrError> {
    let c = region.crop;
    let crop = image::imageops::crop_imm(gray, c.x, c.y, c.w, c.h).to_image();
    let (nw, nh) = ((f64::from(c.w) * region.factor).round() as u32, (f64::from(c.h) * region.factor).round() as u32);
    let enlarged = image::imageops::resize(&crop, nw.max(1), nh.max(1), FilterType::CatmullRom);
    let mut page = if adaptive {
        let radius = ((REREAD_LINE_HEIGHT * 1.2) as u32).max(1);
        engine.recognize(&imageproc::contrast::adaptive_threshold(&enlarged, radius, ADAPTIVE_DELTA))?
    } else {
        engine.recognize(&enlarged)?
    };
    let into = Affine::translate(-f64::from(c.x), -f64::from(c.y)).then(Affine::scale(region.factor));
    let obscured: Vec<Obscured> =
        obscured.iter().map(|o| Obscured { bbox: into.map_box(o.bbox, [nw, nh]), ..o.clone() }).collect();
    let mut result = warning::check_warning_with(&page.lines(), Some(&enlarged), &obscured);
    let back = Affine::scale(1.0 / region.factor).then(Affine::translate(f64::from(c.x), f64::from(c.y)));
    let bounds = [gray.width(), gray.height()];
    for word in &mut page.words {
        word.bbox = back.map_box(word.bbox, bounds);
    }
    for check in &mut result.checks {
        for b in &mut check.boxes {
            *b = back.map_box(*b, bounds);
        }
    }
    page.width = gray.width();
    page.height = gray.height();
    Ok((page, result))
}

fn centre_in(b: &BBox, area: &BBox) -> bool {
    let (cx, cy) = (b.x + b.w / 2, b.y + b.h / 2);
    cx >= area.x && cx < area.right() && cy >= area.y && cy < area.bottom()
}

/// The first read's words with those inside `core` replaced by the re-read's there, in reading
/// order, the re-read's lines kept apart from the first read's.
fn merge_words(first: OcrPage, again: OcrPage, core: BBox) -> OcrPage {
    let next_line = first.words.iter().map(|w| w.line + 1).max().unwrap_or(0);
    let insert_at = first.words.iter().position(|w| centre_in(&w.bbox, &core)).unwrap_or(first.words.len());
    let replacement: Vec<OcrWord> = again
        .words
        .into_iter()
        .filter(|w| centre_in(&w.bbox, &core))
        .map(|w| OcrWord { line: next_line + w.line, ..w })
        .collect();
    let mut words: Vec<OcrWord> = Vec::with_capacity(first.words.len() + replacement.len());
    let mut inserted = false;
    for (i, w) in first.words.into_iter().enumerate() {
        if i == insert_at && !inserted {
            words.extend(replacement.iter().cloned());
            inserted = true;
        }
        if !centre_in(&w.bbox, &core) {
            words.push(w);
        }
    }
    if !inserted {
        words.extend(replacement);
    }
    OcrPage { words, width: first.width, height: first.height }
}

/// Runs the checks on a reading and assembles the report. Pure: no OCR, no I/O.
pub fn assess(reading: &Reading, input: &LabelInput<'_>) -> Report {
    let started = Instant::now();
    let empty = Application::default();
    let application = input.application.unwrap_or(&empty);
    let findings = rules::check_label(&reading.page, reading.warning.clone(), application);
    let mut checks = findings.checks;
    let mut warnings = findings.warnings;
    warnings.extend(quality::apply(&reading.quality, &mut checks));
    let to_stored = reading.preparation.to_stored;
    for check in &mut checks {
        for b in &mut check.boxes {
            *b = to_stored.map_box(*b, reading.image_size);
        }
    }
    if !reading.measured_boxes {
        from_transcription(&mut checks);
        warnings.push(TRANSCRIPTION_NOTE.into());
    }
    let image_quality: Vec<QualityFlag> = reading
        .quality
        .iter()
        .map(|f| QualityFlag {
            boxes: f.boxes.iter().map(|b| to_stored.map_box(*b, reading.image_size)).collect(),
            ..f.clone()
        })
        .collect();
    // A transcription is read from the image as stored, not as prepared.
    if reading.measured_boxes {
        warnings.extend(preparation_notes(&reading.preparation));
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
        image_quality,
    }
}

/// What the reviewer should know about how the image was prepared for reading.
fn preparation_notes(how: &Preparation) -> Vec<String> {
    let mut notes = Vec::new();
    if how.inverted {
        notes.push("Light text on a dark background: the image was inverted for reading.".into());
    }
    match how.quarter_turns {
        1 => notes.push("The image was stored sideways: it was turned a quarter turn clockwise for reading.".into()),
        2 => notes.push("The image was stored upside down: it was turned for reading.".into()),
        3 => notes
            .push("The image was stored sideways: it was turned a quarter turn counter-clockwise for reading.".into()),
        _ => {}
    }
    if how.skew_degrees.abs() >= 2.0 {
        let way = if how.skew_degrees > 0.0 { "clockwise" } else { "counter-clockwise" };
        notes.push(format!(
            "The label was tilted {:.1} degrees {way}: it was straightened for reading.",
            how.skew_degrees.abs()
        ));
    }
    notes
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

/// What a report read from a transcription says about its evidence.
pub const TRANSCRIPTION_NOTE: &str = "Read by a vision model, which transcribes the text without its position on \
     the label: no evidence boxes are shown, and whether the warning header is bold is left to the reviewer.";

/// Checks judged on a transcription: its boxes and confidences are made up, so they are dropped,
/// and the header's weight, which no transcription shows, is always for the reviewer to judge.
fn from_transcription(checks: &mut [crate::report::Check]) {
    for check in checks {
        check.boxes.clear();
        check.confidence = None;
        if check.field == warning::FIELD_BOLD {
            check.outcome = Outcome::Review;
            check.found = None;
            check.message = "A vision model's transcription does not show type weight: please check by eye that \
                 \"GOVERNMENT WARNING\" is in bold type and the rest of the warning is not."
                .into();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{GrayImage, Luma};

    /// An engine that reads a label only when the image's dark marker is in its top-left
    /// quarter (the image is upright), and low-confidence fragments otherwise.
    struct MarkerEngine {
        calls: u32,
        rereads: bool,
        /// Where the marker was in the last image read as upright.
        seen: Option<(f64, f64)>,
    }

    impl OcrEngine for MarkerEngine {
        fn name(&self) -> &'static str {
            "marker"
        }

        fn recognize(&mut self, image: &GrayImage) -> Result<OcrPage, OcrError> {
            self.calls += 1;
            let dark: Vec<(u32, u32)> =
                image.enumerate_pixels().filter(|(_, _, p)| p.0[0] < 100).map(|(x, y, _)| (x, y)).collect();
            let n = dark.len().max(1) as u64;
            let cx = dark.iter().map(|&(x, _)| u64::from(x)).sum::<u64>() / n;
            let cy = dark.iter().map(|&(_, y)| u64::from(y)).sum::<u64>() / n;
            if cx < u64::from(image.width() / 2) && cy < u64::from(image.height() / 2) {
                self.seen = Some((cx as f64, cy as f64));
                Ok(OcrPage::from_text("STONE'S THROW\nCabernet Sauvignon\n13.5% ALC./VOL.\n750 mL"))
            } else {
                let mut page = OcrPage::from_text("xq ,i Iv 7e oq");
                page.words.iter_mut().for_each(|w| w.confidence = 0.3);
                Ok(page)
            }
        }

        fn affords_rereads(&self) -> bool {
            self.rereads
        }
    }

    fn marked() -> GrayImage {
        let mut img = GrayImage::from_pixel(600, 800, Luma([255]));
        for y in 60..120 {
            for x in 60..120 {
                img.put_pixel(x, y, Luma([0]));
            }
        }
        img
    }

    /// Whatever way the image is stored, the read that comes out is the upright one, and the
    /// marker maps back to where it is in the stored image.
    #[test]
    fn every_way_up_is_tried_until_one_reads() {
        let upright = marked();
        let cases = [
            (upright.clone(), 0, 1),
            (image::imageops::rotate180(&upright), 2, 2),
            (image::imageops::rotate90(&upright), 3, 4),
            (image::imageops::rotate270(&upright), 1, 3),
        ];
        for (stored, turns, calls) in cases {
            let mut engine = MarkerEngine { calls: 0, rereads: true, seen: None };
            let reading = read(&mut engine, &DynamicImage::ImageLuma8(stored.clone())).unwrap();
            assert_eq!(reading.preparation.quarter_turns, turns, "{reading:?}");
            assert_eq!((engine.calls, reading.passes), (calls, calls));
            assert!(legible(&reading.page));
            // The marker's place on the upright image maps back onto the marker.
            let (x, y) = engine.seen.unwrap();
            let (sx, sy) = reading.preparation.to_stored.apply(x, y);
            assert_eq!(stored.get_pixel(sx as u32, sy as u32).0[0], 0, "turns {turns}: ({sx}, {sy})");
        }
        // An engine too slow for re-reads is asked once.
        let mut engine = MarkerEngine { calls: 0, rereads: false, seen: None };
        let reading = read(&mut engine, &DynamicImage::ImageLuma8(image::imageops::rotate90(&upright))).unwrap();
        assert_eq!((engine.calls, reading.passes), (1, 1));
    }

    #[test]
    fn merged_words_replace_the_region_in_reading_order() {
        let first = OcrPage::from_text("BRAND\nGOVERNMENT WARNlNG: (1)\n750 mL");
        let mut again = OcrPage::from_text("x\nGOVERNMENT WARNING: (1)");
        again.words.retain(|w| w.line == 1);
        let core = first.lines()[1].bbox().unwrap_or_default();
        let merged = merge_words(first, again, core);
        assert_eq!(merged.text(), "BRAND\nGOVERNMENT WARNING: (1)\n750 mL");
    }
}
