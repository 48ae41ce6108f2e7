//! The desktop app driven by egui_kittest: real workers, real Tesseract, no display needed.

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use ttb_verifier::gui::{Settings, VerifierApp};

use crate::support::{manifest, samples};

fn harness_with(files: &[&str]) -> Harness<'static, VerifierApp> {
    let mut app = VerifierApp::new(Settings::default());
    app.add_paths(files.iter().map(|f| samples().join(f)).collect());
    Harness::builder()
        .with_size(egui::vec2(1280.0, 820.0))
        .build_ui_state(|ui, app: &mut VerifierApp| app.root_ui(ui), app)
}

/// Steps the UI until every label is verified (workers run on their own threads).
fn wait_until_done(harness: &mut Harness<'_, VerifierApp>) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while harness.state().is_busy() {
        assert!(Instant::now() < deadline, "labels still running after 60 s");
        harness.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    harness.run_steps(3);
}

#[test]
fn app_shows_a_labels_status_and_checks() {
    let expected = manifest();
    let good = expected.iter().find(|e| e.expected_status == "COMPLIANT").expect("a good sample");
    let bad = expected
        .iter()
        .find(|e| e.failing_field.as_deref() == Some("alcohol_content"))
        .expect("a sample whose alcohol content fails");
    let mut harness = harness_with(&[&good.file, &bad.file]);
    harness.step();
    assert!(harness.query_all_by_label(&good.file).next().is_some(), "the list names the label");
    wait_until_done(&mut harness);

    // The first label is selected: its status and its checks table.
    assert!(!harness.query_all_by_label("Compliant").collect::<Vec<_>>().is_empty());
    for column in ["Field", "Expected", "Found", "Outcome", "Message"] {
        harness.get_by_label(column);
    }
    harness.get_by_label("Brand name");
    harness.get_by_label("Government warning");
    harness.get_by_label("Label image");

    // Selecting the bad label shows its failing check.
    harness.get_by_label(&bad.file).click();
    harness.run_steps(3);
    assert!(!harness.query_all_by_label("Not compliant").collect::<Vec<_>>().is_empty());
    harness.get_by_label("Alcohol content");
    assert!(!harness.query_all_by_label("fail").collect::<Vec<_>>().is_empty(), "a failing outcome is shown");
    let report = harness.state().labels()[1].report().expect("verified").clone();
    assert_eq!(report.status.as_str(), "NON_COMPLIANT");
}

#[test]
fn label_without_application_says_so() {
    let good = manifest().into_iter().find(|e| e.expected_status == "COMPLIANT").expect("a good sample");
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join(&good.file);
    std::fs::copy(samples().join(&good.file), &image).unwrap();
    let mut app = VerifierApp::new(Settings::default());
    app.add_paths(vec![image]);
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 820.0))
        .build_ui_state(|ui, app: &mut VerifierApp| app.root_ui(ui), app);
    wait_until_done(&mut harness);
    harness.get_by_label_contains("checked for presence and format only");
}

#[test]
fn unreadable_file_shows_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let bogus = dir.path().join("broken.jpg");
    std::fs::write(&bogus, b"not really a jpeg").unwrap();
    let mut app = VerifierApp::new(Settings::default());
    app.add_paths(vec![bogus]);
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 820.0))
        .build_ui_state(|ui, app: &mut VerifierApp| app.root_ui(ui), app);
    wait_until_done(&mut harness);
    harness.get_by_label_contains("could not be verified");
    assert!(!harness.query_all_by_label("Could not read").collect::<Vec<_>>().is_empty());
}
