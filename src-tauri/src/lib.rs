//! The Flex MCP tray app shell: tray, window, commands. Nothing here decides anything about
//! Flex: the account, the words and the numbers come from `flex-core`, so this crate only wires
//! them to Tauri.
//!
//! Lifecycle: the app lives in the tray. Closing the window destroys it (freeing the web view)
//! but not the app (`ExitRequested` without a code is prevented); "Open Flex MCP" builds it again
//! from `tauri.conf.json`; "Quit" exits with status 0.

mod account;
mod activity;
mod approvals;
mod assistant_backups;
#[cfg(test)]
mod bindings;
mod commands;
mod error;
mod flex_sign_in;
mod forward;
mod notices;
mod save_dialog;
mod start_at_login;
mod tool_groups;
mod tray;

use tauri::{Manager as _, RunEvent};

/// Start the app and block until the user quits.
pub fn run() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("FLEX_MCP_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();

    // GTK panics without a display; say what to do instead.
    #[cfg(target_os = "linux")]
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        eprintln!(
            "Flex MCP needs a desktop session, but neither DISPLAY nor WAYLAND_DISPLAY is set. \
             On a machine without a desktop, run `scripts/run-app.sh` (it starts a virtual \
             display) or serve MCP without the app: `flex-mcp stdio --standalone`."
        );
        std::process::exit(1);
    }

    // One copy per user, settled before Tauri builds anything: a second start shows the running
    // copy's window and exits without a second tray icon or demo simulator.
    let instance = match flex_core::Paths::from_env().map(|p| flex_core::single_instance::claim(&p))
    {
        Some(Ok(flex_core::single_instance::Claim::AlreadyRunning)) => {
            eprintln!("Flex MCP is already running; its window has been brought to the front.");
            return;
        }
        Some(Ok(flex_core::single_instance::Claim::First(instance))) => Some(instance),
        Some(Err(e)) => {
            tracing::warn!("{e} Starting anyway.");
            None
        }
        None => None,
    };

    let app = tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![
            commands::app_status,
            commands::recent_payments,
            commands::assistants_list,
            commands::assistant_connect,
            commands::assistant_disconnect,
            commands::assistant_repair,
            commands::assistant_check,
            commands::activity_recent,
            commands::sign_in_with_key,
            commands::settings_view,
            commands::settings_change,
            tool_groups::tool_groups,
            tool_groups::http_token_copy,
            commands::account_keys,
            commands::sign_out,
            commands::assistant_preview,
            approvals::approvals_pending,
            approvals::approval_answer,
            approvals::confirmation_pending,
            approvals::confirmation_answer,
            activity::activity_page,
            activity::activity_assistants,
            activity::activity_export,
            assistant_backups::assistant_backups,
            assistant_backups::assistant_restore,
            assistant_backups::assistant_install_link,
            assistant_backups::assistant_open_install_link,
            start_at_login::start_at_login,
            start_at_login::start_at_login_set,
            notices::notices_recent,
            flex_sign_in::flex_sign_in_start,
            flex_sign_in::flex_sign_in_finish,
            flex_sign_in::flex_sign_in_cancel,
            flex_sign_in::sign_in_state,
            flex_sign_in::flex_sign_out,
            flex_sign_in::sign_in_choose
        ])
        .setup(move |app| {
            if let Some(instance) = instance {
                let handle = app.handle().clone();
                instance.on_show(move || {
                    tracing::info!("another copy was started: showing the window");
                    let inner = handle.clone();
                    let _ = handle.run_on_main_thread(move || tray::open_main_window(&inner));
                });
            }
            // The host (issue 7): one MCP server for every assistant's `flex-mcp stdio` bridge.
            // Its guardian keeps entries for the flex-mcp that Connect writes (next to the app).
            let program = std::env::current_exe().map_or_else(
                |_| std::path::PathBuf::from("flex-mcp"),
                |exe| {
                    flex_core::assistants::flex_mcp_binary(&exe)
                        .unwrap_or_else(|_| flex_core::program::cli_next_to(&exe))
                },
            );
            match tauri::async_runtime::block_on(async {
                flex_core::host::start_in_app(program)
            }) {
                Ok(host) => {
                    forward::start(app.handle(), &host);
                    app.manage(host);
                }
                Err(e) => {
                    eprintln!("Flex MCP could not start: {e:#}");
                    std::process::exit(3);
                }
            }
            // `--hidden` (started by a bridge, or at login): tray only, no window.
            if std::env::args().any(|a| a == "--hidden")
                && let Some(window) = app.get_webview_window("main")
            {
                let _ = window.close();
            }
            let connected = tauri::async_runtime::block_on(account::connect());
            let status = flex_core::app_status::status(&connected.account, connected.notice.clone());
            let state = tray::state_of(&status);
            let assistants = connected
                .assistants_context()
                .ok()
                .map(|(paths, bin)| (paths.clone(), bin));
            let view = tray::create(app.handle(), state, assistants)?;
            app.manage(view);
            app.manage(account::AppState::new(connected));
            app.manage(flex_core::browser_sign_in::BrowserSignIn::new());
            tracing::info!(tray = %status.tray_label, api_base = %status.api_base, "Flex MCP started");
            Ok(())
        })
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(e) => {
            eprintln!("Flex MCP could not start: {e}");
            std::process::exit(1);
        }
    };
    app.run(|_handle, event| {
        // A closed last window asks to exit with no code; the tray keeps us alive. `app.exit(0)`
        // from the Quit item carries a code and goes through.
        if let RunEvent::ExitRequested {
            code: None, api, ..
        } = event
        {
            api.prevent_exit();
        }
    });
}
