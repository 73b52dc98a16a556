//! `src/tools/customers.rs`: customers and their saved payment methods.

use serde_json::json;

use crate::call::{call, invalid, ok};
use crate::sim::Env;

#[tokio::test]
async fn customers_are_created_found_by_email_and_updated() {
    let env = Env::empty().await;
    let created = ok(
        &env,
        "create_customer",
        json!({"first_name": "Jane", "last_name": "Doe", "email": "jane@example.com",
               "phone": "+15555555555",
               "shipping": {"line1": "1 Main St", "city": "Austin", "state": "TX",
                            "postal_code": "78701", "country": "US"}}),
    )
    .await;
    let id = created["customer_id"].as_str().expect("id").to_owned();
    assert!(id.starts_with("fcus_"));
    assert_eq!(created["shipping"]["city"], "Austin", "{created}");

    let found = ok(&env, "list_customers", json!({"email": "jane@example.com"})).await;
    assert_eq!(found["customers"][0]["customer_id"], id.as_str());

    let updated = ok(
        &env,
        "update_customer",
        json!({"customer_id": id, "employer": "Acme"}),
    )
    .await;
    assert_eq!(updated["employer"], "Acme");
    assert_eq!(updated["email"], "jane@example.com", "other fields stay");
    let read = ok(&env, "get_customer", json!({"customer_id": id})).await;
    assert_eq!(read["employer"], "Acme");

    let (field, _) = invalid(
        call(
            &env,
            "update_customer",
            json!({"customer_id": id, "email": "not-an-email"}),
        )
        .await,
    );
    assert_eq!(field.as_deref(), Some("email"));
}

#[tokio::test]
async fn saved_payment_methods_are_listed_and_read() {
    let env = Env::demo().await;
    let customers = ok(&env, "list_customers", json!({"limit": 20})).await;
    let mut seen = 0;
    for c in customers["customers"].as_array().expect("customers") {
        let id = c["customer_id"].clone();
        let pms = ok(
            &env,
            "list_customer_payment_methods",
            json!({"customer_id": id}),
        )
        .await;
        if let Some(pm) = pms["payment_methods"][0]["payment_method_id"].as_str() {
            let one = ok(
                &env,
                "get_customer_payment_method",
                json!({"customer_id": id, "payment_method_id": pm}),
            )
            .await;
            assert_eq!(one["payment_method_id"], pm);
            assert!(one["card"]["last4"].is_string(), "{one}");
            seen += 1;
        }
    }
    assert!(seen > 0, "the demo has customers with saved cards");
}
