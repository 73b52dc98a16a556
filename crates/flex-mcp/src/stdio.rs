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

use flex_bridge::{FromServer, Session};
pub use flex_bridge::{HOST_CLOSED, HOST_CLOSED_CODE, MALFORMED, REFUSED_CODE};

/// Bytes read from either side at a time: lines longer than this are put together in the line
/// itself, so a bigger buffer would only add to every bridge's resident memory.
const READ_BUFFER: usize = 4096;

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
    loop {
        if client_done && session.idle() {
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
                        let reply = flex_bridge::session::malformed_reply();
                        client_out.write_all(format!("{reply}\n").as_bytes()).await?;
                        client_out.flush().await?;
                        false
                    }
                    Some(line) => {
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
        let lost = session.upstream_lost();
        for reply in &lost.failed {
            client_out
                .write_all(format!("{reply}\n").as_bytes())
                .await?;
        }
        client_out.flush().await?;
        if client_done {
            return Ok(());
        }
        up = reconnect().await?;
        for line in session.replay(lost) {
            up.writer.write_all(format!("{line}\n").as_bytes()).await?;
        }
        up.writer.flush().await?;
        from_up = BufReader::with_capacity(READ_BUFFER, up.reader).lines();
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
        let name = flex_bridge::locations::pipe_name(socket);
        let pipe = match crate::pipe_security::connect_own(&name).await {
            Ok(pipe) => pipe,
            Err(e) => {
                if e.kind() == std::io::ErrorKind::PermissionDenied {
                    // Somebody else's pipe under our name: never talk to it.
                    tracing::warn!("not using the Flex MCP pipe: {e}");
                }
                return None;
            }
        };
        let (reader, writer) = pipe.split();
        Some(Upstream {
            reader: Box::new(reader),
            writer: Box::new(writer),
        })
    }
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
