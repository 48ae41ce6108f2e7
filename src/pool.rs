//! Worker threads that verify labels: one OCR engine per worker, created once on that worker's
//! thread and reused for every label it takes. The CLI and the desktop app both use it.
//!
//! Jobs go in through [`Pool::submit`]; results come back as [`Event`]s on a channel, and an
//! optional `notify` callback runs after each one (the app asks for a repaint there).
//!
//! In remote mode the workers send each label to the server instead; while the server is busy
//! or unreachable they wait and send it again, so no label is lost.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;
use std::time::Instant;

use image::RgbaImage;

use crate::application::Application;
use crate::ocr::Backend;
use crate::ocr::prepare::{self, DecodeLimits};
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
    /// On this machine, one engine of the backend per worker.
    Local(Backend),
    /// On a ttb-verifier server, with the backend the server should use.
    Remote { client: Arc<RemoteClient>, backend: Backend },
}

impl Mode {
    pub fn backend(&self) -> Backend {
        match self {
            Self::Local(backend) | Self::Remote { backend, .. } => *backend,
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
    stop: Arc<AtomicBool>,
}

/// What every worker of a pool shares.
struct Shared {
    mode: Mode,
    jobs: Mutex<Receiver<Job>>,
    notify: Option<Notify>,
    stop: Arc<AtomicBool>,
    patience: Patience,
}

impl Pool {
    /// Starts `workers` threads (at least one) reading with `backend` on this machine.
    pub fn start(backend: Backend, workers: usize, notify: Option<Notify>) -> Self {
        Self::start_mode(Mode::Local(backend), workers, notify, None)
    }

    /// Starts `workers` threads (at least one) in `mode`.
    pub fn start_mode(mode: Mode, workers: usize, notify: Option<Notify>, patience: Patience) -> Self {
        let (job_tx, job_rx) = mpsc::channel::<Job>();
        let (event_tx, events) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let shared = Arc::new(Shared { mode, jobs: Mutex::new(job_rx), notify, stop: Arc::clone(&stop), patience });
        let workers = (0..workers.max(1))
            .map(|index| {
                let shared = Arc::clone(&shared);
                let event_tx = event_tx.clone();
                std::thread::Builder::new()
                    .name(format!("label-worker-{index}"))
                    .spawn(move || work(&shared, &event_tx))
            })
            .filter_map(Result::ok)
            .collect();
        Self { jobs: Some(job_tx), events, workers, stop }
    }

    pub fn submit(&self, job: Job) {
        if let Some(jobs) = &self.jobs {
            // A send fails only when every worker has gone, which `drop` alone causes.
            let _ = jobs.send(job);
        }
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
        // Closing the job channel lets each worker finish its label and stop; a remote worker
        // waiting to send a label again gives up at once.
        self.stop.store(true, Ordering::Relaxed);
        self.jobs = None;
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

fn work(shared: &Shared, events: &Sender<Event>) {
    let mut engine = match &shared.mode {
        Mode::Local(backend) => Some(backend.create_engine()),
        Mode::Remote { .. } => None,
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
        let _ = events.send(Event::Started { id: job.id });
        notify();
        let started = Instant::now();
        let file = job.source.name();
        let backend = shared.mode.backend();
        let result = match (&shared.mode, engine.as_mut()) {
            (Mode::Local(_), Some(engine)) => {
                let image = match &job.source {
                    ImageSource::Path(path) => prepare::load(path, DecodeLimits::default()),
                    ImageSource::Bytes { bytes, limits, .. } => prepare::decode(bytes, *limits),
                }
                .map_err(|e| e.to_string());
                let preview = preview_of(image.as_ref().ok(), job.preview_side);
                let input = LabelInput { file: &file, application: job.application.as_ref() };
                let (report, reading) = match engine {
                    Ok(engine) => verify::verify_decoded(engine.as_mut(), image, &input, started),
                    Err(e) => (Report::error(&file, backend.as_str(), e.to_string()), None),
                };
                Finished { report, reading, preview }
            }
            (Mode::Remote { client, .. }, _) => remote_label(shared, client, &job, &file, events, &notify),
            (Mode::Local(_), None) => Finished {
                report: Report::error(&file, backend.as_str(), "no OCR engine"),
                reading: None,
                preview: None,
            },
        };
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

fn preview_of(image: Option<&image::DynamicImage>, side: Option<u32>) -> Option<RgbaImage> {
    match (image, side) {
        (Some(image), Some(side)) => Some(image.thumbnail(side, side).to_rgba8()),
        _ => None,
    }
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
    let mut patience = |err: &RemoteError, wait: Duration| {
        if shared.stop.load(Ordering::Relaxed) || shared.patience.is_some_and(|limit| waited + wait > limit) {
            return false;
        }
        let _ = events.send(Event::Waiting { id, message: format!("{err}; trying again in {} s", wait.as_secs()) });
        notify();
        let until = Instant::now() + wait;
        while Instant::now() < until {
            if shared.stop.load(Ordering::Relaxed) {
                return false;
            }
            std::thread::sleep(Duration::from_millis(100).min(until.saturating_duration_since(Instant::now())));
        }
        waited += wait;
        true
    };
    match client.verify_patiently(file, &bytes, job.application.as_ref(), backend, Some(progress), &mut patience) {
        Ok(report) => Finished { report, reading: None, preview },
        Err(err) => Finished { report: Report::error(file, backend.as_str(), err.to_string()), reading: None, preview },
    }
}
