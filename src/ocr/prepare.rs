//! Image loading and preparation before OCR: decoding with limits, EXIF orientation, scaling to a
//! size Tesseract reads well and fast, grayscale, inversion of light text on dark, turning
//! sideways photos so their lines run horizontally, and deskewing.
//!
//! Boxes found on the prepared image map back to the stored image with [`Prepared::to_stored`].

use std::io::Cursor;
use std::path::Path;

use image::{DynamicImage, GrayImage, ImageDecoder, ImageReader, Luma, imageops::FilterType};
use imageproc::geometric_transformations::{Border, Interpolation, Projection, warp_into};
use imageproc::region_labelling::{Connectivity, connected_components};

use super::BBox;

/// Limits that keep a hostile or careless upload from exhausting memory.
#[derive(Debug, Clone, Copy)]
pub struct DecodeLimits {
    /// Largest width or height accepted, in pixels.
    pub max_side: u32,
    /// Largest decoded size in bytes the decoder may allocate.
    pub max_alloc: u64,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        Self { max_side: 16_000, max_alloc: 512 * 1024 * 1024 }
    }
}

/// Why an image could not be used. Messages are for a reviewer.
#[derive(Debug, thiserror::Error)]
pub enum ImageLoadError {
    #[error("cannot read {0}: {1}")]
    Io(String, std::io::Error),
    #[error("this file is not an image in a format the verifier reads (JPEG, PNG, WebP, TIFF, BMP, GIF)")]
    NotAnImage,
    #[error("the image is too large to read safely ({0})")]
    TooLarge(String),
    #[error("the image file is damaged or incomplete: {0}")]
    Corrupt(String),
}

/// Decodes an image from its bytes, applies its EXIF orientation, and refuses images beyond
/// `limits` before allocating their pixels.
pub fn decode(bytes: &[u8], limits: DecodeLimits) -> Result<DynamicImage, ImageLoadError> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| ImageLoadError::Corrupt(e.to_string()))?;
    match reader.format() {
        None => return Err(ImageLoadError::NotAnImage),
        Some(image::ImageFormat::Jpeg) if !jpeg_is_complete(bytes) => {
            return Err(ImageLoadError::Corrupt(
                "the JPEG data ends before the image does (the file is cut short)".into(),
            ));
        }
        Some(_) => {}
    }
    let mut decoder = reader.into_decoder().map_err(classify)?;
    let (w, h) = decoder.dimensions();
    if w.max(h) > limits.max_side {
        return Err(ImageLoadError::TooLarge(format!("{w} x {h} pixels; the limit is {} on a side", limits.max_side)));
    }
    let mut image_limits = image::Limits::default();
    image_limits.max_alloc = Some(limits.max_alloc);
    image_limits.max_image_width = Some(limits.max_side);
    image_limits.max_image_height = Some(limits.max_side);
    decoder.set_limits(image_limits).map_err(classify)?;
    let orientation = decoder.orientation().ok();
    let mut image = DynamicImage::from_decoder(decoder).map_err(classify)?;
    if let Some(orientation) = orientation {
        image.apply_orientation(orientation);
    }
    Ok(image)
}

/// The JPEG decoder fills a cut-short file with gray and reports success; a reviewer must be
/// told instead. A complete file has an end-of-image marker after its last start-of-scan
/// marker (0xFF bytes inside scan data are always escaped, so neither marker appears there by
/// chance; an EXIF thumbnail's own markers come before the main image's scans).
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let last_scan = bytes.windows(2).rposition(|w| w == [0xFF, 0xDA]);
    let last_end = bytes.windows(2).rposition(|w| w == [0xFF, 0xD9]);
    matches!((last_scan, last_end), (Some(scan), Some(end)) if end > scan)
}

/// Reads and decodes an image file.
pub fn load(path: &Path, limits: DecodeLimits) -> Result<DynamicImage, ImageLoadError> {
    let bytes = std::fs::read(path).map_err(|e| ImageLoadError::Io(path.display().to_string(), e))?;
    decode(&bytes, limits)
}

fn classify(err: image::ImageError) -> ImageLoadError {
    match err {
        image::ImageError::Limits(e) => ImageLoadError::TooLarge(e.to_string()),
        image::ImageError::Unsupported(_) => ImageLoadError::NotAnImage,
        other => ImageLoadError::Corrupt(other.to_string()),
    }
}

/// An affine map of pixel coordinates: `x' = a x + b y + c`, `y' = d x + e y + f`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Affine {
    m: [f64; 6],
}

impl Affine {
    pub const IDENTITY: Affine = Affine { m: [1.0, 0.0, 0.0, 0.0, 1.0, 0.0] };

    pub fn scale(factor: f64) -> Affine {
        Affine { m: [factor, 0.0, 0.0, 0.0, factor, 0.0] }
    }

    pub fn translate(tx: f64, ty: f64) -> Affine {
        Affine { m: [1.0, 0.0, tx, 0.0, 1.0, ty] }
    }

    /// Rotation by `radians` about the origin, clockwise on screen (y grows downwards).
    pub fn rotate(radians: f64) -> Affine {
        let (s, c) = radians.sin_cos();
        Affine { m: [c, -s, 0.0, s, c, 0.0] }
    }

    /// This map followed by `next`.
    pub fn then(self, next: Affine) -> Affine {
        let [a, b, c, d, e, f] = self.m;
        let [p, q, r, s, t, u] = next.m;
        Affine { m: [p * a + q * d, p * b + q * e, p * c + q * f + r, s * a + t * d, s * b + t * e, s * c + t * f + u] }
    }

    /// The inverse map, `None` when the map squashes the plane.
    pub fn invert(self) -> Option<Affine> {
        let [a, b, c, d, e, f] = self.m;
        let det = a * e - b * d;
        if det.abs() < 1e-12 {
            return None;
        }
        let (ia, ib, id, ie) = (e / det, -b / det, -d / det, a / det);
        Some(Affine { m: [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)] })
    }

    pub fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        let [a, b, c, d, e, f] = self.m;
        (a * x + b * y + c, d * x + e * y + f)
    }

    /// How many target pixels one source pixel spans (the square root of the area ratio).
    pub fn linear_scale(&self) -> f64 {
        let [a, b, _, d, e, _] = self.m;
        (a * e - b * d).abs().sqrt()
    }

    /// The smallest axis-aligned box holding the mapped corners of `b`, clipped to an image of
    /// `bounds` (width, height).
    pub fn map_box(&self, b: BBox, bounds: [u32; 2]) -> BBox {
        let (x0, y0, x1, y1) = (f64::from(b.x), f64::from(b.y), f64::from(b.right()), f64::from(b.bottom()));
        let corners = [self.apply(x0, y0), self.apply(x1, y0), self.apply(x1, y1), self.apply(x0, y1)];
        let (mut lx, mut ly, mut hx, mut hy) = (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
        for (x, y) in corners {
            lx = lx.min(x);
            ly = ly.min(y);
            hx = hx.max(x);
            hy = hy.max(y);
        }
        let (w, h) = (f64::from(bounds[0].max(1)), f64::from(bounds[1].max(1)));
        let clip = |v: f64, max: f64| v.round().clamp(0.0, max) as u32;
        let (x, y) = (clip(lx, w - 1.0), clip(ly, h - 1.0));
        let (r, bt) = (clip(hx, w).max(x + 1), clip(hy, h).max(y + 1));
        BBox::new(x, y, r - x, bt - y)
    }

    /// As an imageproc projection (for warping pixels with the same map).
    fn projection(&self) -> Option<Projection> {
        let [a, b, c, d, e, f] = self.m.map(|v| v as f32);
        Projection::from_matrix([a, b, c, d, e, f, 0.0, 0.0, 1.0])
    }
}

/// How an image was prepared for OCR, without its pixels: enough to map boxes back to the stored
/// image and to tell a reviewer what was done.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Preparation {
    /// Maps pixels of the prepared image to pixels of the stored image (after EXIF orientation).
    pub to_stored: Affine,
    /// Whether the label was light text on dark and was inverted.
    pub inverted: bool,
    /// Clockwise quarter turns applied to make the text upright (0 to 3).
    pub quarter_turns: u8,
    /// Skew corrected, in degrees (the text lines sloped down to the right by this much).
    pub skew_degrees: f32,
}

impl Preparation {
    /// Stored pixels per prepared pixel (about 0.5 for an upscaled small photo, 2 for a
    /// downscaled large one).
    pub fn scale(&self) -> f64 {
        self.to_stored.linear_scale()
    }

    /// Whether the text lines stood vertically (the photo was sideways).
    pub fn sideways(&self) -> bool {
        self.quarter_turns % 2 == 1
    }
}

/// An image ready for OCR: grayscale, dark text on light, scaled to a size Tesseract reads
/// well, turned so its lines run horizontally and deskewed.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Dark text on a light background.
    pub gray: GrayImage,
    pub how: Preparation,
}

impl Prepared {
    /// Stored pixels per pixel of `gray`.
    pub fn scale(&self) -> f64 {
        self.how.scale()
    }

    /// The same image turned upside down.
    pub fn half_turned(&self) -> Prepared {
        let (w, h) = (f64::from(self.gray.width()), f64::from(self.gray.height()));
        let turn = Affine { m: [-1.0, 0.0, w, 0.0, -1.0, h] };
        Prepared {
            gray: image::imageops::rotate180(&self.gray),
            how: Preparation {
                to_stored: turn.then(self.how.to_stored),
                quarter_turns: (self.how.quarter_turns + 2) % 4,
                ..self.how
            },
        }
    }
}

/// Longest side OCR reads: larger photos are downscaled (Tesseract's cost grows with pixels).
const MAX_OCR_SIDE: u32 = 2400;
/// Shortest longest side: small images are upscaled so small print is tall enough to read.
const MIN_OCR_SIDE: u32 = 1200;
/// Skew below this (degrees) is left alone: resampling costs sharpness, and Tesseract copes.
const MIN_DESKEW_DEGREES: f32 = 0.4;

/// Grayscale, scaled to a size Tesseract reads well, inverted when the label is light on dark,
/// turned so its text lines run horizontally and deskewed. A sideways photo may come out upside
/// down (text lines alone cannot tell); [`Prepared::half_turned`] gives the other way up.
pub fn prepare(image: &DynamicImage) -> Prepared {
    prepare_oriented(image, None)
}

/// [`prepare`], with the text lines taken to run up and down the image (`Some(true)`) or across
/// it (`Some(false)`) instead of as measured: for trying the other way when a read is
/// illegible.
pub fn prepare_oriented(image: &DynamicImage, vertical: Option<bool>) -> Prepared {
    let (w, h) = (image.width().max(1), image.height().max(1));
    let longest = w.max(h);
    let factor = if longest > MAX_OCR_SIDE {
        f64::from(MAX_OCR_SIDE) / f64::from(longest)
    } else if longest < MIN_OCR_SIDE {
        (f64::from(MIN_OCR_SIDE) / f64::from(longest)).min(3.0)
    } else {
        1.0
    };
    let mut gray = if (factor - 1.0).abs() > f64::EPSILON {
        let nw = ((f64::from(w) * factor).round() as u32).max(1);
        let nh = ((f64::from(h) * factor).round() as u32).max(1);
        let filter = if factor < 1.0 { FilterType::Triangle } else { FilterType::CatmullRom };
        image::imageops::resize(&image.to_luma8(), nw, nh, filter)
    } else {
        image.to_luma8()
    };
    let mut from_stored = Affine::scale(f64::from(gray.width()) / f64::from(w));
    let inverted = is_light_on_dark(&gray);
    if inverted {
        image::imageops::invert(&mut gray);
    }
    let measured = text_layout(&gray);
    let layout = match vertical {
        Some(v) if v != measured.vertical => TextLayout {
            vertical: v,
            skew_degrees: measured.other_skew_degrees,
            other_skew_degrees: measured.skew_degrees,
        },
        _ => measured,
    };
    let quarter_turns = if layout.vertical { 1 } else { 0 };
    if layout.vertical {
        // Clockwise: (x, y) of a w x h image goes to (h - y, x).
        let hh = f64::from(gray.height());
        from_stored = from_stored.then(Affine { m: [0.0, -1.0, hh, 1.0, 0.0, 0.0] });
        gray = image::imageops::rotate90(&gray);
    }
    let mut skew_degrees = 0.0;
    if layout.skew_degrees.abs() >= MIN_DESKEW_DEGREES
        && let Some((deskewed, map)) = rotate_whole(&gray, -f64::from(layout.skew_degrees).to_radians())
    {
        gray = deskewed;
        from_stored = from_stored.then(map);
        skew_degrees = layout.skew_degrees;
    }
    let to_stored = from_stored.invert().unwrap_or(Affine::IDENTITY);
    Prepared { gray, how: Preparation { to_stored, inverted, quarter_turns, skew_degrees } }
}

/// Rotates `gray` by `radians` (clockwise on screen) onto a canvas large enough for all of it,
/// filled white; returns the image and the map from old pixels to new.
fn rotate_whole(gray: &GrayImage, radians: f64) -> Option<(GrayImage, Affine)> {
    let (w, h) = (f64::from(gray.width()), f64::from(gray.height()));
    let (s, c) = radians.sin_cos();
    let nw = (w * c.abs() + h * s.abs()).ceil();
    let nh = (w * s.abs() + h * c.abs()).ceil();
    let map =
        Affine::translate(-w / 2.0, -h / 2.0).then(Affine::rotate(radians)).then(Affine::translate(nw / 2.0, nh / 2.0));
    let projection = map.projection()?;
    let mut out = GrayImage::new(nw as u32, nh as u32);
    warp_into(gray, projection, Interpolation::Bilinear, Border::Constant(Luma([255])), &mut out);
    Some((out, map))
}

/// Which way the text lines of an image run, and how much they slope.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextLayout {
    /// The lines run up and down the image (it is stored sideways).
    pub vertical: bool,
    /// How far the lines slope from horizontal (from vertical when `vertical`), in degrees;
    /// positive is clockwise on screen.
    pub skew_degrees: f32,
    /// The best slope found for lines running the other way.
    pub other_skew_degrees: f32,
}

/// Longest side of the copy the layout is measured on.
const LAYOUT_SIDE: u32 = 640;
/// Letter-sized marks needed before their lines say anything.
const MIN_LETTERS: usize = 12;
/// Ink pixels the direction is measured on, at most.
const LAYOUT_POINTS: usize = 20_000;
/// Angles searched either side of horizontal and of vertical, in degrees.
const LAYOUT_RANGE: f32 = 15.0;

/// Estimates the text lines' direction from the letters' ink: on a small copy, binarised with
/// Otsu's threshold, the connected components of letter size (larger ones are frames, rules,
/// backdrops or pictures) are projected across every candidate direction; text lines give the
/// most sharply banded projection (the largest sum of squared bin counts) when projected across
/// their own direction.
pub fn text_layout(gray: &GrayImage) -> TextLayout {
    let level = TextLayout { vertical: false, skew_degrees: 0.0, other_skew_degrees: 0.0 };
    let (w, h) = gray.dimensions();
    if w < 8 || h < 8 {
        return level;
    }
    let factor = (f64::from(LAYOUT_SIDE) / f64::from(w.max(h))).min(1.0);
    let small = if factor < 1.0 {
        let nw = ((f64::from(w) * factor).round() as u32).max(1);
        let nh = ((f64::from(h) * factor).round() as u32).max(1);
        image::imageops::resize(gray, nw, nh, FilterType::Triangle)
    } else {
        gray.clone()
    };
    let (mut points, letters) = letter_pixels(&small);
    // A few marks (a logo, a stamp) say nothing about lines of text.
    if points.len() < 200 || letters < MIN_LETTERS {
        return level;
    }
    // Every k-th pixel is plenty for the profile, and keeps the search cheap on dense labels.
    let keep = points.len().div_ceil(LAYOUT_POINTS);
    if keep > 1 {
        points = points.into_iter().step_by(keep).collect();
    }
    // Within an axis the sharpest angle has the largest sum of squared bin counts; between the
    // axes that sum is weighed by the extent it spreads over (a uniform spread of the same
    // points over more bins sums to less).
    let sharpest = |from: f32, to: f32, step: f32| -> (f32, f64, f64) {
        let mut best = (from, f64::MIN, 1.0);
        let mut angle = from;
        while angle <= to + 1e-3 {
            let (score, extent) = banding(&points, angle);
            if score > best.1 {
                best = (angle, score, extent);
            }
            angle += step;
        }
        best
    };
    let refine = |(angle, _, _): (f32, f64, f64)| sharpest(angle - 0.5, angle + 0.5, 0.1);
    let across = refine(sharpest(-LAYOUT_RANGE, LAYOUT_RANGE, 0.5));
    let down = refine(sharpest(90.0 - LAYOUT_RANGE, 90.0 + LAYOUT_RANGE, 0.5));
    let (across_skew, down_skew) = (round_tenth(across.0), round_tenth(down.0 - 90.0));
    // Vertical lines only when clearly sharper: most labels are upright.
    if down.1 * down.2 > across.1 * across.2 * 1.15 {
        TextLayout { vertical: true, skew_degrees: down_skew, other_skew_degrees: across_skew }
    } else {
        TextLayout { vertical: false, skew_degrees: across_skew, other_skew_degrees: down_skew }
    }
}

fn round_tenth(v: f32) -> f32 {
    (v * 10.0).round() / 10.0
}

/// Pixels of letter-sized dark components (taller than 2 px, no taller than a tenth of the
/// image and no wider than a fifth), and how many such components there are.
fn letter_pixels(small: &GrayImage) -> (Vec<(f32, f32)>, usize) {
    let (w, h) = small.dimensions();
    let threshold = otsu_threshold(small);
    let ink = GrayImage::from_fn(w, h, |x, y| Luma([u8::from(small.get_pixel(x, y).0[0] <= threshold)]));
    let labels = connected_components(&ink, Connectivity::Eight, Luma([0u8]));
    // Per label: min x, min y, max x, max y, pixels.
    let mut extent: Vec<[u32; 5]> = Vec::new();
    for (x, y, p) in labels.enumerate_pixels() {
        let l = p.0[0] as usize;
        if l == 0 {
            continue;
        }
        if extent.len() <= l {
            extent.resize(l + 1, [u32::MAX, u32::MAX, 0, 0, 0]);
        }
        let e = &mut extent[l];
        e[0] = e[0].min(x);
        e[1] = e[1].min(y);
        e[2] = e[2].max(x);
        e[3] = e[3].max(y);
        e[4] += 1;
    }
    let letter = |e: &[u32; 5]| {
        let (cw, ch) = (e[2].saturating_sub(e[0]) + 1, e[3].saturating_sub(e[1]) + 1);
        e[4] >= 4 && cw.max(ch) >= 3 && ch <= h / 10 && cw <= w / 5 && ch <= w / 10 && cw <= h / 5
    };
    let keep: Vec<bool> = extent.iter().map(letter).collect();
    let points = labels
        .enumerate_pixels()
        .filter(|(_, _, p)| keep.get(p.0[0] as usize).copied().unwrap_or(false))
        .map(|(x, y, _)| (x as f32, y as f32))
        .collect();
    (points, keep.iter().filter(|&&k| k).count())
}

/// How sharply banded the points are across lines running at `degrees` (clockwise from
/// horizontal): the sum of squared counts of 1 px bins across the lines, over the squared number
/// of points; and how many bins the points spread over.
fn banding(points: &[(f32, f32)], degrees: f32) -> (f64, f64) {
    let (s, c) = degrees.to_radians().sin_cos();
    let offsets: Vec<i32> = points.iter().map(|&(x, y)| (-x * s + y * c).round() as i32).collect();
    let (Some(&lo), Some(&hi)) = (offsets.iter().min(), offsets.iter().max()) else { return (0.0, 1.0) };
    let mut bins = vec![0u64; (hi - lo + 1) as usize];
    for o in offsets {
        bins[(o - lo) as usize] += 1;
    }
    let n = points.len() as f64;
    let sum_sq: f64 = bins.iter().map(|&b| (b * b) as f64).sum();
    (sum_sq / (n * n), bins.len() as f64)
}

/// True when most of the image (the background) is darker than its text: the darker side of
/// the Otsu split covers most pixels.
fn is_light_on_dark(gray: &GrayImage) -> bool {
    let threshold = otsu_threshold(gray);
    let total = u64::from(gray.width()) * u64::from(gray.height());
    if total == 0 {
        return false;
    }
    let dark = gray.pixels().filter(|p| p.0[0] <= threshold).count() as u64;
    dark * 2 > total
}

/// Otsu's threshold over the whole image's histogram.
pub fn otsu_threshold(gray: &GrayImage) -> u8 {
    otsu_from_histogram(&histogram(gray.pixels().map(|p| p.0[0])))
}

/// A 256-bin histogram of gray values.
pub fn histogram(values: impl Iterator<Item = u8>) -> [u64; 256] {
    let mut hist = [0u64; 256];
    for v in values {
        hist[usize::from(v)] += 1;
    }
    hist
}

/// Otsu's threshold of a histogram: values at or below it are the dark class.
pub fn otsu_from_histogram(hist: &[u64; 256]) -> u8 {
    let total: u64 = hist.iter().sum();
    if total == 0 {
        return 127;
    }
    let sum_all: f64 = hist.iter().enumerate().map(|(i, &c)| i as f64 * c as f64).sum();
    let (mut weight_dark, mut sum_dark) = (0u64, 0f64);
    let (mut best, mut best_var) = (127u8, -1f64);
    for (t, &count) in hist.iter().enumerate() {
        weight_dark += count;
        if weight_dark == 0 {
            continue;
        }
        let weight_light = total - weight_dark;
        if weight_light == 0 {
            break;
        }
        sum_dark += t as f64 * count as f64;
        let mean_dark = sum_dark / weight_dark as f64;
        let mean_light = (sum_all - sum_dark) / weight_light as f64;
        let between = weight_dark as f64 * weight_light as f64 * (mean_dark - mean_light).powi(2);
        if between > best_var {
            best_var = between;
            best = t as u8;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageEncoder, Rgb, RgbImage};

    /// A page of text-like marks: lines of letter-sized dark blocks, plus a 60 px square marker
    /// at (450, 120), on white.
    fn page_of_lines(w: u32, h: u32) -> GrayImage {
        let mut img = GrayImage::from_pixel(w, h, Luma([255]));
        let mut y = 80;
        while y + 20 < h - 60 {
            let mut x = 60;
            let mut k = 0u32;
            while x + 14 < w - 60 {
                let (lw, lh) = (8 + (k * 7) % 6, 12 + (k * 5) % 5);
                if k % 6 != 5 {
                    for yy in y + 18 - lh..y + 18 {
                        for xx in x..x + lw {
                            img.put_pixel(xx, yy, Luma([20]));
                        }
                    }
                }
                x += lw + 4;
                k += 1;
            }
            y += 30;
        }
        for yy in 120..180 {
            for xx in 450..510 {
                img.put_pixel(xx, yy, Luma([0]));
            }
        }
        img
    }

    fn rotated(img: &GrayImage, degrees: f64) -> GrayImage {
        rotate_whole(img, degrees.to_radians()).map(|(i, _)| i).unwrap_or_else(|| img.clone())
    }

    /// The centre of the largest dark component (the marker).
    fn marker_centre(img: &GrayImage) -> (f64, f64) {
        let ink =
            GrayImage::from_fn(img.width(), img.height(), |x, y| Luma([u8::from(img.get_pixel(x, y).0[0] < 100)]));
        let labels = connected_components(&ink, Connectivity::Eight, Luma([0u8]));
        let mut sums: std::collections::HashMap<u32, (f64, f64, f64)> = Default::default();
        for (x, y, p) in labels.enumerate_pixels() {
            if p.0[0] != 0 {
                let e = sums.entry(p.0[0]).or_default();
                *e = (e.0 + f64::from(x), e.1 + f64::from(y), e.2 + 1.0);
            }
        }
        let (sx, sy, n) = sums.into_values().max_by(|a, b| a.2.total_cmp(&b.2)).unwrap();
        (sx / n, sy / n)
    }

    #[test]
    fn affine_maps_compose_and_invert() {
        let map = Affine::scale(2.0).then(Affine::rotate(0.3)).then(Affine::translate(5.0, -7.0));
        let back = map.invert().unwrap();
        for (x, y) in [(0.0, 0.0), (10.0, 3.0), (-4.0, 250.0)] {
            let (u, v) = map.apply(x, y);
            let (bx, by) = back.apply(u, v);
            assert!((bx - x).abs() < 1e-9 && (by - y).abs() < 1e-9, "({x}, {y}) came back as ({bx}, {by})");
        }
        assert!((map.linear_scale() - 2.0).abs() < 1e-9);
        // A quarter turn of a box keeps its size, swapped; boxes are clipped to the image.
        let turn = Affine::rotate(std::f64::consts::FRAC_PI_2).then(Affine::translate(100.0, 0.0));
        assert_eq!(turn.map_box(BBox::new(10, 20, 30, 5), [200, 200]), BBox::new(75, 10, 5, 30));
        assert_eq!(
            Affine::translate(-50.0, 0.0).map_box(BBox::new(10, 10, 100, 10), [40, 40]),
            BBox::new(0, 10, 40, 10)
        );
        assert!(Affine::scale(0.0).invert().is_none());
    }

    #[test]
    fn text_layout_finds_the_lines_direction_and_skew() {
        let page = page_of_lines(600, 800);
        for degrees in [0.0, 1.5, -3.0, 6.0, -8.0, 12.0] {
            let layout = text_layout(&rotated(&page, degrees));
            assert!(!layout.vertical, "{degrees}: {layout:?}");
            assert!((f64::from(layout.skew_degrees) - degrees).abs() <= 0.3, "{degrees}: {layout:?}");
        }
        for (img, name) in [(image::imageops::rotate90(&page), "90"), (image::imageops::rotate270(&page), "270")] {
            let layout = text_layout(&img);
            assert!(layout.vertical, "{name}: {layout:?}");
            assert!(layout.skew_degrees.abs() <= 0.3, "{name}: {layout:?}");
        }
        let sideways_and_tilted = rotated(&image::imageops::rotate90(&page), 4.0);
        let layout = text_layout(&sideways_and_tilted);
        assert!(layout.vertical && (layout.skew_degrees - 4.0).abs() <= 0.3, "{layout:?}");
        // Nothing to go by: level.
        assert_eq!(
            text_layout(&GrayImage::from_pixel(300, 300, Luma([255]))),
            TextLayout { vertical: false, skew_degrees: 0.0, other_skew_degrees: 0.0 }
        );
    }

    /// Preparation turns and straightens the image, and `to_stored` maps its pixels back to the
    /// stored image's: the marker is found where it is in the stored image.
    #[test]
    fn prepared_pixels_map_back_to_stored_pixels() {
        let page = page_of_lines(600, 800);
        for (stored, turned) in [
            (rotated(&page, 7.0), false),
            (image::imageops::rotate90(&page), true),
            (rotated(&image::imageops::rotate270(&page), -5.0), true),
            (image::imageops::resize(&page, 300, 400, FilterType::Triangle), false),
        ] {
            let want = marker_centre(&stored);
            let prepared = prepare(&DynamicImage::ImageLuma8(stored.clone()));
            assert_eq!(prepared.how.sideways(), turned);
            let layout = text_layout(&prepared.gray);
            assert!(!layout.vertical && layout.skew_degrees.abs() <= 0.3, "left at {layout:?}");
            let (px, py) = marker_centre(&prepared.gray);
            let (x, y) = prepared.how.to_stored.apply(px, py);
            assert!((x - want.0).abs() < 3.0 && (y - want.1).abs() < 3.0, "marker at ({x}, {y}), want {want:?}");
            // The other way up maps back just as well.
            let flipped = prepared.half_turned();
            let (fx, fy) = marker_centre(&flipped.gray);
            let (x, y) = flipped.how.to_stored.apply(fx, fy);
            assert!((x - want.0).abs() < 3.0 && (y - want.1).abs() < 3.0, "flipped marker at ({x}, {y})");
        }
    }

    fn png(image: &RgbImage) -> Vec<u8> {
        let mut out = Vec::new();
        image::codecs::png::PngEncoder::new(&mut out)
            .write_image(image.as_raw(), image.width(), image.height(), image::ExtendedColorType::Rgb8)
            .unwrap();
        out
    }

    #[test]
    fn decodes_and_rejects_bad_input() {
        let bytes = png(&RgbImage::from_pixel(40, 30, Rgb([255, 255, 255])));
        let image = decode(&bytes, DecodeLimits::default()).unwrap();
        assert_eq!((image.width(), image.height()), (40, 30));

        assert!(matches!(decode(b"%PDF-1.4 not an image", DecodeLimits::default()), Err(ImageLoadError::NotAnImage)));
        assert!(matches!(decode(&bytes[..bytes.len() / 2], DecodeLimits::default()), Err(ImageLoadError::Corrupt(_))));

        let mut jpeg = Vec::new();
        DynamicImage::ImageRgb8(RgbImage::from_pixel(64, 64, Rgb([200, 30, 30])))
            .write_to(&mut Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
            .unwrap();
        assert!(decode(&jpeg, DecodeLimits::default()).is_ok());
        let cut = &jpeg[..jpeg.len() * 2 / 3];
        assert!(matches!(decode(cut, DecodeLimits::default()), Err(ImageLoadError::Corrupt(_))));
        let small = DecodeLimits { max_side: 20, ..DecodeLimits::default() };
        assert!(matches!(decode(&bytes, small), Err(ImageLoadError::TooLarge(_))));
    }

    #[test]
    fn light_on_dark_is_inverted() {
        let mut dark = GrayImage::from_pixel(1200, 400, Luma([20]));
        for x in 100..300 {
            for y in 100..120 {
                dark.put_pixel(x, y, Luma([230]));
            }
        }
        let prepared = prepare(&DynamicImage::ImageLuma8(dark));
        assert!(prepared.how.inverted);
        assert!(prepared.gray.get_pixel(5, 5).0[0] > 200);
        assert!(prepared.gray.get_pixel(150, 110).0[0] < 50);

        let light = GrayImage::from_pixel(1200, 400, Luma([240]));
        assert!(!prepare(&DynamicImage::ImageLuma8(light)).how.inverted);
    }

    #[test]
    fn scale_maps_back_to_stored_pixels() {
        let big = DynamicImage::ImageLuma8(GrayImage::from_pixel(4800, 3000, Luma([255])));
        let prepared = prepare(&big);
        assert_eq!(prepared.gray.width(), 2400);
        assert!((prepared.scale() - 2.0).abs() < 1e-9);
        let small = DynamicImage::ImageLuma8(GrayImage::from_pixel(600, 400, Luma([255])));
        let prepared = prepare(&small);
        assert_eq!(prepared.gray.width(), 1200);
        assert!((prepared.scale() - 0.5).abs() < 1e-9);
    }

    #[test]
    fn otsu_splits_two_levels() {
        let mut hist = [0u64; 256];
        hist[30] = 100;
        hist[220] = 300;
        let t = otsu_from_histogram(&hist);
        assert!((30..220).contains(&t), "{t}");
    }
}
