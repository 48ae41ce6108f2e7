//! `ttb-verifier verify` end to end with the real Tesseract.

use std::collections::HashMap;

use ttb_verifier::report::Status;

use crate::support::{file_name, manifest, reports, run, samples};

/// The acceptance test: every sample's status, and for bad labels the field whose check fails,
/// as the manifest says. A good label may come out NEEDS_REVIEW only where its manifest entry
/// says why (a photo a reviewer should have retaken); a bad label never comes out COMPLIANT.
#[test]
fn verify_json_over_samples_matches_manifest() {
    let output = run(&["verify", "--format", "json", "test_samples/"]);
    let reports = reports(&output);
    let by_name: HashMap<String, &serde_json::Value> =
        reports.iter().map(|r| (file_name(r["file"].as_str().unwrap_or_default()), r)).collect();
    let expected = manifest();
    assert!(expected.len() >= 50, "at least 50 samples, found {}", expected.len());
    let hard = expected.iter().filter(|e| e.tier.as_deref() == Some("hard")).count();
    assert!(hard >= 20, "at least 20 samples in the hard tier, found {hard}");
    let mut wrong = Vec::new();
    for entry in &expected {
        let Some(report) = by_name.get(&entry.file) else {
            wrong.push(format!("{}: no report", entry.file));
            continue;
        };
        let status = report["status"].as_str().unwrap_or_default();
        let failing: Vec<&str> = report["checks"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| c["outcome"] == "fail")
            .filter_map(|c| c["field"].as_str())
            .collect();
        let problems: Vec<String> = report["checks"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| c["outcome"] != "pass")
            .map(|c| format!("{}={}: {}", c["field"], c["outcome"], c["message"]))
            .collect();
        let bad = entry.expected_status == Status::NonCompliant;
        if bad && status == "COMPLIANT" {
            wrong.push(format!("{}: a bad label came out COMPLIANT ({:?})", entry.file, entry.defect));
            continue;
        }
        let review_accepted = status == "NEEDS_REVIEW" && entry.may_need_review.is_some();
        if status != entry.expected_status.as_str() && !review_accepted {
            wrong.push(format!(
                "{}: status {status}, expected {} ({problems:?})",
                entry.file,
                entry.expected_status.as_str()
            ));
        }
        if status == "NON_COMPLIANT"
            && let Some(field) = &entry.failing_field
            && !failing.contains(&field.as_str())
        {
            wrong.push(format!("{}: {field} did not fail ({:?}); failing: {failing:?}", entry.file, entry.defect));
        }
    }
    assert!(wrong.is_empty(), "{} of {} samples wrong:\n{}", wrong.len(), expected.len(), wrong.join("\n"));
    // Bad labels are among the inputs, so the exit status is 1 (CONTRACTS).
    assert_eq!(output.status.code(), Some(1), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&format!("[{0}/{0}]", expected.len())), "progress on stderr: {stderr}");
}

/// `eval` over the samples: figures for every field, the verdict accuracy, no false pass.
#[test]
fn eval_reports_accuracy_over_samples() {
    let output = run(&["eval", "--tier", "basic", "test_samples"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    for needle in [
        "brand_name",
        "government_warning_bold",
        "verdict accuracy: ",
        "false passes (bad labels COMPLIANT): 0",
        "false alarms (good labels not COMPLIANT): ",
        "seconds per label: mean ",
    ] {
        assert!(stdout.contains(needle), "{needle:?} missing from:\n{stdout}");
    }
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert_eq!(run(&["eval", "no/such/folder"]).status.code(), Some(2));
}

#[test]
fn compliant_label_exits_zero_with_text_output() {
    let good = manifest().into_iter().find(|e| e.expected_status == Status::Compliant).expect("a good sample");
    let path = samples().join(&good.file);
    let output = run(&["verify", &path.to_string_lossy()]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.starts_with("COMPLIANT"), "{stdout}");
    assert!(stdout.contains("1 label: 1 compliant"), "{stdout}");
}

#[test]
fn explicit_application_overrides_sidecar() {
    let good = manifest().into_iter().find(|e| e.expected_status == Status::Compliant).expect("a good sample");
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("other.json");
    std::fs::write(&app, r#"{"brand_name": "Completely Different Brand"}"#).unwrap();
    let image = samples().join(&good.file);
    let output =
        run(&["verify", "--format", "json", "--application", &app.to_string_lossy(), &image.to_string_lossy()]);
    let reports = reports(&output);
    assert_eq!(reports[0]["status"], "NON_COMPLIANT");
    let brand = reports[0]["checks"].as_array().unwrap().iter().find(|c| c["field"] == "brand_name").unwrap();
    assert_eq!(brand["outcome"], "fail");
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn without_application_data_checks_are_structural() {
    let good = manifest().into_iter().find(|e| e.expected_status == Status::Compliant).expect("a good sample");
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join(&good.file);
    std::fs::copy(samples().join(&good.file), &image).unwrap();
    let output = run(&["verify", "--format", "json", &image.to_string_lossy()]);
    let reports = reports(&output);
    assert_eq!(reports[0]["validation_level"], "STRUCTURAL_ONLY");
    assert!(reports[0]["checks"].as_array().is_some_and(|c| !c.is_empty()));

    // The text output says so too, not only the JSON.
    let output = run(&["verify", &image.to_string_lossy()]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("note   No application data: only presence and format were checked."), "{text}");
    assert!(text.contains("\n1 label: "), "{text}");
}

/// Bad input gets a clear error and loses nothing: the other labels are still verified.
#[test]
fn bad_files_are_errors_and_the_rest_still_verify() {
    let good = manifest().into_iter().find(|e| e.expected_status == Status::Compliant).expect("a good sample");
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(samples().join(&good.file), dir.path().join("a_good.jpg")).unwrap();
    std::fs::copy(
        samples().join(good.file.replace(".jpg", ".json").replace(".png", ".json")),
        dir.path().join("a_good.json"),
    )
    .unwrap();
    let bytes = std::fs::read(samples().join(&good.file)).unwrap();
    std::fs::write(dir.path().join("b_truncated.jpg"), &bytes[..bytes.len() / 3]).unwrap();
    std::fs::write(dir.path().join("c_not_an_image.png"), b"this is a text file, not a label").unwrap();
    std::fs::copy(samples().join(&good.file), dir.path().join("d_bad_sidecar.jpg")).unwrap();
    std::fs::write(dir.path().join("d_bad_sidecar.json"), "{ not json").unwrap();
    std::fs::write(dir.path().join("e_scan.pdf"), b"%PDF-1.4").unwrap();

    let output = run(&["verify", "--format", "json", &dir.path().to_string_lossy()]);
    let reports = reports(&output);
    assert_eq!(reports.len(), 4);
    // The PDF in the folder is named as skipped; progress counts every label once.
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("1 file in the folders is not an image and was skipped:") && stderr.contains("e_scan.pdf"),
        "{stderr}"
    );
    for n in 1..=4 {
        assert_eq!(stderr.matches(&format!("[{n}/4]")).count(), 1, "{stderr}");
    }
    assert_eq!(reports[0]["status"], "COMPLIANT", "{}", reports[0]);
    for (report, needle) in reports[1..].iter().zip(["damaged", "not an image", "not valid JSON"]) {
        assert_eq!(report["status"], "ERROR", "{report}");
        let error = report["error"].as_str().unwrap_or_default();
        assert!(error.contains(needle), "{error:?} should mention {needle:?}");
    }
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn usage_errors_exit_two() {
    assert_eq!(run(&["verify", "no/such/path.jpg"]).status.code(), Some(2));
    assert_eq!(run(&["verify", "--backend", "magic", "test_samples"]).status.code(), Some(2));
    assert_eq!(run(&["verify"]).status.code(), Some(2));
    let output = run(&["verify", "--application", "x.json", "test_samples"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn missing_tessdata_is_explained() {
    let good = manifest().into_iter().find(|e| e.expected_status == Status::Compliant).expect("a good sample");
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ttb-verifier"))
        .args(["verify", "--format", "json"])
        .arg(samples().join(&good.file))
        .env("TESSDATA_PREFIX", dir.path())
        .output()
        .unwrap();
    let reports = reports(&output);
    let error = reports[0]["error"].as_str().unwrap_or_default();
    assert!(error.contains("eng.traineddata") && error.contains("tesseract-ocr-eng"), "{error}");
    assert_eq!(output.status.code(), Some(2));
}

/// Splices an EXIF segment with the given orientation into a JPEG, right after its SOI marker.
fn with_exif_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    let mut tiff = b"MM\0*\0\0\0\x08".to_vec();
    tiff.extend_from_slice(&1u16.to_be_bytes()); // one entry
    tiff.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    tiff.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    tiff.extend_from_slice(&1u32.to_be_bytes()); // count
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend_from_slice(&tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// A phone photo stored sideways with an EXIF orientation tag is turned upright before OCR, and
/// the report's boxes refer to the upright image.
#[test]
fn exif_orientation_is_applied() {
    let good = manifest()
        .into_iter()
        .find(|e| e.expected_status == Status::Compliant && e.file.ends_with(".jpg"))
        .expect("a good jpg");
    let upright = image::open(samples().join(&good.file)).unwrap();
    // Stored rotated a quarter turn anticlockwise; orientation 6 says "turn 90 clockwise to view".
    let stored = upright.rotate270();
    let mut jpeg = Vec::new();
    stored.to_rgb8().write_to(&mut std::io::Cursor::new(&mut jpeg), image::ImageFormat::Jpeg).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sideways.jpg");
    std::fs::write(&path, with_exif_orientation(&jpeg, 6)).unwrap();
    let sidecar = samples().join(good.file.replace(".jpg", ".json"));
    std::fs::copy(sidecar, dir.path().join("sideways.json")).unwrap();

    let output = run(&["verify", "--format", "json", &path.to_string_lossy()]);
    let reports = reports(&output);
    assert_eq!(reports[0]["image_size"], serde_json::json!([upright.width(), upright.height()]));
    assert_eq!(reports[0]["status"], "COMPLIANT", "{}", reports[0]);
}
