//! The real `flex-mcp` binary serving MCP: over stdio (`stdio --standalone` and the default with
//! no app running) and over Streamable HTTP (`serve --http 0`), against flex-sim on 127.0.0.1.
//! Then `flex-mcp activity --json` reads back what the calls recorded.
//!
//! Every run gets its own HOME and FLEX_MCP_HOME; nothing touches the real home or keychain.

#![allow(
    clippy::unwrap_used,
    clippy::missing_panics_doc,
    clippy::needless_pass_by_value,
    clippy::format_push_string
)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

const TEST_KEY: &str = "fsk_test_cli_serve_suite";

/// Guard against a hung server (a failure, not a measurement).
const HANG: Duration = Duration::from_secs(60);

struct Env {
    _dir: tempfile::TempDir,
    home: std::path::PathBuf,
    flex_home: std::path::PathBuf,
}

fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let flex_home = dir.path().join("flex");
    std::fs::create_dir_all(&home).unwrap();
    Env {
        _dir: dir,
        home,
        flex_home,
    }
}

fn flex_mcp(env: &Env) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_flex-mcp"));
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &env.home)
        .env("FLEX_MCP_HOME", &env.flex_home)
        .env("XDG_CONFIG_HOME", env.home.join(".config"))
        .env("XDG_DATA_HOME", env.home.join(".local/share"));
    c
}

fn sim() -> (tokio::runtime::Runtime, flex_sim::SimHandle) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let handle = rt
        .block_on(flex_sim::start(flex_sim::SimConfig {
            port: 0,
            seed: None,
            keys: vec![(TEST_KEY.into(), vec![])],
        }))
        .unwrap();
    (rt, handle)
}

/// Lines from a child's stdout, delivered through a channel so a hang fails instead of blocking.
fn lines_of(stdout: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn wait_exit(child: &mut Child) -> std::process::ExitStatus {
    let deadline = std::time::Instant::now() + HANG;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "flex-mcp did not exit after stdin closed"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

struct Session {
    child: Child,
    stdin: Option<std::process::ChildStdin>,
    out: mpsc::Receiver<String>,
    /// Every stdout line seen, to check nothing but JSON-RPC was printed.
    seen: Vec<String>,
    /// stderr, drained on a thread so verbose logs cannot fill the pipe and stall the server.
    err: Option<std::thread::JoinHandle<String>>,
}

impl Session {
    fn start(mut cmd: Command) -> Session {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take();
        let out = lines_of(child.stdout.take().unwrap());
        let mut stderr = child.stderr.take().unwrap();
        let err = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        Session {
            child,
            stdin,
            out,
            seen: Vec::new(),
            err: Some(err),
        }
    }

    fn send(&mut self, v: &Value) {
        let stdin = self.stdin.as_mut().unwrap();
        writeln!(stdin, "{v}").unwrap();
        stdin.flush().unwrap();
    }

    /// The response to request `id` (skipping notifications the server may send).
    fn response(&mut self, id: u64) -> Value {
        loop {
            let line = self.out.recv_timeout(HANG).expect("a response line");
            let v: Value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("stdout carries only JSON-RPC, got {line:?}: {e}"));
            self.seen.push(line);
            if v["id"] == id {
                return v;
            }
        }
    }

    fn request(&mut self, id: u64, method: &str, params: Value) -> Value {
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.response(id)
    }

    fn initialize(&mut self) -> Value {
        let init = self.request(
            1,
            "initialize",
            json!({"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "cli-suite", "version": "4.2"}}),
        );
        self.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        init
    }

    /// Close stdin and wait for the process to exit; returns stderr.
    fn finish(mut self) -> (std::process::ExitStatus, String) {
        drop(self.stdin.take());
        let status = wait_exit(&mut self.child);
        for line in self.out.try_iter() {
            serde_json::from_str::<Value>(&line)
                .unwrap_or_else(|e| panic!("stdout carries only JSON-RPC, got {line:?}: {e}"));
        }
        for line in &self.seen {
            let v: Value = serde_json::from_str(line).unwrap();
            assert_eq!(v["jsonrpc"], "2.0", "{line}");
        }
        let err = self.err.take().unwrap().join().unwrap();
        (status, err)
    }
}

fn tool_call(s: &mut Session, id: u64, name: &str, args: Value) -> Value {
    let r = s.request(id, "tools/call", json!({"name": name, "arguments": args}));
    r["result"].clone()
}

fn activity_json(env: &Env) -> Vec<Value> {
    let out = flex_mcp(env)
        .args(["activity", "--json", "--limit", "50"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn stdio_standalone_serves_sim_records_calls_and_exits_on_stdin_close() {
    let (_rt, sim) = sim();
    let env = env();
    // Settings say live; FLEX_API_KEY is a test key, and the key's prefix wins.
    let config = env.flex_home.join("config");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("settings.json"), r#"{"mode": "live"}"#).unwrap();

    let mut cmd = flex_mcp(&env);
    cmd.args(["stdio", "--standalone"])
        .env("FLEX_API_KEY", TEST_KEY)
        .env("FLEX_API_BASE", sim.base_url());
    let mut s = Session::start(cmd);
    let init = s.initialize();
    assert_eq!(init["result"]["serverInfo"]["name"], "flex-mcp");

    let list = s.request(2, "tools/list", json!({}));
    let tools = list["result"]["tools"].as_array().unwrap();
    assert!(tools.iter().any(|t| t["name"] == "refund_capture"));

    let created = tool_call(
        &mut s,
        3,
        "create_product",
        json!({"name": "CLI suite product"}),
    );
    assert_ne!(
        created["isError"], true,
        "test key → test mode → write allowed: {created}"
    );
    let listed = tool_call(&mut s, 4, "list_products", json!({"limit": 5}));
    assert!(listed.to_string().contains("CLI suite product"), "{listed}");
    let missing = tool_call(
        &mut s,
        5,
        "get_payment_intent",
        json!({"payment_intent_id": "fpi_01JZZZZZZZZZZZZZZZZZZZZZZZ"}),
    );
    assert_eq!(missing["isError"], true);
    assert!(missing.to_string().contains("HTTP 404"), "{missing}");

    let (status, stderr) = s.finish();
    assert!(status.success(), "exit {status:?}; stderr: {stderr}");
    assert!(!stderr.contains(TEST_KEY), "the key never reaches logs");

    let records = activity_json(&env);
    let tools: Vec<&str> = records
        .iter()
        .map(|r| r["tool"].as_str().unwrap())
        .collect();
    assert_eq!(
        tools,
        ["get_payment_intent", "list_products", "create_product"],
        "newest first"
    );
    for r in &records {
        assert_eq!(r["client_name"], "cli-suite");
        assert_eq!(r["client_version"], "4.2");
        assert_eq!(r["mode"], "test");
    }
    assert_eq!(records[0]["outcome"], "api_error");
    assert_eq!(records[0]["http_status"], 404);
    assert_eq!(records[2]["outcome"], "ok");
    let db = env.flex_home.join("data/activity.sqlite3");
    let bytes = std::fs::read(&db).unwrap();
    assert!(
        !String::from_utf8_lossy(&bytes).contains(TEST_KEY),
        "the key is not stored in the activity database"
    );

    let table = flex_mcp(&env).arg("activity").output().unwrap();
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(
        table.starts_with("TIME (UTC)") && table.contains("create_product"),
        "{table}"
    );
}

#[test]
fn stdio_without_app_or_key_still_lists_tools_and_says_how_to_sign_in() {
    let env = env();
    let mut cmd = flex_mcp(&env);
    cmd.arg("stdio").env("FLEX_MCP_LOG", "debug");
    let mut s = Session::start(cmd);
    s.initialize();
    let list = s.request(2, "tools/list", json!({}));
    assert!(!list["result"]["tools"].as_array().unwrap().is_empty());
    let r = tool_call(&mut s, 3, "list_products", json!({}));
    assert_eq!(r["isError"], true);
    assert!(r.to_string().contains("flex-mcp login --api-key"), "{r}");
    let (status, stderr) = s.finish();
    assert!(status.success());
    assert!(
        stderr.contains("serving standalone"),
        "the fallback is logged on stderr: {stderr}"
    );
}

#[test]
fn stdio_exits_quietly_when_stdin_closes_before_the_handshake() {
    let env = env();
    let mut cmd = flex_mcp(&env);
    cmd.args(["stdio", "--standalone"]);
    let s = Session::start(cmd);
    let (status, stderr) = s.finish();
    assert!(status.success(), "stderr: {stderr}");
}

/// One HTTP/1.1 request over a fresh connection; returns (status, body).
fn http(addr: &str, method: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(HANG)).unwrap();
    let mut req = format!("{method} /mcp HTTP/1.1\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() {
        req.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    req.push_str("\r\n");
    req.push_str(body);
    stream.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).to_string();
    let status: u16 = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

fn token(flex_home: &Path) -> String {
    std::fs::read_to_string(flex_home.join("run/http-token"))
        .unwrap()
        .trim()
        .to_string()
}

#[test]
fn serve_http_requires_token_checks_origin_and_host_and_serves_tools() {
    let (_rt, sim) = sim();
    let env = env();
    let mut child = flex_mcp(&env)
        .args(["serve", "--http", "0"])
        .env("FLEX_API_KEY", TEST_KEY)
        .env("FLEX_API_BASE", sim.base_url())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = lines_of(child.stdout.take().unwrap());
    let first = out.recv_timeout(HANG).expect("the listening line");
    let url = first
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"));
    let addr = url.trim_end_matches("/mcp").to_string();
    let host = addr.clone();
    let tok = token(&env.flex_home);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(env.flex_home.join("run/http-token"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the token file is user-only");
    }
    let bearer = format!("Bearer {tok}");
    let accept = ("Accept", "application/json, text/event-stream");
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "http-suite", "version": "1"}}})
    .to_string();

    let (status, _) = http(&addr, "POST", &[("Host", &host), accept], &init);
    assert_eq!(status, 401, "no token");
    let (status, _) = http(
        &addr,
        "POST",
        &[("Host", &host), ("Authorization", "Bearer wrong"), accept],
        &init,
    );
    assert_eq!(status, 401, "wrong token");
    let (status, _) = http(
        &addr,
        "POST",
        &[
            ("Host", &host),
            ("Authorization", &bearer),
            ("Origin", "https://evil.example"),
            accept,
        ],
        &init,
    );
    assert_eq!(status, 403, "foreign Origin");
    let (status, _) = http(
        &addr,
        "POST",
        &[("Host", "evil.example"), ("Authorization", &bearer), accept],
        &init,
    );
    assert_eq!(status, 403, "foreign Host (DNS rebinding)");
    let (status, _) = http(
        &addr,
        "GET",
        &[
            ("Host", &host),
            ("Authorization", &bearer),
            ("Accept", "text/event-stream"),
        ],
        "",
    );
    assert_eq!(status, 405, "no server-to-client stream is offered");

    let (status, body) = http(
        &addr,
        "POST",
        &[
            ("Host", &host),
            ("Authorization", &bearer),
            ("Origin", &format!("http://{host}")),
            accept,
        ],
        &init,
    );
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["result"]["serverInfo"]["name"], "flex-mcp");

    let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}).to_string();
    let (status, body) = http(
        &addr,
        "POST",
        &[
            ("Host", &host),
            ("Authorization", &bearer),
            ("MCP-Protocol-Version", "2025-06-18"),
            accept,
        ],
        &list,
    );
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert!(v["result"]["tools"].as_array().unwrap().len() > 10, "{v}");

    let call = json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
        "params": {"name": "list_products", "arguments": {"limit": 1}}})
    .to_string();
    let (status, body) = http(
        &addr,
        "POST",
        &[
            ("Host", &host),
            ("Authorization", &bearer),
            ("MCP-Protocol-Version", "2025-06-18"),
            accept,
        ],
        &call,
    );
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_ne!(v["result"]["isError"], true, "{v}");

    // SIGTERM stops it gracefully: the call record is written before exit.
    #[cfg(unix)]
    {
        let killed = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = wait_exit(&mut child);
        assert!(status.success(), "graceful exit on SIGTERM: {status:?}");
        let records = activity_json(&env);
        assert_eq!(records.len(), 1, "{records:?}");
        assert_eq!(records[0]["tool"], "list_products");
        assert_eq!(records[0]["outcome"], "ok");
    }
    #[cfg(not(unix))]
    {
        child.kill().unwrap();
        let _ = child.wait();
    }
    // The token stays stable across runs.
    assert_eq!(token(&env.flex_home), tok);
}

#[test]
fn tools_commands_choose_groups_per_assistant_and_unknown_groups_name_the_known_ones() {
    let env = env();
    let run = |args: &[&str]| {
        let out = flex_mcp(&env).arg("tools").args(args).output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    };
    let (ok, text) = run(&["enable", "payments"]);
    assert!(!ok, "{text}");
    for known in ["support", "refunds", "subscriptions", "all"] {
        assert!(text.contains(known), "the error names `{known}`: {text}");
    }
    let (ok, text) = run(&["enable", "subscriptions", "--assistant", "Cursor"]);
    assert!(ok, "{text}");
    assert!(text.contains("loosens the guard"), "{text}");
    let (ok, text) = run(&["read-only", "on"]);
    assert!(ok, "{text}");
    let settings: Value = serde_json::from_str(
        &std::fs::read_to_string(env.flex_home.join("config/settings.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(settings["tools"]["read_only"], true, "{settings}");
    let cursor = settings["tools"]["assistants"]["Cursor"]["groups"]
        .as_array()
        .unwrap();
    assert!(cursor.contains(&json!("subscriptions")), "{settings}");
    let (ok, text) = run(&["list", "--assistant", "cursor"]);
    assert!(ok, "{text}");
    assert!(
        text.lines()
            .any(|l| l.contains(" on ") && l.contains("subscriptions")),
        "{text}"
    );
    assert!(text.contains("Read-only: on"), "{text}");
    std::fs::write(
        env.flex_home.join("config/settings.json"),
        r#"{"tools": {"groups": ["nope"]}}"#,
    )
    .unwrap();
    let (ok, text) = run(&["list"]);
    assert!(
        !ok && text.contains("`nope`") && text.contains("`catalogue`"),
        "{text}"
    );
}
