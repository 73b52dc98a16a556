//! Credentials: the secrets themselves live only in the OS keychain (through `flex-auth`, one
//! item per mode and kind); this module adds a small metadata file, `credentials.json` in the
//! config dir, recording which slots are filled and when each was last verified — never the
//! secret, not even a fragment of it, so status and doctor can answer without reading secrets.
//!
//! Every function takes the store explicitly (`*_in`) so tests use `MemoryStore`; the plain
//! forms use the keychain of this build.

use std::collections::BTreeMap;
use std::fmt::Display;

use chrono::{DateTime, Utc};
use flex_api::Mode;
use flex_auth::{ApiKey, KeyringStore, SecretKind, SecretStore, Slot, Verification};
use serde::{Deserialize, Serialize};

use crate::error::Code;
use crate::paths::Paths;
use crate::settings::write_atomic;

/// File name of the metadata, in the config dir.
pub const METADATA_FILE: &str = "credentials.json";

/// What we know about one filled slot (no secret in here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotRecord {
    /// Test or live.
    pub mode: Mode,
    /// `api_key`, later `oauth_access`, …
    pub kind: String,
    /// When the secret was stored.
    pub stored_at: DateTime<Utc>,
    /// When Flex last accepted it (the sign-in check); `None` if never verified.
    pub last_verified_at: Option<DateTime<Utc>>,
    /// Base URL it was verified against.
    #[serde(default)]
    pub verified_at_base_url: Option<String>,
    /// Scopes the check showed missing (a scoped key); empty for a full-access key.
    #[serde(default)]
    pub missing_scopes: Vec<String>,
}

/// The metadata file: slot account (`test:api_key`) → record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    /// Filled slots.
    #[serde(default)]
    pub slots: BTreeMap<String, SlotRecord>,
}

impl Metadata {
    /// The record of a slot, if it is filled.
    pub fn get(&self, slot: Slot) -> Option<&SlotRecord> {
        self.slots.get(&slot.account())
    }
}

/// An error carrying a [`Code`], whose `Display` is just the plain-English message.
fn fail(code: Code, message: impl Display) -> anyhow::Error {
    anyhow::Error::new(code).context(message.to_string())
}

/// Map a flex-auth error to our error with its code.
fn auth_error(e: &flex_auth::Error) -> anyhow::Error {
    let code = match e.code() {
        "keychain_unavailable" => Code::KeychainUnavailable,
        "invalid_key" => Code::InvalidKey,
        "key_rejected" => Code::KeyRejected,
        "network" => Code::Network,
        _ => Code::Unknown,
    };
    fail(code, e)
}

/// The keychain of this build (`com.withflex.mcp`, `.dev` for debug builds, or
/// `FLEX_MCP_KEYCHAIN_SERVICE` in tests).
pub fn keychain() -> anyhow::Result<KeyringStore> {
    KeyringStore::from_env().map_err(|e| auth_error(&e))
}

/// Read the metadata file; missing → empty. A damaged file is an error naming it and the fix.
pub fn load_metadata(paths: &Paths) -> anyhow::Result<Metadata> {
    let file = paths.config_dir.join(METADATA_FILE);
    let text = match std::fs::read_to_string(&file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Metadata::default()),
        Err(e) => {
            return Err(fail(
                Code::SettingsUnreadable,
                format!("could not read {}: {e}", file.display()),
            ));
        }
    };
    if text.trim().is_empty() {
        return Ok(Metadata::default());
    }
    serde_json::from_str(&text).map_err(|e| {
        fail(
            Code::SettingsUnreadable,
            format!(
                "{} is not valid (line {}, column {}: {e}). It holds no secrets: delete it and \
                 sign in again to rebuild it.",
                file.display(),
                e.line(),
                e.column()
            ),
        )
    })
}

fn save_metadata(paths: &Paths, meta: &Metadata) -> anyhow::Result<()> {
    let file = paths.config_dir.join(METADATA_FILE);
    let text = serde_json::to_string_pretty(meta).map_err(|e| {
        fail(
            Code::Unknown,
            format!("could not serialise credentials metadata: {e}"),
        )
    })?;
    write_atomic(&file, format!("{text}\n").as_bytes()).map_err(|e| {
        fail(
            Code::SettingsUnreadable,
            format!("could not write {}: {e}", file.display()),
        )
    })
}

/// The stored API key of `mode`, from this build's keychain. `Ok(None)` when not signed in.
/// The MCP server calls this lazily, on its first tool call.
pub fn api_key(paths: &Paths, mode: Mode) -> anyhow::Result<Option<String>> {
    api_key_in(&keychain()?, paths, mode)
}

/// [`api_key`] over any store.
///
/// When the keychain cannot be reached but the metadata says this slot was never filled, the
/// answer is `Ok(None)` ("not signed in"), not a keychain error: on a machine without a keyring
/// (CI, a server using `FLEX_API_KEY`) the truthful message is "sign in", not "unlock".
pub fn api_key_in(
    store: &dyn SecretStore,
    paths: &Paths,
    mode: Mode,
) -> anyhow::Result<Option<String>> {
    let slot = Slot::api_key(mode);
    match store.load(slot) {
        Ok(secret) => Ok(secret.map(flex_auth::Sensitive::into_inner)),
        Err(e) => {
            let recorded = load_metadata(paths).map_or(true, |m| m.get(slot).is_some());
            if recorded || !matches!(e, flex_auth::Error::KeychainUnavailable { .. }) {
                Err(auth_error(&e))
            } else {
                Ok(None)
            }
        }
    }
}

/// What `login --api-key` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignIn {
    /// The key's mode (its slot).
    pub mode: Mode,
    /// What Flex said.
    pub verification: Verification,
    /// A key was already stored in that slot and has been replaced.
    pub replaced: bool,
    /// Where it was verified.
    pub base_url: String,
}

/// Sign in with a pasted API key: check its format, verify it with one call to `base_url`, store
/// it in its mode's slot, and record the verification. Nothing is stored if any step fails.
/// A scoped key (403 on the check) is stored: it is a legitimate choice, and the caller warns
/// which scope is missing.
pub async fn sign_in_with_api_key(
    store: &dyn SecretStore,
    paths: &Paths,
    input: &str,
    base_url: &str,
) -> anyhow::Result<SignIn> {
    let key = ApiKey::parse(input).map_err(|e| fail(Code::InvalidKey, e))?;
    // A locked or absent keychain is found before the network call, so the user fixes that
    // first instead of verifying a key that cannot be stored. Other load errors (a bad or
    // duplicated old item) do not block: saving replaces or reports them.
    if let Err(e @ flex_auth::Error::KeychainUnavailable { .. }) =
        store.load(Slot::api_key(key.mode()))
    {
        return Err(auth_error(&e));
    }
    let verification = flex_auth::verify_api_key(&key, base_url)
        .await
        .map_err(|e| auth_error(&e))?;
    let base_url = base_url.trim().trim_end_matches('/').to_string();
    let replaced = save_api_key_in(store, paths, &key, &verification, &base_url)?;
    Ok(SignIn {
        mode: key.mode(),
        verification,
        replaced,
        base_url,
    })
}

/// Store a checked key in its mode's slot (in place) and record it. Returns whether a key was
/// already there.
pub fn save_api_key_in(
    store: &dyn SecretStore,
    paths: &Paths,
    key: &ApiKey,
    verification: &Verification,
    base_url: &str,
) -> anyhow::Result<bool> {
    let slot = Slot::api_key(key.mode());
    // A damaged metadata file must not block signing in; it is rebuilt from this record.
    let mut meta = load_metadata(paths).unwrap_or_default();
    let replaced = meta.get(slot).is_some() || matches!(store.load(slot), Ok(Some(_)));
    store.save(slot, key.secret()).map_err(|e| auth_error(&e))?;
    let now = Utc::now();
    meta.slots.insert(
        slot.account(),
        SlotRecord {
            mode: key.mode(),
            kind: SecretKind::ApiKey.as_str().to_string(),
            stored_at: now,
            last_verified_at: Some(now),
            verified_at_base_url: Some(base_url.to_string()),
            missing_scopes: match verification {
                Verification::Accepted => Vec::new(),
                Verification::Scoped { missing_scope, .. } => vec![missing_scope.clone()],
            },
        },
    );
    save_metadata(paths, &meta)?;
    Ok(replaced)
}

/// Record a successful re-verification (e.g. by `doctor`) of the stored key of `mode`. Does
/// nothing when the slot has no record.
pub fn mark_verified(
    paths: &Paths,
    mode: Mode,
    verification: &Verification,
    base_url: &str,
) -> anyhow::Result<()> {
    let mut meta = load_metadata(paths)?;
    let Some(record) = meta.slots.get_mut(&Slot::api_key(mode).account()) else {
        return Ok(());
    };
    record.last_verified_at = Some(Utc::now());
    record.verified_at_base_url = Some(base_url.trim().trim_end_matches('/').to_string());
    record.missing_scopes = match verification {
        Verification::Accepted => Vec::new(),
        Verification::Scoped { missing_scope, .. } => vec![missing_scope.clone()],
    };
    save_metadata(paths, &meta)
}

/// Remove every secret of `mode` (API key and any OAuth items) from this build's keychain.
pub fn delete(paths: &Paths, mode: Mode) -> anyhow::Result<Vec<SecretKind>> {
    delete_in(&keychain()?, paths, mode)
}

/// [`delete`] over any store. Returns the kinds that were actually removed.
pub fn delete_in(
    store: &dyn SecretStore,
    paths: &Paths,
    mode: Mode,
) -> anyhow::Result<Vec<SecretKind>> {
    let mut removed = Vec::new();
    for kind in SecretKind::ALL {
        let slot = Slot::new(mode, kind);
        if store.delete(slot).map_err(|e| auth_error(&e))? {
            removed.push(kind);
        }
    }
    let mut meta = load_metadata(paths).unwrap_or_default();
    let before = meta.slots.len();
    meta.slots.retain(|_, r| r.mode != mode);
    if meta.slots.len() != before || !removed.is_empty() {
        save_metadata(paths, &meta)?;
    }
    Ok(removed)
}

/// Remove only the API key of `mode` (and its record), leaving a Flex sign-in that uses the same
/// keychain mode's slots alone: signing out of a key on the Account page must not end the
/// browser sign-in (which reaches both modes and is ended by revoking it first). Returns
/// whether a key was removed.
///
/// # Errors
/// When the keychain or the metadata file cannot be changed.
pub fn delete_api_key_in(
    store: &dyn SecretStore,
    paths: &Paths,
    mode: Mode,
) -> anyhow::Result<bool> {
    let slot = Slot::api_key(mode);
    let removed = store.delete(slot).map_err(|e| auth_error(&e))?;
    let mut meta = load_metadata(paths).unwrap_or_default();
    if meta.slots.remove(&slot.account()).is_some() || removed {
        save_metadata(paths, &meta)?;
    }
    Ok(removed)
}

/// The metadata slot that records when the Flex sign-in was made (the tokens themselves stay in
/// the keychain; neither they nor the client ID are written here).
fn flex_record_slot() -> Slot {
    flex_auth::oauth::slot(SecretKind::OauthAccess)
}

/// Record that a Flex sign-in with `issuer` was just made (for "signed in … since" on the Account
/// page). A metadata file that cannot be written only loses that date, never the sign-in.
pub fn record_flex_sign_in(paths: &Paths, issuer: &str) {
    let mut meta = load_metadata(paths).unwrap_or_default();
    let now = Utc::now();
    meta.slots.insert(
        flex_record_slot().account(),
        SlotRecord {
            mode: Mode::Live,
            kind: SecretKind::OauthAccess.as_str().to_string(),
            stored_at: now,
            last_verified_at: Some(now),
            verified_at_base_url: Some(issuer.trim_end_matches('/').to_string()),
            missing_scopes: Vec::new(),
        },
    );
    if let Err(e) = save_metadata(paths, &meta) {
        tracing::warn!("could not record when the Flex sign-in was made: {e:#}");
    }
}

/// When the Flex sign-in was made, if recorded.
pub fn flex_signed_in_at(paths: &Paths) -> Option<DateTime<Utc>> {
    load_metadata(paths)
        .ok()?
        .get(flex_record_slot())
        .map(|r| r.stored_at)
}

/// Forget the record of the Flex sign-in (after signing out of it).
pub fn forget_flex_sign_in(paths: &Paths) {
    let Ok(mut meta) = load_metadata(paths) else {
        return;
    };
    if meta.slots.remove(&flex_record_slot().account()).is_some()
        && let Err(e) = save_metadata(paths, &meta)
    {
        tracing::warn!("could not update the credentials record after signing out: {e:#}");
    }
}

/// One slot as status and doctor show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotStatus {
    /// Which slot.
    pub slot: Slot,
    /// `Ok(true)` the keychain holds it; `Ok(false)` empty; `Err(message)` keychain trouble.
    pub in_keychain: Result<bool, String>,
    /// Its metadata, if recorded.
    pub record: Option<SlotRecord>,
}

impl SlotStatus {
    /// True when a usable key is stored.
    pub fn filled(&self) -> bool {
        matches!(self.in_keychain, Ok(true))
    }
}

/// The API key slot of each mode (test first), checked against the keychain. The secret is
/// read only to learn whether it exists, and dropped at once.
pub fn api_key_status_in(
    store: &dyn SecretStore,
    paths: &Paths,
) -> anyhow::Result<Vec<SlotStatus>> {
    let meta = load_metadata(paths)?;
    Ok([Mode::Test, Mode::Live]
        .into_iter()
        .map(|mode| {
            let slot = Slot::api_key(mode);
            SlotStatus {
                slot,
                in_keychain: store
                    .load(slot)
                    .map(|s| s.is_some())
                    .map_err(|e| e.to_string()),
                record: meta.get(slot).cloned(),
            }
        })
        .collect())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use flex_auth::{Failure, MemoryStore};

    fn paths() -> (tempfile::TempDir, Paths) {
        let dir = tempfile::tempdir().unwrap();
        let p = Paths::under(&dir.path().join("flex"), dir.path());
        (dir, p)
    }

    #[test]
    fn save_records_metadata_without_the_secret_and_delete_clears_it() {
        let (_d, paths) = paths();
        let store = MemoryStore::new();
        let key = ApiKey::parse("fsk_test_meta_secret_value").unwrap();
        let replaced =
            save_api_key_in(&store, &paths, &key, &Verification::Accepted, "http://x").unwrap();
        assert!(!replaced);
        assert_eq!(
            api_key_in(&store, &paths, Mode::Test).unwrap().as_deref(),
            Some("fsk_test_meta_secret_value")
        );
        assert_eq!(api_key_in(&store, &paths, Mode::Live).unwrap(), None);

        let text = std::fs::read_to_string(paths.config_dir.join(METADATA_FILE)).unwrap();
        assert!(text.contains("test:api_key"), "{text}");
        assert!(
            !text.contains("meta_secret"),
            "metadata must never hold the secret: {text}"
        );
        let meta = load_metadata(&paths).unwrap();
        assert!(
            meta.get(Slot::api_key(Mode::Test))
                .unwrap()
                .last_verified_at
                .is_some()
        );

        let replaced =
            save_api_key_in(&store, &paths, &key, &Verification::Accepted, "http://x").unwrap();
        assert!(replaced, "second sign-in replaces");
        assert_eq!(store.len(), 1, "one item per slot");

        assert_eq!(
            delete_in(&store, &paths, Mode::Test).unwrap(),
            vec![SecretKind::ApiKey]
        );
        assert!(delete_in(&store, &paths, Mode::Test).unwrap().is_empty());
        assert!(load_metadata(&paths).unwrap().slots.is_empty());
    }

    #[test]
    fn a_scoped_key_records_the_missing_scope() {
        let (_d, paths) = paths();
        let store = MemoryStore::new();
        let key = ApiKey::parse("fsk_scoped_live").unwrap();
        let v = Verification::Scoped {
            missing_scope: "products:read".into(),
            message: None,
        };
        save_api_key_in(&store, &paths, &key, &v, "http://x").unwrap();
        let status = api_key_status_in(&store, &paths).unwrap();
        assert!(!status[0].filled(), "test slot empty");
        assert!(status[1].filled(), "live slot filled");
        assert_eq!(
            status[1].record.as_ref().unwrap().missing_scopes,
            vec!["products:read".to_string()]
        );
    }

    #[test]
    fn a_broken_keychain_means_not_signed_in_only_when_nothing_was_ever_stored() {
        let (_d, paths) = paths();
        let store = MemoryStore::new();
        store.fail_with(Some(Failure::Unavailable));
        assert_eq!(
            api_key_in(&store, &paths, Mode::Test).unwrap(),
            None,
            "never signed in: the keychain's state is irrelevant"
        );
        store.fail_with(None);
        let key = ApiKey::parse("fsk_test_abc").unwrap();
        save_api_key_in(&store, &paths, &key, &Verification::Accepted, "http://x").unwrap();
        store.fail_with(Some(Failure::Unavailable));
        let err = api_key_in(&store, &paths, Mode::Test).unwrap_err();
        assert_eq!(Code::of(&err), Code::KeychainUnavailable);
        assert!(
            err.to_string()
                .starts_with("The system keychain is locked or not running.")
        );
    }

    #[test]
    fn a_failed_save_records_nothing() {
        let (_d, paths) = paths();
        let store = MemoryStore::new();
        store.fail_with(Some(Failure::Unavailable));
        let key = ApiKey::parse("fsk_test_abc").unwrap();
        let err =
            save_api_key_in(&store, &paths, &key, &Verification::Accepted, "http://x").unwrap_err();
        assert_eq!(Code::of(&err), Code::KeychainUnavailable);
        assert!(load_metadata(&paths).unwrap().slots.is_empty());
    }

    #[test]
    fn a_malformed_key_is_refused_with_its_code_before_any_request() {
        let (_d, paths) = paths();
        let store = MemoryStore::new();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        // The base URL is unroutable on purpose: a request would fail differently.
        let err = rt
            .block_on(sign_in_with_api_key(
                &store,
                &paths,
                "sk_live_nope",
                "http://192.0.2.1",
            ))
            .unwrap_err();
        assert_eq!(Code::of(&err), Code::InvalidKey);
        assert_eq!(store.saves(), 0);
    }
}
