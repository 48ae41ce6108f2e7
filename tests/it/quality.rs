//! Image-quality flags end to end: a good label photographed badly is flagged with a reason a
//! reviewer can act on, and never comes out COMPLIANT on evidence the flag undermines.

use image::DynamicImage;
use imageproc::filter::gaussian_blur_f32;

use crate::support::{reports, run, samples};

/// Writes `image` as `name` with label_good_001's application beside it, verifies it, and
/// returns its report.
fn verify_degraded(name: &str, image: &DynamicImage) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("a temporary folder: {e}"));
    let path = dir.path().join(format!("{name}.png"));
    image.save(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    std::fs::copy(samples().join("label_good_001.json"), dir.path().join(format!("{name}.json")))
        .unwrap_or_else(|e| panic!("the sidecar: {e}"));
    let output = run(&["verify", "--format", "json", &path.to_string_lossy()]);
    reports(&output).remove(0)
}

fn flags(report: &serde_json::Value) -> Vec<(String, bool)> {
    report["image_quality"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| (f["kind"].as_str().unwrap_or_default().to_string(), f["severe"] == true))
        .collect()
}

#[test]
fn blurred_and_tiny_photos_are_flagged_and_not_passed() {
    let good = image::open(samples().join("label_good_001.jpg")).unwrap();
    let cases = [
        ("blurred", DynamicImage::ImageRgb8(gaussian_blur_f32(&good.to_rgb8(), 2.8)), "blur", "retake it sharper"),
        ("tiny", good.resize(300, 420, image::imageops::FilterType::Triangle), "too_small", "closer"),
    ];
    for (name, image, kind, advice) in cases {
        let report = verify_degraded(name, &image);
        assert_ne!(report["status"], "COMPLIANT", "{name}: {report:#}");
        assert!(flags(&report).contains(&(kind.to_string(), true)), "{name}: {:?}", flags(&report));
        let warnings = report["warnings"].to_string();
        assert!(warnings.contains(advice), "{name}: {warnings}");
        // Whatever of the warning still passed would have been a pass on evidence the flag
        // undermines: none is left.
        let checks = report["checks"].as_array().unwrap();
        for c in checks.iter().filter(|c| c["field"].as_str().unwrap_or_default().starts_with("government_warning_")) {
            assert_ne!(c["outcome"], "pass", "{name}: {c}");
        }
    }
    // The sharp original has no flag.
    let report = verify_degraded("sharp", &good);
    assert_eq!(report["status"], "COMPLIANT", "{report:#}");
    assert!(flags(&report).is_empty(), "{:?}", flags(&report));
}
