//! Stable error codes for everything that reaches a user. Attach a [`Code`] as `anyhow` context;
//! the UI and the CLI switch on the code, never on message text.

use std::fmt;

/// A stable, machine-readable classification of an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
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

    /// The code attached anywhere in an error's chain, or [`Code::Unknown`].
    pub fn of(err: &anyhow::Error) -> Code {
        err.chain()
            .find_map(|e| e.downcast_ref::<Code>().copied())
            .unwrap_or(Code::Unknown)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::error::Error for Code {}
