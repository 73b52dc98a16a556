//! The config guardian against real files in a temporary home, with the real watcher.
//!
//! Waiting is done on notices with a generous deadline (the machine is shared); nothing here
//! asserts how fast anything happens. Where a test must show that something did *not* happen
//! (a disconnect respected, a broken file untouched), it makes a second, guarded client change
//! afterwards and waits for that one's notice: the guardian handles changes in order, so once
//! the later one is answered the earlier one was looked at.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use flex_clients::{ClientEnv, ClientKind, Os, config_path};
use flex_core::Paths;
use flex_core::connected;
use flex_core::guardian::{Clock, Guardian, GuardianConfig, GuardianHandle};
use flex_core::notice::{Notice, NoticeCode, Notices};
use tokio::sync::broadcast;

const DEADLINE: Duration = Duration::from_secs(30);

struct TestClock {
    base: Instant,
    offset: Mutex<Duration>,
}

impl TestClock {
    fn advance(&self, by: Duration) {
        *self.offset.lock().unwrap() += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> Instant {
        self.base + *self.offset.lock().unwrap()
    }
}

struct World {
    _dir: tempfile::TempDir,
    paths: Paths,
    env: ClientEnv,
    binary: PathBuf,
    clock: Arc<TestClock>,
    notices: Arc<Notices>,
    rx: broadcast::Receiver<Notice>,
}

impl World {
    fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        // Both clients "installed": their folders exist.
        std::fs::create_dir_all(home.join(".cursor")).unwrap();
        std::fs::create_dir_all(home.join(".config/Claude")).unwrap();
        let paths = Paths::under(&dir.path().join("flex"), &home);
        let binary = dir.path().join("bin").join("flex-mcp");
        std::fs::create_dir_all(binary.parent().unwrap()).unwrap();
        std::fs::write(&binary, "").unwrap();
        let notices = Arc::new(Notices::new());
        let rx = notices.subscribe();
        World {
            env: ClientEnv::new(Os::Linux, &home),
            paths,
            binary,
            clock: Arc::new(TestClock {
                base: Instant::now(),
                offset: Mutex::new(Duration::ZERO),
            }),
            notices,
            rx,
            _dir: dir,
        }
    }

    fn connect(&self, kind: ClientKind) {
        connected::connect(&self.paths, &self.env, kind, &self.binary).unwrap();
    }

    fn start(&self) -> GuardianHandle {
        let config = GuardianConfig {
            paths: self.paths.clone(),
            env: self.env.clone(),
            binary: self.binary.clone(),
            clock: self.clock.clone(),
            debounce: Duration::from_millis(100),
        };
        Guardian::start_with(config, self.notices.clone()).unwrap()
    }

    fn config(&self, kind: ClientKind) -> PathBuf {
        config_path(kind, &self.env)
    }

    fn has_entry(&self, kind: ClientKind) -> bool {
        flex_clients::status(kind, &self.env, &self.binary) == flex_clients::ClientStatus::Connected
    }

    /// The next notice about `client` with `code`; fails on any other notice about `client`.
    fn expect(&mut self, code: NoticeCode, kind: ClientKind) -> Notice {
        let end = Instant::now() + DEADLINE;
        loop {
            match self.rx.try_recv() {
                Ok(n) if n.client.as_deref() == Some(kind.cli_name()) => {
                    assert_eq!(n.code, code, "unexpected notice: {}", n.message);
                    return n;
                }
                Ok(_) => {}
                Err(broadcast::error::TryRecvError::Empty) => {
                    assert!(
                        Instant::now() < end,
                        "no {code:?} notice for {kind} within {DEADLINE:?}"
                    );
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) => panic!("notice channel: {e}"),
            }
        }
    }
}

/// What Claude Desktop does: rewrite its file with its preferences and no `mcpServers`.
fn wipe_in_place(path: &Path) {
    std::fs::write(
        path,
        "{\n  \"preferences\": {\"sidebarMode\": \"chat\"}\n}\n",
    )
    .unwrap();
}

/// An editor-style save: a new file renamed over the old one.
fn replace_by_rename(path: &Path, text: &str) {
    let tmp = path.with_extension("tmp-save");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

#[test]
fn a_wiped_entry_is_put_back_with_a_backup_and_a_notice() {
    let mut w = World::new();
    w.connect(ClientKind::ClaudeDesktop);
    let _guardian = w.start();
    let path = w.config(ClientKind::ClaudeDesktop);

    wipe_in_place(&path);
    let notice = w.expect(NoticeCode::EntryRestored, ClientKind::ClaudeDesktop);

    assert!(w.has_entry(ClientKind::ClaudeDesktop));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("sidebarMode"),
        "the client's own keys stay: {text}"
    );
    assert_eq!(notice.path.as_deref(), Some(path.as_path()));
    assert!(!notice.needs_action);
    assert!(
        notice.message.contains("Claude Desktop"),
        "{}",
        notice.message
    );
    let backup = notice.backup.expect("a backup was taken before writing");
    assert!(
        std::fs::read_to_string(backup)
            .unwrap()
            .contains("sidebarMode"),
        "the backup holds the file as the other program left it"
    );
}

#[test]
fn files_replaced_by_rename_or_deleted_and_recreated_are_still_watched() {
    let mut w = World::new();
    w.connect(ClientKind::Cursor);
    let _guardian = w.start();
    let path = w.config(ClientKind::Cursor);

    replace_by_rename(
        &path,
        "{\"mcpServers\": {\"other\": {\"command\": \"x\"}}}\n",
    );
    w.expect(NoticeCode::EntryRestored, ClientKind::Cursor);
    // Past the 3-strike window: this test is about watching, not about the limit.
    w.clock.advance(Duration::from_secs(11 * 60));
    assert!(w.has_entry(ClientKind::Cursor));

    // Again: the watch must survive the first replacement.
    replace_by_rename(&path, "{}\n");
    w.expect(NoticeCode::EntryRestored, ClientKind::Cursor);
    // Past the 3-strike window: this test is about watching, not about the limit.
    w.clock.advance(Duration::from_secs(11 * 60));
    assert!(w.has_entry(ClientKind::Cursor));

    std::fs::remove_file(&path).unwrap();
    w.expect(NoticeCode::EntryRestored, ClientKind::Cursor);
    // Past the 3-strike window: this test is about watching, not about the limit.
    w.clock.advance(Duration::from_secs(11 * 60));
    assert!(
        w.has_entry(ClientKind::Cursor),
        "a deleted file is recreated"
    );

    // A change to our entry (not a removal) is put right too.
    let other_program = path.parent().unwrap().join("other-flex-mcp");
    let changed = std::fs::read_to_string(&path)
        .unwrap()
        .replace(w.binary.to_str().unwrap(), other_program.to_str().unwrap());
    replace_by_rename(&path, &changed);
    let n = w.expect(NoticeCode::EntryRestored, ClientKind::Cursor);
    assert!(n.message.contains("changed"), "{}", n.message);
    assert!(w.has_entry(ClientKind::Cursor));
}

#[test]
fn a_disconnect_the_person_made_is_never_undone() {
    let mut w = World::new();
    w.connect(ClientKind::Cursor);
    w.connect(ClientKind::ClaudeDesktop);
    let _guardian = w.start();
    // First prove the guardian runs and guards both.
    wipe_in_place(&w.config(ClientKind::ClaudeDesktop));
    w.expect(NoticeCode::EntryRestored, ClientKind::ClaudeDesktop);

    connected::disconnect(&w.paths, &w.env, ClientKind::Cursor, &w.binary).unwrap();
    // Canary: a change the guardian must answer, made after the disconnect.
    wipe_in_place(&w.config(ClientKind::ClaudeDesktop));
    w.expect(NoticeCode::EntryRestored, ClientKind::ClaudeDesktop);

    assert!(!w.has_entry(ClientKind::Cursor), "the disconnect stands");
    assert!(
        w.notices
            .recent()
            .iter()
            .all(|n| n.client.as_deref() != Some("cursor")),
        "nothing was said or done about Cursor"
    );
}

#[test]
fn after_three_restores_in_ten_minutes_it_stops_and_asks() {
    let mut w = World::new();
    w.connect(ClientKind::Cursor);
    let guardian = w.start();
    let path = w.config(ClientKind::Cursor);

    for _ in 0..3 {
        replace_by_rename(&path, "{}\n");
        w.expect(NoticeCode::EntryRestored, ClientKind::Cursor);
        w.clock.advance(Duration::from_secs(2 * 60));
    }
    // The fourth removal, 6 minutes after the first restore.
    replace_by_rename(&path, "{}\n");
    let stopped = w.expect(NoticeCode::EntryRestoreStopped, ClientKind::Cursor);
    assert!(stopped.needs_action);
    assert!(stopped.message.contains("3 times"), "{}", stopped.message);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "{}\n",
        "left as it is"
    );

    // Stopped means stopped: later removals are not fought either, even past the window.
    w.clock.advance(Duration::from_secs(20 * 60));
    replace_by_rename(&path, "{ }\n");
    // The person chooses "Put it back".
    guardian.resume(ClientKind::Cursor);
    w.expect(NoticeCode::EntryRestored, ClientKind::Cursor);
    assert!(w.has_entry(ClientKind::Cursor));
}

#[test]
fn strikes_older_than_ten_minutes_do_not_count() {
    let mut w = World::new();
    w.connect(ClientKind::Cursor);
    let _guardian = w.start();
    let path = w.config(ClientKind::Cursor);
    for _ in 0..5 {
        replace_by_rename(&path, "{}\n");
        w.expect(NoticeCode::EntryRestored, ClientKind::Cursor);
        w.clock.advance(Duration::from_secs(5 * 60 + 1));
    }
    assert!(w.has_entry(ClientKind::Cursor));
}

#[test]
fn an_unparsable_file_is_left_byte_for_byte_with_line_and_column() {
    let mut w = World::new();
    w.connect(ClientKind::Cursor);
    w.connect(ClientKind::ClaudeDesktop);
    let _guardian = w.start();
    let path = w.config(ClientKind::Cursor);

    let broken = "{\n  \"mcpServers\": {\n    \"flex\": {\"command\": \"/x\",, }\n  }\n}\n";
    replace_by_rename(&path, broken);
    let n = w.expect(NoticeCode::ConfigUnparsable, ClientKind::Cursor);
    assert!(n.needs_action);
    assert_eq!(n.line, Some(3), "{}", n.message);
    assert!(n.column.is_some());
    assert!(n.message.contains("line 3"), "{}", n.message);

    // Touch it again (same broken content): no second notice, still untouched.
    replace_by_rename(&path, broken);
    wipe_in_place(&w.config(ClientKind::ClaudeDesktop));
    w.expect(NoticeCode::EntryRestored, ClientKind::ClaudeDesktop);
    assert_eq!(std::fs::read(&path).unwrap(), broken.as_bytes());

    // Once the person fixes the file (without our entry), the entry is put back.
    replace_by_rename(&path, "{\"mcpServers\": {}}\n");
    w.expect(NoticeCode::EntryRestored, ClientKind::Cursor);
    assert!(w.has_entry(ClientKind::Cursor));
}

#[test]
fn a_client_connected_while_the_guardian_runs_is_guarded() {
    let mut w = World::new();
    w.connect(ClientKind::ClaudeDesktop);
    let _guardian = w.start();
    // As `flex-mcp clients connect cursor` would, from another process.
    w.connect(ClientKind::Cursor);
    // The guardian reads the remembered set on its own time; keep wiping until it answers.
    let path = w.config(ClientKind::Cursor);
    let end = Instant::now() + DEADLINE;
    loop {
        replace_by_rename(&path, "{}\n");
        std::thread::sleep(Duration::from_millis(500));
        if w.has_entry(ClientKind::Cursor) {
            break;
        }
        assert!(Instant::now() < end, "Cursor was never guarded");
    }
    w.expect(NoticeCode::EntryRestored, ClientKind::Cursor);
}
