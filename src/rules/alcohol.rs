//! Alcohol content (27 CFR 4.36, 5.65, 7.65): the label states the alcohol by volume, it equals
//! the application's value, and a proof figure, when shown, is twice the ABV.
//!
//! The tolerances of 27 CFR apply between the stated and the real ABV, not between the label and
//! the form: a label that differs from the form fails, and the message says when the difference
//! is within the product's tolerance.

use crate::application::{Application, ProductType};
use crate::extract::{Alcohol, Field, LOW_CONFIDENCE, LabelFields};
use crate::report::{Check, Outcome};

use super::{cite, new_check};

pub const FIELD: &str = "alcohol_content";
pub const PROOF_FIELD: &str = "alcohol_content_proof";

/// Label and application agree when within this many points (rounding of the form's value).
const SAME_ABV: f64 = 0.05;
/// Proof equals twice the ABV within this many degrees.
const SAME_PROOF: f64 = 0.5;

/// A percentage as people write it: "13.5", "45".
fn pct(v: f64) -> String {
    format!("{}", (v * 100.0).round() / 100.0)
}

/// The tolerance 27 CFR allows between the stated and the real ABV, and the products it covers.
pub fn tolerance(product: ProductType, abv: f64) -> (f64, &'static str) {
    match product {
        ProductType::Wine if abv > 14.0 => (1.0, "wine above 14%"),
        ProductType::Wine => (1.5, "wine at or below 14%"),
        ProductType::Spirits => (0.3, "distilled spirits"),
        ProductType::MaltBeverage => (0.3, "malt beverages"),
    }
}

/// The label's alcohol statement that stands for the label: the one closest to the application's
/// value, else the first worded one, else the first.
pub fn primary<'a>(fields: &'a LabelFields, application: &Application) -> Option<&'a Field<Alcohol>> {
    match application.abv {
        Some(want) => {
            fields.alcohol.iter().min_by(|a, b| (a.value.abv - want).abs().total_cmp(&(b.value.abv - want).abs()))
        }
        None => fields.alcohol.iter().find(|a| a.value.worded).or_else(|| fields.alcohol.first()),
    }
}

fn with_found(mut check: Check, statement: &Field<Alcohol>) -> Check {
    check.found = Some(statement.text.clone());
    check.confidence = Some(statement.confidence);
    check.boxes = statement.boxes.clone();
    check
}

const UNWORDED: &str = "but without the words \"alcohol by volume\" (or \"alc./vol.\") next to it, which 27 CFR \
                        requires. Please check the statement on the label.";

pub fn check(fields: &LabelFields, application: &Application) -> Check {
    let product = application.product_type;
    let rule = cite(product, "4.36", "5.65", "7.65");
    let statement = primary(fields, application);
    let Some(want) = application.abv else {
        return check_without_application(fields, product, rule, statement);
    };
    let expected = Some(format!("{}% alcohol by volume", pct(want)));
    let Some(statement) = statement else {
        let mut check = new_check(
            FIELD,
            rule,
            Outcome::Fail,
            format!(
                "No alcohol statement was found on the label; the application states {}% alcohol by volume.",
                pct(want)
            ),
        );
        check.expected = expected;
        return check;
    };
    let got = statement.value.abv;
    let (outcome, message) = if (got - want).abs() <= SAME_ABV {
        if statement.value.worded {
            (Outcome::Pass, format!("Alcohol content matches the application ({}% alcohol by volume).", pct(want)))
        } else {
            (Outcome::Review, format!("The label shows {}%, matching the application, {UNWORDED}", pct(got)))
        }
    } else if statement.confidence < LOW_CONFIDENCE {
        (
            Outcome::Review,
            format!(
                "The label seems to state {}% alcohol by volume, not the application's {}%, but the figure could \
                 not be read clearly. Please compare by eye.",
                pct(got),
                pct(want)
            ),
        )
    } else {
        let mut message =
            format!("The label states {}% alcohol by volume; the application says {}%.", pct(got), pct(want));
        if let Some(product) = product {
            let (points, which) = tolerance(product, want);
            if (got - want).abs() <= points + 1e-9 {
                message.push_str(&format!(
                    " The difference is within the {points}-point tolerance 27 CFR allows for {which}, but the label \
                     must state the application's value."
                ));
            }
        }
        (Outcome::Fail, message)
    };
    let mut check = with_found(new_check(FIELD, rule, outcome, message), statement);
    check.expected = expected;
    check
}

fn check_without_application(
    fields: &LabelFields,
    product: Option<ProductType>,
    rule: String,
    statement: Option<&Field<Alcohol>>,
) -> Check {
    if let Some(statement) = statement {
        let abv = pct(statement.value.abv);
        let (outcome, message) = if statement.value.worded {
            (Outcome::Pass, format!("Alcohol statement found: {abv}% alcohol by volume."))
        } else {
            (Outcome::Review, format!("The label shows {abv}% {UNWORDED}"))
        };
        return with_found(new_check(FIELD, rule, outcome, message), statement);
    }
    let (outcome, message) = match product {
        Some(ProductType::MaltBeverage) => (
            Outcome::Pass,
            "No alcohol statement found; it is optional for most malt beverages (27 CFR 7.63(a)(3)).".to_string(),
        ),
        Some(ProductType::Wine) if fields.table_wine => (
            Outcome::Pass,
            "No alcohol statement found; it is optional for a wine labelled \"table wine\" or \"light wine\" at \
             or below 14% (27 CFR 4.36(a))."
                .to_string(),
        ),
        Some(ProductType::Spirits) => (
            Outcome::Review,
            "No alcohol statement was found. It is mandatory for distilled spirits; please check the label."
                .to_string(),
        ),
        _ => (
            Outcome::Review,
            "No alcohol statement was found. It is mandatory for distilled spirits and for most wines; please \
             check the label."
                .to_string(),
        ),
    };
    new_check(FIELD, rule, outcome, message)
}

/// The proof check, only when a proof figure is on the label: it must be twice the ABV.
pub fn check_proof(fields: &LabelFields, application: &Application) -> Option<Check> {
    let proof = fields.proof.first()?;
    let rule = cite(application.product_type, "4.36", "5.65(b)(1)(i)", "7.65");
    let abv = primary(fields, application).map(|a| a.value.abv).or(application.abv);
    let mut check = match abv {
        None => new_check(
            PROOF_FIELD,
            rule,
            Outcome::Review,
            format!("The label shows {} proof but no alcohol by volume to compare it with.", pct(proof.value)),
        ),
        Some(abv) => {
            let twice = abv * 2.0;
            let mut check = if (proof.value - twice).abs() <= SAME_PROOF {
                new_check(
                    PROOF_FIELD,
                    rule,
                    Outcome::Pass,
                    format!("{} proof is twice {}% alcohol by volume, as it should be.", pct(proof.value), pct(abv)),
                )
            } else if proof.confidence < LOW_CONFIDENCE {
                new_check(
                    PROOF_FIELD,
                    rule,
                    Outcome::Review,
                    format!(
                        "The label seems to show {} proof, not {} (twice {}% alcohol by volume), but the figure could \
                         not be read clearly. Please compare by eye.",
                        pct(proof.value),
                        pct(twice),
                        pct(abv)
                    ),
                )
            } else {
                new_check(
                    PROOF_FIELD,
                    rule,
                    Outcome::Fail,
                    format!(
                        "The label shows {} proof, but {}% alcohol by volume is {} proof (proof is twice the \
                         alcohol by volume).",
                        pct(proof.value),
                        pct(abv),
                        pct(twice)
                    ),
                )
            };
            check.expected = Some(format!("{} proof", pct(twice)));
            check
        }
    };
    check.found = Some(proof.text.clone());
    check.confidence = Some(proof.confidence);
    check.boxes = proof.boxes.clone();
    Some(check)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::extract;
    use crate::ocr::OcrPage;

    fn app(product: Option<ProductType>, abv: Option<f64>) -> Application {
        Application { product_type: product, abv, ..Application::default() }
    }

    fn run(label: &str, application: &Application) -> (Check, Option<Check>) {
        let fields = extract(&OcrPage::from_text(label).lines());
        (check(&fields, application), check_proof(&fields, application))
    }

    const WINE: Option<ProductType> = Some(ProductType::Wine);
    const SPIRITS: Option<ProductType> = Some(ProductType::Spirits);
    const MALT: Option<ProductType> = Some(ProductType::MaltBeverage);

    #[test]
    fn every_format_matches_its_value() {
        let cases: &[(&str, f64)] = &[
            ("13.5% ALC./VOL.", 13.5),
            ("ALC. 13.5% BY VOL.", 13.5),
            ("ALCOHOL 13.5% BY VOLUME", 13.5),
            ("45% ALC/VOL (90 PROOF)", 45.0),
            ("40% Alc./Vol. 80 Proof", 40.0),
            ("ALC 5.0% BY VOL", 5.0),
            ("13.5 % alc/vol", 13.5),
            ("13.5% ALC./VOL", 13.5),
            ("13,5% alc./vol.", 13.5),
            ("Bottled at 45 percent alcohol by volume", 45.0),
        ];
        for (label, abv) in cases {
            let (check, _) = run(&format!("Old Tom\n{label}\n750 mL"), &app(SPIRITS, Some(*abv)));
            assert_eq!(check.outcome, Outcome::Pass, "{label}: {check:?}");
            assert_eq!(check.field, "alcohol_content");
            assert_eq!(check.rule, "27 CFR 5.65");
            assert!(!check.boxes.is_empty(), "{label}");
            assert!(check.found.is_some(), "{label}");
            assert!(check.confidence.is_some_and(|c| c > 0.9), "{label}");
        }
    }

    #[test]
    fn alcohol_cases() {
        // (label, application, outcome, message fragment)
        let cases: &[(&str, Application, Outcome, &str)] = &[
            ("12.5% ALC./VOL.", app(WINE, Some(13.5)), Outcome::Fail, "within the 1.5-point tolerance"),
            ("14.5% ALC./VOL.", app(WINE, Some(15.0)), Outcome::Fail, "within the 1-point tolerance"),
            ("12.0% ALC./VOL.", app(WINE, Some(13.5)), Outcome::Fail, "the application says 13.5%"),
            ("40% ALC./VOL.", app(SPIRITS, Some(40.2)), Outcome::Fail, "0.3-point tolerance"),
            ("40% ALC./VOL.", app(SPIRITS, Some(45.0)), Outcome::Fail, "states 40%"),
            ("13.5% ALC./VOL.", app(WINE, Some(13.5)), Outcome::Pass, "matches"),
            ("13.5%", app(WINE, Some(13.5)), Outcome::Review, "alcohol by volume"),
            ("Old Tom\nAged 12 Years", app(SPIRITS, Some(45.0)), Outcome::Fail, "No alcohol statement"),
            ("Hoppy\nIPA", app(MALT, Some(6.5)), Outcome::Fail, "No alcohol statement"),
            (
                "Est. 1890\n1890 Louisville Road, Louisville, KY",
                app(SPIRITS, Some(45.0)),
                Outcome::Fail,
                "No alcohol statement",
            ),
            ("13.5% ALC./VOL.", app(WINE, None), Outcome::Pass, "13.5%"),
            ("Old Tom", app(SPIRITS, None), Outcome::Review, "mandatory"),
            ("Stone's Throw\nMerlot", app(WINE, None), Outcome::Review, "mandatory"),
            ("Stone's Throw\nRed Table Wine", app(WINE, None), Outcome::Pass, "table wine"),
            ("Hoppy\nIPA", app(MALT, None), Outcome::Pass, "optional"),
            ("Hoppy\nIPA", Application::default(), Outcome::Review, "mandatory"),
        ];
        for (label, application, outcome, fragment) in cases {
            let (check, _) = run(label, application);
            assert_eq!(check.outcome, *outcome, "{label}: {check:?}");
            assert!(check.message.contains(fragment), "{label}: {}", check.message);
            assert_eq!(check.expected.is_some(), application.abv.is_some(), "{label}");
        }
    }

    #[test]
    fn proof_cases() {
        // (label, application ABV, proof outcome or no proof check)
        let cases: &[(&str, Option<f64>, Option<Outcome>)] = &[
            ("45% ALC/VOL (90 PROOF)", Some(45.0), Some(Outcome::Pass)),
            ("45% ALC/VOL (80 PROOF)", Some(45.0), Some(Outcome::Fail)),
            ("40% Alc./Vol. 80 Proof", None, Some(Outcome::Pass)),
            ("40% Alc./Vol. 80 Proof", Some(45.0), Some(Outcome::Pass)),
            ("PROOF 90", Some(45.0), Some(Outcome::Pass)),
            ("PROOF 90", None, Some(Outcome::Review)),
            ("45% ALC/VOL", Some(45.0), None),
            ("Aged 12 Years", None, None),
        ];
        for (label, abv, want) in cases {
            let (_, proof) = run(label, &app(SPIRITS, *abv));
            assert_eq!(proof.as_ref().map(|c| c.outcome), *want, "{label}: {proof:?}");
            if let Some(proof) = proof {
                assert_eq!(proof.field, "alcohol_content_proof");
                assert!(!proof.boxes.is_empty());
            }
        }
    }

    #[test]
    fn unclear_figures_are_review_not_fail() {
        let mut page = OcrPage::from_text("12.5% ALC./VOL. (30 PROOF)\n750 mL");
        for w in page.words.iter_mut().filter(|w| w.line == 0) {
            w.confidence = 0.4;
        }
        let fields = extract(&page.lines());
        let application = app(WINE, Some(13.5));
        let alcohol = check(&fields, &application);
        assert_eq!(alcohol.outcome, Outcome::Review, "{alcohol:?}");
        assert!(alcohol.message.contains("not be read clearly"), "{}", alcohol.message);
        let proof = check_proof(&fields, &application);
        assert_eq!(proof.map(|p| p.outcome), Some(Outcome::Review));
    }

    #[test]
    fn primary_prefers_the_matching_statement() {
        let fields = extract(&OcrPage::from_text("12% ALC./VOL.\nALCOHOL 13.5% BY VOLUME").lines());
        assert_eq!(primary(&fields, &app(WINE, Some(13.5))).map(|a| a.value.abv), Some(13.5));
        assert_eq!(primary(&fields, &app(WINE, None)).map(|a| a.value.abv), Some(12.0));
        let (check, _) = run("12% ALC./VOL.\nALCOHOL 13.5% BY VOLUME", &app(WINE, Some(13.5)));
        assert_eq!(check.outcome, Outcome::Pass);
    }
}
