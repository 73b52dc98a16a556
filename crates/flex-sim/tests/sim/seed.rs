//! The demo seed: deterministic, rich in test mode, present in live mode.

use flex_sim::{DEMO_LIVE_KEY, DEMO_TEST_KEY, Seed};
use serde_json::Value;

use crate::common::start_with;

async fn snapshot(key: &str, path: &str) -> Vec<Value> {
    let sim = start_with(&[], Some(Seed::Demo)).await;
    let (s, v) = sim.get(key, path).await;
    assert_eq!(s, 200, "{path}: {v}");
    let list_key = v
        .as_object()
        .and_then(|o| o.keys().find(|k| *k != "has_more").cloned())
        .expect("a list key");
    v[list_key].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn demo_seed_is_deterministic() {
    let a = snapshot(DEMO_TEST_KEY, "/v1/checkout/sessions?limit=100").await;
    let b = snapshot(DEMO_TEST_KEY, "/v1/checkout/sessions?limit=100").await;
    assert!(a.len() >= 15, "a rich set of sessions: {}", a.len());
    assert_eq!(a, b, "same IDs, timestamps and amounts on every run");
}

#[tokio::test]
async fn demo_seed_covers_every_state() {
    let sim = start_with(&[], Some(Seed::Demo)).await;
    assert!(
        sim.journal().await.is_empty(),
        "the seed's own requests are not journaled"
    );
    let (_, products) = sim.get(DEMO_TEST_KEY, "/v1/products?limit=100").await;
    let mut eligibilities: Vec<&str> = products["products"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|p| p["hsa_fsa_eligibility"].as_str())
        .collect();
    eligibilities.sort_unstable();
    eligibilities.dedup();
    assert_eq!(
        eligibilities,
        vec![
            "auto_substantiation",
            "letter_of_medical_necessity",
            "not_eligible",
            "prescription",
            "private_label",
            "vision"
        ]
    );
    let (_, sessions) = sim
        .get(DEMO_TEST_KEY, "/v1/checkout/sessions?limit=100")
        .await;
    let statuses: Vec<&str> = sessions["checkout_sessions"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|s| s["status"].as_str())
        .collect();
    for st in ["open", "paid", "complete", "canceled"] {
        assert!(statuses.contains(&st), "a session in status {st}");
    }
    for (path, min) in [
        ("/v1/refunds", 3),
        ("/v1/disputes", 3),
        ("/v1/subscriptions", 4),
        ("/v1/invoices", 4),
        ("/v1/payouts", 2),
        ("/v1/balance_transactions", 10),
        ("/v1/customers", 6),
    ] {
        let (_, v) = sim.get(DEMO_TEST_KEY, &format!("{path}?limit=100")).await;
        let n = v
            .as_object()
            .and_then(|o| o.iter().find(|(k, _)| *k != "has_more"))
            .and_then(|(_, l)| l.as_array())
            .map_or(0, Vec::len);
        assert!(n >= min, "{path}: {n} < {min}");
    }
    let (_, live) = sim.get(DEMO_LIVE_KEY, "/v1/checkout/sessions").await;
    assert!(
        live["checkout_sessions"]
            .as_array()
            .is_some_and(|a| !a.is_empty()),
        "the live store has a little data"
    );
}
