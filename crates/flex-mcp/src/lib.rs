//! The Flex MCP server: tool catalogue, access classes, policy hook, call records, transports. Must not depend on Tauri or SQLite.

pub mod access;
pub mod approval;
pub mod discovery;
pub mod format;
pub mod gateway;
pub mod groups;
pub mod http;
pub mod pipe_security;
pub mod policy;
pub mod prompts;
pub mod record;
pub mod redact;
pub mod server;
pub mod stdio;
pub mod tools;

pub use policy::{Access, Decision, ModePolicy, Policy};
pub use record::{CallRecord, NoRecorder, Outcome, Recorder};
