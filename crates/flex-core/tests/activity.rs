//! The activity store with real SQLite files: live events (this process and another one),
//! filtered keyset pages, CSV export, and a full disk (a real tmpfs mounted by the test).
#![allow(clippy::unwrap_used, clippy::cast_possible_wrap)]

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use flex_api::Mode;
use flex_core::activity::ActivityStore;
use flex_core::activity_query::{ActivityFilter, PageCursor};
use flex_core::notice::{NoticeCode, Notices};
use flex_core::settings::Retention;
use flex_mcp::{Access, CallRecord, Outcome, Recorder as _};
use serde_json::json;
use tokio::sync::broadcast;

const DEADLINE: Duration = Duration::from_secs(30);

/// Set for the child process of [`a_record_written_by_another_process_appears_as_an_event`].
const CHILD_DB: &str = "FLEX_TEST_ACTIVITY_CHILD_DB";
const CHILD_IDS: &str = "FLEX_TEST_ACTIVITY_CHILD_IDS";

fn big() -> Retention {
    Retention {
        max_records: 1_000_000,
        max_age_days: 36_500,
    }
}

fn record(id: &str, started_at: &str) -> CallRecord {
    CallRecord {
        id: id.to_string(),
        started_at: started_at.to_string(),
        client_name: Some("Claude Desktop".into()),
        client_version: Some("1.0".into()),
        tool: "get_product".into(),
        access: Some(Access::Read),
        mode: Mode::Test,
        arguments: json!({"id": "fprod_1"}),
        outcome: Outcome::Ok,
        error_code: None,
        http_status: Some(200),
        duration_us: 1500,
        object_ids: vec!["fprod_1".into()],
        amounts_cents: vec![],
        approval: None,
    }
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn next_ids(rx: &mut broadcast::Receiver<CallRecord>, want: usize) -> Vec<String> {
    let end = Instant::now() + DEADLINE;
    let mut got = Vec::new();
    while got.len() < want {
        match rx.try_recv() {
            Ok(r) => got.push(r.id),
            Err(broadcast::error::TryRecvError::Empty) => {
                assert!(Instant::now() < end, "only {got:?} within {DEADLINE:?}");
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => panic!("live channel: {e}"),
        }
    }
    got
}

#[test]
fn a_record_is_published_the_moment_it_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let store = ActivityStore::new(dir.path().join("a.sqlite3"), big());
    let mut rx = store.subscribe();
    store.record(record("own-1", &now()));
    assert_eq!(next_ids(&mut rx, 1), ["own-1"]);
    store.flush();
    assert_eq!(
        store.recent(10).unwrap().len(),
        1,
        "published means written"
    );
}

/// Runs only as the child of the test below: writes the given ids into the given database.
#[test]
#[ignore = "run by a_record_written_by_another_process_appears_as_an_event"]
fn child_writer() {
    let (Ok(db), Ok(ids)) = (std::env::var(CHILD_DB), std::env::var(CHILD_IDS)) else {
        return;
    };
    let store = ActivityStore::new(db, big());
    for id in ids.split(',') {
        store.record(record(id, &now()));
    }
    store.close();
}

fn run_child(db: &Path, ids: &str) {
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["child_writer", "--exact", "--ignored", "--nocapture"])
        .env(CHILD_DB, db)
        .env(CHILD_IDS, ids)
        .status()
        .unwrap();
    assert!(status.success(), "the writer process failed");
}

#[test]
fn a_record_written_by_another_process_appears_as_an_event() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.sqlite3");
    let store = ActivityStore::new(&db, big());
    let mut rx = store.subscribe();

    run_child(&db, "child-1,child-2");
    store.record(record("own-1", &now()));
    run_child(&db, "child-3");

    let mut got = next_ids(&mut rx, 4);
    got.sort();
    assert_eq!(got, ["child-1", "child-2", "child-3", "own-1"]);

    // One more from outside, to be sure nothing above is published twice once the tail has
    // passed it.
    run_child(&db, "child-4");
    assert_eq!(next_ids(&mut rx, 1), ["child-4"]);
    assert!(rx.try_recv().is_err(), "no duplicate events");
}

/// Records with varied fields; times repeat so that ties are broken by seq.
fn varied(n: usize) -> Vec<CallRecord> {
    let clients = ["Claude Desktop", "Cursor", "Windsurf"];
    let tools = [
        ("get_product", Access::Read),
        ("create_product", Access::Write),
        ("create_refund", Access::Destructive),
    ];
    let outcomes = [
        Outcome::Ok,
        Outcome::ApiError,
        Outcome::Refused,
        Outcome::InvalidArguments,
    ];
    (0..n)
        .map(|i| {
            let (tool, access) = tools[i % 3];
            // Not monotonic in i: later rows are sometimes older.
            let second = (i * 7919) % (n / 2).max(1);
            CallRecord {
                id: format!("r{i:05}"),
                started_at: format!(
                    "2026-11-{:02}T{:02}:{:02}:{:02}.000Z",
                    1 + second / 86_400 % 28,
                    second / 3600 % 24,
                    second / 60 % 60,
                    second % 60
                ),
                client_name: Some(clients[i % 5 % 3].into()),
                client_version: None,
                tool: tool.into(),
                access: Some(access),
                mode: if i % 4 == 0 { Mode::Live } else { Mode::Test },
                arguments: json!({"payment_intent_id": format!("fpi_{i}"), "note": "a,b \"c\""}),
                outcome: outcomes[i % 7 % 4],
                error_code: (i % 11 == 0).then(|| "resource_missing".to_string()),
                http_status: Some(200),
                duration_us: 1000 + i as u64,
                object_ids: vec![format!("fpi_{i}")],
                amounts_cents: vec![i as i64],
                approval: None,
            }
        })
        .collect()
}

/// The same filter, computed by hand over the records, newest first by (started_at, seq).
fn expected(all: &[(i64, CallRecord)], f: &ActivityFilter) -> Vec<String> {
    let mut hits: Vec<&(i64, CallRecord)> = all
        .iter()
        .filter(|(_, r)| f.modes.is_empty() || f.modes.contains(&r.mode))
        .filter(|(_, r)| f.classes.is_empty() || r.access.is_some_and(|a| f.classes.contains(&a)))
        .filter(|(_, r)| f.outcomes.is_empty() || f.outcomes.contains(&r.outcome))
        .filter(|(_, r)| {
            f.assistants.is_empty()
                || r.client_name
                    .as_ref()
                    .is_some_and(|c| f.assistants.contains(c))
        })
        .filter(|(_, r)| f.since.as_ref().is_none_or(|s| &r.started_at >= s))
        .filter(|(_, r)| f.until.as_ref().is_none_or(|u| &r.started_at < u))
        .filter(|(_, r)| {
            f.text.as_ref().is_none_or(|t| {
                let t = t.to_lowercase();
                r.tool.contains(&t)
                    || r.arguments.to_string().to_lowercase().contains(&t)
                    || r.object_ids.iter().any(|o| o.contains(&t))
                    || r.error_code.as_ref().is_some_and(|e| e.contains(&t))
                    || r.client_name
                        .as_ref()
                        .is_some_and(|c| c.to_lowercase().contains(&t))
            })
        })
        .collect();
    hits.sort_by(|a, b| (&b.1.started_at, b.0).cmp(&(&a.1.started_at, a.0)));
    hits.into_iter().map(|(_, r)| r.id.clone()).collect()
}

fn walk(store: &ActivityStore, f: &ActivityFilter, page: u32) -> Vec<String> {
    let mut out = Vec::new();
    let mut after: Option<PageCursor> = None;
    loop {
        let p = store.page(f, after.as_ref(), page).unwrap();
        assert!(p.rows.len() <= page as usize);
        out.extend(p.rows.into_iter().map(|r| r.record.id));
        match p.next {
            Some(n) => after = Some(n),
            None => return out,
        }
    }
}

#[test]
fn filters_and_keyset_pages_match_a_hand_computed_answer() {
    let dir = tempfile::tempdir().unwrap();
    let store = ActivityStore::new(dir.path().join("a.sqlite3"), big());
    let records = varied(3000);
    for r in &records {
        store.record(r.clone());
    }
    store.flush();
    // A fresh database numbers rows from 1 in insertion order.
    let all: Vec<(i64, CallRecord)> = records
        .into_iter()
        .enumerate()
        .map(|(i, r)| (i as i64 + 1, r))
        .collect();

    let filters = [
        ActivityFilter::default(),
        ActivityFilter {
            modes: vec![Mode::Live],
            ..ActivityFilter::default()
        },
        ActivityFilter {
            classes: vec![Access::Destructive],
            outcomes: vec![Outcome::Refused, Outcome::ApiError],
            ..ActivityFilter::default()
        },
        ActivityFilter {
            assistants: vec!["Cursor".into()],
            modes: vec![Mode::Test],
            ..ActivityFilter::default()
        },
        ActivityFilter {
            since: Some("2026-11-01T00:05:00.000Z".into()),
            until: Some("2026-11-01T00:12:30.000Z".into()),
            ..ActivityFilter::default()
        },
        ActivityFilter {
            text: Some("FPI_12".into()),
            ..ActivityFilter::default()
        },
        ActivityFilter {
            text: Some("resource_missing".into()),
            classes: vec![Access::Write],
            ..ActivityFilter::default()
        },
        ActivityFilter {
            text: Some("50%".into()),
            ..ActivityFilter::default()
        },
        // Shorter than a trigram: the scan path, with `_` taken literally.
        ActivityFilter {
            text: Some("_2".into()),
            modes: vec![Mode::Live],
            ..ActivityFilter::default()
        },
    ];
    for f in &filters {
        let want = expected(&all, f);
        assert_eq!(walk(&store, f, 97), want, "filter {f:?}");
        let first = store.page(f, None, 50).unwrap();
        let ids: Vec<String> = first.rows.iter().map(|r| r.record.id.clone()).collect();
        assert_eq!(ids, want.iter().take(50).cloned().collect::<Vec<_>>());
        assert_eq!(first.next.is_some(), want.len() > 50);
    }
    assert_eq!(
        store.assistants().unwrap(),
        ["Claude Desktop", "Cursor", "Windsurf"]
    );
}

#[test]
fn pages_stay_stable_while_new_records_arrive() {
    let dir = tempfile::tempdir().unwrap();
    let store = ActivityStore::new(dir.path().join("a.sqlite3"), big());
    let records = varied(1000);
    for r in &records {
        store.record(r.clone());
    }
    store.flush();
    let f = ActivityFilter {
        modes: vec![Mode::Test],
        ..ActivityFilter::default()
    };
    let before = walk(&store, &f, 1000);

    let mut seen = Vec::new();
    let mut after: Option<PageCursor> = None;
    let mut n = 0;
    loop {
        let p = store.page(&f, after.as_ref(), 40).unwrap();
        seen.extend(p.rows.into_iter().map(|r| r.record.id));
        // New calls land while the person scrolls, newer than everything shown.
        for _ in 0..3 {
            n += 1;
            let mut r = record(&format!("new-{n}"), &now());
            r.mode = Mode::Test;
            store.record(r);
        }
        store.flush();
        match p.next {
            Some(c) => after = Some(c),
            None => break,
        }
    }
    assert_eq!(seen, before, "no row repeated, skipped or shifted");
}

#[test]
fn csv_export_writes_the_filtered_set_safely() {
    let dir = tempfile::tempdir().unwrap();
    let store = ActivityStore::new(dir.path().join("a.sqlite3"), big());
    let mut refund = record("refund-1", &now());
    refund.tool = "create_refund".into();
    refund.access = Some(Access::Destructive);
    refund.mode = Mode::Live;
    refund.amounts_cents = vec![4500];
    refund.arguments = json!({"reason": "=HYPERLINK(\"x\"), said \"so\""});
    store.record(record("read-1", &now()));
    store.record(refund);
    store.flush();

    let out = dir.path().join("export").join("activity.csv");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    std::fs::write(&out, "old export").unwrap();
    let f = ActivityFilter {
        modes: vec![Mode::Live],
        ..ActivityFilter::default()
    };
    assert_eq!(store.export_csv(&f, &out).unwrap(), 1);
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 2, "header and the one live record: {text}");
    assert!(lines[0].starts_with("started_at,assistant,"));
    assert!(
        lines[1].contains(",create_refund,destructive,live,"),
        "{}",
        lines[1]
    );
    assert!(
        lines[1].contains(",45.00,"),
        "cents shown as dollars: {}",
        lines[1]
    );
    assert!(
        lines[1].contains(r#""{""reason"":""=HYPERLINK(\""x\""), said \""so\""""}""#),
        "quotes doubled, the field quoted: {}",
        lines[1]
    );
    let leftovers: Vec<_> = std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "no temp file left: {leftovers:?}");
}

/// The window's Activity page on 100,000 records (issue 8 §4): filled through the real writer,
/// then the first filtered page opened the way the window's command does (`activity_rows::page`
/// over the injected Paths), and the page after it. Both must be exactly the newest matching
/// records (how fast is `bench/`'s business: `activity_bench`).
#[test]
fn a_hundred_thousand_records_open_the_first_filtered_page() {
    let dir = tempfile::tempdir().unwrap();
    let paths = flex_core::Paths::under(dir.path(), dir.path());
    std::fs::create_dir_all(&paths.data_dir).unwrap();
    let settings = flex_core::Settings {
        retention: big(),
        ..flex_core::Settings::default()
    };
    let store = ActivityStore::new(paths.activity_db(), big());
    let records = varied(100_000);
    for (i, r) in records.iter().enumerate() {
        store.record(r.clone());
        if i % 4000 == 3999 {
            // Stay under the writer's queue bound: this test must not drop records.
            store.flush();
        }
    }
    store.flush();
    assert_eq!(store.dropped(), 0);
    let all: Vec<(i64, CallRecord)> = records
        .into_iter()
        .enumerate()
        .map(|(i, r)| (i as i64 + 1, r))
        .collect();
    let filter = ActivityFilter {
        modes: vec![Mode::Live],
        classes: vec![Access::Destructive],
        assistants: vec!["Cursor".into()],
        ..ActivityFilter::default()
    };
    let want = expected(&all, &filter);
    assert!(want.len() > 200, "the filter keeps enough rows to page");
    let first = flex_core::activity_rows::page(&paths, &settings, &filter, None, 100).unwrap();
    let ids: Vec<&str> = first.rows.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        want[..100].iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert!(
        first
            .rows
            .iter()
            .all(|r| r.mode == "live" && r.access.as_deref() == Some("destructive"))
    );
    let second =
        flex_core::activity_rows::page(&paths, &settings, &filter, first.next.as_ref(), 100)
            .unwrap();
    let ids: Vec<&str> = second.rows.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        want[100..200]
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
    );
}

/// The CSV a person saves from the window: times in their zone, money in dollars, the person's
/// decision, and no secret even when a stored record carries one (a record written by hand or an
/// older version): the whole file is scanned.
#[test]
fn csv_export_has_local_times_dollars_decisions_and_no_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let store = ActivityStore::new(dir.path().join("a.sqlite3"), big());
    let mut refund = record("refund-1", "2026-12-01T09:41:00.000Z");
    refund.tool = "create_refund".into();
    refund.access = Some(Access::Destructive);
    refund.amounts_cents = vec![123_456];
    refund.approval = Some("approved".into());
    refund.arguments = json!({
        "payment_intent": "fpi_9",
        "api_key": "fsk_test_abcdefghijklmnop",
        "nested": {"note": "fsk_live_qrstuvwxyz0123", "auth": "Bearer xyz"},
    });
    store.record(refund);
    store.flush();
    let out = dir.path().join("activity.csv");
    let paris = chrono::FixedOffset::east_opt(3600).unwrap();
    assert_eq!(
        store
            .export_csv_in(&ActivityFilter::default(), &out, &paris)
            .unwrap(),
        1
    );
    let text = std::fs::read_to_string(&out).unwrap();
    for secret in ["fsk_", "Bearer", "abcdefghijklmnop", "qrstuvwxyz0123"] {
        assert!(
            !text.contains(secret),
            "{secret} leaked into the CSV: {text}"
        );
    }
    let line = text.split("\r\n").nth(1).unwrap();
    assert!(
        line.starts_with("2026-12-01 10:41:00 +01:00,"),
        "local time: {line}"
    );
    assert!(line.contains(",approved,"), "the decision: {line}");
    assert!(line.contains(",1234.56,"), "dollars from cents: {line}");
    assert!(
        line.contains("fpi_9"),
        "the rest of the arguments stays: {line}"
    );
}

/// A real full disk: a 4 MiB tmpfs mounted for this test. Needs root (CI runs as root); without
/// the right to mount, the test says so and does nothing.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_reported_and_recording_resumes_with_nothing_lost() {
    struct Mount(std::path::PathBuf);
    impl Drop for Mount {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount")
                .arg("-l")
                .arg(&self.0)
                .status();
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let mnt = dir.path().join("small");
    std::fs::create_dir(&mnt).unwrap();
    let mounted = std::process::Command::new("mount")
        .args([
            "-t",
            "tmpfs",
            "-o",
            "size=4m",
            "flex-test-full",
            mnt.to_str().unwrap(),
        ])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipped: cannot mount a tmpfs here (needs root)");
        return;
    }
    let _mount = Mount(mnt.clone());

    let notices = Arc::new(Notices::new());
    let mut notice_rx = notices.subscribe();
    let store = ActivityStore::with_notices(mnt.join("activity.sqlite3"), big(), notices.clone());
    store.record(record("before-1", &now()));
    store.flush();
    assert_eq!(store.recent(10).unwrap().len(), 1);

    // Fill the disk.
    let filler = mnt.join("filler");
    {
        use std::io::Write as _;
        let mut f = std::fs::File::create(&filler).unwrap();
        let chunk = vec![0u8; 16 * 1024];
        while f.write_all(&chunk).and_then(|()| f.sync_all()).is_ok() {}
    }

    let mut ids = Vec::new();
    for i in 0..200 {
        let id = format!("while-full-{i}");
        store.record(record(&id, &now()));
        ids.push(id);
    }
    store.flush();
    let notice = wait_notice(&mut notice_rx, NoticeCode::ActivityNotSaved);
    assert!(notice.needs_action);
    assert!(
        notice.message.contains("disk is full"),
        "{}",
        notice.message
    );
    assert!(store.write_failures() > 0);
    assert!(store.unsaved() > 0, "records wait in memory");

    // Space returns: the writer retries by itself.
    std::fs::remove_file(&filler).unwrap();
    let back = wait_notice(&mut notice_rx, NoticeCode::ActivitySavedAgain);
    assert!(
        back.message.contains("No record was lost"),
        "{}",
        back.message
    );
    store.record(record("after-1", &now()));
    store.flush();
    assert_eq!(store.unsaved(), 0);
    assert_eq!(store.dropped(), 0);
    let stored: Vec<String> = store
        .recent(1000)
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(stored.len(), 202, "every record was saved in the end");
    for id in ids
        .iter()
        .chain([&"before-1".to_string(), &"after-1".to_string()])
    {
        assert!(stored.contains(id), "{id} missing");
    }
    let counted: HashMap<NoticeCode, usize> =
        notices.recent().iter().fold(HashMap::new(), |mut m, n| {
            *m.entry(n.code).or_default() += 1;
            m
        });
    assert_eq!(
        counted.get(&NoticeCode::ActivityNotSaved),
        Some(&1),
        "one notice per streak, not one per record"
    );
}

#[cfg(target_os = "linux")]
fn wait_notice(
    rx: &mut broadcast::Receiver<flex_core::notice::Notice>,
    code: NoticeCode,
) -> flex_core::notice::Notice {
    let end = Instant::now() + DEADLINE;
    loop {
        match rx.try_recv() {
            Ok(n) if n.code == code => return n,
            Ok(_) => {}
            Err(broadcast::error::TryRecvError::Empty) => {
                assert!(Instant::now() < end, "no {code:?} within {DEADLINE:?}");
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => panic!("notice channel: {e}"),
        }
    }
}

#[test]
fn a_database_from_before_the_indexes_is_migrated_and_searchable() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.sqlite3");
    // The version-1 schema, as the previous release wrote it.
    let old = rusqlite::Connection::open(&db).unwrap();
    old.execute_batch(
        "PRAGMA journal_mode = WAL;
         CREATE TABLE calls (
             seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
             started_at TEXT NOT NULL, client_name TEXT, client_version TEXT, tool TEXT NOT NULL,
             access TEXT, mode TEXT NOT NULL, arguments TEXT NOT NULL, outcome TEXT NOT NULL,
             error_code TEXT, http_status INTEGER, duration_us INTEGER NOT NULL,
             object_ids TEXT NOT NULL, amounts_cents TEXT NOT NULL);
         CREATE INDEX calls_started_at ON calls(started_at);
         INSERT INTO calls (id, started_at, client_name, client_version, tool, access, mode,
             arguments, outcome, error_code, http_status, duration_us, object_ids, amounts_cents)
         VALUES ('old-1', '2026-11-01T00:00:00.000Z', 'Cursor', '1', 'get_customer', 'read',
             'test', '{\"id\":\"fcus_old\"}', 'ok', NULL, 200, 10, '[\"fcus_old\"]', '[]');",
    )
    .unwrap();
    drop(old);

    let store = ActivityStore::new(&db, big());
    store.record(record("new-1", &now()));
    store.flush();
    let found = |text: &str| -> Vec<String> {
        let f = ActivityFilter {
            text: Some(text.into()),
            ..ActivityFilter::default()
        };
        store
            .page(&f, None, 10)
            .unwrap()
            .rows
            .into_iter()
            .map(|r| r.record.id)
            .collect()
    };
    assert_eq!(found("fcus_old"), ["old-1"], "rows from before are indexed");
    assert_eq!(found("FPROD_1"), ["new-1"]);
    assert_eq!(store.recent(10).unwrap().len(), 2);
}
