//! The Flex MCP server: tool catalogue, access classes, policy hook, call records, transports. Must not depend on Tauri or SQLite.

pub mod policy;
pub mod record;

pub use policy::{Access, Decision, ModePolicy, Policy};
pub use record::{CallRecord, NoRecorder, Outcome, Recorder};
