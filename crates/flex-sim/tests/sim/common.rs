//! A simulator per test, and a small JSON client for it.

use flex_sim::{SimConfig, SimHandle};
use serde_json::Value;

pub(crate) const TEST_KEY: &str = "fsk_test_integration";
pub(crate) const LIVE_KEY: &str = "fsk_live_integration";

pub(crate) struct TestSim {
    pub(crate) handle: SimHandle,
    pub(crate) http: reqwest::Client,
}

pub(crate) async fn start_with(keys: &[(&str, &[&str])], seed: Option<flex_sim::Seed>) -> TestSim {
    let keys = keys
        .iter()
        .map(|(k, s)| ((*k).to_owned(), s.iter().map(|x| (*x).to_owned()).collect()))
        .collect();
    let handle = flex_sim::start(SimConfig {
        port: 0,
        seed,
        keys,
    })
    .await
    .expect("the simulator starts on a free port");
    // No pooling surprises: every test sees fresh connections unless it reuses this client.
    let http = reqwest::Client::builder()
        .build()
        .expect("a plain reqwest client builds");
    TestSim { handle, http }
}

pub(crate) async fn start() -> TestSim {
    start_with(&[(TEST_KEY, &[]), (LIVE_KEY, &[])], None).await
}

impl TestSim {
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.handle.base_url())
    }

    pub(crate) async fn send(
        &self,
        method: reqwest::Method,
        key: Option<&str>,
        path: &str,
        body: Option<&Value>,
    ) -> (u16, Value) {
        let mut req = self.http.request(method, self.url(path));
        if let Some(k) = key {
            req = req.bearer_auth(k);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await.expect("the simulator answers");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("a readable body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub(crate) async fn get(&self, key: &str, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, Some(key), path, None).await
    }

    pub(crate) async fn post(&self, key: &str, path: &str, body: &Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, Some(key), path, Some(body))
            .await
    }

    /// POST that must succeed; returns the body.
    pub(crate) async fn ok_post(&self, key: &str, path: &str, body: &Value) -> Value {
        let (status, v) = self.post(key, path, body).await;
        assert!(
            (200..300).contains(&status),
            "POST {path} should succeed, got {status}: {v}"
        );
        v
    }

    pub(crate) async fn product_and_price(
        &self,
        key: &str,
        name: &str,
        gtin: &str,
        amount: i64,
    ) -> (String, String) {
        let p = self
            .ok_post(
                key,
                "/v1/products",
                &serde_json::json!({ "product": { "name": name, "gtin": gtin } }),
            )
            .await;
        let product = p["product"]["product_id"]
            .as_str()
            .expect("product_id")
            .to_owned();
        let pr = self
            .ok_post(
                key,
                "/v1/prices",
                &serde_json::json!({ "price": { "product": product, "unit_amount": amount } }),
            )
            .await;
        (
            product,
            pr["price"]["price_id"]
                .as_str()
                .expect("price_id")
                .to_owned(),
        )
    }

    /// An open checkout session over (price, quantity) lines.
    pub(crate) async fn session(&self, key: &str, lines: &[(&str, i64)], extra: Value) -> String {
        let items: Vec<Value> = lines
            .iter()
            .map(|(p, q)| serde_json::json!({ "price": p, "quantity": q }))
            .collect();
        let mut fields = serde_json::json!({ "line_items": items, "mode": "payment", "success_url": "https://shop.example/ok" });
        if let (Value::Object(f), Value::Object(e)) = (&mut fields, extra) {
            f.extend(e);
        }
        let v = self
            .ok_post(
                key,
                "/v1/checkout/sessions",
                &serde_json::json!({ "checkout_session": fields }),
            )
            .await;
        v["checkout_session"]["checkout_session_id"]
            .as_str()
            .expect("session id")
            .to_owned()
    }

    /// Pay a session through the buyer hook.
    pub(crate) async fn complete(&self, key: &str, session: &str, card: &str) -> (u16, Value) {
        self.post(
            key,
            &format!("/__sim/checkout_sessions/{session}/complete"),
            &serde_json::json!({ "card": card }),
        )
        .await
    }

    pub(crate) async fn journal(&self) -> Vec<Value> {
        let (_, v) = self
            .send(reqwest::Method::GET, None, "/__sim/requests", None)
            .await;
        v["requests"].as_array().cloned().unwrap_or_default()
    }
}
