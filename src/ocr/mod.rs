//! The OCR seam: what any engine hands to the verification core (words with boxes and
//! confidences, grouped in lines), the [`OcrEngine`] trait the engines implement, and image
//! preparation before OCR.
//!
//! The types here carry no engine detail, so the core can be tested with words built by hand.
//! Two kinds of engine sit behind the trait: Tesseract measures where each word is and how sure
//! it is; a vision model (Ollama) transcribes the text without positions, so its page is lines of
//! words on a made-up grid and [`OcrEngine::measures_boxes`] says so.

pub mod prepare;
pub mod tesseract;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use image::DynamicImage;
use serde::{Deserialize, Serialize};

use crate::ollama::OllamaError;
use prepare::Prepared;

/// A box in pixels of the image as stored (after EXIF orientation): `[x, y, width, height]` on
/// the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(from = "[u32; 4]", into = "[u32; 4]")]
pub struct BBox {
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}

impl From<[u32; 4]> for BBox {
    fn from([x, y, w, h]: [u32; 4]) -> Self {
        Self { x, y, w, h }
    }
}

impl From<BBox> for [u32; 4] {
    fn from(b: BBox) -> Self {
        [b.x, b.y, b.w, b.h]
    }
}

impl BBox {
    pub fn new(x: u32, y: u32, w: u32, h: u32) -> Self {
        Self { x, y, w, h }
    }

    pub fn right(&self) -> u32 {
        self.x + self.w
    }

    pub fn bottom(&self) -> u32 {
        self.y + self.h
    }

    /// Whether the two boxes share any pixel.
    pub fn overlaps(&self, other: &BBox) -> bool {
        self.x < other.right() && other.x < self.right() && self.y < other.bottom() && other.y < self.bottom()
    }

    /// The smallest box holding both.
    pub fn union(&self, other: &BBox) -> BBox {
        let x = self.x.min(other.x);
        let y = self.y.min(other.y);
        BBox::new(x, y, self.right().max(other.right()) - x, self.bottom().max(other.bottom()) - y)
    }

    /// The smallest box holding all of `boxes`, or `None` for none.
    pub fn enclosing<'a>(boxes: impl IntoIterator<Item = &'a BBox>) -> Option<BBox> {
        boxes.into_iter().fold(None, |acc: Option<BBox>, b| Some(acc.map_or(*b, |a| a.union(b))))
    }

    /// The box scaled by `factor` (to map boxes from a resized image back to the stored one).
    pub fn scaled(&self, factor: f64) -> BBox {
        let s = |v: u32| (f64::from(v) * factor).round() as u32;
        BBox::new(s(self.x), s(self.y), s(self.w).max(1), s(self.h).max(1))
    }
}

/// One recognised word.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OcrWord {
    pub text: String,
    /// 0.0 to 1.0.
    pub confidence: f32,
    pub bbox: BBox,
    /// Index of the line the engine put this word on; words of one line share it.
    pub line: u32,
}

/// A line of words in reading order.
#[derive(Debug, Clone, PartialEq)]
pub struct OcrLine {
    pub words: Vec<OcrWord>,
}

impl OcrLine {
    /// The words joined by single spaces.
    pub fn text(&self) -> String {
        self.words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ")
    }

    pub fn bbox(&self) -> Option<BBox> {
        BBox::enclosing(self.words.iter().map(|w| &w.bbox))
    }

    /// The mean word confidence, 0.0 for an empty line.
    pub fn confidence(&self) -> f32 {
        if self.words.is_empty() {
            return 0.0;
        }
        self.words.iter().map(|w| w.confidence).sum::<f32>() / self.words.len() as f32
    }
}

/// Everything an engine read from one image.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OcrPage {
    pub words: Vec<OcrWord>,
    /// Size of the image the boxes refer to.
    pub width: u32,
    pub height: u32,
}

impl OcrPage {
    /// The words grouped by line, lines in the engine's reading order.
    pub fn lines(&self) -> Vec<OcrLine> {
        let mut lines: Vec<OcrLine> = Vec::new();
        let mut current: Option<u32> = None;
        for word in &self.words {
            if word.text.trim().is_empty() {
                continue;
            }
            if current != Some(word.line) || lines.is_empty() {
                lines.push(OcrLine { words: Vec::new() });
                current = Some(word.line);
            }
            if let Some(last) = lines.last_mut() {
                last.words.push(word.clone());
            }
        }
        lines
    }

    /// All the text, a line per line.
    pub fn text(&self) -> String {
        self.lines().iter().map(OcrLine::text).collect::<Vec<_>>().join("\n")
    }

    /// Builds a page from lines of text, each word given a box on a simple grid. For tests of the
    /// core without an engine.
    pub fn from_text(text: &str) -> Self {
        let mut words = Vec::new();
        for (line_no, line) in text.lines().enumerate() {
            let mut x = 10;
            let y = 10 + line_no as u32 * 30;
            for word in line.split_whitespace() {
                let w = 12 * word.chars().count() as u32;
                words.push(OcrWord {
                    text: word.to_string(),
                    confidence: 0.95,
                    bbox: BBox::new(x, y, w, 24),
                    line: line_no as u32,
                });
                x += w + 12;
            }
        }
        Self { words, width: 1000, height: 10 + 30 * text.lines().count() as u32 }
    }
}

/// Why OCR could not run. The messages are for a reviewer or an operator.
#[derive(Debug, thiserror::Error)]
pub enum OcrError {
    #[error(
        "Tesseract's English data (eng.traineddata) was not found{where_}. Install the package \
         tesseract-ocr-eng, or set TESSDATA_PREFIX to the folder that holds eng.traineddata."
    )]
    MissingLanguageData { where_: String },
    #[error("Tesseract could not start: {0}")]
    Engine(String),
    #[error("OCR failed: {0}")]
    Recognition(String),
    #[error(transparent)]
    Ollama(#[from] OllamaError),
}

/// What a label cancelled before it was read says in its report.
pub const CANCELLED: &str = "Cancelled before the label was read";

/// Asks a long recognition (a vision model's minute) to stop. Clones share one flag.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// Clears the flag before the next label.
    pub fn reset(&self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

/// An OCR engine. Implementations own their native handles, so they live on one thread.
pub trait OcrEngine {
    /// The backend's name as reports give it (`tesseract`, `ollama`).
    fn name(&self) -> &'static str;

    /// Reads the words of a prepared image.
    fn recognize(&mut self, image: &image::GrayImage) -> Result<OcrPage, OcrError>;

    /// Reads a decoded label: `original` as stored (after EXIF orientation), `prepared` as
    /// prepared for OCR. The default reads `prepared`, as Tesseract wants; a vision model reads
    /// the original, whose colours it uses.
    fn recognize_label(&mut self, original: &DynamicImage, prepared: &Prepared) -> Result<OcrPage, OcrError> {
        let _ = original;
        self.recognize(&prepared.gray)
    }

    /// Whether the page's boxes and confidences were measured on the image. A transcription's
    /// are made up: the checks then show no boxes and leave type weight to the reviewer.
    fn measures_boxes(&self) -> bool {
        true
    }

    /// Whether reading the same image again is affordable: the verifier re-reads a sideways
    /// photo the other way up and an uncertain warning at a larger scale. True for a fast local
    /// engine; an engine that takes most of a minute per image should say false.
    fn affords_rereads(&self) -> bool {
        true
    }
}

/// The OCR backends a reviewer can choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    #[default]
    Tesseract,
    Ollama,
}

impl Backend {
    pub const ALL: [Backend; 2] = [Backend::Tesseract, Backend::Ollama];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tesseract => "tesseract",
            Self::Ollama => "ollama",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.as_str().eq_ignore_ascii_case(name.trim()))
    }

    /// Starts an engine of this backend on the calling thread; Ollama's settings come from the
    /// environment (`OLLAMA_HOST`, `OLLAMA_MODEL`, `OLLAMA_TIMEOUT_SECONDS`).
    pub fn create_engine(self) -> Result<Box<dyn OcrEngine>, OcrError> {
        match self {
            Self::Tesseract => Ok(Box::new(tesseract::Tesseract::new()?)),
            Self::Ollama => {
                let config = crate::ollama::OllamaConfig::from_env().map_err(OllamaError::Setup)?;
                let shared = crate::ollama::SharedConfig::new(config);
                Ok(Box::new(crate::ollama::OllamaEngine::new(shared, Cancel::default())?))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bbox_wire_shape_is_an_array() {
        let b = BBox::new(1, 2, 3, 4);
        assert_eq!(serde_json::to_string(&b).unwrap(), "[1,2,3,4]");
        let back: BBox = serde_json::from_str("[1,2,3,4]").unwrap();
        assert_eq!(back, b);
    }

    #[test]
    fn union_and_scale() {
        let a = BBox::new(10, 10, 10, 10);
        let b = BBox::new(30, 5, 5, 5);
        assert_eq!(a.union(&b), BBox::new(10, 5, 25, 15));
        assert_eq!(BBox::enclosing([&a, &b]), Some(BBox::new(10, 5, 25, 15)));
        assert_eq!(a.scaled(2.0), BBox::new(20, 20, 20, 20));
        assert!(a.overlaps(&BBox::new(19, 19, 5, 5)) && !a.overlaps(&b) && !a.overlaps(&BBox::new(20, 10, 5, 5)));
    }

    #[test]
    fn lines_group_words() {
        let page = OcrPage::from_text("GOVERNMENT WARNING:\n(1) According to");
        let lines = page.lines();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].text(), "GOVERNMENT WARNING:");
        assert_eq!(lines[1].words.len(), 3);
        assert_eq!(page.text(), "GOVERNMENT WARNING:\n(1) According to");
    }
}
