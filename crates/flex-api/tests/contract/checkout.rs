//! Checkout sessions (every action), payment intents, captures and refunds: the money paths.

use flex_api::*;
use serde_json::json;

use crate::common::{Env, api, assert_names_field, assert_not_found};

const NO_SESSION: &str = "fcs_01NOSUCHSESSION00000000000";

#[tokio::test]
async fn session_create_retrieve_list_line_items() {
    let env = Env::demo().await;
    let s = env.open_session(4999, "automatic").await;
    assert!(s.checkout_session_id.starts_with("fcs_"));
    assert_eq!(s.status.as_deref(), Some("open"));
    assert_eq!(s.amount_total, Some(4999));
    assert!(
        s.redirect_url
            .as_deref()
            .is_some_and(|u| u.contains(&s.checkout_session_id))
    );
    assert!(
        matches!(s.created_at, Some(Timestamp::Unix(_))),
        "sessions carry integer timestamps: {:?}",
        s.created_at
    );
    assert!(
        s.success_url
            .as_deref()
            .is_some_and(|u| u.contains(&s.checkout_session_id)),
        "placeholder replaced"
    );

    let sessions = env.client.checkout_sessions();
    let expanded = sessions
        .retrieve_with(
            &s.checkout_session_id,
            &Expand {
                expand_customer: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let customer = expanded
        .customer
        .as_ref()
        .and_then(Expandable::object)
        .expect("expand_customer expands");
    assert_eq!(customer.email.as_deref(), Some("buyer@example.com"));

    let open = sessions
        .list(&ListCheckoutSessions {
            status: Some("open".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        open.items
            .iter()
            .all(|x| x.status.as_deref() == Some("open"))
    );
    assert!(
        open.items
            .iter()
            .any(|x| x.checkout_session_id == s.checkout_session_id)
    );

    let items = sessions.line_items(&s.checkout_session_id).await.unwrap();
    assert_eq!(items.items.len(), 1);
    assert_eq!(items.items[0].amount_total, Some(4999));
    assert_eq!(items.items[0].quantity, Some(1));
}

#[tokio::test]
async fn session_errors() {
    let env = Env::demo().await;
    let sessions = env.client.checkout_sessions();
    let err = sessions
        .create(&CreateCheckoutSession {
            line_items: vec![LineItemInput {
                price: Some("fprice_01NOSUCH000000000000000000".into()),
                quantity: Some(1),
                ..Default::default()
            }],
            success_url: Some("https://x.example/ok".into()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    let e = assert_names_field(err, 422, "checkout_session.line_items.0.price");
    assert_eq!(
        e.code.as_deref(),
        Some("price_not_found"),
        "the plugin branches on this code"
    );
    let (_, price) = env.priced_product("Y", 100).await;
    let err = sessions
        .create(&CreateCheckoutSession {
            line_items: vec![LineItemInput {
                price: Some(price),
                ..Default::default()
            }],
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_names_field(err, 422, "checkout_session.success_url");
    assert_not_found(sessions.retrieve(NO_SESSION).await.unwrap_err());
    assert_not_found(sessions.line_items(NO_SESSION).await.unwrap_err());
    assert_not_found(sessions.cancel(NO_SESSION).await.unwrap_err());
    assert_not_found(sessions.reauth(NO_SESSION).await.unwrap_err());
    assert_not_found(
        sessions
            .capture(NO_SESSION, &CaptureCheckoutSession::default())
            .await
            .unwrap_err(),
    );
    assert_not_found(
        sessions
            .refund(NO_SESSION, &RefundCheckoutSession::default())
            .await
            .unwrap_err(),
    );
    assert_not_found(
        sessions
            .capture_allocation(NO_SESSION, &CaptureCheckoutSession::default())
            .await
            .unwrap_err(),
    );
    assert_not_found(
        sessions
            .refund_allocation(NO_SESSION, &RefundCheckoutSession::default())
            .await
            .unwrap_err(),
    );
}

#[tokio::test]
async fn manual_capture_flow_with_allocation_preview() {
    let env = Env::demo().await;
    let s = env.paid_session(8000, "manual").await;
    assert_eq!(
        s.status.as_deref(),
        Some("paid"),
        "manual capture authorizes only"
    );
    let sessions = env.client.checkout_sessions();

    let reauth = sessions.reauth(&s.checkout_session_id).await.unwrap();
    assert_eq!(reauth.status.as_deref(), Some("paid"));

    let preview = sessions
        .capture_allocation(&s.checkout_session_id, &CaptureCheckoutSession::default())
        .await
        .unwrap();
    let allocations = preview.allocations.expect("bare {allocations:[…]} is read");
    assert_eq!(
        allocations.iter().filter_map(|a| a.amount).sum::<i64>(),
        8000
    );
    let still = sessions.retrieve(&s.checkout_session_id).await.unwrap();
    assert_eq!(
        still.status.as_deref(),
        Some("paid"),
        "a preview has no side effects"
    );

    let captured = sessions
        .capture(
            &s.checkout_session_id,
            &CaptureCheckoutSession {
                capture_metadata: Some(
                    json!({"fulfilled_by": "contract-test"})
                        .as_object()
                        .unwrap()
                        .clone(),
                ),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(captured.status.as_deref(), Some("complete"));
    let captures = captured.captures.expect("session embeds its captures");
    assert_eq!(captures.len(), 1);
    assert_eq!(captures[0].amount_captured, Some(8000));

    // Capturing again is a state error, not a retry candidate.
    let err = sessions
        .capture(&s.checkout_session_id, &CaptureCheckoutSession::default())
        .await
        .unwrap_err();
    let e = api(err);
    assert_eq!((e.status, e.attempts), (422, 1), "{e}");
    assert_eq!(e.code.as_deref(), Some("checkout_session_already_captured"));
    let err = sessions.reauth(&s.checkout_session_id).await.unwrap_err();
    assert_eq!(api(err).status, 422);
}

#[tokio::test]
async fn cancel_voids_an_authorization() {
    let env = Env::demo().await;
    let s = env.paid_session(3000, "manual").await;
    let sessions = env.client.checkout_sessions();
    let canceled = sessions.cancel(&s.checkout_session_id).await.unwrap();
    assert_eq!(canceled.status.as_deref(), Some("canceled"));
    let pi = env
        .client
        .payment_intents()
        .retrieve(&Env::intent_of(&s))
        .await
        .unwrap();
    assert_eq!(pi.status.as_deref(), Some("canceled"));
    let err = sessions.cancel(&s.checkout_session_id).await.unwrap_err();
    assert_eq!(api(err).status, 422, "cancelling twice is refused");
}

#[tokio::test]
async fn session_refund_and_refund_allocation() {
    let env = Env::demo().await;
    let s = env.paid_session(6000, "automatic").await;
    assert_eq!(s.status.as_deref(), Some("complete"));
    let sessions = env.client.checkout_sessions();

    let preview = sessions
        .refund_allocation(
            &s.checkout_session_id,
            &RefundCheckoutSession {
                amount: Some(1000),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        preview
            .allocations
            .unwrap()
            .iter()
            .filter_map(|a| a.amount)
            .sum::<i64>(),
        1000
    );

    let refunded = sessions
        .refund(
            &s.checkout_session_id,
            &RefundCheckoutSession {
                amount: Some(1000),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(refunded.amount_refunded, Some(1000));
    assert_eq!(refunded.refunds.as_ref().map(Vec::len), Some(1));

    let full = sessions
        .refund(&s.checkout_session_id, &RefundCheckoutSession::default())
        .await
        .unwrap();
    assert_eq!(
        full.amount_refunded,
        Some(6000),
        "an empty body refunds the rest"
    );

    let err = sessions
        .refund(
            &s.checkout_session_id,
            &RefundCheckoutSession {
                amount: Some(1),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(api(err).status, 422, "nothing left to refund");

    let open = env.open_session(500, "automatic").await;
    let err = sessions
        .refund(&open.checkout_session_id, &RefundCheckoutSession::default())
        .await
        .unwrap_err();
    assert_eq!(
        api(err).status,
        422,
        "a session that is not complete cannot be refunded"
    );
}

#[tokio::test]
async fn payment_intents_list_retrieve_cancel() {
    let env = Env::demo().await;
    let paid = env.paid_session(2000, "automatic").await;
    let pi_id = Env::intent_of(&paid);
    let intents = env.client.payment_intents();
    let pi = intents
        .retrieve_with(
            &pi_id,
            &Expand {
                expand_customer: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(pi.amount, Some(2000));
    assert_eq!(pi.status.as_deref(), Some("succeeded"));
    assert!(
        pi.customer.as_ref().and_then(Expandable::object).is_some(),
        "customer expanded"
    );
    let by_session = intents
        .list(&ListPaymentIntents {
            checkout_session: Some(paid.checkout_session_id.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        by_session
            .items
            .iter()
            .map(|p| p.payment_intent_id.as_str())
            .collect::<Vec<_>>(),
        vec![pi_id.as_str()]
    );

    let err = intents.cancel(&pi_id).await.unwrap_err();
    assert_eq!(
        api(err).status,
        422,
        "a succeeded intent is refunded, not canceled"
    );
    let held = env.paid_session(900, "manual").await;
    let canceled = intents.cancel(&Env::intent_of(&held)).await.unwrap();
    assert_eq!(canceled.status.as_deref(), Some("canceled"));
    assert_not_found(
        intents
            .retrieve("fpi_01NOSUCH00000000000000000")
            .await
            .unwrap_err(),
    );
    let err = intents
        .list(&ListPaymentIntents {
            limit: Some(1000),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_names_field(err, 422, "limit");
}

#[tokio::test]
async fn captures_list_retrieve_update() {
    let env = Env::demo().await;
    let s = env.paid_session(1234, "automatic").await;
    let captures = env.client.captures();
    let page = captures
        .list(&ListCaptures {
            checkout_session: Some(s.checkout_session_id.clone()),
            expand: Some("payment_intent".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let cap = page.items.first().expect("an automatic capture exists");
    assert_eq!(cap.amount_captured, Some(1234));
    let item = &cap.items.as_ref().unwrap()[0];
    assert!(
        item.payment_intent
            .as_ref()
            .and_then(Expandable::object)
            .is_some(),
        "expand=payment_intent"
    );

    let read = captures.retrieve(&cap.capture_id).await.unwrap();
    assert_eq!(read.capture_id, cap.capture_id);
    let meta = json!({"shipment": "1Z999"}).as_object().unwrap().clone();
    let updated = captures
        .update(
            &cap.capture_id,
            &UpdateCapture {
                metadata: Some(meta),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        updated.metadata.as_ref().and_then(|m| m.get("shipment")),
        Some(&json!("1Z999"))
    );

    assert_not_found(
        captures
            .retrieve("fcap_01NOSUCH00000000000000000")
            .await
            .unwrap_err(),
    );
    let some_meta = UpdateCapture {
        metadata: Some(json!({"k": "v"}).as_object().unwrap().clone()),
        ..Default::default()
    };
    assert_not_found(
        captures
            .update("fcap_01NOSUCH00000000000000000", &some_meta)
            .await
            .unwrap_err(),
    );
    let err = captures
        .update(
            &cap.capture_id,
            &UpdateCapture {
                extra: json!({"metadata": "nope"}).as_object().unwrap().clone(),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_names_field(err, 422, "capture.metadata");
}

#[tokio::test]
async fn refunds_create_retrieve_update_list() {
    let env = Env::demo().await;
    let s = env.paid_session(5000, "automatic").await;
    let pi = Env::intent_of(&s);
    let refunds = env.client.refunds();
    let r = refunds
        .create(&CreateRefund {
            payment_intent_id: pi.clone(),
            amount: Some(1500),
            reason: Some("requested_by_customer".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(r.refund_id.starts_with("fre_"));
    assert_eq!(r.amount, Some(1500));
    let read = refunds.retrieve(&r.refund_id).await.unwrap();
    assert_eq!(read.payment_intent_id.as_deref(), Some(pi.as_str()));
    let upd = refunds
        .update(
            &r.refund_id,
            &UpdateRefund {
                reason: Some("duplicate".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(upd.reason.as_deref(), Some("duplicate"));
    let listed = refunds
        .list(&ListRefunds {
            payment_intent: Some(pi.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 1);

    let err = refunds
        .create(&CreateRefund {
            payment_intent_id: pi.clone(),
            amount: Some(999_999),
            ..Default::default()
        })
        .await
        .unwrap_err();
    let e = api(err);
    assert_eq!(e.status, 422, "more than the remaining amount: {e}");
    let err = refunds
        .create(&CreateRefund {
            payment_intent_id: pi,
            reason: Some("because".into()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_names_field(err, 422, "refund.reason");
    let err = refunds.create(&CreateRefund::default()).await.unwrap_err();
    assert_names_field(err, 422, "refund.payment_intent_id");
    assert_not_found(
        refunds
            .retrieve("fre_01NOSUCH000000000000000000")
            .await
            .unwrap_err(),
    );
    assert_not_found(
        refunds
            .update("fre_01NOSUCH000000000000000000", &UpdateRefund::default())
            .await
            .unwrap_err(),
    );
}

/// The calls and fields the MCP tools rely on beyond the basics: a page of line items with a
/// size, created-at bounds, the capture's session and the caller's own idempotency key.
#[tokio::test]
async fn what_the_tools_send() {
    let env = Env::demo().await;
    let s = env.paid_session(3300, "manual").await;
    let id = s.checkout_session_id.clone();
    let sessions = env.client.checkout_sessions();

    let page = sessions
        .list_line_items(
            &id,
            &ListLineItems {
                limit: Some(1),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.limit, Some(1), "the page knows the size it asked for");
    assert!(
        env.journal_of("GET", &format!("/v1/checkout/sessions/{id}/line_items"))
            .await
            .iter()
            .any(|r| r["query"].as_str().is_some_and(|q| q.contains("limit=1")))
    );
    assert_not_found(
        sessions
            .list_line_items(NO_SESSION, &ListLineItems::default())
            .await
            .unwrap_err(),
    );

    let future = ListCheckoutSessions {
        created_gt: Some("2999-01-01T00:00:00Z".into()),
        ..Default::default()
    };
    assert!(sessions.list(&future).await.unwrap().items.is_empty());
    let past = ListCheckoutSessions {
        created_gte: Some("2000-01-01T00:00:00Z".into()),
        limit: Some(100),
        ..Default::default()
    };
    assert!(
        sessions
            .list(&past)
            .await
            .unwrap()
            .items
            .iter()
            .any(|x| x.checkout_session_id == id)
    );

    let captured = sessions
        .with_idempotency_key_opt(Some("capture-once"))
        .capture(&id, &CaptureCheckoutSession::default())
        .await
        .unwrap();
    assert_eq!(captured.status.as_deref(), Some("complete"));
    let posts = env
        .journal_of("POST", &format!("/v1/checkout/sessions/{id}/capture"))
        .await;
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0]["idempotency_key"], "capture-once");
    let none: Option<String> = None;
    let captures = env
        .client
        .captures()
        .with_idempotency_key_opt(none)
        .list(&ListCaptures {
            checkout_session: Some(id.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    let capture = captures.items.first().expect("one capture");
    assert_eq!(
        capture.checkout_session.as_ref().map(Expandable::id),
        Some(id.as_str()),
        "a capture names its session"
    );
}
