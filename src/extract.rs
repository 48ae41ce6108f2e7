//! OCR words to label fields.
//!
//! Two kinds of reading happen here, both pure:
//! - [`find_phrase`] searches the label for a value the application gives (a brand, a class, a
//!   bottler's name), over word sequences in every line and across line breaks, tolerant of case,
//!   punctuation, split or merged words and OCR's usual letter confusions. Searching for the
//!   expected value works far better on labels than guessing which line is the brand.
//! - [`extract`] reads the fields that have a recognisable shape without any application: alcohol
//!   statements, proof, net contents, the bottler statement, the country of origin, the most
//!   prominent line and a class/type designation.
//!
//! Each field keeps the words it came from: their text, mean confidence and boxes, so a check can
//! say where on the image it looked.

use crate::ocr::{BBox, OcrLine, OcrWord};
use crate::text;

/// Below this word confidence a near match is treated as OCR noise (review), not a difference.
pub const LOW_CONFIDENCE: f32 = 0.80;
/// The least similarity (after folding OCR confusions) for a near match.
pub const NEAR_SIMILARITY: f64 = 0.75;
/// Millilitres in one US fluid ounce.
pub const ML_PER_FL_OZ: f64 = 29.5735;
const ML_PER_PINT: f64 = 473.176;
const ML_PER_QUART: f64 = 946.353;
const ML_PER_GALLON: f64 = 3785.41;

/// One OCR word: its line's index in the page's lines and its index in that line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WordRef {
    pub line: usize,
    pub word: usize,
}

/// A value read off the label with the words it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Field<T> {
    /// The words as printed, joined by single spaces.
    pub text: String,
    pub value: T,
    /// Mean OCR confidence of the words, 0.0 to 1.0.
    pub confidence: f32,
    /// One box per line the words span, in the page's coordinates.
    pub boxes: Vec<BBox>,
    /// The words, in reading order.
    pub words: Vec<WordRef>,
}

impl<T> Field<T> {
    fn from_refs(lines: &[OcrLine], refs: &[WordRef], value: T) -> Self {
        let words = resolve(lines, refs);
        Self {
            text: join_words(&words),
            value,
            confidence: mean_confidence(&words),
            boxes: boxes_of(&words),
            words: words.iter().map(|(r, _)| *r).collect(),
        }
    }
}

/// An alcohol-by-volume statement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Alcohol {
    /// Percent alcohol by volume.
    pub abv: f64,
    /// Whether an alcohol word (alc, alcohol, vol, volume, abv) stands next to the figure, as
    /// 27 CFR requires; a bare "13.5%" is `false`.
    pub worded: bool,
}

/// Whether a quantity was printed in metric or US customary units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitSystem {
    Metric,
    Us,
}

/// A net contents statement, converted to millilitres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NetContents {
    pub ml: f64,
    pub system: UnitSystem,
}

/// A "Bottled by ..." (or similar) statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Bottler {
    /// The phrase as printed, e.g. "Produced and Bottled by".
    pub phrase: String,
    /// What follows the phrase up to the city and state: "Stone's Throw Cellars, Paso Robles, CA".
    pub name_and_place: String,
    /// Whether a US state or a country closes the statement (a city and state were found).
    pub has_place: bool,
}

/// Everything recognisable on the label without application data.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LabelFields {
    /// The line in the largest type (the likely brand), the warning excluded.
    pub prominent: Option<Field<String>>,
    /// A line naming a known class/type designation; the value is the designation recognised.
    pub class_type: Option<Field<String>>,
    /// Every alcohol-by-volume statement, in reading order.
    pub alcohol: Vec<Field<Alcohol>>,
    /// Every proof statement ("90 PROOF", "PROOF 90"), in reading order.
    pub proof: Vec<Field<f64>>,
    /// Every net contents statement, in reading order.
    pub net_contents: Vec<Field<NetContents>>,
    /// Every bottler/producer/importer statement, in reading order.
    pub bottlers: Vec<Field<Bottler>>,
    /// The first "Product of X" (or equivalent) statement; the value is the country as printed.
    pub country: Option<Field<String>>,
    /// The label calls the wine "table wine" or "light wine" (4.36(a): alcohol content optional).
    pub table_wine: bool,
}

/// Reads every field with a recognisable shape.
pub fn extract(lines: &[OcrLine]) -> LabelFields {
    let atoms = atoms(lines);
    let normalized = lines.iter().map(|l| text::normalize(&l.text())).collect::<Vec<_>>().join(" \n ");
    LabelFields {
        prominent: prominent_line(lines),
        class_type: class_designation(lines),
        alcohol: alcohol_statements(lines, &atoms),
        proof: proof_statements(lines, &atoms),
        net_contents: net_contents_statements(lines, &atoms),
        bottlers: bottler_statements(lines),
        country: country_statement(lines),
        table_wine: normalized.contains("table wine") || normalized.contains("light wine"),
    }
}

// ---------------------------------------------------------------------------------------------
// Words, tokens and their boxes

fn word_at(lines: &[OcrLine], r: WordRef) -> Option<&OcrWord> {
    lines.get(r.line).and_then(|l| l.words.get(r.word))
}

fn resolve<'a>(lines: &'a [OcrLine], refs: &[WordRef]) -> Vec<(WordRef, &'a OcrWord)> {
    let mut sorted = refs.to_vec();
    sorted.sort();
    sorted.dedup();
    sorted.into_iter().filter_map(|r| word_at(lines, r).map(|w| (r, w))).collect()
}

fn join_words(words: &[(WordRef, &OcrWord)]) -> String {
    words.iter().map(|(_, w)| w.text.as_str()).collect::<Vec<_>>().join(" ")
}

fn mean_confidence(words: &[(WordRef, &OcrWord)]) -> f32 {
    if words.is_empty() {
        return 0.0;
    }
    words.iter().map(|(_, w)| w.confidence).sum::<f32>() / words.len() as f32
}

/// One box per line: the union of that line's words.
fn boxes_of(words: &[(WordRef, &OcrWord)]) -> Vec<BBox> {
    let mut out: Vec<(usize, BBox)> = Vec::new();
    for (r, w) in words {
        match out.last_mut() {
            Some((line, b)) if *line == r.line => *b = b.union(&w.bbox),
            _ => out.push((r.line, w.bbox)),
        }
    }
    out.into_iter().map(|(_, b)| b).collect()
}

/// A normalised word (see [`text::words`]) and the OCR word it came from.
#[derive(Debug, Clone)]
struct Token {
    text: String,
    at: WordRef,
}

fn line_tokens(index: usize, line: &OcrLine) -> Vec<Token> {
    line.words
        .iter()
        .enumerate()
        .flat_map(|(wi, w)| {
            text::words(&w.text).into_iter().map(move |t| Token { text: t, at: WordRef { line: index, word: wi } })
        })
        .collect()
}

fn page_tokens(lines: &[OcrLine]) -> Vec<Token> {
    lines.iter().enumerate().flat_map(|(i, l)| line_tokens(i, l)).collect()
}

fn folded_eq(word: &str, target: &str) -> bool {
    text::fold_confusions(word) == text::fold_confusions(target)
}

// ---------------------------------------------------------------------------------------------
// Searching for an expected value

/// How closely a found phrase matches the expected one, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MatchKind {
    /// Similar but not the same, even after folding OCR confusions.
    Near,
    /// The same after folding OCR's usual confusions (0/O, 1/l/I, 5/S, rn/m).
    OcrConfusion,
    /// The same words; punctuation, quotes or spacing (and perhaps case) differ.
    Punctuation,
    /// The same text but for letter case.
    CaseOnly,
    /// Exactly the same text.
    Exact,
}

/// The best place on the label for an expected phrase.
#[derive(Debug, Clone, PartialEq)]
pub struct PhraseMatch {
    pub kind: MatchKind,
    /// 0.0 to 1.0 after folding OCR confusions; 1.0 for every kind but `Near`.
    pub similarity: f64,
    /// The matched words as printed.
    pub text: String,
    /// Mean and lowest confidence of the matched words.
    pub confidence: f32,
    pub min_confidence: f32,
    pub boxes: Vec<BBox>,
    pub words: Vec<WordRef>,
}

impl PhraseMatch {
    /// Whether the match counts as the same text (every kind but `Near`).
    pub fn is_match(&self) -> bool {
        self.kind > MatchKind::Near
    }

    /// Character edits between the match and `expected`, after folding OCR confusions.
    pub fn edits_from(&self, expected: &str) -> usize {
        text::levenshtein(
            &text::fold_confusions(&text::compact(&self.text)),
            &text::fold_confusions(&text::compact(expected)),
        )
    }
}

/// Searches every word sequence of the label (across line breaks too) for `expected`, comparing
/// with spaces removed so split and merged words still match. Returns the best match at least
/// [`NEAR_SIMILARITY`] alike, or `None`.
pub fn find_phrase(lines: &[OcrLine], expected: &str) -> Option<PhraseMatch> {
    find_phrase_excluding(lines, expected, &[])
}

/// [`find_phrase`] over every word but `excluded` (say, the bottler statement's, so a brand is
/// not found only inside "Bottled by Stone's Throw Cellars").
pub fn find_phrase_excluding(lines: &[OcrLine], expected: &str, excluded: &[WordRef]) -> Option<PhraseMatch> {
    let target = text::compact(expected);
    if target.is_empty() {
        return None;
    }
    let target_folded = text::fold_confusions(&target);
    let target_len = target.chars().count() as f64;
    let max_tokens = text::words(expected).len() + 3;
    let mut tokens = page_tokens(lines);
    tokens.retain(|t| !excluded.contains(&t.at));
    let mut best: Option<(f64, PhraseMatch)> = None;
    for start in 0..tokens.len() {
        let mut compact = String::new();
        for end in start..tokens.len().min(start + max_tokens) {
            compact.push_str(&tokens[end].text);
            let len = compact.chars().count() as f64;
            if len > target_len * 1.4 + 2.0 {
                break;
            }
            if len < target_len * 0.6 - 2.0 {
                continue;
            }
            let (kind, similarity) = if compact == target {
                (MatchKind::Punctuation, 1.0)
            } else if text::fold_confusions(&compact) == target_folded {
                (MatchKind::OcrConfusion, 1.0)
            } else {
                let s = text::similarity(&compact, &target);
                if s < NEAR_SIMILARITY {
                    continue;
                }
                (MatchKind::Near, s)
            };
            let refs: Vec<WordRef> = tokens[start..=end].iter().map(|t| t.at).collect();
            let words = resolve(lines, &refs);
            let printed = join_words(&words);
            let kind = if kind == MatchKind::Punctuation { refine_kind(&printed, expected) } else { kind };
            let confidence = mean_confidence(&words);
            let min_confidence = words.iter().map(|(_, w)| w.confidence).fold(f32::INFINITY, f32::min);
            let score = f64::from(kind as u8) * 10.0 + similarity + f64::from(confidence) * 0.001;
            if best.as_ref().is_none_or(|(s, _)| score > *s) {
                best = Some((
                    score,
                    PhraseMatch {
                        kind,
                        similarity,
                        text: printed,
                        confidence,
                        min_confidence: if min_confidence.is_finite() { min_confidence } else { 0.0 },
                        boxes: boxes_of(&words),
                        words: words.iter().map(|(r, _)| *r).collect(),
                    },
                ));
            }
        }
    }
    best.map(|(_, m)| m)
}

/// For text whose normalised words are equal: exact, case only, or punctuation/spacing.
fn refine_kind(printed: &str, expected: &str) -> MatchKind {
    let tidy = |s: &str| {
        s.split_whitespace().collect::<Vec<_>>().join(" ").trim_matches(|c: char| !c.is_alphanumeric()).to_string()
    };
    let (p, e) = (tidy(printed), tidy(expected));
    if p == e {
        MatchKind::Exact
    } else if p.to_lowercase() == e.to_lowercase() {
        MatchKind::CaseOnly
    } else {
        MatchKind::Punctuation
    }
}

// ---------------------------------------------------------------------------------------------
// Atoms: numbers, words and a few symbols, for reading quantities

#[derive(Debug, Clone, PartialEq)]
enum Atom {
    Num(f64),
    Word(String),
    Sym(char),
    /// A line break.
    Break,
}

#[derive(Debug, Clone)]
struct At {
    atom: Atom,
    at: Option<WordRef>,
}

fn word_atoms(word: &str) -> Vec<Atom> {
    let chars: Vec<char> = word.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let digit_at = |j: usize| chars.get(j).is_some_and(char::is_ascii_digit);
    while i < chars.len() {
        let c = chars[i];
        let leading_dot = c == '.' && digit_at(i + 1) && (i == 0 || !chars[i - 1].is_alphanumeric());
        if c.is_ascii_digit() || leading_dot {
            let mut raw = String::new();
            while i < chars.len() && (chars[i].is_ascii_digit() || (matches!(chars[i], '.' | ',') && digit_at(i + 1))) {
                raw.push(chars[i]);
                i += 1;
            }
            out.push(text::parse_number(&raw).map_or(Atom::Word(raw), Atom::Num));
        } else if c.is_alphabetic() {
            let mut raw = String::new();
            while i < chars.len() && chars[i].is_alphabetic() {
                raw.extend(chars[i].to_lowercase());
                i += 1;
            }
            // "40 PERCENT ALCOHOL BY VOLUME" is the regulation's own wording.
            out.push(if matches!(raw.as_str(), "percent" | "pct") { Atom::Sym('%') } else { Atom::Word(raw) });
        } else {
            match c {
                '%' | '\u{FF05}' => out.push(Atom::Sym('%')),
                '/' | '(' | ')' => out.push(Atom::Sym(c)),
                _ => {}
            }
            i += 1;
        }
    }
    out
}

fn atoms(lines: &[OcrLine]) -> Vec<At> {
    let mut out = Vec::new();
    for (li, line) in lines.iter().enumerate() {
        if li > 0 {
            out.push(At { atom: Atom::Break, at: None });
        }
        for (wi, w) in line.words.iter().enumerate() {
            let at = Some(WordRef { line: li, word: wi });
            out.extend(word_atoms(&w.text).into_iter().map(|atom| At { atom, at }));
        }
    }
    out
}

fn word_of(atoms: &[At], i: usize) -> Option<&str> {
    match atoms.get(i).map(|a| &a.atom) {
        Some(Atom::Word(w)) => Some(w.as_str()),
        _ => None,
    }
}

fn is_sym(atoms: &[At], i: usize, c: char) -> bool {
    matches!(atoms.get(i).map(|a| &a.atom), Some(Atom::Sym(s)) if *s == c)
}

fn refs_between(atoms: &[At], from: usize, to: usize) -> Vec<WordRef> {
    atoms[from..=to.min(atoms.len().saturating_sub(1))].iter().filter_map(|a| a.at).collect()
}

// ---------------------------------------------------------------------------------------------
// Alcohol and proof

fn is_alcohol_word(w: &str) -> bool {
    let f = text::fold_confusions(w);
    // OCR reads the slash of "ALC/VOL" as a letter ("ALCIVOL") or drops it ("ALCVOL").
    let merged = f.len() <= 8 && f.ends_with("vol") && (f.starts_with("alc") || f.len() <= 4);
    merged || matches!(f.as_str(), "alc" | "alcohol" | "vol" | "volume" | "abv" | "alcool")
}

fn is_proof_word(w: &str) -> bool {
    text::fold_confusions(w) == "proof"
}

/// Words after which a number is an age or a count, never an alcohol figure.
fn is_count_word(w: &str) -> bool {
    matches!(w, "year" | "years" | "yr" | "yrs" | "month" | "months" | "day" | "days")
}

/// An alcohol word within a few atoms from `from` in direction `step`, skipping "/", "(",
/// "by" and one line break.
fn alcohol_word_near(atoms: &[At], from: usize, forward: bool) -> Option<usize> {
    let mut i = from;
    let mut breaks = 0;
    for _ in 0..4 {
        if forward {
            i += 1;
        } else if i == 0 {
            return None;
        } else {
            i -= 1;
        }
        match atoms.get(i).map(|a| &a.atom) {
            Some(Atom::Word(w)) if is_alcohol_word(w) => return Some(i),
            Some(Atom::Word(w)) if w == "by" => {}
            Some(Atom::Sym('/' | '(')) => {}
            Some(Atom::Break) if breaks == 0 => breaks += 1,
            _ => return None,
        }
    }
    None
}

fn alcohol_statements(lines: &[OcrLine], atoms: &[At]) -> Vec<Field<Alcohol>> {
    let mut out = Vec::new();
    for (i, a) in atoms.iter().enumerate() {
        let Atom::Num(n) = a.atom else { continue };
        if !(n > 0.0 && n <= 95.0) || is_sym(atoms, i.wrapping_sub(1), '/') || is_sym(atoms, i + 1, '/') {
            continue;
        }
        let percent = is_sym(atoms, i + 1, '%');
        let last = if percent { i + 1 } else { i };
        let next_word = word_of(atoms, last + 1);
        if !percent && (next_word.is_some_and(is_count_word) || unit_at(atoms, last + 1).is_some()) {
            continue;
        }
        if next_word.is_some_and(is_proof_word) {
            continue;
        }
        let mut after = alcohol_word_near(atoms, last, true);
        while let Some(more) = after.and_then(|j| alcohol_word_near(atoms, j, true)) {
            after = Some(more);
        }
        let mut before = alcohol_word_near(atoms, i, false);
        while let Some(more) = before.and_then(|j| alcohol_word_near(atoms, j, false)) {
            before = Some(more);
        }
        let worded = after.is_some() || before.is_some();
        // A bare percentage counts only at the end of a line or before "(": "100% Agave" and
        // "85% Merlot" are not alcohol statements.
        let bare_ok =
            percent && matches!(atoms.get(last + 1).map(|a| &a.atom), None | Some(Atom::Break) | Some(Atom::Sym('(')));
        if !worded && !bare_ok {
            continue;
        }
        let from = before.unwrap_or(i);
        let to = after.unwrap_or(last);
        out.push(Field::from_refs(lines, &refs_between(atoms, from, to), Alcohol { abv: n, worded }));
    }
    out
}

fn proof_statements(lines: &[OcrLine], atoms: &[At]) -> Vec<Field<f64>> {
    let mut out = Vec::new();
    for (i, a) in atoms.iter().enumerate() {
        let Atom::Num(n) = a.atom else { continue };
        if !(n > 0.0 && n <= 200.0) || is_sym(atoms, i + 1, '%') {
            continue;
        }
        let (from, to) = if word_of(atoms, i + 1).is_some_and(is_proof_word) {
            (i, i + 1)
        } else if word_of(atoms, i.wrapping_sub(1)).is_some_and(is_proof_word) {
            (i - 1, i)
        } else {
            continue;
        };
        out.push(Field::from_refs(lines, &refs_between(atoms, from, to), n));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Net contents

/// Millilitres per unit and the unit's system, for one unit word.
fn unit_word(w: &str) -> Option<(f64, UnitSystem)> {
    const UNITS: &[(&[&str], f64, UnitSystem)] = &[
        (&["ml", "mls", "milliliter", "milliliters", "millilitre", "millilitres"], 1.0, UnitSystem::Metric),
        (&["cl", "centiliter", "centiliters", "centilitre", "centilitres"], 10.0, UnitSystem::Metric),
        (&["l", "lt", "ltr", "ltrs", "liter", "liters", "litre", "litres"], 1000.0, UnitSystem::Metric),
        (&["oz", "ounce", "ounces", "floz"], ML_PER_FL_OZ, UnitSystem::Us),
        (&["pint", "pints", "pt", "pts"], ML_PER_PINT, UnitSystem::Us),
        (&["quart", "quarts", "qt", "qts"], ML_PER_QUART, UnitSystem::Us),
        (&["gallon", "gallons", "gal"], ML_PER_GALLON, UnitSystem::Us),
    ];
    UNITS.iter().find(|(names, _, _)| names.iter().any(|n| folded_eq(w, n))).map(|(_, ml, system)| (*ml, *system))
}

/// The unit starting at atom `i`: millilitres per unit, system, and the index of its last atom.
fn unit_at(atoms: &[At], i: usize) -> Option<(f64, UnitSystem, usize)> {
    let w = word_of(atoms, i)?;
    if folded_eq(w, "fl") || folded_eq(w, "fluid") {
        let next = word_of(atoms, i + 1)?;
        return matches!(unit_word(next), Some((ml, _)) if ml == ML_PER_FL_OZ).then_some((
            ML_PER_FL_OZ,
            UnitSystem::Us,
            i + 1,
        ));
    }
    unit_word(w).map(|(ml, system)| (ml, system, i))
}

/// A quantity at atom `i`: "750", "0.75" or "1/2". Its value and the index of its last atom.
fn quantity_at(atoms: &[At], i: usize) -> Option<(f64, usize)> {
    let Some(Atom::Num(n)) = atoms.get(i).map(|a| &a.atom) else { return None };
    if is_sym(atoms, i + 1, '/')
        && let Some(Atom::Num(d)) = atoms.get(i + 2).map(|a| &a.atom)
        && *d > 0.0
    {
        return Some((n / d, i + 2));
    }
    Some((*n, i))
}

fn net_contents_statements(lines: &[OcrLine], atoms: &[At]) -> Vec<Field<NetContents>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < atoms.len() {
        let preceded_by_fraction = is_sym(atoms, i.wrapping_sub(1), '/');
        let Some((amount, q_end)) = quantity_at(atoms, i).filter(|_| !preceded_by_fraction) else {
            i += 1;
            continue;
        };
        let Some((per_unit, system, mut end)) = unit_at(atoms, q_end + 1) else {
            i += 1;
            continue;
        };
        let mut ml = amount * per_unit;
        // "1 PT. 8 FL. OZ.": a smaller US unit may follow.
        let mut last_unit = per_unit;
        if system == UnitSystem::Us {
            while let Some((more, more_end)) = quantity_at(atoms, end + 1) {
                match unit_at(atoms, more_end + 1) {
                    Some((unit, UnitSystem::Us, unit_end)) if unit < last_unit => {
                        ml += more * unit;
                        last_unit = unit;
                        end = unit_end;
                    }
                    _ => break,
                }
            }
        }
        if ml > 0.0 && ml <= 200_000.0 {
            out.push(Field::from_refs(lines, &refs_between(atoms, i, end), NetContents { ml, system }));
        }
        i = end + 1;
    }
    out
}

/// Parses a net contents value as written in application data ("750 mL", "12 FL OZ"); a bare
/// number is taken as millilitres.
pub fn parse_net_contents(value: &str) -> Option<NetContents> {
    let page = crate::ocr::OcrPage::from_text(value);
    let lines = page.lines();
    if let Some(first) = net_contents_statements(&lines, &atoms(&lines)).first() {
        return Some(first.value);
    }
    text::parse_number(value.trim()).filter(|v| *v > 0.0).map(|ml| NetContents { ml, system: UnitSystem::Metric })
}

// ---------------------------------------------------------------------------------------------
// The prominent line and the class/type designation

fn is_warning_line(line: &OcrLine) -> bool {
    let n = text::normalize(&line.text());
    n.contains("government warning") || n.contains("surgeon general")
}

fn mean_height(line: &OcrLine) -> f64 {
    if line.words.is_empty() {
        return 0.0;
    }
    line.words.iter().map(|w| f64::from(w.bbox.h)).sum::<f64>() / line.words.len() as f64
}

fn whole_line(lines: &[OcrLine], index: usize, value: String) -> Option<Field<String>> {
    let line = lines.get(index)?;
    let refs: Vec<WordRef> = (0..line.words.len()).map(|word| WordRef { line: index, word }).collect();
    Some(Field::from_refs(lines, &refs, value))
}

fn prominent_line(lines: &[OcrLine]) -> Option<Field<String>> {
    let mut best: Option<(usize, f64)> = None;
    for (i, line) in lines.iter().enumerate() {
        let letters = line.text().chars().filter(|c| c.is_alphabetic()).count();
        if letters < 2 || is_warning_line(line) {
            continue;
        }
        let h = mean_height(line);
        if best.is_none_or(|(_, bh)| h > bh) {
            best = Some((i, h));
        }
    }
    let (index, _) = best?;
    let text = lines.get(index)?.text();
    whole_line(lines, index, text)
}

/// Class and type designations recognised without application data (normalised words).
const DESIGNATIONS: &[&str] = &[
    // distilled spirits
    "whiskey",
    "whisky",
    "bourbon",
    "scotch",
    "rye whiskey",
    "bourbon whiskey",
    "straight bourbon whiskey",
    "kentucky straight bourbon whiskey",
    "tennessee whiskey",
    "corn whiskey",
    "malt whisky",
    "single malt scotch whisky",
    "blended scotch whisky",
    "vodka",
    "gin",
    "london dry gin",
    "rum",
    "spiced rum",
    "tequila",
    "mezcal",
    "brandy",
    "cognac",
    "armagnac",
    "grappa",
    "pisco",
    "liqueur",
    "cordial",
    "schnapps",
    "absinthe",
    "aquavit",
    "neutral spirits",
    "moonshine",
    // wine
    "wine",
    "red wine",
    "white wine",
    "rose wine",
    "table wine",
    "light wine",
    "sparkling wine",
    "dessert wine",
    "fruit wine",
    "champagne",
    "prosecco",
    "cava",
    "port",
    "sherry",
    "madeira",
    "vermouth",
    "sake",
    "cider",
    "hard cider",
    "mead",
    "cabernet sauvignon",
    "cabernet franc",
    "merlot",
    "pinot noir",
    "pinot grigio",
    "pinot gris",
    "chardonnay",
    "sauvignon blanc",
    "riesling",
    "zinfandel",
    "white zinfandel",
    "syrah",
    "shiraz",
    "malbec",
    "tempranillo",
    "sangiovese",
    "grenache",
    "moscato",
    "muscat",
    "petite sirah",
    "viognier",
    "chenin blanc",
    "gewurztraminer",
    "barbera",
    "nebbiolo",
    "carmenere",
    "chianti",
    "rioja",
    "bordeaux",
    "burgundy",
    "red blend",
    // malt beverages
    "beer",
    "ale",
    "lager",
    "pale ale",
    "india pale ale",
    "ipa",
    "double ipa",
    "amber ale",
    "brown ale",
    "red ale",
    "blonde ale",
    "wheat ale",
    "wheat beer",
    "stout",
    "imperial stout",
    "porter",
    "pilsner",
    "pilsener",
    "bock",
    "doppelbock",
    "hefeweizen",
    "witbier",
    "saison",
    "kolsch",
    "sour ale",
    "malt liquor",
    "malt beverage",
    "flavored malt beverage",
    "hard seltzer",
];

fn class_designation(lines: &[OcrLine]) -> Option<Field<String>> {
    // (designation words, line height, line index, designation)
    let mut best: Option<(usize, f64, usize, &str)> = None;
    for (i, line) in lines.iter().enumerate() {
        if is_warning_line(line) {
            continue;
        }
        let words = text::words(&line.text());
        if words.is_empty() || words.len() > 8 {
            continue;
        }
        for designation in DESIGNATIONS {
            let want: Vec<&str> = designation.split(' ').collect();
            let found = words.windows(want.len()).any(|w| w.iter().zip(&want).all(|(a, b)| folded_eq(a, b)));
            if !found {
                continue;
            }
            let h = mean_height(line);
            let better = best.is_none_or(|(n, bh, _, _)| want.len() > n || (want.len() == n && h > bh));
            if better {
                best = Some((want.len(), h, i, designation));
            }
        }
    }
    let (_, _, index, designation) = best?;
    whole_line(lines, index, designation.to_string())
}

// ---------------------------------------------------------------------------------------------
// Bottler statement

const BOTTLER_VERBS: &[&str] = &[
    "bottled",
    "produced",
    "distilled",
    "brewed",
    "vinted",
    "cellared",
    "imported",
    "made",
    "blended",
    "packed",
    "prepared",
    "canned",
    "manufactured",
    "rectified",
    "crafted",
    "fermented",
    "aged",
    "finished",
    "packaged",
];

fn is_bottler_verb(w: &str) -> bool {
    BOTTLER_VERBS.iter().any(|v| folded_eq(w, v))
}

/// The phrase at the start of a bottler statement in a line: (index of the first verb token,
/// index of the "by" token), by token.
fn bottler_phrase(tokens: &[Token]) -> Option<(usize, usize)> {
    for (t, token) in tokens.iter().enumerate() {
        if token.text != "by" || t == 0 || !is_bottler_verb(&tokens[t - 1].text) {
            continue;
        }
        let mut start = t - 1;
        loop {
            if start >= 2 && tokens[start - 1].text == "and" && is_bottler_verb(&tokens[start - 2].text) {
                start -= 2;
            } else if start >= 1 && is_bottler_verb(&tokens[start - 1].text) {
                // "Distilled & Bottled by": the ampersand is not a token.
                start -= 1;
            } else {
                break;
            }
        }
        return Some((start, t));
    }
    None
}

const US_STATES: &[(&str, &str)] = &[
    ("al", "alabama"),
    ("ak", "alaska"),
    ("az", "arizona"),
    ("ar", "arkansas"),
    ("ca", "california"),
    ("co", "colorado"),
    ("ct", "connecticut"),
    ("de", "delaware"),
    ("fl", "florida"),
    ("ga", "georgia"),
    ("hi", "hawaii"),
    ("id", "idaho"),
    ("il", "illinois"),
    ("in", "indiana"),
    ("ia", "iowa"),
    ("ks", "kansas"),
    ("ky", "kentucky"),
    ("la", "louisiana"),
    ("me", "maine"),
    ("md", "maryland"),
    ("ma", "massachusetts"),
    ("mi", "michigan"),
    ("mn", "minnesota"),
    ("ms", "mississippi"),
    ("mo", "missouri"),
    ("mt", "montana"),
    ("ne", "nebraska"),
    ("nv", "nevada"),
    ("nh", "new hampshire"),
    ("nj", "new jersey"),
    ("nm", "new mexico"),
    ("ny", "new york"),
    ("nc", "north carolina"),
    ("nd", "north dakota"),
    ("oh", "ohio"),
    ("ok", "oklahoma"),
    ("or", "oregon"),
    ("pa", "pennsylvania"),
    ("ri", "rhode island"),
    ("sc", "south carolina"),
    ("sd", "south dakota"),
    ("tn", "tennessee"),
    ("tx", "texas"),
    ("ut", "utah"),
    ("vt", "vermont"),
    ("va", "virginia"),
    ("wa", "washington"),
    ("wv", "west virginia"),
    ("wi", "wisconsin"),
    ("wy", "wyoming"),
    ("dc", "district of columbia"),
    ("pr", "puerto rico"),
];

/// Countries recognised as the place of a bottler or as a country of origin (normalised words).
pub const COUNTRIES: &[&str] = &[
    "france",
    "italy",
    "spain",
    "portugal",
    "germany",
    "austria",
    "switzerland",
    "greece",
    "hungary",
    "czech republic",
    "poland",
    "russia",
    "ukraine",
    "belgium",
    "netherlands",
    "holland",
    "denmark",
    "sweden",
    "norway",
    "finland",
    "iceland",
    "ireland",
    "scotland",
    "england",
    "wales",
    "united kingdom",
    "uk",
    "great britain",
    "mexico",
    "canada",
    "japan",
    "china",
    "korea",
    "south korea",
    "taiwan",
    "thailand",
    "philippines",
    "india",
    "australia",
    "new zealand",
    "chile",
    "argentina",
    "brazil",
    "peru",
    "uruguay",
    "south africa",
    "israel",
    "lebanon",
    "turkey",
    "georgia",
    "jamaica",
    "barbados",
    "trinidad",
    "cuba",
    "dominican republic",
    "guatemala",
    "nicaragua",
    "venezuela",
    "guyana",
    "haiti",
    "martinique",
    "usa",
    "united states",
    "united states of america",
];

/// The state codes and names and the country names, as sequences of normalised words.
fn place_names() -> impl Iterator<Item = &'static str> {
    US_STATES.iter().flat_map(|(code, name)| [*code, *name]).chain(COUNTRIES.iter().copied())
}

/// Whether normalised words end with a US state (code or name) or a country, a trailing ZIP code
/// ignored.
fn ends_with_place(words: &[String]) -> bool {
    let mut end = words.len();
    while end > 0 && words[end - 1].chars().all(|c| c.is_ascii_digit()) {
        end -= 1;
    }
    let words = &words[..end];
    place_names().any(|place| {
        let want: Vec<&str> = place.split(' ').collect();
        words.len() >= want.len() && words[words.len() - want.len()..].iter().zip(&want).all(|(a, b)| a == b)
    })
}

/// Replaces US state names by their two-letter codes in normalised words, so "Paso Robles,
/// California" and "Paso Robles, CA" compare equal.
pub fn canonical_place_words(words: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    'outer: while i < words.len() {
        for (code, name) in US_STATES {
            let want: Vec<&str> = name.split(' ').collect();
            if i + want.len() <= words.len() && words[i..i + want.len()].iter().zip(&want).all(|(a, b)| a == b) {
                out.push((*code).to_string());
                i += want.len();
                continue 'outer;
            }
        }
        out.push(words[i].clone());
        i += 1;
    }
    out
}

/// The place closes the statement: a segment (between commas or line breaks) after the name that
/// ends with a state or a country. Returns how many of `words` belong to the statement.
fn statement_end(words: &[(WordRef, &OcrWord)]) -> Option<usize> {
    let mut segment: Vec<String> = Vec::new();
    let mut first_segment = true;
    for (k, (r, w)) in words.iter().enumerate() {
        segment.extend(text::words(&w.text));
        let next_line = words.get(k + 1).is_none_or(|(n, _)| n.line != r.line);
        let comma = w.text.trim_end().ends_with([',', ';']);
        // The name is the first segment: "SMITH & CO., BEND, OR" does not end at "CO.,".
        if !(first_segment && comma) && ends_with_place(&segment) && ends_segment(words, k) {
            let mut end = k + 1;
            // "New York, NY": a place segment may follow the first one.
            if comma {
                while let Some(next_end) = place_segment_after(words, end) {
                    end = next_end;
                    if !words[end - 1].1.text.trim_end().ends_with([',', ';']) {
                        break;
                    }
                }
            }
            while words.get(end).is_some_and(|(n, z)| {
                n.line == r.line && !z.text.is_empty() && z.text.chars().all(|c| c.is_ascii_digit() || c == '-')
            }) {
                end += 1;
            }
            return Some(end);
        }
        // The name may wrap onto the next line; only a comma ends it.
        if comma || (next_line && !first_segment) {
            segment.clear();
            first_segment = false;
        }
    }
    None
}

/// When the segment starting at word `start` (on one line, up to a comma) is only a place
/// ("NY", "California 95401"), the index just past it.
fn place_segment_after(words: &[(WordRef, &OcrWord)], start: usize) -> Option<usize> {
    let (first, _) = words.get(start)?;
    let mut segment = Vec::new();
    let mut end = start;
    while let Some((r, w)) = words.get(end) {
        if r.line != first.line {
            break;
        }
        segment.extend(text::words(&w.text));
        end += 1;
        if w.text.trim_end().ends_with([',', ';']) {
            break;
        }
    }
    while segment.last().is_some_and(|t| t.chars().all(|c| c.is_ascii_digit())) {
        segment.pop();
    }
    let joined = segment.join(" ");
    place_names().any(|p| p == joined).then_some(end)
}

/// Whether word `k` ends a segment or only a ZIP code follows it in its segment.
fn ends_segment(words: &[(WordRef, &OcrWord)], k: usize) -> bool {
    let Some((r, w)) = words.get(k) else { return false };
    if w.text.trim_end().ends_with([',', ';', '.']) {
        return true;
    }
    match words.get(k + 1) {
        None => true,
        Some((n, next)) => n.line != r.line || next.text.chars().all(|c| c.is_ascii_digit() || c == '-'),
    }
}

fn bottler_statements(lines: &[OcrLine]) -> Vec<Field<Bottler>> {
    let mut out = Vec::new();
    for (li, line) in lines.iter().enumerate() {
        let tokens = line_tokens(li, line);
        let Some((start, by)) = bottler_phrase(&tokens) else { continue };
        let phrase_refs: Vec<WordRef> =
            (tokens[start].at.word..=tokens[by].at.word).map(|word| WordRef { line: li, word }).collect();
        let mut rest: Vec<WordRef> =
            (tokens[by].at.word + 1..line.words.len()).map(|word| WordRef { line: li, word }).collect();
        let mut end = statement_end(&resolve(lines, &rest));
        // The name and address may continue on the next lines.
        for next in li + 1..(li + 3).min(lines.len()) {
            if end.is_some() {
                break;
            }
            let next_line = &lines[next];
            if is_warning_line(next_line) || bottler_phrase(&line_tokens(next, next_line)).is_some() {
                break;
            }
            rest.extend((0..next_line.words.len()).map(|word| WordRef { line: next, word }));
            end = statement_end(&resolve(lines, &rest));
        }
        let has_place = end.is_some();
        if let Some(end) = end {
            rest.truncate(end);
        } else {
            // Without a place, keep only the rest of the phrase's own line.
            rest.retain(|r| r.line == li);
        }
        let phrase = join_words(&resolve(lines, &phrase_refs));
        let name_and_place = join_words(&resolve(lines, &rest));
        let all: Vec<WordRef> = phrase_refs.iter().chain(&rest).copied().collect();
        out.push(Field::from_refs(lines, &all, Bottler { phrase, name_and_place, has_place }));
    }
    out
}

/// Splits application bottler text into the phrase ("Bottled by") and the name and place.
pub fn split_bottler_text(value: &str) -> (Option<String>, String) {
    let page = crate::ocr::OcrPage::from_text(&value.replace('\n', " "));
    let lines = page.lines();
    let Some(line) = lines.first() else { return (None, value.trim().to_string()) };
    let tokens = line_tokens(0, line);
    match bottler_phrase(&tokens) {
        Some((0, by)) => {
            let words = &line.words;
            let phrase = words[..=tokens[by].at.word].iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ");
            let rest = words[tokens[by].at.word + 1..].iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ");
            (Some(phrase), rest)
        }
        _ => (None, value.trim().to_string()),
    }
}

/// Whether a name and address names a place: after its last comma, a US state or a country
/// ("Napa, CA"; not "X Co", whose "Co" is no Colorado).
pub fn names_place(value: &str) -> bool {
    value.rsplit_once(',').is_some_and(|(_, last)| ends_with_place(&text::words(last)))
}

// ---------------------------------------------------------------------------------------------
// Country of origin

/// Phrases that introduce a country of origin, and whether the country must be a known one (for
/// phrases also used for regions, like "Produced in Napa Valley").
const ORIGIN_PHRASES: &[(&[&str], bool)] = &[
    (&["product", "of"], false),
    (&["produce", "of"], false),
    (&["imported", "from"], false),
    (&["country", "of", "origin"], false),
    (&["produced", "in"], true),
    (&["made", "in"], true),
];

fn is_known_country(words: &[String]) -> bool {
    let joined = words.join(" ");
    COUNTRIES.contains(&joined.as_str())
}

fn country_statement(lines: &[OcrLine]) -> Option<Field<String>> {
    for (li, line) in lines.iter().enumerate() {
        let tokens = line_tokens(li, line);
        for (phrase, must_be_known) in ORIGIN_PHRASES {
            let Some(start) = (0..tokens.len()).find(|&t| {
                t + phrase.len() <= tokens.len()
                    && tokens[t..t + phrase.len()].iter().zip(*phrase).all(|(a, b)| folded_eq(&a.text, b))
            }) else {
                continue;
            };
            let phrase_end_word = tokens[start + phrase.len() - 1].at.word;
            // The country: the words after the phrase up to a comma or period, else the next line.
            let mut country: Vec<WordRef> = Vec::new();
            for word in phrase_end_word + 1..line.words.len() {
                country.push(WordRef { line: li, word });
                if line.words[word].text.trim_end().ends_with([',', '.', ';']) || country.len() >= 4 {
                    break;
                }
            }
            if country.is_empty()
                && let Some(next) = lines.get(li + 1)
            {
                country.extend((0..next.words.len().min(3)).map(|word| WordRef { line: li + 1, word }));
            }
            let value_words = resolve(lines, &country);
            let value = join_words(&value_words).trim_matches(|c: char| !c.is_alphanumeric()).to_string();
            let normalized = text::words(&value);
            if normalized.is_empty() || (*must_be_known && !is_known_country(&normalized)) {
                continue;
            }
            let first_word = tokens[start].at.word;
            let refs: Vec<WordRef> =
                (first_word..=phrase_end_word).map(|word| WordRef { line: li, word }).chain(country).collect();
            return Some(Field::from_refs(lines, &refs, value));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ocr::OcrPage;

    fn fields(text: &str) -> LabelFields {
        extract(&OcrPage::from_text(text).lines())
    }

    fn abvs(text: &str) -> Vec<f64> {
        fields(text).alcohol.iter().map(|f| f.value.abv).collect()
    }

    fn mls(text: &str) -> Vec<f64> {
        fields(text).net_contents.iter().map(|f| (f.value.ml * 10.0).round() / 10.0).collect()
    }

    #[test]
    fn alcohol_formats() {
        let cases: &[(&str, &[f64], bool)] = &[
            ("13.5% ALC./VOL.", &[13.5], true),
            ("ALC. 13.5% BY VOL.", &[13.5], true),
            ("ALCOHOL 13.5% BY VOLUME", &[13.5], true),
            ("45% ALC/VOL (90 PROOF)", &[45.0], true),
            ("40% Alc./Vol. 80 Proof", &[40.0], true),
            ("ALC 5.0% BY VOL", &[5.0], true),
            ("13.5 % alc/vol", &[13.5], true),
            ("13.5% ALC./VOL", &[13.5], true),
            ("13,5% alc./vol.", &[13.5], true),
            ("13.5%ALC/VOL", &[13.5], true),
            ("ALCOHOL BY VOLUME 12%", &[12.0], true),
            ("5.2% ABV", &[5.2], true),
            ("ABV 5.2%", &[5.2], true),
            ("ALC. 12.5 BY VOL.", &[12.5], true),
            ("13.5%", &[13.5], false),
            ("ALCOHOL 13.5%\nBY VOLUME", &[13.5], true),
            ("ALC 5% BY VOL 12 FL OZ", &[5.0], true),
            ("40 PERCENT ALCOHOL BY VOLUME", &[40.0], true),
            ("4.8% ALCIVOL", &[4.8], true),
            ("4.8% ALCVOL", &[4.8], true),
            ("13.5% ALC.IVOL.", &[13.5], true),
            ("Alcohol by volume 40 percent", &[40.0], true),
        ];
        for (text, want, worded) in cases {
            let f = fields(text);
            let got: Vec<f64> = f.alcohol.iter().map(|a| a.value.abv).collect();
            assert_eq!(&got, want, "{text}");
            assert_eq!(f.alcohol[0].value.worded, *worded, "{text}");
            assert!(!f.alcohol[0].boxes.is_empty(), "{text}");
        }
    }

    #[test]
    fn numbers_that_are_not_alcohol() {
        for text in [
            "Est. 1890",
            "1890 Louisville Road, Louisville, KY",
            "Aged 12 Years",
            "100% Blue Agave",
            "85% Merlot, 15% Cabernet Sauvignon",
            "750 mL",
            "Batch No. 7",
            "ALC./VOL. 80 PROOF",
            "Bottled in Bond 100 Proof",
        ] {
            assert_eq!(abvs(text), Vec::<f64>::new(), "{text}");
        }
        for text in ["Est. 1890", "1890 Louisville Road, Louisville, KY", "Aged 12 Years", "45% ALC/VOL"] {
            assert_eq!(mls(text), Vec::<f64>::new(), "{text}");
        }
    }

    #[test]
    fn proof_formats() {
        let cases: &[(&str, &[f64])] = &[
            ("45% ALC/VOL (90 PROOF)", &[90.0]),
            ("40% Alc./Vol. 80 Proof", &[80.0]),
            ("PROOF 86", &[86.0]),
            ("13.5% ALC./VOL.", &[]),
            ("Aged 12 Years", &[]),
        ];
        for (text, want) in cases {
            let got: Vec<f64> = fields(text).proof.iter().map(|f| f.value).collect();
            assert_eq!(&got, want, "{text}");
        }
    }

    #[test]
    fn net_contents_formats() {
        let cases: &[(&str, f64, UnitSystem)] = &[
            ("750 mL", 750.0, UnitSystem::Metric),
            ("750ML", 750.0, UnitSystem::Metric),
            ("75 cL", 750.0, UnitSystem::Metric),
            ("0.75 L", 750.0, UnitSystem::Metric),
            ("1.75 LITERS", 1750.0, UnitSystem::Metric),
            ("1 L", 1000.0, UnitSystem::Metric),
            ("1 Litre", 1000.0, UnitSystem::Metric),
            ("750 mI", 750.0, UnitSystem::Metric),
            ("12 FL OZ", 354.9, UnitSystem::Us),
            ("12 FL. OZ.", 354.9, UnitSystem::Us),
            ("12 fluid ounces", 354.9, UnitSystem::Us),
            ("1 PINT", 473.2, UnitSystem::Us),
            ("1 PT. 8 FL. OZ.", 709.8, UnitSystem::Us),
            ("1 QUART", 946.4, UnitSystem::Us),
            ("1/2 GALLON", 1892.7, UnitSystem::Us),
            ("NET CONTENTS 750 ML", 750.0, UnitSystem::Metric),
        ];
        for (text, ml, system) in cases {
            let f = fields(text);
            assert_eq!(f.net_contents.len(), 1, "{text}: {:?}", f.net_contents);
            let got = &f.net_contents[0];
            assert!((got.value.ml - ml).abs() < 0.1, "{text}: {}", got.value.ml);
            assert_eq!(got.value.system, *system, "{text}");
        }
        assert_eq!(mls("750 mL (25.4 FL OZ)"), vec![750.0, 751.2]);
    }

    #[test]
    fn application_net_contents() {
        let cases: &[(&str, Option<f64>)] =
            &[("750 mL", Some(750.0)), ("12 fl oz", Some(354.9)), ("750", Some(750.0)), ("a bottle", None)];
        for (value, want) in cases {
            let got = parse_net_contents(value).map(|n| (n.ml * 10.0).round() / 10.0);
            assert_eq!(got, *want, "{value}");
        }
    }

    #[test]
    fn phrase_search() {
        let cases: &[(&str, &str, Option<MatchKind>)] = &[
            ("STONE'S THROW\nCabernet", "Stone's Throw", Some(MatchKind::CaseOnly)),
            ("Stone's Throw", "Stone's Throw", Some(MatchKind::Exact)),
            ("STONES THROW", "Stone's Throw", Some(MatchKind::Punctuation)),
            ("STONE'STHROW", "Stone's Throw", Some(MatchKind::Punctuation)),
            ("STONE'S\nTHROW", "Stone's Throw", Some(MatchKind::CaseOnly)),
            ("ST0NE'S THR0W", "Stone's Throw", Some(MatchKind::OcrConfusion)),
            ("STONE'S THRCW", "Stone's Throw", Some(MatchKind::Near)),
            ("RIVER BEND", "Stone's Throw", None),
            ("Merlot", "Cabernet Sauvignon", None),
            (
                "Old Tom Distillery\nKENTUCKY STRAIGHT BOURBON WHISKEY",
                "Kentucky Straight Bourbon Whiskey",
                Some(MatchKind::CaseOnly),
            ),
        ];
        for (label, expected, want) in cases {
            let lines = OcrPage::from_text(label).lines();
            let got = find_phrase(&lines, expected);
            assert_eq!(got.as_ref().map(|m| m.kind), *want, "{label:?} vs {expected:?}: {got:?}");
            if let Some(m) = got {
                assert!(!m.boxes.is_empty());
                assert!(m.confidence > 0.9);
            }
        }
        let split = find_phrase(&OcrPage::from_text("STONE'S\nTHROW").lines(), "Stone's Throw");
        assert_eq!(split.map(|m| m.boxes.len()), Some(2), "one box per line");
    }

    /// Application-guided matching against OCR confusions and label layout: each expected value
    /// is found, as a match (not a near miss), with a box per line it spans.
    #[test]
    fn phrase_search_tolerates_ocr_confusions_and_layout() {
        let cases: &[(&str, &str, &str, usize)] = &[
            ("0 for O", "ST0NE'S THR0W", "Stone's Throw", 1),
            ("1 for l", "O1D MI11", "Old Mill", 1),
            ("1 for I", "KENTUCKY STRAIGHT BOURBON WH1SKEY", "Kentucky Straight Bourbon Whiskey", 1),
            ("l for I", "LAKESHORE AMBER LAGER\nGLAClER PEAK", "Glacier Peak", 1),
            ("5 for S", "5TONE'5 THROW", "Stone's Throw", 1),
            ("rn for m", "Arnber Lager", "Amber Lager", 1),
            ("word split", "CAB ERNET SAUVIGNON", "Cabernet Sauvignon", 1),
            ("words merged", "CABERNETSAUVIGNON", "Cabernet Sauvignon", 1),
            ("line break", "KENTUCKY STRAIGHT\nBOURBON WHISKEY", "Kentucky Straight Bourbon Whiskey", 2),
            ("hyphenated at a line end", "CABERNET SAUVI-\nGNON", "Cabernet Sauvignon", 2),
            ("among other lines", "EST. 1890\nHERITAGE OAK\nAGED 8 YEARS", "Heritage Oak", 1),
            ("decorative face read in pieces", "Be lle Riv e", "Belle Rive", 1),
        ];
        for (name, label, expected, boxes) in cases {
            let lines = OcrPage::from_text(label).lines();
            let found = find_phrase(&lines, expected);
            let m = found.unwrap_or_else(|| panic!("{name}: {expected:?} not found in {label:?}"));
            assert!(m.is_match(), "{name}: {m:?}");
            assert_eq!(m.boxes.len(), *boxes, "{name}: {m:?}");
        }
    }

    /// A bottler statement as (phrase, name and place, has a place).
    type Statement<'a> = (&'a str, &'a str, bool);

    #[test]
    fn bottler_statements_found() {
        let cases: &[(&str, Option<Statement>)] = &[
            (
                "Bottled by Stone's Throw Cellars, Paso Robles, CA",
                Some(("Bottled by", "Stone's Throw Cellars, Paso Robles, CA", true)),
            ),
            (
                "PRODUCED AND BOTTLED BY OLD TOM DISTILLERY\nLOUISVILLE, KENTUCKY\n750 ML",
                Some(("PRODUCED AND BOTTLED BY", "OLD TOM DISTILLERY LOUISVILLE, KENTUCKY", true)),
            ),
            ("Brewed by\nHoppy Co., Bend, OR 97701", Some(("Brewed by", "Hoppy Co., Bend, OR 97701", true))),
            (
                "Distilled and Bottled by Heritage\nOak Distilling Co., Louisville, KY",
                Some(("Distilled and Bottled by", "Heritage Oak Distilling Co., Louisville, KY", true)),
            ),
            ("Imported by Vins du Monde, New York, NY", Some(("Imported by", "Vins du Monde, New York, NY", true))),
            ("Bottled by Somebody", Some(("Bottled by", "Somebody", false))),
            (
                "Distilled and Bottled by Georgia Spirits, Atlanta, GA",
                Some(("Distilled and Bottled by", "Georgia Spirits, Atlanta, GA", true)),
            ),
            (
                "Distilled & Bottled by Old Tom Distillery Louisville KY",
                Some(("Distilled & Bottled by", "Old Tom Distillery Louisville KY", true)),
            ),
            ("BOTTLED BY SMITH & CO., BEND, OR", Some(("BOTTLED BY", "SMITH & CO., BEND, OR", true))),
            ("Cabernet Sauvignon\n750 mL", None),
            ("Made with love", None),
        ];
        for (label, want) in cases {
            let f = fields(label);
            let got = f
                .bottlers
                .first()
                .map(|b| (b.value.phrase.as_str(), b.value.name_and_place.as_str(), b.value.has_place));
            assert_eq!(got, *want, "{label}");
        }
    }

    #[test]
    fn country_statements_found() {
        let cases: &[(&str, Option<&str>)] = &[
            ("Product of France", Some("France")),
            ("PRODUCT OF ITALY", Some("ITALY")),
            ("Imported from Mexico.", Some("Mexico")),
            ("Product of\nScotland", Some("Scotland")),
            ("Made in New Zealand", Some("New Zealand")),
            ("Produced in Napa Valley", None),
            ("Distilled in Kentucky", None),
            ("Cabernet Sauvignon", None),
        ];
        for (label, want) in cases {
            let got = fields(label).country.map(|c| c.value);
            assert_eq!(got.as_deref(), *want, "{label}");
        }
    }

    #[test]
    fn prominent_and_class() {
        let mut page = OcrPage::from_text("Estate grown\nSTONE'S THROW\nCabernet Sauvignon\n13.5% ALC./VOL.");
        for w in page.words.iter_mut().filter(|w| w.line == 1) {
            w.bbox.h = 60;
        }
        let f = extract(&page.lines());
        assert_eq!(f.prominent.map(|p| p.text).as_deref(), Some("STONE'S THROW"));
        assert_eq!(f.class_type.map(|c| c.value).as_deref(), Some("cabernet sauvignon"));
        assert_eq!(
            fields("Old Tom\nKentucky Straight Bourbon Whiskey").class_type.map(|c| c.value).as_deref(),
            Some("kentucky straight bourbon whiskey")
        );
        assert!(fields("Cabernet\nTable Wine").table_wine);
    }

    #[test]
    fn place_words_canonical() {
        let words = text::words("Paso Robles, California");
        assert_eq!(canonical_place_words(&words), vec!["paso", "robles", "ca"]);
        assert_eq!(canonical_place_words(&text::words("New York, New York")), vec!["ny", "ny"]);
        assert_eq!(
            split_bottler_text("Produced and Bottled by X Co, Napa, CA"),
            (Some("Produced and Bottled by".to_string()), "X Co, Napa, CA".to_string())
        );
        assert_eq!(split_bottler_text("X Co, Napa, CA"), (None, "X Co, Napa, CA".to_string()));
        assert!(names_place("Napa, CA"));
        assert!(names_place("Old Tom, Louisville, Kentucky 40202"));
        assert!(!names_place("X Co"));
        assert!(!names_place("Old Tom Distillery"));
    }
}
