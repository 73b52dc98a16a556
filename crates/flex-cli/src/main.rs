//! The `flex-mcp` command line: stdio bridge/standalone server, serve, login, mode, clients, doctor, activity. Must not depend on Tauri.
fn main() {}
