//! `ttb-verifier eval DIR`: how well the verifier does on labels whose outcomes are known.
//!
//! `DIR/manifest.json` (or `--manifest FILE`) lists the labels, in the shape
//! `tools/samplegen` writes for `test_samples/`: per image its `file`, `expected_status`
//! (`COMPLIANT` or `NON_COMPLIANT`), the `failing_field` whose check must fail on a bad label,
//! optionally `tier`, `application` (the sidecar JSON, default `<stem>.json` beside the image)
//! and `may_need_review` (why `NEEDS_REVIEW` is a fair verdict for a photo that should be
//! retaken). Every label is verified as `verify` would, then compared:
//!
//! - per field: on labels where the field is right (it is not the defect), how often its value
//!   was found on the label (detection: the check found text and boxes) and matched (the check
//!   passed); on labels where it is the defect, how often its check failed (defects caught);
//! - verdicts: the share of labels whose status is the expected one (accuracy), also counting
//!   the `NEEDS_REVIEW` verdicts the manifest accepts; false passes (a bad label `COMPLIANT`),
//!   false alarms (a good label not `COMPLIANT`), bad labels failed on another field than their
//!   defect, errors;
//! - speed: each label's processing time (decode, preparation, every OCR pass, checks; the
//!   engine's start is not counted) and the wall time over all labels.
//!
//! Exit status: 0 when every verdict is expected or accepted and nothing is a false pass, 1
//! otherwise, 2 when the manifest or the folder cannot be read.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;
use serde::Deserialize;

use crate::application::Application;
use crate::cli::{EXIT_COMPLIANT, EXIT_ERROR, EXIT_FINDINGS, verify_labels};
use crate::ocr::Backend;
use crate::pool::Mode;
use crate::report::{Outcome, Report, Status};

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Folder of labels with a manifest.json of expected outcomes.
    pub dir: PathBuf,
    /// Expected outcomes (default: DIR/manifest.json).
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// Only the labels of this tier (e.g. basic, hard).
    #[arg(long, value_name = "NAME")]
    pub tier: Option<String>,
    /// OCR backend: tesseract or ollama.
    #[arg(long, value_name = "NAME", default_value = "tesseract")]
    pub backend: String,
    /// Labels verified at once (default: number of cores; 1 gives undisturbed per-label times).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
}

/// One label of the manifest.
#[derive(Debug, Clone, Deserialize)]
pub struct Expected {
    pub file: String,
    pub expected_status: Status,
    #[serde(default)]
    pub failing_field: Option<String>,
    #[serde(default)]
    pub tier: Option<String>,
    #[serde(default)]
    pub application: Option<String>,
    /// Why NEEDS_REVIEW is also a fair verdict for this image, if it is.
    #[serde(default)]
    pub may_need_review: Option<String>,
    /// What is wrong with a bad label, in words (for messages).
    #[serde(default)]
    pub defect: Option<String>,
}

/// Reads a manifest of expected outcomes.
pub fn read_manifest(path: &Path) -> Result<Vec<Expected>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not a manifest of expected outcomes: {e}", path.display()))
}

/// Counts for one field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldTally {
    /// Labels where the field is right and its check ran.
    pub right: usize,
    pub detected: usize,
    pub matched: usize,
    /// Labels where the field is the defect.
    pub defects: usize,
    pub caught: usize,
}

/// Everything `eval` measured.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evaluation {
    pub labels: usize,
    pub exact: usize,
    /// Exact, plus `NEEDS_REVIEW` where the manifest accepts it.
    pub accepted: usize,
    pub false_passes: Vec<String>,
    pub false_alarms: Vec<String>,
    /// Bad labels found not compliant, but not on their defect's field.
    pub wrong_field: Vec<String>,
    pub errors: Vec<String>,
    pub fields: BTreeMap<&'static str, FieldTally>,
    /// Per tier: labels and exact verdicts.
    pub tiers: BTreeMap<String, (usize, usize)>,
    pub seconds: Vec<f64>,
    pub wall_seconds: f64,
}

/// Compares reports with the manifest's expectations (same order).
pub fn evaluate(expected: &[Expected], reports: &[Report]) -> Evaluation {
    let mut e = Evaluation { labels: expected.len(), ..Evaluation::default() };
    for field in &crate::rules::FIELDS {
        e.fields.insert(field, FieldTally::default());
    }
    for (want, report) in expected.iter().zip(reports) {
        let name = &want.file;
        let status = report.status;
        let exact = status == want.expected_status;
        let accepted = exact || (status == Status::NeedsReview && want.may_need_review.is_some());
        e.exact += usize::from(exact);
        e.accepted += usize::from(accepted);
        let tier = e.tiers.entry(want.tier.clone().unwrap_or_else(|| "-".into())).or_default();
        tier.0 += 1;
        tier.1 += usize::from(exact);
        let bad = want.expected_status == Status::NonCompliant;
        match (bad, status) {
            (_, Status::Error) => e.errors.push(format!("{name}: {}", report.error.as_deref().unwrap_or("error"))),
            (true, Status::Compliant) => e.false_passes.push(name.clone()),
            (false, s) if s != Status::Compliant => {
                let why = report.first_problem().map(|c| format!("{} {}", c.field, c.outcome.as_str()));
                let accepted = if accepted { ", accepted by the manifest" } else { "" };
                e.false_alarms.push(format!("{name}: {status} ({}{accepted})", why.unwrap_or_default()));
            }
            _ => {}
        }
        let check = |field: &str| report.checks.iter().find(|c| c.field == field);
        if bad
            && status == Status::NonCompliant
            && let Some(field) = &want.failing_field
            && check(field).is_none_or(|c| c.outcome != Outcome::Fail)
        {
            e.wrong_field.push(format!("{name}: {field} did not fail"));
        }
        if status == Status::Error {
            continue;
        }
        for field in &crate::rules::FIELDS {
            let Some(tally) = e.fields.get_mut(field) else { continue };
            let c = check(field);
            if want.failing_field.as_deref() == Some(*field) {
                tally.defects += 1;
                tally.caught += usize::from(c.is_some_and(|c| c.outcome == Outcome::Fail));
            } else if let Some(c) = c {
                tally.right += 1;
                tally.detected += usize::from(c.found.is_some() && !c.boxes.is_empty());
                tally.matched += usize::from(c.outcome == Outcome::Pass);
            } else if field.starts_with("government_warning")
                && want.failing_field.as_deref() != Some("government_warning")
            {
                // The warning is on the label but was not found: its checks are missing.
                tally.right += 1;
            }
        }
        e.seconds.push(report.processing_time_seconds);
    }
    e
}

fn percent(part: usize, whole: usize) -> String {
    if whole == 0 { "-".into() } else { format!("{:.1}%", 100.0 * part as f64 / whole as f64) }
}

/// The evaluation as text for people.
pub fn render(e: &Evaluation) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{:<26} {:>6} {:>16} {:>16} {:>16}", "field", "right", "detected", "matched", "defects caught");
    for (field, t) in &e.fields {
        let cell = |n: usize, d: usize| if d == 0 { "-".to_string() } else { format!("{n}/{d} {}", percent(n, d)) };
        let _ = writeln!(
            s,
            "{field:<26} {:>6} {:>16} {:>16} {:>16}",
            t.right,
            cell(t.detected, t.right),
            cell(t.matched, t.right),
            cell(t.caught, t.defects)
        );
    }
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "verdict accuracy: {}/{} = {} exact; {}/{} = {} counting the NEEDS_REVIEW verdicts the manifest accepts",
        e.exact,
        e.labels,
        percent(e.exact, e.labels),
        e.accepted,
        e.labels,
        percent(e.accepted, e.labels)
    );
    for (tier, (n, ok)) in &e.tiers {
        let _ = writeln!(s, "  tier {tier}: {ok}/{n} = {}", percent(*ok, *n));
    }
    let list = |s: &mut String, title: &str, items: &[String]| {
        let _ = writeln!(s, "{title}: {}", items.len());
        for item in items {
            let _ = writeln!(s, "  {item}");
        }
    };
    list(&mut s, "false passes (bad labels COMPLIANT)", &e.false_passes);
    list(&mut s, "false alarms (good labels not COMPLIANT)", &e.false_alarms);
    list(&mut s, "bad labels failed on another field than their defect", &e.wrong_field);
    list(&mut s, "errors", &e.errors);
    let mut sorted = e.seconds.clone();
    sorted.sort_by(f64::total_cmp);
    if !sorted.is_empty() {
        let mean = sorted.iter().sum::<f64>() / sorted.len() as f64;
        let median = sorted[sorted.len() / 2];
        let _ = writeln!(
            s,
            "seconds per label: mean {mean:.3}, median {median:.3}, max {:.3} (processing time of each label); \
             wall {:.3} s per label over {} labels",
            sorted[sorted.len() - 1],
            e.wall_seconds / e.labels.max(1) as f64,
            e.labels
        );
    }
    s
}

/// Runs `eval`; returns the process exit status.
pub fn run_eval(args: &EvalArgs) -> u8 {
    let Some(backend) = Backend::parse(&args.backend) else {
        eprintln!("error: unknown backend {:?}: use tesseract or ollama", args.backend);
        return EXIT_ERROR;
    };
    let manifest_path = args.manifest.clone().unwrap_or_else(|| args.dir.join("manifest.json"));
    let mut expected = match read_manifest(&manifest_path) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_ERROR;
        }
    };
    if let Some(tier) = &args.tier {
        expected.retain(|e| e.tier.as_deref() == Some(tier.as_str()));
    }
    if expected.is_empty() {
        eprintln!("error: no labels to evaluate in {}", manifest_path.display());
        return EXIT_ERROR;
    }
    let labels = expected
        .iter()
        .map(|e| {
            let image = args.dir.join(&e.file);
            let application = match &e.application {
                Some(file) => Application::from_path(&args.dir.join(file)).map(Some).map_err(|e| e.to_string()),
                None => Application::sidecar_for(&image).map_err(|e| e.to_string()),
            };
            (image, application)
        })
        .collect();
    let started = Instant::now();
    let reports = verify_labels(labels, Mode::Local(backend), args.jobs);
    let mut evaluation = evaluate(&expected, &reports);
    evaluation.wall_seconds = started.elapsed().as_secs_f64();
    print!("{}", render(&evaluation));
    if evaluation.false_passes.is_empty() && evaluation.accepted == evaluation.labels {
        EXIT_COMPLIANT
    } else {
        EXIT_FINDINGS
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Check;

    fn expected(file: &str, status: Status, failing: Option<&str>, review_ok: bool) -> Expected {
        Expected {
            file: file.into(),
            expected_status: status,
            failing_field: failing.map(str::to_string),
            tier: Some("basic".into()),
            application: None,
            may_need_review: review_ok.then(|| "glare".to_string()),
            defect: None,
        }
    }

    fn report(status: Status, checks: &[(&str, Outcome)]) -> Report {
        let mut r = Report::error("x", "tesseract", "");
        r.error = None;
        r.status = status;
        r.processing_time_seconds = 0.5;
        r.checks = checks
            .iter()
            .map(|(field, outcome)| Check {
                field: field.to_string(),
                outcome: *outcome,
                rule: String::new(),
                expected: None,
                found: (*outcome == Outcome::Pass).then(|| "x".to_string()),
                message: String::new(),
                confidence: None,
                boxes: if *outcome == Outcome::Pass { vec![crate::ocr::BBox::new(1, 1, 1, 1)] } else { vec![] },
            })
            .collect();
        r
    }

    #[test]
    fn verdicts_and_fields_are_counted() {
        use Outcome::{Fail, Pass, Review};
        let want = vec![
            expected("good.jpg", Status::Compliant, None, false),
            expected("photo.jpg", Status::Compliant, None, true),
            expected("alarm.jpg", Status::Compliant, None, false),
            expected("bad.jpg", Status::NonCompliant, Some("net_contents"), false),
            expected("passed.jpg", Status::NonCompliant, Some("brand_name"), false),
            expected("other.jpg", Status::NonCompliant, Some("bottler"), false),
        ];
        let got = vec![
            report(Status::Compliant, &[("brand_name", Pass), ("net_contents", Pass)]),
            report(Status::NeedsReview, &[("brand_name", Pass), ("government_warning_text", Review)]),
            report(Status::NonCompliant, &[("brand_name", Fail)]),
            report(Status::NonCompliant, &[("brand_name", Pass), ("net_contents", Fail)]),
            report(Status::Compliant, &[("brand_name", Pass)]),
            report(Status::NonCompliant, &[("bottler", Pass), ("net_contents", Fail)]),
        ];
        let e = evaluate(&want, &got);
        assert_eq!((e.labels, e.exact, e.accepted), (6, 3, 4));
        assert_eq!(e.false_passes, ["passed.jpg"]);
        assert_eq!(e.false_alarms.len(), 2, "{:?}", e.false_alarms);
        assert!(e.false_alarms[0].contains("accepted by the manifest"));
        assert_eq!(e.wrong_field, ["other.jpg: bottler did not fail"]);
        let brand = &e.fields["brand_name"];
        assert_eq!((brand.right, brand.detected, brand.matched, brand.defects, brand.caught), (4, 3, 3, 1, 0));
        let net = &e.fields["net_contents"];
        assert_eq!((net.right, net.matched, net.defects, net.caught), (2, 1, 1, 1));
        let text = render(&e);
        assert!(text.contains("verdict accuracy: 3/6 = 50.0% exact; 4/6 = 66.7%"), "{text}");
        assert!(text.contains("false passes (bad labels COMPLIANT): 1"), "{text}");
        assert!(text.contains("seconds per label: mean 0.500"), "{text}");
    }
}
