//! The report for one label: the wire shape in the shared CONTRACTS, used by the CLI's JSON, the
//! server's responses and the app's export. Field names here are a contract: add, never rename.

use serde::{Deserialize, Serialize};

use crate::ocr::BBox;

/// How one check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Pass,
    Fail,
    Review,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::Review => "review",
        }
    }
}

/// The label's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    Compliant,
    NonCompliant,
    NeedsReview,
    Error,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Compliant => "COMPLIANT",
            Self::NonCompliant => "NON_COMPLIANT",
            Self::NeedsReview => "NEEDS_REVIEW",
            Self::Error => "ERROR",
        }
    }

    /// A reviewer's words for the status.
    pub fn label(self) -> &'static str {
        match self {
            Self::Compliant => "Compliant",
            Self::NonCompliant => "Not compliant",
            Self::NeedsReview => "Needs review",
            Self::Error => "Could not read",
        }
    }

    /// BRIEF's rule: any fail, else any review, else compliant.
    pub fn from_checks(checks: &[Check]) -> Self {
        if checks.iter().any(|c| c.outcome == Outcome::Fail) {
            Self::NonCompliant
        } else if checks.iter().any(|c| c.outcome == Outcome::Review) {
            Self::NeedsReview
        } else {
            Self::Compliant
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ValidationLevel {
    FullValidation,
    StructuralOnly,
}

/// One check's result: what was expected, what was found, where, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub field: String,
    pub outcome: Outcome,
    pub rule: String,
    pub expected: Option<String>,
    pub found: Option<String>,
    pub message: String,
    pub confidence: Option<f32>,
    #[serde(default)]
    pub boxes: Vec<BBox>,
}

/// The government warning's summary in `extracted_fields`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WarningSummary {
    pub present: bool,
    pub header_correct: bool,
    pub text_correct: bool,
}

/// Fields as read off the label; the earlier service's shape, kept for its clients.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExtractedFields {
    pub brand_name: Option<String>,
    /// The class/type designation. The earlier service called it `product_type`; both are kept.
    pub product_type: Option<String>,
    pub class_type: Option<String>,
    pub abv: Option<String>,
    pub abv_numeric: Option<f64>,
    pub proof: Option<f64>,
    pub net_contents: Option<String>,
    pub bottler: Option<String>,
    pub country: Option<String>,
    pub government_warning: WarningSummary,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Violation {
    pub field: String,
    /// `accuracy` (differs from the application), `missing` or `format`.
    #[serde(rename = "type")]
    pub kind: String,
    pub message: String,
    pub expected: Option<String>,
    pub actual: Option<String>,
}

/// One label's report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub file: String,
    pub status: Status,
    pub validation_level: ValidationLevel,
    pub backend: String,
    pub checks: Vec<Check>,
    pub extracted_fields: ExtractedFields,
    pub violations: Vec<Violation>,
    pub warnings: Vec<String>,
    pub processing_time_seconds: f64,
    pub error: Option<String>,
    /// Width and height of the image the boxes refer to (after EXIF orientation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_size: Option<[u32; 2]>,
    /// Image-quality problems found (blur, glare, too dark, too small), boxes in pixels of the
    /// stored image; empty for a good photo.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub image_quality: Vec<crate::quality::QualityFlag>,
}

impl Report {
    /// A report for an image that could not be read at all.
    pub fn error(file: impl Into<String>, backend: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            status: Status::Error,
            validation_level: ValidationLevel::StructuralOnly,
            backend: backend.into(),
            checks: Vec::new(),
            extracted_fields: ExtractedFields::default(),
            violations: Vec::new(),
            warnings: Vec::new(),
            processing_time_seconds: 0.0,
            error: Some(message.into()),
            image_size: None,
            image_quality: Vec::new(),
        }
    }

    /// The first failing check, else the first one needing review.
    pub fn first_problem(&self) -> Option<&Check> {
        self.checks
            .iter()
            .find(|c| c.outcome == Outcome::Fail)
            .or_else(|| self.checks.iter().find(|c| c.outcome == Outcome::Review))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(outcome: Outcome) -> Check {
        Check {
            field: "brand_name".into(),
            outcome,
            rule: String::new(),
            expected: None,
            found: None,
            message: String::new(),
            confidence: None,
            boxes: vec![],
        }
    }

    #[test]
    fn status_follows_worst_outcome() {
        use Outcome::*;
        assert_eq!(Status::from_checks(&[check(Pass), check(Pass)]), Status::Compliant);
        assert_eq!(Status::from_checks(&[check(Pass), check(Review)]), Status::NeedsReview);
        assert_eq!(Status::from_checks(&[check(Review), check(Fail)]), Status::NonCompliant);
    }

    #[test]
    fn wire_names_match_contracts() {
        let mut report = Report::error("a.jpg", "tesseract", "unreadable");
        report.checks.push(check(Outcome::Review));
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["status"], "ERROR");
        assert_eq!(json["validation_level"], "STRUCTURAL_ONLY");
        assert_eq!(json["checks"][0]["outcome"], "review");
        assert_eq!(json["extracted_fields"]["government_warning"]["present"], false);
        assert_eq!(serde_json::to_value(Status::NonCompliant).unwrap(), "NON_COMPLIANT");
        assert_eq!(serde_json::to_value(Status::NeedsReview).unwrap(), "NEEDS_REVIEW");
    }
}
