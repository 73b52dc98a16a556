//! A writer killed with SIGKILL in the middle of a write leaves the old file intact and parseable,
//! and the next writer cleans up its temp file.
//!
//! The test re-runs this very test binary as a child, running only the ignored
//! `child_writer_that_stalls` test with instructions in its environment. The child connects a
//! client through the real code path and stalls inside a write hook (half-way through the temp
//! file, or just before the rename); the parent waits for the child's signal file and kills it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use flex_clients::{ClientEnv, ClientKind, ClientStatus, Os, testing};

use crate::{BINARY, stray_files};

const ROLE: &str = "FLEX_CLIENTS_CRASH_CHILD";
const ORIGINAL: &str =
    "{\n  // Cursor config\n  \"mcpServers\": {\n    \"other\": { \"command\": \"x\" }\n  }\n}\n";

/// Not a test on its own: the body of the child process (does nothing unless launched by
/// [`kill_mid_write`]).
#[test]
#[ignore = "run only as the child of the crash tests"]
fn child_writer_that_stalls() {
    let Some(dir) = std::env::var_os(ROLE) else {
        return;
    };
    let dir = PathBuf::from(dir);
    let stage = std::env::var("FLEX_CLIENTS_CRASH_STAGE").unwrap();
    let env = ClientEnv::new(Os::Linux, dir.join("home"));
    let signal = dir.join("stalled");
    let stall = || {
        std::fs::write(&signal, b"stalled").unwrap();
        // Wait to be killed; never returns normally within the test's lifetime.
        std::thread::sleep(Duration::from_secs(120));
    };
    let hooks = if stage == "partial" {
        testing::Hooks {
            after_partial_write: Some(&stall),
            before_rename: None,
        }
    } else {
        testing::Hooks {
            after_partial_write: None,
            before_rename: Some(&stall),
        }
    };
    let _ = testing::connect_with_hooks(
        ClientKind::Cursor,
        &env,
        Path::new(BINARY),
        &dir.join("backups"),
        &hooks,
    );
}

fn kill_mid_write(stage: &str) {
    let dir = tempfile::tempdir().unwrap();
    let env = ClientEnv::new(Os::Linux, dir.path().join("home"));
    let config = flex_clients::config_path(ClientKind::Cursor, &env);
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(&config, ORIGINAL).unwrap();

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "crash::child_writer_that_stalls",
            "--ignored",
            "--nocapture",
        ])
        .env(ROLE, dir.path())
        .env("FLEX_CLIENTS_CRASH_STAGE", stage)
        .spawn()
        .unwrap();
    let signal = dir.path().join("stalled");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !signal.exists() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("child ended before stalling: {status}");
        }
        assert!(
            Instant::now() < deadline,
            "child never reached the write hook"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL: no destructor, no cleanup runs in the child
    child.wait().unwrap();

    // The old file is intact, byte for byte, and parses.
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        ORIGINAL,
        "stage {stage}"
    );
    assert!(flex_clients::text::is_valid(ClientKind::Cursor, ORIGINAL));
    let leftovers = stray_files(config.parent().unwrap(), &config);
    assert_eq!(
        leftovers.len(),
        1,
        "the killed writer's temp file is left: {leftovers:?}"
    );
    assert!(
        leftovers[0].starts_with(".mcp.json.flex-mcp-tmp"),
        "{leftovers:?}"
    );
    assert_eq!(
        flex_clients::status(ClientKind::Cursor, &env, Path::new(BINARY)),
        ClientStatus::NotConnected
    );

    // The next writer succeeds and removes the stale temp file.
    flex_clients::connect(
        ClientKind::Cursor,
        &env,
        Path::new(BINARY),
        &dir.path().join("backups"),
    )
    .unwrap();
    assert_eq!(
        flex_clients::status(ClientKind::Cursor, &env, Path::new(BINARY)),
        ClientStatus::Connected
    );
    assert_eq!(
        stray_files(config.parent().unwrap(), &config),
        Vec::<String>::new()
    );
}

#[cfg(unix)]
#[test]
fn writer_killed_half_way_through_the_temp_file_leaves_the_old_config() {
    kill_mid_write("partial");
}

#[cfg(unix)]
#[test]
fn writer_killed_just_before_rename_leaves_the_old_config() {
    kill_mid_write("rename");
}
