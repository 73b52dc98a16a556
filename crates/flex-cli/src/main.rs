//! The `flex-mcp` command line: stdio server, HTTP server, login, mode, clients, doctor, activity. Must not depend on Tauri.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use flex_core::{Code, Paths};

mod cmd;

/// Connect AI assistants to your Flex account, safely.
#[derive(Debug, Parser)]
#[command(name = "flex-mcp", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve MCP over stdin/stdout (this is what MCP clients run).
    Stdio(cmd::stdio::Args),
    /// Run the host without a window: one server for every `flex-mcp stdio` bridge.
    Host(cmd::host::Args),
    /// Serve MCP over Streamable HTTP on 127.0.0.1 (bearer token required).
    Serve(cmd::serve::Args),
    /// Sign in with a Flex API key (read from a hidden prompt or stdin, never from arguments).
    Login(cmd::login::Args),
    /// Remove stored credentials.
    Logout(cmd::logout::Args),
    /// Show the mode and which credentials are stored (never the secrets).
    Status(cmd::status::Args),
    /// Show or switch test/live mode.
    Mode(cmd::mode::Args),
    /// Connect MCP clients (Claude Desktop, Cursor, Windsurf, …).
    Clients(cmd::clients::Args),
    /// Check everything and say how to fix what is wrong.
    Doctor(cmd::doctor::Args),
    /// Show recent tool calls.
    Activity(cmd::activity::Args),
    /// Choose the tool groups assistants are offered, and read-only.
    Tools(cmd::tools::Args),
}

fn main() -> ExitCode {
    // `flex-mcp stdio` is what every assistant spawns, and is usually only a bridge to the host:
    // it skips clap and the log set-up (built only if asked for, or when it must serve itself),
    // so the process touches as few pages as possible (bench/host.py, peak RSS).
    let mut args = std::env::args_os().skip(1);
    if args.next().is_some_and(|a| a == "stdio") && args.next().is_none() {
        if std::env::var_os("FLEX_MCP_LOG").is_some() {
            init_logs();
        }
        let Some(paths) = Paths::from_env() else {
            return no_home();
        };
        return finish(cmd::stdio::run(cmd::stdio::Args::default(), &paths));
    }
    let cli = Cli::parse();
    init_logs();
    let Some(paths) = Paths::from_env() else {
        return no_home();
    };
    let result = match cli.command {
        Command::Stdio(a) => cmd::stdio::run(a, &paths),
        Command::Host(a) => cmd::host::run(a, &paths),
        Command::Serve(a) => cmd::serve::run(a, &paths),
        Command::Login(a) => cmd::login::run(a, &paths),
        Command::Logout(a) => cmd::logout::run(a, &paths),
        Command::Status(a) => cmd::status::run(a, &paths),
        Command::Mode(a) => cmd::mode::run(a, &paths),
        Command::Clients(a) => cmd::clients::run(a, &paths),
        Command::Doctor(a) => cmd::doctor::run(a, &paths),
        Command::Activity(a) => cmd::activity::run(a, &paths),
        Command::Tools(a) => cmd::tools::run(a, &paths),
    };
    finish(result)
}

/// Logs go to stderr (stdout belongs to MCP in `stdio`), quiet unless asked: FLEX_MCP_LOG is a
/// list of `target=level` or a bare level (`debug`, `flex_core=debug,warn`), otherwise warnings
/// only. A `Targets` filter, not `EnvFilter`: the latter's regex engine was ~1 MB of this binary
/// (docs/packaging.md). Safe to call twice (the bridge calls it again before serving in-process).
pub(crate) fn init_logs() {
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;
    let filter = std::env::var("FLEX_MCP_LOG")
        .ok()
        .and_then(|v| v.parse::<tracing_subscriber::filter::Targets>().ok())
        .unwrap_or_else(|| {
            tracing_subscriber::filter::Targets::new().with_default(tracing::Level::WARN)
        });
    let _ = tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(filter)
        .try_init();
}

fn no_home() -> ExitCode {
    eprintln!("error: could not find your home directory (set HOME).");
    ExitCode::from(2)
}

fn finish(result: anyhow::Result<ExitCode>) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(err) => {
            let code = Code::of(&err);
            eprintln!("error: {}", Code::message(&err));
            if code != Code::Unknown {
                eprintln!("(code: {code})");
            }
            ExitCode::FAILURE
        }
    }
}
