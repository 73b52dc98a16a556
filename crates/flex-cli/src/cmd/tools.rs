//! `flex-mcp tools`: which tool groups assistants are offered, for all of them or one
//! (`--assistant NAME`, the name it gives in `initialize`), and read-only. Changes are written to
//! settings; connected sessions get `notifications/tools/list_changed`, the rest see them at
//! their next `tools/list`.

use std::process::ExitCode;

use flex_core::settings_change::{SettingsChange, apply};
use flex_core::toolset::{ToolSettings, loosenings};
use flex_core::{Paths, Settings};
use flex_mcp::groups::{Group, GroupSet, Selection, UnknownGroup, tool_list};
use flex_mcp::policy::Access;

/// Arguments of `flex-mcp tools`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// Show the groups, which are on, and the size of the resulting tools/list.
    List {
        /// Show what this assistant is offered (its `clientInfo.name`, e.g. `cursor`).
        #[arg(long)]
        assistant: Option<String>,
    },
    /// Turn a group on (`all` for every group).
    Enable {
        /// Group name (see `flex-mcp tools list`), or `all`.
        #[arg(value_parser = parse_groups)]
        group: String,
        /// Only for this assistant.
        #[arg(long)]
        assistant: Option<String>,
    },
    /// Turn a group off (`all` for every group).
    Disable {
        /// Group name (see `flex-mcp tools list`), or `all`.
        #[arg(value_parser = parse_groups)]
        group: String,
        /// Only for this assistant.
        #[arg(long)]
        assistant: Option<String>,
    },
    /// Offer only read tools (`on`), or writes too (`off`).
    ReadOnly {
        /// `on` or `off`.
        #[arg(value_parser = ["on", "off"])]
        state: String,
        /// Only for this assistant.
        #[arg(long)]
        assistant: Option<String>,
    },
}

/// Checked while parsing, so an unknown name is clap's usage error naming the known ones.
fn parse_groups(name: &str) -> Result<String, UnknownGroup> {
    GroupSet::parse_name(name).map(|_| name.to_owned())
}

#[allow(clippy::needless_pass_by_value)]
pub(crate) fn run(args: Args, paths: &Paths) -> anyhow::Result<ExitCode> {
    let before = Settings::load(paths)?;
    // The same change the window's Settings page makes, through the one settings function.
    let (change, assistant) = match &args.action {
        Action::List { assistant } => {
            print_list(&before.tools, assistant.as_deref());
            return Ok(ExitCode::SUCCESS);
        }
        Action::Enable { group, assistant } | Action::Disable { group, assistant } => (
            SettingsChange::ToolGroup {
                group: group.clone(),
                on: matches!(args.action, Action::Enable { .. }),
                assistant: assistant.clone(),
            },
            assistant,
        ),
        Action::ReadOnly { state, assistant } => (
            SettingsChange::ReadOnly {
                on: state == "on",
                assistant: assistant.clone(),
            },
            assistant,
        ),
    };
    let settings = apply(before.clone(), change)?;
    let before = before.tools;
    let assistant = assistant.as_deref();
    if settings.tools == before {
        println!("Nothing to change.");
    } else {
        settings.save(paths)?;
        println!(
            "Saved. Connected assistants are told the tool list changed; others see it at their \
             next tools/list."
        );
        for sentence in loosenings(&before, &settings.tools) {
            println!("Note: this loosens the guard. {sentence}");
        }
    }
    if let Some(name) = assistant
        && settings.tools.read_only
        && matches!(args.action, Action::ReadOnly { .. })
    {
        println!(
            "Read-only is on for every assistant, so \"{name}\" stays read-only until it is \
             turned off for all: flex-mcp tools read-only off"
        );
    }
    summary(&settings.tools, assistant);
    Ok(ExitCode::SUCCESS)
}

/// One line per group: on or off, its tool count and classes; then the totals.
fn print_list(tools: &ToolSettings, assistant: Option<&str>) {
    let selection = tools.selection_for(assistant);
    let who = scope(tools, assistant);
    println!("Tool groups offered to {who}:");
    for g in Group::EVERY {
        let on = if selection.groups.contains(g) {
            "on "
        } else {
            "off"
        };
        let count = g.tools().count();
        println!(
            "  {on}  {:<14} {:<50} {count:>2} tools ({})",
            g.id(),
            g.title(),
            classes(g)
        );
    }
    if !tools.assistants.is_empty() && assistant.is_none() {
        let names: Vec<&str> = tools.assistants.keys().map(String::as_str).collect();
        println!(
            "Assistants with their own choice: {} (see --assistant NAME).",
            names.join(", ")
        );
    }
    summary(tools, assistant);
}

fn scope(tools: &ToolSettings, assistant: Option<&str>) -> String {
    match assistant {
        None => "every assistant".to_owned(),
        Some(name) => match tools.assistant(name) {
            Some((key, _)) => format!("\"{key}\""),
            None => format!("\"{name}\" (no choice of its own: the one for every assistant)"),
        },
    }
}

/// Read-only, discovery, and the size of the resulting tools/list.
fn summary(tools: &ToolSettings, assistant: Option<&str>) {
    let selection: Selection = tools.selection_for(assistant);
    let list = tool_list(selection);
    let bytes = serde_json::to_string(&*list).map_or(0, |t| t.len());
    println!(
        "Read-only: {}. Discovery tools: {}. tools/list: {} tools, {:.1} KB (about {} tokens).",
        if selection.read_only { "on" } else { "off" },
        if selection.discovery { "on" } else { "off" },
        list.tools.len(),
        kilobytes(bytes),
        bytes / 4
    );
}

#[allow(clippy::cast_precision_loss)]
fn kilobytes(bytes: usize) -> f64 {
    bytes as f64 / 1000.0
}

fn classes(g: Group) -> String {
    [Access::Read, Access::Write, Access::Destructive]
        .into_iter()
        .filter(|c| g.tools().any(|t| t.access() == *c))
        .map(Access::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}
