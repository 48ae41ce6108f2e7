//! Worker threads that verify labels: one OCR engine per worker, created once on that worker's
//! thread and reused for every label it takes. The CLI and the desktop app both use it.
//!
//! Jobs go in through [`Pool::submit`]; results come back as [`Event`]s on a channel, and an
//! optional `notify` callback runs after each one (the app asks for a repaint there).
//!
//! In remote mode the workers send each label to the server instead; while the server is busy
//! or unreachable they wait and send it again, so no label is lost.
//!
//! With Ollama, a label the vision model cannot read (Ollama down, no model, too slow, an answer
//! that makes no sense) is read with Tesseract instead when the configuration allows it, and its
//! report says so.
//!
//! [`Pool::cancel`] stops submitted labels: one Ollama is reading drops its request at once, one
//! waiting for a busy or unreachable server stops waiting, queued ones are answered without
//! being read; a label Tesseract is reading finishes.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;
use std::time::Instant;

use image::RgbaImage;

use crate::application::Application;
use crate::ocr::prepare::{self, DecodeLimits};
use crate::ocr::{Backend, CANCELLED, Cancel, OcrEngine, OcrError};
use crate::ollama::{OllamaConfig, OllamaEngine, OllamaError, SharedConfig};
use crate::remote::{RemoteClient, RemoteError};
use crate::report::Report;
use crate::verify::{self, LabelInput, Reading};

/// Where a label's image comes from.
#[derive(Debug, Clone)]
pub enum ImageSource {
    /// A file, read by the worker.
    Path(PathBuf),
    /// Bytes already in memory (an upload), named for the report, decoded within `limits`.
    Bytes { name: String, bytes: Arc<[u8]>, limits: DecodeLimits },
}

impl ImageSource {
    /// The name reports give the label.
    pub fn name(&self) -> String {
        match self {
            Self::Path(path) => path.display().to_string(),
            Self::Bytes { name, .. } => name.clone(),
        }
    }
}

/// Called on the worker's thread with a finished label, instead of sending it as an event.
pub type Reply = Box<dyn FnOnce(Box<Finished>) + Send>;

/// A label to verify.
pub struct Job {
    /// The caller's key for this label; events carry it back.
    pub id: u64,
    pub source: ImageSource,
    pub application: Option<Application>,
    /// Longest side of a preview image to send back with the result; `None` for no preview.
    pub preview_side: Option<u32>,
    /// Where the result goes; `None` sends it as an [`Event::Finished`].
    pub reply: Option<Reply>,
}

impl Job {
    /// A job for an image file whose result comes back as an event.
    pub fn file(id: u64, path: PathBuf, application: Option<Application>) -> Self {
        Self { id, source: ImageSource::Path(path), application, preview_side: None, reply: None }
    }
}

/// Where labels are read.
#[derive(Debug, Clone)]
pub enum Mode {
    /// On this machine, one engine of the backend per worker (Ollama with its settings from the
    /// environment, as [`Backend::create_engine`] reads them).
    Local(Backend),
    /// On this machine with Ollama's vision model, each label with the latest of these settings
    /// (which say whether a label Ollama cannot read falls back to Tesseract).
    Ollama(SharedConfig),
    /// On a ttb-verifier server, with the backend the server should use.
    Remote { client: Arc<RemoteClient>, backend: Backend },
}

impl Mode {
    pub fn backend(&self) -> Backend {
        match self {
            Self::Local(backend) | Self::Remote { backend, .. } => *backend,
            Self::Ollama(_) => Backend::Ollama,
        }
    }
}

/// What a worker reports.
#[derive(Debug)]
pub enum Event {
    Started {
        id: u64,
    },
    /// Remote mode: part of the upload has been sent.
    Uploading {
        id: u64,
        sent: u64,
        total: u64,
    },
    /// Remote mode: the server is busy or unreachable; the label will be sent again.
    Waiting {
        id: u64,
        message: String,
    },
    Finished {
        id: u64,
        result: Box<Finished>,
    },
}

/// A finished label: its report, the OCR reading (to re-check edited application data without a
/// new OCR run; local mode only) and a downscaled preview of the image as stored.
#[derive(Debug)]
pub struct Finished {
    pub report: Report,
    pub reading: Option<Reading>,
    pub preview: Option<RgbaImage>,
}

pub type Notify = Arc<dyn Fn() + Send + Sync>;

/// How long a remote worker keeps a label it cannot deliver; `None` means until the pool is
/// dropped (the app), `Some` gives up after that much waiting (the command line).
pub type Patience = Option<Duration>;

pub struct Pool {
    jobs: Option<Sender<Job>>,
    events: Receiver<Event>,
    workers: Vec<JoinHandle<()>>,
    shared: Arc<Shared>,
}

/// What every worker of a pool shares.
struct Shared {
    mode: Mode,
    jobs: Mutex<Receiver<Job>>,
    notify: Option<Notify>,
    stop: AtomicBool,
    patience: Patience,
    /// Ids of submitted labels that are not finished yet.
    outstanding: Mutex<HashSet<u64>>,
    /// Ids of outstanding labels that were cancelled (see [`Pool::cancel`]).
    cancelled: Mutex<HashSet<u64>>,
    /// Each worker's label: its id ([`NO_JOB`] when idle) and the flag that stops its reading.
    current: Vec<(AtomicU64, Cancel)>,
}

/// A worker's `current` id while it holds no label.
const NO_JOB: u64 = u64::MAX;

impl Shared {
    fn is_cancelled(&self, id: u64) -> bool {
        self.cancelled.lock().is_ok_and(|set| set.contains(&id))
    }

    /// Forgets a finished label (ids may be submitted again later).
    fn forget(&self, id: u64) {
        if let Ok(mut set) = self.outstanding.lock() {
            set.remove(&id);
        }
        if let Ok(mut set) = self.cancelled.lock() {
            set.remove(&id);
        }
    }
}

impl Pool {
    /// Starts `workers` threads (at least one) reading with `backend` on this machine.
    pub fn start(backend: Backend, workers: usize, notify: Option<Notify>) -> Self {
        Self::start_mode(Mode::Local(backend), workers, notify, None)
    }

    /// Starts `workers` threads (at least one) in `mode`.
    pub fn start_mode(mode: Mode, workers: usize, notify: Option<Notify>, patience: Patience) -> Self {
        let (job_tx, job_rx) = mpsc::channel();
        let (event_tx, events) = mpsc::channel();
        let count = workers.max(1);
        let shared = Arc::new(Shared {
            mode,
            jobs: Mutex::new(job_rx),
            notify,
            stop: AtomicBool::new(false),
            patience,
            outstanding: Mutex::new(HashSet::new()),
            cancelled: Mutex::new(HashSet::new()),
            current: (0..count).map(|_| (AtomicU64::new(NO_JOB), Cancel::default())).collect(),
        });
        let workers = (0..count)
            .map(|index| {
                let shared = Arc::clone(&shared);
                let event_tx = event_tx.clone();
                std::thread::Builder::new()
                    .name(format!("label-worker-{index}"))
                    .spawn(move || work(&shared, index, &event_tx))
            })
            .filter_map(Result::ok)
            .collect();
        Self { jobs: Some(job_tx), events, workers, shared }
    }

    pub fn submit(&self, job: Job) {
        if let Some(jobs) = &self.jobs {
            if let Ok(mut set) = self.shared.outstanding.lock() {
                set.insert(job.id);
            }
            // A send fails only when every worker has gone, which `drop` alone causes.
            let _ = jobs.send(job);
        }
    }

    /// Cancels the submitted labels with these ids that have not finished: a label Ollama is
    /// reading stops at once, one waiting for a busy or unreachable server stops waiting, the
    /// queued ones finish without being read. Their reports say [`CANCELLED`] (a reply is still
    /// called). A label Tesseract is reading, or being uploaded, finishes as usual, so a caller
    /// that cancels must still accept its result.
    pub fn cancel(&self, ids: impl IntoIterator<Item = u64>) {
        let ids: HashSet<u64> = match self.shared.outstanding.lock() {
            Ok(outstanding) => ids.into_iter().filter(|id| outstanding.contains(id)).collect(),
            Err(_) => return,
        };
        if let Ok(mut set) = self.shared.cancelled.lock() {
            set.extend(ids.iter().copied());
        }
        for (id, cancel) in &self.shared.current {
            if ids.contains(&id.load(Ordering::SeqCst)) {
                cancel.cancel();
            }
        }
    }

    /// Cancels every label submitted so far that has not finished (see [`Self::cancel`]).
    /// Labels submitted afterwards are read as usual.
    pub fn cancel_all(&self) {
        let ids: Vec<u64> = self.shared.outstanding.lock().map(|set| set.iter().copied().collect()).unwrap_or_default();
        self.cancel(ids);
    }

    /// The next event without waiting.
    pub fn try_next(&self) -> Option<Event> {
        self.events.try_recv().ok()
    }

    /// The next event, waiting for it; `None` once every worker has stopped.
    pub fn next(&self) -> Option<Event> {
        self.events.recv().ok()
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        // Each worker finishes the Tesseract label it holds and stops, taking no other; a
        // remote worker waiting to send a label again gives up at once, and an Ollama request
        // is dropped.
        self.shared.stop.store(true, Ordering::SeqCst);
        self.cancel_all();
        self.jobs = None;
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

/// The engines a worker reads with.
enum Reader {
    Local(Result<Box<dyn OcrEngine>, OcrError>),
    Ollama(OllamaReader),
    Remote,
}

fn work(shared: &Shared, index: usize, events: &Sender<Event>) {
    let (current, cancel) = match shared.current.get(index) {
        Some((current, cancel)) => (current, cancel.clone()),
        None => return,
    };
    let mut reader = match &shared.mode {
        Mode::Local(Backend::Ollama) => match OllamaConfig::from_env() {
            Ok(config) => Reader::Ollama(OllamaReader::new(SharedConfig::new(config), cancel.clone())),
            Err(e) => Reader::Local(Err(OllamaError::Setup(e).into())),
        },
        Mode::Local(backend) => Reader::Local(backend.create_engine()),
        Mode::Ollama(config) => Reader::Ollama(OllamaReader::new(config.clone(), cancel.clone())),
        Mode::Remote { .. } => Reader::Remote,
    };
    let notify = || {
        if let Some(notify) = &shared.notify {
            notify();
        }
    };
    loop {
        let job = {
            let Ok(guard) = shared.jobs.lock() else { return };
            match guard.recv() {
                Ok(job) => job,
                Err(_) => return,
            }
        };
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        // Cleared, then the id published, then the cancelled set read: a cancel in between
        // either finds the id or is in the set, so it is not lost.
        cancel.reset();
        current.store(job.id, Ordering::SeqCst);
        let file = job.source.name();
        let backend = shared.mode.backend();
        let result = if shared.is_cancelled(job.id) {
            Finished { report: Report::error(&file, backend.as_str(), CANCELLED), reading: None, preview: None }
        } else {
            let _ = events.send(Event::Started { id: job.id });
            notify();
            let started = Instant::now();
            match &mut reader {
                Reader::Remote => match &shared.mode {
                    Mode::Remote { client, .. } => remote_label(shared, client, &job, &file, events, &notify),
                    _ => Finished {
                        report: Report::error(&file, backend.as_str(), "no server"),
                        reading: None,
                        preview: None,
                    },
                },
                local => {
                    let image = match &job.source {
                        ImageSource::Path(path) => prepare::load(path, DecodeLimits::default()),
                        ImageSource::Bytes { bytes, limits, .. } => prepare::decode(bytes, *limits),
                    }
                    .map_err(|e| e.to_string());
                    let preview = preview_of(image.as_ref().ok(), job.preview_side);
                    let input = LabelInput { file: &file, application: job.application.as_ref() };
                    let (report, reading) = match local {
                        Reader::Local(Ok(engine)) => verify::verify_decoded(engine.as_mut(), image, &input, started),
                        Reader::Local(Err(e)) => (Report::error(&file, backend.as_str(), e.to_string()), None),
                        Reader::Ollama(ollama) => ollama.verify(image, &input, started),
                        Reader::Remote => (Report::error(&file, backend.as_str(), "no server"), None),
                    };
                    Finished { report, reading, preview }
                }
            }
        };
        current.store(NO_JOB, Ordering::SeqCst);
        shared.forget(job.id);
        let result = Box::new(result);
        match job.reply {
            Some(reply) => reply(result),
            None => {
                if events.send(Event::Finished { id: job.id, result }).is_err() {
                    return;
                }
            }
        }
        notify();
    }
}

/// A worker's Ollama engine, and the Tesseract engine it falls back to (started when first
/// needed).
struct OllamaReader {
    config: SharedConfig,
    cancel: Cancel,
    engine: Result<OllamaEngine, OcrError>,
    tesseract: Option<Result<Box<dyn OcrEngine>, OcrError>>,
}

impl OllamaReader {
    fn new(config: SharedConfig, cancel: Cancel) -> Self {
        let engine = OllamaEngine::new(config.clone(), cancel.clone()).map_err(OcrError::from);
        Self { config, cancel, engine, tesseract: None }
    }

    /// Reads a decoded label with Ollama; when Ollama cannot and the settings allow it, with
    /// Tesseract, the report saying why.
    fn verify(
        &mut self,
        image: Result<image::DynamicImage, String>,
        input: &LabelInput<'_>,
        started: Instant,
    ) -> (Report, Option<Reading>) {
        let image = match image {
            Ok(image) => image,
            // Not an image Tesseract could read either.
            Err(message) => return (Report::error(input.file, Backend::Ollama.as_str(), message), None),
        };
        let fallback = self.config.get().fallback;
        let kept = fallback.then(|| image.clone());
        let (report, reading) = match &mut self.engine {
            Ok(engine) => verify::verify_decoded(engine, Ok(image), input, started),
            Err(e) => (Report::error(input.file, Backend::Ollama.as_str(), e.to_string()), None),
        };
        let Some(image) = kept.filter(|_| reading.is_none() && !self.cancel.is_cancelled()) else {
            return (report, reading);
        };
        let reason = report.error.unwrap_or_default();
        let (mut report, reading) = match self.tesseract.get_or_insert_with(|| Backend::Tesseract.create_engine()) {
            Ok(tesseract) => verify::verify_decoded(tesseract.as_mut(), Ok(image), input, started),
            Err(e) => (Report::error(input.file, Backend::Tesseract.as_str(), e.to_string()), None),
        };
        report
            .warnings
            .insert(0, format!("Ollama could not read this label ({reason}); it was read with Tesseract instead."));
        (report, reading)
    }
}

fn preview_of(image: Option<&image::DynamicImage>, side: Option<u32>) -> Option<RgbaImage> {
    Some(downscaled(image?, side?))
}

/// The image to fit within `side` pixels, for showing: an image that already fits is not
/// resampled (so never enlarged).
pub fn downscaled(image: &image::DynamicImage, side: u32) -> RgbaImage {
    if image.width().max(image.height()) <= side { image.to_rgba8() } else { image.thumbnail(side, side).to_rgba8() }
}

/// Sends one label to the server, waiting and sending again while it is busy or unreachable.
fn remote_label(
    shared: &Shared,
    client: &RemoteClient,
    job: &Job,
    file: &str,
    events: &Sender<Event>,
    notify: &dyn Fn(),
) -> Finished {
    let backend = shared.mode.backend();
    let bytes: Result<Arc<[u8]>, String> = match &job.source {
        ImageSource::Path(path) => std::fs::read(path).map(Arc::from).map_err(|e| format!("cannot read {file}: {e}")),
        ImageSource::Bytes { bytes, .. } => Ok(Arc::clone(bytes)),
    };
    let bytes = match bytes {
        Ok(bytes) => bytes,
        Err(message) => {
            return Finished { report: Report::error(file, backend.as_str(), message), reading: None, preview: None };
        }
    };
    // The preview is made here; whether the image is valid is the server's to say.
    let preview = job.preview_side.and_then(|side| {
        prepare::decode(&bytes, DecodeLimits::default()).ok().and_then(|i| preview_of(Some(&i), Some(side)))
    });
    let id = job.id;
    let progress_events = events.clone();
    let progress_notify = shared.notify.clone();
    let last_percent = Arc::new(std::sync::atomic::AtomicU64::new(u64::MAX));
    let progress: crate::remote::Progress = Arc::new(move |sent, total| {
        // One event per 5 % is plenty for a progress bar.
        let percent = (sent * 100).checked_div(total).unwrap_or(100) / 5;
        if last_percent.swap(percent, Ordering::Relaxed) != percent {
            let _ = progress_events.send(Event::Uploading { id, sent, total });
            if let Some(notify) = &progress_notify {
                notify();
            }
        }
    });
    let mut waited = Duration::ZERO;
    let cancelled = || shared.is_cancelled(job.id);
    let mut patience = |err: &RemoteError, wait: Duration| {
        if shared.stop.load(Ordering::SeqCst)
            || cancelled()
            || shared.patience.is_some_and(|limit| waited + wait > limit)
        {
            return false;
        }
        let _ = events.send(Event::Waiting { id, message: format!("{err}; trying again in {} s", wait.as_secs()) });
        notify();
        let until = Instant::now() + wait;
        while Instant::now() < until {
            if shared.stop.load(Ordering::SeqCst) || cancelled() {
                return false;
            }
            std::thread::sleep(Duration::from_millis(100).min(until.saturating_duration_since(Instant::now())));
        }
        waited += wait;
        true
    };
    match client.verify_patiently(file, &bytes, job.application.as_ref(), backend, Some(progress), &mut patience) {
        Ok(report) => Finished { report, reading: None, preview },
        Err(_) if cancelled() => {
            Finished { report: Report::error(file, backend.as_str(), CANCELLED), reading: None, preview }
        }
        Err(err) => Finished { report: Report::error(file, backend.as_str(), err.to_string()), reading: None, preview },
    }
}
