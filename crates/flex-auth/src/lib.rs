//! Secrets (OS keychain and an in-memory store), API key checks, and the OAuth client for the
//! hosted Flex MCP (`oauth`). Must not depend on Tauri.
//!
//! Everything secret passes through [`Sensitive`], which never prints. A secret lives in exactly
//! one keychain item per [`Slot`] (mode × kind); saving again updates that item in place, because
//! duplicate items cause endless keychain prompts on macOS and ambiguous reads everywhere.
#![warn(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod api_key;
mod error;
mod keychain;
mod memory;
pub mod oauth;
mod sensitive;
mod store;

pub use api_key::{ApiKey, KeyFormatError, Verification, reach, verify_api_key};
pub use error::Error;
pub use keychain::{KeyringStore, SERVICE_ENV, default_service};
pub use memory::{Failure, MemoryStore};
pub use sensitive::Sensitive;
pub use store::{SecretKind, SecretStore, Slot};

/// Test or live (re-exported so callers of this crate need not name flex-api for it).
pub use flex_api::Mode;
