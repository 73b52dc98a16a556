//! `src/tools/disputes.rs`: disputes, with saving evidence apart from submitting it.

use serde_json::json;

use crate::call::{ok, paid_session};
use crate::sim::Env;

#[tokio::test]
async fn evidence_is_saved_then_submitted_or_the_dispute_closed() {
    let env = Env::empty().await;
    let session = paid_session(&env, 12000, "automatic").await;
    let pi = session["payment_intent"]
        .as_str()
        .expect("payment intent")
        .to_owned();
    for action in ["submit", "close"] {
        let dispute_id = env.dispute(&pi).await;
        let saved = ok(
            &env,
            "update_dispute",
            json!({"dispute_id": dispute_id, "evidence": {"product_description": "Massage gun", "customer_name": "Jane"}}),
        )
        .await;
        assert_eq!(
            saved["status"], "needs_response",
            "saving evidence does not submit it"
        );
        assert_eq!(saved["evidence_details"]["has_evidence"], true, "{saved}");
        let done = ok(
            &env,
            &format!("{action}_dispute"),
            json!({"dispute_id": dispute_id}),
        )
        .await;
        let want = if action == "submit" {
            "under_review"
        } else {
            "lost"
        };
        assert_eq!(done["status"], want, "{action}: {done}");
        let read = ok(&env, "get_dispute", json!({"dispute_id": dispute_id})).await;
        assert_eq!(read["status"], want);
    }
    let listed = ok(&env, "list_disputes", json!({})).await;
    assert_eq!(listed["disputes"].as_array().map(Vec::len), Some(2));
}
