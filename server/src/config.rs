//! The server's configuration, read from the environment (names and defaults as in the shared
//! CONTRACTS; the earlier service's names are kept).

use std::path::PathBuf;
use std::time::Duration;

use ttb_verifier::ocr::prepare::DecodeLimits;

const MB: u64 = 1024 * 1024;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// One human-readable line per event, fields as `key=value`.
    Text,
    /// One JSON object per event, for log collectors.
    Json,
}

/// Everything the server can be told. [`Config::default`] is the documented defaults.
#[derive(Debug, Clone)]
pub struct Config {
    /// `TTB_LISTEN`: address and port to listen on.
    pub listen: String,
    /// `TTB_API_TOKEN`: when set, every endpoint but `/health` needs `Authorization: Bearer`.
    pub api_token: Option<String>,
    /// `OLLAMA_HOST`: Ollama's base URL.
    pub ollama_host: String,
    /// `OLLAMA_MODEL`: the vision model.
    pub ollama_model: String,
    /// `OLLAMA_TIMEOUT_SECONDS`: total time allowed for one Ollama answer.
    pub ollama_timeout: Duration,
    /// `TTB_OLLAMA_KEEP_ALIVE`: how long Ollama keeps the model loaded after a label (`30m`,
    /// seconds, `-1` for ever).
    pub ollama_keep_alive: String,
    /// `TTB_OLLAMA_WORKERS`: labels sent to Ollama at once (an Ollama server reads one at a time
    /// unless it is started with `OLLAMA_NUM_PARALLEL`).
    pub ollama_workers: usize,
    /// `TTB_OLLAMA_CHECK_SECONDS`: how often Ollama's availability is checked for `/health`.
    pub ollama_check_interval: Duration,
    /// `MAX_FILE_SIZE_MB`: largest accepted image, in bytes.
    pub max_file_size: u64,
    /// `MAX_BATCH_SIZE`: most images in one batch ZIP.
    pub max_batch_size: usize,
    /// `TTB_MAX_BATCH_UPLOAD_MB`: largest accepted batch ZIP, in bytes.
    pub max_batch_upload: u64,
    /// `TTB_MAX_BATCH_UNCOMPRESSED_MB`: most bytes a batch ZIP may inflate to.
    pub max_batch_uncompressed: u64,
    /// `TTB_MAX_IMAGE_MEGAPIXELS`: most pixels an image may declare (decompression bombs).
    pub max_image_pixels: u64,
    /// `TTB_MAX_IMAGE_SIDE`: longest side an image may declare, in pixels.
    pub max_image_side: u32,
    /// `TTB_WORKERS`: OCR workers, each with its own Tesseract engine.
    pub workers: usize,
    /// `TTB_QUEUE`: labels that may wait for a worker beyond the ones being read; more answer 503.
    pub queue: usize,
    /// `TTB_REQUEST_TIMEOUT_SECONDS`: longest a request may take (and one image of a job).
    pub request_timeout: Duration,
    /// `TTB_MAX_PENDING_JOBS`: most async and batch jobs waiting at once; more answer 503.
    pub max_pending_jobs: usize,
    /// `TTB_DATA_DIR`: where the job database and uploads live.
    pub data_dir: PathBuf,
    /// `TTB_RETENTION_HOURS`: how long finished jobs and their files are kept.
    pub retention: Duration,
    /// How often expired jobs are looked for (a tenth of the retention, between 1 s and 10 min).
    pub sweep_interval: Duration,
    /// `CORS_ORIGINS`: origins browsers may call from (JSON array; `["*"]` for any).
    pub cors_origins: Vec<String>,
    /// `LOG_LEVEL`: `error` ... `trace`, or a tracing filter such as `info,tower_http=debug`.
    pub log_level: String,
    /// `LOG_FORMAT`: `text` or `json`.
    pub log_format: LogFormat,
}

impl Default for Config {
    fn default() -> Self {
        let workers = std::thread::available_parallelism().map(usize::from).unwrap_or(2);
        let retention = Duration::from_secs(24 * 3600);
        Self {
            listen: "0.0.0.0:8000".into(),
            api_token: None,
            ollama_host: "http://localhost:11434".into(),
            ollama_model: "llama3.2-vision".into(),
            ollama_timeout: Duration::from_secs(60),
            ollama_keep_alive: "30m".into(),
            ollama_workers: 1,
            ollama_check_interval: Duration::from_secs(10),
            max_file_size: 10 * MB,
            max_batch_size: 50,
            max_batch_upload: 200 * MB,
            max_batch_uncompressed: 250 * MB,
            max_image_pixels: 50_000_000,
            max_image_side: 16_000,
            workers,
            queue: 2 * workers,
            request_timeout: Duration::from_secs(60),
            max_pending_jobs: 100,
            data_dir: PathBuf::from("./data"),
            retention,
            sweep_interval: sweep_interval_for(retention),
            cors_origins: Vec::new(),
            log_level: "info".into(),
            log_format: LogFormat::Text,
        }
    }
}

/// A variable that could not be used, named with its value and what was expected.
#[derive(Debug, thiserror::Error)]
#[error("{name}={value:?}: {expected}")]
pub struct ConfigError {
    pub name: &'static str,
    pub value: String,
    pub expected: String,
}

/// Every variable the server reads, with its default, for `--help`.
pub const VARIABLES: &[(&str, &str, &str)] = &[
    ("TTB_LISTEN", "address and port to listen on", "0.0.0.0:8000"),
    ("TTB_API_TOKEN", "bearer token every endpoint but /health requires", "unset (no auth)"),
    ("OLLAMA_HOST", "Ollama base URL", "http://localhost:11434"),
    ("OLLAMA_MODEL", "vision model name", "llama3.2-vision"),
    ("OLLAMA_TIMEOUT_SECONDS", "total time allowed for one Ollama answer", "60"),
    ("TTB_OLLAMA_KEEP_ALIVE", "how long Ollama keeps the model loaded after a label", "30m"),
    ("TTB_OLLAMA_WORKERS", "labels sent to Ollama at once", "1"),
    ("TTB_OLLAMA_CHECK_SECONDS", "how often Ollama's availability is checked", "10"),
    ("MAX_FILE_SIZE_MB", "largest accepted image", "10"),
    ("MAX_BATCH_SIZE", "most images in one batch ZIP", "50"),
    ("TTB_MAX_BATCH_UPLOAD_MB", "largest accepted batch ZIP", "200"),
    ("TTB_MAX_BATCH_UNCOMPRESSED_MB", "most bytes a batch ZIP may inflate to", "250"),
    ("TTB_MAX_IMAGE_MEGAPIXELS", "most pixels an image may declare", "50"),
    ("TTB_MAX_IMAGE_SIDE", "longest side an image may declare", "16000"),
    ("TTB_WORKERS", "OCR workers", "number of cores"),
    ("TTB_QUEUE", "labels waiting for a worker before 503", "2 x workers"),
    ("TTB_REQUEST_TIMEOUT_SECONDS", "longest a request (or one job image) may take", "60"),
    ("TTB_MAX_PENDING_JOBS", "most async/batch jobs waiting before 503", "100"),
    ("TTB_DATA_DIR", "where jobs, uploads and the job database live", "./data"),
    ("TTB_RETENTION_HOURS", "how long finished jobs are kept (fractions allowed)", "24"),
    ("CORS_ORIGINS", "JSON array of allowed origins, [\"*\"] for any", "[]"),
    ("LOG_LEVEL", "error, warn, info, debug, trace (or a tracing filter)", "info"),
    ("LOG_FORMAT", "text or json", "text"),
];

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads variables through `lookup` (the environment, or a map in tests). Unset and empty
    /// variables take their defaults.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let mut config = Self::default();
        if let Some(v) = get("TTB_LISTEN") {
            config.listen = v;
        }
        config.api_token = get("TTB_API_TOKEN");
        if let Some(v) = get("OLLAMA_HOST") {
            config.ollama_host = ttb_verifier::ollama::normalize_url(&v);
        }
        if let Some(v) = get("OLLAMA_MODEL") {
            config.ollama_model = v;
        }
        if let Some(v) = get("OLLAMA_TIMEOUT_SECONDS") {
            config.ollama_timeout = seconds("OLLAMA_TIMEOUT_SECONDS", &v)?;
        }
        if let Some(v) = get("TTB_OLLAMA_KEEP_ALIVE") {
            ttb_verifier::ollama::keep_alive_value(&v).map_err(|expected| ConfigError {
                name: "TTB_OLLAMA_KEEP_ALIVE",
                value: v.clone(),
                expected,
            })?;
            config.ollama_keep_alive = v;
        }
        if let Some(v) = get("TTB_OLLAMA_WORKERS") {
            config.ollama_workers = positive("TTB_OLLAMA_WORKERS", &v)?;
        }
        if let Some(v) = get("TTB_OLLAMA_CHECK_SECONDS") {
            config.ollama_check_interval = seconds("TTB_OLLAMA_CHECK_SECONDS", &v)?;
        }
        if let Some(v) = get("MAX_FILE_SIZE_MB") {
            config.max_file_size = megabytes("MAX_FILE_SIZE_MB", &v)?;
        }
        if let Some(v) = get("MAX_BATCH_SIZE") {
            config.max_batch_size = positive("MAX_BATCH_SIZE", &v)?;
        }
        if let Some(v) = get("TTB_MAX_BATCH_UPLOAD_MB") {
            config.max_batch_upload = megabytes("TTB_MAX_BATCH_UPLOAD_MB", &v)?;
        }
        if let Some(v) = get("TTB_MAX_BATCH_UNCOMPRESSED_MB") {
            config.max_batch_uncompressed = megabytes("TTB_MAX_BATCH_UNCOMPRESSED_MB", &v)?;
        }
        if let Some(v) = get("TTB_MAX_IMAGE_MEGAPIXELS") {
            let mp = number("TTB_MAX_IMAGE_MEGAPIXELS", &v)?;
            config.max_image_pixels = (mp * 1e6) as u64;
        }
        if let Some(v) = get("TTB_MAX_IMAGE_SIDE") {
            config.max_image_side = u32::try_from(positive("TTB_MAX_IMAGE_SIDE", &v)?).map_err(|_| ConfigError {
                name: "TTB_MAX_IMAGE_SIDE",
                value: v.clone(),
                expected: "at most 4294967295".into(),
            })?;
        }
        if let Some(v) = get("TTB_WORKERS") {
            config.workers = positive("TTB_WORKERS", &v)?;
            config.queue = 2 * config.workers;
        }
        if let Some(v) = get("TTB_QUEUE") {
            config.queue = v.parse().map_err(|_| ConfigError {
                name: "TTB_QUEUE",
                value: v.clone(),
                expected: "a whole number (0 for no waiting line)".into(),
            })?;
        }
        if let Some(v) = get("TTB_REQUEST_TIMEOUT_SECONDS") {
            config.request_timeout = seconds("TTB_REQUEST_TIMEOUT_SECONDS", &v)?;
        }
        if let Some(v) = get("TTB_MAX_PENDING_JOBS") {
            config.max_pending_jobs = positive("TTB_MAX_PENDING_JOBS", &v)?;
        }
        if let Some(v) = get("TTB_DATA_DIR") {
            config.data_dir = PathBuf::from(v);
        }
        if let Some(v) = get("TTB_RETENTION_HOURS") {
            let hours = number("TTB_RETENTION_HOURS", &v)?;
            config.retention = Duration::from_secs_f64(hours * 3600.0);
            config.sweep_interval = sweep_interval_for(config.retention);
        }
        if let Some(v) = get("CORS_ORIGINS") {
            config.cors_origins = origins(&v)?;
        }
        if let Some(v) = get("LOG_LEVEL") {
            config.log_level = v;
        }
        if let Some(v) = get("LOG_FORMAT") {
            config.log_format = match v.to_ascii_lowercase().as_str() {
                "text" => LogFormat::Text,
                "json" => LogFormat::Json,
                _ => {
                    return Err(ConfigError { name: "LOG_FORMAT", value: v, expected: "text or json".into() });
                }
            };
        }
        Ok(config)
    }

    /// Labels admitted at once: being read plus waiting for a worker.
    pub fn capacity(&self) -> usize {
        self.workers.max(1) + self.queue
    }

    /// How the Ollama engines read labels. No fallback: a caller who asked for Ollama gets
    /// Ollama's reading or a clear refusal.
    pub fn ollama(&self) -> ttb_verifier::ollama::OllamaConfig {
        ttb_verifier::ollama::OllamaConfig {
            base_url: self.ollama_host.clone(),
            model: self.ollama_model.clone(),
            timeout: self.ollama_timeout,
            keep_alive: self.ollama_keep_alive.clone(),
            ..ttb_verifier::ollama::OllamaConfig::default()
        }
    }

    /// Longest one image may take with `backend`: an Ollama answer may take its whole time limit.
    pub fn image_timeout(&self, backend: ttb_verifier::ocr::Backend) -> Duration {
        match backend {
            ttb_verifier::ocr::Backend::Tesseract => self.request_timeout,
            ttb_verifier::ocr::Backend::Ollama => self.request_timeout.max(self.ollama_timeout + OLLAMA_MARGIN),
        }
    }

    /// The limits every upload is decoded within.
    pub fn decode_limits(&self) -> DecodeLimits {
        // Eight bytes a pixel covers the widest decoded form (16-bit RGBA).
        DecodeLimits { max_side: self.max_image_side, max_alloc: self.max_image_pixels.saturating_mul(8) }
    }

    /// The job database.
    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("jobs.sqlite3")
    }

    /// Where each job's uploaded files live.
    pub fn jobs_dir(&self) -> PathBuf {
        self.data_dir.join("jobs")
    }

    /// Where uploads are spooled before they become a job.
    pub fn spool_dir(&self) -> PathBuf {
        self.data_dir.join("tmp")
    }
}

fn sweep_interval_for(retention: Duration) -> Duration {
    (retention / 10).clamp(Duration::from_secs(1), Duration::from_secs(600))
}

/// Beyond Ollama's own time limit, for the upload and the checks.
const OLLAMA_MARGIN: Duration = Duration::from_secs(15);

fn number(name: &'static str, value: &str) -> Result<f64, ConfigError> {
    value.parse::<f64>().ok().filter(|n| n.is_finite() && *n > 0.0).ok_or_else(|| ConfigError {
        name,
        value: value.into(),
        expected: "a number above 0".into(),
    })
}

fn positive(name: &'static str, value: &str) -> Result<usize, ConfigError> {
    value.parse::<usize>().ok().filter(|n| *n > 0).ok_or_else(|| ConfigError {
        name,
        value: value.into(),
        expected: "a whole number above 0".into(),
    })
}

fn seconds(name: &'static str, value: &str) -> Result<Duration, ConfigError> {
    number(name, value).map(Duration::from_secs_f64)
}

fn megabytes(name: &'static str, value: &str) -> Result<u64, ConfigError> {
    number(name, value).map(|mb| (mb * MB as f64) as u64)
}

fn origins(value: &str) -> Result<Vec<String>, ConfigError> {
    let list: Vec<String> = if value.starts_with('[') {
        serde_json::from_str(value).map_err(|e| ConfigError {
            name: "CORS_ORIGINS",
            value: value.into(),
            expected: format!("a JSON array of origins ({e})"),
        })?
    } else {
        // A comma-separated list is accepted too, as a convenience.
        value.split(',').map(str::trim).filter(|o| !o.is_empty()).map(String::from).collect()
    };
    Ok(list.into_iter().map(|o| o.trim_end_matches('/').to_string()).collect())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_match_contracts() {
        let c = config(&[]).unwrap();
        assert_eq!(c.listen, "0.0.0.0:8000");
        assert_eq!(c.api_token, None);
        assert_eq!(c.ollama_host, "http://localhost:11434");
        assert_eq!(c.ollama_model, "llama3.2-vision");
        assert_eq!(c.max_file_size, 10 * MB);
        assert_eq!(c.max_batch_size, 50);
        assert_eq!(c.data_dir, PathBuf::from("./data"));
        assert!(c.cors_origins.is_empty());
        assert_eq!(c.queue, 2 * c.workers);
        assert_eq!(c.retention, Duration::from_secs(86_400));
    }

    #[test]
    fn reads_variables() {
        let c = config(&[
            ("TTB_API_TOKEN", "s3cret"),
            ("OLLAMA_HOST", "ollama:11434/"),
            ("MAX_FILE_SIZE_MB", "2.5"),
            ("TTB_WORKERS", "3"),
            ("CORS_ORIGINS", r#"["https://a.example/", "https://b.example"]"#),
            ("TTB_RETENTION_HOURS", "0.5"),
            ("LOG_FORMAT", "JSON"),
            ("TTB_QUEUE", "0"),
            ("TTB_OLLAMA_WORKERS", "2"),
            ("TTB_OLLAMA_KEEP_ALIVE", "1h"),
            ("OLLAMA_TIMEOUT_SECONDS", "120"),
        ])
        .unwrap();
        assert_eq!(c.ollama_workers, 2);
        let ollama = c.ollama();
        assert_eq!((ollama.base_url.as_str(), ollama.keep_alive.as_str()), ("http://ollama:11434", "1h"));
        assert_eq!(ollama.timeout, Duration::from_secs(120));
        assert!(!ollama.fallback);
        assert_eq!(c.image_timeout(ttb_verifier::ocr::Backend::Ollama), Duration::from_secs(135));
        assert_eq!(c.api_token.as_deref(), Some("s3cret"));
        assert_eq!(c.ollama_host, "http://ollama:11434");
        assert_eq!(c.max_file_size, (2.5 * MB as f64) as u64);
        assert_eq!((c.workers, c.queue, c.capacity()), (3, 0, 3));
        assert_eq!(c.cors_origins, ["https://a.example", "https://b.example"]);
        assert_eq!(c.retention, Duration::from_secs(1800));
        assert_eq!(c.sweep_interval, Duration::from_secs(180));
        assert_eq!(c.log_format, LogFormat::Json);
        assert_eq!(
            config(&[("CORS_ORIGINS", "https://a.example, *")]).unwrap().cors_origins,
            ["https://a.example", "*"]
        );
        assert!(config(&[("TTB_API_TOKEN", "  ")]).unwrap().api_token.is_none());
    }

    #[test]
    fn bad_values_name_the_variable() {
        let err = config(&[("TTB_WORKERS", "zero")]).unwrap_err();
        assert_eq!(err.name, "TTB_WORKERS");
        assert!(err.to_string().contains("TTB_WORKERS=\"zero\""), "{err}");
        assert!(config(&[("CORS_ORIGINS", "[oops")]).is_err());
        assert!(config(&[("MAX_FILE_SIZE_MB", "-1")]).is_err());
        assert!(config(&[("LOG_FORMAT", "xml")]).is_err());
        assert_eq!(config(&[("TTB_OLLAMA_KEEP_ALIVE", "a while")]).unwrap_err().name, "TTB_OLLAMA_KEEP_ALIVE");
    }
}
