//! The Flex MCP tray app. Everything lives in the library (`run`), so it can be tested and the
//! binary stays a stub.
// No console window behind the tray app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    flex_mcp_desktop::run();
}
