//! The one error type of this crate. Every message is a plain-English sentence that names the
//! file and says how to fix the problem, because the CLI and the app show it as is.

use std::path::PathBuf;

/// What went wrong while reading or changing a client's config.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientsError {
    /// The file is not valid in its format. It was not changed.
    #[error(
        "{path} could not be read: {message} at line {line}, column {column}. Nothing was changed. \
         {fix}",
        path = path.display()
    )]
    Unparsable {
        /// The config file.
        path: PathBuf,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// What the parser found.
        message: String,
        /// How to fix it.
        fix: String,
    },
    /// The file parses, but a key we need holds the wrong kind of value. It was not changed.
    #[error(
        "{path}: \"{key}\" at line {line}, column {column} is {found}, but it must be an object. \
         Nothing was changed. Make it an object (`{{}}`) or delete it, then try again.",
        path = path.display()
    )]
    UnexpectedShape {
        /// The config file.
        path: PathBuf,
        /// The key (or `top level`).
        key: String,
        /// What kind of value is there.
        found: &'static str,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// The file is not UTF-8 text.
    #[error(
        "{path} is not UTF-8 text, so it cannot be a valid config. Nothing was changed. Save it as \
         UTF-8 (or move it away so a new one is created), then try again.",
        path = path.display()
    )]
    NotUtf8 {
        /// The config file.
        path: PathBuf,
    },
    /// The binary path cannot be written into a config.
    #[error(
        "the flex-mcp program path {path} {problem}. Run flex-mcp from its installed location \
         (an absolute path with a UTF-8 name).",
        path = path.display()
    )]
    BadBinaryPath {
        /// The binary path given.
        path: PathBuf,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// A backup asked for by name is not among this client's backups.
    #[error(
        "there is no backup called {name} in {dir}. Nothing was changed. Choose one of the \
         backups listed for this assistant.",
        dir = dir.display()
    )]
    NoSuchBackup {
        /// The name asked for.
        name: String,
        /// The client's backup folder.
        dir: PathBuf,
    },
    /// A file-system operation failed.
    #[error("could not {action} {path}: {source}", path = path.display())]
    Io {
        /// What we were doing, as a verb phrase ("read", "write the backup of").
        action: &'static str,
        /// The file involved.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

impl ClientsError {
    /// Whether this error means the config file itself is broken (the "config broken" status).
    pub fn is_broken_config(&self) -> bool {
        matches!(
            self,
            ClientsError::Unparsable { .. }
                | ClientsError::UnexpectedShape { .. }
                | ClientsError::NotUtf8 { .. }
        )
    }

    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        ClientsError::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

/// A problem found in a document's text, before we know which file it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DocError {
    Syntax {
        line: usize,
        column: usize,
        message: String,
        fix: String,
    },
    Shape {
        key: String,
        found: &'static str,
        line: usize,
        column: usize,
    },
}

impl DocError {
    pub(crate) fn with_path(self, path: PathBuf) -> ClientsError {
        match self {
            DocError::Syntax {
                line,
                column,
                message,
                fix,
            } => ClientsError::Unparsable {
                path,
                line,
                column,
                message,
                fix,
            },
            DocError::Shape {
                key,
                found,
                line,
                column,
            } => ClientsError::UnexpectedShape {
                path,
                key,
                found,
                line,
                column,
            },
        }
    }
}

/// 1-based line and column (in characters) of byte offset `pos` in `text`.
pub(crate) fn line_column(text: &str, pos: usize) -> (usize, usize) {
    let pos = pos.min(text.len());
    let before = text.get(..pos).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_is_one_based() {
        assert_eq!(line_column("ab\ncd", 0), (1, 1));
        assert_eq!(line_column("ab\ncd", 4), (2, 2));
        assert_eq!(line_column("é\nx", 3), (2, 1));
    }

    #[test]
    fn unparsable_message_names_file_position_and_fix() {
        let err = DocError::Syntax {
            line: 3,
            column: 7,
            message: "a comma is missing".into(),
            fix: "Add the comma.".into(),
        }
        .with_path("/h/.cursor/mcp.json".into());
        let text = err.to_string();
        assert!(text.contains("/h/.cursor/mcp.json"), "{text}");
        assert!(text.contains("line 3, column 7"), "{text}");
        assert!(text.contains("Nothing was changed"), "{text}");
        assert!(text.contains("Add the comma."), "{text}");
        assert!(err.is_broken_config());
    }
}
