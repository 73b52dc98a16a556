//! User settings: mode, policy, base URL, HTTP port, activity retention. A plain JSON file in the
//! config dir; it never holds a secret. A file we cannot read is reported, never overwritten.

use std::path::Path;

use anyhow::Context as _;
use flex_api::Mode;
use flex_mcp::Policy;
use serde::{Deserialize, Serialize};

use crate::error::Code;
use crate::paths::Paths;
use crate::toolset::ToolSettings;

/// Default Flex API base URL.
pub const DEFAULT_API_BASE: &str = "https://api.withflex.com";

/// How much activity we keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Retention {
    /// Keep at most this many call records.
    pub max_records: u32,
    /// Drop records older than this many days.
    pub max_age_days: u32,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            // The window stays quick at this size (release, 100,000 records: a filtered first page
            // in 0.4–40 ms, docs/guardian-feed.md), and 90 days of a busy assistant fit in it.
            max_records: 100_000,
            max_age_days: 90,
        }
    }
}

/// Everything the user chose. Unknown fields in the file are ignored; missing ones take defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Test or live. New installs start in test.
    pub mode: Mode,
    /// allow / ask / deny per access class and mode.
    pub policy: Policy,
    /// Flex API base URL (`FLEX_API_BASE` overrides it); `None` means the real Flex.
    pub api_base: Option<String>,
    /// Hosted Flex MCP address for "Sign in with Flex" (`FLEX_MCP_URL` overrides it); `None`
    /// means the real one, `https://mcp.withflex.com`.
    pub mcp_url: Option<String>,
    /// Port of the optional local Streamable HTTP endpoint; `None` = off.
    pub http_port: Option<u16>,
    /// Activity retention.
    pub retention: Retention,
    /// Which tools assistants are offered (groups, read-only, per assistant, discovery).
    pub tools: ToolSettings,
    /// "Pause assistants": every tool call is refused until the person resumes.
    pub paused: bool,
    /// How long a call waits for the person's approval before it is denied, in seconds.
    pub approval_timeout_secs: u32,
    /// Which sign-in serves each mode when both an API key and the Flex sign-in exist
    /// (`{"test": "api_key" | "flex", "live": …}`; unset: the API key). See `key_rule`.
    pub sign_in: SignInPrefs,
}

/// The person's choice of sign-in per mode (see [`crate::key_rule::sign_in_for`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SignInPrefs {
    /// For test mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test: Option<crate::key_rule::SignInChoice>,
    /// For live mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live: Option<crate::key_rule::SignInChoice>,
}

impl SignInPrefs {
    /// The choice for `mode`.
    pub fn for_mode(self, mode: Mode) -> Option<crate::key_rule::SignInChoice> {
        match mode {
            Mode::Test => self.test,
            Mode::Live => self.live,
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            mode: Mode::Test,
            policy: Policy::default(),
            api_base: None,
            mcp_url: None,
            http_port: None,
            retention: Retention::default(),
            tools: ToolSettings::default(),
            paused: false,
            approval_timeout_secs: 120,
            sign_in: SignInPrefs::default(),
        }
    }
}

impl Settings {
    /// Read settings; a missing file gives defaults. An unreadable or invalid file is an error
    /// naming the file, line and column (and it is left untouched).
    pub fn load(paths: &Paths) -> anyhow::Result<Settings> {
        let file = paths.settings_file();
        let text = match std::fs::read_to_string(&file) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Settings::default()),
            Err(e) => {
                return Err(anyhow::Error::new(e)
                    .context(format!("could not read settings file {}", file.display()))
                    .context(Code::SettingsUnreadable));
            }
        };
        if text.trim().is_empty() {
            return Ok(Settings::default());
        }
        serde_json::from_str(&text).map_err(|e| {
            anyhow::anyhow!(
                "settings file {} is not valid at line {}, column {}: {e}. Fix the file by hand, \
                 or delete it to go back to the defaults (test mode).",
                file.display(),
                e.line(),
                e.column()
            )
            .context(Code::SettingsUnreadable)
        })
    }

    /// Write settings atomically (temp file in the same directory, then rename).
    pub fn save(&self, paths: &Paths) -> anyhow::Result<()> {
        let file = paths.settings_file();
        let text = serde_json::to_string_pretty(self).context("serialising settings")?;
        write_atomic(&file, format!("{text}\n").as_bytes())
            .with_context(|| format!("could not write settings file {}", file.display()))
    }

    /// The base URL to use: `FLEX_API_BASE` if set, else settings, else the real Flex.
    pub fn effective_api_base(&self) -> String {
        std::env::var("FLEX_API_BASE")
            .ok()
            .filter(|v| !v.trim().is_empty())
            .or_else(|| self.api_base.clone())
            .unwrap_or_else(|| DEFAULT_API_BASE.to_string())
    }
}

impl Settings {
    /// The hosted MCP address: `FLEX_MCP_URL` if set, else settings, else the real Flex.
    pub fn effective_mcp_url(&self) -> String {
        std::env::var("FLEX_MCP_URL")
            .ok()
            .filter(|v| !v.trim().is_empty())
            .or_else(|| self.mcp_url.clone())
            .unwrap_or_else(|| flex_auth::oauth::DEFAULT_MCP_URL.to_string())
    }
}

/// Replace `path` with `bytes` so that readers see the old or the new file, never a mix.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_gives_test_mode_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::under(dir.path(), dir.path());
        let s = Settings::load(&paths).unwrap();
        assert_eq!(s.mode, Mode::Test, "new installs must start in test mode");
    }

    #[test]
    fn round_trip_and_broken_file_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::under(dir.path(), dir.path());
        let s = Settings {
            mode: Mode::Live,
            ..Settings::default()
        };
        s.save(&paths).unwrap();
        assert_eq!(Settings::load(&paths).unwrap(), s);

        std::fs::write(paths.settings_file(), "{\"mode\": \"live\",,}").unwrap();
        let err = format!("{:#}", Settings::load(&paths).unwrap_err());
        assert!(err.contains("line 1"), "error names the position: {err}");
        assert_eq!(
            std::fs::read_to_string(paths.settings_file()).unwrap(),
            "{\"mode\": \"live\",,}",
            "a broken settings file is never rewritten"
        );
    }
}
