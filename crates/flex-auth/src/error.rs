//! The one error type of this crate. Every message is plain English, names what went wrong and
//! how to fix it, and never contains a secret (not even a fragment of one).

use crate::api_key::KeyFormatError;

/// How to get the platform's keychain going again, in the user's words.
fn keychain_fix() -> &'static str {
    if cfg!(target_os = "macos") {
        "Unlock your login keychain (open Keychain Access, or log out and in again) and try again."
    } else if cfg!(target_os = "windows") {
        "Make sure you are signed in to Windows and that Credential Manager works, then try again."
    } else {
        "Log in to a desktop session whose keyring (GNOME Keyring or KWallet) is unlocked, then \
         try again. On a machine without a desktop, start one first: \
         `dbus-run-session -- sh -c 'echo -n PASSWORD | gnome-keyring-daemon --unlock && flex-mcp …'`."
    }
}

/// Failures of the secret store and of API key checks. `code()` gives a stable identifier.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The OS keychain could not be reached, is locked, or refused access.
    #[error("The system keychain is locked or not running. {fix} (details: {detail})", fix = keychain_fix())]
    KeychainUnavailable {
        /// What the platform said (never contains a secret).
        detail: String,
    },
    /// The keychain holds several items for one slot (someone created duplicates by hand, or an
    /// old version did). Reads are ambiguous until they are removed.
    #[error(
        "The system keychain holds {count} items for the {slot} instead of one. Run \
         `flex-mcp logout --mode {mode}` to remove them all, then sign in again."
    )]
    KeychainDuplicate {
        /// e.g. "test API key".
        slot: String,
        /// Mode word for the fix.
        mode: String,
        /// How many items matched.
        count: usize,
    },
    /// The keychain refused the item itself (attribute too long, invalid).
    #[error("The system keychain refused the {slot}: {detail}")]
    KeychainRejected {
        /// e.g. "test API key".
        slot: String,
        /// What the platform said.
        detail: String,
    },
    /// What the keychain holds for a slot is not usable (not UTF-8, or a key of the other mode).
    #[error(
        "The {slot} stored in the system keychain is not valid ({reason}). Run \
         `flex-mcp logout --mode {mode}` and sign in again with `flex-mcp login --api-key`."
    )]
    StoredSecretInvalid {
        /// e.g. "live API key".
        slot: String,
        /// Mode word for the fix.
        mode: String,
        /// Why, without the secret.
        reason: String,
    },
    /// `FLEX_MCP_KEYCHAIN_SERVICE` does not name one of our services.
    #[error(
        "FLEX_MCP_KEYCHAIN_SERVICE must start with `com.withflex.mcp` (it only exists to give \
         tests their own keychain items); unset it or fix its value."
    )]
    InvalidServiceOverride,
    /// The key is malformed; nothing was sent to Flex.
    #[error(transparent)]
    InvalidKey(#[from] KeyFormatError),
    /// Flex answered 401: the key is unknown, revoked or mistyped.
    #[error(
        "Flex did not accept this key (HTTP 401 from {base_url}). Check that you copied the whole \
         key from https://dashboard.withflex.com/apikeys and that it has not been deleted, then \
         try again. Nothing was stored."
    )]
    KeyRejected {
        /// Where we asked.
        base_url: String,
    },
    /// Flex could not be reached at all.
    #[error(
        "Could not reach Flex at {base_url} ({detail}). Check your internet connection, or the \
         base URL (settings `api_base` / FLEX_API_BASE), and try again. Nothing was stored."
    )]
    Network {
        /// Where we tried.
        base_url: String,
        /// Connect / timeout / TLS, in a few words.
        detail: String,
    },
    /// Flex answered, but is rate limiting or failing (429 / 5xx).
    #[error(
        "Flex at {base_url} is busy or having trouble (HTTP {status}), so the key could not be \
         checked. Try again in a minute. Nothing was stored."
    )]
    FlexUnavailable {
        /// Where we asked.
        base_url: String,
        /// 429 or 5xx.
        status: u16,
    },
    /// Any other answer to the verification call.
    #[error(
        "Flex at {base_url} answered the key check with HTTP {status}{message}, which we did not \
         expect. Check the base URL (settings `api_base` / FLEX_API_BASE). Nothing was stored."
    )]
    UnexpectedResponse {
        /// Where we asked.
        base_url: String,
        /// Status code.
        status: u16,
        /// ": <Flex's message>" or empty.
        message: String,
    },
    /// The configured base URL cannot be used.
    #[error(
        "The Flex base URL `{base_url}` is not usable ({detail}). Set a full URL such as \
         https://api.withflex.com in settings `api_base` or FLEX_API_BASE."
    )]
    InvalidBaseUrl {
        /// The configured value.
        base_url: String,
        /// Why.
        detail: String,
    },
}

impl Error {
    /// A stable, machine-readable code (matches `flex_core::Code` spellings where they overlap).
    pub fn code(&self) -> &'static str {
        match self {
            Error::KeychainUnavailable { .. }
            | Error::KeychainDuplicate { .. }
            | Error::KeychainRejected { .. }
            | Error::StoredSecretInvalid { .. }
            | Error::InvalidServiceOverride => "keychain_unavailable",
            Error::InvalidKey(_) => "invalid_key",
            Error::KeyRejected { .. } => "key_rejected",
            Error::Network { .. } | Error::FlexUnavailable { .. } => "network",
            Error::UnexpectedResponse { .. } | Error::InvalidBaseUrl { .. } => "unknown",
        }
    }
}
