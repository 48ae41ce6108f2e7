//! The desktop app (eframe/egui): drop or open label images, see each label's verdict and the
//! evidence for every check.
//!
//! Verification runs on the worker pool; the UI thread only drains its events once per frame,
//! so no frame waits on decoding or OCR.

mod app;
pub mod health;
mod ollama;
mod token;

pub use app::{LabelState, Settings, VerifierApp};

use std::path::PathBuf;

/// Opens the window, with `images` queued.
pub fn run(images: Vec<PathBuf>) -> Result<(), eframe::Error> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("TTB Label Verifier")
            .with_inner_size([1280.0, 820.0])
            .with_min_inner_size([720.0, 480.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    eframe::run_native(
        "ttb-verifier",
        options,
        Box::new(move |cc| {
            let settings: Settings = cc.storage.and_then(|s| eframe::get_value(s, eframe::APP_KEY)).unwrap_or_default();
            let mut app = VerifierApp::new(settings);
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
    }
}
