//! Tauri's build step: embeds `tauri.conf.json`, the icons, the capability files and the built
//! front end, and declares the app's own commands so Tauri checks each call against the window's
//! capability (without the manifest, custom commands bypass the ACL).
use std::path::Path;

/// Every `#[tauri::command]` of this crate; `capabilities/main.json` allows each one by name.
const COMMANDS: &[&str] = &[
    "app_status",
    "recent_payments",
    "assistants_list",
    "assistant_connect",
    "assistant_disconnect",
    "assistant_repair",
    "assistant_check",
    "activity_recent",
    "sign_in_with_key",
    "settings_view",
    "settings_change",
    "tool_groups",
    "http_token_copy",
    "account_keys",
    "sign_out",
    "assistant_preview",
    "approvals_pending",
    "approval_answer",
    "confirmation_pending",
    "confirmation_answer",
    "activity_page",
    "activity_assistants",
    "activity_export",
    "assistant_backups",
    "assistant_restore",
    "assistant_install_link",
    "assistant_open_install_link",
    "start_at_login",
    "start_at_login_set",
    "notices_recent",
    "flex_sign_in_start",
    "flex_sign_in_finish",
    "flex_sign_in_cancel",
    "sign_in_state",
    "flex_sign_out",
    "sign_in_choose",
];

fn main() {
    let dist = Path::new("../ui/dist");
    println!("cargo:rerun-if-changed=../ui/dist");
    if !dist.join("index.html").is_file() {
        eprintln!(
            "error: the front end is not built: {} has no index.html.\n\
             Build it first: `npm ci --prefix ui && npm run build --prefix ui` \
             (scripts/run-app.sh and scripts/test.sh do this for you).",
            dist.display()
        );
        std::process::exit(1);
    }
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attributes) {
        eprintln!("error: tauri build step failed: {e:#}");
        std::process::exit(1);
    }
}
