//! The catalogue's promises, checked without a network: every tool is in the access table and
//! vice versa, annotations agree with the class, names and schemas follow the rules, and the
//! whole `tools/list` matches the reviewed golden snapshot.

use std::collections::HashSet;
use std::path::PathBuf;

use flex_mcp::Access;
use flex_mcp::access::{TOOLS, access_of};
use flex_mcp::tools::{catalogue, find, to_mcp_tool};
use serde_json::Value;

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some('a'..='z'))
        && name.len() <= 128
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[test]
fn every_tool_is_in_the_access_table() {
    let missing: Vec<_> = catalogue()
        .iter()
        .filter(|t| access_of(t.name).is_none())
        .map(|t| t.name)
        .collect();
    assert!(missing.is_empty(), "tools missing from access::TOOLS: {missing:?}");
}

#[test]
fn every_access_entry_names_a_tool() {
    let orphans: Vec<_> = TOOLS
        .iter()
        .filter(|(n, _)| find(n).is_none())
        .map(|(n, _)| *n)
        .collect();
    assert!(orphans.is_empty(), "access::TOOLS entries without a tool: {orphans:?}");
}

#[test]
fn access_table_and_catalogue_have_the_same_order_and_no_duplicates() {
    let table: Vec<_> = TOOLS.iter().map(|(n, _)| *n).collect();
    let tools: Vec<_> = catalogue().iter().map(|t| t.name).collect();
    assert_eq!(table, tools, "keep access::TOOLS in catalogue order");
    let unique: HashSet<_> = table.iter().collect();
    assert_eq!(unique.len(), table.len(), "duplicate names in access::TOOLS");
}

#[test]
fn annotations_agree_with_the_access_class() {
    for t in catalogue() {
        let access = access_of(t.name).expect("checked by every_tool_is_in_the_access_table");
        let h = t.hints;
        let ok = match access {
            Access::Read => h.read_only && !h.destructive,
            Access::Write => !h.read_only && !h.destructive,
            Access::Destructive => !h.read_only && h.destructive,
        };
        assert!(ok, "{}: hints {h:?} disagree with class {access:?}", t.name);
        assert!(h.open_world, "{}: every Flex tool talks to Flex (openWorld)", t.name);
        if access == Access::Read {
            assert!(h.idempotent, "{}: reads are idempotent", t.name);
        }
    }
}

#[test]
fn money_moving_and_irreversible_tools_are_destructive() {
    for name in [
        "create_refund",
        "refund_capture",
        "refund_checkout_session",
        "capture_checkout_session",
        "cancel_checkout_session_authorization",
        "cancel_payment_intent",
        "cancel_subscription",
        "submit_dispute",
        "close_dispute",
    ] {
        assert_eq!(access_of(name), Some(Access::Destructive), "{name}");
        assert!(find(name).expect(name).hints.destructive, "{name}");
    }
}

#[test]
fn names_are_unique_and_valid() {
    let mut seen = HashSet::new();
    for t in catalogue() {
        assert!(valid_name(t.name), "invalid tool name {:?}", t.name);
        assert!(seen.insert(t.name), "duplicate tool name {}", t.name);
        assert!(t.name.contains('_'), "{}: verb_resource", t.name);
    }
    assert!(!valid_name("List_products") && !valid_name("1x") && !valid_name(""));
}

#[test]
fn documented_names_are_present() {
    for name in ["create_product", "list_payment_intents", "refund_capture"] {
        assert!(find(name).is_some(), "documented tool {name} is missing");
    }
    assert!(find("no_such_tool").is_none());
    assert_eq!(access_of("no_such_tool"), None, "unknown tools have no class (denied)");
}

#[test]
fn descriptions_and_titles_are_substantial() {
    for t in catalogue() {
        assert!(t.description.len() >= 80, "{}: description too thin", t.name);
        assert!(!t.title.is_empty(), "{}: no title", t.name);
        if !t.hints.read_only {
            // Side effects must be spelled out for writes.
            let d = t.description.to_lowercase();
            assert!(
                d.contains("money") || d.contains("cannot be undone"),
                "{}: a write must say whether money moves / whether it can be undone",
                t.name
            );
        }
    }
}

fn properties(schema: &serde_json::Map<String, Value>) -> Vec<(String, Value)> {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

/// Walks every property, nested objects and array items included.
fn walk(schema: &Value, path: &str, visit: &mut dyn FnMut(&str, &Value)) {
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (k, v) in props {
            let p = format!("{path}.{k}");
            visit(&p, v);
            walk(v, &p, visit);
        }
    }
    if let Some(items) = schema.get("items") {
        walk(items, &format!("{path}[]"), visit);
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(Value::Array(alts)) = schema.get(key) {
            for a in alts {
                walk(a, path, visit);
            }
        }
    }
}

#[test]
fn every_input_property_has_a_description() {
    for t in catalogue() {
        let schema = Value::Object((t.input_schema)());
        assert_eq!(schema["type"], "object", "{}: input schema must be an object", t.name);
        walk(&schema, t.name, &mut |path, prop| {
            let d = prop.get("description").and_then(Value::as_str).unwrap_or("");
            assert!(d.len() >= 5, "{path}: property without a description");
        });
    }
}

#[test]
fn input_schemas_reject_unknown_fields() {
    for t in catalogue() {
        let schema = (t.input_schema)();
        assert_eq!(
            schema.get("additionalProperties"),
            Some(&Value::Bool(false)),
            "{}: parameters must deny unknown fields",
            t.name
        );
    }
}

#[test]
fn no_argument_can_switch_mode_or_credentials() {
    let forbidden = ["mode", "test_mode", "api_test_mode", "live", "livemode", "base_url", "url_base", "host"];
    for t in catalogue() {
        let schema = Value::Object((t.input_schema)());
        walk(&schema, t.name, &mut |path, _| {
            let leaf = path.rsplit('.').next().unwrap_or(path).to_lowercase();
            assert!(!forbidden.contains(&leaf.as_str()), "{path}: an argument must not switch mode");
            let is_key = leaf.contains("key") && leaf != "idempotency_key";
            assert!(
                !is_key && !leaf.contains("token") && !leaf.contains("secret"),
                "{path}: no credential arguments"
            );
            assert!(!leaf.contains("test_mode"), "{path}: an argument must not switch mode");
        });
    }
}

#[test]
fn list_tools_page_with_limit_and_cursor() {
    for t in catalogue().iter().filter(|t| t.name.starts_with("list_")) {
        let input: Vec<String> = properties(&(t.input_schema)()).into_iter().map(|(k, _)| k).collect();
        assert!(input.contains(&"limit".to_owned()), "{}: no limit", t.name);
        let limit = &(t.input_schema)()["properties"]["limit"];
        assert_eq!(limit["minimum"], 1, "{}", t.name);
        assert_eq!(limit["maximum"], 100, "{}", t.name);
        let output: Vec<String> = properties(&(t.output_schema)()).into_iter().map(|(k, _)| k).collect();
        assert!(output.contains(&"has_more".to_owned()), "{}: no has_more", t.name);
        assert!(output.contains(&"next_cursor".to_owned()), "{}: no next_cursor", t.name);
        if t.name != "list_checkout_session_line_items" {
            assert!(input.contains(&"starting_after".to_owned()), "{}: no cursor", t.name);
        }
    }
}

#[test]
fn writes_accept_an_idempotency_key() {
    for t in catalogue().iter().filter(|t| !t.hints.read_only) {
        let input: Vec<String> = properties(&(t.input_schema)()).into_iter().map(|(k, _)| k).collect();
        assert!(
            input.contains(&"idempotency_key".to_owned()),
            "{}: writes take an optional idempotency_key",
            t.name
        );
    }
}

#[test]
fn output_schemas_are_objects() {
    for t in catalogue() {
        let schema = (t.output_schema)();
        assert_eq!(schema.get("type"), Some(&Value::from("object")), "{}", t.name);
    }
}

fn golden_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/tools_list.json")
}

#[test]
fn tools_list_matches_the_golden_snapshot() {
    let tools: Vec<_> = catalogue().iter().map(to_mcp_tool).collect();
    let current = serde_json::to_string_pretty(&serde_json::json!({ "tools": tools }))
        .expect("tools serialise")
        + "\n";
    let path = golden_path();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().expect("golden dir")).expect("create golden dir");
        std::fs::write(&path, &current).expect("write golden");
        return;
    }
    let golden = std::fs::read_to_string(&path).unwrap_or_default();
    if golden != current {
        let first_diff = golden
            .lines()
            .zip(current.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| golden.lines().count().min(current.lines().count()));
        let new_path = path.with_file_name("tools_list.current.json");
        let _ = std::fs::write(&new_path, &current);
        panic!(
            "tools/list differs from {} (first difference at line {}; the current output is in {}).\n\
             Review the change, then update the snapshot with:\n    \
             UPDATE_GOLDEN=1 cargo test -p flex-mcp --test catalogue",
            path.display(),
            first_diff + 1,
            new_path.display()
        );
    }
}
