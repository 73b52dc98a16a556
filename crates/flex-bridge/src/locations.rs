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

/// The Windows named pipe that stands for the local socket at `socket` (the host's, or the app's
/// single-instance one): `\\.\pipe\` + the socket's file name + a hash of its whole path.
///
/// Pipe names are one namespace for the whole machine, so the name must differ per user and per
/// `FLEX_MCP_HOME` (tests run several homes at once): the socket path already does, as it lies in
/// the user's own profile or under that home. The hash is FNV-1a, written out here because the
/// host and every bridge must agree on it across builds, which std's `DefaultHasher` does not
/// promise. The name is only an address: who may open the pipe is its security descriptor's
/// business (`flex_mcp::pipe_security`).
pub fn pipe_name(socket: &Path) -> String {
    const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;
    let base = socket
        .file_name()
        .map_or_else(|| "flex-mcp".into(), |n| n.to_string_lossy().into_owned());
    let hash = socket.to_string_lossy().bytes().fold(FNV_OFFSET, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(FNV_PRIME)
    });
    format!(r"\\.\pipe\{base}-{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pipe_name_is_the_socket_file_name_and_a_hash_of_its_path() {
        let name = pipe_name(Path::new("/home/a/run/flex-mcp.sock"));
        let hash = name
            .strip_prefix(r"\\.\pipe\flex-mcp.sock-")
            .expect("the local pipe prefix and the socket's file name");
        assert_eq!(hash.len(), 16);
        assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()));
        // The same path gives the same name in every process; no backslash after the prefix
        // (Windows forbids it in a pipe name).
        assert_eq!(name, pipe_name(Path::new("/home/a/run/flex-mcp.sock")));
        assert!(!name[r"\\.\pipe\".len()..].contains('\\'));
    }

    #[test]
    fn two_homes_get_two_pipes() {
        let a = Locations::under(Path::new("/tmp/one"), Path::new("/tmp/one"));
        let b = Locations::under(Path::new("/tmp/two"), Path::new("/tmp/two"));
        assert_ne!(pipe_name(&a.socket_path()), pipe_name(&b.socket_path()));
    }

    #[test]
    fn the_hash_is_fnv_1a_so_it_never_changes_between_builds() {
        // FNV-1a 64 of the empty string is its offset basis, of "a" the published 0xaf63dc4c8601ec8c.
        assert_eq!(
            pipe_name(Path::new("")),
            r"\\.\pipe\flex-mcp-cbf29ce484222325"
        );
        assert_eq!(pipe_name(Path::new("a")), r"\\.\pipe\a-af63dc4c8601ec8c");
    }
}
