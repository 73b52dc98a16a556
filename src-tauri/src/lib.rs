//! The Flex MCP tray app shell: tray, window, commands. Nothing here decides anything about
//! Flex: the account, the words and the numbers come from `flex-core`, so this crate only wires
//! them to Tauri.
//!
//! Processes (issue 8 §6, `role.rs`): `flex-mcp-desktop` is the tray process — tray, menu and
//! host, and never a web view (no window is created from `tauri.conf.json`), so WebKit is never
//! initialised there. "Open Flex MCP", an approval or a tray "latest call" start
//! `flex-mcp-desktop --window` with a private channel on its stdin (`channel.rs`): that process
//! holds the web view and ends when its last window closes. `--window` without a channel (as
//! WebDriver starts it) is the one-process app: tray, host and window together.
//!
//! Lifecycle: the app lives in the tray. Closing the window destroys it; in the one-process app
//! `ExitRequested` without a code is prevented; "Quit" exits with status 0.

mod account;
mod activity;
mod approvals;
mod assistant_backups;
#[cfg(test)]
mod bindings;
#[cfg(unix)]
mod channel;
mod commands;
mod confirm;
mod error;
mod flex_sign_in;
mod forward;
mod host_link;
mod notices;
mod role;
mod save_dialog;
mod start_at_login;
mod tool_groups;
mod tray;
mod windows;

use tauri::{Manager as _, RunEvent, Wry};

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

    let role = Role::of_this_process();
    #[cfg(target_os = "linux")]
    if matches!(role, Role::Tray) {
        role::tray_without_gl();
    }
    #[cfg(unix)]
    if let Role::Window(channel) = role {
        window_process(channel);
        return;
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
    let tray_process = matches!(role, Role::Tray);

    let app = with_commands(tauri::Builder::default())
        .setup(move |app| {
            if let Some(instance) = instance {
                let handle = app.handle().clone();
                instance.on_show(move || {
                    tracing::info!("another copy was started: showing the window");
                    let inner = handle.clone();
                    let _ = handle.run_on_main_thread(move || windows::open_main(&inner));
                });
            }
            // The tray process opens its windows in a window process (windows.rs asks for this).
            #[cfg(unix)]
            if tray_process {
                app.manage(channel::WindowProcess::default());
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
            match tauri::async_runtime::block_on(async { flex_core::host::start_in_app(program) }) {
                Ok(host) => {
                    forward::start(app.handle(), &host);
                    tray::follow(app.handle(), &host);
                    app.manage(host_link::HostLink::InProcess(host.clone()));
                    app.manage(host);
                }
                Err(e) => {
                    eprintln!("Flex MCP could not start: {e:#}");
                    std::process::exit(3);
                }
            }
            let connected = tauri::async_runtime::block_on(account::connect());
            let status =
                flex_core::app_status::status(&connected.account, connected.notice.clone());
            app.manage(account::AppState::new(connected));
            app.manage(flex_core::browser_sign_in::BrowserSignIn::new());
            tray::create(app.handle())?;
            // `--hidden` (started by a bridge, or at login): tray only, no window.
            if !role::hidden() {
                windows::open_main(app.handle());
            }
            tracing::info!(
                tray = %status.tray_label,
                api_base = %status.api_base,
                two_process = tray_process,
                "Flex MCP started"
            );
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

/// The window process: the web view and the commands, the host reached over `channel`; its
/// own account (the demo, when it runs, is its own seeded simulator). Ends with its last window
/// or when the tray goes away.
#[cfg(unix)]
fn window_process(channel: std::os::unix::net::UnixStream) {
    let app = with_commands(tauri::Builder::default())
        .setup(move |app| {
            let client = channel::connect(app.handle(), channel)?;
            app.manage(host_link::HostLink::Channel(client));
            let connected = tauri::async_runtime::block_on(account::connect());
            app.manage(account::AppState::new(connected));
            app.manage(flex_core::browser_sign_in::BrowserSignIn::new());
            tracing::info!("Flex MCP window process started");
            Ok(())
        })
        .build(tauri::generate_context!());
    match app {
        // The last window closed (or the tray quit): this process, and WebKit's with it, ends.
        Ok(app) => app.run(|_, _| {}),
        Err(e) => {
            eprintln!("Flex MCP could not open its window: {e}");
            std::process::exit(1);
        }
    }
}
