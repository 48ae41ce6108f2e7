//! The desktop app with Ollama used directly, driven by egui_kittest against the stand-in Ollama:
//! its readiness shown before a batch is sent, labels that wait for it, the per-label Tesseract
//! fallback when the reviewer allows it, and cancelling.

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use ttb_ollama_standin::{Reply, StandIn};
use ttb_verifier::gui::{LabelState, Settings, VerifierApp};
use ttb_verifier::ocr::{Backend, CANCELLED};
use ttb_verifier::report::Status;

use crate::ollama::{MODEL, good_answer};
use crate::support::samples;

fn harness(url: &str, files: &[&str]) -> Harness<'static, VerifierApp> {
    let settings = Settings { backend: Backend::Ollama, ollama_url: url.to_string(), ..Settings::default() };
    let mut app = VerifierApp::new(settings);
    app.add_paths(files.iter().map(|f| samples().join(f)).collect());
    Harness::builder()
        .with_size(egui::vec2(1400.0, 820.0))
        .build_ui_state(|ui, app: &mut VerifierApp| app.root_ui(ui), app)
}

/// Steps the UI until `done` holds (20 s at most).
fn step_until(harness: &mut Harness<'_, VerifierApp>, what: &str, done: impl Fn(&Harness<'_, VerifierApp>) -> bool) {
    crate::gui_support::step_until(harness, what, Duration::from_secs(20), done);
}

fn shows(harness: &Harness<'_, VerifierApp>, text: &str) -> bool {
    harness.query_all_by_label_contains(text).next().is_some()
}

fn queued(harness: &Harness<'_, VerifierApp>) -> usize {
    harness.state().labels().iter().filter(|l| matches!(l.state, LabelState::Queued)).count()
}

#[test]
fn a_missing_model_is_shown_before_the_batch_and_the_batch_falls_back_when_allowed() {
    let standin = StandIn::start(&["qwen2.5vl:7b"]).unwrap();
    let files = ["label_good_001.jpg", "label_bad_007.jpg"];
    let mut harness = harness(&standin.url(), &files);
    step_until(&mut harness, "the missing model is shown", |h| {
        shows(h, "Model 'llama3.2-vision' not found: labels for Ollama wait")
    });
    // Nothing was sent: the labels wait, and the selected one says why.
    harness.run_steps(5);
    assert_eq!(queued(&harness), 2);
    assert!(standin.chat_requests().is_empty());
    assert!(shows(&harness, "Waiting for Ollama: Model 'llama3.2-vision' not found"));

    // The reviewer allows the fallback: each label is tried with Ollama, then read by Tesseract.
    harness.get_by_label("Read with Tesseract when Ollama cannot").click();
    step_until(&mut harness, "the batch is verified", |h| !h.state().is_busy());
    let labels = harness.state().labels();
    for label in labels {
        let report = label.report().expect("verified");
        assert_eq!(report.backend, "tesseract", "{}", label.name);
        assert!(report.warnings[0].starts_with("Ollama could not read this label (Model 'llama3.2-vision' not found)"));
    }
    assert_eq!(labels[0].report().map(|r| r.status), Some(Status::Compliant));
    assert_eq!(labels[1].report().map(|r| r.status), Some(Status::NonCompliant));
    assert!(harness.state().settings.allow_fallback);
    assert!(shows(&harness, "Read by Tesseract (offline)"));
    assert!(shows(&harness, "it was read with Tesseract instead"));
    assert!(shows(&harness, "labels are read with Tesseract"));
}

#[test]
fn an_unreachable_ollama_is_shown_and_the_labels_wait() {
    let mut harness = harness("http://127.0.0.1:9", &["label_good_001.jpg"]);
    step_until(&mut harness, "the unreachable Ollama is shown", |h| {
        shows(h, "Cannot reach Ollama at http://127.0.0.1:9")
    });
    assert_eq!(queued(&harness), 1);
    assert!(harness.state().is_busy());
}

#[test]
fn labels_are_read_by_ollama_when_it_is_ready() {
    let standin = StandIn::start(&[MODEL]).unwrap();
    standin.set_reply(Reply::Answer(good_answer()));
    let mut harness = harness(&standin.url(), &["label_good_001.jpg"]);
    step_until(&mut harness, "the label is verified", |h| !h.state().is_busy());
    let report = harness.state().labels()[0].report().expect("verified").clone();
    assert_eq!(report.backend, "ollama");
    assert_eq!(report.status, Status::NeedsReview);
    assert!(shows(&harness, "Ollama ready (llama3.2-vision)"));
    assert!(shows(&harness, "Read by Ollama (vision model)"));
    assert!(shows(&harness, "Needs review"));
    assert_eq!(standin.chat_requests().len(), 1);
}

#[test]
fn cancelling_stops_the_labels_ollama_reads_and_those_that_wait() {
    let standin = StandIn::start(&[MODEL]).unwrap();
    standin.set_reply(Reply::Answer(good_answer()));
    standin.set_delay(Duration::from_secs(30));
    let mut harness = harness(&standin.url(), &["label_good_001.jpg", "label_good_002.jpg", "label_good_003.jpg"]);
    step_until(&mut harness, "a label reaches Ollama", |_| !standin.chat_requests().is_empty());
    let cancelled_at = Instant::now();
    harness.get_by_label("Cancel Ollama labels").click();
    step_until(&mut harness, "every label is done", |h| !h.state().is_busy());
    assert!(cancelled_at.elapsed() < Duration::from_secs(5), "cancelling took {:?}", cancelled_at.elapsed());
    // The label Ollama was reading has a report saying it was cancelled; those still queued are
    // taken off the queue, unread.
    let mut stopped_while_read = 0;
    for label in harness.state().labels() {
        match &label.state {
            LabelState::Cancelled => {}
            _ => {
                assert_eq!(label.report().and_then(|r| r.error.as_deref()), Some(CANCELLED), "{}", label.name);
                stopped_while_read += 1;
            }
        }
    }
    assert!(stopped_while_read >= 1, "the label Ollama was reading was stopped");
    assert_eq!(standin.answered(), 0);
}
