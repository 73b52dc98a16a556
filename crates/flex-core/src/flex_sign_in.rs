//! The Flex sign-in as the host uses it: the one [`Refresher`] of the process (the single owner
//! of the tokens, so a rotated refresh token is never presented twice) and the one gateway to
//! the hosted MCP that uses it. Which mode it serves is decided by `key_rule::sign_in_for`.

use std::sync::Arc;

use flex_auth::oauth::{self, OauthError, Refresher, SignInStatus};
use flex_auth::{SecretStore, Sensitive};
use flex_mcp::gateway::{BoxFuture, Credentials, Gateway};
use flex_mcp::server::NotReady;

/// The host's Flex sign-in: the keychain items, their refresher, the gateway.
pub struct FlexSignIn {
    store: Arc<dyn SecretStore>,
    refresher: Arc<Refresher>,
    gateway: Arc<Gateway>,
}

impl std::fmt::Debug for FlexSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlexSignIn").finish_non_exhaustive()
    }
}

impl FlexSignIn {
    /// A sign-in over the OAuth items in `store`, serving the hosted MCP at `mcp_url` (a bare host
    /// gets `/api/mcp/oauth`, as for `login --oauth`).
    ///
    /// # Errors
    /// When no HTTP client can be built.
    pub fn new(store: Arc<dyn SecretStore>, mcp_url: &str) -> anyhow::Result<FlexSignIn> {
        let endpoint = oauth::oauth_endpoint(mcp_url);
        let refresher = Arc::new(Refresher::new(store.clone())?);
        let credentials = Arc::new(RefresherCredentials {
            refresher: refresher.clone(),
            endpoint: endpoint.clone(),
        });
        let gateway = Arc::new(Gateway::new(endpoint, credentials)?);
        Ok(FlexSignIn {
            store,
            refresher,
            gateway,
        })
    }

    /// Whether tokens are stored (a keychain read: callers cache it).
    pub fn signed_in(&self) -> bool {
        matches!(
            oauth::status(self.store.as_ref()),
            Ok(SignInStatus::SignedIn { .. })
        )
    }

    /// The gateway to the hosted MCP.
    pub fn gateway(&self) -> Arc<Gateway> {
        self.gateway.clone()
    }

    /// The process's one refresher (the app listens to `ended()` and calls `reset()` after a new
    /// sign-in).
    pub fn refresher(&self) -> &Arc<Refresher> {
        &self.refresher
    }
}

/// The gateway's tokens, from the refresher; sent only to the audience they were issued for.
struct RefresherCredentials {
    refresher: Arc<Refresher>,
    endpoint: String,
}

impl Credentials for RefresherCredentials {
    fn bearer(&self) -> BoxFuture<'_, Result<String, NotReady>> {
        Box::pin(async move {
            let bearer = self.refresher.bearer().await.map_err(|e| not_ready(&e))?;
            if bearer.resource.trim_end_matches('/') != self.endpoint.trim_end_matches('/') {
                return Err(NotReady::new(
                    "oauth_sign_in_required",
                    "the Flex sign-in was made for another hosted MCP address than the one in \
                     settings. The user can sign in again with `flex-mcp login --oauth`, or from \
                     the Flex MCP app",
                ));
            }
            Ok(bearer.token.expose().clone())
        })
    }

    fn rejected<'a>(&'a self, token: &'a str) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            self.refresher
                .rejected(&Sensitive::new(token.to_owned()))
                .await;
        })
    }
}

fn not_ready(e: &OauthError) -> NotReady {
    let message = e.to_string();
    let message = message.trim_end().trim_end_matches('.').to_owned();
    NotReady::new(e.code(), message)
}
