//! MCP over stdin/stdout: what MCP clients spawn.
//!
//! Two ways to serve a client that spawned us:
//! - [`serve`]: run the server in this process (`--standalone`, and the fallback);
//! - [`bridge`]: pass bytes between stdio and the desktop app's local socket, so every client
//!   shares the app's single server (one owner of credentials, approvals on the desktop).
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

/// Pass stdin to the app's socket and the socket to stdout, until either side closes.
///
/// Returns `Ok(false)` at once, having consumed nothing, when no app answers on `socket`, so the
/// caller can serve standalone instead.
pub async fn bridge(socket: &Path) -> Result<bool, StdioError> {
    #[cfg(unix)]
    {
        let stream = match tokio::net::UnixStream::connect(socket).await {
            Ok(s) => s,
            Err(e) => {
                tracing::debug!(
                    "no Flex MCP app on {} ({e}); serving standalone",
                    socket.display()
                );
                return Ok(false);
            }
        };
        tracing::debug!("bridging stdio to the Flex MCP app on {}", socket.display());
        let (mut from_app, mut to_app) = stream.into_split();
        let mut stdin = tokio::io::stdin();
        let mut stdout = tokio::io::stdout();
        let upstream = async {
            tokio::io::copy(&mut stdin, &mut to_app).await?;
            tokio::io::AsyncWriteExt::shutdown(&mut to_app).await
        };
        let downstream = async {
            tokio::io::copy(&mut from_app, &mut stdout).await?;
            tokio::io::AsyncWriteExt::flush(&mut stdout).await
        };
        // Either direction ending ends the session: the client went away, or the app did.
        tokio::select! {
            r = upstream => r?,
            r = downstream => r?,
        }
        Ok(true)
    }
    #[cfg(not(unix))]
    {
        // The app's named pipe on Windows is not implemented yet: always serve standalone.
        tracing::debug!(
            "no app bridge on this platform ({}); serving standalone",
            socket.display()
        );
        Ok(false)
    }
}
