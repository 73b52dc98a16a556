//! The secret-store abstraction: one secret per (mode, kind) slot.

use std::fmt;

use flex_api::Mode;

use crate::{Error, Sensitive};

/// What a secret is. Only `ApiKey` is written today; the OAuth kinds are reserved so their
/// keychain account names are fixed before the first one is ever stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SecretKind {
    /// A Flex secret key, `fsk_…` / `fsk_test_…`.
    ApiKey,
    /// OAuth access token for the hosted Flex MCP server.
    OauthAccess,
    /// OAuth refresh token (lives only in the keychain).
    OauthRefresh,
    /// OAuth dynamic client registration (client id / secret).
    OauthClient,
}

impl SecretKind {
    /// Every kind, in a stable order.
    pub const ALL: [SecretKind; 4] = [
        SecretKind::ApiKey,
        SecretKind::OauthAccess,
        SecretKind::OauthRefresh,
        SecretKind::OauthClient,
    ];

    /// The snake_case name used in keychain account names and metadata.
    pub fn as_str(self) -> &'static str {
        match self {
            SecretKind::ApiKey => "api_key",
            SecretKind::OauthAccess => "oauth_access",
            SecretKind::OauthRefresh => "oauth_refresh",
            SecretKind::OauthClient => "oauth_client",
        }
    }

    /// Plain words for messages ("API key").
    pub fn describe(self) -> &'static str {
        match self {
            SecretKind::ApiKey => "API key",
            SecretKind::OauthAccess => "OAuth access token",
            SecretKind::OauthRefresh => "OAuth refresh token",
            SecretKind::OauthClient => "OAuth client registration",
        }
    }
}

impl fmt::Display for SecretKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where one secret lives: exactly one keychain item per slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Slot {
    /// Test or live.
    pub mode: Mode,
    /// Which secret.
    pub kind: SecretKind,
}

impl Slot {
    /// A slot.
    pub fn new(mode: Mode, kind: SecretKind) -> Slot {
        Slot { mode, kind }
    }

    /// The API key slot of a mode.
    pub fn api_key(mode: Mode) -> Slot {
        Slot::new(mode, SecretKind::ApiKey)
    }

    /// The keychain account name, e.g. `test:api_key`. Stable: changing it orphans stored items.
    pub fn account(self) -> String {
        format!("{}:{}", self.mode.as_str(), self.kind.as_str())
    }
}

impl fmt::Display for Slot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.mode, self.kind.describe())
    }
}

/// Load, save and delete secrets by slot. Implementations update in place (never duplicate) and
/// never put the secret into an error.
pub trait SecretStore: Send + Sync {
    /// The secret in `slot`, or `None` when nothing is stored there.
    fn load(&self, slot: Slot) -> Result<Option<Sensitive<String>>, Error>;
    /// Store `secret` in `slot`, replacing what was there.
    fn save(&self, slot: Slot, secret: &Sensitive<String>) -> Result<(), Error>;
    /// Remove the secret in `slot`. `Ok(true)` if something was removed, `Ok(false)` if the slot
    /// was already empty.
    fn delete(&self, slot: Slot) -> Result<bool, Error>;
    /// Where secrets go, for status output ("system keychain (service com.withflex.mcp)").
    fn describe(&self) -> String;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_names_are_distinct_per_mode_and_kind() {
        let mut seen = std::collections::HashSet::new();
        for mode in [Mode::Test, Mode::Live] {
            for kind in SecretKind::ALL {
                assert!(seen.insert(Slot::new(mode, kind).account()));
            }
        }
        assert_eq!(Slot::api_key(Mode::Test).account(), "test:api_key");
    }
}
