//! Watches a server's `/health` on a background thread for the status bar: every 30 s while it
//! is healthy, every 10 s while degraded, and from 10 s backing off to 60 s while unreachable.
//! The UI thread only reads the latest answer; it never waits on the network.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::api::{Health, HealthStatus};
use crate::remote::RemoteClient;

/// What the status bar shows about the server.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerHealth {
    Checking,
    Answered(Health),
    Unreachable(String),
}

impl ServerHealth {
    /// One word for the status bar.
    pub fn summary(&self) -> &'static str {
        match self {
            Self::Checking => "checking…",
            Self::Answered(h) => match h.status {
                HealthStatus::Healthy => "healthy",
                HealthStatus::Degraded => "degraded",
                HealthStatus::Unhealthy => "unhealthy",
            },
            Self::Unreachable(_) => "unreachable",
        }
    }

    /// Whether the server says the Ollama backend can be used now.
    pub fn ollama_available(&self) -> bool {
        matches!(self, Self::Answered(h) if h.backends.ollama.available)
    }

    /// Each backend's state and error, for the hover text.
    pub fn details(&self) -> String {
        match self {
            Self::Checking => "Asking the server…".into(),
            Self::Unreachable(reason) => reason.clone(),
            Self::Answered(h) => {
                let line = |name: &str, b: &crate::api::BackendHealth| match &b.error {
                    None if b.available => format!("{name}: available"),
                    None => format!("{name}: not available"),
                    Some(e) => format!("{name}: not available: {e}"),
                };
                format!("{}\n{}", line("Tesseract", &h.backends.tesseract), line("Ollama", &h.backends.ollama))
            }
        }
    }
}

/// Polling intervals; tests shorten them.
#[derive(Debug, Clone, Copy)]
pub struct Intervals {
    pub healthy: Duration,
    pub degraded: Duration,
    pub unreachable_first: Duration,
    pub unreachable_max: Duration,
}

impl Default for Intervals {
    fn default() -> Self {
        Self {
            healthy: Duration::from_secs(30),
            degraded: Duration::from_secs(10),
            unreachable_first: Duration::from_secs(10),
            unreachable_max: Duration::from_secs(60),
        }
    }
}

pub struct HealthMonitor {
    latest: Arc<Mutex<ServerHealth>>,
    stop: Arc<AtomicBool>,
    wake: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    base_url: String,
}

impl HealthMonitor {
    /// Starts polling; `changed` runs after each answer (the app requests a repaint there).
    pub fn start(client: Arc<RemoteClient>, intervals: Intervals, changed: Arc<dyn Fn() + Send + Sync>) -> Self {
        let latest = Arc::new(Mutex::new(ServerHealth::Checking));
        let stop = Arc::new(AtomicBool::new(false));
        let wake = Arc::new(AtomicBool::new(false));
        let base_url = client.base_url().to_string();
        let thread = {
            let (latest, stop, wake) = (Arc::clone(&latest), Arc::clone(&stop), Arc::clone(&wake));
            std::thread::Builder::new()
                .name("health-monitor".into())
                .spawn(move || poll(&client, intervals, &latest, &stop, &wake, changed.as_ref()))
                .ok()
        };
        Self { latest, stop, wake, thread, base_url }
    }

    pub fn latest(&self) -> ServerHealth {
        self.latest.lock().map(|h| h.clone()).unwrap_or(ServerHealth::Checking)
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Asks again now instead of at the next interval.
    pub fn check_now(&self) {
        self.wake.store(true, Ordering::Relaxed);
    }
}

impl Drop for HealthMonitor {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn poll(
    client: &RemoteClient,
    intervals: Intervals,
    latest: &Mutex<ServerHealth>,
    stop: &AtomicBool,
    wake: &AtomicBool,
    changed: &(dyn Fn() + Send + Sync),
) {
    let mut backoff = intervals.unreachable_first;
    while !stop.load(Ordering::Relaxed) {
        let answer = match client.health() {
            Ok(health) => ServerHealth::Answered(health),
            Err(e) => ServerHealth::Unreachable(e.to_string()),
        };
        let wait = match &answer {
            ServerHealth::Answered(h) if h.status == HealthStatus::Healthy => {
                backoff = intervals.unreachable_first;
                intervals.healthy
            }
            ServerHealth::Answered(_) | ServerHealth::Checking => {
                backoff = intervals.unreachable_first;
                intervals.degraded
            }
            ServerHealth::Unreachable(_) => {
                let wait = backoff;
                backoff = (backoff * 2).min(intervals.unreachable_max);
                wait
            }
        };
        if let Ok(mut slot) = latest.lock() {
            *slot = answer;
        }
        changed();
        let until = Instant::now() + wait;
        while Instant::now() < until && !stop.load(Ordering::Relaxed) {
            if wake.swap(false, Ordering::Relaxed) {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}
