//! The MCP clients we know how to connect, and what each one's config file looks like.
//!
//! Everything a client differs in (file format, where the server list lives, whether the entry
//! needs `"type": "stdio"`) is data on [`ClientKind`], so the writer has one code path for all.

use std::fmt;
use std::str::FromStr;

/// The name of our server inside every client's config.
pub const SERVER_NAME: &str = "flex";

/// An MCP client whose config file we can edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ClientKind {
    /// Claude Desktop (strict JSON, `mcpServers`).
    ClaudeDesktop,
    /// Cursor (`~/.cursor/mcp.json`, `mcpServers`).
    Cursor,
    /// Windsurf (`~/.codeium/windsurf/mcp_config.json`, `mcpServers`).
    Windsurf,
    /// VS Code / GitHub Copilot (user `mcp.json`, `servers`, JSONC, `type` required).
    VsCode,
    /// Claude Code (`~/.claude.json`, user scope `mcpServers`, `type` written).
    ClaudeCode,
    /// Zed (`settings.json`, `context_servers`, JSONC).
    Zed,
    /// Gemini CLI (`~/.gemini/settings.json`, `mcpServers`, JSONC).
    Gemini,
    /// Codex CLI (`~/.codex/config.toml`, `[mcp_servers.flex]`).
    Codex,
    /// LM Studio (`~/.lmstudio/mcp.json`, `mcpServers`).
    LmStudio,
}

/// How a client's config file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigFormat {
    /// JSON that the client parses strictly: no comments, no trailing commas, no BOM.
    StrictJson,
    /// JSON in which comments and trailing commas are tolerated (and kept when present).
    Jsonc,
    /// TOML (comments kept).
    Toml,
}

impl ClientKind {
    /// Every client, in the order we show them (the three "must" clients first).
    pub const ALL: [ClientKind; 9] = [
        ClientKind::ClaudeDesktop,
        ClientKind::Cursor,
        ClientKind::Windsurf,
        ClientKind::VsCode,
        ClientKind::ClaudeCode,
        ClientKind::Zed,
        ClientKind::Gemini,
        ClientKind::Codex,
        ClientKind::LmStudio,
    ];

    /// The name used on the command line (`flex-mcp clients connect cursor`).
    pub fn cli_name(self) -> &'static str {
        match self {
            ClientKind::ClaudeDesktop => "claude-desktop",
            ClientKind::Cursor => "cursor",
            ClientKind::Windsurf => "windsurf",
            ClientKind::VsCode => "vscode",
            ClientKind::ClaudeCode => "claude-code",
            ClientKind::Zed => "zed",
            ClientKind::Gemini => "gemini",
            ClientKind::Codex => "codex",
            ClientKind::LmStudio => "lmstudio",
        }
    }

    /// The product name people know.
    pub fn display_name(self) -> &'static str {
        match self {
            ClientKind::ClaudeDesktop => "Claude Desktop",
            ClientKind::Cursor => "Cursor",
            ClientKind::Windsurf => "Windsurf",
            ClientKind::VsCode => "VS Code",
            ClientKind::ClaudeCode => "Claude Code",
            ClientKind::Zed => "Zed",
            ClientKind::Gemini => "Gemini CLI",
            ClientKind::Codex => "Codex CLI",
            ClientKind::LmStudio => "LM Studio",
        }
    }

    /// The file format, which decides what we may keep and what we must refuse.
    pub fn format(self) -> ConfigFormat {
        match self {
            // Claude Desktop fails to load settings with a comment, a trailing comma or a BOM.
            ClientKind::ClaudeDesktop => ConfigFormat::StrictJson,
            ClientKind::Codex => ConfigFormat::Toml,
            // Cursor, Windsurf, Claude Code and LM Studio are documented as JSON; we never add
            // comments, but a comment the user already has is kept rather than refused.
            _ => ConfigFormat::Jsonc,
        }
    }

    /// The top-level key holding the server map (`mcp_servers` table for Codex).
    pub fn servers_key(self) -> &'static str {
        match self {
            ClientKind::VsCode => "servers",
            ClientKind::Zed => "context_servers",
            ClientKind::Codex => "mcp_servers",
            _ => "mcpServers",
        }
    }

    /// Whether our entry carries `"type": "stdio"` (required by VS Code; what Claude Code's own
    /// `claude mcp add` writes).
    pub fn writes_stdio_type(self) -> bool {
        matches!(self, ClientKind::VsCode | ClientKind::ClaudeCode)
    }

    /// What the user has to do for the client to pick up a change.
    pub fn reload_hint(self) -> &'static str {
        match self {
            ClientKind::ClaudeDesktop => {
                "Quit Claude Desktop fully (from its tray/menu-bar icon, not just the window) and open it again. It rewrites its own config file while running: if it was open during this change and the server does not appear, quit it first and run this again."
            }
            ClientKind::Cursor => "Restart Cursor (or toggle the server in Settings → MCP).",
            ClientKind::Windsurf => "Press refresh in Windsurf's MCP panel, or restart Windsurf.",
            ClientKind::VsCode => {
                "VS Code picks up the change by itself; restart it if the server does not appear."
            }
            ClientKind::ClaudeCode => "Start a new Claude Code session.",
            ClientKind::Zed => "Zed reloads its settings by itself.",
            ClientKind::Gemini => "Restart Gemini CLI.",
            ClientKind::Codex => "Start a new Codex session.",
            ClientKind::LmStudio => "Restart LM Studio if the server does not appear.",
        }
    }

    /// The names its running program goes by (the file name of its executable, or of the script
    /// a `node` runs), on any OS; empty for clients that reload their config by themselves (a
    /// running copy of those never needs a restart for our entry).
    pub fn process_names(self) -> &'static [&'static str] {
        match self {
            ClientKind::ClaudeDesktop => &["claude-desktop", "Claude", "Claude.exe"],
            ClientKind::Cursor => &["cursor", "Cursor", "Cursor.exe"],
            ClientKind::Windsurf => &["windsurf", "Windsurf", "Windsurf.exe"],
            ClientKind::VsCode | ClientKind::Zed => &[],
            ClientKind::ClaudeCode => &["claude", "claude.exe"],
            ClientKind::Gemini => &["gemini", "gemini.exe"],
            ClientKind::Codex => &["codex", "codex.exe"],
            ClientKind::LmStudio => &["lm-studio", "LM Studio", "LM Studio.exe"],
        }
    }

    /// The valid command-line names, for error messages.
    pub fn cli_names() -> String {
        ClientKind::ALL
            .iter()
            .map(|k| k.cli_name())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for ClientKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.display_name())
    }
}

/// A client name that is not one of ours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{given}\" is not a client we know. Use one of: {valid}.", valid = ClientKind::cli_names())]
pub struct UnknownClient {
    /// What was given.
    pub given: String,
}

impl FromStr for ClientKind {
    type Err = UnknownClient;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        ClientKind::ALL
            .into_iter()
            .find(|k| k.cli_name() == wanted)
            .ok_or_else(|| UnknownClient {
                given: s.to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cli_name_parses_back_to_its_kind() {
        for kind in ClientKind::ALL {
            assert_eq!(kind.cli_name().parse::<ClientKind>(), Ok(kind));
        }
    }

    #[test]
    fn unknown_name_lists_the_valid_ones() {
        let err = "cursr".parse::<ClientKind>().unwrap_err().to_string();
        assert!(err.contains("\"cursr\""), "{err}");
        for kind in ClientKind::ALL {
            assert!(
                err.contains(kind.cli_name()),
                "{err} lacks {}",
                kind.cli_name()
            );
        }
    }
}
