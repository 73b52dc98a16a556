//! The real `flex-mcp host` and `flex-mcp stdio` bridges as child processes, against a real
//! `flex-sim`, driven by rmcp's client over the bridge's stdio: what Claude Desktop or Cursor
//! would see when the app hosts.

#![cfg(unix)]

use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result};
use flex_e2e::{Host, Isolated, Sim, TEST_KEY, binary};
use rmcp::{
    ServiceExt,
    model::{CallToolRequestParams, ClientCapabilities, ClientConfig, Implementation},
    service::RunningService,
    transport::{ConfigureCommandExt, TokioChildProcess},
};
use serde_json::{Value, json};

type Client = RunningService<rmcp::RoleClient, ClientConfig>;

/// A bridge (`flex-mcp stdio`, no `--standalone`) as an assistant named `name` would spawn it.
/// The bridge gets the key too, for its in-process fallback.
async fn bridge(iso: &Isolated, sim: &Sim, name: &str) -> Result<Client> {
    let exe = binary("flex-mcp")?;
    let env = iso.server_env(TEST_KEY, sim.base_url());
    let transport = TokioChildProcess::new(tokio::process::Command::new(exe).configure(|c| {
        c.arg("stdio").env_clear().envs(env);
    }))
    .context("spawning flex-mcp stdio")?;
    ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new(name, "4.5.6"),
    )
    .serve(transport)
    .await
    .context("MCP initialize through the bridge")
}

fn host(iso: &Isolated, sim: &Sim) -> Result<Host> {
    Ok(Host::start(
        &iso.flex_home(),
        iso.server_env(TEST_KEY, sim.base_url()),
    )?)
}

async fn list_products(c: &Client) -> Result<rmcp::model::CallToolResult> {
    Ok(c.call_tool(CallToolRequestParams::new("list_products"))
        .await?)
}

/// `flex-mcp activity --json`, polled until `want` records are there (the store writes from
/// its own thread).
fn activity(iso: &Isolated, want: usize) -> Result<Vec<Value>> {
    let exe = binary("flex-mcp")?;
    let mut records = Vec::new();
    for _ in 0..100 {
        let out = Command::new(&exe)
            .args(["activity", "--json"])
            .env_clear()
            .envs(iso.env())
            .output()?;
        records = serde_json::from_slice::<Vec<Value>>(&out.stdout).unwrap_or_default();
        if records.len() >= want {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(records)
}

#[tokio::test]
async fn two_assistants_through_one_host_are_recorded_under_their_own_names() -> Result<()> {
    let iso = Isolated::new()?;
    let sim = Sim::start(&[TEST_KEY])?;
    let _host = host(&iso, &sim)?;
    let cursor = bridge(&iso, &sim, "Cursor").await?;
    let claude = bridge(&iso, &sim, "Claude Code").await?;
    let (a, b) = tokio::join!(list_products(&cursor), list_products(&claude));
    assert_ne!(a?.is_error, Some(true));
    assert_ne!(b?.is_error, Some(true));
    let records = activity(&iso, 2)?;
    let mut names: Vec<&str> = records
        .iter()
        .filter_map(|r| r["client_name"].as_str())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["Claude Code", "Cursor"], "{records:?}");
    cursor.cancel().await?;
    claude.cancel().await?;
    Ok(())
}

#[tokio::test]
async fn host_killed_mid_call_fails_that_call_and_serves_the_next() -> Result<()> {
    let iso = Isolated::new()?;
    let sim = Sim::start(&[TEST_KEY])?;
    let mut host = host(&iso, &sim)?;
    let client = bridge(&iso, &sim, "Cursor").await?;
    assert_ne!(list_products(&client).await?.is_error, Some(true));

    sim.arm_faults(json!({ "latency_ms": 3000 })).await?;
    let slow = tokio::spawn({
        let peer = client.peer().clone();
        async move {
            peer.call_tool(CallToolRequestParams::new("list_products"))
                .await
        }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    host.kill();
    let err = slow
        .await?
        .expect_err("the call in flight when the host died must fail");
    let text = err.to_string();
    assert!(text.contains("Flex MCP app was closed"), "{text}");

    sim.clear_faults().await?;
    let next = list_products(&client).await?;
    assert_ne!(
        next.is_error,
        Some(true),
        "served again without restarting the client: {next:?}"
    );
    client.cancel().await?;
    Ok(())
}

/// A raw bridge: lines in, lines out.
struct Raw {
    child: std::process::Child,
    out: BufReader<std::process::ChildStdout>,
}

impl Raw {
    fn start(cmd: &mut Command) -> Result<Raw> {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let out = BufReader::new(child.stdout.take().context("stdout")?);
        Ok(Raw { child, out })
    }

    fn send(&mut self, line: &str) -> Result<()> {
        let stdin = self.child.stdin.as_mut().context("stdin")?;
        writeln!(stdin, "{line}")?;
        stdin.flush()?;
        Ok(())
    }

    fn recv(&mut self) -> Result<Value> {
        let mut line = String::new();
        self.out.read_line(&mut line)?;
        serde_json::from_str(&line).with_context(|| format!("not JSON: {line:?}"))
    }
}

impl Drop for Raw {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"#;

#[tokio::test]
async fn malformed_frames_get_a_parse_error_and_the_session_goes_on() -> Result<()> {
    let iso = Isolated::new()?;
    let sim = Sim::start(&[TEST_KEY])?;
    let _host = host(&iso, &sim)?;
    let mut raw = Raw::start(
        Command::new(binary("flex-mcp")?)
            .arg("stdio")
            .env_clear()
            .envs(iso.server_env(TEST_KEY, sim.base_url())),
    )?;
    raw.send("{this is not json")?;
    let err = raw.recv()?;
    assert_eq!(err["error"]["code"], -32700, "{err}");
    assert!(err["id"].is_null());
    raw.send(INITIALIZE)?;
    let init = raw.recv()?;
    assert_eq!(init["id"], 1);
    assert_eq!(init["result"]["serverInfo"]["name"], "flex-mcp");
    // The host is unharmed: a second session works.
    let other = bridge(&iso, &sim, "Second").await?;
    assert_ne!(list_products(&other).await?.is_error, Some(true));
    other.cancel().await?;
    Ok(())
}

#[tokio::test]
async fn two_hosts_started_at_once_leave_exactly_one_running() -> Result<()> {
    let iso = Isolated::new()?;
    let exe = binary("flex-mcp")?;
    let spawn = || {
        Command::new(&exe)
            .arg("host")
            .env_clear()
            .envs(iso.env())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
    };
    let mut a = spawn()?;
    let mut b = spawn()?;
    let mut loser = None;
    for _ in 0..200 {
        if let Some(s) = a.try_wait()? {
            loser = Some((s, a.stderr.take(), b.id()));
            break;
        }
        if let Some(s) = b.try_wait()? {
            loser = Some((s, b.stderr.take(), a.id()));
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    let (status, stderr, winner) = loser.context("one of the two hosts must exit")?;
    let mut text = String::new();
    std::io::Read::read_to_string(&mut stderr.context("stderr")?, &mut text)?;
    assert_eq!(status.code(), Some(3), "{text}");
    assert!(
        text.contains("already running") && text.contains(&format!("process {winner}")),
        "the second host names the first: {text}"
    );
    for c in [&mut a, &mut b] {
        let _ = c.kill();
        let _ = c.wait();
    }
    Ok(())
}

#[tokio::test]
async fn a_process_of_another_user_is_refused_by_the_peer_check() -> Result<()> {
    if !is_root() {
        eprintln!("SKIPPED: needs root to create a second user (CI runs as root)");
        return Ok(());
    }
    let user = "flexe2epeer";
    let _ = Command::new("useradd")
        .args(["--no-create-home", "--shell", "/usr/sbin/nologin", user])
        .status()?;
    let iso = Isolated::new()?;
    let sim = Sim::start(&[TEST_KEY])?;
    let host = host(&iso, &sim)?;
    // Open up the files, so that only the peer-credential check can refuse the other user.
    open_up(&iso, host.socket())?;
    let mut env = iso.env();
    env.retain(|(k, _)| k != "FLEX_API_KEY");
    let mut raw = Raw::start(
        Command::new("runuser")
            .args(["-u", user, "--"])
            .arg(binary("flex-mcp")?)
            .arg("stdio")
            .env_clear()
            .envs(env),
    )?;
    raw.send(INITIALIZE)?;
    let status = raw.child.wait()?;
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut raw.child.stderr.take().context("stderr")?, &mut stderr)?;
    let mut stdout = String::new();
    std::io::Read::read_to_string(&mut raw.out, &mut stdout)?;
    assert!(
        stderr.contains("refused") && stderr.contains("another user"),
        "connected, but refused by the host: {stderr} (status {status}, stdout {stdout})"
    );
    assert!(!status.success());
    assert!(
        !stdout.contains("serverInfo"),
        "no session for another user: {stdout}"
    );
    Ok(())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn open_up(iso: &Isolated, socket: &std::path::Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    let mut dir = socket.parent().map(std::path::Path::to_path_buf);
    let root = iso.home().parent().map(std::path::Path::to_path_buf);
    while let Some(d) = dir {
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755))?;
        if Some(&d) == root.as_ref() {
            break;
        }
        dir = d.parent().map(std::path::Path::to_path_buf);
    }
    std::fs::set_permissions(socket, std::fs::Permissions::from_mode(0o666))?;
    Ok(())
}
