//! The app's state and its panels. Panels return [`Command`]s; the app applies them after
//! layout, so no panel mutates state another panel is drawing from.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use egui::{Color32, RichText, Stroke, StrokeKind, TextureHandle, TextureOptions};
use egui_extras::{Column, TableBuilder};
use poll_promise::Promise;
use serde::{Deserialize, Serialize};

use super::health::{HealthMonitor, Intervals, ServerHealth};
use super::ollama::OllamaPanel;
use super::token;
use crate::application::Application;
use crate::cli::collect_images;
use crate::ocr::Backend;
use crate::pool::{Event, Finished, Job, Mode, Pool};
use crate::remote::{RemoteClient, RemoteConfig};
use crate::report::{Check, Outcome, Report, Status, ValidationLevel};

/// What is kept between runs (eframe persistence). Runtime state is not; the server token is
/// kept apart (see `token`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub backend: Backend,
    /// Workers verifying at once; 0 means one per core.
    pub workers: usize,
    /// Verify on the server at `server_url` instead of on this machine.
    pub remote: bool,
    pub server_url: String,
    /// Ollama used directly (not through a server): its address and vision model.
    pub ollama_url: String,
    pub ollama_model: String,
    /// Read a label with Tesseract when Ollama cannot; its report says so.
    pub allow_fallback: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            backend: Backend::Tesseract,
            workers: 0,
            remote: false,
            server_url: "http://localhost:8000".into(),
            ollama_url: crate::ollama::DEFAULT_URL.into(),
            ollama_model: crate::ollama::DEFAULT_MODEL.into(),
            allow_fallback: false,
        }
    }
}

/// Where a label is in its life.
#[derive(Debug)]
pub enum LabelState {
    Queued,
    /// Being read; in remote mode, how much of the upload has gone and why it is waiting.
    Running {
        uploaded: Option<f32>,
        waiting: Option<String>,
    },
    Done(Box<Finished>),
}

/// One label the reviewer added.
pub struct Label {
    pub path: PathBuf,
    pub name: String,
    pub application: Option<Application>,
    pub backend: Backend,
    /// The server it is sent to, in remote mode.
    pub server: Option<String>,
    pub state: LabelState,
    submitted: bool,
    texture: Option<TextureHandle>,
}

impl Label {
    pub fn report(&self) -> Option<&Report> {
        match &self.state {
            LabelState::Done(done) => Some(&done.report),
            _ => None,
        }
    }
}

enum Command {
    Open,
    Add(Vec<PathBuf>),
    Select(usize),
    SelectCheck(usize),
    SetBackend(Backend),
    UseServer { remote: bool, url: String, token: String },
    CheckServerNow,
}

/// Longest side of the preview kept per label: enough to read, far less than a photo.
const PREVIEW_SIDE: u32 = 1400;

pub struct VerifierApp {
    pub settings: Settings,
    labels: Vec<Label>,
    selected: Option<usize>,
    selected_check: Option<usize>,
    /// Worker pools by (server, backend); `None` is this machine.
    pools: HashMap<(Option<String>, Backend), Pool>,
    health: Option<HealthMonitor>,
    health_intervals: Intervals,
    token: String,
    /// The server form's fields as the reviewer types them.
    server_form: (String, String),
    open_dialog: Option<Promise<Option<Vec<PathBuf>>>>,
    notice: Option<String>,
    /// The context of the last frame, for the workers' repaint requests.
    ctx: Option<egui::Context>,
    /// Ollama used directly: its settings and readiness.
    ollama: OllamaPanel,
}

impl VerifierApp {
    pub fn new(settings: Settings) -> Self {
        let token = token::load().unwrap_or_default();
        Self {
            ollama: OllamaPanel::new(&settings),
            server_form: (settings.server_url.clone(), token.clone()),
            token,
            settings,
            labels: Vec::new(),
            selected: None,
            selected_check: None,
            pools: HashMap::new(),
            health: None,
            health_intervals: Intervals::default(),
            open_dialog: None,
            notice: None,
            ctx: None,
        }
    }

    pub fn labels(&self) -> &[Label] {
        &self.labels
    }

    pub fn selected(&self) -> Option<usize> {
        self.selected
    }

    /// Uses the server at `url` with `token` (not saved), polling its health at `intervals`.
    pub fn use_server(&mut self, url: &str, token: &str, intervals: Intervals) {
        self.health_intervals = intervals;
        self.settings.remote = true;
        self.settings.server_url = url.to_string();
        self.token = token.to_string();
        self.server_form = (url.to_string(), token.to_string());
        self.health = None;
    }

    /// What the status bar says about the server, `None` in local mode.
    pub fn server_health(&self) -> Option<ServerHealth> {
        self.health.as_ref().map(HealthMonitor::latest)
    }

    fn remote_client(&self) -> Result<RemoteClient, String> {
        let token = Some(self.token.clone()).filter(|t| !t.trim().is_empty());
        RemoteClient::new(RemoteConfig { base_url: self.settings.server_url.clone(), token }).map_err(|e| e.to_string())
    }

    /// Starts, restarts or stops the health monitor to match the settings.
    fn watch_server(&mut self) {
        if !self.settings.remote {
            self.health = None;
            return;
        }
        let url = self.settings.server_url.trim().trim_end_matches('/').to_string();
        if self.health.as_ref().is_some_and(|h| h.base_url() == url) {
            return;
        }
        match self.remote_client() {
            Ok(client) => {
                let ctx = self.ctx.clone();
                let changed = Arc::new(move || {
                    if let Some(ctx) = &ctx {
                        ctx.request_repaint();
                    }
                });
                self.health = Some(HealthMonitor::start(Arc::new(client), self.health_intervals, changed));
            }
            Err(e) => {
                self.health = None;
                self.notice = Some(e);
            }
        }
    }

    /// Cancels the labels Ollama on this machine is reading or that wait for it: their reports
    /// say they were cancelled.
    fn cancel_local_ollama(&mut self) {
        if let Some(pool) = self.pools.get(&(None, Backend::Ollama)) {
            pool.cancel();
        }
        for label in &mut self.labels {
            if waits_for_local_ollama(label) {
                let report =
                    Report::error(label.path.display().to_string(), Backend::Ollama.as_str(), crate::ocr::CANCELLED);
                label.state = LabelState::Done(Box::new(Finished { report, reading: None, preview: None }));
            }
        }
    }

    /// True while any label waits or runs.
    pub fn is_busy(&self) -> bool {
        self.labels.iter().any(|l| !matches!(l.state, LabelState::Done(_)))
    }

    /// Queues images (folders expand to the images inside) with their sidecar application data.
    pub fn add_paths(&mut self, paths: Vec<PathBuf>) {
        let images = match collect_images(&paths) {
            Ok(images) => images,
            Err(e) => {
                self.notice = Some(e);
                return;
            }
        };
        if images.is_empty() && !paths.is_empty() {
            self.notice = Some("No label images found in what was dropped.".into());
        }
        for path in images {
            self.add_image(path);
        }
    }

    fn add_image(&mut self, path: PathBuf) {
        let id = self.labels.len();
        let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        let backend = self.settings.backend;
        let server = self.settings.remote.then(|| self.settings.server_url.clone());
        let (application, state) = match Application::sidecar_for(&path) {
            Ok(application) => (application, LabelState::Queued),
            Err(e) => {
                let report = Report::error(path.display().to_string(), backend.as_str(), e.to_string());
                (None, LabelState::Done(Box::new(Finished { report, reading: None, preview: None })))
            }
        };
        self.labels.push(Label { path, name, application, backend, server, state, submitted: false, texture: None });
        if self.selected.is_none() {
            self.selected = Some(id);
        }
    }

    /// Hands queued labels to the workers of their backend, starting those workers if needed.
    fn submit_queued(&mut self) {
        let workers = match self.settings.workers {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        };
        for (id, label) in self.labels.iter_mut().enumerate() {
            if label.submitted || !matches!(label.state, LabelState::Queued) {
                continue;
            }
            let key = (label.server.clone(), label.backend);
            let local_ollama = label.server.is_none() && label.backend == Backend::Ollama;
            if local_ollama && self.ollama.hold(&self.settings).is_some() {
                continue;
            }
            if !self.pools.contains_key(&key) {
                let mode = match &label.server {
                    None if local_ollama => Mode::Ollama(self.ollama.shared()),
                    None => Mode::Local(label.backend),
                    Some(url) => {
                        let token = Some(self.token.clone()).filter(|t| !t.trim().is_empty());
                        match RemoteClient::new(RemoteConfig { base_url: url.clone(), token }) {
                            Ok(client) => Mode::Remote { client: Arc::new(client), backend: label.backend },
                            Err(e) => {
                                let report = Report::error(
                                    label.path.display().to_string(),
                                    label.backend.as_str(),
                                    e.to_string(),
                                );
                                label.state =
                                    LabelState::Done(Box::new(Finished { report, reading: None, preview: None }));
                                continue;
                            }
                        }
                    }
                };
                let ctx = self.ctx.clone();
                let notify = move || {
                    if let Some(ctx) = &ctx {
                        ctx.request_repaint();
                    }
                };
                self.pools.insert(key.clone(), Pool::start_mode(mode, workers, Some(Arc::new(notify)), None));
            }
            let Some(pool) = self.pools.get(&key) else { continue };
            pool.submit(Job {
                preview_side: Some(PREVIEW_SIDE),
                ..Job::file(id as u64, label.path.clone(), label.application.clone())
            });
            label.submitted = true;
        }
    }

    /// Applies the workers' events; called once per frame, never blocks.
    pub fn drain_events(&mut self) {
        for pool in self.pools.values() {
            while let Some(event) = pool.try_next() {
                let (id, state) = match event {
                    Event::Started { id } => (id, LabelState::Running { uploaded: None, waiting: None }),
                    Event::Uploading { id, sent, total } => {
                        let fraction = if total == 0 { 1.0 } else { sent as f32 / total as f32 };
                        (id, LabelState::Running { uploaded: Some(fraction), waiting: None })
                    }
                    Event::Waiting { id, message } => {
                        (id, LabelState::Running { uploaded: None, waiting: Some(message) })
                    }
                    Event::Finished { id, result } => (id, LabelState::Done(result)),
                };
                if let Some(label) = self.labels.get_mut(id as usize) {
                    label.state = state;
                }
            }
        }
    }

    /// The whole window. eframe calls it through `App::ui`; tests call it directly.
    pub fn root_ui(&mut self, ui: &mut egui::Ui) {
        if self.ctx.is_none() {
            self.ctx = Some(ui.ctx().clone());
        }
        self.watch_server();
        let ollama_waiting = self.labels.iter().filter(|l| waits_for_local_ollama(l)).count();
        self.ollama.update(ui.ctx(), &self.settings, ollama_waiting);
        self.submit_queued();
        self.drain_events();
        let mut commands = Vec::new();
        let dropped: Vec<PathBuf> = ui.input(|i| {
            i.raw.dropped_files.iter().map(|f| f.path().to_path_buf()).filter(|p| !p.as_os_str().is_empty()).collect()
        });
        if !dropped.is_empty() {
            commands.push(Command::Add(dropped));
        }
        if let Some(promise) = &self.open_dialog
            && let Some(picked) = promise.ready()
        {
            if let Some(paths) = picked.clone() {
                commands.push(Command::Add(paths));
            }
            self.open_dialog = None;
        }

        egui::Panel::top("toolbar").show(ui, |ui| self.toolbar_ui(ui, &mut commands));
        if self.settings.backend == Backend::Ollama && !self.settings.remote {
            let busy = self
                .labels
                .iter()
                .any(|l| l.server.is_none() && l.backend == Backend::Ollama && !matches!(l.state, LabelState::Done(_)));
            let (ollama, settings) = (&mut self.ollama, &mut self.settings);
            let action = egui::Panel::top("ollama").show(ui, |ui| ollama.panel_ui(ui, settings, busy)).inner;
            if action.cancel {
                self.cancel_local_ollama();
            }
        }
        egui::Panel::bottom("status_bar").show(ui, |ui| self.status_bar_ui(ui, &mut commands));
        egui::Panel::left("labels").default_size(300.0).show(ui, |ui| self.list_ui(ui, &mut commands));
        egui::CentralPanel::default_margins().show(ui, |ui| self.detail_ui(ui, &mut commands));

        for command in commands {
            self.run(command);
        }
    }

    fn run(&mut self, command: Command) {
        match command {
            Command::Open => {
                if self.open_dialog.is_none() {
                    self.open_dialog = Some(Promise::spawn_thread("open-dialog", || {
                        rfd::FileDialog::new()
                            .set_title("Choose label images")
                            .add_filter("Label images", &["jpg", "jpeg", "png", "webp", "tif", "tiff", "bmp", "gif"])
                            .pick_files()
                    }));
                }
            }
            Command::Add(paths) => {
                self.notice = None;
                self.add_paths(paths);
            }
            Command::Select(index) => {
                self.selected = Some(index);
                self.selected_check = None;
            }
            Command::SelectCheck(index) => self.selected_check = Some(index),
            Command::SetBackend(backend) => self.settings.backend = backend,
            Command::UseServer { remote, url, token } => {
                self.settings.remote = remote;
                self.settings.server_url = url.trim().to_string();
                if token != self.token {
                    if let Err(e) = token::save(&token) {
                        self.notice = Some(e);
                    }
                    self.token = token;
                    self.health = None;
                }
            }
            Command::CheckServerNow => {
                if let Some(health) = &self.health {
                    health.check_now();
                }
            }
        }
    }

    fn toolbar_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        ui.horizontal(|ui| {
            let open = ui.add_enabled(self.open_dialog.is_none(), egui::Button::new("Open images…"));
            if open.on_hover_text("Choose label images, or drop them onto this window").clicked() {
                commands.push(Command::Open);
            }
            ui.separator();
            let mut backend = self.settings.backend;
            // On a server, Ollama is offered only while the server says it is available.
            let ollama_blocked = self.settings.remote && !self.server_health().is_some_and(|h| h.ollama_available());
            egui::ComboBox::from_label("OCR backend").selected_text(backend_name(backend)).show_ui(ui, |ui| {
                for choice in Backend::ALL {
                    let enabled = !(choice == Backend::Ollama && ollama_blocked);
                    ui.add_enabled_ui(enabled, |ui| {
                        ui.selectable_value(&mut backend, choice, backend_name(choice))
                            .on_disabled_hover_text("The server reports Ollama unavailable");
                    });
                }
            });
            if backend != self.settings.backend {
                commands.push(Command::SetBackend(backend));
            }
            ui.separator();
            let mut remote = self.settings.remote;
            ui.checkbox(&mut remote, "Verify on a server");
            let label = ui.label("Server");
            ui.add(egui::TextEdit::singleline(&mut self.server_form.0).desired_width(200.0)).labelled_by(label.id);
            let label = ui.label("Token");
            ui.add(egui::TextEdit::singleline(&mut self.server_form.1).password(true).desired_width(120.0))
                .labelled_by(label.id);
            let changed = remote != self.settings.remote
                || self.server_form.0.trim() != self.settings.server_url
                || self.server_form.1 != self.token;
            if ui.add_enabled(changed, egui::Button::new("Apply")).clicked()
                || (changed && remote != self.settings.remote)
            {
                commands.push(Command::UseServer {
                    remote,
                    url: self.server_form.0.clone(),
                    token: self.server_form.1.clone(),
                });
            }
        });
    }

    fn status_bar_ui(&self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        ui.horizontal(|ui| {
            let total = self.labels.len();
            let done = self.labels.iter().filter(|l| matches!(l.state, LabelState::Done(_))).count();
            let count = |s: Status| self.labels.iter().filter(|l| l.report().is_some_and(|r| r.status == s)).count();
            if total == 0 {
                ui.label("Drop label images here, or choose Open images…");
            } else {
                ui.label(format!(
                    "{done} of {total} verified · {} compliant · {} not compliant · {} need review · {} could not be read",
                    count(Status::Compliant),
                    count(Status::NonCompliant),
                    count(Status::NeedsReview),
                    count(Status::Error)
                ));
            }
            if let Some(health) = self.server_health() {
                ui.separator();
                let color = match health.summary() {
                    "healthy" => Color32::from_rgb(40, 160, 70),
                    "degraded" => Color32::from_rgb(220, 150, 0),
                    "checking…" => Color32::GRAY,
                    _ => Color32::from_rgb(215, 50, 40),
                };
                let text = format!("Server {}", health.summary());
                let response = ui.colored_label(color, text).on_hover_text(health.details());
                if response.clicked() {
                    commands.push(Command::CheckServerNow);
                }
            }
            if let Some(notice) = &self.notice {
                ui.separator();
                ui.colored_label(Color32::from_rgb(200, 60, 40), notice);
            }
        });
    }

    fn list_ui(&self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        ui.heading("Labels");
        egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
            for (index, label) in self.labels.iter().enumerate() {
                ui.horizontal(|ui| {
                    match &label.state {
                        LabelState::Queued => {
                            ui.label(RichText::new("Queued").weak());
                        }
                        LabelState::Running { waiting, .. } => {
                            ui.add(egui::Spinner::new());
                            if waiting.is_some() {
                                ui.label(RichText::new("Waiting").weak());
                            }
                        }
                        LabelState::Done(done) => {
                            ui.label(status_text(done.report.status));
                        }
                    }
                    let selected = self.selected == Some(index);
                    if ui.selectable_label(selected, &label.name).clicked() {
                        commands.push(Command::Select(index));
                    }
                });
            }
        });
    }

    fn detail_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        let Some(index) = self.selected.filter(|i| *i < self.labels.len()) else {
            ui.centered_and_justified(|ui| {
                ui.heading("Drop label images here, or choose Open images…");
            });
            return;
        };
        let ctx = ui.ctx().clone();
        let selected_check = self.selected_check;
        let label = &mut self.labels[index];
        ui.horizontal(|ui| {
            ui.heading(&label.name);
            if let Some(report) = label.report() {
                ui.label(status_text(report.status).size(18.0));
            }
        });
        match &label.state {
            LabelState::Queued => {
                match self.ollama.hold(&self.settings).filter(|_| waits_for_local_ollama(label)) {
                    Some(reason) => {
                        ui.colored_label(Color32::from_rgb(200, 140, 0), format!("Waiting for Ollama: {reason}"))
                    }
                    None => ui.label("Waiting for a worker…"),
                };
                return;
            }
            LabelState::Running { uploaded, waiting } => {
                ui.horizontal(|ui| {
                    ui.add(egui::Spinner::new());
                    match &label.server {
                        None => ui.label(format!("Reading the label with {}…", backend_name(label.backend))),
                        Some(url) => ui.label(format!("Verifying on {url} with {}…", backend_name(label.backend))),
                    };
                });
                if let Some(fraction) = uploaded {
                    ui.add(egui::ProgressBar::new(*fraction).text(format!("Uploading {:.0}%", fraction * 100.0)));
                }
                if let Some(message) = waiting {
                    ui.colored_label(
                        Color32::from_rgb(200, 140, 0),
                        format!("Waiting for the server: {message}. The label is kept and will be sent again."),
                    );
                }
                return;
            }
            LabelState::Done(_) => {}
        }
        let LabelState::Done(done) = &label.state else { return };
        let report = &done.report;
        if let Some(error) = &report.error {
            ui.colored_label(Color32::from_rgb(200, 60, 40), format!("This label could not be verified: {error}"));
            return;
        }
        if report.validation_level == ValidationLevel::StructuralOnly {
            let sidecar = label.path.with_extension("json");
            let sidecar = sidecar.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            ui.colored_label(
                Color32::from_rgb(200, 140, 0),
                format!("No application data ({sidecar} not found): checked for presence and format only."),
            );
        }
        super::ollama::backend_line_ui(ui, report);
        for warning in &report.warnings {
            ui.label(RichText::new(warning).weak());
        }
        if label.texture.is_none()
            && let Some(preview) = &done.preview
        {
            let size = [preview.width() as usize, preview.height() as usize];
            let image = egui::ColorImage::from_rgba_unmultiplied(size, preview.as_raw());
            label.texture = Some(ctx.load_texture(format!("label-{index}"), image, TextureOptions::LINEAR));
        }
        let image_height = (ui.available_height() * 0.5).max(160.0);
        if let Some(texture) = &label.texture {
            image_with_boxes_ui(ui, texture, report, selected_check, image_height);
        }
        ui.separator();
        checks_table_ui(ui, &report.checks, selected_check, commands);
    }
}

/// Whether a label waits to be sent to Ollama on this machine.
fn waits_for_local_ollama(label: &Label) -> bool {
    label.server.is_none()
        && label.backend == Backend::Ollama
        && !label.submitted
        && matches!(label.state, LabelState::Queued)
}

/// The label image, scaled to fit, with each check's boxes drawn over it in its outcome's colour.
fn image_with_boxes_ui(
    ui: &mut egui::Ui,
    texture: &TextureHandle,
    report: &Report,
    selected: Option<usize>,
    max_height: f32,
) {
    let [tw, th] = texture.size();
    let fit = (ui.available_width() / tw as f32).min(max_height / th as f32).min(1.0);
    let size = egui::vec2(tw as f32 * fit, th as f32 * fit);
    let response = ui.add(egui::Image::from_texture((texture.id(), size)).alt_text("Label image"));
    let rect = response.rect;
    let Some([iw, _]) = report.image_size else { return };
    let scale = rect.width() / iw.max(1) as f32;
    let painter = ui.painter_at(rect);
    for (index, check) in report.checks.iter().enumerate() {
        let width = if selected == Some(index) { 3.0 } else { 1.5 };
        for b in &check.boxes {
            let min = rect.min + egui::vec2(b.x as f32 * scale, b.y as f32 * scale);
            let r = egui::Rect::from_min_size(min, egui::vec2(b.w as f32 * scale, b.h as f32 * scale));
            painter.rect_stroke(
                r.expand(1.0),
                2.0,
                Stroke::new(width, outcome_color(check.outcome)),
                StrokeKind::Outside,
            );
        }
    }
}

fn checks_table_ui(ui: &mut egui::Ui, checks: &[Check], selected: Option<usize>, commands: &mut Vec<Command>) {
    TableBuilder::new(ui)
        .striped(true)
        .column(Column::auto().at_least(150.0))
        .column(Column::initial(160.0).clip(true).resizable(true))
        .column(Column::initial(160.0).clip(true).resizable(true))
        .column(Column::auto().at_least(60.0))
        .column(Column::remainder().clip(true))
        .header(22.0, |mut header| {
            for title in ["Field", "Expected", "Found", "Outcome", "Message"] {
                header.col(|ui| {
                    ui.strong(title);
                });
            }
        })
        .body(|mut body| {
            for (index, check) in checks.iter().enumerate() {
                body.row(24.0, |mut row| {
                    row.col(|ui| {
                        if ui.selectable_label(selected == Some(index), field_name(&check.field)).clicked() {
                            commands.push(Command::SelectCheck(index));
                        }
                    });
                    row.col(|ui| {
                        ui.label(check.expected.as_deref().unwrap_or("—"));
                    });
                    row.col(|ui| {
                        ui.label(check.found.as_deref().unwrap_or("—"));
                    });
                    row.col(|ui| {
                        ui.colored_label(outcome_color(check.outcome), check.outcome.as_str());
                    });
                    row.col(|ui| {
                        ui.label(&check.message).on_hover_text(format!("{}\n{}", check.message, check.rule));
                    });
                });
            }
        });
}

fn backend_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Tesseract => "Tesseract (offline)",
        Backend::Ollama => "Ollama (vision model)",
    }
}

/// A reviewer's name for a check's field.
pub fn field_name(field: &str) -> String {
    match field {
        "brand_name" => "Brand name".into(),
        "class_type" => "Class / type".into(),
        "alcohol_content" => "Alcohol content".into(),
        "alcohol_content_proof" => "Proof".into(),
        "net_contents" => "Net contents".into(),
        "bottler" => "Bottler / importer".into(),
        "country_of_origin" => "Country of origin".into(),
        "government_warning" => "Government warning".into(),
        "government_warning_header" => "Warning header capitals".into(),
        "government_warning_text" => "Warning wording".into(),
        "government_warning_bold" => "Warning header bold".into(),
        other => other.replace('_', " "),
    }
}

fn outcome_color(outcome: Outcome) -> Color32 {
    match outcome {
        Outcome::Pass => Color32::from_rgb(40, 160, 70),
        Outcome::Fail => Color32::from_rgb(215, 50, 40),
        Outcome::Review => Color32::from_rgb(220, 150, 0),
    }
}

fn status_text(status: Status) -> RichText {
    let color = match status {
        Status::Compliant => Color32::from_rgb(40, 160, 70),
        Status::NonCompliant => Color32::from_rgb(215, 50, 40),
        Status::NeedsReview => Color32::from_rgb(220, 150, 0),
        Status::Error => Color32::GRAY,
    };
    RichText::new(status.label()).color(color).strong()
}
