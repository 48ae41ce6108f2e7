//! Worker threads that verify labels: one OCR engine per worker, created once on that worker's
//! thread and reused for every label it takes. The CLI and the desktop app both use it.
//!
//! Jobs go in through [`Pool::submit`]; results come back as [`Event`]s on a channel, and an
//! optional `notify` callback runs after each one (the app asks for a repaint there).

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Instant;

use image::RgbaImage;

use crate::application::Application;
use crate::ocr::Backend;
use crate::ocr::prepare::{self, DecodeLimits};
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

/// What a worker reports.
#[derive(Debug)]
pub enum Event {
    Started { id: u64 },
    Finished { id: u64, result: Box<Finished> },
}

/// A finished label: its report, the OCR reading (to re-check edited application data without a
/// new OCR run) and a downscaled preview of the image as stored.
#[derive(Debug)]
pub struct Finished {
    pub report: Report,
    pub reading: Option<Reading>,
    pub preview: Option<RgbaImage>,
}

pub type Notify = Arc<dyn Fn() + Send + Sync>;

pub struct Pool {
    jobs: Option<Sender<Job>>,
    events: Receiver<Event>,
    workers: Vec<JoinHandle<()>>,
}

impl Pool {
    /// Starts `workers` threads (at least one) for `backend`.
    pub fn start(backend: Backend, workers: usize, notify: Option<Notify>) -> Self {
        let (job_tx, job_rx) = mpsc::channel::<Job>();
        let (event_tx, events) = mpsc::channel();
        let job_rx = Arc::new(Mutex::new(job_rx));
        let workers = (0..workers.max(1))
            .map(|index| {
                let job_rx = Arc::clone(&job_rx);
                let event_tx = event_tx.clone();
                let notify = notify.clone();
                std::thread::Builder::new()
                    .name(format!("ocr-worker-{index}"))
                    .spawn(move || work(backend, &job_rx, &event_tx, notify.as_ref()))
            })
            .filter_map(Result::ok)
            .collect();
        Self { jobs: Some(job_tx), events, workers }
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
        // Closing the job channel lets each worker finish its label and stop.
        self.jobs = None;
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

fn work(backend: Backend, jobs: &Mutex<Receiver<Job>>, events: &Sender<Event>, notify: Option<&Notify>) {
    let mut engine = backend.create_engine();
    loop {
        let job = {
            let Ok(guard) = jobs.lock() else { return };
            match guard.recv() {
                Ok(job) => job,
                Err(_) => return,
            }
        };
        let _ = events.send(Event::Started { id: job.id });
        let started = Instant::now();
        let file = job.source.name();
        let input = LabelInput { file: &file, application: job.application.as_ref() };
        let image = match &job.source {
            ImageSource::Path(path) => prepare::load(path, DecodeLimits::default()),
            ImageSource::Bytes { bytes, limits, .. } => prepare::decode(bytes, *limits),
        }
        .map_err(|e| e.to_string());
        let preview = match (&image, job.preview_side) {
            (Ok(image), Some(side)) => Some(image.thumbnail(side, side).to_rgba8()),
            _ => None,
        };
        let (report, reading) = match engine.as_mut() {
            Ok(engine) => verify::verify_decoded(engine.as_mut(), image, &input, started),
            Err(e) => (Report::error(&file, backend.as_str(), e.to_string()), None),
        };
        let result = Box::new(Finished { report, reading, preview });
        match job.reply {
            Some(reply) => reply(result),
            None => {
                if events.send(Event::Finished { id: job.id, result }).is_err() {
                    return;
                }
            }
        }
        if let Some(notify) = notify {
            notify();
        }
    }
}
