//! Edits of Codex's `config.toml`: `[mcp_servers.flex]` is added, replaced or removed with
//! `toml_edit`, which keeps comments, ordering and spacing of everything else.
//!
//! `toml_edit` writes new lines with `\n`; a CRLF file is edited with `\n` and converted back, so
//! line endings stay uniform.

use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, Value};

use crate::entry::{DesiredEntry, FoundEntry};
use crate::error::{DocError, line_column};
use crate::json_doc::Edited;

const BOM: char = '\u{feff}';

struct Parsed {
    doc: DocumentMut,
    crlf: bool,
    bom: bool,
}

fn parse(text: &str, servers_key: &str) -> Result<Parsed, DocError> {
    let (bom, body) = match text.strip_prefix(BOM) {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let crlf = body.contains("\r\n");
    let normalised = if crlf {
        body.replace("\r\n", "\n")
    } else {
        body.to_string()
    };
    let doc: DocumentMut = normalised.parse().map_err(|e: toml_edit::TomlError| {
        let (line, column) = line_column(&normalised, e.span().map_or(0, |s| s.start));
        let message = e.message().lines().next().unwrap_or("invalid TOML").trim().to_string();
        DocError::Syntax {
            line,
            column,
            message: lower_first(&message),
            fix: "Codex cannot read this file either. Fix the file at that spot (or restore a working copy), then try again.".to_string(),
        }
    })?;
    if let Some(item) = doc.get(servers_key)
        && item.as_table_like().is_none()
    {
        let pos = item.span().map_or(0, |s| s.start);
        let (line, column) = line_column(&normalised, pos);
        return Err(DocError::Shape {
            key: servers_key.to_string(),
            found: toml_kind(item),
            line,
            column,
        });
    }
    Ok(Parsed { doc, crlf, bom })
}

fn finish(parsed: &Parsed) -> Edited {
    let mut text = parsed.doc.to_string();
    if parsed.crlf {
        text = text.replace("\r\n", "\n").replace('\n', "\r\n");
    }
    if parsed.bom {
        text.insert(0, BOM);
    }
    Edited {
        text,
        notes: Vec::new(),
    }
}

/// What the config says under `name`.
pub(crate) fn read_entry(
    text: &str,
    servers_key: &str,
    name: &str,
) -> Result<Option<FoundEntry>, DocError> {
    let parsed = parse(text, servers_key)?;
    let Some(entry) = parsed
        .doc
        .get(servers_key)
        .and_then(|s| s.as_table_like())
        .and_then(|s| s.get(name))
    else {
        return Ok(None);
    };
    let Some(table) = entry.as_table_like() else {
        return Ok(Some(FoundEntry {
            not_an_object: true,
            ..FoundEntry::default()
        }));
    };
    let string = |key: &str| table.get(key).and_then(Item::as_str).map(str::to_string);
    let args = table.get("args").and_then(Item::as_array).and_then(|a| {
        a.iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
    });
    Ok(Some(FoundEntry {
        not_an_object: false,
        command: string("command"),
        args,
        transport_type: string("type"),
        has_url: table.get("url").is_some(),
    }))
}

/// Add or replace `[<servers_key>.<name>]`.
pub(crate) fn upsert_entry(
    text: &str,
    servers_key: &str,
    name: &str,
    entry: &DesiredEntry,
) -> Result<Edited, DocError> {
    let mut parsed = parse(text, servers_key)?;
    if parsed.doc.get(servers_key).is_none() {
        // Implicit: only `[mcp_servers.flex]` is written, no empty `[mcp_servers]` header.
        let mut servers = Table::new();
        servers.set_implicit(true);
        parsed.doc.insert(servers_key, Item::Table(servers));
    }
    let args: Array = entry.args.iter().map(String::as_str).collect();
    let servers = parsed
        .doc
        .get_mut(servers_key)
        .ok_or_else(|| internal("server table vanished"))?;
    match servers {
        Item::Table(servers) => match servers.get_mut(name) {
            Some(Item::Table(existing)) => {
                // Keep the header (and the comments above it) where it is; replace the keys.
                let keys: Vec<String> = existing.iter().map(|(k, _)| k.to_string()).collect();
                for k in keys {
                    existing.remove(&k);
                }
                existing.insert("command", toml_edit::value(entry.command.as_str()));
                existing.insert("args", toml_edit::value(args));
            }
            Some(Item::Value(Value::InlineTable(existing))) => {
                *existing = inline_entry(entry, args);
            }
            _ => {
                let mut table = Table::new();
                table.insert("command", toml_edit::value(entry.command.as_str()));
                table.insert("args", toml_edit::value(args));
                servers.insert(name, Item::Table(table));
            }
        },
        Item::Value(Value::InlineTable(servers)) => {
            servers.insert(name, Value::InlineTable(inline_entry(entry, args)));
        }
        _ => return Err(internal("server table is not a table")),
    }
    Ok(finish(&parsed))
}

/// Remove `name` from the server table; everything else stays.
pub(crate) fn remove_entry(text: &str, servers_key: &str, name: &str) -> Result<Edited, DocError> {
    let mut parsed = parse(text, servers_key)?;
    let removed = match parsed.doc.get_mut(servers_key) {
        Some(item) => item
            .as_table_like_mut()
            .and_then(|t| t.remove(name))
            .is_some(),
        None => false,
    };
    if !removed {
        // Nothing to do: hand back the exact original bytes rather than a re-rendering.
        return Ok(Edited {
            text: text.to_string(),
            notes: Vec::new(),
        });
    }
    Ok(finish(&parsed))
}

/// Check that text parses.
pub(crate) fn validate(text: &str, servers_key: &str) -> Result<(), DocError> {
    parse(text, servers_key).map(|_| ())
}

fn inline_entry(entry: &DesiredEntry, args: Array) -> InlineTable {
    let mut t = InlineTable::new();
    t.insert("command", Value::from(entry.command.as_str()));
    t.insert("args", Value::Array(args));
    t.fmt();
    t
}

fn internal(what: &str) -> DocError {
    DocError::Syntax {
        line: 1,
        column: 1,
        message: format!("unexpected structure ({what})"),
        fix: "Please report this; the file was left as it was.".to_string(),
    }
}

fn toml_kind(item: &Item) -> &'static str {
    match item {
        Item::None => "empty",
        Item::Value(Value::String(_)) => "a string",
        Item::Value(Value::Integer(_) | Value::Float(_)) => "a number",
        Item::Value(Value::Boolean(_)) => "true/false",
        Item::Value(Value::Datetime(_)) => "a date",
        Item::Value(Value::Array(_)) | Item::ArrayOfTables(_) => "an array",
        Item::Value(Value::InlineTable(_)) | Item::Table(_) => "a table",
    }
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> DesiredEntry {
        DesiredEntry {
            command: "/opt/flex-mcp".into(),
            args: vec!["stdio".into()],
            stdio_type: false,
        }
    }

    #[test]
    fn adds_a_table_and_removes_it_again() {
        let original =
            "# my codex\nmodel = \"o3\" # fast\n\n[mcp_servers.other]\ncommand = \"x\"\n";
        let added = upsert_entry(original, "mcp_servers", "flex", &entry())
            .unwrap()
            .text;
        assert!(
            added.starts_with(original),
            "appended after everything:\n{added}"
        );
        assert!(
            added
                .ends_with("[mcp_servers.flex]\ncommand = \"/opt/flex-mcp\"\nargs = [\"stdio\"]\n"),
            "{added}"
        );
        let found = read_entry(&added, "mcp_servers", "flex").unwrap().unwrap();
        assert_eq!(found.mismatch(&entry()), None);
        assert_eq!(
            remove_entry(&added, "mcp_servers", "flex").unwrap().text,
            original
        );
    }

    #[test]
    fn empty_file_gets_only_our_table() {
        let added = upsert_entry("", "mcp_servers", "flex", &entry())
            .unwrap()
            .text;
        assert_eq!(
            added,
            "[mcp_servers.flex]\ncommand = \"/opt/flex-mcp\"\nargs = [\"stdio\"]\n"
        );
        assert_eq!(
            remove_entry(&added, "mcp_servers", "flex").unwrap().text,
            ""
        );
    }

    #[test]
    fn crlf_stays_crlf() {
        let original = "model = \"o3\"\r\n";
        let added = upsert_entry(original, "mcp_servers", "flex", &entry())
            .unwrap()
            .text;
        assert!(!added.replace("\r\n", "").contains('\n'), "{added:?}");
        assert_eq!(
            remove_entry(&added, "mcp_servers", "flex").unwrap().text,
            original
        );
    }

    #[test]
    fn existing_entry_is_replaced_in_place() {
        let original =
            "[mcp_servers.flex]\ncommand = \"/old\"\nenv = { K = \"v\" }\n\n[other]\nx = 1\n";
        let out = upsert_entry(original, "mcp_servers", "flex", &entry())
            .unwrap()
            .text;
        assert!(
            out.starts_with("[mcp_servers.flex]\ncommand = \"/opt/flex-mcp\""),
            "{out}"
        );
        assert!(!out.contains("env"), "{out}");
        assert!(out.contains("[other]\nx = 1\n"), "{out}");
    }

    #[test]
    fn broken_toml_names_the_line() {
        let err = upsert_entry("a = 1\nb = = 2\n", "mcp_servers", "flex", &entry()).unwrap_err();
        let DocError::Syntax { line, .. } = err else {
            panic!("{err:?}")
        };
        assert_eq!(line, 2);
    }

    #[test]
    fn wrong_shape_is_refused() {
        assert!(matches!(
            upsert_entry("mcp_servers = 3\n", "mcp_servers", "flex", &entry()),
            Err(DocError::Shape {
                found: "a number",
                ..
            })
        ));
    }
}
