//! `flex-mcp stdio`: what MCP clients spawn.
//!
//! Without `--standalone` it first tries the desktop app's local socket (one shared server for
//! every client); when no app answers it serves in this process instead, so a client config that
//! says `flex-mcp stdio` works with or without the app. stdout carries only MCP; logs go to
//! stderr (`FLEX_MCP_LOG=debug` to see them).

use std::process::ExitCode;

use anyhow::Context as _;
use flex_core::Paths;

/// Arguments of `flex-mcp stdio`.
#[derive(Debug, Clone, Copy, clap::Args)]
pub(crate) struct Args {
    /// Serve in this process instead of connecting to the Flex MCP app (headless machines, CI).
    #[arg(long)]
    standalone: bool,
}

pub(crate) fn run(args: Args, paths: &Paths) -> anyhow::Result<ExitCode> {
    // One client per process: a current-thread runtime starts fastest and uses least memory.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let result = runtime.block_on(async {
        if !args.standalone {
            let socket = flex_core::serve::app_socket(paths);
            if flex_mcp::stdio::bridge(&socket).await? {
                return Ok(());
            }
            tracing::debug!("no Flex MCP app is running; serving standalone in this process");
        }
        let composed = flex_core::serve::compose_headless(paths)?;
        // Before reading stdin, on this thread: the first tools/list then answers from the cache
        // (a background thread raced the client's first request and cost its own malloc arena).
        flex_mcp::server::prepare_tool_list();
        let served = flex_mcp::stdio::serve(composed.server.clone()).await;
        // Write queued call records before the process exits.
        composed.activity.close();
        served.map_err(anyhow::Error::from)
    });
    // stdin's reader thread may still be parked on a read; do not wait for it.
    runtime.shutdown_background();
    result.map(|()| ExitCode::SUCCESS)
}
