//! The app's state and its panels. Panels return [`Command`]s; the app applies them after
//! layout, so no panel mutates state another panel is drawing from.
//!
//! Nothing slow runs on the UI thread: OCR, decoding and preview making run on the worker pool
//! (a job's reply saves its preview and thumbnail on the worker), re-checks of edited application
//! data and file reading run on threads of their own, and each frame only drains their events.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use egui::{Color32, Key, Modifiers, Rect, RichText, TextureHandle, TextureOptions};
use egui_extras::{Column, TableBuilder};
use poll_promise::Promise;
use serde::{Deserialize, Serialize};

use super::evidence;
use super::export::{self, ExportError, Format, Row};
use super::form::ApplicationForm;
use super::health::{HealthMonitor, Intervals, ServerHealth};
use super::ollama::OllamaPanel;
use super::store::{self, DataDir, LoadRequest, Loaded, Loader, PREVIEW_SIDE, SavedLabel, Writer};
use super::token;
use crate::application::{Application, Manifest};
use crate::cli::{collect_images, skipped_note};
use crate::ocr::{BBox, Backend};
use crate::pool::{Event, Finished, ImageSource, Job, Mode, Pool, Reply};
use crate::remote::{RemoteClient, RemoteConfig};
use crate::report::{Check, Outcome, Report, Status, ValidationLevel};
use crate::verify::{self, LabelInput, Reading};

/// What is kept between runs (eframe persistence). Runtime state is not; the server token is
/// kept apart (see `token`), the labels in the data directory (see `store`).
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
    pub theme: Theme,
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
            theme: Theme::System,
        }
    }
}

impl Settings {
    /// Workers to start: the setting, or one per core.
    pub fn effective_workers(&self) -> usize {
        match self.workers {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    /// Follow the desktop's light or dark setting.
    #[default]
    System,
    Light,
    Dark,
}

impl Theme {
    fn preference(self) -> egui::ThemePreference {
        match self {
            Self::System => egui::ThemePreference::System,
            Self::Light => egui::ThemePreference::Light,
            Self::Dark => egui::ThemePreference::Dark,
        }
    }
}

/// The reviewer's decision on a label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    Reject,
    BetterImage,
}

impl Decision {
    pub const ALL: [Decision; 3] = [Decision::Approve, Decision::Reject, Decision::BetterImage];

    /// The reviewer's words.
    pub fn label(self) -> &'static str {
        match self {
            Self::Approve => "Approved",
            Self::Reject => "Rejected",
            Self::BetterImage => "Needs a better image",
        }
    }

    /// The word in exports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "approved",
            Self::Reject => "rejected",
            Self::BetterImage => "needs_better_image",
        }
    }

    fn button(self) -> &'static str {
        match self {
            Self::Approve => "Approve (a)",
            Self::Reject => "Reject (r)",
            Self::BetterImage => "Needs a better image (b)",
        }
    }
}

/// Which labels the list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    All,
    /// Not compliant, or could not be read.
    Failing,
    NeedsReview,
    Undecided,
}

impl Filter {
    const ALL: [Filter; 4] = [Filter::All, Filter::Failing, Filter::NeedsReview, Filter::Undecided];

    fn name(self) -> &'static str {
        match self {
            Self::All => "All",
            Self::Failing => "Failing",
            Self::NeedsReview => "Needs review",
            Self::Undecided => "Undecided",
        }
    }

    fn admits(self, label: &Label) -> bool {
        let status = label.report().map(|r| r.status);
        match self {
            Self::All => true,
            Self::Failing => matches!(status, Some(Status::NonCompliant | Status::Error)),
            Self::NeedsReview => status == Some(Status::NeedsReview),
            Self::Undecided => label.decision.is_none(),
        }
    }
}

/// Where a label's application data came from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationSource {
    #[default]
    None,
    /// `label_x.json` beside the image.
    Sidecar,
    /// A CSV manifest, by file name.
    Manifest(String),
    /// A JSON file chosen for this label.
    File(String),
    /// Typed or changed in the form.
    Edited,
}

impl ApplicationSource {
    fn describe(&self, image: &Path) -> String {
        match self {
            Self::None => "No application data: only presence and format are checked.".into(),
            Self::Sidecar => {
                let sidecar = image.with_extension("json");
                let name = sidecar.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
                format!("From {name} beside the image.")
            }
            Self::Manifest(name) => format!("From the manifest {name}."),
            Self::File(name) => format!("From {name}."),
            Self::Edited => "Edited here.".into(),
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
    /// Taken off the queue before it was read; "Retry" queues it again.
    Cancelled,
}

enum Thumb {
    Unknown,
    Loading,
    Image(Arc<egui::ColorImage>),
    Texture(TextureHandle),
    Missing,
}

/// One label the reviewer added.
pub struct Label {
    pub path: PathBuf,
    pub name: String,
    pub application: Option<Application>,
    pub application_source: ApplicationSource,
    pub backend: Backend,
    /// The server it is sent to, in remote mode.
    pub server: Option<String>,
    pub state: LabelState,
    pub decision: Option<Decision>,
    pub note: String,
    /// Names the label's files in the data directory; never reused.
    uid: u64,
    /// The job reading it now.
    job: Option<u64>,
    /// What OCR read, to re-check edited application data without a new OCR run.
    reading: Option<Arc<Reading>>,
    /// Generation of the newest re-check; older answers are dropped.
    recheck: u64,
    rechecking: bool,
    /// How many times OCR read it in this session.
    reads: u32,
    /// The application changed while the label was being read: check again when it is done.
    stale_application: bool,
    thumb: Thumb,
    /// The label as saved, kept until it changes, so a save does not serialise every label again.
    saved: Option<String>,
}

impl Label {
    fn new(uid: u64, path: PathBuf, backend: Backend, server: Option<String>, state: LabelState) -> Self {
        Self {
            name: file_name(&path),
            path,
            application: None,
            application_source: ApplicationSource::None,
            backend,
            server,
            state,
            decision: None,
            note: String::new(),
            uid,
            job: None,
            reading: None,
            recheck: 0,
            rechecking: false,
            reads: 0,
            stale_application: false,
            thumb: Thumb::Unknown,
            saved: None,
        }
    }

    pub fn report(&self) -> Option<&Report> {
        match &self.state {
            LabelState::Done(done) => Some(&done.report),
            _ => None,
        }
    }

    /// How many times OCR read this label since the app started (a re-check of edited
    /// application data is not a read).
    pub fn times_read(&self) -> u32 {
        self.reads
    }

    fn outstanding(&self) -> bool {
        matches!(self.state, LabelState::Queued | LabelState::Running { .. })
    }

    fn retryable(&self) -> bool {
        matches!(self.state, LabelState::Cancelled) || self.report().is_some_and(|r| r.status == Status::Error)
    }

    fn pool_key(&self) -> PoolKey {
        (self.server.clone(), self.backend)
    }

    /// Whether Ollama on this machine (not through a server) reads this label.
    fn for_local_ollama(&self) -> bool {
        self.server.is_none() && self.backend == Backend::Ollama
    }

    /// Whether the label waits to be sent to Ollama on this machine.
    fn waits_for_local_ollama(&self) -> bool {
        self.for_local_ollama() && self.job.is_none() && matches!(self.state, LabelState::Queued)
    }
}

type PoolKey = (Option<String>, Backend);

pub(crate) enum Command {
    Open(DialogKind),
    Add(Vec<PathBuf>),
    LoadManifest(PathBuf),
    Export(Format, PathBuf),
    Select(usize),
    SelectCheck(usize),
    Decide(Option<Decision>),
    SetBackend(Backend),
    UseServer {
        remote: bool,
        url: String,
        token: String,
    },
    CheckServerNow,
    Cancel,
    /// Cancels the labels Ollama on this machine reads or that wait for it.
    CancelLocalOllama,
    Retry(Option<usize>),
    ClearList,
    WholeLabel,
    Recheck(usize),
}

/// What a file dialog is for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum DialogKind {
    Images,
    Folder,
    Manifest,
    ApplicationFile(u64),
    Export(Format),
}

/// What background threads send the UI.
enum AppEvent {
    Finished { job: u64, result: Box<Finished>, thumb: Option<Arc<egui::ColorImage>> },
    Rechecked { uid: u64, generation: u64, report: Box<Report> },
    Loaded(Loaded),
    Gathered((Vec<Gathered>, Vec<String>)),
    Manifest(Result<(String, Manifest), String>),
    ApplicationFile { uid: u64, name: String, result: Result<Application, String> },
    Exported(Result<String, String>),
    Problem(String),
}

/// An image found in what was added, with its application data.
struct Gathered {
    path: PathBuf,
    application: Result<Option<Application>, String>,
    source: ApplicationSource,
}

/// Finds the images in `paths` and reads their application data (manifest first, then sidecar).
/// The labels found in what was added, and sentences on what could not be used (a path that does
/// not exist, files in a folder that are not images).
fn gather(paths: &[PathBuf], manifest: Option<&(String, Manifest)>) -> (Vec<Gathered>, Vec<String>) {
    let collected = collect_images(paths);
    let mut problems = collected.problems;
    if !collected.not_images.is_empty() {
        problems.push(skipped_note(&collected.not_images));
    }
    let gathered = collected
        .images
        .into_iter()
        .map(|path| {
            if let Some((name, m)) = manifest
                && let Some(app) = m.lookup(&path)
            {
                return Gathered {
                    application: Ok(Some(app.clone())),
                    source: ApplicationSource::Manifest(name.clone()),
                    path,
                };
            }
            match Application::sidecar_for(&path) {
                Ok(Some(app)) => Gathered { path, application: Ok(Some(app)), source: ApplicationSource::Sidecar },
                Ok(None) => Gathered { path, application: Ok(None), source: ApplicationSource::None },
                Err(e) => Gathered { path, application: Err(e.to_string()), source: ApplicationSource::None },
            }
        })
        .collect();
    (gathered, problems)
}

/// Asks for a repaint from any thread, once the UI has a context.
#[derive(Clone, Default)]
struct Repaint(Arc<OnceLock<egui::Context>>);

impl Repaint {
    fn request(&self) {
        if let Some(ctx) = self.0.get() {
            ctx.request_repaint();
        }
    }
}

/// Progress of the labels verified since the queue last ran empty.
struct Run {
    started: Instant,
    finished: usize,
    ended: Option<Instant>,
}

struct PreviewState {
    uid: u64,
    texture: Option<TextureHandle>,
    error: Option<String>,
}

struct FormState {
    uid: u64,
    form: ApplicationForm,
    error: Option<String>,
}

/// How often unsaved changes are written while the app runs.
const SAVE_EVERY: Duration = Duration::from_secs(1);
/// List row height (thumbnail and two lines of text).
const ROW_HEIGHT: f32 = 58.0;

/// What the app holds in memory, for the batch benchmark.
#[derive(Debug, Clone, Copy, Default)]
pub struct HeldMemory {
    /// OCR readings kept for re-checks: their words, warning checks and quality flags.
    pub readings: usize,
    pub readings_count: usize,
    /// Thumbnails not yet handed to the renderer.
    pub thumbnails: usize,
    pub thumbnail_textures: usize,
    /// The preview on screen.
    pub preview: usize,
}

pub struct VerifierApp {
    pub settings: Settings,
    labels: Vec<Label>,
    selected: Option<usize>,
    selected_check: Option<String>,
    /// The label whose first problem was selected for the reviewer.
    auto_check_for: Option<u64>,
    filter: Filter,
    /// Worker pools by (server, backend); `None` is this machine.
    pools: HashMap<PoolKey, Pool>,
    pool_workers: usize,
    jobs: HashMap<u64, u64>,
    next_job: u64,
    next_uid: u64,
    events_tx: Sender<AppEvent>,
    events_rx: Receiver<AppEvent>,
    repaint: Repaint,
    data: DataDir,
    writer: Option<Writer>,
    loader: Loader,
    dirty: bool,
    last_save: Instant,
    run: Option<Run>,
    /// Labels being gathered from dropped or opened paths.
    gathering: usize,
    manifest: Option<Arc<(String, Manifest)>>,
    preview: Option<PreviewState>,
    /// The visible part of the selected label's image, in its pixels.
    view: Rect,
    view_key: Option<(u64, Option<String>, i32)>,
    /// The evidence view's width over its height, as last drawn.
    view_aspect: f32,
    form: Option<FormState>,
    list_scroll: (f32, f32),
    scroll_to_selected: bool,
    show_settings: bool,
    confirm_clear: bool,
    applied_theme: Option<Theme>,
    health: Option<HealthMonitor>,
    health_intervals: Intervals,
    /// Ollama used directly: its settings and readiness.
    ollama: OllamaPanel,
    token: String,
    /// The server form's fields as the reviewer types them.
    server_form: (String, String),
    dialog: Option<(DialogKind, Promise<Option<Vec<PathBuf>>>)>,
    notice: Option<(String, bool)>,
}

impl VerifierApp {
    /// An app that keeps nothing after it closes (its previews live in a temporary folder).
    pub fn new(settings: Settings) -> Self {
        let data = DataDir::temporary().unwrap_or_else(|_| {
            DataDir::scratch(std::env::temp_dir().join(format!("ttb-verifier-{}", std::process::id())))
        });
        Self::build(settings, data)
    }

    /// An app that saves its labels, results, edits and decisions in `dir` and restores them.
    pub fn with_data_dir(settings: Settings, dir: impl Into<PathBuf>) -> Self {
        Self::build(settings, DataDir::persistent(dir.into()))
    }

    fn build(settings: Settings, data: DataDir) -> Self {
        let token = token::load().unwrap_or_default();
        let (events_tx, events_rx) = mpsc::channel();
        let repaint = Repaint::default();
        let loader = {
            let (tx, repaint) = (events_tx.clone(), repaint.clone());
            Loader::start(move |loaded| {
                let _ = tx.send(AppEvent::Loaded(loaded));
                repaint.request();
            })
        };
        let writer = data.is_persistent().then(|| {
            let (tx, repaint) = (events_tx.clone(), repaint.clone());
            Writer::start(
                data.state_path(),
                Arc::new(move |message| {
                    let _ = tx.send(AppEvent::Problem(message));
                    repaint.request();
                }),
            )
        });
        let mut app = Self {
            server_form: (settings.server_url.clone(), token.clone()),
            token,
            pool_workers: settings.effective_workers(),
            ollama: OllamaPanel::new(&settings),
            settings,
            labels: Vec::new(),
            selected: None,
            selected_check: None,
            auto_check_for: None,
            filter: Filter::All,
            pools: HashMap::new(),
            jobs: HashMap::new(),
            next_job: 0,
            next_uid: 0,
            events_tx,
            events_rx,
            repaint,
            writer,
            loader,
            dirty: false,
            last_save: Instant::now(),
            run: None,
            gathering: 0,
            manifest: None,
            preview: None,
            view: Rect::NOTHING,
            view_key: None,
            view_aspect: 1.8,
            form: None,
            list_scroll: (0.0, 0.0),
            scroll_to_selected: false,
            show_settings: false,
            confirm_clear: false,
            applied_theme: None,
            health: None,
            health_intervals: Intervals::default(),
            dialog: None,
            notice: None,
            data,
        };
        if app.data.is_persistent() {
            app.restore();
        }
        app
    }

    fn restore(&mut self) {
        let (state, problem) = store::load_state(&self.data);
        if let Some(problem) = problem {
            self.notice = Some((problem, true));
        }
        self.next_uid = state.next_uid;
        for saved in state.labels {
            let state = match (saved.report, saved.cancelled) {
                (Some(report), _) => LabelState::Done(Box::new(Finished { report, reading: None, preview: None })),
                (None, true) => LabelState::Cancelled,
                (None, false) => LabelState::Queued,
            };
            self.next_uid = self.next_uid.max(saved.uid + 1);
            let mut label = Label::new(saved.uid, saved.path, saved.backend, saved.server, state);
            label.name = saved.name;
            label.application = saved.application;
            label.application_source = saved.application_source;
            label.decision = saved.decision;
            label.note = saved.note;
            self.labels.push(label);
        }
        if !self.labels.is_empty() {
            self.selected = Some(0);
        }
    }

    pub fn labels(&self) -> &[Label] {
        &self.labels
    }

    pub fn selected(&self) -> Option<usize> {
        self.selected
    }

    /// The field of the check highlighted on the image.
    pub fn selected_check(&self) -> Option<&str> {
        self.selected_check.as_deref()
    }

    /// The visible part of the selected label's image (in its pixels) and the boxes of the
    /// highlighted check.
    pub fn evidence_view(&self) -> Option<(Rect, Vec<BBox>)> {
        let label = self.labels.get(self.selected?)?;
        let report = label.report()?;
        let boxes = self
            .selected_check
            .as_deref()
            .and_then(|field| report.checks.iter().find(|c| c.field == field))
            .map(|c| c.boxes.clone())
            .unwrap_or_default();
        Some((self.view, boxes))
    }

    /// Where the app keeps its files.
    pub fn data_dir(&self) -> &Path {
        self.data.root()
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
                let repaint = self.repaint.clone();
                let changed = Arc::new(move || repaint.request());
                self.health = Some(HealthMonitor::start(Arc::new(client), self.health_intervals, changed));
            }
            Err(e) => {
                self.health = None;
                self.notice = Some((e, true));
            }
        }
    }

    /// True while any label waits, runs or is being re-checked, or added paths are being read.
    pub fn is_busy(&self) -> bool {
        self.gathering > 0 || self.labels.iter().any(|l| l.outstanding() || l.rechecking)
    }

    /// Queues images (folders expand to the images inside) with their application data: a row of
    /// the loaded manifest, else the sidecar JSON.
    pub fn add_paths(&mut self, paths: Vec<PathBuf>) {
        let gathered = gather(&paths, self.manifest.as_deref());
        self.add_gathered(gathered, !paths.is_empty());
    }

    fn add_gathered(&mut self, (gathered, problems): (Vec<Gathered>, Vec<String>), asked: bool) {
        let nothing_found = gathered.is_empty() && asked;
        let mut known: HashSet<PathBuf> = self.labels.iter().map(|l| l.path.clone()).collect();
        let mut skipped = 0;
        for item in gathered {
            // Already listed, or named twice in what was added (a file and its folder).
            if !known.insert(item.path.clone()) {
                skipped += 1;
                continue;
            }
            self.push_label(item);
        }
        let mut sentences = Vec::new();
        if nothing_found {
            sentences.push("No label images found in what was added.".to_string());
        }
        sentences.extend(problems.iter().cloned());
        if skipped > 0 {
            sentences.push(format!("{skipped} label(s) already in the list were not added again."));
        }
        if !sentences.is_empty() {
            self.notice = Some((sentences.join(" "), nothing_found || !problems.is_empty()));
        }
        self.dirty = true;
    }

    fn push_label(&mut self, item: Gathered) {
        let uid = self.next_uid;
        self.next_uid += 1;
        let backend = self.settings.backend;
        let server = self.settings.remote.then(|| self.settings.server_url.clone());
        let (application, state) = match item.application {
            Ok(application) => (application, LabelState::Queued),
            Err(e) => {
                let report = Report::error(item.path.display().to_string(), backend.as_str(), e);
                (None, LabelState::Done(Box::new(Finished { report, reading: None, preview: None })))
            }
        };
        let mut label = Label::new(uid, item.path, backend, server, state);
        label.application = application;
        label.application_source = item.source;
        self.labels.push(label);
        if self.selected.is_none() {
            self.selected = Some(self.labels.len() - 1);
        }
    }

    /// Loads a CSV manifest: its rows become the application data of the labels it names, now
    /// and for labels added later. Returns how many labels in the list it matched.
    pub fn load_manifest(&mut self, path: &Path) -> Result<usize, String> {
        let manifest = Manifest::from_path(path).map_err(|e| e.to_string())?;
        Ok(self.apply_manifest(file_name(path), manifest))
    }

    fn apply_manifest(&mut self, name: String, manifest: Manifest) -> usize {
        let mut matched = Vec::new();
        for (index, label) in self.labels.iter_mut().enumerate() {
            if let Some(app) = manifest.lookup(&label.path) {
                label.application = Some(app.clone());
                label.saved = None;
                label.application_source = ApplicationSource::Manifest(name.clone());
                matched.push(index);
            }
        }
        for &index in &matched {
            self.recheck(index);
        }
        self.notice = Some((
            format!(
                "Manifest {name}: application data for {} of {} labels in the list ({} rows).",
                matched.len(),
                self.labels.len(),
                manifest.len()
            ),
            false,
        ));
        self.manifest = Some(Arc::new((name, manifest)));
        self.form = None;
        self.dirty = true;
        matched.len()
    }

    /// Writes the labels in `format` to `path` (what the Export menu does, without its dialog
    /// and its thread). Returns how many labels went in.
    pub fn export(&self, format: Format, path: &Path) -> Result<usize, ExportError> {
        export::write(format, &self.export_rows(), path)
    }

    fn export_rows(&self) -> Vec<Row> {
        self.labels
            .iter()
            .map(|l| Row {
                file: l.path.display().to_string(),
                report: l.report().cloned(),
                decision: l.decision,
                note: l.note.clone(),
                preview: Some(self.data.preview_path(l.uid)).filter(|p| p.is_file()),
            })
            .collect()
    }

    /// Bytes held for the labels, by kind (for the batch benchmark).
    pub fn memory_held(&self) -> HeldMemory {
        let mut held = HeldMemory::default();
        for label in &self.labels {
            if let Some(reading) = &label.reading {
                held.readings_count += 1;
                held.readings += reading.approximate_bytes();
            }
            match &label.thumb {
                Thumb::Image(image) => held.thumbnails += image.pixels.len() * 4,
                Thumb::Texture(texture) => held.thumbnail_textures += texture.size()[0] * texture.size()[1] * 4,
                _ => {}
            }
        }
        if let Some(texture) = self.preview.as_ref().and_then(|p| p.texture.as_ref()) {
            held.preview = texture.size()[0] * texture.size()[1] * 4;
        }
        held
    }

    fn index_of(&self, uid: u64) -> Option<usize> {
        self.labels.iter().position(|l| l.uid == uid)
    }

    /// Hands queued labels to the workers of their backend, starting those workers if needed.
    fn submit_queued(&mut self) {
        let outstanding = self.labels.iter().any(|l| l.job.is_some());
        let workers = self.settings.effective_workers();
        if workers != self.pool_workers && !outstanding {
            // Idle workers stop at once; the next labels get the new number.
            self.pools.clear();
            self.pool_workers = workers;
        }
        let mut submitted = false;
        for index in 0..self.labels.len() {
            let label = &self.labels[index];
            if label.job.is_some() || !matches!(label.state, LabelState::Queued) {
                continue;
            }
            if label.for_local_ollama() && self.ollama.hold(&self.settings).is_some() {
                continue;
            }
            let key = label.pool_key();
            if !self.pools.contains_key(&key) {
                match self.start_pool(&key) {
                    Ok(pool) => {
                        self.pools.insert(key.clone(), pool);
                    }
                    Err(message) => {
                        let label = &mut self.labels[index];
                        let report = Report::error(label.path.display().to_string(), label.backend.as_str(), message);
                        label.state = LabelState::Done(Box::new(Finished { report, reading: None, preview: None }));
                        label.saved = None;
                        continue;
                    }
                }
            }
            let job = self.next_job;
            self.next_job += 1;
            let reply = self.reply_for(job, self.labels[index].uid, self.labels[index].path.clone());
            let label = &mut self.labels[index];
            let Some(pool) = self.pools.get(&key) else { continue };
            pool.submit(Job {
                id: job,
                source: ImageSource::Path(label.path.clone()),
                application: label.application.clone(),
                preview_side: Some(PREVIEW_SIDE),
                reply: Some(reply),
            });
            label.job = Some(job);
            label.stale_application = false;
            self.jobs.insert(job, label.uid);
            submitted = true;
        }
        if submitted && self.run.as_ref().is_none_or(|r| r.ended.is_some()) {
            self.run = Some(Run { started: Instant::now(), finished: 0, ended: None });
        }
    }

    fn start_pool(&self, (server, backend): &PoolKey) -> Result<Pool, String> {
        let mode = match server {
            None if *backend == Backend::Ollama => Mode::Ollama(self.ollama.shared()),
            None => Mode::Local(*backend),
            Some(url) => {
                let token = Some(self.token.clone()).filter(|t| !t.trim().is_empty());
                let client =
                    RemoteClient::new(RemoteConfig { base_url: url.clone(), token }).map_err(|e| e.to_string())?;
                Mode::Remote { client: Arc::new(client), backend: *backend }
            }
        };
        let repaint = self.repaint.clone();
        Ok(Pool::start_mode(mode, self.pool_workers, Some(Arc::new(move || repaint.request())), None))
    }

    /// Runs on the worker with the finished label: saves its preview and thumbnail there, so the
    /// UI thread gets only a small thumbnail and the report.
    fn reply_for(&self, job: u64, uid: u64, image_path: PathBuf) -> Reply {
        let (tx, repaint) = (self.events_tx.clone(), self.repaint.clone());
        let (preview_path, thumb_path) = (self.data.preview_path(uid), self.data.thumb_path(uid));
        Box::new(move |mut result: Box<Finished>| {
            let thumb = result.preview.take().map(|preview| {
                let thumb = store::thumbnail_of(&preview);
                let original = store::Original { path: &image_path, size: result.report.image_size };
                if let Err(e) = store::save_preview(&preview_path, &thumb_path, &preview, &original, &thumb) {
                    tracing::warn!("{e}");
                }
                Arc::new(store::color_image(&thumb))
            });
            let _ = tx.send(AppEvent::Finished { job, result, thumb });
            repaint.request();
        })
    }

    /// Applies the workers' and loaders' events; called once per frame, never blocks.
    pub fn drain_events(&mut self) {
        let mut pool_events = Vec::new();
        for pool in self.pools.values() {
            while let Some(event) = pool.try_next() {
                pool_events.push(event);
            }
        }
        for event in pool_events {
            let (job, state) = match event {
                Event::Started { id } => (id, LabelState::Running { uploaded: None, waiting: None }),
                Event::Uploading { id, sent, total } => {
                    let fraction = if total == 0 { 1.0 } else { sent as f32 / total as f32 };
                    (id, LabelState::Running { uploaded: Some(fraction), waiting: None })
                }
                Event::Waiting { id, message } => (id, LabelState::Running { uploaded: None, waiting: Some(message) }),
                Event::Finished { id, result } => {
                    self.finished(id, result, None);
                    continue;
                }
            };
            if let Some(index) = self.jobs.get(&job).and_then(|uid| self.index_of(*uid))
                && self.labels[index].outstanding()
            {
                self.labels[index].state = state;
            }
        }
        while let Ok(event) = self.events_rx.try_recv() {
            self.app_event(event);
        }
    }

    fn finished(&mut self, job: u64, result: Box<Finished>, thumb: Option<Arc<egui::ColorImage>>) {
        let Some(uid) = self.jobs.remove(&job) else { return };
        let Some(index) = self.index_of(uid) else { return };
        let label = &mut self.labels[index];
        if label.job != Some(job) {
            return;
        }
        label.job = None;
        let Finished { report, reading, preview: _ } = *result;
        if reading.is_some() {
            label.reads += 1;
        }
        label.reading = reading.map(Arc::new);
        if let Some(thumb) = thumb {
            label.thumb = Thumb::Image(thumb);
        }
        label.state = LabelState::Done(Box::new(Finished { report, reading: None, preview: None }));
        label.saved = None;
        if let Some(run) = &mut self.run {
            run.finished += 1;
        }
        if self.preview.as_ref().is_some_and(|p| p.uid == uid) {
            self.preview = None;
        }
        if label.stale_application {
            label.stale_application = false;
            self.recheck(index);
        }
        self.dirty = true;
    }

    fn app_event(&mut self, event: AppEvent) {
        match event {
            AppEvent::Finished { job, result, thumb } => self.finished(job, result, thumb),
            AppEvent::Rechecked { uid, generation, report } => {
                if let Some(index) = self.index_of(uid) {
                    let label = &mut self.labels[index];
                    if label.recheck == generation {
                        label.rechecking = false;
                        label.state =
                            LabelState::Done(Box::new(Finished { report: *report, reading: None, preview: None }));
                        label.saved = None;
                        self.dirty = true;
                    }
                }
            }
            AppEvent::Loaded(Loaded::Preview { uid, image, .. }) => {
                let Some(ctx) = self.repaint.0.get().cloned() else { return };
                if let Some(preview) = self.preview.as_mut().filter(|p| p.uid == uid) {
                    match image {
                        Ok(image) => {
                            preview.texture =
                                Some(ctx.load_texture(format!("preview-{uid}"), image, TextureOptions::LINEAR));
                        }
                        Err(e) => preview.error = Some(e),
                    }
                }
            }
            AppEvent::Loaded(Loaded::Thumb { uid, image }) => {
                if let Some(index) = self.index_of(uid) {
                    self.labels[index].thumb = image.map_or(Thumb::Missing, Thumb::Image);
                }
            }
            AppEvent::Gathered(gathered) => {
                self.gathering = self.gathering.saturating_sub(1);
                self.add_gathered(gathered, true);
            }
            AppEvent::Manifest(result) => match result {
                Ok((name, manifest)) => {
                    self.apply_manifest(name, manifest);
                }
                Err(e) => self.notice = Some((e, true)),
            },
            AppEvent::ApplicationFile { uid, name, result } => match result {
                Ok(app) => {
                    if let Some(index) = self.index_of(uid) {
                        let label = &mut self.labels[index];
                        label.application = Some(app);
                        label.saved = None;
                        label.application_source = ApplicationSource::File(name);
                        self.form = None;
                        self.recheck(index);
                        self.dirty = true;
                    }
                }
                Err(e) => self.notice = Some((e, true)),
            },
            AppEvent::Exported(result) => {
                self.notice = Some(match result {
                    Ok(message) => (message, false),
                    Err(e) => (e, true),
                });
            }
            AppEvent::Problem(message) => self.notice = Some((message, true)),
        }
    }

    /// Checks a label again against its (changed) application data: from the kept OCR reading
    /// when there is one (no new OCR run), else by reading it again.
    fn recheck(&mut self, index: usize) {
        let label = &mut self.labels[index];
        match (&label.state, label.reading.clone()) {
            (LabelState::Queued | LabelState::Running { .. }, _) => label.stale_application = label.job.is_some(),
            (_, Some(reading)) => {
                label.recheck += 1;
                label.rechecking = true;
                let (generation, uid) = (label.recheck, label.uid);
                let (file, application) = (label.path.display().to_string(), label.application.clone());
                let (tx, repaint) = (self.events_tx.clone(), self.repaint.clone());
                let spawned = std::thread::Builder::new().name("recheck".into()).spawn(move || {
                    let report =
                        verify::assess(&reading, &LabelInput { file: &file, application: application.as_ref() });
                    let _ = tx.send(AppEvent::Rechecked { uid, generation, report: Box::new(report) });
                    repaint.request();
                });
                if spawned.is_err() {
                    label.rechecking = false;
                    self.notice =
                        Some(("Could not start a re-check; the label keeps its earlier result.".into(), true));
                }
            }
            (LabelState::Done(_) | LabelState::Cancelled, None) => {
                // The reading is not kept across restarts: read the label again.
                label.state = LabelState::Queued;
                label.saved = None;
            }
        }
    }

    /// Takes every label not yet being read off the queue.
    fn cancel(&mut self) {
        self.cancel_where(|_| true);
    }

    /// Cancels the outstanding labels `which` picks: queued ones are taken off the queue; one
    /// being read by Ollama stops at once (its report says it was cancelled); one Tesseract is
    /// reading finishes.
    fn cancel_where(&mut self, which: impl Fn(&Label) -> bool) {
        let mut by_pool: HashMap<PoolKey, Vec<u64>> = HashMap::new();
        for label in &mut self.labels {
            if !which(label) {
                continue;
            }
            match label.state {
                LabelState::Queued => {
                    if let Some(job) = label.job.take() {
                        self.jobs.remove(&job);
                        by_pool.entry(label.pool_key()).or_default().push(job);
                    }
                    label.state = LabelState::Cancelled;
                    label.saved = None;
                }
                // Its result is still taken when it comes.
                LabelState::Running { .. } => {
                    if let Some(job) = label.job {
                        by_pool.entry(label.pool_key()).or_default().push(job);
                    }
                }
                LabelState::Done(_) | LabelState::Cancelled => {}
            }
        }
        for (key, jobs) in by_pool {
            if let Some(pool) = self.pools.get(&key) {
                pool.cancel(jobs);
            }
        }
        self.dirty = true;
    }

    /// Queues failed and cancelled labels (or the one at `index`) again.
    fn retry(&mut self, index: Option<usize>) {
        for (i, label) in self.labels.iter_mut().enumerate() {
            if index.is_some_and(|x| x != i) || !(label.retryable() || index.is_some() && !label.outstanding()) {
                continue;
            }
            // A sidecar fixed since the first try is read again.
            if matches!(label.application_source, ApplicationSource::Sidecar | ApplicationSource::None)
                && let Ok(app) = Application::sidecar_for(&label.path)
            {
                label.application_source =
                    if app.is_some() { ApplicationSource::Sidecar } else { ApplicationSource::None };
                label.application = app;
            }
            label.state = LabelState::Queued;
            label.saved = None;
            label.reading = None;
            label.job = None;
        }
        self.form = None;
        self.dirty = true;
    }

    fn clear_list(&mut self) {
        self.cancel();
        let files: Vec<PathBuf> =
            self.labels.iter().flat_map(|l| [self.data.preview_path(l.uid), self.data.thumb_path(l.uid)]).collect();
        std::thread::spawn(move || {
            for file in files {
                let _ = std::fs::remove_file(file);
            }
        });
        self.labels.clear();
        self.jobs.clear();
        self.selected = None;
        self.selected_check = None;
        self.preview = None;
        self.form = None;
        self.run = None;
        self.dirty = true;
    }

    fn saved_label(label: &Label) -> SavedLabel {
        SavedLabel {
            uid: label.uid,
            path: label.path.clone(),
            name: label.name.clone(),
            application: label.application.clone(),
            application_source: label.application_source.clone(),
            backend: label.backend,
            server: label.server.clone(),
            report: label.report().cloned(),
            cancelled: matches!(label.state, LabelState::Cancelled),
            decision: label.decision,
            note: label.note.clone(),
        }
    }

    /// The saved state's JSON (a [`store::SavedState`]), from each label's kept JSON where it has
    /// not changed.
    fn state_bytes(&mut self) -> Option<Vec<u8>> {
        let mut out = format!("{{\"next_uid\":{},\"labels\":[", self.next_uid).into_bytes();
        for (i, label) in self.labels.iter_mut().enumerate() {
            if label.saved.is_none() {
                match serde_json::to_string(&Self::saved_label(label)) {
                    Ok(json) => label.saved = Some(json),
                    Err(e) => {
                        tracing::warn!("cannot serialise the labels: {e}");
                        return None;
                    }
                }
            }
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(label.saved.as_deref().unwrap_or("null").as_bytes());
        }
        out.extend_from_slice(b"]}");
        Some(out)
    }

    /// Saves the labels now, waiting for the write (at exit). Returns a message when it failed.
    pub fn save_now(&mut self) -> Result<(), String> {
        if !self.data.is_persistent() {
            return Ok(());
        }
        if let Some(writer) = &mut self.writer {
            writer.finish();
        }
        let bytes = self.state_bytes().ok_or("cannot serialise the labels")?;
        let path = self.data.state_path();
        store::write_atomically(&path, &bytes)
            .map_err(|e| format!("Could not save the labels to {}: {e}", path.display()))?;
        self.dirty = false;
        Ok(())
    }

    fn save_soon(&mut self) {
        if !self.dirty || self.last_save.elapsed() < SAVE_EVERY || self.writer.is_none() {
            return;
        }
        if let Some(bytes) = self.state_bytes()
            && let Some(writer) = &self.writer
        {
            writer.send(bytes);
        }
        self.dirty = false;
        self.last_save = Instant::now();
    }

    /// The labels the filter admits, in list order.
    fn visible(&self) -> Vec<usize> {
        self.labels.iter().enumerate().filter(|(_, l)| self.filter.admits(l)).map(|(i, _)| i).collect()
    }

    fn keyboard(&mut self, ui: &egui::Ui, visible: &[usize], commands: &mut Vec<Command>) {
        if ui.ctx().text_edit_focused() || self.confirm_clear {
            return;
        }
        let pressed = |keys: &[Key]| {
            ui.input_mut(|i| {
                // Every key is consumed, not just the first found.
                let mut any = false;
                for key in keys {
                    any |= i.consume_key(Modifiers::NONE, *key);
                }
                any
            })
        };
        let position = self.selected.and_then(|s| visible.iter().position(|&v| v == s));
        let step = |forward: bool| -> Option<usize> {
            match (position, forward) {
                (None, _) => visible.first().copied(),
                (Some(p), true) => visible.get(p + 1).copied(),
                (Some(p), false) => p.checked_sub(1).and_then(|q| visible.get(q).copied()),
            }
        };
        if pressed(&[Key::ArrowDown, Key::J])
            && let Some(next) = step(true)
        {
            commands.push(Command::Select(next));
            self.scroll_to_selected = true;
        }
        if pressed(&[Key::ArrowUp, Key::K])
            && let Some(previous) = step(false)
        {
            commands.push(Command::Select(previous));
            self.scroll_to_selected = true;
        }
        for (key, decision) in
            [(Key::A, Decision::Approve), (Key::R, Decision::Reject), (Key::B, Decision::BetterImage)]
        {
            if pressed(&[key]) {
                commands.push(Command::Decide(Some(decision)));
            }
        }
    }

    /// The whole window. eframe calls it through `App::ui`; tests call it directly.
    pub fn root_ui(&mut self, ui: &mut egui::Ui) {
        let _ = self.repaint.0.set(ui.ctx().clone());
        if self.applied_theme != Some(self.settings.theme) {
            ui.ctx().set_theme(self.settings.theme.preference());
            self.applied_theme = Some(self.settings.theme);
        }
        self.watch_server();
        let ollama_waiting = self.labels.iter().filter(|l| l.waits_for_local_ollama()).count();
        self.ollama.update(ui.ctx(), &self.settings, ollama_waiting);
        self.submit_queued();
        self.drain_events();
        if let Some(run) = &mut self.run
            && run.ended.is_none()
            && !self.labels.iter().any(Label::outstanding)
        {
            run.ended = Some(Instant::now());
        }
        let mut commands = Vec::new();
        let dropped: Vec<PathBuf> = ui.input(|i| {
            i.raw.dropped_files.iter().map(|f| f.path().to_path_buf()).filter(|p| !p.as_os_str().is_empty()).collect()
        });
        if !dropped.is_empty() {
            commands.push(Command::Add(dropped));
        }
        self.poll_dialog(&mut commands);
        let visible = self.visible();
        self.keyboard(ui, &visible, &mut commands);

        egui::Panel::top("toolbar").show(ui, |ui| self.toolbar_ui(ui, &mut commands));
        if self.settings.backend == Backend::Ollama && !self.settings.remote {
            let busy = self.labels.iter().any(|l| l.for_local_ollama() && l.outstanding());
            let (ollama, settings) = (&mut self.ollama, &mut self.settings);
            let action = egui::Panel::top("ollama").show(ui, |ui| ollama.panel_ui(ui, settings, busy)).inner;
            if action.cancel {
                commands.push(Command::CancelLocalOllama);
            }
        }
        if !self.labels.is_empty() {
            egui::Panel::top("batch").show(ui, |ui| self.batch_ui(ui, &mut commands));
        }
        egui::Panel::bottom("status_bar").show(ui, |ui| self.status_bar_ui(ui, &mut commands));
        egui::Panel::left("labels").default_size(300.0).show(ui, |ui| self.list_ui(ui, &visible, &mut commands));
        egui::CentralPanel::default_margins().show(ui, |ui| self.detail_ui(ui, &mut commands));
        self.settings_window(ui);
        self.confirm_clear_ui(ui, &mut commands);
        if ui.input(|i| !i.raw.hovered_files.is_empty()) {
            drop_overlay(ui);
        }

        for command in commands {
            self.run(command);
        }
        self.save_soon();
    }

    fn poll_dialog(&mut self, commands: &mut Vec<Command>) {
        let Some((kind, promise)) = &self.dialog else { return };
        let Some(picked) = promise.ready() else { return };
        if let Some(paths) = picked.clone() {
            match *kind {
                DialogKind::Images | DialogKind::Folder => commands.push(Command::Add(paths)),
                DialogKind::Manifest => commands.extend(paths.into_iter().map(Command::LoadManifest)),
                DialogKind::Export(format) => commands.extend(paths.into_iter().map(|p| Command::Export(format, p))),
                DialogKind::ApplicationFile(uid) => {
                    for path in paths {
                        let (tx, repaint) = (self.events_tx.clone(), self.repaint.clone());
                        std::thread::spawn(move || {
                            let result = Application::from_path(&path).map_err(|e| e.to_string());
                            let _ = tx.send(AppEvent::ApplicationFile { uid, name: file_name(&path), result });
                            repaint.request();
                        });
                    }
                }
            }
        }
        self.dialog = None;
    }

    fn open_dialog(&mut self, kind: DialogKind) {
        if self.dialog.is_some() {
            return;
        }
        let promise = Promise::spawn_thread("file-dialog", move || {
            let images = ["jpg", "jpeg", "png", "webp", "tif", "tiff", "bmp", "gif"];
            let dialog = rfd::FileDialog::new();
            match kind {
                DialogKind::Images => {
                    dialog.set_title("Choose label images").add_filter("Label images", &images).pick_files()
                }
                DialogKind::Folder => dialog.set_title("Choose a folder of labels").pick_folder().map(|p| vec![p]),
                DialogKind::Manifest => dialog
                    .set_title("Choose a CSV manifest of application data")
                    .add_filter("CSV", &["csv"])
                    .pick_file()
                    .map(|p| vec![p]),
                DialogKind::ApplicationFile(_) => dialog
                    .set_title("Choose the label's application data (JSON)")
                    .add_filter("JSON", &["json"])
                    .pick_file()
                    .map(|p| vec![p]),
                DialogKind::Export(format) => dialog
                    .set_title(format.title())
                    .set_file_name(format!("labels.{}", format.extension()))
                    .add_filter(format.title(), &[format.extension()])
                    .save_file()
                    .map(|p| vec![p]),
            }
        });
        self.dialog = Some((kind, promise));
    }

    fn run(&mut self, command: Command) {
        match command {
            Command::Open(kind) => self.open_dialog(kind),
            Command::Add(paths) => {
                self.notice = None;
                let (manifests, images): (Vec<PathBuf>, Vec<PathBuf>) =
                    paths.into_iter().partition(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")));
                for manifest in manifests {
                    self.run(Command::LoadManifest(manifest));
                }
                if images.is_empty() {
                    return;
                }
                self.gathering += 1;
                let (tx, repaint, manifest) = (self.events_tx.clone(), self.repaint.clone(), self.manifest.clone());
                std::thread::spawn(move || {
                    let _ = tx.send(AppEvent::Gathered(gather(&images, manifest.as_deref())));
                    repaint.request();
                });
            }
            Command::LoadManifest(path) => {
                let (tx, repaint) = (self.events_tx.clone(), self.repaint.clone());
                std::thread::spawn(move || {
                    let result = Manifest::from_path(&path).map(|m| (file_name(&path), m)).map_err(|e| e.to_string());
                    let _ = tx.send(AppEvent::Manifest(result));
                    repaint.request();
                });
            }
            Command::Export(format, path) => {
                let rows = self.export_rows();
                let (tx, repaint) = (self.events_tx.clone(), self.repaint.clone());
                self.notice = Some((format!("Exporting to {}…", path.display()), false));
                std::thread::spawn(move || {
                    let result = export::write(format, &rows, &path)
                        .map(|n| format!("Exported {n} labels to {}.", path.display()))
                        .map_err(|e| e.to_string());
                    let _ = tx.send(AppEvent::Exported(result));
                    repaint.request();
                });
            }
            Command::Select(index) => {
                self.selected = Some(index);
                self.selected_check = None;
                self.auto_check_for = None;
            }
            Command::SelectCheck(index) => {
                let field = self
                    .selected
                    .and_then(|s| self.labels.get(s))
                    .and_then(|l| l.report())
                    .and_then(|r| r.checks.get(index));
                self.selected_check = field.map(|c| c.field.clone());
            }
            Command::Decide(decision) => {
                if let Some(label) = self.selected.and_then(|s| self.labels.get_mut(s)) {
                    label.decision = decision;
                    label.saved = None;
                    self.dirty = true;
                }
            }
            Command::SetBackend(backend) => self.settings.backend = backend,
            Command::UseServer { remote, url, token } => {
                self.settings.remote = remote;
                self.settings.server_url = url.trim().to_string();
                if token != self.token {
                    if let Err(e) = token::save(&token) {
                        self.notice = Some((e, true));
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
            Command::Cancel => self.cancel(),
            Command::CancelLocalOllama => self.cancel_where(Label::for_local_ollama),
            Command::Retry(index) => self.retry(index),
            Command::ClearList => self.clear_list(),
            Command::Recheck(index) => {
                if index < self.labels.len() {
                    self.recheck(index);
                }
            }
            Command::WholeLabel => {
                if let Some(size) = self.selected.and_then(|s| self.labels.get(s)).and_then(|l| l.report()?.image_size)
                {
                    self.view = evidence::whole(size);
                }
            }
        }
    }

    fn toolbar_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        ui.horizontal_wrapped(|ui| {
            let free = self.dialog.is_none();
            if ui
                .add_enabled(free, egui::Button::new("Open images…"))
                .on_hover_text("Choose label images, or drop images or folders onto this window")
                .clicked()
            {
                commands.push(Command::Open(DialogKind::Images));
            }
            if ui.add_enabled(free, egui::Button::new("Open folder…")).clicked() {
                commands.push(Command::Open(DialogKind::Folder));
            }
            if ui
                .add_enabled(free, egui::Button::new("Load manifest…"))
                .on_hover_text("A CSV with a `file` column and one column per application field")
                .clicked()
            {
                commands.push(Command::Open(DialogKind::Manifest));
            }
            ui.add_enabled_ui(free && !self.labels.is_empty(), |ui| {
                ui.menu_button("Export", |ui| {
                    for format in [Format::Csv, Format::Json, Format::Html] {
                        if ui.button(format!("{}…", format.title())).clicked() {
                            commands.push(Command::Open(DialogKind::Export(format)));
                        }
                    }
                });
            });
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
            ui.add(egui::TextEdit::singleline(&mut self.server_form.0).desired_width(180.0)).labelled_by(label.id);
            let label = ui.label("Token");
            ui.add(egui::TextEdit::singleline(&mut self.server_form.1).password(true).desired_width(100.0))
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
            ui.separator();
            ui.toggle_value(&mut self.show_settings, "Settings");
        });
    }

    /// The batch's progress: done / total, labels a minute, time left; cancel and retry.
    fn batch_ui(&self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        let cancelled = self.labels.iter().filter(|l| matches!(l.state, LabelState::Cancelled)).count();
        let total = self.labels.len() - cancelled;
        let left = self.labels.iter().filter(|l| l.outstanding()).count();
        let done = total - left;
        let retryable = self.labels.iter().filter(|l| l.retryable()).count();
        let queued = self.labels.iter().filter(|l| matches!(l.state, LabelState::Queued)).count();
        ui.horizontal(|ui| {
            let mut text = format!("{done} / {total} done");
            if cancelled > 0 {
                text.push_str(&format!(" · {cancelled} cancelled"));
            }
            if let Some(run) = &self.run {
                let elapsed = run.ended.unwrap_or_else(Instant::now).duration_since(run.started).as_secs_f64();
                if run.finished > 0 && elapsed > 0.0 {
                    let per_minute = run.finished as f64 * 60.0 / elapsed;
                    text.push_str(&format!(" · {per_minute:.0} labels a minute"));
                    if left > 0 {
                        text.push_str(&format!(" · about {} left", duration_words(left as f64 * 60.0 / per_minute)));
                    } else if run.ended.is_some() {
                        text.push_str(&format!(" · {} labels in {}", run.finished, duration_words(elapsed)));
                    }
                } else if left > 0 {
                    text.push_str(" · starting…");
                }
            }
            let fraction = if total == 0 { 0.0 } else { done as f32 / total as f32 };
            let bar_width = (ui.available_width() - 320.0).max(200.0);
            ui.add(egui::ProgressBar::new(fraction).text(text).desired_width(bar_width));
            if ui
                .add_enabled(queued > 0, egui::Button::new("Cancel"))
                .on_hover_text("Take the labels not yet being read off the queue")
                .clicked()
            {
                commands.push(Command::Cancel);
            }
            if ui
                .add_enabled(retryable > 0, egui::Button::new(format!("Retry failed ({retryable})")))
                .on_hover_text("Queue the labels that could not be read, or were cancelled, again")
                .clicked()
            {
                commands.push(Command::Retry(None));
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
                    "{done} of {total} verified · {} compliant · {} not compliant · {} need review · {} could not be read · {} decided",
                    count(Status::Compliant),
                    count(Status::NonCompliant),
                    count(Status::NeedsReview),
                    count(Status::Error),
                    self.labels.iter().filter(|l| l.decision.is_some()).count(),
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
            if let Some((notice, is_error)) = &self.notice {
                ui.separator();
                let color = if *is_error { Color32::from_rgb(200, 60, 40) } else { ui.visuals().text_color() };
                ui.colored_label(color, notice);
            }
        });
    }

    fn list_ui(&mut self, ui: &mut egui::Ui, visible: &[usize], commands: &mut Vec<Command>) {
        ui.horizontal(|ui| {
            ui.heading("Labels");
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.add_enabled(!self.labels.is_empty(), egui::Button::new("Clear list…")).clicked() {
                    self.confirm_clear = true;
                }
            });
        });
        ui.horizontal_wrapped(|ui| {
            for filter in Filter::ALL {
                let n = self.labels.iter().filter(|l| filter.admits(l)).count();
                if ui.selectable_label(self.filter == filter, format!("{} ({n})", filter.name())).clicked() {
                    self.filter = filter;
                }
            }
        });
        ui.label(RichText::new("j/k or arrows: move · a: approve · r: reject · b: better image").small().weak());
        ui.separator();
        let row_height = ROW_HEIGHT;
        let spaced = row_height + ui.spacing().item_spacing.y;
        let mut area = egui::ScrollArea::vertical().auto_shrink([false, false]);
        if std::mem::take(&mut self.scroll_to_selected)
            && let Some(position) = self.selected.and_then(|s| visible.iter().position(|&v| v == s))
        {
            let (offset, height) = self.list_scroll;
            let top = position as f32 * spaced;
            if top < offset || top + spaced > offset + height {
                area = area.vertical_scroll_offset((top - height / 2.0).max(0.0));
            }
        }
        let Self { labels, selected, loader, data, .. } = self;
        let ctx = ui.ctx().clone();
        let output = area.show_rows(ui, row_height, visible.len(), |ui, rows| {
            for &index in &visible[rows] {
                let label = &mut labels[index];
                ui.horizontal(|ui| {
                    ui.set_height(row_height);
                    thumb_ui(ui, &ctx, label, loader, data);
                    ui.vertical(|ui| {
                        let is_selected = *selected == Some(index);
                        if ui.selectable_label(is_selected, &label.name).clicked() {
                            commands.push(Command::Select(index));
                        }
                        ui.horizontal(|ui| {
                            match &label.state {
                                LabelState::Queued => {
                                    ui.label(RichText::new("Queued").weak());
                                }
                                // No spinners in the list: they would repaint every frame of a batch.
                                LabelState::Running { waiting, .. } => {
                                    ui.label(
                                        RichText::new(if waiting.is_some() { "Waiting…" } else { "Reading…" }).weak(),
                                    );
                                }
                                LabelState::Done(done) => {
                                    let response = ui.label(status_text(done.report.status));
                                    if let Some(error) = &done.report.error {
                                        response.on_hover_text(error);
                                    }
                                }
                                LabelState::Cancelled => {
                                    ui.label(RichText::new("Cancelled").weak());
                                }
                            }
                            if label.rechecking {
                                ui.label(RichText::new("checking again…").weak());
                            }
                            if let Some(decision) = label.decision {
                                ui.label(
                                    RichText::new(format!("· {}", decision.label())).color(decision_color(decision)),
                                );
                            }
                        });
                    });
                });
            }
        });
        self.list_scroll = (output.state.clamped_offset().y, output.inner_rect.height());
    }

    fn detail_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        let Some(index) = self.selected.filter(|i| *i < self.labels.len()) else {
            ui.centered_and_justified(|ui| {
                ui.heading("Drop label images or folders here, or choose Open images…");
            });
            return;
        };
        let uid = self.labels[index].uid;
        self.prepare_detail(index);
        let label = &mut self.labels[index];

        ui.horizontal(|ui| {
            ui.heading(&label.name);
            if let Some(report) = label.report() {
                ui.label(status_text(report.status).size(18.0));
            }
            if label.rechecking {
                ui.add(egui::Spinner::new());
                ui.label("Checking again…");
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                for decision in Decision::ALL.into_iter().rev() {
                    let chosen = label.decision == Some(decision);
                    let text = RichText::new(decision.button());
                    let text = if chosen { text.color(decision_color(decision)).strong() } else { text };
                    if ui.selectable_label(chosen, text).clicked() {
                        commands.push(Command::Decide(if chosen { None } else { Some(decision) }));
                    }
                }
                ui.label("Decision:");
            });
        });
        ui.horizontal(|ui| {
            let note = ui.label("Note");
            if ui
                .add(
                    egui::TextEdit::singleline(&mut label.note)
                        .hint_text("For the applicant or the file")
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(note.id)
                .changed()
            {
                label.saved = None;
                self.dirty = true;
            }
        });

        egui::Panel::right("application").default_size(360.0).resizable(true).show(ui, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                ui.horizontal(|ui| {
                    ui.strong("Application data");
                    if ui.small_button("Load JSON…").clicked() {
                        commands.push(Command::Open(DialogKind::ApplicationFile(uid)));
                    }
                });
                ui.label(RichText::new(label.application_source.describe(&label.path)).small().weak());
                if let Some(form) = self.form.as_mut().filter(|f| f.uid == uid) {
                    if form.form.ui(ui) {
                        match form.form.to_application() {
                            Ok(app) => {
                                form.error = None;
                                if app != label.application {
                                    label.application = app;
                                    label.application_source = ApplicationSource::Edited;
                                    label.saved = None;
                                    self.dirty = true;
                                    commands.push(Command::Recheck(index));
                                }
                            }
                            Err(e) => form.error = Some(e),
                        }
                    }
                    if let Some(error) = &form.error {
                        ui.colored_label(Color32::from_rgb(200, 60, 40), error);
                    }
                }
                if let Some(report) = label.report()
                    && report.error.is_none()
                {
                    ui.add_space(8.0);
                    ui.strong("Government warning, word by word");
                    evidence::warning_diff_ui(ui, report);
                }
            });
        });

        match &label.state {
            LabelState::Queued => {
                match self.ollama.hold(&self.settings).filter(|_| label.waits_for_local_ollama()) {
                    Some(reason) => {
                        ui.colored_label(Color32::from_rgb(200, 140, 0), format!("Waiting for Ollama: {reason}"))
                    }
                    None => ui.label("Waiting for a worker…"),
                };
                return;
            }
            LabelState::Cancelled => {
                ui.label("Cancelled before it was read.");
                if ui.button("Retry").clicked() {
                    commands.push(Command::Retry(Some(index)));
                }
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
            if ui.button("Retry").clicked() {
                commands.push(Command::Retry(Some(index)));
            }
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
        super::ollama::backend_line_ui(ui, report, label.server.as_deref());
        for warning in &report.warnings {
            ui.label(RichText::new(warning).weak());
        }
        let selected_check = self.selected_check.as_deref();
        egui::Panel::bottom("checks").default_size(ui.available_height() * 0.45).resizable(true).show(ui, |ui| {
            checks_table_ui(ui, &report.checks, selected_check, commands);
        });
        ui.horizontal(|ui| {
            if ui.button("Whole label").clicked() {
                commands.push(Command::WholeLabel);
            }
            ui.label(
                RichText::new("Drag to move · Ctrl+scroll or pinch to zoom · click a box for its check").small().weak(),
            );
        });
        match (&self.preview, report.image_size) {
            (Some(PreviewState { texture: Some(texture), .. }), Some(size)) => {
                let texture = texture.clone();
                self.view_aspect =
                    evidence::scene_ui(ui, &texture, size, report, selected_check, &mut self.view, commands);
            }
            (Some(PreviewState { error: Some(error), .. }), _) => {
                ui.colored_label(Color32::from_rgb(200, 60, 40), format!("The image cannot be shown: {error}"));
            }
            _ => {
                ui.horizontal(|ui| {
                    ui.add(egui::Spinner::new());
                    ui.label("Loading the image…");
                });
            }
        }
    }
}

impl VerifierApp {
    /// Before the detail is drawn: ask for the preview, set up the form, pick the first problem
    /// for the reviewer and bring the highlighted check into view.
    fn prepare_detail(&mut self, index: usize) {
        let label = &self.labels[index];
        let uid = label.uid;
        if self.form.as_ref().is_none_or(|f| f.uid != uid) {
            self.form = Some(FormState {
                uid,
                form: ApplicationForm::from_application(label.application.as_ref()),
                error: None,
            });
        }
        let Some(report) = label.report() else { return };
        if report.error.is_none() && self.preview.as_ref().is_none_or(|p| p.uid != uid) {
            self.preview = Some(PreviewState { uid, texture: None, error: None });
            self.loader.request(LoadRequest::Preview {
                uid,
                preview: self.data.preview_path(uid),
                thumb: self.data.thumb_path(uid),
                image: label.path.clone(),
            });
        }
        if self.auto_check_for != Some(uid) {
            self.selected_check = report.first_problem().map(|c| c.field.clone());
            self.auto_check_for = Some(uid);
        }
        if let Some(size) = report.image_size {
            // The view's shape is part of the key: a resized window frames the check again.
            let key = (uid, self.selected_check.clone(), (self.view_aspect * 20.0).round() as i32);
            if self.view_key.as_ref() != Some(&key) {
                let boxes = self
                    .selected_check
                    .as_deref()
                    .and_then(|field| report.checks.iter().find(|c| c.field == field))
                    .map(|c| c.boxes.as_slice())
                    .unwrap_or_default();
                self.view = evidence::focus(size, boxes, self.view_aspect);
                self.view_key = Some(key);
            }
        }
    }

    fn settings_window(&mut self, ui: &egui::Ui) {
        let mut open = self.show_settings;
        egui::Window::new("Settings").open(&mut open).resizable(false).collapsible(false).show(ui.ctx(), |ui| {
            egui::Grid::new("settings").num_columns(2).spacing([10.0, 8.0]).show(ui, |ui| {
                let label = ui.label("Workers");
                ui.horizontal(|ui| {
                    ui.add(egui::DragValue::new(&mut self.settings.workers).range(0..=64)).labelled_by(label.id);
                    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
                    ui.label(RichText::new(format!("0 = one per core ({cores}); used from the next batch")).weak());
                });
                ui.end_row();
                ui.label("Theme");
                ui.horizontal(|ui| {
                    ui.selectable_value(&mut self.settings.theme, Theme::System, "System");
                    ui.selectable_value(&mut self.settings.theme, Theme::Light, "Light");
                    ui.selectable_value(&mut self.settings.theme, Theme::Dark, "Dark");
                });
                ui.end_row();
                ui.label("Ollama");
                ui.label(
                    RichText::new("address, model and fallback: in the Ollama bar, shown when Ollama is the backend")
                        .weak(),
                );
                ui.end_row();
                ui.label("Saved labels");
                ui.label(RichText::new(self.data.root().display().to_string()).weak());
                ui.end_row();
            });
        });
        self.show_settings = open;
    }

    fn confirm_clear_ui(&mut self, ui: &egui::Ui, commands: &mut Vec<Command>) {
        if !self.confirm_clear {
            return;
        }
        let modal = egui::Modal::new(egui::Id::unique("confirm_clear")).show(ui.ctx(), |ui| {
            ui.heading("Clear the list?");
            ui.label(format!(
                "This removes all {} labels, their results, decisions and notes. Export first if you need them.",
                self.labels.len()
            ));
            ui.horizontal(|ui| {
                if ui.button("Remove all").clicked() {
                    commands.push(Command::ClearList);
                    self.confirm_clear = false;
                }
                if ui.button("Keep them").clicked() {
                    self.confirm_clear = false;
                }
            });
        });
        if modal.should_close() {
            self.confirm_clear = false;
        }
    }
}

impl Drop for VerifierApp {
    /// Closing loses nothing: labels not read yet are saved as queued and read at the next start;
    /// the workers are told to skip them, so closing waits only for the labels being read.
    fn drop(&mut self) {
        let mut by_pool: HashMap<PoolKey, Vec<u64>> = HashMap::new();
        for label in &self.labels {
            if let Some(job) = label.job {
                by_pool.entry(label.pool_key()).or_default().push(job);
            }
        }
        for (key, jobs) in by_pool {
            if let Some(pool) = self.pools.get(&key) {
                pool.cancel(jobs);
            }
        }
        if let Err(e) = self.save_now() {
            tracing::warn!("{e}");
        }
    }
}

/// The list's thumbnail: asked for when first shown, made into a texture on the UI thread only
/// once it is small.
fn thumb_ui(ui: &mut egui::Ui, ctx: &egui::Context, label: &mut Label, loader: &Loader, data: &DataDir) {
    let size = egui::vec2(40.0, ROW_HEIGHT - 4.0);
    if matches!(label.thumb, Thumb::Unknown) && label.report().is_some_and(|r| r.error.is_none()) {
        label.thumb = Thumb::Loading;
        loader.request(LoadRequest::Thumb {
            uid: label.uid,
            preview: data.preview_path(label.uid),
            thumb: data.thumb_path(label.uid),
            image: label.path.clone(),
        });
    }
    if let Thumb::Image(image) = &label.thumb {
        let texture = ctx.load_texture(format!("thumb-{}", label.uid), Arc::clone(image), TextureOptions::LINEAR);
        label.thumb = Thumb::Texture(texture);
    }
    match &label.thumb {
        Thumb::Texture(texture) => {
            let [w, h] = texture.size();
            let fit = (size.x / w.max(1) as f32).min(size.y / h.max(1) as f32);
            let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
            let image_rect = Rect::from_center_size(rect.center(), egui::vec2(w as f32 * fit, h as f32 * fit));
            egui::Image::from_texture((texture.id(), image_rect.size())).paint_at(ui, image_rect);
        }
        _ => {
            let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
            ui.painter().rect_filled(rect.shrink(2.0), 2.0, ui.visuals().faint_bg_color);
        }
    }
}

fn drop_overlay(ui: &egui::Ui) {
    let rect = ui.ctx().content_rect();
    let painter = ui.ctx().layer_painter(egui::LayerId::new(egui::Order::Foreground, egui::Id::unique("drop_overlay")));
    painter.rect_filled(rect, 0.0, Color32::from_black_alpha(160));
    painter.text(
        rect.center(),
        egui::Align2::CENTER_CENTER,
        "Drop label images, folders or a CSV manifest",
        egui::FontId::proportional(24.0),
        Color32::WHITE,
    );
}

fn checks_table_ui(ui: &mut egui::Ui, checks: &[Check], selected: Option<&str>, commands: &mut Vec<Command>) {
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
                let is_selected = selected == Some(check.field.as_str());
                body.row(24.0, |mut row| {
                    row.set_selected(is_selected);
                    row.col(|ui| {
                        if ui.selectable_label(is_selected, field_name(&check.field)).clicked() {
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

pub(crate) fn outcome_color(outcome: Outcome) -> Color32 {
    match outcome {
        Outcome::Pass => Color32::from_rgb(40, 160, 70),
        Outcome::Fail => Color32::from_rgb(215, 50, 40),
        Outcome::Review => Color32::from_rgb(220, 150, 0),
    }
}

fn decision_color(decision: Decision) -> Color32 {
    match decision {
        Decision::Approve => Color32::from_rgb(40, 160, 70),
        Decision::Reject => Color32::from_rgb(215, 50, 40),
        Decision::BetterImage => Color32::from_rgb(90, 140, 230),
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

/// "40 s", "3 min", "1 h 5 min".
fn duration_words(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min", (s + 30) / 60),
        _ => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_words() {
        assert_eq!(duration_words(42.4), "42 s");
        assert_eq!(duration_words(150.0), "3 min");
        assert_eq!(duration_words(3900.0), "1 h 5 min");
    }
}
