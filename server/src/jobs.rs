//! Background work on stored jobs: the runner that verifies queued jobs' images, and the sweep
//! that removes finished jobs (and their files) after the retention period.
//!
//! Each backend has its own runner, so a batch for the slow vision model never holds up
//! Tesseract's jobs. A runner takes one job at a time, oldest first, and keeps at most one image
//! per worker in its OCR gate, so that synchronous requests always find room in the waiting
//! line. Each report is stored as soon as it is made: a job interrupted by a stop resumes where
//! it was.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::sync::watch;
use tokio::task::JoinSet;
use tracing::Instrument;
use ttb_verifier::api::JobStatus;
use ttb_verifier::application::Application;
use ttb_verifier::ocr::Backend;
use ttb_verifier::report::Report;

use crate::AppState;
use crate::ocr::Admission;
use crate::store::{self, ImageRow};

/// How often the runner looks for jobs even without a wake-up (a safety net).
const POLL: Duration = Duration::from_secs(5);

/// Runs `backend`'s jobs until `stop`.
pub async fn run_jobs(state: AppState, backend: Backend, mut stop: watch::Receiver<bool>) {
    loop {
        loop {
            match state.store.call(move |conn| store::claim_next(conn, backend.as_str())).await {
                Ok(Some(id)) => process(&state, &id, backend).await,
                Ok(None) => break,
                Err(error) => {
                    tracing::error!(%error, "cannot read the job queue");
                    break;
                }
            }
        }
        tokio::select! {
            () = state.jobs_wakeup(backend).notified() => {}
            () = tokio::time::sleep(POLL) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Verifies a claimed job's remaining images and records how it ended.
async fn process(state: &AppState, id: &str, backend: Backend) {
    let span = tracing::info_span!("job", job_id = %id, backend = backend.as_str());
    async {
        let key = id.to_string();
        let images = match state.store.call(move |conn| store::images(conn, &key, true)).await {
            Ok(images) => images,
            Err(error) => {
                tracing::error!(%error, "cannot read the job's images");
                return;
            }
        };
        tracing::info!(images = images.len(), "job started");
        let ocr = state.ocr_for(backend);
        let mut running = JoinSet::new();
        for image in images {
            while running.len() >= ocr.workers() {
                running.join_next().await;
            }
            let key = id.to_string();
            if let Ok(Some(JobStatus::Cancelled)) = state.store.call(move |conn| store::status(conn, &key)).await {
                tracing::info!("job cancelled");
                break;
            }
            let Some(admission) = ocr.admit().await else {
                // Shutting down: the job resumes at the next start.
                return;
            };
            let (state, id) = (state.clone(), id.to_string());
            running.spawn(
                async move {
                    let idx = image.idx;
                    if let Some(report) = verify_stored(&state, backend, admission, image).await {
                        let saved = state.store.call(move |conn| store::save_report(conn, &id, idx, &report)).await;
                        if let Err(error) = saved {
                            tracing::error!(%error, "cannot store a report");
                        }
                    }
                }
                .in_current_span(),
            );
        }
        while running.join_next().await.is_some() {}
        let key = id.to_string();
        match state.store.call(move |conn| store::finish(conn, &key)).await {
            Ok(Some(status)) => tracing::info!(status = status.as_str(), "job finished"),
            Ok(None) => {}
            Err(error) => tracing::error!(%error, "cannot record the end of the job"),
        }
    }
    .instrument(span)
    .await;
}

/// One stored image through OCR. `None` when the pool stopped before reading it (the image
/// stays unread and is read when the job resumes).
async fn verify_stored(state: &AppState, backend: Backend, admission: Admission, image: ImageRow) -> Option<Report> {
    let limit = state.config.image_timeout(backend);
    let name = backend.as_str();
    let bytes = match tokio::fs::read(state.config.jobs_dir().join(&image.file)).await {
        Ok(bytes) => Arc::<[u8]>::from(bytes),
        Err(error) => return Some(Report::error(&image.name, name, format!("The stored upload is missing: {error}"))),
    };
    let application = match image.application.as_deref().map(Application::from_json).transpose() {
        Ok(application) => application,
        Err(error) => return Some(Report::error(&image.name, name, error.to_string())),
    };
    let reply = state.ocr_for(backend).verify(admission, image.name.clone(), bytes, application);
    match tokio::time::timeout(limit, reply).await {
        Ok(Ok(report)) => Some(report),
        Ok(Err(_)) => None,
        Err(_) => Some(Report::error(
            &image.name,
            name,
            format!("Verification took longer than {:.0} s", limit.as_secs_f64()),
        )),
    }
}

pub async fn sweep_expired(state: AppState, mut stop: watch::Receiver<bool>) {
    loop {
        sweep_once(&state).await;
        tokio::select! {
            () = tokio::time::sleep(state.config.sweep_interval) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Removes jobs finished longer than the retention ago, their files, and files no job owns
/// (an upload cut short, or a job removed while its files were busy).
pub async fn sweep_once(state: &AppState) {
    let retention = i64::try_from(state.config.retention.as_secs()).unwrap_or(i64::MAX);
    let cutoff = store::now().saturating_sub(retention);
    let removed = match state.store.call(move |conn| store::remove_finished_before(conn, cutoff)).await {
        Ok(removed) => removed,
        Err(error) => {
            tracing::error!(%error, "cannot remove expired jobs");
            return;
        }
    };
    for id in &removed {
        remove_dir(&state.config.jobs_dir().join(id)).await;
    }
    if !removed.is_empty() {
        tracing::info!(jobs = removed.len(), "removed expired jobs");
    }

    // An upload still being written is younger than the longest a request may take.
    let settled = state.config.request_timeout + Duration::from_secs(60);
    for (dir, is_job_dir) in [(state.config.jobs_dir(), true), (state.config.spool_dir(), false)] {
        let Ok(mut entries) = tokio::fs::read_dir(&dir).await else { continue };
        while let Ok(Some(entry)) = entries.next_entry().await {
            let old = entry
                .metadata()
                .await
                .and_then(|m| m.modified())
                .ok()
                .and_then(|modified| SystemTime::now().duration_since(modified).ok())
                .is_some_and(|age| age > settled);
            if !old {
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            if is_job_dir {
                let owned = state.store.call(move |conn| store::exists(conn, &name)).await.unwrap_or(true);
                if !owned {
                    remove_dir(&entry.path()).await;
                }
            } else if let Err(error) = tokio::fs::remove_file(entry.path()).await {
                tracing::warn!(%error, path = %entry.path().display(), "cannot remove a stale upload");
            }
        }
    }
}

async fn remove_dir(path: &std::path::Path) {
    match tokio::fs::remove_dir_all(path).await {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => tracing::warn!(%error, path = %path.display(), "cannot remove a job's files"),
    }
}
