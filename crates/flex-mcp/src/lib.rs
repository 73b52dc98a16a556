//! The Flex MCP server: tool catalogue, access classes, policy hook, call records, transports. Must not depend on Tauri or SQLite.
