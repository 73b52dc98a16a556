//! `flex-mcp clients` through the real binary, in a temporary HOME and FLEX_MCP_HOME (the
//! variables that could point at real client configs are removed from the child's environment).
//!
//! Includes the concurrency test: several `flex-mcp` processes connect and disconnect a client
//! while this process keeps adding other servers to the same file through the same lock; no
//! update may be lost. Without the lock, a `flex-mcp` that read the file before one of our writes
//! and renamed after it would silently drop that server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use flex_clients::{ClientEnv, ClientKind, ClientStatus, DesiredEntry, Os, testing};

struct Sandbox {
    _dir: tempfile::TempDir,
    home: PathBuf,
    flex_home: PathBuf,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        let flex_home = dir.path().join("flex");
        std::fs::create_dir_all(&home).unwrap();
        Sandbox {
            _dir: dir,
            home,
            flex_home,
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        flex_mcp(&self.home, &self.flex_home, args)
    }

    fn env(&self) -> ClientEnv {
        ClientEnv::new(Os::current(), &self.home)
    }

    fn path(&self, kind: ClientKind) -> PathBuf {
        flex_clients::config_path(kind, &self.env())
    }

    fn place(&self, kind: ClientKind, text: &str) -> PathBuf {
        let path = self.path(kind);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    fn backups(&self) -> PathBuf {
        self.flex_home.join("data").join("backups")
    }
}

fn flex_mcp(home: &Path, flex_home: &Path, args: &[&str]) -> Output {
    flex_mcp_at(
        Path::new(env!("CARGO_BIN_EXE_flex-mcp")),
        home,
        flex_home,
        args,
    )
}

/// Runs the `flex-mcp` at `program` (a copy placed by the test) in the sandbox.
fn flex_mcp_at(program: &Path, home: &Path, flex_home: &Path, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .env("HOME", home)
        .env("USERPROFILE", home)
        .env("FLEX_MCP_HOME", flex_home)
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("CODEX_HOME")
        .env_remove("CLAUDE_CONFIG_DIR")
        .env_remove("APPDATA")
        .env_remove("LOCALAPPDATA")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The path `flex-mcp` writes into configs: itself, canonicalised.
fn binary() -> PathBuf {
    std::fs::canonicalize(env!("CARGO_BIN_EXE_flex-mcp")).unwrap()
}

#[test]
fn connect_then_disconnect_restores_the_file_and_says_what_happened() {
    let h = Sandbox::new();
    let original =
        "{\n  // mine\n  \"mcpServers\": {\n    \"other\": { \"command\": \"x\" },\n  },\n}\n";
    let path = h.place(ClientKind::Cursor, original);

    let out = h.run(&["clients", "connect", "cursor"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(said.contains("Connected Cursor"), "{said}");
    assert!(
        said.contains(&path.display().to_string()),
        "names the file: {said}"
    );
    assert!(
        said.contains("previous file is saved at"),
        "names the backup: {said}"
    );
    assert!(
        said.contains(&h.backups().join("cursor").display().to_string()),
        "{said}"
    );
    assert!(said.contains("Restart Cursor"), "says to restart: {said}");

    let connected = std::fs::read_to_string(&path).unwrap();
    assert!(
        connected.contains(&format!("\"command\": \"{}\"", binary().display())),
        "{connected}"
    );
    assert!(connected.contains("\"args\": [\"stdio\"]"));
    assert!(connected.contains("// mine"), "comments stay");
    assert_eq!(
        flex_clients::status(ClientKind::Cursor, &h.env(), &binary()),
        ClientStatus::Connected
    );

    let out = h.run(&["clients", "connect", "cursor"]);
    assert!(
        stdout(&out).contains("already connected"),
        "{}",
        stdout(&out)
    );

    let out = h.run(&["clients", "disconnect", "cursor"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Disconnected Cursor"),
        "{}",
        stdout(&out)
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), original);
}

#[test]
fn list_shows_every_client_with_its_status() {
    let h = Sandbox::new();
    h.place(ClientKind::Windsurf, "{}");
    h.place(
        ClientKind::Cursor,
        &format!(
            "{{\"mcpServers\": {{\"flex\": {{\"command\": \"{}\", \"args\": [\"stdio\"]}}}}}}",
            binary().display()
        ),
    );
    h.place(
        ClientKind::Gemini,
        "{\"mcpServers\": {\"flex\": {\"command\": \"/gone\", \"args\": [\"stdio\"]}}}",
    );
    h.place(ClientKind::LmStudio, "{\"mcpServers\": ");
    let out = h.run(&["clients", "list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out);
    for kind in ClientKind::ALL {
        assert!(said.contains(kind.display_name()), "{said}");
    }
    let line = |name: &str| {
        said.lines()
            .find(|l| l.starts_with(name))
            .unwrap()
            .to_string()
    };
    assert!(line("Cursor").contains("connected"), "{said}");
    assert!(line("Windsurf").contains("not connected"), "{said}");
    assert!(line("Gemini CLI").contains("outdated"), "{said}");
    assert!(line("LM Studio").contains("config broken"), "{said}");
    assert!(line("Zed").contains("not installed"), "{said}");
    assert!(said.contains("flex-mcp clients repair"), "{said}");
}

#[test]
fn repair_fixes_outdated_entries_only() {
    let h = Sandbox::new();
    let gemini = h.place(
        ClientKind::Gemini,
        "{\n  \"mcpServers\": {\n    \"flex\": {\"command\": \"/old/flex-mcp\", \"args\": [\"stdio\"]}\n  }\n}\n",
    );
    let untouched = "{\"mcpServers\": {\"other\": {\"command\": \"x\"}}}";
    let windsurf = h.place(ClientKind::Windsurf, untouched);
    let out = h.run(&["clients", "repair"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Updated Gemini CLI"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        flex_clients::status(ClientKind::Gemini, &h.env(), &binary()),
        ClientStatus::Connected
    );
    assert!(
        std::fs::read_to_string(gemini)
            .unwrap()
            .contains(&binary().display().to_string())
    );
    assert_eq!(std::fs::read_to_string(windsurf).unwrap(), untouched);

    let out = h.run(&["clients", "repair"]);
    assert!(
        stdout(&out).contains("Nothing to repair"),
        "{}",
        stdout(&out)
    );
}

/// A copy of the built `flex-mcp` at `to`, with the full CLI `flex-mcp-cli` it runs beside it as
/// every package installs them (hard links when the file system allows), so the program runs
/// from a path of the test's choosing.
fn place_program(to: &Path) {
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    let cli = to.with_file_name("flex-mcp-cli");
    for (from, to) in [
        (env!("CARGO_BIN_EXE_flex-mcp"), to),
        (env!("CARGO_BIN_EXE_flex-mcp-cli"), cli.as_path()),
    ] {
        if std::fs::hard_link(from, to).is_err() {
            std::fs::copy(from, to).unwrap();
        }
    }
}

/// Issue 10: an entry written by a development build (or a copy that later moved) is outdated for
/// the installed program; `doctor` says so and names the fix, and `clients repair` run by the
/// installed program points the entry at it.
#[test]
fn entries_from_a_build_folder_or_a_moved_copy_are_found_by_doctor_and_repaired() {
    let h = Sandbox::new();
    let programs = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let built = programs.path().join("checkout/target/release/flex-mcp");
    let installed = programs.path().join("opt/flex-mcp/flex-mcp");
    place_program(&built);
    place_program(&installed);
    let installed = std::fs::canonicalize(&installed).unwrap();
    // Nothing here may reach withflex.com: doctor's Flex check gets a closed loopback port, and
    // its keychain look-up a service no one uses.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let doctor = || {
        let out = Command::new(&installed)
            .arg("doctor")
            .env("HOME", &h.home)
            .env("FLEX_MCP_HOME", &h.flex_home)
            .env("FLEX_API_BASE", &closed)
            .env(
                "FLEX_MCP_KEYCHAIN_SERVICE",
                format!("com.withflex.mcp.test.moved.{}", std::process::id()),
            )
            .env_remove("FLEX_API_KEY")
            .env_remove("XDG_CONFIG_HOME")
            .output()
            .unwrap();
        stdout(&out)
    };
    let cursor_line = |said: &str| {
        said.lines()
            .find(|l| l.contains("Cursor:"))
            .unwrap_or_else(|| panic!("doctor names Cursor: {said}"))
            .to_string()
    };

    h.place(ClientKind::Cursor, "{}");
    let out = flex_mcp_at(
        &built,
        &h.home,
        &h.flex_home,
        &["clients", "connect", "cursor"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let path = h.path(ClientKind::Cursor);
    let built_real = std::fs::canonicalize(&built).unwrap();
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains(&built_real.display().to_string()),
        "a build folder is written as it is"
    );

    let said = doctor();
    let line = cursor_line(&said);
    assert!(line.starts_with("FAIL"), "{said}");
    assert!(
        line.contains("outdated") && line.contains("different program"),
        "{said}"
    );
    assert!(said.contains("fix: flex-mcp clients repair"), "{said}");

    // The build folder goes away (the copy moved): still found, now as missing.
    std::fs::remove_file(&built).unwrap();
    let said = doctor();
    assert!(cursor_line(&said).contains("does not exist"), "{said}");

    let out = flex_mcp_at(&installed, &h.home, &h.flex_home, &["clients", "repair"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Updated Cursor"), "{}", stdout(&out));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains(&format!("\"command\": \"{}\"", installed.display())),
        "{text}"
    );
    assert_eq!(
        flex_clients::status(ClientKind::Cursor, &h.env(), &installed),
        ClientStatus::Connected
    );
    let said = doctor();
    assert!(cursor_line(&said).starts_with("ok"), "{said}");
}

#[test]
fn unknown_client_lists_the_valid_names() {
    let h = Sandbox::new();
    let out = h.run(&["clients", "connect", "claude"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    for kind in ClientKind::ALL {
        assert!(err.contains(kind.cli_name()), "{err}");
    }
}

#[test]
fn broken_config_is_refused_with_position_code_and_untouched() {
    let h = Sandbox::new();
    let broken = "{\n  \"mcpServers\": {\n    \"a\": {}\n    \"b\": {}\n  }\n}\n";
    let path = h.place(ClientKind::Cursor, broken);
    let out = h.run(&["clients", "connect", "cursor"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("config_unparsable"), "{err}");
    assert!(err.contains("line 3, column 12"), "{err}");
    assert!(err.contains(&path.display().to_string()), "{err}");
    assert!(err.contains("Nothing was changed"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), broken);
    assert!(
        !h.backups().join("cursor").exists(),
        "no backup for a change that did not happen"
    );
}

#[test]
fn not_installed_client_needs_force() {
    let h = Sandbox::new();
    let out = h.run(&["clients", "connect", "windsurf"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("client_not_installed"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    assert!(!h.path(ClientKind::Windsurf).exists());

    let out = h.run(&["clients", "connect", "windsurf", "--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        flex_clients::status(ClientKind::Windsurf, &h.env(), &binary()),
        ClientStatus::Connected
    );
}

#[test]
fn claude_desktop_says_to_quit_it_from_the_tray() {
    let h = Sandbox::new();
    h.place(ClientKind::ClaudeDesktop, "{}");
    let out = h.run(&["clients", "connect", "claude-desktop"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Quit Claude Desktop fully"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn concurrent_writers_lose_no_update() {
    const PROCESSES: usize = 3;
    const ROUNDS: usize = 8;
    let h = Arc::new(Sandbox::new());
    let path = h.place(ClientKind::Cursor, "{\n  \"mcpServers\": {}\n}\n");

    let done = Arc::new(AtomicBool::new(false));
    let cli_workers: Vec<_> = (0..PROCESSES)
        .map(|_| {
            let h = Arc::clone(&h);
            std::thread::spawn(move || {
                for _ in 0..ROUNDS {
                    for action in ["connect", "disconnect"] {
                        let out = h.run(&["clients", action, "cursor"]);
                        assert!(out.status.success(), "{action}: {}", stderr(&out));
                    }
                }
            })
        })
        .collect();

    // Meanwhile, keep adding servers of our own, each under the lock, until the CLIs finish.
    let env = h.env();
    let backups = h.backups();
    let mut added = Vec::new();
    let writer_done = Arc::clone(&done);
    let watcher = std::thread::spawn(move || {
        for w in cli_workers {
            w.join().unwrap();
        }
        writer_done.store(true, Ordering::SeqCst);
    });
    while !done.load(Ordering::SeqCst) || added.len() < 20 {
        let name = format!("other-{}", added.len());
        let entry = DesiredEntry {
            command: format!("/usr/bin/{name}"),
            args: vec![],
            stdio_type: false,
        };
        testing::upsert_other_server(ClientKind::Cursor, &env, &name, &entry, &backups).unwrap();
        added.push(name);
    }
    watcher.join().unwrap();

    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        flex_clients::text::is_valid(ClientKind::Cursor, &text),
        "{text}"
    );
    let lost: Vec<_> = added
        .iter()
        .filter(|name| !text.contains(&format!("\"{name}\"")))
        .collect();
    assert!(
        lost.is_empty(),
        "{} of {} updates lost: {lost:?}\n{text}",
        lost.len(),
        added.len()
    );
    // Every CLI run ended with a disconnect, so our entry is gone and nothing else is.
    assert_eq!(
        flex_clients::status(ClientKind::Cursor, &env, &binary()),
        ClientStatus::NotConnected
    );
}
