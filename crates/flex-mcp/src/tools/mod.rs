//! The tool catalogue: one declaration per Flex operation (`tool!` → [`ToolDef`]), one file
//! per area of the API, each tool's behaviour tests in `tests/tools/<file>.rs`.
//!
//! A declaration carries everything about its tool: name (its function's), group, [`Kind`]
//! (the access class and the MCP hints follow from it), title, description, input and output
//! schemas, and the code. The access table (`tests/golden/access.md`), the groups' tool lists
//! and the golden `tools/list` are generated from the declarations, never written beside them.
//! Tools are data, not macro-generated methods, so that the server can precompute `tools/list`
//! once, check every call against the access table before it runs, and record it afterwards.
//!
//! Tools reach Flex only through `flex-api`'s typed resources (`ctx.api.refunds().create(..)`),
//! so the contract tests between `flex-api` and `flex-sim` cover what the tools send, and each
//! Flex object has one model (`flex-api`'s); a tool's result is a projection of it (`out`).
//!
//! Every tool follows the same shape, so a model learns it once:
//! - arguments are a flat object (`deny_unknown_fields`), turned into `flex-api`'s typed body or
//!   query (`rest`), which wraps it in Flex's `{"<resource>": {...}}` envelope;
//! - results are a trimmed projection of the Flex object (ids, status, amounts in integer cents,
//!   timestamps as ISO-8601 text, key relations), never the raw object;
//! - list tools take `limit` (1–100, default 10) and `starting_after`, and return `has_more` and
//!   `next_cursor` (pass it back as `starting_after`).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, LazyLock};

use flex_api::Mode;
use serde_json::{Map, Value};

pub(crate) mod args;
pub(crate) mod out;
pub(crate) mod rest;

mod billing;
mod checkout;
mod customers;
mod disputes;
mod links;
mod payments;
mod products;
mod reports;

/// A boxed, sendable future (what every tool's `run` returns).
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// MCP tool annotations, sent explicitly on every tool (the spec's defaults assume the worst);
/// they follow from the tool's [`Kind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hints {
    /// `readOnlyHint`.
    pub read_only: bool,
    /// `destructiveHint`.
    pub destructive: bool,
    /// `idempotentHint`.
    pub idempotent: bool,
    /// `openWorldHint` (true for every Flex tool: it talks to Flex).
    pub open_world: bool,
}

impl Hints {
    /// Reads: no side effects, safe to repeat.
    pub const READ: Hints = Hints {
        read_only: true,
        destructive: false,
        idempotent: true,
        open_world: true,
    };
    /// Creates something new each call (repeat = a second object, unless the same
    /// `idempotency_key` is sent).
    pub const CREATE: Hints = Hints {
        read_only: false,
        destructive: false,
        idempotent: false,
        open_world: true,
    };
    /// Sets fields to given values: repeating it changes nothing more.
    pub const UPDATE: Hints = Hints {
        read_only: false,
        destructive: false,
        idempotent: true,
        open_world: true,
    };
    /// Moves money or gives something up for good, and a repeat may do it again.
    pub const DESTRUCTIVE: Hints = Hints {
        read_only: false,
        destructive: true,
        idempotent: false,
        open_world: true,
    };
    /// Gives something up for good, but a repeat has no further effect (cancel, close).
    pub const DESTRUCTIVE_IDEMPOTENT: Hints = Hints {
        read_only: false,
        destructive: true,
        idempotent: true,
        open_world: true,
    };
}

/// What a tool does to the merchant's account, declared once per tool: its access class (what
/// the policy decides on) and, following from it, its MCP hints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Reads only.
    Read,
    /// Creates an object (a write; a repeat creates another unless the key is reused).
    Create,
    /// Sets fields (a write; a repeat changes nothing more).
    Update,
    /// Moves money or gives something up for good; a repeat may do it again.
    Destructive,
    /// Gives something up for good; a repeat has no further effect (cancel, close).
    DestructiveIdempotent,
}

impl Kind {
    /// The access class the policy decides on.
    pub const fn access(self) -> crate::policy::Access {
        use crate::policy::Access;
        match self {
            Kind::Read => Access::Read,
            Kind::Create | Kind::Update => Access::Write,
            Kind::Destructive | Kind::DestructiveIdempotent => Access::Destructive,
        }
    }

    /// The MCP annotations that follow from it.
    pub const fn hints(self) -> Hints {
        match self {
            Kind::Read => Hints::READ,
            Kind::Create => Hints::CREATE,
            Kind::Update => Hints::UPDATE,
            Kind::Destructive => Hints::DESTRUCTIVE,
            Kind::DestructiveIdempotent => Hints::DESTRUCTIVE_IDEMPOTENT,
        }
    }
}

/// What a tool gets to run with. Cheap to clone.
#[derive(Clone)]
pub struct ToolCtx {
    /// Flex client for the current mode (its key decides the mode).
    pub api: flex_api::Client,
    /// The mode this call runs under (for messages; the key enforces it).
    pub mode: Mode,
}

/// Why a tool did not produce a result.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    /// The arguments do not fit the schema or a documented rule; nothing was sent to Flex.
    #[error("invalid argument{}: {message}", field.as_ref().map(|f| format!(" `{f}`")).unwrap_or_default())]
    InvalidArguments {
        /// The offending field, when one is to blame.
        field: Option<String>,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// Flex answered with an error, or could not be reached. Boxed: Flex errors carry a lot of
    /// detail, and every tool result passes through this type.
    #[error(transparent)]
    Api(Box<flex_api::Error>),
}

impl From<flex_api::Error> for ToolError {
    fn from(e: flex_api::Error) -> Self {
        ToolError::Api(Box::new(e))
    }
}

impl ToolError {
    /// An invalid-arguments error blaming one field.
    pub(crate) fn field(field: &str, message: impl Into<String>) -> ToolError {
        ToolError::InvalidArguments {
            field: Some(field.to_owned()),
            message: message.into(),
        }
    }
}

/// Runs a tool: parse arguments, call Flex, return the structured (trimmed) result.
pub type RunFn = fn(ToolCtx, Map<String, Value>) -> BoxFuture<Result<Value, ToolError>>;

/// One tool. `Copy` so the catalogue can be assembled from per-resource tables.
#[derive(Clone, Copy)]
pub struct ToolDef {
    /// snake_case `verb_resource`, e.g. `list_payment_intents`.
    pub name: &'static str,
    /// The group it is offered in (every tool is in exactly one).
    pub group: crate::groups::Group,
    /// Human title (annotation `title`).
    pub title: &'static str,
    /// Written for a model: what it does, when to use it, side effects, units, ID prefixes.
    pub description: &'static str,
    /// Access class, and from it the annotations.
    pub kind: Kind,
    /// JSON Schema (2020-12) of the arguments, from the parameters struct.
    pub input_schema: fn() -> Map<String, Value>,
    /// JSON Schema of the structured result.
    pub output_schema: fn() -> Map<String, Value>,
    /// Run it: parse arguments, call Flex, return the structured (trimmed) result.
    pub run: RunFn,
}

impl ToolDef {
    /// Its access class.
    pub fn access(&self) -> crate::policy::Access {
        self.kind.access()
    }

    /// Its MCP annotations.
    pub fn hints(&self) -> Hints {
        self.kind.hints()
    }
}

impl std::fmt::Debug for ToolDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolDef")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// Built once, on first use; the order is stable (resource groups in API-reference order).
static CATALOGUE: LazyLock<Vec<ToolDef>> = LazyLock::new(|| {
    let groups: [&[ToolDef]; 8] = [
        products::TOOLS,
        customers::TOOLS,
        checkout::TOOLS,
        payments::TOOLS,
        billing::TOOLS,
        reports::TOOLS,
        disputes::TOOLS,
        links::TOOLS,
    ];
    groups.iter().flat_map(|g| g.iter().copied()).collect()
});

/// Every tool, in a stable order.
pub fn catalogue() -> &'static [ToolDef] {
    &CATALOGUE
}

/// The tool called `name`, if there is one.
pub fn find(name: &str) -> Option<&'static ToolDef> {
    catalogue().iter().find(|t| t.name == name)
}

/// The reviewed `tools/list` (`tests/golden/tools_list.json`), compiled in. A test keeps it
/// identical to what [`to_mcp_tool`] generates, so serving it is serving the catalogue.
const TOOLS_LIST_SNAPSHOT: &str = include_str!("../../tests/golden/tools_list.json");

/// Every tool as MCP describes it, in catalogue order: parsed once from the compiled-in snapshot,
/// about twice as fast as generating the schemas (release, 67 tools: ~2 ms against ~4.5 ms,
/// medians on a loaded 2-core machine). Falls back to generating them if the snapshot cannot be
/// read (it always can; the golden test guards it).
pub fn mcp_tools() -> &'static [rmcp::model::Tool] {
    &mcp_tool_list().tools
}

/// The whole `tools/list` result (one page, every tool), built once: what the server answers,
/// so the tools exist once in memory.
pub fn mcp_tool_list() -> &'static rmcp::model::ListToolsResult {
    static LIST: LazyLock<rmcp::model::ListToolsResult> = LazyLock::new(|| {
        #[derive(serde::Deserialize)]
        struct Snapshot {
            tools: Vec<rmcp::model::Tool>,
        }
        let tools = match serde_json::from_str::<Snapshot>(TOOLS_LIST_SNAPSHOT) {
            Ok(s) if s.tools.len() == catalogue().len() => s.tools,
            _ => catalogue().iter().map(to_mcp_tool).collect(),
        };
        rmcp::model::ListToolsResult::with_all_items(tools)
    });
    &LIST
}

/// The MCP view of a tool: name, title, description, input and output schema, annotations.
pub fn to_mcp_tool(def: &ToolDef) -> rmcp::model::Tool {
    // The title once, at the top (2025-06-18); `annotations.title` would repeat it.
    let annotations = rmcp::model::ToolAnnotations::new()
        .read_only(def.hints().read_only)
        .destructive(def.hints().destructive)
        .idempotent(def.hints().idempotent)
        .open_world(def.hints().open_world);
    rmcp::model::Tool::new(def.name, def.description, Arc::new((def.input_schema)()))
        .with_title(def.title)
        .with_raw_output_schema(Arc::new((def.output_schema)()))
        .with_annotations(annotations)
}

/// Input schema of a parameters struct: draft 2020-12, subschemas inlined (models read them
/// more reliably than `$ref`s), the struct's own title and doc dropped (the tool has them).
pub(crate) fn schema_in<T: schemars::JsonSchema>() -> Map<String, Value> {
    schema_with::<T>(schemars::generate::SchemaSettings::draft2020_12())
}

/// Output schema of a result: describes what `Serialize` writes, to one level. Without
/// descriptions (field names speak for themselves, units are stated in every tool's
/// description), and nested objects and list items are just `object`: clients validate results
/// against it and models rarely read it, while every byte of it counts against a client's
/// `tools/list` budget. The result itself carries every field.
pub(crate) fn schema_out<T: schemars::JsonSchema>() -> Map<String, Value> {
    let mut schema =
        schema_with::<T>(schemars::generate::SchemaSettings::draft2020_12().for_serialize());
    strip_descriptions(&mut schema);
    if let Some(Value::Object(props)) = schema.get_mut("properties") {
        for prop in props.values_mut() {
            if let Value::Object(prop) = prop {
                to_one_level(prop);
            }
        }
    }
    schema
}

/// Keeps what a property is (its type), not what is inside it.
fn to_one_level(schema: &mut Map<String, Value>) {
    for key in ["properties", "required", "additionalProperties"] {
        schema.remove(key);
    }
    if let Some(Value::Object(items)) = schema.get_mut("items") {
        to_one_level(items);
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(alts)) = schema.get_mut(key) {
            for alt in alts.iter_mut() {
                if let Value::Object(alt) = alt {
                    to_one_level(alt);
                }
            }
        }
    }
}

/// Removes the `description` keyword everywhere (not properties that happen to be called so).
fn strip_descriptions(schema: &mut Map<String, Value>) {
    schema.remove("description");
    for (key, value) in schema.iter_mut() {
        match value {
            // A map of property names to schemas: recurse into each schema, keep every name.
            Value::Object(props) if key == "properties" => {
                for prop in props.values_mut() {
                    if let Value::Object(inner) = prop {
                        strip_descriptions(inner);
                    }
                }
            }
            Value::Object(inner) => strip_descriptions(inner),
            Value::Array(items) => {
                for item in items {
                    if let Value::Object(inner) = item {
                        strip_descriptions(inner);
                    }
                }
            }
            _ => {}
        }
    }
}

fn schema_with<T: schemars::JsonSchema>(
    mut settings: schemars::generate::SchemaSettings,
) -> Map<String, Value> {
    settings.inline_subschemas = true;
    let schema = settings.into_generator().into_root_schema_for::<T>();
    let mut map = match schema.to_value() {
        Value::Object(map) => map,
        // A bare `true` schema: accept any object (never happens for our structs).
        _ => Map::from_iter([("type".to_owned(), Value::from("object"))]),
    };
    map.remove("title");
    map.remove("description");
    map.remove("$schema");
    tidy(&mut map);
    map
}

/// Makes a schema shorter and plainer for a model, without changing what it accepts in practice:
/// an optional property is simply left out (never sent or returned as null), so its `"null"`
/// alternative goes; Rust integer `format`s (`int64`, `uint8`) say nothing the bounds don't;
/// a nested struct's own doc repeats the property's description.
fn tidy(schema: &mut Map<String, Value>) {
    schema.remove("format");
    // Doc comments wrap at 100 columns; a description is one paragraph.
    if let Some(Value::String(d)) = schema.get_mut("description")
        && d.contains('\n')
    {
        *d = d.replace('\n', " ");
    }
    let required: Vec<String> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if let Some(Value::Object(props)) = schema.get_mut("properties") {
        for (name, prop) in props.iter_mut() {
            let Value::Object(prop) = prop else { continue };
            if !required.contains(name) {
                drop_null(prop);
            }
            tidy(prop);
        }
    }
    if let Some(Value::Object(items)) = schema.get_mut("items") {
        items.remove("description");
        tidy(items);
    }
    if let Some(Value::Object(extra)) = schema.get_mut("additionalProperties") {
        tidy(extra);
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(alts)) = schema.get_mut(key) {
            for alt in alts.iter_mut() {
                if let Value::Object(alt) = alt {
                    tidy(alt);
                }
            }
        }
    }
}

/// `"type": ["string", "null"]` → `"type": "string"`, and `null` out of an `enum`.
fn drop_null(prop: &mut Map<String, Value>) {
    if let Some(Value::Array(types)) = prop.get_mut("type") {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let only = types.remove(0);
            prop.insert("type".to_owned(), only);
        }
    }
    if let Some(Value::Array(values)) = prop.get_mut("enum") {
        values.retain(|v| !v.is_null());
    }
}

/// Declares one tool: `tool!(list_refunds { group, title, description, kind, input_schema,
/// output_schema })` is the [`ToolDef`] whose name is its function's name and whose `run` parses
/// the arguments and calls that function, so name and code cannot drift apart. Everything else
/// about the tool (its access class and hints, its group, the access table, its place in
/// `tools/list`) follows from this one declaration.
macro_rules! tool {
    ($f:ident { $($field:ident: $value:expr),* $(,)? }) => {
        $crate::tools::ToolDef {
            name: stringify!($f),
            $($field: $value,)*
            run: $crate::tools::run!($f),
        }
    };
}
pub(crate) use tool;

/// Adapts `async fn(ToolCtx, Args) -> Result<Value, ToolError>` to a [`RunFn`]: arguments are
/// parsed (naming the field on error) before anything is sent.
macro_rules! run {
    ($f:path) => {
        |ctx, args| Box::pin(async move { $f(ctx, $crate::tools::args::parse(args)?).await })
    };
}
pub(crate) use run;
