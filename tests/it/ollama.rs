//! The Ollama backend against the stand-in (`tools/ollama-standin`), which speaks Ollama's API as
//! documented and holds the client to its request shapes. No model runs: the stand-in's answers
//! are scripted here, so these tests show the protocol and what the checks make of an answer,
//! not how well a real model reads labels.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use ttb_ollama_standin::{Reply, StandIn};
use ttb_verifier::application::Application;
use ttb_verifier::ocr::{CANCELLED, Cancel};
use ttb_verifier::ollama::{self, OllamaConfig, OllamaEngine, OllamaError, SharedConfig};
use ttb_verifier::pool::{Event, Job, Mode, Pool};
use ttb_verifier::report::{Outcome, Report, Status};
use ttb_verifier::verify::{self, LabelInput, TRANSCRIPTION_NOTE};

use crate::support::{run_with_env, samples};

pub const MODEL: &str = "llama3.2-vision:latest";

pub use ttb_ollama_standin::{WARNING, faithful_answer as good_answer};

fn config(standin: &StandIn) -> OllamaConfig {
    OllamaConfig { base_url: standin.url(), ..OllamaConfig::default() }
}

fn application() -> Application {
    Application::from_path(&samples().join("label_good_001.json")).unwrap()
}

/// Verifies `label_good_001.jpg` with an Ollama engine configured by `config`.
fn verify_good_label(config: OllamaConfig) -> Report {
    let mut engine = OllamaEngine::new(SharedConfig::new(config), Cancel::default()).unwrap();
    let application = application();
    let input = LabelInput { file: "label_good_001.jpg", application: Some(&application) };
    verify::verify_file(&mut engine, &samples().join("label_good_001.jpg"), &input).0
}

fn outcome(report: &Report, field: &str) -> Option<Outcome> {
    report.checks.iter().find(|c| c.field == field).map(|c| c.outcome)
}

#[test]
fn availability_up_down_and_model_missing() {
    let standin = StandIn::start(&[MODEL]).unwrap();
    let config = config(&standin);
    assert_eq!(ollama::check(&config), Ok(()));
    // A name with its tag must match exactly.
    let tagged = OllamaConfig { model: "llama3.2-vision:90b".into(), ..config.clone() };
    assert_eq!(ollama::check(&tagged).unwrap_err().to_string(), "Model 'llama3.2-vision:90b' not found");

    standin.set_models(&["qwen2.5vl:7b"]);
    let missing = ollama::check(&config).unwrap_err();
    assert_eq!(missing, OllamaError::ModelNotFound("llama3.2-vision".into()));
    assert_eq!(missing.to_string(), "Model 'llama3.2-vision' not found");

    standin.stop();
    let down = ollama::check(&config).unwrap_err();
    assert!(matches!(down, OllamaError::Unreachable { .. }), "{down:?}");
    assert!(down.to_string().starts_with(&format!("Cannot reach Ollama at {}", config.base_url)), "{down}");
}

#[test]
fn structured_answer_feeds_the_checks() {
    let standin = StandIn::start(&[MODEL]).unwrap();
    standin.set_reply(Reply::Answer(good_answer()));
    let report = verify_good_label(config(&standin));

    assert_eq!(report.backend, "ollama");
    assert!(report.error.is_none(), "{:?}", report.error);
    for field in ["brand_name", "class_type", "alcohol_content", "net_contents", "bottler"] {
        assert_eq!(outcome(&report, field), Some(Outcome::Pass), "{field}: {:#?}", report.checks);
    }
    for field in ["government_warning", "government_warning_header", "government_warning_text"] {
        assert_eq!(outcome(&report, field), Some(Outcome::Pass), "{field}: {:#?}", report.checks);
    }
    // Bold type cannot be judged from a transcription: always review, so never COMPLIANT.
    let bold = report.checks.iter().find(|c| c.field == "government_warning_bold").unwrap();
    assert_eq!(bold.outcome, Outcome::Review);
    assert!(bold.message.contains("check by eye"), "{}", bold.message);
    assert_eq!(report.status, Status::NeedsReview);
    // No made-up evidence: no boxes, no confidences.
    assert!(report.checks.iter().all(|c| c.boxes.is_empty() && c.confidence.is_none()), "{:#?}", report.checks);
    assert!(report.warnings.iter().any(|w| w == TRANSCRIPTION_NOTE), "{:?}", report.warnings);
    assert_eq!(report.extracted_fields.abv_numeric, Some(13.5));
    assert_eq!(report.extracted_fields.brand_name.as_deref(), Some("STONE'S THROW"));

    // What was sent, as the stand-in received it.
    let requests = standin.chat_requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request["model"], "llama3.2-vision");
    assert_eq!(request["stream"], false);
    assert_eq!(request["options"]["temperature"], 0.0);
    assert_eq!(request["keep_alive"], "30m");
    assert_eq!(request["format"]["type"], "object");
    assert!(request["format"]["required"].as_array().unwrap().iter().any(|r| r == "government_warning"));
    assert_eq!(request["messages"][0]["role"], "system");
    assert_eq!(request["messages"][1]["role"], "user");
    let image = request["messages"][1]["images"][0].as_str().unwrap();
    use base64::Engine as _;
    let image = image::load_from_memory(&base64::engine::general_purpose::STANDARD.decode(image).unwrap()).unwrap();
    // The 1000 x 1400 label, downscaled to the model's 1120 pixels.
    assert_eq!((image.width(), image.height()), (800, 1120));
    assert!(standin.rejections().is_empty(), "{:?}", standin.rejections());
}

#[test]
fn wrong_fields_in_the_answer_fail_their_checks() {
    let standin = StandIn::start(&[MODEL]).unwrap();
    let mut answer = good_answer();
    answer["alcohol_content"] = json!("12.5% ALC./VOL.");
    answer["government_warning"] = json!(WARNING.replace("GOVERNMENT WARNING", "Government Warning"));
    standin.set_reply(Reply::Answer(answer));
    let report = verify_good_label(config(&standin));
    assert_eq!(outcome(&report, "alcohol_content"), Some(Outcome::Fail), "{:#?}", report.checks);
    assert_eq!(outcome(&report, "government_warning_header"), Some(Outcome::Fail), "{:#?}", report.checks);
    assert_eq!(report.status, Status::NonCompliant);
    assert!(report.violations.iter().any(|v| v.field == "alcohol_content"));
}

#[test]
fn a_slow_model_times_out() {
    let standin = StandIn::start(&[MODEL]).unwrap();
    standin.set_reply(Reply::Answer(good_answer()));
    standin.set_delay(Duration::from_secs(5));
    let started = Instant::now();
    let report = verify_good_label(OllamaConfig { timeout: Duration::from_secs(1), ..config(&standin) });
    assert!(started.elapsed() < Duration::from_secs(4), "took {:?}", started.elapsed());
    assert_eq!(report.status, Status::Error);
    let error = report.error.unwrap();
    assert_eq!(error, format!("Ollama at {} did not answer within 1 s", standin.url()));
}

#[test]
fn malformed_answers_are_clear_errors() {
    let standin = StandIn::start(&[MODEL]).unwrap();
    let cases = [
        ("Sure! The label says STONE'S THROW.", "stop", "not the JSON object asked for"),
        (r#"{"brand_name": "STONE'S THROW", "class_type": "#, "length", "limit of 1024 tokens"),
        (r#"{"brand_name": "STONE'S THROW"}"#, "stop", "missing field"),
    ];
    for (content, done_reason, expected) in cases {
        standin.set_reply(Reply::Content { content: content.into(), done_reason: done_reason.into() });
        let report = verify_good_label(config(&standin));
        assert_eq!(report.status, Status::Error);
        let error = report.error.unwrap_or_default();
        assert!(error.starts_with("The vision model's answer could not be used: "), "{error}");
        assert!(error.contains(expected), "{error}");
    }
    // Ollama's own errors, a missing model among them, in the runbook's wording.
    standin.set_models(&[]);
    let report = verify_good_label(config(&standin));
    assert_eq!(report.error.as_deref(), Some("Model 'llama3.2-vision' not found"));
}

fn pool_with(config: OllamaConfig) -> Pool {
    Pool::start_mode(Mode::Ollama(SharedConfig::new(config)), 1, None, None)
}

/// Submits sample files and collects their reports in order.
fn verify_with(pool: &Pool, files: &[&str]) -> Vec<Report> {
    for (id, file) in files.iter().enumerate() {
        let path = samples().join(file);
        let application = Application::sidecar_for(&path).unwrap();
        pool.submit(Job::file(id as u64, path, application));
    }
    let mut reports: Vec<Option<Report>> = vec![None; files.len()];
    let deadline = Instant::now() + Duration::from_secs(60);
    while reports.iter().any(Option::is_none) {
        assert!(Instant::now() < deadline, "labels still running");
        if let Some(Event::Finished { id, result }) = pool.next() {
            reports[id as usize] = Some(result.report);
        }
    }
    reports.into_iter().flatten().collect()
}

#[test]
fn a_malformed_answer_falls_back_to_tesseract_when_allowed() {
    let standin = StandIn::start(&[MODEL]).unwrap();
    standin.set_reply(Reply::Content { content: "I cannot read this label.".into(), done_reason: "stop".into() });
    let pool = pool_with(OllamaConfig { fallback: true, ..config(&standin) });
    let report = verify_with(&pool, &["label_good_001.jpg"]).remove(0);
    assert_eq!(report.backend, "tesseract");
    assert_eq!(report.status, Status::Compliant, "{:#?}", report.checks);
    assert!(
        report.warnings[0].starts_with("Ollama could not read this label (The vision model's answer could not be used"),
        "{:?}",
        report.warnings
    );
    assert!(report.warnings[0].ends_with("it was read with Tesseract instead."));
    // Tesseract's evidence is measured: its boxes are there.
    assert!(report.checks.iter().any(|c| !c.boxes.is_empty()));

    // Without permission the error stands.
    let pool = pool_with(config(&standin));
    let report = verify_with(&pool, &["label_good_001.jpg"]).remove(0);
    assert_eq!((report.status, report.backend.as_str()), (Status::Error, "ollama"));
}

#[test]
fn a_batch_falls_back_per_label_and_each_report_names_its_backend() {
    let standin = StandIn::start(&[MODEL]).unwrap();
    standin.set_reply(Reply::Answer(good_answer()));
    let files = ["label_good_001.jpg", "label_good_002.jpg", "label_bad_001.jpg"];
    let pool = pool_with(OllamaConfig { fallback: true, ..config(&standin) });
    let reports = verify_with(&pool, &files);
    assert!(reports.iter().all(|r| r.backend == "ollama"), "Ollama up: every label read by it");

    // Ollama goes away mid-batch: the labels still come back, read by Tesseract, and say why.
    standin.stop();
    let reports = verify_with(&pool, &files);
    for report in &reports {
        assert_eq!(report.backend, "tesseract", "{}", report.file);
        assert!(report.warnings[0].contains("Cannot reach Ollama at"), "{:?}", report.warnings);
        assert_ne!(report.status, Status::Error);
    }
    assert_eq!(reports[0].status, Status::Compliant);
    assert_eq!(reports[2].status, Status::NonCompliant);
}

#[test]
fn cancelling_drops_the_request_and_the_waiting_labels() {
    let standin = StandIn::start(&[MODEL]).unwrap();
    standin.set_reply(Reply::Answer(good_answer()));
    standin.set_delay(Duration::from_secs(30));
    // Fallback allowed: a cancelled label must still not be read by Tesseract.
    let pool = pool_with(OllamaConfig { fallback: true, ..config(&standin) });
    for id in 0..3 {
        pool.submit(Job::file(id, samples().join("label_good_001.jpg"), Some(application())));
    }
    assert!(matches!(pool.next(), Some(Event::Started { id: 0 })));
    // The request reaches the stand-in, whose model takes its time.
    let deadline = Instant::now() + Duration::from_secs(10);
    while standin.chat_requests().is_empty() {
        assert!(Instant::now() < deadline, "the request never arrived");
        std::thread::sleep(Duration::from_millis(20));
    }
    let cancelled_at = Instant::now();
    pool.cancel_all();
    let mut finished = Vec::new();
    while finished.len() < 3 {
        match pool.next() {
            Some(Event::Finished { id, result }) => finished.push((id, result.report)),
            Some(_) => {}
            None => panic!("the pool stopped"),
        }
    }
    assert!(cancelled_at.elapsed() < Duration::from_secs(2), "cancel took {:?}", cancelled_at.elapsed());
    for (id, report) in &finished {
        assert_eq!(report.status, Status::Error, "label {id}");
        assert_eq!(report.error.as_deref(), Some(CANCELLED), "label {id}");
        assert_eq!(report.backend, "ollama");
    }
    // The request was dropped, not waited for (its answer is 30 s away).
    assert_eq!(standin.answered(), 0);
    assert_eq!(standin.chat_requests().len(), 1, "the waiting labels were never sent");

    // Labels submitted after the cancel are read as usual.
    standin.set_delay(Duration::ZERO);
    let report = verify_with(&pool, &["label_good_001.jpg"]).remove(0);
    assert_eq!(report.backend, "ollama");
    assert_eq!(report.status, Status::NeedsReview);
}

#[test]
fn verify_command_reads_with_ollama_from_the_environment_or_flags() {
    let standin = StandIn::start(&[MODEL]).unwrap();
    standin.set_reply(Reply::Answer(good_answer()));
    let image = samples().join("label_good_001.jpg");
    let image = image.to_string_lossy();
    let output = run_with_env(
        &["verify", "--backend", "ollama", "--format", "json", &image],
        &[("OLLAMA_HOST", &standin.url()), ("OLLAMA_MODEL", "llama3.2-vision")],
    );
    let reports: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(reports[0]["backend"], "ollama", "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(reports[0]["status"], "NEEDS_REVIEW");
    assert_eq!(output.status.code(), Some(1));

    // A missing model stops the run before any label is sent, saying what to do.
    let output = run_with_env(
        &["verify", "--backend", "ollama", "--ollama-host", &standin.url(), "--ollama-model", "llava", &image],
        &[("OLLAMA_HOST", "http://127.0.0.1:9")],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("Model 'llava' not found") && stderr.contains("ollama pull llava"), "{stderr}");
    assert!(output.stdout.is_empty());
    assert_eq!(standin.chat_requests().len(), 1, "no label was sent");
}

#[test]
fn verify_command_falls_back_for_a_batch_when_asked() {
    let standin = StandIn::start(&["qwen2.5vl:7b"]).unwrap();
    let files: Vec<String> = ["label_good_001.jpg", "label_good_002.jpg", "label_bad_003.jpg"]
        .iter()
        .map(|f| samples().join(f).to_string_lossy().into_owned())
        .collect();
    let mut args = vec!["verify", "--backend", "ollama", "--fallback", "--format", "json", "--ollama-host"];
    let url = standin.url();
    args.push(&url);
    args.extend(files.iter().map(String::as_str));
    let output = run_with_env(&args, &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("warning: Model 'llama3.2-vision' not found"), "{stderr}");
    let reports: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(reports.len(), 3);
    for report in &reports {
        assert_eq!(report["backend"], "tesseract");
        let first = report["warnings"][0].as_str().unwrap();
        assert!(first.starts_with("Ollama could not read this label (Model 'llama3.2-vision' not found)"), "{first}");
    }
    assert_eq!(reports[0]["status"], "COMPLIANT");
    assert_eq!(reports[2]["status"], "NON_COMPLIANT");
    assert_eq!(output.status.code(), Some(1));
}
