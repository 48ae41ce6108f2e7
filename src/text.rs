//! Text normalisation shared by the checks: what counts as "the same words" on a label.
//!
//! Reviewers do not want case, apostrophes, quotes or spacing flagged, and OCR confuses a few
//! glyph pairs (0/O, 1/l/I, 5/S, rn/m). These functions fold those differences away; they never
//! decide an outcome themselves.

/// Lower-case words of letters and digits; every other character separates words, except
/// apostrophes and quotes, which vanish ("STONE'S" -> "stones").
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for ch in text.chars() {
        if ch.is_alphanumeric() {
            current.extend(ch.to_lowercase());
        } else if is_quote(ch) {
            // dropped: "Stone's" and "Stones" are the same brand
        } else if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn is_quote(ch: char) -> bool {
    matches!(ch, '\'' | '"' | '`' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201C}' | '\u{201D}' | '\u{00B4}')
}

/// [`words`] joined by single spaces.
pub fn normalize(text: &str) -> String {
    words(text).join(" ")
}

/// A word with OCR's usual confusions folded to one spelling: digits that look like letters
/// become those letters, and "rn" becomes "m". Only for comparing, never for display.
pub fn fold_confusions(word: &str) -> String {
    let replaced = word.replace("rn", "m").replace("vv", "w");
    replaced
        .chars()
        .map(|c| match c {
            '0' => 'o',
            '1' | 'l' | 'i' | '|' | '!' => 'l',
            '5' => 's',
            '8' => 'b',
            '6' => 'g',
            c => c,
        })
        .collect()
}

/// Edit distance between two strings, by characters.
pub fn levenshtein(a: &str, b: &str) -> usize {
    let b_chars: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b_chars.len()).collect();
    let mut cur = vec![0; b_chars.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b_chars.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b_chars.len()]
}

/// Similarity from 0.0 (nothing alike) to 1.0 (equal) after folding OCR confusions.
pub fn similarity(a: &str, b: &str) -> f64 {
    let (a, b) = (fold_confusions(a), fold_confusions(b));
    let longest = a.chars().count().max(b.chars().count());
    if longest == 0 {
        return 1.0;
    }
    1.0 - levenshtein(&a, &b) as f64 / longest as f64
}

/// [`words`] joined without spaces, for comparing text whose word breaks OCR may have moved:
/// "Stone's  Throw", "STONES THROW" and "STONE'STHROW" all give "stonesthrow".
pub fn compact(text: &str) -> String {
    words(text).concat()
}

/// A number as printed on a label: "13.5", ".75", "13,5" (decimal comma) or "1,750" (a comma
/// before exactly three digits separates thousands). `None` when it is not one number.
pub fn parse_number(raw: &str) -> Option<f64> {
    let raw = raw.trim();
    if raw.is_empty() || !raw.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',') {
        return None;
    }
    let commas = raw.matches(',').count();
    let cleaned = if commas == 0 {
        raw.to_string()
    } else if raw.contains('.') || commas > 1 {
        raw.replace(',', "")
    } else {
        let (before, after) = raw.split_once(',')?;
        if after.len() == 3 && !before.is_empty() { format!("{before}{after}") } else { format!("{before}.{after}") }
    };
    let cleaned = if cleaned.starts_with('.') { format!("0{cleaned}") } else { cleaned };
    if cleaned.ends_with('.') || cleaned.matches('.').count() > 1 {
        return None;
    }
    cleaned.parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_ignore_case_quotes_and_punctuation() {
        assert_eq!(words("STONE'S  THROW"), vec!["stones", "throw"]);
        assert_eq!(words("Stone\u{2019}s Throw"), vec!["stones", "throw"]);
        assert_eq!(words("ALC./VOL. 13.5%"), vec!["alc", "vol", "13", "5"]);
        assert_eq!(normalize("  \"Old   Tom\" "), "old tom");
    }

    #[test]
    fn confusions_fold_together() {
        for (a, b) in [("B0URBON", "BOURBON"), ("Whiskey", "Wh1skey"), ("5TONE", "STONE"), ("cornet", "comet")] {
            assert_eq!(fold_confusions(&a.to_lowercase()), fold_confusions(&b.to_lowercase()), "{a} vs {b}");
        }
        assert!(similarity("merlot", "cabernet") < 0.5);
    }

    #[test]
    fn levenshtein_counts_edits() {
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("same", "same"), 0);
        assert!((similarity("impairs", "impairs") - 1.0).abs() < f64::EPSILON);
    }
}

#[cfg(test)]
mod number_tests {
    use super::*;

    #[test]
    fn compact_ignores_word_breaks() {
        for text in ["Stone's  Throw", "STONES THROW", "STONE'STHROW", "stone\u{2019}s-throw"] {
            assert_eq!(compact(text), "stonesthrow", "{text}");
        }
        assert_eq!(compact(" ,. "), "");
    }

    #[test]
    fn numbers_as_printed() {
        let cases: &[(&str, Option<f64>)] = &[
            ("13.5", Some(13.5)),
            ("13,5", Some(13.5)),
            (".75", Some(0.75)),
            ("0.75", Some(0.75)),
            ("1,750", Some(1750.0)),
            ("1,750.5", Some(1750.5)),
            ("750", Some(750.0)),
            ("1.2.3", None),
            ("12.", None),
            ("abc", None),
            ("", None),
        ];
        for (raw, want) in cases {
            assert_eq!(parse_number(raw), *want, "{raw}");
        }
    }
}
