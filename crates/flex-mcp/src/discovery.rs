//! Dynamic discovery: two small tools that let a model see the tool groups and turn one on for
//! its own session, for clients that re-read `tools/list` on `notifications/tools/list_changed`.
//!
//! They change only the session's view: settings stay as the person chose them, read-only still
//! removes every write and destructive tool, and the policy still guards every call. They never
//! reach Flex, so they need no key and are not in the access table.

use std::sync::{Arc, LazyLock};

use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::groups::{Group, Selection};
use crate::policy::Access;
use crate::tools::ToolError;

/// Lists the groups and which are on.
pub const LIST_TOOL_GROUPS: &str = "list_tool_groups";
/// Turns one group on for the session.
pub const ENABLE_TOOL_GROUP: &str = "enable_tool_group";

/// Whether `name` is one of the discovery tools.
pub fn is_discovery_tool(name: &str) -> bool {
    name == LIST_TOOL_GROUPS || name == ENABLE_TOOL_GROUP
}

/// The discovery tools as MCP describes them.
pub fn mcp_tools() -> &'static [rmcp::model::Tool] {
    static TOOLS: LazyLock<Vec<rmcp::model::Tool>> = LazyLock::new(|| {
        let names: Vec<&str> = Group::EVERY.iter().map(|g| g.id()).collect();
        let group_list = json!({
            "type": "object",
            "properties": {
                "groups": {"type": "array", "items": {"type": "object"}},
                "read_only": {"type": "boolean"}
            },
            "required": ["groups", "read_only"]
        });
        let enabled = json!({
            "type": "object",
            "properties": {
                "group": {"type": "string"},
                "added": {"type": "array"},
                "read_only": {"type": "boolean"},
                "note": {"type": "string"}
            },
            "required": ["group", "added", "read_only", "note"]
        });
        let enable_input = json!({
            "type": "object",
            "additionalProperties": false,
            "properties": {
                "group": {"type": "string", "enum": names, "description": "Group name, from `list_tool_groups`."}
            },
            "required": ["group"]
        });
        let empty_input =
            json!({"type": "object", "additionalProperties": false, "properties": {}});
        vec![
            tool(
                LIST_TOOL_GROUPS,
                "List tool groups",
                "List the Flex tool groups (e.g. refunds, subscriptions), which are on in this \
                 session, and their tools. Turn one on with `enable_tool_group` when the task needs \
                 a tool that is not listed. Changes nothing.",
                empty_input,
                group_list,
            ),
            tool(
                ENABLE_TOOL_GROUP,
                "Enable tool group",
                "Turn a tool group on for this conversation only; the tool list then changes. In \
                 read-only mode only its read tools are added. The person's approval settings \
                 still apply to every call. Changes nothing in Flex.",
                enable_input,
                enabled,
            ),
        ]
    });
    &TOOLS
}

fn tool(
    name: &'static str,
    title: &'static str,
    description: &'static str,
    input: Value,
    output: Value,
) -> rmcp::model::Tool {
    let object = |v: Value| match v {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let annotations = rmcp::model::ToolAnnotations::new()
        .read_only(true)
        .destructive(false)
        .idempotent(true)
        .open_world(false);
    rmcp::model::Tool::new(name, description, Arc::new(object(input)))
        .with_title(title)
        .with_raw_output_schema(Arc::new(object(output)))
        .with_annotations(annotations)
}

/// `list_tool_groups`: every group, whether `selection` has it on, and its tools (read-only
/// mode lists only the read tools).
pub fn list_groups(selection: Selection) -> Value {
    let groups: Vec<Value> = Group::EVERY
        .iter()
        .map(|&g| {
            let tools: Vec<&str> = g
                .tools()
                .filter(|t| !selection.read_only || t.access() == Access::Read)
                .map(|t| t.name)
                .collect();
            let mut classes: Vec<&str> = Vec::new();
            for class in [Access::Read, Access::Write, Access::Destructive] {
                if g.tools().any(|t| t.access() == class) {
                    classes.push(class.as_str());
                }
            }
            json!({
                "group": g.id(),
                "title": g.title(),
                "summary": g.summary(),
                "enabled": selection.groups.contains(g),
                "tools": tools,
                "classes": classes,
            })
        })
        .collect();
    json!({ "groups": groups, "read_only": selection.read_only })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EnableArgs {
    group: String,
}

/// `enable_tool_group`: which group to add, and the result to return (the tools it adds to
/// `selection`).
pub fn enable(selection: Selection, args: Map<String, Value>) -> Result<(Group, Value), ToolError> {
    let args: EnableArgs = serde_json::from_value(Value::Object(args))
        .map_err(|e| ToolError::field("group", e.to_string()))?;
    let group: Group = args
        .group
        .parse()
        .map_err(|e: crate::groups::UnknownGroup| ToolError::field("group", e.to_string()))?;
    let after = Selection {
        groups: selection.groups.with(group),
        ..selection
    };
    let added: Vec<&str> = group
        .tools()
        .filter(|t| after.offers(t) && !selection.offers(t))
        .map(|t| t.name)
        .collect();
    let note = if added.is_empty() {
        "Nothing new: the group's tools were already available.".to_owned()
    } else if selection.read_only {
        "Read-only mode: only the group's read tools were added. If they do not appear, ask the \
         person to turn the group on in Flex MCP's settings."
            .to_owned()
    } else {
        "Added for this conversation. If the tools do not appear, ask the person to turn the \
         group on in Flex MCP's settings."
            .to_owned()
    };
    Ok((
        group,
        json!({
            "group": group.id(),
            "added": added,
            "read_only": selection.read_only,
            "note": note,
        }),
    ))
}
