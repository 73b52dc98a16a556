//! The Account page: per mode which key is stored (never more than its last 4 characters), when
//! Flex last accepted it, what it may not do; and signing out of a mode. `flex-mcp logout` and
//! the window both sign out through [`sign_out_in`].

use flex_api::Mode;
use flex_auth::{SecretKind, SecretStore, Slot};
use serde::Serialize;

use crate::credentials;
use crate::paths::Paths;

/// One mode's API key as the Account page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct StoredKey {
    /// Test or live.
    #[cfg_attr(feature = "ts", ts(as = "crate::bindings::ModeName"))]
    pub mode: Mode,
    /// The last 4 characters of the stored key, when one is stored.
    pub last4: Option<String>,
    /// When it was stored (RFC 3339).
    pub stored_at: Option<String>,
    /// When Flex last accepted it (RFC 3339); `None` if never checked.
    pub verified_at: Option<String>,
    /// Permissions the key lacks (empty: full access).
    pub missing_scopes: Vec<String>,
    /// The keychain could not be read for this mode: what happened, in words.
    pub trouble: Option<String>,
}

/// The last 4 characters of `secret` (all of it when shorter: such a key is refused at sign-in).
pub(crate) fn last4(secret: &str) -> String {
    let n = secret.chars().count();
    secret.chars().skip(n.saturating_sub(4)).collect()
}

/// Both modes' keys, test first. The secret is read only to take its last 4 characters.
///
/// # Errors
/// When the credentials metadata file cannot be read.
pub fn list_in(store: &dyn SecretStore, paths: &Paths) -> anyhow::Result<Vec<StoredKey>> {
    let meta = credentials::load_metadata(paths)?;
    Ok([Mode::Test, Mode::Live]
        .into_iter()
        .map(|mode| {
            let slot = Slot::api_key(mode);
            let record = meta.get(slot);
            let (last4, trouble) = match store.load(slot) {
                Ok(Some(secret)) => (Some(last4(secret.expose())), None),
                Ok(None) => (None, None),
                Err(e) => (None, Some(e.to_string())),
            };
            let stored = last4.is_some();
            StoredKey {
                mode,
                last4,
                stored_at: record.filter(|_| stored).map(|r| r.stored_at.to_rfc3339()),
                verified_at: record
                    .filter(|_| stored)
                    .and_then(|r| r.last_verified_at)
                    .map(|t| t.to_rfc3339()),
                missing_scopes: record
                    .filter(|_| stored)
                    .map(|r| r.missing_scopes.clone())
                    .unwrap_or_default(),
                trouble,
            }
        })
        .collect())
}

/// Sign out of `mode`'s API key: remove it from the keychain and its metadata. Returns what was
/// removed (empty: nothing was stored). The Flex sign-in is not touched: it reaches both modes
/// and is ended only by revoking it first (`browser_sign_in::sign_out`, which `flex-mcp logout`
/// runs before this for live mode).
///
/// # Errors
/// When the keychain or the metadata file cannot be changed.
pub fn sign_out_in(
    store: &dyn SecretStore,
    paths: &Paths,
    mode: Mode,
) -> anyhow::Result<Vec<SecretKind>> {
    Ok(if credentials::delete_api_key_in(store, paths, mode)? {
        vec![SecretKind::ApiKey]
    } else {
        Vec::new()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use flex_auth::{ApiKey, MemoryStore, Verification};

    #[test]
    fn shows_only_the_last_four_and_sign_out_clears_the_mode() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::under(dir.path(), dir.path());
        let store = MemoryStore::new();
        let empty = list_in(&store, &paths).unwrap();
        assert!(
            empty
                .iter()
                .all(|k| k.last4.is_none() && k.verified_at.is_none())
        );

        let key = ApiKey::parse("fsk_test_account_page_wxyz").unwrap();
        credentials::save_api_key_in(&store, &paths, &key, &Verification::Accepted, "http://x")
            .unwrap();
        let keys = list_in(&store, &paths).unwrap();
        assert_eq!(keys[0].mode, Mode::Test);
        assert_eq!(keys[0].last4.as_deref(), Some("wxyz"));
        assert!(keys[0].verified_at.is_some() && keys[0].stored_at.is_some());
        assert!(keys[0].missing_scopes.is_empty());
        assert_eq!(keys[1].mode, Mode::Live);
        assert_eq!(keys[1].last4, None);
        let shown = serde_json::to_string(&keys).unwrap();
        assert!(
            !shown.contains("account_page"),
            "more than 4 characters shown: {shown}"
        );

        assert_eq!(
            sign_out_in(&store, &paths, Mode::Test).unwrap(),
            vec![SecretKind::ApiKey]
        );
        assert!(list_in(&store, &paths).unwrap()[0].last4.is_none());
        assert!(sign_out_in(&store, &paths, Mode::Test).unwrap().is_empty());
    }

    #[test]
    fn signing_out_of_the_live_key_leaves_the_flex_sign_in() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::under(dir.path(), dir.path());
        let store = MemoryStore::new();
        let key = ApiKey::parse("fsk_live_account_page_wxyz").unwrap();
        credentials::save_api_key_in(&store, &paths, &key, &Verification::Accepted, "http://x")
            .unwrap();
        let refresh = flex_auth::oauth::slot(SecretKind::OauthRefresh);
        store
            .save(
                refresh,
                &flex_auth::Sensitive::new("a refresh token".to_owned()),
            )
            .unwrap();
        credentials::record_flex_sign_in(&paths, "http://issuer");
        assert_eq!(
            sign_out_in(&store, &paths, Mode::Live).unwrap(),
            vec![SecretKind::ApiKey]
        );
        assert!(
            store.load(refresh).unwrap().is_some(),
            "the Flex sign-in shares the live slots but is not the key: it stays"
        );
        assert!(credentials::flex_signed_in_at(&paths).is_some());
        assert!(list_in(&store, &paths).unwrap()[1].last4.is_none());
    }
}
