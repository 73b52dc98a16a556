//! The activity store: every MCP tool call, kept in SQLite (WAL) in the data dir with bounded
//! retention, so the window and `flex-mcp activity` can show what the assistant did.
//!
//! Why a writer thread: the MCP server hands records to a [`Recorder`] on the call path, and a
//! call must never wait on the disk. [`ActivityStore::record`] only pushes onto a bounded channel;
//! one thread owns the write connection, opens the database on the first record (so a server that
//! is started and never called never touches SQLite), writes, and prunes. When the channel is full
//! (the disk stalls for thousands of calls) records are dropped and counted rather than blocking.
//!
//! Live feed: each record reaches the receivers of [`ActivityStore::subscribe`] the moment it
//! is written. Records written into the same file by another process (a standalone `flex-mcp stdio`)
//! are found by a tail thread that polls `PRAGMA data_version` (a counter SQLite bumps when
//! another connection commits; reading it costs no I/O) and publishes the new rows.
//!
//! A write that fails (disk full, database unwritable) keeps the record in memory (bounded) and
//! retries every second; the first failure of a streak and the recovery are published as
//! [`Notice`]s. Queries for the window are in [`crate::activity_query`].

use std::collections::{BTreeSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::Context as _;
use flex_api::Mode;
use flex_mcp::{Access, CallRecord, Outcome, Recorder};
use rusqlite::{Connection, OptionalExtension as _, params};
use tokio::sync::broadcast;

use crate::notice::{Notice, NoticeCode, Notices};
use crate::settings::Retention;

/// Records waiting for the writer before new ones are dropped.
const QUEUE_CAPACITY: usize = 4096;

/// Records held in memory while the database cannot be written; beyond this the oldest are
/// dropped (and counted).
pub const UNSAVED_KEPT: usize = 10_000;

/// How often the writer retries while records wait to be saved.
const RETRY_EVERY: Duration = Duration::from_secs(1);

/// How often the tail looks for rows written by another process.
const TAIL_EVERY: Duration = Duration::from_millis(200);

/// Buffer of the live channel: a subscriber this far behind gets `Lagged` and should re-read
/// the first page; the writer never waits for it.
const LIVE_CAPACITY: usize = 1024;

/// Records written per transaction when several wait (a burst, or a backlog after a full
/// disk): one commit writes each touched page once instead of once per record.
const BATCH: usize = 500;

/// Bytes of WAL kept after a checkpoint.
const WAL_SIZE_LIMIT: i64 = 4 * 1024 * 1024;

/// Prune after this many inserts (pruning is two indexed deletes; no need to run it per row).
const PRUNE_EVERY: u32 = 200;

/// The columns every reader selects, in the order [`row_to_record`] reads them (after `seq`).
pub(crate) const COLUMNS: &str = "seq, id, started_at, client_name, client_version, tool, access,
    mode, arguments, outcome, error_code, http_status, duration_us, object_ids, amounts_cents,
    approval";

/// Version 2 adds the indexes the window's filters use; version 3 a trigram full-text index
/// (FTS5, external content: it stores no second copy of the text) kept in step by triggers, so
/// a free-text filter reads the matching rows instead of scanning every record. Every statement
/// is idempotent, so an older database is migrated by running it (plus one rebuild of the text
/// index, see [`open_for_write`]).
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
    amounts_cents  TEXT NOT NULL,
    approval       TEXT
);
CREATE INDEX IF NOT EXISTS calls_started_at ON calls(started_at);
CREATE INDEX IF NOT EXISTS calls_mode_time ON calls(mode, started_at);
CREATE INDEX IF NOT EXISTS calls_access_time ON calls(access, started_at);
CREATE INDEX IF NOT EXISTS calls_outcome_time ON calls(outcome, started_at);
CREATE INDEX IF NOT EXISTS calls_client_time ON calls(client_name, started_at);
CREATE VIRTUAL TABLE IF NOT EXISTS calls_text USING fts5(
    tool, client_name, arguments, object_ids, error_code,
    content = 'calls', content_rowid = 'seq', tokenize = 'trigram'
);
CREATE TRIGGER IF NOT EXISTS calls_text_delete AFTER DELETE ON calls BEGIN
    INSERT INTO calls_text (calls_text, rowid, tool, client_name, arguments, object_ids, error_code)
    VALUES ('delete', old.seq, old.tool, old.client_name, old.arguments, old.object_ids,
            old.error_code);
END;
DROP TRIGGER IF EXISTS calls_text_insert;
";

/// The schema version [`SCHEMA`] creates. Version 4 adds the `approval` column (the person's
/// decision on an "ask" call, issue 7), added in place to older tables by [`open_for_write`].
/// Version 5 drops the per-row insert trigger of the text index: the writer indexes each batch
/// with one statement ([`insert_and_publish`]). A trigger made every row its own FTS5 segment
/// (the statement's savepoint flushes FTS5's pending terms), and merging those segments made a
/// fill of 100,000 records run at ~250 records/s, slowing as the index grew.
const SCHEMA_VERSION: i64 = 5;

/// Index the rows of one batch (seqs `?1..=?2`, all written in the current transaction, so no
/// other writer's rows are in between) in the text index.
const INDEX_TEXT: &str =
    "INSERT INTO calls_text (rowid, tool, client_name, arguments, object_ids, error_code)
    SELECT seq, tool, client_name, arguments, object_ids, error_code FROM calls
    WHERE seq BETWEEN ?1 AND ?2";

enum Msg {
    Record(Box<CallRecord>),
    /// Reply once everything queued before this message is on disk (or held after a failure).
    Flush(SyncSender<()>),
}

struct Writer {
    tx: SyncSender<Msg>,
    thread: JoinHandle<()>,
}

struct Tail {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

/// What the writer, the tail and the store share.
struct Shared {
    live: broadcast::Sender<CallRecord>,
    notices: Option<Arc<Notices>>,
    /// Seqs this process wrote and published that the tail has not passed yet. Held while a row
    /// is inserted and while the tail reads, so a row is published exactly once.
    published: Mutex<Published>,
    /// Records lost for good (queue full, or too many unsaved).
    dropped: AtomicU64,
    /// Records waiting in memory to be saved.
    unsaved: AtomicU64,
    /// Writes that failed (each retry counts).
    write_failures: AtomicU64,
}

#[derive(Default)]
struct Published {
    tailing: bool,
    seqs: BTreeSet<i64>,
}

/// The SQLite activity store. Implements [`Recorder`] (non-blocking), publishes each written
/// record live, and reads records back.
pub struct ActivityStore {
    path: PathBuf,
    retention: Retention,
    writer: OnceLock<Mutex<Option<Writer>>>,
    tail: Mutex<Option<Tail>>,
    shared: Arc<Shared>,
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
        ActivityStore::build(path.into(), retention, None)
    }

    /// A store that reports failures to save (and the recovery) to `notices`.
    pub fn with_notices(
        path: impl Into<PathBuf>,
        retention: Retention,
        notices: Arc<Notices>,
    ) -> ActivityStore {
        ActivityStore::build(path.into(), retention, Some(notices))
    }

    fn build(path: PathBuf, retention: Retention, notices: Option<Arc<Notices>>) -> ActivityStore {
        let (live, _) = broadcast::channel(LIVE_CAPACITY);
        ActivityStore {
            path,
            retention,
            writer: OnceLock::new(),
            tail: Mutex::new(None),
            shared: Arc::new(Shared {
                live,
                notices,
                published: Mutex::new(Published::default()),
                dropped: AtomicU64::new(0),
                unsaved: AtomicU64::new(0),
                write_failures: AtomicU64::new(0),
            }),
        }
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Records lost for good: the writer could not keep up, or more than [`UNSAVED_KEPT`]
    /// waited while the database could not be written.
    pub fn dropped(&self) -> u64 {
        self.shared.dropped.load(Ordering::Relaxed)
    }

    /// Records held in memory because the database cannot be written right now.
    pub fn unsaved(&self) -> u64 {
        self.shared.unsaved.load(Ordering::Relaxed)
    }

    /// Failed write attempts so far (each retry counts).
    pub fn write_failures(&self) -> u64 {
        self.shared.write_failures.load(Ordering::Relaxed)
    }

    /// Every record from now on, as it is written: by this process at once, by another
    /// process writing the same file within a fraction of a second. A receiver that falls
    /// more than 1,024 records behind gets `Lagged` and should re-read the first page.
    pub fn subscribe(&self) -> broadcast::Receiver<CallRecord> {
        let rx = self.shared.live.subscribe();
        self.start_tail();
        rx
    }

    fn start_tail(&self) {
        let Ok(mut tail) = self.tail.lock() else {
            return;
        };
        if tail.is_some() {
            return;
        }
        // Start from the newest row present now: subscribers get what is written from here on.
        let cursor = {
            let Ok(mut published) = self.shared.published.lock() else {
                return;
            };
            published.tailing = true;
            self.open_read().ok().flatten().map_or(0, |c| max_seq(&c))
        };
        let stop = Arc::new(AtomicBool::new(false));
        let path = self.path.clone();
        let shared = self.shared.clone();
        let stop_flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("flex-activity-tail".into())
            .spawn(move || tail_loop(&path, &shared, &stop_flag, cursor));
        match thread {
            Ok(thread) => *tail = Some(Tail { stop, thread }),
            Err(e) => tracing::warn!("cannot start the activity tail: {e}"),
        }
    }

    /// A read-only connection, or `None` when the database does not exist yet or has no table.
    pub(crate) fn open_read(&self) -> anyhow::Result<Option<Connection>> {
        if !self.path.exists() {
            return Ok(None);
        }
        let conn = open_read_only(&self.path)?;
        if !has_calls_table(&conn)? {
            return Ok(None);
        }
        Ok(Some(conn))
    }

    /// The newest `limit` records, newest first. A store that was never written reads as empty.
    pub fn recent(&self, limit: u32) -> anyhow::Result<Vec<CallRecord>> {
        let Some(conn) = self.open_read()? else {
            return Ok(Vec::new());
        };
        let mut stmt = conn.prepare(&format!(
            "SELECT {COLUMNS} FROM calls ORDER BY seq DESC LIMIT ?1"
        ))?;
        let rows = stmt.query_map(params![limit], |row| row_to_record(row).map(|(_, r)| r))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(
                row.with_context(|| format!("reading activity database {}", self.path.display()))?,
            );
        }
        Ok(out)
    }

    /// Wait until every record handed over so far is written (or, when the database cannot be
    /// written, held for retry). For tests and for shutdown; the call path never uses it.
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
            let shared = self.shared.clone();
            let thread = std::thread::Builder::new()
                .name("flex-activity".into())
                .spawn(move || write_loop(&path, retention, &rx, &shared))
                .ok()?;
            *guard = Some(Writer { tx, thread });
        }
        guard.as_ref().map(|w| w.tx.clone())
    }
}

impl Drop for ActivityStore {
    fn drop(&mut self) {
        self.close();
        let tail = self.tail.lock().ok().and_then(|mut t| t.take());
        if let Some(Tail { stop, thread }) = tail {
            stop.store(true, Ordering::Relaxed);
            thread.thread().unpark();
            let _ = thread.join();
        }
    }
}

impl Recorder for ActivityStore {
    fn record(&self, record: CallRecord) {
        let Some(tx) = self.sender() else {
            self.shared.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        };
        match tx.try_send(Msg::Record(Box::new(record))) {
            Ok(()) => {}
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                let n = self.shared.dropped.fetch_add(1, Ordering::Relaxed) + 1;
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

fn open_read_only(path: &Path) -> anyhow::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("opening activity database {}", path.display()))?;
    conn.busy_timeout(Duration::from_secs(2))?;
    Ok(conn)
}

fn has_calls_table(conn: &Connection) -> anyhow::Result<bool> {
    let found: Option<i64> = conn
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'calls'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(found.is_some())
}

fn max_seq(conn: &Connection) -> i64 {
    conn.query_row("SELECT coalesce(max(seq), 0) FROM calls", [], |r| r.get(0))
        .unwrap_or(0)
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
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // Without a limit, a WAL that grew during a burst keeps its size after the checkpoint.
    conn.pragma_update(None, "journal_size_limit", WAL_SIZE_LIMIT)?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version < SCHEMA_VERSION {
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(SCHEMA)
            .context("creating the activity schema")?;
        // A table made before version 4 lacks the approval column (CREATE ... IF NOT EXISTS
        // leaves an existing table as it is).
        if !has_approval_column(&tx)? {
            tx.execute_batch("ALTER TABLE calls ADD COLUMN approval TEXT")
                .context("adding the approval column to the activity store")?;
        }
        // Rows written before version 3 are not in the text index yet.
        if version < 3 {
            tx.execute_batch("INSERT INTO calls_text (calls_text) VALUES ('rebuild');")
                .context("building the activity text index")?;
        }
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        tx.commit()?;
    }
    // Gives the query planner statistics on the filter indexes (cheap; usually a no-op).
    conn.execute_batch("PRAGMA optimize = 0x10002;")?;
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

/// The writer thread's state: the connection (reopened after a failure), records waiting to be
/// saved, and whether we are inside a streak of failures (reported once).
struct WriteState<'a> {
    path: &'a Path,
    retention: Retention,
    shared: &'a Shared,
    conn: Option<Connection>,
    unsaved: VecDeque<CallRecord>,
    failing: bool,
    since_prune: u32,
}

fn write_loop(path: &Path, retention: Retention, rx: &Receiver<Msg>, shared: &Shared) {
    let mut state = WriteState {
        path,
        retention,
        shared,
        conn: None,
        unsaved: VecDeque::new(),
        failing: false,
        since_prune: 0,
    };
    loop {
        let msg = if state.unsaved.is_empty() {
            match rx.recv() {
                Ok(msg) => Some(msg),
                Err(_) => break,
            }
        } else {
            match rx.recv_timeout(RETRY_EVERY) {
                Ok(msg) => Some(msg),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => break,
            }
        };
        match msg {
            Some(Msg::Flush(reply)) => {
                state.save_unsaved();
                let _ = reply.send(());
            }
            Some(Msg::Record(record)) => {
                state.hold(*record);
                // A burst: take what is already queued into the same transaction.
                let mut flush = None;
                while state.unsaved.len() < BATCH {
                    match rx.try_recv() {
                        Ok(Msg::Record(more)) => state.hold(*more),
                        Ok(Msg::Flush(reply)) => {
                            flush = Some(reply);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                state.save_unsaved();
                if let Some(reply) = flush {
                    let _ = reply.send(());
                }
            }
            None => state.save_unsaved(),
        }
    }
    // Sender gone: one last try for what waits, and a last prune keeps the bound after short
    // sessions that never reached PRUNE_EVERY.
    state.save_unsaved();
    if let Some(c) = state.conn.as_ref()
        && state.since_prune > 0
        && let Err(e) = prune(c, retention)
    {
        tracing::warn!("pruning activity failed: {e:#}");
    }
}

impl WriteState<'_> {
    fn hold(&mut self, record: CallRecord) {
        if self.unsaved.len() >= UNSAVED_KEPT {
            self.unsaved.pop_front();
            self.shared.dropped.fetch_add(1, Ordering::Relaxed);
        }
        self.unsaved.push_back(record);
        self.count_unsaved();
    }

    fn count_unsaved(&self) {
        self.shared
            .unsaved
            .store(self.unsaved.len() as u64, Ordering::Relaxed);
    }

    /// Write waiting records oldest first, [`BATCH`] per transaction; stop at the first failure
    /// (the failed batch stays, in order).
    fn save_unsaved(&mut self) {
        let mut saved = 0u64;
        while !self.unsaved.is_empty() {
            let n = self.unsaved.len().min(BATCH);
            let shared = self.shared;
            let batch = self.unsaved.make_contiguous();
            let batch: Vec<CallRecord> = batch[..n].to_vec();
            let result = self
                .connection()
                .and_then(|conn| insert_and_publish(conn, &batch, shared));
            match result {
                Ok(()) => {
                    self.unsaved.drain(..n);
                    saved += n as u64;
                    self.since_prune += u32::try_from(n).unwrap_or(u32::MAX);
                }
                Err(e) => {
                    // Reopen next time: the file may have been deleted or its directory
                    // remounted, and a fresh connection costs nothing next to a failed write.
                    self.conn = None;
                    self.failed(&e);
                    break;
                }
            }
        }
        self.count_unsaved();
        if saved > 0 && self.unsaved.is_empty() && self.failing {
            self.failing = false;
            self.recovered();
        }
        if self.since_prune >= PRUNE_EVERY
            && let Some(c) = self.conn.as_ref()
        {
            self.since_prune = 0;
            if let Err(e) = prune(c, self.retention) {
                tracing::warn!("pruning activity failed: {e:#}");
            }
        }
    }

    fn connection(&mut self) -> anyhow::Result<&Connection> {
        if self.conn.is_none() {
            let c = open_for_write(self.path)?;
            if let Err(e) = prune(&c, self.retention) {
                tracing::warn!("pruning activity failed: {e:#}");
            }
            self.conn = Some(c);
        }
        self.conn
            .as_ref()
            .context("the activity database connection is not open")
    }

    fn failed(&mut self, err: &anyhow::Error) {
        self.shared.write_failures.fetch_add(1, Ordering::Relaxed);
        if self.failing {
            return;
        }
        self.failing = true;
        tracing::warn!("saving a call record failed: {err:#}");
        if let Some(notices) = &self.shared.notices {
            let message = format!(
                "Flex MCP could not save the record of an assistant's tool call: {}. The calls \
                 still work; their records are kept in memory (up to {UNSAVED_KEPT}) and saved as \
                 soon as that is possible. {}",
                why_unsaved(err),
                "Free some disk space, or check that the folder can be written.",
            );
            notices.publish(Notice {
                path: Some(self.path.to_path_buf()),
                ..Notice::new(NoticeCode::ActivityNotSaved, message)
            });
        }
    }

    fn recovered(&self) {
        let dropped = self.shared.dropped.load(Ordering::Relaxed);
        tracing::info!("saving call records works again");
        if let Some(notices) = &self.shared.notices {
            let lost = if dropped == 0 {
                "No record was lost.".to_string()
            } else {
                format!("{dropped} records could not be kept and are missing from the activity.")
            };
            notices.publish(Notice {
                path: Some(self.path.to_path_buf()),
                ..Notice::new(
                    NoticeCode::ActivitySavedAgain,
                    format!(
                        "Flex MCP can save call records again; the waiting ones are saved. {lost}"
                    ),
                )
            });
        }
    }
}

/// The cause of a failed save, in words a person understands.
fn why_unsaved(err: &anyhow::Error) -> &'static str {
    for cause in err.chain() {
        if let Some(e) = cause.downcast_ref::<rusqlite::Error>() {
            match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::DiskFull) => return "the disk is full",
                Some(
                    rusqlite::ErrorCode::ReadOnly
                    | rusqlite::ErrorCode::CannotOpen
                    | rusqlite::ErrorCode::PermissionDenied,
                ) => return "the activity database cannot be written",
                _ => {}
            }
        }
        if let Some(e) = cause.downcast_ref::<std::io::Error>() {
            if e.kind() == std::io::ErrorKind::StorageFull {
                return "the disk is full";
            }
            if e.kind() == std::io::ErrorKind::PermissionDenied {
                return "the activity folder cannot be written";
            }
        }
    }
    "the activity database could not be written"
}

/// Insert `records` in one transaction and publish them once committed, holding the published
/// set so the tail does not publish them too. All or nothing: a failure leaves none written.
fn insert_and_publish(
    conn: &Connection,
    records: &[CallRecord],
    shared: &Shared,
) -> anyhow::Result<()> {
    let mut published = shared
        .published
        .lock()
        .map_err(|_| anyhow::anyhow!("the activity feed lock is poisoned"))?;
    let tx = conn.unchecked_transaction()?;
    let mut written = Vec::with_capacity(records.len());
    for r in records {
        // `false`: same id already stored (a retry after an ambiguous failure), already published.
        if insert(&tx, r)? {
            written.push((tx.last_insert_rowid(), r));
        }
    }
    if let (Some((first, _)), Some((last, _))) = (written.first(), written.last()) {
        tx.prepare_cached(INDEX_TEXT)?
            .execute(params![first, last])?;
    }
    tx.commit()?;
    if published.tailing {
        published.seqs.extend(written.iter().map(|(seq, _)| *seq));
    }
    drop(published);
    if shared.live.receiver_count() > 0 {
        for (_, r) in written {
            let _ = shared.live.send(r.clone());
        }
    }
    Ok(())
}

/// Returns whether a row was added (`false`: a record with this id is already there).
fn insert(conn: &Connection, r: &CallRecord) -> anyhow::Result<bool> {
    let changed = conn.prepare_cached(
        "INSERT OR IGNORE INTO calls (id, started_at, client_name, client_version, tool, access,
             mode, arguments, outcome, error_code, http_status, duration_us, object_ids,
             amounts_cents, approval)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?.execute(
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
    Ok(changed > 0)
}

/// Publish rows other processes write. Runs until `stop`; sleeps between polls.
fn tail_loop(path: &Path, shared: &Shared, stop: &AtomicBool, mut cursor: i64) {
    let mut conn: Option<Connection> = None;
    let mut last_version: Option<i64> = None;
    while !stop.load(Ordering::Relaxed) {
        std::thread::park_timeout(TAIL_EVERY);
        if stop.load(Ordering::Relaxed) {
            break;
        }
        if conn.is_none() {
            if !path.exists() {
                continue;
            }
            match open_read_only(path).and_then(|c| Ok((has_calls_table(&c)?, c))) {
                Ok((true, c)) => conn = Some(c),
                Ok((false, _)) => continue,
                Err(e) => {
                    tracing::debug!("activity tail cannot open the database yet: {e:#}");
                    continue;
                }
            }
        }
        let Some(c) = conn.as_ref() else { continue };
        let version: Option<i64> = c.query_row("PRAGMA data_version", [], |r| r.get(0)).ok();
        if version.is_some() && version == last_version {
            continue;
        }
        last_version = version;
        match publish_new_rows(c, shared, cursor) {
            Ok(next) => cursor = next,
            Err(e) => {
                tracing::debug!("activity tail read failed, reopening: {e:#}");
                conn = None;
                last_version = None;
            }
        }
    }
}

fn publish_new_rows(conn: &Connection, shared: &Shared, cursor: i64) -> anyhow::Result<i64> {
    let mut published = shared
        .published
        .lock()
        .map_err(|_| anyhow::anyhow!("the activity feed lock is poisoned"))?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM calls WHERE seq > ?1 ORDER BY seq"
    ))?;
    let rows = stmt.query_map(params![cursor], row_to_record)?;
    let mut next = cursor;
    for row in rows {
        let (seq, record) = row?;
        next = next.max(seq);
        if published.seqs.remove(&seq) {
            continue;
        }
        let _ = shared.live.send(record);
    }
    // Anything at or below the cursor can never come again.
    published.seqs = published.seqs.split_off(&(next + 1));
    Ok(next)
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

/// One row selected with [`COLUMNS`]: its seq and the record.
pub(crate) fn row_to_record(row: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, CallRecord)> {
    let text = |i: usize| -> rusqlite::Result<String> { row.get(i) };
    let json_err = |i: usize, e: serde_json::Error| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    };
    let seq: i64 = row.get(0)?;
    let access: Option<String> = row.get(6)?;
    let mode: String = text(7)?;
    let outcome: String = text(9)?;
    let arguments = serde_json::from_str(&text(8)?).map_err(|e| json_err(8, e))?;
    let object_ids = serde_json::from_str(&text(13)?).map_err(|e| json_err(13, e))?;
    let amounts_cents = serde_json::from_str(&text(14)?).map_err(|e| json_err(14, e))?;
    let duration: i64 = row.get(12)?;
    Ok((
        seq,
        CallRecord {
            id: text(1)?,
            started_at: text(2)?,
            client_name: row.get(3)?,
            client_version: row.get(4)?,
            tool: text(5)?,
            access: access.as_deref().and_then(parse_access),
            mode: mode.parse().unwrap_or(Mode::Test),
            arguments,
            outcome: parse_outcome(&outcome),
            error_code: row.get(10)?,
            http_status: row.get(11)?,
            duration_us: u64::try_from(duration).unwrap_or(0),
            object_ids,
            amounts_cents,
            approval: row.get(15)?,
        },
    ))
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
            approval: None,
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
