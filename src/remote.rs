//! The client of the ttb-verifier server, used by the desktop app's remote mode and by
//! `verify --server`. Blocking (it runs on worker threads, never on the UI thread).
//!
//! A busy server (503 with `Retry-After`) and an unreachable one are told apart, so callers can
//! wait and retry instead of losing the label; [`RemoteClient::verify_patiently`] does that.

use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::blocking::multipart::{Form, Part};

use crate::api::{self, ErrorBody, Health};
use crate::application::Application;
use crate::ocr::Backend;
use crate::report::Report;

/// Where the server is and how to sign in to it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoteConfig {
    pub base_url: String,
    pub token: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    #[error("the server at {url} cannot be reached: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("the server is busy ({detail}); retry in {} s", retry_after.as_secs())]
    Busy { retry_after: Duration, detail: String },
    #[error("the server refused the label ({status}): {}", body.detail)]
    Rejected { status: u16, body: ErrorBody },
    #[error("the server's answer could not be understood: {0}")]
    Protocol(String),
    #[error("{0}")]
    Config(String),
}

impl RemoteError {
    /// Whether waiting and sending the label again may succeed.
    pub fn is_temporary(&self) -> bool {
        matches!(self, Self::Unreachable { .. } | Self::Busy { .. })
    }
}

/// Upload progress: bytes sent so far, bytes in all.
pub type Progress = Arc<dyn Fn(u64, u64) + Send + Sync>;

pub struct RemoteClient {
    config: RemoteConfig,
    http: reqwest::blocking::Client,
}

impl std::fmt::Debug for RemoteClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteClient").field("base_url", &self.config.base_url).finish_non_exhaustive()
    }
}

/// How long one `/verify` may take: a vision model can take a minute.
const VERIFY_TIMEOUT: Duration = Duration::from_secs(180);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const HEALTH_TIMEOUT: Duration = Duration::from_secs(5);

impl RemoteClient {
    pub fn new(config: RemoteConfig) -> Result<Self, RemoteError> {
        let base = config.base_url.trim().trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(RemoteError::Config(format!(
                "the server address {:?} must start with http:// or https://",
                config.base_url
            )));
        }
        let http = reqwest::blocking::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(VERIFY_TIMEOUT)
            .build()
            .map_err(|e| RemoteError::Config(e.to_string()))?;
        Ok(Self { config: RemoteConfig { base_url: base, token: config.token }, http })
    }

    pub fn base_url(&self) -> &str {
        &self.config.base_url
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.config.base_url)
    }

    fn unreachable(&self, err: &reqwest::Error) -> RemoteError {
        let reason = if err.is_timeout() {
            "no answer in time".to_string()
        } else if err.is_connect() {
            "connection refused or no route".to_string()
        } else {
            err.to_string()
        };
        RemoteError::Unreachable { url: self.config.base_url.clone(), reason }
    }

    /// [`Self::unreachable`] for a request with a streamed upload: one that could not be sent
    /// reports only that its body failed, the connection's own error lost, so a health check
    /// says whether the server is there at all.
    fn upload_failed(&self, err: &reqwest::Error) -> RemoteError {
        if !err.is_body() {
            return self.unreachable(err);
        }
        let reason = match self.health() {
            Err(RemoteError::Unreachable { reason, .. }) => reason,
            _ => format!("the connection broke while the label was sent ({err})"),
        };
        RemoteError::Unreachable { url: self.config.base_url.clone(), reason }
    }

    /// `GET /health`. An unhealthy server answers 503 with the same body, which is returned as
    /// `Ok` too: the body says what is wrong.
    pub fn health(&self) -> Result<Health, RemoteError> {
        let response = self
            .http
            .get(self.url(api::paths::HEALTH))
            .timeout(HEALTH_TIMEOUT)
            .send()
            .map_err(|e| self.unreachable(&e))?;
        let status = response.status();
        let text = response.text().map_err(|e| self.unreachable(&e))?;
        serde_json::from_str(&text)
            .map_err(|e| RemoteError::Protocol(format!("/health answered {status} with an unexpected body ({e})")))
    }

    /// `POST /verify` once. `progress` hears how much of the upload has been sent.
    pub fn verify(
        &self,
        name: &str,
        bytes: &[u8],
        application: Option<&Application>,
        backend: Backend,
        progress: Option<Progress>,
    ) -> Result<Report, RemoteError> {
        let total = bytes.len() as u64;
        let reader = CountingReader { inner: std::io::Cursor::new(bytes.to_vec()), sent: 0, total, progress };
        let file_name = std::path::Path::new(name)
            .file_name()
            .map_or_else(|| "label".to_string(), |n| n.to_string_lossy().into_owned());
        let mut form = Form::new()
            .text(api::fields::OCR_BACKEND, backend.as_str())
            .part(api::fields::IMAGE, Part::reader_with_length(reader, total).file_name(file_name));
        if let Some(application) = application {
            let json = serde_json::to_string(application).map_err(|e| RemoteError::Protocol(e.to_string()))?;
            form = form.text(api::fields::APPLICATION, json);
        }
        let mut request = self.http.post(self.url(api::paths::VERIFY)).multipart(form);
        if let Some(token) = &self.config.token {
            request = request.bearer_auth(token);
        }
        let response = request.send().map_err(|e| self.upload_failed(&e))?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let text = response.text().map_err(|e| self.unreachable(&e))?;
        if status.is_success() {
            let mut report: Report = serde_json::from_str(&text)
                .map_err(|e| RemoteError::Protocol(format!("the report does not parse: {e}")))?;
            report.file = name.to_string();
            return Ok(report);
        }
        let body: ErrorBody = serde_json::from_str(&text).unwrap_or_else(|_| ErrorBody {
            detail: text.chars().take(200).collect(),
            error_code: "unknown".into(),
            correlation_id: String::new(),
        });
        match (status, retry_after) {
            (StatusCode::SERVICE_UNAVAILABLE, Some(secs)) => {
                Err(RemoteError::Busy { retry_after: Duration::from_secs(secs.clamp(1, 300)), detail: body.detail })
            }
            (StatusCode::BAD_GATEWAY | StatusCode::GATEWAY_TIMEOUT, _) => Err(RemoteError::Unreachable {
                url: self.config.base_url.clone(),
                reason: format!("{status}: {}", body.detail),
            }),
            _ => Err(RemoteError::Rejected { status: status.as_u16(), body }),
        }
    }

    /// [`Self::verify`], waiting and sending again while the server is busy (after its
    /// `Retry-After`) or unreachable (backing off from 2 s to 60 s). Gives up when `patience`
    /// says so for the attempt about to wait, returning the last error.
    pub fn verify_patiently(
        &self,
        name: &str,
        bytes: &[u8],
        application: Option<&Application>,
        backend: Backend,
        progress: Option<Progress>,
        patience: &mut dyn FnMut(&RemoteError, Duration) -> bool,
    ) -> Result<Report, RemoteError> {
        let mut backoff = Duration::from_secs(2);
        loop {
            match self.verify(name, bytes, application, backend, progress.clone()) {
                Ok(report) => return Ok(report),
                Err(err) if err.is_temporary() => {
                    let wait = match &err {
                        RemoteError::Busy { retry_after, .. } => *retry_after,
                        _ => {
                            let wait = backoff;
                            backoff = (backoff * 2).min(Duration::from_secs(60));
                            wait
                        }
                    };
                    if !patience(&err, wait) {
                        return Err(err);
                    }
                }
                Err(err) => return Err(err),
            }
        }
    }
}

/// The upload body, telling `progress` how far it has been read.
struct CountingReader {
    inner: std::io::Cursor<Vec<u8>>,
    sent: u64,
    total: u64,
    progress: Option<Progress>,
}

impl Read for CountingReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.sent += n as u64;
        if let Some(progress) = &self.progress {
            progress(self.sent, self.total);
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_that_is_not_there_is_named_as_refused_for_uploads_too() {
        // A port nothing listens on.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let client =
            RemoteClient::new(RemoteConfig { base_url: format!("http://127.0.0.1:{port}"), token: None }).unwrap();
        for result in [
            client.health().map(|_| ()),
            client.verify("label.jpg", b"not sent", None, Backend::Tesseract, None).map(|_| ()),
        ] {
            match result {
                Err(RemoteError::Unreachable { reason, .. }) => {
                    assert_eq!(reason, "connection refused or no route");
                }
                other => panic!("expected unreachable, got {other:?}"),
            }
        }
    }
}
