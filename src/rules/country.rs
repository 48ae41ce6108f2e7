//! Country of origin (27 CFR 5.69, 7.69 and, for wine, 4.35(e); the marking rules are CBP's,
//! 19 CFR 134): an import's label shows "Product of X" (or "Produced in X", "Made in X",
//! "Imported from X") naming the application's country. Domestic products get no check.

use crate::application::Application;
use crate::extract::{self, LOW_CONFIDENCE, LabelFields};
use crate::ocr::OcrLine;
use crate::report::{Check, Outcome};
use crate::text;

use super::{cite, new_check};

pub const FIELD: &str = "country_of_origin";

/// Whether the country the label names is the application's: the same words, OCR confusions
/// folded, or the application's words within the label's ("Product of France" for "France").
fn same_country(label: &str, wanted: &str) -> bool {
    let fold = |s: &str| text::words(s).iter().map(|w| text::fold_confusions(w)).collect::<Vec<_>>();
    let (label, wanted) = (fold(label), fold(wanted));
    !wanted.is_empty() && label.windows(wanted.len()).any(|w| w == wanted.as_slice())
}

/// `None` when there is nothing to check: a domestic product (or no application) whose label
/// names no country.
pub fn check(lines: &[OcrLine], fields: &LabelFields, application: &Application) -> Option<Check> {
    let rule = format!("{}; 19 CFR 134", cite(application.product_type, "4.35(e)", "5.69", "7.69"));
    let statement = fields.country.as_ref();
    let wanted = application.country_of_origin.as_deref();

    if !application.is_import() {
        let s = statement?;
        let declared = application.is_import.is_some() || wanted.is_some();
        let note = if declared { " (the application does not declare an import)" } else { "" };
        let mut check =
            new_check(FIELD, rule, Outcome::Pass, format!("Country of origin shown: \"{}\"{note}.", s.text));
        check.found = Some(s.text.clone());
        check.confidence = Some(s.confidence);
        check.boxes = s.boxes.clone();
        return Some(check);
    }

    let mut check = match (statement, wanted) {
        (None, want) => {
            let named_elsewhere =
                want.and_then(|w| extract::find_phrase(lines, w)).filter(extract::PhraseMatch::is_match);
            let mut check = match (named_elsewhere, want) {
                (Some(m), Some(w)) => {
                    let mut check = new_check(
                        FIELD,
                        rule,
                        Outcome::Fail,
                        format!(
                            "\"{w}\" appears on the label, but not in a country of origin statement such as \
                             \"Product of {w}\"."
                        ),
                    );
                    check.found = Some(m.text);
                    check.confidence = Some(m.confidence);
                    check.boxes = m.boxes;
                    check
                }
                _ => new_check(
                    FIELD,
                    rule,
                    Outcome::Fail,
                    format!(
                        "No country of origin statement (such as \"Product of {}\") was found; the application \
                         declares an import.",
                        want.unwrap_or("France")
                    ),
                ),
            };
            check.expected = want.map(str::to_string);
            return Some(check);
        }
        (Some(s), None) => new_check(
            FIELD,
            rule,
            Outcome::Pass,
            format!("Country of origin shown: \"{}\" (the application names no country to compare).", s.text),
        ),
        (Some(s), Some(w)) if same_country(&s.value, w) => {
            new_check(FIELD, rule, Outcome::Pass, format!("Country of origin matches the application ({w})."))
        }
        (Some(s), Some(w)) => {
            let similarity = text::similarity(&text::compact(&s.value), &text::compact(w));
            let edits = text::levenshtein(
                &text::fold_confusions(&text::compact(&s.value)),
                &text::fold_confusions(&text::compact(w)),
            );
            if similarity >= extract::NEAR_SIMILARITY && (s.confidence < LOW_CONFIDENCE || edits <= 1) {
                new_check(
                    FIELD,
                    rule,
                    Outcome::Review,
                    format!(
                        "The label's \"{}\" nearly names the application's country ({w}) but could not be read \
                         clearly. Please compare by eye.",
                        s.text
                    ),
                )
            } else {
                new_check(
                    FIELD,
                    rule,
                    Outcome::Fail,
                    format!("The label says \"{}\"; the application's country of origin is {w}.", s.text),
                )
            }
        }
    };
    if let Some(s) = statement {
        check.found = Some(s.text.clone());
        check.confidence = Some(s.confidence);
        check.boxes = s.boxes.clone();
    }
    check.expected = wanted.map(str::to_string);
    Some(check)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::extract;
    use crate::ocr::OcrPage;

    fn app(is_import: Option<bool>, country: Option<&str>) -> Application {
        Application { is_import, country_of_origin: country.map(str::to_string), ..Application::default() }
    }

    #[test]
    fn country_cases() {
        // (label, application, outcome or no check, message fragment)
        let cases: &[(&str, Application, Option<Outcome>, &str)] = &[
            ("Chateau X\nProduct of France", app(Some(true), Some("France")), Some(Outcome::Pass), "matches"),
            ("Chateau X\nPRODUCT OF FRANCE", app(None, Some("France")), Some(Outcome::Pass), "matches"),
            ("Imported from Mexico", app(Some(true), Some("Mexico")), Some(Outcome::Pass), ""),
            ("Made in New Zealand", app(Some(true), Some("New Zealand")), Some(Outcome::Pass), ""),
            ("Product of\nItaly", app(Some(true), Some("Italy")), Some(Outcome::Pass), ""),
            (
                "Product of Italy",
                app(Some(true), Some("France")),
                Some(Outcome::Fail),
                "application's country of origin is France",
            ),
            ("Product of Scotland", app(Some(true), Some("United Kingdom")), Some(Outcome::Fail), ""),
            ("Product of Ita1y", app(Some(true), Some("Italy")), Some(Outcome::Pass), ""),
            ("Product of Frence", app(Some(true), Some("France")), Some(Outcome::Review), "compare by eye"),
            ("Chateau X\nBordeaux", app(Some(true), Some("France")), Some(Outcome::Fail), "No country of origin"),
            ("Chateau X\nVin de France", app(Some(true), Some("France")), Some(Outcome::Fail), "not in a country"),
            ("Chateau X", app(Some(true), None), Some(Outcome::Fail), "No country of origin"),
            ("Product of France", app(Some(true), None), Some(Outcome::Pass), "names no country"),
            ("Stone's Throw\nPaso Robles, CA", app(Some(false), None), None, ""),
            ("Stone's Throw\nPaso Robles, CA", app(None, Some("USA")), None, ""),
            ("Stone's Throw", Application::default(), None, ""),
            ("Product of USA", app(Some(false), Some("USA")), Some(Outcome::Pass), "does not declare an import"),
            ("Product of France", Application::default(), Some(Outcome::Pass), "Product of France"),
        ];
        for (label, application, outcome, fragment) in cases {
            let lines = OcrPage::from_text(label).lines();
            let check = check(&lines, &extract(&lines), application);
            assert_eq!(check.as_ref().map(|c| c.outcome), *outcome, "{label}: {check:?}");
            if let Some(check) = check {
                assert_eq!(check.field, "country_of_origin");
                assert!(check.message.contains(fragment), "{label}: {}", check.message);
                assert_eq!(check.found.is_some(), !check.boxes.is_empty(), "{label}");
            }
        }
    }
}
