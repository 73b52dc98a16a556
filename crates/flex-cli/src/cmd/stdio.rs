//! `flex-mcp stdio` in the full CLI (`flex-mcp-cli stdio`). Clients run `flex-mcp stdio`, whose
//! small bridge (`flex_bridge::relay`) starts this only as `--standalone`; this async bridge is
//! what `flex-mcp-cli stdio` run by hand does, and it behaves the same.
//!
//! Without `--standalone` it is a bridge to the host (the Flex MCP app, or `flex-mcp host`): one
//! shared server for every client. No host: on a desktop session with the app installed it
//! starts the app in the background (`flex-mcp-desktop --hidden`) and waits up to 5 s for its
//! socket; otherwise, or when the wait runs out, it serves in this process exactly as
//! `--standalone`, and says so in one line on stderr. stdout carries only MCP.
//!
//! The bridge path builds no MCP server, HTTP client or SQLite connection: those are built only
//! when this process has to serve by itself.

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use flex_core::Paths;
use flex_mcp::stdio::{StdioError, Upstream};

/// Arguments of `flex-mcp stdio`.
#[derive(Debug, Clone, Copy, Default, clap::Args)]
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
        if args.standalone {
            return standalone(paths).await;
        }
        let socket = paths.socket_path();
        let first = if let Some(up) = host_or_app(&socket).await {
            up
        } else {
            eprintln!(
                "flex-mcp: the Flex MCP app is not running; serving standalone in this process."
            );
            in_process(paths)?
        };
        let paths = paths.clone();
        let reconnect = move || -> flex_mcp::tools::BoxFuture<Result<Upstream, StdioError>> {
            let paths = paths.clone();
            Box::pin(async move {
                // The person closed the app: do not start it again behind their back.
                if let Some(up) = flex_mcp::stdio::connect_host(&paths.socket_path()).await {
                    return Ok(up);
                }
                eprintln!(
                    "flex-mcp: the Flex MCP app was closed; serving standalone in this process \
                     from now on."
                );
                in_process(&paths).map_err(|e| StdioError::Fallback(format!("{e:#}")))
            })
        };
        flex_mcp::stdio::bridge(first, reconnect)
            .await
            .map_err(anyhow::Error::from)
    });
    // stdin's reader thread may still be parked on a read; do not wait for it.
    runtime.shutdown_background();
    result.map(|()| ExitCode::SUCCESS)
}

/// Serve this client in this process until stdin closes.
async fn standalone(paths: &Paths) -> anyhow::Result<()> {
    crate::init_logs();
    let composed = flex_core::serve::compose_headless(paths)?;
    // Before reading stdin, on this thread: the first tools/list then answers from the cache
    // (a background thread raced the client's first request and cost its own malloc arena).
    flex_mcp::server::prepare_tool_list();
    let served = flex_mcp::stdio::serve(composed.server.clone()).await;
    // Write queued call records before the process exits.
    composed.activity.close();
    served.map_err(anyhow::Error::from)
}

/// An in-process server as the bridge's upstream.
fn in_process(paths: &Paths) -> anyhow::Result<Upstream> {
    // The bridge path starts without a log subscriber; serving here can have warnings to give.
    crate::init_logs();
    let composed = flex_core::serve::compose_headless(paths)?;
    // The store writes from its own thread; records are flushed as they come, and the thread
    // ends with the process.
    Ok(flex_mcp::stdio::in_process(composed.server))
}

/// The running host, or the app started for this; `None` when neither answers.
async fn host_or_app(socket: &Path) -> Option<Upstream> {
    if let Some(up) = flex_mcp::stdio::connect_host(socket).await {
        return Some(up);
    }
    let app = flex_bridge::desktop_app()?;
    if let Err(e) = flex_bridge::start_hidden(&app) {
        tracing::info!("could not start {}: {e}", app.display());
        return None;
    }
    let deadline = Instant::now() + flex_bridge::APP_START_WAIT;
    while Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(25)).await;
        if let Some(up) = flex_mcp::stdio::connect_host(socket).await {
            return Some(up);
        }
    }
    tracing::info!("the Flex MCP app did not open its socket within 5 s");
    None
}
