//! The `tools` section of settings: which tool groups assistants are offered, for all of them
//! or per assistant (by the name it gives in `initialize`), read-only, and discovery; and which
//! changes loosen the guard (they need the person's confirmation while the app runs).
//!
//! The groups themselves (names, tools, classes) are `flex_mcp::groups`; this module only holds
//! what the person chose.

use std::collections::{BTreeMap, BTreeSet};

use flex_mcp::groups::{Group, GroupSet, Selection};
use flex_mcp::policy::Access;
use serde::{Deserialize, Serialize};

/// What the person chose about tools. Missing fields take the defaults: the default groups,
/// not read-only, discovery on, no per-assistant choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ToolSettings {
    /// Groups offered to every assistant without its own choice; `None` = the default groups.
    pub groups: Option<GroupSet>,
    /// Only read tools, for every assistant, whatever the groups say.
    pub read_only: bool,
    /// Offer `list_tool_groups` / `enable_tool_group`, so an assistant can add a group to one
    /// conversation.
    pub discovery: bool,
    /// Per assistant, keyed by the `clientInfo.name` it sends (matched ignoring case).
    pub assistants: BTreeMap<String, AssistantTools>,
}

impl Default for ToolSettings {
    fn default() -> ToolSettings {
        ToolSettings {
            groups: None,
            read_only: false,
            discovery: true,
            assistants: BTreeMap::new(),
        }
    }
}

/// One assistant's own choice; a field left out follows the choice for every assistant.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AssistantTools {
    /// Its groups; `None` = the groups for every assistant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<GroupSet>,
    /// Read-only for this assistant. It can only add to the setting for every assistant:
    /// read-only for all stays read-only for each.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
}

impl ToolSettings {
    /// The groups offered to every assistant without its own choice.
    pub fn groups_for_all(&self) -> GroupSet {
        self.groups.unwrap_or_else(GroupSet::default_groups)
    }

    /// The entry of the assistant called `client_name` (ignoring case), if it has one.
    pub fn assistant(&self, client_name: &str) -> Option<(&str, &AssistantTools)> {
        self.assistants
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(client_name))
            .map(|(name, tools)| (name.as_str(), tools))
    }

    /// What the assistant called `client_name` is offered (`None`: it gave no name).
    pub fn selection_for(&self, client_name: Option<&str>) -> Selection {
        let own = client_name.and_then(|n| self.assistant(n)).map(|(_, a)| a);
        Selection {
            groups: own
                .and_then(|a| a.groups)
                .unwrap_or_else(|| self.groups_for_all()),
            read_only: self.read_only || own.and_then(|a| a.read_only).unwrap_or(false),
            discovery: self.discovery,
        }
    }

    /// The groups to change for `assistant` (`None`: every assistant), creating its entry from
    /// the current choice for all if it has none.
    pub fn groups_mut(&mut self, assistant: Option<&str>) -> &mut GroupSet {
        let all = self.groups_for_all();
        match assistant {
            None => self.groups.get_or_insert(all),
            Some(name) => {
                let key = self
                    .assistant(name)
                    .map_or_else(|| name.to_owned(), |(k, _)| k.to_owned());
                self.assistants
                    .entry(key)
                    .or_default()
                    .groups
                    .get_or_insert(all)
            }
        }
    }

    /// Set read-only for `assistant` (`None`: every assistant).
    pub fn set_read_only(&mut self, assistant: Option<&str>, on: bool) {
        match assistant {
            None => self.read_only = on,
            Some(name) => {
                let key = self
                    .assistant(name)
                    .map_or_else(|| name.to_owned(), |(k, _)| k.to_owned());
                self.assistants.entry(key).or_default().read_only = Some(on);
            }
        }
    }
}

/// Whether `group` has tools that write or move money.
fn has_writes(group: Group) -> bool {
    group.tools().any(|t| t.access() != Access::Read)
}

/// How each change from `old` to `new` loosens the guard, one plain sentence each (empty: it
/// does not): read-only turned off, a group with write or destructive tools turned on, or
/// discovery turned on while writes are possible — for every assistant, or for one by name.
/// The host asks the person to confirm these in the app's window before applying them.
pub fn loosenings(old: &ToolSettings, new: &ToolSettings) -> Vec<String> {
    let mut names: BTreeSet<String> = BTreeSet::new();
    for name in old.assistants.keys().chain(new.assistants.keys()) {
        if !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            names.insert(name.clone());
        }
    }
    let scopes = std::iter::once(None).chain(names.iter().map(|n| Some(n.as_str())));
    let mut out = Vec::new();
    for scope in scopes {
        let who = scope.map_or_else(
            || "every assistant".to_owned(),
            |n| format!("the assistant \"{n}\""),
        );
        let (before, after) = (old.selection_for(scope), new.selection_for(scope));
        if after.read_only {
            // Only reads are offered: no group or discovery change can loosen anything.
            continue;
        }
        if before.read_only {
            out.push(format!(
                "Read-only is turned off for {who}: it can be offered tools that change data or \
                 move money."
            ));
        } else {
            for g in after.groups.iter() {
                if !before.groups.contains(g) && has_writes(g) {
                    out.push(format!(
                        "The group \"{}\" ({}) is turned on for {who}, with tools that change \
                         data or move money.",
                        g.title(),
                        g.id()
                    ));
                }
            }
        }
        if after.discovery && !before.discovery {
            out.push(format!(
                "Discovery is turned on for {who}: it can add tool groups to a conversation \
                 itself."
            ));
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn set(groups: &[Group]) -> GroupSet {
        groups.iter().copied().collect()
    }

    #[test]
    fn missing_section_gives_the_default_selection() {
        let t: ToolSettings = serde_json::from_str("{}").unwrap();
        assert_eq!(t, ToolSettings::default());
        assert_eq!(t.selection_for(Some("cursor")), Selection::default());
    }

    #[test]
    fn an_assistant_is_matched_by_name_ignoring_case_and_read_only_for_all_wins() {
        let t: ToolSettings = serde_json::from_str(
            r#"{"groups": ["support"], "assistants": {"Cursor": {"groups": ["all"], "read_only": false}}}"#,
        )
        .unwrap();
        assert!(t.selection_for(Some("cursor")).groups.is_all());
        assert_eq!(
            t.selection_for(Some("claude-ai")).groups,
            set(&[Group::Support])
        );
        let strict = ToolSettings {
            read_only: true,
            ..t
        };
        assert!(strict.selection_for(Some("Cursor")).read_only);
    }

    #[test]
    fn an_unknown_group_in_settings_names_the_known_ones() {
        let err = serde_json::from_str::<ToolSettings>(r#"{"groups": ["refund"]}"#)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`refund`") && err.contains("`refunds`"),
            "{err}"
        );
    }

    #[test]
    fn loosening_changes_are_named_and_tightening_ones_are_not() {
        let base = ToolSettings {
            groups: Some(set(&[Group::Support])),
            read_only: true,
            ..ToolSettings::default()
        };
        let mut off = base.clone();
        off.read_only = false;
        let l = loosenings(&base, &off);
        assert!(
            l.iter()
                .any(|s| s.contains("Read-only is turned off for every assistant")),
            "{l:?}"
        );
        assert!(loosenings(&off, &base).is_empty(), "read-only on tightens");

        let mut refunds = off.clone();
        *refunds.groups_mut(Some("Cursor")) = set(&[Group::Support, Group::Refunds]);
        let l = loosenings(&off, &refunds);
        assert_eq!(l.len(), 1, "{l:?}");
        assert!(
            l[0].contains("\"Cursor\"") && l[0].contains("(refunds)"),
            "{l:?}"
        );
        assert!(
            loosenings(&refunds, &off).is_empty(),
            "removing a group tightens"
        );

        let mut reads_only = off.clone();
        reads_only.read_only = true;
        *reads_only.groups_mut(None) = GroupSet::all();
        assert!(
            loosenings(&base, &reads_only).is_empty(),
            "more groups under read-only add only reads"
        );

        let mut no_discovery = off.clone();
        no_discovery.discovery = false;
        assert!(loosenings(&off, &no_discovery).is_empty());
        assert_eq!(loosenings(&no_discovery, &off).len(), 1);
    }
}
