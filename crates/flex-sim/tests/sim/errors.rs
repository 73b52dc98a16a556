//! Bad input: clear errors that name the field; nothing panics.

use serde_json::{Value, json};

use crate::common::{TEST_KEY, start};

#[tokio::test]
async fn broken_json_is_400_naming_the_problem() {
    let sim = start().await;
    let resp = sim
        .http
        .post(sim.url("/v1/products"))
        .bearer_auth(TEST_KEY)
        .header("content-type", "application/json")
        .body("{\"product\": {\"name\": ")
        .send()
        .await
        .expect("answers");
    assert_eq!(resp.status(), 400);
    let v: Value = resp.json().await.expect("a JSON error body");
    let msg = v["error"]["message"].as_str().unwrap_or("");
    assert!(
        msg.contains("not valid JSON") && msg.contains("line 1"),
        "says what and where: {msg}"
    );
}

#[tokio::test]
async fn bare_bodies_and_invalid_fields_are_422_with_loc() {
    let sim = start().await;
    let (s, v) = sim
        .post(TEST_KEY, "/v1/products", &json!({"name": "no wrapper"}))
        .await;
    assert_eq!(s, 422);
    assert_eq!(
        v["detail"][0]["loc"],
        json!(["product"]),
        "names the missing wrapper key: {v}"
    );
    let (s, v) = sim
        .post(
            TEST_KEY,
            "/v1/products",
            &json!({"product": {"description": "no name"}}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(v["detail"][0]["loc"], json!(["product", "name"]));
    assert_eq!(v["error"]["param"], "product.name");
    let (s, v) = sim
        .post(
            TEST_KEY,
            "/v1/prices",
            &json!({"price": {"product": "fprod_x", "unit_amount": 12.5}}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(
        v["detail"][0]["loc"],
        json!(["price", "unit_amount"]),
        "amounts must be integer cents: {v}"
    );
    let (s, v) = sim
        .post(
            TEST_KEY,
            "/v1/prices",
            &json!({"price": {"product": "fprod_nope", "unit_amount": 100}}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(v["error"]["code"], "product_not_found");
    let (s, v) = sim
        .post(TEST_KEY, "/v1/checkout/sessions", &json!({"checkout_session": {"mode": "payment", "success_url": "https://x", "line_items": [{"price": "fprice_missing", "quantity": 1}]}}))
        .await;
    assert_eq!(s, 422);
    assert_eq!(
        v["detail"][0]["type"], "price_not_found",
        "the WooCommerce plugin branches on this type: {v}"
    );
    assert_eq!(
        v["detail"][0]["loc"],
        json!(["checkout_session", "line_items", "0", "price"])
    );
}

#[tokio::test]
async fn huge_amounts_are_refused_not_overflowed() {
    let sim = start().await;
    let (s, v) = sim
        .post(
            TEST_KEY,
            "/v1/products",
            &json!({"product": {"name": "x", "gtin": "2"}}),
        )
        .await;
    assert_eq!(s, 201);
    let product = v["product"]["product_id"].clone();
    let (s, v) = sim
        .post(
            TEST_KEY,
            "/v1/prices",
            &json!({"price": {"product": product, "unit_amount": i64::MAX}}),
        )
        .await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["detail"][0]["loc"], json!(["price", "unit_amount"]));
    let (_, price) = sim
        .product_and_price(TEST_KEY, "Big", "4", 1_000_000_000_000)
        .await;
    let (s, v) = sim
        .post(TEST_KEY, "/v1/checkout/sessions", &json!({"checkout_session": {"mode": "payment", "success_url": "https://x", "line_items": [{"price": price, "quantity": 1_000_000_000_000_i64}, {"price": price, "quantity": 1_000_000_000_000_i64}]}}))
        .await;
    assert_eq!(
        s, 422,
        "a cart total beyond any real amount is refused: {v}"
    );
    assert_eq!(
        v["detail"][0]["loc"],
        json!(["checkout_session", "line_items"])
    );
    let (s, v) = sim
        .post(TEST_KEY, "/v1/prices", &json!({"price": {"product": product, "unit_amount": 100, "recurring": {"interval": "year", "interval_count": 100_000}}}))
        .await;
    assert_eq!(s, 422, "{v}");
}

#[tokio::test]
async fn odd_input_never_crashes_the_server() {
    let sim = start().await;
    let cases: &[(&str, &str, &str)] = &[
        ("POST", "/v1/products", "[]"),
        ("POST", "/v1/products", "null"),
        ("POST", "/v1/products", "{\"product\": 5}"),
        (
            "POST",
            "/v1/checkout/sessions",
            "{\"checkout_session\": {\"line_items\": \"x\"}}",
        ),
        (
            "POST",
            "/v1/refunds",
            "{\"refund\": {\"payment_intent_id\": 7}}",
        ),
        ("GET", "/v1/products?limit=abc", ""),
        ("GET", "/v1/products?limit=100000000000000000000000", ""),
        ("GET", "/v1/checkout/sessions?created[gt]=yesterday", ""),
        ("GET", "/v1/products/%FF%FE", ""),
        ("DELETE", "/v1/subscriptions/fsub_x", "{{{"),
        ("POST", "/v1/files", "not multipart"),
        ("GET", "/v1/nothing/here", ""),
        ("PUT", "/v1/products", ""),
    ];
    for (method, path, body) in cases {
        let resp = sim
            .http
            .request(method.parse().expect("method"), sim.url(path))
            .bearer_auth(TEST_KEY)
            .body((*body).to_owned())
            .send()
            .await
            .expect("the server answers every case");
        let status = resp.status().as_u16();
        assert!(
            (400..500).contains(&status),
            "{method} {path} {body:?} is a client error, got {status}"
        );
        let v: Value = resp.json().await.expect("errors are JSON");
        assert!(
            v["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{method} {path}: a message: {v}"
        );
    }
    assert_eq!(
        sim.get(TEST_KEY, "/v1/products").await.0,
        200,
        "still serving"
    );
}

#[tokio::test]
async fn files_accept_pdf_png_jpeg_up_to_5_mb() {
    let sim = start().await;
    let upload = |bytes: Vec<u8>, name: &'static str| {
        let form = reqwest::multipart::Form::new()
            .text("purpose", "dispute_evidence")
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(name),
            );
        sim.http
            .post(sim.url("/v1/files"))
            .bearer_auth(TEST_KEY)
            .multipart(form)
            .send()
    };
    let png = b"\x89PNG\r\n\x1a\n0000".to_vec();
    let resp = upload(png, "receipt.png").await.expect("answers");
    assert_eq!(resp.status(), 201);
    let v: Value = resp.json().await.expect("json");
    assert_eq!(v["file"]["type"], "png");
    assert_eq!(v["file"]["filename"], "receipt.png");
    let resp = upload(b"hello".to_vec(), "notes.txt")
        .await
        .expect("answers");
    assert_eq!(resp.status(), 422, "text files are refused");
    let v: Value = resp.json().await.expect("json");
    assert_eq!(v["detail"][0]["loc"], json!(["file"]));
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(5 * 1024 * 1024 + 1, b' ');
    let resp = upload(big, "huge.pdf").await.expect("answers");
    assert_eq!(resp.status(), 422, "over 5 MB is refused");
    let (_, list) = sim
        .get(TEST_KEY, "/v1/files?purpose=dispute_evidence")
        .await;
    assert_eq!(list["files"].as_array().map(Vec::len), Some(1));
}
