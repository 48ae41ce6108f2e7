//! The app's Ollama panel, for Ollama used directly (not through a server): where Ollama is and
//! which model, whether a label Ollama cannot read may be read with Tesseract instead, and
//! whether Ollama is ready, checked before a batch is sent to it.
//!
//! Labels for Ollama wait (queued, not sent) while Ollama is being checked, and while it is
//! unreachable or lacks the model, unless the reviewer allows the Tesseract fallback; the panel
//! says why they wait. The check runs on a thread of its own; the UI only reads its answer.

use std::time::{Duration, Instant};

use egui::{Color32, RichText};
use poll_promise::Promise;

use super::app::Settings;
use crate::ocr::Backend;
use crate::ollama::{self, OllamaConfig, SharedConfig};
use crate::report::Report;

/// A check older than this is repeated before more labels are sent.
const FRESH: Duration = Duration::from_secs(30);
/// While labels wait for an unavailable Ollama, it is checked again this often.
const RECHECK: Duration = Duration::from_secs(10);

/// Where Ollama is and which model, as the check saw them.
type Target = (String, String);

struct Checked {
    target: Target,
    at: Instant,
    result: Result<(), String>,
}

/// What the reviewer asked of the panel this frame.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PanelAction {
    /// Stop the labels Ollama is reading or that wait for it.
    pub cancel: bool,
}

pub struct OllamaPanel {
    /// Shared with the local Ollama workers: each label is read with the latest settings.
    shared: SharedConfig,
    running: Option<(Target, Promise<Result<(), String>>)>,
    last: Option<Checked>,
    /// The address and model as the reviewer types them (applied when the field is left).
    form: (String, String),
}

fn target(settings: &Settings) -> Target {
    (ollama::normalize_url(&settings.ollama_url), settings.ollama_model.trim().to_string())
}

/// The Ollama settings of the app's settings.
pub fn config_of(settings: &Settings) -> OllamaConfig {
    let (base_url, model) = target(settings);
    OllamaConfig { base_url, model, fallback: settings.allow_fallback, ..OllamaConfig::default() }
}

impl OllamaPanel {
    pub fn new(settings: &Settings) -> Self {
        Self {
            shared: SharedConfig::new(config_of(settings)),
            running: None,
            last: None,
            form: (settings.ollama_url.clone(), settings.ollama_model.clone()),
        }
    }

    /// The settings the local Ollama workers read.
    pub fn shared(&self) -> SharedConfig {
        self.shared.clone()
    }

    /// Keeps the workers' settings and the check up to date; `waiting` is how many labels wait
    /// to be sent to Ollama. Call once per frame; never blocks.
    pub fn update(&mut self, ctx: &egui::Context, settings: &Settings, waiting: usize) {
        let config = config_of(settings);
        if self.shared.get() != config {
            self.shared.set(config.clone());
        }
        if let Some((checked, promise)) = self.running.take() {
            match promise.try_take() {
                Ok(result) => self.last = Some(Checked { target: checked, at: Instant::now(), result }),
                Err(promise) => self.running = Some((checked, promise)),
            }
        }
        if self.running.is_some() {
            return;
        }
        let wanted = target(settings);
        let due = match &self.last {
            None => true,
            Some(last) if last.target != wanted => true,
            Some(last) if waiting > 0 && last.result.is_err() => last.at.elapsed() >= RECHECK,
            Some(last) => waiting > 0 && last.at.elapsed() >= FRESH,
        };
        if due {
            let ctx = ctx.clone();
            let promise = Promise::spawn_thread("ollama-check", move || {
                let result = ollama::check(&config).map_err(|e| e.to_string());
                ctx.request_repaint();
                result
            });
            self.running = Some((wanted, promise));
        } else if waiting > 0 && self.last.as_ref().is_some_and(|l| l.result.is_err()) {
            ctx.request_repaint_after(RECHECK);
        }
    }

    /// Why labels for Ollama must wait now, `None` when they may be sent.
    pub fn hold(&self, settings: &Settings) -> Option<String> {
        if settings.allow_fallback {
            // Sent at once: each label Ollama cannot read is read with Tesseract.
            return None;
        }
        let checking = || Some("Checking Ollama…".to_string());
        if self.running.is_some() {
            return checking();
        }
        match &self.last {
            Some(last) if last.target == target(settings) => last.result.clone().err(),
            _ => checking(),
        }
    }

    /// The panel under the toolbar while Ollama is the backend on this machine. `busy` is
    /// whether Ollama labels are being read or wait.
    pub fn panel_ui(&mut self, ui: &mut egui::Ui, settings: &mut Settings, busy: bool) -> PanelAction {
        let mut action = PanelAction::default();
        ui.horizontal(|ui| {
            let label = ui.label("Ollama address");
            let url = ui.add(egui::TextEdit::singleline(&mut self.form.0).desired_width(220.0)).labelled_by(label.id);
            let label = ui.label("Model");
            let model = ui.add(egui::TextEdit::singleline(&mut self.form.1).desired_width(140.0)).labelled_by(label.id);
            if url.lost_focus() || model.lost_focus() {
                settings.ollama_url = self.form.0.trim().to_string();
                settings.ollama_model = self.form.1.trim().to_string();
            }
            ui.checkbox(&mut settings.allow_fallback, "Read with Tesseract when Ollama cannot")
                .on_hover_text("A label Ollama cannot read is read offline with Tesseract; its report says so.");
            ui.separator();
            match (&self.running, &self.last) {
                (Some(_), _) | (None, None) => {
                    ui.add(egui::Spinner::new());
                    ui.label("Checking Ollama…");
                }
                (None, Some(last)) => match &last.result {
                    Ok(()) => {
                        ui.colored_label(Color32::from_rgb(40, 160, 70), format!("Ollama ready ({})", last.target.1));
                    }
                    Err(error) => {
                        let waiting = if settings.allow_fallback {
                            "labels are read with Tesseract"
                        } else {
                            "labels for Ollama wait"
                        };
                        ui.colored_label(Color32::from_rgb(215, 50, 40), format!("{error}: {waiting}"));
                    }
                },
            }
            if busy && ui.button("Cancel Ollama labels").clicked() {
                action.cancel = true;
            }
        });
        action
    }
}

/// Which backend read a report, and where, for the label's detail.
pub fn backend_line_ui(ui: &mut egui::Ui, report: &Report, server: Option<&str>) {
    let backend = match Backend::parse(&report.backend) {
        Some(Backend::Tesseract) if server.is_some() => "Tesseract".to_string(),
        Some(Backend::Tesseract) => "Tesseract (offline)".to_string(),
        Some(Backend::Ollama) => "Ollama (vision model)".to_string(),
        None => report.backend.clone(),
    };
    let text = match server {
        Some(url) => format!("Read by {backend} on the server {url}"),
        None => format!("Read by {backend}"),
    };
    ui.label(RichText::new(text).weak());
}
