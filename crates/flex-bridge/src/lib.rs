//! The `flex-mcp stdio` bridge: relays an assistant's JSON-RPC lines to the Flex MCP app's local
//! socket (or to a standalone server child), replaying the handshake on reconnect: the session
//! bookkeeping, where the socket is, and starting the app; the synchronous relay itself is
//! `flex-cli`'s `flex-mcp` launcher. Must depend on
//! nothing but std, serde_json and directories: no tokio, rmcp, HTTP client, SQLite or keychain,
//! so the process every assistant spawns stays small (issue 7: peak RSS ≤ 4 MiB).

pub mod locations;
pub mod session;

mod app;

pub use app::{APP_PROGRAM, APP_START_WAIT, desktop_app, desktop_session, start_hidden};
pub use session::{
    FromServer, HOST_CLOSED, HOST_CLOSED_CODE, Lost, MALFORMED, REFUSED_CODE, Session,
};
