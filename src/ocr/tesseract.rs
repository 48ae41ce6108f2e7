//! The Tesseract engine through `leptess`. One [`Tesseract`] per worker thread, created once and
//! reused: loading the model costs about 0.1 s, and the handle is not `Send`.
//!
//! Tesseract's own OpenMP threads over-subscribe a small machine; parallelism comes from one
//! engine per worker instead, so the process must start with `OMP_THREAD_LIMIT=1` (see `main`).

use std::ffi::CString;
use std::path::PathBuf;

use image::GrayImage;
use leptess::tesseract::TessApi;

use super::{BBox, OcrEngine, OcrError, OcrPage, OcrWord};

/// Page segmentation mode 3 (automatic): mode 6, the API's default, drops lines on labels.
const PAGE_SEGMENTATION: &str = "3";

pub struct Tesseract {
    api: TessApi,
}

impl std::fmt::Debug for Tesseract {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tesseract")
    }
}

/// Folders Tesseract looks in for `eng.traineddata`, for the error message when it is missing.
fn tessdata_candidates() -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(prefix) = std::env::var_os("TESSDATA_PREFIX") {
        out.push(PathBuf::from(prefix));
    }
    for dir in [
        "/usr/share/tesseract-ocr/5/tessdata",
        "/usr/share/tesseract-ocr/4.00/tessdata",
        "/usr/share/tessdata",
        "/usr/local/share/tessdata",
    ] {
        out.push(PathBuf::from(dir));
    }
    out
}

impl Tesseract {
    /// Starts an English engine from the default tessdata location (or `TESSDATA_PREFIX`).
    pub fn new() -> Result<Self, OcrError> {
        let mut api = TessApi::new(None, "eng").map_err(|_| {
            let looked: Vec<String> = tessdata_candidates().iter().map(|p| p.display().to_string()).collect();
            let found = tessdata_candidates().iter().any(|p| p.join("eng.traineddata").is_file());
            if found && std::env::var_os("TESSDATA_PREFIX").is_none() {
                OcrError::Engine("the English data exists but Tesseract would not load it".into())
            } else {
                OcrError::MissingLanguageData { where_: format!(" (looked in {})", looked.join(", ")) }
            }
        })?;
        set_variable(&mut api, "tessedit_pageseg_mode", PAGE_SEGMENTATION)?;
        // Tesseract's diagnostics ("Estimating resolution"...) would clutter the CLI's stderr.
        set_variable(&mut api, "debug_file", "/dev/null")?;
        Ok(Self { api })
    }
}

fn set_variable(api: &mut TessApi, name: &str, value: &str) -> Result<(), OcrError> {
    let (n, v) = (
        CString::new(name).map_err(|e| OcrError::Engine(e.to_string()))?,
        CString::new(value).map_err(|e| OcrError::Engine(e.to_string()))?,
    );
    api.raw.set_variable(&n, &v).map_err(|_| OcrError::Engine(format!("Tesseract refused the setting {name}={value}")))
}

impl OcrEngine for Tesseract {
    fn name(&self) -> &'static str {
        "tesseract"
    }

    fn recognize(&mut self, image: &GrayImage) -> Result<OcrPage, OcrError> {
        let (w, h) = image.dimensions();
        let width = i32::try_from(w).map_err(|_| OcrError::Recognition("image too wide".into()))?;
        let height = i32::try_from(h).map_err(|_| OcrError::Recognition("image too tall".into()))?;
        self.api
            .raw
            .set_image(image.as_raw(), width, height, 1, width)
            .map_err(|_| OcrError::Recognition("the image buffer does not match its size".into()))?;
        self.api.set_source_resolution(300);
        if self.api.recognize() != 0 {
            return Err(OcrError::Recognition("Tesseract could not recognise the image".into()));
        }
        let tsv = self.api.raw.get_tsv_text(0).map_err(|e| OcrError::Recognition(e.to_string()))?;
        let text = tsv.as_ref().to_string_lossy();
        Ok(OcrPage { words: parse_tsv(&text), width: w, height: h })
    }
}

/// Word rows (level 5) of Tesseract's TSV: `level page block par line word left top width
/// height conf text`. A line's identity is its (block, paragraph, line) triple.
pub fn parse_tsv(tsv: &str) -> Vec<OcrWord> {
    let mut words = Vec::new();
    let mut line_ids: Vec<(u32, u32, u32)> = Vec::new();
    for row in tsv.lines() {
        let cols: Vec<&str> = row.splitn(12, '\t').collect();
        if cols.len() < 12 || cols[0] != "5" {
            continue;
        }
        let num = |i: usize| cols[i].trim().parse::<u32>().ok();
        let (Some(block), Some(par), Some(line), Some(left), Some(top), Some(width), Some(height)) =
            (num(2), num(3), num(4), num(6), num(7), num(8), num(9))
        else {
            continue;
        };
        let text = cols[11].trim();
        if text.is_empty() {
            continue;
        }
        let confidence = cols[10].trim().parse::<f32>().unwrap_or(0.0).clamp(0.0, 100.0) / 100.0;
        let key = (block, par, line);
        let line_index = match line_ids.iter().position(|k| *k == key) {
            Some(i) => i,
            None => {
                line_ids.push(key);
                line_ids.len() - 1
            }
        };
        words.push(OcrWord {
            text: text.to_string(),
            confidence,
            bbox: BBox::new(left, top, width, height),
            line: line_index as u32,
        });
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_rows_become_words_on_lines() {
        let tsv = "5\t1\t1\t1\t1\t1\t10\t20\t30\t12\t96.5\tGOVERNMENT\n\
                   5\t1\t1\t1\t1\t2\t45\t20\t30\t12\t91\tWARNING:\n\
                   4\t1\t1\t1\t2\t0\t10\t40\t80\t12\t-1\t\n\
                   5\t1\t1\t1\t2\t1\t10\t40\t20\t12\t40\t(1)\n\
                   5\t1\t1\t1\t2\t2\t35\t40\t20\t12\t-1\t \n";
        let words = parse_tsv(tsv);
        assert_eq!(words.len(), 3);
        assert_eq!(words[0].bbox, BBox::new(10, 20, 30, 12));
        assert!((words[0].confidence - 0.965).abs() < 1e-6);
        assert_eq!(words[0].line, words[1].line);
        assert_ne!(words[1].line, words[2].line);
    }
}
