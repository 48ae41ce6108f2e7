//! Net contents (27 CFR 4.37/4.72 wine, 5.70/5.203 spirits, 7.70 malt beverages): the label's
//! quantity equals the application's in any unit (750 mL = 75 cL = 0.75 L; 12 FL OZ = 355 mL
//! within rounding), and the size is a standard of fill for the product type. A size off the
//! standards is a review with a plain-language warning, never a silent pass.

use crate::application::{Application, ProductType};
use crate::extract::{self, Field, LOW_CONFIDENCE, LabelFields, NetContents, UnitSystem};
use crate::report::{Check, Outcome};

use super::{cite, new_check};

pub const FIELD: &str = "net_contents";

/// Wine standards of fill, 27 CFR 4.72(a), in millilitres; 4 L and more in even litres (4.72(b)).
pub const WINE_STANDARDS_ML: &[f64] =
    &[3000.0, 1500.0, 1000.0, 750.0, 500.0, 375.0, 355.0, 250.0, 200.0, 187.0, 100.0, 50.0];
/// Distilled spirits standards of fill, 27 CFR 5.203(a)(1); cans (a)(2) add 355 mL.
pub const SPIRITS_STANDARDS_ML: &[f64] =
    &[1800.0, 1750.0, 1000.0, 900.0, 750.0, 720.0, 700.0, 375.0, 355.0, 200.0, 100.0, 50.0];

/// Metric quantities are compared to half a millilitre.
const METRIC_SLACK_ML: f64 = 0.5;

/// A quantity for people: "750 mL", "1.75 L", "12 fl oz".
pub fn describe(n: NetContents) -> String {
    match n.system {
        UnitSystem::Metric if n.ml >= 1000.0 => format!("{} L", (n.ml / 10.0).round() / 100.0),
        UnitSystem::Metric => format!("{} mL", (n.ml * 10.0).round() / 10.0),
        UnitSystem::Us => format!(
            "{} fl oz ({} mL)",
            (n.ml / extract::ML_PER_FL_OZ * 10.0).round() / 10.0,
            (n.ml * 10.0).round() / 10.0
        ),
    }
}

/// Whether two quantities are the same: to half a millilitre when both are metric, else within
/// the rounding of US units (1%, at least 1.5 mL): 12 fl oz (354.9 mL) is 355 mL.
pub fn same_quantity(a: NetContents, b: NetContents) -> bool {
    let slack = if a.system == UnitSystem::Metric && b.system == UnitSystem::Metric {
        METRIC_SLACK_ML
    } else {
        (a.ml.max(b.ml) * 0.01).max(1.5)
    };
    (a.ml - b.ml).abs() <= slack
}

/// The statement that stands for the label: the one closest to the application's quantity, else
/// the first in the units the product type must use, else the first.
pub fn primary<'a>(fields: &'a LabelFields, application: &Application) -> Option<&'a Field<NetContents>> {
    let statements = &fields.net_contents;
    if let Some(want) = application.net_contents.as_deref().and_then(extract::parse_net_contents) {
        return statements.iter().min_by(|a, b| (a.value.ml - want.ml).abs().total_cmp(&(b.value.ml - want.ml).abs()));
    }
    let system = match application.product_type {
        Some(ProductType::MaltBeverage) => UnitSystem::Us,
        _ => UnitSystem::Metric,
    };
    statements.iter().find(|s| s.value.system == system).or_else(|| statements.first())
}

/// A plain-language note when the label's size is off the standards of fill for the product type
/// or in the wrong units; `None` when it is fine or the product type is not known.
pub fn standards_note(statements: &[Field<NetContents>], product: Option<ProductType>) -> Option<String> {
    let product = product?;
    let metric = statements.iter().find(|s| s.value.system == UnitSystem::Metric);
    let us = statements.iter().find(|s| s.value.system == UnitSystem::Us);
    match product {
        ProductType::MaltBeverage => match (us, metric) {
            (None, Some(m)) => Some(format!(
                "Net contents \"{}\" are stated only in metric units; malt beverages must state U.S. units (fluid \
                 ounces, pints, quarts or gallons), metric only in addition (27 CFR 7.70).",
                m.text
            )),
            _ => None,
        },
        ProductType::Wine | ProductType::Spirits => {
            let (kind, section, standards) = if product == ProductType::Wine {
                ("wine", "4.72", WINE_STANDARDS_ML)
            } else {
                ("distilled spirits", "5.203", SPIRITS_STANDARDS_ML)
            };
            let Some(m) = metric else {
                return us.map(|u| {
                    format!(
                        "Net contents \"{}\" are stated only in U.S. units; {kind} must state metric units \
                         (27 CFR {}).",
                        u.text,
                        if product == ProductType::Wine { "4.37" } else { "5.70" }
                    )
                });
            };
            let ml = m.value.ml;
            let standard = standards.iter().any(|s| (s - ml).abs() <= METRIC_SLACK_ML)
                || (product == ProductType::Wine
                    && ml >= 4000.0
                    && ((ml / 1000.0).round() * 1000.0 - ml).abs() <= METRIC_SLACK_ML);
            (!standard).then(|| {
                format!(
                    "Net contents {} is not a standard container size for {kind} (27 CFR {section}, e.g. 750 mL, \
                     1 L, 1.75 L). Please check the container size.",
                    describe(m.value)
                )
            })
        }
    }
}

fn with_found(mut check: Check, statement: &Field<NetContents>) -> Check {
    check.found = Some(statement.text.clone());
    check.confidence = Some(statement.confidence);
    check.boxes = statement.boxes.clone();
    check
}

/// The net contents check and any plain-language notes for the report's `warnings`.
pub fn check(fields: &LabelFields, application: &Application) -> (Check, Vec<String>) {
    let product = application.product_type;
    let rule = cite(product, "4.37, 4.72", "5.70, 5.203", "7.70");
    let statement = primary(fields, application);
    let note = standards_note(&fields.net_contents, product);
    let expected_text = application.net_contents.clone();

    let Some(statement) = statement else {
        let (outcome, message) = match &expected_text {
            Some(want) => (
                Outcome::Fail,
                format!("No net contents statement was found on the label; the application states {want}."),
            ),
            None => {
                (Outcome::Review, "No net contents statement (such as \"750 mL\") was found on the label.".to_string())
            }
        };
        let mut check = new_check(FIELD, rule, outcome, message);
        check.expected = expected_text;
        return (check, Vec::new());
    };

    let label = statement.value;
    if let Some(want_text) = &expected_text {
        let Some(want) = extract::parse_net_contents(want_text) else {
            let mut check = new_check(
                FIELD,
                rule,
                Outcome::Review,
                format!(
                    "The label states {}, but the application's net contents \"{want_text}\" could not be read as a \
                     quantity. Please compare by eye.",
                    describe(label)
                ),
            );
            check.expected = expected_text;
            return (with_found(check, statement), note.into_iter().collect());
        };
        if !same_quantity(label, want) {
            let (outcome, message) = if statement.confidence < LOW_CONFIDENCE {
                (
                    Outcome::Review,
                    format!(
                        "The label seems to state {}, not the application's {}, but it could not be read clearly. \
                         Please compare by eye.",
                        describe(label),
                        describe(want)
                    ),
                )
            } else {
                (
                    Outcome::Fail,
                    format!("The label states {}; the application says {}.", describe(label), describe(want)),
                )
            };
            let mut check = new_check(FIELD, rule, outcome, message);
            check.expected = expected_text;
            return (with_found(check, statement), note.into_iter().collect());
        }
    }
    let (outcome, message) = match (&note, &expected_text) {
        (Some(note), _) => (Outcome::Review, note.clone()),
        (None, Some(_)) => (Outcome::Pass, format!("Net contents match the application ({}).", describe(label))),
        (None, None) => (Outcome::Pass, format!("Net contents statement found: {}.", describe(label))),
    };
    let mut check = new_check(FIELD, rule, outcome, message);
    check.expected = expected_text;
    (with_found(check, statement), note.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::extract;
    use crate::ocr::OcrPage;

    fn app(product: Option<ProductType>, net: Option<&str>) -> Application {
        Application { product_type: product, net_contents: net.map(str::to_string), ..Application::default() }
    }

    const WINE: Option<ProductType> = Some(ProductType::Wine);
    const SPIRITS: Option<ProductType> = Some(ProductType::Spirits);
    const MALT: Option<ProductType> = Some(ProductType::MaltBeverage);

    #[test]
    fn net_contents_cases() {
        // (label, application, outcome, warnings expected, message fragment)
        let cases: &[(&str, Application, Outcome, bool, &str)] = &[
            ("750 mL", app(WINE, Some("750 mL")), Outcome::Pass, false, "match"),
            ("75 cL", app(WINE, Some("750 mL")), Outcome::Pass, false, "750 mL"),
            ("0.75 L", app(WINE, Some("750 mL")), Outcome::Pass, false, ""),
            ("750ML", app(SPIRITS, Some("750 mL")), Outcome::Pass, false, ""),
            ("1.75 LITERS", app(SPIRITS, Some("1.75 L")), Outcome::Pass, false, ""),
            ("1 L", app(SPIRITS, Some("1000 mL")), Outcome::Pass, false, ""),
            ("12 FL OZ", app(MALT, Some("355 mL")), Outcome::Pass, false, ""),
            ("12 FL. OZ.", app(MALT, Some("12 fl oz")), Outcome::Pass, false, ""),
            ("1 PINT", app(MALT, Some("16 FL OZ")), Outcome::Pass, false, ""),
            ("1 PT. 8 FL. OZ.", app(MALT, Some("24 fl oz")), Outcome::Pass, false, ""),
            ("750 mL (25.4 FL OZ)", app(WINE, Some("750 mL")), Outcome::Pass, false, ""),
            ("700 mL", app(WINE, Some("750 mL")), Outcome::Fail, true, "application says 750 mL"),
            ("700 mL", app(SPIRITS, Some("750 mL")), Outcome::Fail, false, "700 mL"),
            ("730 mL", app(WINE, Some("730 mL")), Outcome::Review, true, "not a standard"),
            ("730 mL", app(WINE, None), Outcome::Review, true, "not a standard"),
            ("730 mL", app(WINE, Some("750 mL")), Outcome::Fail, true, "application says 750 mL"),
            ("355 mL", app(SPIRITS, Some("355 mL")), Outcome::Pass, false, ""),
            ("5 L", app(WINE, None), Outcome::Pass, false, "found"),
            ("4.5 L", app(WINE, None), Outcome::Review, true, "standard"),
            ("355 mL", app(MALT, None), Outcome::Review, true, "U.S. units"),
            ("25.4 FL OZ", app(WINE, None), Outcome::Review, true, "metric"),
            ("730 mL", app(None, None), Outcome::Pass, false, ""),
            ("Stone's Throw", app(WINE, Some("750 mL")), Outcome::Fail, false, "No net contents"),
            ("Stone's Throw", app(WINE, None), Outcome::Review, false, "No net contents"),
            ("Est. 1890\nAged 12 Years", app(SPIRITS, None), Outcome::Review, false, "No net contents"),
            ("750 mL", app(WINE, Some("one bottle")), Outcome::Review, false, "could not be read"),
        ];
        for (label, application, outcome, warned, fragment) in cases {
            let fields = extract(&OcrPage::from_text(label).lines());
            let (check, warnings) = check(&fields, application);
            assert_eq!(check.field, "net_contents");
            assert_eq!(check.outcome, *outcome, "{label} vs {:?}: {check:?}", application.net_contents);
            assert_eq!(!warnings.is_empty(), *warned, "{label}: {warnings:?}");
            assert!(check.message.contains(fragment), "{label}: {}", check.message);
            assert_eq!(check.expected, application.net_contents, "{label}");
            assert_eq!(check.found.is_some(), !check.boxes.is_empty(), "{label}");
        }
    }

    #[test]
    fn unclear_quantity_is_review_not_fail() {
        let mut page = OcrPage::from_text("700 mL");
        page.words[0].confidence = 0.3;
        let (check, _) = check(&extract(&page.lines()), &app(SPIRITS, Some("750 mL")));
        assert_eq!(check.outcome, Outcome::Review, "{check:?}");
    }

    #[test]
    fn quantities_compare_across_units() {
        let ml = |ml, system| NetContents { ml, system };
        let cases = [
            (ml(750.0, UnitSystem::Metric), ml(750.0, UnitSystem::Metric), true),
            (ml(354.88, UnitSystem::Us), ml(355.0, UnitSystem::Metric), true),
            (ml(751.2, UnitSystem::Us), ml(750.0, UnitSystem::Metric), true),
            (ml(745.0, UnitSystem::Metric), ml(750.0, UnitSystem::Metric), false),
            (ml(700.0, UnitSystem::Metric), ml(750.0, UnitSystem::Metric), false),
            (ml(473.2, UnitSystem::Us), ml(500.0, UnitSystem::Metric), false),
        ];
        for (a, b, same) in cases {
            assert_eq!(same_quantity(a, b), same, "{a:?} {b:?}");
        }
        assert_eq!(describe(ml(750.0, UnitSystem::Metric)), "750 mL");
        assert_eq!(describe(ml(1750.0, UnitSystem::Metric)), "1.75 L");
        assert_eq!(describe(ml(12.0 * extract::ML_PER_FL_OZ, UnitSystem::Us)), "12 fl oz (354.9 mL)");
    }
}
