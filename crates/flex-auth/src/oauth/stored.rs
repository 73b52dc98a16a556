//! The sign-in in the keychain: three items, each updated in place.
//! - `live:oauth_client`: the registration `{issuer, client_id, redirect_uri}`;
//! - `live:oauth_access`: `{access_token, expires_at, issuer, resource, token_endpoint, revocation_endpoint}`;
//! - `live:oauth_refresh`: the refresh token alone.
//!
//! One Flex sign-in reaches both modes (§6.3), so the items use the live slots of the reserved
//! OAuth kinds; a refresh writes the refresh item first, so a crash between the two writes leaves
//! a usable refresh token and a stale access token, never the reverse.

use serde::{Deserialize, Serialize};

use super::OauthError;
use crate::{Mode, SecretKind, SecretStore, Sensitive, Slot};

/// The slot of one OAuth item.
pub fn slot(kind: SecretKind) -> Slot {
    Slot::new(Mode::Live, kind)
}

/// A dynamic client registration (not secret for a public client, but kept with the tokens).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    /// The issuer it belongs to: re-register when the server changes.
    pub issuer: String,
    /// Our client ID there.
    pub client_id: String,
    /// The redirect URI registered (loopback; the port may change per sign-in).
    pub redirect_uri: String,
}

/// The access token and what is needed to refresh and revoke it.
#[derive(Clone, Serialize, Deserialize)]
pub(super) struct AccessRecord {
    /// The bearer token.
    pub access_token: String,
    /// Unix seconds.
    pub expires_at: i64,
    /// Issuer.
    pub issuer: String,
    /// Audience.
    pub resource: String,
    /// Where to refresh.
    pub token_endpoint: String,
    /// Where to revoke, if offered.
    pub revocation_endpoint: Option<String>,
}

impl std::fmt::Debug for AccessRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessRecord")
            .field("access_token", &"[redacted]")
            .field("expires_at", &self.expires_at)
            .field("issuer", &self.issuer)
            .field("resource", &self.resource)
            .finish_non_exhaustive()
    }
}

fn load_json<T: for<'de> Deserialize<'de>>(
    store: &dyn SecretStore,
    kind: SecretKind,
) -> Result<Option<T>, OauthError> {
    let Some(text) = store.load(slot(kind))? else {
        return Ok(None);
    };
    serde_json::from_str(text.expose())
        .map(Some)
        .map_err(|_| OauthError::StoredInvalid {
            detail: format!("the {} is not readable", kind.describe()),
        })
}

fn save_json<T: Serialize>(
    store: &dyn SecretStore,
    kind: SecretKind,
    value: &T,
) -> Result<(), OauthError> {
    let text = serde_json::to_string(value).map_err(|_| OauthError::StoredInvalid {
        detail: format!("the {} could not be written", kind.describe()),
    })?;
    store.save(slot(kind), &Sensitive::new(text))?;
    Ok(())
}

/// The stored registration.
pub(super) fn load_registration(
    store: &dyn SecretStore,
) -> Result<Option<Registration>, OauthError> {
    load_json(store, SecretKind::OauthClient)
}

/// Store the registration (in place).
pub(super) fn save_registration(
    store: &dyn SecretStore,
    r: &Registration,
) -> Result<(), OauthError> {
    save_json(store, SecretKind::OauthClient, r)
}

/// The stored access record.
pub(super) fn load_access(store: &dyn SecretStore) -> Result<Option<AccessRecord>, OauthError> {
    load_json(store, SecretKind::OauthAccess)
}

/// The stored refresh token.
pub(super) fn load_refresh(
    store: &dyn SecretStore,
) -> Result<Option<Sensitive<String>>, OauthError> {
    Ok(store.load(slot(SecretKind::OauthRefresh))?)
}

/// Store a token pair: refresh first, then access (see the module text).
pub(super) fn save_tokens(
    store: &dyn SecretStore,
    access: &AccessRecord,
    refresh: Option<&Sensitive<String>>,
) -> Result<(), OauthError> {
    if let Some(r) = refresh {
        store.save(slot(SecretKind::OauthRefresh), r)?;
    }
    save_json(store, SecretKind::OauthAccess, access)
}

/// Remove the tokens (the registration stays for the next sign-in). Returns whether any existed.
pub(super) fn delete_tokens(store: &dyn SecretStore) -> Result<bool, OauthError> {
    let a = store.delete(slot(SecretKind::OauthAccess))?;
    let r = store.delete(slot(SecretKind::OauthRefresh))?;
    Ok(a || r)
}

/// Remove everything of the sign-in, registration included.
pub(super) fn delete_all(store: &dyn SecretStore) -> Result<bool, OauthError> {
    let tokens = delete_tokens(store)?;
    let client = store.delete(slot(SecretKind::OauthClient))?;
    Ok(tokens || client)
}
