//! The server's wire types, shared by the server (`ttb-verifier-server`) and its clients (the
//! desktop app's remote mode, `verify --server`). The HTTP API itself is described in the shared
//! CONTRACTS and in the server's OpenAPI document (`GET /openapi.json`).
//!
//! Plain serde types only: no HTTP framework or async runtime here, so any client can use them.
//! Field names are a contract: add fields (with `#[serde(default)]`, so older servers still
//! parse), never rename one.

use serde::{Deserialize, Serialize};

use crate::report::Report;

/// Paths of the server's endpoints. `{id}` stands for a job id.
pub mod paths {
    pub const HEALTH: &str = "/health";
    pub const OPENAPI: &str = "/openapi.json";
    pub const VERIFY: &str = "/verify";
    pub const VERIFY_ASYNC: &str = "/verify/async";
    pub const VERIFY_BATCH: &str = "/verify/batch";
    /// `GET` a batch's status, `DELETE` to cancel it.
    pub const VERIFY_BATCH_JOB: &str = "/verify/batch/{id}";
    pub const VERIFY_STATUS: &str = "/verify/status/{id}";
    pub const VERIFY_RETRY: &str = "/verify/retry/{id}";

    /// `template` with `{id}` replaced by `id`.
    pub fn with_id(template: &str, id: &str) -> String {
        template.replace("{id}", id)
    }
}

/// Names of the multipart form fields.
pub mod fields {
    /// The label image (`/verify`, `/verify/async`).
    pub const IMAGE: &str = "image";
    /// `tesseract` (default) or `ollama`.
    pub const OCR_BACKEND: &str = "ocr_backend";
    /// Application data as a JSON string (either shape of CONTRACTS).
    pub const APPLICATION: &str = "application";
    /// The earlier service's name for [`APPLICATION`]; accepted too.
    pub const GROUND_TRUTH: &str = "ground_truth";
    /// The ZIP of images and sidecar JSON (`/verify/batch`).
    pub const BATCH_FILE: &str = "batch_file";
}

/// Response header carrying the id that also appears in the server's log lines for the request.
pub const CORRELATION_HEADER: &str = "x-correlation-id";

/// `GET /health`. `status` follows the backends: see [`HealthStatus`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Health {
    pub status: HealthStatus,
    pub backends: Backends,
    pub capabilities: Capabilities,
    /// The server's version.
    #[serde(default)]
    pub version: String,
    /// OCR workers, and labels being read or waiting for a worker right now.
    #[serde(default)]
    pub workers: usize,
    #[serde(default)]
    pub in_flight: usize,
}

/// `healthy`: every backend available; `degraded`: Tesseract is, Ollama is not (HTTP 200);
/// `unhealthy`: Tesseract is not (HTTP 503).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HealthStatus {
    Healthy,
    Degraded,
    Unhealthy,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Backends {
    pub tesseract: BackendHealth,
    pub ollama: BackendHealth,
}

/// One backend's availability; `error` says why it is not available.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendHealth {
    pub available: bool,
    pub error: Option<String>,
}

impl BackendHealth {
    pub fn available() -> Self {
        Self { available: true, error: None }
    }

    pub fn unavailable(error: impl Into<String>) -> Self {
        Self { available: false, error: Some(error.into()) }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capabilities {
    /// The backends a request can use now (`tesseract`, `ollama`).
    pub ocr_backends: Vec<String>,
    /// True when some backend is unavailable.
    pub degraded_mode: bool,
}

/// The body of every error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// What went wrong, for a person.
    pub detail: String,
    /// A stable machine-readable code, such as `payload_too_large` or `server_busy`.
    pub error_code: String,
    /// Also in the `x-correlation-id` header and in the server's log line for this request.
    pub correlation_id: String,
}

/// `202 Accepted` for `/verify/async`, `/verify/batch` and `/verify/retry/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobAccepted {
    pub job_id: String,
    /// Where to poll the job's status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_url: Option<String>,
}

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    Pending,
    Processing,
    Completed,
    Failed,
    Cancelled,
}

impl JobStatus {
    pub const ALL: [JobStatus; 5] = [Self::Pending, Self::Processing, Self::Completed, Self::Failed, Self::Cancelled];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Processing => "processing",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether the job will not change any more (unless retried).
    pub fn is_finished(self) -> bool {
        matches!(self, Self::Completed | Self::Failed | Self::Cancelled)
    }
}

/// `GET /verify/status/{id}`: one label verified in the background.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AsyncStatus {
    pub job_id: String,
    pub status: JobStatus,
    /// The report once the job has finished (also for a failed job: its `error` says why).
    pub result: Option<Report>,
    /// Why the job failed.
    pub error: Option<String>,
    /// Unix seconds.
    #[serde(default)]
    pub created_at: i64,
    #[serde(default)]
    pub updated_at: i64,
    /// How many times the job was run (retries add one).
    #[serde(default)]
    pub attempts: u32,
}

/// `GET /verify/batch/{id}` and `DELETE /verify/batch/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchStatus {
    pub job_id: String,
    pub status: JobStatus,
    pub total_images: usize,
    pub processed_images: usize,
    /// Reports so far, in the ZIP's order.
    pub results: Vec<Report>,
    /// Present once the job has finished.
    pub summary: Option<BatchSummary>,
    /// Entries of the ZIP that were not verified, and why (not an image, a hidden file...).
    #[serde(default)]
    pub skipped: Vec<SkippedEntry>,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub created_at: i64,
    #[serde(default)]
    pub updated_at: i64,
}

/// Counts of a finished batch's verdicts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BatchSummary {
    pub total: usize,
    pub compliant: usize,
    pub non_compliant: usize,
    pub needs_review: usize,
    pub errors: usize,
    /// Images not verified because the job was cancelled first.
    #[serde(default)]
    pub not_processed: usize,
    /// Sum of the reports' processing times.
    pub processing_time_seconds: f64,
}

impl BatchSummary {
    /// Counts `reports` of a batch of `total` images.
    pub fn of(reports: &[Report], total: usize) -> Self {
        use crate::report::Status;
        let count = |status: Status| reports.iter().filter(|r| r.status == status).count();
        Self {
            total,
            compliant: count(Status::Compliant),
            non_compliant: count(Status::NonCompliant),
            needs_review: count(Status::NeedsReview),
            errors: count(Status::Error),
            not_processed: total.saturating_sub(reports.len()),
            processing_time_seconds: reports.iter().map(|r| r.processing_time_seconds).sum(),
        }
    }
}

/// A ZIP entry the batch did not verify.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedEntry {
    pub name: String,
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_has_the_runbook_shape() {
        let health = Health {
            status: HealthStatus::Degraded,
            backends: Backends {
                tesseract: BackendHealth::available(),
                ollama: BackendHealth::unavailable("Model 'llama3.2-vision' not found"),
            },
            capabilities: Capabilities { ocr_backends: vec!["tesseract".into()], degraded_mode: true },
            version: "0.1.0".into(),
            workers: 2,
            in_flight: 0,
        };
        let json = serde_json::to_value(&health).unwrap();
        assert_eq!(json["status"], "degraded");
        assert_eq!(json["backends"]["tesseract"]["available"], true);
        assert!(json["backends"]["tesseract"]["error"].is_null());
        assert_eq!(json["backends"]["ollama"]["error"], "Model 'llama3.2-vision' not found");
        assert_eq!(json["capabilities"]["ocr_backends"][0], "tesseract");
        assert_eq!(json["capabilities"]["degraded_mode"], true);

        // The runbook's example, without the fields added since, still parses.
        let runbook = r#"{"status": "healthy",
            "backends": {"tesseract": {"available": true, "error": null},
                         "ollama": {"available": true, "error": null}},
            "capabilities": {"ocr_backends": ["tesseract", "ollama"], "degraded_mode": false}}"#;
        let parsed: Health = serde_json::from_str(runbook).unwrap();
        assert_eq!(parsed.status, HealthStatus::Healthy);
    }

    #[test]
    fn job_status_names() {
        for status in JobStatus::ALL {
            let json = serde_json::to_value(status).unwrap();
            assert_eq!(json, status.as_str());
            assert_eq!(JobStatus::parse(status.as_str()), Some(status));
        }
        assert!(JobStatus::Cancelled.is_finished());
        assert!(!JobStatus::Processing.is_finished());
        assert_eq!(paths::with_id(paths::VERIFY_STATUS, "abc"), "/verify/status/abc");
    }
}
