//! `flex-mcp serve --http PORT`: Streamable HTTP on 127.0.0.1 for clients that connect by URL.
//!
//! The endpoint requires the bearer token stored in the runtime dir (created on first run, readable
//! only by this user), and refuses foreign Hosts and Origins. The first stdout line is
//! `listening on http://127.0.0.1:PORT/mcp`, so scripts can use `--http 0`.

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::Context as _;
use flex_core::Paths;
use tokio_util::sync::CancellationToken;

/// Arguments of `flex-mcp serve`.
#[derive(Debug, Clone, Copy, clap::Args)]
pub(crate) struct Args {
    /// Port on 127.0.0.1 to serve MCP on (0 picks a free one; defaults to `http_port` in settings).
    #[arg(long, value_name = "PORT")]
    http: Option<u16>,
}

pub(crate) fn run(args: Args, paths: &Paths) -> anyhow::Result<ExitCode> {
    let port = match args.http {
        Some(p) => p,
        None => flex_core::Settings::load(paths)?.http_port.context(
            "no port given: use `flex-mcp serve --http PORT` (or set \"http_port\" in settings)",
        )?,
    };
    let token = flex_core::serve::http_token(paths)?;
    let composed = flex_core::serve::compose_headless(paths)?;
    // The first HTTP request may come much later; build tools/list meanwhile, off this thread.
    flex_mcp::server::warm_up();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let result = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .with_context(|| {
                format!("could not listen on 127.0.0.1:{port} (is another program using it?)")
            })?;
        let addr = listener.local_addr()?;
        let mut stdout = std::io::stdout().lock();
        writeln!(
            stdout,
            "listening on http://{addr}{}",
            flex_mcp::http::MCP_PATH
        )?;
        stdout.flush()?;
        drop(stdout);
        tracing::info!(
            "bearer token in {} (send `Authorization: Bearer <token>`)",
            paths.http_token_file().display()
        );
        let cancel = CancellationToken::new();
        let stop = cancel.clone();
        // Ctrl-C or SIGTERM stop serving gracefully, so queued call records are written.
        tokio::spawn(async move {
            shutdown_signal().await;
            stop.cancel();
        });
        flex_mcp::http::serve(listener, composed.server.clone(), &token, cancel)
            .await
            .context("serving MCP over HTTP")
    });
    composed.activity.close();
    result.map(|()| ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
