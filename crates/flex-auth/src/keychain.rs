//! The OS keychain through the `keyring` crate: macOS Keychain, Windows Credential Manager, and
//! on Linux the D-Bus Secret Service (GNOME Keyring, KWallet).
//!
//! On Linux we talk to the Secret Service only, not to kernel keyutils: a keyutils session
//! keyring is tied to one login session (it silently loses items in a fresh shell, see
//! platform-notes §5), and a keyutils cache in front of the Secret Service would be a second copy
//! of every secret that can go stale when another process signs out.

use flex_api::Mode;

use crate::store::{SecretStore, Slot};
use crate::{Error, Sensitive};

/// Environment variable that points tests at their own keychain service. Only values starting
/// with `com.withflex.mcp` are accepted, so it can never reach another application's items.
pub const SERVICE_ENV: &str = "FLEX_MCP_KEYCHAIN_SERVICE";

const RELEASE_SERVICE: &str = "com.withflex.mcp";
const DEV_SERVICE: &str = "com.withflex.mcp.dev";

/// The keychain service of this build: release builds use `com.withflex.mcp`, debug builds
/// `com.withflex.mcp.dev`, so a development build never reads or overwrites a real install's keys.
pub fn default_service() -> &'static str {
    if cfg!(debug_assertions) {
        DEV_SERVICE
    } else {
        RELEASE_SERVICE
    }
}

/// Secrets in the OS keychain: one item per (service, `mode:kind` account).
#[derive(Debug, Clone)]
pub struct KeyringStore {
    service: String,
}

impl KeyringStore {
    /// A store under an explicit service name (tests use a unique one each).
    pub fn new(service: impl Into<String>) -> KeyringStore {
        KeyringStore {
            service: service.into(),
        }
    }

    /// The store of this build: [`default_service`], or `FLEX_MCP_KEYCHAIN_SERVICE` when set.
    pub fn from_env() -> Result<KeyringStore, Error> {
        match std::env::var(SERVICE_ENV) {
            Ok(v) if !v.trim().is_empty() => {
                if v.starts_with(RELEASE_SERVICE) {
                    Ok(KeyringStore::new(v))
                } else {
                    Err(Error::InvalidServiceOverride)
                }
            }
            _ => Ok(KeyringStore::new(default_service())),
        }
    }

    /// The service name items are stored under.
    pub fn service(&self) -> &str {
        &self.service
    }

    fn entry(&self, slot: Slot) -> Result<keyring::Entry, Error> {
        let account = slot.account();
        // Linux: build the Secret Service credential explicitly rather than through keyring's
        // process-global default builder, which anything in the process could have replaced.
        #[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
        let entry =
            keyring::secret_service::SsCredential::new_with_target(None, &self.service, &account)
                .map(|c| keyring::Entry::new_with_credential(Box::new(c)));
        #[cfg(not(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd")))]
        let entry = keyring::Entry::new(&self.service, &account);
        entry.map_err(|e| map_error(e, slot))
    }
}

impl KeyringStore {
    /// Remove every item matching the slot. On the Secret Service a credential rebuilt from one
    /// duplicate still matches all of them, so search without requiring uniqueness instead.
    #[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
    fn delete_every_match(
        &self,
        slot: Slot,
        _items: Vec<Box<keyring::credential::Credential>>,
    ) -> Result<bool, Error> {
        let credential = keyring::secret_service::SsCredential::new_with_target(
            None,
            &self.service,
            &slot.account(),
        )
        .map_err(|e| map_error(e, slot))?;
        let removed = credential
            .map_matching_items(keyring::secret_service::delete_item, false)
            .map_err(|e| map_error(e, slot))?;
        Ok(!removed.is_empty())
    }

    /// Remove every item matching the slot (each credential addresses exactly one item here).
    #[cfg(not(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd")))]
    // The same signature as the Secret Service one above, which needs `self.service`.
    #[allow(clippy::unused_self)]
    fn delete_every_match(
        &self,
        slot: Slot,
        items: Vec<Box<keyring::credential::Credential>>,
    ) -> Result<bool, Error> {
        for item in items {
            match item.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => {}
                Err(e) => return Err(map_error(e, slot)),
            }
        }
        Ok(true)
    }
}

/// Turn a keyring error into ours. Deliberately drops `BadEncoding`'s payload (it is the secret).
fn map_error(err: keyring::Error, slot: Slot) -> Error {
    match err {
        keyring::Error::NoStorageAccess(e) | keyring::Error::PlatformFailure(e) => {
            Error::KeychainUnavailable {
                detail: e.to_string(),
            }
        }
        keyring::Error::Ambiguous(items) => Error::KeychainDuplicate {
            slot: slot.to_string(),
            mode: slot.mode.as_str().to_string(),
            count: items.len(),
        },
        keyring::Error::BadEncoding(_) => Error::StoredSecretInvalid {
            slot: slot.to_string(),
            mode: slot.mode.as_str().to_string(),
            reason: "it is not text".to_string(),
        },
        keyring::Error::TooLong(attr, limit) => Error::KeychainRejected {
            slot: slot.to_string(),
            detail: format!("`{attr}` is longer than the platform limit of {limit}"),
        },
        keyring::Error::Invalid(attr, reason) => Error::KeychainRejected {
            slot: slot.to_string(),
            detail: format!("`{attr}` is invalid: {reason}"),
        },
        // NoEntry is handled by callers; anything newer is reported without its payload.
        other => Error::KeychainUnavailable {
            detail: match other {
                keyring::Error::NoEntry => "no item".to_string(),
                _ => "unrecognised keychain error".to_string(),
            },
        },
    }
}

/// A stored API key must belong to its slot's mode: a live key in the test slot would silently
/// touch real money, so it is refused rather than used.
fn check_mode(slot: Slot, secret: &str) -> Result<(), Error> {
    if slot.kind != crate::SecretKind::ApiKey {
        return Ok(());
    }
    match Mode::of_key(secret) {
        Some(m) if m == slot.mode => Ok(()),
        Some(m) => Err(Error::StoredSecretInvalid {
            slot: slot.to_string(),
            mode: slot.mode.as_str().to_string(),
            reason: format!("it is a {m} key in the {} slot", slot.mode),
        }),
        None => Err(Error::StoredSecretInvalid {
            slot: slot.to_string(),
            mode: slot.mode.as_str().to_string(),
            reason: "it is not a Flex secret key".to_string(),
        }),
    }
}

impl SecretStore for KeyringStore {
    fn load(&self, slot: Slot) -> Result<Option<Sensitive<String>>, Error> {
        match self.entry(slot)?.get_password() {
            Ok(secret) => {
                check_mode(slot, &secret)?;
                Ok(Some(Sensitive::new(secret)))
            }
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_error(e, slot)),
        }
    }

    fn save(&self, slot: Slot, secret: &Sensitive<String>) -> Result<(), Error> {
        check_mode(slot, secret.expose())?;
        // keyring updates the unique matching item in place and creates one only when none
        // exists; duplicates surface as `Ambiguous` and are reported, never added to.
        self.entry(slot)?
            .set_password(secret.expose())
            .map_err(|e| map_error(e, slot))
    }

    fn delete(&self, slot: Slot) -> Result<bool, Error> {
        match self.entry(slot)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            // Duplicates: delete every one, which is exactly what `logout` promises as the fix.
            Err(keyring::Error::Ambiguous(items)) => self.delete_every_match(slot, items),
            Err(e) => Err(map_error(e, slot)),
        }
    }

    fn describe(&self) -> String {
        let what = if cfg!(target_os = "macos") {
            "macOS Keychain"
        } else if cfg!(target_os = "windows") {
            "Windows Credential Manager"
        } else {
            "Secret Service keyring"
        };
        format!("{what} (service {})", self.service)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_builds_use_the_dev_service() {
        // Unit tests are debug builds: they must never address a release install's items.
        assert_eq!(default_service(), "com.withflex.mcp.dev");
    }

    #[test]
    fn a_key_of_the_other_mode_is_refused_before_reaching_the_keychain() {
        let store = KeyringStore::new("com.withflex.mcp.unit-never-touched");
        let err = store
            .save(
                Slot::api_key(Mode::Test),
                &Sensitive::new("fsk_live_not_a_test_key".to_string()),
            )
            .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("live key in the test slot"), "{msg}");
        assert!(
            !msg.contains("fsk_live_not_a_test_key"),
            "never echo the key: {msg}"
        );
    }
}
