//! Where our state lives on this machine: the one rule `flex_core::Paths::from_env` and the bridge
//! both use, so the bridge finds the app's socket without linking `flex-core`.

use std::path::{Path, PathBuf};

/// File name of the app's local socket in the runtime directory.
pub const SOCKET_FILE: &str = "flex-mcp.sock";

/// The real locations of our state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locations {
    /// Settings (plain file, no secrets).
    pub config_dir: PathBuf,
    /// Activity database, backups of client configs, logs.
    pub data_dir: PathBuf,
    /// Local socket and HTTP token (user-only permissions).
    pub runtime_dir: PathBuf,
    /// The user's home, under which client configs are looked up.
    pub home: PathBuf,
}

impl Locations {
    /// All our state under one root (tests, `FLEX_MCP_HOME`), with `home` as the clients' home.
    pub fn under(root: &Path, home: &Path) -> Locations {
        Locations {
            config_dir: root.join("config"),
            data_dir: root.join("data"),
            runtime_dir: root.join("run"),
            home: home.to_path_buf(),
        }
    }

    /// `FLEX_MCP_HOME` when set (everything under it), otherwise the platform's standard
    /// directories (`~/.config/flex-mcp`, `~/.local/share/flex-mcp`, `$XDG_RUNTIME_DIR/flex-mcp`…).
    pub fn from_env() -> Option<Locations> {
        let home = std::env::var_os("HOME")
            .or_else(|| std::env::var_os("USERPROFILE"))
            .map(PathBuf::from)
            .or_else(|| directories::BaseDirs::new().map(|b| b.home_dir().to_path_buf()))?;
        if let Some(root) = std::env::var_os("FLEX_MCP_HOME").filter(|v| !v.is_empty()) {
            return Some(Locations::under(Path::new(&root), &home));
        }
        let dirs = directories::ProjectDirs::from("com", "withflex", "flex-mcp")?;
        let runtime_dir = dirs
            .runtime_dir()
            .map_or_else(|| dirs.data_local_dir().join("run"), Path::to_path_buf);
        Some(Locations {
            config_dir: dirs.config_dir().to_path_buf(),
            data_dir: dirs.data_local_dir().to_path_buf(),
            runtime_dir,
            home,
        })
    }

    /// The app's local socket, which `flex-mcp stdio` bridges to.
    pub fn socket_path(&self) -> PathBuf {
        self.runtime_dir.join(SOCKET_FILE)
    }
}
