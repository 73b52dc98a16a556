//! The "working" check of a connected assistant: run its entry's command exactly as the client
//! would (the same program and arguments, stdin/stdout as the transport) and complete an MCP
//! `initialize`. A config that looks right but whose program cannot start or answer is caught
//! here, before the person finds out inside their assistant. Used by `flex-mcp doctor` and the
//! Assistants page.

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use flex_clients::ClientKind;
use serde::Serialize;

/// How long the server may take to answer `initialize` (it answers in milliseconds; a cold
/// disk on a loaded machine can take a second or two).
pub const INITIALIZE_TIMEOUT: Duration = Duration::from_secs(10);

/// The MCP protocol version we ask for; any version the server answers with counts.
const PROTOCOL_VERSION: &str = "2025-06-18";

/// What the check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Working {
    /// The assistant's command-line name.
    pub id: String,
    /// True when the program started and answered `initialize`.
    pub working: bool,
    /// One sentence: what happened, and the fix when it failed.
    pub sentence: String,
}

/// Start `kind`'s entry for `binary` (as `flex_clients::desired_entry` writes it) and complete an
/// MCP `initialize` within `timeout`. The child is always stopped afterwards.
pub fn check(kind: ClientKind, binary: &Path, timeout: Duration) -> Working {
    let working = |ok: bool, sentence: String| Working {
        id: kind.cli_name().to_string(),
        working: ok,
        sentence,
    };
    let entry = match flex_clients::desired_entry(kind, binary) {
        Ok(e) => e,
        Err(e) => return working(false, format!("{kind}: {e}")),
    };
    match initialize(&entry.command, &entry.args, timeout) {
        Ok(server) => working(
            true,
            format!("{kind}: its entry starts {server} and completes an MCP handshake."),
        ),
        Err(why) => working(
            false,
            format!(
                "{kind}: its entry ({} {}) {why}. Run `flex-mcp clients repair`; if that does not \
                 help, reinstall Flex MCP.",
                entry.command,
                entry.args.join(" ")
            ),
        ),
    }
}

/// Spawn `command args…`, send `initialize`, wait for its result. `Ok` carries the server's
/// name and version; `Err` says what went wrong, as the end of a sentence.
fn initialize(command: &str, args: &[String], timeout: Duration) -> Result<String, String> {
    let mut child = Command::new(command)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("could not be started ({e})"))?;
    let request = serde_json::json!({
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": PROTOCOL_VERSION,
            "capabilities": {},
            "clientInfo": {"name": "flex-mcp-check", "version": env!("CARGO_PKG_VERSION")},
        },
    });
    let sent = child
        .stdin
        .as_mut()
        .map(|stdin| writeln!(stdin, "{request}").and_then(|()| stdin.flush()));
    let stdout = child.stdout.take();
    let (tx, rx) = mpsc::channel();
    if let Some(stdout) = stdout {
        // A thread reads, so the wait can time out; it ends when the child's stdout closes.
        std::thread::spawn(move || {
            let mut line = String::new();
            let read = BufReader::new(stdout).read_line(&mut line).map(|_| line);
            let _ = tx.send(read);
        });
    }
    let answer = rx.recv_timeout(timeout);
    // Stop the server whatever happened; it may already have exited.
    let _ = child.kill();
    let _ = child.wait();
    if let Some(Err(e)) = sent {
        // A broken pipe means the program had already exited: the same fault as an exit without
        // a word, which of the two is seen depends only on scheduling.
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return Err("exited without answering the MCP handshake".to_string());
        }
        return Err(format!("stopped before reading the handshake ({e})"));
    }
    let line = match answer {
        Ok(Ok(line)) if !line.trim().is_empty() => line,
        Ok(Ok(_)) => return Err("exited without answering the MCP handshake".to_string()),
        Ok(Err(e)) => return Err(format!("could not be read from ({e})")),
        Err(_) => {
            return Err(format!(
                "did not answer the MCP handshake within {} s",
                timeout.as_secs()
            ));
        }
    };
    let reply: serde_json::Value = serde_json::from_str(&line)
        .map_err(|_| "answered with something that is not MCP".to_string())?;
    let info = reply
        .pointer("/result/serverInfo")
        .ok_or_else(|| "answered the handshake with an error".to_string())?;
    let name = info
        .get("name")
        .and_then(|v| v.as_str())
        .unwrap_or("a server");
    let version = info.get("version").and_then(|v| v.as_str()).unwrap_or("");
    Ok(format!("{name} {version}").trim().to_string())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    #[test]
    fn a_program_that_does_not_exist_is_not_working_and_says_the_fix() {
        let w = check(
            ClientKind::Cursor,
            Path::new("/nonexistent/flex-mcp"),
            Duration::from_secs(2),
        );
        assert!(!w.working);
        assert!(
            w.sentence.contains("flex-mcp clients repair"),
            "{}",
            w.sentence
        );
    }

    #[test]
    fn a_program_that_is_not_an_mcp_server_is_not_working() {
        // `true` starts and exits at once without a word: the handshake never completes.
        let Some(t) = ["/bin/true", "/usr/bin/true"]
            .into_iter()
            .find(|p| Path::new(p).exists())
        else {
            return;
        };
        let w = check(ClientKind::Cursor, Path::new(t), Duration::from_secs(5));
        assert!(!w.working, "{w:?}");
        assert!(w.sentence.contains("without answering"), "{}", w.sentence);
    }
}
