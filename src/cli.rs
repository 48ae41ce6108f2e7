//! The command line: `ttb-verifier [IMAGE...]` opens the app, `ttb-verifier verify ...` checks
//! labels headless (shared CONTRACTS, "Command line"). Results go to standard output, progress
//! to standard error.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::application::{Application, Manifest};
use crate::ocr::Backend;
use crate::ollama::{self, OllamaConfig, OllamaError, SharedConfig};
use crate::pool::{Event, Job, Mode, Pool};
use crate::remote::{RemoteClient, RemoteConfig};
use crate::report::{Outcome, Report, Status};

#[derive(Debug, Parser)]
#[command(
    name = "ttb-verifier",
    version,
    about = "Checks alcohol beverage label images against their application data and 27 CFR"
)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Label images to queue in the desktop app.
    pub images: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Verify label images without opening a window.
    Verify(VerifyArgs),
    /// Measure the verifier on a folder of labels with known outcomes (a manifest.json).
    Eval(crate::eval::EvalArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Image files or folders (folders: every image inside, recursively).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Application data (JSON) for a single image.
    #[arg(long, value_name = "FILE", conflicts_with = "manifest")]
    pub application: Option<PathBuf>,
    /// CSV of application data for many images (a `file` column, one column per key).
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// OCR backend: tesseract or ollama.
    #[arg(long, value_name = "NAME", default_value = "tesseract")]
    pub backend: String,
    /// Ollama's address for `--backend ollama` [default: OLLAMA_HOST, else http://localhost:11434].
    #[arg(long, value_name = "URL")]
    pub ollama_host: Option<String>,
    /// The vision model for `--backend ollama` [default: OLLAMA_MODEL, else llama3.2-vision].
    #[arg(long, value_name = "NAME")]
    pub ollama_model: Option<String>,
    /// With `--backend ollama`: read a label with Tesseract when Ollama cannot (the report says
    /// so), instead of reporting an error.
    #[arg(long)]
    pub fallback: bool,
    /// Verify on a remote ttb-verifier server instead of locally (token, if the server needs
    /// one, from the TTB_API_TOKEN environment variable).
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// Output format: text for people, json for programs (one JSON array of reports).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Labels verified at once (default: number of cores).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
}

/// Exit status of `verify`.
pub const EXIT_COMPLIANT: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

/// How long `verify --server` waits for a busy or unreachable server before it gives a label up.
const REMOTE_PATIENCE: std::time::Duration = std::time::Duration::from_secs(120);

const IMAGE_EXTENSIONS: [&str; 8] = ["jpg", "jpeg", "png", "webp", "tif", "tiff", "bmp", "gif"];

/// Whether a path names an image by its extension.
pub fn is_image_path(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| IMAGE_EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

/// What [`collect_images`] found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Collected {
    /// The images, in the order given (each folder's sorted).
    pub images: Vec<PathBuf>,
    /// Paths that do not exist and folders that cannot be read, each said in a sentence.
    pub problems: Vec<String>,
    /// Files inside the folders that are not images by their name, such as a PDF (sidecars,
    /// manifests and hidden files are not counted).
    pub not_images: Vec<PathBuf>,
}

/// Expands folders to the images inside them (sorted, recursively); files are kept as given,
/// whatever their type, so a wrong file gets a report saying so rather than vanishing. A path
/// that cannot be used is a problem of its own; the others are still collected.
pub fn collect_images(paths: &[PathBuf]) -> Collected {
    let mut out = Collected::default();
    for path in paths {
        if path.is_dir() {
            let (mut found, mut others) = (Vec::new(), Vec::new());
            match walk(path, &mut found, &mut others) {
                Ok(()) => {
                    found.sort();
                    out.images.extend(found);
                    others.sort();
                    out.not_images.extend(others);
                }
                Err(e) => out.problems.push(format!("cannot read folder {}: {e}", path.display())),
            }
        } else if path.exists() {
            out.images.push(path.clone());
        } else {
            out.problems.push(format!("{} does not exist", path.display()));
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, others: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out, others)?;
        } else if is_image_path(&path) {
            out.push(path);
        } else if !goes_without_saying(&path) {
            others.push(path);
        }
    }
    Ok(())
}

/// A sentence naming the files in the folders that were not taken as images.
pub fn skipped_note(files: &[PathBuf]) -> String {
    let shown: Vec<String> = files.iter().take(3).map(|p| p.display().to_string()).collect();
    let more = match files.len() - shown.len() {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    let what = match files.len() {
        1 => "1 file in the folders is not an image and was".to_string(),
        n => format!("{n} files in the folders are not images and were"),
    };
    format!("{what} skipped: {}{more}", shown.join(", "))
}

/// Files expected beside label images (sidecar JSON, a CSV manifest, notes) and hidden files: not
/// worth a word when a folder is read.
fn goes_without_saying(path: &Path) -> bool {
    let hidden = path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.'));
    let data = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["json", "csv", "md", "txt"].iter().any(|x| x.eq_ignore_ascii_case(e)));
    hidden || data
}

/// Where a label's application data comes from.
enum Source {
    One(Application),
    Manifest(Manifest),
    Sidecars,
}

impl Source {
    /// The application for one image; an unreadable sidecar is that label's error.
    fn for_image(&self, image: &Path) -> Result<Option<Application>, String> {
        match self {
            Source::One(app) => Ok(Some(app.clone())),
            Source::Manifest(m) => Ok(m.lookup(image).cloned()),
            Source::Sidecars => Application::sidecar_for(image).map_err(|e| e.to_string()),
        }
    }
}

fn usage_error(message: &str) -> u8 {
    eprintln!("error: {message}");
    EXIT_ERROR
}

/// Runs `verify`; returns the process exit status.
pub fn run_verify(args: &VerifyArgs) -> u8 {
    let Some(backend) = Backend::parse(&args.backend) else {
        return usage_error(&format!("unknown backend {:?}: use tesseract or ollama", args.backend));
    };
    let mode = match &args.server {
        None if backend == Backend::Ollama => match ollama_mode(args) {
            Ok(mode) => mode,
            Err(message) => return usage_error(&message),
        },
        None => Mode::Local(backend),
        Some(url) => {
            let token = std::env::var("TTB_API_TOKEN").ok().filter(|t| !t.trim().is_empty());
            match RemoteClient::new(RemoteConfig { base_url: url.clone(), token }) {
                Ok(client) => Mode::Remote { client: Arc::new(client), backend },
                Err(e) => return usage_error(&e.to_string()),
            }
        }
    };
    let collected = collect_images(&args.paths);
    if let Some(problem) = collected.problems.first() {
        return usage_error(problem);
    }
    if !collected.not_images.is_empty() {
        eprintln!("{}", skipped_note(&collected.not_images));
    }
    let images = collected.images;
    if images.is_empty() {
        return usage_error("no images found in the given paths");
    }
    let source = if let Some(path) = &args.application {
        if images.len() != 1 {
            return usage_error(
                "--application is for a single image; use --manifest or sidecar JSON files for several",
            );
        }
        match Application::from_path(path) {
            Ok(app) => Source::One(app),
            Err(e) => return usage_error(&e.to_string()),
        }
    } else if let Some(path) = &args.manifest {
        match Manifest::from_path(path) {
            Ok(m) => Source::Manifest(m),
            Err(e) => return usage_error(&e.to_string()),
        }
    } else {
        Source::Sidecars
    };

    let reports = verify_all(&images, &source, mode, args.jobs);
    let mut stdout = std::io::stdout().lock();
    let written = match args.format {
        Format::Json => serde_json::to_writer_pretty(&mut stdout, &reports)
            .map_err(std::io::Error::other)
            .and_then(|()| writeln!(stdout)),
        Format::Text => write_text(&mut stdout, &reports),
    };
    if let Err(e) = written {
        eprintln!("error: cannot write the results: {e}");
        return EXIT_ERROR;
    }
    exit_status(&reports)
}

/// Ollama's settings from the environment and the flags, checked against the server before any
/// label is sent: an unreachable Ollama or a missing model stops the run (exit 2) unless
/// `--fallback` lets Tesseract read the labels instead.
fn ollama_mode(args: &VerifyArgs) -> Result<Mode, String> {
    let mut config = OllamaConfig::from_env()?;
    if let Some(host) = &args.ollama_host {
        config.base_url = ollama::normalize_url(host);
    }
    if let Some(model) = &args.ollama_model {
        config.model = model.trim().to_string();
    }
    config.fallback = args.fallback;
    config.validate()?;
    if let Err(error) = ollama::check(&config) {
        let hint = match &error {
            OllamaError::ModelNotFound(model) => format!("pull it with `ollama pull {model}`"),
            OllamaError::Unreachable { .. } => "start Ollama (`ollama serve`) or set OLLAMA_HOST".to_string(),
            _ => "check Ollama's log".to_string(),
        };
        if !config.fallback {
            return Err(format!(
                "{error} (Ollama at {}): {hint}, or pass --fallback to read with Tesseract",
                config.base_url
            ));
        }
        eprintln!(
            "warning: {error} (Ollama at {}); labels Ollama cannot read are read with Tesseract",
            config.base_url
        );
    }
    Ok(Mode::Ollama(SharedConfig::new(config)))
}

fn verify_all(images: &[PathBuf], source: &Source, mode: Mode, jobs: Option<usize>) -> Vec<Report> {
    let labels = images.iter().map(|path| (path.clone(), source.for_image(path))).collect();
    verify_labels(labels, mode, jobs)
}

/// Verifies labels, each an image with its application data (or why that could not be read), on
/// a pool of `jobs` workers (default: the number of cores), printing progress to standard error.
/// The reports come back in the labels' order.
pub(crate) fn verify_labels(
    labels: Vec<(PathBuf, Result<Option<Application>, String>)>,
    mode: Mode,
    jobs: Option<usize>,
) -> Vec<Report> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // One Ollama server reads one label at a time: more requests would only wait in its queue,
    // their time limits running.
    let default_jobs = if matches!(mode, Mode::Ollama(_)) { 1 } else { cores };
    let workers = jobs.unwrap_or(default_jobs).clamp(1, labels.len().max(1));
    let backend = mode.backend();
    let pool = Pool::start_mode(mode, workers, None, Some(REMOTE_PATIENCE));
    let mut slots: BTreeMap<u64, Report> = BTreeMap::new();
    let mut pending = 0usize;
    let total = labels.len();
    for (index, (path, application)) in labels.into_iter().enumerate() {
        let id = index as u64;
        match application {
            Ok(application) => {
                pool.submit(Job::file(id, path, application));
                pending += 1;
            }
            Err(message) => {
                slots.insert(id, Report::error(path.display().to_string(), backend.as_str(), message));
            }
        }
    }
    let mut done = 0;
    for report in slots.values() {
        done += 1;
        progress(done, total, report);
    }
    while pending > 0 {
        match pool.next() {
            Some(Event::Finished { id, result }) => {
                pending -= 1;
                done += 1;
                progress(done, total, &result.report);
                slots.insert(id, result.report);
            }
            Some(Event::Waiting { message, .. }) => eprintln!("waiting: {message}"),
            Some(Event::Started { .. } | Event::Uploading { .. }) => {}
            None => break,
        }
    }
    slots.into_values().collect()
}

fn progress(done: usize, total: usize, report: &Report) {
    eprintln!("[{done}/{total}] {}: {} ({:.2} s)", report.file, report.status, report.processing_time_seconds);
}

/// 0 when every label is compliant, 2 when any could not be read, else 1.
pub fn exit_status(reports: &[Report]) -> u8 {
    if reports.iter().any(|r| r.status == Status::Error) {
        EXIT_ERROR
    } else if reports.iter().all(|r| r.status == Status::Compliant) {
        EXIT_COMPLIANT
    } else {
        EXIT_FINDINGS
    }
}

fn write_text(out: &mut impl Write, reports: &[Report]) -> std::io::Result<()> {
    for report in reports {
        writeln!(out, "{}  {}", report.status, report.file)?;
        if let Some(error) = &report.error {
            writeln!(out, "    error: {error}")?;
        }
        for warning in &report.warnings {
            writeln!(out, "    note   {warning}")?;
        }
        for check in report.checks.iter().filter(|c| c.outcome != Outcome::Pass) {
            writeln!(out, "    {:<6} {}: {}", check.outcome.as_str(), check.field, check.message)?;
        }
    }
    let count = |s: Status| reports.iter().filter(|r| r.status == s).count();
    writeln!(
        out,
        "{} {}: {} compliant, {} not compliant, {} need review, {} could not be read",
        reports.len(),
        if reports.len() == 1 { "label" } else { "labels" },
        count(Status::Compliant),
        count(Status::NonCompliant),
        count(Status::NeedsReview),
        count(Status::Error)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_status_follows_contracts() {
        let mut ok = Report::error("a", "tesseract", "x");
        ok.status = Status::Compliant;
        let mut review = ok.clone();
        review.status = Status::NeedsReview;
        let error = Report::error("b", "tesseract", "x");
        assert_eq!(exit_status(&[ok.clone()]), EXIT_COMPLIANT);
        assert_eq!(exit_status(&[ok.clone(), review.clone()]), EXIT_FINDINGS);
        assert_eq!(exit_status(&[review, error]), EXIT_ERROR);
    }

    #[test]
    fn image_paths_by_extension() {
        assert!(is_image_path(Path::new("a/B.JPG")));
        assert!(is_image_path(Path::new("x.webp")));
        assert!(!is_image_path(Path::new("x.json")));
        assert!(!is_image_path(Path::new("README")));
    }

    #[test]
    fn arguments_parse_as_contracts_say() {
        let cli = Cli::try_parse_from(["ttb-verifier", "verify", "--format", "json", "--jobs", "2", "dir"]).unwrap();
        let Some(Command::Verify(args)) = cli.command else { panic!("not verify") };
        assert_eq!(args.format, Format::Json);
        assert_eq!(args.jobs, Some(2));
        let cli = Cli::try_parse_from(["ttb-verifier", "a.jpg", "b.jpg"]).unwrap();
        assert_eq!(cli.images.len(), 2);
        assert!(Cli::try_parse_from(["ttb-verifier", "verify"]).is_err());
        assert!(Cli::try_parse_from(["ttb-verifier", "verify", "--application", "a", "--manifest", "b", "x"]).is_err());
    }
}
