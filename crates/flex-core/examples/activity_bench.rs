//! Activity with 100,000 records: the first page with a filter, from the store (issue 8 §6,
//! target ≤ 50 ms). Fills a fresh database in a temp dir through the real writer, then times
//! `ActivityStore::page` (which opens its read connection each time, as the window's call does)
//! for each filter, 30 runs each after one warm-up run. Prints a Markdown table and writes the
//! raw samples as JSON to the path given as the first argument (if any).
//!
//! `cargo run --release -p flex-core --example activity_bench -- bench/results/activity.json`
#![allow(
    clippy::unwrap_used,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap
)]

use std::time::Instant;

use flex_api::Mode;
use flex_core::activity::ActivityStore;
use flex_core::activity_query::{ActivityFilter, PageCursor};
use flex_core::settings::Retention;
use flex_mcp::{Access, CallRecord, Outcome, Recorder as _};
use serde_json::json;

/// Records filled; `FLEX_BENCH_RECORDS` overrides it for a quick look.
const RECORDS: usize = 100_000;
const RUNS: usize = 30;
const PAGE: u32 = 50;

fn main() {
    let out = std::env::args().nth(1);
    let records = std::env::var("FLEX_BENCH_RECORDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(RECORDS);
    let dir = tempfile::tempdir().unwrap();
    let store = ActivityStore::new(
        dir.path().join("activity.sqlite3"),
        Retention {
            max_records: 1_000_000,
            max_age_days: 36_500,
        },
    );
    let fill = Instant::now();
    let start = chrono::Utc::now() - chrono::Duration::days(60);
    for i in 0..records {
        store.record(synthetic(i, start));
        if i % 4000 == 3999 {
            // Stay under the writer's queue bound (the bench must not drop records).
            store.flush();
        }
    }
    store.flush();
    let fill_s = fill.elapsed().as_secs_f64();
    assert_eq!(store.dropped(), 0);

    let mid = start + chrono::Duration::days(30);
    let ts =
        |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let second_page_cursor: PageCursor = store
        .page(&ActivityFilter::default(), None, PAGE)
        .unwrap()
        .next
        .unwrap();
    let scenarios: Vec<(&str, ActivityFilter, Option<PageCursor>)> = vec![
        ("no filter", ActivityFilter::default(), None),
        (
            "no filter, second page",
            ActivityFilter::default(),
            Some(second_page_cursor),
        ),
        (
            "mode = live",
            ActivityFilter {
                modes: vec![Mode::Live],
                ..ActivityFilter::default()
            },
            None,
        ),
        (
            "class = destructive",
            ActivityFilter {
                classes: vec![Access::Destructive],
                ..ActivityFilter::default()
            },
            None,
        ),
        (
            "outcome = refused",
            ActivityFilter {
                outcomes: vec![Outcome::Refused],
                ..ActivityFilter::default()
            },
            None,
        ),
        (
            "assistant = Windsurf (rare: 2%)",
            ActivityFilter {
                assistants: vec!["Windsurf".into()],
                ..ActivityFilter::default()
            },
            None,
        ),
        (
            "one day, 30 days ago",
            ActivityFilter {
                since: Some(ts(mid)),
                until: Some(ts(mid + chrono::Duration::days(1))),
                ..ActivityFilter::default()
            },
            None,
        ),
        (
            "live + destructive + refused + Cursor",
            ActivityFilter {
                modes: vec![Mode::Live],
                classes: vec![Access::Destructive],
                outcomes: vec![Outcome::Refused],
                assistants: vec!["Cursor".into()],
                ..ActivityFilter::default()
            },
            None,
        ),
        (
            "text \"refund\" (common)",
            ActivityFilter {
                text: Some("refund".into()),
                ..ActivityFilter::default()
            },
            None,
        ),
        (
            "text \"fpi_000424\" (one match: full scan)",
            ActivityFilter {
                text: Some("fpi_000424".into()),
                ..ActivityFilter::default()
            },
            None,
        ),
    ];

    println!(
        "{records} records filled in {fill_s:.1} s ({:.0} records/s);",
        records as f64 / fill_s
    );
    println!("first page of {PAGE}, {RUNS} runs each\n");
    println!("| filter | rows | median ms | p10–p90 ms | min–max ms |");
    println!("|---|---:|---:|---:|---:|");
    let mut results = Vec::new();
    for (name, filter, after) in &scenarios {
        let rows = store.page(filter, after.as_ref(), PAGE).unwrap().rows.len();
        let mut ms: Vec<f64> = (0..RUNS)
            .map(|_| {
                let t = Instant::now();
                let page = store.page(filter, after.as_ref(), PAGE).unwrap();
                let e = t.elapsed().as_secs_f64() * 1000.0;
                assert_eq!(page.rows.len(), rows);
                e
            })
            .collect();
        ms.sort_by(f64::total_cmp);
        let q = |p: f64| ms[((ms.len() - 1) as f64 * p).round() as usize];
        println!(
            "| {name} | {rows} | {:.2} | {:.2}–{:.2} | {:.2}–{:.2} |",
            q(0.5),
            q(0.1),
            q(0.9),
            ms[0],
            ms[ms.len() - 1]
        );
        results.push(json!({"filter": name, "rows": rows, "samples_ms": ms}));
    }
    if let Some(out) = out {
        let doc = json!({
            "records": records,
            "records_per_second": records as f64 / fill_s,
            "page": PAGE,
            "runs": RUNS,
            "fill_seconds": fill_s,
            "at": chrono::Utc::now().to_rfc3339(),
            "results": results,
        });
        std::fs::write(&out, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
        println!("\nraw samples: {out}");
    }
}

/// A plausible mix: mostly test-mode reads by Claude Desktop, some writes and refunds, a few
/// refusals, one call every ~52 s over 60 days.
fn synthetic(i: usize, start: chrono::DateTime<chrono::Utc>) -> CallRecord {
    let at = start + chrono::Duration::milliseconds(i as i64 * 51_840);
    let (tool, access) = match i % 10 {
        0..=5 => ("list_payment_intents", Access::Read),
        6 | 7 => ("create_product", Access::Write),
        _ => ("create_refund", Access::Destructive),
    };
    let client = match i % 50 {
        0 => "Windsurf",
        1..=15 => "Cursor",
        _ => "Claude Desktop",
    };
    let outcome = match i % 20 {
        0 => Outcome::Refused,
        1 => Outcome::ApiError,
        _ => Outcome::Ok,
    };
    CallRecord {
        id: format!("bench{i:07}"),
        started_at: at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        client_name: Some(client.into()),
        client_version: Some("1.2.3".into()),
        tool: tool.into(),
        access: Some(access),
        mode: if i.is_multiple_of(5) {
            Mode::Live
        } else {
            Mode::Test
        },
        arguments: json!({"payment_intent_id": format!("fpi_{i:06}"), "amount": 4500}),
        outcome,
        error_code: (outcome == Outcome::ApiError).then(|| "resource_missing".into()),
        http_status: Some(200),
        duration_us: 1200 + (i as u64 % 900),
        object_ids: vec![format!("fpi_{i:06}")],
        amounts_cents: vec![4500],
        approval: None,
    }
}
