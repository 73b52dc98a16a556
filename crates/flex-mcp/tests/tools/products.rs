//! `src/tools/products.rs`: products and prices.

use serde_json::{Value, json};

use crate::call::{ok, paid_session};
use crate::sim::Env;

fn ids(page: &Value) -> Vec<&str> {
    page["products"]
        .as_array()
        .expect("products")
        .iter()
        .filter_map(|p| p["product_id"].as_str())
        .collect()
}

#[tokio::test]
async fn list_products_pages_with_a_cursor() {
    let env = Env::empty().await;
    let mut made = Vec::new();
    for name in ["Thermometer", "Sunscreen SPF 50", "First aid kit"] {
        let p = ok(&env, "create_product", json!({"name": name})).await;
        made.push(p["product_id"].as_str().expect("id").to_owned());
    }
    let first = ok(&env, "list_products", json!({"limit": 2})).await;
    assert_eq!(
        ids(&first),
        [made[2].as_str(), made[1].as_str()],
        "newest first"
    );
    assert_eq!(first["has_more"], true);
    assert_eq!(first["next_cursor"], made[1].as_str());

    let second = ok(
        &env,
        "list_products",
        json!({"limit": 2, "starting_after": first["next_cursor"]}),
    )
    .await;
    assert_eq!(ids(&second), [made[0].as_str()]);
    assert_eq!(second["has_more"], false);
    assert_eq!(second["next_cursor"], Value::Null);
}

#[tokio::test]
async fn create_product_wraps_the_body_and_sends_the_idempotency_key() {
    let env = Env::empty().await;
    let args = json!({
        "name": "Knee brace",
        "description": "Adjustable, one size",
        "upc_code": "012345678905",
        "metadata": {"sku": "KB-1"},
        "idempotency_key": "tools-test-create-1"
    });
    let created = ok(&env, "create_product", args.clone()).await;
    let id = created["product_id"].as_str().expect("id");
    assert!(id.starts_with("fprod_"));
    // Flex only sees fields inside {"product": {...}}: reading them back proves the wrapping.
    let read = ok(&env, "get_product", json!({"product_id": id})).await;
    assert_eq!(read["name"], "Knee brace");
    assert_eq!(read["description"], "Adjustable, one size");
    assert_eq!(read["metadata"], json!({"sku": "KB-1"}));
    assert_eq!(read["test_mode"], true);
    assert!(read.get("idempotency_key").is_none());

    let posts = env.journal_of("POST", "/v1/products").await;
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0]["idempotency_key"], "tools-test-create-1");
    assert_eq!(posts[0]["status"], 201);

    // Same key, same body: Flex replays the first answer instead of creating a second product.
    let again = ok(&env, "create_product", args).await;
    assert_eq!(again["product_id"], created["product_id"]);
}

#[tokio::test]
async fn update_product_and_price_retire_them() {
    let env = Env::empty().await;
    let product = ok(&env, "create_product", json!({"name": "Heating pad"})).await;
    let price = ok(
        &env,
        "create_price",
        json!({"product": product["product_id"], "unit_amount": 2999,
               "recurring": {"interval": "monthly", "interval_count": 3}}),
    )
    .await;
    assert_eq!(price["unit_amount"], 2999);
    assert_eq!(price["product"], product["product_id"]);
    assert_eq!(price["type"], "recurring");
    assert_eq!(price["recurring"]["interval_count"], 3);

    let retired = ok(
        &env,
        "update_price",
        json!({"price_id": price["price_id"], "active": false, "description": "old"}),
    )
    .await;
    assert_eq!(retired["active"], false);
    let active = ok(&env, "list_prices", json!({"active": true})).await;
    assert_eq!(
        active["prices"],
        json!([]),
        "a retired price is not listed as active"
    );

    let updated = ok(
        &env,
        "update_product",
        json!({"product_id": product["product_id"], "active": false, "metadata": {"v": "2"}}),
    )
    .await;
    assert_eq!(
        (updated["active"].clone(), updated["metadata"].clone()),
        (json!(false), json!({"v": "2"}))
    );
    // Prices update with POST (Flex's choice), products with PATCH.
    assert_eq!(env.journal_of("POST", "/v1/prices/").await.len(), 1);
    assert_eq!(env.journal_of("PATCH", "/v1/products/").await.len(), 1);
}

#[tokio::test]
async fn a_sold_price_reads_back_with_its_product() {
    let env = Env::empty().await;
    let session = paid_session(&env, 1234, "automatic").await;
    let lines = ok(
        &env,
        "list_checkout_session_line_items",
        json!({"checkout_session_id": session["checkout_session_id"]}),
    )
    .await;
    let price = lines["line_items"][0]["price"].clone();
    let read = ok(&env, "get_price", json!({"price_id": price})).await;
    assert_eq!(read["unit_amount"], 1234);
    let product = ok(&env, "get_product", json!({"product_id": read["product"]})).await;
    assert_eq!(product["name"], "Blood pressure monitor");
}
