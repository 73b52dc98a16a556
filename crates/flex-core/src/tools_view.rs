//! What the Settings page shows about tools: each group in plain words, which are on for every
//! assistant or for one, read-only, and the assistant names one can choose for. The rules are
//! `toolset`'s and `flex_mcp::groups`'; this module only describes their outcome.

use flex_clients::ClientKind;
use flex_mcp::groups::{Group, GroupSet, tool_list};
use flex_mcp::policy::Access;
use serde::Serialize;

use crate::toolset::ToolSettings;

/// One tool group as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ToolGroupView {
    /// Its name in settings and on the command line (`support`).
    pub id: String,
    /// Its name in plain words ("Customer support lookups").
    pub title: String,
    /// What it is for, one sentence.
    pub summary: String,
    /// How many tools it has.
    pub tools: u32,
    /// It is in the default set.
    pub by_default: bool,
    /// Some of its tools create or change things.
    pub changes_things: bool,
    /// Some of its tools move money or cannot be undone.
    pub moves_money: bool,
    /// It is on for the assistant(s) shown.
    pub on: bool,
}

/// The tool choice for every assistant, or for one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ToolsView {
    /// The assistant shown (the name it gives in `initialize`); `None`: every assistant.
    pub assistant: Option<String>,
    /// That assistant has groups of its own (else it follows the choice for every assistant).
    pub own_groups: bool,
    /// Every group, in the order of the catalogue.
    pub groups: Vec<ToolGroupView>,
    /// Only tools that look things up are offered.
    pub read_only: bool,
    /// Read-only is on for every assistant (it then stays on for each one).
    pub read_only_for_all: bool,
    /// How many tools the assistant is offered (with the two discovery tools when on).
    pub offered_tools: u32,
    /// The names one can choose for: those recorded in activity, those with a choice of their
    /// own, and the known clients by their command-line names; each once, ignoring case.
    pub assistants: Vec<String>,
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The page's view of `tools` for `assistant` (`None`: every assistant); `recorded` are the
/// assistant names seen in activity.
#[must_use]
pub fn view(tools: &ToolSettings, assistant: Option<&str>, recorded: &[String]) -> ToolsView {
    let selection = tools.selection_for(assistant);
    let default = GroupSet::default_groups();
    let groups = Group::EVERY
        .into_iter()
        .map(|g| ToolGroupView {
            id: g.id().to_owned(),
            title: g.title().to_owned(),
            summary: g.summary().to_owned(),
            tools: count(g.tools().count()),
            by_default: default.contains(g),
            changes_things: g.tools().any(|t| t.access() == Access::Write),
            moves_money: g.tools().any(|t| t.access() == Access::Destructive),
            on: selection.groups.contains(g),
        })
        .collect();
    ToolsView {
        assistant: assistant.map(|name| {
            tools
                .assistant(name)
                .map_or_else(|| name.to_owned(), |(key, _)| key.to_owned())
        }),
        own_groups: assistant
            .and_then(|name| tools.assistant(name))
            .is_some_and(|(_, own)| own.groups.is_some()),
        groups,
        read_only: selection.read_only,
        read_only_for_all: tools.read_only,
        offered_tools: count(tool_list(selection).tools.len()),
        assistants: assistant_names(tools, recorded),
    }
}

/// Recorded names first (what assistants really sent), then those in settings, then the known
/// clients' command-line names (`cursor`, as in `flex-mcp tools enable all --assistant cursor`);
/// a name already listed in another case is not repeated.
fn assistant_names(tools: &ToolSettings, recorded: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let known = ClientKind::ALL.iter().map(|k| k.cli_name().to_owned());
    for name in recorded
        .iter()
        .cloned()
        .chain(tools.assistants.keys().cloned())
        .chain(known)
    {
        if !name.trim().is_empty() && !out.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
            out.push(name);
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_view_follows_the_selection_rules() {
        let mut tools = ToolSettings::default();
        *tools.groups_mut(Some("Cursor")) = GroupSet::all();
        tools.set_read_only(Some("windsurf"), true);
        let recorded = vec!["cursor".to_owned(), "claude-ai".to_owned()];

        let all = view(&tools, None, &recorded);
        let on: Vec<&str> = all
            .groups
            .iter()
            .filter(|g| g.on)
            .map(|g| g.id.as_str())
            .collect();
        let default: Vec<&str> = Group::DEFAULT.iter().map(|g| g.id()).collect();
        assert_eq!(on, default, "every assistant gets the default set");
        assert!(all.groups.iter().all(|g| g.on == g.by_default));
        let support = &all.groups[0];
        assert_eq!(support.id, "support");
        assert!(
            !support.changes_things && !support.moves_money,
            "support only reads"
        );
        assert!(all.groups.iter().any(|g| g.moves_money));
        assert_eq!(
            all.groups.iter().map(|g| g.tools).sum::<u32>(),
            count(flex_mcp::tools::catalogue().len())
        );

        let cursor = view(&tools, Some("CURSOR"), &recorded);
        assert_eq!(
            cursor.assistant.as_deref(),
            Some("Cursor"),
            "the key as saved"
        );
        assert!(cursor.own_groups && cursor.groups.iter().all(|g| g.on));
        assert!(cursor.offered_tools > all.offered_tools);

        let windsurf = view(&tools, Some("windsurf"), &recorded);
        assert!(windsurf.read_only && !windsurf.read_only_for_all && !windsurf.own_groups);
        assert!(windsurf.offered_tools < all.offered_tools);

        assert_eq!(&all.assistants[..2], ["cursor", "claude-ai"]);
        assert_eq!(
            all.assistants
                .iter()
                .filter(|n| n.eq_ignore_ascii_case("cursor"))
                .count(),
            1,
            "{:?}",
            all.assistants
        );
        assert!(all.assistants.iter().any(|n| n == "lmstudio"));
    }
}
