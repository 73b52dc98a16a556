//! MCP client configs: detection, paths per OS, and safe merge/write/remove of our entry. Must not depend on Tauri or the network.
