//! The tool catalogue: one [`ToolDef`] per Flex operation, grouped one file per REST resource.
//!
//! Tools are data, not macro-generated methods, so that the server can precompute `tools/list`
//! once, check every call against the access table before it runs, and record it afterwards.

use std::future::Future;
use std::pin::Pin;

use flex_api::Mode;
use serde_json::{Map, Value};

/// A boxed, sendable future (what every tool's `run` returns).
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// MCP tool annotations, declared explicitly on every tool (the spec's defaults assume the
/// worst, and a test checks them against the access table).
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
    /// Flex answered with an error, or could not be reached.
    #[error(transparent)]
    Api(#[from] flex_api::Error),
}

/// One tool.
pub struct ToolDef {
    /// snake_case `verb_resource`, e.g. `list_payment_intents`.
    pub name: &'static str,
    /// Human title (annotation `title`).
    pub title: &'static str,
    /// Written for a model: what it does, when to use it, side effects, units, ID prefixes.
    pub description: &'static str,
    /// Annotations.
    pub hints: Hints,
    /// JSON Schema (2020-12) of the arguments, from the parameters struct.
    pub input_schema: fn() -> Map<String, Value>,
    /// JSON Schema of the structured result.
    pub output_schema: fn() -> Map<String, Value>,
    /// Run it: parse arguments, call Flex, return the structured (trimmed) result.
    pub run: fn(ToolCtx, Map<String, Value>) -> BoxFuture<Result<Value, ToolError>>,
}

impl std::fmt::Debug for ToolDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolDef").field("name", &self.name).finish_non_exhaustive()
    }
}
