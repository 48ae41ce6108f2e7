//! `/health` and the background check of Ollama's availability that feeds it.
//!
//! `/health` never waits on Ollama: it reports what the last check found. Tesseract's
//! availability was found once at startup (an engine could start).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use tokio::sync::watch;
use ttb_verifier::api::{BackendHealth, Backends, Capabilities, Health, HealthStatus};
use ttb_verifier::ollama;

use crate::AppState;

pub async fn health(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let health = snapshot(&state);
    let code = if health.status == HealthStatus::Unhealthy { StatusCode::SERVICE_UNAVAILABLE } else { StatusCode::OK };
    (code, Json(health))
}

/// The health document for the current state.
pub fn snapshot(state: &AppState) -> Health {
    let tesseract = state.tesseract.clone();
    let ollama = state.ollama();
    let status = match (tesseract.available, ollama.available) {
        (false, _) => HealthStatus::Unhealthy,
        (true, false) => HealthStatus::Degraded,
        (true, true) => HealthStatus::Healthy,
    };
    let ocr_backends = [("tesseract", &tesseract), ("ollama", &ollama)]
        .into_iter()
        .filter(|(_, health)| health.available)
        .map(|(name, _)| name.to_string())
        .collect();
    Health {
        status,
        capabilities: Capabilities { ocr_backends, degraded_mode: status != HealthStatus::Healthy },
        backends: Backends { tesseract, ollama },
        version: env!("CARGO_PKG_VERSION").to_string(),
        workers: state.ocr.workers(),
        in_flight: state.ocr.in_flight(),
    }
}

/// Checks Ollama now and every `ollama_check_interval`, logging each change.
pub async fn monitor_ollama(state: AppState, mut stop: watch::Receiver<bool>) {
    loop {
        refresh_ollama(&state).await;
        tokio::select! {
            () = tokio::time::sleep(state.config.ollama_check_interval) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Checks Ollama now, records what it found (logging a change) and returns it. The check gives
/// up within [`ollama::CHECK_TIMEOUT`].
pub async fn refresh_ollama(state: &AppState) -> BackendHealth {
    let (host, model) = (&state.config.ollama_host, &state.config.ollama_model);
    let now = match ollama::check_client() {
        Ok(client) => match ollama::availability(&client, host, model).await {
            Ok(()) => BackendHealth::available(),
            Err(error) => BackendHealth::unavailable(error.to_string()),
        },
        Err(error) => {
            BackendHealth::unavailable(format!("Cannot check Ollama: the HTTP client could not start: {error}"))
        }
    };
    let before = state.set_ollama(now.clone());
    if before != now {
        match &now.error {
            None => tracing::info!(%host, %model, "Ollama is available"),
            Some(error) => tracing::warn!(%host, %model, error, "Ollama is unavailable; serving in degraded mode"),
        }
    }
    now
}
