//! The Activity page's commands: filtered keyset pages, the assistants to filter by, and the CSV
//! export to a file the person chooses. Each calls one `flex-core` function.

use flex_core::activity_query::{ActivityFilter, PageCursor};
use flex_core::activity_rows::{self, RowsPage};
use serde::Serialize;
use tauri::State;

use crate::account::AppState;
use crate::error::CommandError;

/// One page of calls matching `filter`, newest first, after `after`.
#[allow(clippy::needless_pass_by_value)]
#[tauri::command]
pub(crate) fn activity_page(
    state: State<'_, AppState>,
    filter: ActivityFilter,
    after: Option<PageCursor>,
    limit: u32,
) -> Result<RowsPage, CommandError> {
    let c = state.current();
    Ok(activity_rows::page(
        c.paths()?,
        &c.settings,
        &filter,
        after.as_ref(),
        limit,
    )?)
}

/// The assistants recorded (the Assistant filter's choices).
#[allow(clippy::needless_pass_by_value)]
#[tauri::command]
pub(crate) fn activity_assistants(state: State<'_, AppState>) -> Result<Vec<String>, CommandError> {
    let c = state.current();
    Ok(activity_rows::assistants(c.paths()?, &c.settings)?)
}

/// What an export did (`None` from the command: the person cancelled the dialog).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub(crate) struct Exported {
    /// The file written.
    path: String,
    /// How many calls it holds.
    #[cfg_attr(test, ts(type = "number"))]
    rows: u64,
}

/// Ask where to save, then write the calls matching `filter` there as CSV.
#[tauri::command]
pub(crate) async fn activity_export(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    filter: ActivityFilter,
) -> Result<Option<Exported>, CommandError> {
    let c = state.current();
    let paths = c.paths()?.clone();
    let name = format!(
        "flex-mcp-activity-{}.csv",
        chrono::Local::now().format("%Y-%m-%d")
    );
    let Some(to) =
        crate::save_dialog::choose(&app, "Save the activity as CSV", &paths.home, &name).await
    else {
        return Ok(None);
    };
    let settings = c.settings.clone();
    let written = tauri::async_runtime::spawn_blocking(move || {
        activity_rows::export_csv(&paths, &settings, &filter, &to).map(|rows| Exported {
            path: to.display().to_string(),
            rows,
        })
    })
    .await
    .map_err(|e| CommandError::unknown(format!("the export could not run: {e}")))??;
    Ok(Some(written))
}
