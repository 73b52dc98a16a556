//! The Flex MCP tray app shell. Logic lives in `flex-core`.
fn main() {}
