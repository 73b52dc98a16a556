//! `flex-mcp host`: the host without a window (servers, machines without a desktop, tests).
//! Calls whose policy is "ask" are refused as in standalone: nobody is there to approve.

use std::process::ExitCode;

use anyhow::Context as _;
use flex_core::Paths;
use flex_core::host::{HostError, HostOptions};

/// Arguments of `flex-mcp host`.
#[derive(Debug, Clone, Copy, clap::Args)]
pub(crate) struct Args {}

pub(crate) fn run(_args: Args, paths: &Paths) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let options = HostOptions {
            paths: paths.clone(),
            lookup: flex_core::serve::stored_key_lookup(),
            desktop_approvals: false,
            oauth_store: flex_core::host::keychain_oauth_store(),
            guardian_program: flex_core::program::current_entry_program().ok(),
            demo: None,
        };
        let host = match flex_core::host::start(options) {
            Ok(h) => h,
            Err(e @ HostError::AlreadyRunning { .. }) => {
                eprintln!("error: {e}");
                return Ok(ExitCode::from(3));
            }
            Err(e) => return Err(anyhow::Error::from(e)),
        };
        // Where assistants' bridges reach it: the socket, or on Windows the pipe standing for it.
        #[cfg(not(windows))]
        let endpoint = host.socket_path().display().to_string();
        #[cfg(windows)]
        let endpoint = flex_bridge::locations::pipe_name(host.socket_path());
        eprintln!(
            "Flex MCP host running (process {}) on {endpoint}. Stop it with Ctrl-C.",
            std::process::id(),
        );
        wait_for_stop().await;
        host.shutdown();
        // Let the accept loop remove the socket.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        Ok(ExitCode::SUCCESS)
    })
}

async fn wait_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut term) = signal(SignalKind::terminate()) else {
            let _ = tokio::signal::ctrl_c().await;
            return;
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}
