//! Bad input: malformed keys, unknown keys and IDs, invalid bodies, odd IDs, non-JSON answers.

use flex_api::*;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::common::{Env, api, assert_names_field, assert_not_found};

#[tokio::test]
async fn malformed_keys_are_refused_before_any_request() {
    let env = Env::demo().await;
    env.clear_journal().await;
    for key in [
        "",
        "sk_test_abc",
        "FSK_test_abc",
        "fsk_",
        "fsk_test_",
        "fsk_test_abc\n",
        "Bearer fsk_test_abc",
    ] {
        let err = env.client_with(key, |c| c).unwrap_err();
        assert!(
            matches!(err, Error::InvalidKey { .. }),
            "{key:?} was accepted"
        );
        if key.len() > 9 {
            assert!(
                !err.to_string().contains(key.trim()),
                "the key is echoed: {err}"
            );
        }
    }
    assert!(env.journal("/v1").await.is_empty(), "nothing was sent");
}

#[tokio::test]
async fn mode_comes_from_the_key() {
    let env = Env::demo().await;
    assert_eq!(env.client.mode(), Mode::Test);
    let live = env.client_with(flex_sim::DEMO_LIVE_KEY, |c| c).unwrap();
    assert_eq!(live.mode(), Mode::Live);
    let p = env
        .client
        .products()
        .create(&CreateProduct {
            name: "Test-only".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_not_found(live.products().retrieve(&p.product_id).await.unwrap_err());
    let lp = live
        .products()
        .list(&ListProducts::default())
        .await
        .unwrap();
    assert!(lp.items.iter().all(|x| x.test_mode == Some(false)));
}

#[tokio::test]
async fn unknown_and_scoped_keys() {
    let env = Env::demo().await;
    let unknown = env.client_with("fsk_test_never_registered", |c| c).unwrap();
    let e = api(unknown
        .products()
        .list(&ListProducts::default())
        .await
        .unwrap_err());
    assert_eq!((e.status, e.attempts), (401, 1), "{e}");

    let (status, _) = env
        .control(
            reqwest::Method::POST,
            "/__sim/keys",
            Some(json!({"key": "fsk_test_readonly", "scopes": ["products:read"]})),
        )
        .await;
    assert_eq!(status, 201);
    let scoped = env.client_with("fsk_test_readonly", |c| c).unwrap();
    scoped
        .products()
        .list(&ListProducts::default())
        .await
        .unwrap();
    let e = api(scoped
        .products()
        .create(&CreateProduct {
            name: "Nope".into(),
            ..Default::default()
        })
        .await
        .unwrap_err());
    assert_eq!(e.status, 403, "{e}");
    let e = api(scoped
        .refunds()
        .list(&ListRefunds::default())
        .await
        .unwrap_err());
    assert_eq!(e.status, 403, "{e}");
}

#[tokio::test]
async fn ids_cannot_escape_their_path_segment() {
    let env = Env::demo().await;
    env.clear_journal().await;
    for id in [
        "../customers",
        "fprod_x?limit=1",
        "a/b",
        "fprod_x#frag",
        " ",
    ] {
        assert_not_found(env.client.products().retrieve(id).await.unwrap_err());
    }
    let paths: Vec<String> = env
        .journal("/v1")
        .await
        .iter()
        .map(|r| r["path"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(
        paths.iter().all(|p| p.starts_with("/v1/products/")),
        "{paths:?}"
    );
}

#[tokio::test]
async fn invalid_bodies_name_the_field() {
    let env = Env::demo().await;
    let err = env
        .client
        .send(Request::post("/v1/products").json(json!({"name": "unwrapped"})))
        .await
        .unwrap_err();
    assert_names_field(err, 422, "product");
    let err = env
        .client
        .send(Request::post("/v1/products").json(json!({"product": "x"})))
        .await
        .unwrap_err();
    assert_names_field(err, 422, "product");
    let err = env
        .client
        .products()
        .create(&CreateProduct {
            name: "Typed wrong".into(),
            extra: json!({"image_urls": "not-a-list"})
                .as_object()
                .unwrap()
                .clone(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_names_field(err, 422, "product.image_urls");
    let err = env
        .client
        .customers()
        .create(&CreateCustomer {
            extra: json!({"metadata": {"nested": {"too": "deep"}}})
                .as_object()
                .unwrap()
                .clone(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    let e = api(err);
    assert_eq!(e.status, 422);
    assert!(e.to_string().contains("metadata"), "{e}");
}

#[tokio::test]
async fn unknown_route_and_bad_base_url() {
    let env = Env::demo().await;
    let e = api(env
        .client
        .send(Request::get("/v1/nothing_here"))
        .await
        .unwrap_err());
    assert_eq!(e.status, 404);
    let err = env
        .client
        .send(Request::get("v1/products"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
    for base in ["", "localhost:8080", "ftp://example.com"] {
        let err = Client::new(ClientConfig::new("fsk_test_x").with_base_url(base)).unwrap_err();
        assert!(
            matches!(err, Error::InvalidRequest { ref message } if message.contains("base_url")),
            "{base}: {err:?}"
        );
    }
    // Trailing slash and `/v1` are tolerated.
    let c = env.client_with(flex_sim::DEMO_TEST_KEY, |c| {
        let base = format!("{}/v1/", c.base_url);
        c.with_base_url(base)
    });
    c.unwrap()
        .products()
        .list(&ListProducts::default())
        .await
        .unwrap();
}

/// A stand-in for a proxy in front of Flex: answers every request with a fixed raw response.
async fn fixed_server(response: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let _ = sock.read(&mut buf).await;
                let _ = sock.write_all(response.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn html_502_from_a_proxy_is_an_api_error() {
    let base = fixed_server(
        "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: 31\r\nConnection: close\r\n\r\n<html><h1>Bad gateway</h1></html",
    )
    .await;
    let client = Client::new(
        ClientConfig::new("fsk_test_x")
            .with_base_url(base)
            .with_max_attempts(2),
    )
    .unwrap();
    let e = api(client
        .products()
        .list(&ListProducts::default())
        .await
        .unwrap_err());
    assert_eq!(e.status, 502);
    assert_eq!(e.message, "HTTP 502 Bad Gateway");
    assert_eq!(e.attempts, 2, "a 502 on a read is retried");
}

#[tokio::test]
async fn non_json_success_is_a_decode_error() {
    let base = fixed_server(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 13\r\nConnection: close\r\n\r\n<html></html>",
    )
    .await;
    let client = Client::new(ClientConfig::new("fsk_test_x").with_base_url(base)).unwrap();
    let err = client
        .products()
        .list(&ListProducts::default())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { status: 200, .. }), "{err:?}");
}
