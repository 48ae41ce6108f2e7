//! Type weight of the warning header through the real measurement: warnings rendered with
//! "GOVERNMENT WARNING:" in the bold and in the regular weight of several font families (the
//! fonts `tools/samplegen` uses, from their Debian packages), read by the real Tesseract in
//! `verify::read`, must come out bold (pass) and not bold (fail) every time.

use ab_glyph::{FontVec, PxScale};
use image::{DynamicImage, Rgb, RgbImage};
use imageproc::drawing::{draw_text_mut, text_size};
use ttb_verifier::ocr::tesseract::Tesseract;
use ttb_verifier::report::Outcome;
use ttb_verifier::rules::warning::{FIELD_BOLD, WARNING_BODY, WARNING_HEADER};
use ttb_verifier::verify;

/// (family, regular face, bold face), from fonts-dejavu-core, fonts-liberation2,
/// fonts-freefont-ttf and fonts-urw-base35.
const FAMILIES: &[(&str, &str, &str)] = &[
    ("DejaVu Sans", "truetype/dejavu/DejaVuSans.ttf", "truetype/dejavu/DejaVuSans-Bold.ttf"),
    ("DejaVu Serif", "truetype/dejavu/DejaVuSerif.ttf", "truetype/dejavu/DejaVuSerif-Bold.ttf"),
    (
        "Liberation Sans",
        "truetype/liberation2/LiberationSans-Regular.ttf",
        "truetype/liberation2/LiberationSans-Bold.ttf",
    ),
    (
        "Liberation Serif",
        "truetype/liberation2/LiberationSerif-Regular.ttf",
        "truetype/liberation2/LiberationSerif-Bold.ttf",
    ),
    ("FreeSans", "truetype/freefont/FreeSans.ttf", "truetype/freefont/FreeSansBold.ttf"),
    ("FreeSerif", "truetype/freefont/FreeSerif.ttf", "truetype/freefont/FreeSerifBold.ttf"),
    ("Nimbus Sans (URW)", "opentype/urw-base35/NimbusSans-Regular.otf", "opentype/urw-base35/NimbusSans-Bold.otf"),
    ("C059 (URW)", "opentype/urw-base35/C059-Roman.otf", "opentype/urw-base35/C059-Bold.otf"),
];

/// Type sizes in pixels, on a label 1000 px wide.
const SIZES: &[f32] = &[22.0, 30.0];

fn font(path: &str) -> FontVec {
    let full = format!("/usr/share/fonts/{path}");
    let bytes = std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e} (install the font packages)"));
    FontVec::try_from_vec(bytes).unwrap_or_else(|e| panic!("{full} is not a font: {e}"))
}

/// The whole warning, wrapped in a 900 px column: the header in `header_font`, the body in
/// `body_font`, black on white.
fn render(header_font: &FontVec, body_font: &FontVec, size: f32) -> DynamicImage {
    let scale = PxScale::from(size);
    let width_of = |f: &FontVec, t: &str| text_size(scale, f, t).0 as f32;
    let space = width_of(body_font, "a a") - width_of(body_font, "aa");
    let words: Vec<(&str, bool)> = WARNING_HEADER
        .split_whitespace()
        .map(|w| (w, true))
        .chain(WARNING_BODY.split_whitespace().map(|w| (w, false)))
        .collect();
    let mut lines: Vec<Vec<(&str, bool)>> = vec![Vec::new()];
    let mut x = 0.0;
    for (w, header) in words {
        let ww = width_of(if header { header_font } else { body_font }, w);
        if x > 0.0 && x + space + ww > 900.0 {
            lines.push(Vec::new());
            x = 0.0;
        }
        x += if x > 0.0 { space } else { 0.0 } + ww;
        if let Some(line) = lines.last_mut() {
            line.push((w, header));
        }
    }
    let line_height = size * 1.3;
    let mut img = RgbImage::from_pixel(1000, (80.0 + line_height * lines.len() as f32) as u32, Rgb([255, 255, 255]));
    for (i, line) in lines.iter().enumerate() {
        let mut x = 50.0;
        for (w, header) in line {
            let f = if *header { header_font } else { body_font };
            draw_text_mut(&mut img, Rgb([20, 20, 20]), x as i32, (40.0 + line_height * i as f32) as i32, scale, f, w);
            x += width_of(f, w) + space;
        }
    }
    DynamicImage::ImageRgb8(img)
}

#[test]
fn bold_and_regular_headers_of_several_fonts_are_told_apart() {
    let mut engine = Tesseract::new().expect("Tesseract with English data");
    let mut wrong = Vec::new();
    let mut table = String::new();
    for (family, regular, bold) in FAMILIES {
        let (regular, bold) = (font(regular), font(bold));
        for &size in SIZES {
            for (header_font, weight, want) in [(&bold, "bold", Outcome::Pass), (&regular, "regular", Outcome::Fail)] {
                let image = render(header_font, &regular, size);
                let reading = verify::read(&mut engine, &image).expect("OCR runs");
                let check = reading.warning.checks.iter().find(|c| c.field == FIELD_BOLD);
                let (outcome, found) = check.map_or((None, "no bold check: warning not found".to_string()), |c| {
                    (Some(c.outcome), c.found.clone().unwrap_or_else(|| c.message.clone()))
                });
                table.push_str(&format!(
                    "{family:<18} {size:>4} px {weight:<8} {:<7} {found}\n",
                    format!("{outcome:?}")
                ));
                if outcome != Some(want) {
                    wrong.push(format!("{family} {size} px {weight}: {outcome:?}, expected {want:?}: {found}"));
                }
            }
        }
    }
    eprintln!("{table}");
    assert!(
        wrong.is_empty(),
        "{} of {} headers misjudged:\n{}\n\n{table}",
        wrong.len(),
        FAMILIES.len() * SIZES.len() * 2,
        wrong.join("\n")
    );
}
