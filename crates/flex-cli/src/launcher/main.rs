//! `flex-mcp`, the program on the PATH and in every client entry: `flex-mcp stdio` is the small
//! bridge every assistant spawns (std and serde_json only; `flex_bridge`), and every other
//! command runs the full CLI, `flex-mcp-cli`, installed beside it (exec on Unix, a child whose
//! exit code is ours on Windows). Must not depend on anything heavier than `flex-bridge`.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

#[cfg(unix)]
mod relay;

/// The full CLI's file name, beside this program.
const CLI: &str = if cfg!(windows) {
    "flex-mcp-cli.exe"
} else {
    "flex-mcp-cli"
};

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let Some(cli) = cli_beside_us() else {
        eprintln!("error: could not find where flex-mcp is installed.");
        return ExitCode::from(2);
    };
    #[cfg(unix)]
    if args.len() == 1 && args[0] == "stdio" {
        return bridge(cli);
    }
    run_cli(&cli, &args)
}

fn cli_beside_us() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    // A program replaced by an upgrade while it ran is `… (deleted)`: its folder is still right.
    Some(exe.parent()?.join(CLI))
}

/// `flex-mcp stdio`: relay to the app's host, starting the app or a standalone server as needed.
#[cfg(unix)]
fn bridge(cli: PathBuf) -> ExitCode {
    let Some(locations) = flex_bridge::locations::Locations::from_env() else {
        eprintln!("error: could not find your home directory (set HOME).");
        return ExitCode::from(2);
    };
    let targets = relay::Targets {
        socket: locations.socket_path(),
        cli,
        app: flex_bridge::desktop_app(),
        verbose: std::env::var_os("FLEX_MCP_LOG").is_some(),
    };
    match relay::run(&targets) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Every other command: the full CLI with our arguments.
fn run_cli(cli: &std::path::Path, args: &[OsString]) -> ExitCode {
    let mut command = std::process::Command::new(cli);
    command.args(args);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt as _;
        let e = command.arg0("flex-mcp").exec();
        eprintln!(
            "error: could not run {} ({e}). Reinstall Flex MCP to fix it.",
            cli.display()
        );
        ExitCode::from(2)
    }
    #[cfg(not(unix))]
    match command.status() {
        Ok(status) => status
            .code()
            .and_then(|c| u8::try_from(c).ok())
            .map_or(ExitCode::FAILURE, ExitCode::from),
        Err(e) => {
            eprintln!(
                "error: could not run {} ({e}). Reinstall Flex MCP to fix it.",
                cli.display()
            );
            ExitCode::from(2)
        }
    }
}
