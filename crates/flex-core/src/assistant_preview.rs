//! "Show the change": exactly the text Connect would write into an assistant's config, computed
//! with flex-clients' pure edit functions before anything is written.

use std::path::Path;

use anyhow::Context as _;
use flex_clients::{ClientEnv, ClientKind};
use serde::Serialize;

use crate::paths::Paths;

/// What Connect would do to one config file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Preview {
    /// The config file.
    pub path: String,
    /// Its text today; `None` when the file does not exist yet.
    pub before: Option<String>,
    /// Its text after Connect.
    pub after: String,
    /// False when our entry is already exactly right (Connect would write nothing).
    pub changed: bool,
}

/// The change Connect would make to `kind`'s config, without writing.
///
/// # Errors
/// When the config cannot be read or is broken (the same error Connect would give).
pub fn connect_preview(paths: &Paths, kind: ClientKind, binary: &Path) -> anyhow::Result<Preview> {
    let env = ClientEnv::from_process(&paths.home);
    let path = flex_clients::config_path(kind, &env);
    let before = match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("could not read {}", path.display())),
    };
    let desired = flex_clients::desired_entry(kind, binary)?;
    let after =
        flex_clients::text::connect(kind, before.as_deref().unwrap_or(""), &desired, &path)?;
    Ok(Preview {
        path: path.display().to_string(),
        changed: before.as_deref() != Some(after.as_str()),
        before,
        after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preview_is_exactly_what_connect_writes_and_writes_nothing() {
        let (_dir, home, paths, bin) = crate::test_home::cursor_home();
        let config = home.join(".cursor/mcp.json");
        let other = "{\n  \"mcpServers\": {\n    \"other\": { \"command\": \"x\" }\n  }\n}\n";
        std::fs::write(&config, other).unwrap();

        let preview = connect_preview(&paths, ClientKind::Cursor, &bin).unwrap();
        assert!(preview.changed);
        assert_eq!(preview.before.as_deref(), Some(other));
        assert!(preview.after.contains("\"other\"") && preview.after.contains("flex"));
        assert_eq!(
            std::fs::read_to_string(&config).unwrap(),
            other,
            "preview wrote nothing"
        );

        crate::assistants::connect(&paths, ClientKind::Cursor, &bin, false).unwrap();
        assert_eq!(std::fs::read_to_string(&config).unwrap(), preview.after);
        let again = connect_preview(&paths, ClientKind::Cursor, &bin).unwrap();
        assert!(!again.changed, "connected: nothing left to write");
    }
}
