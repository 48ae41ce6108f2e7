//! The desktop app driven by egui_kittest: real workers, real Tesseract, no display needed.
//! Every app here keeps its files in a temporary folder, never in the user's data directory.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use ttb_verifier::gui::export::Format;
use ttb_verifier::gui::{Decision, LabelState, Settings, VerifierApp};
use ttb_verifier::report::Status;

use crate::support::{manifest, samples};

fn harness_for(app: VerifierApp) -> Harness<'static, VerifierApp> {
    Harness::builder()
        .with_size(egui::vec2(1400.0, 880.0))
        .build_ui_state(|ui, app: &mut VerifierApp| app.root_ui(ui), app)
}

fn harness_with(files: &[&str]) -> Harness<'static, VerifierApp> {
    let mut app = VerifierApp::new(Settings::default());
    app.add_paths(files.iter().map(|f| samples().join(f)).collect());
    harness_for(app)
}

/// Steps the UI until `done` holds (90 s at most: labels are read through the real Tesseract).
fn step_until(harness: &mut Harness<'_, VerifierApp>, what: &str, done: impl Fn(&Harness<'_, VerifierApp>) -> bool) {
    crate::gui_support::step_until(harness, what, Duration::from_secs(90), done);
}

/// Steps the UI until every label is verified and the selected label's image is shown.
fn wait_until_done(harness: &mut Harness<'_, VerifierApp>) {
    step_until(harness, "the labels", |h| !h.state().is_busy());
    let shows_image = |h: &Harness<'_, VerifierApp>| {
        let state = h.state();
        let error = state.selected().and_then(|s| state.labels()[s].report()).is_none_or(|r| r.error.is_some());
        error || h.query_by_label("Label image").is_some()
    };
    step_until(harness, "the image", shows_image);
}

fn copy_sample(dir: &Path, file: &str, with_sidecar: bool) -> PathBuf {
    let image = dir.join(file);
    std::fs::copy(samples().join(file), &image).unwrap();
    if with_sidecar {
        let sidecar = Path::new(file).with_extension("json");
        std::fs::copy(samples().join(&sidecar), dir.join(&sidecar)).unwrap();
    }
    image
}

fn sample_with(failing_field: &str) -> String {
    manifest().into_iter().find(|e| e.failing_field.as_deref() == Some(failing_field)).expect("a sample").file
}

fn good_sample() -> String {
    manifest().into_iter().find(|e| e.expected_status == Status::Compliant).expect("a good sample").file
}

#[test]
fn app_shows_a_labels_status_and_checks() {
    let good = good_sample();
    let bad = sample_with("alcohol_content");
    let mut harness = harness_with(&[&good, &bad]);
    harness.step();
    assert!(harness.query_all_by_label(&good).next().is_some(), "the list names the label");
    wait_until_done(&mut harness);

    // The first label is selected: its status and its checks table.
    assert!(!harness.query_all_by_label("Compliant").collect::<Vec<_>>().is_empty());
    for column in ["Field", "Expected", "Found", "Outcome", "Message"] {
        harness.get_by_label(column);
    }
    harness.get_by_role_and_label(egui::Role::Button, "Brand name");
    harness.get_by_role_and_label(egui::Role::Button, "Government warning");
    harness.get_by_label("Label image");

    // Selecting the bad label shows its failing check.
    harness.get_by_label(&bad).click();
    step_until(&mut harness, "the second image", |h| h.query_by_label("Label image").is_some());
    assert!(!harness.query_all_by_label("Not compliant").collect::<Vec<_>>().is_empty());
    harness.get_by_role_and_label(egui::Role::Button, "Alcohol content");
    assert!(!harness.query_all_by_label("fail").collect::<Vec<_>>().is_empty(), "a failing outcome is shown");
    let report = harness.state().labels()[1].report().expect("verified").clone();
    assert_eq!(report.status.as_str(), "NON_COMPLIANT");
}

#[test]
fn a_batch_shows_its_progress_and_can_be_cancelled_and_retried() {
    // A dropped folder of every other basic sample, good and bad (the whole set is the CLI's and eval's job;
    // here it would only make the test slow on a busy machine).
    let folder = tempfile::tempdir().unwrap();
    let chosen: Vec<_> = manifest().into_iter().filter(|e| e.tier.as_deref() != Some("hard")).step_by(2).collect();
    assert!(chosen.iter().any(|e| e.expected_status == Status::NonCompliant), "the folder holds failing labels");
    for entry in &chosen {
        copy_sample(folder.path(), &entry.file, true);
    }
    let settings = Settings { workers: 2, ..Settings::default() };
    let mut app = VerifierApp::new(settings);
    app.add_paths(vec![folder.path().to_path_buf()]);
    let total = app.labels().len();
    assert_eq!(total, chosen.len(), "every image in the folder is queued");
    let mut harness = harness_for(app);
    harness.step();
    harness.get_by_label_contains(&format!("/ {total} done"));
    harness.get_by_label(&format!("All ({total})"));

    // Let a few labels finish, then take the rest off the queue.
    step_until(&mut harness, "three labels", |h| {
        h.state().labels().iter().filter(|l| matches!(l.state, LabelState::Done(_))).count() >= 3
    });
    harness.get_by_label_contains("labels a minute");
    harness.get_by_label("Cancel").click();
    harness.step();
    step_until(&mut harness, "the labels being read", |h| !h.state().is_busy());
    let cancelled = harness.state().labels().iter().filter(|l| matches!(l.state, LabelState::Cancelled)).count();
    assert!(cancelled > 0, "cancel took queued labels off the queue");
    let done = total - cancelled;
    harness.get_by_label_contains(&format!("{done} / {done} done · {cancelled} cancelled"));

    // Retry queues them again and the batch completes.
    harness.get_by_label(&format!("Retry failed ({cancelled})")).click();
    harness.step();
    assert!(harness.state().is_busy());
    wait_until_done(&mut harness);
    harness.get_by_label_contains(&format!("{total} / {total} done"));
    let labels = harness.state().labels();
    assert!(labels.iter().all(|l| l.report().is_some_and(|r| r.error.is_none())), "every sample verified");
    let failing = labels.iter().filter(|l| l.report().is_some_and(|r| r.status.as_str() == "NON_COMPLIANT")).count();
    harness.get_by_label(&format!("Failing ({failing})"));
}

#[test]
fn selecting_a_check_highlights_its_box_and_brings_it_into_view() {
    let bad = sample_with("alcohol_content");
    let mut harness = harness_with(&[&bad]);
    wait_until_done(&mut harness);

    // The failing check is picked for the reviewer and its box is in view.
    assert_eq!(harness.state().selected_check(), Some("alcohol_content"));
    harness.get_by_label("Highlighted evidence: Alcohol content");
    let (view, boxes) = harness.state().evidence_view().expect("an evidence view");
    assert!(!boxes.is_empty(), "the check has a box");
    let image_size = harness.state().labels()[0].report().and_then(|r| r.image_size).expect("image size");
    let image_area = image_size[0] as f32 * image_size[1] as f32;
    assert!(view.area() < image_area / 2.0, "the view is zoomed in on the check: {view:?}");
    for b in &boxes {
        let r = egui::Rect::from_min_size(egui::pos2(b.x as f32, b.y as f32), egui::vec2(b.w as f32, b.h as f32));
        assert!(view.contains_rect(r), "{r:?} is in view {view:?}");
    }

    // Choosing another check in the table moves the highlight and the view to it.
    harness.get_by_role_and_label(egui::Role::Button, "Brand name").click();
    harness.run_steps(3);
    assert_eq!(harness.state().selected_check(), Some("brand_name"));
    harness.get_by_label("Highlighted evidence: Brand name");
    assert!(harness.query_by_label("Highlighted evidence: Alcohol content").is_none());
    let (view, boxes) = harness.state().evidence_view().expect("an evidence view");
    let b = boxes.first().expect("the brand has a box");
    assert!(view.contains(egui::pos2((b.x + b.w / 2) as f32, (b.y + b.h / 2) as f32)), "brand in view {view:?}");

    // "Whole label" shows all of it again.
    harness.get_by_label("Whole label").click();
    harness.run_steps(3);
    let (view, _) = harness.state().evidence_view().expect("an evidence view");
    assert!(view.width() >= image_size[0] as f32 - 1.0, "{view:?}");
}

#[test]
fn editing_application_data_rechecks_without_reading_again() {
    // The label says 12.5%; its application says 13.5%.
    let bad = sample_with("alcohol_content");
    let mut harness = harness_with(&[&bad]);
    wait_until_done(&mut harness);
    assert_eq!(harness.state().labels()[0].report().map(|r| r.status.as_str()), Some("NON_COMPLIANT"));
    assert_eq!(harness.state().labels()[0].times_read(), 1);

    let field = harness.get_by_label("Alcohol, % by volume");
    assert_eq!(field.value().as_deref(), Some("13.5"));
    field.click();
    harness.run_steps(2);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness.get_by_label("Alcohol, % by volume").type_text("12.5");
    harness.step();
    step_until(&mut harness, "the re-check", |h| !h.state().is_busy());

    let label = &harness.state().labels()[0];
    assert_eq!(label.application.as_ref().and_then(|a| a.abv), Some(12.5));
    assert_eq!(label.report().map(|r| r.status.as_str()), Some("COMPLIANT"), "{:?}", label.report());
    assert_eq!(label.times_read(), 1, "the checks ran again on the kept OCR reading");
    harness.get_by_label_contains("Edited here");
    assert!(!harness.query_all_by_label("Compliant").collect::<Vec<_>>().is_empty(), "the new verdict is shown");

    // A value that is not a number is named and changes nothing.
    harness.get_by_label("Alcohol, % by volume").type_text("x");
    harness.run_steps(2);
    harness.get_by_label_contains("Alcohol content must be a number");
    assert_eq!(harness.state().labels()[0].application.as_ref().and_then(|a| a.abv), Some(12.5));
}

#[test]
fn a_decision_and_note_come_back_after_a_restart() {
    let data = tempfile::tempdir().unwrap();
    let images = tempfile::tempdir().unwrap();
    let good = copy_sample(images.path(), &good_sample(), true);
    let bad = copy_sample(images.path(), &sample_with("brand_name"), true);

    let mut app = VerifierApp::with_data_dir(Settings::default(), data.path());
    app.add_paths(vec![good.clone(), bad.clone()]);
    let mut harness = harness_for(app);
    wait_until_done(&mut harness);

    // Approve the first with the keyboard, move down with j, reject the second with a note.
    harness.key_press(Key::A);
    harness.run_steps(2);
    harness.key_press(Key::J);
    harness.run_steps(2);
    assert_eq!(harness.state().selected(), Some(1));
    harness.get_by_label("Reject (r)").click();
    harness.run_steps(2);
    harness.get_by_label("Note").click();
    harness.run_steps(1);
    harness.get_by_label("Note").type_text("brand differs from the form");
    harness.run_steps(2);
    assert_eq!(harness.state().labels()[0].decision, Some(Decision::Approve));
    drop(harness);

    let mut harness = harness_for(VerifierApp::with_data_dir(Settings::default(), data.path()));
    harness.run_steps(3);
    let labels = harness.state().labels();
    assert_eq!(labels.len(), 2);
    assert_eq!(labels[0].path, good);
    assert_eq!(labels[0].decision, Some(Decision::Approve));
    assert_eq!(labels[1].decision, Some(Decision::Reject));
    assert_eq!(labels[1].note, "brand differs from the form");
    assert_eq!(labels[1].report().map(|r| r.status.as_str()), Some("NON_COMPLIANT"), "results are restored");
    assert!(!harness.state().is_busy(), "restored results are not read again");
    assert!(harness.query_all_by_label_contains("Approved").next().is_some(), "the list shows the decision");
    harness.get_by_label("Undecided (0)");
}

#[test]
fn export_csv_has_a_row_per_label_with_outcomes_and_decisions() {
    let good = good_sample();
    let bad = sample_with("alcohol_content");
    let mut harness = harness_with(&[&good, &bad]);
    wait_until_done(&mut harness);
    harness.key_press(Key::J);
    harness.run_steps(2);
    harness.key_press(Key::R);
    harness.run_steps(2);

    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("labels.csv");
    let written = harness.state().export(Format::Csv, &path).expect("the CSV is written");
    assert_eq!(written, 2);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(&header[..3], ["file", "status", "brand_name"]);
    for column in ["alcohol_content", "government_warning_text", "decision", "note"] {
        assert!(header.iter().any(|h| h == column), "{column} in {header:?}");
    }
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert!(rows[0][col("file")].ends_with(&good));
    assert_eq!(&rows[0][col("status")], "COMPLIANT");
    assert_eq!(&rows[0][col("alcohol_content")], "pass");
    assert_eq!(&rows[0][col("decision")], "");
    assert!(rows[1][col("file")].ends_with(&bad));
    assert_eq!(&rows[1][col("status")], "NON_COMPLIANT");
    assert_eq!(&rows[1][col("alcohol_content")], "fail");
    assert_eq!(&rows[1][col("decision")], "rejected");

    // The JSON export is the reports' contract shape; the HTML names every label.
    let json = out.path().join("labels.json");
    harness.state().export(Format::Json, &json).unwrap();
    let reports: Vec<serde_json::Value> = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(reports[1]["status"], "NON_COMPLIANT");
    assert!(reports[1]["checks"].as_array().is_some_and(|c| c.iter().any(|c| c["outcome"] == "fail")));
    let html = out.path().join("labels.html");
    harness.state().export(Format::Html, &html).unwrap();
    let html = std::fs::read_to_string(&html).unwrap();
    assert!(html.contains(&good) && html.contains(&bad));
    assert!(html.contains("data:image/jpeg;base64,"), "the summary carries each label's image");
    assert!(html.contains("Rejected"));
}

#[test]
fn a_manifest_fills_in_application_data() {
    let images = tempfile::tempdir().unwrap();
    let bad = sample_with("alcohol_content");
    let image = copy_sample(images.path(), &bad, false);
    let mut harness = harness_for({
        let mut app = VerifierApp::new(Settings::default());
        app.add_paths(vec![image]);
        app
    });
    wait_until_done(&mut harness);
    harness.get_by_label_contains("checked for presence and format only");

    let sidecar: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(samples().join(Path::new(&bad).with_extension("json"))).unwrap())
            .unwrap();
    let manifest = images.path().join("applications.csv");
    let field =
        |k: &str| sidecar.get(k).map(|v| v.as_str().map_or_else(|| v.to_string(), String::from)).unwrap_or_default();
    let mut csv = csv::Writer::from_path(&manifest).unwrap();
    csv.write_record(["file", "brand_name", "class_type", "product_type", "abv", "net_contents", "bottler"]).unwrap();
    csv.write_record([
        bad.as_str(),
        &field("brand_name"),
        &field("class_type"),
        &field("product_type"),
        &field("abv"),
        &field("net_contents"),
        &field("bottler"),
    ])
    .unwrap();
    csv.flush().unwrap();

    let matched = harness.state_mut().load_manifest(&manifest).expect("the manifest loads");
    assert_eq!(matched, 1);
    step_until(&mut harness, "the re-check", |h| !h.state().is_busy());
    let label = &harness.state().labels()[0];
    assert_eq!(label.report().map(|r| r.status.as_str()), Some("NON_COMPLIANT"), "the ABV now differs");
    assert_eq!(label.times_read(), 1);
    harness.get_by_label_contains("From the manifest applications.csv");
}

#[test]
fn unreadable_files_show_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let bogus = dir.path().join("broken.jpg");
    std::fs::write(&bogus, b"not really a jpeg").unwrap();
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, b"a note, not a label").unwrap();
    let mut app = VerifierApp::new(Settings::default());
    app.add_paths(vec![bogus, notes]);
    let mut harness = harness_for(app);
    wait_until_done(&mut harness);
    harness.get_by_label_contains("could not be verified");
    // Both rows of the list, and the selected label's heading.
    assert_eq!(harness.query_all_by_label("Could not read").count(), 3);
    let report = harness.state().labels()[1].report().expect("a report").clone();
    assert!(report.error.is_some_and(|e| e.contains("not an image")));
    harness.get_by_label("Retry failed (2)");
}

#[test]
fn a_missing_path_is_named_and_the_other_labels_are_still_queued() {
    let dir = tempfile::tempdir().unwrap();
    let good = copy_sample(dir.path(), "label_good_001.jpg", true);
    std::fs::write(dir.path().join("scan.pdf"), b"%PDF-1.4").unwrap();
    let missing = dir.path().join("nope.jpg");
    let mut app = VerifierApp::new(Settings::default());
    app.add_paths(vec![good.clone(), missing, dir.path().to_path_buf()]);
    assert_eq!(app.labels().len(), 1, "the existing label is queued once");
    let mut harness = harness_for(app);
    wait_until_done(&mut harness);
    harness.get_by_label_contains("nope.jpg does not exist");
    harness.get_by_label_contains("is not an image and was skipped");
    assert_eq!(harness.state().labels()[0].report().map(|r| r.status.as_str()), Some("COMPLIANT"));
}
