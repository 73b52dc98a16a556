//! Our entry: what we write, and what we found when we read a config back.

use std::path::Path;

/// The stdio entry we write: an absolute program path and its arguments. No `env`, no secrets:
/// the program finds credentials in the OS keychain by itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredEntry {
    /// Absolute path of the `flex-mcp` program.
    pub command: String,
    /// Arguments, `["stdio"]` for us.
    pub args: Vec<String>,
    /// Whether to write `"type": "stdio"` (VS Code requires it).
    pub stdio_type: bool,
}

/// What a config currently holds under our server name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FoundEntry {
    /// The entry is not an object at all (e.g. a string).
    pub not_an_object: bool,
    /// `command`, when it is a string.
    pub command: Option<String>,
    /// `args`, when it is an array of strings.
    pub args: Option<Vec<String>>,
    /// `type`, when it is a string.
    pub transport_type: Option<String>,
    /// A `url`/`serverUrl`/`httpUrl` key: a remote entry, which is not what we write.
    pub has_url: bool,
}

impl FoundEntry {
    /// Why this entry is not `desired`, in plain words, or `None` when it matches. Paths are
    /// compared as written, then after resolving symlinks (so `/usr/local/bin/flex-mcp` linking
    /// to the same program counts as the same).
    pub fn mismatch(&self, desired: &DesiredEntry) -> Option<String> {
        if self.not_an_object {
            return Some("the entry is not an object".to_string());
        }
        let Some(command) = &self.command else {
            return Some(if self.has_url {
                "the entry points to a web address instead of the flex-mcp program".to_string()
            } else {
                "the entry has no command".to_string()
            });
        };
        if !same_program(command, &desired.command) {
            return Some(if Path::new(command).exists() {
                format!("it runs a different program ({command})")
            } else {
                format!("it runs {command}, which does not exist")
            });
        }
        if self.args.as_deref() != Some(desired.args.as_slice()) {
            return Some(format!(
                "it passes {} instead of {:?}",
                self.args
                    .as_ref()
                    .map_or_else(|| "no arguments".to_string(), |a| format!("{a:?}")),
                desired.args
            ));
        }
        match (&self.transport_type, desired.stdio_type) {
            (None, true) => Some("it lacks \"type\": \"stdio\"".to_string()),
            (Some(t), _) if t != "stdio" => {
                Some(format!("its type is \"{t}\" instead of \"stdio\""))
            }
            _ => None,
        }
    }
}

fn same_program(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn desired(stdio_type: bool) -> DesiredEntry {
        DesiredEntry {
            command: "/opt/flex/flex-mcp".into(),
            args: vec!["stdio".into()],
            stdio_type,
        }
    }

    fn found(command: &str, args: &[&str], ty: Option<&str>) -> FoundEntry {
        FoundEntry {
            command: Some(command.into()),
            args: Some(args.iter().map(|s| (*s).to_string()).collect()),
            transport_type: ty.map(str::to_string),
            ..FoundEntry::default()
        }
    }

    #[test]
    fn matching_entry_has_no_mismatch() {
        assert_eq!(
            found("/opt/flex/flex-mcp", &["stdio"], None).mismatch(&desired(false)),
            None
        );
        assert_eq!(
            found("/opt/flex/flex-mcp", &["stdio"], Some("stdio")).mismatch(&desired(true)),
            None
        );
    }

    #[test]
    fn each_difference_is_named() {
        let d = desired(true);
        let missing = found("/gone/flex-mcp", &["stdio"], Some("stdio"))
            .mismatch(&d)
            .unwrap();
        assert!(missing.contains("does not exist"), "{missing}");
        let args = found("/opt/flex/flex-mcp", &["serve"], Some("stdio"))
            .mismatch(&d)
            .unwrap();
        assert!(args.contains("serve"), "{args}");
        let ty = found("/opt/flex/flex-mcp", &["stdio"], None)
            .mismatch(&d)
            .unwrap();
        assert!(ty.contains("type"), "{ty}");
        let remote = FoundEntry {
            has_url: true,
            ..FoundEntry::default()
        };
        assert!(remote.mismatch(&d).unwrap().contains("web address"));
    }
}
