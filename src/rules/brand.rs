//! Brand name (27 CFR 4.32(a)(1), 5.63(a)(1), 7.63(a)(1)): the application's brand appears on
//! the label. Case, apostrophes, quotes and spacing are ignored and OCR's usual confusions
//! tolerated; a near match read with low confidence is review, not fail.

use crate::application::Application;
use crate::extract::{LabelFields, WordRef};
use crate::ocr::OcrLine;
use crate::report::{Check, Outcome};

use super::{cite, new_check, phrase_check};

pub const FIELD: &str = "brand_name";

pub fn check(lines: &[OcrLine], fields: &LabelFields, application: &Application) -> Check {
    let rule = cite(application.product_type, "4.32(a)(1)", "5.63(a)(1)", "7.63(a)(1)");
    let prominent = fields.prominent.as_ref();
    if let Some(expected) = application.brand_name.as_deref() {
        let fallback = prominent.map(|p| (p.text.as_str(), p.confidence, p.boxes.as_slice()));
        // "Bottled by Stone's Throw Cellars" or "Product of ..." does not show the brand.
        let excluded: Vec<WordRef> = fields
            .bottlers
            .iter()
            .flat_map(|b| b.words.iter())
            .chain(fields.country.iter().flat_map(|c| c.words.iter()))
            .copied()
            .collect();
        return phrase_check(FIELD, rule, "Brand name", expected, lines, fallback, &excluded);
    }
    // No application brand: report the most prominent text; never fail for that.
    match prominent {
        Some(p) => {
            let mut check = new_check(
                FIELD,
                rule,
                Outcome::Pass,
                format!(
                    "The most prominent text on the label is \"{}\" (no brand in the application to compare).",
                    p.text
                ),
            );
            check.found = Some(p.text.clone());
            check.confidence = Some(p.confidence);
            check.boxes = p.boxes.clone();
            check
        }
        None => new_check(
            FIELD,
            rule,
            Outcome::Review,
            "No text that could be the brand name was read on the label. Please check the brand by eye.".to_string(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::extract;
    use crate::ocr::OcrPage;

    fn run(page: &OcrPage, brand: Option<&str>) -> Check {
        let lines = page.lines();
        let application = Application { brand_name: brand.map(str::to_string), ..Application::default() };
        check(&lines, &extract(&lines), &application)
    }

    #[test]
    fn brand_cases() {
        // (label, application brand, outcomes allowed, message fragment)
        let cases: &[(&str, Option<&str>, &[Outcome], &str)] = &[
            ("STONE'S THROW\nCabernet Sauvignon", Some("Stone's Throw"), &[Outcome::Pass], "case differs only"),
            ("Stone's Throw\nCabernet Sauvignon", Some("Stone's Throw"), &[Outcome::Pass], "matches the application."),
            ("STONES  THROW", Some("Stone's Throw"), &[Outcome::Pass], "punctuation"),
            ("STONE'STHROW", Some("Stone's Throw"), &[Outcome::Pass], "punctuation"),
            ("\u{201C}Stone\u{2019}s Throw\u{201D}", Some("Stone's Throw"), &[Outcome::Pass], ""),
            ("RIVER BEND\nCabernet Sauvignon", Some("Stone's Throw"), &[Outcome::Fail], "was not found"),
            ("ST0NE'S THR0W", Some("Stone's Throw"), &[Outcome::Pass, Outcome::Review], ""),
            ("Estate grown\nSTONE'S\nTHROW\n750 mL", Some("Stone's Throw"), &[Outcome::Pass], ""),
            ("Old Tom\nDistillery", Some("Old Tom Distillery"), &[Outcome::Pass], ""),
            ("STONE'S THRCW", Some("Stone's Throw"), &[Outcome::Review], "compare by eye"),
            ("STONE'S THRCWN", Some("Stone's Throw"), &[Outcome::Fail], "not the same"),
            ("RIVER BEND\nMerlot", None, &[Outcome::Pass], "RIVER BEND"),
            (
                "RIVER BEND\nBottled by Stone's Throw Cellars, Paso Robles, CA",
                Some("Stone's Throw"),
                &[Outcome::Review],
                "only inside",
            ),
            (
                "STONE'S THROW\nBottled by Stone's Throw Cellars, Paso Robles, CA",
                Some("Stone's Throw"),
                &[Outcome::Pass],
                "case differs",
            ),
        ];
        for (label, brand, allowed, fragment) in cases {
            let check = run(&OcrPage::from_text(label), *brand);
            assert_eq!(check.field, "brand_name");
            assert!(allowed.contains(&check.outcome), "{label:?} vs {brand:?}: {check:?}");
            assert!(check.message.contains(fragment), "{label:?}: {}", check.message);
            assert!(check.found.is_some(), "{label:?}");
            assert!(!check.boxes.is_empty(), "{label:?}");
        }
    }

    #[test]
    fn low_confidence_near_match_is_review_not_fail() {
        let mut page = OcrPage::from_text("STQNE'S THRCWN\nCabernet");
        for w in page.words.iter_mut().filter(|w| w.line == 0) {
            w.confidence = 0.45;
        }
        let check = run(&page, Some("Stone's Throw"));
        assert_eq!(check.outcome, Outcome::Review, "{check:?}");
        // The same misreading with confident words is a different brand.
        let confident = run(&OcrPage::from_text("STQNE'S THRCWN\nCabernet"), Some("Stone's Throw"));
        assert_eq!(confident.outcome, Outcome::Fail, "{confident:?}");
    }

    #[test]
    fn boxes_are_the_matched_words() {
        let page = OcrPage::from_text("Estate grown\nSTONE'S THROW");
        let check = run(&page, Some("Stone's Throw"));
        let want = page.lines()[1].bbox();
        assert_eq!(check.boxes.first().copied(), want);
        assert_eq!(check.found.as_deref(), Some("STONE'S THROW"));
    }

    #[test]
    fn without_application_or_text() {
        let check = run(&OcrPage::default(), None);
        assert_eq!(check.outcome, Outcome::Review);
        let check = run(&OcrPage::default(), Some("Stone's Throw"));
        assert_eq!(check.outcome, Outcome::Fail);
        assert_eq!(check.found, None);
    }
}
