//! The handlers. Each reads and checks its input, then hands over to the OCR gate or the job
//! store; every failure is an [`AppError`].

use std::sync::Arc;

use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::{Method, StatusCode, Uri};
use axum::response::IntoResponse;
use ttb_verifier::api::{AsyncStatus, BatchStatus, BatchSummary, JobAccepted, paths};
use ttb_verifier::ocr::Backend;
use ttb_verifier::report::{Report, Status};
use uuid::Uuid;

use crate::AppState;
use crate::batch;
use crate::error::AppError;
use crate::health;
use crate::store::{self, JobKind, JobRow, NewImage, NewJob, Transition};
use crate::upload;

/// `POST /verify`: one label, answered with its report. With `ocr_backend=ollama` the label is
/// read by the vision model; when Ollama cannot read it because it has become unavailable, the
/// answer is 503 with `Retry-After`, as when it was unavailable before.
pub async fn verify(
    State(state): State<AppState>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Json<Report>, AppError> {
    let form = upload::verify_form(multipart, &state.config).await?;
    require_backend(&state, form.backend)?;
    upload::inspect_image(&form.image, &state.config)?;
    let ocr = state.ocr_for(form.backend);
    let admission = ocr.try_admit().ok_or_else(|| busy(&state, form.backend))?;
    let reply = ocr.verify(admission, form.file_name, Arc::from(form.image), form.application);
    let limit = state.config.image_timeout(form.backend);
    let report = tokio::time::timeout(limit, reply)
        .await
        .map_err(|_| AppError::timeout(limit))?
        .map_err(|_| AppError::unavailable("shutting_down", "The server is shutting down; try again shortly", 5))?;
    if form.backend == Backend::Ollama && report.status == Status::Error {
        // Ollama may have gone since the last check: ask now, and refuse as while it was away.
        health::refresh_ollama(&state).await;
        require_backend(&state, Backend::Ollama)?;
    }
    tracing::info!(status = report.status.as_str(), seconds = report.processing_time_seconds, "verified");
    Ok(Json(report))
}

/// `POST /verify/async`: one label, verified in the background; answers 202 with a job id.
pub async fn verify_async(
    State(state): State<AppState>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<JobAccepted>), AppError> {
    let form = upload::verify_form(multipart, &state.config).await?;
    require_backend(&state, form.backend)?;
    let format = upload::inspect_image(&form.image, &state.config)?;
    require_room_for_job(&state).await?;
    let id = Uuid::new_v4().to_string();
    let dir = state.config.jobs_dir().join(&id);
    let file = format!("{id}/0.{}", upload::extension(format));
    let written = async {
        tokio::fs::create_dir_all(&dir).await?;
        tokio::fs::write(state.config.jobs_dir().join(&file), &form.image).await
    };
    if let Err(error) = written.await {
        let _ = tokio::fs::remove_dir_all(&dir).await;
        return Err(AppError::internal(format!("cannot store the upload: {error}")));
    }
    let job = NewJob {
        id: id.clone(),
        kind: JobKind::Single,
        backend: form.backend.as_str().into(),
        images: vec![NewImage { name: form.file_name, file, application: form.application_json }],
        skipped: Vec::new(),
    };
    queue_job(&state, job).await?;
    Ok(accepted(id, paths::VERIFY_STATUS))
}

/// `POST /verify/batch`: a ZIP of images with optional sidecar JSON; answers 202 with a job id.
pub async fn start_batch(
    State(state): State<AppState>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<JobAccepted>), AppError> {
    let id = Uuid::new_v4().to_string();
    let spool = state.config.spool_dir().join(format!("{id}.zip"));
    let result = start_batch_from(&state, multipart, &id, &spool).await;
    let _ = tokio::fs::remove_file(&spool).await;
    if result.is_err() {
        let _ = tokio::fs::remove_dir_all(state.config.jobs_dir().join(&id)).await;
    }
    result
}

async fn start_batch_from(
    state: &AppState,
    multipart: Result<Multipart, MultipartRejection>,
    id: &str,
    spool: &std::path::Path,
) -> Result<(StatusCode, Json<JobAccepted>), AppError> {
    let backend_name =
        upload::spool_batch(multipart, spool, state.config.max_batch_upload).await?.ok_or_else(|| {
            AppError::bad_request(
                "missing_batch_file",
                "The form has no `batch_file` field: send the ZIP as a file in `batch_file`",
            )
        })?;
    let backend = upload::backend(backend_name.as_deref())?;
    require_backend(state, backend)?;
    require_room_for_job(state).await?;
    let limits = batch::Limits {
        max_images: state.config.max_batch_size,
        max_image_bytes: state.config.max_file_size,
        max_total_bytes: state.config.max_batch_uncompressed,
    };
    let (zip, jobs_dir, job_id) = (spool.to_path_buf(), state.config.jobs_dir(), id.to_string());
    let unpacked = tokio::task::spawn_blocking(move || batch::unpack(&zip, &jobs_dir, &job_id, limits))
        .await
        .map_err(AppError::internal)??;
    tracing::info!(images = unpacked.images.len(), skipped = unpacked.skipped.len(), job_id = id, "batch accepted");
    let job = NewJob {
        id: id.to_string(),
        kind: JobKind::Batch,
        backend: backend.as_str().into(),
        images: unpacked.images,
        skipped: unpacked.skipped,
    };
    queue_job(state, job).await?;
    Ok(accepted(id.to_string(), paths::VERIFY_BATCH_JOB))
}

/// `GET /verify/batch/{id}`.
pub async fn batch_status(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<BatchStatus>, AppError> {
    let (job, reports) = load_job(&state, &id, JobKind::Batch).await?;
    Ok(Json(batch_view(job, reports)))
}

/// `DELETE /verify/batch/{id}`: cancels a pending or running batch (the image being read
/// finishes; no other starts).
pub async fn cancel_batch(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<BatchStatus>, AppError> {
    load_job(&state, &id, JobKind::Batch).await?;
    let key = id.clone();
    match state.store.call(move |conn| store::cancel(conn, &key)).await? {
        Transition::Done => {}
        Transition::NotFound => return Err(AppError::job_not_found(&id)),
        Transition::Refused(status) => {
            return Err(AppError::conflict(
                "not_cancellable",
                format!(
                    "The job has already finished ({}); finished jobs are removed after the retention period",
                    status.as_str()
                ),
            ));
        }
    }
    tracing::info!(job_id = id, "batch cancelled");
    let (job, reports) = load_job(&state, &id, JobKind::Batch).await?;
    Ok(Json(batch_view(job, reports)))
}

/// `GET /verify/status/{id}`.
pub async fn async_status(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<AsyncStatus>, AppError> {
    let (job, reports) = load_job(&state, &id, JobKind::Single).await?;
    Ok(Json(AsyncStatus {
        job_id: job.id,
        status: job.status,
        result: reports.into_iter().next(),
        error: job.error,
        created_at: job.created_at,
        updated_at: job.updated_at,
        attempts: job.attempts,
    }))
}

/// `POST /verify/retry/{id}`: runs a failed job again from its stored upload.
pub async fn retry(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<JobAccepted>), AppError> {
    let job = load_row(&state, &id).await?;
    let key = id.clone();
    match state.store.call(move |conn| store::retry(conn, &key)).await? {
        Transition::Done => {}
        Transition::NotFound => return Err(AppError::job_not_found(&id)),
        Transition::Refused(status) => {
            return Err(AppError::conflict(
                "not_retryable",
                format!("Only a failed job can be retried; this one is {}", status.as_str()),
            ));
        }
    }
    state.jobs_wakeup(Backend::parse(&job.backend).unwrap_or_default()).notify_one();
    tracing::info!(job_id = id, "job queued again");
    let template = if job.kind == JobKind::Batch { paths::VERIFY_BATCH_JOB } else { paths::VERIFY_STATUS };
    Ok(accepted(id, template))
}

pub async fn not_found(method: Method, uri: Uri) -> AppError {
    AppError::not_found("not_found", format!("No endpoint {method} {}; see GET {}", uri.path(), paths::OPENAPI))
}

pub async fn method_not_allowed(method: Method, uri: Uri) -> impl IntoResponse {
    AppError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{} does not take {method}; see GET {}", uri.path(), paths::OPENAPI),
    )
}

/// Refuses a backend that cannot serve now: 503 with `Retry-After`.
fn require_backend(state: &AppState, backend: Backend) -> Result<(), AppError> {
    match backend {
        Backend::Tesseract => match &state.tesseract.error {
            None => Ok(()),
            Some(error) => Err(AppError::unavailable(
                "backend_unavailable",
                format!("The tesseract backend is unavailable: {error}"),
                60,
            )),
        },
        Backend::Ollama => {
            let ollama = state.ollama();
            if ollama.available {
                return Ok(());
            }
            // The next background check may find it back.
            let retry_after = state.config.ollama_check_interval.as_secs().max(1);
            let error = ollama.error.unwrap_or_else(|| "not available".into());
            Err(AppError::unavailable(
                "backend_unavailable",
                format!("The ollama backend is unavailable: {error}"),
                retry_after,
            ))
        }
    }
}

/// 503 for a full OCR gate, with a wait of about the time the labels ahead take.
fn busy(state: &AppState, backend: Backend) -> AppError {
    let ocr = state.ocr_for(backend);
    let rounds = ocr.capacity().div_ceil(ocr.workers()) as u64;
    let seconds_each = match backend {
        Backend::Tesseract => 1,
        Backend::Ollama => state.config.ollama_timeout.as_secs().max(1),
    };
    AppError::unavailable(
        "server_busy",
        format!(
            "Every {} worker is busy and the waiting line is full; try again after Retry-After seconds",
            backend.as_str()
        ),
        (rounds * seconds_each).max(1),
    )
}

async fn require_room_for_job(state: &AppState) -> Result<(), AppError> {
    let waiting = state.store.call(|conn| store::count_unfinished(conn)).await?;
    if waiting >= state.config.max_pending_jobs {
        return Err(AppError::unavailable(
            "server_busy",
            format!("{waiting} jobs are already waiting, the most this server queues; try again later"),
            30,
        ));
    }
    Ok(())
}

async fn queue_job(state: &AppState, job: NewJob) -> Result<(), AppError> {
    let (id, images, backend) = (job.id.clone(), job.images.len(), Backend::parse(&job.backend).unwrap_or_default());
    state.store.call(move |conn| store::insert_job(conn, &job)).await?;
    state.jobs_wakeup(backend).notify_one();
    tracing::info!(job_id = id, images, "job queued");
    Ok(())
}

fn accepted(id: String, template: &str) -> (StatusCode, Json<JobAccepted>) {
    let status_url = Some(paths::with_id(template, &id));
    (StatusCode::ACCEPTED, Json(JobAccepted { job_id: id, status_url }))
}

async fn load_row(state: &AppState, id: &str) -> Result<JobRow, AppError> {
    // Ids are v4 UUIDs; anything else cannot name a job.
    if Uuid::parse_str(id).is_err() {
        return Err(AppError::job_not_found(id));
    }
    let key = id.to_string();
    state.store.call(move |conn| store::job(conn, &key)).await?.ok_or_else(|| AppError::job_not_found(id))
}

/// A job of `kind` and its reports so far, in order.
async fn load_job(state: &AppState, id: &str, kind: JobKind) -> Result<(JobRow, Vec<Report>), AppError> {
    let job = load_row(state, id).await?;
    if job.kind != kind {
        let other = if kind == JobKind::Batch { paths::VERIFY_STATUS } else { paths::VERIFY_BATCH_JOB };
        return Err(AppError::not_found(
            "job_not_found",
            format!(
                "Job {id:?} is not a {} job; see {}",
                if kind == JobKind::Batch { "batch" } else { "single-label" },
                other
            ),
        ));
    }
    let key = id.to_string();
    let images = state.store.call(move |conn| store::images(conn, &key, false)).await?;
    Ok((job, images.into_iter().filter_map(|image| image.report).collect()))
}

fn batch_view(job: JobRow, results: Vec<Report>) -> BatchStatus {
    let summary = job.status.is_finished().then(|| BatchSummary::of(&results, job.total_images));
    BatchStatus {
        job_id: job.id,
        status: job.status,
        total_images: job.total_images,
        processed_images: results.len(),
        results,
        summary,
        skipped: job.skipped,
        error: job.error,
        created_at: job.created_at,
        updated_at: job.updated_at,
    }
}

impl From<crate::store::StoreError> for AppError {
    fn from(error: crate::store::StoreError) -> Self {
        AppError::internal(error)
    }
}
