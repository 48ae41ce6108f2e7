//! The HTTP server of ttb-verifier: label verification over HTTP (axum on tokio), with OCR on a
//! bounded pool of worker threads and durable background jobs for slow backends and batches.
//!
//! It is a thin layer over the root library: the verification itself, the wire types of the
//! report and of this API (`ttb_verifier::api`) live there. What is here is HTTP: parsing and
//! limiting uploads, admission to OCR, the job store, authentication, health.
//!
//! # Layout
//! - [`config`]: configuration from the environment.
//! - [`error`]: `AppError`, the one error type at the boundary, and the correlation id.
//! - `middleware`: correlation id and request log, time limit, bearer token.
//! - `routes`: the handlers; `upload`: multipart forms and image checks; `batch`: ZIP unpacking.
//! - [`ocr`]: admission to the OCR workers.
//! - [`store`]: jobs in SQLite; `jobs`: the job runner and the retention sweep.
//! - `health`: `/health` and the Ollama availability monitor; `openapi`: the API document.
//!
//! [`app`] builds the router for tests without a socket; [`run`] serves it on a listener until
//! a shutdown signal, then finishes the requests in flight.

pub mod config;
pub mod error;
pub mod ocr;
pub mod store;

mod batch;
mod health;
mod jobs;
mod middleware;
mod openapi;
mod routes;
mod upload;

use std::future::Future;
use std::ops::Deref;
use std::path::PathBuf;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tower_http::cors::{AllowOrigin, CorsLayer};
use ttb_verifier::api::{BackendHealth, CORRELATION_HEADER, paths};
use ttb_verifier::ocr::Backend;
use ttb_verifier::ollama::SharedConfig;
use ttb_verifier::pool::Mode;

pub use config::Config;
pub use openapi::DOCUMENT as OPENAPI_DOCUMENT;

use crate::ocr::Ocr;
use crate::store::{Store, StoreError};

/// Room for the multipart framing and the small form fields beside the file.
const FORM_OVERHEAD: u64 = 1024 * 1024;

/// Why the server could not start or serve.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot create {path}: {source}")]
    DataDir { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("serving HTTP failed: {0}")]
    Serve(std::io::Error),
}

/// Everything the handlers share.
pub struct Shared {
    pub config: Config,
    /// Tesseract's workers.
    pub ocr: Ocr,
    /// Ollama's workers (each sends its label to Ollama and waits for the answer).
    pub vision: Ocr,
    pub store: Store,
    /// Whether a Tesseract engine could start, found once at startup.
    pub tesseract: BackendHealth,
    /// Ollama's availability, kept fresh by a background check; requests never wait on Ollama.
    ollama: RwLock<BackendHealth>,
    /// Wake the job runners (Tesseract's, Ollama's) when a job is queued.
    jobs_wakeup: [Notify; 2],
}

/// The handlers' state: cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    /// Creates the data folders, opens the job store and starts the OCR workers. Background
    /// tasks (Ollama checks, job runner, retention) are started by [`run`], not here.
    pub fn new(config: Config, tesseract: BackendHealth) -> Result<Self, ServerError> {
        for dir in [config.data_dir.clone(), config.jobs_dir(), config.spool_dir()] {
            std::fs::create_dir_all(&dir).map_err(|source| ServerError::DataDir { path: dir.clone(), source })?;
        }
        let store = Store::open(&config.database_path())?;
        let ocr = Ocr::start(Mode::Local(Backend::Tesseract), config.workers, config.queue, config.decode_limits());
        let vision = Ocr::start(
            Mode::Ollama(SharedConfig::new(config.ollama())),
            config.ollama_workers,
            2 * config.ollama_workers,
            config.decode_limits(),
        );
        let ollama =
            RwLock::new(BackendHealth::unavailable(format!("Not checked yet (Ollama at {})", config.ollama_host)));
        let shared =
            Shared { config, ocr, vision, store, tesseract, ollama, jobs_wakeup: [Notify::new(), Notify::new()] };
        Ok(Self(Arc::new(shared)))
    }

    /// What wakes the runner of `backend`'s jobs.
    pub fn jobs_wakeup(&self, backend: Backend) -> &Notify {
        &self.jobs_wakeup[usize::from(backend == Backend::Ollama)]
    }

    /// The workers of `backend`.
    pub fn ocr_for(&self, backend: Backend) -> &Ocr {
        match backend {
            Backend::Tesseract => &self.ocr,
            Backend::Ollama => &self.vision,
        }
    }

    pub fn ollama(&self) -> BackendHealth {
        self.ollama.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Records Ollama's availability; returns the previous one.
    pub fn set_ollama(&self, health: BackendHealth) -> BackendHealth {
        let mut guard = self.ollama.write().unwrap_or_else(PoisonError::into_inner);
        std::mem::replace(&mut *guard, health)
    }
}

/// The router with every endpoint, limit and middleware, for a listener or for `oneshot` tests.
pub fn app(state: AppState) -> Router {
    let config = &state.config;
    let image_limit = DefaultBodyLimit::max(to_usize(config.max_file_size.saturating_add(FORM_OVERHEAD)));
    let batch_limit = DefaultBodyLimit::max(to_usize(config.max_batch_upload.saturating_add(FORM_OVERHEAD)));
    let protected = Router::new()
        .route(paths::OPENAPI, get(openapi::document))
        .route(paths::VERIFY, post(routes::verify).layer(image_limit))
        .route(paths::VERIFY_ASYNC, post(routes::verify_async).layer(image_limit))
        .route(paths::VERIFY_BATCH, post(routes::start_batch).layer(batch_limit))
        .route(paths::VERIFY_BATCH_JOB, get(routes::batch_status).delete(routes::cancel_batch))
        .route(paths::VERIFY_STATUS, get(routes::async_status))
        .route(paths::VERIFY_RETRY, post(routes::retry))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), middleware::require_token));
    let router = Router::new()
        .route(paths::HEALTH, get(health::health))
        .merge(protected)
        .fallback(routes::not_found)
        .method_not_allowed_fallback(routes::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::time_limit))
        .layer(axum::middleware::from_fn(middleware::correlate));
    // CORS outermost, so that browsers can also read error answers (401, 413...).
    let router = match cors(config) {
        Some(layer) => router.layer(layer),
        None => router,
    };
    router.with_state(state)
}

fn to_usize(bytes: u64) -> usize {
    usize::try_from(bytes).unwrap_or(usize::MAX)
}

/// No layer when no origin is configured: browsers then refuse cross-origin calls.
fn cors(config: &Config) -> Option<CorsLayer> {
    if config.cors_origins.is_empty() {
        return None;
    }
    let origins = if config.cors_origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        let list: Vec<HeaderValue> = config
            .cors_origins
            .iter()
            .filter_map(|origin| match HeaderValue::from_str(origin) {
                Ok(value) => Some(value),
                Err(_) => {
                    tracing::warn!(origin, "CORS_ORIGINS holds an origin that is not a valid header value; ignored");
                    None
                }
            })
            .collect();
        AllowOrigin::list(list)
    };
    let correlation = HeaderName::from_static(CORRELATION_HEADER);
    Some(
        CorsLayer::new()
            .allow_origin(origins)
            .allow_methods([Method::GET, Method::POST, Method::DELETE])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, correlation.clone()])
            .expose_headers([header::RETRY_AFTER, correlation])
            .max_age(Duration::from_secs(600)),
    )
}

/// Whether a Tesseract engine can start here (its English data present), found by starting one
/// on the blocking pool.
pub async fn check_tesseract() -> BackendHealth {
    let started =
        tokio::task::spawn_blocking(|| Backend::Tesseract.create_engine().map(drop).map_err(|e| e.to_string())).await;
    match started {
        Ok(Ok(())) => BackendHealth::available(),
        Ok(Err(error)) => BackendHealth::unavailable(error),
        Err(join) => BackendHealth::unavailable(format!("Tesseract could not start: {join}")),
    }
}

/// Serves on `listener` until `shutdown` completes, then stops taking connections, finishes the
/// requests in flight, stops the background tasks and waits for the OCR workers.
///
/// Jobs being processed when the server stops stay `processing` in the store and are resumed
/// (finished images kept) at the next start.
pub async fn run(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    let tesseract = check_tesseract().await;
    if let Some(error) = &tesseract.error {
        tracing::error!(error, "Tesseract is unavailable: the server answers /health with 503");
    }
    let state = AppState::new(config, tesseract)?;
    let requeued = state.store.call(|conn| store::requeue_interrupted(conn)).await?;
    if requeued > 0 {
        tracing::info!(jobs = requeued, "resuming jobs interrupted by the last stop");
    }
    for backend in Backend::ALL {
        state.jobs_wakeup(backend).notify_one();
    }

    let (stop, stopped) = watch::channel(false);
    let background = [
        tokio::spawn(health::monitor_ollama(state.clone(), stopped.clone())),
        tokio::spawn(jobs::run_jobs(state.clone(), Backend::Tesseract, stopped.clone())),
        tokio::spawn(jobs::run_jobs(state.clone(), Backend::Ollama, stopped.clone())),
        tokio::spawn(jobs::sweep_expired(state.clone(), stopped)),
    ];
    match listener.local_addr() {
        Ok(addr) => tracing::info!(%addr, workers = state.ocr.workers(), queue = state.config.queue, "listening"),
        Err(error) => tracing::warn!(%error, "listening (address unknown)"),
    }
    let served = axum::serve(listener, app(state.clone())).with_graceful_shutdown(shutdown).await;
    tracing::info!("stopped taking requests; stopping background tasks");

    let _ = stop.send(true);
    for task in background {
        // The job runner may be waiting on an image: its job stays `processing` and resumes at
        // the next start, so stopping it here loses nothing.
        task.abort();
        let _ = task.await;
    }
    for ocr in [&state.ocr, &state.vision] {
        if let Some(pool) = ocr.shut_down() {
            // Dropping a pool joins its workers: Tesseract's finish the label they hold, Ollama's
            // drop their request (a job's image is read again at the next start).
            let _ = tokio::task::spawn_blocking(move || drop(pool)).await;
        }
    }
    tracing::info!("stopped");
    served.map_err(ServerError::Serve)
}
