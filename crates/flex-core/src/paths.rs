//! Every path the product reads or writes comes from one [`Paths`] value. Tests build it over a
//! temporary directory; nothing else computes a path on its own.

use std::path::{Path, PathBuf};

/// Where our state lives, and the home directory under which MCP clients keep their configs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// Settings (plain file, no secrets).
    pub config_dir: PathBuf,
    /// Activity database, backups of client configs, logs.
    pub data_dir: PathBuf,
    /// Local socket and HTTP token (user-only permissions).
    pub runtime_dir: PathBuf,
    /// The user's home, under which client configs are looked up.
    pub home: PathBuf,
    /// The desktop's autostart folder (`$XDG_CONFIG_HOME/autostart`): "Start at login".
    pub autostart_dir: PathBuf,
}

impl Paths {
    /// All our state under one root (tests, `FLEX_MCP_HOME`), with `home` as the clients' home.
    pub fn under(root: &Path, home: &Path) -> Paths {
        // The layout under the root is flex-bridge's (the small bridge finds the socket with it).
        Paths::from_locations(
            flex_bridge::locations::Locations::under(root, home),
            home.join(".config").join("autostart"),
        )
    }

    fn from_locations(found: flex_bridge::locations::Locations, autostart_dir: PathBuf) -> Paths {
        Paths {
            config_dir: found.config_dir,
            data_dir: found.data_dir,
            runtime_dir: found.runtime_dir,
            home: found.home,
            autostart_dir,
        }
    }

    /// The real locations: `FLEX_MCP_HOME` when set (everything under it), otherwise the
    /// platform's standard directories (`~/.config/flex-mcp`, `~/.local/share/flex-mcp`, …).
    pub fn from_env() -> Option<Paths> {
        // The rule lives in flex-bridge, which the small `flex-mcp stdio` bridge uses on its own.
        let found = flex_bridge::locations::Locations::from_env()?;
        // XDG: the autostart folder follows XDG_CONFIG_HOME when it is set (and absolute).
        let autostart_dir = std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .unwrap_or_else(|| found.home.join(".config"))
            .join("autostart");
        Some(Paths::from_locations(found, autostart_dir))
    }

    /// `settings.json` in the config dir.
    pub fn settings_file(&self) -> PathBuf {
        self.config_dir.join("settings.json")
    }

    /// The SQLite activity store.
    pub fn activity_db(&self) -> PathBuf {
        self.data_dir.join("activity.sqlite3")
    }

    /// Timestamped backups of client configs, one folder per client.
    pub fn backups_dir(&self) -> PathBuf {
        self.data_dir.join("backups")
    }

    /// The clients the person connected through us (the guardian watches only these).
    pub fn connected_clients_file(&self) -> PathBuf {
        self.data_dir.join("connected-clients.json")
    }

    /// Log files.
    pub fn log_dir(&self) -> PathBuf {
        self.data_dir.join("logs")
    }

    /// Bearer token of the local Streamable HTTP endpoint (user-only permissions).
    pub fn http_token_file(&self) -> PathBuf {
        self.runtime_dir.join("http-token")
    }

    /// The app's local socket, which `flex-mcp stdio` bridges to.
    pub fn socket_path(&self) -> PathBuf {
        self.runtime_dir.join(flex_bridge::locations::SOCKET_FILE)
    }
}
