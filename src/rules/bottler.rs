//! Name and address (27 CFR 4.35, 5.66-5.68, 7.66-7.68): a "Bottled by", "Produced by",
//! "Distilled by", "Brewed by", "Imported by" (and similar) statement with a name and a city and
//! state, matching the application's. The phrases may differ ("Bottled by" against "Produced and
//! Bottled by"); the name and place are compared, state names and codes alike.

use crate::application::Application;
use crate::extract::{self, Bottler, Field, LOW_CONFIDENCE, LabelFields};
use crate::ocr::OcrLine;
use crate::report::{Check, Outcome};
use crate::text;

use super::{cite, new_check};

pub const FIELD: &str = "bottler";

/// Normalised words for comparing a name and place: state names as codes, ZIP codes and a
/// trailing "USA" dropped.
fn key_words(value: &str) -> Vec<String> {
    let mut words = extract::canonical_place_words(&text::words(value));
    while words.last().is_some_and(|w| w.chars().all(|c| c.is_ascii_digit()) || w == "usa") {
        words.pop();
    }
    words
}

/// How well a label statement matches the application's name and place.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Agreement {
    Same,
    Near { similarity: f64, edits: usize },
    Different,
}

fn agreement(statement: &Bottler, wanted: &str) -> Agreement {
    let label = key_words(&statement.name_and_place).concat();
    let want = key_words(wanted).concat();
    if want.is_empty() {
        return Agreement::Different;
    }
    let fold = text::fold_confusions;
    // An application naming only the bottler matches the start of the label's statement.
    let name_only = !extract::names_place(wanted);
    let same = if name_only { fold(&label).starts_with(&fold(&want)) } else { fold(&label) == fold(&want) };
    if same {
        return Agreement::Same;
    }
    let compared = if name_only { label.chars().take(want.chars().count()).collect::<String>() } else { label };
    let similarity = text::similarity(&compared, &want);
    if similarity >= extract::NEAR_SIMILARITY {
        Agreement::Near { similarity, edits: text::levenshtein(&fold(&compared), &fold(&want)) }
    } else {
        Agreement::Different
    }
}

fn rank(a: Agreement) -> f64 {
    match a {
        Agreement::Same => 2.0,
        Agreement::Near { similarity, .. } => similarity,
        Agreement::Different => 0.0,
    }
}

/// The application's name and place, without its "Bottled by" phrase.
fn wanted(application: &Application) -> Option<(Option<String>, String)> {
    application.bottler.as_deref().map(extract::split_bottler_text)
}

/// The statement that stands for the label: the one closest to the application's, else the first
/// with a city and state, else the first.
pub fn primary<'a>(fields: &'a LabelFields, application: &Application) -> Option<&'a Field<Bottler>> {
    let statements = &fields.bottlers;
    match wanted(application) {
        Some((_, want)) => statements
            .iter()
            .max_by(|a, b| rank(agreement(&a.value, &want)).total_cmp(&rank(agreement(&b.value, &want)))),
        None => statements.iter().find(|s| s.value.has_place).or_else(|| statements.first()),
    }
}

fn with_found(mut check: Check, statement: &Field<Bottler>) -> Check {
    check.found = Some(statement.text.clone());
    check.confidence = Some(statement.confidence);
    check.boxes = statement.boxes.clone();
    check
}

pub fn check(lines: &[OcrLine], fields: &LabelFields, application: &Application) -> Check {
    let rule = cite(application.product_type, "4.35", "5.66-5.68", "7.66-7.68");
    let expected = application.bottler.clone();
    let Some(statement) = primary(fields, application) else {
        let mut check = new_check(
            FIELD,
            rule,
            Outcome::Fail,
            "No bottler or importer statement (such as \"Bottled by\" or \"Imported by\" followed by a name, city \
             and state) was found on the label."
                .to_string(),
        );
        check.expected = expected;
        return check;
    };
    let Some((want_phrase, want)) = wanted(application) else {
        let (outcome, message) = if statement.value.has_place {
            (Outcome::Pass, format!("Bottler statement found: \"{}\".", statement.text))
        } else {
            (
                Outcome::Review,
                format!(
                    "A bottler statement was found (\"{}\") but no city and state could be read after it. Please \
                     check the address.",
                    statement.text
                ),
            )
        };
        return with_found(new_check(FIELD, rule, outcome, message), statement);
    };

    let phrase_note = match &want_phrase {
        Some(p) if text::normalize(p) != text::normalize(&statement.value.phrase) => {
            format!(" (the label says \"{}\", the application \"{p}\")", statement.value.phrase)
        }
        _ => String::new(),
    };
    let (outcome, message) = match agreement(&statement.value, &want) {
        Agreement::Same => (Outcome::Pass, format!("Bottler name and address match the application{phrase_note}.")),
        Agreement::Near { edits, .. } if statement.confidence < LOW_CONFIDENCE || edits <= 1 => (
            Outcome::Review,
            format!(
                "The label's bottler statement \"{}\" nearly matches the application's \"{want}\" but could not be \
                 read clearly. Please compare by eye.",
                statement.value.name_and_place
            ),
        ),
        agreement => {
            // The name and place may be on the label outside the statement OCR grouped.
            let elsewhere = extract::find_phrase(lines, &want).filter(extract::PhraseMatch::is_match);
            if let Some(m) = elsewhere {
                let mut check = new_check(
                    FIELD,
                    rule,
                    Outcome::Pass,
                    format!("Bottler name and address match the application{phrase_note}."),
                );
                check.expected = expected;
                check.found = Some(format!("{} {}", statement.value.phrase, m.text));
                check.confidence = Some(m.confidence);
                check.boxes = m.boxes;
                return check;
            }
            let near = matches!(agreement, Agreement::Near { .. });
            (
                Outcome::Fail,
                format!(
                    "The label's bottler statement \"{}\" {} the application's \"{want}\".",
                    statement.text,
                    if near { "is close to but not the same as" } else { "does not match" }
                ),
            )
        }
    };
    let mut check = with_found(new_check(FIELD, rule, outcome, message), statement);
    check.expected = expected;
    check
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::extract;
    use crate::ocr::OcrPage;

    fn run(label: &str, bottler: Option<&str>) -> Check {
        let lines = OcrPage::from_text(label).lines();
        let application = Application { bottler: bottler.map(str::to_string), ..Application::default() };
        check(&lines, &extract(&lines), &application)
    }

    #[test]
    fn bottler_cases() {
        const APP: &str = "Bottled by Stone's Throw Cellars, Paso Robles, CA";
        // (label, application bottler, outcome, message fragment)
        let cases: &[(&str, Option<&str>, Outcome, &str)] = &[
            ("Bottled by Stone's Throw Cellars, Paso Robles, CA", Some(APP), Outcome::Pass, "match the application."),
            ("BOTTLED BY STONES THROW CELLARS\nPASO ROBLES, CALIFORNIA", Some(APP), Outcome::Pass, "match"),
            (
                "Produced and Bottled by Stone's Throw Cellars, Paso Robles, CA 93446",
                Some(APP),
                Outcome::Pass,
                "the label says",
            ),
            (
                "Bottled by Stone's Throw Cellars, Paso Robles, CA",
                Some("Stone's Throw Cellars, Paso Robles, California"),
                Outcome::Pass,
                "",
            ),
            ("Bottled by Stone's Throw Cellars, Paso Robles, CA", Some("Stone's Throw Cellars"), Outcome::Pass, ""),
            ("Bottled by St0ne's Thr0w Cellars, Pas0 Robles, CA", Some(APP), Outcome::Pass, ""),
            ("Bottled by Stone's Throw Cellers, Paso Robles, CA", Some(APP), Outcome::Review, "compare by eye"),
            ("Bottled by River Bend Winery, Napa, CA", Some(APP), Outcome::Fail, "does not match"),
            ("Bottled by Stone's Throw Cellars, Napa, CA", Some(APP), Outcome::Fail, ""),
            ("STONE'S THROW\nCabernet Sauvignon\n750 mL", Some(APP), Outcome::Fail, "No bottler"),
            ("STONE'S THROW\nCabernet Sauvignon\n750 mL", None, Outcome::Fail, "No bottler"),
            ("Distilled and Bottled by Old Tom Distillery, Louisville, KY", None, Outcome::Pass, "found"),
            ("Brewed by\nHoppy Co., Bend, OR", None, Outcome::Pass, "found"),
            ("Imported by Vins du Monde, New York, NY\nProduct of France", None, Outcome::Pass, "found"),
            ("Bottled by Somebody", None, Outcome::Review, "no city and state"),
        ];
        for (label, bottler, outcome, fragment) in cases {
            let check = run(label, *bottler);
            assert_eq!(check.field, "bottler");
            assert_eq!(check.outcome, *outcome, "{label}: {check:?}");
            assert!(check.message.contains(fragment), "{label}: {}", check.message);
            assert_eq!(check.expected.as_deref(), *bottler, "{label}");
            assert_eq!(check.found.is_some(), !check.boxes.is_empty(), "{label}");
        }
    }

    #[test]
    fn importer_and_producer_pick_the_matching_one() {
        let label = "Produced by Domaine X, Bordeaux, France\nImported by Vins du Monde, New York, NY";
        let check = run(label, Some("Imported by Vins du Monde, New York, NY"));
        assert_eq!(check.outcome, Outcome::Pass, "{check:?}");
        assert_eq!(check.found.as_deref(), Some("Imported by Vins du Monde, New York, NY"));
        let check = run(label, Some("Imported by Other Imports, Miami, FL"));
        assert_eq!(check.outcome, Outcome::Fail, "{check:?}");
    }
}
