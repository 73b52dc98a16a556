//! placeholder
use super::ToolDef;
pub(super) const TOOLS: &[ToolDef] = &[];
