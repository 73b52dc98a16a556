//! Paging across several pages, with the auto-paging stream and with manual cursors.

use std::collections::HashSet;

use flex_api::*;
use futures::{StreamExt, TryStreamExt};
use serde_json::json;

use crate::common::Env;

/// 25 products tagged `run=<tag>`, so the listing ignores the demo's own products.
async fn tagged_products(env: &Env, tag: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..25 {
        let p = env
            .client
            .products()
            .create(&CreateProduct {
                name: format!("Paged product {i}"),
                metadata: Some(json!({ "run": tag }).as_object().unwrap().clone()),
                ..Default::default()
            })
            .await
            .unwrap();
        ids.push(p.product_id);
    }
    ids
}

fn query(tag: &str) -> ListProducts {
    ListProducts {
        limit: Some(10),
        metadata: [("run".to_owned(), tag.to_owned())].into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn stream_walks_three_pages_in_order() {
    let env = Env::demo().await;
    let created = tagged_products(&env, "stream").await;
    env.clear_journal().await;

    let seen: Vec<Product> = env
        .client
        .products()
        .list_all(&query("stream"))
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<&str> = seen.iter().map(|p| p.product_id.as_str()).collect();
    let mut newest_first: Vec<&str> = created.iter().map(String::as_str).collect();
    newest_first.reverse();
    assert_eq!(ids, newest_first, "every product once, newest first");

    let gets = env.journal_of("GET", "/v1/products").await;
    assert_eq!(
        gets.len(),
        3,
        "10 + 10 + 5 items = three requests: {gets:?}"
    );
}

#[tokio::test]
async fn stream_can_stop_early_and_start_from_a_cursor() {
    let env = Env::demo().await;
    let created = tagged_products(&env, "early").await;
    let first_three: Vec<Product> = env
        .client
        .products()
        .list_all(&query("early"))
        .take(3)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(first_three.len(), 3);
    env.clear_journal().await;
    let _ = env
        .client
        .products()
        .list_all(&query("early"))
        .take(3)
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    assert_eq!(
        env.journal("/v1/products").await.len(),
        1,
        "a stream fetches pages only as they are needed"
    );

    let mut q = query("early");
    q.starting_after = Some(created[5].clone()); // sixth-oldest: five older ones follow it
    let rest: Vec<Product> = env
        .client
        .products()
        .list_all(&q)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rest.len(), 5);
}

#[tokio::test]
async fn manual_cursors_cover_every_page() {
    let env = Env::demo().await;
    let created = tagged_products(&env, "manual").await;
    let mut q = query("manual");
    let mut sizes = Vec::new();
    let mut seen = HashSet::new();
    loop {
        let page = env.client.products().list(&q).await.unwrap();
        sizes.push(page.items.len());
        for p in &page.items {
            assert!(
                seen.insert(p.product_id.clone()),
                "{} seen twice",
                p.product_id
            );
        }
        match page.next_cursor() {
            Some(c) => q.starting_after = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(sizes, vec![10, 10, 5]);
    assert_eq!(seen, created.into_iter().collect::<HashSet<_>>());
}

#[tokio::test]
async fn ending_before_pages_backwards() {
    let env = Env::demo().await;
    let created = tagged_products(&env, "back").await;
    let mut q = query("back");
    q.ending_before = Some(created[4].clone());
    let page = env.client.products().list(&q).await.unwrap();
    let ids: Vec<&str> = page.items.iter().map(|p| p.product_id.as_str()).collect();
    let expected: Vec<&str> = created[5..15].iter().rev().map(String::as_str).collect();
    assert_eq!(
        ids, expected,
        "the ten newer than the cursor, still newest first"
    );
}
