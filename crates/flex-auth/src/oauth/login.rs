//! The browser sign-in: discovery, registration (reused while the server knows it), PKCE S256,
//! `state` and `iss` checked, `resource` sent, a loopback listener on 127.0.0.1, the system
//! browser (or a printed link), a timeout and cancel. Nothing reaches the keychain until the
//! token exchange succeeded; then the registration and both tokens are written.

use std::time::Duration;

use oauth2::basic::BasicClient;
use oauth2::{AuthUrl, ClientId, CsrfToken, PkceCodeChallenge, RedirectUrl, Scope};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

use super::discovery::{Discovered, discover};
use super::stored::{self, AccessRecord, Registration};
use super::{OauthError, token};
use crate::SecretStore;

/// How long a sign-in waits for the browser unless told otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// How the person gets to the sign-in page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Browser {
    /// Open the system browser (`open`; `BROWSER` is honoured through xdg-open).
    Open,
    /// Only hand out the link (`--no-browser`, "copy the link").
    LinkOnly,
}

/// What happened to the link, for the caller to tell the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// The browser was asked to open it.
    Opened(String),
    /// Opening failed; the person must open it by hand.
    OpenFailed(String),
    /// The caller asked for the link only.
    Show(String),
}

/// One sign-in's settings.
#[derive(Debug, Clone)]
pub struct LoginOptions {
    /// The hosted MCP endpoint (`…/api/mcp/oauth`).
    pub mcp_url: String,
    /// Open the browser or only show the link.
    pub browser: Browser,
    /// Give up after this long.
    pub timeout: Duration,
    /// Loopback port; 0 = an ephemeral one.
    pub port: u16,
    /// Cancel from outside (the window's Cancel button, Ctrl-C).
    pub cancel: CancellationToken,
    /// Shown on the consent page.
    pub client_name: String,
}

impl LoginOptions {
    /// Defaults: open the browser, 5 minutes, ephemeral port.
    pub fn new(mcp_url: impl Into<String>) -> Self {
        Self {
            mcp_url: mcp_url.into(),
            browser: Browser::Open,
            timeout: DEFAULT_TIMEOUT,
            port: 0,
            cancel: CancellationToken::new(),
            client_name: "Flex MCP Desktop".into(),
        }
    }
}

/// A finished sign-in (no secrets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    /// The authorization server.
    pub issuer: String,
    /// The hosted MCP resource the token is for.
    pub resource: String,
    /// Whether a stored registration was reused.
    pub reused_registration: bool,
    /// Unix seconds when the access token expires.
    pub expires_at: i64,
}

/// The browser's answer, parsed from the callback request.
#[derive(Debug, Default)]
struct Callback {
    code: Option<String>,
    state: Option<String>,
    iss: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

fn parse_callback(query: &str) -> Callback {
    let pairs: Vec<(String, String)> = serde_urlencoded_pairs(query);
    let mut c = Callback::default();
    for (k, v) in pairs {
        match k.as_str() {
            "code" => c.code = Some(v),
            "state" => c.state = Some(v),
            "iss" => c.iss = Some(v),
            "error" => c.error = Some(v),
            "error_description" => c.error_description = Some(v),
            _ => {}
        }
    }
    c
}

fn serde_urlencoded_pairs(query: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Check the answer against this sign-in: `state` first (a foreign answer is dropped before
/// anything else is believed), then `iss` (RFC 9207), then the server's own error.
fn check_callback(c: &Callback, state: &str, d: &Discovered) -> Result<String, OauthError> {
    if c.state.as_deref() != Some(state) {
        return Err(OauthError::StateMismatch);
    }
    match c.iss.as_deref() {
        Some(iss) if iss.trim_end_matches('/') == d.issuer.trim_end_matches('/') => {}
        None if !d.iss_in_response => {}
        other => {
            return Err(OauthError::IssuerMismatch {
                expected: d.issuer.clone(),
                got: other.unwrap_or("none").to_owned(),
            });
        }
    }
    if let Some(error) = &c.error {
        if error == "access_denied" {
            return Err(OauthError::Denied);
        }
        return Err(OauthError::Authorization {
            code: error.clone(),
            description: c
                .error_description
                .clone()
                .unwrap_or_else(|| "no description".into()),
        });
    }
    c.code.clone().ok_or_else(|| OauthError::Authorization {
        code: "invalid_request".into(),
        description: "the answer carries no code".into(),
    })
}

const PAGE_STYLE: &str =
    "body{font-family:system-ui,sans-serif;max-width:30rem;margin:4rem auto;padding:0 1rem}";

fn page(ok: bool, text: &str) -> String {
    let title = if ok {
        "Signed in to Flex"
    } else {
        "Sign-in did not finish"
    };
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <style>{PAGE_STYLE}</style></head><body><h1 id=\"result\">{title}</h1><p id=\"message\">{escaped}</p>\
         <p>You can close this tab.</p></body></html>"
    );
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n\
         Connection: close\r\nContent-Length: {}\r\n\r\n{html}",
        html.len()
    )
}

/// Read one request's target (`/callback?…`) from a browser connection.
async fn read_target(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::with_capacity(2048);
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16 * 1024 {
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let text = String::from_utf8_lossy(&buf);
    let line = text.lines().next()?;
    let mut parts = line.split(' ');
    (parts.next()? == "GET").then_some(())?;
    parts.next().map(str::to_owned)
}

/// Wait for `GET /callback?…`. Each connection is read on its own task: browsers open
/// speculative connections that never send a request, and one of those must not hold up the
/// real answer. Other requests (favicon) get 404.
async fn wait_for_callback(listener: &TcpListener) -> std::io::Result<(TcpStream, Callback)> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<(TcpStream, Callback)>(4);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (mut stream, _) = accepted?;
                let tx = tx.clone();
                tokio::spawn(async move {
                    let Some(target) = read_target(&mut stream).await else { return };
                    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
                    if path == "/callback" {
                        let _ = tx.send((stream, parse_callback(query))).await;
                    } else {
                        let _ = stream
                            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                            .await;
                    }
                });
            }
            Some(found) = rx.recv() => return Ok(found),
        }
    }
}

async fn registration_for(
    store: &dyn SecretStore,
    http: &reqwest::Client,
    d: &Discovered,
    redirect_uri: &str,
    client_name: &str,
) -> Result<(Registration, bool), OauthError> {
    if let Some(r) = stored::load_registration(store)?
        && r.issuer == d.issuer
        && token::client_is_known(http, &d.token_endpoint, &r.client_id).await
    {
        return Ok((r, true));
    }
    let Some(endpoint) = &d.registration_endpoint else {
        return Err(OauthError::Registration {
            detail: "the server offers no dynamic client registration".into(),
        });
    };
    let client_id = token::register(http, endpoint, redirect_uri, client_name).await?;
    Ok((
        Registration {
            issuer: d.issuer.clone(),
            client_id,
            redirect_uri: redirect_uri.to_owned(),
        },
        false,
    ))
}

/// Sign in with Flex in the browser and store the result. `on_link` is told where the sign-in page is.
pub async fn login(
    store: &dyn SecretStore,
    options: &LoginOptions,
    on_link: &(dyn Fn(&Link) + Send + Sync),
) -> Result<SignedIn, OauthError> {
    let http = token::http_client()?;
    let d = discover(&http, &options.mcp_url).await?;
    let listener = TcpListener::bind(("127.0.0.1", options.port))
        .await
        .map_err(|e| OauthError::Listener {
            port: options.port,
            detail: e.to_string(),
        })?;
    let port = listener
        .local_addr()
        .map_err(|e| OauthError::Listener {
            port: options.port,
            detail: e.to_string(),
        })?
        .port();
    let redirect_uri = format!("http://127.0.0.1:{port}/callback");
    let (registration, reused) =
        registration_for(store, &http, &d, &redirect_uri, &options.client_name).await?;

    let auth_url =
        AuthUrl::new(d.authorization_endpoint.clone()).map_err(|_| OauthError::Discovery {
            url: options.mcp_url.clone(),
            detail: "the authorization endpoint is not a URL".into(),
        })?;
    let redirect = RedirectUrl::new(redirect_uri.clone()).map_err(|e| OauthError::Listener {
        port,
        detail: e.to_string(),
    })?;
    let client = BasicClient::new(ClientId::new(registration.client_id.clone()))
        .set_auth_uri(auth_url)
        .set_redirect_uri(redirect);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(CsrfToken::new_random)
        .set_pkce_challenge(challenge)
        .add_extra_param("resource", d.resource.clone());
    for s in d.scope.split(' ').filter(|s| !s.is_empty()) {
        request = request.add_scope(Scope::new(s.to_owned()));
    }
    let (url, state) = request.url();
    let link = url.to_string();

    match options.browser {
        Browser::LinkOnly => on_link(&Link::Show(link.clone())),
        Browser::Open => {
            let target = link.clone();
            let opened = tokio::task::spawn_blocking(move || open::that_detached(target)).await;
            match opened {
                Ok(Ok(())) => on_link(&Link::Opened(link.clone())),
                _ => on_link(&Link::OpenFailed(link.clone())),
            }
        }
    }

    let answer = tokio::select! {
        () = options.cancel.cancelled() => return Err(OauthError::Cancelled),
        () = tokio::time::sleep(options.timeout) => {
            return Err(OauthError::TimedOut { seconds: options.timeout.as_secs() });
        }
        r = wait_for_callback(&listener) => r.map_err(|e| OauthError::Listener { port, detail: e.to_string() })?,
    };
    let (mut stream, callback) = answer;
    let outcome = async {
        let code = check_callback(&callback, state.secret(), &d)?;
        let grant = token::exchange_code(
            &http,
            &d.token_endpoint,
            &registration.client_id,
            &redirect_uri,
            code,
            verifier,
            &d.resource,
        )
        .await?;
        let expires_at = chrono_now()
            + grant
                .expires_in
                .map_or(3600, |e| i64::try_from(e.as_secs()).unwrap_or(3600));
        let access = AccessRecord {
            access_token: grant.access.expose().clone(),
            expires_at,
            issuer: d.issuer.clone(),
            resource: d.resource.clone(),
            token_endpoint: d.token_endpoint.clone(),
            revocation_endpoint: d.revocation_endpoint.clone(),
        };
        if grant.refresh.is_none() {
            return Err(OauthError::TokenGarbage);
        }
        // The sign-in this one replaces is revoked (best effort), not left alive at Flex.
        let replaced = stored::load_refresh(store).ok().flatten();
        let replaced_client = stored::load_registration(store).ok().flatten();
        // All three items or none: a failure while writing removes what was written.
        let written = stored::save_registration(store, &registration)
            .and_then(|()| stored::save_tokens(store, &access, grant.refresh.as_ref()));
        if let Err(e) = written {
            let _ = stored::delete_all(store);
            return Err(e);
        }
        if let (Some(old), Some(client), Some(endpoint)) =
            (replaced, replaced_client, &d.revocation_endpoint)
        {
            let _ = token::revoke(&http, endpoint, &client.client_id, &old, "refresh_token").await;
        }
        Ok(SignedIn {
            issuer: d.issuer.clone(),
            resource: d.resource.clone(),
            reused_registration: reused,
            expires_at,
        })
    }
    .await;
    let reply = match &outcome {
        Ok(_) => page(true, "Flex MCP is connected to your Flex account."),
        Err(e) => page(false, &e.to_string()),
    };
    let _ = stream.write_all(reply.as_bytes()).await;
    let _ = stream.shutdown().await;
    outcome
}

/// Unix seconds now.
pub(crate) fn chrono_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn discovered() -> Discovered {
        Discovered {
            resource: "http://x/api/mcp/oauth".into(),
            issuer: "http://x".into(),
            authorization_endpoint: "http://x/a".into(),
            token_endpoint: "http://x/t".into(),
            registration_endpoint: None,
            revocation_endpoint: None,
            scope: String::new(),
            iss_in_response: true,
        }
    }

    #[test]
    fn state_is_checked_before_iss_and_errors() {
        let d = discovered();
        let c = parse_callback("code=c&state=other&iss=http%3A%2F%2Fevil");
        assert!(matches!(
            check_callback(&c, "mine", &d),
            Err(OauthError::StateMismatch)
        ));
        let c = parse_callback("code=c&state=mine&iss=http%3A%2F%2Fevil");
        assert!(matches!(
            check_callback(&c, "mine", &d),
            Err(OauthError::IssuerMismatch { .. })
        ));
        let c = parse_callback("code=c&state=mine");
        assert!(matches!(
            check_callback(&c, "mine", &d),
            Err(OauthError::IssuerMismatch { .. })
        ));
        let c = parse_callback("error=access_denied&state=mine&iss=http%3A%2F%2Fx");
        assert!(matches!(
            check_callback(&c, "mine", &d),
            Err(OauthError::Denied)
        ));
        let c = parse_callback("code=c&state=mine&iss=http%3A%2F%2Fx");
        assert_eq!(check_callback(&c, "mine", &d).unwrap(), "c");
    }
}
