//! The catalogue's promises, checked without a network: every tool is in the access table and
//! vice versa, annotations agree with the class, names and schemas follow the rules, and the
//! whole `tools/list` matches the reviewed golden snapshot.

use std::collections::HashSet;
use std::path::PathBuf;

use flex_mcp::Access;
use flex_mcp::access::access_of;
use flex_mcp::tools::{catalogue, find, to_mcp_tool};
use serde_json::Value;

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some('a'..='z'))
        && name.len() <= 128
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The reviewable access table is generated from the declarations; a class change shows up as
/// a diff of `tests/golden/access.md`.
#[test]
fn access_table_matches_the_golden_file() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/access.md");
    let current = flex_mcp::access::table();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &current).expect("write golden");
        return;
    }
    let golden = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        golden == current,
        "the access table changed; review it, then: UPDATE_GOLDEN=1 cargo test -p flex-mcp --test catalogue\n{current}"
    );
    let rows = current.lines().filter(|l| l.starts_with("| `")).count();
    assert_eq!(rows, catalogue().len(), "one row per tool");
}

#[test]
fn annotations_agree_with_the_access_class() {
    for t in catalogue() {
        let access = access_of(t.name).expect("every tool has a class");
        let h = t.hints();
        let ok = match access {
            Access::Read => h.read_only && !h.destructive,
            Access::Write => !h.read_only && !h.destructive,
            Access::Destructive => !h.read_only && h.destructive,
        };
        assert!(ok, "{}: hints {h:?} disagree with class {access:?}", t.name);
        assert!(
            h.open_world,
            "{}: every Flex tool talks to Flex (openWorld)",
            t.name
        );
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
        assert!(find(name).expect(name).hints().destructive, "{name}");
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
    assert_eq!(
        access_of("no_such_tool"),
        None,
        "unknown tools have no class (denied)"
    );
}

#[test]
fn descriptions_and_titles_are_substantial() {
    for t in catalogue() {
        assert!(
            t.description.len() >= 80,
            "{}: description too thin",
            t.name
        );
        assert!(!t.title.is_empty(), "{}: no title", t.name);
        if !t.hints().read_only {
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
        assert_eq!(
            schema["type"], "object",
            "{}: input schema must be an object",
            t.name
        );
        walk(&schema, t.name, &mut |path, prop| {
            let d = prop
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or("");
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
    let forbidden = [
        "mode",
        "test_mode",
        "api_test_mode",
        "live",
        "livemode",
        "base_url",
        "url_base",
        "host",
    ];
    for t in catalogue() {
        let schema = Value::Object((t.input_schema)());
        walk(&schema, t.name, &mut |path, _| {
            let leaf = path.rsplit('.').next().unwrap_or(path).to_lowercase();
            assert!(
                !forbidden.contains(&leaf.as_str()),
                "{path}: an argument must not switch mode"
            );
            let is_key = leaf.contains("key") && leaf != "idempotency_key";
            assert!(
                !is_key && !leaf.contains("token") && !leaf.contains("secret"),
                "{path}: no credential arguments"
            );
            assert!(
                !leaf.contains("test_mode"),
                "{path}: an argument must not switch mode"
            );
        });
    }
}

#[test]
fn list_tools_page_with_limit_and_cursor() {
    for t in catalogue().iter().filter(|t| t.name.starts_with("list_")) {
        let input: Vec<String> = properties(&(t.input_schema)())
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert!(input.contains(&"limit".to_owned()), "{}: no limit", t.name);
        let limit = &(t.input_schema)()["properties"]["limit"];
        assert_eq!(limit["minimum"], 1, "{}", t.name);
        assert_eq!(limit["maximum"], 100, "{}", t.name);
        let output: Vec<String> = properties(&(t.output_schema)())
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert!(
            output.contains(&"has_more".to_owned()),
            "{}: no has_more",
            t.name
        );
        assert!(
            output.contains(&"next_cursor".to_owned()),
            "{}: no next_cursor",
            t.name
        );
        if t.name != "list_checkout_session_line_items" {
            assert!(
                input.contains(&"starting_after".to_owned()),
                "{}: no cursor",
                t.name
            );
        }
    }
}

#[test]
fn writes_accept_an_idempotency_key() {
    for t in catalogue().iter().filter(|t| !t.hints().read_only) {
        let input: Vec<String> = properties(&(t.input_schema)())
            .into_iter()
            .map(|(k, _)| k)
            .collect();
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
        assert_eq!(
            schema.get("type"),
            Some(&Value::from("object")),
            "{}",
            t.name
        );
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

#[test]
fn the_served_list_is_the_generated_list() {
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        return; // the snapshot compiled into this run predates the update
    }
    let generated: Vec<_> = catalogue().iter().map(to_mcp_tool).collect();
    assert_eq!(
        flex_mcp::tools::mcp_tools(),
        generated.as_slice(),
        "the compiled-in snapshot is stale: UPDATE_GOLDEN=1 cargo test -p flex-mcp --test catalogue, then rebuild"
    );
}

#[test]
#[ignore = "measurement, not a check: cargo test -p flex-mcp --test catalogue measure -- --ignored --nocapture"]
fn measure_tools_list_build() {
    let t = std::time::Instant::now();
    let n = catalogue().len();
    let built = t.elapsed();
    let t = std::time::Instant::now();
    let tools: Vec<_> = catalogue().iter().map(to_mcp_tool).collect();
    let schemas = t.elapsed();
    let t = std::time::Instant::now();
    let text = serde_json::to_string(&tools).expect("serialise");
    let ser = t.elapsed();
    let t = std::time::Instant::now();
    let served = flex_mcp::tools::mcp_tools().len();
    let snapshot = t.elapsed();
    println!(
        "{n} tools: catalogue {built:?}, to_mcp_tool all {schemas:?}, serialise {ser:?}, {} bytes; \
         snapshot parse of {served} tools {snapshot:?}",
        text.len()
    );
}

// ---------------------------------------------------------------------------------------------
// Groups, the default set and read-only (issue 11).

mod groups {
    use flex_mcp::groups::{Group, GroupSet, Selection, tool_list};
    use flex_mcp::policy::Access;
    use flex_mcp::tools::catalogue;

    /// The `tools/list` result as a client receives it (compact JSON), in bytes.
    fn served_bytes(selection: Selection) -> usize {
        serde_json::to_string(&*tool_list(selection))
            .expect("tools/list serialises")
            .len()
    }

    /// Cursor passes only its first 40 tools to the agent; 48 KB is the budget.
    #[test]
    fn the_default_set_fits_every_client_and_names_the_documented_tools() {
        let list = tool_list(Selection::default());
        assert!(list.tools.len() <= 40, "{} tools", list.tools.len());
        let bytes = served_bytes(Selection::default());
        assert!(bytes <= 48_000, "default tools/list is {bytes} bytes");
        for name in ["create_product", "list_payment_intents", "refund_capture"] {
            assert!(list.tools.iter().any(|t| t.name == name), "{name}");
        }
    }

    #[test]
    fn every_group_has_tools_and_all_names_every_group() {
        for g in Group::EVERY {
            assert!(g.tools().next().is_some(), "{g} is empty");
        }
        let all = Selection {
            groups: GroupSet::all(),
            ..Selection::default()
        };
        let offered = catalogue().iter().filter(|t| all.offers(t)).count();
        assert_eq!(offered, catalogue().len(), "`all` offers every tool");
        let sum: usize = Group::EVERY.iter().map(|g| g.tools().count()).sum();
        assert_eq!(sum, catalogue().len(), "every tool is in exactly one group");
    }

    #[test]
    fn read_only_leaves_no_write_or_destructive_tool_whatever_the_groups() {
        for bits in 0u16..(1 << Group::EVERY.len()) {
            let groups: GroupSet = Group::EVERY
                .iter()
                .enumerate()
                .filter(|(i, _)| bits & (1 << i) != 0)
                .map(|(_, g)| *g)
                .collect();
            let selection = Selection {
                groups,
                read_only: true,
                discovery: bits % 2 == 0,
            };
            for tool in &tool_list(selection).tools {
                let a = tool.annotations.as_ref().expect("annotated");
                assert_eq!(
                    a.read_only_hint,
                    Some(true),
                    "{} under {groups:?}",
                    tool.name
                );
                if let Some(def) = flex_mcp::tools::find(&tool.name) {
                    assert_eq!(def.access(), Access::Read, "{}", tool.name);
                }
            }
        }
    }

    #[test]
    fn prompts_are_offered_only_with_every_tool_they_name() {
        for selection in [
            Selection::default(),
            Selection {
                read_only: true,
                ..Selection::default()
            },
        ] {
            for p in flex_mcp::prompts::list_for(selection) {
                let def = flex_mcp::prompts::PROMPTS
                    .iter()
                    .find(|d| d.name == p.name)
                    .expect("a declared prompt");
                for tool in def.tools {
                    assert!(selection.offers_name(tool), "{} needs {tool}", p.name);
                }
            }
        }
        let all = Selection {
            groups: GroupSet::all(),
            ..Selection::default()
        };
        assert_eq!(
            flex_mcp::prompts::list_for(all).len(),
            flex_mcp::prompts::PROMPTS.len()
        );
    }

    #[test]
    #[ignore = "measurement: cargo test -p flex-mcp --test catalogue sizes -- --ignored --nocapture"]
    fn sizes() {
        let all = Selection {
            groups: GroupSet::all(),
            discovery: false,
            ..Selection::default()
        };
        let largest = flex_mcp::tools::mcp_tools()
            .iter()
            .map(|t| {
                (
                    serde_json::to_string(t).expect("serialise").len(),
                    t.name.clone(),
                )
            })
            .max()
            .expect("tools");
        println!(
            "whole list {} B, default set {} B ({} tools), largest tool {} {} B",
            served_bytes(all),
            served_bytes(Selection::default()),
            tool_list(Selection::default()).tools.len(),
            largest.1,
            largest.0
        );
    }
}
