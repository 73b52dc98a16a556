//! The one owner of the tokens while the app runs. Callers ask for a bearer token; when it is
//! about to expire, exactly one of them refreshes (the others wait on the same lock and then read
//! the new token), so concurrent calls never present the same refresh token twice — which the
//! server would treat as theft (reuse detection) and answer by revoking the sign-in.
//!
//! A refused refresh ends the sign-in once: the tokens are deleted, one notice is published, and
//! every later call fails at once with "sign in again" without touching the network or opening a
//! browser. A refresh that fails for a passing reason (5xx, network) leaves everything as it was.

use std::sync::Arc;

use tokio::sync::{Mutex, watch};

use super::login::chrono_now;
use super::stored::{self, AccessRecord};
use super::{OauthError, token};
use crate::{SecretStore, Sensitive};

/// Refresh this many seconds before the stated expiry.
pub const REFRESH_MARGIN_SECS: i64 = 60;

/// A bearer token for the hosted MCP, and the resource it is for.
#[derive(Debug, Clone)]
pub struct Bearer {
    /// The access token.
    pub token: Sensitive<String>,
    /// Audience: send it there only.
    pub resource: String,
}

#[derive(Default)]
struct Inner {
    access: Option<AccessRecord>,
    ended: Option<String>,
}

/// The single-flight refresher.
pub struct Refresher {
    store: Arc<dyn SecretStore>,
    http: reqwest::Client,
    inner: Mutex<Inner>,
    ended: watch::Sender<Option<String>>,
}

impl std::fmt::Debug for Refresher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Refresher").finish_non_exhaustive()
    }
}

impl Refresher {
    /// A refresher over the keychain items in `store`.
    pub fn new(store: Arc<dyn SecretStore>) -> Result<Self, OauthError> {
        Ok(Self {
            store,
            http: token::http_client()?,
            inner: Mutex::new(Inner::default()),
            ended: watch::channel(None).0,
        })
    }

    /// Publishes `Some(reason)` once when the sign-in ends (refresh refused).
    pub fn ended(&self) -> watch::Receiver<Option<String>> {
        self.ended.subscribe()
    }

    /// A valid access token, refreshed first if it expires within [`REFRESH_MARGIN_SECS`].
    pub async fn bearer(&self) -> Result<Bearer, OauthError> {
        let mut inner = self.inner.lock().await;
        if let Some(reason) = &inner.ended {
            return Err(OauthError::SignInRequired {
                reason: reason.clone(),
            });
        }
        if inner.access.is_none() {
            inner.access = stored::load_access(self.store.as_ref())?;
        }
        let Some(access) = inner.access.clone() else {
            return Err(OauthError::NotSignedIn);
        };
        if access.expires_at - REFRESH_MARGIN_SECS > chrono_now() {
            return Ok(Bearer {
                token: Sensitive::new(access.access_token),
                resource: access.resource,
            });
        }
        let fresh = self.refresh_locked(&mut inner, &access).await?;
        Ok(Bearer {
            token: Sensitive::new(fresh.access_token.clone()),
            resource: fresh.resource,
        })
    }

    /// The hosted server refused `token` (401): treat it as expired, so the next
    /// [`bearer`](Self::bearer) refreshes. Tokens already replaced are ignored.
    pub async fn rejected(&self, token: &Sensitive<String>) {
        let mut inner = self.inner.lock().await;
        if let Some(a) = inner.access.as_mut()
            && a.access_token == *token.expose()
        {
            a.expires_at = 0;
        }
    }

    async fn refresh_locked(
        &self,
        inner: &mut Inner,
        access: &AccessRecord,
    ) -> Result<AccessRecord, OauthError> {
        let store = self.store.as_ref();
        let registration = stored::load_registration(store)?;
        let refresh = stored::load_refresh(store)?;
        let (Some(registration), Some(refresh)) = (registration, refresh) else {
            return Err(self.end(inner, "the stored sign-in is incomplete"));
        };
        let result = token::refresh(
            &self.http,
            &access.token_endpoint,
            &registration.client_id,
            &refresh,
            &access.resource,
        )
        .await;
        let grant = match result {
            Ok(g) => g,
            Err(OauthError::TokenRefused { code, description }) => {
                if code == "invalid_client" {
                    let _ = store.delete(stored::slot(crate::SecretKind::OauthClient));
                }
                return Err(self.end(inner, &format!("Flex refused to renew it: {description}")));
            }
            Err(other) => return Err(other),
        };
        let next = AccessRecord {
            access_token: grant.access.expose().clone(),
            expires_at: chrono_now()
                + grant
                    .expires_in
                    .map_or(3600, |e| i64::try_from(e.as_secs()).unwrap_or(3600)),
            ..access.clone()
        };
        // Kept in memory before writing: if the keychain write fails, this process still holds
        // the rotated refresh token's successor and never replays the old one.
        inner.access = Some(next.clone());
        stored::save_tokens(store, &next, grant.refresh.as_ref())?;
        Ok(next)
    }

    fn end(&self, inner: &mut Inner, reason: &str) -> OauthError {
        let _ = stored::delete_tokens(self.store.as_ref());
        inner.access = None;
        inner.ended = Some(reason.to_owned());
        self.ended.send_replace(Some(reason.to_owned()));
        OauthError::SignInRequired {
            reason: reason.to_owned(),
        }
    }

    /// Forget the ended state after a new sign-in.
    pub async fn reset(&self) {
        let mut inner = self.inner.lock().await;
        *inner = Inner::default();
        self.ended.send_replace(None);
    }
}

/// What sign-out did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedOut {
    /// The server confirmed the revocation.
    pub revoked: bool,
    /// Keychain items were removed.
    pub removed: bool,
}

/// Sign out: revoke the refresh token (its whole sign-in) at the server, then delete every
/// item. The items are deleted even when the server cannot be reached; `revoked` says so.
pub async fn sign_out(store: &dyn SecretStore) -> Result<SignedOut, OauthError> {
    let access = stored::load_access(store).ok().flatten();
    let refresh = stored::load_refresh(store)?;
    let registration = stored::load_registration(store).ok().flatten();
    let mut revoked = false;
    if let (Some(a), Some(r)) = (&access, &registration)
        && let Some(endpoint) = &a.revocation_endpoint
    {
        let http = token::http_client()?;
        let target = refresh.clone().map_or_else(
            || (Sensitive::new(a.access_token.clone()), "access_token"),
            |t| (t, "refresh_token"),
        );
        revoked = token::revoke(&http, endpoint, &r.client_id, &target.0, target.1)
            .await
            .is_ok();
    }
    let removed = stored::delete_all(store)?;
    Ok(SignedOut { revoked, removed })
}

/// The sign-in as status and doctor show it (never a token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInStatus {
    /// Nothing stored.
    SignedOut,
    /// Tokens stored.
    SignedIn {
        /// Authorization server.
        issuer: String,
        /// Hosted MCP resource.
        resource: String,
        /// Unix seconds; in the past means the next call refreshes.
        expires_at: i64,
        /// A refresh token is stored.
        can_refresh: bool,
    },
}

/// Read the sign-in's state from the keychain.
pub fn status(store: &dyn SecretStore) -> Result<SignInStatus, OauthError> {
    let Some(a) = stored::load_access(store)? else {
        return Ok(SignInStatus::SignedOut);
    };
    Ok(SignInStatus::SignedIn {
        issuer: a.issuer,
        resource: a.resource,
        expires_at: a.expires_at,
        can_refresh: stored::load_refresh(store)?.is_some(),
    })
}
