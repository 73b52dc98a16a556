//! What the authorization server remembers: users, registered clients, authorization requests in
//! progress, codes, tokens and their families, and the `/__sim/oauth` controls. Pure state and
//! rules, no HTTP: the routes in `super` translate.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// Access-token lifetime unless `/__sim/oauth` changes it (Flex: "short-lived", §2.3).
pub const DEFAULT_ACCESS_TTL: Duration = Duration::from_secs(3600);
/// An authorization code is good for this long, once.
pub const CODE_TTL: Duration = Duration::from_secs(120);
/// A sign-in page left open longer than this must start again.
pub const REQUEST_TTL: Duration = Duration::from_secs(600);

/// 32 random bytes, base64url: codes, tokens, client and request IDs.
pub fn random_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// RFC 7636 S256: `BASE64URL(SHA256(verifier)) == challenge`.
pub fn pkce_matches(verifier: &str, challenge: &str) -> bool {
    let digest = Sha256::digest(verifier.as_bytes());
    URL_SAFE_NO_PAD.encode(digest) == challenge
}

/// A client registered through RFC 7591.
#[derive(Debug, Clone)]
pub struct Client {
    /// Shown on the consent page.
    pub name: String,
    /// Registered redirect URIs (loopback ones match on any port, RFC 8252 §7.3).
    pub redirect_uris: Vec<String>,
}

impl Client {
    /// Whether `uri` is one of the registered redirect URIs.
    pub fn allows_redirect(&self, uri: &str) -> bool {
        self.redirect_uris
            .iter()
            .any(|r| r == uri || loopback_without_port(r) == loopback_without_port(uri))
    }
}

/// `http://127.0.0.1:PORT/path` → `Some("http://127.0.0.1/path")`; anything else → `None`.
fn loopback_without_port(uri: &str) -> Option<String> {
    let rest = uri.strip_prefix("http://")?;
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = authority.rsplit_once(':').map_or(authority, |(h, _)| h);
    (host == "127.0.0.1" || host == "[::1]" || host == "localhost")
        .then(|| format!("http://{host}/{path}"))
}

/// An authorization request between the authorize link and the consent decision.
#[derive(Debug, Clone)]
pub struct Pending {
    /// Registered client.
    pub client_id: String,
    /// Where the answer goes.
    pub redirect_uri: String,
    /// The client's `state`, echoed back.
    pub state: Option<String>,
    /// PKCE S256 challenge.
    pub code_challenge: String,
    /// RFC 8707 resource the token will be bound to.
    pub resource: String,
    /// Requested scope, echoed into the token response.
    pub scope: String,
    /// The signed-in user, once the sign-in form succeeded.
    pub user: Option<String>,
    /// When the request began.
    pub started: Instant,
}

/// An issued, unused authorization code.
#[derive(Debug, Clone)]
pub struct Code {
    /// The request it answers.
    pub request: Pending,
    /// The user who approved.
    pub user: String,
    /// Issued at.
    pub issued: Instant,
}

/// A live access token.
#[derive(Debug, Clone)]
pub struct AccessToken {
    /// Dashboard user.
    pub user: String,
    /// Audience (RFC 8707).
    pub resource: String,
    /// Refresh family it belongs to.
    pub family: u64,
    /// Expiry.
    pub expires: Instant,
}

/// A refresh token; used ones are kept to detect replays.
#[derive(Debug, Clone)]
pub struct RefreshToken {
    /// Dashboard user.
    pub user: String,
    /// Client it was issued to.
    pub client_id: String,
    /// Audience.
    pub resource: String,
    /// Scope.
    pub scope: String,
    /// Family (one per sign-in).
    pub family: u64,
    /// Already exchanged once.
    pub used: bool,
}

/// How the token endpoint misbehaves, from `/__sim/oauth`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenFault {
    /// 503 with an OAuth error body.
    ServerError,
    /// 200 with a body that is not JSON.
    Garbage,
}

/// The test controls and counters under `/__sim/oauth`.
#[derive(Debug, Clone, Serialize)]
pub struct Controls {
    /// Lifetime of newly issued access tokens, in seconds.
    pub access_token_ttl_secs: u64,
    /// The next refresh-token grant fails with `invalid_grant` (and its family is revoked).
    pub fail_next_refresh: bool,
    /// The next `token_fault_count` token requests fail this way.
    pub token_fault: Option<TokenFault>,
    /// See `token_fault`.
    pub token_fault_count: u32,
    /// Successful refresh-token grants.
    pub refresh_count: u64,
    /// Refresh attempts that failed (any reason).
    pub refresh_failures: u64,
    /// Replays of a used refresh token (each revoked a family).
    pub reuse_detected: u64,
    /// Authorization-code grants that issued tokens.
    pub code_exchanges: u64,
    /// Revocation requests that found a token.
    pub revocations: u64,
    /// Dynamic registrations.
    pub registrations: u64,
    /// The hosted MCP also lists [`crate::hosted_mcp::tools::PREVIEW`], a tool no local
    /// catalogue knows (how a newer hosted server looks to an older client).
    pub hosted_preview_tool: bool,
}

impl Default for Controls {
    fn default() -> Self {
        Self {
            access_token_ttl_secs: DEFAULT_ACCESS_TTL.as_secs(),
            fail_next_refresh: false,
            hosted_preview_tool: false,
            token_fault: None,
            token_fault_count: 0,
            refresh_count: 0,
            refresh_failures: 0,
            reuse_detected: 0,
            code_exchanges: 0,
            revocations: 0,
            registrations: 0,
        }
    }
}

/// Why a token grant failed: the RFC 6749 §5.2 error code and a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantError {
    /// `invalid_grant`, `invalid_client`, `invalid_request`, `invalid_target`.
    pub code: &'static str,
    /// Human text for `error_description`.
    pub description: String,
}

fn grant_error(code: &'static str, description: impl Into<String>) -> GrantError {
    GrantError {
        code,
        description: description.into(),
    }
}

/// Tokens handed out by a successful grant.
#[derive(Debug, Clone)]
pub struct Issued {
    /// Access token.
    pub access_token: String,
    /// Rotated refresh token.
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Granted scope.
    pub scope: String,
}

/// Why an access token was not accepted (for the `WWW-Authenticate` description).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenProblem {
    /// Never issued, or revoked.
    Unknown,
    /// Past its lifetime.
    Expired,
    /// Issued for another resource.
    WrongAudience,
}

/// The authorization server's memory.
#[derive(Debug, Default)]
pub struct AuthServer {
    /// Dashboard users: email → password.
    pub users: HashMap<String, String>,
    /// Registered clients by `client_id`.
    pub clients: HashMap<String, Client>,
    /// Authorization requests in progress, by request ID.
    pub pending: HashMap<String, Pending>,
    /// Unused codes.
    pub codes: HashMap<String, Code>,
    /// Access tokens.
    pub access: HashMap<String, AccessToken>,
    /// Refresh tokens, used and unused.
    pub refresh: HashMap<String, RefreshToken>,
    /// Families revoked by sign-out or reuse detection.
    pub revoked_families: HashSet<u64>,
    /// Controls and counters.
    pub controls: Controls,
    next_family: u64,
}

impl AuthServer {
    /// Add or replace a dashboard user.
    pub fn add_user(&mut self, email: &str, password: &str) {
        self.users
            .insert(email.to_ascii_lowercase(), password.to_owned());
    }

    /// Check a sign-in; the canonical email on success.
    pub fn sign_in(&self, email: &str, password: &str) -> Option<String> {
        let email = email.trim().to_ascii_lowercase();
        (self.users.get(&email).map(String::as_str) == Some(password)).then_some(email)
    }

    /// Register a client; returns its ID.
    pub fn register(&mut self, client: Client) -> String {
        let id = random_token("fcli_");
        self.clients.insert(id.clone(), client);
        self.controls.registrations += 1;
        id
    }

    /// Turn an approved request into a single-use code.
    pub fn issue_code(&mut self, request: Pending, user: String) -> String {
        let code = random_token("fcode_");
        self.codes.insert(
            code.clone(),
            Code {
                request,
                user,
                issued: Instant::now(),
            },
        );
        code
    }

    fn issue(
        &mut self,
        user: &str,
        client_id: &str,
        resource: &str,
        scope: &str,
        family: u64,
    ) -> Issued {
        let ttl = self.controls.access_token_ttl_secs;
        let access_token = random_token("fat_");
        let refresh_token = random_token("frt_");
        self.access.insert(
            access_token.clone(),
            AccessToken {
                user: user.to_owned(),
                resource: resource.to_owned(),
                family,
                expires: Instant::now() + Duration::from_secs(ttl),
            },
        );
        self.refresh.insert(
            refresh_token.clone(),
            RefreshToken {
                user: user.to_owned(),
                client_id: client_id.to_owned(),
                resource: resource.to_owned(),
                scope: scope.to_owned(),
                family,
                used: false,
            },
        );
        Issued {
            access_token,
            refresh_token,
            expires_in: ttl,
            scope: scope.to_owned(),
        }
    }

    /// The next armed token-endpoint fault, consuming one.
    pub fn take_token_fault(&mut self) -> Option<TokenFault> {
        if self.controls.token_fault_count == 0 {
            return None;
        }
        self.controls.token_fault_count -= 1;
        let fault = self.controls.token_fault;
        if self.controls.token_fault_count == 0 {
            self.controls.token_fault = None;
        }
        fault
    }

    /// `grant_type=authorization_code`: code, client, redirect URI, PKCE verifier and resource all
    /// have to match the authorization request.
    pub fn exchange_code(
        &mut self,
        code: &str,
        client_id: &str,
        redirect_uri: &str,
        verifier: &str,
        resource: Option<&str>,
    ) -> Result<Issued, GrantError> {
        let Some(found) = self.codes.remove(code) else {
            return Err(grant_error(
                "invalid_grant",
                "the authorization code is unknown or was already used",
            ));
        };
        if found.issued.elapsed() > CODE_TTL {
            return Err(grant_error(
                "invalid_grant",
                "the authorization code expired",
            ));
        }
        let request = &found.request;
        if request.client_id != client_id {
            return Err(grant_error(
                "invalid_grant",
                "the authorization code was issued to another client",
            ));
        }
        if request.redirect_uri != redirect_uri {
            return Err(grant_error(
                "invalid_grant",
                "redirect_uri differs from the one in the authorization request",
            ));
        }
        if !pkce_matches(verifier, &request.code_challenge) {
            return Err(grant_error(
                "invalid_grant",
                "code_verifier does not match the code_challenge (PKCE S256)",
            ));
        }
        match resource {
            None => {
                return Err(grant_error(
                    "invalid_target",
                    "the resource parameter (RFC 8707) is required",
                ));
            }
            Some(r) if r != request.resource => {
                return Err(grant_error(
                    "invalid_target",
                    "resource differs from the one in the authorization request",
                ));
            }
            Some(_) => {}
        }
        self.next_family += 1;
        let family = self.next_family;
        self.controls.code_exchanges += 1;
        let (user, resource, scope) = (
            found.user.clone(),
            request.resource.clone(),
            request.scope.clone(),
        );
        Ok(self.issue(&user, client_id, &resource, &scope, family))
    }

    /// `grant_type=refresh_token` with rotation: the presented token becomes used; presenting a
    /// used one again revokes its whole family (OAuth 2.1 §4.3.1, reuse detection).
    pub fn refresh(
        &mut self,
        token: &str,
        client_id: &str,
        resource: Option<&str>,
    ) -> Result<Issued, GrantError> {
        let result = self.refresh_inner(token, client_id, resource);
        match &result {
            Ok(_) => self.controls.refresh_count += 1,
            Err(_) => self.controls.refresh_failures += 1,
        }
        result
    }

    fn refresh_inner(
        &mut self,
        token: &str,
        client_id: &str,
        resource: Option<&str>,
    ) -> Result<Issued, GrantError> {
        let Some(found) = self.refresh.get(token).cloned() else {
            return Err(grant_error("invalid_grant", "the refresh token is unknown"));
        };
        if self.revoked_families.contains(&found.family) {
            return Err(grant_error(
                "invalid_grant",
                "the refresh token was revoked; sign in again",
            ));
        }
        if found.used {
            self.controls.reuse_detected += 1;
            self.revoke_family(found.family);
            return Err(grant_error(
                "invalid_grant",
                "the refresh token was already used; every token of this sign-in is now revoked",
            ));
        }
        if found.client_id != client_id {
            return Err(grant_error(
                "invalid_grant",
                "the refresh token was issued to another client",
            ));
        }
        if resource.is_some_and(|r| r != found.resource) {
            return Err(grant_error(
                "invalid_target",
                "resource differs from the one the refresh token was issued for",
            ));
        }
        if std::mem::take(&mut self.controls.fail_next_refresh) {
            self.revoke_family(found.family);
            return Err(grant_error(
                "invalid_grant",
                "the refresh token is no longer valid (simulated); sign in again",
            ));
        }
        if let Some(t) = self.refresh.get_mut(token) {
            t.used = true;
        }
        Ok(self.issue(
            &found.user,
            &found.client_id,
            &found.resource,
            &found.scope,
            found.family,
        ))
    }

    /// Revoke every token of a family.
    pub fn revoke_family(&mut self, family: u64) {
        self.revoked_families.insert(family);
        self.access.retain(|_, t| t.family != family);
    }

    /// RFC 7009: revoke the family of an access or refresh token. `true` if the token was known.
    pub fn revoke(&mut self, token: &str) -> bool {
        let family = self
            .refresh
            .get(token)
            .map(|t| t.family)
            .or_else(|| self.access.get(token).map(|t| t.family));
        if let Some(family) = family {
            self.revoke_family(family);
            self.controls.revocations += 1;
            true
        } else {
            false
        }
    }

    /// The user behind a bearer access token meant for `resource`.
    pub fn authenticate(&self, token: &str, resource: &str) -> Result<String, TokenProblem> {
        let t = self.access.get(token).ok_or(TokenProblem::Unknown)?;
        if self.revoked_families.contains(&t.family) {
            return Err(TokenProblem::Unknown);
        }
        if Instant::now() >= t.expires {
            return Err(TokenProblem::Expired);
        }
        if t.resource != resource {
            return Err(TokenProblem::WrongAudience);
        }
        Ok(t.user.clone())
    }

    /// Make every issued access token expired now (tests of the refresh path).
    pub fn expire_access_tokens(&mut self) {
        let now = Instant::now();
        for t in self.access.values_mut() {
            t.expires = now;
        }
    }

    /// Forget requests and codes older than their lifetimes.
    pub fn sweep(&mut self) {
        self.pending
            .retain(|_, p| p.started.elapsed() < REQUEST_TTL);
        self.codes.retain(|_, c| c.issued.elapsed() < CODE_TTL);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn pending(challenge: &str) -> Pending {
        Pending {
            client_id: "c".into(),
            redirect_uri: "http://127.0.0.1:5000/callback".into(),
            state: Some("s".into()),
            code_challenge: challenge.into(),
            resource: "http://x/api/mcp/oauth".into(),
            scope: "flex".into(),
            user: None,
            started: Instant::now(),
        }
    }

    #[test]
    fn pkce_s256_matches_the_rfc_7636_example() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert!(pkce_matches(
            verifier,
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
        assert!(!pkce_matches(
            "wrong",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
    }

    #[test]
    fn loopback_redirects_match_on_any_port_only() {
        let c = Client {
            name: "n".into(),
            redirect_uris: vec!["http://127.0.0.1/callback".into()],
        };
        assert!(c.allows_redirect("http://127.0.0.1:49152/callback"));
        assert!(!c.allows_redirect("http://127.0.0.1:49152/other"));
        assert!(!c.allows_redirect("http://evil.example/callback"));
    }

    #[test]
    fn replaying_a_used_refresh_token_revokes_the_family() {
        let mut a = AuthServer::default();
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(b"verifier"));
        let code = a.issue_code(pending(&challenge), "u@x".into());
        let first = a
            .exchange_code(
                &code,
                "c",
                "http://127.0.0.1:5000/callback",
                "verifier",
                Some("http://x/api/mcp/oauth"),
            )
            .unwrap();
        let second = a.refresh(&first.refresh_token, "c", None).unwrap();
        assert!(
            a.authenticate(&second.access_token, "http://x/api/mcp/oauth")
                .is_ok()
        );
        let replay = a.refresh(&first.refresh_token, "c", None).unwrap_err();
        assert_eq!(replay.code, "invalid_grant");
        assert_eq!(a.controls.reuse_detected, 1);
        assert_eq!(
            a.authenticate(&second.access_token, "http://x/api/mcp/oauth"),
            Err(TokenProblem::Unknown)
        );
        assert!(a.refresh(&second.refresh_token, "c", None).is_err());
    }

    #[test]
    fn a_code_needs_the_right_verifier_and_resource_and_works_once() {
        let mut a = AuthServer::default();
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(b"verifier"));
        let uri = "http://127.0.0.1:5000/callback";
        let code = a.issue_code(pending(&challenge), "u@x".into());
        assert_eq!(
            a.exchange_code(&code, "c", uri, "nope", Some("http://x/api/mcp/oauth"))
                .unwrap_err()
                .code,
            "invalid_grant"
        );
        let code = a.issue_code(pending(&challenge), "u@x".into());
        assert_eq!(
            a.exchange_code(&code, "c", uri, "verifier", None)
                .unwrap_err()
                .code,
            "invalid_target"
        );
        let code = a.issue_code(pending(&challenge), "u@x".into());
        assert!(
            a.exchange_code(&code, "c", uri, "verifier", Some("http://x/api/mcp/oauth"))
                .is_ok()
        );
        assert!(
            a.exchange_code(&code, "c", uri, "verifier", Some("http://x/api/mcp/oauth"))
                .is_err()
        );
    }
}
