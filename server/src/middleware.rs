//! Request middleware: the correlation id and request log, the per-request time limit, and the
//! bearer token.

use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tracing::Instrument;
use ttb_verifier::api::{CORRELATION_HEADER, paths};
use ttb_verifier::ocr::Backend;

use crate::AppState;
use crate::error::{AppError, CORRELATION_ID};

/// Gives each request a correlation id (the caller's own `x-correlation-id` when it sends a
/// sane one, else a new one), runs it inside a span carrying the id so that every log line of
/// the request shows it, returns the id in the `x-correlation-id` header, and logs one line
/// per answer.
pub async fn correlate(request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(CORRELATION_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| is_sane_id(v))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    let path = request.uri().path().to_string();
    let span = tracing::info_span!("request", correlation_id = %id, method = %request.method(), path = %path);
    let started = Instant::now();
    let mut response = CORRELATION_ID.scope(id.clone(), next.run(request)).instrument(span.clone()).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(CORRELATION_HEADER, value);
    }
    let status = response.status().as_u16();
    let ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    span.in_scope(|| {
        // Container health checks call /health every few seconds: keep them out of `info`.
        if path == paths::HEALTH {
            tracing::debug!(status, ms, "answered");
        } else {
            tracing::info!(status, ms, "answered");
        }
    });
    response
}

fn is_sane_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Answers 504 with the envelope when a request takes longer than the configured time. What
/// the request had handed to an OCR worker still finishes there (and keeps its place in the
/// admission gate until then).
///
/// `POST /verify` may wait for a vision model's answer, so its outer limit also allows for
/// that; the handler holds each backend to its own limit once it knows which was asked for.
pub async fn time_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let limit = if request.uri().path() == paths::VERIFY {
        state.config.request_timeout + state.config.image_timeout(Backend::Ollama)
    } else {
        state.config.request_timeout
    };
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => AppError::timeout(limit).into_response(),
    }
}

/// When a token is configured, requires `Authorization: Bearer <token>`.
pub async fn require_token(State(state): State<AppState>, request: Request, next: Next) -> Result<Response, AppError> {
    let Some(expected) = state.config.api_token.as_deref() else {
        return Ok(next.run(request).await);
    };
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    let refusal = match given {
        Some(token) if same_secret(token.as_bytes(), expected.as_bytes()) => return Ok(next.run(request).await),
        Some(_) => AppError::unauthorized("The bearer token is not valid"),
        None => AppError::unauthorized("This server requires the header Authorization: Bearer <token>"),
    };
    // Read the upload (within a bound) before refusing: a connection closed while the client is
    // still sending loses the 401, and the client sees a broken connection instead.
    let _ = axum::body::to_bytes(request.into_body(), REFUSED_BODY_LIMIT).await;
    Err(refusal)
}

/// Most of a refused request's body that is read (and dropped) before the refusal is sent.
const REFUSED_BODY_LIMIT: usize = 16 * 1024 * 1024;

/// Compares without stopping at the first difference, so the time taken does not tell how much
/// of a guess was right.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    let mut diff = u8::from(a.len() != b.len());
    for (i, x) in a.iter().enumerate() {
        diff |= x ^ b.get(i % b.len().max(1)).copied().unwrap_or(0);
    }
    diff == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abc", b"abd"));
        assert!(!same_secret(b"abc", b"abcd"));
        assert!(!same_secret(b"", b"a"));
        assert!(!same_secret(b"abcabc", b"abc"));
    }

    #[test]
    fn correlation_ids_from_callers_are_checked() {
        assert!(is_sane_id("3f2a-bb_01"));
        assert!(!is_sane_id(""));
        assert!(!is_sane_id("has space"));
        assert!(!is_sane_id(&"x".repeat(65)));
    }
}
