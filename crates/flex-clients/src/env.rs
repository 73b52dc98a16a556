//! Where each client keeps its config, per OS.
//!
//! [`config_path`] is a pure function of a [`ClientEnv`] value, so every OS (including the
//! Windows MSIX container of Claude Desktop) is tested on any machine. [`ClientEnv::from_process`]
//! is the only place that reads the real environment and disk; tests never call it.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::kind::ClientKind;

/// The operating system whose conventions decide the paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    /// macOS.
    MacOs,
    /// Windows.
    Windows,
    /// Linux and other Unix desktops (XDG conventions).
    Linux,
}

impl Os {
    /// The OS this binary was built for.
    pub fn current() -> Os {
        if cfg!(target_os = "macos") {
            Os::MacOs
        } else if cfg!(windows) {
            Os::Windows
        } else {
            Os::Linux
        }
    }
}

/// Everything the config paths depend on. Build it by hand in tests; use
/// [`ClientEnv::from_process`] in the product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientEnv {
    /// Which OS's conventions apply.
    pub os: Os,
    /// The user's home directory.
    pub home: PathBuf,
    /// `%APPDATA%` (Windows); defaults to `<home>\AppData\Roaming`.
    pub appdata: Option<PathBuf>,
    /// `%LOCALAPPDATA%` (Windows); defaults to `<home>\AppData\Local`.
    pub local_appdata: Option<PathBuf>,
    /// `$XDG_CONFIG_HOME` (Linux); defaults to `<home>/.config`.
    pub xdg_config_home: Option<PathBuf>,
    /// `$CLAUDE_CONFIG_DIR`: Claude Code keeps `.claude.json` there when set.
    pub claude_config_dir: Option<PathBuf>,
    /// `$CODEX_HOME`: Codex keeps `config.toml` there when set.
    pub codex_home: Option<PathBuf>,
    /// Existing `%LOCALAPPDATA%\Packages\Claude_*\LocalCache\Roaming\Claude` directories. An
    /// MSIX-packaged Claude Desktop (Store, and the claude.com installer since early 2026) only
    /// sees its config inside that container, so it wins over `%APPDATA%` when present.
    pub claude_msix_dirs: Vec<PathBuf>,
}

impl ClientEnv {
    /// An environment with only the OS and home set; every override unset.
    pub fn new(os: Os, home: impl Into<PathBuf>) -> ClientEnv {
        ClientEnv {
            os,
            home: home.into(),
            appdata: None,
            local_appdata: None,
            xdg_config_home: None,
            claude_config_dir: None,
            codex_home: None,
            claude_msix_dirs: Vec::new(),
        }
    }

    /// Gather the environment of this process for `home` (from flex-core's `Paths.home`): the
    /// variables above, and the Claude MSIX containers that exist on disk.
    pub fn from_process(home: &Path) -> ClientEnv {
        let os = Os::current();
        let var = |name: &str| absolute_var(std::env::var_os(name));
        let local_appdata = var("LOCALAPPDATA");
        let mut claude_msix_dirs = Vec::new();
        if os == Os::Windows {
            let packages = local_appdata
                .clone()
                .unwrap_or_else(|| home.join("AppData").join("Local"))
                .join("Packages");
            if let Ok(entries) = std::fs::read_dir(&packages) {
                for entry in entries.flatten() {
                    let is_claude = entry.file_name().to_string_lossy().starts_with("Claude_");
                    let dir = entry
                        .path()
                        .join("LocalCache")
                        .join("Roaming")
                        .join("Claude");
                    if is_claude && dir.is_dir() {
                        claude_msix_dirs.push(dir);
                    }
                }
            }
            claude_msix_dirs.sort();
        }
        ClientEnv {
            os,
            home: home.to_path_buf(),
            appdata: var("APPDATA"),
            local_appdata,
            xdg_config_home: var("XDG_CONFIG_HOME"),
            claude_config_dir: var("CLAUDE_CONFIG_DIR"),
            codex_home: var("CODEX_HOME"),
            claude_msix_dirs,
        }
    }

    /// Join path parts with the separator of `self.os`, so Windows paths computed on another OS
    /// (in tests) read as Windows paths.
    fn join(&self, base: &Path, parts: &[&str]) -> PathBuf {
        if self.os == Os::Windows {
            let mut s = base
                .to_string_lossy()
                .trim_end_matches(['\\', '/'])
                .to_string();
            for p in parts {
                s.push('\\');
                s.push_str(p);
            }
            PathBuf::from(s)
        } else {
            let mut path = base.to_path_buf();
            for p in parts {
                path.push(p);
            }
            path
        }
    }

    fn appdata_dir(&self) -> PathBuf {
        self.appdata
            .clone()
            .unwrap_or_else(|| self.join(&self.home, &["AppData", "Roaming"]))
    }

    fn xdg_config_dir(&self) -> PathBuf {
        self.xdg_config_home
            .clone()
            .unwrap_or_else(|| self.join(&self.home, &[".config"]))
    }

    /// The per-user "application support" directory of desktop apps.
    fn app_config_dir(&self) -> PathBuf {
        match self.os {
            Os::MacOs => self.join(&self.home, &["Library", "Application Support"]),
            Os::Windows => self.appdata_dir(),
            Os::Linux => self.xdg_config_dir(),
        }
    }
}

/// Empty or relative values are ignored: a relative `XDG_CONFIG_HOME` is invalid per the spec,
/// and following it would write somewhere depending on the current directory.
fn absolute_var(value: Option<OsString>) -> Option<PathBuf> {
    value.map(PathBuf::from).filter(|p| {
        !p.as_os_str().is_empty() && (p.is_absolute() || looks_like_windows_absolute(p))
    })
}

fn looks_like_windows_absolute(p: &Path) -> bool {
    let s = p.to_string_lossy();
    let b = s.as_bytes();
    b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && (b[2] == b'\\' || b[2] == b'/')
}

/// The config file `kind` reads, for `env`. Pure: it never touches the disk.
pub fn config_path(kind: ClientKind, env: &ClientEnv) -> PathBuf {
    let home = &env.home;
    match kind {
        ClientKind::ClaudeDesktop => {
            if env.os == Os::Windows
                && let Some(msix) = env.claude_msix_dirs.first()
            {
                return env.join(msix, &["claude_desktop_config.json"]);
            }
            env.join(
                &env.app_config_dir(),
                &["Claude", "claude_desktop_config.json"],
            )
        }
        ClientKind::Cursor => env.join(home, &[".cursor", "mcp.json"]),
        ClientKind::Windsurf => env.join(home, &[".codeium", "windsurf", "mcp_config.json"]),
        ClientKind::VsCode => env.join(&env.app_config_dir(), &["Code", "User", "mcp.json"]),
        ClientKind::ClaudeCode => match &env.claude_config_dir {
            Some(dir) => env.join(dir, &[".claude.json"]),
            None => env.join(home, &[".claude.json"]),
        },
        ClientKind::Zed => match env.os {
            // Zed uses ~/.config/zed on macOS too, not Application Support.
            Os::MacOs => env.join(home, &[".config", "zed", "settings.json"]),
            Os::Windows => env.join(&env.appdata_dir(), &["Zed", "settings.json"]),
            Os::Linux => env.join(&env.xdg_config_dir(), &["zed", "settings.json"]),
        },
        ClientKind::Gemini => env.join(home, &[".gemini", "settings.json"]),
        ClientKind::Codex => match &env.codex_home {
            Some(dir) => env.join(dir, &["config.toml"]),
            None => env.join(home, &[".codex", "config.toml"]),
        },
        ClientKind::LmStudio => env.join(home, &[".lmstudio", "mcp.json"]),
    }
}

/// A directory whose presence means the client is (or was) installed for this user. Pure.
pub fn install_marker(kind: ClientKind, env: &ClientEnv) -> PathBuf {
    match kind {
        // `~/.claude.json` sits in the home itself; `~/.claude` is Claude Code's own directory.
        ClientKind::ClaudeCode => match &env.claude_config_dir {
            Some(dir) => dir.clone(),
            None => env.join(&env.home, &[".claude"]),
        },
        _ => config_path(kind, env)
            .parent()
            .map_or_else(|| env.home.clone(), Path::to_path_buf),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(p: impl AsRef<Path>) -> String {
        p.as_ref().to_string_lossy().into_owned()
    }

    #[test]
    fn macos_paths() {
        let env = ClientEnv::new(Os::MacOs, "/Users/ann");
        let want = [
            (
                ClientKind::ClaudeDesktop,
                "/Users/ann/Library/Application Support/Claude/claude_desktop_config.json",
            ),
            (ClientKind::Cursor, "/Users/ann/.cursor/mcp.json"),
            (
                ClientKind::Windsurf,
                "/Users/ann/.codeium/windsurf/mcp_config.json",
            ),
            (
                ClientKind::VsCode,
                "/Users/ann/Library/Application Support/Code/User/mcp.json",
            ),
            (ClientKind::ClaudeCode, "/Users/ann/.claude.json"),
            (ClientKind::Zed, "/Users/ann/.config/zed/settings.json"),
            (ClientKind::Gemini, "/Users/ann/.gemini/settings.json"),
            (ClientKind::Codex, "/Users/ann/.codex/config.toml"),
            (ClientKind::LmStudio, "/Users/ann/.lmstudio/mcp.json"),
        ];
        for (kind, path) in want {
            assert_eq!(s(config_path(kind, &env)), path, "{kind}");
        }
    }

    #[test]
    fn linux_paths_follow_xdg_config_home() {
        let mut env = ClientEnv::new(Os::Linux, "/home/bo");
        assert_eq!(
            s(config_path(ClientKind::ClaudeDesktop, &env)),
            "/home/bo/.config/Claude/claude_desktop_config.json"
        );
        assert_eq!(
            s(config_path(ClientKind::VsCode, &env)),
            "/home/bo/.config/Code/User/mcp.json"
        );
        assert_eq!(
            s(config_path(ClientKind::Zed, &env)),
            "/home/bo/.config/zed/settings.json"
        );
        env.xdg_config_home = Some("/xdg".into());
        assert_eq!(
            s(config_path(ClientKind::ClaudeDesktop, &env)),
            "/xdg/Claude/claude_desktop_config.json"
        );
        assert_eq!(
            s(config_path(ClientKind::VsCode, &env)),
            "/xdg/Code/User/mcp.json"
        );
        assert_eq!(
            s(config_path(ClientKind::Zed, &env)),
            "/xdg/zed/settings.json"
        );
        assert_eq!(
            s(config_path(ClientKind::Cursor, &env)),
            "/home/bo/.cursor/mcp.json",
            "Cursor ignores XDG"
        );
    }

    #[test]
    fn codex_home_and_claude_config_dir_override() {
        let mut env = ClientEnv::new(Os::Linux, "/home/bo");
        env.codex_home = Some("/opt/codex".into());
        env.claude_config_dir = Some("/opt/claude".into());
        assert_eq!(
            s(config_path(ClientKind::Codex, &env)),
            "/opt/codex/config.toml"
        );
        assert_eq!(
            s(config_path(ClientKind::ClaudeCode, &env)),
            "/opt/claude/.claude.json"
        );
        assert_eq!(
            s(install_marker(ClientKind::ClaudeCode, &env)),
            "/opt/claude"
        );
    }

    #[test]
    fn windows_classic_paths() {
        let mut env = ClientEnv::new(Os::Windows, r"C:\Users\Cy");
        assert_eq!(
            s(config_path(ClientKind::ClaudeDesktop, &env)),
            r"C:\Users\Cy\AppData\Roaming\Claude\claude_desktop_config.json",
            "APPDATA defaults under the home"
        );
        env.appdata = Some(r"D:\Roam".into());
        let want = [
            (
                ClientKind::ClaudeDesktop,
                r"D:\Roam\Claude\claude_desktop_config.json",
            ),
            (ClientKind::Cursor, r"C:\Users\Cy\.cursor\mcp.json"),
            (
                ClientKind::Windsurf,
                r"C:\Users\Cy\.codeium\windsurf\mcp_config.json",
            ),
            (ClientKind::VsCode, r"D:\Roam\Code\User\mcp.json"),
            (ClientKind::ClaudeCode, r"C:\Users\Cy\.claude.json"),
            (ClientKind::Zed, r"D:\Roam\Zed\settings.json"),
            (ClientKind::Gemini, r"C:\Users\Cy\.gemini\settings.json"),
            (ClientKind::Codex, r"C:\Users\Cy\.codex\config.toml"),
            (ClientKind::LmStudio, r"C:\Users\Cy\.lmstudio\mcp.json"),
        ];
        for (kind, path) in want {
            assert_eq!(s(config_path(kind, &env)), path, "{kind}");
        }
    }

    #[test]
    fn windows_msix_container_wins_for_claude_desktop_only() {
        let mut env = ClientEnv::new(Os::Windows, r"C:\Users\Cy");
        env.claude_msix_dirs = vec![
            r"C:\Users\Cy\AppData\Local\Packages\Claude_pzs8sxrjxfjjc\LocalCache\Roaming\Claude"
                .into(),
        ];
        assert_eq!(
            s(config_path(ClientKind::ClaudeDesktop, &env)),
            r"C:\Users\Cy\AppData\Local\Packages\Claude_pzs8sxrjxfjjc\LocalCache\Roaming\Claude\claude_desktop_config.json"
        );
        assert_eq!(
            s(config_path(ClientKind::VsCode, &env)),
            r"C:\Users\Cy\AppData\Roaming\Code\User\mcp.json"
        );
        // The MSIX list only matters on Windows.
        env.os = Os::MacOs;
        env.home = "/Users/cy".into();
        assert!(s(config_path(ClientKind::ClaudeDesktop, &env)).starts_with("/Users/cy/Library/"));
    }

    #[test]
    fn relative_or_empty_variables_are_ignored() {
        assert_eq!(absolute_var(Some("".into())), None);
        assert_eq!(absolute_var(Some("relative/dir".into())), None);
        assert_eq!(
            absolute_var(Some("/abs".into())),
            Some(PathBuf::from("/abs"))
        );
        assert_eq!(
            absolute_var(Some(r"C:\x".into())),
            Some(PathBuf::from(r"C:\x"))
        );
    }
}
