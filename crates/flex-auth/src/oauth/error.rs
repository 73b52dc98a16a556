//! What can go wrong signing in with Flex, one plain sentence each, never with a token in it.

/// Sign-in, refresh and sign-out failures. `code()` gives a stable identifier.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OauthError {
    /// The hosted MCP address did not lead to an authorization server.
    #[error(
        "Could not find Flex's sign-in service from {url} ({detail}). Check the hosted MCP \
         address (FLEX_MCP_URL, or mcp_url in settings) and your network, then try again. \
         Nothing was stored."
    )]
    Discovery {
        /// The address we started from.
        url: String,
        /// What was missing or wrong.
        detail: String,
    },
    /// The authorization server does not offer PKCE S256 (MCP authorization spec: refuse).
    #[error(
        "Flex's sign-in service at {issuer} does not offer PKCE (S256), so signing in there would \
         not be safe. Nothing was stored."
    )]
    NoPkce {
        /// The issuer.
        issuer: String,
    },
    /// Dynamic client registration failed.
    #[error("Flex's sign-in service refused to register this app ({detail}). Nothing was stored.")]
    Registration {
        /// What the server said.
        detail: String,
    },
    /// The loopback listener could not be opened.
    #[error(
        "Could not listen on 127.0.0.1 port {port} for the browser's answer ({detail}). Close \
         the program using that port, or let the app pick a free one, and try again. Nothing \
         was stored."
    )]
    Listener {
        /// The port asked for (0 = any).
        port: u16,
        /// What the OS said.
        detail: String,
    },
    /// Nobody came back from the browser in time.
    #[error(
        "The sign-in was not finished in the browser within {seconds} seconds, so it was \
         cancelled. Nothing was stored. Start it again and finish it in the browser."
    )]
    TimedOut {
        /// How long we waited.
        seconds: u64,
    },
    /// The person cancelled the sign-in.
    #[error("The sign-in was cancelled. Nothing was stored.")]
    Cancelled,
    /// The browser came back with a `state` that is not ours.
    #[error(
        "The browser came back with an answer that does not belong to this sign-in (its state \
         does not match), so it was refused. Nothing was stored. Start the sign-in again."
    )]
    StateMismatch,
    /// The browser came back with an `iss` that is not the server we asked (RFC 9207).
    #[error(
        "The browser came back with an answer from another sign-in service ({got} instead of \
         {expected}), so it was refused. Nothing was stored. Start the sign-in again."
    )]
    IssuerMismatch {
        /// The issuer we started with.
        expected: String,
        /// What came back (or "none").
        got: String,
    },
    /// The person chose Deny.
    #[error(
        "Access was denied in the browser, so this app was not given access to Flex. Nothing \
         was stored. Sign in again and choose Allow to connect."
    )]
    Denied,
    /// The authorization server answered the browser with another error.
    #[error(
        "Flex's sign-in service refused the sign-in ({code}: {description}). Nothing was stored."
    )]
    Authorization {
        /// RFC 6749 error code.
        code: String,
        /// Its description.
        description: String,
    },
    /// The token endpoint answered with a server error.
    #[error(
        "Flex's sign-in service is having trouble (HTTP {status} from its token endpoint). Try \
         again in a minute. Nothing was stored."
    )]
    TokenServer {
        /// HTTP status.
        status: u16,
    },
    /// The token endpoint answered something that is not a token response.
    #[error(
        "Flex's sign-in service sent an answer that is not a valid token response. Try again in \
         a minute. Nothing was stored."
    )]
    TokenGarbage,
    /// The token endpoint refused the code or refresh token.
    #[error(
        "Flex's sign-in service refused the sign-in ({code}: {description}). Nothing was stored."
    )]
    TokenRefused {
        /// RFC 6749 error code.
        code: String,
        /// Its description.
        description: String,
    },
    /// The stored sign-in no longer works (refresh refused, tokens revoked): sign in again.
    #[error(
        "Your Flex sign-in has ended ({reason}). Sign in again with `flex-mcp login --oauth` or \
         \"Sign in with Flex\" in the app."
    )]
    SignInRequired {
        /// Why, in plain words.
        reason: String,
    },
    /// Nothing is stored.
    #[error("You are not signed in with Flex. Sign in with `flex-mcp login --oauth`.")]
    NotSignedIn,
    /// The network failed on the way to the sign-in service.
    #[error("Could not reach Flex's sign-in service ({detail}). Check your network and try again.")]
    Network {
        /// What failed (no secrets: URLs carry none).
        detail: String,
    },
    /// What the keychain holds for the sign-in is not readable.
    #[error(
        "The Flex sign-in stored in the system keychain is damaged ({detail}). Sign out with \
         `flex-mcp logout` and sign in again."
    )]
    StoredInvalid {
        /// What is wrong.
        detail: String,
    },
    /// The keychain failed.
    #[error(transparent)]
    Keychain(#[from] crate::Error),
}

impl OauthError {
    /// Stable identifier for scripts and support.
    pub fn code(&self) -> &'static str {
        match self {
            OauthError::Discovery { .. } => "oauth_discovery",
            OauthError::NoPkce { .. } => "oauth_no_pkce",
            OauthError::Registration { .. } => "oauth_registration",
            OauthError::Listener { .. } => "oauth_listener",
            OauthError::TimedOut { .. } => "oauth_timed_out",
            OauthError::Cancelled => "oauth_cancelled",
            OauthError::StateMismatch => "oauth_state_mismatch",
            OauthError::IssuerMismatch { .. } => "oauth_issuer_mismatch",
            OauthError::Denied => "oauth_denied",
            OauthError::Authorization { .. } => "oauth_authorization",
            OauthError::TokenServer { .. } => "oauth_token_server",
            OauthError::TokenGarbage => "oauth_token_garbage",
            OauthError::TokenRefused { .. } => "oauth_token_refused",
            OauthError::SignInRequired { .. } => "oauth_sign_in_required",
            OauthError::NotSignedIn => "oauth_not_signed_in",
            OauthError::Network { .. } => "oauth_network",
            OauthError::StoredInvalid { .. } => "oauth_stored_invalid",
            OauthError::Keychain(_) => "keychain",
        }
    }
}
