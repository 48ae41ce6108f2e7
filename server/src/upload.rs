//! Uploads: the `/verify` form, the batch ZIP spooled to disk, and the checks on an image
//! before any worker decodes it (type sniffed from the bytes, declared size against the pixel
//! limits).

use std::io::Cursor;
use std::path::Path;

use axum::extract::Multipart;
use axum::extract::multipart::{Field, MultipartError, MultipartRejection};
use axum::http::StatusCode;
use image::ImageFormat;
use tokio::io::AsyncWriteExt;
use ttb_verifier::api::fields;
use ttb_verifier::application::Application;
use ttb_verifier::ocr::Backend;

use crate::config::Config;
use crate::error::AppError;

/// Largest accepted application JSON or other text field.
const MAX_TEXT_FIELD: u64 = 256 * 1024;

/// The `/verify` and `/verify/async` form, checked.
pub struct VerifyForm {
    pub image: Vec<u8>,
    /// The upload's file name (without folders), for the report.
    pub file_name: String,
    pub backend: Backend,
    pub application: Option<Application>,
    /// The application JSON as received, for jobs that parse it again later.
    pub application_json: Option<String>,
}

/// Reads and checks the form: an `image` within the size limit, a known `ocr_backend`, and
/// application data (`application` or `ground_truth`) that parses.
pub async fn verify_form(
    multipart: Result<Multipart, MultipartRejection>,
    config: &Config,
) -> Result<VerifyForm, AppError> {
    let mut multipart = multipart.map_err(rejected)?;
    let mut image = None;
    let mut file_name = None;
    let mut backend_name = None;
    let mut application_json: Option<(String, String)> = None;
    while let Some(mut field) = multipart.next_field().await.map_err(|e| multipart_error(&e, config.max_file_size))? {
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            fields::IMAGE => {
                if image.is_some() {
                    return Err(AppError::bad_request("invalid_request", "Send one `image` field per request"));
                }
                file_name = field.file_name().map(base_name);
                let limit = config.max_file_size;
                let bytes = read_field(&mut field, limit, config.max_file_size).await?.ok_or_else(|| {
                    AppError::too_large(
                        "payload_too_large",
                        format!("The image is larger than the {} limit", megabytes(limit)),
                    )
                })?;
                image = Some(bytes);
            }
            fields::OCR_BACKEND => backend_name = Some(text_field(&mut field, &name, config).await?),
            fields::APPLICATION | fields::GROUND_TRUTH => {
                if let Some((other, _)) = &application_json {
                    return Err(AppError::bad_request(
                        "invalid_request",
                        format!("Send application data once: both `{other}` and `{name}` were sent"),
                    ));
                }
                let text = text_field(&mut field, &name, config).await?;
                application_json = Some((name, text));
            }
            // Unknown fields are read past, so that newer clients can send more.
            _ => while field.chunk().await.map_err(|e| multipart_error(&e, config.max_file_size))?.is_some() {},
        }
    }
    let image = image.ok_or_else(|| {
        AppError::bad_request(
            "missing_image",
            "The form has no `image` field: send the label image as a file in `image`",
        )
    })?;
    if image.is_empty() {
        return Err(AppError::bad_request("missing_image", "The `image` field is empty"));
    }
    let backend = backend(backend_name.as_deref())?;
    let (application, application_json) = match application_json {
        Some((field, text)) if !text.trim().is_empty() => {
            let parsed = Application::from_json(&text)
                .map_err(|e| AppError::bad_request("invalid_application", format!("The `{field}` field: {e}")))?;
            (Some(parsed), Some(text))
        }
        _ => (None, None),
    };
    Ok(VerifyForm {
        image,
        file_name: file_name.unwrap_or_else(|| "upload".into()),
        backend,
        application,
        application_json,
    })
}

/// The backend a form names; tesseract when none.
pub fn backend(name: Option<&str>) -> Result<Backend, AppError> {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        None => Ok(Backend::Tesseract),
        Some(name) => Backend::parse(name).ok_or_else(|| {
            AppError::bad_request("invalid_backend", format!("Unknown ocr_backend {name:?}: use tesseract or ollama"))
        }),
    }
}

/// Checks an upload is an image the verifier reads and declares a size within the limits,
/// reading only its header. Returns its format.
///
/// A declared size over the limits answers 413 (`image_too_large`): a decompression bomb is
/// refused before a worker allocates its pixels.
pub fn inspect_image(bytes: &[u8], config: &Config) -> Result<ImageFormat, AppError> {
    let format = sniff(bytes).ok_or_else(|| {
        AppError::unsupported_media(
            "The upload is not an image the verifier reads (JPEG, PNG, WebP, TIFF, BMP, GIF); the type is judged from the bytes, not the file name",
        )
    })?;
    let (width, height) =
        image::ImageReader::with_format(Cursor::new(bytes), format).into_dimensions().map_err(|e| match e {
            image::ImageError::Limits(limit) => {
                AppError::too_large("image_too_large", format!("The image is too large to read safely: {limit}"))
            }
            other => {
                AppError::bad_request("invalid_image", format!("The image file is damaged or incomplete: {other}"))
            }
        })?;
    let pixels = u64::from(width) * u64::from(height);
    if width.max(height) > config.max_image_side || pixels > config.max_image_pixels {
        return Err(AppError::too_large(
            "image_too_large",
            format!(
                "The image declares {width} x {height} pixels; the limits are {:.0} megapixels and {} pixels on a side",
                config.max_image_pixels as f64 / 1e6,
                config.max_image_side
            ),
        ));
    }
    Ok(format)
}

/// The image format the bytes start with, if the verifier reads it.
pub fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
    image::guess_format(bytes).ok().filter(ImageFormat::reading_enabled)
}

/// The usual file extension of `format`.
pub fn extension(format: ImageFormat) -> &'static str {
    format.extensions_str().first().copied().unwrap_or("img")
}

/// Writes the multipart field named [`fields::BATCH_FILE`] to `spool` (at most `limit` bytes),
/// and returns the `ocr_backend` field if one was sent. `Ok(None)` when there is no batch file.
pub async fn spool_batch(
    multipart: Result<Multipart, MultipartRejection>,
    spool: &Path,
    limit: u64,
) -> Result<Option<Option<String>>, AppError> {
    let mut multipart = multipart.map_err(rejected)?;
    let mut found = false;
    let mut backend_name = None;
    while let Some(mut field) = multipart.next_field().await.map_err(|e| multipart_error(&e, limit))? {
        match field.name().unwrap_or_default() {
            fields::BATCH_FILE => {
                if found {
                    return Err(AppError::bad_request("invalid_request", "Send one `batch_file` per request"));
                }
                found = true;
                let mut file = tokio::fs::File::create(spool).await.map_err(AppError::internal)?;
                let mut written = 0u64;
                while let Some(chunk) = field.chunk().await.map_err(|e| multipart_error(&e, limit))? {
                    written += chunk.len() as u64;
                    if written > limit {
                        return Err(AppError::too_large(
                            "payload_too_large",
                            format!("The batch file is larger than the {} limit", megabytes(limit)),
                        ));
                    }
                    file.write_all(&chunk).await.map_err(AppError::internal)?;
                }
                file.flush().await.map_err(AppError::internal)?;
            }
            fields::OCR_BACKEND => {
                let bytes = read_field(&mut field, MAX_TEXT_FIELD, limit).await?.unwrap_or_default();
                backend_name = Some(String::from_utf8_lossy(&bytes).into_owned());
            }
            _ => while field.chunk().await.map_err(|e| multipart_error(&e, limit))?.is_some() {},
        }
    }
    Ok(found.then_some(backend_name))
}

/// A field's bytes; `None` when it is over `limit`.
async fn read_field(field: &mut Field<'_>, limit: u64, body_limit: u64) -> Result<Option<Vec<u8>>, AppError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|e| multipart_error(&e, body_limit))? {
        if (bytes.len() + chunk.len()) as u64 > limit {
            return Ok(None);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Some(bytes))
}

async fn text_field(field: &mut Field<'_>, name: &str, config: &Config) -> Result<String, AppError> {
    let bytes = read_field(field, MAX_TEXT_FIELD, config.max_file_size).await?.ok_or_else(|| {
        AppError::too_large(
            "payload_too_large",
            format!("The `{name}` field is larger than {}", megabytes(MAX_TEXT_FIELD)),
        )
    })?;
    String::from_utf8(bytes)
        .map_err(|_| AppError::bad_request("invalid_request", format!("The `{name}` field is not UTF-8 text")))
}

fn rejected(rejection: MultipartRejection) -> AppError {
    AppError::bad_request(
        "invalid_multipart",
        format!("Expected a multipart/form-data body ({})", rejection.body_text()),
    )
}

fn multipart_error(error: &MultipartError, limit: u64) -> AppError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::too_large(
            "payload_too_large",
            format!("The request is larger than the upload limit ({} for the file)", megabytes(limit)),
        )
    } else {
        // A malformed body, or the client went away mid-upload.
        AppError::bad_request(
            "invalid_multipart",
            format!("The multipart body could not be read: {}", error.body_text()),
        )
    }
}

/// The last part of a client's file name, which may hold folders of the client's machine.
fn base_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name).trim();
    let base: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    if base.is_empty() { "upload".into() } else { base }
}

fn megabytes(bytes: u64) -> String {
    let mb = bytes as f64 / (1024.0 * 1024.0);
    if (mb - mb.round()).abs() < 0.05 { format!("{mb:.0} MB") } else { format!("{mb:.1} MB") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_folders() {
        assert_eq!(base_name("C:\\Users\\x\\label.jpg"), "label.jpg");
        assert_eq!(base_name("../../etc/passwd"), "passwd");
        assert_eq!(base_name(""), "upload");
    }

    #[test]
    fn backends_parse() {
        assert_eq!(backend(None).unwrap(), Backend::Tesseract);
        assert_eq!(backend(Some(" Ollama ")).unwrap(), Backend::Ollama);
        assert_eq!(backend(Some("easyocr")).unwrap_err().code, "invalid_backend");
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(megabytes(10 * 1024 * 1024), "10 MB");
        assert_eq!(megabytes(1536 * 1024), "1.5 MB");
    }

    #[test]
    fn images_are_sniffed_and_sized() {
        let config = Config::default();
        let mut png = Vec::new();
        image::DynamicImage::new_rgb8(30, 20).write_to(&mut Cursor::new(&mut png), ImageFormat::Png).unwrap();
        assert_eq!(inspect_image(&png, &config).unwrap(), ImageFormat::Png);
        assert_eq!(inspect_image(b"%PDF-1.7", &config).unwrap_err().status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let small = Config { max_image_pixels: 100, ..Config::default() };
        assert_eq!(inspect_image(&png, &small).unwrap_err().code, "image_too_large");
        assert_eq!(inspect_image(&png[..20], &config).unwrap_err().code, "invalid_image");
    }
}
