//! Payment links, setup intents, exports, files (multipart) and events (retry + the marked
//! list/get extension).

use flex_api::*;

use crate::common::{Env, api, assert_names_field, assert_not_found, expanded_customer_id};

#[tokio::test]
async fn payment_links() {
    let env = Env::demo().await;
    let (_, price) = env.priced_product("Blood pressure monitor", 5999).await;
    let links = env.client.payment_links();
    let l = links
        .create(&CreatePaymentLink {
            label: Some("BP monitor".into()),
            line_items: vec![LineItemInput {
                price: Some(price.clone()),
                quantity: Some(1),
                ..Default::default()
            }],
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(l.payment_link_id.starts_with("fplink_"));
    let lines = l.line_items.as_deref().unwrap_or_default();
    assert_eq!(lines.len(), 1, "{l:?}");
    assert_eq!(
        lines[0].price.as_ref().map(Expandable::id),
        Some(price.as_str())
    );
    assert_eq!(lines[0].quantity, Some(1));
    assert!(
        l.url
            .as_deref()
            .is_some_and(|u| u.contains(&l.payment_link_id))
    );
    assert_eq!(
        links
            .retrieve(&l.payment_link_id)
            .await
            .unwrap()
            .label
            .as_deref(),
        Some("BP monitor")
    );
    let all = links
        .list(&ListPaymentLinks {
            limit: Some(100),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        all.items
            .iter()
            .any(|x| x.payment_link_id == l.payment_link_id)
    );

    let err = links
        .create(&CreatePaymentLink::default())
        .await
        .unwrap_err();
    assert_names_field(err, 422, "payment_link.line_items");
    assert_not_found(
        links
            .retrieve("fplink_01NOSUCH0000000000000000")
            .await
            .unwrap_err(),
    );
}

#[tokio::test]
async fn setup_intents() {
    let env = Env::demo().await;
    let customer = env.customer("setup@example.com").await;
    let intents = env.client.setup_intents();
    let si = intents
        .create(&CreateSetupIntent {
            extra: serde_json::json!({"customer": customer})
                .as_object()
                .unwrap()
                .clone(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(si.setup_intent_id.starts_with("fsi_"));
    let read = intents
        .retrieve_with(
            &si.setup_intent_id,
            &Expand {
                expand: Some("customer".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        expanded_customer_id(read.customer.as_ref()),
        Some(customer.as_str())
    );
    let listed = intents
        .list(&ListSetupIntents {
            customer: Some(customer),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 1);
    assert_eq!(
        intents
            .retrieve(&si.setup_intent_id)
            .await
            .unwrap()
            .setup_intent_id,
        si.setup_intent_id
    );

    let err = intents
        .create(&CreateSetupIntent {
            checkout_session: Some("fcs_01NOSUCHSESSION00000000000".into()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_names_field(err, 422, "setup_intent.checkout_session");
    assert_not_found(
        intents
            .retrieve("fsi_01NOSUCH000000000000000000")
            .await
            .unwrap_err(),
    );
}

#[tokio::test]
async fn exports() {
    let env = Env::demo().await;
    let exports = env.client.exports();
    let e = exports
        .create(&CreateExport {
            kind: Some("payments".into()),
            description: Some("Contract".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(e.kind.as_deref(), Some("payments"));
    assert_eq!(e.status.as_deref(), Some("created"));
    let canceled = exports.cancel(&e.export_id).await.unwrap();
    assert_eq!(
        canceled.status.as_deref(),
        Some("canceled"),
        "cancelled before it ran"
    );

    let other = exports
        .create(&CreateExport {
            kind: Some("customers".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let polled = exports.retrieve(&other.export_id).await.unwrap();
    assert_eq!(
        polled.status.as_deref(),
        Some("completed"),
        "the simulator finishes on first poll"
    );
    assert_eq!(
        api(exports.cancel(&other.export_id).await.unwrap_err()).status,
        422,
        "finished exports cannot be cancelled"
    );

    let err = exports.create(&CreateExport::default()).await.unwrap_err();
    assert_names_field(err, 422, "export.type");
    assert_not_found(exports.retrieve("fexp_nosuch").await.unwrap_err());
}

#[tokio::test]
async fn files_upload_list_retrieve() {
    let env = Env::demo().await;
    let files = env.client.files();
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
    let f = files
        .upload(&UploadFile {
            purpose: "dispute_evidence".into(),
            filename: "receipt.pdf".into(),
            content_type: "application/pdf".into(),
            data: pdf.clone().into(),
        })
        .await
        .unwrap();
    assert_eq!(f.filename.as_deref(), Some("receipt.pdf"));
    assert_eq!(f.size, Some(pdf.len() as u64));
    assert_eq!(files.retrieve(&f.file_id).await.unwrap().file_id, f.file_id);
    let listed = files
        .list(&ListFiles {
            purpose: Some("dispute_evidence".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(listed.items.iter().any(|x| x.file_id == f.file_id));

    let err = files
        .upload(&UploadFile {
            purpose: "dispute_evidence".into(),
            filename: "notes.txt".into(),
            content_type: "text/plain".into(),
            data: b"plain text".to_vec().into(),
        })
        .await
        .unwrap_err();
    assert_names_field(err, 422, "file");
    let err = files
        .upload(&UploadFile {
            purpose: "memes".into(),
            filename: "a.pdf".into(),
            content_type: "application/pdf".into(),
            data: pdf.into(),
        })
        .await
        .unwrap_err();
    assert_names_field(err, 422, "purpose");
    assert_not_found(files.retrieve("ffile_nosuch").await.unwrap_err());
}

#[tokio::test]
async fn events_list_retrieve_retry() {
    let env = Env::demo().await;
    env.paid_session(1000, "automatic").await;
    let events = env.client.events();
    let page = events.list(&ListEvents::default()).await.unwrap();
    let ev = page.items.first().expect("paying emits events");
    assert!(ev.event_type.is_some());
    assert_eq!(
        events.retrieve(&ev.event_id).await.unwrap().event_id,
        ev.event_id
    );

    let hooks = env.client.send(Request::get("/v1/webhooks")).await.unwrap();
    let webhook = hooks["webhooks"][0]["webhook_id"]
        .as_str()
        .expect("the demo registers a webhook")
        .to_owned();
    let retried = events
        .retry(
            &ev.event_id,
            &RetryEvent {
                webhook_id: webhook.clone(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(retried.event_id, ev.event_id);

    let err = events
        .retry(
            &ev.event_id,
            &RetryEvent {
                webhook_id: String::new(),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_names_field(err, 422, "event.webhook_id");
    assert_not_found(events.retrieve("fevt_nosuch").await.unwrap_err());
    assert_not_found(
        events
            .retry(
                "fevt_nosuch",
                &RetryEvent {
                    webhook_id: webhook,
                    ..Default::default()
                },
            )
            .await
            .unwrap_err(),
    );
}
