//! The Assistants page's backups (list, Restore) and install links: each a few lines calling
//! `flex-core`.

use flex_core::assistant_backups::{self, AssistantBackup};
use flex_core::assistant_links::{self, InstallLink};
use flex_core::assistants::{self, AssistantChange};
use tauri::State;

use crate::account::AppState;
use crate::error::CommandError;

/// The backups of one assistant's config, newest first.
#[allow(clippy::needless_pass_by_value)]
#[tauri::command]
pub(crate) fn assistant_backups(
    state: State<'_, AppState>,
    id: String,
) -> Result<Vec<AssistantBackup>, CommandError> {
    let c = state.current();
    Ok(assistant_backups::list(c.paths()?, assistants::kind(&id)?))
}

/// Put one backup back (the current file is backed up first).
#[allow(clippy::needless_pass_by_value)]
#[tauri::command]
pub(crate) fn assistant_restore(
    state: State<'_, AppState>,
    id: String,
    name: String,
) -> Result<AssistantChange, CommandError> {
    let c = state.current();
    let (paths, binary) = c.assistants_context()?;
    Ok(assistant_backups::restore(
        paths,
        assistants::kind(&id)?,
        &name,
        &binary,
    )?)
}

/// The assistant's own install link for our entry, when it has one.
#[allow(clippy::needless_pass_by_value)]
#[tauri::command]
pub(crate) fn assistant_install_link(
    state: State<'_, AppState>,
    id: String,
) -> Result<Option<InstallLink>, CommandError> {
    let (_, binary) = state.current().assistants_context()?;
    Ok(assistant_links::link(assistants::kind(&id)?, &binary)?)
}

/// Open the assistant's install link with the desktop's handler for it (the assistant itself, or
/// the browser for LM Studio's). The page cannot open links (no opener permission, CSP).
#[allow(clippy::needless_pass_by_value)]
#[tauri::command]
pub(crate) fn assistant_open_install_link(
    state: State<'_, AppState>,
    id: String,
) -> Result<bool, CommandError> {
    let (_, binary) = state.current().assistants_context()?;
    let kind = assistants::kind(&id)?;
    let Some(link) = assistant_links::link(kind, &binary)? else {
        return Ok(false);
    };
    open::that_detached(&link.url).map_err(|e| {
        CommandError::unknown(format!(
            "the install link could not be opened ({e}). Is {} installed? Connect writes the \
             same entry without the link",
            kind.display_name()
        ))
    })?;
    Ok(true)
}
