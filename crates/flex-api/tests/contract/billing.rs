//! Subscriptions (including the unwrapped DELETE body and the bare refund preview) and invoices.

use flex_api::*;
use serde_json::json;

use crate::common::{Env, api, assert_names_field, assert_not_found, expanded_customer_id};

const NO_SUB: &str = "fsub_01NOSUCH000000000000000000";

/// A customer with a saved card (from a paid session) and an active monthly subscription.
async fn subscribed(env: &Env) -> (String, Subscription) {
    let paid = env.paid_session(1000, "automatic").await;
    let customer = paid
        .customer
        .as_ref()
        .map(Expandable::id)
        .unwrap()
        .to_owned();
    let price = env.recurring_price(3000).await;
    let sub = env
        .client
        .subscriptions()
        .create(&CreateSubscription {
            customer: Some(customer.clone()),
            items: vec![SubscriptionItemInput {
                price: Some(price),
                quantity: Some(1),
                ..Default::default()
            }],
            ..Default::default()
        })
        .await
        .unwrap();
    (customer, sub)
}

#[tokio::test]
async fn subscriptions_lifecycle() {
    let env = Env::demo().await;
    let (customer, sub) = subscribed(&env).await;
    assert!(sub.subscription_id.starts_with("fsub_"));
    assert_eq!(
        sub.status.as_deref(),
        Some("active"),
        "paid with the saved card"
    );
    let subs = env.client.subscriptions();

    let read = subs
        .retrieve_with(
            &sub.subscription_id,
            &Expand {
                expand_customer: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        expanded_customer_id(read.customer.as_ref()),
        Some(customer.as_str())
    );
    let plain = subs.retrieve(&sub.subscription_id).await.unwrap();
    assert!(
        plain
            .current_period_end
            .as_ref()
            .and_then(Timestamp::to_datetime)
            .is_some()
    );

    let meta = json!({"plan": "gold"}).as_object().unwrap().clone();
    let upd = subs
        .update(
            &sub.subscription_id,
            &UpdateSubscription {
                metadata: Some(meta),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        upd.metadata.as_ref().and_then(|m| m.get("plan")),
        Some(&json!("gold"))
    );

    let listed = subs
        .list(&ListSubscriptions {
            customer: Some(customer.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 1);

    let preview = subs.refund_preview(&sub.subscription_id).await.unwrap();
    assert_eq!(
        preview.invoice_amount_paid,
        Some(3000),
        "bare preview object is read"
    );
    let available = preview.prorated_amount_available_to_refund.unwrap();
    assert!((0..=3000).contains(&available), "{available}");

    let at_end = subs
        .cancel(
            &sub.subscription_id,
            &CancelSubscription {
                cancel_at_period_end: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        at_end.cancel_at_period_end,
        Some(true),
        "unwrapped DELETE body was understood"
    );
    assert_ne!(at_end.status.as_deref(), Some("canceled"));
    let now = subs
        .cancel(
            &sub.subscription_id,
            &CancelSubscription {
                refund: Some("none".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(now.status.as_deref(), Some("canceled"));
    let err = subs.refund_preview(&sub.subscription_id).await.unwrap_err();
    assert_eq!(
        api(err).status,
        422,
        "nothing to preview on a canceled subscription"
    );
}

#[tokio::test]
async fn subscriptions_errors() {
    let env = Env::demo().await;
    let subs = env.client.subscriptions();
    let err = subs
        .create(&CreateSubscription::default())
        .await
        .unwrap_err();
    assert_names_field(err, 422, "subscription.customer");
    let customer = env.customer("sub-err@example.com").await;
    let (_, one_time) = env.priced_product("One-off", 500).await;
    let err = subs
        .create(&CreateSubscription {
            customer: Some(customer),
            items: vec![SubscriptionItemInput {
                price: Some(one_time),
                ..Default::default()
            }],
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_names_field(err, 422, "subscription.items.0.price");
    assert_not_found(subs.retrieve(NO_SUB).await.unwrap_err());
    assert_not_found(
        subs.update(NO_SUB, &UpdateSubscription::default())
            .await
            .unwrap_err(),
    );
    assert_not_found(
        subs.cancel(NO_SUB, &CancelSubscription::default())
            .await
            .unwrap_err(),
    );
    assert_not_found(subs.refund_preview(NO_SUB).await.unwrap_err());
    let (_, sub) = subscribed(&env).await;
    let err = subs
        .cancel(
            &sub.subscription_id,
            &CancelSubscription {
                refund: Some("custom".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_names_field(err, 422, "refund_amount");
    let err = subs
        .list(&ListSubscriptions {
            status: Some("sleeping".into()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_names_field(err, 422, "status");
}

#[tokio::test]
async fn invoices_list_and_retrieve() {
    let env = Env::demo().await;
    let (customer, sub) = subscribed(&env).await;
    let invoices = env.client.invoices();
    let page = invoices
        .list(&ListInvoices {
            customer: Some(customer),
            ..Default::default()
        })
        .await
        .unwrap();
    let inv = page.items.first().expect("the first period is invoiced");
    assert_eq!(inv.amount_paid, Some(3000));
    assert_eq!(
        inv.subscription.as_ref().map(Expandable::id),
        Some(sub.subscription_id.as_str())
    );
    let read = invoices.retrieve(&inv.invoice_id).await.unwrap();
    assert_eq!(read.invoice_id, inv.invoice_id);
    assert_not_found(
        invoices
            .retrieve("fin_01NOSUCH000000000000000000")
            .await
            .unwrap_err(),
    );
    let err = invoices
        .list(&ListInvoices {
            starting_after: Some("fin_01NOSUCH000000000000000000".into()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(
        matches!(api(err).status, 400 | 404 | 422),
        "an unknown cursor is refused"
    );
}
