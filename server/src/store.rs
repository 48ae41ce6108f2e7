//! The job store: async and batch jobs, their images and reports, in SQLite under the data
//! directory, so that a restart loses no job. Uploaded files live beside it (`jobs/<id>/`); the
//! database holds their paths relative to the jobs folder.
//!
//! The connection sits behind a mutex and every call runs on tokio's blocking pool
//! ([`Store::call`]): queries are short, and the async executor never waits on the disk.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::{Connection, OptionalExtension, params};
use ttb_verifier::api::{JobStatus, SkippedEntry};
use ttb_verifier::report::{Report, Status};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("job database: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("job database task stopped: {0}")]
    Task(String),
}

#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
}

/// One label of a job, as uploaded.
#[derive(Debug, Clone)]
pub struct NewImage {
    /// The name reports give it (the upload's file name, or the ZIP entry's path).
    pub name: String,
    /// Path of the stored file, relative to the jobs folder.
    pub file: String,
    /// Application data as the JSON text received (parsed again when the label is verified).
    pub application: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// `/verify/async`: one label.
    Single,
    /// `/verify/batch`: the images of a ZIP.
    Batch,
}

impl JobKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Single => "single",
            Self::Batch => "batch",
        }
    }

    fn parse(text: &str) -> Self {
        if text == "batch" { Self::Batch } else { Self::Single }
    }
}

#[derive(Debug, Clone)]
pub struct NewJob {
    pub id: String,
    pub kind: JobKind,
    pub backend: String,
    pub images: Vec<NewImage>,
    pub skipped: Vec<SkippedEntry>,
}

/// A job as stored.
#[derive(Debug, Clone)]
pub struct JobRow {
    pub id: String,
    pub kind: JobKind,
    pub status: JobStatus,
    pub backend: String,
    pub total_images: usize,
    pub processed_images: usize,
    pub created_at: i64,
    pub updated_at: i64,
    pub error: Option<String>,
    pub attempts: u32,
    pub skipped: Vec<SkippedEntry>,
}

/// One image of a job, with its report once verified.
#[derive(Debug, Clone)]
pub struct ImageRow {
    pub idx: i64,
    pub name: String,
    pub file: String,
    pub application: Option<String>,
    pub report: Option<Report>,
}

/// What asking to cancel or retry a job did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Done,
    NotFound,
    /// The job's status does not allow it.
    Refused(JobStatus),
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS jobs (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    status       TEXT NOT NULL,
    backend      TEXT NOT NULL,
    total_images INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    error        TEXT,
    attempts     INTEGER NOT NULL DEFAULT 0,
    skipped      TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS jobs_by_status ON jobs (status, created_at);
CREATE TABLE IF NOT EXISTS job_images (
    job_id        TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    idx           INTEGER NOT NULL,
    name          TEXT NOT NULL,
    file          TEXT NOT NULL,
    application   TEXT,
    report        TEXT,
    report_status TEXT,
    PRIMARY KEY (job_id, idx)
);
";

/// Unix seconds now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

impl Store {
    /// Opens (creating if need be) the database at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        // WAL: readers do not wait for the writer; NORMAL sync is durable across a process crash.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(SCHEMA)?;
        Ok(Self { conn: Arc::new(Mutex::new(conn)) })
    }

    /// Runs `f` on the connection on the blocking pool.
    pub async fn call<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().unwrap_or_else(PoisonError::into_inner);
            f(&mut guard)
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))?
        .map_err(StoreError::from)
    }
}

pub fn insert_job(conn: &mut Connection, job: &NewJob) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    let at = now();
    let skipped = serde_json::to_string(&job.skipped).unwrap_or_else(|_| "[]".into());
    tx.execute(
        "INSERT INTO jobs (id, kind, status, backend, total_images, created_at, updated_at, skipped)
         VALUES (?1, ?2, 'pending', ?3, ?4, ?5, ?5, ?6)",
        params![job.id, job.kind.as_str(), job.backend, job.images.len() as i64, at, skipped],
    )?;
    for (idx, image) in job.images.iter().enumerate() {
        tx.execute(
            "INSERT INTO job_images (job_id, idx, name, file, application) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![job.id, idx as i64, image.name, image.file, image.application],
        )?;
    }
    tx.commit()
}

fn status_of(text: &str) -> JobStatus {
    // Only this module writes the column; an unknown value would be a damaged database.
    JobStatus::parse(text).unwrap_or(JobStatus::Failed)
}

pub fn job(conn: &Connection, id: &str) -> rusqlite::Result<Option<JobRow>> {
    conn.query_row(
        "SELECT id, kind, status, backend, total_images, created_at, updated_at, error, attempts, skipped,
                (SELECT COUNT(*) FROM job_images WHERE job_id = jobs.id AND report IS NOT NULL)
         FROM jobs WHERE id = ?1",
        params![id],
        |row| {
            let skipped: String = row.get(9)?;
            Ok(JobRow {
                id: row.get(0)?,
                kind: JobKind::parse(&row.get::<_, String>(1)?),
                status: status_of(&row.get::<_, String>(2)?),
                backend: row.get(3)?,
                total_images: usize::try_from(row.get::<_, i64>(4)?).unwrap_or(0),
                created_at: row.get(5)?,
                updated_at: row.get(6)?,
                error: row.get(7)?,
                attempts: u32::try_from(row.get::<_, i64>(8)?).unwrap_or(0),
                skipped: serde_json::from_str(&skipped).unwrap_or_default(),
                processed_images: usize::try_from(row.get::<_, i64>(10)?).unwrap_or(0),
            })
        },
    )
    .optional()
}

/// The job's images in order; with `only_unread`, those without a report yet.
pub fn images(conn: &Connection, id: &str, only_unread: bool) -> rusqlite::Result<Vec<ImageRow>> {
    let sql = if only_unread {
        "SELECT idx, name, file, application, report FROM job_images WHERE job_id = ?1 AND report IS NULL ORDER BY idx"
    } else {
        "SELECT idx, name, file, application, report FROM job_images WHERE job_id = ?1 ORDER BY idx"
    };
    let mut statement = conn.prepare(sql)?;
    let rows = statement.query_map(params![id], |row| {
        let report: Option<String> = row.get(4)?;
        Ok(ImageRow {
            idx: row.get(0)?,
            name: row.get(1)?,
            file: row.get(2)?,
            application: row.get(3)?,
            report: report.and_then(|r| serde_json::from_str(&r).ok()),
        })
    })?;
    rows.collect()
}

/// Takes the oldest pending job of `backend` (`tesseract`, `ollama`) for processing.
pub fn claim_next(conn: &mut Connection, backend: &str) -> rusqlite::Result<Option<String>> {
    let tx = conn.transaction()?;
    let id: Option<String> = tx
        .query_row(
            "SELECT id FROM jobs WHERE status = 'pending' AND backend = ?1 ORDER BY created_at, rowid LIMIT 1",
            params![backend],
            |row| row.get(0),
        )
        .optional()?;
    if let Some(id) = &id {
        tx.execute(
            "UPDATE jobs SET status = 'processing', attempts = attempts + 1, updated_at = ?2 WHERE id = ?1",
            params![id, now()],
        )?;
    }
    tx.commit()?;
    Ok(id)
}

pub fn status(conn: &Connection, id: &str) -> rusqlite::Result<Option<JobStatus>> {
    conn.query_row("SELECT status FROM jobs WHERE id = ?1", params![id], |row| row.get::<_, String>(0))
        .optional()
        .map(|s| s.map(|s| status_of(&s)))
}

pub fn save_report(conn: &Connection, id: &str, idx: i64, report: &Report) -> rusqlite::Result<()> {
    let json = serde_json::to_string(report).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    conn.execute(
        "UPDATE job_images SET report = ?3, report_status = ?4 WHERE job_id = ?1 AND idx = ?2",
        params![id, idx, json, report.status.as_str()],
    )?;
    conn.execute("UPDATE jobs SET updated_at = ?2 WHERE id = ?1", params![id, now()])?;
    Ok(())
}

/// Ends a processed job: `failed` when no image could be read (the first error says why),
/// `completed` otherwise. A job cancelled meanwhile stays cancelled.
pub fn finish(conn: &mut Connection, id: &str) -> rusqlite::Result<Option<JobStatus>> {
    let tx = conn.transaction()?;
    let (total, read, errors): (i64, i64, i64) = tx.query_row(
        "SELECT COUNT(*), COUNT(report), COALESCE(SUM(report_status = ?2), 0) FROM job_images WHERE job_id = ?1",
        params![id, Status::Error.as_str()],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;
    let first_error: Option<String> = tx
        .query_row(
            "SELECT report FROM job_images WHERE job_id = ?1 AND report_status = ?2 ORDER BY idx LIMIT 1",
            params![id, Status::Error.as_str()],
            |row| row.get::<_, String>(0),
        )
        .optional()?
        .and_then(|r| serde_json::from_str::<Report>(&r).ok())
        .and_then(|r| r.error);
    let (status, error) = if read < total {
        (JobStatus::Failed, Some(format!("{} of {total} images were not verified", total - read)))
    } else if total > 0 && errors == total {
        (JobStatus::Failed, first_error)
    } else {
        (JobStatus::Completed, None)
    };
    let at = now();
    let changed = tx.execute(
        "UPDATE jobs SET status = ?2, error = ?3, updated_at = ?4, finished_at = ?4 WHERE id = ?1 AND status = 'processing'",
        params![id, status.as_str(), error, at],
    )?;
    tx.commit()?;
    Ok((changed > 0).then_some(status))
}

/// Cancels a pending or processing job; cancelling a cancelled job is a no-op.
pub fn cancel(conn: &Connection, id: &str) -> rusqlite::Result<Transition> {
    match status(conn, id)? {
        None => Ok(Transition::NotFound),
        Some(JobStatus::Cancelled) => Ok(Transition::Done),
        Some(JobStatus::Pending | JobStatus::Processing) => {
            let at = now();
            conn.execute(
                "UPDATE jobs SET status = 'cancelled', updated_at = ?2, finished_at = ?2 WHERE id = ?1",
                params![id, at],
            )?;
            Ok(Transition::Done)
        }
        Some(other) => Ok(Transition::Refused(other)),
    }
}

/// Puts a failed job back in line; the images that could not be read are read again.
pub fn retry(conn: &mut Connection, id: &str) -> rusqlite::Result<Transition> {
    let tx = conn.transaction()?;
    let outcome = match status(&tx, id)? {
        None => Transition::NotFound,
        Some(JobStatus::Failed) => {
            tx.execute(
                "UPDATE job_images SET report = NULL, report_status = NULL WHERE job_id = ?1 AND report_status = ?2",
                params![id, Status::Error.as_str()],
            )?;
            tx.execute(
                "UPDATE jobs SET status = 'pending', error = NULL, finished_at = NULL, updated_at = ?2 WHERE id = ?1",
                params![id, now()],
            )?;
            Transition::Done
        }
        Some(other) => Transition::Refused(other),
    };
    tx.commit()?;
    Ok(outcome)
}

/// After a restart: jobs that were being processed go back in line (their finished images
/// keep their reports).
pub fn requeue_interrupted(conn: &Connection) -> rusqlite::Result<usize> {
    conn.execute("UPDATE jobs SET status = 'pending', updated_at = ?1 WHERE status = 'processing'", params![now()])
}

/// Jobs waiting or being processed.
pub fn count_unfinished(conn: &Connection) -> rusqlite::Result<usize> {
    conn.query_row("SELECT COUNT(*) FROM jobs WHERE status IN ('pending', 'processing')", [], |row| {
        row.get::<_, i64>(0)
    })
    .map(|n| usize::try_from(n).unwrap_or(0))
}

/// Removes the jobs that finished before `cutoff` (unix seconds); returns their ids.
pub fn remove_finished_before(conn: &mut Connection, cutoff: i64) -> rusqlite::Result<Vec<String>> {
    let tx = conn.transaction()?;
    let ids: Vec<String> = {
        let mut statement = tx
            .prepare("SELECT id FROM jobs WHERE status IN ('completed', 'failed', 'cancelled') AND finished_at < ?1")?;
        let rows = statement.query_map(params![cutoff], |row| row.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for id in &ids {
        tx.execute("DELETE FROM jobs WHERE id = ?1", params![id])?;
    }
    tx.commit()?;
    Ok(ids)
}

/// Whether a job with this id exists.
pub fn exists(conn: &Connection, id: &str) -> rusqlite::Result<bool> {
    conn.query_row("SELECT EXISTS (SELECT 1 FROM jobs WHERE id = ?1)", params![id], |row| row.get(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let _ = Store::open(&dir.path().join("jobs.sqlite3")).unwrap();
        let conn = Connection::open(dir.path().join("jobs.sqlite3")).unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        (dir, conn)
    }

    fn new_job(id: &str, images: usize) -> NewJob {
        NewJob {
            id: id.into(),
            kind: JobKind::Batch,
            backend: "tesseract".into(),
            images: (0..images)
                .map(|i| NewImage { name: format!("l{i}.jpg"), file: format!("{id}/{i}.jpg"), application: None })
                .collect(),
            skipped: vec![SkippedEntry { name: "notes.txt".into(), reason: "not an image".into() }],
        }
    }

    #[test]
    fn job_life_cycle() {
        let (_dir, mut conn) = store();
        insert_job(&mut conn, &new_job("a", 2)).unwrap();
        let row = job(&conn, "a").unwrap().unwrap();
        assert_eq!((row.status, row.total_images, row.processed_images), (JobStatus::Pending, 2, 0));
        assert_eq!(row.skipped.len(), 1);

        assert_eq!(claim_next(&mut conn, "ollama").unwrap(), None, "each backend has its own line");
        assert_eq!(claim_next(&mut conn, "tesseract").unwrap().as_deref(), Some("a"));
        assert_eq!(claim_next(&mut conn, "tesseract").unwrap(), None);
        save_report(&conn, "a", 0, &Report::error("l0.jpg", "tesseract", "unreadable")).unwrap();
        assert_eq!(images(&conn, "a", true).unwrap().len(), 1);

        // Interrupted: back in line, the finished image kept.
        assert_eq!(requeue_interrupted(&conn).unwrap(), 1);
        assert_eq!(claim_next(&mut conn, "tesseract").unwrap().as_deref(), Some("a"));
        save_report(&conn, "a", 1, &Report::error("l1.jpg", "tesseract", "unreadable too")).unwrap();
        assert_eq!(finish(&mut conn, "a").unwrap(), Some(JobStatus::Failed));
        let row = job(&conn, "a").unwrap().unwrap();
        assert_eq!(row.error.as_deref(), Some("unreadable"));
        assert_eq!(row.attempts, 2);

        assert_eq!(cancel(&conn, "a").unwrap(), Transition::Refused(JobStatus::Failed));
        assert_eq!(retry(&mut conn, "a").unwrap(), Transition::Done);
        assert_eq!(images(&conn, "a", true).unwrap().len(), 2);
        assert_eq!(retry(&mut conn, "a").unwrap(), Transition::Refused(JobStatus::Pending));
        assert_eq!(cancel(&conn, "a").unwrap(), Transition::Done);
        assert_eq!(cancel(&conn, "a").unwrap(), Transition::Done);
        assert_eq!(cancel(&conn, "nope").unwrap(), Transition::NotFound);

        assert!(remove_finished_before(&mut conn, now() - 60).unwrap().is_empty());
        assert_eq!(remove_finished_before(&mut conn, now() + 1).unwrap(), ["a"]);
        assert!(!exists(&conn, "a").unwrap());
        let orphans: i64 = conn.query_row("SELECT COUNT(*) FROM job_images", [], |r| r.get(0)).unwrap();
        assert_eq!(orphans, 0);
    }
}
