//! Secrets (OS keychain and an in-memory store) and API key checks. Must not depend on Tauri.
