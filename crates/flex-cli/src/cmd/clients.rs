//! `flex-mcp clients`: list, connect, disconnect and repair MCP client configs.
//!
//! The entry written is this very program with `stdio` — by its stable launcher when it is installed
//! (`flex_core::program`). The actions and their words live in `flex_core::assistants` (shared with
//! the app's Assistants page); this module only prints them.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use flex_clients::ClientKind;
use flex_core::Paths;
use flex_core::assistants::{self, Assistant, AssistantChange};

/// Arguments of `flex-mcp clients`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    action: Option<Action>,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// Show every supported client, whether it is installed, and whether it is connected.
    List,
    /// Add the Flex server to a client's config (only our entry changes; a backup is kept).
    Connect {
        /// One of: claude-desktop, cursor, windsurf, vscode, claude-code, zed, gemini, codex, lmstudio.
        name: ClientKind,
        /// Write the config even if the client does not seem to be installed yet.
        #[arg(long)]
        force: bool,
    },
    /// Remove the Flex server from a client's config (nothing else changes; a backup is kept).
    Disconnect {
        /// One of: claude-desktop, cursor, windsurf, vscode, claude-code, zed, gemini, codex, lmstudio.
        name: ClientKind,
    },
    /// Fix outdated Flex entries (e.g. after flex-mcp moved) in every client, or only in NAME.
    Repair {
        /// Only this client.
        name: Option<ClientKind>,
    },
}

pub(crate) fn run(args: Args, paths: &Paths) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match args.action.unwrap_or(Action::List) {
        Action::List => {
            let binary = this_binary()?;
            print_list(&mut out, &assistants::list(paths, &binary))?;
            Ok(ExitCode::SUCCESS)
        }
        Action::Connect { name, force } => {
            let binary = this_binary()?;
            print_change(&mut out, &assistants::connect(paths, name, &binary, force)?)?;
            Ok(ExitCode::SUCCESS)
        }
        Action::Disconnect { name } => {
            print_change(
                &mut out,
                &assistants::disconnect(paths, name, &this_binary()?)?,
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Action::Repair { name } => {
            let binary = this_binary()?;
            let kinds = name.map_or_else(|| ClientKind::ALL.to_vec(), |k| vec![k]);
            let mut failed = 0;
            let mut repaired = 0;
            for kind in kinds {
                match assistants::repair(paths, kind, &binary) {
                    Ok(change) if change.changed => {
                        repaired += 1;
                        print_change(&mut out, &change)?;
                    }
                    Ok(_) => {}
                    Err(e) => {
                        failed += 1;
                        // Outer layers say "<kind> was not changed"; print the file's own error.
                        match e.downcast_ref::<flex_clients::ClientsError>() {
                            Some(cause) => writeln!(out, "{kind}: not repaired. {cause}")?,
                            None => writeln!(out, "{kind}: not repaired. {e:#}")?,
                        }
                    }
                }
            }
            if repaired == 0 && failed == 0 {
                writeln!(
                    out,
                    "Nothing to repair: no client has an outdated Flex entry."
                )?;
            }
            Ok(if failed == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}

/// This `flex-mcp` as client entries should name it (`flex_core::program::entry_program`).
fn this_binary() -> anyhow::Result<PathBuf> {
    flex_core::program::current_entry_program()
        .context("could not find the path of this flex-mcp program")
}

fn print_list(out: &mut impl std::io::Write, list: &[Assistant]) -> std::io::Result<()> {
    let name_width = list.iter().map(|a| a.name.len()).max().unwrap_or(0);
    let mut hints = false;
    for a in list {
        writeln!(
            out,
            "{:<name_width$}  {:<13}  {}",
            a.name, a.state_label, a.config_path
        )?;
        if let Some(detail) = &a.detail {
            hints = true;
            writeln!(out, "{:<name_width$}  ↳ {detail}", "")?;
        }
    }
    if hints {
        writeln!(
            out,
            "\nRun `flex-mcp clients repair` to fix outdated entries. A broken config must be fixed by hand first; we never write a file we cannot read."
        )?;
    }
    Ok(())
}

fn print_change(out: &mut impl std::io::Write, change: &AssistantChange) -> std::io::Result<()> {
    writeln!(out, "{}", change.sentence)?;
    for note in &change.notes {
        writeln!(out, "Note: {note}")?;
    }
    if let Some(backup) = &change.backup {
        writeln!(out, "The previous file is saved at {backup}.")?;
    }
    if let Some(next) = &change.next_step {
        writeln!(out, "Next: {next}")?;
    }
    Ok(())
}
