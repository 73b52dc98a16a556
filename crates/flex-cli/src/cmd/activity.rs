//! `flex-mcp activity`: the recent tool calls, newest first — what the assistant did, in which
//! mode, with what result. A table for people, `--json` for scripts.

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;

use flex_core::Paths;
use flex_core::activity::ActivityStore;
use flex_mcp::CallRecord;

/// Arguments of `flex-mcp activity`.
#[derive(Debug, Clone, Copy, clap::Args)]
pub(crate) struct Args {
    /// Print JSON (an array of call records) instead of a table.
    #[arg(long)]
    json: bool,
    /// How many calls to show (1-1000).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=1000))]
    limit: u32,
}

pub(crate) fn run(args: Args, paths: &Paths) -> anyhow::Result<ExitCode> {
    let settings = flex_core::Settings::load(paths).unwrap_or_default();
    let store = ActivityStore::new(paths.activity_db(), settings.retention);
    let records = store.recent(args.limit)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &records)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    if records.is_empty() {
        writeln!(out, "No tool calls recorded yet.")?;
        return Ok(ExitCode::SUCCESS);
    }
    write_table(&mut out, &records)?;
    Ok(ExitCode::SUCCESS)
}

fn write_table(out: &mut impl std::io::Write, records: &[CallRecord]) -> std::io::Result<()> {
    let rows: Vec<[String; 7]> = records.iter().map(row).collect();
    let header = [
        "TIME (UTC)",
        "MODE",
        "TOOL",
        "RESULT",
        "MS",
        "CLIENT",
        "DETAILS",
    ];
    let mut widths = header.map(str::len);
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut s = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                s.push_str(cell);
            } else {
                let _ = write!(s, "{cell:<w$}  ");
            }
        }
        s.trim_end().to_string()
    };
    writeln!(out, "{}", line(&header.map(String::from)))?;
    for r in &rows {
        writeln!(out, "{}", line(r))?;
    }
    Ok(())
}

fn row(r: &CallRecord) -> [String; 7] {
    let time = r
        .started_at
        .get(..19)
        .unwrap_or(&r.started_at)
        .replace('T', " ");
    let result = match (&r.error_code, r.http_status) {
        (Some(code), Some(status)) => format!("{} ({code}, HTTP {status})", r.outcome.as_str()),
        (Some(code), None) => format!("{} ({code})", r.outcome.as_str()),
        _ => r.outcome.as_str().to_string(),
    };
    let ms = format!("{}.{}", r.duration_us / 1000, (r.duration_us % 1000) / 100);
    let client = r.client_name.clone().unwrap_or_else(|| "-".into());
    let mut details: Vec<String> = r.object_ids.iter().take(3).cloned().collect();
    if r.object_ids.len() > 3 {
        details.push(format!("+{} more", r.object_ids.len() - 3));
    }
    details.extend(
        r.amounts_cents
            .iter()
            .take(3)
            .map(|c| format!("${}.{:02}", c / 100, (c % 100).abs())),
    );
    [
        time,
        r.mode.as_str().to_string(),
        r.tool.clone(),
        result,
        ms,
        client,
        details.join(" "),
    ]
}
