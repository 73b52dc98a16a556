//! The activity store: every MCP tool call, kept in SQLite (WAL) in the data dir with bounded
//! retention, so the window and `flex-mcp activity` can show what the assistant did.
//!
//! Why a writer thread: the MCP server hands records to a [`Recorder`] on the call path, and a
//! call must never wait on the disk. [`ActivityStore::record`] only pushes onto a bounded channel;
//! one thread owns the write connection, opens the database on the first record (so a server that
//! is started and never called never touches SQLite), writes, and prunes. When the channel is full
//! (the disk stalls for thousands of calls) records are dropped and counted rather than blocking.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::sync::{Mutex, OnceLock};
use std::thread::JoinHandle;

use anyhow::Context as _;
use flex_api::Mode;
use flex_mcp::{Access, CallRecord, Outcome, Recorder};
use rusqlite::{Connection, OptionalExtension as _, params};

use crate::settings::Retention;

/// Records waiting for the writer before new ones are dropped.
const QUEUE_CAPACITY: usize = 4096;

/// Prune after this many inserts (pruning is two indexed deletes; no need to run it per row).
const PRUNE_EVERY: u32 = 200;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS calls (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT NOT NULL UNIQUE,
    started_at     TEXT NOT NULL,
    client_name    TEXT,
    client_version TEXT,
    tool           TEXT NOT NULL,
    access         TEXT,
    mode           TEXT NOT NULL,
    arguments      TEXT NOT NULL,
    outcome        TEXT NOT NULL,
    error_code     TEXT,
    http_status    INTEGER,
    duration_us    INTEGER NOT NULL,
    object_ids     TEXT NOT NULL,
    amounts_cents  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS calls_started_at ON calls(started_at);
";

enum Msg {
    Record(Box<CallRecord>),
    /// Reply once everything queued before this message is on disk.
    Flush(SyncSender<()>),
}

struct Writer {
    tx: SyncSender<Msg>,
    thread: JoinHandle<()>,
}

/// The SQLite activity store. Implements [`Recorder`] (non-blocking) and reads recent records.
pub struct ActivityStore {
    path: PathBuf,
    retention: Retention,
    writer: OnceLock<Mutex<Option<Writer>>>,
    dropped: AtomicU64,
}

impl std::fmt::Debug for ActivityStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActivityStore")
            .field("path", &self.path)
            .field("retention", &self.retention)
            .finish_non_exhaustive()
    }
}

impl ActivityStore {
    /// A store at `path`. Cheap: nothing is opened until the first record or read.
    pub fn new(path: impl Into<PathBuf>, retention: Retention) -> ActivityStore {
        ActivityStore {
            path: path.into(),
            retention,
            writer: OnceLock::new(),
            dropped: AtomicU64::new(0),
        }
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Records dropped because the writer could not keep up (or failed to open the database).
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// The newest `limit` records, newest first. A store that was never written reads as empty.
    pub fn recent(&self, limit: u32) -> anyhow::Result<Vec<CallRecord>> {
        if !self.path.exists() {
            return Ok(Vec::new());
        }
        let conn = Connection::open_with_flags(
            &self.path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .with_context(|| format!("opening activity database {}", self.path.display()))?;
        conn.busy_timeout(std::time::Duration::from_secs(2))?;
        let has_table: Option<i64> = conn
            .query_row(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'calls'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        if has_table.is_none() {
            return Ok(Vec::new());
        }
        // A store written by an older version has no `approval` column: read it as NULL.
        let approval = if has_approval_column(&conn)? {
            "approval"
        } else {
            "NULL"
        };
        let mut stmt = conn.prepare(&format!(
            "SELECT id, started_at, client_name, client_version, tool, access, mode, arguments,
                    outcome, error_code, http_status, duration_us, object_ids, amounts_cents,
                    {approval}
             FROM calls ORDER BY seq DESC LIMIT ?1"
        ))?;
        let rows = stmt.query_map(params![limit], row_to_record)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(
                row.with_context(|| format!("reading activity database {}", self.path.display()))?,
            );
        }
        Ok(out)
    }

    /// Wait until every record handed over so far is written. For tests and for shutdown; the
    /// call path never uses it.
    pub fn flush(&self) {
        let Some(lock) = self.writer.get() else {
            return;
        };
        let tx = match lock.lock() {
            Ok(guard) => guard.as_ref().map(|w| w.tx.clone()),
            Err(_) => None,
        };
        if let Some(tx) = tx {
            let (reply_tx, reply_rx) = std::sync::mpsc::sync_channel(1);
            if tx.send(Msg::Flush(reply_tx)).is_ok() {
                let _ = reply_rx.recv();
            }
        }
    }

    /// Write what is queued and stop the writer thread. Later records start a new writer.
    pub fn close(&self) {
        let Some(lock) = self.writer.get() else {
            return;
        };
        let writer = match lock.lock() {
            Ok(mut guard) => guard.take(),
            Err(_) => None,
        };
        if let Some(Writer { tx, thread }) = writer {
            drop(tx);
            let _ = thread.join();
        }
    }

    fn sender(&self) -> Option<SyncSender<Msg>> {
        let lock = self.writer.get_or_init(|| Mutex::new(None));
        let mut guard = lock.lock().ok()?;
        if guard.is_none() {
            let (tx, rx) = std::sync::mpsc::sync_channel(QUEUE_CAPACITY);
            let path = self.path.clone();
            let retention = self.retention;
            let thread = std::thread::Builder::new()
                .name("flex-activity".into())
                .spawn(move || write_loop(&path, retention, &rx))
                .ok()?;
            *guard = Some(Writer { tx, thread });
        }
        guard.as_ref().map(|w| w.tx.clone())
    }
}

impl Drop for ActivityStore {
    fn drop(&mut self) {
        self.close();
    }
}

impl Recorder for ActivityStore {
    fn record(&self, record: CallRecord) {
        let Some(tx) = self.sender() else {
            self.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        };
        match tx.try_send(Msg::Record(Box::new(record))) {
            Ok(()) => {}
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                let n = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
                if n.is_power_of_two() {
                    tracing::warn!(
                        dropped = n,
                        "activity writer is behind; dropping call records"
                    );
                }
            }
        }
    }
}

/// Open (creating) the database for writing: WAL, user-only directory, schema.
fn open_for_write(path: &Path) -> anyhow::Result<Connection> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating data directory {}", dir.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
        }
    }
    let conn = Connection::open(path)
        .with_context(|| format!("opening activity database {}", path.display()))?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.execute_batch(SCHEMA)
        .context("creating the activity schema")?;
    // Added with approvals on the desktop (issue 7): older stores gain the column in place.
    if !has_approval_column(&conn)? {
        conn.execute_batch("ALTER TABLE calls ADD COLUMN approval TEXT")
            .context("adding the approval column to the activity store")?;
    }
    Ok(conn)
}

fn has_approval_column(conn: &Connection) -> anyhow::Result<bool> {
    let n: i64 = conn.query_row(
        "SELECT COUNT(*) FROM pragma_table_info('calls') WHERE name = 'approval'",
        [],
        |r| r.get(0),
    )?;
    Ok(n > 0)
}

fn write_loop(path: &Path, retention: Retention, rx: &Receiver<Msg>) {
    let mut conn: Option<Connection> = None;
    let mut since_prune = 0u32;
    while let Ok(msg) = rx.recv() {
        match msg {
            Msg::Flush(reply) => {
                let _ = reply.send(());
            }
            Msg::Record(record) => {
                if conn.is_none() {
                    match open_for_write(path) {
                        Ok(c) => {
                            if let Err(e) = prune(&c, retention) {
                                tracing::warn!("pruning activity failed: {e:#}");
                            }
                            conn = Some(c);
                        }
                        Err(e) => {
                            tracing::warn!("activity store unavailable, record lost: {e:#}");
                            continue;
                        }
                    }
                }
                let Some(c) = conn.as_ref() else { continue };
                if let Err(e) = insert(c, &record) {
                    tracing::warn!("writing a call record failed: {e:#}");
                }
                since_prune += 1;
                if since_prune >= PRUNE_EVERY {
                    since_prune = 0;
                    if let Err(e) = prune(c, retention) {
                        tracing::warn!("pruning activity failed: {e:#}");
                    }
                }
            }
        }
    }
    // Sender gone: everything queued has been written. A last prune keeps the bound after short
    // sessions that never reached PRUNE_EVERY.
    if let Some(c) = conn.as_ref()
        && since_prune > 0
        && let Err(e) = prune(c, retention)
    {
        tracing::warn!("pruning activity failed: {e:#}");
    }
}

fn insert(conn: &Connection, r: &CallRecord) -> anyhow::Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO calls (id, started_at, client_name, client_version, tool, access,
             mode, arguments, outcome, error_code, http_status, duration_us, object_ids,
             amounts_cents, approval)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        params![
            r.id,
            r.started_at,
            r.client_name,
            r.client_version,
            r.tool,
            r.access.map(Access::as_str),
            r.mode.as_str(),
            r.arguments.to_string(),
            r.outcome.as_str(),
            r.error_code,
            r.http_status,
            i64::try_from(r.duration_us).unwrap_or(i64::MAX),
            serde_json::to_string(&r.object_ids)?,
            serde_json::to_string(&r.amounts_cents)?,
            r.approval,
        ],
    )?;
    Ok(())
}

/// Enforce retention: drop records older than `max_age_days`, then all but the newest
/// `max_records`. `started_at` is RFC 3339 UTC, so text order is time order.
fn prune(conn: &Connection, retention: Retention) -> anyhow::Result<()> {
    let cutoff = chrono::Utc::now() - chrono::Duration::days(i64::from(retention.max_age_days));
    let cutoff = cutoff.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    conn.execute("DELETE FROM calls WHERE started_at < ?1", params![cutoff])?;
    conn.execute(
        "DELETE FROM calls WHERE seq <= (SELECT seq FROM calls ORDER BY seq DESC LIMIT 1 OFFSET ?1)",
        params![retention.max_records],
    )?;
    Ok(())
}

fn row_to_record(row: &rusqlite::Row<'_>) -> rusqlite::Result<CallRecord> {
    let text = |i: usize| -> rusqlite::Result<String> { row.get(i) };
    let json_err = |i: usize, e: serde_json::Error| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    };
    let access: Option<String> = row.get(5)?;
    let mode: String = text(6)?;
    let outcome: String = text(8)?;
    let arguments = serde_json::from_str(&text(7)?).map_err(|e| json_err(7, e))?;
    let object_ids = serde_json::from_str(&text(12)?).map_err(|e| json_err(12, e))?;
    let amounts_cents = serde_json::from_str(&text(13)?).map_err(|e| json_err(13, e))?;
    let duration: i64 = row.get(11)?;
    Ok(CallRecord {
        id: text(0)?,
        started_at: text(1)?,
        client_name: row.get(2)?,
        client_version: row.get(3)?,
        tool: text(4)?,
        access: access.as_deref().and_then(parse_access),
        mode: mode.parse().unwrap_or(Mode::Test),
        arguments,
        outcome: parse_outcome(&outcome),
        error_code: row.get(9)?,
        http_status: row.get(10)?,
        duration_us: u64::try_from(duration).unwrap_or(0),
        object_ids,
        amounts_cents,
        approval: row.get(14)?,
    })
}

fn parse_access(s: &str) -> Option<Access> {
    match s {
        "read" => Some(Access::Read),
        "write" => Some(Access::Write),
        "destructive" => Some(Access::Destructive),
        _ => None,
    }
}

fn parse_outcome(s: &str) -> Outcome {
    match s {
        "ok" => Outcome::Ok,
        "api_error" => Outcome::ApiError,
        "invalid_arguments" => Outcome::InvalidArguments,
        _ => Outcome::Refused,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(n: u32, started_at: &str) -> CallRecord {
        CallRecord {
            id: format!("rec{n:04}"),
            started_at: started_at.to_string(),
            client_name: Some("test-client".into()),
            client_version: Some("1.0".into()),
            tool: "create_refund".into(),
            access: Some(Access::Destructive),
            mode: Mode::Live,
            arguments: json!({"payment_intent_id": "fpi_1", "amount": 500}),
            outcome: Outcome::Refused,
            error_code: Some("approval_required".into()),
            http_status: None,
            duration_us: 42,
            object_ids: vec!["fpi_1".into()],
            amounts_cents: vec![500],
            approval: Some("denied".into()),
        }
    }

    fn now() -> String {
        chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    }

    #[test]
    fn nothing_is_created_until_the_first_record() {
        let dir = tempfile::tempdir().unwrap();
        let store = ActivityStore::new(dir.path().join("a.sqlite3"), Retention::default());
        store.flush();
        assert!(
            !store.path().exists(),
            "an idle server must not create the database"
        );
        assert!(store.recent(10).unwrap().is_empty());
    }

    #[test]
    fn records_round_trip_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let store = ActivityStore::new(dir.path().join("d/a.sqlite3"), Retention::default());
        let first = record(1, &now());
        let mut second = record(2, &now());
        second.outcome = Outcome::Ok;
        second.access = None;
        second.http_status = Some(201);
        store.record(first.clone());
        store.record(second.clone());
        store.flush();
        let got = store.recent(10).unwrap();
        assert_eq!(
            got,
            vec![second, first],
            "every field survives, newest first"
        );
        let journal: String = Connection::open(store.path())
            .unwrap()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(journal, "wal");
    }

    #[test]
    fn retention_bounds_count_and_age() {
        let dir = tempfile::tempdir().unwrap();
        let retention = Retention {
            max_records: 3,
            max_age_days: 30,
        };
        let store = ActivityStore::new(dir.path().join("a.sqlite3"), retention);
        store.record(record(0, "2001-01-01T00:00:00.000Z"));
        for n in 1..=5 {
            store.record(record(n, &now()));
        }
        store.close();
        let ids: Vec<String> = store
            .recent(100)
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(
            ids,
            ["rec0005", "rec0004", "rec0003"],
            "only the newest 3 survive"
        );
    }

    #[test]
    fn limit_is_respected() {
        let dir = tempfile::tempdir().unwrap();
        let store = ActivityStore::new(dir.path().join("a.sqlite3"), Retention::default());
        for n in 0..5 {
            store.record(record(n, &now()));
        }
        store.flush();
        assert_eq!(store.recent(2).unwrap().len(), 2);
    }
}
