//! A bounded load run on loopback: starts the server binary with 2 workers, sends 200 `/verify`
//! requests of a real label at concurrency 8, checks every answer is 200, or 503 with
//! `Retry-After`, and prints the latency percentiles and the server's peak RSS.
//!
//! Each of the concurrent clients behaves as a polite client does: after a 503 it waits the
//! `Retry-After` seconds before its next request (`--no-wait` sends the next one at once, which
//! measures how fast refusals are).
//!
//! ```text
//! cargo build -p ttb-verifier-server --example load [--release]
//! cargo build -p ttb-verifier-server --bin ttb-verifier-server [--release]   (last: see README)
//! target/debug/examples/load [REQUESTS] [CONCURRENCY] [WORKERS] [--no-wait]
//! ```
//!
//! The server binary is looked for beside this example's folder (`TTB_SERVER_BIN` overrides).

use std::path::PathBuf;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

struct Outcome {
    status: u16,
    retry_after: Option<u64>,
    latency: Duration,
}

fn main() -> ExitCode {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let requests = args.first().copied().unwrap_or(200);
    let concurrency = args.get(1).copied().unwrap_or(8);
    let workers = args.get(2).copied().unwrap_or(2);
    let wait = !std::env::args().any(|a| a == "--no-wait");
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(load(requests, concurrency, workers, wait)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn server_binary() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("TTB_SERVER_BIN") {
        return Ok(PathBuf::from(path));
    }
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let profile_dir = exe.parent().and_then(|examples| examples.parent()).ok_or("no target folder")?;
    let binary = profile_dir.join("ttb-verifier-server");
    if binary.is_file() {
        Ok(binary)
    } else {
        Err(format!(
            "{} not found: run `cargo build -p ttb-verifier-server --bin ttb-verifier-server` first",
            binary.display()
        ))
    }
}

/// Stops the server (SIGTERM, for a graceful stop) when the run ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg("-TERM").arg(self.0.id().to_string()).status();
        let _ = self.0.wait();
    }
}

async fn load(requests: usize, concurrency: usize, workers: usize, wait: bool) -> Result<bool, String> {
    let binary = server_binary()?;
    let data = tempfile::tempdir().map_err(|e| e.to_string())?;
    let port =
        std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
    let child = Command::new(&binary)
        .env("TTB_LISTEN", format!("127.0.0.1:{port}"))
        .env("TTB_WORKERS", workers.to_string())
        .env("TTB_DATA_DIR", data.path())
        .env("OLLAMA_HOST", "http://127.0.0.1:9")
        .env("OMP_THREAD_LIMIT", "1")
        .env("LOG_LEVEL", "error")
        .stdin(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
    let pid = child.id();
    let server = Server(child);
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();

    let started = Instant::now();
    loop {
        if client.get(format!("{base}/health")).send().await.is_ok_and(|r| r.status().is_success()) {
            break;
        }
        if started.elapsed() > Duration::from_secs(30) {
            return Err("the server did not come up within 30 s".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let samples = concat!(env!("CARGO_MANIFEST_DIR"), "/../test_samples");
    let image = std::fs::read(format!("{samples}/label_good_001.jpg")).map_err(|e| e.to_string())?;
    let application = std::fs::read_to_string(format!("{samples}/label_good_001.json")).map_err(|e| e.to_string())?;
    println!(
        "load: {requests} POST /verify at concurrency {concurrency} against {workers} workers (queue {}), server pid {pid}, {}",
        2 * workers,
        if wait { "clients wait Retry-After after a 503" } else { "clients retry at once" }
    );

    let gate = Arc::new(Semaphore::new(concurrency));
    let run_started = Instant::now();
    let mut tasks = Vec::with_capacity(requests);
    for _ in 0..requests {
        let permit = Arc::clone(&gate).acquire_owned().await.map_err(|e| e.to_string())?;
        let (client, url, image, application) =
            (client.clone(), format!("{base}/verify"), image.clone(), application.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = permit;
            let form = reqwest::multipart::Form::new()
                .part("image", reqwest::multipart::Part::bytes(image).file_name("label_good_001.jpg"))
                .text("application", application);
            let sent = Instant::now();
            let response = client.post(url).multipart(form).send().await;
            let latency = sent.elapsed();
            let outcome = match response {
                Ok(r) => {
                    let status = r.status().as_u16();
                    let retry_after =
                        r.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
                    let _ = r.bytes().await;
                    Outcome { status, retry_after, latency }
                }
                Err(_) => Outcome { status: 0, retry_after: None, latency },
            };
            // The client's slot stays taken while it waits, as a real client's would.
            if let (true, 503, Some(seconds)) = (wait, outcome.status, outcome.retry_after) {
                tokio::time::sleep(Duration::from_secs(seconds)).await;
            }
            outcome
        }));
    }
    let mut outcomes = Vec::with_capacity(requests);
    for task in tasks {
        outcomes.push(task.await.map_err(|e| e.to_string())?);
    }
    let elapsed = run_started.elapsed();
    let peak_rss = peak_rss_kb(pid);
    drop(server);

    let ok: Vec<Duration> = outcomes.iter().filter(|o| o.status == 200).map(|o| o.latency).collect();
    let busy = outcomes.iter().filter(|o| o.status == 503 && o.retry_after.is_some()).count();
    let other = outcomes.len() - ok.len() - busy;
    let all: Vec<Duration> = outcomes.iter().map(|o| o.latency).collect();
    println!("answers: {} x 200, {busy} x 503 with Retry-After, {other} other", ok.len());
    println!("all answers: p50 {} ms, p95 {} ms", ms(percentile(&all, 50)), ms(percentile(&all, 95)));
    println!("200 answers: p50 {} ms, p95 {} ms", ms(percentile(&ok, 50)), ms(percentile(&ok, 95)));
    println!(
        "wall time {:.1} s, {:.2} labels verified per second",
        elapsed.as_secs_f64(),
        ok.len() as f64 / elapsed.as_secs_f64()
    );
    match peak_rss {
        Some(kb) => println!("server peak RSS (VmHWM): {:.1} MB", kb as f64 / 1024.0),
        None => println!("server peak RSS: unknown (/proc/{pid}/status unreadable)"),
    }
    Ok(other == 0)
}

fn percentile(latencies: &[Duration], p: usize) -> Duration {
    if latencies.is_empty() {
        return Duration::ZERO;
    }
    let mut sorted = latencies.to_vec();
    sorted.sort();
    let rank = (p * sorted.len()).div_ceil(100).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn ms(d: Duration) -> u128 {
    d.as_millis()
}

/// VmHWM, the process's peak resident set, in kB.
fn peak_rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
