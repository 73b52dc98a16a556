//! Token-endpoint, registration and revocation calls. The grants go through the `oauth2` crate
//! on our own reqwest client (no redirects followed: a token endpoint that redirects is refused
//! rather than followed with our credentials), with the HTTP status kept so a 5xx reads as
//! "the service is having trouble", not as a refusal.

use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::Duration;

use oauth2::basic::{BasicClient, BasicErrorResponse, BasicTokenResponse};
use oauth2::{
    AuthorizationCode, ClientId, HttpClientError, HttpRequest, HttpResponse, PkceCodeVerifier,
    RedirectUrl, RefreshToken, RequestTokenError, TokenResponse, TokenUrl,
};
use serde_json::{Value, json};

use super::OauthError;
use crate::Sensitive;

/// Tokens from one grant.
pub(super) struct Grant {
    /// Access token.
    pub access: Sensitive<String>,
    /// The rotated refresh token, if the server sent one.
    pub refresh: Option<Sensitive<String>>,
    /// Lifetime of the access token, if stated.
    pub expires_in: Option<Duration>,
}

/// The reqwest client for sign-in traffic: never follows redirects.
pub(super) fn http_client() -> Result<reqwest::Client, OauthError> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| OauthError::Network {
            detail: e.to_string(),
        })
}

fn network(e: &reqwest::Error) -> OauthError {
    let mut detail = e.to_string();
    if e.is_timeout() {
        detail = "the request timed out".into();
    }
    OauthError::Network { detail }
}

type Sent = Result<HttpResponse, HttpClientError<reqwest::Error>>;

/// Run an `oauth2` request on `http`, remembering the response status in `status`.
fn sender(
    http: &reqwest::Client,
    status: &Arc<AtomicU16>,
) -> impl Fn(HttpRequest) -> std::pin::Pin<Box<dyn Future<Output = Sent> + Send>> {
    let http = http.clone();
    let status = status.clone();
    move |request: HttpRequest| {
        let http = http.clone();
        let status = status.clone();
        Box::pin(async move {
            let request = reqwest::Request::try_from(request).map_err(Box::new)?;
            let response = http.execute(request).await.map_err(Box::new)?;
            status.store(response.status().as_u16(), Ordering::Relaxed);
            let mut builder = http::Response::builder().status(response.status());
            for (name, value) in response.headers() {
                builder = builder.header(name, value);
            }
            let body = response.bytes().await.map_err(Box::new)?.to_vec();
            builder.body(body).map_err(HttpClientError::Http)
        })
    }
}

fn grant_error(
    e: RequestTokenError<HttpClientError<reqwest::Error>, BasicErrorResponse>,
    status: u16,
) -> OauthError {
    match e {
        RequestTokenError::Request(HttpClientError::Reqwest(e)) => network(&e),
        RequestTokenError::Request(other) => OauthError::Network {
            detail: other.to_string(),
        },
        _ if status >= 500 => OauthError::TokenServer { status },
        RequestTokenError::ServerResponse(r) => OauthError::TokenRefused {
            code: r.error().to_string(),
            description: r
                .error_description()
                .cloned()
                .unwrap_or_else(|| "no description".into()),
        },
        RequestTokenError::Parse(..) | RequestTokenError::Other(_) => OauthError::TokenGarbage,
    }
}

fn to_grant(t: &BasicTokenResponse) -> Grant {
    Grant {
        access: Sensitive::new(t.access_token().secret().clone()),
        refresh: t
            .refresh_token()
            .map(|r| Sensitive::new(r.secret().clone())),
        expires_in: t.expires_in(),
    }
}

fn token_url(url: &str) -> Result<TokenUrl, OauthError> {
    TokenUrl::new(url.to_owned()).map_err(|_| OauthError::Discovery {
        url: url.to_owned(),
        detail: "the token endpoint is not a URL".into(),
    })
}

/// `grant_type=authorization_code` with the PKCE verifier and the RFC 8707 resource.
pub(super) async fn exchange_code(
    http: &reqwest::Client,
    token_endpoint: &str,
    client_id: &str,
    redirect_uri: &str,
    code: String,
    verifier: PkceCodeVerifier,
    resource: &str,
) -> Result<Grant, OauthError> {
    let redirect = RedirectUrl::new(redirect_uri.to_owned()).map_err(|_| OauthError::Listener {
        port: 0,
        detail: "the redirect address is not a URL".into(),
    })?;
    let client = BasicClient::new(ClientId::new(client_id.to_owned()))
        .set_token_uri(token_url(token_endpoint)?)
        .set_redirect_uri(redirect);
    let status = Arc::new(AtomicU16::new(0));
    let send = sender(http, &status);
    client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .add_extra_param("resource", resource)
        .request_async(&send)
        .await
        .map(|t| to_grant(&t))
        .map_err(|e| grant_error(e, status.load(Ordering::Relaxed)))
}

/// `grant_type=refresh_token` (rotation: the answer carries the next refresh token).
pub(super) async fn refresh(
    http: &reqwest::Client,
    token_endpoint: &str,
    client_id: &str,
    refresh_token: &Sensitive<String>,
    resource: &str,
) -> Result<Grant, OauthError> {
    let client = BasicClient::new(ClientId::new(client_id.to_owned()))
        .set_token_uri(token_url(token_endpoint)?);
    let status = Arc::new(AtomicU16::new(0));
    let send = sender(http, &status);
    let token = RefreshToken::new(refresh_token.expose().clone());
    client
        .exchange_refresh_token(&token)
        .add_extra_param("resource", resource)
        .request_async(&send)
        .await
        .map(|t| to_grant(&t))
        .map_err(|e| grant_error(e, status.load(Ordering::Relaxed)))
}

/// Whether the token endpoint still knows `client_id`: a refresh grant with a token that cannot
/// exist is answered `invalid_client` only when the client is unknown. Unsure answers count as known.
pub(super) async fn client_is_known(
    http: &reqwest::Client,
    token_endpoint: &str,
    client_id: &str,
) -> bool {
    let probe = http
        .post(token_endpoint)
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", "not-a-token"),
            ("client_id", client_id),
        ])
        .send()
        .await;
    let Ok(resp) = probe else { return true };
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    body["error"] != "invalid_client"
}

/// RFC 7591 registration of a public native client.
pub(super) async fn register(
    http: &reqwest::Client,
    registration_endpoint: &str,
    redirect_uri: &str,
    client_name: &str,
) -> Result<String, OauthError> {
    let resp = http
        .post(registration_endpoint)
        .json(&json!({
            "client_name": client_name,
            "redirect_uris": [redirect_uri],
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "none",
            "application_type": "native",
        }))
        .send()
        .await
        .map_err(|e| network(&e))?;
    let status = resp.status();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        let detail = body["error_description"]
            .as_str()
            .or(body["error"].as_str())
            .map_or_else(|| format!("HTTP {}", status.as_u16()), str::to_owned);
        return Err(OauthError::Registration { detail });
    }
    body["client_id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| OauthError::Registration {
            detail: "the answer has no client_id".into(),
        })
}

/// RFC 7009 revocation of one token. `Ok` also when the server did not know it.
pub(super) async fn revoke(
    http: &reqwest::Client,
    revocation_endpoint: &str,
    client_id: &str,
    token: &Sensitive<String>,
    hint: &str,
) -> Result<(), OauthError> {
    let resp = http
        .post(revocation_endpoint)
        .form(&[
            ("token", token.expose().as_str()),
            ("token_type_hint", hint),
            ("client_id", client_id),
        ])
        .send()
        .await
        .map_err(|e| network(&e))?;
    if resp.status().is_success() {
        Ok(())
    } else if resp.status().is_server_error() {
        Err(OauthError::TokenServer {
            status: resp.status().as_u16(),
        })
    } else {
        Err(OauthError::TokenRefused {
            code: format!("HTTP {}", resp.status().as_u16()),
            description: "the revocation was refused".into(),
        })
    }
}
