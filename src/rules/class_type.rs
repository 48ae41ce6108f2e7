//! Class and type designation (27 CFR 4.34, 5.63(a)(2), 7.63(a)(2)): the application's
//! designation ("Kentucky Straight Bourbon Whiskey", "India Pale Ale", "Cabernet Sauvignon")
//! appears on the label, matched as tolerantly as the brand.

use crate::application::Application;
use crate::extract::LabelFields;
use crate::ocr::OcrLine;
use crate::report::{Check, Outcome};

use super::{cite, new_check, phrase_check};

pub const FIELD: &str = "class_type";

pub fn check(lines: &[OcrLine], fields: &LabelFields, application: &Application) -> Check {
    let rule = cite(application.product_type, "4.34", "5.63(a)(2)", "7.63(a)(2)");
    let designation = fields.class_type.as_ref();
    if let Some(expected) = application.class_type.as_deref() {
        let fallback = designation.map(|d| (d.text.as_str(), d.confidence, d.boxes.as_slice()));
        return phrase_check(FIELD, rule, "Class/type", expected, lines, fallback, &[]);
    }
    match designation {
        Some(d) => {
            let mut check = new_check(
                FIELD,
                rule,
                Outcome::Pass,
                format!("The label names a class/type: \"{}\" (no class/type in the application to compare).", d.text),
            );
            check.found = Some(d.text.clone());
            check.confidence = Some(d.confidence);
            check.boxes = d.boxes.clone();
            check
        }
        None => new_check(
            FIELD,
            rule,
            Outcome::Review,
            "No class/type designation (such as \"Bourbon Whiskey\", \"Cabernet Sauvignon\" or \"India Pale Ale\") \
             was recognised on the label. Please check it by eye."
                .to_string(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::extract;
    use crate::ocr::OcrPage;

    #[test]
    fn class_type_cases() {
        // (label, application class/type, outcome, found)
        let cases: &[(&str, Option<&str>, Outcome, Option<&str>)] = &[
            (
                "OLD TOM\nKENTUCKY STRAIGHT BOURBON WHISKEY",
                Some("Kentucky Straight Bourbon Whiskey"),
                Outcome::Pass,
                Some("KENTUCKY STRAIGHT BOURBON WHISKEY"),
            ),
            ("HOPPY CO\nIndia Pale Ale", Some("India Pale Ale"), Outcome::Pass, Some("India Pale Ale")),
            (
                "STONE'S THROW\nCabernet\nSauvignon",
                Some("Cabernet Sauvignon"),
                Outcome::Pass,
                Some("Cabernet Sauvignon"),
            ),
            (
                "STONE'S THROW\nCABERNET SAUV1GNON",
                Some("Cabernet Sauvignon"),
                Outcome::Pass,
                Some("CABERNET SAUV1GNON"),
            ),
            ("STONE'S THROW\nMerlot", Some("Cabernet Sauvignon"), Outcome::Fail, Some("Merlot")),
            ("STONE'S THROW", Some("Cabernet Sauvignon"), Outcome::Fail, None),
            ("OLD TOM\nStraight Bourbon Whiskey", None, Outcome::Pass, Some("Straight Bourbon Whiskey")),
            ("OLD TOM\nEst. 1890", None, Outcome::Review, None),
        ];
        for (label, class, outcome, found) in cases {
            let lines = OcrPage::from_text(label).lines();
            let application = Application { class_type: class.map(str::to_string), ..Application::default() };
            let check = check(&lines, &extract(&lines), &application);
            assert_eq!(check.outcome, *outcome, "{label:?}: {check:?}");
            assert_eq!(check.found.as_deref(), *found, "{label:?}");
            assert_eq!(check.expected.as_deref(), *class, "{label:?}");
            assert_eq!(check.boxes.is_empty(), found.is_none(), "{label:?}");
        }
    }
}
