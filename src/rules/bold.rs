//! Type weight measured from pixels, for 27 CFR 16.22(a)(2): "GOVERNMENT WARNING" in bold type,
//! the rest of the warning not bold. OCR engines do not report weight, so the stroke thickness of
//! the header's words is measured on the image and compared with the body's.
//!
//! # The measure ([`measure`], [`stroke_width`])
//! A word's box is cropped with one pixel of margin. The ground is the median grey of the light
//! side of the crop's Otsu split; solid ink is the crop's first percentile, or, when judging a
//! warning, the darkest such level among all the words measured (thin strokes softened by
//! anti-aliasing, blur or JPEG never reach solid ink themselves). Every pixel gets a darkness from
//! 0 (ground) to 1 (solid ink).
//!
//! Every ink pixel (darkness >= 1/4) then gets the shortest of its four runs: horizontal, vertical
//! and the two diagonals (counted sqrt 2 per step), each run's length being the summed darkness
//! along it plus the pixel either side. Across a vertical stem that is the stem's width, across a
//! bar the bar's height, across a 45 degree stroke its width, in between at most 1.08x. Summing
//! darkness instead of counting pixels keeps the width right when blur spreads a 2 px stroke over 4
//! grey pixels (blur moves ink, it does not add any). Taking the shortest run keeps the long runs
//! along the bars of E, T, H out (the capital header has many more of those than the lower-case
//! body), and the diagonals keep corners and junctions, where horizontal and vertical runs are both
//! long, near the stroke width. The word's stroke width is the mean of the pixels' values between
//! the 10th and 90th percentile; a mean, so that 1-2 px strokes still give fractional, comparable
//! values. A second width is measured the same way on the pixels at least half as dark as the
//! crop's own darkest, counted (the full width at half maximum): a lighter print cannot shrink
//! it the way it shrinks darkness, and blur can only widen thin strokes by it (which lowers the
//! ratio, the safe direction).
//!
//! # Header against body ([`judge_weight`])
//! The header's stroke width (its words', weighted by ink) over the body's (the median of up to
//! twelve body words near the header), for both widths; the smaller of the two ratios counts. It
//! is divided by how much taller the header's letters are than the body's capitals and ascenders
//! (never multiplied), so a header that is merely printed larger does not pass as bold: the body's
//! letter height comes from words with an ascender or capital and no descender ("the", "should"),
//! whose tallest letters stand about as tall as capitals of the same type.
//!
//! Ratio >= [`BOLD_MIN_RATIO`] passes, <= [`REGULAR_MAX_RATIO`] fails, in between is review;
//! anything that cannot be measured (no image, no header box, letters under
//! [`MIN_LETTER_HEIGHT`] px, too little ink or contrast, strokes under 1.5 px in both) is review,
//! never a silent pass.
//!
//! What the thresholds rest on: ImageMagick renders of the warning's first lines in DejaVu Sans
//! and Serif, Liberation Sans and Serif, FreeSans and FreeSerif at 11-26 px, PNG and JPEG quality
//! 55, some rotated 2.5 degrees, with Tesseract's word boxes; and the 26 generated `test_samples`.
//! A bold header measured 1.29-2.14 (samples 1.58-2.00), a regular one 0.80-1.11 (sample
//! `label_bad_006` 1.08; capitals' stems are a little heavier than lower case, hence not below
//! 1.0 by default), a regular header printed 1.5 times larger 1.05-1.14 after the size division.
//! At 11-14 px regular strokes are too thin to judge and some bold headers measure 1.16-1.19:
//! review.
//!
//! Ink colour: a body printed lighter than the header (grey under a black header) reads thinner by
//! darkness, not by the half-dark width; when the body's darkest print stays under half the
//! header's ink the verdict is review.

use image::GrayImage;

use crate::ocr::BBox;
use crate::ocr::prepare::{histogram, otsu_from_histogram};
use crate::report::Outcome;

/// Header strokes at least this many times the body's: the header is bold.
pub const BOLD_MIN_RATIO: f32 = 1.25;
/// Header strokes at most this many times the body's: the header is the body's weight.
pub const REGULAR_MAX_RATIO: f32 = 1.15;
/// Boxes less tall than this (pixels) are too small to measure.
pub const MIN_LETTER_HEIGHT: u32 = 8;
/// Fewer ink pixels than this in a word: nothing to measure.
const MIN_INK_PIXELS: usize = 24;
/// Below this grey-level spread the crop holds no legible ink.
const MIN_CONTRAST: u8 = 40;
/// Body words needed for a body stroke width.
const MIN_BODY_SAMPLES: usize = 2;
/// When both header and body strokes are thinner than this, pixels cannot tell weights apart.
const MIN_RESOLVABLE_STROKE: f32 = 1.5;
/// Body stroke over body cap height above this looks bold by itself (regular type is about
/// 0.12-0.14, bold about 0.2).
const BOLD_BODY_STROKE_PER_HEIGHT: f32 = 0.19;

/// What [`measure`] found in one word's box.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StrokeMeasure {
    /// Stroke width in pixels from the ink's darkness (see the module's notes).
    pub stroke: f32,
    /// Stroke width in pixels of the ink at least half dark (full width at half maximum).
    pub stroke_half: f32,
    /// Height of the word's tallest letters in pixels (see `letter_height`).
    pub ink_height: u32,
    /// Ink pixels in the crop.
    pub ink_pixels: usize,
    /// Grey level of solid ink in this crop (its first percentile).
    pub ink_level: u8,
    /// Darkness of that level, 0 (ground) to 1 (solid ink as given to [`measure`]).
    pub core: f32,
}

/// The stroke width in pixels of the dark text inside `bbox`, or `None` when the box is too small
/// (under [`MIN_LETTER_HEIGHT`] px tall), outside the image, without contrast or without enough
/// ink to measure.
pub fn stroke_width(image: &GrayImage, bbox: BBox) -> Option<f32> {
    measure(image, bbox, None).map(|m| m.stroke)
}

/// The pixels of `bbox` with one pixel of margin, row by row, and the crop's width and height.
fn crop(image: &GrayImage, bbox: BBox) -> Option<(Vec<u8>, usize, usize)> {
    if bbox.h < MIN_LETTER_HEIGHT || bbox.w < 3 {
        return None;
    }
    let (iw, ih) = image.dimensions();
    let x0 = bbox.x.saturating_sub(1).min(iw);
    let y0 = bbox.y.saturating_sub(1).min(ih);
    let x1 = bbox.right().saturating_add(1).min(iw);
    let y1 = bbox.bottom().saturating_add(1).min(ih);
    if x1 < x0 + 3 || y1 < y0 + MIN_LETTER_HEIGHT {
        return None;
    }
    let mut pixels = Vec::with_capacity(((x1 - x0) * (y1 - y0)) as usize);
    for y in y0..y1 {
        for x in x0..x1 {
            pixels.push(image.get_pixel(x, y).0[0]);
        }
    }
    Some((pixels, (x1 - x0) as usize, (y1 - y0) as usize))
}

/// The grey level of solid ink in `bbox`: the crop's first percentile.
pub fn ink_level(image: &GrayImage, bbox: BBox) -> Option<u8> {
    let (mut pixels, _, _) = crop(image, bbox)?;
    pixels.sort_unstable();
    pixels.get(pixels.len() / 100).copied()
}

/// [`stroke_width`] with more detail. `ink` is the grey level of solid ink when known from
/// elsewhere on the image (thin strokes, softened by anti-aliasing or blur, never reach it
/// themselves); `None` takes the crop's own darkest.
pub fn measure(image: &GrayImage, bbox: BBox, ink: Option<u8>) -> Option<StrokeMeasure> {
    let (pixels, w, h) = crop(image, bbox)?;
    let mut sorted = pixels.clone();
    sorted.sort_unstable();
    let local_ink = *sorted.get(sorted.len() / 100)?;
    let fg = ink.map_or(local_ink, |g| g.min(local_ink));
    // Ground: the median of the light side of Otsu's split.
    let threshold = otsu_from_histogram(&histogram(pixels.iter().copied()));
    let light: Vec<u8> = sorted.iter().copied().filter(|&v| v > threshold).collect();
    let bg = *light.get(light.len() / 2)?;
    if bg.saturating_sub(fg) < MIN_CONTRAST {
        return None;
    }
    let span = f32::from(bg - fg);
    let dark: Vec<f32> = pixels.iter().map(|&v| ((f32::from(bg) - f32::from(v)) / span).clamp(0.0, 1.0)).collect();
    // Ink at a quarter of solid darkness: where strokes are, for summing their darkness.
    let ink: Vec<bool> = dark.iter().map(|&d| d >= 0.25).collect();
    let ink_pixels = ink.iter().filter(|&&i| i).count();
    // Under 24 pixels there is no letter; over 60% of the box the "ink" is the ground (light
    // text on dark, or a box that missed its word).
    if ink_pixels < MIN_INK_PIXELS || ink_pixels * 10 > w * h * 6 {
        return None;
    }
    let stroke = shortest_runs(&dark, &ink, w, h)?;
    // Half of this crop's own darkest, not of the solid ink: a lighter print keeps its width.
    let core = ((f32::from(bg) - f32::from(local_ink)) / span).clamp(0.0, 1.0);
    let half: Vec<bool> = dark.iter().map(|&d| d > 0.0 && d >= core / 2.0).collect();
    let solid: Vec<f32> = half.iter().map(|&i| if i { 1.0 } else { 0.0 }).collect();
    let stroke_half = shortest_runs(&solid, &half, w, h).unwrap_or(0.0);
    let ink_height = letter_height(&half, w, h).or_else(|| letter_height(&ink, w, h))?;
    Some(StrokeMeasure { stroke, stroke_half, ink_height, ink_pixels, ink_level: local_ink, core })
}

/// For every ink pixel, the shortest of its four runs (horizontal, vertical, two diagonals, the
/// diagonals times sqrt 2), each run's length being the sum of `weight` over it and the pixel
/// either side; then the mean of those between the 10th and 90th percentile.
fn shortest_runs(weight: &[f32], ink: &[bool], w: usize, h: usize) -> Option<f32> {
    let across = runs(weight, ink, w, h, 1, 0);
    let down = runs(weight, ink, w, h, 0, 1);
    let diagonal = runs(weight, ink, w, h, 1, 1);
    let anti = runs(weight, ink, w, h, -1, 1);
    let mut values: Vec<f32> = (0..w * h)
        .filter(|&i| ink[i])
        .map(|i| across[i].min(down[i]).min(diagonal[i].min(anti[i]) * std::f32::consts::SQRT_2))
        .collect();
    values.sort_by(f32::total_cmp);
    let cut = values.len() / 10;
    let kept = values.get(cut..values.len() - cut)?;
    if kept.is_empty() {
        return None;
    }
    Some(kept.iter().sum::<f32>() / kept.len() as f32)
}

/// The height of the tallest letters. The crop is cut in slices as wide as it is tall (a letter or
/// two); in each, the band of consecutive inked rows holding most of the slice's ink is its
/// letters' height (ink of the lines above and below that a box may take in stays out); the
/// word's is the upper quartile of its slices' (the slices with ascenders or capitals rather than
/// x-height letters only). Slicing keeps a slightly rotated word's slope out of the height (a
/// whole word rotated 2.5 degrees would gain 4% of its length).
fn letter_height(ink: &[bool], w: usize, h: usize) -> Option<u32> {
    let slice = h.max(4);
    let mut heights: Vec<u32> = (0..w)
        .step_by(slice)
        .filter_map(|x0| {
            let x1 = (x0 + slice).min(w);
            let rows: Vec<usize> = (0..h).map(|y| (x0..x1).filter(|&x| ink[y * w + x]).count()).collect();
            // A slice needs some ink (about a stroke down its height) to say anything.
            if rows.iter().sum::<usize>() < h {
                return None;
            }
            // Bands of consecutive inked rows: (first row, rows, ink).
            let mut bands: Vec<(usize, usize, usize)> = Vec::new();
            for (y, &count) in rows.iter().enumerate() {
                if count == 0 {
                    continue;
                }
                match bands.last_mut() {
                    Some((start, len, sum)) if *start + *len == y => {
                        *len += 1;
                        *sum += count;
                    }
                    _ => bands.push((y, 1, count)),
                }
            }
            bands.iter().max_by_key(|b| b.2).map(|b| b.1 as u32)
        })
        .collect();
    heights.sort_unstable();
    heights.get((heights.len() * 3 / 4).min(heights.len().saturating_sub(1))).copied()
}

/// For every ink pixel, the summed `weight` of the ink run through it along direction
/// `(dx, dy)` (`(1, 0)`, `(0, 1)`, `(1, 1)` or `(-1, 1)`), plus the weight of the pixel just
/// before and just after the run (the soft edge of a stroke); zero for ground pixels. With
/// weights of 1 for ink and 0 for ground it is the run's length in pixels.
fn runs(weight: &[f32], ink: &[bool], w: usize, h: usize, dx: isize, dy: isize) -> Vec<f32> {
    let at = |x: isize, y: isize| -> Option<usize> {
        (x >= 0 && y >= 0 && (x as usize) < w && (y as usize) < h).then(|| y as usize * w + x as usize)
    };
    // Weight from the run's start (and the pixel before it) up to each pixel, then from the run's
    // end backwards.
    let mut behind = vec![0f32; w * h];
    for y in 0..h as isize {
        for x in 0..w as isize {
            if let Some(p) = at(x, y).filter(|&p| ink[p]) {
                let before = at(x - dx, y - dy).map_or(0.0, |q| if ink[q] { behind[q] } else { weight[q] });
                behind[p] = weight[p] + before;
            }
        }
    }
    let mut ahead = vec![0f32; w * h];
    for y in (0..h as isize).rev() {
        for x in (0..w as isize).rev() {
            if let Some(p) = at(x, y).filter(|&p| ink[p]) {
                let after = at(x + dx, y + dy).map_or(0.0, |q| if ink[q] { ahead[q] } else { weight[q] });
                ahead[p] = weight[p] + after;
            }
        }
    }
    (0..w * h).map(|p| if ink[p] { behind[p] + ahead[p] - weight[p] } else { 0.0 }).collect()
}

/// One word to measure: its box and its text as read (the text tells whether the word reaches
/// cap height: an ascender or capital and no descender).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeightSample<'a> {
    pub bbox: BBox,
    pub text: &'a str,
}

/// The verdict on the header's weight.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightVerdict {
    pub outcome: Outcome,
    /// For a reviewer.
    pub message: String,
    /// The measurements in short, for the check's `found`.
    pub found: Option<String>,
    /// Header stroke width over body stroke width (size-normalised when the sizes differ).
    pub ratio: Option<f32>,
    pub header_stroke: Option<f32>,
    pub body_stroke: Option<f32>,
}

impl WeightVerdict {
    fn unmeasurable(why: &str) -> Self {
        Self {
            outcome: Outcome::Review,
            message: format!("Could not measure type weight: {why}. Check by eye that \"GOVERNMENT WARNING\" is bold."),
            found: None,
            ratio: None,
            header_stroke: None,
            body_stroke: None,
        }
    }
}

/// The outcome for a header/body stroke ratio: pass at [`BOLD_MIN_RATIO`] or more, fail at
/// [`REGULAR_MAX_RATIO`] or less, review in between (and for a ratio that is not a number).
pub fn classify_ratio(ratio: f32) -> Outcome {
    if ratio >= BOLD_MIN_RATIO {
        Outcome::Pass
    } else if ratio <= REGULAR_MAX_RATIO {
        Outcome::Fail
    } else {
        Outcome::Review
    }
}

/// Whether the header words are bold against the body words, measured on `image`.
pub fn judge_weight(image: Option<&GrayImage>, header: &[WeightSample], body: &[WeightSample]) -> WeightVerdict {
    let Some(image) = image else {
        return WeightVerdict::unmeasurable("no image to measure");
    };
    if header.is_empty() {
        return WeightVerdict::unmeasurable("the header's words were not found");
    }
    // Solid ink: the darkest of the words' own ink levels (bold strokes reach it, thin ones may
    // not).
    let ink = header.iter().chain(body).filter_map(|s| ink_level(image, s.bbox)).min();
    let header_m: Vec<StrokeMeasure> = header.iter().filter_map(|s| measure(image, s.bbox, ink)).collect();
    let body_m: Vec<(StrokeMeasure, &str)> =
        body.iter().filter_map(|s| measure(image, s.bbox, ink).map(|m| (m, s.text))).collect();
    if header_m.is_empty() {
        return WeightVerdict::unmeasurable("the header's letters are too small, faint or unclear");
    }
    if body_m.len() < MIN_BODY_SAMPLES {
        return WeightVerdict::unmeasurable("too few of the body's words could be measured");
    }

    // Header: ink-weighted mean over its words (one or two). Body: median over its words.
    let weight: f32 = header_m.iter().map(|m| m.ink_pixels as f32).sum();
    let header_stroke = header_m.iter().map(|m| m.stroke * m.ink_pixels as f32).sum::<f32>() / weight;
    let header_half = header_m.iter().map(|m| m.stroke_half * m.ink_pixels as f32).sum::<f32>() / weight;
    let body_stroke = median(body_m.iter().map(|(m, _)| m.stroke).collect());
    let body_half = median(body_m.iter().map(|(m, _)| m.stroke_half).collect());
    let header_height = median(header_m.iter().map(|m| m.ink_height as f32).collect());
    let tall: Vec<f32> =
        body_m.iter().filter(|(_, t)| reaches_cap_height(t)).map(|(m, _)| m.ink_height as f32).collect();
    let body_height = if tall.is_empty() { None } else { Some(median(tall)) };

    if header_stroke < MIN_RESOLVABLE_STROKE && body_stroke < MIN_RESOLVABLE_STROKE {
        return WeightVerdict::unmeasurable(&format!(
            "the strokes are too thin to tell weights apart ({header_stroke:.1} px header, {body_stroke:.1} px body)"
        ));
    }
    // A body whose darkest print stays under half the header's ink is too light (or too fine) for
    // the half-dark width, and the darkness width alone would flatter the header.
    let body_core = median(body_m.iter().map(|(m, _)| m.core).collect());
    if body_core < 0.5 {
        return WeightVerdict::unmeasurable("the body's print is too light or too fine to compare with the header's");
    }
    if body_stroke <= 0.0 || body_half <= 0.0 {
        return WeightVerdict::unmeasurable("no body strokes found");
    }

    // Size: the header against the body's cap-height words; failing those, against the tallest
    // body word (ascenders plus descenders), which is taller than capitals of the same type.
    let size_ratio = match body_height {
        Some(b) => header_height / b,
        None => {
            let tallest = body_m.iter().map(|(m, _)| m.ink_height as f32).fold(0.0, f32::max);
            (header_height / tallest).max(1.0)
        }
    };
    // The smaller of the two measures' ratios, divided by how much taller the header's letters
    // are than the body's (never multiplied: a smaller header gains nothing).
    let by_darkness = header_stroke / body_stroke;
    let by_half = header_half / body_half;
    let divisor = size_ratio.max(1.0);
    let ratio = by_darkness.min(by_half) / divisor;
    let outcome = classify_ratio(ratio);

    let measured = format!(
        "header strokes {header_stroke:.1} px, body strokes {body_stroke:.1} px: ratio {ratio:.2} \
         (darkness {by_darkness:.2}, half-dark width {by_half:.2}; header letters {size_ratio:.2} times the body's height{})",
        if divisor > 1.0 { ", ratio divided by that" } else { "" }
    );
    let times = format!(
        "the header's strokes are {ratio:.2} times as thick as the body's{}",
        if divisor > 1.0 { " for their letter size" } else { "" }
    );
    let message = match outcome {
        Outcome::Pass => format!("\"GOVERNMENT WARNING\" is bold: {times}."),
        Outcome::Fail => {
            let body_bold = body_height.is_some_and(|b| body_stroke / b >= BOLD_BODY_STROKE_PER_HEIGHT);
            if body_bold {
                format!(
                    "The header does not appear bold against the body: {times}, and the body itself looks bold \
                     (the rest of the warning may not be bold)."
                )
            } else {
                format!("The header does not appear bold: {times}.")
            }
        }
        Outcome::Review => format!(
            "Could not tell whether the header is bold: {times} (bold is usually {BOLD_MIN_RATIO} or more). Check by eye."
        ),
    };
    WeightVerdict {
        outcome,
        message,
        found: Some(measured),
        ratio: Some(ratio),
        header_stroke: Some(header_stroke),
        body_stroke: Some(body_stroke),
    }
}

/// Whether a word's letters reach cap height and stay above the baseline: some ascender, capital
/// or digit, no descender and no comma or bracket.
fn reaches_cap_height(text: &str) -> bool {
    let tall = text.chars().any(|c| c.is_uppercase() || c.is_ascii_digit() || "bdfhklt".contains(c));
    let low = text.chars().any(|c| "gjpqyQ,;()[]{}".contains(c));
    tall && !low
}

fn median(mut v: Vec<f32>) -> f32 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f32::total_cmp);
    let n = v.len();
    if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use image::Luma;

    pub(crate) fn canvas(w: u32, h: u32) -> GrayImage {
        GrayImage::from_pixel(w, h, Luma([255]))
    }

    pub(crate) fn fill(img: &mut GrayImage, x: u32, y: u32, w: u32, h: u32, v: u8) {
        for yy in y..(y + h).min(img.height()) {
            for xx in x..(x + w).min(img.width()) {
                img.put_pixel(xx, yy, Luma([v]));
            }
        }
    }

    /// Draws `letters` block letters of `height` px with strokes `t` px thick from (x, y), each
    /// `advance` px wide: cycling through an E-like, an H-like, an O-like (a ring) and a steep
    /// diagonal (a V's arm), so horizontal, vertical and slanted strokes all appear.
    pub(crate) fn draw_word(img: &mut GrayImage, x: u32, y: u32, letters: u32, height: u32, t: u32, advance: u32) {
        draw_word_in(img, x, y, letters, height, t, advance, 0);
    }

    /// [`draw_word`] in the grey `ink`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn draw_word_in(
        img: &mut GrayImage,
        x: u32,
        y: u32,
        letters: u32,
        height: u32,
        t: u32,
        advance: u32,
        ink: u8,
    ) {
        let lw = advance.saturating_sub(t + 2).max(2 * t + 1);
        for k in 0..letters {
            let lx = x + k * advance;
            match k % 4 {
                0 => {
                    fill(img, lx, y, t, height, ink);
                    fill(img, lx, y, lw, t, ink);
                    fill(img, lx, y + (height - t) / 2, lw * 3 / 4, t, ink);
                    fill(img, lx, y + height - t, lw, t, ink);
                }
                1 => {
                    fill(img, lx, y, t, height, ink);
                    fill(img, lx + lw - t, y, t, height, ink);
                    fill(img, lx, y + (height - t) / 2, lw, t, ink);
                }
                2 => {
                    fill(img, lx, y, t, height, ink);
                    fill(img, lx + lw - t, y, t, height, ink);
                    fill(img, lx, y, lw, t, ink);
                    fill(img, lx, y + height - t, lw, t, ink);
                }
                _ => {
                    // Slope of one pixel across every three rows (about 72 degrees); each row's
                    // segment is the stroke's horizontal cross-section.
                    let across = (t as f32 / (72f32).to_radians().sin()).round() as u32;
                    for r in 0..height {
                        fill(img, lx + r / 3, y + r, across, 1, ink);
                    }
                }
            }
        }
    }

    /// Softens edges the way anti-aliasing and JPEG do: a 3x3 box blur.
    pub(crate) fn blur(img: &GrayImage) -> GrayImage {
        let (w, h) = img.dimensions();
        let mut out = img.clone();
        for y in 1..h.saturating_sub(1) {
            for x in 1..w.saturating_sub(1) {
                let mut s = 0u32;
                for dy in 0..3 {
                    for dx in 0..3 {
                        s += u32::from(img.get_pixel(x + dx - 1, y + dy - 1).0[0]);
                    }
                }
                out.put_pixel(x, y, Luma([(s / 9) as u8]));
            }
        }
        out
    }

    fn word_box(x: u32, y: u32, letters: u32, height: u32, advance: u32) -> BBox {
        BBox::new(x, y, letters * advance, height)
    }

    #[test]
    fn stroke_width_recovers_drawn_thickness() {
        for (t, height) in [(1u32, 12u32), (2, 16), (3, 20), (4, 20), (6, 36)] {
            let mut img = canvas(400, 60);
            draw_word(&mut img, 10, 10, 8, height, t, 8 + 3 * t);
            let sw = stroke_width(&img, word_box(10, 10, 8, height, 8 + 3 * t));
            let sw = sw.unwrap_or_else(|| panic!("no measure for t={t}"));
            assert!((sw - t as f32).abs() <= 0.35 * t as f32 + 0.2, "t={t} measured {sw}");
        }
    }

    #[test]
    fn thick_over_thin_ratio_is_kept_after_blur() {
        let mut img = canvas(600, 80);
        draw_word(&mut img, 10, 10, 8, 24, 4, 20);
        draw_word(&mut img, 10, 45, 8, 24, 2, 20);
        let img = blur(&img);
        let thick = stroke_width(&img, word_box(10, 10, 8, 24, 20)).unwrap_or(0.0);
        let thin = stroke_width(&img, word_box(10, 45, 8, 24, 20)).unwrap_or(f32::MAX);
        let ratio = thick / thin;
        assert!((1.6..=2.4).contains(&ratio), "thick {thick} thin {thin} ratio {ratio}");
    }

    #[test]
    fn unmeasurable_boxes_give_none() {
        let mut img = canvas(200, 60);
        draw_word(&mut img, 10, 10, 4, 20, 2, 10);
        // Too small, blank, outside the image, all ink.
        assert_eq!(stroke_width(&img, BBox::new(10, 10, 40, 6)), None);
        assert_eq!(stroke_width(&img, BBox::new(100, 40, 60, 15)), None);
        assert_eq!(stroke_width(&img, BBox::new(300, 300, 40, 20)), None);
        let black = GrayImage::from_pixel(50, 50, Luma([0]));
        assert_eq!(stroke_width(&black, BBox::new(5, 5, 30, 20)), None);
        let m = measure(&img, BBox::new(10, 10, 40, 20), None);
        assert!(m.is_some_and(|m| (19..=21).contains(&m.ink_height)), "{m:?}");
    }

    #[test]
    fn ratio_thresholds() {
        for (ratio, want) in [
            (1.6, Outcome::Pass),
            (1.25, Outcome::Pass),
            (1.2, Outcome::Review),
            (1.16, Outcome::Review),
            (1.15, Outcome::Fail),
            (1.1, Outcome::Fail),
            (0.9, Outcome::Fail),
            (f32::NAN, Outcome::Review),
        ] {
            assert_eq!(classify_ratio(ratio), want, "ratio {ratio}");
        }
    }

    /// Header words at (height, thickness) and body words at theirs, drawn side by side.
    fn verdict(header: (u32, u32), body: (u32, u32), blurred: bool) -> WeightVerdict {
        verdict_in(header, body, blurred, 0)
    }

    fn verdict_in(header: (u32, u32), body: (u32, u32), blurred: bool, body_ink: u8) -> WeightVerdict {
        let mut img = canvas(900, 200);
        let (hh, ht) = header;
        let (bh, bt) = body;
        let h_adv = 10 + 3 * ht;
        let b_adv = 10 + 3 * bt;
        draw_word(&mut img, 10, 10, 10, hh, ht, h_adv);
        draw_word(&mut img, 20 + 10 * h_adv, 10, 7, hh, ht, h_adv);
        let header_boxes = [word_box(10, 10, 10, hh, h_adv), word_box(20 + 10 * h_adv, 10, 7, hh, h_adv)];
        let mut body_boxes = Vec::new();
        for k in 0..5 {
            let x = 10 + k * (6 * b_adv + 10);
            draw_word_in(&mut img, x, 100, 5, bh, bt, b_adv, body_ink);
            body_boxes.push(word_box(x, 100, 5, bh, b_adv));
        }
        let img = if blurred { blur(&img) } else { img };
        let header: Vec<WeightSample> =
            header_boxes.iter().map(|&bbox| WeightSample { bbox, text: "GOVERNMENT" }).collect();
        let body: Vec<WeightSample> = body_boxes.iter().map(|&bbox| WeightSample { bbox, text: "should" }).collect();
        judge_weight(Some(&img), &header, &body)
    }

    #[test]
    fn bold_classification_on_synthetic_strokes() {
        // (header (height, stroke), body (height, stroke), blurred, outcome)
        let cases = [
            ((20, 4), (20, 2), false, Outcome::Pass),
            ((20, 4), (20, 2), true, Outcome::Pass),
            ((24, 5), (24, 3), false, Outcome::Pass),
            ((20, 2), (20, 2), false, Outcome::Fail),
            ((20, 3), (20, 3), true, Outcome::Fail),
            ((40, 6), (40, 5), false, Outcome::Review),
            // A larger header in regular weight is not bold: 2x size, 2x stroke.
            ((40, 4), (20, 2), false, Outcome::Fail),
            // A larger and bold header: 1.5x size, 3x stroke.
            ((30, 6), (20, 2), false, Outcome::Pass),
            // Everything too small to measure.
            ((7, 1), (7, 1), false, Outcome::Review),
            // Hairline strokes at both: too thin to judge.
            ((12, 1), (12, 1), false, Outcome::Review),
        ];
        for (header, body, blurred, want) in cases {
            let v = verdict(header, body, blurred);
            assert_eq!(v.outcome, want, "header {header:?} body {body:?} blurred {blurred}: {v:?}");
            if want == Outcome::Fail {
                assert!(v.message.contains("does not appear bold"), "{}", v.message);
            }
        }
    }

    #[test]
    fn lighter_body_ink_does_not_flatter_the_header() {
        // A regular header in black over a regular body in grey: never a pass.
        for (body_ink, want) in [
            (0, Outcome::Fail),
            (60, Outcome::Fail),
            (100, Outcome::Fail),
            (170, Outcome::Review),
            (200, Outcome::Review),
        ] {
            for blurred in [false, true] {
                let v = verdict_in((24, 3), (24, 3), blurred, body_ink);
                assert_eq!(v.outcome, want, "body ink {body_ink} blurred {blurred}: {v:?}");
            }
        }
        // A bold header over a grey body still passes while the grey is at least half dark.
        assert_eq!(verdict_in((24, 5), (24, 3), true, 100).outcome, Outcome::Pass);
    }

    #[test]
    fn nothing_to_measure_is_review_never_pass() {
        let header = [WeightSample { bbox: BBox::new(10, 10, 100, 20), text: "GOVERNMENT" }];
        let body = [WeightSample { bbox: BBox::new(10, 40, 100, 20), text: "the" }; 3];
        let v = judge_weight(None, &header, &body);
        assert_eq!(v.outcome, Outcome::Review);
        assert!(v.message.contains("Could not measure type weight"));
        let blank = canvas(300, 100);
        assert_eq!(judge_weight(Some(&blank), &header, &body).outcome, Outcome::Review);
        assert_eq!(judge_weight(Some(&blank), &[], &body).outcome, Outcome::Review);
    }
}
