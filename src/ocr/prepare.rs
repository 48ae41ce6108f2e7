//! Image loading and preparation before OCR: decoding with limits, EXIF orientation, scaling to a
//! size Tesseract reads well and fast, grayscale, and inversion of light text on dark.
//!
//! Boxes found on the prepared image map back to the stored image with [`Prepared::scale`].

use std::io::Cursor;
use std::path::Path;

use image::{DynamicImage, GrayImage, ImageDecoder, ImageReader, imageops::FilterType};

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

/// An image ready for OCR.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Dark text on a light background.
    pub gray: GrayImage,
    /// Pixels of the stored image per pixel of `gray`: multiply boxes by it to map them back.
    pub scale: f64,
    /// Whether the label was light text on dark and was inverted.
    pub inverted: bool,
}

/// Longest side OCR reads: larger photos are downscaled (Tesseract's cost grows with pixels).
const MAX_OCR_SIDE: u32 = 2400;
/// Shortest longest side: small images are upscaled so small print is tall enough to read.
const MIN_OCR_SIDE: u32 = 1200;

/// Grayscale, scaled to a size Tesseract reads well, inverted when the label is light on dark.
pub fn prepare(image: &DynamicImage) -> Prepared {
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
    let inverted = is_light_on_dark(&gray);
    if inverted {
        image::imageops::invert(&mut gray);
    }
    let scale = f64::from(w) / f64::from(gray.width().max(1));
    Prepared { gray, scale, inverted }
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
    use image::{ImageEncoder, Luma, Rgb, RgbImage};

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
        assert!(prepared.inverted);
        assert!(prepared.gray.get_pixel(5, 5).0[0] > 200);
        assert!(prepared.gray.get_pixel(150, 110).0[0] < 50);

        let light = GrayImage::from_pixel(1200, 400, Luma([240]));
        assert!(!prepare(&DynamicImage::ImageLuma8(light)).inverted);
    }

    #[test]
    fn scale_maps_back_to_stored_pixels() {
        let big = DynamicImage::ImageLuma8(GrayImage::from_pixel(4800, 3000, Luma([255])));
        let prepared = prepare(&big);
        assert_eq!(prepared.gray.width(), 2400);
        assert!((prepared.scale - 2.0).abs() < 1e-9);
        let small = DynamicImage::ImageLuma8(GrayImage::from_pixel(600, 400, Luma([255])));
        let prepared = prepare(&small);
        assert_eq!(prepared.gray.width(), 1200);
        assert!((prepared.scale - 0.5).abs() < 1e-9);
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
