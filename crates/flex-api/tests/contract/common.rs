//! Shared set-up: an in-process flex-sim per test (its own port, its own journal), a client
//! pointed at it, and helpers for the `/__sim` control API and the usual fixtures.
//!
//! The one simulator sandbox of the Rust suites that drive Flex calls: flex-mcp's tool tests
//! include this file too (`crates/flex-mcp/tests/tools/main.rs`), so the tools and the client
//! they call are tested against the same set-up.

use std::time::Duration;

use flex_api::{
    ApiError, CheckoutSession, Client, ClientConfig, CreateCheckoutSession, CreateCustomer,
    CreatePrice, CreateProduct, CreateRefund, Customer, Error, Expandable, LineItemInput,
    ListRefunds, RecurringInput, Refund,
};
use flex_sim::{DEMO_TEST_KEY, Seed, SimConfig, SimHandle};
use serde_json::{Value, json};

pub struct Env {
    pub sim: SimHandle,
    pub client: Client,
    /// The key `client` uses (the control API takes it too).
    key: String,
    control: reqwest::Client,
}

/// The test key of a simulator started without the demo data.
#[allow(dead_code, reason = "flex-mcp's tool tests start empty sandboxes")]
pub const EMPTY_TEST_KEY: &str = "fsk_test_empty_sandbox";

impl Env {
    /// A simulator seeded with the demo data, and a client on its test key.
    pub async fn demo() -> Env {
        Env::start(Some(Seed::Demo), DEMO_TEST_KEY).await
    }

    /// A simulator with no data at all (lists start empty), and a client on its test key.
    #[allow(dead_code, reason = "flex-mcp's tool tests start empty sandboxes")]
    pub async fn empty() -> Env {
        Env::start(None, EMPTY_TEST_KEY).await
    }

    async fn start(seed: Option<Seed>, key: &str) -> Env {
        let keys = if seed.is_some() {
            Vec::new()
        } else {
            vec![(key.to_owned(), Vec::new())]
        };
        let sim = flex_sim::start(SimConfig {
            port: 0,
            seed,
            keys,
        })
        .await
        .expect("flex-sim starts on a free loopback port");
        let client = Client::new(fast(ClientConfig::new(key).with_base_url(sim.base_url())))
            .expect("a valid test key");
        Env {
            sim,
            client,
            key: key.to_owned(),
            control: reqwest::Client::new(),
        }
    }

    /// Another client on the same simulator, configured differently.
    pub fn client_with(
        &self,
        key: &str,
        f: impl FnOnce(ClientConfig) -> ClientConfig,
    ) -> Result<Client, Error> {
        Client::new(f(fast(
            ClientConfig::new(key).with_base_url(self.sim.base_url()),
        )))
    }

    pub async fn control(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self
            .control
            .request(method, format!("{}{path}", self.sim.base_url()))
            .bearer_auth(&self.key);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("control API answers");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    pub async fn arm(&self, faults: Value) {
        let (status, body) = self
            .control(reqwest::Method::POST, "/__sim/faults", Some(faults))
            .await;
        assert_eq!(status, 200, "arming faults failed: {body}");
    }

    pub async fn clear_journal(&self) {
        self.control(reqwest::Method::DELETE, "/__sim/requests", None)
            .await;
    }

    /// Journal entries (method, path, status, idempotency key) for paths starting with `prefix`.
    pub async fn journal(&self, prefix: &str) -> Vec<Value> {
        let (_, body) = self
            .control(reqwest::Method::GET, "/__sim/requests", None)
            .await;
        body["requests"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r["path"].as_str().is_some_and(|p| p.starts_with(prefix)))
            .collect()
    }

    /// Journal entries for paths starting with `prefix` that were made with `method` ("POST", …).
    pub async fn journal_of(&self, method: &str, prefix: &str) -> Vec<Value> {
        self.journal(prefix)
            .await
            .into_iter()
            .filter(|r| r["method"] == method)
            .collect()
    }

    /// Every refund on a payment intent, as the API lists them.
    pub async fn refunds_of(&self, payment_intent_id: &str) -> Vec<Refund> {
        self.client
            .refunds()
            .list(&ListRefunds {
                payment_intent: Some(payment_intent_id.to_owned()),
                ..Default::default()
            })
            .await
            .unwrap()
            .items
    }

    /// Complete a session as a buyer would (hosted checkout stand-in).
    pub async fn complete(&self, session_id: &str, card: &str) -> Value {
        let (status, body) = self
            .control(
                reqwest::Method::POST,
                &format!("/__sim/checkout_sessions/{session_id}/complete"),
                Some(json!({ "card": card })),
            )
            .await;
        assert!(
            status < 300,
            "completing {session_id} failed: {status} {body}"
        );
        body["checkout_session"].clone()
    }

    /// Open a dispute on a paid intent (card network stand-in). Returns the dispute ID.
    pub async fn dispute(&self, payment_intent_id: &str) -> String {
        let (status, body) = self
            .control(
                reqwest::Method::POST,
                "/__sim/disputes",
                Some(json!({ "payment_intent_id": payment_intent_id, "reason": "fraudulent" })),
            )
            .await;
        assert!(status < 300, "dispute hook failed: {status} {body}");
        body["dispute"]["dispute_id"]
            .as_str()
            .expect("dispute has an id")
            .to_owned()
    }

    /// A product with a one-time price of `unit_amount` cents.
    pub async fn priced_product(&self, name: &str, unit_amount: i64) -> (String, String) {
        let product = self
            .client
            .products()
            .create(&CreateProduct {
                name: name.into(),
                gtin: Some("00012345678902".into()),
                ..Default::default()
            })
            .await
            .expect("product created");
        let price = self
            .client
            .prices()
            .create(&CreatePrice {
                product: product.product_id.clone(),
                unit_amount: Some(unit_amount),
                ..Default::default()
            })
            .await
            .expect("price created");
        (product.product_id, price.price_id)
    }

    /// A recurring monthly price.
    pub async fn recurring_price(&self, unit_amount: i64) -> String {
        let product = self
            .client
            .products()
            .create(&CreateProduct {
                name: "Sleep coaching".into(),
                ..Default::default()
            })
            .await
            .expect("product created");
        self.client
            .prices()
            .create(&CreatePrice {
                product: product.product_id,
                unit_amount: Some(unit_amount),
                recurring: Some(RecurringInput {
                    interval: Some("month".into()),
                    interval_count: Some(1),
                    ..Default::default()
                }),
                ..Default::default()
            })
            .await
            .expect("recurring price created")
            .price_id
    }

    pub async fn customer(&self, email: &str) -> String {
        self.client
            .customers()
            .create(&CreateCustomer {
                first_name: Some("Jane".into()),
                last_name: Some("Doe".into()),
                email: Some(email.into()),
                phone: Some("+15555555555".into()),
                ..Default::default()
            })
            .await
            .expect("customer created")
            .customer_id
    }

    /// An open session for `amount` cents, with a customer.
    pub async fn open_session(&self, amount: i64, capture_method: &str) -> CheckoutSession {
        let (_, price) = self.priced_product("Thermometer", amount).await;
        let customer = self.customer("buyer@example.com").await;
        self.client
            .checkout_sessions()
            .create(&CreateCheckoutSession {
                line_items: vec![LineItemInput {
                    price: Some(price),
                    quantity: Some(1),
                    ..Default::default()
                }],
                mode: Some("payment".into()),
                success_url: Some("https://shop.example.com/ok?s={CHECKOUT_SESSION_ID}".into()),
                customer: Some(customer),
                capture_method: Some(capture_method.into()),
                ..Default::default()
            })
            .await
            .expect("session created")
    }

    /// A session paid with the success card (`complete` for automatic, `paid` for manual).
    pub async fn paid_session(&self, amount: i64, capture_method: &str) -> CheckoutSession {
        let open = self.open_session(amount, capture_method).await;
        self.complete(&open.checkout_session_id, "4242424242424242")
            .await;
        self.client
            .checkout_sessions()
            .retrieve(&open.checkout_session_id)
            .await
            .expect("session reads back")
    }

    /// The (first) payment intent of a session.
    pub fn intent_of(session: &CheckoutSession) -> String {
        if let Some(pi) = &session.payment_intent {
            return pi.id().to_owned();
        }
        session
            .payment_intents
            .as_ref()
            .and_then(|v| v.first())
            .map(|p| p.id().to_owned())
            .expect("session has a payment intent")
    }
}

/// A refund of `amount` cents on a payment intent.
pub fn refund_of(payment_intent_id: &str, amount: i64) -> CreateRefund {
    CreateRefund {
        payment_intent_id: payment_intent_id.to_owned(),
        amount: Some(amount),
        ..Default::default()
    }
}

/// The ID of an expanded customer; `None` if the customer was not expanded.
pub fn expanded_customer_id(customer: Option<&Expandable<Customer>>) -> Option<&str> {
    customer
        .and_then(Expandable::object)
        .map(|c| c.customer_id.as_str())
}

/// The HTTP statuses of journal entries, in order.
pub fn statuses(entries: &[Value]) -> Vec<u64> {
    entries
        .iter()
        .map(|r| r["status"].as_u64().unwrap())
        .collect()
}

/// Short backoffs keep the retry tests quick; the rules are the same.
fn fast(cfg: ClientConfig) -> ClientConfig {
    cfg.with_timeout(Duration::from_secs(5))
        .with_max_total(Duration::from_secs(20))
}

/// The API error inside, or a failed test naming what came instead.
pub fn api(err: Error) -> ApiError {
    match err {
        Error::Api(e) => e,
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// Assert an error is `status` and names `field` (in `param`/`detail`, and in the message).
pub fn assert_names_field(err: Error, status: u16, field: &str) -> ApiError {
    let shown = err.to_string();
    let e = api(err);
    assert_eq!(e.status, status, "unexpected status: {e}");
    let named = e.param.as_deref() == Some(field) || e.details.iter().any(|d| d.field() == field);
    assert!(named, "error does not name `{field}`: {e:?}");
    assert!(
        shown.contains(field),
        "the message shown to people must name `{field}`: {shown}"
    );
    e
}

/// Assert an error is a 404 for an unknown ID.
pub fn assert_not_found(err: Error) {
    let e = api(err);
    assert_eq!(e.status, 404, "{e}");
    assert_eq!(e.code.as_deref(), Some("resource_missing"), "{e}");
}
