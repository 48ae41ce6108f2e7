//! The batch benchmark: a few hundred labels through the desktop app's batch machinery,
//! headless. The real `VerifierApp` runs frame by frame in an egui context, a frame whenever
//! the app asks for a repaint or input arrives, at most 60 a second, as eframe runs it (each
//! frame laid out and tessellated, as the window would be, without the GPU upload). The labels
//! arrive as a dropped folder; every 0.75 s the reviewer's `j` key moves to the next label, so
//! previews are loaded and shown while the batch runs.
//!
//! Prints labels per minute, the longest frame, and what the app holds in memory. Peak memory of
//! the whole process comes from `/usr/bin/time -v` (see `scripts/bench_batch.sh`, which also
//! times `ttb-verifier verify --jobs 2` on the same images).
//!
//! ```text
//! cargo run --release -p ttb-bench-batch -- --generate-only --dir target/bench-batch
//! cargo run --release -p ttb-bench-batch -- --dir target/bench-batch --workers 2
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use clap::Parser;
use ttb_verifier::gui::{Settings, VerifierApp};

#[derive(Parser)]
struct Args {
    /// Where the labels are made (kept between runs; never committed).
    #[arg(long, default_value = "target/bench-batch")]
    dir: PathBuf,
    /// Labels to make from the samples.
    #[arg(long, default_value_t = 300)]
    labels: usize,
    /// Every this many labels is a 12-megapixel photo (the sample upscaled).
    #[arg(long, default_value_t = 5)]
    photos_every: usize,
    /// Workers the app starts.
    #[arg(long, default_value_t = 2)]
    workers: usize,
    /// Make the labels and stop.
    #[arg(long)]
    generate_only: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let images = generate(&args.dir, args.labels, args.photos_every.max(1))?;
    if args.generate_only {
        println!("{} labels in {}", images, args.dir.display());
        return Ok(());
    }
    run(&args.dir, images, args.workers)
}

/// Makes `count` labels from `test_samples/`: copies, and every `photos_every`-th one upscaled
/// to 12 megapixels, each with its sample's application JSON. Reuses a complete earlier set.
fn generate(dir: &Path, count: usize, photos_every: usize) -> anyhow::Result<usize> {
    let marker = dir.join(format!(".complete-{count}-{photos_every}"));
    if marker.is_file() {
        return Ok(count);
    }
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("cannot clear {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir)?;
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test_samples");
    let mut sources: Vec<PathBuf> = std::fs::read_dir(&samples)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| ttb_verifier::cli::is_image_path(p))
        .collect();
    sources.sort();
    if sources.is_empty() {
        bail!("no sample images in {}", samples.display());
    }
    for i in 0..count {
        let source = &sources[i % sources.len()];
        let stem = source.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let photo = i % photos_every == 0;
        let name = format!("{}{i:03}_{stem}", if photo { "photo" } else { "label" });
        if photo {
            let image = image::open(source)?;
            let scale = (12.0e6 / f64::from(image.width() * image.height())).sqrt();
            let (w, h) = ((f64::from(image.width()) * scale) as u32, (f64::from(image.height()) * scale) as u32);
            let big = image.resize_exact(w, h, image::imageops::FilterType::Triangle).to_rgb8();
            let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join(format!("{name}.jpg")))?);
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90).encode_image(&big)?;
        } else {
            let ext = source.extension().map(|e| e.to_string_lossy().into_owned()).unwrap_or_default();
            std::fs::copy(source, dir.join(format!("{name}.{ext}")))?;
        }
        let sidecar = source.with_extension("json");
        if sidecar.is_file() {
            std::fs::copy(&sidecar, dir.join(format!("{name}.json")))?;
        }
    }
    std::fs::write(&marker, b"")?;
    Ok(count)
}

/// A folder dropped onto the window.
#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        Err("a folder".into())
    }
}

fn key(key: egui::Key, pressed: bool) -> egui::Event {
    egui::Event::Key { key, physical_key: None, pressed, repeat: false, modifiers: egui::Modifiers::NONE }
}

fn run(dir: &Path, expected: usize, workers: usize) -> anyhow::Result<()> {
    let data = tempfile::tempdir()?;
    let settings = Settings { workers, ..Settings::default() };
    let mut app = VerifierApp::with_data_dir(settings, data.path());
    let ctx = egui::Context::default();
    let screen = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1400.0, 880.0));
    let frame_interval = Duration::from_micros(16_667);
    let dir = std::fs::canonicalize(dir)?;

    let mut frames: Vec<(Duration, usize)> = Vec::new();
    let started = Instant::now();
    let mut next_frame = started;
    let mut frame = 0usize;
    let deadline = started + Duration::from_secs(3600);
    let key_every = Duration::from_millis(750);
    let mut next_key = started + key_every;
    loop {
        // As eframe does: a frame when the app asked for one (a worker's event, an animation)
        // or input arrives, at most 60 a second.
        let now = Instant::now();
        let key_due = now >= next_key;
        if frame > 0 && !key_due && !ctx.has_requested_repaint() {
            std::thread::sleep(Duration::from_millis(2));
            continue;
        }
        if let Some(wait) = next_frame.checked_duration_since(now) {
            std::thread::sleep(wait);
        }
        let mut input = egui::RawInput { screen_rect: Some(screen), ..Default::default() };
        input.time = Some(started.elapsed().as_secs_f64());
        if frame == 0 {
            input.dropped_files.push(Arc::new(Dropped(dir.clone())));
        }
        if key_due {
            input.events.push(key(egui::Key::J, true));
            input.events.push(key(egui::Key::J, false));
            next_key += key_every;
        }
        let t0 = Instant::now();
        let output = ctx.run_ui(input, |ui| app.root_ui(ui));
        let primitives = ctx.tessellate(output.shapes, output.pixels_per_point);
        let took = t0.elapsed();
        drop(primitives);
        frames.push((took, app.labels().len()));
        frame += 1;
        next_frame = t0 + frame_interval;
        if frame > 10 && !app.is_busy() && app.labels().len() >= expected {
            break;
        }
        if Instant::now() > deadline {
            bail!("the batch did not finish within an hour");
        }
    }
    let elapsed = started.elapsed();
    let labels = app.labels();
    let errors = labels.iter().filter(|l| l.report().is_none_or(|r| r.error.is_some())).count();
    let mut times: Vec<Duration> = frames.iter().map(|(d, _)| *d).collect();
    times.sort();
    let (longest_index, (longest, _)) = frames
        .iter()
        .enumerate()
        .max_by_key(|(_, (d, _))| *d)
        .map(|(i, f)| (i, *f))
        .unwrap_or((0, (Duration::ZERO, 0)));
    let percentile = |p: f64| times[((times.len() as f64 - 1.0) * p) as usize];
    let over = |ms: u64| times.iter().filter(|d| **d > Duration::from_millis(ms)).count();
    let held = app.memory_held();
    let mib = |b: usize| b as f64 / (1024.0 * 1024.0);
    println!("labels: {} ({errors} could not be verified), workers: {workers}", labels.len());
    println!(
        "wall time: {:.1} s; throughput: {:.1} labels per minute",
        elapsed.as_secs_f64(),
        labels.len() as f64 * 60.0 / elapsed.as_secs_f64()
    );
    println!(
        "frames: {}; longest {:.1} ms (frame {longest_index}); p99 {:.1} ms; median {:.1} ms; over 16 ms: {}; over 50 ms: {}",
        times.len(),
        longest.as_secs_f64() * 1e3,
        percentile(0.99).as_secs_f64() * 1e3,
        percentile(0.5).as_secs_f64() * 1e3,
        over(16),
        over(50)
    );
    println!(
        "held at the end: OCR readings {:.1} MiB ({} labels, {:.2} MiB each), thumbnails {:.1} MiB (+{:.1} MiB as textures), preview {:.1} MiB",
        mib(held.readings),
        held.readings_count,
        mib(held.readings) / held.readings_count.max(1) as f64,
        mib(held.thumbnails),
        mib(held.thumbnail_textures),
        mib(held.preview)
    );
    if let Some(peak) = peak_rss_kib() {
        println!("peak resident memory (VmHWM): {:.0} MiB", peak as f64 / 1024.0);
    }
    drop(app);
    Ok(())
}

/// The process's peak resident set, from /proc (Linux).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
