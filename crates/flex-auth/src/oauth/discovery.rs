//! From the hosted MCP address to the authorization server (MCP authorization spec): an
//! unauthenticated request → 401 with `WWW-Authenticate: Bearer resource_metadata=…` (or the
//! RFC 9728 well-known URI) → protected-resource metadata → RFC 8414 (then OpenID) metadata.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use super::OauthError;

/// Everything the sign-in needs to know about the server. Not secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discovered {
    /// The canonical resource URI (RFC 8707 `resource`, the token's audience).
    pub resource: String,
    /// The authorization server's issuer (checked against `iss` on the way back).
    pub issuer: String,
    /// Where the browser goes.
    pub authorization_endpoint: String,
    /// Code and refresh grants.
    pub token_endpoint: String,
    /// RFC 7591, if offered.
    pub registration_endpoint: Option<String>,
    /// RFC 7009, if offered.
    pub revocation_endpoint: Option<String>,
    /// Scopes to ask for (from the resource metadata), space-separated; may be empty.
    pub scope: String,
    /// Whether the server sends `iss` in authorization responses (RFC 9207).
    pub iss_in_response: bool,
}

fn fail(url: &str, detail: impl Into<String>) -> OauthError {
    OauthError::Discovery {
        url: url.to_owned(),
        detail: detail.into(),
    }
}

/// `resource_metadata="…"` from a `WWW-Authenticate` header.
pub(super) fn resource_metadata_param(header: &str) -> Option<String> {
    let start = header.find("resource_metadata=")? + "resource_metadata=".len();
    let rest = &header[start..];
    if let Some(quoted) = rest.strip_prefix('"') {
        quoted.split('"').next().map(str::to_owned)
    } else {
        rest.split([',', ' ']).next().map(str::to_owned)
    }
}

async fn get_json(
    http: &reqwest::Client,
    url: &str,
    origin: &str,
) -> Result<Option<Value>, OauthError> {
    let resp = http
        .get(url)
        .header("accept", "application/json")
        .send()
        .await
        .map_err(|e| OauthError::Network {
            detail: e.without_url().to_string(),
        })?;
    if !resp.status().is_success() {
        return Ok(None);
    }
    resp.json::<Value>()
        .await
        .map(Some)
        .map_err(|_| fail(origin, format!("{url} did not answer JSON")))
}

fn well_known(base: &Url, name: &str) -> String {
    let mut u = base.clone();
    let path = base.path().trim_end_matches('/').to_owned();
    u.set_path(&format!("/.well-known/{name}{path}"));
    u.set_query(None);
    u.to_string()
}

/// Discover the authorization server of the hosted MCP at `mcp_url`.
pub async fn discover(http: &reqwest::Client, mcp_url: &str) -> Result<Discovered, OauthError> {
    let mcp = Url::parse(mcp_url).map_err(|e| fail(mcp_url, format!("not a URL: {e}")))?;
    // 1. An unauthenticated MCP request: the 401 names the resource metadata.
    let probe = http
        .post(mcp.as_str())
        .header("accept", "application/json, text/event-stream")
        .json(&serde_json::json!({
            "jsonrpc": "2.0", "id": 0, "method": "initialize",
            "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                       "clientInfo": {"name": "flex-mcp", "version": env!("CARGO_PKG_VERSION")}}
        }))
        .send()
        .await
        .map_err(|e| OauthError::Network {
            detail: e.without_url().to_string(),
        })?;
    let from_header = (probe.status() == reqwest::StatusCode::UNAUTHORIZED)
        .then(|| {
            probe
                .headers()
                .get_all("www-authenticate")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find_map(resource_metadata_param)
        })
        .flatten();
    // 2. The metadata named by the header, else the RFC 9728 well-known URIs (path, then root).
    let mut candidates: Vec<String> = from_header.into_iter().collect();
    candidates.push(well_known(&mcp, "oauth-protected-resource"));
    let mut root = mcp.clone();
    root.set_path("/");
    candidates.push(well_known(&root, "oauth-protected-resource"));
    let mut prm = None;
    for c in &candidates {
        if let Some(v) = get_json(http, c, mcp_url).await? {
            prm = Some(v);
            break;
        }
    }
    let prm = prm.ok_or_else(|| fail(mcp_url, "no protected-resource metadata"))?;
    let resource = prm["resource"]
        .as_str()
        .ok_or_else(|| fail(mcp_url, "the resource metadata names no resource"))?
        .to_owned();
    let issuer = prm["authorization_servers"][0]
        .as_str()
        .ok_or_else(|| {
            fail(
                mcp_url,
                "the resource metadata names no authorization server",
            )
        })?
        .trim_end_matches('/')
        .to_owned();
    let scope = prm["scopes_supported"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default();
    // 3. RFC 8414, then OpenID Connect discovery (path-inserted, then path-appended).
    let iss_url =
        Url::parse(&issuer).map_err(|e| fail(mcp_url, format!("issuer is not a URL: {e}")))?;
    let mut as_candidates = Vec::new();
    as_candidates.push(well_known(&iss_url, "oauth-authorization-server"));
    as_candidates.push(well_known(&iss_url, "openid-configuration"));
    as_candidates.push(format!("{issuer}/.well-known/openid-configuration"));
    let mut meta = None;
    for c in &as_candidates {
        if let Some(v) = get_json(http, c, mcp_url).await? {
            meta = Some(v);
            break;
        }
    }
    let meta = meta.ok_or_else(|| fail(mcp_url, "no authorization-server metadata"))?;
    let found_issuer = meta["issuer"]
        .as_str()
        .unwrap_or_default()
        .trim_end_matches('/');
    if found_issuer != issuer {
        return Err(fail(
            mcp_url,
            format!("the authorization server calls itself {found_issuer}, not {issuer}"),
        ));
    }
    let pkce = meta["code_challenge_methods_supported"]
        .as_array()
        .is_some_and(|a| a.iter().any(|m| m == "S256"));
    if !pkce {
        return Err(OauthError::NoPkce { issuer });
    }
    let text = |k: &str| meta[k].as_str().map(str::to_owned);
    Ok(Discovered {
        resource,
        issuer: meta["issuer"].as_str().unwrap_or(&issuer).to_owned(),
        authorization_endpoint: text("authorization_endpoint")
            .ok_or_else(|| fail(mcp_url, "the metadata names no authorization endpoint"))?,
        token_endpoint: text("token_endpoint")
            .ok_or_else(|| fail(mcp_url, "the metadata names no token endpoint"))?,
        registration_endpoint: text("registration_endpoint"),
        revocation_endpoint: text("revocation_endpoint"),
        scope,
        iss_in_response: meta["authorization_response_iss_parameter_supported"] == true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_challenge_parameter_is_read_quoted_or_bare() {
        assert_eq!(
            resource_metadata_param(
                r#"Bearer resource_metadata="https://x/.well-known/oauth-protected-resource/api", scope="a""#
            ),
            Some("https://x/.well-known/oauth-protected-resource/api".into())
        );
        assert_eq!(
            resource_metadata_param(
                "Bearer resource_metadata=https://x/m, error=\"invalid_token\""
            ),
            Some("https://x/m".into())
        );
        assert_eq!(resource_metadata_param("Bearer realm=\"x\""), None);
    }

    #[test]
    fn well_known_uris_insert_the_path() {
        let u = Url::parse("https://mcp.withflex.com/api/mcp/oauth").unwrap();
        assert_eq!(
            well_known(&u, "oauth-protected-resource"),
            "https://mcp.withflex.com/.well-known/oauth-protected-resource/api/mcp/oauth"
        );
    }
}
