//! A stand-in for an Ollama server, speaking the parts of Ollama's HTTP API that ttb-verifier
//! calls, as Ollama's API documentation (`docs/api.md`) describes them: `GET /api/tags` and
//! `POST /api/chat`. No model runs: each chat answer is scripted by the test ([`Reply`]).
//!
//! It holds its callers to the documented request shapes, answering 400 (or 404 for a model it
//! does not have) with Ollama's `{"error": "..."}` body as Ollama does:
//! - the body is a JSON object with a non-empty `model` the server lists;
//! - `messages` is an array of `{role, content, images?}` with a known role, string content and
//!   base64 images that decode to pictures;
//! - `stream` is a boolean (absent means true: the answer then streams as NDJSON chunks);
//! - `format` is `"json"` or a JSON schema object;
//! - `options` is an object whose `temperature` is a number and `num_predict` an integer;
//! - `keep_alive` is a number of seconds or a Go duration string (`"30m"`).
//!
//! A scripted structured answer must fit the request's schema (its required properties, their
//! types), as a real model's constrained output does; one that does not is answered 500, so a
//! test cannot pass with a client whose schema and answer disagree.
//!
//! The server runs on a thread of its own, so synchronous tests can use it too. Stopping it drops
//! every connection at once, as a killed Ollama would; it can start again on the same port.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use serde_json::{Value, json};
use tokio::sync::oneshot;

/// The statutory warning (27 CFR 16.21), as a faithful transcription gives it.
pub const WARNING: &str = "GOVERNMENT WARNING: (1) According to the Surgeon General, women should not drink \
    alcoholic beverages during pregnancy because of the risk of birth defects. (2) Consumption of alcoholic \
    beverages impairs your ability to drive a car or operate machinery, and may cause health problems.";

/// What a model reading `test_samples/label_good_001.jpg` faithfully would answer to
/// ttb-verifier's schema.
pub fn faithful_answer() -> Value {
    json!({
        "brand_name": "STONE'S THROW",
        "class_type": "CABERNET SAUVIGNON",
        "alcohol_content": "13.5% ALC./VOL.",
        "net_contents": "750 mL",
        "bottler": "Bottled by Stone's Throw Cellars, Paso Robles, CA",
        "country_of_origin": "",
        "government_warning": WARNING,
        "other_text": ["PASO ROBLES"]
    })
}

/// What the stand-in's "model" answers to the next `/api/chat` requests.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// A structured answer, sent as the message content (checked against the request's schema).
    Answer(Value),
    /// Raw message content and `done_reason`, as a model may write when it goes wrong (text that
    /// is not JSON, an answer cut off at its length limit).
    Content { content: String, done_reason: String },
    /// An error as Ollama sends one: the status and `{"error": message}`.
    Error { status: u16, message: String },
}

#[derive(Debug)]
struct Shared {
    models: Mutex<Vec<String>>,
    reply: Mutex<Reply>,
    delay: Mutex<Duration>,
    requests: Mutex<Vec<Value>>,
    rejections: Mutex<Vec<(u16, String)>>,
    answered: AtomicUsize,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A running stand-in.
pub struct StandIn {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl StandIn {
    /// Starts on a free loopback port with `models` listed (such as `llama3.2-vision:latest`).
    pub fn start(models: &[&str]) -> std::io::Result<Self> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), models)
    }

    /// Starts on `addr` (the port of a stopped stand-in can be reused at once).
    pub fn start_on(addr: SocketAddr, models: &[&str]) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            models: Mutex::new(models.iter().map(|m| (*m).to_string()).collect()),
            reply: Mutex::new(Reply::Answer(json!({}))),
            delay: Mutex::new(Duration::ZERO),
            requests: Mutex::new(Vec::new()),
            rejections: Mutex::new(Vec::new()),
            answered: AtomicUsize::new(0),
        });
        Self::serve(addr, shared)
    }

    fn serve(addr: SocketAddr, shared: Arc<Shared>) -> std::io::Result<Self> {
        let (bound_tx, bound_rx) = std::sync::mpsc::channel::<std::io::Result<SocketAddr>>();
        let (stop, stopped) = oneshot::channel::<()>();
        let app = router(Arc::clone(&shared));
        let thread = std::thread::Builder::new().name("ollama-standin".into()).spawn(move || {
            let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build() {
                Ok(runtime) => runtime,
                Err(e) => {
                    let _ = bound_tx.send(Err(e));
                    return;
                }
            };
            runtime.block_on(async move {
                let listener = match bind(addr) {
                    Ok(listener) => listener,
                    Err(e) => {
                        let _ = bound_tx.send(Err(e));
                        return;
                    }
                };
                let _ = bound_tx.send(listener.local_addr());
                tokio::select! {
                    _ = axum::serve(listener, app) => {}
                    _ = stopped => {}
                }
            });
            // Dropping the runtime drops every open connection, as a stopped Ollama would.
            runtime.shutdown_timeout(Duration::ZERO);
        })?;
        let addr = bound_rx.recv().map_err(|_| std::io::Error::other("the stand-in's thread stopped"))??;
        Ok(Self { addr, shared, stop: Some(stop), thread: Some(thread) })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The models `/api/tags` lists (and `/api/chat` accepts).
    pub fn set_models(&self, models: &[&str]) {
        *lock(&self.shared.models) = models.iter().map(|m| (*m).to_string()).collect();
    }

    pub fn set_reply(&self, reply: Reply) {
        *lock(&self.shared.reply) = reply;
    }

    /// How long each chat answer takes (a model reading a label).
    pub fn set_delay(&self, delay: Duration) {
        *lock(&self.shared.delay) = delay;
    }

    /// The bodies of the `/api/chat` requests that passed validation (answered or not), oldest
    /// first.
    pub fn chat_requests(&self) -> Vec<Value> {
        lock(&self.shared.requests).clone()
    }

    /// Requests refused for their shape: status and error.
    pub fn rejections(&self) -> Vec<(u16, String)> {
        lock(&self.shared.rejections).clone()
    }

    /// Chat requests answered in full. (A caller that leaves early is not seen: the HTTP server
    /// underneath notices a closed connection only when it writes the answer.)
    pub fn answered(&self) -> usize {
        self.shared.answered.load(Ordering::SeqCst)
    }

    /// Stops serving and drops every connection.
    pub fn stop(mut self) {
        self.shut_down();
    }

    /// Stops, then serves again on the same port with the same script and records.
    pub fn restart(mut self) -> std::io::Result<Self> {
        self.shut_down();
        Self::serve(self.addr, Arc::clone(&self.shared))
    }

    fn shut_down(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        self.shut_down();
    }
}

fn bind(addr: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    let socket = if addr.is_ipv4() { tokio::net::TcpSocket::new_v4()? } else { tokio::net::TcpSocket::new_v6()? };
    // A restarted stand-in takes its port back at once.
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(64)
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/", get(|| async { "Ollama is running" }))
        .route("/api/version", get(|| async { axum::Json(json!({"version": "0.0.0-standin"})) }))
        .route("/api/tags", get(tags))
        .route("/api/chat", post(chat))
        .fallback(|| async { (StatusCode::NOT_FOUND, "404 page not found") })
        .with_state(shared)
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, axum::Json(json!({"error": message.into()}))).into_response()
}

async fn tags(State(shared): State<Arc<Shared>>) -> Response {
    let models: Vec<Value> = lock(&shared.models)
        .iter()
        .map(|name| {
            json!({
                "name": name, "model": name, "modified_at": "2025-01-01T00:00:00Z", "size": 7_816_589_186_u64,
                "digest": "0000000000000000000000000000000000000000000000000000000000000000",
                "details": {"parent_model": "", "format": "gguf", "family": "mllama", "families": ["mllama"],
                            "parameter_size": "10.7B", "quantization_level": "Q4_K_M"}
            })
        })
        .collect();
    axum::Json(json!({ "models": models })).into_response()
}

async fn chat(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let request = match validate(&body, &lock(&shared.models)) {
        Ok(request) => request,
        Err((status, message)) => {
            lock(&shared.rejections).push((status.as_u16(), message.clone()));
            return error(status, message);
        }
    };
    lock(&shared.requests).push(request.body.clone());
    let delay = *lock(&shared.delay);
    tokio::time::sleep(delay).await;
    let reply = lock(&shared.reply).clone();
    let (content, done_reason) = match reply {
        Reply::Error { status, message } => {
            return error(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), message);
        }
        Reply::Content { content, done_reason } => (content, done_reason),
        Reply::Answer(answer) => {
            if let Some(schema) = request.body.get("format").filter(|f| f.is_object())
                && let Err(problem) = fits(&answer, schema, "answer")
            {
                return error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("stand-in: the scripted answer does not fit the request's format: {problem}"),
                );
            }
            (answer.to_string(), "stop".to_string())
        }
    };
    shared.answered.fetch_add(1, Ordering::SeqCst);
    answer(&request, &content, &done_reason, delay)
}

/// What validation kept of a chat request.
struct Chat {
    body: Value,
    model: String,
    stream: bool,
}

fn bad(message: impl Into<String>) -> (StatusCode, String) {
    (StatusCode::BAD_REQUEST, message.into())
}

fn validate(body: &[u8], models: &[String]) -> Result<Chat, (StatusCode, String)> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(bad("missing request body"));
    }
    let value: Value = serde_json::from_slice(body).map_err(|e| bad(e.to_string()))?;
    let Some(object) = value.as_object() else {
        return Err(bad("json: cannot unmarshal into Go value of type api.ChatRequest"));
    };
    let model = object.get("model").and_then(Value::as_str).unwrap_or_default().to_string();
    if model.is_empty() {
        return Err(bad("model is required"));
    }
    let wanted = if model.contains(':') { model.clone() } else { format!("{model}:latest") };
    if !models.iter().any(|m| *m == model || *m == wanted) {
        return Err((StatusCode::NOT_FOUND, format!("model '{model}' not found")));
    }
    match object.get("messages") {
        None | Some(Value::Null) => {}
        Some(Value::Array(messages)) => {
            for message in messages {
                check_message(message)?;
            }
        }
        Some(_) => return Err(bad("messages must be an array")),
    }
    let stream = match object.get("stream") {
        None | Some(Value::Null) => true,
        Some(Value::Bool(stream)) => *stream,
        Some(other) => return Err(bad(format!("stream must be a boolean, not {other}"))),
    };
    match object.get("format") {
        None | Some(Value::Null) => {}
        Some(Value::String(format)) if format == "json" || format.is_empty() => {}
        Some(Value::Object(schema)) if schema.get("type").is_some_and(Value::is_string) => {}
        Some(other) => return Err(bad(format!("invalid format: {other}: use \"json\" or a JSON schema"))),
    }
    match object.get("options") {
        None | Some(Value::Null) => {}
        Some(Value::Object(options)) => {
            if options.get("temperature").is_some_and(|t| !t.is_number()) {
                return Err(bad("option \"temperature\" must be of type float32"));
            }
            if options.get("num_predict").is_some_and(|n| !(n.is_i64() || n.is_u64())) {
                return Err(bad("option \"num_predict\" must be of type integer"));
            }
        }
        Some(_) => return Err(bad("options must be an object")),
    }
    match object.get("keep_alive") {
        None | Some(Value::Null) | Some(Value::Number(_)) => {}
        Some(Value::String(duration)) if is_go_duration(duration) => {}
        Some(other) => return Err(bad(format!("time: invalid duration {other}"))),
    }
    Ok(Chat { body: value.clone(), model, stream })
}

fn check_message(message: &Value) -> Result<(), (StatusCode, String)> {
    let Some(message) = message.as_object() else {
        return Err(bad("each message must be an object"));
    };
    match message.get("role").and_then(Value::as_str) {
        Some("system" | "user" | "assistant" | "tool") => {}
        other => return Err(bad(format!("invalid message role {other:?}"))),
    }
    if message.get("content").is_some_and(|c| !c.is_string()) {
        return Err(bad("message content must be a string"));
    }
    match message.get("images") {
        None | Some(Value::Null) => Ok(()),
        Some(Value::Array(images)) => {
            for image in images {
                let Some(text) = image.as_str() else {
                    return Err(bad("images must be base64 strings"));
                };
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(text)
                    .map_err(|e| bad(format!("illegal base64 data: {e}")))?;
                image::load_from_memory(&bytes).map_err(|e| bad(format!("failed to process image: {e}")))?;
            }
            Ok(())
        }
        Some(_) => Err(bad("images must be an array")),
    }
}

/// Go's `time.ParseDuration` syntax: an optional sign, then number-unit pairs (or "0"). Written
/// here apart from the client's own check on purpose: the stand-in judges requests by Ollama's
/// rules, not by the client's.
fn is_go_duration(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    if body == "0" {
        return true;
    }
    let mut rest = body;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        if digits == 0 {
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

/// Whether `value` fits `schema` (type, required properties, property and item types).
fn fits(value: &Value, schema: &Value, path: &str) -> Result<(), String> {
    let matches = match schema.get("type").and_then(Value::as_str) {
        None => true,
        Some("object") => value.is_object(),
        Some("array") => value.is_array(),
        Some("string") => value.is_string(),
        Some("number") => value.is_number(),
        Some("integer") => value.is_i64() || value.is_u64(),
        Some("boolean") => value.is_boolean(),
        Some("null") => value.is_null(),
        Some(other) => return Err(format!("{path}: the schema's type {other:?} is unknown")),
    };
    if !matches {
        return Err(format!("{path} is {value}, not of type {}", schema["type"]));
    }
    if let (Some(object), Some(properties)) = (value.as_object(), schema.get("properties").and_then(Value::as_object)) {
        for required in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
            let name = required.as_str().unwrap_or_default();
            if !object.contains_key(name) {
                return Err(format!("{path} lacks the required property {name:?}"));
            }
        }
        for (name, property) in properties {
            if let Some(inner) = object.get(name) {
                fits(inner, property, &format!("{path}.{name}"))?;
            }
        }
    }
    if let (Some(items), Some(item_schema)) = (value.as_array(), schema.get("items")) {
        for (index, item) in items.iter().enumerate() {
            fits(item, item_schema, &format!("{path}[{index}]"))?;
        }
    }
    Ok(())
}

/// Now in RFC 3339 (UTC), as Ollama writes `created_at`.
fn now() -> String {
    let seconds = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    // Days since 1970-01-01 to a civil date (H. Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rest / 3600, rest % 3600 / 60, rest % 60)
}

/// The answer, in one object (`stream: false`) or as NDJSON chunks ending in `done: true`.
fn answer(request: &Chat, content: &str, done_reason: &str, took: Duration) -> Response {
    let nanos = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
    let last = |content: &str| {
        json!({
            "model": request.model, "created_at": now(),
            "message": {"role": "assistant", "content": content},
            "done_reason": done_reason, "done": true,
            "total_duration": nanos, "load_duration": 0, "prompt_eval_count": 26, "prompt_eval_duration": 0,
            "eval_count": content.len() / 4, "eval_duration": nanos
        })
    };
    if !request.stream {
        return axum::Json(last(content)).into_response();
    }
    let chars: Vec<char> = content.chars().collect();
    let mut lines = String::new();
    for chunk in chars.chunks(16) {
        let piece: String = chunk.iter().collect();
        let line = json!({"model": request.model, "created_at": now(),
                          "message": {"role": "assistant", "content": piece}, "done": false});
        lines.push_str(&line.to_string());
        lines.push('\n');
    }
    lines.push_str(&last("").to_string());
    lines.push('\n');
    ([(header::CONTENT_TYPE, "application/x-ndjson")], Body::from(lines)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemas_are_checked_like_constrained_output() {
        let schema = json!({"type": "object", "properties": {"a": {"type": "string"},
            "b": {"type": "array", "items": {"type": "string"}}}, "required": ["a", "b"]});
        assert!(fits(&json!({"a": "x", "b": ["y"]}), &schema, "answer").is_ok());
        assert!(fits(&json!({"a": "x"}), &schema, "answer").unwrap_err().contains("\"b\""));
        assert!(fits(&json!({"a": 1, "b": []}), &schema, "answer").is_err());
        assert!(fits(&json!({"a": "x", "b": [2]}), &schema, "answer").is_err());
    }

    #[test]
    fn requests_are_held_to_the_documented_shapes() {
        let models = vec!["llama3.2-vision:latest".to_string()];
        let ok = |body: Value| validate(body.to_string().as_bytes(), &models).map(|c| c.stream);
        assert_eq!(ok(json!({"model": "llama3.2-vision", "messages": [], "stream": false})), Ok(false));
        assert_eq!(ok(json!({"model": "llama3.2-vision"})), Ok(true));
        let code = |body: Value| validate(body.to_string().as_bytes(), &models).err().map(|(s, _)| s.as_u16());
        assert_eq!(code(json!({"messages": []})), Some(400));
        assert_eq!(code(json!({"model": "llava"})), Some(404));
        assert_eq!(code(json!({"model": "llama3.2-vision", "stream": "no"})), Some(400));
        assert_eq!(code(json!({"model": "llama3.2-vision", "format": 3})), Some(400));
        assert_eq!(code(json!({"model": "llama3.2-vision", "options": {"temperature": "low"}})), Some(400));
        assert_eq!(code(json!({"model": "llama3.2-vision", "keep_alive": "soon"})), Some(400));
        assert_eq!(
            code(json!({"model": "llama3.2-vision", "messages": [{"role": "robot", "content": ""}]})),
            Some(400)
        );
        let not_an_image = base64::engine::general_purpose::STANDARD.encode(b"hello");
        assert_eq!(
            code(
                json!({"model": "llama3.2-vision", "messages": [{"role": "user", "content": "", "images": [not_an_image]}]})
            ),
            Some(400)
        );
        assert_eq!(
            code(json!({"model": "llama3.2-vision", "messages": [{"role": "user", "content": "", "images": ["%%%"]}]})),
            Some(400)
        );
        assert!(validate(b"", &models).is_err());
        assert!(is_go_duration("30m") && is_go_duration("1h30m") && is_go_duration("0") && !is_go_duration("30"));
    }
}
