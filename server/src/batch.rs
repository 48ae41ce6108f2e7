//! Unpacking a batch ZIP into a job's folder, refusing what could hurt the server: too many
//! entries or images, entries (declared or actual) over the size limits, a total that inflates
//! past its limit (ZIP bombs), and names that leave the archive (`../x`, `/etc/x`).
//!
//! Images are recognised by their bytes, not their names; `x.json` beside `x.jpg` is that
//! image's application data (the sidecar convention). Other entries are skipped and listed.
//! Entries are stored under numbered names, never under the names in the archive.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Component, Path};

use ttb_verifier::api::SkippedEntry;
use ttb_verifier::application::Application;

use crate::error::AppError;
use crate::store::NewImage;
use crate::upload;

/// Largest sidecar JSON.
const MAX_SIDECAR: u64 = 256 * 1024;

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most images.
    pub max_images: usize,
    /// Largest image, inflated.
    pub max_image_bytes: u64,
    /// Most bytes all entries may inflate to.
    pub max_total_bytes: u64,
}

impl Limits {
    /// Most entries of any kind: an image and its sidecar each, plus room for folders.
    fn max_entries(&self) -> usize {
        self.max_images.saturating_mul(2).saturating_add(32)
    }
}

#[derive(Debug)]
pub struct Unpacked {
    pub images: Vec<NewImage>,
    pub skipped: Vec<SkippedEntry>,
}

struct Entry {
    index: usize,
    name: String,
    sidecar: bool,
}

/// Unpacks the ZIP at `zip_path` into `jobs_dir/job_id/`. On error the caller removes that
/// folder.
pub fn unpack(zip_path: &Path, jobs_dir: &Path, job_id: &str, limits: Limits) -> Result<Unpacked, AppError> {
    let file = std::fs::File::open(zip_path).map_err(AppError::internal)?;
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| {
        AppError::bad_request("invalid_zip", format!("The batch file is not a readable ZIP archive: {e}"))
    })?;
    if archive.len() > limits.max_entries() {
        return Err(AppError::too_large(
            "batch_too_large",
            format!("The ZIP has {} entries; at most {} are accepted", archive.len(), limits.max_entries()),
        ));
    }

    // First pass, on the central directory only: names and declared sizes.
    let mut entries = Vec::new();
    let mut skipped = Vec::new();
    let mut declared_total = 0u64;
    for index in 0..archive.len() {
        let entry = archive.by_index(index).map_err(|e| unreadable(&format!("#{index}"), &e))?;
        let name = entry.name().map_err(|e| unreadable(&format!("#{index}"), &e))?.into_owned();
        if !is_enclosed(&name) || entry.enclosed_name().is_none() {
            return Err(AppError::bad_request(
                "unsafe_zip_entry",
                format!("The ZIP entry {name:?} points outside the archive (absolute or `..` path)"),
            ));
        }
        if entry.is_dir() {
            continue;
        }
        if entry.is_symlink() {
            skipped.push(skip(&name, "a symbolic link"));
            continue;
        }
        if is_hidden(&name) {
            skipped.push(skip(&name, "a hidden or system file"));
            continue;
        }
        let sidecar = name.to_ascii_lowercase().ends_with(".json");
        let limit = if sidecar { MAX_SIDECAR } else { limits.max_image_bytes };
        if entry.size() > limit {
            return Err(entry_too_large(&name, entry.size(), limit));
        }
        declared_total = declared_total.saturating_add(entry.size());
        if declared_total > limits.max_total_bytes {
            return Err(total_too_large(limits.max_total_bytes));
        }
        entries.push(Entry { index, name, sidecar });
    }

    // Second pass: inflate each entry, never trusting the declared sizes.
    let job_dir = jobs_dir.join(job_id);
    std::fs::create_dir_all(&job_dir).map_err(AppError::internal)?;
    let mut total = 0u64;
    let mut sidecars: HashMap<String, (String, String)> = HashMap::new();
    let mut images: Vec<(String, String)> = Vec::new();
    for entry in &entries {
        let limit = if entry.sidecar { MAX_SIDECAR } else { limits.max_image_bytes };
        let mut bytes = Vec::new();
        archive
            .by_index(entry.index)
            .and_then(|file| file.take(limit + 1).read_to_end(&mut bytes).map_err(zip::result::ZipError::from))
            .map_err(|e| unreadable(&entry.name, &e))?;
        if bytes.len() as u64 > limit {
            return Err(entry_too_large(&entry.name, bytes.len() as u64, limit));
        }
        total += bytes.len() as u64;
        if total > limits.max_total_bytes {
            return Err(total_too_large(limits.max_total_bytes));
        }
        if entry.sidecar {
            let text = String::from_utf8(bytes).map_err(|_| {
                AppError::bad_request(
                    "invalid_application",
                    format!("The ZIP entry {:?} is not UTF-8 text", entry.name),
                )
            })?;
            Application::from_json(&text).map_err(|e| {
                AppError::bad_request("invalid_application", format!("The ZIP entry {:?}: {e}", entry.name))
            })?;
            sidecars.insert(stem(&entry.name).to_string(), (entry.name.clone(), text));
            continue;
        }
        let Some(format) = upload::sniff(&bytes) else {
            skipped.push(skip(&entry.name, "not an image the verifier reads"));
            continue;
        };
        if images.len() == limits.max_images {
            return Err(AppError::too_large(
                "batch_too_large",
                format!("The ZIP holds more than {} images, the most one batch accepts", limits.max_images),
            ));
        }
        let file = format!("{job_id}/{}.{}", images.len(), upload::extension(format));
        std::fs::write(jobs_dir.join(&file), &bytes).map_err(AppError::internal)?;
        images.push((entry.name.clone(), file));
    }
    if images.is_empty() {
        return Err(AppError::bad_request(
            "empty_batch",
            "The ZIP holds no images the verifier reads (JPEG, PNG, WebP, TIFF, BMP, GIF)",
        ));
    }

    let images: Vec<NewImage> = images
        .into_iter()
        .map(|(name, file)| {
            let application = sidecars.remove(stem(&name)).map(|(_, text)| text);
            NewImage { name, file, application }
        })
        .collect();
    let mut unpaired: Vec<_> = sidecars.into_values().map(|(name, _)| name).collect();
    unpaired.sort();
    skipped.extend(unpaired.iter().map(|name| skip(name, "a sidecar with no image of the same name")));
    Ok(Unpacked { images, skipped })
}

/// No absolute path, drive prefix or `..` component, with either slash.
fn is_enclosed(name: &str) -> bool {
    let unix = name.replace('\\', "/");
    !unix.starts_with('/')
        && !unix.contains('\0')
        && Path::new(&unix).components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
        && !unix.split('/').next().is_some_and(|first| first.len() == 2 && first.ends_with(':'))
}

fn is_hidden(name: &str) -> bool {
    name.split(['/', '\\']).any(|part| part.starts_with('.') || part == "__MACOSX")
}

/// The entry's path without its extension: `labels/x.jpg` -> `labels/x`.
fn stem(name: &str) -> &str {
    match name.rfind('.') {
        Some(dot) if !name[dot..].contains(['/', '\\']) => &name[..dot],
        _ => name,
    }
}

fn skip(name: &str, reason: &str) -> SkippedEntry {
    SkippedEntry { name: name.to_string(), reason: reason.to_string() }
}

fn unreadable(name: &str, error: &zip::result::ZipError) -> AppError {
    AppError::bad_request("invalid_zip", format!("The ZIP entry {name:?} could not be read: {error}"))
}

fn entry_too_large(name: &str, size: u64, limit: u64) -> AppError {
    AppError::too_large(
        "batch_too_large",
        format!("The ZIP entry {name:?} inflates to {size} bytes; the limit for one entry is {limit} bytes"),
    )
}

fn total_too_large(limit: u64) -> AppError {
    AppError::too_large(
        "batch_too_large",
        format!("The ZIP inflates to more than {limit} bytes, the limit for one batch"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_must_stay_inside() {
        assert!(is_enclosed("labels/x.jpg"));
        assert!(is_enclosed("./x.jpg"));
        assert!(!is_enclosed("../evil.jpg"));
        assert!(!is_enclosed("a/../../evil.jpg"));
        assert!(!is_enclosed("a/../b.jpg"));
        assert!(!is_enclosed("/etc/passwd"));
        assert!(!is_enclosed("..\\evil.jpg"));
        assert!(!is_enclosed("C:/evil.jpg"));
    }

    #[test]
    fn stems_pair_sidecars() {
        assert_eq!(stem("labels/x.jpg"), "labels/x");
        assert_eq!(stem("labels/x.json"), "labels/x");
        assert_eq!(stem("labels.v2/x"), "labels.v2/x");
        assert!(is_hidden("__MACOSX/._x.jpg"));
        assert!(is_hidden(".DS_Store"));
        assert!(!is_hidden("labels/x.jpg"));
    }
}
