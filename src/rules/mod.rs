//! The checks: pure functions from OCR words (and, for type weight, the pixels) plus the
//! application to the checks of a report. No I/O, no async runtime.
//!
//! The government warning's checks do not depend on the application, and its type weight needs
//! pixels, so they are made once when the label is read ([`warning::check_warning`]) and handed
//! to [`check_label`] with the words; everything else is re-run from the words whenever the
//! application changes.
//!
//! One file per check. A failed check is data in the report, never an `Err`.

pub mod alcohol;
pub mod bottler;
pub mod brand;
pub mod class_type;
pub mod country;
pub mod net_contents;
pub mod warning;

use crate::application::{Application, ProductType};
use crate::extract::{self, LOW_CONFIDENCE, MatchKind, WordRef};
use crate::ocr::{BBox, OcrLine, OcrPage};
use crate::report::{Check, ExtractedFields, Outcome, Violation};

/// Every check's field, in the order a reviewer reads them (the report's order).
pub const FIELDS: [&str; 11] = [
    brand::FIELD,
    class_type::FIELD,
    alcohol::FIELD,
    alcohol::PROOF_FIELD,
    net_contents::FIELD,
    bottler::FIELD,
    country::FIELD,
    warning::FIELD_PRESENT,
    warning::FIELD_HEADER,
    warning::FIELD_TEXT,
    warning::FIELD_BOLD,
];

/// Everything the checks concluded about one label.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Findings {
    pub checks: Vec<Check>,
    pub extracted: ExtractedFields,
    pub violations: Vec<Violation>,
    pub warnings: Vec<String>,
}

/// Runs every check on one label, given the warning's checks made when it was read (see
/// [`warning::check_warning`]). An empty application means structural checks only.
pub fn check_label(page: &OcrPage, warning: warning::WarningResult, application: &Application) -> Findings {
    let lines = page.lines();
    let fields = extract::extract(&lines);

    let mut checks = Vec::new();
    let mut warnings = Vec::new();
    checks.push(brand::check(&lines, &fields, application));
    checks.push(class_type::check(&lines, &fields, application));
    checks.push(alcohol::check(&fields, application));
    checks.extend(alcohol::check_proof(&fields, application));
    let (net, notes) = net_contents::check(&fields, application);
    checks.push(net);
    warnings.extend(notes);
    checks.push(bottler::check(&lines, &fields, application));
    checks.extend(country::check(&lines, &fields, application));

    let mut extracted = ExtractedFields {
        brand_name: found_of(&checks, "brand_name"),
        class_type: found_of(&checks, "class_type"),
        ..ExtractedFields::default()
    };
    extracted.product_type = extracted.class_type.clone();
    if let Some(statement) = alcohol::primary(&fields, application) {
        extracted.abv = Some(statement.text.clone());
        extracted.abv_numeric = Some(statement.value.abv);
    }
    extracted.proof = fields.proof.first().map(|p| p.value);
    extracted.net_contents = net_contents::primary(&fields, application).map(|n| n.text.clone());
    extracted.bottler = bottler::primary(&fields, application).map(|b| b.text.clone());
    extracted.country = fields.country.as_ref().map(|c| c.value.clone());

    checks.extend(warning.checks);
    extracted.government_warning = warning.summary;

    let violations = checks
        .iter()
        .filter(|c| c.outcome == Outcome::Fail)
        .map(|c| Violation {
            field: c.field.clone(),
            kind: violation_kind(c, application).to_string(),
            message: c.message.clone(),
            expected: c.expected.clone(),
            actual: c.found.clone(),
        })
        .collect();
    Findings { checks, extracted, violations, warnings }
}

fn found_of(checks: &[Check], field: &str) -> Option<String> {
    checks.iter().find(|c| c.field == field).and_then(|c| c.found.clone())
}

/// `missing` when nothing was found, `accuracy` when the label differs from a value the
/// application gives, `format` otherwise.
fn violation_kind(check: &Check, application: &Application) -> &'static str {
    if check.found.is_none() {
        return "missing";
    }
    let from_application = match check.field.as_str() {
        "brand_name" => application.brand_name.is_some(),
        "class_type" => application.class_type.is_some(),
        "alcohol_content" => application.abv.is_some(),
        "alcohol_content_proof" => true,
        "net_contents" => application.net_contents.is_some(),
        "bottler" => application.bottler.is_some(),
        "country_of_origin" => application.country_of_origin.is_some(),
        _ => false,
    };
    if from_application { "accuracy" } else { "format" }
}

/// The 27 CFR section for the product type, or all three when the type is not known:
/// `cite(Some(Wine), "4.36", "5.65", "7.65")` is "27 CFR 4.36".
pub(crate) fn cite(product: Option<ProductType>, wine: &str, spirits: &str, malt: &str) -> String {
    match product {
        Some(ProductType::Wine) => format!("27 CFR {wine}"),
        Some(ProductType::Spirits) => format!("27 CFR {spirits}"),
        Some(ProductType::MaltBeverage) => format!("27 CFR {malt}"),
        None => format!("27 CFR {wine}; {spirits}; {malt}"),
    }
}

/// A check with its fixed parts; the rest is filled in by the caller.
pub(crate) fn new_check(field: &str, rule: String, outcome: Outcome, message: String) -> Check {
    Check {
        field: field.to_string(),
        outcome,
        rule,
        expected: None,
        found: None,
        message,
        confidence: None,
        boxes: Vec::new(),
    }
}

/// A near match is OCR noise (review) when its words were read with low confidence or it is a
/// single character off; otherwise the label says something else (fail).
pub(crate) fn near_outcome(found: &extract::PhraseMatch, expected: &str) -> Outcome {
    if found.min_confidence < LOW_CONFIDENCE || found.edits_from(expected) <= 1 {
        Outcome::Review
    } else {
        Outcome::Fail
    }
}

/// The check that an application's value (brand, class/type) appears on the label, shared by
/// [`brand`] and [`class_type`]. `what` names the field in messages ("Brand name"); `fallback`
/// is what the label seems to show instead, for a mismatch; `excluded` are words where a match
/// does not count (the bottler statement, for a brand): a match only there is a review.
pub(crate) fn phrase_check(
    field: &str,
    rule: String,
    what: &str,
    expected: &str,
    lines: &[OcrLine],
    fallback: Option<(&str, f32, &[BBox])>,
    excluded: &[WordRef],
) -> Check {
    let found = extract::find_phrase_excluding(lines, expected, excluded);
    if !excluded.is_empty()
        && found.as_ref().is_none_or(|m| !m.is_match())
        && let Some(inside) = extract::find_phrase(lines, expected).filter(extract::PhraseMatch::is_match)
    {
        let mut check = new_check(
            field,
            rule,
            Outcome::Review,
            format!(
                "The application's {} \"{expected}\" appears on the label only inside another statement \
                 (\"{}\"), not on its own. Please check the label by eye.",
                what.to_lowercase(),
                inside.text
            ),
        );
        check.expected = Some(expected.to_string());
        check.found = Some(inside.text);
        check.confidence = Some(inside.confidence);
        check.boxes = inside.boxes;
        return check;
    }
    let (outcome, message) = match &found {
        Some(m) => match m.kind {
            MatchKind::Exact => (Outcome::Pass, format!("{what} matches the application.")),
            MatchKind::CaseOnly => (Outcome::Pass, format!("{what} matches the application (case differs only).")),
            MatchKind::Punctuation => {
                (Outcome::Pass, format!("{what} matches the application (only case, punctuation or spacing differ)."))
            }
            MatchKind::OcrConfusion => (
                Outcome::Pass,
                format!(
                    "{what} matches the application, allowing for characters the text reader often confuses \
                     (such as 0 and O, 1 and l)."
                ),
            ),
            MatchKind::Near => match near_outcome(m, expected) {
                Outcome::Fail => (
                    Outcome::Fail,
                    format!(
                        "The label shows \"{}\", which is close to but not the same as the application's \"{expected}\".",
                        m.text
                    ),
                ),
                _ => (
                    Outcome::Review,
                    format!(
                        "The label seems to show \"{}\", nearly the application's \"{expected}\", but it could not be read \
                         clearly. Please compare by eye.",
                        m.text
                    ),
                ),
            },
        },
        None => (
            Outcome::Fail,
            format!("The application's {} \"{expected}\" was not found on the label.", what.to_lowercase()),
        ),
    };
    let mut check = new_check(field, rule, outcome, message);
    check.expected = Some(expected.to_string());
    match (found, fallback) {
        (Some(m), _) => {
            check.found = Some(m.text);
            check.confidence = Some(m.confidence);
            check.boxes = m.boxes;
        }
        (None, Some((text, confidence, boxes))) => {
            check.found = Some(text.to_string());
            check.confidence = Some(confidence);
            check.boxes = boxes.to_vec();
        }
        (None, None) => {}
    }
    check
}

#[cfg(test)]
mod tests {
    use super::*;

    const WARNING: &str = "GOVERNMENT WARNING: (1) According to the Surgeon General, women should not drink\n\
        alcoholic beverages during pregnancy because of the risk of birth defects. (2) Consumption of\n\
        alcoholic beverages impairs your ability to drive a car or operate machinery, and may cause health problems.";

    fn full_label() -> String {
        format!(
            "STONE'S THROW\nCabernet Sauvignon\nPaso Robles\n13.5% ALC./VOL.\n750 mL\n\
             Bottled by Stone's Throw Cellars, Paso Robles, CA\n{WARNING}"
        )
    }

    fn wine_application() -> Application {
        Application {
            brand_name: Some("Stone's Throw".into()),
            class_type: Some("Cabernet Sauvignon".into()),
            product_type: Some(ProductType::Wine),
            abv: Some(13.5),
            net_contents: Some("750 mL".into()),
            bottler: Some("Bottled by Stone's Throw Cellars, Paso Robles, CA".into()),
            country_of_origin: None,
            is_import: Some(false),
        }
    }

    const APPLICATION_FIELDS: &[&str] = &["brand_name", "class_type", "alcohol_content", "net_contents", "bottler"];

    /// Every check of a page, the warning's without an image (type weight: review).
    fn check_page(page: &OcrPage, application: &Application) -> Findings {
        check_label(page, warning::check_warning(&page.lines(), None), application)
    }

    fn outcome(findings: &Findings, field: &str) -> Option<Outcome> {
        findings.checks.iter().find(|c| c.field == field).map(|c| c.outcome)
    }

    #[test]
    fn compliant_label_passes_every_field() {
        let page = OcrPage::from_text(&full_label());
        let findings = check_page(&page, &wine_application());
        for field in APPLICATION_FIELDS {
            assert_eq!(outcome(&findings, field), Some(Outcome::Pass), "{field}: {:#?}", findings.checks);
        }
        assert!(
            findings.checks.iter().all(|c| c.field.starts_with("government_warning") || c.outcome == Outcome::Pass)
        );
        assert!(outcome(&findings, "alcohol_content_proof").is_none());
        assert!(outcome(&findings, "country_of_origin").is_none());
        assert!(findings.violations.is_empty(), "{:?}", findings.violations);
        assert!(findings.warnings.is_empty(), "{:?}", findings.warnings);
        let x = &findings.extracted;
        assert_eq!(x.brand_name.as_deref(), Some("STONE'S THROW"));
        assert_eq!(x.class_type.as_deref(), Some("Cabernet Sauvignon"));
        assert_eq!(x.product_type, x.class_type);
        assert_eq!(x.abv.as_deref(), Some("13.5% ALC./VOL."));
        assert_eq!(x.abv_numeric, Some(13.5));
        assert_eq!(x.net_contents.as_deref(), Some("750 mL"));
        assert_eq!(x.bottler.as_deref(), Some("Bottled by Stone's Throw Cellars, Paso Robles, CA"));
        assert_eq!(x.country, None);
        for check in &findings.checks {
            assert!(check.rule.starts_with("27 CFR"), "{check:?}");
            assert!(!check.message.is_empty());
            if APPLICATION_FIELDS.contains(&check.field.as_str()) {
                assert!(!check.boxes.is_empty(), "{check:?}");
                assert!(check.confidence.is_some_and(|c| c > 0.9), "{check:?}");
            }
        }
    }

    #[test]
    fn empty_application_runs_structural_checks() {
        let page = OcrPage::from_text(&full_label());
        let findings = check_page(&page, &Application::default());
        for field in APPLICATION_FIELDS {
            let check = findings.checks.iter().find(|c| c.field == *field);
            let check = check.unwrap_or_else(|| panic!("{field} missing"));
            assert_eq!(check.outcome, Outcome::Pass, "{check:?}");
            assert!(check.expected.is_none(), "{check:?}");
            assert!(check.found.is_some(), "{check:?}");
        }
        assert!(outcome(&findings, "country_of_origin").is_none());
        assert_eq!(findings.extracted.abv_numeric, Some(13.5));
        assert_eq!(findings.extracted.brand_name.as_deref(), Some("STONE'S THROW"));
    }

    #[test]
    fn failing_fields_become_violations() {
        let label = full_label().replace("STONE'S THROW\n", "RIVER BEND\n").replace("750 mL", "700 mL");
        let findings = check_page(&OcrPage::from_text(&label), &wine_application());
        let cases: &[(&str, Outcome, &str)] = &[
            ("brand_name", Outcome::Review, ""),
            ("net_contents", Outcome::Fail, "accuracy"),
            ("alcohol_content", Outcome::Pass, ""),
        ];
        for (field, want, kind) in cases {
            assert_eq!(outcome(&findings, field), Some(*want), "{field}");
            let violation = findings.violations.iter().find(|v| v.field == *field);
            assert_eq!(violation.map(|v| v.kind.as_str()), (!kind.is_empty()).then_some(*kind), "{field}");
        }
        let net = findings.violations.iter().find(|v| v.field == "net_contents");
        assert_eq!(net.and_then(|v| v.expected.as_deref()), Some("750 mL"));
        assert_eq!(net.and_then(|v| v.actual.as_deref()), Some("700 mL"));
        let other = label.replace("Bottled by Stone's Throw Cellars", "Bottled by River Bend Cellars");
        let findings = check_page(&OcrPage::from_text(&other), &wine_application());
        let brand = findings.violations.iter().find(|v| v.field == "brand_name");
        assert_eq!(brand.map(|v| v.kind.as_str()), Some("accuracy"));
        assert_eq!(brand.and_then(|v| v.expected.as_deref()), Some("Stone's Throw"));
        assert_eq!(brand.and_then(|v| v.actual.as_deref()), Some("RIVER BEND"));
        let missing = check_page(&OcrPage::from_text("STONE'S THROW"), &wine_application());
        let alcohol = missing.violations.iter().find(|v| v.field == "alcohol_content");
        assert_eq!(alcohol.map(|v| v.kind.as_str()), Some("missing"));
    }

    #[test]
    fn citations_follow_product_type() {
        let cases: &[(Option<ProductType>, &str)] = &[
            (Some(ProductType::Wine), "27 CFR 4.36"),
            (Some(ProductType::Spirits), "27 CFR 5.65"),
            (Some(ProductType::MaltBeverage), "27 CFR 7.65"),
            (None, "27 CFR 4.36; 5.65; 7.65"),
        ];
        for (product, want) in cases {
            assert_eq!(cite(*product, "4.36", "5.65", "7.65"), *want);
        }
    }
}
