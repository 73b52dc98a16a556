//! Reading the activity store for the window: filters, keyset pages and CSV export.
//!
//! Pages are ordered newest first by `(started_at, seq)` and continue from a cursor holding the
//! last row's pair, never from an offset: records written while the person scrolls land above
//! the first page and cannot shift, repeat or hide rows further down. Every filter column has an
//! index led by that column and followed by `started_at` (schema version 2 in
//! [`crate::activity`]), so a filtered first page reads about one page of index entries; free
//! text of 3 characters or more goes through the trigram index (shorter text is a scan).

use std::fmt::Write as _;
use std::io::{BufWriter, Write as _};
use std::path::Path;

use anyhow::Context as _;
use flex_api::Mode;
use flex_mcp::{Access, CallRecord, Outcome};
use rusqlite::types::Value;
use serde::{Deserialize, Serialize};

use crate::activity::{ActivityStore, COLUMNS, row_to_record};

/// The columns the free-text filter searches (the text index holds the same).
const TEXT_COLUMNS: [&str; 5] = [
    "tool",
    "client_name",
    "arguments",
    "object_ids",
    "error_code",
];

/// The most rows one page returns.
pub const MAX_PAGE: u32 = 500;

/// Rows read per batch while exporting.
const EXPORT_BATCH: u32 = 1000;

/// Which records to show. Empty lists and `None` mean "any".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct ActivityFilter {
    /// Test and/or live.
    #[cfg_attr(feature = "ts", ts(as = "Vec<crate::bindings::ModeName>"))]
    pub modes: Vec<Mode>,
    /// Access classes (read, write, destructive).
    #[cfg_attr(feature = "ts", ts(as = "Vec<crate::bindings::AccessName>"))]
    pub classes: Vec<Access>,
    /// Outcomes (ok, api_error, invalid_arguments, refused).
    #[cfg_attr(feature = "ts", ts(as = "Vec<crate::bindings::OutcomeName>"))]
    pub outcomes: Vec<Outcome>,
    /// Assistants, by `clientInfo.name` as recorded.
    pub assistants: Vec<String>,
    /// Calls that started at or after this time (RFC 3339 UTC, as stored).
    pub since: Option<String>,
    /// Calls that started before this time (RFC 3339 UTC).
    pub until: Option<String>,
    /// Case-insensitive text found in the tool, assistant, arguments, object ids or error code.
    pub text: Option<String>,
}

/// Where the next page starts: the last row of the previous page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PageCursor {
    /// `started_at` of the last row shown.
    pub started_at: String,
    /// Its row number (breaks ties between calls started in the same millisecond).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seq: i64,
}

/// One record with its row number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityRow {
    /// Row number in the store: larger is newer-written.
    pub seq: i64,
    /// The call.
    #[serde(flatten)]
    pub record: CallRecord,
}

/// One page, newest first, and where the next one starts (`None`: this is the last).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityPage {
    /// The rows.
    pub rows: Vec<ActivityRow>,
    /// Pass to the next call to continue.
    pub next: Option<PageCursor>,
}

impl ActivityStore {
    /// Up to `limit` (at most [`MAX_PAGE`]) records matching `filter`, newest first, after
    /// `after` (or from the newest when `None`).
    pub fn page(
        &self,
        filter: &ActivityFilter,
        after: Option<&PageCursor>,
        limit: u32,
    ) -> anyhow::Result<ActivityPage> {
        let Some(conn) = self.open_read()? else {
            return Ok(ActivityPage {
                rows: Vec::new(),
                next: None,
            });
        };
        page_on(&conn, filter, after, limit.clamp(1, MAX_PAGE))
            .with_context(|| format!("reading activity database {}", self.path().display()))
    }

    /// The distinct assistant names recorded, for the filter's choices.
    pub fn assistants(&self) -> anyhow::Result<Vec<String>> {
        let Some(conn) = self.open_read()? else {
            return Ok(Vec::new());
        };
        // The client index makes this a skip-scan, not a table scan.
        let mut stmt = conn.prepare(
            "SELECT DISTINCT client_name FROM calls WHERE client_name IS NOT NULL
             ORDER BY client_name",
        )?;
        let names = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(names.collect::<Result<_, _>>()?)
    }

    /// Write every record matching `filter` to `to` as CSV (newest first), atomically: a temp
    /// file in the same folder, flushed, then renamed over `to`, so a failed export leaves any
    /// old file intact. The file is readable by this user only. Returns the number of rows.
    pub fn export_csv(&self, filter: &ActivityFilter, to: &Path) -> anyhow::Result<u64> {
        self.export_csv_in(filter, to, &chrono::Local)
    }

    /// [`ActivityStore::export_csv`] with times written in `zone` (the computer's own zone in
    /// the app; a fixed one in tests).
    pub fn export_csv_in<Z: chrono::TimeZone>(
        &self,
        filter: &ActivityFilter,
        to: &Path,
        zone: &Z,
    ) -> anyhow::Result<u64>
    where
        Z::Offset: std::fmt::Display,
    {
        let dir = match to.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(".flex-activity-export")
            .tempfile_in(dir)
            .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
        let mut out = BufWriter::new(tmp);
        out.write_all(CSV_HEADER.as_bytes())?;
        let mut written = 0u64;
        if let Some(conn) = self.open_read()? {
            let mut after: Option<PageCursor> = None;
            loop {
                let page = page_on(&conn, filter, after.as_ref(), EXPORT_BATCH)?;
                for row in &page.rows {
                    out.write_all(csv_line(&row.record, zone).as_bytes())?;
                    written += 1;
                }
                match page.next {
                    Some(next) => after = Some(next),
                    None => break,
                }
            }
        }
        let tmp = out
            .into_inner()
            .map_err(std::io::IntoInnerError::into_error)
            .with_context(|| format!("writing {}", to.display()))?;
        tmp.as_file()
            .sync_all()
            .with_context(|| format!("writing {}", to.display()))?;
        tmp.persist(to)
            .map_err(|e| e.error)
            .with_context(|| format!("saving {}", to.display()))?;
        Ok(written)
    }
}

fn page_on(
    conn: &rusqlite::Connection,
    filter: &ActivityFilter,
    after: Option<&PageCursor>,
    limit: u32,
) -> anyhow::Result<ActivityPage> {
    let mut sql = format!("SELECT {COLUMNS} FROM calls WHERE 1");
    let mut args: Vec<Value> = Vec::new();
    push_in(
        &mut sql,
        &mut args,
        "mode",
        filter.modes.iter().map(|m| m.as_str().to_string()),
    );
    push_in(
        &mut sql,
        &mut args,
        "access",
        filter.classes.iter().map(|a| a.as_str().to_string()),
    );
    push_in(
        &mut sql,
        &mut args,
        "outcome",
        filter.outcomes.iter().map(|o| o.as_str().to_string()),
    );
    push_in(
        &mut sql,
        &mut args,
        "client_name",
        filter.assistants.iter().cloned(),
    );
    if let Some(since) = &filter.since {
        sql.push_str(" AND started_at >= ?");
        args.push(Value::Text(since.clone()));
    }
    if let Some(until) = &filter.until {
        sql.push_str(" AND started_at < ?");
        args.push(Value::Text(until.clone()));
    }
    if let Some(text) = filter
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        if text.chars().count() >= 3 {
            // The trigram index answers "contains" for 3 characters or more, case-insensitive;
            // a quoted phrase takes the text literally.
            sql.push_str(" AND seq IN (SELECT rowid FROM calls_text WHERE calls_text MATCH ?)");
            args.push(Value::Text(format!("\"{}\"", text.replace('"', "\"\""))));
        } else {
            let pattern = format!("%{}%", escape_like(text));
            sql.push_str(" AND (");
            for (i, column) in TEXT_COLUMNS.iter().enumerate() {
                if i > 0 {
                    sql.push_str(" OR ");
                }
                let _ = write!(sql, "{column} LIKE ? ESCAPE '\\'");
                args.push(Value::Text(pattern.clone()));
            }
            sql.push(')');
        }
    }
    if let Some(c) = after {
        sql.push_str(" AND (started_at, seq) < (?, ?)");
        args.push(Value::Text(c.started_at.clone()));
        args.push(Value::Integer(c.seq));
    }
    sql.push_str(" ORDER BY started_at DESC, seq DESC LIMIT ?");
    args.push(Value::Integer(i64::from(limit) + 1));

    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), row_to_record)?;
    let mut out = Vec::with_capacity(limit as usize);
    let mut more = false;
    for row in rows {
        let (seq, record) = row?;
        if out.len() == limit as usize {
            more = true;
            break;
        }
        out.push(ActivityRow { seq, record });
    }
    let next = if more {
        out.last().map(|r| PageCursor {
            started_at: r.record.started_at.clone(),
            seq: r.seq,
        })
    } else {
        None
    };
    Ok(ActivityPage { rows: out, next })
}

fn push_in(
    sql: &mut String,
    args: &mut Vec<Value>,
    column: &str,
    values: impl Iterator<Item = String>,
) {
    let values: Vec<String> = values.collect();
    if values.is_empty() {
        return;
    }
    let marks = vec!["?"; values.len()].join(", ");
    let _ = write!(sql, " AND {column} IN ({marks})");
    args.extend(values.into_iter().map(Value::Text));
}

fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

const CSV_HEADER: &str = "started_at,assistant,assistant_version,tool,class,mode,outcome,\
approval,error_code,http_status,duration_ms,amounts_usd,object_ids,arguments,id\r\n";

/// One CSV line (RFC 4180, CRLF). Amounts are written as dollars with two decimals from integer
/// cents, so a spreadsheet shows $45.00 rather than 4500; the time is in `zone` with its offset
/// (a person reads their own clock, a spreadsheet still gets an unambiguous time). The arguments
/// go through the record redaction once more: a record written by an older version (or by hand)
/// must not carry a key into a file that is mailed around.
fn csv_line<Z: chrono::TimeZone>(r: &CallRecord, zone: &Z) -> String
where
    Z::Offset: std::fmt::Display,
{
    let amounts = r
        .amounts_cents
        .iter()
        .map(|c| format_cents(*c))
        .collect::<Vec<_>>()
        .join(" ");
    let fields = [
        local_time(&r.started_at, zone),
        r.client_name.clone().unwrap_or_default(),
        r.client_version.clone().unwrap_or_default(),
        r.tool.clone(),
        r.access.map(|a| a.as_str().to_string()).unwrap_or_default(),
        r.mode.as_str().to_string(),
        r.outcome.as_str().to_string(),
        r.approval.clone().unwrap_or_default(),
        r.error_code.clone().unwrap_or_default(),
        r.http_status.map(|s| s.to_string()).unwrap_or_default(),
        format!("{}.{:03}", r.duration_us / 1000, r.duration_us % 1000),
        amounts,
        r.object_ids.join(" "),
        flex_mcp::redact::redact(&r.arguments).to_string(),
        r.id.clone(),
    ];
    let mut line = fields
        .iter()
        .map(|f| csv_field(f))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// `2026-12-01 10:41:00 +01:00`; a time that does not parse is written as stored.
fn local_time<Z: chrono::TimeZone>(rfc3339: &str, zone: &Z) -> String
where
    Z::Offset: std::fmt::Display,
{
    chrono::DateTime::parse_from_rfc3339(rfc3339).map_or_else(
        |_| rfc3339.to_string(),
        |t| {
            t.with_timezone(zone)
                .format("%Y-%m-%d %H:%M:%S %:z")
                .to_string()
        },
    )
}

fn format_cents(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Quote when needed; a cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`,
/// tab, CR) gets a leading `'`, because arguments come from a model and could carry one.
fn csv_field(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formula_guarded() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(csv_field("-5"), "'-5");
    }

    #[test]
    fn times_are_written_in_the_given_zone() {
        let paris = chrono::FixedOffset::east_opt(3600).unwrap();
        assert_eq!(
            local_time("2026-12-01T09:41:00.000Z", &paris),
            "2026-12-01 10:41:00 +01:00"
        );
        assert_eq!(local_time("yesterday", &paris), "yesterday");
    }

    #[test]
    fn cents_become_dollars() {
        assert_eq!(format_cents(4500), "45.00");
        assert_eq!(format_cents(5), "0.05");
        assert_eq!(format_cents(-1234), "-12.34");
    }

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(escape_like("50%_off\\"), "50\\%\\_off\\\\");
    }
}
