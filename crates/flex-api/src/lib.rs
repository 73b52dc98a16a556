//! Typed client for the Flex REST API (envelopes, pagination, errors, retries, idempotency keys). Must not depend on MCP, Tauri or the keychain.

mod mode;

pub use mode::Mode;
