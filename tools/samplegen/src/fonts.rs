//! System fonts used by the generator, loaded at run time from their Debian paths.
//!
//! No font file is copied into the repository: a missing font fails with the name of the Debian
//! package that provides it.

use std::collections::BTreeMap;

use ab_glyph::{Font, FontVec, PxScale, ScaleFont};
use anyhow::{Context, Result};

/// One font face (a file) the labels may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Face {
    DejaVuSans,
    DejaVuSansBold,
    DejaVuSerif,
    DejaVuSerifBold,
    LiberationSans,
    LiberationSansBold,
    LiberationSerif,
    LiberationSerifBold,
    FreeSans,
    FreeSansBold,
    /// URW Z003 Medium Italic, a Zapf Chancery style script face.
    Z003,
    /// URW Bookman Demi Italic, a heavy swash-like italic.
    BookmanDemiItalic,
    /// URW Gothic Demi, a geometric display face (Avant Garde style).
    GothicDemi,
}

/// Where a face comes from, for error messages and the samples README.
pub struct FaceInfo {
    pub name: &'static str,
    pub path: &'static str,
    pub package: &'static str,
    pub license: &'static str,
}

const DEJAVU: &str = "fonts-dejavu-core";
const DEJAVU_LICENSE: &str = "Bitstream Vera license (DejaVu changes public domain)";
const LIBERATION: &str = "fonts-liberation2";
const LIBERATION_LICENSE: &str = "SIL Open Font License 1.1";
const FREEFONT: &str = "fonts-freefont-ttf";
const FREEFONT_LICENSE: &str = "GPL-3+ with font exception";
const URW: &str = "fonts-urw-base35";
const URW_LICENSE: &str = "AGPL-3 with font exception";

impl Face {
    pub fn info(self) -> FaceInfo {
        let (name, path, package, license) = match self {
            Face::DejaVuSans => {
                ("DejaVu Sans", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", DEJAVU, DEJAVU_LICENSE)
            }
            Face::DejaVuSansBold => {
                ("DejaVu Sans Bold", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", DEJAVU, DEJAVU_LICENSE)
            }
            Face::DejaVuSerif => {
                ("DejaVu Serif", "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", DEJAVU, DEJAVU_LICENSE)
            }
            Face::DejaVuSerifBold => {
                ("DejaVu Serif Bold", "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf", DEJAVU, DEJAVU_LICENSE)
            }
            Face::LiberationSans => (
                "Liberation Sans",
                "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
                LIBERATION,
                LIBERATION_LICENSE,
            ),
            Face::LiberationSansBold => (
                "Liberation Sans Bold",
                "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf",
                LIBERATION,
                LIBERATION_LICENSE,
            ),
            Face::LiberationSerif => (
                "Liberation Serif",
                "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
                LIBERATION,
                LIBERATION_LICENSE,
            ),
            Face::LiberationSerifBold => (
                "Liberation Serif Bold",
                "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf",
                LIBERATION,
                LIBERATION_LICENSE,
            ),
            Face::FreeSans => {
                ("FreeSans", "/usr/share/fonts/truetype/freefont/FreeSans.ttf", FREEFONT, FREEFONT_LICENSE)
            }
            Face::FreeSansBold => {
                ("FreeSans Bold", "/usr/share/fonts/truetype/freefont/FreeSansBold.ttf", FREEFONT, FREEFONT_LICENSE)
            }
            Face::Z003 => (
                "Z003 Medium Italic (URW Chancery)",
                "/usr/share/fonts/opentype/urw-base35/Z003-MediumItalic.otf",
                URW,
                URW_LICENSE,
            ),
            Face::BookmanDemiItalic => (
                "URW Bookman Demi Italic",
                "/usr/share/fonts/opentype/urw-base35/URWBookman-DemiItalic.otf",
                URW,
                URW_LICENSE,
            ),
            Face::GothicDemi => {
                ("URW Gothic Demi", "/usr/share/fonts/opentype/urw-base35/URWGothic-Demi.otf", URW, URW_LICENSE)
            }
        };
        FaceInfo { name, path, package, license }
    }
}

/// A regular face and the bold face of the same family.
#[derive(Clone, Copy, Debug)]
pub struct Family {
    pub regular: Face,
    pub bold: Face,
}

impl Family {
    pub const DEJAVU_SANS: Family = Family { regular: Face::DejaVuSans, bold: Face::DejaVuSansBold };
    pub const DEJAVU_SERIF: Family = Family { regular: Face::DejaVuSerif, bold: Face::DejaVuSerifBold };
    pub const LIBERATION_SANS: Family = Family { regular: Face::LiberationSans, bold: Face::LiberationSansBold };
    pub const LIBERATION_SERIF: Family = Family { regular: Face::LiberationSerif, bold: Face::LiberationSerifBold };
    pub const FREE_SANS: Family = Family { regular: Face::FreeSans, bold: Face::FreeSansBold };
}

/// Loaded font files, read once each.
#[derive(Default)]
pub struct Fonts {
    loaded: BTreeMap<Face, FontVec>,
}

impl Fonts {
    /// Reads the face from disk if it is not loaded yet.
    pub fn load(&mut self, face: Face) -> Result<()> {
        if self.loaded.contains_key(&face) {
            return Ok(());
        }
        let info = face.info();
        let bytes = std::fs::read(info.path).with_context(|| {
            format!(
                "font {} not found at {}: install the Debian package {} (apt-get install {})",
                info.name, info.path, info.package, info.package
            )
        })?;
        let font =
            FontVec::try_from_vec(bytes).with_context(|| format!("font file {} could not be parsed", info.path))?;
        self.loaded.insert(face, font);
        Ok(())
    }

    pub fn get(&self, face: Face) -> Result<&FontVec> {
        self.loaded.get(&face).with_context(|| format!("font {} was not loaded", face.info().name))
    }

    /// Faces loaded so far, in a stable order.
    pub fn faces(&self) -> impl Iterator<Item = Face> + '_ {
        self.loaded.keys().copied()
    }
}

/// Ascent of the font at `size` px (distance from the line top to the baseline).
pub fn ascent(font: &FontVec, size: f32) -> f32 {
    font.as_scaled(PxScale::from(size)).ascent()
}
