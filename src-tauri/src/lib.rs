//! The Flex MCP window process: the Tauri web view and its commands. Nothing here decides
//! anything about Flex: the account, the words and the numbers come from `flex-core`, so this
//! crate only wires them to Tauri. Must not hold the host or the tray: those live in
//! `flex-mcp-tray` (crates/flex-tray), which never links a web view.
//!
//! Processes (issue 8 §6, `role.rs`): `flex-mcp-desktop` hands over to `flex-mcp-tray` at once.
//! "Open Flex MCP", an approval or a tray "latest call" make the tray start
//! `flex-mcp-desktop --window` with a private channel in its stdio
//! (`flex_core::window_channel`): this process then holds the web view, reaches the host over
//! the channel, and ends when its last window closes. `--window` without a channel (as WebDriver
//! starts it) starts its own tray with a channel and lives as long as that tray: closing the
//! window leaves it running, the tray's Quit ends both.

mod account;
mod activity;
mod approvals;
mod assistant_backups;
#[cfg(test)]
mod bindings;
mod commands;
mod error;
mod flex_sign_in;
mod host_link;
mod notices;
mod role;
mod save_dialog;
mod start_at_login;
mod tool_groups;
mod windows;

use flex_core::window_channel::{self, Channel, Page, window_side::Client, window_side::FromTray};
use tauri::{AppHandle, Emitter as _, Manager as _, RunEvent, Wry};

use role::Role;

/// The app's commands, one list for every process that holds a web view.
fn with_commands(builder: tauri::Builder<Wry>) -> tauri::Builder<Wry> {
    builder.invoke_handler(tauri::generate_handler![
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
}

/// Start the app and block until the user quits.
pub fn run() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("FLEX_MCP_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();

    if let Some(why) = flex_core::program::without_desktop() {
        eprintln!("{why}");
        std::process::exit(1);
    }

    match Role::of_this_process() {
        Role::Tray => {
            eprintln!("{}", role::hand_over_to_tray());
            std::process::exit(1);
        }
        Role::Window(channel) => window_process(channel, Lifetime::LastWindow),
        Role::WindowFirst => match role::start_tray() {
            Ok(channel) => window_process(channel, Lifetime::Tray),
            Err(message) => {
                eprintln!("{message}");
                std::process::exit(1);
            }
        },
    }
}

/// How long the window process lives.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lifetime {
    /// Until its last window closes (started by the tray, which starts another when needed).
    LastWindow,
    /// As long as the tray it started (it is the tray's only window process).
    Tray,
}

/// The window process: the web view and the commands, the host reached over `channel`; its
/// own account (the demo, when it runs, is its own seeded simulator).
fn window_process(channel: Channel, lifetime: Lifetime) {
    let app = with_commands(tauri::Builder::default())
        .setup(move |app| {
            let handle = app.handle().clone();
            let client = Client::connect(channel, move |message| from_tray(&handle, message))?;
            app.manage(host_link::HostLink(client));
            let link = app.state::<host_link::HostLink>();
            let connected = tauri::async_runtime::block_on(account::connect(Some(&link)));
            app.manage(account::AppState::new(connected));
            app.manage(flex_core::browser_sign_in::BrowserSignIn::new());
            if lifetime == Lifetime::Tray {
                windows::show(app.handle(), &Page::Main);
            }
            tracing::info!("Flex MCP window process started");
            Ok(())
        })
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(e) => {
            eprintln!("Flex MCP could not open its window: {e}");
            std::process::exit(1);
        }
    };
    app.run(move |_handle, event| {
        // Started on its own, the process stays with no window open (the tray opens the next);
        // `app.exit(0)` when the tray goes away carries a code and goes through.
        if lifetime == Lifetime::Tray
            && let RunEvent::ExitRequested {
                code: None, api, ..
            } = event
        {
            api.prevent_exit();
        }
    });
}

/// What the tray sent: events go to the windows (a mode change first reads the account again:
/// the key of the new mode, or the demo); show requests open windows; the tray's end ends us.
fn from_tray(app: &AppHandle, message: FromTray) {
    match message {
        FromTray::Event { name, payload } => {
            let mode_changed = window_channel::events::is_mode_change(&name, &payload);
            let _ = app.emit(&name, payload);
            if mode_changed {
                let app = app.clone();
                tauri::async_runtime::spawn(async move {
                    account::reconnect(&app).await;
                    let _ = app.emit(window_channel::events::STATUS_CHANGED, ());
                });
            }
        }
        FromTray::Show(page) => {
            let inner = app.clone();
            let _ = app.run_on_main_thread(move || windows::show(&inner, &page));
        }
        FromTray::Closed => {
            tracing::info!("the tray closed the channel: the window process ends");
            app.exit(0);
        }
    }
}
