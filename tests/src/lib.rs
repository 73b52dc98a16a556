//! End-to-end suite helpers: locate built binaries, start flex-sim, isolated environments. Depends only on test-side crates.
//!
//! The suite drives the *real* binaries (`flex-mcp`, `flex-sim`) as child processes, exactly as an MCP
//! client would, so nothing here links the product crates: a test that passes here passes because the
//! shipped executables behave, not because an in-process shortcut does.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

/// A test key for the sim's test store (`fsk_test_` prefix → test mode).
pub const TEST_KEY: &str = "fsk_test_e2e_key";
/// A key for the sim's live store (`fsk_` without `test_` → live mode).
pub const LIVE_KEY: &str = "fsk_e2e_live_key";

/// How long a child gets to print its first line before we call it hung. Generous: CI machines
/// have two cores and may be compiling something else.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);

/// What can go wrong while setting up an end-to-end run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The binary is not built; the message says how to build it.
    #[error("{path} does not exist: build it first with `cargo build --workspace --all-targets`")]
    BinaryMissing {
        /// Where we looked.
        path: PathBuf,
    },
    /// The test executable's own path could not be read.
    #[error("cannot locate the target directory from the test executable: {0}")]
    NoTargetDir(std::io::Error),
    /// A child process could not be started.
    #[error("cannot start {what}: {source}")]
    Spawn {
        /// Which program.
        what: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// flex-sim did not print `listening on http://127.0.0.1:PORT` in time.
    #[error("flex-sim did not announce its address: {0}")]
    SimStart(String),
    /// `flex-mcp host` exited or did not open its socket in time.
    #[error("flex-mcp host did not start: {0}")]
    HostStart(String),
    /// An HTTP call to the sim's control API failed.
    #[error("sim control call {what} failed: {source}")]
    Http {
        /// Which call.
        what: String,
        /// The cause.
        source: reqwest::Error,
    },
    /// The sim's control API answered with an unexpected status.
    #[error("sim control call {what} returned HTTP {status}: {body}")]
    Status {
        /// Which call.
        what: String,
        /// HTTP status.
        status: u16,
        /// Response body, for the failure message.
        body: String,
    },
    /// A temporary directory could not be created.
    #[error("cannot create a temporary directory: {0}")]
    TempDir(std::io::Error),
}

/// `target/<profile>` of the running test: the test executable lives in `target/<profile>/deps`,
/// and cargo puts the workspace binaries one level up. `FLEX_E2E_TARGET_DIR` overrides it (e.g. to
/// test a release build).
pub fn target_dir() -> Result<PathBuf, Error> {
    if let Some(dir) = std::env::var_os("FLEX_E2E_TARGET_DIR").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    let exe = std::env::current_exe().map_err(Error::NoTargetDir)?;
    let mut dir = exe
        .parent()
        .map(Path::to_path_buf)
        .ok_or_else(|| Error::NoTargetDir(std::io::Error::other("executable has no parent")))?;
    if dir.file_name().is_some_and(|n| n == "deps") {
        dir.pop();
    }
    Ok(dir)
}

/// The path of a workspace binary (`flex-mcp`, `flex-sim`) built next to the test executable.
pub fn binary(name: &str) -> Result<PathBuf, Error> {
    let path = target_dir()?.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    if path.is_file() {
        Ok(path)
    } else {
        Err(Error::BinaryMissing { path })
    }
}

/// A private HOME and `FLEX_MCP_HOME` in a temporary directory, so that no test reads or writes
/// the developer's settings, activity store, client configs or caches. Removed on drop.
#[derive(Debug)]
pub struct Isolated {
    dir: tempfile::TempDir,
}

impl Isolated {
    /// Creates the directory tree.
    pub fn new() -> Result<Isolated, Error> {
        let dir = tempfile::Builder::new()
            .prefix("flex-e2e-")
            .tempdir()
            .map_err(Error::TempDir)?;
        for sub in ["home", "flex", "xdg/config", "xdg/data", "xdg/cache"] {
            std::fs::create_dir_all(dir.path().join(sub)).map_err(Error::TempDir)?;
        }
        Ok(Isolated { dir })
    }

    /// The fake `$HOME`.
    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// `$FLEX_MCP_HOME`: settings, activity, run dir (HTTP token) live under it.
    pub fn flex_home(&self) -> PathBuf {
        self.dir.path().join("flex")
    }

    /// The environment every child gets: the isolated homes, plus `PATH` so that it can find
    /// nothing it should not need but still behaves like a normal process.
    pub fn env(&self) -> Vec<(OsString, OsString)> {
        let root = self.dir.path();
        let mut env = vec![
            ("HOME".into(), self.home().into_os_string()),
            ("FLEX_MCP_HOME".into(), self.flex_home().into_os_string()),
            (
                "XDG_CONFIG_HOME".into(),
                root.join("xdg/config").into_os_string(),
            ),
            (
                "XDG_DATA_HOME".into(),
                root.join("xdg/data").into_os_string(),
            ),
            (
                "XDG_CACHE_HOME".into(),
                root.join("xdg/cache").into_os_string(),
            ),
        ];
        if let Some(path) = std::env::var_os("PATH") {
            env.push(("PATH".into(), path));
        }
        env
    }

    /// The environment for `flex-mcp stdio --standalone` against a sim with the given key: the
    /// key's prefix fixes the mode, `FLEX_API_BASE` points at the sim instead of withflex.com.
    pub fn server_env(&self, key: &str, base_url: &str) -> Vec<(OsString, OsString)> {
        let mut env = self.env();
        env.push(("FLEX_API_KEY".into(), key.into()));
        env.push(("FLEX_API_BASE".into(), base_url.into()));
        env
    }
}

/// A running `flex-sim` child process, killed on drop.
#[derive(Debug)]
pub struct Sim {
    child: Child,
    base_url: String,
    http: reqwest::Client,
}

impl Sim {
    /// Starts `flex-sim --port 0` with the given keys registered (full scopes) and waits for its
    /// first stdout line, `listening on http://127.0.0.1:PORT`.
    pub fn start(keys: &[&str]) -> Result<Sim, Error> {
        let path = binary("flex-sim")?;
        let mut cmd = Command::new(&path);
        cmd.args(["--port", "0"]);
        for key in keys {
            cmd.args(["--api-key", key]);
        }
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|source| Error::Spawn {
                what: path.display().to_string(),
                source,
            })?;
        let Some(stdout) = child.stdout.take() else {
            let _ = child.kill();
            return Err(Error::SimStart("no stdout pipe".into()));
        };
        match read_announced_url(stdout) {
            Ok(base_url) => Ok(Sim {
                child,
                base_url,
                http: reqwest::Client::new(),
            }),
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                Err(e)
            }
        }
    }

    /// `http://127.0.0.1:PORT`, the value for `FLEX_API_BASE`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Registers one more key (`POST /__sim/keys`); empty scopes mean full access.
    pub async fn register_key(&self, key: &str, scopes: &[&str]) -> Result<(), Error> {
        let body = serde_json::json!({ "key": key, "scopes": scopes });
        self.control(
            "POST /__sim/keys",
            self.http.post(self.url("/__sim/keys")).json(&body),
        )
        .await
        .map(drop)
    }

    /// The journal of every `/v1` request the sim received (`GET /__sim/requests`).
    pub async fn requests(&self) -> Result<Vec<Value>, Error> {
        let v = self
            .control(
                "GET /__sim/requests",
                self.http.get(self.url("/__sim/requests")),
            )
            .await?;
        Ok(v.get("requests")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default())
    }

    /// Completes a checkout session as a buyer would (`POST /__sim/checkout_sessions/{id}/complete`).
    pub async fn complete_checkout_session(&self, key: &str, id: &str) -> Result<Value, Error> {
        let req = self
            .http
            .post(self.url(&format!("/__sim/checkout_sessions/{id}/complete")))
            .bearer_auth(key)
            .json(&serde_json::json!({ "card": "4242424242424242" }));
        self.control("complete checkout session", req).await
    }

    /// Arms faults (`POST /__sim/faults`), e.g. `{"latency_ms": 3000}`.
    pub async fn arm_faults(&self, body: Value) -> Result<Value, Error> {
        self.control(
            "POST /__sim/faults",
            self.http.post(self.url("/__sim/faults")).json(&body),
        )
        .await
    }

    /// Clears every fault (`DELETE /__sim/faults`).
    pub async fn clear_faults(&self) -> Result<(), Error> {
        self.control(
            "DELETE /__sim/faults",
            self.http.delete(self.url("/__sim/faults")),
        )
        .await
        .map(drop)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    async fn control(&self, what: &str, req: reqwest::RequestBuilder) -> Result<Value, Error> {
        let http = |source| Error::Http {
            what: what.to_owned(),
            source,
        };
        let resp = req.send().await.map_err(http)?;
        let status = resp.status();
        let body = resp.text().await.map_err(http)?;
        if !status.is_success() {
            return Err(Error::Status {
                what: what.to_owned(),
                status: status.as_u16(),
                body,
            });
        }
        Ok(serde_json::from_str(&body).unwrap_or(Value::Null))
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A running `flex-mcp host` child process (the headless host), killed on drop.
#[derive(Debug)]
pub struct Host {
    child: Child,
    socket: PathBuf,
}

impl Host {
    /// Starts `flex-mcp host` with `env` and waits until its socket under `flex_home` accepts
    /// connections.
    pub fn start(flex_home: &Path, env: Vec<(OsString, OsString)>) -> Result<Host, Error> {
        let path = binary("flex-mcp")?;
        let child = Command::new(&path)
            .arg("host")
            .env_clear()
            .envs(env)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|source| Error::Spawn {
                what: format!("{} host", path.display()),
                source,
            })?;
        let mut host = Host {
            child,
            socket: flex_home.join("run").join("flex-mcp.sock"),
        };
        let deadline = std::time::Instant::now() + STARTUP_TIMEOUT;
        while std::time::Instant::now() < deadline {
            #[cfg(unix)]
            if std::os::unix::net::UnixStream::connect(&host.socket).is_ok() {
                return Ok(host);
            }
            if let Ok(Some(status)) = host.child.try_wait() {
                return Err(Error::HostStart(format!("it exited with {status}")));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = host.child.kill();
        Err(Error::HostStart("its socket did not open in time".into()))
    }

    /// The host's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Its socket.
    pub fn socket(&self) -> &Path {
        &self.socket
    }

    /// Kills it at once (SIGKILL: no cleanup, as a crash would leave things).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Reads the first line on a thread (so a hung child cannot hang the test past the timeout), then
/// keeps draining stdout so that later output never blocks the sim on a full pipe.
fn read_announced_url(stdout: impl Read + Send + 'static) -> Result<String, Error> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let first = reader.read_line(&mut line).map(|_| line);
        let _ = tx.send(first);
        let _ = std::io::copy(&mut reader, &mut std::io::sink());
    });
    let line = match rx.recv_timeout(STARTUP_TIMEOUT) {
        Ok(Ok(line)) => line,
        Ok(Err(e)) => return Err(Error::SimStart(e.to_string())),
        Err(_) => {
            return Err(Error::SimStart(format!(
                "nothing printed within {STARTUP_TIMEOUT:?}"
            )));
        }
    };
    parse_announcement(&line)
        .ok_or_else(|| Error::SimStart(format!("unexpected first line {line:?}")))
}

/// `listening on http://127.0.0.1:PORT` → `http://127.0.0.1:PORT`.
fn parse_announcement(line: &str) -> Option<String> {
    let url = line.trim().strip_prefix("listening on ")?;
    let port = url.strip_prefix("http://127.0.0.1:")?;
    port.parse::<u16>().ok()?;
    Some(url.to_owned())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    #[test]
    fn announcement_parses_only_the_documented_form() {
        assert_eq!(
            parse_announcement("listening on http://127.0.0.1:4321\n").as_deref(),
            Some("http://127.0.0.1:4321")
        );
        assert_eq!(
            parse_announcement("listening on http://0.0.0.0:4321"),
            None,
            "sim must bind loopback"
        );
        assert_eq!(
            parse_announcement("listening on http://127.0.0.1:http"),
            None
        );
        assert_eq!(parse_announcement("ready"), None);
    }

    #[test]
    fn isolated_env_points_every_home_into_the_temp_dir() {
        let iso = Isolated::new().unwrap();
        let root = iso.home().parent().unwrap().to_path_buf();
        for (k, v) in iso.env() {
            if k != "PATH" {
                assert!(
                    Path::new(&v).starts_with(&root),
                    "{k:?}={v:?} escapes the temp dir"
                );
            }
        }
    }

    #[test]
    fn missing_binary_error_says_how_to_build_it() {
        let err = binary("no-such-binary-e2e").unwrap_err();
        assert!(err.to_string().contains("cargo build --workspace"), "{err}");
    }
}
