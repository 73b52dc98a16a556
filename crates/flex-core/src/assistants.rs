//! The assistants (MCP clients) as the window and `flex-mcp clients` show them: one function per
//! user action — list, connect, disconnect, repair — each returning a serde struct with the words
//! already chosen, so the Assistants page and the CLI cannot drift apart. The file handling itself
//! lives in `flex-clients`; this module adds the sentences and the error codes.

use std::path::{Path, PathBuf};

use flex_clients::{Change, ChangeAction, ClientEnv, ClientKind, ClientStatus, ClientsError};
use serde::Serialize;

use crate::{Code, Paths};

/// Where one assistant stands, as a word the front end switches on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum AssistantState {
    /// Not installed on this computer.
    NotFound,
    /// Installed, without our entry.
    NotConnected,
    /// Our entry is there and runs this `flex-mcp stdio`.
    Connected,
    /// Our entry is there but points somewhere else (moved or missing `flex-mcp`): Repair fixes it.
    Outdated,
    /// Its config cannot be read; we never write it. `detail` names file, line, column and fix.
    ConfigBroken,
}

/// One line of the Assistants page (and of `flex-mcp clients list`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Assistant {
    /// The command-line name (`cursor`), also the id the window passes back.
    pub id: String,
    /// The product name ("Cursor").
    pub name: String,
    /// Whether it is installed (its config file or folder exists).
    pub found: bool,
    /// Where it stands.
    pub state: AssistantState,
    /// "connected", "not installed", …, as the CLI prints it.
    pub state_label: String,
    /// Why it is outdated or broken, with the fix; `None` otherwise.
    pub detail: Option<String>,
    /// Connected, but it has been open since before its config last changed, so it has not
    /// loaded our entry yet: what to do, in its words. `None` when it is not running, reloads by
    /// itself, or this OS's process table is not read.
    pub needs_restart: Option<String>,
    /// Its config file.
    pub config_path: String,
    /// What to do in the client after a change, in its own words.
    pub reload_hint: String,
}

/// What a connect, disconnect or repair did, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AssistantChange {
    /// The assistant's command-line name.
    pub id: String,
    /// Whether the file was written.
    pub changed: bool,
    /// One sentence: what happened, naming the file.
    pub sentence: String,
    /// Extra facts the person should know (from `flex-clients`).
    pub notes: Vec<String>,
    /// Where the previous file was saved, when it was.
    pub backup: Option<String>,
    /// The one thing left to do in the client, when the file changed.
    pub next_step: Option<String>,
}

/// Every supported assistant, in a fixed order. `binary` is the `flex-mcp` our entry runs.
pub fn list(paths: &Paths, binary: &Path) -> Vec<Assistant> {
    let env = ClientEnv::from_process(&paths.home);
    // The process table is read only when an assistant is connected (a restart can matter).
    let running = std::cell::OnceCell::new();
    flex_clients::list(&env, binary)
        .into_iter()
        .map(|r| {
            let (state, detail) = match &r.status {
                ClientStatus::NotInstalled => (AssistantState::NotFound, None),
                ClientStatus::NotConnected => (AssistantState::NotConnected, None),
                ClientStatus::Connected => (AssistantState::Connected, None),
                ClientStatus::Outdated { reason } => {
                    (AssistantState::Outdated, Some(format!("{reason}.")))
                }
                ClientStatus::ConfigBroken { reason } => {
                    (AssistantState::ConfigBroken, Some(reason.clone()))
                }
            };
            let needs_restart = (state == AssistantState::Connected
                && running
                    .get_or_init(crate::client_processes::Running::now)
                    .needs_restart(r.client, &r.path))
            .then(|| {
                format!(
                    "{} was already open when its settings last changed, so it may not have \
                     loaded Flex MCP yet. {}",
                    r.client.display_name(),
                    r.client.reload_hint()
                )
            });
            let state_label = if needs_restart.is_some() {
                format!("{}, needs a restart", r.status.label())
            } else {
                r.status.label().to_string()
            };
            Assistant {
                id: r.client.cli_name().to_string(),
                name: r.client.display_name().to_string(),
                found: r.installed,
                state,
                state_label,
                detail,
                needs_restart,
                config_path: r.path.display().to_string(),
                reload_hint: r.client.reload_hint().to_string(),
            }
        })
        .collect()
}

/// The assistant named `id` (`cursor`, `claude-desktop`, …), or an error listing the valid names.
pub fn kind(id: &str) -> anyhow::Result<ClientKind> {
    Ok(id.parse::<ClientKind>()?)
}

/// Add our entry to `kind`'s config (a backup first). Refuses a client that is not installed
/// unless `force`, because a config for a program that is not there helps nobody.
pub fn connect(
    paths: &Paths,
    kind: ClientKind,
    binary: &Path,
    force: bool,
) -> anyhow::Result<AssistantChange> {
    let env = ClientEnv::from_process(&paths.home);
    let report = flex_clients::report(kind, &env, binary);
    if !report.installed && !force {
        return Err(anyhow::anyhow!(
            "{kind} does not seem to be installed: there is no {}. Install it and open it once, \
             or run `flex-mcp clients connect {} --force` to prepare its config anyway.",
            flex_clients::install_marker(kind, &env).display(),
            kind.cli_name()
        )
        .context(Code::ClientNotInstalled));
    }
    // Remembered, so the app's guardian keeps the entry in place.
    let change =
        crate::connected::connect(paths, &env, kind, binary).map_err(|e| with_code(e, kind))?;
    Ok(describe(&change, binary))
}

/// Remove our entry from `kind`'s config (nothing else changes; a backup first). Forgotten by the
/// guardian first, so it never puts the entry back.
pub fn disconnect(
    paths: &Paths,
    kind: ClientKind,
    binary: &Path,
) -> anyhow::Result<AssistantChange> {
    let env = ClientEnv::from_process(&paths.home);
    let change =
        crate::connected::disconnect(paths, &env, kind, binary).map_err(|e| with_code(e, kind))?;
    Ok(describe(&change, Path::new("")))
}

/// Point an outdated entry of `kind` at `binary` again.
pub fn repair(paths: &Paths, kind: ClientKind, binary: &Path) -> anyhow::Result<AssistantChange> {
    let env = ClientEnv::from_process(&paths.home);
    let change = flex_clients::repair(kind, &env, binary, &paths.backups_dir())
        .map_err(|e| with_code(e, kind))?;
    Ok(describe(&change, binary))
}

/// The `flex-mcp` program a client entry should run: `FLEX_MCP_BIN` when set (tests, packaging),
/// else the `flex-mcp` shipped beside the app ([`crate::program::cli_next_to`]: an installed copy by
/// its stable launcher, so entries survive upgrades).
pub fn flex_mcp_binary(exe: &Path) -> anyhow::Result<PathBuf> {
    let candidate = match std::env::var_os("FLEX_MCP_BIN") {
        Some(p) => crate::program::entry_program(Path::new(&p), &[]),
        None => crate::program::cli_next_to(exe),
    };
    if !candidate.is_file() {
        return Err(anyhow::anyhow!(
            "the flex-mcp program is missing at {}: reinstall Flex MCP (it comes with the app)",
            candidate.display()
        ));
    }
    Ok(candidate)
}

fn with_code(err: ClientsError, kind: ClientKind) -> anyhow::Error {
    let broken = err.is_broken_config();
    let err = anyhow::Error::new(err).context(format!("{kind} was not changed"));
    if broken {
        err.context(Code::ConfigUnparsable)
    } else {
        err
    }
}

/// The words for one change. `binary` is what the entry runs (unused for a removal).
pub fn describe(change: &Change, binary: &Path) -> AssistantChange {
    let kind = change.client;
    let path = change.path.display();
    let sentence = match change.action {
        ChangeAction::Added => format!(
            "Connected {kind}: added the \"flex\" server (runs {} stdio) to {path}.",
            binary.display()
        ),
        ChangeAction::Updated => format!(
            "Updated {kind}: the \"flex\" server in {path} now runs {} stdio.",
            binary.display()
        ),
        ChangeAction::Removed => {
            format!("Disconnected {kind}: removed the \"flex\" server from {path}.")
        }
        ChangeAction::AlreadyConnected => {
            format!("{kind} is already connected ({path}); nothing changed.")
        }
        ChangeAction::NothingToRemove => {
            format!("{kind} has no \"flex\" server ({path}); nothing changed.")
        }
        ChangeAction::NothingToRepair => {
            format!("{kind} needs no repair ({path}); nothing changed.")
        }
        ChangeAction::Restored => format!("Restored {kind}: {path} is back as it was saved."),
        ChangeAction::AlreadyAsBackup => {
            format!("{kind}'s config ({path}) is already the same as that backup; nothing changed.")
        }
    };
    AssistantChange {
        id: kind.cli_name().to_string(),
        changed: change.changed(),
        sentence,
        notes: change.notes.clone(),
        backup: change.backup.as_ref().map(|b| b.display().to_string()),
        next_step: change.changed().then(|| kind.reload_hint().to_string()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    fn sandbox() -> (tempfile::TempDir, Paths, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        let paths = Paths::under(&dir.path().join("flex"), &home);
        let bin = dir.path().join("flex-mcp");
        std::fs::write(&bin, "").unwrap();
        (dir, paths, bin)
    }

    /// A real process named as Cursor's program: open since before our entry was written, it
    /// needs a restart; a copy started after it does not.
    #[cfg(target_os = "linux")]
    #[test]
    fn cursor_open_since_before_the_entry_needs_a_restart_and_a_new_copy_does_not() {
        use std::process::Command;
        use std::time::Duration;
        let (dir, _home, paths, bin) = crate::test_home::cursor_home();
        let cursor = dir.path().join("cursor");
        std::fs::copy("/bin/sleep", &cursor).unwrap();
        let cursor_line = || {
            list(&paths, &bin)
                .into_iter()
                .find(|a| a.id == "cursor")
                .unwrap()
        };
        let mut old = Command::new(&cursor).arg("60").spawn().unwrap();
        std::thread::sleep(Duration::from_millis(100));
        assert!(cursor_line().needs_restart.is_none(), "not connected yet");
        connect(&paths, ClientKind::Cursor, &bin, false).unwrap();
        let line = cursor_line();
        assert_eq!(line.state, AssistantState::Connected);
        assert_eq!(line.state_label, "connected, needs a restart");
        let words = line.needs_restart.unwrap();
        assert!(
            words.contains("already open") && words.contains("Restart Cursor"),
            "{words}"
        );

        old.kill().unwrap();
        old.wait().unwrap();
        std::thread::sleep(Duration::from_millis(100));
        let mut new = Command::new(&cursor).arg("60").spawn().unwrap();
        let line = cursor_line();
        new.kill().unwrap();
        new.wait().unwrap();
        assert_eq!(line.state_label, "connected");
        assert!(line.needs_restart.is_none(), "{:?}", line.needs_restart);
    }

    #[test]
    fn nine_assistants_none_found_in_an_empty_home() {
        let (_d, paths, bin) = sandbox();
        let all = list(&paths, &bin);
        assert_eq!(all.len(), 9);
        assert!(
            all.iter()
                .all(|a| !a.found && a.state == AssistantState::NotFound)
        );
        let v = serde_json::to_value(&all[0]).unwrap();
        assert_eq!(v["state"], "notFound", "{v}");
        assert!(v["configPath"].is_string(), "{v}");
    }

    #[test]
    fn connect_refuses_a_missing_client_then_connects_an_installed_one() {
        let (_d, paths, bin) = sandbox();
        let cursor = kind("cursor").unwrap();
        let err = connect(&paths, cursor, &bin, false).unwrap_err();
        assert_eq!(err.downcast_ref::<Code>(), Some(&Code::ClientNotInstalled));
        std::fs::create_dir_all(paths.home.join(".cursor")).unwrap();
        let change = connect(&paths, cursor, &bin, false).unwrap();
        assert!(change.changed, "{change:?}");
        assert!(
            change.sentence.starts_with("Connected Cursor"),
            "{}",
            change.sentence
        );
        assert_eq!(change.next_step.as_deref(), Some(cursor.reload_hint()));
        let now = list(&paths, &bin);
        let c = now.iter().find(|a| a.id == "cursor").unwrap();
        assert_eq!(c.state, AssistantState::Connected);
        let again = disconnect(&paths, cursor, &bin).unwrap();
        assert!(
            again.changed && again.sentence.starts_with("Disconnected"),
            "{again:?}"
        );
    }

    #[test]
    fn an_unknown_name_lists_the_valid_ones() {
        let err = kind("notepad").unwrap_err();
        let msg = format!("{err:#}");
        assert!(
            msg.contains("notepad") && msg.contains("claude-desktop"),
            "{msg}"
        );
    }
}
