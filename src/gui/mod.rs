//! The desktop app (eframe/egui): batches of label images verified on worker threads, each
//! label's evidence on its image, the application data editable per label, the reviewer's
//! decisions, and exports. Labels, results, edits and decisions are saved in the data directory
//! and come back after a restart; settings are saved through eframe.
//!
//! Verification runs on the worker pool; the UI thread only drains its events once per frame,
//! so no frame waits on decoding or OCR.
//!
//! - `app`: the state, the commands and the panels.
//! - `evidence`: the zoomable image with the checks' boxes, and the warning word by word.
//! - `form`: the application data form.
//! - `store`: the data directory: saved labels, previews and thumbnails, their threads.
//! - `export`: CSV, JSON and printable HTML.
//! - `ollama`: the Ollama panel (address, model, fallback, readiness).
//! - `health`: the server's `/health` for the status bar; `token`: the server token (keyring or file).

mod app;
mod evidence;
pub mod export;
mod form;
pub mod health;
mod ollama;
mod store;
mod token;

pub use app::{ApplicationSource, Decision, HeldMemory, Label, LabelState, Settings, Theme, VerifierApp};

use std::path::PathBuf;

/// The window icon, drawn by `scripts/make_icon.sh`.
const ICON_PNG: &[u8] = include_bytes!("../../assets/icon.png");

/// The window icon as egui takes it.
pub fn window_icon() -> Option<egui::IconData> {
    eframe::icon_data::from_png_bytes(ICON_PNG).ok()
}

/// Opens the window, with `images` queued. Labels are kept in the user's data directory.
pub fn run(images: Vec<PathBuf>) -> Result<(), eframe::Error> {
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("TTB Label Verifier")
        .with_inner_size([1400.0, 880.0])
        .with_min_inner_size([900.0, 560.0])
        .with_drag_and_drop(true);
    if let Some(icon) = window_icon() {
        viewport = viewport.with_icon(icon);
    }
    let options = eframe::NativeOptions { viewport, ..Default::default() };
    eframe::run_native(
        "ttb-verifier",
        options,
        Box::new(move |cc| {
            let settings: Settings = cc.storage.and_then(|s| eframe::get_value(s, eframe::APP_KEY)).unwrap_or_default();
            let mut app = match store::DataDir::user_default() {
                Some(dir) => VerifierApp::with_data_dir(settings, dir),
                None => VerifierApp::new(settings),
            };
            app.add_paths(images);
            Ok(Box::new(app))
        }),
    )
}

impl eframe::App for VerifierApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.root_ui(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.settings);
        if let Err(e) = self.save_now() {
            tracing::warn!("{e}");
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn window_icon_decodes() {
        let icon = super::window_icon().expect("assets/icon.png decodes");
        assert_eq!((icon.width, icon.height), (256, 256));
        assert_eq!(icon.rgba.len(), 256 * 256 * 4);
    }
}
