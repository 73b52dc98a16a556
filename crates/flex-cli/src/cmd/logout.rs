//! `flex-mcp logout [--mode test|live]`: remove stored credentials from the keychain (both modes
//! when no mode is given) and say exactly what was removed.

use std::process::ExitCode;

use flex_api::Mode;
use flex_core::{Paths, Settings, account_keys, credentials};

/// Arguments of `flex-mcp logout`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Only this mode (`test` or `live`); without it, both.
    #[arg(long)]
    mode: Option<Mode>,
}

// The signature is the one main.rs dispatches to; errors are printed here (plain message, then
// the code) rather than by main, whose `{err:#}` would append the code to the sentence.
#[allow(clippy::needless_pass_by_value)]
pub(crate) fn run(args: Args, paths: &Paths) -> anyhow::Result<ExitCode> {
    logout(&args, paths)
}

fn logout(args: &Args, paths: &Paths) -> anyhow::Result<ExitCode> {
    let store = credentials::keychain()?;
    let modes = match args.mode {
        Some(m) => vec![m],
        None => vec![Mode::Test, Mode::Live],
    };
    // The Flex sign-in reaches both modes and lives in the live slots: revoked at Flex first,
    // then removed, whenever live mode (or everything) is signed out.
    let mut removed_any = false;
    if args.mode.is_none_or(|m| m == Mode::Live) {
        removed_any |= super::oauth::logout(paths)?;
    }
    for mode in modes {
        let removed = account_keys::sign_out_in(&store, paths, mode)?;
        if removed.is_empty() {
            println!("{mode}: nothing was stored.");
        } else {
            removed_any = true;
            let what: Vec<&str> = removed.iter().map(|k| k.describe()).collect();
            println!("{mode}: removed the {} from the keychain.", what.join(", "));
        }
    }
    if removed_any {
        // Settings are only read to word the hint; a broken file must not fail the logout.
        let current = Settings::load(paths).map_or(Mode::Test, |s| s.mode);
        if args.mode.is_none_or(|m| m == current) {
            println!(
                "MCP clients can no longer reach Flex in {current} mode. Sign in again with \
                 `flex-mcp login --api-key`."
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
