//! The secrets scan: sign in with a distinctive key, connect every MCP client, make real tool
//! calls through `flex-mcp stdio --standalone`, then search everything the project wrote — the
//! whole FLEX_MCP_HOME tree (settings, credentials metadata, the SQLite activity DB with its WAL,
//! backups, logs), the whole temp HOME (every client config and its backups), and every byte the
//! commands printed — for the key in every encoding it could plausibly be written in. Zero hits.
//! Process arguments are checked too: the key is never on a command line.
//!
//! Runs under `scripts/with-keyring.sh` (the key goes into a private Secret Service).
#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Distinctive, and shaped like the documented keys (base64 body), with `+`, `/` and `=` so its
/// URL-encoded form differs from the raw one.
const KEY: &str = "fsk_test_U2NhbkNhbmFyeVEzN2s5WjF4+/Wq==";

const CLIENTS: [&str; 9] = [
    "claude-desktop",
    "cursor",
    "windsurf",
    "vscode",
    "claude-code",
    "zed",
    "gemini",
    "codex",
    "lmstudio",
];

fn sandbox() {
    let marker = std::env::var("FLEX_MCP_KEYRING_SANDBOX").unwrap_or_default();
    let bus = std::env::var("DBUS_SESSION_BUS_ADDRESS").unwrap_or_default();
    assert!(
        marker == "1" && !bus.is_empty(),
        "the secrets scan stores a key in the keychain and must run inside a private keyring: \
         `scripts/with-keyring.sh cargo test -p flex-cli --test secrets_scan`"
    );
}

fn base64(bytes: &[u8], alphabet: &[u8; 64], pad: bool) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(alphabet[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else if pad {
                out.push('=');
            }
        }
    }
    out
}

const STD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Every form of the key we look for: raw, its body without the prefix, JSON-escaped,
/// percent-encoded (upper and lower hex), hex, and base64 (standard and URL-safe) at all three
/// byte alignments — the stable middle of each, so the key is found even inside a longer base64
/// blob such as `Basic`/`Bearer` headers or serialized structs.
fn needles() -> Vec<(String, Vec<u8>)> {
    needles_of(KEY, KEY.trim_start_matches("fsk_test_"))
}

/// [`needles`] for any secret and its distinctive body.
fn needles_of(secret: &str, body: &str) -> Vec<(String, Vec<u8>)> {
    let key = secret;
    let mut n: Vec<(String, Vec<u8>)> = vec![
        ("raw key".into(), key.as_bytes().to_vec()),
        ("key body".into(), body.as_bytes().to_vec()),
        ("JSON-escaped".into(), key.replace('/', "\\/").into_bytes()),
        ("percent-encoded".into(), percent_encode(key).into_bytes()),
        (
            "percent-encoded (lower hex)".into(),
            percent_encode(key).to_lowercase().into_bytes(),
        ),
        (
            "hex".into(),
            key.bytes()
                .fold(String::new(), |mut s, b| {
                    let _ = write!(s, "{b:02x}");
                    s
                })
                .into_bytes(),
        ),
    ];
    for (name, alphabet) in [("base64", STD), ("base64url", URL)] {
        for offset in 0..3 {
            let mut input = vec![b'x'; offset];
            input.extend_from_slice(key.as_bytes());
            let enc = base64(&input, alphabet, false);
            // Drop the characters that depend on the bytes before or after the key.
            let start = (offset * 4).div_ceil(3) + 1;
            let end = enc.len() - 2;
            n.push((
                format!("{name} at offset {offset}"),
                enc.as_bytes()[start..end].to_vec(),
            ));
        }
    }
    n
}

fn find(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let ft = e.file_type().unwrap();
        if ft.is_dir() {
            walk(&p, files);
        } else if ft.is_file() {
            files.push(p);
        }
    }
}

struct World {
    dir: tempfile::TempDir,
    service: String,
    base_url: String,
    rt: tokio::runtime::Runtime,
    sim: Option<flex_sim::SimHandle>,
    /// Everything any command printed, to be scanned too.
    printed: Vec<u8>,
}

impl World {
    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }
    fn flex_home(&self) -> PathBuf {
        self.dir.path().join("flex")
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_flex-mcp"));
        assert!(
            !args
                .iter()
                .any(|a| a.contains(KEY) || a.contains("U2NhbkNhbmFy")),
            "no command line may carry the key: {args:?}"
        );
        c.args(args)
            .env("HOME", self.home())
            .env("FLEX_MCP_HOME", self.flex_home())
            .env("XDG_CONFIG_HOME", self.home().join(".config"))
            .env("FLEX_API_BASE", &self.base_url)
            .env("FLEX_MCP_KEYCHAIN_SERVICE", &self.service)
            // As chatty as it gets: whatever the logs say is scanned.
            .env("FLEX_MCP_LOG", "trace")
            .env_remove("FLEX_API_KEY")
            .env_remove("CODEX_HOME")
            .env_remove("CLAUDE_CONFIG_DIR")
            .env_remove("APPDATA")
            .env_remove("LOCALAPPDATA");
        c
    }

    fn run(&mut self, args: &[&str], stdin: &str) -> (bool, String) {
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
        let out = child.wait_with_output().unwrap();
        self.printed.extend_from_slice(&out.stdout);
        self.printed.extend_from_slice(&out.stderr);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    }
}

impl Drop for World {
    fn drop(&mut self) {
        let _ = self.cmd(&["logout"]).env("FLEX_MCP_LOG", "off").output();
        if let Some(sim) = self.sim.take() {
            self.rt.block_on(sim.shutdown());
        }
    }
}

/// Drive `flex-mcp stdio --standalone` like an MCP client: initialize, initialized, then the
/// given tool calls; returns each call's result. Checks the server's command line and
/// environment while it runs.
fn mcp_session(w: &mut World, calls: &[(&str, serde_json::Value)]) -> Vec<serde_json::Value> {
    let mut child = w
        .cmd(&["stdio", "--standalone"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut stderr = child.stderr.take().unwrap();
    let stderr_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        stderr.read_to_end(&mut buf).unwrap();
        buf
    });

    let mut send = |v: serde_json::Value| {
        writeln!(stdin, "{v}").unwrap();
        stdin.flush().unwrap();
    };
    let mut printed = Vec::new();
    let mut recv = |id: u64| -> serde_json::Value {
        loop {
            let mut line = String::new();
            assert!(
                stdout.read_line(&mut line).unwrap() > 0,
                "server closed stdout before answering request {id}"
            );
            printed.extend_from_slice(line.as_bytes());
            let v: serde_json::Value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("stdout carries only JSON-RPC ({e}): {line}"));
            if v["id"] == id {
                return v;
            }
        }
    };

    send(
        serde_json::json!({"jsonrpc":"2.0","id":1,"method":"initialize","params":{
        "protocolVersion":"2025-06-18","capabilities":{},
        "clientInfo":{"name":"secrets-scan","version":"1.0"}}}),
    );
    let init = recv(1);
    assert!(init["result"]["serverInfo"].is_object(), "{init}");
    send(serde_json::json!({"jsonrpc":"2.0","method":"notifications/initialized"}));

    // The server process: its command line and environment never hold the key.
    if cfg!(target_os = "linux") {
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap();
        let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap();
        for (name, needle) in needles() {
            assert!(
                !find(&cmdline, &needle),
                "server command line holds the key ({name})"
            );
            assert!(
                !find(&environ, &needle),
                "server environment holds the key ({name})"
            );
        }
    }

    let mut results = Vec::new();
    for (i, (tool, args)) in calls.iter().enumerate() {
        let id = 2 + i as u64;
        send(
            serde_json::json!({"jsonrpc":"2.0","id":id,"method":"tools/call",
            "params":{"name":tool,"arguments":args}}),
        );
        results.push(recv(id)["result"].clone());
    }
    drop(stdin); // EOF: the server exits.
    let status = child.wait().unwrap();
    assert!(
        status.success(),
        "stdio server exits cleanly on stdin close"
    );
    w.printed.extend_from_slice(&printed);
    w.printed.extend_from_slice(&stderr_thread.join().unwrap());
    results
}

#[test]
fn nothing_the_project_writes_contains_the_key() {
    sandbox();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let sim = rt
        .block_on(flex_sim::start(flex_sim::SimConfig {
            port: 0,
            seed: Some(flex_sim::Seed::Demo),
            keys: vec![(KEY.to_string(), vec![])],
        }))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut w = World {
        service: format!("com.withflex.mcp.test.scan.{}", std::process::id()),
        base_url: sim.base_url(),
        sim: Some(sim),
        rt,
        dir,
        printed: Vec::new(),
    };
    std::fs::create_dir_all(w.home()).unwrap();

    // A Cursor config that already has another server, so connecting makes a backup to scan.
    let cursor = w.home().join(".cursor/mcp.json");
    std::fs::create_dir_all(cursor.parent().unwrap()).unwrap();
    std::fs::write(
        &cursor,
        "{\n  \"mcpServers\": {\n    \"other\": { \"command\": \"other-mcp\" }\n  }\n}\n",
    )
    .unwrap();

    // 1. Sign in (key on stdin only).
    let (ok, text) = w.run(&["login", "--api-key"], &format!("{KEY}\n"));
    assert!(ok, "login: {text}");

    // 2. Connect every client.
    for name in CLIENTS {
        let (ok, text) = w.run(&["clients", "connect", name, "--force"], "");
        assert!(ok, "connect {name}: {text}");
    }

    // 3. Tool calls through the standalone server: a read and a write.
    let results = mcp_session(
        &mut w,
        &[
            ("list_products", serde_json::json!({"limit": 2})),
            (
                "create_product",
                serde_json::json!({"name": "Secrets scan product"}),
            ),
        ],
    );
    for r in &results {
        assert_ne!(
            r["isError"],
            serde_json::json!(true),
            "the calls must really reach Flex with the stored key, or the scan proves nothing: {r}"
        );
    }

    // 4. The commands a user runs afterwards print nothing secret either.
    for args in [
        &["status"][..],
        &["status", "--json"][..],
        &["doctor"][..],
        &["activity", "--json"][..],
        &["clients", "list"][..],
    ] {
        w.run(args, "");
    }

    // 5. Scan.
    let mut files = Vec::new();
    walk(&w.flex_home(), &mut files);
    walk(&w.home(), &mut files);
    let names: Vec<String> = files
        .iter()
        .map(|p| p.strip_prefix(w.dir.path()).unwrap().display().to_string())
        .collect();
    // The scan must cover what it claims to cover.
    assert!(
        names.iter().any(|n| n.ends_with("activity.sqlite3")),
        "the activity DB exists: {names:#?}"
    );
    assert!(
        names.iter().any(|n| n.contains("backups")),
        "a client-config backup exists: {names:#?}"
    );
    assert!(names.iter().any(|n| n.ends_with("credentials.json")));
    assert!(
        names.iter().filter(|n| n.starts_with("home/")).count() >= CLIENTS.len(),
        "every client config was written: {names:#?}"
    );
    assert!(!w.printed.is_empty());

    let needles = needles();
    let mut hits = Vec::new();
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        for (form, needle) in &needles {
            if find(&bytes, needle) {
                hits.push(format!("{} ({form})", file.display()));
            }
        }
    }
    for (form, needle) in &needles {
        if find(&w.printed, needle) {
            hits.push(format!("command output ({form})"));
        }
    }
    assert!(
        hits.is_empty(),
        "the key leaked into {} place(s):\n{}\n(scanned {} files: {names:#?})",
        hits.len(),
        hits.join("\n"),
        files.len()
    );
}

#[test]
fn the_scanner_finds_the_key_in_each_encoding() {
    // The scan above is only as good as its needles: check they match real encodings.
    let needles = needles();
    let sample = |s: &str| needles.iter().any(|(_, n)| find(s.as_bytes(), n));
    assert!(sample(&format!("log: key={KEY}")));
    assert!(sample(&format!("url?k={}", percent_encode(KEY))));
    for prefix in ["", "B", "Be", "Bearer "] {
        let blob = base64(format!("{prefix}{KEY}").as_bytes(), STD, true);
        assert!(sample(&blob), "base64 with {prefix:?} before the key");
        let blob = base64(format!("{prefix}{KEY}").as_bytes(), URL, false);
        assert!(sample(&blob), "base64url with {prefix:?} before the key");
    }
    assert!(!sample("fsk_test_something_else"));
}

/// What a person does on the simulator's sign-in pages, as form posts (the Chromium run of the
/// same pages is in the `oauth` test).
fn approve_in_browser(rt: &tokio::runtime::Runtime, link: &str, base: &str) {
    rt.block_on(async {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let html = http.get(link).send().await.unwrap().text().await.unwrap();
        let marker = "name=\"request\" value=\"";
        let start = html.find(marker).unwrap() + marker.len();
        let request = html[start..].split('"').next().unwrap().to_owned();
        http.post(format!("{base}/oauth/authorize/login"))
            .form(&[
                ("request", request.as_str()),
                ("email", "scan@clinic.test"),
                ("password", "scan-password"),
            ])
            .send()
            .await
            .unwrap();
        let back = http
            .post(format!("{base}/oauth/authorize/consent"))
            .form(&[("request", request.as_str()), ("decision", "approve")])
            .send()
            .await
            .unwrap();
        let location = back.headers()["location"].to_str().unwrap().to_owned();
        http.get(location).send().await.unwrap();
    });
}

#[test]
fn nothing_the_project_writes_contains_the_oauth_tokens_or_registration() {
    sandbox();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let sim = rt
        .block_on(flex_sim::start(flex_sim::SimConfig::default()))
        .unwrap();
    sim.add_oauth_user("scan@clinic.test", "scan-password");
    let base = sim.base_url();
    let dir = tempfile::tempdir().unwrap();
    let mut w = World {
        service: format!("com.withflex.mcp.test.scan.oauth.{}", std::process::id()),
        base_url: base.clone(),
        sim: Some(sim),
        rt,
        dir,
        printed: Vec::new(),
    };
    std::fs::create_dir_all(w.home()).unwrap();

    // 1. Sign in with Flex; the test plays the browser from the printed link.
    let mut child = w
        .cmd(&["login", "--oauth", "--no-browser"])
        .env("FLEX_MCP_URL", &base)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut link = String::new();
    while !link.starts_with("http") {
        link.clear();
        assert!(
            stdout.read_line(&mut link).unwrap() > 0,
            "login printed no link"
        );
        w.printed.extend_from_slice(link.as_bytes());
    }
    approve_in_browser(&w.rt, link.trim(), &base);
    let mut rest = Vec::new();
    stdout.read_to_end(&mut rest).unwrap();
    let out = child.wait_with_output().unwrap();
    w.printed.extend_from_slice(&rest);
    w.printed.extend_from_slice(&out.stderr);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&rest));

    // 2. What a person runs afterwards.
    let (_, status) = w.run(&["status"], "");
    assert!(
        status.contains("Flex sign-in: signed in"),
        "the scan needs a real sign-in: {status}"
    );
    for args in [&["status", "--json"][..], &["doctor"][..]] {
        w.run(args, "");
    }

    // 3. Every token the server issued, and our client ID.
    let (tokens, clients): (Vec<String>, Vec<String>) = {
        let server = w.sim.as_ref().unwrap().sim().oauth.lock();
        let tokens = server
            .access
            .keys()
            .chain(server.refresh.keys())
            .cloned()
            .collect();
        (tokens, server.clients.keys().cloned().collect())
    };
    assert!(
        tokens.len() >= 2 && clients.len() == 1,
        "{} tokens, {} clients",
        tokens.len(),
        clients.len()
    );

    let mut files = Vec::new();
    walk(&w.flex_home(), &mut files);
    walk(&w.home(), &mut files);
    let mut hits = Vec::new();
    let check = |secret: &str, what: &str, also_output: bool, hits: &mut Vec<String>| {
        let body = secret.split_once('_').map_or(secret, |(_, b)| b);
        for (form, needle) in needles_of(secret, body) {
            for file in &files {
                if find(&std::fs::read(file).unwrap(), &needle) {
                    hits.push(format!("{what} in {} ({form})", file.display()));
                }
            }
            if also_output && find(&w.printed, &needle) {
                hits.push(format!("{what} in command output ({form})"));
            }
        }
    };
    for t in &tokens {
        check(t, "a token", true, &mut hits);
    }
    // The client ID is part of the sign-in link the person is shown; it must stay out of files.
    for c in &clients {
        check(c, "the client registration", false, &mut hits);
    }
    assert!(
        hits.is_empty(),
        "OAuth secrets leaked:\n{}",
        hits.join("\n")
    );
}
