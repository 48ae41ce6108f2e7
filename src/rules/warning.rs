//! The government warning (27 CFR 16.21, 16.22): presence, wording, capitals and bold header.
//!
//! # How the warning is found
//! The label's words are cut into normalised tokens ([`crate::text::words`] style: lower-case
//! letters and digits, quotes dropped, other punctuation kept aside for the punctuation notes),
//! remembering hyphens. The whole statutory statement, header included, is aligned word by word
//! against the label's token stream with free ends (a semi-global Needleman-Wunsch on words): the
//! words before the warning and after it cost nothing, words added inside it, missing from it or
//! changed in it do. So the warning may start anywhere, be wrapped at any width, and lines of
//! other text after it ("750 mL") are not taken in. The alignment also joins two label tokens into
//! one statutory word when the first ends in a hyphen ("preg-" / "nancy", "preg-nancy",
//! "preg- nancy") or when the two spell the word exactly ("preg nancy": whitespace only), and
//! splits one label token into two statutory words when it spells them exactly ("acar").
//!
//! The warning ends at the last label word matched to a statutory word. After it: words on the
//! same line count as added words unless the warning's last word ends a sentence (then review) or
//! they stand well apart (another element of the label, ignored); a following line counts as
//! added words only when the warning's last word did not end a sentence and the line starts with
//! a lower-case word (a continuation such as "... health problems" / "and cancer.").
//!
//! The warning is present when both header words were read (allowing OCR noise, "G0VERNMENT",
//! "WARNlNG") or, without a legible header, when at least half the body's words were read.
//!
//! # Wording outcomes (`government_warning_text`)
//! Words are compared case-blind after folding OCR's glyph confusions
//! ([`crate::text::fold_confusions`]: 0/o, 1/l/i, 5/s, rn/m...), so a body in capitals passes. A
//! difference that remains is:
//! - a missing or added word: fail, except an added token of one or two characters read at low
//!   confidence (< 0.5), a speck read as a letter: review;
//! - a changed word: review when it is one or two characters off (at most a third of the word)
//!   and read at low confidence (< 0.6) ("bevera9es" at 0.4); also review when it is read with
//!   confidence but is a single character off in a word of five letters or more and is not an "s"
//!   added or dropped at its end ("bevera9es" at 0.9): Tesseract is sometimes confidently wrong by
//!   one glyph, and a rewording is rarely a one-letter change inside a word. Every other change
//!   fails, including "impair" for "impairs" and "defect" for "defects" (see [`classify_change`]).
//!   Review is never a pass, so a bad label never comes out compliant;
//! - punctuation that differs (a comma or period missing or changed): review. The final period
//!   may be dropped (approved labels do): pass.
//!
//! # Header outcomes (`government_warning_header`)
//! Judged on the header words as printed (case kept): fail when a header word is missing or is
//! another word ("HEALTH WARNING"), or when a word is mostly lower case ("Government Warning:")
//! and read with confidence >= 0.5; review when the case is mixed ("GOVERNMENt"), the lower-case
//! reading has low confidence, a header word is one OCR slip off, or no colon follows "WARNING".
//! Lower-case letters shaped like their capitals (c o s v w x z) and "l" (OCR's usual reading of
//! a capital I) count for neither side, so "WARNlNG" passes. A missing header is fail, review
//! when a low-confidence smudge stands just before the body.
//!
//! # Weight (`government_warning_bold`)
//! Measured on the image in [`bold`]: never a silent pass.

#[path = "bold.rs"]
pub mod bold;

use image::GrayImage;
use serde::Serialize;

use crate::ocr::{BBox, OcrLine, OcrWord};
use crate::report::{Check, Outcome, WarningSummary};
use crate::text;

/// The header as 27 CFR 16.21 prints it.
pub const WARNING_HEADER: &str = "GOVERNMENT WARNING:";
/// The statement after the header, 27 CFR 16.21.
pub const WARNING_BODY: &str = "(1) According to the Surgeon General, women should not drink alcoholic beverages \
     during pregnancy because of the risk of birth defects. (2) Consumption of alcoholic beverages impairs your \
     ability to drive a car or operate machinery, and may cause health problems.";

pub const FIELD_PRESENT: &str = "government_warning";
pub const FIELD_HEADER: &str = "government_warning_header";
pub const FIELD_TEXT: &str = "government_warning_text";
pub const FIELD_BOLD: &str = "government_warning_bold";
const RULE_PRESENT: &str = "27 CFR 16.21";
const RULE_TEXT: &str = "27 CFR 16.21";
const RULE_FORMAT: &str = "27 CFR 16.22(a)(2)";

/// Number of words in the header ("GOVERNMENT WARNING").
const HEADER_WORDS: usize = 2;
/// A changed word read below this confidence may be OCR noise.
const LOW_CONFIDENCE: f32 = 0.6;
/// A difference read at this confidence or more is not worth reading again.
const CONFIDENT: f32 = 0.9;
/// Up to this many missing words may be OCR dropping a short word or a line; more is a cut.
const MISSING_WORDS_OCR_MAY_DROP: usize = 12;
/// An added short token read below this confidence may be a speck.
const SPECK_CONFIDENCE: f32 = 0.5;
/// A header word at least this similar (after folding) to its statutory word counts as read.
const HEADER_SIMILARITY: f64 = 0.6;
/// Words after the warning on its last line farther than this many line heights away belong to
/// another element.
const APART_LINE_HEIGHTS: u32 = 3;
/// Body words measured for the type weight.
const BOLD_BODY_SAMPLES: usize = 12;

/// The full statement as 27 CFR 16.21 prints it.
pub fn statutory_text() -> String {
    format!("{WARNING_HEADER} {WARNING_BODY}")
}

/// The warning's checks and its summary for `extracted_fields.government_warning`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WarningResult {
    pub checks: Vec<Check>,
    pub summary: WarningSummary,
    /// Words of the body that differ from the statute (changed, missing or added, punctuation
    /// aside): 0 for a warning read word for word. For choosing between two reads of it.
    pub differences: usize,
    /// Whether a better read could change the checks: one says review, or a fail rests on a word
    /// read below 0.9 confidence, a header word not read, or a few words missing (OCR drops
    /// short words and lines; a reworded or cut warning is read with confidence).
    pub doubtful: bool,
}

/// One word of the statutory statement against the label, for showing the difference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WordDiff {
    /// The statutory word, found on the label (case, OCR confusions and hyphenation aside).
    Same(String),
    /// Statutory word(s) where the label has other word(s).
    Changed { expected: String, found: String },
    /// A statutory word the label lacks.
    Missing(String),
    /// A word on the label the statement does not have.
    Extra(String),
}

/// Aligns the words of a label's warning (header included, as read, e.g.
/// `["GOVERNMENT", "WARNING:", "(1)", "According", ...]`) with the statutory statement, word by
/// word. Every given word is part of the result: none is skipped as being outside the warning.
/// `Same` carries the statutory word, `Extra` and `Changed::found` the label's.
pub fn align_warning(found_words: &[&str]) -> Vec<WordDiff> {
    let found = tokenize(found_words.iter().enumerate().map(|(i, w)| (i, *w, 1.0, 0)));
    let expected = statutory_tokens();
    let steps = align(&found, &expected, false);
    steps
        .iter()
        .flat_map(|step| match step {
            Step::Pair { found: f, expected: e } => {
                if pair_is_same(&found, &expected, f, e) {
                    e.iter().map(|&j| WordDiff::Same(expected[j].display())).collect::<Vec<_>>()
                } else {
                    vec![WordDiff::Changed { expected: join_display(&expected, e), found: join_display(&found, f) }]
                }
            }
            Step::Extra(i) => vec![WordDiff::Extra(found[*i].display())],
            Step::Missing(j) => vec![WordDiff::Missing(expected[*j].display())],
        })
        .collect()
}

/// Finds the warning among the label's lines and checks it. `image` is the grayscale image the
/// boxes refer to (dark text on light), for measuring the header's weight.
///
/// Checks, in order: `government_warning` (present); when present also
/// `government_warning_header` (wording, capitals, colon), `government_warning_text` (word for
/// word) and `government_warning_bold` (type weight measured on `image`).
pub fn check_warning(lines: &[OcrLine], image: Option<&GrayImage>) -> WarningResult {
    check_warning_with(lines, image, &[])
}

/// A part of the image where print cannot be read clearly, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Obscured {
    /// In the image's pixels.
    pub bbox: BBox,
    /// For messages: "under glare", "out of focus", ...
    pub cause: String,
}

/// [`check_warning`] on an image partly obscured (glare over it, or all of it out of focus):
/// where a difference from the statute, the header or the header's weight lies inside
/// `obscured`, what would fail is review instead, saying the print there could not be read
/// clearly. Nothing that would fail elsewhere, and nothing that would not pass, changes.
pub fn check_warning_with(lines: &[OcrLine], image: Option<&GrayImage>, obscured: &[Obscured]) -> WarningResult {
    let words: Vec<&OcrWord> = lines.iter().flat_map(|l| l.words.iter()).collect();
    let line_of: Vec<usize> = lines.iter().enumerate().flat_map(|(li, l)| l.words.iter().map(move |_| li)).collect();
    let found = tokenize(words.iter().enumerate().map(|(i, w)| (i, w.text.as_str(), w.confidence, line_of[i])));
    let expected = statutory_tokens();
    let steps = align(&found, &expected, true);
    let warning = Warning::new(&found, &expected, steps, &words, obscured);

    let Some(warning) = warning.filter(|w| w.present()) else {
        return WarningResult {
            checks: vec![Check {
                field: FIELD_PRESENT.into(),
                outcome: Outcome::Fail,
                rule: RULE_PRESENT.into(),
                expected: Some(statutory_text()),
                found: None,
                message: "No government warning found on the label".into(),
                confidence: None,
                boxes: vec![],
            }],
            summary: WarningSummary::default(),
            differences: 0,
            doubtful: false,
        };
    };

    let presence = warning.presence_check();
    let header = warning.header_check();
    let text = warning.text_check();
    let bold = warning.bold_check(image);
    let summary = WarningSummary {
        present: true,
        header_correct: header.outcome == Outcome::Pass,
        text_correct: text.outcome == Outcome::Pass,
    };
    let differences = warning
        .body_items()
        .iter()
        .filter(|i| i.severity != Severity::Ok)
        .map(|i| i.expected.len().max(i.found.len()))
        .sum();
    let doubtful = warning.doubtful(&header, &text, &bold);
    WarningResult { checks: vec![presence, header, text, bold], summary, differences, doubtful }
}

// ---------------------------------------------------------------------------------------------
// Tokens

/// One normalised word of the label (or of the statute) with what was around it.
#[derive(Debug, Clone)]
struct Tok {
    /// Lower-case letters and digits.
    norm: String,
    /// `norm` with OCR confusions folded.
    folded: String,
    /// The letters and digits as printed (case kept).
    raw: String,
    /// Opening punctuation before it ("(").
    lead: String,
    /// Punctuation after it (",", ".", ":", ")").
    trail: String,
    /// A hyphen follows it (inside the word or at its end).
    hyphen_after: bool,
    /// Index of the OCR word it came from.
    word: usize,
    /// Index of the OCR line it came from.
    line: usize,
    conf: f32,
}

impl Tok {
    fn new(raw: String, lead: String, word: usize, conf: f32, line: usize) -> Self {
        let norm = raw.to_lowercase();
        let folded = text::fold_confusions(&norm);
        Self { norm, folded, raw, lead, trail: String::new(), hyphen_after: false, word, line, conf }
    }

    fn display(&self) -> String {
        format!("{}{}{}{}", self.lead, self.raw, self.trail, if self.hyphen_after { "-" } else { "" })
    }
}

fn is_quote(ch: char) -> bool {
    // As `text::words`: quotes and apostrophes vanish without separating ("STONE'S" = "stones").
    matches!(ch, '\'' | '"' | '`' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201C}' | '\u{201D}' | '\u{00B4}')
}

fn is_hyphen(ch: char) -> bool {
    matches!(
        ch,
        '-' | '\u{00AD}' | '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2212}' | '\u{00AC}'
    )
}

fn is_opening(ch: char) -> bool {
    matches!(ch, '(' | '[' | '{')
}

/// Cuts words `(index, text, confidence, line)` into tokens. Punctuation between tokens goes to
/// the token before it (or, for an opening bracket, the token after it); a hyphen marks the token
/// before it, even across words ("preg -nancy", "preg" "-" "nancy").
fn tokenize<'a>(words: impl Iterator<Item = (usize, &'a str, f32, usize)>) -> Vec<Tok> {
    let mut toks: Vec<Tok> = Vec::new();
    for (wi, word, conf, line) in words {
        let mut lead = String::new();
        let mut cur = String::new();
        for ch in word.chars() {
            if ch.is_alphanumeric() {
                cur.push(ch);
                continue;
            }
            if is_quote(ch) {
                continue;
            }
            if !cur.is_empty() {
                toks.push(Tok::new(std::mem::take(&mut cur), std::mem::take(&mut lead), wi, conf, line));
            }
            if is_hyphen(ch) {
                if let Some(last) = toks.last_mut() {
                    last.hyphen_after = true;
                }
            } else if ch.is_whitespace() {
                // OCR words have none; nothing to keep.
            } else if is_opening(ch) {
                lead.push(ch);
            } else if let Some(last) = toks.last_mut() {
                last.trail.push(ch);
            } else {
                lead.push(ch);
            }
        }
        if !cur.is_empty() {
            toks.push(Tok::new(cur, lead, wi, conf, line));
        }
    }
    toks
}

/// The statement's tokens: the two header words, then the body's.
fn statutory_tokens() -> Vec<Tok> {
    let text = statutory_text();
    tokenize(text.split_whitespace().enumerate().map(|(i, w)| (i, w, 1.0, 0)))
}

fn join_display(toks: &[Tok], idx: &[usize]) -> String {
    idx.iter().map(|&i| toks[i].display()).collect::<Vec<_>>().join(" ")
}

fn concat_folded(toks: &[Tok], idx: &[usize]) -> String {
    text::fold_confusions(&idx.iter().map(|&i| toks[i].norm.as_str()).collect::<String>())
}

fn pair_is_same(found: &[Tok], expected: &[Tok], f: &[usize], e: &[usize]) -> bool {
    concat_folded(found, f) == concat_folded(expected, e)
}

// ---------------------------------------------------------------------------------------------
// Alignment

#[derive(Debug, Clone, PartialEq)]
enum Step {
    /// Label tokens (one, or two joined) against statutory tokens (one, or two for a split).
    Pair {
        found: Vec<usize>,
        expected: Vec<usize>,
    },
    Extra(usize),
    Missing(usize),
}

const GAP: f32 = 1.0;
/// Joining or splitting costs a little more than a plain match, so it is used only when needed.
const JOIN: f32 = 0.05;

/// Cost of reading `found` where `expected` stands (both folded), `None` when the words are too
/// different to be one changed word (then missing plus added is cheaper and clearer).
fn sub_cost(found: &str, expected: &str) -> Option<f32> {
    if found == expected {
        return Some(0.0);
    }
    let longest = found.chars().count().max(expected.chars().count()).max(1);
    let sim = 1.0 - text::levenshtein(found, expected) as f32 / longest as f32;
    (sim >= 0.34).then_some(0.3 + 1.7 * (1.0 - sim))
}

#[derive(Clone, Copy, PartialEq)]
enum Op {
    Start,
    Match,
    Merge,
    Split,
    Extra,
    Missing,
}

/// Word alignment of `found` against `expected`. With `free_ends`, label tokens before and after
/// the aligned stretch cost nothing and are left out of the steps.
fn align(found: &[Tok], expected: &[Tok], free_ends: bool) -> Vec<Step> {
    let (n, m) = (found.len(), expected.len());
    let at = |i: usize, j: usize| i * (m + 1) + j;
    let mut cost = vec![f32::INFINITY; (n + 1) * (m + 1)];
    let mut back = vec![Op::Start; (n + 1) * (m + 1)];
    for i in 0..=n {
        for j in 0..=m {
            if i == 0 && j == 0 {
                cost[at(0, 0)] = 0.0;
                continue;
            }
            if j == 0 && free_ends {
                cost[at(i, 0)] = 0.0;
                continue;
            }
            let mut best = (f32::INFINITY, Op::Start);
            let mut consider = |c: f32, op: Op| {
                if c < best.0 {
                    best = (c, op);
                }
            };
            if i >= 1
                && j >= 1
                && let Some(c) = sub_cost(&found[i - 1].folded, &expected[j - 1].folded)
            {
                consider(cost[at(i - 1, j - 1)] + c, Op::Match);
            }
            if i >= 2 && j >= 1 {
                let joined = concat_folded(found, &[i - 2, i - 1]);
                let target = &expected[j - 1].folded;
                let c = if joined == *target {
                    Some(0.0)
                } else if found[i - 2].hyphen_after {
                    sub_cost(&joined, target)
                } else {
                    None
                };
                if let Some(c) = c {
                    consider(cost[at(i - 2, j - 1)] + c + JOIN, Op::Merge);
                }
            }
            if i >= 1 && j >= 2 && found[i - 1].folded == concat_folded(expected, &[j - 2, j - 1]) {
                consider(cost[at(i - 1, j - 2)] + JOIN, Op::Split);
            }
            if i >= 1 {
                consider(cost[at(i - 1, j)] + GAP, Op::Extra);
            }
            if j >= 1 {
                consider(cost[at(i, j - 1)] + GAP, Op::Missing);
            }
            cost[at(i, j)] = best.0;
            back[at(i, j)] = best.1;
        }
    }

    let mut i = if free_ends {
        (0..=n).fold(0, |best, i| if cost[at(i, m)] < cost[at(best, m)] { i } else { best })
    } else {
        n
    };
    let mut j = m;
    let mut steps = Vec::new();
    while i > 0 || j > 0 {
        match back[at(i, j)] {
            Op::Start => break,
            Op::Match => {
                steps.push(Step::Pair { found: vec![i - 1], expected: vec![j - 1] });
                i -= 1;
                j -= 1;
            }
            Op::Merge => {
                steps.push(Step::Pair { found: vec![i - 2, i - 1], expected: vec![j - 1] });
                i -= 2;
                j -= 1;
            }
            Op::Split => {
                steps.push(Step::Pair { found: vec![i - 1], expected: vec![j - 2, j - 1] });
                i -= 1;
                j -= 2;
            }
            Op::Extra => {
                steps.push(Step::Extra(i - 1));
                i -= 1;
            }
            Op::Missing => {
                steps.push(Step::Missing(j - 1));
                j -= 1;
            }
        }
    }
    steps.reverse();
    steps
}

// ---------------------------------------------------------------------------------------------
// Judging differences

/// How bad one difference is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Severity {
    Ok,
    Review,
    Fail,
}

impl Severity {
    fn outcome(self) -> Outcome {
        match self {
            Self::Ok => Outcome::Pass,
            Self::Review => Outcome::Review,
            Self::Fail => Outcome::Fail,
        }
    }
}

/// A changed word (label tokens `found` where the statute has `expected`): review when it looks
/// like OCR noise, fail when it looks like a wording change.
///
/// - Read at low confidence (< [`LOW_CONFIDENCE`]) and at most two characters off, and at most a
///   third of the word (one for short words): review.
/// - Read with confidence, exactly one character off in a word of five letters or more, and not an
///   "s" added or dropped at the end (that is "impair" for "impairs", "beverage" for "beverages",
///   a real change): review. Tesseract can be confidently wrong by one glyph on small print; a
///   rewording by a single inner letter is rare and review still keeps the label from passing.
/// - Anything else: fail.
fn classify_change(found: &str, expected: &str, conf: f32) -> Severity {
    let d = text::levenshtein(found, expected);
    let len = expected.chars().count();
    if conf < LOW_CONFIDENCE && d <= 2 && d <= (len / 3).max(1) {
        return Severity::Review;
    }
    let plural = found.strip_suffix('s') == Some(expected) || expected.strip_suffix('s') == Some(found);
    if d == 1 && len >= 5 && !plural {
        return Severity::Review;
    }
    Severity::Fail
}

/// One stretch of the body's alignment.
#[derive(Debug, Clone)]
struct Item {
    expected: Vec<usize>,
    found: Vec<usize>,
    severity: Severity,
}

// ---------------------------------------------------------------------------------------------
// The located warning

struct Warning<'a> {
    found: &'a [Tok],
    expected: &'a [Tok],
    words: &'a [&'a OcrWord],
    /// Alignment steps of the warning, header and body.
    steps: Vec<Step>,
    /// Label tokens after the warning taken as added words.
    trailing_extra: Vec<usize>,
    /// Label tokens after the warning's final sentence on its last line.
    trailing_after_end: Vec<usize>,
    /// First and last label token of the warning.
    first: usize,
    last: usize,
    /// Parts of the image where the print could not be read clearly.
    obscured: &'a [Obscured],
}

impl<'a> Warning<'a> {
    fn new(
        found: &'a [Tok],
        expected: &'a [Tok],
        steps: Vec<Step>,
        words: &'a [&'a OcrWord],
        obscured: &'a [Obscured],
    ) -> Option<Self> {
        let mut paired = steps.iter().filter_map(|s| match s {
            Step::Pair { found, .. } => Some(found),
            _ => None,
        });
        let first = *paired.clone().next()?.first()?;
        let mut last = *paired.next_back()?.last()?;
        // Steps before the first pair or after the last are outside the warning, except missing
        // statutory words.
        let steps: Vec<Step> = steps
            .into_iter()
            .filter(|s| match s {
                Step::Extra(i) => (first..=last).contains(i),
                _ => true,
            })
            .collect();

        let mut trailing_extra = Vec::new();
        let mut trailing_after_end = Vec::new();
        let ended = |t: &Tok| t.trail.contains(['.', '!', '?']);
        let sentence_ended = ended(&found[last]);
        // The rest of the warning's last line.
        let end_line = found[last].line;
        let mut k = last + 1;
        while k < found.len() && found[k].line == end_line {
            let (prev, here) = (words[found[k - 1].word], words[found[k].word]);
            if found[k].word != found[k - 1].word {
                let gap = here.bbox.x.saturating_sub(prev.bbox.right());
                if gap > APART_LINE_HEIGHTS * prev.bbox.h.max(here.bbox.h) {
                    break;
                }
            }
            if sentence_ended {
                trailing_after_end.push(k);
            } else {
                trailing_extra.push(k);
            }
            k += 1;
        }
        // Continuation lines: the warning's last word did not end a sentence and the next line
        // starts in lower case.
        if !sentence_ended {
            while k < found.len()
                && !ended(&found[k - 1])
                && found[k].line != found[k - 1].line
                && found[k].raw.chars().next().is_some_and(char::is_lowercase)
            {
                let line = found[k].line;
                while k < found.len() && found[k].line == line {
                    trailing_extra.push(k);
                    k += 1;
                }
            }
        }
        if let Some(&t) = trailing_extra.last() {
            last = t;
        }
        Some(Self { found, expected, words, steps, trailing_extra, trailing_after_end, first, last, obscured })
    }

    /// For statutory token `j`: the label tokens paired with it and the whole pair's expected
    /// tokens, or `None` when it is missing.
    fn pair_of(&self, j: usize) -> Option<(&[usize], &[usize])> {
        self.steps.iter().find_map(|s| match s {
            Step::Pair { found, expected } if expected.contains(&j) => Some((found.as_slice(), expected.as_slice())),
            _ => None,
        })
    }

    fn header_read(&self) -> bool {
        (0..HEADER_WORDS).all(|j| {
            self.pair_of(j).is_some_and(|(f, e)| {
                text::similarity(&concat_folded(self.found, f), &concat_folded(self.expected, e)) >= HEADER_SIMILARITY
            })
        })
    }

    fn body_words_read(&self) -> usize {
        self.steps
            .iter()
            .filter_map(|s| match s {
                Step::Pair { found, expected } if pair_is_same(self.found, self.expected, found, expected) => {
                    Some(expected.iter().filter(|&&j| j >= HEADER_WORDS).count())
                }
                _ => None,
            })
            .sum()
    }

    fn present(&self) -> bool {
        let body_len = self.expected.len() - HEADER_WORDS;
        self.header_read() || self.body_words_read() * 2 >= body_len
    }

    /// OCR word indices of the warning, in order.
    fn word_indices(&self) -> Vec<usize> {
        let (a, b) = (self.found[self.first].word, self.found[self.last].word);
        (a..=b).collect()
    }

    fn boxes_of_lines(&self) -> Vec<BBox> {
        let mut boxes: Vec<BBox> = Vec::new();
        let mut current: Option<(usize, BBox)> = None;
        for wi in self.word_indices() {
            let line = self.found.iter().find(|t| t.word == wi).map(|t| t.line);
            let b = self.words[wi].bbox;
            current = match (current, line) {
                (Some((l, acc)), Some(line)) if l == line => Some((l, acc.union(&b))),
                (prev, line) => {
                    if let Some((_, acc)) = prev {
                        boxes.push(acc);
                    }
                    Some((line.unwrap_or(usize::MAX), b))
                }
            };
        }
        if let Some((_, acc)) = current {
            boxes.push(acc);
        }
        boxes
    }

    /// Why these label tokens could not be read clearly, when every one's word lies (at least
    /// partly) in an obscured part of the image; `None` for no tokens.
    fn obscured_at(&self, toks: &[usize]) -> Option<&str> {
        let mut cause = None;
        for &t in toks {
            let b = self.words[self.found[t].word].bbox;
            let o = self.obscured.iter().find(|o| o.bbox.overlaps(&b))?;
            cause = cause.or(Some(o.cause.as_str()));
        }
        cause
    }

    fn mean_conf(&self, word_idx: impl IntoIterator<Item = usize>) -> Option<f32> {
        let confs: Vec<f32> = word_idx.into_iter().map(|i| self.words[i].confidence).collect();
        (!confs.is_empty()).then(|| confs.iter().sum::<f32>() / confs.len() as f32)
    }

    fn words_of(&self, toks: &[usize]) -> Vec<usize> {
        let mut w: Vec<usize> = toks.iter().map(|&t| self.found[t].word).collect();
        w.dedup();
        w
    }

    fn as_read(&self) -> String {
        self.word_indices().iter().map(|&i| self.words[i].text.as_str()).collect::<Vec<_>>().join(" ")
    }

    fn presence_check(&self) -> Check {
        let message = if self.header_read() {
            "Government warning found".to_string()
        } else {
            "Government warning found (its body was read; its header was not)".to_string()
        };
        Check {
            field: FIELD_PRESENT.into(),
            outcome: Outcome::Pass,
            rule: RULE_PRESENT.into(),
            expected: Some(statutory_text()),
            found: Some(self.as_read()),
            message,
            confidence: self.mean_conf(self.word_indices()),
            boxes: self.boxes_of_lines(),
        }
    }

    // --- header -------------------------------------------------------------------------------

    fn header_tokens(&self) -> Vec<usize> {
        let mut toks: Vec<usize> =
            (0..HEADER_WORDS).filter_map(|j| self.pair_of(j)).flat_map(|(f, _)| f.to_vec()).collect();
        toks.dedup();
        toks
    }

    fn header_check(&self) -> Check {
        let toks = self.header_tokens();
        let found_text = (!toks.is_empty()).then(|| join_display(self.found, &toks));
        let mut severity = Severity::Ok;
        let mut notes: Vec<String> = Vec::new();

        // Wording of the two words.
        let mut wording_ok = true;
        for j in 0..HEADER_WORDS {
            let word = &self.expected[j].raw;
            match self.pair_of(j) {
                None => {
                    wording_ok = false;
                    severity = severity.max(Severity::Fail);
                    notes.push(format!("\"{word}\" is missing"));
                }
                Some((f, e)) if !pair_is_same(self.found, self.expected, f, e) => {
                    wording_ok = false;
                    let conf = f.iter().map(|&t| self.found[t].conf).fold(1.0, f32::min);
                    let s = classify_change(&concat_folded(self.found, f), &concat_folded(self.expected, e), conf);
                    severity = severity.max(s);
                    let read = join_display(self.found, f);
                    notes.push(if s == Severity::Review {
                        format!("\"{word}\" was read as \"{read}\", perhaps an OCR misreading")
                    } else {
                        format!("\"{read}\" stands where \"{word}\" should")
                    });
                }
                Some(_) => {}
            }
        }
        if toks.is_empty() {
            // Nothing of the header read; a low-confidence smudge just before the body may be it.
            let before = self.first.checked_sub(1).map(|t| &self.found[t]);
            let smudge = before.is_some_and(|t| t.conf < SPECK_CONFIDENCE && t.line + 1 >= self.found[self.first].line);
            severity = if smudge { Severity::Review } else { Severity::Fail };
        }

        // Capitals, on the letters as printed.
        let mut case_bad = Vec::new();
        let mut case_unsure = Vec::new();
        for &t in &toks {
            let tok = &self.found[t];
            match letter_case(&tok.raw) {
                Case::Upper => {}
                Case::Lower if tok.conf >= SPECK_CONFIDENCE => case_bad.push(tok.raw.clone()),
                Case::Lower | Case::Mixed => case_unsure.push(tok.raw.clone()),
            }
        }
        if !case_bad.is_empty() {
            severity = severity.max(Severity::Fail);
            notes.push(format!("not in capital letters (\"{}\")", case_bad.join(" ")));
        } else if !case_unsure.is_empty() {
            severity = severity.max(Severity::Review);
            notes.push(format!("capitals unclear (read \"{}\")", case_unsure.join(" ")));
        }

        // The colon after WARNING.
        let colon =
            self.pair_of(HEADER_WORDS - 1).is_some_and(|(f, _)| f.iter().any(|&t| self.found[t].trail.contains(':')));
        if self.pair_of(HEADER_WORDS - 1).is_some() && !colon {
            severity = severity.max(Severity::Review);
            notes.push("no colon after \"WARNING\" was read".to_string());
        }

        // Where the image is unclear (glare, blur), what looks wrong may only be misread.
        let place = if toks.is_empty() { vec![self.first] } else { toks.clone() };
        let unclear = if severity == Severity::Fail { self.obscured_at(&place) } else { None };
        if unclear.is_some() {
            severity = Severity::Review;
        }
        let message = match (severity, toks.is_empty()) {
            (Severity::Review, _) if unclear.is_some() => format!(
                "The header is {} and could not be read clearly (read: \"{}\"); check it by eye",
                unclear.unwrap_or_default(),
                found_text.clone().unwrap_or_default()
            ),
            (Severity::Ok, _) => "\"GOVERNMENT WARNING:\" is in capital letters".to_string(),
            (Severity::Review, true) => {
                "The header \"GOVERNMENT WARNING:\" could not be read before the warning; check it by eye".to_string()
            }
            (_, true) => "The warning does not begin with \"GOVERNMENT WARNING:\"".to_string(),
            (Severity::Fail, false) if !wording_ok => {
                format!("The header must read \"GOVERNMENT WARNING:\" in capital letters: {}", notes.join("; "))
            }
            (Severity::Fail, false) => format!(
                "The header must be in capital letters, \"GOVERNMENT WARNING:\", not \"{}\"",
                found_text.clone().unwrap_or_default()
            ),
            (Severity::Review, false) => format!("Check the header by eye: {}", notes.join("; ")),
        };
        let word_idx = self.words_of(&toks);
        Check {
            field: FIELD_HEADER.into(),
            outcome: severity.outcome(),
            rule: RULE_FORMAT.into(),
            expected: Some(format!("{WARNING_HEADER} (in capital letters)")),
            found: found_text,
            message,
            confidence: self.mean_conf(word_idx.iter().copied()),
            boxes: word_idx.iter().map(|&i| self.words[i].bbox).collect(),
        }
    }

    /// See [`WarningResult::doubtful`].
    fn doubtful(&self, header: &Check, text: &Check, bold: &Check) -> bool {
        if [header, text, bold].iter().any(|c| c.outcome == Outcome::Review) {
            return true;
        }
        let unsure = |toks: &[usize]| toks.iter().any(|&t| self.found[t].conf < CONFIDENT);
        if header.outcome == Outcome::Fail
            && ((0..HEADER_WORDS).any(|j| self.pair_of(j).is_none()) || unsure(&self.header_tokens()))
        {
            return true;
        }
        if text.outcome == Outcome::Fail {
            let items = self.body_items();
            let failing = items.iter().filter(|i| i.severity == Severity::Fail);
            let missing: usize = failing.clone().filter(|i| i.found.is_empty()).map(|i| i.expected.len()).sum();
            if failing.clone().any(|i| unsure(&i.found)) || (1..=MISSING_WORDS_OCR_MAY_DROP).contains(&missing) {
                return true;
            }
        }
        false
    }

    // --- body wording -------------------------------------------------------------------------

    /// The body's stretches: every step touching a body word, plus added words inside the warning
    /// and the trailing added words.
    fn body_items(&self) -> Vec<Item> {
        let mut items = Vec::new();
        for step in &self.steps {
            match step {
                Step::Pair { found, expected } => {
                    if expected.iter().all(|&j| j < HEADER_WORDS) {
                        continue;
                    }
                    let expected: Vec<usize> = expected.iter().copied().filter(|&j| j >= HEADER_WORDS).collect();
                    let severity = if pair_is_same(self.found, self.expected, found, &expected)
                        || pair_is_same(self.found, self.expected, found, &self.pair_expected(found))
                    {
                        Severity::Ok
                    } else {
                        let conf = found.iter().map(|&t| self.found[t].conf).fold(1.0, f32::min);
                        classify_change(
                            &concat_folded(self.found, found),
                            &concat_folded(self.expected, &expected),
                            conf,
                        )
                    };
                    items.push(Item { expected, found: found.clone(), severity });
                }
                Step::Missing(j) if *j >= HEADER_WORDS => {
                    items.push(Item { expected: vec![*j], found: vec![], severity: Severity::Fail });
                }
                Step::Missing(_) => {}
                Step::Extra(i) => {
                    items.push(Item { expected: vec![], found: vec![*i], severity: self.extra_severity(*i) })
                }
            }
        }
        for &i in &self.trailing_extra {
            items.push(Item { expected: vec![], found: vec![i], severity: self.extra_severity(i) });
        }
        items
    }

    /// The full expected side of the pair holding these label tokens.
    fn pair_expected(&self, found_toks: &[usize]) -> Vec<usize> {
        self.steps
            .iter()
            .find_map(|s| match s {
                Step::Pair { found, expected } if found.as_slice() == found_toks => Some(expected.clone()),
                _ => None,
            })
            .unwrap_or_default()
    }

    fn extra_severity(&self, i: usize) -> Severity {
        let t = &self.found[i];
        if t.conf < SPECK_CONFIDENCE && t.norm.chars().count() <= 2 { Severity::Review } else { Severity::Fail }
    }

    /// Punctuation that differs on words that are the same, as notes. The final period may be
    /// dropped.
    fn punctuation_notes(&self, items: &[Item]) -> Vec<(String, usize)> {
        let last_j = self.expected.len() - 1;
        let mut notes = Vec::new();
        for item in items {
            if item.severity != Severity::Ok || item.found.is_empty() || item.expected.len() != 1 {
                continue;
            }
            let j = item.expected[0];
            let exp = &self.expected[j];
            let (Some(&f0), Some(&f1)) = (item.found.first(), item.found.last()) else { continue };
            let (lead, trail) = (&self.found[f0].lead, &self.found[f1].trail);
            let trail_ok = trail == &exp.trail || (j == last_j && trail.is_empty());
            if lead != &exp.lead || !trail_ok {
                let read = format!(
                    "{}{}{}",
                    lead,
                    self.found[f0..=f1].iter().map(|t| t.raw.as_str()).collect::<String>(),
                    trail
                );
                notes.push((format!("\"{}\" reads \"{read}\" (punctuation)", exp.display()), f0));
            }
        }
        notes
    }

    fn text_check(&self) -> Check {
        let items = self.body_items();
        let punct = self.punctuation_notes(&items);
        let mut fails = Vec::new();
        let mut reviews = Vec::new();
        let mut flagged: Vec<usize> = Vec::new();
        let mut run: Vec<&Item> = Vec::new();
        // A run's place on the label: its own words, or for words missing from it, the words
        // either side.
        let flush = |run: &mut Vec<&Item>,
                     around: [Option<usize>; 2],
                     fails: &mut Vec<String>,
                     reviews: &mut Vec<String>,
                     flagged: &mut Vec<usize>| {
            if run.is_empty() {
                return;
            }
            let severity = run.iter().map(|i| i.severity).max().unwrap_or(Severity::Fail);
            let exp: Vec<usize> = run.iter().flat_map(|i| i.expected.iter().copied()).collect();
            let fnd: Vec<usize> = run.iter().flat_map(|i| i.found.iter().copied()).collect();
            flagged.extend(fnd.iter().copied());
            let e = abbreviate(&join_display(self.expected, &exp));
            let f = abbreviate(&join_display(self.found, &fnd));
            let phrase = match (exp.is_empty(), fnd.is_empty()) {
                (false, false) => format!("\"{e}\" was replaced by \"{f}\""),
                (false, true) => format!("missing: \"{e}\""),
                _ => format!("added: \"{f}\""),
            };
            let place: Vec<usize> = if fnd.is_empty() { around.iter().flatten().copied().collect() } else { fnd };
            if severity == Severity::Review {
                reviews.push(format!("{phrase} (perhaps an OCR misreading)"));
            } else if let Some(cause) = self.obscured_at(&place) {
                reviews.push(format!("{phrase} ({cause}: the print there could not be read clearly)"));
            } else {
                fails.push(phrase);
            }
            run.clear();
        };
        let mut before: Option<usize> = None;
        for item in &items {
            if item.severity == Severity::Ok {
                flush(&mut run, [before, item.found.first().copied()], &mut fails, &mut reviews, &mut flagged);
                before = item.found.last().copied().or(before);
            } else {
                run.push(item);
            }
        }
        flush(&mut run, [before, None], &mut fails, &mut reviews, &mut flagged);
        for (note, tok) in &punct {
            reviews.push(note.clone());
            flagged.push(*tok);
        }
        if !self.trailing_after_end.is_empty() {
            reviews.push(format!(
                "text follows the warning on its last line: \"{}\"",
                abbreviate(&join_display(self.found, &self.trailing_after_end))
            ));
            flagged.extend(self.trailing_after_end.iter().copied());
        }

        let outcome = if !fails.is_empty() {
            Outcome::Fail
        } else if !reviews.is_empty() {
            Outcome::Review
        } else {
            Outcome::Pass
        };
        let message = match outcome {
            Outcome::Pass => {
                let mut notes = Vec::new();
                let body: Vec<&Tok> = items.iter().flat_map(|i| i.found.iter().map(|&t| &self.found[t])).collect();
                let letters = body.iter().flat_map(|t| t.raw.chars()).filter(|c| c.is_alphabetic());
                if letters.clone().count() > 0 && letters.clone().all(char::is_uppercase) {
                    notes.push("printed in capitals");
                }
                if items.iter().any(|i| i.found.len() > 1) {
                    notes.push("a word hyphenated or split across lines");
                }
                let last_j = self.expected.len() - 1;
                if items.iter().any(|i| {
                    i.expected.contains(&last_j) && i.found.last().is_some_and(|&t| !self.found[t].trail.contains('.'))
                }) {
                    notes.push("final period dropped");
                }
                if notes.is_empty() {
                    "The warning's wording matches 27 CFR 16.21 word for word".to_string()
                } else {
                    format!(
                        "The warning's wording matches 27 CFR 16.21 word for word ({}: not a wording change)",
                        notes.join(", ")
                    )
                }
            }
            Outcome::Fail => {
                let mut m = format!("The warning's wording differs from 27 CFR 16.21: {}", fails.join("; "));
                if !reviews.is_empty() {
                    m.push_str(&format!(". Also check: {}", reviews.join("; ")));
                }
                m
            }
            Outcome::Review => format!(
                "The warning's wording may differ from 27 CFR 16.21, most likely OCR noise; compare by eye: {}",
                reviews.join("; ")
            ),
        };

        let body_toks: Vec<usize> = items.iter().flat_map(|i| i.found.iter().copied()).collect();
        let body_words = self.words_of(&body_toks);
        let boxes = if outcome == Outcome::Pass || flagged.is_empty() {
            self.boxes_of_lines()
        } else {
            let mut w = self.words_of(&flagged);
            w.sort_unstable();
            w.dedup();
            w.iter().map(|&i| self.words[i].bbox).collect()
        };
        Check {
            field: FIELD_TEXT.into(),
            outcome,
            rule: RULE_TEXT.into(),
            expected: Some(WARNING_BODY.to_string()),
            found: Some(join_display(self.found, &body_toks)),
            message,
            confidence: self.mean_conf(body_words),
            boxes,
        }
    }

    // --- bold ---------------------------------------------------------------------------------

    fn bold_check(&self, image: Option<&GrayImage>) -> Check {
        let header_words = self.words_of(&self.header_tokens());
        let header: Vec<bold::WeightSample> = header_words
            .iter()
            .map(|&i| bold::WeightSample { bbox: self.words[i].bbox, text: self.words[i].text.as_str() })
            .collect();
        // Body words read exactly, one token per OCR word, three letters or more, nearest the
        // header first.
        let mut body_words: Vec<usize> = Vec::new();
        for step in &self.steps {
            let Step::Pair { found, expected } = step else { continue };
            if found.len() != 1 || expected.iter().any(|&j| j < HEADER_WORDS) {
                continue;
            }
            let tok = &self.found[found[0]];
            let alone = self.found.iter().filter(|t| t.word == tok.word).count() == 1;
            if alone
                && tok.conf >= LOW_CONFIDENCE
                && tok.norm.chars().filter(|c| c.is_alphabetic()).count() >= 3
                && pair_is_same(self.found, self.expected, found, expected)
                && !body_words.contains(&tok.word)
            {
                body_words.push(tok.word);
            }
            if body_words.len() >= BOLD_BODY_SAMPLES {
                break;
            }
        }
        let body: Vec<bold::WeightSample> = body_words
            .iter()
            .map(|&i| bold::WeightSample { bbox: self.words[i].bbox, text: self.words[i].text.as_str() })
            .collect();
        let mut verdict = bold::judge_weight(image, &header, &body);
        if verdict.outcome == Outcome::Fail
            && let Some(cause) = self.obscured_at(&self.header_tokens())
        {
            verdict.outcome = Outcome::Review;
            verdict.message = format!(
                "The header is {cause}, so its type weight cannot be judged ({}). Check by eye that \"GOVERNMENT \
                 WARNING\" is bold.",
                verdict.message.trim_end_matches('.')
            );
        }
        let all: Vec<usize> = header_words.iter().chain(body_words.iter()).copied().collect();
        Check {
            field: FIELD_BOLD.into(),
            outcome: verdict.outcome,
            rule: RULE_FORMAT.into(),
            expected: Some("\"GOVERNMENT WARNING\" in bold type; the rest of the warning not bold".into()),
            found: verdict.found,
            message: verdict.message,
            confidence: self.mean_conf(all.iter().copied()),
            boxes: all.iter().map(|&i| self.words[i].bbox).collect(),
        }
    }
}

/// Case of a word's letters. Lower-case letters shaped like their capitals (c o s v w x z) and
/// "l" (OCR's usual reading of a capital I) count for neither side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    Upper,
    Lower,
    Mixed,
}

fn letter_case(raw: &str) -> Case {
    let (mut upper, mut lower, mut alike) = (0, 0, 0);
    for c in raw.chars().filter(|c| c.is_alphabetic()) {
        if c.is_uppercase() {
            upper += 1;
        } else if "coswvxzl".contains(c) {
            alike += 1;
        } else {
            lower += 1;
        }
    }
    if lower == 0 && upper > 0 {
        Case::Upper
    } else if lower + alike >= upper {
        Case::Lower
    } else {
        Case::Mixed
    }
}

/// Long runs of words shortened for a message: the first three and the last.
fn abbreviate(words: &str) -> String {
    let w: Vec<&str> = words.split_whitespace().collect();
    if w.len() <= 8 {
        return words.to_string();
    }
    format!("{} ... {}", w[..3].join(" "), w[w.len() - 1])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ocr::OcrPage;

    const BODY_1: &str = "(1) According to the Surgeon General, women should not drink alcoholic beverages during \
                          pregnancy because of the risk of birth defects.";
    const BODY_2: &str = "(2) Consumption of alcoholic beverages impairs your ability to drive a car or operate machinery, and may \
         cause health problems.";

    /// Wraps the statement at `width` characters, as a label would.
    fn wrapped(text: &str, width: usize) -> String {
        let mut out = String::new();
        let mut line = String::new();
        for w in text.split_whitespace() {
            if !line.is_empty() && line.len() + 1 + w.len() > width {
                out.push_str(&line);
                out.push('\n');
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(w);
        }
        out.push_str(&line);
        out
    }

    fn lines_of(text: &str) -> Vec<OcrLine> {
        OcrPage::from_text(text).lines()
    }

    /// Lines with the confidence of the words equal to `word` set to `conf`.
    fn with_conf(text: &str, word: &str, conf: f32) -> Vec<OcrLine> {
        let mut page = OcrPage::from_text(text);
        for w in &mut page.words {
            if w.text.trim_matches(|c: char| !c.is_alphanumeric()) == word {
                w.confidence = conf;
            }
        }
        page.lines()
    }

    fn outcome_of(result: &WarningResult, field: &str) -> Option<Outcome> {
        result.checks.iter().find(|c| c.field == field).map(|c| c.outcome)
    }

    fn check_of<'a>(result: &'a WarningResult, field: &str) -> &'a Check {
        result.checks.iter().find(|c| c.field == field).unwrap_or_else(|| panic!("no {field} check in {result:#?}"))
    }

    fn full() -> String {
        statutory_text()
    }

    #[test]
    fn warning_cases() {
        use Outcome::{Fail, Pass, Review};
        let exact = full();
        let hyphen = format!(
            "BRAND\nGOVERNMENT WARNING: {}",
            BODY_1.replace("pregnancy because", "preg-\nnancy because") + " " + BODY_2
        );
        type Case<'a> = (&'a str, String, Vec<(&'a str, Outcome)>);
        let cases: Vec<Case> = vec![
            ("exact on one line", exact.clone(), vec![(FIELD_PRESENT, Pass), (FIELD_HEADER, Pass), (FIELD_TEXT, Pass)]),
            (
                "exact across line breaks, among other text",
                format!("STONE'S THROW\nCabernet Sauvignon\n{}\n750 mL", wrapped(&exact, 38)),
                vec![(FIELD_PRESENT, Pass), (FIELD_HEADER, Pass), (FIELD_TEXT, Pass)],
            ),
            ("very narrow column", wrapped(&exact, 12), vec![(FIELD_HEADER, Pass), (FIELD_TEXT, Pass)]),
            (
                "title-case header",
                wrapped(&exact.replace("GOVERNMENT WARNING", "Government Warning"), 40),
                vec![(FIELD_PRESENT, Pass), (FIELD_HEADER, Fail), (FIELD_TEXT, Pass)],
            ),
            (
                "may impair",
                wrapped(&exact.replace("impairs your", "may impair your"), 40),
                vec![(FIELD_HEADER, Pass), (FIELD_TEXT, Fail)],
            ),
            (
                "serious health problems",
                wrapped(&exact.replace("cause health", "cause serious health"), 40),
                vec![(FIELD_TEXT, Fail)],
            ),
            (
                "missing sentence (2)",
                format!(
                    "{}\n750 mL\nBottled by Stone's Throw Cellars, Paso Robles, CA",
                    wrapped(&format!("{WARNING_HEADER} {BODY_1}"), 40)
                ),
                vec![(FIELD_PRESENT, Pass), (FIELD_HEADER, Pass), (FIELD_TEXT, Fail)],
            ),
            ("end-of-line hyphen", hyphen, vec![(FIELD_TEXT, Pass)]),
            ("hyphen inside one OCR word", exact.replace("pregnancy", "preg-nancy"), vec![(FIELD_TEXT, Pass)]),
            ("hyphen then space", exact.replace("pregnancy", "preg- nancy"), vec![(FIELD_TEXT, Pass)]),
            ("lone hyphen", exact.replace("pregnancy", "preg - nancy"), vec![(FIELD_TEXT, Pass)]),
            ("body in capitals", wrapped(&exact.to_uppercase(), 44), vec![(FIELD_HEADER, Pass), (FIELD_TEXT, Pass)]),
            ("dropped final period", exact.trim_end_matches('.').to_string(), vec![(FIELD_TEXT, Pass)]),
            (
                "dropped final period, then other lines",
                format!("{}\n750 mL\nContains Sulfites", wrapped(exact.trim_end_matches('.'), 40)),
                vec![(FIELD_TEXT, Pass)],
            ),
            (
                "lines after the warning are not extra words",
                format!("{}\n750 mL\n13.5% ALC./VOL.\nproduct of France", wrapped(&exact, 50)),
                vec![(FIELD_PRESENT, Pass), (FIELD_HEADER, Pass), (FIELD_TEXT, Pass)],
            ),
            (
                "warning starts mid-line after other text",
                format!("Contains sulfites. {}", exact),
                vec![(FIELD_HEADER, Pass), (FIELD_TEXT, Pass)],
            ),
            (
                "OCR-noisy header still found",
                wrapped(&exact.replace("GOVERNMENT WARNING", "G0VERNMENT WARNlNG"), 40),
                vec![(FIELD_PRESENT, Pass), (FIELD_HEADER, Pass), (FIELD_TEXT, Pass)],
            ),
            (
                "header missing, body present",
                wrapped(&format!("{BODY_1} {BODY_2}"), 40),
                vec![(FIELD_PRESENT, Pass), (FIELD_HEADER, Fail), (FIELD_TEXT, Pass)],
            ),
            (
                "other header words",
                wrapped(&exact.replace("GOVERNMENT WARNING", "HEALTH WARNING"), 40),
                vec![(FIELD_PRESENT, Pass), (FIELD_HEADER, Fail), (FIELD_TEXT, Pass)],
            ),
            ("missing colon", exact.replace("WARNING:", "WARNING"), vec![(FIELD_HEADER, Review), (FIELD_TEXT, Pass)]),
            (
                "header split over two lines",
                exact.replace("GOVERNMENT WARNING:", "GOVERNMENT\nWARNING:"),
                vec![(FIELD_HEADER, Pass), (FIELD_TEXT, Pass)],
            ),
            (
                "header run together",
                exact.replace("GOVERNMENT WARNING:", "GOVERNMENTWARNING:"),
                vec![(FIELD_HEADER, Pass), (FIELD_TEXT, Pass)],
            ),
            ("missing word", exact.replace("drive a car", "drive car"), vec![(FIELD_TEXT, Fail)]),
            ("changed word", exact.replace("women", "persons"), vec![(FIELD_TEXT, Fail)]),
            ("plural dropped", exact.replace("birth defects", "birth defect"), vec![(FIELD_TEXT, Fail)]),
            (
                "words swapped",
                exact.replace("drive a car or operate machinery", "operate machinery or drive a car"),
                vec![(FIELD_TEXT, Fail)],
            ),
            ("added sentence at the end", exact.clone() + " Drink responsibly.", vec![(FIELD_TEXT, Review)]),
            (
                "added words continuing the last line",
                exact.replace("problems.", "problems and cancer."),
                vec![(FIELD_TEXT, Fail)],
            ),
            (
                "added words continuing on the next line",
                exact.replace("problems.", "problems\nand cancer."),
                vec![(FIELD_TEXT, Fail)],
            ),
            ("comma dropped", exact.replace("General,", "General"), vec![(FIELD_TEXT, Review)]),
            ("space lost between words", exact.replace("a car", "acar"), vec![(FIELD_TEXT, Pass)]),
            (
                "no warning at all",
                "STONE'S THROW\nCabernet Sauvignon\n750 mL\n13.5% ALC./VOL.".into(),
                vec![(FIELD_PRESENT, Fail)],
            ),
            ("empty label", String::new(), vec![(FIELD_PRESENT, Fail)]),
        ];
        for (name, text, wants) in cases {
            let result = check_warning(&lines_of(&text), None);
            for (field, want) in wants {
                assert_eq!(outcome_of(&result, field), Some(want), "{name}: {field}\n{result:#?}");
            }
            let s = &result.summary;
            assert_eq!(s.present, outcome_of(&result, FIELD_PRESENT) == Some(Pass), "{name}");
            assert_eq!(s.header_correct, outcome_of(&result, FIELD_HEADER) == Some(Pass), "{name}");
            assert_eq!(s.text_correct, outcome_of(&result, FIELD_TEXT) == Some(Pass), "{name}");
        }
    }

    /// The aligner against what OCR and label layout do to a correct warning: every case must
    /// pass word for word (all words read at confidence 0.95, so nothing is excused as noise).
    #[test]
    fn aligner_tolerates_ocr_confusions_and_layout() {
        let exact = full();
        let cases: Vec<(&str, String)> = vec![
            ("0 for O", exact.replace("alcoholic beverages during", "alc0h0lic beverages during")),
            ("l for 1 in the numbering", exact.replace("(1)", "(l)")),
            ("1 for l", exact.replace("ability", "abi1ity")),
            ("1 for i", exact.replace("drink", "dr1nk")),
            ("l for I", exact.replace("impairs", "lmpairs")),
            ("I for l", exact.replace("health", "heaIth")),
            ("5 for S", exact.replace("Surgeon", "5urgeon")),
            ("rn for m", exact.replace("machinery", "rnachinery").replace("women", "wornen")),
            ("word split by a space", exact.replace("pregnancy", "preg nancy")),
            ("another word split", exact.replace("machinery", "machi nery")),
            ("words merged", exact.replace("drive a car", "drivea car")),
            ("more words merged", exact.replace("risk of birth", "riskof birth")),
            ("line breaks every 20 characters", wrapped(&exact, 20)),
            ("line breaks every 35 characters", wrapped(&exact, 35)),
            ("line breaks every 60 characters", wrapped(&exact, 60)),
            ("hyphenated across a line break", exact.replace("pregnancy", "preg-\nnancy")),
            ("another hyphenation", exact.replace("alcoholic beverages impairs", "alcoholic bev-\nerages impairs")),
            ("hyphen kept inside the word", exact.replace("machinery", "machin-ery")),
            ("final period dropped", exact.trim_end_matches('.').to_string()),
            ("body in capitals", exact.to_uppercase()),
            (
                "capitals, confusions, breaks and hyphens at once",
                wrapped(&exact.to_uppercase().replace("SURGEON", "5URGEON").replace("PREGNANCY", "PREG- NANCY"), 32)
                    .trim_end_matches('.')
                    .to_string(),
            ),
        ];
        for (name, text) in cases {
            let result = check_warning(&lines_of(&text), None);
            assert_eq!(outcome_of(&result, FIELD_TEXT), Some(Outcome::Pass), "{name}:\n{text}\n{result:#?}");
            assert_eq!(result.differences, 0, "{name}");
            let words: Vec<&str> = text.split_whitespace().collect();
            let odd: Vec<WordDiff> =
                align_warning(&words).into_iter().filter(|d| !matches!(d, WordDiff::Same(_))).collect();
            assert!(odd.is_empty(), "{name}: {odd:?}");
        }
        // The same layouts around a real change still fail.
        let changed = exact.replace("impairs your", "may impair your");
        for text in [wrapped(&changed.to_uppercase(), 30), changed.replace("machinery", "rnachinery")] {
            let result = check_warning(&lines_of(&text), None);
            assert_eq!(outcome_of(&result, FIELD_TEXT), Some(Outcome::Fail), "{text}");
            assert!(result.differences >= 2, "{}", result.differences);
        }
    }

    /// Glare: a difference inside an obscured region is review, the same outside it fails.
    #[test]
    fn differences_under_glare_are_review() {
        let text = wrapped(&full().replace("operate machinery", "operate xqzt"), 40);
        let page = OcrPage::from_text(&text);
        let lines = page.lines();
        assert_eq!(outcome_of(&check_warning(&lines, None), FIELD_TEXT), Some(Outcome::Fail));
        let at = page.words.iter().find(|w| w.text.starts_with("xqzt")).map(|w| w.bbox).unwrap_or_default();
        let glare = |bbox| [Obscured { bbox, cause: "under glare".into() }];
        let result = check_warning_with(&lines, None, &glare(BBox::new(at.x.saturating_sub(20), at.y, 200, at.h)));
        let check = check_of(&result, FIELD_TEXT);
        assert_eq!(check.outcome, Outcome::Review, "{check:?}");
        assert!(check.message.contains("under glare"), "{}", check.message);
        // Glare elsewhere excuses nothing.
        let elsewhere = check_warning_with(&lines, None, &glare(BBox::new(0, 0, 50, 20)));
        assert_eq!(outcome_of(&elsewhere, FIELD_TEXT), Some(Outcome::Fail));
        // A missing word is placed by its neighbours.
        let text = wrapped(&full().replace("drive a car", "drive car"), 40);
        let page = OcrPage::from_text(&text);
        let drive = page.words.iter().find(|w| w.text == "drive").map(|w| w.bbox).unwrap_or_default();
        let result = check_warning_with(&page.lines(), None, &glare(BBox::new(drive.x, drive.y, 400, drive.h)));
        assert_eq!(outcome_of(&result, FIELD_TEXT), Some(Outcome::Review));
        // A title-case header under glare is review, not fail; elsewhere it fails.
        let text = wrapped(&full().replace("GOVERNMENT WARNING", "Government Warning"), 40);
        let page = OcrPage::from_text(&text);
        let header = page.words[0].bbox.union(&page.words[1].bbox);
        let result = check_warning_with(&page.lines(), None, &glare(header));
        assert_eq!(outcome_of(&result, FIELD_HEADER), Some(Outcome::Review));
        assert!(check_of(&result, FIELD_HEADER).message.contains("under glare"));
        assert_eq!(outcome_of(&check_warning(&page.lines(), None), FIELD_HEADER), Some(Outcome::Fail));
    }

    #[test]
    fn absent_warning_emits_only_the_presence_check() {
        let result = check_warning(&lines_of("STONE'S THROW\nProduct of France\nthe risk of"), None);
        assert_eq!(result.checks.len(), 1);
        let c = &result.checks[0];
        assert_eq!((c.field.as_str(), c.outcome), (FIELD_PRESENT, Outcome::Fail));
        assert_eq!(c.message, "No government warning found on the label");
        assert_eq!(result.summary, WarningSummary::default());
    }

    #[test]
    fn ocr_slips_by_confidence() {
        use Outcome::{Fail, Review};
        let slip = full().replace("alcoholic beverages during", "alcoholic bevera9es during");
        // (name, lines, text outcome)
        let cases = vec![
            ("low-confidence one-character slip", with_conf(&slip, "bevera9es", 0.4), Review),
            ("confident one-character slip in a long word", with_conf(&slip, "bevera9es", 0.9), Review),
            (
                "low-confidence two-character slip",
                with_conf(&full().replace("machinery", "rnachinexy"), "rnachinexy", 0.3),
                Review,
            ),
            (
                "confident two-character change",
                with_conf(&full().replace("machinery", "maschinary"), "maschinary", 0.95),
                Fail,
            ),
            ("low-confidence but a different word", with_conf(&full().replace("women", "people"), "people", 0.3), Fail),
            (
                "low-confidence speck",
                with_conf(&full().replace("drive a car", "drive a . car").replace(" . ", " e "), "e", 0.2),
                Review,
            ),
            (
                "confident short extra word",
                with_conf(&full().replace("drive a car", "drive a big car"), "big", 0.9),
                Fail,
            ),
        ];
        for (name, lines, want) in cases {
            let result = check_warning(&lines, None);
            assert_eq!(outcome_of(&result, FIELD_TEXT), Some(want), "{name}\n{result:#?}");
        }
    }

    #[test]
    fn header_case_and_confidence() {
        use Outcome::{Fail, Pass, Review};
        let cases = [
            ("GOVERNMENT WARNING:", 0.95, Pass),
            ("Government Warning:", 0.95, Fail),
            ("government warning:", 0.95, Fail),
            ("GOVERNMENT Warning:", 0.95, Fail),
            ("Government Warning:", 0.3, Review),
            ("GOVERNMENt WARNING:", 0.95, Review),
            ("GOVERNMENT WARNlNG:", 0.95, Pass),
        ];
        for (header, conf, want) in cases {
            let text = full().replace(WARNING_HEADER, header);
            let mut page = OcrPage::from_text(&text);
            for w in page.words.iter_mut().take(2) {
                w.confidence = conf;
            }
            let result = check_warning(&page.lines(), None);
            assert_eq!(outcome_of(&result, FIELD_HEADER), Some(want), "{header} at {conf}\n{result:#?}");
        }
    }

    #[test]
    fn messages_name_the_differences() {
        let msg = |text: String| check_of(&check_warning(&lines_of(&text), None), FIELD_TEXT).message.clone();
        let m = msg(wrapped(&full().replace("impairs your", "may impair your"), 40));
        assert!(m.contains("\"impairs\" was replaced by \"may impair\""), "{m}");
        let m = msg(wrapped(&full().replace("cause health", "cause serious health"), 40));
        assert!(m.contains("added: \"serious\""), "{m}");
        let m = msg(format!("{}\n750 mL", wrapped(&format!("{WARNING_HEADER} {BODY_1}"), 40)));
        assert!(m.contains("missing: \"(2) Consumption of ... problems.\""), "{m}");
        assert!(!m.contains("750"), "{m}");
        let result =
            check_warning(&lines_of(&wrapped(&full().replace("GOVERNMENT WARNING", "Government Warning"), 40)), None);
        let header = check_of(&result, FIELD_HEADER);
        assert!(header.message.contains("capital letters"), "{}", header.message);
        assert_eq!(header.found.as_deref(), Some("Government Warning:"));
        assert_eq!(header.boxes.len(), 2);
    }

    #[test]
    fn checks_carry_boxes_and_confidence() {
        let text = format!("STONE'S THROW\n{}\n750 mL", wrapped(&full(), 40));
        let page = OcrPage::from_text(&text);
        let result = check_warning(&page.lines(), None);
        let names: Vec<&str> = result.checks.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(names, [FIELD_PRESENT, FIELD_HEADER, FIELD_TEXT, FIELD_BOLD]);
        let present = check_of(&result, FIELD_PRESENT);
        let lines = wrapped(&full(), 40).lines().count();
        assert_eq!(present.boxes.len(), lines);
        assert!(
            present.found.as_deref().is_some_and(|f| f.starts_with("GOVERNMENT WARNING:") && f.ends_with("problems."))
        );
        assert!(present.confidence.is_some_and(|c| (c - 0.95).abs() < 1e-4));
        // The first box is the header line, below the brand line.
        assert_eq!(present.boxes[0].y, 40);
        for c in &result.checks {
            assert!(c.rule.starts_with("27 CFR 16.2"), "{c:?}");
        }
        // No image: type weight is review, never a silent pass.
        let bold = check_of(&result, FIELD_BOLD);
        assert_eq!(bold.outcome, Outcome::Review);
        assert!(bold.message.contains("Could not measure type weight"));
    }

    #[test]
    fn align_warning_word_diff() {
        use WordDiff::*;
        let same = |w: &str| Same(w.to_string());
        let exact: Vec<&str> = WARNING_HEADER.split_whitespace().chain(WARNING_BODY.split_whitespace()).collect();
        let diff = align_warning(&exact);
        assert_eq!(diff.len(), exact.len());
        assert!(diff.iter().zip(&exact).all(|(d, w)| *d == same(w)));

        let text = full()
            .replace("impairs", "may impair")
            .replace("pregnancy", "preg- nancy")
            .replace("health", "serious health");
        let text = text.replace("women should", "should").to_uppercase();
        let words: Vec<&str> = text.split_whitespace().collect();
        let diff = align_warning(&words);
        let odd: Vec<&WordDiff> = diff.iter().filter(|d| !matches!(d, Same(_))).collect();
        assert_eq!(
            odd,
            [
                &Missing("women".into()),
                &Extra("MAY".into()),
                &Changed { expected: "impairs".into(), found: "IMPAIR".into() },
                &Extra("SERIOUS".into()),
            ]
        );
        assert!(diff.contains(&same("pregnancy")));
        let json = serde_json::to_value(&diff[..2]).unwrap_or_default();
        assert_eq!(json, serde_json::json!([{"same": "GOVERNMENT"}, {"same": "WARNING:"}]));
        assert_eq!(align_warning(&[]).len(), exact.len());
    }

    #[test]
    fn tokens_keep_punctuation_and_hyphens() {
        let toks = tokenize(
            ["(1)According", "General,", "preg-", "nancy", "STONE'S", ",", "x-"]
                .iter()
                .enumerate()
                .map(|(i, w)| (i, *w, 1.0, 0)),
        );
        let shown: Vec<(String, String, String, bool)> =
            toks.iter().map(|t| (t.lead.clone(), t.norm.clone(), t.trail.clone(), t.hyphen_after)).collect();
        let s = |a: &str, b: &str, c: &str, h: bool| (a.to_string(), b.to_string(), c.to_string(), h);
        assert_eq!(
            shown,
            [
                s("(", "1", ")", false),
                s("", "according", "", false),
                s("", "general", ",", false),
                s("", "preg", "", true),
                s("", "nancy", "", false),
                s("", "stones", ",", false),
                s("", "x", "", true),
            ]
        );
        // The statute tokenises to one token per printed word, as text::words does.
        let statute = statutory_tokens();
        assert_eq!(statute.len(), statutory_text().split_whitespace().count());
        assert_eq!(statute.iter().map(|t| t.norm.clone()).collect::<Vec<_>>(), text::words(&statutory_text()));
    }

    #[test]
    fn change_classification() {
        use Severity::{Fail, Review};
        let cases = [
            ("bevera9es", "beverages", 0.4, Review),
            ("bevera9es", "beverages", 0.9, Review),
            ("beverage", "beverages", 0.9, Fail),
            ("impair", "impairs", 0.95, Fail),
            ("impair", "impairs", 0.4, Review),
            ("machinary", "machinery", 0.95, Review),
            ("maxhinary", "machinery", 0.95, Fail),
            ("maxhinary", "machinery", 0.5, Review),
            ("cat", "car", 0.95, Fail),
            ("cat", "car", 0.4, Review),
            ("man", "car", 0.4, Fail),
            ("people", "women", 0.2, Fail),
        ];
        for (found, expected, conf, want) in cases {
            assert_eq!(classify_change(found, expected, conf), want, "{found} for {expected} at {conf}");
        }
    }

    /// A page whose words are drawn as block letters: header words with strokes `header_t` px
    /// thick, body words `body_t`, all 20 px tall, at the boxes `OcrPage::from_text` gives.
    fn drawn(text: &str, header_t: u32, body_t: u32) -> (Vec<OcrLine>, GrayImage) {
        let page = OcrPage::from_text(text);
        let mut img = bold::tests::canvas(page.width, page.height + 20);
        for (k, w) in page.words.iter().enumerate() {
            let t = if k < 2 { header_t } else { body_t };
            let letters = w.text.chars().count() as u32;
            bold::tests::draw_word(&mut img, w.bbox.x, w.bbox.y + 2, letters, 20, t, 12);
        }
        (page.lines(), bold::tests::blur(&img))
    }

    #[test]
    fn bold_header_measured_on_the_image() {
        use Outcome::{Fail, Pass, Review};
        let text = wrapped(&full(), 60);
        for (header_t, body_t, want) in [(4, 2, Pass), (2, 2, Fail), (3, 3, Fail), (3, 2, Pass)] {
            let (lines, img) = drawn(&text, header_t, body_t);
            let result = check_warning(&lines, Some(&img));
            let bold = check_of(&result, FIELD_BOLD);
            assert_eq!(bold.outcome, want, "header {header_t} px, body {body_t} px: {bold:?}");
            assert!(bold.boxes.len() >= 4, "{bold:?}");
            assert!(bold.found.is_some());
        }
        // Header words shrunk under 8 px tall: review.
        let (mut lines, img) = drawn(&text, 4, 2);
        for w in lines[0].words.iter_mut().take(2) {
            w.bbox.h = 6;
        }
        let result = check_warning(&lines, Some(&img));
        assert_eq!(outcome_of(&result, FIELD_BOLD), Some(Review));
    }
}
