//! Sign in with Flex: the OAuth client for the hosted Flex MCP (MCP authorization spec, issue 9).
//! Discovery from the MCP address, dynamic registration, the browser sign-in on a loopback
//! redirect, the single-flight refresher, sign-out with revocation, and the sign-in's status.
//! Tokens and the registration live only in the secret store, one item each.

mod discovery;
mod error;
mod login;
mod refresher;
mod stored;
mod token;

pub use discovery::{Discovered, discover};
pub use error::OauthError;
pub use login::{Browser, DEFAULT_TIMEOUT, Link, LoginOptions, SignedIn, login};
pub use refresher::{
    Bearer, REFRESH_MARGIN_SECS, Refresher, SignInStatus, SignedOut, sign_out, status,
};
pub use stored::{Registration, slot};

/// The hosted Flex MCP endpoint for OAuth when nothing else is configured (§6.2).
pub const DEFAULT_MCP_URL: &str = "https://mcp.withflex.com";

/// The OAuth endpoint under a hosted MCP address: `https://mcp.withflex.com` →
/// `https://mcp.withflex.com/api/mcp/oauth`; an address that already names a path is kept.
pub fn oauth_endpoint(mcp_url: &str) -> String {
    let trimmed = mcp_url.trim().trim_end_matches('/');
    let after_scheme = trimmed.split_once("://").map_or(trimmed, |(_, r)| r);
    if after_scheme.contains('/') {
        trimmed.to_owned()
    } else {
        format!("{trimmed}/api/mcp/oauth")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_oauth_endpoint_is_added_to_a_bare_host() {
        assert_eq!(
            super::oauth_endpoint("https://mcp.withflex.com/"),
            "https://mcp.withflex.com/api/mcp/oauth"
        );
        assert_eq!(
            super::oauth_endpoint("http://127.0.0.1:9/api/mcp/oauth"),
            "http://127.0.0.1:9/api/mcp/oauth"
        );
    }
}
