//! The backups every change to an assistant's config leaves behind, as the Assistants page lists
//! them, and putting one back (the same safe write as every change: locked, the current file
//! backed up first, atomic, and only a backup that parses in the client's format).

use std::path::Path;

use flex_clients::{ClientEnv, ClientKind};
use serde::Serialize;

use crate::Paths;
use crate::assistants::{AssistantChange, describe};

/// One backup, for the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AssistantBackup {
    /// Its name: what Restore passes back.
    pub name: String,
    /// When it was taken, RFC 3339 UTC (the page shows it in local time); `None` if unknown.
    pub taken_at: Option<String>,
    /// Where it is.
    pub path: String,
    /// Whether it holds our "flex" server (restoring it leaves the assistant connected).
    pub has_flex: bool,
}

/// The backups of `kind`'s config, newest first.
pub fn list(paths: &Paths, kind: ClientKind) -> Vec<AssistantBackup> {
    flex_clients::backups(kind, &paths.backups_dir())
        .into_iter()
        .map(|b| {
            let has_flex = std::fs::read_to_string(&b.path).is_ok_and(|text| {
                flex_clients::text::entry(kind, &text, &b.path).is_ok_and(|e| e.is_some())
            });
            AssistantBackup {
                name: b.name,
                taken_at: b.taken_at,
                path: b.path.display().to_string(),
                has_flex,
            }
        })
        .collect()
}

/// Put backup `name` back as `kind`'s config. The guardian then follows the restored file: it
/// keeps watching our entry when the backup has one and forgets the assistant when it has none.
pub fn restore(
    paths: &Paths,
    kind: ClientKind,
    name: &str,
    binary: &Path,
) -> anyhow::Result<AssistantChange> {
    let env = ClientEnv::from_process(&paths.home);
    let change = flex_clients::restore(kind, &env, &paths.backups_dir(), name)
        .map_err(|e| anyhow::Error::new(e).context(format!("{kind} was not changed")))?;
    let has_flex = std::fs::read_to_string(&change.path).is_ok_and(|text| {
        flex_clients::text::entry(kind, &text, &change.path).is_ok_and(|e| e.is_some())
    });
    crate::connected::set_remembered(paths, &env, kind, binary, has_flex)?;
    Ok(describe(&change, binary))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use crate::assistants;

    #[test]
    fn a_backup_is_listed_with_its_time_and_restored_through_the_safe_write() {
        let (_dir, home, paths, bin) = crate::test_home::cursor_home();
        let cursor = assistants::kind("cursor").unwrap();
        let config = home.join(".cursor/mcp.json");
        let theirs = "{\n  // theirs\n  \"mcpServers\": {\"other\": {\"command\": \"x\"}}\n}\n";
        std::fs::write(&config, theirs).unwrap();
        assert!(list(&paths, cursor).is_empty(), "no change, no backup");

        assistants::connect(&paths, cursor, &bin, false).unwrap();
        let connected = std::fs::read_to_string(&config).unwrap();
        let backups = list(&paths, cursor);
        assert_eq!(backups.len(), 1, "{backups:?}");
        assert!(!backups[0].has_flex, "taken before our entry was added");
        let taken =
            chrono::DateTime::parse_from_rfc3339(backups[0].taken_at.as_deref().unwrap()).unwrap();
        assert!((chrono::Utc::now() - taken.to_utc()).num_minutes().abs() < 5);

        let change = restore(&paths, cursor, &backups[0].name, &bin).unwrap();
        assert!(change.changed, "{change:?}");
        assert!(
            change.sentence.starts_with("Restored Cursor"),
            "{}",
            change.sentence
        );
        assert_eq!(
            std::fs::read_to_string(&config).unwrap(),
            theirs,
            "byte for byte"
        );
        // The restore itself was backed up first: the connected file is the newest backup.
        let after = list(&paths, cursor);
        assert_eq!(after.len(), 2);
        assert!(after[0].has_flex);
        assert_eq!(std::fs::read_to_string(&after[0].path).unwrap(), connected);
        // The guardian no longer keeps Cursor (the person restored our entry away).
        let env = ClientEnv::from_process(&paths.home);
        let kept = crate::connected::remembered(&paths, &env, &bin).unwrap();
        assert!(!kept.contains(&cursor), "{kept:?}");

        let again = restore(&paths, cursor, &backups[0].name, &bin).unwrap();
        assert!(!again.changed, "the same content twice writes nothing");
        let err = restore(&paths, cursor, "../../etc/passwd", &bin).unwrap_err();
        assert!(format!("{err:#}").contains("no backup called"), "{err:#}");
    }
}
