//! Tauri's build step: embeds `tauri.conf.json`, the icons and the capability files.
fn main() {
    tauri_build::build();
}
