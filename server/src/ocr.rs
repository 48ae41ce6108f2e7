//! OCR on a bounded pool: the library's worker threads (one engine each, created once on its
//! thread), behind an admission gate of `workers + queue` permits. The server has one for
//! Tesseract and one for Ollama, so slow vision-model labels never hold up Tesseract's.
//!
//! A label holds its permit from admission until its worker has finished with it, even when the
//! request that sent it has given up (timed out, client gone): the gate counts the work really
//! queued on the workers, so the waiting line cannot grow behind the server's back. Synchronous
//! requests that find no permit answer 503 at once ([`Ocr::try_admit`]); background jobs wait
//! for one ([`Ocr::admit`]), at most one per worker at a time, so they never fill the line.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};
use ttb_verifier::application::Application;
use ttb_verifier::ocr::prepare::DecodeLimits;
use ttb_verifier::pool::{ImageSource, Job, Mode, Pool};
use ttb_verifier::report::Report;

pub struct Ocr {
    /// `None` once shut down. A mutex because the pool's event receiver is not `Sync`; it is
    /// held only to hand a job over.
    pool: Mutex<Option<Pool>>,
    permits: Arc<Semaphore>,
    capacity: usize,
    workers: usize,
    limits: DecodeLimits,
    next_id: AtomicU64,
}

/// A place in the gate: admission to OCR for one label, given back when dropped.
pub struct Admission {
    _permit: OwnedSemaphorePermit,
}

impl Ocr {
    /// Starts `workers` workers reading in `mode`, admitting `workers + queue` labels at once.
    pub fn start(mode: Mode, workers: usize, queue: usize, limits: DecodeLimits) -> Self {
        let workers = workers.max(1);
        let capacity = workers + queue;
        Self {
            pool: Mutex::new(Some(Pool::start_mode(mode, workers, None, None))),
            permits: Arc::new(Semaphore::new(capacity)),
            capacity,
            workers,
            limits,
            next_id: AtomicU64::new(1),
        }
    }

    pub fn workers(&self) -> usize {
        self.workers
    }

    /// Labels admitted at once: being read plus waiting.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Labels being read or waiting for a worker.
    pub fn in_flight(&self) -> usize {
        self.capacity.saturating_sub(self.permits.available_permits())
    }

    /// A place if one is free now.
    pub fn try_admit(&self) -> Option<Admission> {
        Arc::clone(&self.permits).try_acquire_owned().ok().map(|permit| Admission { _permit: permit })
    }

    /// Waits for a place; `None` once the pool is shut down.
    pub async fn admit(&self) -> Option<Admission> {
        Arc::clone(&self.permits).acquire_owned().await.ok().map(|permit| Admission { _permit: permit })
    }

    /// Hands a label to the workers. The receiver gets its report, or an error if the pool
    /// was shut down before a worker took it.
    pub fn verify(
        &self,
        admission: Admission,
        name: String,
        bytes: Arc<[u8]>,
        application: Option<Application>,
    ) -> oneshot::Receiver<Report> {
        let (tx, rx) = oneshot::channel();
        let reply = Box::new(move |finished: Box<ttb_verifier::pool::Finished>| {
            // The permit goes back only now that the worker is done with the label.
            drop(admission);
            // The requester may have given up; nothing to do then.
            let _ = tx.send(finished.report);
        });
        let job = Job {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            source: ImageSource::Bytes { name, bytes, limits: self.limits },
            application,
            preview_side: None,
            reply: Some(reply),
        };
        let guard = self.pool.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(pool) = guard.as_ref() {
            // Workers still send a `Started` event for each label; nobody reads those here, so
            // drop them as they come rather than let them pile up.
            while pool.try_next().is_some() {}
            pool.submit(job);
        }
        rx
    }

    /// Stops admitting labels and hands back the pool; dropping it waits for the workers to
    /// finish the labels they hold (call from a blocking context).
    pub fn shut_down(&self) -> Option<Pool> {
        self.permits.close();
        self.pool.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}
