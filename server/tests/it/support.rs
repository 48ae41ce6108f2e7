//! Helpers: a server on a real loopback port, the stand-in Ollama, sample files, forms and ZIPs.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use reqwest::multipart::{Form, Part};
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
pub use ttb_ollama_standin::{Reply, StandIn};
use ttb_verifier_server::{Config, ServerError};

pub const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../test_samples");

pub fn sample(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(SAMPLES).join(name)).unwrap()
}

pub fn sample_text(name: &str) -> String {
    std::fs::read_to_string(Path::new(SAMPLES).join(name)).unwrap()
}

/// Everything the servers of this test process logged, for tests of the log lines.
static LOGS: std::sync::OnceLock<std::sync::Arc<std::sync::Mutex<Vec<u8>>>> = std::sync::OnceLock::new();

fn logs() -> std::sync::Arc<std::sync::Mutex<Vec<u8>>> {
    LOGS.get_or_init(Default::default).clone()
}

/// A log writer that keeps a copy of each line and prints it (shown for failing tests).
struct Tee(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Write for Tee {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        print!("{}", String::from_utf8_lossy(buf));
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Log lines of the servers under test, shown for failing tests (`RUST_LOG` to change) and kept
/// for [`captured_logs`].
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_ansi(false).with_writer(|| Tee(logs())).try_init();
}

/// What the servers of this process have logged so far.
pub fn captured_logs() -> String {
    String::from_utf8_lossy(&logs().lock().unwrap()).into_owned()
}

/// A configuration for tests: small pool, fast Ollama checks against a closed port, data in
/// `data_dir`.
pub fn config(data_dir: &Path) -> Config {
    Config {
        listen: "127.0.0.1:0".into(),
        workers: 2,
        queue: 2,
        data_dir: data_dir.to_path_buf(),
        // Nothing listens on the discard port: "Cannot reach Ollama" at once.
        ollama_host: "http://127.0.0.1:9".into(),
        ollama_check_interval: Duration::from_millis(200),
        request_timeout: Duration::from_secs(30),
        ..Config::default()
    }
}

/// A server started with [`ttb_verifier_server::run`] on a loopback port.
pub struct TestServer {
    pub base: String,
    pub client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    handle: JoinHandle<Result<(), ServerError>>,
}

impl TestServer {
    pub async fn start(config: Config) -> Self {
        Self::start_on("127.0.0.1:0", config).await
    }

    /// [`Self::start`] on `addr` (the port of a stopped server can be taken again).
    pub async fn start_on(addr: &str, config: Config) -> Self {
        init_logging();
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let handle = tokio::spawn(ttb_verifier_server::run(listener, config, async {
            let _ = stopped.await;
        }));
        let server = Self { base: format!("http://{addr}"), client: fresh_connections(), stop: Some(stop), handle };
        // Ready once /health answers (Tesseract checked, store open).
        server.wait_for(|| async { server.client.get(server.url("/health")).send().await.is_ok() }).await;
        server
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Graceful shutdown; returns what `run` returned.
    pub async fn stop(mut self) -> Result<(), ServerError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        tokio::time::timeout(Duration::from_secs(30), &mut self.handle).await.expect("server stops").unwrap()
    }

    /// Polls `check` until it holds (10 s at most).
    pub async fn wait_for<F, Fut>(&self, check: F)
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        wait_until(Duration::from_secs(10), check).await;
    }

    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        let response = self.client.get(self.url(path)).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn post_form(&self, path: &str, form: Form) -> reqwest::Response {
        self.client.post(self.url(path)).multipart(form).send().await.unwrap()
    }

    /// Polls a job's status document until it is finished (60 s at most).
    pub async fn wait_for_job(&self, path: &str) -> Value {
        let started = Instant::now();
        loop {
            let (code, body) = self.get_json(path).await;
            assert_eq!(code, 200, "{body}");
            if matches!(body["status"].as_str(), Some("completed" | "failed" | "cancelled")) {
                return body;
            }
            assert!(started.elapsed() < Duration::from_secs(60), "job did not finish: {body}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

pub async fn wait_until<F, Fut>(limit: Duration, check: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while !check().await {
        assert!(started.elapsed() < limit, "condition not reached within {limit:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The `/verify` form with `image` (named `file_name`) and optional extra text fields.
pub fn image_form(bytes: Vec<u8>, file_name: &str, fields: &[(&str, &str)]) -> Form {
    let mut form = Form::new().part("image", Part::bytes(bytes).file_name(file_name.to_string()));
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    form
}

/// Checks the error envelope, and that its correlation id is the header's; returns the body.
pub async fn expect_error(response: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status().as_u16(), status, "expected {status} {code}");
    let header = response.headers().get("x-correlation-id").and_then(|v| v.to_str().ok()).map(String::from);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error_code"], code, "{body}");
    assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()), "{body}");
    let id = body["correlation_id"].as_str().unwrap();
    assert!(!id.is_empty() && id != "-", "{body}");
    assert_eq!(header.as_deref(), Some(id), "header and body carry the same correlation id");
    body
}

/// A ZIP of `(name, bytes)` entries (deflated).
pub fn zip_of(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        if name.ends_with('/') {
            zip.add_directory(name.trim_end_matches('/'), options).unwrap();
        } else {
            zip.start_file(*name, options).unwrap();
            zip.write_all(bytes).unwrap();
        }
    }
    zip.finish().unwrap().into_inner()
}

/// A ZIP bomb: one `name` entry of `megabytes` MB of zeros, a few hundred KB compressed.
pub fn zip_bomb(name: &str, megabytes: usize) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(true);
    zip.start_file(name, options).unwrap();
    let block = vec![0u8; 1024 * 1024];
    for _ in 0..megabytes {
        zip.write_all(&block).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

pub fn batch_form(zip: Vec<u8>) -> Form {
    Form::new().part("batch_file", Part::bytes(zip).file_name("labels.zip"))
}

/// A PNG of a few dozen bytes whose header declares `width` x `height` pixels: a
/// decompression bomb's shape (its pixel data is an empty zlib stream).
pub fn png_declaring(width: u32, height: u32) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut crc = crc32fast::Hasher::new();
        crc.update(kind);
        crc.update(data);
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&crc.finalize().to_be_bytes());
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::new();
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB, deflate, no filter, no interlace
    chunk(&mut png, b"IHDR", &header);
    // zlib header, one final stored block of zero bytes, Adler-32 of nothing.
    chunk(&mut png, b"IDAT", &[0x78, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01]);
    chunk(&mut png, b"IEND", &[]);
    png
}

pub const MODEL: &str = "llama3.2-vision:latest";

/// A stand-in Ollama (`tools/ollama-standin`) with the model, answering as a model reading
/// `label_good_001.jpg` faithfully would.
pub fn standin_ollama() -> StandIn {
    let standin = StandIn::start(&[MODEL]).unwrap();
    standin.set_reply(Reply::Answer(ttb_ollama_standin::faithful_answer()));
    standin
}

pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

pub fn jobs_dir(data: &Path) -> PathBuf {
    data.join("jobs")
}

/// A client that opens a connection per request. Tests refuse uploads part-way, after which the
/// server closes the connection; a pooled client may send the next request on it before it
/// notices (hyper's `IncompleteMessage`), which would make a test fail for the client's sake.
fn fresh_connections() -> reqwest::Client {
    reqwest::Client::builder().pool_max_idle_per_host(0).build().expect("an HTTP client")
}
