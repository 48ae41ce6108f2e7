//! Drawing one label: layout of the text blocks, the wrapped government warning, and the image
//! transforms applied afterwards.

use ab_glyph::{FontVec, PxScale};
use anyhow::{Result, bail};
use image::{Rgb, RgbImage};
use imageproc::drawing::{draw_filled_rect_mut, draw_hollow_rect_mut, draw_text_mut, text_size};
use imageproc::filter::gaussian_blur_f32;
use imageproc::geometric_transformations::{
    Border, Interpolation, Projection, rotate_about_center, rotate_about_center_no_crop, warp,
};
use imageproc::rect::Rect;

use crate::fonts::{Fonts, ascent};
use crate::specs::{LabelSpec, Transform};

pub const WIDTH: u32 = 1000;
pub const HEIGHT: u32 = 1400;
/// Left and right edge of the text column.
const COL_LEFT: f32 = 80.0;
const COL_RIGHT: f32 = WIDTH as f32 - 80.0;
const WHITE: Rgb<u8> = Rgb([255, 255, 255]);

/// One word of wrapped text.
#[derive(Clone, Debug, PartialEq)]
pub struct Word {
    pub text: String,
    pub bold: bool,
    /// Byte index where the word may be hyphenated at a line end ("preg" | "nancy").
    pub hyphen_at: Option<usize>,
}

impl Word {
    pub fn new(text: &str, bold: bool) -> Word {
        Word { text: text.to_string(), bold, hyphen_at: None }
    }
}

/// Splits `text` at whitespace into words of one weight.
pub fn words(text: &str, bold: bool) -> Vec<Word> {
    text.split_whitespace().map(|w| Word::new(w, bold)).collect()
}

/// Greedy wrap at word boundaries. A word that does not fit on the current line but carries a
/// hyphenation point is split there when its first part plus "-" still fits.
/// `measure(text, bold)` gives the width of a word; `space` is the width of one space.
pub fn wrap(words: &[Word], max_width: f32, space: f32, measure: impl Fn(&str, bool) -> f32) -> Vec<Vec<Word>> {
    let mut lines: Vec<Vec<Word>> = Vec::new();
    let mut line: Vec<Word> = Vec::new();
    let mut width = 0.0;
    for word in words {
        let w = measure(&word.text, word.bold);
        let needed = if line.is_empty() { w } else { width + space + w };
        if needed <= max_width {
            width = needed;
            line.push(word.clone());
            continue;
        }
        if let (Some(at), false) = (word.hyphen_at, line.is_empty()) {
            let head = format!("{}-", &word.text[..at]);
            let tail = &word.text[at..];
            let head_w = measure(&head, word.bold);
            if width + space + head_w <= max_width {
                line.push(Word::new(&head, word.bold));
                lines.push(std::mem::take(&mut line));
                line.push(Word::new(tail, word.bold));
                width = measure(tail, word.bold);
                continue;
            }
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        line.push(word.clone());
        width = w;
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Text colours of a label.
#[derive(Clone, Copy, Debug)]
pub struct Palette {
    pub background: Rgb<u8>,
    pub text: Rgb<u8>,
    pub accent: Rgb<u8>,
}

fn width_of(font: &FontVec, size: f32, text: &str) -> f32 {
    text_size(PxScale::from(size), font, text).0 as f32
}

fn space_of(font: &FontVec, size: f32) -> f32 {
    // text_size of "a a" minus "aa" gives the advance of a space as the drawing code applies it.
    width_of(font, size, "a a") - width_of(font, size, "aa")
}

/// One element of the upper part of a label, laid out top to bottom.
enum Item<'a> {
    /// A line of text centred in the column.
    Line {
        font: &'a FontVec,
        size: f32,
        color: Rgb<u8>,
        text: String,
    },
    /// A short horizontal rule.
    Rule,
    Gap(f32),
    /// Takes a share of the space left between the content and the warning.
    Flex,
}

impl Item<'_> {
    fn height(&self) -> f32 {
        match self {
            Item::Line { size, .. } => size * 1.22,
            Item::Rule => 3.0,
            Item::Gap(h) => *h,
            Item::Flex => 0.0,
        }
    }
}

/// A centred line, shrunk until it fits the column.
fn line<'a>(font: &'a FontVec, size: f32, color: Rgb<u8>, text: &str) -> Item<'a> {
    let max = COL_RIGHT - COL_LEFT;
    let mut size = size;
    while width_of(font, size, text) > max && size > 12.0 {
        size -= 1.0;
    }
    Item::Line { font, size, color, text: text.to_string() }
}

/// Centred lines holding `text` wrapped at word boundaries.
fn paragraph<'a>(font: &'a FontVec, size: f32, color: Rgb<u8>, text: &str) -> Vec<Item<'a>> {
    let ws = words(text, false);
    let space = space_of(font, size);
    let layout = |max: f32| wrap(&ws, max, space, |t, _| width_of(font, size, t));
    let full = COL_RIGHT - COL_LEFT;
    let count = layout(full).len();
    // Balance the lines: the narrowest column that needs no more lines than the full one.
    let narrowest =
        (0..60).map(|step| full - 10.0 * step as f32).take_while(|&w| layout(w).len() <= count).last().unwrap_or(full);
    layout(narrowest)
        .iter()
        .map(|l| {
            let joined: Vec<&str> = l.iter().map(|w| w.text.as_str()).collect();
            line(font, size, color, &joined.join(" "))
        })
        .collect()
}

/// Draws the items from `top`, sharing `free` px among the `Flex` items (at most `max_flex`
/// each). Returns the y below the last item.
fn draw_items(img: &mut RgbImage, items: &[Item], top: f32, free: f32, max_flex: f32, accent: Rgb<u8>) -> f32 {
    let flexes = items.iter().filter(|i| matches!(i, Item::Flex)).count();
    let flex = if flexes == 0 { 0.0 } else { (free / flexes as f32).clamp(0.0, max_flex) };
    let mut y = top;
    for item in items {
        match item {
            Item::Line { font, size, color, text } => {
                let x = (WIDTH as f32 - width_of(font, *size, text)) / 2.0;
                draw_text_mut(img, *color, x.round() as i32, y.round() as i32, PxScale::from(*size), *font, text);
            }
            Item::Rule => {
                let half_width = 110;
                draw_filled_rect_mut(
                    img,
                    Rect::at((WIDTH / 2 - half_width) as i32, y.round() as i32).of_size(half_width * 2, 3),
                    accent,
                );
            }
            Item::Gap(_) => {}
            Item::Flex => y += flex,
        }
        y += item.height();
    }
    y
}

/// Renders the label of `spec` before any transform.
pub fn draw_label(spec: &LabelSpec, fonts: &Fonts) -> Result<RgbImage> {
    let palette = spec.style.scheme.palette();
    let family = spec.style.family;
    let regular = fonts.get(family.regular)?;
    let bold = fonts.get(family.bold)?;
    let text = &spec.label;

    let mut img = RgbImage::from_pixel(WIDTH, HEIGHT, palette.background);
    draw_hollow_rect_mut(&mut img, Rect::at(28, 28).of_size(WIDTH - 56, HEIGHT - 56), palette.accent);
    for inset in [29, 30] {
        draw_hollow_rect_mut(
            &mut img,
            Rect::at(inset, inset).of_size(WIDTH - 2 * inset as u32, HEIGHT - 2 * inset as u32),
            palette.accent,
        );
    }
    draw_hollow_rect_mut(&mut img, Rect::at(42, 42).of_size(WIDTH - 84, HEIGHT - 84), palette.accent);

    let items = upper_items(spec, fonts)?;
    let fixed: f32 = items.iter().map(Item::height).sum();
    let mut warning_top = HEIGHT as f32 - 75.0;
    let warning = &text.warning;
    if warning.present {
        let size = spec.style.warning_size;
        let mut all = words(&warning.header, warning.header_bold);
        let mut body = words(&warning.body, false);
        if let Some((word, at)) = warning.hyphenate {
            for w in body.iter_mut().filter(|w| w.text == word) {
                w.hyphen_at = Some(at);
            }
        }
        all.append(&mut body);
        let space = space_of(regular, size);
        let full_width = COL_RIGHT - COL_LEFT;
        let layout = |inset: f32| {
            wrap(&all, full_width - inset, space, |t, is_bold| width_of(if is_bold { bold } else { regular }, size, t))
        };
        let lines = match warning.hyphenate {
            None => layout(spec.style.warning_inset),
            Some((word, at)) => {
                // Narrow the column step by step until the word breaks at a line end.
                let head = format!("{}-", &word[..at]);
                let hyphenated =
                    |lines: &Vec<Vec<Word>>| lines.iter().any(|l| l.last().is_some_and(|w| w.text == head));
                let found = (0..150).map(|step| layout(spec.style.warning_inset + 2.0 * step as f32)).find(hyphenated);
                match found {
                    Some(lines) => lines,
                    None => bail!("{}: no column width makes the warning hyphenate {word:?} at a line end", spec.stem),
                }
            }
        };
        let line_height = size * 1.3;
        warning_top = HEIGHT as f32 - 75.0 - line_height * lines.len() as f32;
        let top = warning_top;
        let asc = ascent(regular, size);
        for (i, line) in lines.iter().enumerate() {
            let line_top = top + line_height * i as f32;
            let mut x = COL_LEFT;
            for word in line {
                let font = if word.bold { bold } else { regular };
                // Align baselines of the bold and regular faces.
                let dy = asc - ascent(font, size);
                draw_text_mut(
                    &mut img,
                    palette.text,
                    x.round() as i32,
                    (line_top + dy).round() as i32,
                    PxScale::from(size),
                    font,
                    &word.text,
                );
                x += width_of(font, size, &word.text) + space;
            }
        }
    }
    let content_top = 85.0;
    let free = warning_top - 50.0 - content_top - fixed;
    if free < 0.0 {
        bail!("{}: the label content runs {:.0} px into the warning", spec.stem, -free);
    }
    draw_items(&mut img, &items, content_top, free, 150.0, palette.accent);
    Ok(img)
}

/// The upper part of the label: brand to country of origin.
fn upper_items<'a>(spec: &LabelSpec, fonts: &'a Fonts) -> Result<Vec<Item<'a>>> {
    let palette = spec.style.scheme.palette();
    let family = spec.style.family;
    let regular = fonts.get(family.regular)?;
    let bold = fonts.get(family.bold)?;
    let brand_font = fonts.get(spec.style.brand_face.unwrap_or(family.bold))?;
    let text = &spec.label;
    let ink = palette.text;

    let mut items = Vec::new();
    match text.top_line {
        Some(top) => items.extend([line(regular, 30.0, ink, top), Item::Gap(14.0)]),
        None => items.push(Item::Gap(30.0)),
    }
    items.extend([
        line(brand_font, spec.style.brand_size, palette.accent, &text.brand),
        Item::Gap(12.0),
        Item::Rule,
        Item::Gap(26.0),
    ]);
    items.extend(paragraph(bold, 50.0, ink, &text.class_type));
    for extra in &text.extras {
        items.extend([Item::Gap(4.0), line(regular, 32.0, ink, extra)]);
    }
    items.push(Item::Flex);
    if let Some(alcohol) = &text.alcohol {
        items.extend([line(bold, 44.0, ink, alcohol), Item::Gap(10.0)]);
    }
    items.push(line(bold, 44.0, ink, &text.net_contents));
    items.push(Item::Flex);
    if let Some(bottler) = &text.bottler {
        items.extend(paragraph(regular, 31.0, ink, bottler));
    }
    if let Some(address) = text.address_line {
        items.extend([Item::Gap(2.0), line(regular, 28.0, ink, address)]);
    }
    if let Some(country) = &text.country {
        items.extend([Item::Gap(12.0), line(bold, 36.0, ink, country)]);
    }
    Ok(items)
}

/// Applies one image transform (photo-like degradations).
pub fn apply(img: RgbImage, transform: &Transform) -> RgbImage {
    let (w, h) = (img.width() as f32, img.height() as f32);
    match transform {
        Transform::Rotate { degrees } => {
            rotate_about_center(&img, degrees.to_radians(), Interpolation::Bicubic, Border::Constant(WHITE))
        }
        Transform::Tilt { degrees, backdrop } => rotate_about_center_no_crop(
            &img,
            degrees.to_radians(),
            Interpolation::Bicubic,
            Border::Constant(Rgb(*backdrop)),
        ),
        Transform::QuarterTurns { turns } => match turns % 4 {
            1 => image::imageops::rotate90(&img),
            2 => image::imageops::rotate180(&img),
            3 => image::imageops::rotate270(&img),
            _ => img,
        },
        Transform::Perspective { corners, backdrop } => {
            let from = [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)];
            let to = corners.map(|(x, y)| (x * w, y * h));
            match Projection::from_control_points(from, to) {
                Some(projection) => warp(&img, projection, Interpolation::Bicubic, Border::Constant(Rgb(*backdrop))),
                None => img,
            }
        }
        Transform::Glare { x, y, rx, ry, strength } => {
            let mut out = img;
            let (cx, cy, rx, ry) = (x * w, y * h, rx * w, ry * h);
            for (px, py, p) in out.enumerate_pixels_mut() {
                let d = ((px as f32 - cx) / rx).powi(2) + ((py as f32 - cy) / ry).powi(2);
                // A flat bright core with a soft edge, like a reflection.
                let k = strength * (-d * d).exp();
                for c in &mut p.0 {
                    *c = (f32::from(*c) + (255.0 - f32::from(*c)) * k).round().clamp(0.0, 255.0) as u8;
                }
            }
            out
        }
        Transform::Blur { sigma } => gaussian_blur_f32(&img, *sigma),
        Transform::Scale { factor } => {
            let nw = ((w * factor).round() as u32).max(1);
            let nh = ((h * factor).round() as u32).max(1);
            image::imageops::resize(&img, nw, nh, image::imageops::FilterType::Triangle)
        }
        Transform::Exposure { gain, lift } => {
            let mut out = img;
            for p in out.pixels_mut() {
                for c in &mut p.0 {
                    *c = (f32::from(*c) * gain + lift).round().clamp(0.0, 255.0) as u8;
                }
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[Vec<Word>]) -> Vec<String> {
        lines.iter().map(|l| l.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ")).collect()
    }

    #[test]
    fn wraps_at_word_boundaries_and_hyphenates_when_asked() {
        let measure = |t: &str, _: bool| t.chars().count() as f32;
        let ws = words("aaa bbb ccc pregnancy dd", false);
        assert_eq!(texts(&wrap(&ws, 11.0, 1.0, measure)), ["aaa bbb ccc", "pregnancy", "dd"]);
        let mut ws = ws;
        ws[3].hyphen_at = Some(4);
        assert_eq!(texts(&wrap(&ws, 17.0, 1.0, measure)), ["aaa bbb ccc preg-", "nancy dd"]);
    }
}
