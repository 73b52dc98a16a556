//! `flex-mcp clients`: list, connect, disconnect and repair MCP client configs.
//!
//! The entry written is this very program with `stdio`, so a client starts exactly the binary
//! the user ran — by its stable launcher when it is installed (`flex_core::program`). All the file handling lives in `flex-clients`;
//! this module only chooses words.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use flex_clients::{
    Change, ChangeAction, ClientEnv, ClientKind, ClientReport, ClientStatus, ClientsError,
};
use flex_core::{Code, Paths};

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
    let env = ClientEnv::from_process(&paths.home);
    let backups = paths.backups_dir();
    let mut out = std::io::stdout().lock();
    match args.action.unwrap_or(Action::List) {
        Action::List => {
            let binary = this_binary()?;
            let reports = flex_clients::list(&env, &binary);
            print_list(&mut out, &reports)?;
            Ok(ExitCode::SUCCESS)
        }
        Action::Connect { name, force } => {
            let binary = this_binary()?;
            let report = flex_clients::report(name, &env, &binary);
            if !report.installed && !force {
                return Err(anyhow::anyhow!(
                    "{name} does not seem to be installed: there is no {}. Install it and open it \
                     once, or run `flex-mcp clients connect {} --force` to prepare its config anyway.",
                    flex_clients::install_marker(name, &env).display(),
                    name.cli_name()
                )
                .context(Code::ClientNotInstalled));
            }
            // Remembered, so the app's guardian keeps the entry in place.
            let change = flex_core::connected::connect(paths, &env, name, &binary)
                .map_err(|e| with_code(e, name))?;
            print_change(&mut out, &change, &binary)?;
            Ok(ExitCode::SUCCESS)
        }
        Action::Disconnect { name } => {
            // Forgotten first, so the app's guardian never puts it back.
            let change = flex_core::connected::disconnect(paths, &env, name, &this_binary()?)
                .map_err(|e| with_code(e, name))?;
            print_change(&mut out, &change, Path::new(""))?;
            Ok(ExitCode::SUCCESS)
        }
        Action::Repair { name } => {
            let binary = this_binary()?;
            let kinds = name.map_or_else(|| ClientKind::ALL.to_vec(), |k| vec![k]);
            let mut failed = 0;
            let mut repaired = 0;
            for kind in kinds {
                match flex_clients::repair(kind, &env, &binary, &backups) {
                    Ok(change) if change.changed() => {
                        repaired += 1;
                        print_change(&mut out, &change, &binary)?;
                    }
                    Ok(_) => {}
                    Err(e) => {
                        failed += 1;
                        writeln!(out, "{kind}: not repaired. {e}")?;
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

fn with_code(err: ClientsError, kind: ClientKind) -> anyhow::Error {
    let code = if err.is_broken_config() {
        Code::ConfigUnparsable
    } else {
        Code::Unknown
    };
    let err = anyhow::Error::new(err).context(format!("{kind} was not changed"));
    if code == Code::Unknown {
        err
    } else {
        err.context(code)
    }
}

fn print_list(out: &mut impl std::io::Write, reports: &[ClientReport]) -> std::io::Result<()> {
    let name_width = reports
        .iter()
        .map(|r| r.client.display_name().len())
        .max()
        .unwrap_or(0);
    let mut hints = false;
    for r in reports {
        writeln!(
            out,
            "{:<name_width$}  {:<13}  {}",
            r.client.display_name(),
            r.status.label(),
            r.path.display()
        )?;
        match &r.status {
            ClientStatus::Outdated { reason } => {
                hints = true;
                writeln!(out, "{:<name_width$}  ↳ {reason}.", "")?;
            }
            ClientStatus::ConfigBroken { reason } => {
                hints = true;
                writeln!(out, "{:<name_width$}  ↳ {reason}", "")?;
            }
            _ => {}
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

fn print_change(
    out: &mut impl std::io::Write,
    change: &Change,
    binary: &Path,
) -> std::io::Result<()> {
    let kind = change.client;
    let path = change.path.display();
    match change.action {
        ChangeAction::Added => writeln!(
            out,
            "Connected {kind}: added the \"flex\" server (runs {} stdio) to {path}.",
            binary.display()
        )?,
        ChangeAction::Updated => writeln!(
            out,
            "Updated {kind}: the \"flex\" server in {path} now runs {} stdio.",
            binary.display()
        )?,
        ChangeAction::Removed => {
            writeln!(
                out,
                "Disconnected {kind}: removed the \"flex\" server from {path}."
            )?;
        }
        ChangeAction::AlreadyConnected => {
            writeln!(
                out,
                "{kind} is already connected ({path}); nothing changed."
            )?;
        }
        ChangeAction::NothingToRemove => {
            writeln!(
                out,
                "{kind} has no \"flex\" server ({path}); nothing changed."
            )?;
        }
        ChangeAction::NothingToRepair => {
            writeln!(out, "{kind} needs no repair ({path}); nothing changed.")?;
        }
    }
    for note in &change.notes {
        writeln!(out, "Note: {note}")?;
    }
    if let Some(backup) = &change.backup {
        writeln!(out, "The previous file is saved at {}.", backup.display())?;
    }
    if change.changed() {
        writeln!(out, "Next: {}", kind.reload_hint())?;
    }
    Ok(())
}
