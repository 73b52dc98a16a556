//! Property tests over generated configs: random other servers, unknown keys, nesting,
//! indentation, line endings, comments and trailing commas (where the format allows them).
//!
//! For every generated file: connecting yields a valid file whose entry is ours; everything else
//! means the same and keeps its order; connecting twice changes nothing; and disconnecting gives
//! back the original bytes.

use std::fmt::Write as _;
use std::path::Path;

use flex_clients::{ClientKind, DesiredEntry, desired_entry, text};
use proptest::prelude::*;

use crate::BINARY;

#[derive(Debug, Clone)]
enum Json {
    Str(String),
    Num(i64),
    Bool(bool),
    Null,
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

fn json_value() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        "[a-zA-Z0-9 /._\\-é\"\\\\]{0,12}".prop_map(Json::Str),
        any::<i64>().prop_map(Json::Num),
        any::<bool>().prop_map(Json::Bool),
        Just(Json::Null),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Json::Arr),
            prop::collection::vec(("[a-z][a-zA-Z_]{0,6}", inner), 0..4)
                .prop_map(|v| Json::Obj(dedupe(v))),
        ]
    })
}

fn dedupe<T>(items: Vec<(String, T)>) -> Vec<(String, T)> {
    let mut seen = std::collections::HashSet::new();
    items
        .into_iter()
        .filter(|(k, _)| seen.insert(k.clone()))
        .collect()
}

/// A generated config file and how to print it.
#[derive(Debug, Clone)]
struct Config {
    /// Other top-level keys, with the server map inserted at `servers_at` (if present).
    top: Vec<(String, Json)>,
    servers: Option<Vec<(String, Json)>>,
    servers_at: usize,
    indent: &'static str,
    crlf: bool,
    compact: bool,
    comments: bool,
    trailing_commas: bool,
    final_newline: bool,
}

fn server() -> impl Strategy<Value = Json> {
    (
        "[a-z/]{1,12}",
        prop::collection::vec("[a-z\\-]{1,6}", 0..3),
        prop::option::of(json_value()),
    )
        .prop_map(|(command, args, extra)| {
            let mut fields = vec![
                ("command".to_string(), Json::Str(command)),
                (
                    "args".to_string(),
                    Json::Arr(args.into_iter().map(Json::Str).collect()),
                ),
            ];
            if let Some(extra) = extra {
                fields.push(("env".to_string(), extra));
            }
            Json::Obj(fields)
        })
}

fn config(servers_key: &'static str, jsonc: bool) -> impl Strategy<Value = Config> {
    (
        prop::collection::vec(("[a-z][a-zA-Z]{0,8}", json_value()), 0..4),
        prop::option::weighted(
            0.85,
            prop::collection::vec(("[a-z][a-z0-9_\\-]{0,8}", server()), 0..4),
        ),
        0usize..5,
        prop::sample::select(vec!["  ", "    ", "\t", " "]),
        any::<bool>(),
        prop::bool::weighted(0.2),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            move |(top, servers, at, indent, crlf, compact, comments, trailing, final_newline)| {
                let top: Vec<_> = dedupe(top)
                    .into_iter()
                    .filter(|(k, _)| k != servers_key)
                    .collect();
                let servers =
                    servers.map(|s| dedupe(s).into_iter().filter(|(k, _)| k != "flex").collect());
                Config {
                    servers_at: at.min(top.len()),
                    top,
                    servers,
                    indent,
                    crlf,
                    compact,
                    comments: jsonc && comments,
                    trailing_commas: jsonc && trailing,
                    final_newline,
                }
            },
        )
}

impl Config {
    fn render(&self, servers_key: &str) -> String {
        let mut top: Vec<(String, Json)> = self.top.clone();
        if let Some(servers) = &self.servers {
            top.insert(
                self.servers_at,
                (servers_key.to_string(), Json::Obj(servers.clone())),
            );
        }
        let nl = if self.crlf { "\r\n" } else { "\n" };
        let mut out = String::new();
        if self.comments {
            let _ = write!(out, "// generated{nl}");
        }
        self.value(&Json::Obj(top), 0, nl, &mut out);
        if self.final_newline {
            out.push_str(nl);
        }
        out
    }

    fn value(&self, v: &Json, depth: usize, nl: &str, out: &mut String) {
        match v {
            Json::Str(s) => out.push_str(&serde_json::Value::String(s.clone()).to_string()),
            Json::Num(n) => {
                let _ = write!(out, "{n}");
            }
            Json::Bool(b) => {
                let _ = write!(out, "{b}");
            }
            Json::Null => out.push_str("null"),
            Json::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.value(item, depth + 1, nl, out);
                }
                out.push(']');
            }
            Json::Obj(fields) if self.compact || fields.is_empty() => {
                out.push('{');
                for (i, (k, item)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    let _ = write!(out, "{}: ", serde_json::Value::String(k.clone()));
                    self.value(item, depth + 1, nl, out);
                }
                out.push('}');
            }
            Json::Obj(fields) => {
                out.push('{');
                let inner = self.indent.repeat(depth + 1);
                for (i, (k, item)) in fields.iter().enumerate() {
                    out.push_str(nl);
                    if self.comments && i % 2 == 1 {
                        let _ = write!(out, "{inner}// about {k}{nl}");
                    }
                    let _ = write!(out, "{inner}{}: ", serde_json::Value::String(k.clone()));
                    self.value(item, depth + 1, nl, out);
                    if i + 1 < fields.len() || self.trailing_commas {
                        out.push(',');
                    }
                    if self.comments && i % 3 == 0 {
                        out.push_str(" /* note */");
                    }
                }
                let _ = write!(out, "{nl}{}}}", self.indent.repeat(depth));
            }
        }
    }
}

fn parse_value(text: &str) -> serde_json::Value {
    jsonc_parser::parse_to_serde_value::<serde_json::Value>(
        text.trim_start_matches('\u{feff}'),
        &jsonc_parser::ParseOptions::default(),
    )
    .unwrap()
}

fn desired(kind: ClientKind) -> DesiredEntry {
    desired_entry(kind, Path::new(BINARY)).unwrap()
}

fn check_json(kind: ClientKind, cfg: &Config) {
    let path = Path::new("/gen/config.json");
    let original = cfg.render(kind.servers_key());
    prop_assert_ok(text::is_valid(kind, &original), &original);
    let connected = text::connect(kind, &original, &desired(kind), path).unwrap();
    assert!(
        text::is_valid(kind, &connected),
        "invalid output:\n{connected}\nfrom\n{original}"
    );
    let entry = text::entry(kind, &connected, path)
        .unwrap()
        .expect("entry present");
    assert_eq!(entry.mismatch(&desired(kind)), None, "{connected}");

    // Same meaning, same order, outside our entry.
    let mut before = parse_value(&original);
    let mut after = parse_value(&connected);
    let servers_key = kind.servers_key();
    let removed = after[servers_key]
        .as_object_mut()
        .unwrap()
        .shift_remove("flex");
    assert!(removed.is_some());
    if cfg.servers.is_none() {
        before
            .as_object_mut()
            .unwrap()
            .insert(servers_key.to_string(), serde_json::json!({}));
    }
    assert_eq!(
        after.to_string(),
        before.to_string(),
        "meaning or key order changed:\n{connected}"
    );

    // Connecting twice changes nothing.
    assert_eq!(
        text::connect(kind, &connected, &desired(kind), path).unwrap(),
        connected
    );

    // Disconnect restores the original bytes (when the server map was already there).
    let disconnected = text::disconnect(kind, &connected, path).unwrap();
    if cfg.servers.is_some() {
        assert_eq!(disconnected, original, "connected was:\n{connected}");
    } else {
        assert!(text::is_valid(kind, &disconnected));
    }
}

fn prop_assert_ok(ok: bool, text: &str) {
    assert!(ok, "generator produced an invalid file:\n{text}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn claude_desktop_strict_json(cfg in config("mcpServers", false)) {
        check_json(ClientKind::ClaudeDesktop, &cfg);
    }

    #[test]
    fn cursor_jsonc(cfg in config("mcpServers", true)) {
        check_json(ClientKind::Cursor, &cfg);
    }

    #[test]
    fn vscode_jsonc(cfg in config("servers", true)) {
        check_json(ClientKind::VsCode, &cfg);
    }

    #[test]
    fn zed_jsonc(cfg in config("context_servers", true)) {
        check_json(ClientKind::Zed, &cfg);
    }

    /// An existing (outdated) `flex` entry anywhere among the servers: connect rewrites only its
    /// value, so removing it afterwards gives the same bytes as removing the outdated one.
    #[test]
    fn outdated_entry_anywhere_is_replaced_in_place(
        cfg in config("mcpServers", true),
        at in 0usize..5,
        old in server(),
    ) {
        let mut cfg = cfg;
        let servers = cfg.servers.get_or_insert_with(Vec::new);
        let at = at.min(servers.len());
        servers.insert(at, ("flex".to_string(), old));
        let kind = ClientKind::Cursor;
        let path = Path::new("/gen/mcp.json");
        let original = cfg.render(kind.servers_key());
        let connected = text::connect(kind, &original, &desired(kind), path).unwrap();
        prop_assert!(text::is_valid(kind, &connected));
        prop_assert_eq!(
            text::disconnect(kind, &connected, path).unwrap(),
            text::disconnect(kind, &original, path).unwrap()
        );
    }

    #[test]
    fn codex_toml(
        top in prop::collection::vec(("[a-z][a-z_]{0,8}", "[a-zA-Z0-9 ]{0,10}", any::<bool>()), 0..4),
        servers in prop::collection::vec(("[a-z][a-z0-9_\\-]{0,8}", "[a-z/]{1,10}", any::<bool>()), 0..4),
        crlf in any::<bool>(),
    ) {
        let nl = if crlf { "\r\n" } else { "\n" };
        let mut original = String::new();
        let top = dedupe(top.into_iter().map(|(k, v, c)| (k, (v, c))).collect());
        for (k, (v, comment)) in top.iter().filter(|(k, _)| k != "mcp_servers") {
            let _ = write!(original, "{k} = {}{}{nl}", serde_json::Value::String(v.clone()), if *comment { " # why" } else { "" });
        }
        let servers = dedupe(servers.into_iter().map(|(k, v, c)| (k, (v, c))).collect());
        for (name, (command, comment)) in servers.iter().filter(|(k, _)| k != "flex") {
            if *comment {
                let _ = write!(original, "{nl}# the {name} server{nl}");
            }
            let _ = write!(original, "[mcp_servers.{name}]{nl}command = \"{command}\"{nl}args = []{nl}");
        }
        let kind = ClientKind::Codex;
        let path = Path::new("/gen/config.toml");
        let connected = text::connect(kind, &original, &desired(kind), path).unwrap();
        prop_assert!(text::is_valid(kind, &connected));
        prop_assert!(connected.starts_with(&original), "appended, nothing before it moved:\n{}", connected);
        if original.contains("\r\n") {
            prop_assert!(!connected.replace("\r\n", "").contains('\n'));
        }
        let entry = text::entry(kind, &connected, path).unwrap().unwrap();
        prop_assert_eq!(entry.mismatch(&desired(kind)), None);
        prop_assert_eq!(text::connect(kind, &connected, &desired(kind), path).unwrap(), connected.clone());
        prop_assert_eq!(text::disconnect(kind, &connected, path).unwrap(), original);
    }
}
