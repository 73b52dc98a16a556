//! MCP over stdin/stdout: what MCP clients spawn.
//!
//! Two ways to serve a client that spawned us:
//! - [`serve`]: run the server in this process (`--standalone`, and the fallback);
//! - [`bridge`]: relay JSON-RPC lines between stdio and the host's local socket, so every client
//!   shares one server (one owner of credentials, approvals on the desktop), reconnecting or
//!   falling back to an in-process server when the host goes away. The bridge path itself uses
//!   neither rmcp nor the HTTP client: it only splits lines and reads ids.
//!
//! stdout carries only MCP messages: nothing here prints, and logs go to stderr.

use std::path::Path;

use rmcp::ServiceExt as _;

use crate::server::FlexServer;

/// Why serving stopped abnormally.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StdioError {
    /// The transport failed (stdout closed mid-message, unreadable input).
    #[error("MCP over stdio failed: {0}")]
    Transport(String),
    /// The session task failed.
    #[error("MCP session ended with an error: {0}")]
    Session(String),
    /// Reading or writing the app socket failed.
    #[error("bridge to the Flex MCP app failed: {0}")]
    Bridge(#[from] std::io::Error),
    /// The host refused this process (it runs as another user).
    #[error("the Flex MCP app refused this connection: {0}")]
    Refused(String),
    /// No upstream could be set up after the host went away.
    #[error("could not serve MCP after the Flex MCP app went away: {0}")]
    Fallback(String),
}

/// Serve `server` over this process's stdin/stdout until stdin closes.
///
/// A client that closes stdin before finishing the handshake is a normal end, not an error.
pub async fn serve(server: FlexServer) -> Result<(), StdioError> {
    serve_on(server, tokio::io::stdin(), tokio::io::stdout()).await
}

/// Serve `server` over any byte streams (tests use an in-memory duplex), as a new MCP session
/// ([`FlexServer::session`]): the host's local socket calls this once per connection.
pub async fn serve_on<R, W>(server: FlexServer, reader: R, writer: W) -> Result<(), StdioError>
where
    R: tokio::io::AsyncRead + Send + Unpin + 'static,
    W: tokio::io::AsyncWrite + Send + Unpin + 'static,
{
    let running = match server.session().serve((reader, writer)).await {
        Ok(running) => running,
        Err(e) => {
            let text = e.to_string();
            // EOF before `initialize` (a client probing, or giving up) is not a failure.
            if text.contains("connection closed") || text.contains("ConnectionClosed") {
                tracing::debug!("stdin closed before the MCP handshake: {text}");
                return Ok(());
            }
            return Err(StdioError::Transport(text));
        }
    };
    match running.waiting().await {
        Ok(reason) => {
            tracing::debug!(?reason, "MCP session over stdio ended");
            Ok(())
        }
        Err(e) => Err(StdioError::Session(e.to_string())),
    }
}

/// A connection the bridge relays to: the host's socket, or an in-process server on a pipe.
pub struct Upstream {
    /// Messages from the server, one JSON-RPC message per line.
    pub reader: Box<dyn tokio::io::AsyncRead + Send + Unpin>,
    /// Messages to the server.
    pub writer: Box<dyn tokio::io::AsyncWrite + Send + Unpin>,
}

impl std::fmt::Debug for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upstream").finish_non_exhaustive()
    }
}

/// What the bridge said to the client when the host went away mid-call.
pub const HOST_CLOSED: &str = "The Flex MCP app was closed while this request was running, so \
    its result is unknown. If it was a change (a refund, a capture, an update), check the Flex \
    dashboard or the activity list before retrying. Further requests are served again (the app, \
    once reopened, or this process meanwhile).";

/// What a client that sent a line that is not JSON reads back.
pub const MALFORMED: &str = "Parse error: a message was not valid JSON, so it was ignored. Each \
    MCP message must be one line of JSON-RPC.";

/// Bytes read from either side at a time: lines longer than this are put together in the line
/// itself, so a bigger buffer would only add to every bridge's resident memory.
const READ_BUFFER: usize = 4096;

/// JSON-RPC error code of [`HOST_CLOSED`] (implementation-defined server error range).
pub const HOST_CLOSED_CODE: i64 = -32002;

/// JSON-RPC error code of a host refusing a peer of another user.
pub const REFUSED_CODE: i64 = -32001;

/// Relay newline-delimited JSON-RPC between this process's stdin/stdout and `first`, and when
/// it goes away, to whatever `reconnect` gives next (the host again, or an in-process server).
///
/// The client's `initialize` request and `notifications/initialized` are remembered and
/// replayed to every new upstream (the replayed initialize's reply is swallowed), so the client
/// keeps its session without being restarted. Requests in flight when an upstream goes away get
/// an error saying so ([`HOST_CLOSED`]). Nothing but protocol messages reaches stdout.
pub async fn bridge<F>(first: Upstream, reconnect: F) -> Result<(), StdioError>
where
    F: FnMut() -> crate::tools::BoxFuture<Result<Upstream, StdioError>>,
{
    bridge_on(first, reconnect, tokio::io::stdin(), tokio::io::stdout()).await
}

/// [`bridge`] over any client streams (tests).
pub async fn bridge_on<F, R, W>(
    first: Upstream,
    mut reconnect: F,
    client_in: R,
    mut client_out: W,
) -> Result<(), StdioError>
where
    F: FnMut() -> crate::tools::BoxFuture<Result<Upstream, StdioError>>,
    R: tokio::io::AsyncRead + Unpin,
    W: tokio::io::AsyncWrite + Unpin,
{
    use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};

    let mut from_client = BufReader::with_capacity(READ_BUFFER, client_in).lines();
    let mut session = Session::default();
    let mut up = first;
    let mut from_up = BufReader::with_capacity(READ_BUFFER, up.reader).lines();
    let mut client_done = false;
    let mut replays_lost = 0u32;
    loop {
        if client_done && session.in_flight.is_empty() {
            let _ = up.writer.shutdown().await;
            return Ok(());
        }
        let up_gone = tokio::select! {
            line = from_client.next_line(), if !client_done => {
                match line? {
                    None => { client_done = true; false }
                    Some(line) if line.trim().is_empty() => false,
                    Some(line) if !session.note_sent(&line) => {
                        // Not JSON: answered here (JSON-RPC parse error), never passed on.
                        let reply = serde_json::json!({
                            "jsonrpc": "2.0",
                            "id": null,
                            "error": { "code": -32700, "message": MALFORMED },
                        });
                        client_out.write_all(format!("{reply}\n").as_bytes()).await?;
                        client_out.flush().await?;
                        false
                    }
                    Some(line) => {
                        session.note_unconfirmed(&line);
                        let mut bytes = line.into_bytes();
                        bytes.push(b'\n');
                        up.writer.write_all(&bytes).await.is_err() || up.writer.flush().await.is_err()
                    }
                }
            }
            line = from_up.next_line() => match line {
                Ok(Some(line)) => {
                    match session.note_received(&line) {
                        FromServer::Relay => {
                            let mut bytes = line.into_bytes();
                            bytes.push(b'\n');
                            client_out.write_all(&bytes).await?;
                            client_out.flush().await?;
                        }
                        FromServer::Swallow => {}
                        FromServer::Refused(message) => {
                            return Err(StdioError::Refused(message));
                        }
                    }
                    false
                }
                Ok(None) | Err(_) => true,
            },
        };
        if !up_gone {
            continue;
        }
        tracing::info!("the Flex MCP host went away; reconnecting");
        // An upstream that died before answering our replayed `initialize` (a host dying while we
        // reconnected to it) has served nothing since: what the client sent meanwhile is sent
        // again to the next upstream rather than failed. Bounded, so a host that keeps dying ends
        // in errors, not a loop.
        let resend = if session.swallow.is_some() && replays_lost < MAX_LOST_REPLAYS {
            replays_lost += 1;
            std::mem::take(&mut session.unconfirmed)
        } else {
            replays_lost = 0;
            session.unconfirmed.clear();
            Vec::new()
        };
        session
            .in_flight
            .retain(|id| !resend.iter().any(|(sent, _)| sent == id));
        for id in session.in_flight.drain(..) {
            let reply = serde_json::json!({
                "jsonrpc": "2.0",
                "id": id,
                "error": { "code": HOST_CLOSED_CODE, "message": HOST_CLOSED },
            });
            let mut bytes = reply.to_string().into_bytes();
            bytes.push(b'\n');
            client_out.write_all(&bytes).await?;
        }
        client_out.flush().await?;
        if client_done {
            return Ok(());
        }
        up = reconnect().await?;
        session.replay_to(&mut up).await?;
        for (id, line) in resend {
            session.in_flight.push(id.clone());
            session.unconfirmed.push((id, line.clone()));
            up.writer.write_all(format!("{line}\n").as_bytes()).await?;
        }
        up.writer.flush().await?;
        from_up = BufReader::with_capacity(READ_BUFFER, up.reader).lines();
    }
}

/// What the bridge remembers of a session.
#[derive(Default)]
struct Session {
    initialize: Option<(String, serde_json::Value)>,
    initialized: Option<String>,
    /// Ids of requests sent and not answered yet.
    in_flight: Vec<serde_json::Value>,
    /// Id of a replayed `initialize` whose reply the client must not see.
    swallow: Option<serde_json::Value>,
    /// Requests (id, line) sent to an upstream that has not yet answered our replayed
    /// `initialize`, so it cannot have served them.
    unconfirmed: Vec<(serde_json::Value, String)>,
}

/// How many upstreams in a row may die before answering a replayed `initialize` before the
/// requests waiting on them are failed instead of sent again.
const MAX_LOST_REPLAYS: u32 = 3;

/// The members of a JSON-RPC message the bridge looks at. Everything else (a `result` of
/// 136 KiB for `tools/list`, `params`) is skipped while parsing, never built as a tree: the
/// bridge's peak memory is its largest message once, not a `Value` per node of it.
#[derive(serde::Deserialize)]
struct Peek {
    /// `Some(Null)` for `"id": null`, `None` when absent.
    #[serde(default, deserialize_with = "present")]
    id: Option<serde_json::Value>,
    #[serde(default, deserialize_with = "present")]
    method: Option<serde_json::Value>,
    #[serde(default)]
    error: Option<serde_json::Value>,
}

impl Peek {
    /// `None` when `line` is not JSON. JSON that is not an object (a batch array) peeks as
    /// having no id and no method, as a `Value` would.
    fn of(line: &str) -> Option<Peek> {
        match serde_json::from_str::<Peek>(line) {
            Ok(peek) => Some(peek),
            Err(_) => serde_json::from_str::<serde::de::IgnoredAny>(line)
                .ok()
                .map(|_| Peek {
                    id: None,
                    method: None,
                    error: None,
                }),
        }
    }
}

/// A member that is present, even as `null`.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<serde_json::Value>, D::Error> {
    serde::Deserialize::deserialize(d).map(Some)
}

enum FromServer {
    Relay,
    Swallow,
    Refused(String),
}

impl Session {
    /// Note what the client sends; `false` when it is not JSON at all.
    fn note_sent(&mut self, line: &str) -> bool {
        let Some(message) = Peek::of(line) else {
            return false;
        };
        let method = message.method.as_ref().and_then(serde_json::Value::as_str);
        let id = message.id.filter(|id| !id.is_null());
        match (method, id) {
            (Some("initialize"), Some(id)) => {
                self.initialize = Some((line.to_string(), id.clone()));
                self.in_flight.push(id);
            }
            (Some("notifications/initialized"), None) => self.initialized = Some(line.to_string()),
            (Some(_), Some(id)) => self.in_flight.push(id),
            _ => {}
        }
        true
    }

    /// Remember a request sent while a replayed `initialize` is unanswered.
    fn note_unconfirmed(&mut self, line: &str) {
        if self.swallow.is_none() {
            return;
        }
        if let Some(message) = Peek::of(line)
            && message.method.is_some()
            && let Some(id) = message.id.filter(|id| !id.is_null())
        {
            self.unconfirmed.push((id, line.to_string()));
        }
    }

    fn note_received(&mut self, line: &str) -> FromServer {
        let Some(message) = Peek::of(line) else {
            return FromServer::Relay;
        };
        if message.method.is_some() {
            return FromServer::Relay;
        }
        let Some(id) = message.id else {
            return FromServer::Relay;
        };
        if id.is_null()
            && let Some(err) = &message.error
            && err.get("code").and_then(serde_json::Value::as_i64) == Some(REFUSED_CODE)
        {
            let text = err
                .get("message")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("refused");
            return FromServer::Refused(text.to_string());
        }
        if self.swallow.as_ref() == Some(&id) {
            self.swallow = None;
            self.unconfirmed.clear();
            return FromServer::Swallow;
        }
        self.in_flight.retain(|x| *x != id);
        FromServer::Relay
    }

    async fn replay_to(&mut self, up: &mut Upstream) -> Result<(), StdioError> {
        use tokio::io::AsyncWriteExt as _;
        if let Some((line, id)) = &self.initialize {
            self.swallow = Some(id.clone());
            up.writer.write_all(format!("{line}\n").as_bytes()).await?;
        }
        if let Some(line) = &self.initialized {
            up.writer.write_all(format!("{line}\n").as_bytes()).await?;
        }
        up.writer.flush().await?;
        Ok(())
    }
}

/// Connect to the host's socket, if one answers there.
pub async fn connect_host(socket: &Path) -> Option<Upstream> {
    #[cfg(unix)]
    {
        let stream = tokio::net::UnixStream::connect(socket).await.ok()?;
        let (reader, writer) = stream.into_split();
        Some(Upstream {
            reader: Box::new(reader),
            writer: Box::new(writer),
        })
    }
    #[cfg(windows)]
    {
        let name = pipe_name(socket);
        let pipe = tokio::net::windows::named_pipe::ClientOptions::new()
            .open(&name)
            .ok()?;
        let (reader, writer) = tokio::io::split(pipe);
        Some(Upstream {
            reader: Box::new(reader),
            writer: Box::new(writer),
        })
    }
}

/// The named pipe of the host whose socket path is `socket` (Windows).
#[cfg(windows)]
pub fn pipe_name(socket: &Path) -> String {
    let user = std::env::var("USERNAME").unwrap_or_default();
    let base = socket
        .file_name()
        .map_or_else(|| "flex-mcp".into(), |n| n.to_string_lossy().into_owned());
    format!(r"\\.\pipe\{base}-{user}")
}

/// An in-process server on an in-memory pipe, as an upstream for the bridge (the fallback).
pub fn in_process(server: FlexServer) -> Upstream {
    let (ours, theirs) = tokio::io::duplex(64 * 1024);
    let (server_in, server_out) = tokio::io::split(theirs);
    tokio::spawn(async move {
        if let Err(e) = serve_on(server, server_in, server_out).await {
            tracing::info!("in-process MCP session ended: {e}");
        }
    });
    let (reader, writer) = tokio::io::split(ours);
    Upstream {
        reader: Box::new(reader),
        writer: Box::new(writer),
    }
}
