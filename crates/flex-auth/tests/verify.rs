//! The verification call against a stand-in Flex (a tiny axum server whose answer each test
//! picks), so every branch — accepted, 401, scoped 403, busy, unreachable — is exercised for real
//! over HTTP without contacting withflex.com.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode, Uri};
use flex_auth::{ApiKey, Error, Verification, verify_api_key};

#[derive(Default)]
struct Seen {
    auth: Option<String>,
    uri: Option<String>,
}

/// Serve `status` + `body` on any path; remember what the client sent.
async fn stand_in(status: u16, body: &'static str) -> (String, Arc<Mutex<Seen>>) {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let seen2 = seen.clone();
    let app = axum::Router::new().fallback(move |headers: HeaderMap, uri: Uri| {
        let seen = seen2.clone();
        async move {
            let mut s = seen.lock().unwrap();
            s.auth = headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            s.uri = Some(uri.to_string());
            (
                StatusCode::from_u16(status).unwrap(),
                [("content-type", "application/json")],
                body,
            )
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), seen)
}

fn key() -> ApiKey {
    ApiKey::parse("fsk_test_verify_me_123").unwrap()
}

#[tokio::test]
async fn an_accepted_key_sends_one_bearer_get_for_one_product() {
    let (base, seen) = stand_in(200, r#"{"products":[]}"#).await;
    let v = verify_api_key(&key(), &format!("{base}/")).await.unwrap();
    assert_eq!(v, Verification::Accepted);
    let s = seen.lock().unwrap();
    assert_eq!(s.auth.as_deref(), Some("Bearer fsk_test_verify_me_123"));
    assert_eq!(s.uri.as_deref(), Some("/v1/products?limit=1"));
}

#[tokio::test]
async fn a_401_says_flex_did_not_accept_the_key() {
    let (base, _) = stand_in(
        401,
        r#"{"error":{"code":"unauthorized","message":"bad key"}}"#,
    )
    .await;
    let err = verify_api_key(&key(), &base).await.unwrap_err();
    assert!(matches!(err, Error::KeyRejected { .. }));
    assert_eq!(err.code(), "key_rejected");
    let msg = err.to_string();
    assert!(msg.starts_with("Flex did not accept this key"), "{msg}");
    assert!(msg.contains(&base), "names where we asked: {msg}");
    assert!(!msg.contains("verify_me"), "never the key: {msg}");
}

#[tokio::test]
async fn a_403_is_a_scoped_key_and_names_the_scope_flex_mentions() {
    let (base, _) = stand_in(
        403,
        r#"{"error":{"code":"forbidden","message":"This API key is missing the products:read scope."}}"#,
    )
    .await;
    match verify_api_key(&key(), &base).await.unwrap() {
        Verification::Scoped {
            missing_scope,
            message,
        } => {
            assert_eq!(missing_scope, "products:read");
            assert!(message.unwrap().contains("missing the products:read scope"));
        }
        other @ Verification::Accepted => panic!("expected a scoped key, got {other:?}"),
    }
}

#[tokio::test]
async fn a_403_without_a_scope_in_the_message_names_the_scope_the_check_needed() {
    let (base, _) = stand_in(
        403,
        r#"{"error":{"code":"forbidden","message":"Forbidden"}}"#,
    )
    .await;
    let v = verify_api_key(&key(), &base).await.unwrap();
    assert!(
        matches!(&v, Verification::Scoped { missing_scope, .. } if missing_scope == "products:read"),
        "{v:?}"
    );
}

#[tokio::test]
async fn busy_flex_is_not_a_rejection() {
    let (base, _) = stand_in(503, r#"{"message":"Service Unavailable"}"#).await;
    let err = verify_api_key(&key(), &base).await.unwrap_err();
    assert!(
        matches!(err, Error::FlexUnavailable { status: 503, .. }),
        "{err:?}"
    );
    assert_eq!(err.code(), "network");
}

#[tokio::test]
async fn a_non_json_success_is_not_taken_for_flex() {
    let (base, _) = stand_in(200, "<html>hello</html>").await;
    let err = verify_api_key(&key(), &base).await.unwrap_err();
    assert!(err.to_string().contains("not JSON"), "{err}");
}

#[tokio::test]
async fn an_unreachable_base_url_is_named_in_the_error() {
    // Bind then drop: the port is (very likely) closed when we connect.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let err = verify_api_key(&key(), &base).await.unwrap_err();
    assert!(matches!(err, Error::Network { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains(&format!("Could not reach Flex at {base}")),
        "{msg}"
    );
}

#[tokio::test]
async fn an_unusable_base_url_is_refused_before_any_request() {
    let err = verify_api_key(&key(), "ftp://example.invalid")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidBaseUrl { .. }), "{err:?}");
    let err = verify_api_key(&key(), "not a url").await.unwrap_err();
    assert!(err.to_string().contains("FLEX_API_BASE"), "{err}");
}
