//! The desktop app in remote mode against this server, in process: the app's own client code
//! (health monitor, remote workers) talks to a real server on a loopback port, and
//! egui_kittest reads the status bar as the stand-in Ollama stops and starts, and as the server
//! itself goes away and comes back with a label waiting.
//!
//! A plain test with a runtime of its own: the server runs on the runtime's threads, the app's
//! blocking client on the test's thread, outside any async context.

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use ttb_verifier::gui::health::{Intervals, ServerHealth};
use ttb_verifier::gui::{LabelState, Settings, VerifierApp};
use ttb_verifier::report::Status;

use crate::support::{self, TestServer};

const FAST: Intervals = Intervals {
    healthy: Duration::from_millis(200),
    degraded: Duration::from_millis(200),
    unreachable_first: Duration::from_millis(200),
    unreachable_max: Duration::from_millis(400),
};

fn step_until(harness: &mut Harness<'_, VerifierApp>, what: &str, done: impl Fn(&Harness<'_, VerifierApp>) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done(harness) {
        assert!(Instant::now() < deadline, "never: {what}; the server's health: {:?}", harness.state().server_health());
        harness.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    harness.run_steps(2);
}

fn status_bar_says(harness: &Harness<'_, VerifierApp>, text: &str) -> bool {
    harness.query_by_label(text).is_some()
}

/// Whether the backend picker offers Ollama (opens the picker, reads the choice, closes it).
fn ollama_offered(harness: &mut Harness<'_, VerifierApp>) -> bool {
    harness.get_by_label("OCR backend").click();
    harness.run_steps(2);
    let enabled = !harness.get_by_label("Ollama (vision model)").accesskit_node().is_disabled();
    harness.key_press(egui::Key::Escape);
    harness.run_steps(2);
    enabled
}

fn details(harness: &Harness<'_, VerifierApp>) -> String {
    harness.state().server_health().map(|h| h.details()).unwrap_or_default()
}

#[test]
fn status_bar_follows_the_server_as_ollama_stops_and_starts() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let ollama = support::standin_ollama();
    let data = support::temp_dir();
    let mut config = support::config(data.path());
    config.ollama_host = ollama.url();
    let server = runtime.block_on(TestServer::start(config.clone()));

    let mut app = VerifierApp::new(Settings::default());
    app.use_server(&server.base, "", FAST);
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 820.0))
        .build_ui_state(|ui, app: &mut VerifierApp| app.root_ui(ui), app);

    step_until(&mut harness, "Server healthy", |h| status_bar_says(h, "Server healthy"));
    assert!(harness.state().server_health().is_some_and(|h| h.ollama_available()));
    assert_eq!(details(&harness), "Tesseract: available\nOllama: available");
    assert!(ollama_offered(&mut harness));

    // A label verified on the server, through the app's remote workers.
    harness.state_mut().add_paths(vec![std::path::PathBuf::from(support::SAMPLES).join("label_good_001.jpg")]);
    step_until(&mut harness, "the label is verified on the server", |h| !h.state().is_busy());
    let report = harness.state().labels()[0].report().unwrap().clone();
    assert_eq!((report.status, report.backend.as_str()), (Status::Compliant, "tesseract"));
    harness.run_steps(2);
    harness.get_by_label_contains(&format!("Read by Tesseract on the server {}", server.base.trim_end_matches('/')));

    // Ollama stops: degraded, with Ollama's error on hover; Ollama is no longer offered.
    let addr = ollama.addr();
    ollama.stop();
    step_until(&mut harness, "Server degraded", |h| status_bar_says(h, "Server degraded"));
    let hover = details(&harness);
    assert!(hover.starts_with("Tesseract: available\nOllama: not available: Cannot reach Ollama at"), "{hover}");
    assert!(!harness.state().server_health().is_some_and(|h| h.ollama_available()));
    assert!(!ollama_offered(&mut harness), "Ollama is not offered while the server reports it unavailable");

    // Ollama starts again: healthy.
    let ollama = support::StandIn::start_on(addr, &[support::MODEL]).unwrap();
    step_until(&mut harness, "Server healthy again", |h| status_bar_says(h, "Server healthy"));
    assert!(ollama_offered(&mut harness));

    // The server itself goes away: unreachable, and a label added meanwhile waits, kept.
    let base = server.base.clone();
    runtime.block_on(server.stop()).unwrap();
    step_until(&mut harness, "Server unreachable", |h| status_bar_says(h, "Server unreachable"));
    assert!(matches!(harness.state().server_health(), Some(ServerHealth::Unreachable(_))));
    harness.state_mut().add_paths(vec![std::path::PathBuf::from(support::SAMPLES).join("label_bad_007.jpg")]);
    step_until(&mut harness, "the label waits for the server", |h| {
        matches!(&h.state().labels()[1].state, LabelState::Running { waiting: Some(_), .. })
    });
    // It comes back on its port: the label is sent again and verified, none lost.
    let server = runtime.block_on(TestServer::start_on(base.trim_start_matches("http://"), config));
    step_until(&mut harness, "Server healthy after the restart", |h| status_bar_says(h, "Server healthy"));
    step_until(&mut harness, "the waiting label is verified", |h| !h.state().is_busy());
    let report = harness.state().labels()[1].report().unwrap().clone();
    assert_eq!(report.status, Status::NonCompliant, "{:?}", report.error);

    runtime.block_on(server.stop()).unwrap();
    ollama.stop();
}

/// `ttb-verifier verify --server`: the command line through the same client, token from the
/// environment. (The binary is the workspace's, built beside these tests.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_command_uses_the_server() {
    let data = support::temp_dir();
    let mut config = support::config(data.path());
    config.api_token = Some("s3cret".into());
    let server = TestServer::start(config).await;
    let exe = std::env::current_exe().unwrap();
    let binary = exe.parent().and_then(|deps| deps.parent()).unwrap().join("ttb-verifier");
    assert!(binary.is_file(), "{} is not built", binary.display());
    let samples = std::path::PathBuf::from(support::SAMPLES);
    let run = |token: &'static str| {
        let (binary, base, samples) = (binary.clone(), server.base.clone(), samples.clone());
        tokio::task::spawn_blocking(move || {
            std::process::Command::new(binary)
                .args(["verify", "--server", &base, "--format", "json"])
                .arg(samples.join("label_good_001.jpg"))
                .arg(samples.join("label_bad_007.jpg"))
                .env("TTB_API_TOKEN", token)
                .output()
                .unwrap()
        })
    };
    let output = run("s3cret").await.unwrap();
    let reports: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    let statuses: Vec<&str> = reports.iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["COMPLIANT", "NON_COMPLIANT"], "{}", String::from_utf8_lossy(&output.stderr));
    assert!(reports[0]["file"].as_str().unwrap().ends_with("label_good_001.jpg"));
    assert_eq!(output.status.code(), Some(1));

    let output = run("wrong").await.unwrap();
    let reports: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert!(
        reports.iter().all(|r| r["status"] == "ERROR" && r["error"].as_str().unwrap().contains("401")),
        "{reports:?}"
    );
    assert_eq!(output.status.code(), Some(2));
    server.stop().await.unwrap();
}
