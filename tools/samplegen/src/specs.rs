//! The table of labels: application data, what the label says, its style, its image transforms,
//! and what the verifier is expected to conclude.
//!
//! Two tiers: `basic` (clean prints with a few easy conditions) and `hard` (photo-like
//! degradations: sideways and tilted shots, perspective, glare, blur, heavy JPEG, low
//! resolution, dim light, decorative fonts, small warning text).

use image::Rgb;
use serde::Serialize;
use serde_json::{Value, json};

use crate::fonts::{Face, Family};
use crate::render::Palette;

pub const WARNING_HEADER: &str = "GOVERNMENT WARNING:";
pub const WARNING_SENTENCE_1: &str = "(1) According to the Surgeon General, women should not drink \
    alcoholic beverages during pregnancy because of the risk of birth defects.";
pub const WARNING_SENTENCE_2: &str = "(2) Consumption of alcoholic beverages impairs your ability \
    to drive a car or operate machinery, and may cause health problems.";

#[derive(Clone, Copy, Debug)]
pub enum Tier {
    Basic,
    Hard,
}

impl Tier {
    pub fn name(self) -> &'static str {
        match self {
            Tier::Basic => "basic",
            Tier::Hard => "hard",
        }
    }
}

/// How the image file is written.
#[derive(Clone, Copy, Debug)]
pub enum Format {
    Jpeg { quality: u8 },
    Png,
}

/// JPEG quality of the pristine labels.
const JPEG_NORMAL: Format = Format::Jpeg { quality: 88 };

/// Degradations applied to the rendered label, in order. Fractions are of the image's width
/// (x) and height (y) at that point.
#[derive(Clone, Debug)]
pub enum Transform {
    /// Clockwise rotation about the centre, same size, corners filled white.
    Rotate { degrees: f32 },
    /// Clockwise rotation on a canvas grown to hold the whole label, on a backdrop (a label
    /// photographed at an angle on a table).
    Tilt { degrees: f32, backdrop: [u8; 3] },
    /// Quarter turns clockwise (a sideways photo without an EXIF orientation tag).
    QuarterTurns { turns: u8 },
    /// The label's corners (top left, top right, bottom right, bottom left) moved to these
    /// fractions of the image, the rest of the image a backdrop (a photo taken off-axis).
    Perspective { corners: [(f32, f32); 4], backdrop: [u8; 3] },
    /// A bright washed-out ellipse (light reflected off a bottle) centred at (x, y) with radii
    /// (rx, ry), blending the image towards white by up to `strength` (0 to 1).
    Glare { x: f32, y: f32, rx: f32, ry: f32, strength: f32 },
    /// Gaussian blur (an out-of-focus photo).
    Blur { sigma: f32 },
    /// Resized by `factor` (a low-resolution photo or scan).
    Scale { factor: f32 },
    /// Every channel multiplied by `gain` and lifted by `lift` (a photo in dim light).
    Exposure { gain: f32, lift: f32 },
}

impl Transform {
    fn condition(&self) -> String {
        let turn = |degrees: f32| {
            if degrees < 0.0 {
                format!("{} degrees counter-clockwise", -degrees)
            } else {
                format!("{degrees} degrees clockwise")
            }
        };
        match self {
            Transform::Rotate { degrees } => format!("rotated {}", turn(*degrees)),
            Transform::Tilt { degrees, .. } => format!("photographed tilted {} on a backdrop", turn(*degrees)),
            Transform::QuarterTurns { turns } => {
                format!("stored sideways: rotated {} degrees clockwise, no EXIF orientation", u32::from(*turns) * 90)
            }
            Transform::Perspective { .. } => "perspective: photographed off-axis, the label a trapezoid".to_string(),
            Transform::Glare { strength, .. } => format!("glare (washed out by up to {:.0}%)", strength * 100.0),
            Transform::Blur { sigma } => format!("out of focus (Gaussian blur, sigma {sigma} px)"),
            Transform::Scale { factor } => format!("low resolution (scaled by {factor})"),
            Transform::Exposure { gain, .. } => format!("dim light (brightness times {gain})"),
        }
    }
}

#[derive(Clone, Debug)]
pub enum Expected {
    Compliant,
    NonCompliant { failing_field: &'static str, defect: &'static str },
}

#[derive(Clone, Copy, Debug)]
pub enum ProductType {
    Wine,
    Spirits,
    MaltBeverage,
}

impl ProductType {
    fn name(self) -> &'static str {
        match self {
            ProductType::Wine => "wine",
            ProductType::Spirits => "spirits",
            ProductType::MaltBeverage => "malt_beverage",
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub enum Abv {
    Number(f64),
    /// Given as a string such as "40%".
    Text(&'static str),
}

/// Which JSON shape the sidecar uses.
#[derive(Clone, Copy, Debug)]
pub enum Shape {
    Current,
    /// `{"ground_truth": {...}}` of the earlier sample metadata.
    Legacy,
}

/// The application (COLA form) data the label is checked against.
#[derive(Clone, Debug)]
pub struct Application {
    pub brand_name: &'static str,
    pub class_type: &'static str,
    pub product_type: ProductType,
    pub abv: Abv,
    pub net_contents: &'static str,
    pub bottler: &'static str,
    pub country_of_origin: Option<&'static str>,
    pub shape: Shape,
}

/// Sidecar JSON in the current shape (docs/CONTRACTS.md).
#[derive(Serialize)]
struct CurrentJson {
    brand_name: &'static str,
    class_type: &'static str,
    product_type: &'static str,
    abv: Value,
    net_contents: &'static str,
    bottler: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    country_of_origin: Option<&'static str>,
    is_import: bool,
}

/// Sidecar JSON in the older sample-metadata shape.
#[derive(Serialize)]
struct LegacyJson {
    ground_truth: GroundTruth,
}

#[derive(Serialize)]
struct GroundTruth {
    brand_name: &'static str,
    class_type: &'static str,
    alcohol_content_numeric: Option<f64>,
    net_contents: &'static str,
    bottler_info: &'static str,
    country_of_origin: Option<&'static str>,
    product_type: &'static str,
    is_import: bool,
}

impl Application {
    /// The sidecar file's text (keys in the contract's order).
    pub fn to_json(&self) -> serde_json::Result<String> {
        let is_import = self.country_of_origin.is_some();
        match self.shape {
            Shape::Current => serde_json::to_string_pretty(&CurrentJson {
                brand_name: self.brand_name,
                class_type: self.class_type,
                product_type: self.product_type.name(),
                abv: match self.abv {
                    Abv::Number(n) => json!(n),
                    Abv::Text(t) => json!(t),
                },
                net_contents: self.net_contents,
                bottler: self.bottler,
                country_of_origin: self.country_of_origin,
                is_import,
            }),
            Shape::Legacy => serde_json::to_string_pretty(&LegacyJson {
                ground_truth: GroundTruth {
                    brand_name: self.brand_name,
                    class_type: self.class_type,
                    alcohol_content_numeric: match self.abv {
                        Abv::Number(n) => Some(n),
                        Abv::Text(t) => t.trim_end_matches('%').parse().ok(),
                    },
                    net_contents: self.net_contents,
                    bottler_info: self.bottler,
                    country_of_origin: self.country_of_origin,
                    product_type: self.product_type.name(),
                    is_import,
                },
            }),
        }
    }
}

/// The government warning as printed.
#[derive(Clone, Debug)]
pub struct Warning {
    pub present: bool,
    pub header: String,
    pub header_bold: bool,
    pub body: String,
    /// Hyphenate this word at a line end after this many bytes.
    pub hyphenate: Option<(&'static str, usize)>,
}

impl Warning {
    pub fn standard() -> Warning {
        Warning {
            present: true,
            header: WARNING_HEADER.to_string(),
            header_bold: true,
            body: format!("{WARNING_SENTENCE_1} {WARNING_SENTENCE_2}"),
            hyphenate: None,
        }
    }
}

/// What is printed on the label, top to bottom.
#[derive(Clone, Debug)]
pub struct LabelText {
    /// Small line above the brand ("EST. 1890").
    pub top_line: Option<&'static str>,
    pub brand: String,
    pub class_type: String,
    /// Small lines under the class/type ("AGED 12 YEARS", appellation, vintage).
    pub extras: Vec<&'static str>,
    pub alcohol: Option<String>,
    pub net_contents: String,
    pub bottler: Option<String>,
    /// A line under the bottler statement (a street address distractor).
    pub address_line: Option<&'static str>,
    pub country: Option<String>,
    pub warning: Warning,
}

#[derive(Clone, Copy, Debug)]
pub enum Scheme {
    White,
    Cream,
    /// Cream text on dark green.
    DarkGreen,
    /// Cream text on navy.
    Navy,
}

impl Scheme {
    pub fn palette(self) -> Palette {
        let (background, text, accent) = match self {
            Scheme::White => ([255, 255, 255], [20, 20, 20], [118, 22, 38]),
            Scheme::Cream => ([246, 240, 222], [25, 25, 25], [32, 68, 44]),
            Scheme::DarkGreen => ([22, 58, 40], [244, 236, 212], [222, 196, 128]),
            Scheme::Navy => ([22, 32, 66], [242, 238, 224], [218, 190, 120]),
        };
        Palette { background: Rgb(background), text: Rgb(text), accent: Rgb(accent) }
    }

    fn condition(self) -> Option<&'static str> {
        match self {
            Scheme::White | Scheme::Cream => None,
            Scheme::DarkGreen => Some("light text on a dark background (cream on dark green)"),
            Scheme::Navy => Some("light text on a dark background (cream on navy)"),
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub family: Family,
    /// Brand face; the family's bold when `None`.
    pub brand_face: Option<Face>,
    pub brand_size: f32,
    pub scheme: Scheme,
    /// Pixel size of the warning text.
    pub warning_size: f32,
    /// Narrows the warning column by this many px (a hyphenated warning narrows it further
    /// until the word breaks at a line end).
    pub warning_inset: f32,
}

#[derive(Clone, Debug)]
pub struct LabelSpec {
    pub stem: &'static str,
    pub format: Format,
    pub tier: Tier,
    pub expected: Expected,
    /// Why NEEDS_REVIEW is also a fair verdict for this image (a photo a reviewer should ask to
    /// have retaken), if it is.
    pub may_need_review: Option<&'static str>,
    pub app: Application,
    pub label: LabelText,
    pub style: Style,
    pub transforms: Vec<Transform>,
    /// Further conditions worth recording (distractors, equivalent units, ...).
    pub notes: Vec<&'static str>,
}

impl LabelSpec {
    /// A compliant label whose text follows the application: brand and class in capitals,
    /// the given alcohol statement, the application's net contents and bottler, and
    /// "Product of X" for imports.
    fn new(stem: &'static str, app: Application, alcohol: &str) -> LabelSpec {
        let label = LabelText {
            top_line: None,
            brand: app.brand_name.to_uppercase(),
            class_type: app.class_type.to_uppercase(),
            extras: Vec::new(),
            alcohol: Some(alcohol.to_string()),
            net_contents: app.net_contents.to_string(),
            bottler: Some(app.bottler.to_string()),
            address_line: None,
            country: app.country_of_origin.map(|c| format!("Product of {c}")),
            warning: Warning::standard(),
        };
        LabelSpec {
            stem,
            format: JPEG_NORMAL,
            tier: Tier::Basic,
            expected: Expected::Compliant,
            may_need_review: None,
            app,
            label,
            style: Style {
                family: Family::DEJAVU_SANS,
                brand_face: None,
                brand_size: 84.0,
                scheme: Scheme::White,
                warning_size: 30.0,
                warning_inset: 0.0,
            },
            transforms: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Moves the spec to the hard tier, written as JPEG quality 75 (a phone photo's typical
    /// compression) unless a transform or the spec says otherwise.
    fn hard(mut self) -> LabelSpec {
        self.tier = Tier::Hard;
        self.format = Format::Jpeg { quality: 75 };
        self
    }

    fn defect(mut self, failing_field: &'static str, defect: &'static str) -> LabelSpec {
        self.expected = Expected::NonCompliant { failing_field, defect };
        self
    }

    pub fn file_name(&self) -> String {
        match self.format {
            Format::Jpeg { .. } => format!("{}.jpg", self.stem),
            Format::Png => format!("{}.png", self.stem),
        }
    }

    /// Everything that makes this sample harder than a clean, plain label.
    pub fn conditions(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        out.extend(self.transforms.iter().map(Transform::condition));
        if let Format::Jpeg { quality } = self.format
            && quality < 60
        {
            out.push(format!("heavy JPEG artefacts (quality {quality})"));
        }
        if let Some(c) = self.style.scheme.condition() {
            out.push(c.to_string());
        }
        if let Some(face) = self.style.brand_face {
            out.push(format!("decorative brand font ({})", face.info().name));
        }
        if self.style.warning_size < 20.0 {
            out.push(format!("small warning text ({} px type on a 1000 px wide label)", self.style.warning_size));
        }
        let family = self.style.family;
        if matches!(family.regular, Face::DejaVuSerif | Face::LiberationSerif) {
            out.push(format!("serif family ({} with {} header)", family.regular.info().name, family.bold.info().name));
        }
        if let Some((word, at)) = self.label.warning.hyphenate {
            out.push(format!("warning hyphenated at a line end (\"{}-\" / \"{}\")", &word[..at], &word[at..]));
        }
        if matches!(self.app.shape, Shape::Legacy) {
            out.push("application in the older ground_truth shape".to_string());
        }
        if let (Shape::Current, Abv::Text(t)) = (self.app.shape, self.app.abv) {
            out.push(format!("application abv given as the string \"{t}\""));
        }
        out.extend(self.notes.iter().map(|n| n.to_string()));
        out
    }
}

fn app(
    brand_name: &'static str,
    class_type: &'static str,
    product_type: ProductType,
    abv: Abv,
    net_contents: &'static str,
    bottler: &'static str,
) -> Application {
    Application {
        brand_name,
        class_type,
        product_type,
        abv,
        net_contents,
        bottler,
        country_of_origin: None,
        shape: Shape::Current,
    }
}

fn import(mut a: Application, country: &'static str) -> Application {
    a.country_of_origin = Some(country);
    a
}

fn legacy(mut a: Application) -> Application {
    a.shape = Shape::Legacy;
    a
}

use Abv::{Number, Text};
use ProductType::{MaltBeverage, Spirits, Wine};

const STONES_THROW_BOTTLER: &str = "Bottled by Stone's Throw Cellars, Paso Robles, CA";

fn stones_throw_cab() -> Application {
    app("Stone's Throw", "Cabernet Sauvignon", Wine, Number(13.5), "750 mL", STONES_THROW_BOTTLER)
}

fn heritage_oak_bourbon() -> Application {
    app(
        "Heritage Oak",
        "Kentucky Straight Bourbon Whiskey",
        Spirits,
        Number(45.0),
        "750 mL",
        "Distilled and Bottled by Heritage Oak Distilling Co., Louisville, KY",
    )
}

/// The compliant labels.
fn good() -> Vec<LabelSpec> {
    let mut v = Vec::new();

    // 001: the plain reference label.
    let mut s = LabelSpec::new("label_good_001", stones_throw_cab(), "13.5% ALC./VOL.");
    s.label.extras = vec!["PASO ROBLES"];
    s.notes = vec!["brand printed in capitals (\"STONE'S THROW\" vs \"Stone's Throw\")"];
    v.push(s);

    // 002: bourbon with proof and number distractors.
    let mut s = LabelSpec::new("label_good_002", heritage_oak_bourbon(), "45% ALC/VOL (90 PROOF)");
    s.label.top_line = Some("EST. 1890");
    s.label.extras = vec!["AGED 8 YEARS"];
    s.label.address_line = Some("Visitor Center: 1890 Louisville Road");
    s.style.scheme = Scheme::Cream;
    s.notes = vec!["distractor numbers: \"EST. 1890\", \"AGED 8 YEARS\", \"1890 Louisville Road\""];
    v.push(s);

    // 003: beer in US units against a metric application, rotated.
    let mut s = LabelSpec::new(
        "label_good_003",
        app(
            "Cascade Ridge",
            "India Pale Ale",
            MaltBeverage,
            Number(6.8),
            "355 mL",
            "Brewed by Cascade Ridge Brewing Co., Bend, OR",
        ),
        "ALC. 6.8% BY VOL.",
    );
    s.label.net_contents = "12 FL OZ".into();
    s.style.scheme = Scheme::Cream;
    s.transforms = vec![Transform::Rotate { degrees: 2.0 }];
    s.notes = vec!["net contents in equivalent units (label 12 FL OZ, application 355 mL)"];
    v.push(s);

    // 004: imported gin, serif family, centilitres.
    let mut s = LabelSpec::new(
        "label_good_004",
        import(
            app(
                "Kingsbridge",
                "London Dry Gin",
                Spirits,
                Number(40.0),
                "750 mL",
                "Imported by Kingsbridge Imports, New York, NY",
            ),
            "England",
        ),
        "40% Alc./Vol. 80 Proof",
    );
    s.label.net_contents = "75 cL".into();
    s.style.family = Family::DEJAVU_SERIF;
    s.notes = vec!["net contents in equivalent units (label 75 cL, application 750 mL)"];
    v.push(s);

    // 005: imported French wine with a script brand, older application shape.
    let mut s = LabelSpec::new(
        "label_good_005",
        legacy(import(
            app(
                "Maison Duval",
                "Chardonnay",
                Wine,
                Number(13.0),
                "750 mL",
                "Imported by Duval Selections, New York, NY",
            ),
            "France",
        )),
        "ALCOHOL 13% BY VOLUME",
    );
    s.label.brand = "Maison Duval".into();
    s.label.class_type = "Chardonnay".into();
    s.label.extras = vec!["VIN DE FRANCE"];
    s.style.brand_face = Some(Face::Z003);
    s.style.brand_size = 110.0;
    s.style.scheme = Scheme::Cream;
    v.push(s);

    // 006: vodka, light text on dark green.
    let mut s = LabelSpec::new(
        "label_good_006",
        app(
            "Glacier Peak",
            "Vodka",
            Spirits,
            Number(40.0),
            "1.75 L",
            "Distilled and Bottled by Glacier Peak Spirits, Boise, ID",
        ),
        "40% ALC./VOL. (80 PROOF)",
    );
    s.label.extras = vec!["DISTILLED FROM GRAIN"];
    s.style.scheme = Scheme::DarkGreen;
    v.push(s);

    // 007: imported Scotch, heavy JPEG compression, age statement.
    let mut s = LabelSpec::new(
        "label_good_007",
        import(
            app(
                "Glen Arroch",
                "Blended Scotch Whisky",
                Spirits,
                Number(43.0),
                "750 mL",
                "Imported by Highland Crown Imports, New York, NY",
            ),
            "Scotland",
        ),
        "43% Alc./Vol.",
    );
    s.label.extras = vec!["AGED 12 YEARS"];
    s.format = Format::Jpeg { quality: 38 };
    s.notes = vec!["distractor number: \"AGED 12 YEARS\""];
    v.push(s);

    // 008: pilsner, warning hyphenated at a line end, PNG.
    let mut s = LabelSpec::new(
        "label_good_008",
        app("Old Mill", "Pilsner", MaltBeverage, Number(4.8), "12 FL OZ", "Brewed by Old Mill Brewery, Milwaukee, WI"),
        "4.8% ALC/VOL",
    );
    s.label.net_contents = "12 FL. OZ.".into();
    s.label.warning.hyphenate = Some(("pregnancy", 4));
    s.style.family = Family::LIBERATION_SANS;
    s.format = Format::Png;
    v.push(s);

    // 009: imported tequila, abv given as a string.
    let mut s = LabelSpec::new(
        "label_good_009",
        import(
            app(
                "Sol de Agave",
                "Blanco Tequila",
                Spirits,
                Text("40%"),
                "750 mL",
                "Imported by Agave Sun Imports, San Antonio, TX",
            ),
            "Mexico",
        ),
        "40% ALC/VOL (80 PROOF)",
    );
    s.label.extras = vec!["100% DE AGAVE"];
    s.style.scheme = Scheme::Cream;
    s.notes = vec!["distractor number: \"100% DE AGAVE\""];
    v.push(s);

    // 010: Pinot Noir with founding year and vintage, slight counter-clockwise rotation.
    let mut s = LabelSpec::new(
        "label_good_010",
        app(
            "Willow Creek",
            "Pinot Noir",
            Wine,
            Number(14.2),
            "750 mL",
            "Produced and Bottled by Willow Creek Vineyards, Napa, CA",
        ),
        "ALC. 14.2% BY VOL.",
    );
    s.label.top_line = Some("Est. 1890");
    s.label.extras = vec!["NAPA VALLEY", "2019"];
    s.transforms = vec![Transform::Rotate { degrees: -1.5 }];
    s.notes = vec!["distractor numbers: \"Est. 1890\", vintage \"2019\""];
    v.push(s);

    // 011: a second Stone's Throw wine, Liberation Serif, older application shape.
    let mut s = LabelSpec::new(
        "label_good_011",
        legacy(app("Stone's Throw", "Sauvignon Blanc", Wine, Number(12.5), "375 mL", STONES_THROW_BOTTLER)),
        "12.5% ALC./VOL.",
    );
    s.label.class_type = "Sauvignon Blanc".into();
    s.style.family = Family::LIBERATION_SERIF;
    v.push(s);

    // 012: rum, rotated and heavily compressed.
    let mut s = LabelSpec::new(
        "label_good_012",
        app(
            "Bayou Reserve",
            "Dark Rum",
            Spirits,
            Number(40.0),
            "1 L",
            "Distilled and Bottled by Bayou Distillers, Lafayette, LA",
        ),
        "40% ALC. BY VOL. 80 PROOF",
    );
    s.label.net_contents = "1 LITER".into();
    s.style.family = Family::LIBERATION_SANS;
    s.style.scheme = Scheme::Cream;
    s.transforms = vec![Transform::Rotate { degrees: 2.5 }];
    s.notes = vec!["net contents in equivalent units (label 1 LITER, application 1 L)"];
    s.format = Format::Jpeg { quality: 42 };
    v.push(s);

    // 013: lager can, light text on navy, FreeSans.
    let mut s = LabelSpec::new(
        "label_good_013",
        app(
            "Lakeshore",
            "Amber Lager",
            MaltBeverage,
            Number(5.2),
            "16 FL OZ",
            "Brewed and Canned by Lakeshore Brewing Co., Chicago, IL",
        ),
        "ALC. 5.2% BY VOL.",
    );
    s.label.net_contents = "16 FL. OZ.".into();
    s.style.family = Family::FREE_SANS;
    s.style.scheme = Scheme::Navy;
    v.push(s);

    v
}

/// The labels with exactly one defect each.
fn bad() -> Vec<LabelSpec> {
    let mut v = Vec::new();

    // 001: title-case header.
    let mut a = stones_throw_cab();
    a.abv = Text("13.5%");
    let mut s = LabelSpec::new("label_bad_001", a, "13.5% ALC./VOL.").defect(
        "government_warning_header",
        "warning header in title case (\"Government Warning:\") instead of capitals",
    );
    s.label.warning.header = "Government Warning:".into();
    v.push(s);

    // 002: no warning at all.
    let mut s = LabelSpec::new(
        "label_bad_002",
        app(
            "Copper Still",
            "Straight Rye Whiskey",
            Spirits,
            Number(47.0),
            "750 mL",
            "Distilled and Bottled by Copper Still Distillery, Denver, CO",
        ),
        "47% ALC/VOL (94 PROOF)",
    )
    .defect("government_warning", "the government warning is missing entirely");
    s.label.warning.present = false;
    s.style.scheme = Scheme::Cream;
    v.push(s);

    // 003: "may impair your ability".
    let mut s = LabelSpec::new(
        "label_bad_003",
        app(
            "Timberline",
            "Pale Ale",
            MaltBeverage,
            Number(5.5),
            "12 FL OZ",
            "Brewed by Timberline Brewing, Portland, OR",
        ),
        "ALC. 5.5% BY VOL.",
    )
    .defect(
        "government_warning_text",
        "warning reworded: \"may impair your ability\" instead of \"impairs your ability\"",
    );
    s.label.warning.body = s.label.warning.body.replace("impairs your ability", "may impair your ability");
    s.format = Format::Jpeg { quality: 40 };
    v.push(s);

    // 004: "may cause serious health problems".
    let mut s = LabelSpec::new(
        "label_bad_004",
        app(
            "Willow Creek",
            "Merlot",
            Wine,
            Number(13.9),
            "750 mL",
            "Produced and Bottled by Willow Creek Vineyards, Napa, CA",
        ),
        "13.9% ALC./VOL.",
    )
    .defect("government_warning_text", "warning reworded: \"may cause serious health problems\" (word added)");
    s.label.warning.body = s.label.warning.body.replace("cause health problems", "cause serious health problems");
    s.style.scheme = Scheme::Cream;
    v.push(s);

    // 005: sentence (2) missing.
    let mut s = LabelSpec::new(
        "label_bad_005",
        import(
            app(
                "Kingsbridge",
                "London Dry Gin",
                Spirits,
                Number(47.0),
                "1 L",
                "Imported by Kingsbridge Imports, New York, NY",
            ),
            "England",
        ),
        "47% Alc./Vol. 94 Proof",
    )
    .defect("government_warning_text", "warning is missing sentence (2) about driving, machinery and health problems");
    s.label.warning.body = WARNING_SENTENCE_1.to_string();
    s.format = Format::Png;
    v.push(s);

    // 006: header not bold.
    let mut s = LabelSpec::new(
        "label_bad_006",
        app(
            "Harbor Light",
            "Chardonnay",
            Wine,
            Number(13.2),
            "750 mL",
            "Produced and Bottled by Harbor Light Winery, Sonoma, CA",
        ),
        "ALC. 13.2% BY VOL.",
    )
    .defect("government_warning_bold", "\"GOVERNMENT WARNING:\" printed in the regular weight, not bold");
    s.label.warning.header_bold = false;
    v.push(s);

    // 007: ABV differs from the application.
    let mut s = LabelSpec::new("label_bad_007", stones_throw_cab(), "12.5% ALC./VOL.")
        .defect("alcohol_content", "label says 12.5% but the application says 13.5%");
    s.transforms = vec![Transform::Rotate { degrees: 2.0 }];
    v.push(s);

    // 008: proof is not twice the ABV.
    let s = LabelSpec::new("label_bad_008", heritage_oak_bourbon(), "45% ALC/VOL (80 PROOF)")
        .defect("alcohol_content_proof", "label says 45% ALC/VOL (80 PROOF); 45% is 90 proof");
    v.push(s);

    // 009: net contents differ.
    let mut s = LabelSpec::new(
        "label_bad_009",
        legacy(app(
            "Glacier Peak",
            "Vodka",
            Spirits,
            Number(40.0),
            "750 mL",
            "Distilled and Bottled by Glacier Peak Spirits, Boise, ID",
        )),
        "40% ALC./VOL. (80 PROOF)",
    )
    .defect("net_contents", "label says 700 mL but the application says 750 mL");
    s.label.net_contents = "700 mL".into();
    s.style.scheme = Scheme::Cream;
    v.push(s);

    // 010: another brand on the label.
    let mut a = stones_throw_cab();
    a.bottler = "Bottled by River Bend Wine Co., Paso Robles, CA";
    let mut s = LabelSpec::new("label_bad_010", a, "13.5% ALC./VOL.")
        .defect("brand_name", "label brand is \"RIVER BEND\" but the application says \"Stone's Throw\"");
    s.label.brand = "RIVER BEND".into();
    v.push(s);

    // 011: no bottler statement.
    let mut s = LabelSpec::new(
        "label_bad_011",
        app("Sierra Vista", "Zinfandel", Wine, Number(14.5), "750 mL", "Bottled by Sierra Vista Cellars, Lodi, CA"),
        "ALC. 14.5% BY VOL.",
    )
    .defect("bottler", "no bottler or producer statement on the label");
    s.label.bottler = None;
    s.label.extras = vec!["LODI"];
    s.style.scheme = Scheme::Cream;
    v.push(s);

    // 012: import without a country of origin.
    let mut s = LabelSpec::new(
        "label_bad_012",
        import(
            app(
                "Domaine Lorme",
                "Sauvignon Blanc",
                Wine,
                Number(12.5),
                "750 mL",
                "Imported by Lorme Selections, New York, NY",
            ),
            "France",
        ),
        "12.5% ALC./VOL.",
    )
    .defect("country_of_origin", "imported wine (France) with no country of origin statement on the label");
    s.label.country = None;
    s.style.family = Family::LIBERATION_SERIF;
    v.push(s);

    // 013: another class/type on the label.
    let mut s = LabelSpec::new(
        "label_bad_013",
        app(
            "Blue Mesa",
            "Cabernet Sauvignon",
            Wine,
            Number(13.8),
            "750 mL",
            "Bottled by Blue Mesa Winery, Santa Fe, NM",
        ),
        "13.8% ALC./VOL.",
    )
    .defect("class_type", "label says \"Merlot\" but the application says \"Cabernet Sauvignon\"");
    s.label.class_type = "MERLOT".into();
    v.push(s);

    v
}

/// A table or bar top behind a photographed label.
const WOOD: [u8; 3] = [104, 84, 66];
const SLATE: [u8; 3] = [128, 132, 136];

/// A photo's keystone: the top edge narrower than the bottom, as when the camera looks down at
/// the label.
const KEYSTONE: [(f32, f32); 4] = [(0.09, 0.05), (0.91, 0.03), (0.97, 0.97), (0.03, 0.95)];

/// Compliant labels in photo-like conditions.
fn hard_good() -> Vec<LabelSpec> {
    let mut v = Vec::new();

    // 001: a sideways photo (a quarter turn clockwise) with no EXIF tag.
    let mut s = LabelSpec::new(
        "label_hard_good_001",
        app(
            "Red Hollow",
            "Zinfandel",
            Wine,
            Number(14.5),
            "750 mL",
            "Produced and Bottled by Red Hollow Vineyards, Lodi, CA",
        ),
        "ALC. 14.5% BY VOL.",
    )
    .hard();
    s.transforms = vec![Transform::QuarterTurns { turns: 1 }];
    v.push(s);

    // 002: sideways the other way (three quarter turns), heavy JPEG.
    let mut s = LabelSpec::new(
        "label_hard_good_002",
        app(
            "Iron Gate",
            "Straight Bourbon Whiskey",
            Spirits,
            Number(50.0),
            "750 mL",
            "Distilled and Bottled by Iron Gate Distillery, Bardstown, KY",
        ),
        "50% ALC/VOL (100 PROOF)",
    )
    .hard();
    s.style.scheme = Scheme::Cream;
    s.transforms = vec![Transform::QuarterTurns { turns: 3 }];
    s.format = Format::Jpeg { quality: 45 };
    v.push(s);

    // 003: tilted 8 degrees on a wooden table, serif family.
    let mut s = LabelSpec::new(
        "label_hard_good_003",
        app("Blue Heron", "Riesling", Wine, Number(11.5), "750 mL", "Bottled by Blue Heron Cellars, Hood River, OR"),
        "11.5% ALC./VOL.",
    )
    .hard();
    s.style.family = Family::LIBERATION_SERIF;
    s.transforms = vec![Transform::Tilt { degrees: 8.0, backdrop: WOOD }];
    v.push(s);

    // 004: tilted the other way and a little out of focus.
    let mut s = LabelSpec::new(
        "label_hard_good_004",
        app(
            "North Fork",
            "American Lager",
            MaltBeverage,
            Number(4.5),
            "12 FL OZ",
            "Brewed by North Fork Brewing Co., Missoula, MT",
        ),
        "ALC. 4.5% BY VOL.",
    )
    .hard();
    s.label.net_contents = "12 FL. OZ.".into();
    s.style.family = Family::FREE_SANS;
    s.transforms = vec![Transform::Tilt { degrees: -6.0, backdrop: SLATE }, Transform::Blur { sigma: 1.2 }];
    v.push(s);

    // 005: photographed off-axis, heavy JPEG.
    let mut s = LabelSpec::new(
        "label_hard_good_005",
        import(
            app(
                "Casa Verde",
                "Reposado Tequila",
                Spirits,
                Number(40.0),
                "750 mL",
                "Imported by Verde Imports, Houston, TX",
            ),
            "Mexico",
        ),
        "40% ALC/VOL (80 PROOF)",
    )
    .hard();
    s.style.scheme = Scheme::Cream;
    s.transforms = vec![Transform::Perspective { corners: KEYSTONE, backdrop: WOOD }];
    s.format = Format::Jpeg { quality: 50 };
    v.push(s);

    // 006: glare over the upper part of the label, away from the warning.
    let mut s = LabelSpec::new(
        "label_hard_good_006",
        app(
            "Silver Birch",
            "Pinot Grigio",
            Wine,
            Number(12.0),
            "750 mL",
            "Bottled by Silver Birch Winery, Traverse City, MI",
        ),
        "12% ALC./VOL.",
    )
    .hard();
    s.transforms = vec![Transform::Glare { x: 0.62, y: 0.3, rx: 0.22, ry: 0.12, strength: 0.7 }];
    v.push(s);

    // 007: out of focus, moderate JPEG.
    let mut s = LabelSpec::new(
        "label_hard_good_007",
        app(
            "Granite Peak",
            "Straight Rye Whiskey",
            Spirits,
            Number(46.0),
            "750 mL",
            "Distilled and Bottled by Granite Peak Spirits, Denver, CO",
        ),
        "46% ALC/VOL (92 PROOF)",
    )
    .hard();
    s.style.scheme = Scheme::Cream;
    s.transforms = vec![Transform::Blur { sigma: 1.8 }];
    s.format = Format::Jpeg { quality: 60 };
    v.push(s);

    // 008: light text on navy, slightly rotated, JPEG quality 40.
    let mut s = LabelSpec::new(
        "label_hard_good_008",
        app(
            "Midnight Harbor",
            "Spiced Rum",
            Spirits,
            Number(35.0),
            "750 mL",
            "Bottled by Midnight Harbor Rum Co., Key West, FL",
        ),
        "35% ALC./VOL. (70 PROOF)",
    )
    .hard();
    s.style.scheme = Scheme::Navy;
    s.transforms = vec![Transform::Rotate { degrees: 3.0 }];
    s.format = Format::Jpeg { quality: 40 };
    v.push(s);

    // 009: a script brand in mixed case, tilted on a table.
    let mut s = LabelSpec::new(
        "label_hard_good_009",
        import(
            app(
                "Belle Rive",
                "Sparkling Wine",
                Wine,
                Number(12.0),
                "750 mL",
                "Imported by Belle Rive Imports, Boston, MA",
            ),
            "France",
        ),
        "12% ALC./VOL.",
    )
    .hard();
    s.label.brand = "Belle Rive".into();
    s.style.brand_face = Some(Face::Z003);
    s.style.brand_size = 120.0;
    s.style.scheme = Scheme::Cream;
    s.transforms = vec![Transform::Tilt { degrees: -4.0, backdrop: SLATE }];
    v.push(s);

    // 010: a geometric display brand.
    let mut s = LabelSpec::new(
        "label_hard_good_010",
        app(
            "Thunder Road",
            "Amber Ale",
            MaltBeverage,
            Number(5.6),
            "16 FL OZ",
            "Brewed by Thunder Road Brewing, Austin, TX",
        ),
        "ALC. 5.6% BY VOL.",
    )
    .hard();
    s.style.brand_face = Some(Face::GothicDemi);
    s.style.brand_size = 96.0;
    s.label.net_contents = "16 FL. OZ.".into();
    v.push(s);

    // 011: small warning text.
    let mut s = LabelSpec::new(
        "label_hard_good_011",
        app(
            "Quiet Meadow",
            "Chardonnay",
            Wine,
            Number(13.5),
            "750 mL",
            "Bottled by Quiet Meadow Vineyards, Sonoma, CA",
        ),
        "13.5% ALC./VOL.",
    )
    .hard();
    s.style.family = Family::LIBERATION_SANS;
    s.style.warning_size = 16.0;
    v.push(s);

    // 012: a low-resolution photo (half size).
    let mut s = LabelSpec::new(
        "label_hard_good_012",
        import(
            app(
                "Copper Kettle",
                "Blended Irish Whiskey",
                Spirits,
                Number(40.0),
                "750 mL",
                "Imported by Copper Kettle Imports, Chicago, IL",
            ),
            "Ireland",
        ),
        "40% ALC./VOL. (80 PROOF)",
    )
    .hard();
    s.style.scheme = Scheme::Cream;
    s.transforms = vec![Transform::Scale { factor: 0.5 }];
    s.format = Format::Jpeg { quality: 85 };
    v.push(s);

    // 013: a bottle photo: tilted, off-axis, glare right across the warning.
    let mut s = LabelSpec::new(
        "label_hard_good_013",
        app(
            "Willow Creek",
            "Cabernet Sauvignon",
            Wine,
            Number(14.1),
            "750 mL",
            "Produced and Bottled by Willow Creek Vineyards, Napa, CA",
        ),
        "ALC. 14.1% BY VOL.",
    )
    .hard();
    s.transforms = vec![
        Transform::Perspective { corners: KEYSTONE, backdrop: SLATE },
        Transform::Glare { x: 0.45, y: 0.86, rx: 0.3, ry: 0.08, strength: 0.93 },
    ];
    s.format = Format::Jpeg { quality: 55 };
    s.may_need_review =
        Some("glare washes out part of the government warning: the verifier may fairly ask for a new photo");
    v.push(s);

    // 014: small warning text, a heavy italic brand, tilted, heavy JPEG.
    let mut s = LabelSpec::new(
        "label_hard_good_014",
        app(
            "Harvest Moon",
            "Hard Cider",
            Wine,
            Number(6.9),
            "750 mL",
            "Produced by Harvest Moon Cider Co., Hood River, OR",
        ),
        "6.9% ALC./VOL.",
    )
    .hard();
    s.style.warning_size = 18.0;
    s.style.brand_face = Some(Face::BookmanDemiItalic);
    s.style.scheme = Scheme::Cream;
    s.transforms = vec![Transform::Tilt { degrees: -3.0, backdrop: WOOD }];
    s.format = Format::Jpeg { quality: 50 };
    v.push(s);

    // 015: dim light, slightly soft.
    let mut s = LabelSpec::new(
        "label_hard_good_015",
        app(
            "Lone Pine",
            "Gin",
            Spirits,
            Number(42.0),
            "750 mL",
            "Distilled and Bottled by Lone Pine Distilling, Bend, OR",
        ),
        "42% ALC/VOL (84 PROOF)",
    )
    .hard();
    s.transforms = vec![Transform::Exposure { gain: 0.42, lift: 8.0 }, Transform::Blur { sigma: 0.8 }];
    v.push(s);

    v
}

/// Labels with exactly one defect, in photo-like conditions. None may come out compliant.
fn hard_bad() -> Vec<LabelSpec> {
    let mut v = Vec::new();

    // 001: title-case header, sideways photo.
    let mut s = LabelSpec::new(
        "label_hard_bad_001",
        app(
            "Red Hollow",
            "Petite Sirah",
            Wine,
            Number(14.8),
            "750 mL",
            "Produced and Bottled by Red Hollow Vineyards, Lodi, CA",
        ),
        "ALC. 14.8% BY VOL.",
    )
    .hard()
    .defect("government_warning_header", "warning header in title case (\"Government Warning:\"), sideways photo");
    s.label.warning.header = "Government Warning:".into();
    s.transforms = vec![Transform::QuarterTurns { turns: 1 }];
    v.push(s);

    // 002: "may impair", out of focus.
    let mut s = LabelSpec::new(
        "label_hard_bad_002",
        app(
            "Granite Peak",
            "Vodka",
            Spirits,
            Number(40.0),
            "1 L",
            "Distilled and Bottled by Granite Peak Spirits, Denver, CO",
        ),
        "40% ALC/VOL (80 PROOF)",
    )
    .hard()
    .defect("government_warning_text", "warning reworded: \"may impair your ability\", out-of-focus photo");
    s.label.warning.body = s.label.warning.body.replace("impairs your ability", "may impair your ability");
    s.label.net_contents = "1 L".into();
    s.transforms = vec![Transform::Blur { sigma: 1.4 }];
    v.push(s);

    // 003: header in the regular weight, tilted 6 degrees.
    let mut s = LabelSpec::new(
        "label_hard_bad_003",
        app(
            "Harbor Light",
            "Sauvignon Blanc",
            Wine,
            Number(13.0),
            "750 mL",
            "Produced and Bottled by Harbor Light Winery, Sonoma, CA",
        ),
        "ALC. 13% BY VOL.",
    )
    .hard()
    .defect("government_warning_bold", "\"GOVERNMENT WARNING:\" in the regular weight, photo tilted 6 degrees");
    s.label.warning.header_bold = false;
    s.transforms = vec![Transform::Tilt { degrees: 6.0, backdrop: SLATE }];
    s.format = Format::Jpeg { quality: 60 };
    v.push(s);

    // 004: ABV differs, off-axis photo.
    let mut s = LabelSpec::new(
        "label_hard_bad_004",
        app(
            "Iron Gate",
            "Straight Bourbon Whiskey",
            Spirits,
            Number(43.0),
            "750 mL",
            "Distilled and Bottled by Iron Gate Distillery, Bardstown, KY",
        ),
        "40% ALC/VOL (80 PROOF)",
    )
    .hard()
    .defect("alcohol_content", "label says 40% but the application says 43%, off-axis photo");
    s.transforms = vec![Transform::Perspective { corners: KEYSTONE, backdrop: WOOD }];
    v.push(s);

    // 005: another brand, in a script face (the importer is the application's).
    let mut s = LabelSpec::new(
        "label_hard_bad_005",
        import(
            app(
                "Belle Rive",
                "Sparkling Wine",
                Wine,
                Number(12.0),
                "750 mL",
                "Imported by Lune Selections, Boston, MA",
            ),
            "France",
        ),
        "12% ALC./VOL.",
    )
    .hard()
    .defect("brand_name", "label brand is \"Clair de Lune\" (script face) but the application says \"Belle Rive\"");
    s.label.brand = "Clair de Lune".into();
    s.style.brand_face = Some(Face::Z003);
    s.style.brand_size = 120.0;
    s.style.scheme = Scheme::Cream;
    v.push(s);

    // 006: no warning, glare and heavy JPEG.
    let mut s = LabelSpec::new(
        "label_hard_bad_006",
        app(
            "Silver Birch",
            "Riesling",
            Wine,
            Number(11.0),
            "750 mL",
            "Bottled by Silver Birch Winery, Traverse City, MI",
        ),
        "11% ALC./VOL.",
    )
    .hard()
    .defect("government_warning", "the government warning is missing; glare and heavy JPEG");
    s.label.warning.present = false;
    s.transforms = vec![Transform::Glare { x: 0.4, y: 0.45, rx: 0.25, ry: 0.15, strength: 0.6 }];
    s.format = Format::Jpeg { quality: 40 };
    v.push(s);

    // 007: net contents differ, low resolution.
    let mut s = LabelSpec::new(
        "label_hard_bad_007",
        app(
            "Lone Pine",
            "Gin",
            Spirits,
            Number(42.0),
            "750 mL",
            "Distilled and Bottled by Lone Pine Distilling, Bend, OR",
        ),
        "42% ALC/VOL (84 PROOF)",
    )
    .hard()
    .defect("net_contents", "label says 700 mL but the application says 750 mL; low-resolution photo");
    s.label.net_contents = "700 mL".into();
    s.transforms = vec![Transform::Scale { factor: 0.5 }];
    s.format = Format::Jpeg { quality: 85 };
    v.push(s);

    // 008: a changed word in small warning text.
    let mut s = LabelSpec::new(
        "label_hard_bad_008",
        app(
            "Quiet Meadow",
            "Pinot Noir",
            Wine,
            Number(13.9),
            "750 mL",
            "Bottled by Quiet Meadow Vineyards, Sonoma, CA",
        ),
        "13.9% ALC./VOL.",
    )
    .hard()
    .defect(
        "government_warning_text",
        "warning reworded in small type: \"Consumption of alcohol impairs\" instead of \"alcoholic beverages impairs\"",
    );
    s.label.warning.body =
        s.label.warning.body.replace("Consumption of alcoholic beverages impairs", "Consumption of alcohol impairs");
    s.style.family = Family::LIBERATION_SANS;
    s.style.warning_size = 16.0;
    v.push(s);

    // 009: import without a country, light on navy, sideways.
    let mut s = LabelSpec::new(
        "label_hard_bad_009",
        import(
            app(
                "Copper Kettle",
                "Blended Irish Whiskey",
                Spirits,
                Number(40.0),
                "750 mL",
                "Imported by Copper Kettle Imports, Chicago, IL",
            ),
            "Ireland",
        ),
        "40% ALC./VOL. (80 PROOF)",
    )
    .hard()
    .defect("country_of_origin", "imported whiskey (Ireland) with no country of origin; light on navy, sideways");
    s.label.country = None;
    s.style.scheme = Scheme::Navy;
    s.transforms = vec![Transform::QuarterTurns { turns: 3 }];
    v.push(s);

    // 010: another class/type, tilted, JPEG quality 38.
    let mut s = LabelSpec::new(
        "label_hard_bad_010",
        app(
            "North Fork",
            "India Pale Ale",
            MaltBeverage,
            Number(6.5),
            "12 FL OZ",
            "Brewed by North Fork Brewing Co., Missoula, MT",
        ),
        "ALC. 6.5% BY VOL.",
    )
    .hard()
    .defect("class_type", "label says \"Stout\" but the application says \"India Pale Ale\"; tilted, heavy JPEG");
    s.label.class_type = "STOUT".into();
    s.style.scheme = Scheme::Cream;
    s.transforms = vec![Transform::Tilt { degrees: -7.0, backdrop: WOOD }];
    s.format = Format::Jpeg { quality: 38 };
    v.push(s);

    // 011: proof is not twice the ABV, dim light.
    let mut s = LabelSpec::new(
        "label_hard_bad_011",
        app(
            "Midnight Harbor",
            "Dark Rum",
            Spirits,
            Number(40.0),
            "750 mL",
            "Bottled by Midnight Harbor Rum Co., Key West, FL",
        ),
        "40% ALC./VOL. (90 PROOF)",
    )
    .hard()
    .defect("alcohol_content_proof", "label says 40% ALC./VOL. (90 PROOF); 40% is 80 proof; dim light");
    s.transforms = vec![Transform::Exposure { gain: 0.45, lift: 6.0 }];
    v.push(s);

    v
}

/// Every sample, in file order.
pub fn all() -> Vec<LabelSpec> {
    let mut v = good();
    v.extend(bad());
    v.extend(hard_good());
    v.extend(hard_bad());
    v
}
