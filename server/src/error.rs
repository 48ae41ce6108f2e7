//! The one error type at the HTTP boundary: every failure becomes the envelope of CONTRACTS
//! (`detail`, `error_code`, `correlation_id`), and is logged once, here, inside the request's
//! span (which carries the correlation id).

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ttb_verifier::api::ErrorBody;

tokio::task_local! {
    /// The current request's correlation id, set by the correlation middleware.
    pub static CORRELATION_ID: String;
}

/// The current request's correlation id (`-` outside a request).
pub fn correlation_id() -> String {
    CORRELATION_ID.try_with(Clone::clone).unwrap_or_else(|_| "-".into())
}

/// A failed request: status, stable code, a message for the caller, and what only the log
/// should see.
#[derive(Debug)]
pub struct AppError {
    pub status: StatusCode,
    pub code: &'static str,
    pub detail: String,
    /// Seconds for the `Retry-After` header (503 answers).
    pub retry_after: Option<u64>,
    /// The underlying cause, logged but not sent (for 500s).
    pub cause: Option<String>,
}

impl AppError {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self { status, code, detail: detail.into(), retry_after: None, cause: None }
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", detail)
    }

    pub fn not_found(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, detail)
    }

    pub fn job_not_found(id: &str) -> Self {
        Self::not_found(
            "job_not_found",
            format!("No job {id:?} (finished jobs are removed after the retention period)"),
        )
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, detail)
    }

    pub fn too_large(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, code, detail)
    }

    pub fn unsupported_media(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", detail)
    }

    /// 503 with `Retry-After`.
    pub fn unavailable(code: &'static str, detail: impl Into<String>, retry_after: u64) -> Self {
        Self { retry_after: Some(retry_after.max(1)), ..Self::new(StatusCode::SERVICE_UNAVAILABLE, code, detail) }
    }

    pub fn timeout(after: std::time::Duration) -> Self {
        Self::new(
            StatusCode::GATEWAY_TIMEOUT,
            "timeout",
            format!(
                "The request took longer than {:.0} s; for slow backends use POST /verify/async",
                after.as_secs_f64()
            ),
        )
    }

    /// A fault of the server's own: the caller sees a generic message, the log the cause.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self {
            cause: Some(cause.to_string()),
            ..Self::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "The server failed; the log has details under this correlation id",
            )
        }
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.detail)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status.as_u16();
        let cause = self.cause.as_deref().unwrap_or("");
        if self.status.is_server_error() && self.status != StatusCode::SERVICE_UNAVAILABLE {
            tracing::error!(status, error_code = self.code, detail = %self.detail, cause, "request failed");
        } else {
            tracing::warn!(status, error_code = self.code, detail = %self.detail, "request refused");
        }
        let body =
            ErrorBody { detail: self.detail, error_code: self.code.to_string(), correlation_id: correlation_id() };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
