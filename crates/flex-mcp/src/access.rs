//! The access table: what each tool can change. Each tool declares its class once (its
//! [`Kind`](crate::tools::Kind)); the reviewable table is generated from the catalogue
//! ([`table`]) and kept as `tests/golden/access.md`, so a class change shows up in review.
//!
//! Classes follow the money: reads change nothing; writes create or change objects without
//! moving money; destructive calls move money or give something up for good (refunds,
//! captures, cancellations, submitting or closing a dispute).

use std::fmt::Write as _;

use crate::policy::Access;

/// The class of tool `name`, or `None` for a tool we do not know (the policy denies those).
pub fn access_of(name: &str) -> Option<Access> {
    crate::tools::find(name).map(crate::tools::ToolDef::access)
}

/// The access table as Markdown, in catalogue order: tool, group, class, hints.
pub fn table() -> String {
    let mut out = String::from(
        "<!-- Generated from the tool declarations: UPDATE_GOLDEN=1 cargo test -p flex-mcp --test catalogue -->\n\
         | tool | group | class | readOnly | destructive | idempotent |\n|---|---|---|---|---|---|\n",
    );
    let mark = |b: bool| if b { "✓" } else { "" };
    for t in crate::tools::catalogue() {
        let h = t.hints();
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} |",
            t.name,
            t.group.id(),
            t.access().as_str(),
            mark(h.read_only),
            mark(h.destructive),
            mark(h.idempotent)
        );
    }
    out
}
