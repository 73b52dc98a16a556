//! `flex-mcp login / logout / status / mode / doctor` as a user runs them: the real binary,
//! against flex-sim started in-process, with HOME and FLEX_MCP_HOME in temp dirs and a keychain
//! service of its own per test. Runs under `scripts/with-keyring.sh` (a private Secret Service);
//! without it the tests fail rather than touch the developer's keychain.
#![allow(clippy::unwrap_used)]

use std::io::{Read as _, Write as _};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

const TEST_KEY: &str = "fsk_test_AuthSuiteQ2x9Zr7Lw4Kp";
const LIVE_KEY: &str = "fsk_AuthSuiteLiveM3n8Vb5Yc1Tt";
const SCOPED_KEY: &str = "fsk_test_AuthSuiteScopedH6j2Ds";

fn sandbox() {
    let marker = std::env::var("FLEX_MCP_KEYRING_SANDBOX").unwrap_or_default();
    let bus = std::env::var("DBUS_SESSION_BUS_ADDRESS").unwrap_or_default();
    assert!(
        marker == "1" && !bus.is_empty(),
        "these tests store keys in the keychain and must run inside a private keyring: \
         `scripts/with-keyring.sh cargo test -p flex-cli --test auth`"
    );
}

/// One user's world: temp home, temp FLEX_MCP_HOME, own keychain service, a running flex-sim.
struct World {
    dir: tempfile::TempDir,
    service: String,
    base_url: String,
    rt: tokio::runtime::Runtime,
    sim: Option<flex_sim::SimHandle>,
}

impl World {
    fn new() -> World {
        static N: AtomicUsize = AtomicUsize::new(0);
        sandbox();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let sim = rt
            .block_on(flex_sim::start(flex_sim::SimConfig {
                port: 0,
                seed: None,
                keys: vec![
                    (TEST_KEY.to_string(), vec![]),
                    (LIVE_KEY.to_string(), vec![]),
                    (SCOPED_KEY.to_string(), vec!["customers:read".to_string()]),
                ],
            }))
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("home")).unwrap();
        World {
            service: format!(
                "com.withflex.mcp.test.cli.{}.{}",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed)
            ),
            base_url: sim.base_url(),
            sim: Some(sim),
            rt,
            dir,
        }
    }

    fn flex_home(&self) -> PathBuf {
        self.dir.path().join("flex")
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_flex-mcp"));
        c.args(args)
            .env("HOME", self.dir.path().join("home"))
            .env("FLEX_MCP_HOME", self.flex_home())
            .env("FLEX_API_BASE", &self.base_url)
            .env("FLEX_MCP_KEYCHAIN_SERVICE", &self.service)
            .env_remove("FLEX_API_KEY")
            .env_remove("FLEX_MCP_LOG");
        c
    }

    /// Run with `stdin` piped in (so stdin is not a terminal).
    fn run(&self, args: &[&str], stdin: &str) -> Out {
        let mut child = self
            .cmd(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // A command that does not read stdin may exit before we write: that is fine.
        if let Err(e) = child.stdin.take().unwrap().write_all(stdin.as_bytes()) {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
        }
        Out(child.wait_with_output().unwrap())
    }

    /// Run on a pseudo-terminal (util-linux `script`), typing `answer` once `prompt` has been
    /// printed, as a person would. The key must then never appear in what the terminal showed.
    fn run_on_tty(&self, args: &[&str], prompt: &str, answer: &str) -> Out {
        let line = std::iter::once(env!("CARGO_BIN_EXE_flex-mcp"))
            .chain(args.iter().copied())
            .map(|a| format!("'{a}'"))
            .collect::<Vec<_>>()
            .join(" ");
        let template = self.cmd(args);
        let mut c = Command::new("script");
        c.args(["-qfec", &line, "/dev/null"]);
        for (k, v) in template.get_envs() {
            match v {
                Some(v) => c.env(k, v),
                None => c.env_remove(k),
            };
        }
        let mut child = c
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("util-linux `script` is needed for the terminal tests");
        let mut stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            loop {
                match stdout.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if tx.send(buf[..n].to_vec()).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        let mut shown = Vec::new();
        while !String::from_utf8_lossy(&shown).contains(prompt) {
            // A generous guard against hanging forever, not a timing assertion.
            match rx.recv_timeout(std::time::Duration::from_secs(60)) {
                Ok(bytes) => shown.extend(bytes),
                Err(e) => panic!(
                    "the prompt {prompt:?} never appeared ({e}): {}",
                    String::from_utf8_lossy(&shown)
                ),
            }
        }
        // The prompt is printed just before echo is switched off; give that a moment so a
        // fast typist (this test) does not beat it.
        std::thread::sleep(std::time::Duration::from_millis(300));
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(format!("{answer}\r").as_bytes()).unwrap();
        stdin.flush().unwrap();
        let status = child.wait().unwrap();
        drop(stdin);
        reader.join().unwrap();
        shown.extend(rx.try_iter().flatten());
        let mut stderr = Vec::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_end(&mut stderr)
            .unwrap();
        Out(Output {
            status,
            stdout: shown,
            stderr,
        })
    }

    fn login(&self, key: &str) -> Out {
        self.run(&["login", "--api-key"], &format!("{key}\n"))
    }

    fn status_json(&self) -> serde_json::Value {
        let out = self.run(&["status", "--json"], "");
        assert!(out.ok(), "status --json failed: {}", out.all());
        serde_json::from_str(&out.stdout()).unwrap()
    }

    /// Number of keychain items under this world's service (secret-tool, independent of us).
    fn items(&self) -> usize {
        let out = Command::new("secret-tool")
            .args(["search", "--all", "service", &self.service])
            .output()
            .expect("secret-tool (libsecret-tools) is needed to count keychain items");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        text.lines().filter(|l| l.starts_with("[/")).count()
    }

    /// `/v1` requests flex-sim received, from its journal.
    fn sim_requests(&self) -> usize {
        let addr = self.base_url.trim_start_matches("http://");
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        write!(
            s,
            "GET /__sim/requests HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut text = String::new();
        s.read_to_string(&mut text).unwrap();
        let body = text.split("\r\n\r\n").nth(1).unwrap_or_default();
        let v: serde_json::Value =
            serde_json::from_str(body).unwrap_or_else(|e| panic!("journal is JSON ({e}): {text}"));
        v["requests"].as_array().map_or(0, Vec::len)
    }
}

impl Drop for World {
    fn drop(&mut self) {
        // Leave the private keyring clean even when an assertion failed half-way.
        let _ = self.cmd(&["logout"]).output();
        if let Some(sim) = self.sim.take() {
            self.rt.block_on(sim.shutdown());
        }
    }
}

struct Out(Output);

impl Out {
    fn ok(&self) -> bool {
        self.0.status.success()
    }
    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }
    fn all(&self) -> String {
        format!("{}{}", self.stdout(), self.stderr())
    }
    /// Neither stream carries the key nor its distinctive body.
    fn assert_never_shows(&self, key: &str) {
        let all = self.all();
        let body = key
            .trim_start_matches("fsk_test_")
            .trim_start_matches("fsk_");
        assert!(
            !all.contains(body),
            "output must never contain the key (or its body):\n{all}"
        );
    }
}

#[test]
fn login_with_a_test_key_on_stdin_stores_it_in_the_test_slot() {
    let w = World::new();
    let out = w.login(TEST_KEY);
    assert!(out.ok(), "{}", out.all());
    out.assert_never_shows(TEST_KEY);
    let text = out.stdout();
    assert!(text.contains("test-mode API key is stored"), "{text}");
    assert!(
        text.contains(&w.base_url),
        "says where it was verified: {text}"
    );
    assert!(text.contains("You are in test mode"), "{text}");
    assert_eq!(w.items(), 1, "exactly one keychain item");

    let v = w.status_json();
    assert_eq!(v["mode"], "test");
    assert_eq!(v["api_base"], w.base_url.as_str());
    assert_eq!(v["credentials"]["test"]["api_key"]["stored"], true);
    assert_eq!(v["credentials"]["live"]["api_key"]["stored"], false);
    assert!(v["credentials"]["test"]["api_key"]["last_verified_at"].is_string());

    // Signing in again replaces the key in place.
    let again = w.login(TEST_KEY);
    assert!(again.ok(), "{}", again.all());
    assert!(
        again
            .stdout()
            .contains("replacing the key stored there before")
    );
    assert_eq!(
        w.items(),
        1,
        "a second login updates the item, never duplicates it"
    );
}

#[test]
fn status_shows_slots_and_never_the_key() {
    let w = World::new();
    assert!(w.login(TEST_KEY).ok());
    for args in [&["status"][..], &["status", "--json"][..]] {
        let out = w.run(args, "");
        assert!(out.ok(), "{}", out.all());
        out.assert_never_shows(TEST_KEY);
    }
    let text = w.run(&["status"], "").stdout();
    assert!(text.contains("Mode:      test"), "{text}");
    assert!(text.contains("test key:  stored, last verified"), "{text}");
    assert!(text.contains("live key:  not stored"), "{text}");
    // The metadata file records the slot, not the secret.
    let meta = std::fs::read_to_string(w.flex_home().join("config/credentials.json")).unwrap();
    assert!(meta.contains("test:api_key"));
    assert!(
        !meta.contains("AuthSuite"),
        "metadata holds no secret: {meta}"
    );
}

#[test]
fn login_with_a_live_key_in_test_mode_says_how_to_switch() {
    let w = World::new();
    let out = w.login(LIVE_KEY);
    assert!(out.ok(), "{}", out.all());
    out.assert_never_shows(LIVE_KEY);
    let text = out.stdout();
    assert!(text.contains("live-mode API key is stored"), "{text}");
    assert!(text.contains("flex-mcp mode live"), "how to switch: {text}");
    let v = w.status_json();
    assert_eq!(v["mode"], "test", "signing in never switches the mode");
    assert_eq!(v["credentials"]["live"]["api_key"]["stored"], true);
    assert_eq!(v["credentials"]["test"]["api_key"]["stored"], false);
}

#[test]
fn a_malformed_key_is_refused_before_any_request_and_nothing_is_stored() {
    let w = World::new();
    let before = w.sim_requests();
    for (input, expected) in [
        ("sk_live_51HAuthSuiteStripe", "looks like a Stripe key"),
        ("fsk_test_AuthSuite has space", "contains a space"),
        ("fsk_test_AuthSuite\nsecond-line", "contains a line break"),
        ("", "No API key was given"),
    ] {
        let out = w.run(&["login", "--api-key"], input);
        assert!(!out.ok(), "{input:?} must be refused");
        let err = out.stderr();
        assert!(err.contains(expected), "{input:?}: {err}");
        assert!(err.contains("(code: invalid_key)"), "{err}");
        assert!(
            !out.all().contains("AuthSuite"),
            "never echo the key: {}",
            out.all()
        );
    }
    assert_eq!(w.sim_requests(), before, "format errors are caught offline");
    assert_eq!(w.items(), 0, "nothing stored");
}

#[test]
fn a_key_flex_rejects_is_not_stored() {
    let w = World::new();
    let unknown = "fsk_test_AuthSuiteNotRegistered";
    let out = w.login(unknown);
    assert!(!out.ok());
    let err = out.stderr();
    assert!(err.contains("Flex did not accept this key"), "{err}");
    assert!(err.contains("(code: key_rejected)"), "{err}");
    assert!(err.contains("Nothing was stored"), "{err}");
    out.assert_never_shows(unknown);
    assert_eq!(w.items(), 0);
    assert_eq!(
        w.status_json()["credentials"]["test"]["api_key"]["stored"],
        false
    );
}

#[test]
fn a_scoped_key_is_stored_with_a_warning_naming_the_missing_scope() {
    let w = World::new();
    let out = w.login(SCOPED_KEY);
    assert!(out.ok(), "a scoped key is legitimate: {}", out.all());
    out.assert_never_shows(SCOPED_KEY);
    let text = out.stdout();
    assert!(text.contains("scoped key"), "{text}");
    assert!(
        text.contains("products:read"),
        "names the missing scope: {text}"
    );
    assert!(
        text.contains("stored anyway"),
        "says what it decided: {text}"
    );
    let v = w.status_json();
    assert_eq!(v["credentials"]["test"]["api_key"]["stored"], true);
    assert_eq!(
        v["credentials"]["test"]["api_key"]["missing_scopes"],
        serde_json::json!(["products:read"])
    );
}

#[test]
fn the_key_is_never_taken_from_arguments() {
    let w = World::new();
    for args in [
        &["login", "--api-key", TEST_KEY][..],
        &["login", &format!("--api-key={TEST_KEY}")][..],
        &["login", TEST_KEY][..],
    ] {
        let out = w.run(args, "");
        assert!(!out.ok(), "{args:?} must be refused");
        assert!(
            out.stderr()
                .contains("must not be given on the command line"),
            "{}",
            out.stderr()
        );
        out.assert_never_shows(TEST_KEY);
    }
    assert_eq!(w.items(), 0);
}

#[test]
fn mode_switch_to_live_needs_yes_without_a_terminal() {
    let w = World::new();
    assert_eq!(
        w.run(&["mode"], "").stdout().trim(),
        "test",
        "new installs start in test"
    );

    let refused = w.run(&["mode", "live"], "live\n");
    assert!(!refused.ok(), "piped stdin is not a confirmation");
    assert!(
        refused.stderr().contains("flex-mcp mode live --yes"),
        "{}",
        refused.stderr()
    );
    assert!(refused.stderr().contains("(code: cancelled)"));
    assert_eq!(
        w.run(&["mode"], "").stdout().trim(),
        "test",
        "unchanged after refusal"
    );

    let switched = w.run(&["mode", "live", "--yes"], "");
    assert!(switched.ok(), "{}", switched.all());
    let text = switched.stdout();
    assert!(text.contains("Switched to live mode"), "{text}");
    assert!(
        text.contains("no live API key is stored"),
        "warns about the missing key: {text}"
    );
    assert_eq!(w.run(&["mode"], "").stdout().trim(), "live");
    let settings = std::fs::read_to_string(w.flex_home().join("config/settings.json")).unwrap();
    assert!(settings.contains("\"mode\": \"live\""), "{settings}");

    // Back to test needs no confirmation.
    assert!(w.login(TEST_KEY).ok());
    let back = w.run(&["mode", "test"], "");
    assert!(back.ok(), "{}", back.all());
    assert!(
        !back.stdout().contains("Warning"),
        "test key is stored: {}",
        back.stdout()
    );
    assert_eq!(w.run(&["mode"], "").stdout().trim(), "test");
}

#[test]
fn logout_removes_one_mode_or_both_with_a_summary() {
    let w = World::new();
    assert!(w.login(TEST_KEY).ok());
    assert!(w.login(LIVE_KEY).ok());
    assert_eq!(w.items(), 2);

    let one = w.run(&["logout", "--mode", "test"], "");
    assert!(one.ok(), "{}", one.all());
    assert!(
        one.stdout().contains("test: removed the API key"),
        "{}",
        one.stdout()
    );
    assert_eq!(w.items(), 1);
    let v = w.status_json();
    assert_eq!(v["credentials"]["test"]["api_key"]["stored"], false);
    assert_eq!(v["credentials"]["live"]["api_key"]["stored"], true);

    let both = w.run(&["logout"], "");
    assert!(both.ok(), "{}", both.all());
    let text = both.stdout();
    assert!(text.contains("test: nothing was stored."), "{text}");
    assert!(text.contains("live: removed the API key"), "{text}");
    assert_eq!(w.items(), 0, "the keychain is empty");
    let meta = std::fs::read_to_string(w.flex_home().join("config/credentials.json")).unwrap();
    assert!(
        !meta.contains("api_key"),
        "metadata forgets removed slots: {meta}"
    );
}

#[test]
fn doctor_passes_when_signed_in_and_fails_with_fixes_when_not() {
    let w = World::new();
    let out = w.run(&["doctor"], "");
    assert!(!out.ok(), "no key for the current mode is a problem");
    let text = out.stdout();
    assert!(text.contains("FAIL  test key: not stored"), "{text}");
    assert!(
        text.contains("fix: you are in test mode without a test key"),
        "{text}"
    );
    assert!(
        text.contains("Flex is reachable at"),
        "one GET without a key: {text}"
    );
    assert!(text.contains(env!("CARGO_BIN_EXE_flex-mcp").rsplit('/').next().unwrap()));

    assert!(w.login(TEST_KEY).ok());
    let out = w.run(&["doctor"], "");
    assert!(out.ok(), "signed in against a working Flex: {}", out.all());
    out.assert_never_shows(TEST_KEY);
    assert!(
        out.stdout().contains("accepted the test key"),
        "{}",
        out.stdout()
    );

    // A connected client is also run the way the client runs it: its entry must answer an MCP
    // initialize (the real binary, started by doctor).
    std::fs::create_dir_all(w.dir.path().join("home/.cursor")).unwrap();
    assert!(w.run(&["clients", "connect", "cursor"], "").ok());
    let out = w.run(&["doctor"], "");
    assert!(out.ok(), "{}", out.all());
    assert!(
        out.stdout()
            .contains("ok    Cursor: its entry starts flex-mcp"),
        "{}",
        out.stdout()
    );
}

#[test]
fn doctor_and_login_name_an_unreachable_base_url() {
    let w = World::new();
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let out = Out(w
        .cmd(&["doctor"])
        .env("FLEX_API_BASE", &closed)
        .stdin(Stdio::null())
        .output()
        .unwrap());
    assert!(!out.ok());
    assert!(
        out.stdout()
            .contains(&format!("Could not reach Flex at {closed}")),
        "{}",
        out.stdout()
    );

    let mut child = w
        .cmd(&["login", "--api-key"])
        .env("FLEX_API_BASE", &closed)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(TEST_KEY.as_bytes())
        .unwrap();
    let out = Out(child.wait_with_output().unwrap());
    assert!(!out.ok());
    assert!(
        out.stderr()
            .contains(&format!("Could not reach Flex at {closed}")),
        "{}",
        out.stderr()
    );
    assert!(out.stderr().contains("(code: network)"));
    assert_eq!(w.items(), 0);
}

#[test]
fn login_on_a_terminal_reads_the_key_from_a_hidden_prompt() {
    let w = World::new();
    let out = w.run_on_tty(&["login", "--api-key"], "input is hidden): ", TEST_KEY);
    assert!(out.ok(), "{}", out.all());
    out.assert_never_shows(TEST_KEY);
    assert!(
        out.stdout().contains("test-mode API key is stored"),
        "{}",
        out.stdout()
    );
    assert_eq!(w.items(), 1);
}

#[test]
fn live_mode_on_a_terminal_asks_and_only_live_confirms() {
    let w = World::new();
    let declined = w.run_on_tty(&["mode", "live"], "Type `live` to switch: ", "yes");
    assert!(
        !declined.ok(),
        "only typing `live` confirms: {}",
        declined.all()
    );
    assert!(
        declined.all().contains("you did not confirm"),
        "{}",
        declined.all()
    );
    assert_eq!(w.run(&["mode"], "").stdout().trim(), "test");

    let confirmed = w.run_on_tty(&["mode", "live"], "Type `live` to switch: ", "live");
    assert!(confirmed.ok(), "{}", confirmed.all());
    assert!(
        confirmed.stdout().contains("Switched to live mode"),
        "{}",
        confirmed.stdout()
    );
    assert_eq!(w.run(&["mode"], "").stdout().trim(), "live");
}

#[test]
fn an_unreachable_keychain_is_reported_with_its_fix_before_contacting_flex() {
    let w = World::new();
    let nobus = format!("unix:path={}", w.dir.path().join("no-bus").display());
    let run = |args: &[&str], stdin: &str| {
        let mut child = w
            .cmd(args)
            .env("DBUS_SESSION_BUS_ADDRESS", &nobus)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if let Err(e) = child.stdin.take().unwrap().write_all(stdin.as_bytes()) {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
        }
        Out(child.wait_with_output().unwrap())
    };
    let before = w.sim_requests();
    let out = run(&["login", "--api-key"], TEST_KEY);
    assert!(!out.ok());
    let err = out.stderr();
    assert!(
        err.contains("The system keychain is locked or not running."),
        "{err}"
    );
    assert!(
        err.contains("gnome-keyring-daemon --unlock"),
        "the fix is named: {err}"
    );
    assert!(err.contains("(code: keychain_unavailable)"), "{err}");
    out.assert_never_shows(TEST_KEY);
    assert_eq!(
        w.sim_requests(),
        before,
        "no key check when it could not be stored anyway"
    );

    let status = run(&["status"], "");
    assert!(status.ok(), "status still answers: {}", status.all());
    let text = status.stdout();
    assert!(text.contains("Keychain:  unavailable."), "{text}");
    assert!(text.contains("test key:  unknown"), "{text}");

    let doctor = run(&["doctor"], "");
    assert!(
        !doctor.ok(),
        "a missing keychain is a problem when nothing else supplies a key"
    );
    assert!(
        doctor.stdout().contains("FAIL  keychain:"),
        "{}",
        doctor.stdout()
    );
}

#[test]
fn doctor_reports_each_client_problem_with_its_fix() {
    let w = World::new();
    assert!(w.login(TEST_KEY).ok());
    let home = w.dir.path().join("home");
    let connect = w.run(&["clients", "connect", "cursor", "--force"], "");
    assert!(connect.ok(), "{}", connect.all());
    let healthy = w.run(&["doctor"], "");
    assert!(healthy.ok(), "{}", healthy.all());
    assert!(
        healthy.stdout().contains("ok    Cursor: connected"),
        "{}",
        healthy.stdout()
    );

    // Our entry now points at a program that does not exist: outdated, fixed by `repair`.
    let cursor = home.join(".cursor/mcp.json");
    let text = std::fs::read_to_string(&cursor).unwrap();
    let moved = text.replace(env!("CARGO_BIN_EXE_flex-mcp"), "/nowhere/flex-mcp");
    assert_ne!(text, moved, "the entry holds the absolute binary path");
    std::fs::write(&cursor, moved).unwrap();
    let out = w.run(&["doctor"], "");
    assert!(!out.ok(), "an outdated entry is a problem");
    assert!(
        out.stdout().contains("FAIL  Cursor: our entry in"),
        "{}",
        out.stdout()
    );
    assert!(
        out.stdout().contains("fix: flex-mcp clients repair"),
        "{}",
        out.stdout()
    );

    // A config that cannot be parsed: named, with the position.
    let windsurf = home.join(".codeium/windsurf/mcp_config.json");
    std::fs::create_dir_all(windsurf.parent().unwrap()).unwrap();
    std::fs::write(&windsurf, "{ \"mcpServers\": { ,, } }").unwrap();
    let out = w.run(&["doctor"], "");
    assert!(!out.ok());
    assert!(out.stdout().contains("FAIL  Windsurf:"), "{}", out.stdout());
    out.assert_never_shows(TEST_KEY);
}
