//! What the app keeps in its data directory: the labels (results, application data as edited,
//! decisions and notes) in `state.json`, and each label's downscaled preview and thumbnail in
//! `previews/`. Full-size images are never kept: the preview is made once, on the worker, from
//! the image it decoded for OCR, and read back from disk only for the label on screen.
//!
//! Disk work happens on two threads of its own ([`Writer`] for the state, [`Loader`] for
//! images), so no frame waits on it.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, Sender};
use std::thread::JoinHandle;

use image::{DynamicImage, RgbaImage};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::app::{ApplicationSource, Decision};
use crate::application::Application;
use crate::ocr::Backend;
use crate::ocr::prepare::{self, DecodeLimits};
use crate::report::Report;

/// Longest side of the preview kept per label: enough to read the warning, far less than a photo.
pub const PREVIEW_SIDE: u32 = 1400;
/// Longest side of a list thumbnail.
pub const THUMB_SIDE: u32 = 96;

/// Where the app keeps its files. A temporary one (for [`super::VerifierApp::new`]) is removed
/// when the app closes and nothing in it is read back.
#[derive(Debug)]
pub struct DataDir {
    root: PathBuf,
    persistent: bool,
    _temporary: Option<tempfile::TempDir>,
}

impl DataDir {
    /// The user's data directory for the app (`~/.local/share/ttb-verifier` on Linux).
    pub fn user_default() -> Option<PathBuf> {
        directories::ProjectDirs::from("gov", "TTB", "ttb-verifier").map(|d| d.data_dir().to_path_buf())
    }

    pub fn persistent(root: PathBuf) -> Self {
        Self { root, persistent: true, _temporary: None }
    }

    /// A folder used for this run only: nothing is saved in it or read back.
    pub fn scratch(root: PathBuf) -> Self {
        Self { root, persistent: false, _temporary: None }
    }

    pub fn temporary() -> std::io::Result<Self> {
        let dir = tempfile::Builder::new().prefix("ttb-verifier-").tempdir()?;
        Ok(Self { root: dir.path().to_path_buf(), persistent: false, _temporary: Some(dir) })
    }

    pub fn is_persistent(&self) -> bool {
        self.persistent
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn state_path(&self) -> PathBuf {
        self.root.join("state.json")
    }

    pub fn preview_path(&self, uid: u64) -> PathBuf {
        // A JPEG the app made, or a copy of a label image that needed no downscaling: read by
        // its bytes, not its name.
        self.root.join("previews").join(format!("{uid}.preview"))
    }

    pub fn thumb_path(&self, uid: u64) -> PathBuf {
        self.root.join("previews").join(format!("{uid}-thumb.png"))
    }
}

/// Everything saved about the labels.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SavedState {
    /// The next label id to hand out (ids name preview files, so they are never reused).
    pub next_uid: u64,
    pub labels: Vec<SavedLabel>,
}

/// One label as saved. A label without a report was not verified yet and is queued again.
#[derive(Debug, Serialize, Deserialize)]
pub struct SavedLabel {
    pub uid: u64,
    pub path: PathBuf,
    pub name: String,
    #[serde(default, serialize_with = "application_out", deserialize_with = "application_in")]
    pub application: Option<Application>,
    #[serde(default)]
    pub application_source: ApplicationSource,
    #[serde(default)]
    pub backend: Backend,
    #[serde(default)]
    pub server: Option<String>,
    #[serde(default)]
    pub report: Option<Report>,
    /// Taken off the queue by the reviewer; stays off after a restart.
    #[serde(default)]
    pub cancelled: bool,
    #[serde(default)]
    pub decision: Option<Decision>,
    #[serde(default)]
    pub note: String,
}

fn application_out<S: Serializer>(app: &Option<Application>, s: S) -> Result<S::Ok, S::Error> {
    app.serialize(s)
}

/// Saved application data goes back through the contract's parser, the one place that knows it.
fn application_in<'de, D: Deserializer<'de>>(de: D) -> Result<Option<Application>, D::Error> {
    match Option::<serde_json::Value>::deserialize(de)? {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(value) => Application::from_json(&value.to_string()).map(Some).map_err(serde::de::Error::custom),
    }
}

/// Reads the saved state. A missing file is an empty state; a damaged one is moved aside (never
/// deleted) and the message says where.
pub fn load_state(dir: &DataDir) -> (SavedState, Option<String>) {
    let path = dir.state_path();
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (SavedState::default(), None),
        Err(e) => return (SavedState::default(), Some(format!("Saved labels could not be read ({e})."))),
    };
    match serde_json::from_str(&text) {
        Ok(state) => (state, None),
        Err(e) => {
            let aside = path.with_extension("json.damaged");
            let moved = std::fs::rename(&path, &aside).is_ok();
            let kept = if moved { format!(" It was kept as {}.", aside.display()) } else { String::new() };
            (SavedState::default(), Some(format!("Saved labels could not be read ({e}).{kept}")))
        }
    }
}

/// Writes `text` to `path` through a temporary file, so a crash mid-write keeps the old state.
pub fn write_atomically(path: &Path, text: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

/// Writes the state on its own thread; the last text sent wins.
pub struct Writer {
    tx: Option<Sender<Vec<u8>>>,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    pub fn start(path: PathBuf, failed: Arc<dyn Fn(String) + Send + Sync>) -> Self {
        let (tx, rx) = mpsc::channel::<Vec<u8>>();
        let thread = std::thread::Builder::new()
            .name("state-writer".into())
            .spawn(move || {
                while let Ok(mut text) = rx.recv() {
                    // Only the newest state matters.
                    while let Ok(newer) = rx.try_recv() {
                        text = newer;
                    }
                    if let Err(e) = write_atomically(&path, &text) {
                        failed(format!("Could not save the labels to {}: {e}", path.display()));
                    }
                }
            })
            .ok();
        Self { tx: Some(tx), thread }
    }

    pub fn send(&self, text: Vec<u8>) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(text);
        }
    }

    /// Waits for writes in flight, so a final write made after this one is not overtaken.
    pub fn finish(&mut self) {
        self.tx = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.finish();
    }
}

/// The label image a preview was made from: its file, and its size as read (upright), when known.
pub struct Original<'a> {
    pub path: &'a Path,
    pub size: Option<[u32; 2]>,
}

/// Saves a preview and its thumbnail (PNG) into the data directory. A preview the size of the
/// image it was made from is that image, needing no downscaling: it is saved as a copy of the
/// label's file, much cheaper than encoding it again. Any other is encoded as JPEG.
pub fn save_preview(
    preview_path: &Path,
    thumb_path: &Path,
    preview: &RgbaImage,
    original: &Original<'_>,
    thumb: &RgbaImage,
) -> Result<(), String> {
    if let Some(dir) = preview_path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let unchanged = original.size == Some([preview.width(), preview.height()]);
    let bytes = match unchanged.then(|| std::fs::read(original.path)) {
        Some(Ok(bytes)) => bytes,
        // Gone or unreadable since it was read: the pixels are at hand.
        Some(Err(_)) | None => encode_jpeg(preview)?,
    };
    write_atomically(preview_path, &bytes).map_err(|e| format!("cannot save {}: {e}", preview_path.display()))?;
    let mut png = Vec::new();
    thumb
        .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| format!("cannot encode the thumbnail: {e}"))?;
    write_atomically(thumb_path, &png).map_err(|e| format!("cannot save {}: {e}", thumb_path.display()))
}

fn encode_jpeg(image: &RgbaImage) -> Result<Vec<u8>, String> {
    let mut jpeg = Vec::new();
    let rgb = DynamicImage::ImageRgba8(image.clone()).to_rgb8();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 80)
        .encode_image(&rgb)
        .map_err(|e| format!("cannot encode the preview: {e}"))?;
    Ok(jpeg)
}

/// Reads a saved preview by its bytes (JPEG, or the label's own format), turned upright as the
/// label was.
pub fn read_preview(preview_path: &Path) -> Option<DynamicImage> {
    prepare::load(preview_path, DecodeLimits::default()).ok()
}

/// A thumbnail of a preview, aspect ratio kept.
pub fn thumbnail_of(preview: &RgbaImage) -> RgbaImage {
    let (w, h) = (preview.width().max(1), preview.height().max(1));
    let scale = (f64::from(THUMB_SIDE) / f64::from(w.max(h))).min(1.0);
    let side = |v: u32| ((f64::from(v) * scale).round() as u32).max(1);
    image::imageops::thumbnail(preview, side(w), side(h))
}

/// An image for a texture: egui's own type, made off the UI thread.
pub fn color_image(image: &RgbaImage) -> egui::ColorImage {
    egui::ColorImage::from_rgba_unmultiplied([image.width() as usize, image.height() as usize], image.as_raw())
}

/// Reads a saved preview; without one (an older state, a remote label) it is made again from the
/// label's image and saved.
pub fn load_preview(preview_path: &Path, thumb_path: &Path, image_path: &Path) -> Result<RgbaImage, String> {
    if let Some(image) = read_preview(preview_path) {
        return Ok(image.to_rgba8());
    }
    let image = prepare::load(image_path, DecodeLimits::default()).map_err(|e| e.to_string())?;
    let original = Original { path: image_path, size: Some([image.width(), image.height()]) };
    let preview = crate::pool::downscaled(&image, PREVIEW_SIDE);
    drop(image);
    let thumb = thumbnail_of(&preview);
    if let Err(e) = save_preview(preview_path, thumb_path, &preview, &original, &thumb) {
        tracing::warn!("{e}");
    }
    Ok(preview)
}

/// Reads a saved thumbnail, or makes it from the preview.
pub fn load_thumb(preview_path: &Path, thumb_path: &Path, image_path: &Path) -> Option<RgbaImage> {
    if let Ok(image) = image::open(thumb_path) {
        return Some(image.to_rgba8());
    }
    load_preview(preview_path, thumb_path, image_path).ok().map(|p| thumbnail_of(&p))
}

/// Image work the UI asks for.
pub enum LoadRequest {
    Preview { uid: u64, preview: PathBuf, thumb: PathBuf, image: PathBuf },
    Thumb { uid: u64, preview: PathBuf, thumb: PathBuf, image: PathBuf },
}

/// What the loader sends back.
pub enum Loaded {
    Preview { uid: u64, image: Result<Arc<egui::ColorImage>, String> },
    Thumb { uid: u64, image: Option<Arc<egui::ColorImage>> },
}

/// Loads previews and thumbnails on its own thread.
pub struct Loader {
    tx: Option<Sender<LoadRequest>>,
    thread: Option<JoinHandle<()>>,
}

impl Loader {
    pub fn start(reply: impl Fn(Loaded) + Send + 'static) -> Self {
        let (tx, rx) = mpsc::channel::<LoadRequest>();
        let thread = std::thread::Builder::new()
            .name("image-loader".into())
            .spawn(move || {
                while let Ok(request) = rx.recv() {
                    let loaded = match request {
                        LoadRequest::Preview { uid, preview, thumb, image } => {
                            match load_preview(&preview, &thumb, &image) {
                                Ok(p) => Loaded::Preview { uid, image: Ok(Arc::new(color_image(&p))) },
                                Err(e) => Loaded::Preview { uid, image: Err(e) },
                            }
                        }
                        LoadRequest::Thumb { uid, preview, thumb, image } => Loaded::Thumb {
                            uid,
                            image: load_thumb(&preview, &thumb, &image).map(|t| Arc::new(color_image(&t))),
                        },
                    };
                    reply(loaded);
                }
            })
            .ok();
        Self { tx: Some(tx), thread }
    }

    pub fn request(&self, request: LoadRequest) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(request);
        }
    }
}

impl Drop for Loader {
    fn drop(&mut self) {
        self.tx = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_round_trips_and_damage_is_kept_aside() {
        let dir = DataDir::temporary().unwrap();
        let mut state = SavedState { next_uid: 3, labels: Vec::new() };
        state.labels.push(SavedLabel {
            uid: 2,
            path: "a.jpg".into(),
            name: "a.jpg".into(),
            application: Some(Application { abv: Some(13.5), brand_name: Some("X".into()), ..Default::default() }),
            application_source: ApplicationSource::Edited,
            backend: Backend::Tesseract,
            server: None,
            report: Some(Report::error("a.jpg", "tesseract", "x")),
            cancelled: false,
            decision: Some(Decision::Reject),
            note: "blurry".into(),
        });
        write_atomically(&dir.state_path(), &serde_json::to_vec(&state).unwrap()).unwrap();
        let (back, message) = load_state(&dir);
        assert!(message.is_none());
        assert_eq!(back.next_uid, 3);
        assert_eq!(back.labels[0].application.as_ref().and_then(|a| a.abv), Some(13.5));
        assert_eq!(back.labels[0].decision, Some(Decision::Reject));

        std::fs::write(dir.state_path(), b"{not json").unwrap();
        let (back, message) = load_state(&dir);
        assert!(back.labels.is_empty());
        assert!(message.unwrap().contains("damaged"));
        assert!(dir.state_path().with_extension("json.damaged").is_file());
    }

    #[test]
    fn thumbnails_keep_the_aspect_ratio() {
        let preview = RgbaImage::new(1000, 1400);
        let thumb = thumbnail_of(&preview);
        assert_eq!(thumb.height(), THUMB_SIDE);
        assert_eq!(thumb.width(), 69);
    }

    #[test]
    fn previews_that_fit_are_the_image_copied_and_larger_ones_are_downscaled() {
        let dir = DataDir::temporary().unwrap();
        let paint = |w, h| RgbaImage::from_fn(w, h, |x, y| image::Rgba([(x % 251) as u8, (y % 241) as u8, 90, 255]));

        // A PNG label that fits: its bytes are the preview, read back by content, not by name.
        let small = paint(300, 420);
        let label = dir.root().join("label.png");
        small.save(&label).unwrap();
        let (preview, thumb) = (dir.preview_path(1), dir.thumb_path(1));
        let original = Original { path: &label, size: Some([300, 420]) };
        save_preview(&preview, &thumb, &small, &original, &thumbnail_of(&small)).unwrap();
        assert_eq!(std::fs::read(&preview).unwrap(), std::fs::read(&label).unwrap());
        assert_eq!(load_preview(&preview, &thumb, &label).unwrap(), small, "read back pixel for pixel");

        // Its file gone before the preview is saved: the pixels are encoded instead.
        let gone = dir.root().join("gone.png");
        let original = Original { path: &gone, size: Some([300, 420]) };
        save_preview(&dir.preview_path(2), &dir.thumb_path(2), &small, &original, &small).unwrap();
        assert_eq!(read_preview(&dir.preview_path(2)).map(|p| (p.width(), p.height())), Some((300, 420)));

        // A large label without a saved preview: made again, downscaled, never enlarged.
        let large = paint(2000, 2800);
        let photo = dir.root().join("photo.jpg");
        DynamicImage::ImageRgba8(large).to_rgb8().save(&photo).unwrap();
        let made = load_preview(&dir.preview_path(3), &dir.thumb_path(3), &photo).unwrap();
        assert_eq!((made.width(), made.height()), (1000, PREVIEW_SIDE));
        assert!(std::fs::metadata(dir.preview_path(3)).unwrap().len() < std::fs::metadata(&photo).unwrap().len());
        let made = load_preview(&dir.preview_path(4), &dir.thumb_path(4), &label).unwrap();
        assert_eq!((made.width(), made.height()), (300, 420), "a small label is not enlarged");
    }
}
