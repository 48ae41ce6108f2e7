//! The application data a label is checked against (the COLA form's fields).
//!
//! This module parses the JSON shapes in the shared CONTRACTS (the current shape and the older
//! `ground_truth` sample-metadata shape) and CSV manifests into one typed [`Application`]. It does
//! no checking of its own: the rules compare an `Application` with what OCR found.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer, Serialize};

/// The kind of beverage; it decides which standards of fill and alcohol rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductType {
    Wine,
    Spirits,
    MaltBeverage,
}

impl ProductType {
    /// Parses the names and aliases CONTRACTS allows, in any case.
    pub fn parse(text: &str) -> Option<Self> {
        let key = text.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        match key.as_str() {
            "wine" => Some(Self::Wine),
            "spirits" | "distilled_spirits" | "spirit" => Some(Self::Spirits),
            "malt_beverage" | "malt_beverages" | "beer" | "malt" => Some(Self::MaltBeverage),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Wine => "wine",
            Self::Spirits => "spirits",
            Self::MaltBeverage => "malt_beverage",
        }
    }
}

/// What the applicant declared for one label. Every field is optional: a missing one means the
/// matching check runs as a presence/format check only.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Application {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub brand_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_type: Option<ProductType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub abv: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub net_contents: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bottler: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country_of_origin: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_import: Option<bool>,
}

/// Why application data could not be read. The message names the file and the problem.
#[derive(Debug, thiserror::Error)]
pub enum ApplicationError {
    #[error("cannot read {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("application data is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("application data: {0}")]
    Invalid(String),
    #[error("manifest {path}: {message}")]
    Manifest { path: PathBuf, message: String },
}

/// The current wire shape, loose where CONTRACTS allows it (ABV as number or string).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Wire {
    brand_name: Option<String>,
    class_type: Option<String>,
    product_type: Option<String>,
    #[serde(deserialize_with = "loose_number")]
    abv: Option<f64>,
    net_contents: Option<String>,
    bottler: Option<String>,
    country_of_origin: Option<String>,
    #[serde(deserialize_with = "loose_bool")]
    is_import: Option<bool>,
    ground_truth: Option<OldWire>,
}

/// The older sample-metadata shape, kept so earlier clients keep working.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OldWire {
    brand_name: Option<String>,
    class_type: Option<String>,
    #[serde(deserialize_with = "loose_number")]
    alcohol_content_numeric: Option<f64>,
    net_contents: Option<String>,
    bottler_info: Option<String>,
    country_of_origin: Option<String>,
    product_type: Option<String>,
    #[serde(deserialize_with = "loose_bool")]
    is_import: Option<bool>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum NumberOrText {
    Number(f64),
    Text(String),
}

fn loose_number<'de, D: Deserializer<'de>>(de: D) -> Result<Option<f64>, D::Error> {
    match Option::<NumberOrText>::deserialize(de)? {
        None => Ok(None),
        Some(NumberOrText::Number(n)) => Ok(Some(n)),
        Some(NumberOrText::Text(t)) => {
            let cleaned = t.trim().trim_end_matches('%').trim();
            if cleaned.is_empty() {
                return Ok(None);
            }
            cleaned.parse::<f64>().map(Some).map_err(|_| serde::de::Error::custom(format!("abv {t:?} is not a number")))
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum BoolOrText {
    Bool(bool),
    Text(String),
}

fn loose_bool<'de, D: Deserializer<'de>>(de: D) -> Result<Option<bool>, D::Error> {
    match Option::<BoolOrText>::deserialize(de)? {
        None => Ok(None),
        Some(BoolOrText::Bool(b)) => Ok(Some(b)),
        Some(BoolOrText::Text(t)) => parse_bool(&t).map_err(|m| serde::de::Error::custom(format!("is_import: {m}"))),
    }
}

fn parse_bool(text: &str) -> Result<Option<bool>, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "true" | "yes" | "y" | "1" => Ok(Some(true)),
        "false" | "no" | "n" | "0" => Ok(Some(false)),
        other => Err(format!("{other:?} is neither true nor false")),
    }
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

fn product_type(value: Option<String>) -> Result<Option<ProductType>, ApplicationError> {
    match non_empty(value) {
        None => Ok(None),
        Some(text) => ProductType::parse(&text).map(Some).ok_or_else(|| {
            ApplicationError::Invalid(format!("product_type {text:?} is not one of wine, spirits, malt_beverage"))
        }),
    }
}

impl Application {
    /// Parses either JSON shape of CONTRACTS.
    pub fn from_json(text: &str) -> Result<Self, ApplicationError> {
        let wire: Wire = serde_json::from_str(text)?;
        if let Some(old) = wire.ground_truth {
            return Ok(Self {
                brand_name: non_empty(old.brand_name),
                class_type: non_empty(old.class_type),
                product_type: product_type(old.product_type)?,
                abv: old.alcohol_content_numeric,
                net_contents: non_empty(old.net_contents),
                bottler: non_empty(old.bottler_info),
                country_of_origin: non_empty(old.country_of_origin),
                is_import: old.is_import,
            });
        }
        Ok(Self {
            brand_name: non_empty(wire.brand_name),
            class_type: non_empty(wire.class_type),
            product_type: product_type(wire.product_type)?,
            abv: wire.abv,
            net_contents: non_empty(wire.net_contents),
            bottler: non_empty(wire.bottler),
            country_of_origin: non_empty(wire.country_of_origin),
            is_import: wire.is_import,
        })
    }

    /// Reads a JSON application file.
    pub fn from_path(path: &Path) -> Result<Self, ApplicationError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| ApplicationError::Io { path: path.to_path_buf(), source })?;
        Self::from_json(&text).map_err(|e| match e {
            ApplicationError::Json(err) => {
                ApplicationError::Invalid(format!("{} is not valid JSON: {err}", path.display()))
            }
            ApplicationError::Invalid(m) => ApplicationError::Invalid(format!("{}: {m}", path.display())),
            other => other,
        })
    }

    /// The sidecar convention: `label_x.json` beside `label_x.jpg`. `Ok(None)` when there is none.
    pub fn sidecar_for(image: &Path) -> Result<Option<Self>, ApplicationError> {
        let sidecar = image.with_extension("json");
        if sidecar.is_file() { Self::from_path(&sidecar).map(Some) } else { Ok(None) }
    }

    /// Whether there is anything to compare with; without it only structural checks run.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// An import is declared explicitly, or implied by a foreign country of origin.
    pub fn is_import(&self) -> bool {
        self.is_import.unwrap_or_else(|| {
            self.country_of_origin.as_deref().is_some_and(|c| {
                let c = c.trim().to_ascii_lowercase();
                !matches!(c.as_str(), "usa" | "us" | "u.s.a." | "u.s." | "united states" | "united states of america")
            })
        })
    }
}

/// A CSV manifest: a `file` column and one column per application key. Keys are file names as
/// written in the manifest, matched against an image by full path, then by file name.
#[derive(Debug, Default, Clone)]
pub struct Manifest {
    entries: HashMap<String, Application>,
}

impl Manifest {
    pub fn from_path(path: &Path) -> Result<Self, ApplicationError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| ApplicationError::Io { path: path.to_path_buf(), source })?;
        Self::from_csv(&text).map_err(|message| ApplicationError::Manifest { path: path.to_path_buf(), message })
    }

    pub fn from_csv(text: &str) -> Result<Self, String> {
        let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
        let headers = reader.headers().map_err(|e| e.to_string())?.clone();
        let file_col = headers.iter().position(|h| h.eq_ignore_ascii_case("file")).ok_or("no `file` column")?;
        let mut entries = HashMap::new();
        for (index, row) in reader.records().enumerate() {
            let row = row.map_err(|e| format!("row {}: {e}", index + 2))?;
            let mut object = serde_json::Map::new();
            for (header, value) in headers.iter().zip(row.iter()) {
                if header.eq_ignore_ascii_case("file") || value.is_empty() {
                    continue;
                }
                object.insert(header.to_ascii_lowercase(), serde_json::Value::String(value.to_string()));
            }
            let json = serde_json::Value::Object(object).to_string();
            let application = Application::from_json(&json).map_err(|e| format!("row {}: {e}", index + 2))?;
            let file = row.get(file_col).unwrap_or_default().to_string();
            if file.is_empty() {
                return Err(format!("row {}: empty `file`", index + 2));
            }
            entries.insert(file, application);
        }
        Ok(Self { entries })
    }

    /// The manifest's row for an image, by the path as given or by its file name.
    pub fn lookup(&self, image: &Path) -> Option<&Application> {
        self.entries.get(&image.to_string_lossy().to_string()).or_else(|| {
            let name = image.file_name()?.to_string_lossy();
            self.entries.get(name.as_ref()).or_else(|| {
                self.entries
                    .iter()
                    .find(|(k, _)| Path::new(k).file_name().is_some_and(|n| n.to_string_lossy() == name))
                    .map(|(_, v)| v)
            })
        })
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_shape_with_string_abv_and_alias() {
        let app = Application::from_json(
            r#"{"brand_name":" Stone's Throw ","abv":"13.5%","product_type":"Distilled_Spirits","is_import":true,"country_of_origin":"France"}"#,
        )
        .unwrap();
        assert_eq!(app.brand_name.as_deref(), Some("Stone's Throw"));
        assert_eq!(app.abv, Some(13.5));
        assert_eq!(app.product_type, Some(ProductType::Spirits));
        assert!(app.is_import());
    }

    #[test]
    fn older_ground_truth_shape() {
        let app = Application::from_json(
            r#"{"ground_truth":{"brand_name":"Old Tom","alcohol_content_numeric":45,"bottler_info":"Bottled by X, Louisville, KY","product_type":"beer","is_import":false}}"#,
        )
        .unwrap();
        assert_eq!(app.abv, Some(45.0));
        assert_eq!(app.bottler.as_deref(), Some("Bottled by X, Louisville, KY"));
        assert_eq!(app.product_type, Some(ProductType::MaltBeverage));
        assert!(!app.is_import());
    }

    #[test]
    fn malformed_values_are_named() {
        let err = Application::from_json(r#"{"abv":"strong"}"#).unwrap_err().to_string();
        assert!(err.contains("strong"), "{err}");
        let err = Application::from_json(r#"{"product_type":"cider"}"#).unwrap_err().to_string();
        assert!(err.contains("cider"), "{err}");
        assert!(Application::from_json("[1,2]").is_err());
    }

    #[test]
    fn empty_application_is_structural() {
        assert!(Application::from_json("{}").unwrap().is_empty());
        assert!(!Application::from_json(r#"{"abv":5}"#).unwrap().is_empty());
    }

    #[test]
    fn csv_manifest_rows_by_file_name() {
        let manifest =
            Manifest::from_csv("file,brand_name,abv,is_import\nlabels/a.jpg,Alpha,12.5,no\nb.png,Beta,,yes\n").unwrap();
        assert_eq!(manifest.len(), 2);
        let a = manifest.lookup(Path::new("/elsewhere/a.jpg")).unwrap();
        assert_eq!(a.brand_name.as_deref(), Some("Alpha"));
        assert_eq!(a.is_import, Some(false));
        let b = manifest.lookup(Path::new("b.png")).unwrap();
        assert_eq!(b.abv, None);
        assert_eq!(b.is_import, Some(true));
        assert!(manifest.lookup(Path::new("c.jpg")).is_none());
        assert!(Manifest::from_csv("name,abv\nx,1\n").is_err());
    }
}
