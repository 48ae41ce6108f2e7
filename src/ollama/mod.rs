//! The Ollama backend: a vision model read through an Ollama server, as an [`OcrEngine`]
//! (`OllamaEngine`), and the availability check the server's `/health` and the app show.
//!
//! What is used of Ollama's HTTP API (its `docs/api.md`):
//! - `GET /api/tags` lists the models the server has (`{"models": [{"name": "llama3.2-vision:latest", ...}]}`).
//! - `POST /api/chat` with `"stream": false` answers one JSON object whose `message.content` is
//!   the model's text. The label goes as a base64 image in the user message's `images`;
//!   `format` holds a JSON schema, which makes the content a JSON object of that shape;
//!   `options.temperature` is kept low so the model transcribes rather than invents;
//!   `keep_alive` keeps the model loaded between the labels of a batch.
//! - Errors answer `{"error": "..."}`; a model the server does not have answers 404.
//!
//! The answer ([`answer::LabelAnswer`]) holds the label's fields and the warning, each verbatim;
//! its lines become an [`OcrPage`](crate::ocr::OcrPage), so the same checks judge it as judge
//! Tesseract's words. A transcription has no positions: its reports show no boxes, and the
//! warning header's weight is left to the reviewer (see [`crate::verify`]).
//!
//! This module is not the server's or the app's policy (when to fall back to Tesseract, how often
//! to check): those live in [`crate::pool`], the server and the app.
//!
//! [`OcrEngine`]: crate::ocr::OcrEngine

pub mod answer;
mod engine;

use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use serde::Deserialize;

pub use engine::OllamaEngine;

pub const DEFAULT_URL: &str = "http://localhost:11434";
pub const DEFAULT_MODEL: &str = "llama3.2-vision";

/// How long the availability check waits to connect, and for the whole answer: `/health` must
/// stay quick even when Ollama is down or slow.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// Where Ollama is and how to ask it.
#[derive(Debug, Clone, PartialEq)]
pub struct OllamaConfig {
    /// Base URL, without a trailing slash (`http://localhost:11434`).
    pub base_url: String,
    /// The vision model (`llama3.2-vision`; a tag such as `:11b` may follow).
    pub model: String,
    pub connect_timeout: Duration,
    /// Total time for one label: upload, the model's reading (30-60 s on a CPU), the answer.
    pub timeout: Duration,
    /// How long Ollama keeps the model loaded after a label, as Ollama reads it: a duration
    /// (`"30m"`, `"1h"`), seconds (`"600"`), `"0"` to unload at once, a negative value for ever.
    pub keep_alive: String,
    /// Longest side of the image sent. llama3.2-vision reads at most 2 x 2 tiles of 560 pixels,
    /// so more pixels only cost upload and decoding time.
    pub max_image_side: u32,
    /// Sampling temperature; 0 makes the model read the same label the same way each time.
    pub temperature: f32,
    /// When Ollama cannot read a label (unreachable, no model, timeout, an answer that makes no
    /// sense), read it with Tesseract instead; the report says so. The reviewer chooses this.
    pub fallback: bool,
}

impl Default for OllamaConfig {
    fn default() -> Self {
        Self {
            base_url: DEFAULT_URL.into(),
            model: DEFAULT_MODEL.into(),
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(60),
            keep_alive: "30m".into(),
            max_image_side: 1120,
            temperature: 0.0,
            fallback: false,
        }
    }
}

impl OllamaConfig {
    /// The defaults with `OLLAMA_HOST`, `OLLAMA_MODEL` and `OLLAMA_TIMEOUT_SECONDS` from the
    /// environment (unset or empty variables keep their defaults).
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// [`Self::from_env`] reading variables through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let get = |name: &str| lookup(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let mut config = Self::default();
        if let Some(host) = get("OLLAMA_HOST") {
            config.base_url = normalize_url(&host);
        }
        if let Some(model) = get("OLLAMA_MODEL") {
            config.model = model;
        }
        if let Some(seconds) = get("OLLAMA_TIMEOUT_SECONDS") {
            config.timeout = seconds
                .parse::<f64>()
                .ok()
                .filter(|s| s.is_finite() && *s > 0.0)
                .map(Duration::from_secs_f64)
                .ok_or_else(|| format!("OLLAMA_TIMEOUT_SECONDS={seconds:?}: expected a number of seconds above 0"))?;
        }
        Ok(config)
    }

    /// Checks what a person may have typed: the URL's scheme, a model name, `keep_alive`.
    pub fn validate(&self) -> Result<(), String> {
        if !(self.base_url.starts_with("http://") || self.base_url.starts_with("https://")) {
            return Err(format!("the Ollama address {:?} must start with http:// or https://", self.base_url));
        }
        if self.model.trim().is_empty() || self.model.chars().any(char::is_whitespace) {
            return Err(format!("{:?} is not a model name (such as llama3.2-vision)", self.model));
        }
        keep_alive_value(&self.keep_alive).map(drop)
    }
}

/// An Ollama base URL as typed, tidied: spaces and a trailing slash dropped, `http://` added when
/// there is no scheme (Ollama's own `OLLAMA_HOST` is often written `0.0.0.0:11434`).
pub fn normalize_url(value: &str) -> String {
    let value = value.trim().trim_end_matches('/');
    if value.contains("://") { value.to_string() } else { format!("http://{value}") }
}

/// `keep_alive` as Ollama reads it: a number of seconds goes as a JSON number, a duration
/// (Go's syntax: `30m`, `1h30m`, `90s`) as a string.
pub fn keep_alive_value(text: &str) -> Result<serde_json::Value, String> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<f64>()
        && seconds.is_finite()
    {
        return Ok(serde_json::json!(seconds));
    }
    if is_go_duration(text) {
        Ok(serde_json::Value::String(text.to_string()))
    } else {
        Err(format!("keep_alive {text:?}: expected seconds or a duration such as 30m or 1h"))
    }
}

/// Go's `time.ParseDuration` syntax: an optional sign, then number-unit pairs.
fn is_go_duration(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    if body.is_empty() {
        return false;
    }
    let mut rest = body;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        if digits == 0 || rest[..digits].parse::<f64>().is_err() {
            return false;
        }
        rest = &rest[digits..];
        let Some(unit) = ["ns", "us", "µs", "ms", "s", "m", "h"].into_iter().find(|u| rest.starts_with(u)) else {
            return false;
        };
        rest = &rest[unit.len()..];
    }
    true
}

/// Ollama settings shared with the workers that use them: each label is read with the latest,
/// so the app can change them while its workers run.
#[derive(Debug, Clone, Default)]
pub struct SharedConfig(Arc<RwLock<OllamaConfig>>);

impl SharedConfig {
    pub fn new(config: OllamaConfig) -> Self {
        Self(Arc::new(RwLock::new(config)))
    }

    pub fn get(&self) -> OllamaConfig {
        self.0.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    pub fn set(&self, config: OllamaConfig) {
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = config;
    }
}

/// Why Ollama could not read a label, or is not available. The messages are for a reviewer or
/// an operator; the first two are the operations runbook's wording.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OllamaError {
    #[error("Cannot reach Ollama at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("Model '{0}' not found")]
    ModelNotFound(String),
    #[error("Ollama at {url} did not answer within {seconds} s")]
    Timeout { url: String, seconds: u64 },
    /// Ollama answered, but not with what was asked (an HTTP error, an unexpected body).
    #[error("{0}")]
    Answer(String),
    /// The model's answer is not the JSON object asked for.
    #[error("The vision model's answer could not be used: {0}")]
    Malformed(String),
    #[error("{}", crate::ocr::CANCELLED)]
    Cancelled,
    /// A setting is wrong, or the HTTP client could not start.
    #[error("{0}")]
    Setup(String),
}

/// A client for availability checks, with short timeouts.
pub fn check_client() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder().connect_timeout(CHECK_TIMEOUT).timeout(CHECK_TIMEOUT).build()
}

/// `GET /api/tags`: the models the server has.
#[derive(Debug, Default, Deserialize)]
pub struct Tags {
    #[serde(default)]
    pub models: Vec<ModelTag>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ModelTag {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub model: String,
}

/// Whether `model` is among `tags`. A name without a tag (`llama3.2-vision`) matches any tag of
/// that name (`llama3.2-vision:latest`, `llama3.2-vision:11b`); a name with a tag must match
/// exactly.
pub fn is_listed(tags: &Tags, model: &str) -> bool {
    let wanted = model.trim();
    let has_tag = wanted.contains(':');
    tags.models.iter().flat_map(|m| [m.name.as_str(), m.model.as_str()]).any(|listed| {
        if has_tag {
            listed == wanted
        } else {
            listed == wanted || listed.split_once(':').is_some_and(|(name, _)| name == wanted)
        }
    })
}

/// Checks that the Ollama server at `base_url` answers and lists `model`.
///
/// The errors are the operations runbook's wording: `Model 'NAME' not found` when the server
/// answers without the model, `Cannot reach Ollama at URL: ...` when it does not answer.
pub async fn availability(client: &reqwest::Client, base_url: &str, model: &str) -> Result<(), OllamaError> {
    let base = base_url.trim_end_matches('/');
    let url = format!("{base}/api/tags");
    let unreachable = |e: &reqwest::Error| OllamaError::Unreachable { url: base.to_string(), reason: error_chain(e) };
    let response = client.get(&url).send().await.map_err(|e| unreachable(&e))?;
    if !response.status().is_success() {
        return Err(OllamaError::Answer(format!("Ollama at {base} answered {} to /api/tags", response.status())));
    }
    let tags: Tags = response.json().await.map_err(|e| {
        OllamaError::Answer(format!("Ollama at {base} answered /api/tags with an unexpected body: {}", error_chain(&e)))
    })?;
    if is_listed(&tags, model) { Ok(()) } else { Err(OllamaError::ModelNotFound(model.to_string())) }
}

/// [`availability`] for callers without an async runtime (the app's check before a batch, the
/// command line's before it starts), on a runtime of its own.
pub fn check(config: &OllamaConfig) -> Result<(), OllamaError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| OllamaError::Setup(format!("cannot start the check: {e}")))?;
    let client = check_client().map_err(|e| OllamaError::Setup(format!("cannot start the HTTP client: {e}")))?;
    runtime.block_on(availability(&client, &config.base_url, &config.model))
}

/// An error with its sources: reqwest's own message ("error sending request") hides the cause.
pub(crate) fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(names: &[&str]) -> Tags {
        Tags { models: names.iter().map(|n| ModelTag { name: (*n).into(), model: (*n).into() }).collect() }
    }

    #[test]
    fn model_names_match_with_and_without_tag() {
        let listed = tags(&["llama3.2-vision:latest", "qwen2.5vl:7b"]);
        assert!(is_listed(&listed, "llama3.2-vision"));
        assert!(is_listed(&listed, "llama3.2-vision:latest"));
        assert!(is_listed(&listed, "qwen2.5vl"));
        assert!(is_listed(&listed, "qwen2.5vl:7b"));
        assert!(!is_listed(&listed, "qwen2.5vl:3b"));
        assert!(!is_listed(&listed, "llama3.2"));
        assert!(!is_listed(&tags(&[]), "llama3.2-vision"));
    }

    #[test]
    fn tags_parse_from_ollama_shape() {
        let body = r#"{"models":[{"name":"llama3.2-vision:latest","model":"llama3.2-vision:latest",
            "modified_at":"2025-01-01T00:00:00Z","size":7816589186,"digest":"abc",
            "details":{"family":"mllama"}}]}"#;
        let parsed: Tags = serde_json::from_str(body).unwrap();
        assert!(is_listed(&parsed, "llama3.2-vision"));
    }

    #[test]
    fn configuration_from_the_environment() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_string())
        };
        let config = OllamaConfig::from_lookup(vars(&[
            ("OLLAMA_HOST", "ollama:11434/"),
            ("OLLAMA_MODEL", "llama3.2-vision:11b"),
            ("OLLAMA_TIMEOUT_SECONDS", "90"),
        ]))
        .unwrap();
        assert_eq!(config.base_url, "http://ollama:11434");
        assert_eq!(config.model, "llama3.2-vision:11b");
        assert_eq!(config.timeout, Duration::from_secs(90));
        assert_eq!(OllamaConfig::from_lookup(vars(&[])).unwrap(), OllamaConfig::default());
        let err = OllamaConfig::from_lookup(vars(&[("OLLAMA_TIMEOUT_SECONDS", "soon")])).unwrap_err();
        assert!(err.contains("OLLAMA_TIMEOUT_SECONDS"), "{err}");
        assert!(OllamaConfig::default().validate().is_ok());
        let bad = OllamaConfig { base_url: "ftp://x".into(), ..OllamaConfig::default() };
        assert!(bad.validate().is_err());
        let bad = OllamaConfig { model: "two words".into(), ..OllamaConfig::default() };
        assert!(bad.validate().is_err());
    }

    #[test]
    fn keep_alive_is_sent_as_ollama_reads_it() {
        assert_eq!(keep_alive_value("30m").unwrap(), serde_json::json!("30m"));
        assert_eq!(keep_alive_value("1h30m").unwrap(), serde_json::json!("1h30m"));
        assert_eq!(keep_alive_value("-1m").unwrap(), serde_json::json!("-1m"));
        assert_eq!(keep_alive_value("600").unwrap(), serde_json::json!(600.0));
        assert_eq!(keep_alive_value("-1").unwrap(), serde_json::json!(-1.0));
        for bad in ["", "soon", "30 minutes", "m", "1x"] {
            assert!(keep_alive_value(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn runbook_wording() {
        assert_eq!(
            OllamaError::ModelNotFound("llama3.2-vision".into()).to_string(),
            "Model 'llama3.2-vision' not found"
        );
        let down = OllamaError::Unreachable { url: "http://localhost:11434".into(), reason: "refused".into() };
        assert!(down.to_string().starts_with("Cannot reach Ollama at http://localhost:11434"));
    }
}
