//! Balance transactions, payouts and disputes.

use flex_api::*;
use serde_json::json;

use crate::common::{Env, api, assert_names_field, assert_not_found};

#[tokio::test]
async fn balance_transactions_and_payouts() {
    let env = Env::demo().await;
    let payouts = env
        .client
        .payouts()
        .list(&ListPayouts::default())
        .await
        .unwrap();
    let payout = payouts.items.first().expect("the demo has payouts");
    assert!(payout.payout_id.starts_with("fpo_"));
    assert!(payout.amount.is_some_and(|a| a > 0));
    let one = env
        .client
        .payouts()
        .list(&ListPayouts {
            payout_id: Some(payout.payout_id.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(one.items.len(), 1);

    let txs = env
        .client
        .balance_transactions()
        .list(&ListBalanceTransactions {
            payout_id: Some(payout.payout_id.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    for t in &txs.items {
        assert_eq!(
            t.net,
            Some(t.amount.unwrap_or(0) - t.fee.unwrap_or(0)),
            "net = amount - fee: {t:?}"
        );
    }
    let any = env
        .client
        .balance_transactions()
        .list(&ListBalanceTransactions::default())
        .await
        .unwrap();
    assert!(!any.items.is_empty());

    let err = env
        .client
        .payouts()
        .list(&ListPayouts {
            start_date: Some("yesterday".into()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_names_field(err, 422, "start_date");
    let err = env
        .client
        .balance_transactions()
        .list(&ListBalanceTransactions {
            limit: Some(0),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_names_field(err, 422, "limit");
}

#[tokio::test]
async fn disputes_list_retrieve_update_close() {
    let env = Env::demo().await;
    let s = env.paid_session(7500, "automatic").await;
    let dispute_id = env.dispute(&Env::intent_of(&s)).await;
    let disputes = env.client.disputes();
    let d = disputes.retrieve(&dispute_id).await.unwrap();
    assert_eq!(d.status.as_deref(), Some("needs_response"));
    assert_eq!(d.currency.as_deref(), Some("usd"));
    assert!(
        d.evidence_details
            .as_ref()
            .and_then(|e| e.due_by.as_ref())
            .is_some()
    );
    let all = disputes
        .list(&ListDisputes {
            limit: Some(100),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(all.items.iter().any(|x| x.dispute_id == dispute_id));

    let evidence = json!({"uncategorized_text": "Delivered, signed by J. Doe"})
        .as_object()
        .unwrap()
        .clone();
    let upd = disputes
        .update(
            &dispute_id,
            &UpdateDispute {
                evidence: Some(evidence),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        upd.evidence
            .as_ref()
            .and_then(|e| e.get("uncategorized_text")),
        Some(&json!("Delivered, signed by J. Doe"))
    );
    let err = disputes
        .update(
            &dispute_id,
            &UpdateDispute {
                evidence: Some(
                    json!({"favourite_colour": "blue"})
                        .as_object()
                        .unwrap()
                        .clone(),
                ),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_names_field(err, 422, "dispute.evidence.favourite_colour");

    let closed = disputes.close(&dispute_id).await.unwrap();
    assert_eq!(closed.status.as_deref(), Some("lost"));
    let err = disputes.close(&dispute_id).await.unwrap_err();
    assert_eq!(api(err).status, 422, "closing twice is refused");
    let err = disputes
        .update(
            &dispute_id,
            &UpdateDispute {
                submit: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(api(err).status, 422);

    assert_not_found(
        disputes
            .retrieve("fdsp_01NOSUCH00000000000000000")
            .await
            .unwrap_err(),
    );
    assert_not_found(
        disputes
            .close("fdsp_01NOSUCH00000000000000000")
            .await
            .unwrap_err(),
    );
}
