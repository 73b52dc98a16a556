//! `flex-mcp mode` prints the mode; `flex-mcp mode test|live` switches it. Live mode moves real
//! money, so switching to it asks for confirmation on a terminal, needs `--yes` in scripts, and
//! is refused when neither is possible. A running server picks the new mode up on its next call.

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::process::ExitCode;

use flex_api::Mode;
use flex_core::{Code, Paths, Settings, credentials};

/// Arguments of `flex-mcp mode`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// `test` or `live`. Without it, print the current mode.
    mode: Option<Mode>,
    /// Switch to live mode without asking (for scripts).
    #[arg(long, short = 'y')]
    yes: bool,
}

// The signature is the one main.rs dispatches to; errors are printed here (plain message, then
// the code) rather than by main, whose `{err:#}` would append the code to the sentence.
#[allow(clippy::needless_pass_by_value)]
pub(crate) fn run(args: Args, paths: &Paths) -> anyhow::Result<ExitCode> {
    mode(&args, paths)
}

fn mode(args: &Args, paths: &Paths) -> anyhow::Result<ExitCode> {
    let mut settings = Settings::load(paths)?;
    let Some(target) = args.mode else {
        println!("{}", settings.mode);
        return Ok(ExitCode::SUCCESS);
    };
    if settings.mode == target {
        println!("Already in {target} mode.");
        warn_if_no_key(paths, target);
        return Ok(ExitCode::SUCCESS);
    }
    if target == Mode::Live && !args.yes {
        confirm_live()?;
    }
    settings.mode = target;
    settings.save(paths)?;
    if target == Mode::Live
        && let Some(pid) = flex_core::host::running(paths)
    {
        // The host applies loosenings only after the person confirms them in its own window:
        // an assistant that can run this command must not be able to switch to live by itself.
        println!(
            "Asked for live mode. The Flex MCP app is running (process {pid}), so the switch takes \
             effect only after you confirm it in the Flex MCP app; until then assistants stay in \
             test mode."
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "Switched to {target} mode. Connected MCP clients use it from their next tool call; no \
         restart needed."
    );
    if target == Mode::Live {
        println!(
            "Live mode acts on real customers and real money. Switch back with: flex-mcp mode test"
        );
    }
    warn_if_no_key(paths, target);
    Ok(ExitCode::SUCCESS)
}

/// Ask on the terminal; refuse when there is none (a script must say `--yes`).
fn confirm_live() -> anyhow::Result<()> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(anyhow::Error::new(Code::Cancelled).context(
            "Not switched: live mode needs confirmation, and there is no terminal to ask on. \
             If you mean it, run `flex-mcp mode live --yes`.",
        ));
    }
    print!(
        "Live mode: tools will act on real customers and real money (refunds, captures, \
         cancellations). Type `live` to switch: "
    );
    std::io::stdout().flush()?;
    let mut answer = String::new();
    stdin.lock().read_line(&mut answer)?;
    if answer.trim().eq_ignore_ascii_case("live") {
        Ok(())
    } else {
        Err(anyhow::Error::new(Code::Cancelled)
            .context("Not switched: you did not confirm. Still in test mode."))
    }
}

/// Say so when the mode has no key (the switch still happens: keys and mode are independent).
fn warn_if_no_key(paths: &Paths, mode: Mode) {
    if std::env::var("FLEX_API_KEY").is_ok_and(|v| !v.trim().is_empty()) {
        println!("Note: FLEX_API_KEY is set; the MCP server uses that key and its mode.");
        return;
    }
    // `api_key_in` treats a never-filled slot behind an unreachable keychain as "no key".
    let stored = credentials::keychain().and_then(|s| credentials::api_key_in(&s, paths, mode));
    match stored {
        Ok(Some(_)) => {}
        Ok(None) => {
            println!(
                "Warning: no {mode} API key is stored, so tool calls will fail. Sign in with \
                 `flex-mcp login --api-key` and a {} key.",
                if mode == Mode::Test {
                    "fsk_test_…"
                } else {
                    "fsk_…"
                }
            );
        }
        Err(e) => println!("Warning: could not check for a {mode} key: {e}"),
    }
}
