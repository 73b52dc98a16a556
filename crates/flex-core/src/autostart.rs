//! "Start Flex MCP when I log in" (opt-in): on Linux an XDG autostart entry,
//! `<autostart_dir>/flex-mcp-desktop.desktop`, that starts the app with `--hidden` (tray only, no
//! window). The state is always read back from that file, so a person who removes it (or a
//! desktop's own "startup applications" tool that sets `Hidden=true` or
//! `X-GNOME-Autostart-enabled=false`) is believed.
//!
//! macOS and Windows (not built here): `tauri-plugin-autostart` does the same with a LaunchAgent
//! plist in `~/Library/LaunchAgents` (or an SMAppService login item) and the
//! `HKCU\Software\Microsoft\Windows\CurrentVersion\Run` registry value; both would pass `--hidden`.

use std::io::Write as _;
use std::path::Path;

use anyhow::Context as _;
use serde::Serialize;

use crate::Paths;

/// The entry's file name in the autostart folder.
pub const FILE_NAME: &str = "flex-mcp-desktop.desktop";

/// The argument that starts the app in the tray only.
pub const HIDDEN: &str = "--hidden";

/// Whether the app starts at login, read from the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StartAtLogin {
    /// On?
    pub enabled: bool,
    /// The autostart entry (written when on).
    pub path: String,
}

/// The state now.
pub fn state(paths: &Paths) -> StartAtLogin {
    let file = paths.autostart_dir.join(FILE_NAME);
    let enabled = std::fs::read_to_string(&file).is_ok_and(|text| is_enabled(&text));
    StartAtLogin {
        enabled,
        path: file.display().to_string(),
    }
}

/// Turn it on (the entry runs `app --hidden`) or off (the entry is removed). Returns the state
/// read back from the file.
///
/// # Errors
/// The autostart folder or file cannot be written or removed.
pub fn set(paths: &Paths, on: bool, app: &Path) -> anyhow::Result<StartAtLogin> {
    let file = paths.autostart_dir.join(FILE_NAME);
    if on {
        std::fs::create_dir_all(&paths.autostart_dir)
            .with_context(|| format!("creating {}", paths.autostart_dir.display()))?;
        let mut tmp = tempfile::NamedTempFile::new_in(&paths.autostart_dir)
            .with_context(|| format!("writing in {}", paths.autostart_dir.display()))?;
        tmp.write_all(entry(app).as_bytes())
            .and_then(|()| tmp.as_file().sync_all())
            .with_context(|| format!("writing {}", file.display()))?;
        tmp.persist(&file)
            .map_err(|e| e.error)
            .with_context(|| format!("saving {}", file.display()))?;
    } else {
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("removing {}", file.display())),
        }
    }
    Ok(state(paths))
}

/// The desktop entry for `app`.
fn entry(app: &Path) -> String {
    format!(
        "[Desktop Entry]\n\
         Type=Application\n\
         Name=Flex MCP\n\
         Comment=Keeps Flex MCP in the tray so your assistants can use Flex\n\
         Exec={} {HIDDEN}\n\
         Icon=flex-mcp-desktop\n\
         Terminal=false\n\
         X-GNOME-Autostart-enabled=true\n",
        exec_quote(&app.to_string_lossy())
    )
}

/// Quote one Exec argument as the Desktop Entry spec says: inside double quotes, `"`, `` ` ``,
/// `$` and `\` are escaped with a backslash; `%` is doubled (field codes).
fn exec_quote(arg: &str) -> String {
    let plain = arg
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/-_.+".contains(c));
    if plain {
        return arg.to_string();
    }
    let mut out = String::from("\"");
    for c in arg.chars() {
        match c {
            '"' | '`' | '$' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '%' => out.push_str("%%"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The entry starts something: it has an Exec line, and neither `Hidden=true` nor
/// `X-GNOME-Autostart-enabled=false` (how desktops switch an entry off without deleting it).
fn is_enabled(text: &str) -> bool {
    let mut exec = false;
    for line in text.lines().map(str::trim) {
        match line.split_once('=').map(|(k, v)| (k.trim(), v.trim())) {
            Some(("Exec", v)) if !v.is_empty() => exec = true,
            Some(("Hidden", "true") | ("X-GNOME-Autostart-enabled", "false")) => {
                return false;
            }
            _ => {}
        }
    }
    exec
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    fn sandbox() -> (tempfile::TempDir, Paths) {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::under(&dir.path().join("flex"), &dir.path().join("home"));
        (dir, paths)
    }

    /// The Exec line's words, unquoted as a desktop would (enough of the spec for our entry).
    fn exec_words(text: &str) -> Vec<String> {
        let exec = text.lines().find_map(|l| l.strip_prefix("Exec=")).unwrap();
        let mut words = Vec::new();
        let mut cur = String::new();
        let (mut quoted, mut escaped) = (false, false);
        for c in exec.chars() {
            if escaped {
                cur.push(c);
                escaped = false;
            } else if quoted && c == '\\' {
                escaped = true;
            } else if c == '"' {
                quoted = !quoted;
            } else if c == ' ' && !quoted {
                words.push(std::mem::take(&mut cur));
            } else {
                cur.push(c);
            }
        }
        words.push(cur);
        words.into_iter().map(|w| w.replace("%%", "%")).collect()
    }

    #[test]
    fn on_writes_an_autostart_entry_that_starts_the_app_hidden_and_off_removes_it() {
        let (_d, paths) = sandbox();
        let app = Path::new("/opt/Flex MCP/bin/flex-mcp-desktop");
        assert!(!state(&paths).enabled, "off until the person turns it on");

        let on = set(&paths, true, app).unwrap();
        assert!(on.enabled);
        let file = paths
            .home
            .join(".config/autostart/flex-mcp-desktop.desktop");
        assert_eq!(on.path, file.display().to_string());
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.starts_with("[Desktop Entry]\n"), "{text}");
        assert!(text.contains("\nType=Application\n"), "{text}");
        assert_eq!(
            exec_words(&text),
            ["/opt/Flex MCP/bin/flex-mcp-desktop", "--hidden"]
        );

        let off = set(&paths, false, app).unwrap();
        assert!(!off.enabled);
        assert!(!file.exists());
        assert!(
            !set(&paths, false, app).unwrap().enabled,
            "off twice is fine"
        );
    }

    #[test]
    fn the_state_is_read_from_the_file() {
        let (_d, paths) = sandbox();
        set(&paths, true, Path::new("/usr/bin/flex-mcp-desktop")).unwrap();
        let file = paths.autostart_dir.join(FILE_NAME);
        let text = std::fs::read_to_string(&file).unwrap();
        std::fs::write(&file, format!("{text}Hidden=true\n")).unwrap();
        assert!(!state(&paths).enabled, "a desktop switched it off");
        std::fs::write(
            &file,
            text.replace(
                "X-GNOME-Autostart-enabled=true",
                "X-GNOME-Autostart-enabled=false",
            ),
        )
        .unwrap();
        assert!(!state(&paths).enabled);
        std::fs::write(&file, text).unwrap();
        assert!(state(&paths).enabled);
    }

    #[test]
    fn awkward_program_paths_are_quoted_for_the_exec_line() {
        assert_eq!(
            exec_quote("/usr/bin/flex-mcp-desktop"),
            "/usr/bin/flex-mcp-desktop"
        );
        let odd = r#"/home/a "b"/$x/100%/c\d"#;
        let entry = entry(Path::new(odd));
        assert_eq!(exec_words(&entry), [odd, "--hidden"]);
    }
}
