//! The Activity page's rows: the stored call records in the shape the window receives (camelCase,
//! words instead of enums, amounts as integer cents). The sentence a person reads is composed in
//! the front end from these fields. One function per thing the page does: the newest rows, a
//! filtered keyset page ([`page`]), the assistants to filter by, and the CSV export of exactly
//! what the filters show ([`export_csv`]).

use flex_mcp::CallRecord;
use serde::Serialize;

use std::path::Path;

use crate::Paths;
use crate::activity::ActivityStore;
use crate::activity_query::{self, ActivityFilter, PageCursor};
use crate::settings::Settings;

/// One call an assistant made, for the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ActivityRow {
    /// The record's id (ULID).
    pub id: String,
    /// When the call started, RFC 3339 UTC (the window shows it in local time).
    pub started_at: String,
    /// The assistant's own name from the MCP handshake (`clientInfo.name`), if it sent one.
    pub client_name: Option<String>,
    /// The tool called (`create_refund`).
    pub tool: String,
    /// `read`, `write` or `destructive`; `None` for an unknown tool.
    pub access: Option<String>,
    /// `test` or `live`.
    pub mode: String,
    /// `ok`, `api_error`, `invalid_arguments` or `refused`.
    pub outcome: String,
    /// The stable error code, shown only under Details.
    pub error_code: Option<String>,
    /// Flex's HTTP status, when Flex answered (401: the key was not accepted).
    pub http_status: Option<u16>,
    /// Wall time in microseconds.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub duration_us: u64,
    /// Flex object ids involved (`fpi_…`).
    pub object_ids: Vec<String>,
    /// Amounts involved, integer cents USD.
    #[cfg_attr(feature = "ts", ts(type = "Array<number>"))]
    pub amounts_cents: Vec<i64>,
    /// The arguments with secrets redacted, as JSON text (for Details).
    pub arguments: String,
    /// The person's decision when the call asked first (`approved`, `denied`, `expired`,
    /// `allowed_for_a_while`, `covered_by_allowance`, `unavailable`); `None`: nobody was asked.
    pub approval: Option<String>,
}

/// One page of the Activity list, newest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RowsPage {
    /// The rows.
    pub rows: Vec<ActivityRow>,
    /// Pass back to read the next page; `None`: this was the last.
    pub next: Option<PageCursor>,
}

/// Up to `limit` rows matching `filter`, after `after` (from the newest when `None`). Keyset
/// pages over indexed columns, so the first filtered page of 100,000 records reads about one
/// page of index entries.
pub fn page(
    paths: &Paths,
    settings: &Settings,
    filter: &ActivityFilter,
    after: Option<&PageCursor>,
    limit: u32,
) -> anyhow::Result<RowsPage> {
    let store = ActivityStore::new(paths.activity_db(), settings.retention);
    let page = store.page(filter, after, limit.min(activity_query::MAX_PAGE))?;
    Ok(RowsPage {
        rows: page
            .rows
            .into_iter()
            .map(|r| ActivityRow::from(r.record))
            .collect(),
        next: page.next,
    })
}

/// The assistants recorded, for the filter's choices.
pub fn assistants(paths: &Paths, settings: &Settings) -> anyhow::Result<Vec<String>> {
    ActivityStore::new(paths.activity_db(), settings.retention).assistants()
}

/// Write every record matching `filter` (the filters the page shows) to `to` as CSV: money in
/// dollars, times in the computer's zone, arguments redacted. Returns the number of rows.
pub fn export_csv(
    paths: &Paths,
    settings: &Settings,
    filter: &ActivityFilter,
    to: &Path,
) -> anyhow::Result<u64> {
    ActivityStore::new(paths.activity_db(), settings.retention).export_csv(filter, to)
}

/// The newest `limit` calls, newest first. No database yet means no calls yet, not an error.
pub fn recent(paths: &Paths, settings: &Settings, limit: u32) -> anyhow::Result<Vec<ActivityRow>> {
    let store = ActivityStore::new(paths.activity_db(), settings.retention);
    Ok(store
        .recent(limit)?
        .into_iter()
        .map(ActivityRow::from)
        .collect())
}

impl From<CallRecord> for ActivityRow {
    /// The row of one stored record (also what the live feed sends the window).
    fn from(r: CallRecord) -> ActivityRow {
        ActivityRow {
            id: r.id,
            started_at: r.started_at,
            client_name: r.client_name,
            tool: r.tool,
            access: r.access.map(|a| a.as_str().to_string()),
            mode: r.mode.as_str().to_string(),
            outcome: r.outcome.as_str().to_string(),
            error_code: r.error_code,
            http_status: r.http_status,
            duration_us: r.duration_us,
            object_ids: r.object_ids,
            amounts_cents: r.amounts_cents,
            arguments: r.arguments.to_string(),
            approval: r.approval,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    #[test]
    fn no_database_is_no_calls() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::under(dir.path(), dir.path());
        assert!(recent(&paths, &Settings::default(), 10).unwrap().is_empty());
    }
}
