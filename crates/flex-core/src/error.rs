//! Stable error codes for everything that reaches a user. Attach a [`Code`] as `anyhow` context;
//! the UI and the CLI switch on the code, never on message text.

use std::fmt;

/// A stable, machine-readable classification of an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[non_exhaustive]
pub enum Code {
    /// No credential for the current mode.
    NotSignedIn,
    /// The OS keychain could not be reached.
    KeychainUnavailable,
    /// The key is malformed or belongs to the other mode.
    InvalidKey,
    /// Flex refused the key (401) or a needed scope (403).
    KeyRejected,
    /// Flex could not be reached.
    Network,
    /// A client config file could not be parsed; it was left untouched.
    ConfigUnparsable,
    /// The client does not seem to be installed.
    ClientNotInstalled,
    /// Our settings file could not be read.
    SettingsUnreadable,
    /// The user declined a confirmation.
    Cancelled,
    /// Anything else.
    Unknown,
}

impl Code {
    /// The code's snake_case spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::NotSignedIn => "not_signed_in",
            Code::KeychainUnavailable => "keychain_unavailable",
            Code::InvalidKey => "invalid_key",
            Code::KeyRejected => "key_rejected",
            Code::Network => "network",
            Code::ConfigUnparsable => "config_unparsable",
            Code::ClientNotInstalled => "client_not_installed",
            Code::SettingsUnreadable => "settings_unreadable",
            Code::Cancelled => "cancelled",
            Code::Unknown => "unknown",
        }
    }

    /// Every code, for matching text.
    pub const ALL: [Code; 10] = [
        Code::NotSignedIn,
        Code::KeychainUnavailable,
        Code::InvalidKey,
        Code::KeyRejected,
        Code::Network,
        Code::ConfigUnparsable,
        Code::ClientNotInstalled,
        Code::SettingsUnreadable,
        Code::Cancelled,
        Code::Unknown,
    ];

    /// The code attached to an error, or [`Code::Unknown`]. Finds both ways of attaching one:
    /// `.context(Code::X)` (a context layer; only `downcast_ref` on the `anyhow::Error` sees it)
    /// and `anyhow::Error::new(Code::X).context("…")` (the root cause, seen by `chain()`).
    pub fn of(err: &anyhow::Error) -> Code {
        err.downcast_ref::<Code>()
            .copied()
            .or_else(|| err.chain().find_map(|e| e.downcast_ref::<Code>().copied()))
            .unwrap_or(Code::Unknown)
    }

    /// The error's message for people: every layer joined with ": ", without the code layers
    /// (the code is shown separately, and "network: could not reach Flex" reads badly).
    pub fn message(err: &anyhow::Error) -> String {
        let parts: Vec<String> = err
            .chain()
            .filter(|e| e.downcast_ref::<Code>().is_none())
            .map(ToString::to_string)
            .filter(|text| !Code::ALL.iter().any(|c| c.as_str() == text))
            .collect();
        parts.join(": ")
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::error::Error for Code {}

#[cfg(test)]
mod tests {
    use super::Code;
    use anyhow::Context as _;

    #[test]
    fn code_is_found_as_context_layer_and_as_root_cause() {
        let as_context = anyhow::anyhow!("could not reach Flex").context(Code::Network);
        assert_eq!(Code::of(&as_context), Code::Network);
        let wrapped = Err::<(), _>(as_context)
            .context("checking the key")
            .unwrap_err();
        assert_eq!(
            Code::of(&wrapped),
            Code::Network,
            "code survives further context"
        );

        let as_root = anyhow::Error::new(Code::InvalidKey).context("that is not a Flex key");
        assert_eq!(Code::of(&as_root), Code::InvalidKey);
        assert_eq!(Code::of(&anyhow::anyhow!("plain")), Code::Unknown);
    }

    #[test]
    fn message_leaves_out_code_layers() {
        let err = anyhow::anyhow!("could not reach Flex at http://127.0.0.1:9")
            .context(Code::Network)
            .context("checking the key");
        assert_eq!(
            Code::message(&err),
            "checking the key: could not reach Flex at http://127.0.0.1:9"
        );
        let root = anyhow::Error::new(Code::InvalidKey).context("that is not a Flex key");
        assert_eq!(Code::message(&root), "that is not a Flex key");
    }
}
