//! Image-quality flags: blur, glare over the warning, too dark, too small.
//!
//! They are measured when a label is read ([`measure`], on the prepared image, with the words
//! and the warning found) and applied when it is assessed ([`apply`]): every flag becomes a note
//! in the report's `warnings` and `image_quality`; a severe one also turns the passes it
//! undermines into reviews, with a reason a reviewer can act on ("glare over the warning: retake
//! the photo"). A flag never touches a fail, so it can never turn a fail into a pass, and never
//! a review into a pass.
//!
//! Severe flags also mark the warning as unclear where they apply ([`obscured`]: under the glare,
//! or all of it when the photo is blurred, dark or tiny), so that a difference from the statute
//! read there is review rather than fail: OCR misreads unclear print, and a reviewer is better
//! served by "retake the photo" than by a wording failure that is not on the label.
//!
//! What each measures, on the prepared image (dark text on light):
//! - blur: the width of the words' edges (their ink-to-ground contrast over their steepest
//!   gradients, about 2.5 times the blur's sigma) beyond a sharp print's, relative to the words'
//!   height, both in pixels of the stored image;
//! - glare: stretches of the warning's lines whose contrast is under half the warning's usual
//!   contrast while their ground is as bright as elsewhere (washed out, not just light print);
//! - too dark: the label's ground (its bright side) stays dim, and its words' contrast is low;
//! - too small: the warning's lines are only a few pixels tall in the stored image.
//!
//! What the thresholds rest on: the generated samples (`test_samples/`, the hard tier's blur of
//! sigma 0.8 to 1.8 px, glare up to 93% wash-out, half resolution and brightness times 0.42):
//! only the glare over `label_hard_good_013`'s warning (35% of it washed out) is severe there;
//! the blurred, half-size and dim ones, all read correctly, get notes. Glare elsewhere on a
//! label is not measured: the checks there pass only when the expected value was read.

use image::GrayImage;
use serde::{Deserialize, Serialize};

use crate::ocr::{BBox, OcrPage};
use crate::report::{Check, Outcome};
use crate::rules::warning::{Obscured, WarningResult};

/// What is wrong with the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QualityKind {
    Blur,
    Glare,
    TooDark,
    TooSmall,
}

impl QualityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Blur => "blur",
            Self::Glare => "glare",
            Self::TooDark => "too_dark",
            Self::TooSmall => "too_small",
        }
    }
}

/// One flag: what, how bad, where (boxes in pixels of the prepared image until assessed), and
/// what a reviewer can do about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QualityFlag {
    pub kind: QualityKind,
    /// Severe enough that passes it undermines become reviews.
    pub severe: bool,
    /// For a reviewer, ending in what to do.
    pub message: String,
    /// Where on the image, when it is a part of it.
    #[serde(default)]
    pub boxes: Vec<BBox>,
    /// The figure measured (edge width per letter height, share washed out, ground level,
    /// line height in pixels), for the record.
    pub measure: f32,
}

/// Width of a sharp print's edges in the stored image (anti-aliasing and JPEG): 1.5-1.9 px on
/// the samples, upright or resampled by a rotation.
const SHARP_EDGE: f32 = 1.5;
/// Edges wider than a sharp print's by this share of the words' height: out of focus (a
/// reviewer retakes it). The samples blurred with sigma 1.2, 1.4 and 1.8 px measure 0.05, 0.06
/// and 0.09 and read correctly (sigma 0.8 stays under 0.04); sharp ones 0.00-0.02. Sample
/// `label_good_001` blurred with sigma 2.8 measures above this and misreads several words.
const BLUR_SEVERE: f32 = 0.12;
/// ... and by this share: soft, worth a note.
const BLUR_NOTE: f32 = 0.04;
/// A stretch of the warning under this share of its usual contrast, with a bright ground, is
/// washed out.
const GLARE_CONTRAST: f32 = 0.5;
/// Washed-out share of the warning from which its passes become reviews.
const GLARE_SEVERE: f32 = 0.08;
/// Ground (the bright side of the label) dimmer than this grey level: too dark.
const DARK_GROUND: u8 = 120;
/// Words' median contrast under this, with a dim ground: too dark to trust fine detail.
const DARK_SEVERE_CONTRAST: u8 = 45;
/// Warning lines shorter than this in the stored image (pixels): too small to judge.
const SMALL_SEVERE: f32 = 10.0;
const SMALL_NOTE: f32 = 13.0;
/// Words measured for blur and contrast, at most.
const SAMPLE_WORDS: usize = 60;

/// Measures the flags on the prepared image `gray` (dark text on light) whose words are `page`;
/// `scale` is stored pixels per prepared pixel.
pub fn measure(gray: &GrayImage, scale: f64, page: &OcrPage, warning: &WarningResult) -> Vec<QualityFlag> {
    let mut flags = Vec::new();
    let words: Vec<&crate::ocr::OcrWord> = page
        .words
        .iter()
        .filter(|w| w.confidence >= 0.5 && w.bbox.h >= 6 && w.text.chars().filter(|c| c.is_alphanumeric()).count() >= 3)
        .collect();
    let step = (words.len() / SAMPLE_WORDS).max(1);
    let stats: Vec<(WordStats, u32)> =
        words.iter().step_by(step).filter_map(|w| word_stats(gray, w.bbox).map(|s| (s, w.bbox.h))).collect();

    // Blur: edge width beyond a sharp print's, relative to the words' height, in stored pixels.
    let scale = scale as f32;
    let mut blur: Vec<f32> = stats
        .iter()
        .map(|(s, h)| (s.edge_width * scale - SHARP_EDGE).max(0.0) / (*h as f32 * scale).max(1.0))
        .collect();
    if blur.len() >= 5 {
        let b = median(&mut blur);
        if b >= BLUR_NOTE {
            let severe = b >= BLUR_SEVERE;
            flags.push(QualityFlag {
                kind: QualityKind::Blur,
                severe,
                message: if severe {
                    "The photo is out of focus: fine print such as the warning cannot be read reliably; retake it sharper."
                        .into()
                } else {
                    "The photo is a little soft (slightly out of focus).".into()
                },
                boxes: Vec::new(),
                measure: b,
            });
        }
    }

    // Too dark: the ground stays dim.
    let ground = bright_level(gray);
    let mut contrast: Vec<f32> = stats.iter().map(|(s, _)| f32::from(s.ground.saturating_sub(s.ink))).collect();
    if ground < DARK_GROUND {
        let c = if contrast.is_empty() { 0.0 } else { median(&mut contrast) };
        let severe = c < f32::from(DARK_SEVERE_CONTRAST);
        flags.push(QualityFlag {
            kind: QualityKind::TooDark,
            severe,
            message: if severe {
                "The photo is too dark to read fine print reliably: retake it in better light.".into()
            } else {
                "The photo is dark (it was read, but better light would help).".into()
            },
            boxes: Vec::new(),
            measure: f32::from(ground),
        });
    }

    // The warning: too small, glare.
    let lines = warning.checks.first().filter(|_| warning.summary.present).map(|c| c.boxes.as_slice()).unwrap_or(&[]);
    if !lines.is_empty() {
        let mut heights: Vec<f32> = lines.iter().map(|b| b.h as f32 * scale).collect();
        let h = median(&mut heights);
        if h < SMALL_NOTE {
            let severe = h < SMALL_SEVERE;
            flags.push(QualityFlag {
                kind: QualityKind::TooSmall,
                severe,
                message: format!(
                    "The warning's lines are only {h:.0} pixels tall in this image{}",
                    if severe {
                        ": too small to judge its wording and type weight; retake the photo closer or at a higher resolution."
                    } else {
                        " (small for reading)."
                    }
                ),
                boxes: lines.to_vec(),
                measure: h,
            });
        }
        if let Some(flag) = glare_over(gray, lines) {
            flags.push(flag);
        }
    }
    flags
}

/// Washed-out stretches of the warning's `lines` (boxes of its lines on the prepared image).
pub fn glare_over(gray: &GrayImage, lines: &[BBox]) -> Option<QualityFlag> {
    // Stretches two line heights wide along each line.
    let mut stretches: Vec<(BBox, u8, u8)> = Vec::new();
    for line in lines {
        let width = (line.h * 2).max(8);
        let mut x = line.x;
        while x < line.right() {
            let w = width.min(line.right() - x);
            if w >= line.h / 2 {
                let b = BBox::new(x, line.y, w, line.h);
                if let Some((ink, ground)) = levels(gray, b) {
                    stretches.push((b, ink, ground));
                }
            }
            x += width;
        }
    }
    if stretches.len() < 6 {
        return None;
    }
    let mut contrasts: Vec<f32> = stretches.iter().map(|(_, i, g)| f32::from(g.saturating_sub(*i))).collect();
    contrasts.sort_by(f32::total_cmp);
    let usual = contrasts[contrasts.len() * 4 / 5];
    let mut grounds: Vec<f32> = stretches.iter().map(|(_, _, g)| f32::from(*g)).collect();
    let usual_ground = median(&mut grounds);
    if usual < 40.0 {
        return None;
    }
    let washed: Vec<BBox> = stretches
        .iter()
        .filter(|(_, i, g)| {
            f32::from(g.saturating_sub(*i)) < usual * GLARE_CONTRAST && f32::from(*g) >= usual_ground - 8.0
        })
        .map(|(b, _, _)| *b)
        .collect();
    let share = washed.len() as f32 / stretches.len() as f32;
    if washed.len() < 2 || share < GLARE_SEVERE / 2.0 {
        return None;
    }
    let severe = share >= GLARE_SEVERE;
    Some(QualityFlag {
        kind: QualityKind::Glare,
        severe,
        message: format!(
            "Glare washes out about {:.0}% of the government warning{}",
            share * 100.0,
            if severe { ": retake the photo without the reflection." } else { "." }
        ),
        boxes: merge_boxes(&washed),
        measure: share,
    })
}

/// Neighbouring boxes of one line joined.
fn merge_boxes(boxes: &[BBox]) -> Vec<BBox> {
    let mut out: Vec<BBox> = Vec::new();
    for b in boxes {
        match out.last_mut() {
            Some(last) if last.y == b.y && last.right() >= b.x => *last = last.union(b),
            _ => out.push(*b),
        }
    }
    out
}

/// The parts of the warning (its `lines`' boxes) that severe flags leave unclear, for
/// [`crate::rules::warning::check_warning_with`]: under glare, where it is; out of focus, too dark
/// or too small, all of it.
pub fn obscured(flags: &[QualityFlag], lines: &[BBox]) -> Vec<Obscured> {
    let mut out = Vec::new();
    for flag in flags.iter().filter(|f| f.severe) {
        let cause = match flag.kind {
            QualityKind::Glare => {
                out.extend(flag.boxes.iter().map(|&bbox| Obscured { bbox, cause: "under glare".into() }));
                continue;
            }
            QualityKind::Blur => "out of focus",
            QualityKind::TooDark => "too dark in this photo",
            QualityKind::TooSmall => "too small in this photo",
        };
        out.extend(lines.iter().map(|&bbox| Obscured { bbox, cause: cause.into() }));
    }
    out
}

/// Applies the flags to the checks (see the module's notes); returns the notes for the report's
/// `warnings`.
pub fn apply(flags: &[QualityFlag], checks: &mut [Check]) -> Vec<String> {
    let mut notes = Vec::new();
    for flag in flags {
        notes.push(flag.message.clone());
        if !flag.severe {
            continue;
        }
        for check in checks.iter_mut().filter(|c| c.outcome == Outcome::Pass) {
            let affected = match flag.kind {
                // Fine detail: the warning's wording, header and weight.
                QualityKind::Blur | QualityKind::TooDark | QualityKind::TooSmall => {
                    check.field.starts_with("government_warning_")
                }
                QualityKind::Glare => {
                    check.field.starts_with("government_warning")
                        && check.boxes.iter().any(|b| flag.boxes.iter().any(|g| b.overlaps(g)))
                }
            };
            if affected {
                check.outcome = Outcome::Review;
                check.message = format!("{} Review needed: {}", sentence(&check.message), flag.message);
            }
        }
    }
    notes
}

fn sentence(text: &str) -> String {
    let t = text.trim_end();
    if t.ends_with(['.', '!', '?']) { t.to_string() } else { format!("{t}.") }
}

/// A word's ink and ground levels and the width of its edges.
#[derive(Debug, Clone, Copy)]
struct WordStats {
    ink: u8,
    ground: u8,
    /// Ink-to-ground contrast over the steepest gradients: about the edges' width in pixels.
    edge_width: f32,
}

/// The 5th and 90th percentile grey levels inside `b`.
fn levels(gray: &GrayImage, b: BBox) -> Option<(u8, u8)> {
    let (w, h) = gray.dimensions();
    if b.x >= w || b.y >= h {
        return None;
    }
    let (x1, y1) = (b.right().min(w), b.bottom().min(h));
    let mut v: Vec<u8> = Vec::with_capacity(((x1 - b.x) * (y1 - b.y)) as usize);
    for y in b.y..y1 {
        for x in b.x..x1 {
            v.push(gray.get_pixel(x, y).0[0]);
        }
    }
    if v.len() < 16 {
        return None;
    }
    v.sort_unstable();
    Some((v[v.len() / 20], v[v.len() * 9 / 10]))
}

fn word_stats(gray: &GrayImage, b: BBox) -> Option<WordStats> {
    let (ink, ground) = levels(gray, b)?;
    let contrast = f32::from(ground.saturating_sub(ink));
    if contrast < 20.0 {
        return None;
    }
    let (w, h) = gray.dimensions();
    let (x0, y0) = (b.x.max(1), b.y.max(1));
    let (x1, y1) = (b.right().min(w - 1), b.bottom().min(h - 1));
    let mut grads: Vec<f32> = Vec::new();
    for y in y0..y1 {
        for x in x0..x1 {
            let p = |dx: i32, dy: i32| f32::from(gray.get_pixel((x as i32 + dx) as u32, (y as i32 + dy) as u32).0[0]);
            let gx = (p(1, 0) - p(-1, 0)) / 2.0;
            let gy = (p(0, 1) - p(0, -1)) / 2.0;
            grads.push((gx * gx + gy * gy).sqrt());
        }
    }
    if grads.len() < 16 {
        return None;
    }
    grads.sort_by(f32::total_cmp);
    let steep = grads[grads.len() * 98 / 100].max(1.0);
    Some(WordStats { ink, ground, edge_width: contrast / steep })
}

/// The grey level of the label's bright side: the 90th percentile of a sparse sample.
fn bright_level(gray: &GrayImage) -> u8 {
    let mut v: Vec<u8> = gray.pixels().step_by(7).map(|p| p.0[0]).collect();
    if v.is_empty() {
        return 255;
    }
    v.sort_unstable();
    v[v.len() * 9 / 10]
}

fn median(v: &mut [f32]) -> f32 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f32::total_cmp);
    v[v.len() / 2]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::warning::bold::tests::{blur, canvas, draw_word};
    use crate::rules::warning::{self, statutory_text};

    /// The statutory warning wrapped at 50 characters, with every word drawn as block letters
    /// 20 px tall at the box `OcrPage::from_text` gives it.
    fn drawn_warning() -> (OcrPage, GrayImage) {
        let mut text = String::new();
        let mut line = String::new();
        for w in statutory_text().split_whitespace() {
            if !line.is_empty() && line.len() + w.len() > 50 {
                text.push_str(&line);
                text.push('\n');
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(w);
        }
        text.push_str(&line);
        let page = OcrPage::from_text(&text);
        let mut img = canvas(page.width, page.height + 20);
        for w in &page.words {
            draw_word(&mut img, w.bbox.x, w.bbox.y + 2, w.text.chars().count() as u32, 20, 2, 12);
        }
        (page, blur(&img))
    }

    fn flags_of(page: &OcrPage, img: &GrayImage, scale: f64) -> Vec<QualityFlag> {
        let result = warning::check_warning(&page.lines(), Some(img));
        measure(img, scale, page, &result)
    }

    fn kinds(flags: &[QualityFlag]) -> Vec<(QualityKind, bool)> {
        flags.iter().map(|f| (f.kind, f.severe)).collect()
    }

    #[test]
    fn a_clean_image_has_no_flags() {
        let (page, img) = drawn_warning();
        assert_eq!(kinds(&flags_of(&page, &img, 1.0)), []);
    }

    #[test]
    fn blur_is_flagged_by_edge_width() {
        let (page, img) = drawn_warning();
        let soft = imageproc::filter::gaussian_blur_f32(&img, 1.0);
        let flags = flags_of(&page, &soft, 1.0);
        assert_eq!(kinds(&flags), [(QualityKind::Blur, false)], "{flags:?}");
        let blurred = imageproc::filter::gaussian_blur_f32(&img, 3.0);
        let flags = flags_of(&page, &blurred, 1.0);
        assert_eq!(kinds(&flags), [(QualityKind::Blur, true)], "{flags:?}");
        assert!(flags[0].message.contains("retake"));
    }

    #[test]
    fn glare_over_the_warning_is_located() {
        let (page, mut img) = drawn_warning();
        // Wash out the middle of the warning's third and fourth lines towards white.
        let (x0, x1, y0, y1) = (150, 450, 70, 125);
        for y in y0..y1 {
            for x in x0..x1 {
                let v = img.get_pixel(x, y).0[0];
                img.put_pixel(x, y, image::Luma([v + ((255 - v) as f32 * 0.85) as u8]));
            }
        }
        let flags = flags_of(&page, &img, 1.0);
        let glare: Vec<&QualityFlag> = flags.iter().filter(|f| f.kind == QualityKind::Glare).collect();
        assert_eq!(glare.len(), 1, "{flags:?}");
        assert!(glare[0].severe && glare[0].message.contains("retake"), "{:?}", glare[0]);
        let area = BBox::new(x0, y0, x1 - x0, y1 - y0);
        assert!(glare[0].boxes.iter().all(|b| b.overlaps(&area)), "{:?}", glare[0].boxes);
    }

    #[test]
    fn dim_and_small_images_are_flagged() {
        let (page, img) = drawn_warning();
        let mut dim = img.clone();
        for p in dim.pixels_mut() {
            p.0[0] = (f32::from(p.0[0]) * 0.4) as u8;
        }
        let flags = flags_of(&page, &dim, 1.0);
        assert_eq!(kinds(&flags), [(QualityKind::TooDark, false)], "{flags:?}");
        let mut murky = img.clone();
        for p in murky.pixels_mut() {
            p.0[0] = 60 + (f32::from(p.0[0]) * 0.15) as u8;
        }
        assert_eq!(kinds(&flags_of(&page, &murky, 1.0)), [(QualityKind::TooDark, true)]);
        // The same page as if it had been upscaled from a photo a third of the size.
        let flags = flags_of(&page, &img, 0.35);
        assert_eq!(kinds(&flags), [(QualityKind::TooSmall, true)], "{flags:?}");
        assert_eq!(kinds(&flags_of(&page, &img, 0.5)), [(QualityKind::TooSmall, false)]);
    }

    fn check(field: &str, outcome: Outcome, b: BBox) -> Check {
        Check {
            field: field.into(),
            outcome,
            rule: String::new(),
            expected: None,
            found: None,
            message: "Checked".into(),
            confidence: None,
            boxes: vec![b],
        }
    }

    #[test]
    fn severe_flags_turn_passes_they_undermine_into_reviews_and_nothing_else() {
        let here = BBox::new(0, 100, 50, 20);
        let elsewhere = BBox::new(500, 500, 50, 20);
        let mut checks = vec![
            check("brand_name", Outcome::Pass, here),
            check("government_warning", Outcome::Pass, here),
            check("government_warning_text", Outcome::Pass, here),
            check("government_warning_bold", Outcome::Fail, here),
            check("government_warning_header", Outcome::Pass, elsewhere),
        ];
        let glare = QualityFlag {
            kind: QualityKind::Glare,
            severe: true,
            message: "Glare washes out the warning: retake the photo.".into(),
            boxes: vec![here],
            measure: 0.3,
        };
        let notes = apply(std::slice::from_ref(&glare), &mut checks);
        assert_eq!(notes, std::slice::from_ref(&glare.message));
        let outcomes: Vec<Outcome> = checks.iter().map(|c| c.outcome).collect();
        assert_eq!(outcomes, [Outcome::Pass, Outcome::Review, Outcome::Review, Outcome::Fail, Outcome::Pass]);
        assert_eq!(checks[2].message, "Checked. Review needed: Glare washes out the warning: retake the photo.");
        let blur = QualityFlag { kind: QualityKind::Blur, severe: true, boxes: vec![], ..glare.clone() };
        apply(&[blur], &mut checks);
        let outcomes: Vec<Outcome> = checks.iter().map(|c| c.outcome).collect();
        assert_eq!(outcomes, [Outcome::Pass, Outcome::Review, Outcome::Review, Outcome::Fail, Outcome::Review]);
        // A mild flag is a note only.
        let mut checks = vec![check("government_warning_text", Outcome::Pass, here)];
        let mild = QualityFlag { severe: false, ..glare };
        assert_eq!(apply(&[mild], &mut checks).len(), 1);
        assert_eq!(checks[0].outcome, Outcome::Pass);
    }
}
