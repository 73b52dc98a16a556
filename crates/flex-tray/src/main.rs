//! Flex MCP's tray process (`flex-mcp-tray`): the tray icon and its menu, the host every
//! assistant's `flex-mcp stdio` bridge talks to, and the tray's confirmation dialogs. Windows
//! live in a window process (`flex-mcp-desktop --window`) started when one is wanted and gone
//! when the last one closes. Must not depend on Tauri or WebKit: idle in the tray, the app is this
//! process only (issue 8 §6, ≤ 40 MiB).
//!
//! `flex-mcp-desktop` (what people, start-at-login and the bridge run) hands over to this program
//! at once; started with a channel in its stdio (a `--window` started on its own, as WebDriver
//! starts it), it serves that window process and ends with it.

mod confirm;
mod menu;
mod shown;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use flex_core::host::HostHandle;
use flex_core::program;
use flex_core::window_channel::{self, Page, tray_side::WindowProcess};
use tao::event::Event;
use tao::event_loop::{ControlFlow, EventLoopBuilder};

use shown::Shown;

/// What reaches the event loop (the main thread) from elsewhere.
pub(crate) enum UserEvent {
    /// A menu item was chosen.
    Menu(tray_icon::menu::MenuEvent),
    /// What the menu should show now (computed off the main thread).
    Show(Box<flex_core::tray_menu::TrayMenu>),
    /// Ask before live mode (the menu's Live item).
    ConfirmLive,
    /// Ask about the settings change that waits.
    ConfirmWaiting,
    /// Leave: the tray's Quit, or the window process that started us ended.
    Quit,
}

/// Set when this process turned GDK's GL off itself, so its window process turns it back on
/// (WebKit draws with GL; the person's own `GDK_GL`, if any, is left alone).
#[cfg(target_os = "linux")]
const GL_OFF_BY_US: &str = "FLEX_MCP_TRAY_GDK_GL";

fn main() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("FLEX_MCP_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    std::process::exit(run());
}

fn run() -> i32 {
    if let Some(why) = flex_core::program::without_desktop() {
        eprintln!("{why}");
        return 1;
    }
    #[cfg(target_os = "linux")]
    without_gl();

    let Some(paths) = flex_core::Paths::from_env() else {
        eprintln!(
            "Flex MCP could not find your home folder. Set HOME (or FLEX_MCP_HOME) and start it \
             again."
        );
        return 1;
    };
    let exe = std::env::current_exe().unwrap_or_else(|_| PathBuf::from(program::TRAY_PROGRAM));
    // The window process that started us, if any (it holds the other end); only our own.
    let adopted = window_channel::inherited_from(&program::beside(&exe, program::DESKTOP_PROGRAM));
    // One copy per user, settled before anything is built: a second start shows the running
    // copy's window and exits without a second tray icon.
    let instance = match flex_core::single_instance::claim(&paths) {
        Ok(flex_core::single_instance::Claim::AlreadyRunning) => {
            eprintln!("Flex MCP is already running; its window has been brought to the front.");
            return 0;
        }
        Ok(flex_core::single_instance::Claim::First(instance)) => Some(instance),
        Err(e) => {
            tracing::warn!("{e} Starting anyway.");
            None
        }
    };

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("flex-tray")
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("Flex MCP could not start: {e}");
            return 3;
        }
    };
    // The host (issue 7): one MCP server for every assistant's bridge. Its guardian keeps entries
    // for the flex-mcp that Connect writes (beside this program).
    let flex_mcp =
        flex_core::assistants::flex_mcp_binary(&exe).unwrap_or_else(|_| program::cli_next_to(&exe));
    let host = match runtime.block_on(flex_core::host::start_in_app(flex_mcp.clone())) {
        Ok(host) => host,
        Err(e) => {
            eprintln!("Flex MCP could not start: {e:#}");
            return 3;
        }
    };
    // System notifications come from the host's events, window open or not.
    runtime.spawn({
        let host = host.clone();
        async move { flex_core::desktop_notifications::start(&host) }
    });

    // One app to the desktop: the tray's menu and dialogs carry the app's program name (X class
    // and the default title), as its windows do, not this helper program's.
    #[cfg(target_os = "linux")]
    gtk::glib::set_prgname(Some(program::DESKTOP_PROGRAM));
    let event_loop = EventLoopBuilder::<UserEvent>::with_user_event().build();
    let proxy = event_loop.create_proxy();
    let shown = Shown::new(
        host.clone(),
        paths,
        flex_mcp,
        proxy.clone(),
        runtime.handle().clone(),
    );
    let windows = WindowProcess::new(
        window_launch(&exe),
        host.clone(),
        Arc::new({
            let shown = shown.clone();
            move || shown.account_changed()
        }),
        runtime.handle().clone(),
    );
    {
        let _entered = runtime.enter();
        window_channel::events::forward(&host, &windows);
    }
    if let Some(stream) = adopted {
        let proxy = proxy.clone();
        if let Err(e) = windows.adopt(stream, move || {
            tracing::info!("the window process that started the tray ended: the tray ends too");
            let _ = proxy.send_event(UserEvent::Quit);
        }) {
            eprintln!("Flex MCP could not use its window's channel: {e}");
            return 3;
        }
    }
    if let Some(instance) = instance {
        let windows = windows.clone();
        instance.on_show(move || {
            tracing::info!("another copy was started: showing the window");
            windows.show(Page::Main);
        });
    }
    let mut tray = match menu::Tray::create(&shown, &windows) {
        Ok(tray) => tray,
        Err(e) => {
            eprintln!("Flex MCP could not create its tray icon: {e}");
            return 1;
        }
    };
    menu::forward_menu_events(proxy);
    shown.follow(&host);
    shown.keep_assistant_lines_current();
    // `--hidden` (started by a bridge, or at login) and an adopted window: no window of ours.
    if !hidden() && !windows.running() {
        windows.show(Page::Main);
    }
    tracing::info!(
        tray = %tray.title(),
        adopted = windows.running(),
        "Flex MCP started"
    );
    event_loop.run(move |event, _, control_flow| {
        *control_flow = ControlFlow::Wait;
        let Event::UserEvent(event) = event else {
            return;
        };
        let leave = match event {
            UserEvent::Menu(e) => tray.chosen(e.id.as_ref()) == menu::Next::Quit,
            UserEvent::Show(model) => {
                tray.show(*model);
                false
            }
            UserEvent::ConfirmLive => {
                confirm::switch_to_live(&shown, &windows);
                false
            }
            UserEvent::ConfirmWaiting => {
                confirm::waiting_change(&shown, &windows);
                false
            }
            UserEvent::Quit => true,
        };
        if leave {
            quit(&host, &runtime);
            *control_flow = ControlFlow::ExitWithCode(0);
        }
    })
}

/// Stop the host and give its accept loop a moment to remove the socket.
fn quit(host: &HostHandle, runtime: &tokio::runtime::Runtime) {
    host.shutdown();
    runtime.block_on(async { tokio::time::sleep(Duration::from_millis(50)).await });
    tracing::info!("Flex MCP quit");
}

/// `--hidden`: started by a bridge or at login, tray only, no window.
fn hidden() -> bool {
    std::env::args().any(|a| a == "--hidden")
}

/// How a window process is started: `flex-mcp-desktop` beside this program, with the GL this
/// process turned off for itself given back.
fn window_launch(exe: &std::path::Path) -> window_channel::tray_side::Launch {
    let desktop = program::beside(exe, program::DESKTOP_PROGRAM);
    Box::new(move || {
        #[cfg_attr(not(target_os = "linux"), allow(unused_mut))] // only Linux changes it
        let mut command = std::process::Command::new(&desktop);
        #[cfg(target_os = "linux")]
        if std::env::var_os(GL_OFF_BY_US).is_some() {
            command.env_remove("GDK_GL").env_remove(GL_OFF_BY_US);
        }
        command
    })
}

/// Linux: GTK opens the GL driver at start only to pick a visual, but the tray and its dialogs
/// draw with cairo. With `GDK_GL=disable` the driver is never loaded (under Xvfb that is
/// llvmpipe, ≈ 30 MiB of PSS; on a desktop, the GPU driver). Edition 2024 makes `set_var`
/// unsafe, so the process re-executes itself (same pid, arguments and stdio) with it set; it
/// returns only when that is not needed or not possible.
#[cfg(target_os = "linux")]
fn without_gl() {
    use std::os::unix::process::CommandExt as _;
    if std::env::var_os("GDK_GL").is_some() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let err = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env("GDK_GL", "disable")
        .env(GL_OFF_BY_US, "1")
        .exec();
    tracing::warn!("the tray could not start without GL ({err}); going on with it");
}
