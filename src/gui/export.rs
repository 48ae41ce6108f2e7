//! Handing results on: a CSV with one row per label, the JSON reports of the shared CONTRACTS,
//! and a printable HTML summary with each label's image, verdict and problems.
//!
//! The app takes a [`Row`] snapshot of its labels on the UI thread and writes it here, on a
//! thread of its own for the dialog's exports (the HTML reads every preview from disk).

use std::io::Cursor;
use std::path::{Path, PathBuf};

use base64::Engine as _;

use super::app::{Decision, field_name};
use crate::report::{Outcome, Report, Status};

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
    Html,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Json => "json",
            Self::Html => "html",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Csv => "CSV (one row per label)",
            Self::Json => "JSON reports",
            Self::Html => "Printable summary (HTML)",
        }
    }
}

/// One label as exported.
#[derive(Debug, Clone)]
pub struct Row {
    pub file: String,
    /// `None` while the label is not verified yet.
    pub report: Option<Report>,
    pub decision: Option<Decision>,
    pub note: String,
    /// The saved preview, for the HTML summary.
    pub preview: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot write {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("cannot make the CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("cannot make the JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// The check columns: every check field in the report's order, then any other field in the order
/// it first appears.
fn check_columns(rows: &[Row]) -> Vec<String> {
    let mut columns: Vec<String> = crate::rules::FIELDS.iter().map(|f| (*f).to_string()).collect();
    for check in rows.iter().filter_map(|r| r.report.as_ref()).flat_map(|r| &r.checks) {
        if !columns.contains(&check.field) {
            columns.push(check.field.clone());
        }
    }
    columns
}

/// The CSV: `file, status, <one column per check field>, decision, note, error`. A check that
/// did not run on a label is empty; a label not verified yet has an empty status.
pub fn csv_bytes(rows: &[Row]) -> Result<Vec<u8>, ExportError> {
    let columns = check_columns(rows);
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["file".to_string(), "status".to_string()];
    header.extend(columns.iter().cloned());
    header.extend(["decision", "note", "error"].map(String::from));
    writer.write_record(&header)?;
    for row in rows {
        let mut record = vec![row.file.clone(), row.report.as_ref().map_or("", |r| r.status.as_str()).to_string()];
        for column in &columns {
            let outcome = row.report.as_ref().and_then(|r| r.checks.iter().find(|c| &c.field == column));
            record.push(outcome.map_or("", |c| c.outcome.as_str()).to_string());
        }
        record.push(row.decision.map_or("", Decision::as_str).to_string());
        record.push(row.note.clone());
        let error = match &row.report {
            None => "not verified yet".to_string(),
            Some(report) => report.error.clone().unwrap_or_default(),
        };
        record.push(error);
        writer.write_record(&record)?;
    }
    writer.into_inner().map_err(|e| ExportError::Csv(e.into_error().into()))
}

/// The reports of the verified labels, as `verify --format json` prints them.
pub fn json_bytes(rows: &[Row]) -> Result<Vec<u8>, ExportError> {
    let reports: Vec<&Report> = rows.iter().filter_map(|r| r.report.as_ref()).collect();
    let mut bytes = serde_json::to_vec_pretty(&reports)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Longest side of an image in the printable summary.
const PRINT_SIDE: u32 = 480;

/// HTML text: the five characters that matter in element content and quoted attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// The preview as a small JPEG `data:` URL, so the summary is one self-contained file.
fn image_url(preview: &Path) -> Option<String> {
    let image = super::store::read_preview(preview)?.thumbnail(PRINT_SIDE, PRINT_SIDE).to_rgb8();
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut Cursor::new(&mut jpeg), 80).encode_image(&image).ok()?;
    Some(format!("data:image/jpeg;base64,{}", base64::engine::general_purpose::STANDARD.encode(jpeg)))
}

fn status_class(status: Option<Status>) -> &'static str {
    match status {
        Some(Status::Compliant) => "ok",
        Some(Status::NonCompliant) => "bad",
        Some(Status::NeedsReview) => "review",
        Some(Status::Error) | None => "none",
    }
}

/// A printable page: the batch's counts, then per label its image, verdict, decision, note, and
/// every check that failed or needs review.
pub fn html_text(rows: &[Row]) -> String {
    let count = |s: Status| rows.iter().filter(|r| r.report.as_ref().is_some_and(|rep| rep.status == s)).count();
    let decided = rows.iter().filter(|r| r.decision.is_some()).count();
    let mut out = String::new();
    out.push_str(concat!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
        "<title>Label verification summary</title><style>",
        "body{font-family:sans-serif;margin:2em;color:#222}",
        "section{display:flex;gap:1.5em;border-top:1px solid #ccc;padding:1em 0;break-inside:avoid}",
        "img{max-width:240px;max-height:320px;border:1px solid #ccc}",
        "table{border-collapse:collapse;font-size:90%}td,th{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}",
        ".ok{color:#1a7f37}.bad{color:#c62828}.review{color:#b26a00}.none{color:#666}",
        "h2{margin:0 0 .3em 0;font-size:120%}p{margin:.2em 0}",
        "@media print{body{margin:1cm}}",
        "</style></head><body>\n"
    ));
    out.push_str(&format!(
        "<h1>Label verification summary</h1>\n<p>{} labels: {} compliant, {} not compliant, {} need review, {} could not \
         be read, {} not verified yet. {} decided.</p>\n",
        rows.len(),
        count(Status::Compliant),
        count(Status::NonCompliant),
        count(Status::NeedsReview),
        count(Status::Error),
        rows.iter().filter(|r| r.report.is_none()).count(),
        decided
    ));
    for row in rows {
        let status = row.report.as_ref().map(|r| r.status);
        out.push_str("<section>\n");
        match row.preview.as_deref().and_then(image_url) {
            Some(url) => out.push_str(&format!("<img src=\"{url}\" alt=\"{}\">\n", escape(&row.file))),
            None => out.push_str("<p class=\"none\">(no image)</p>\n"),
        }
        out.push_str("<div>\n");
        out.push_str(&format!("<h2>{}</h2>\n", escape(&row.file)));
        let verdict = status.map_or("Not verified yet", Status::label);
        out.push_str(&format!("<p class=\"{}\"><strong>{verdict}</strong></p>\n", status_class(status)));
        let decision = row.decision.map_or("Undecided", Decision::label);
        out.push_str(&format!("<p>Decision: {decision}</p>\n"));
        if !row.note.trim().is_empty() {
            out.push_str(&format!("<p>Note: {}</p>\n", escape(row.note.trim())));
        }
        if let Some(report) = &row.report {
            if let Some(error) = &report.error {
                out.push_str(&format!("<p class=\"bad\">Could not be verified: {}</p>\n", escape(error)));
            }
            let problems: Vec<_> = report.checks.iter().filter(|c| c.outcome != Outcome::Pass).collect();
            if !problems.is_empty() {
                out.push_str(
                    "<table><tr><th>Check</th><th>Outcome</th><th>Expected</th><th>Found</th><th>Why</th></tr>\n",
                );
                for check in problems {
                    let class = if check.outcome == Outcome::Fail { "bad" } else { "review" };
                    out.push_str(&format!(
                        "<tr><td>{}</td><td class=\"{class}\">{}</td><td>{}</td><td>{}</td><td>{} ({})</td></tr>\n",
                        escape(&field_name(&check.field)),
                        check.outcome.as_str(),
                        escape(check.expected.as_deref().unwrap_or("—")),
                        escape(check.found.as_deref().unwrap_or("—")),
                        escape(&check.message),
                        escape(&check.rule)
                    ));
                }
                out.push_str("</table>\n");
            }
        }
        out.push_str("</div>\n</section>\n");
    }
    out.push_str("</body></html>\n");
    out
}

/// Writes `rows` to `path` in `format`; returns how many labels went in.
pub fn write(format: Format, rows: &[Row], path: &Path) -> Result<usize, ExportError> {
    let bytes = match format {
        Format::Csv => csv_bytes(rows)?,
        Format::Json => json_bytes(rows)?,
        Format::Html => html_text(rows).into_bytes(),
    };
    std::fs::write(path, bytes).map_err(|source| ExportError::Io { path: path.to_path_buf(), source })?;
    Ok(match format {
        Format::Json => rows.iter().filter(|r| r.report.is_some()).count(),
        Format::Csv | Format::Html => rows.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_escaped() {
        let mut report = Report::error("<b>.jpg", "tesseract", "bad & worse");
        report.status = Status::Error;
        let rows = [Row {
            file: "<b>.jpg".into(),
            report: Some(report),
            decision: Some(Decision::BetterImage),
            note: "\"glare\"".into(),
            preview: None,
        }];
        let html = html_text(&rows);
        assert!(html.contains("&lt;b&gt;.jpg"));
        assert!(html.contains("bad &amp; worse"));
        assert!(html.contains("&quot;glare&quot;"));
        assert!(html.contains("Needs a better image"));
        assert!(!html.contains("<b>.jpg"));
    }
}
