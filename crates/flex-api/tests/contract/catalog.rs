//! Products, prices, customers (and their payment methods), coupons, promo codes, shipping rates.

use flex_api::*;
use serde_json::json;

use crate::common::{Env, assert_names_field, assert_not_found};

#[tokio::test]
async fn products_create_retrieve_update_list() {
    let env = Env::demo().await;
    let products = env.client.products();
    let created = products
        .create(&CreateProduct {
            name: "Digital thermometer".into(),
            description: Some("Oral/underarm".into()),
            gtin: Some("00012345678902".into()),
            client_reference_id: Some("SKU-THERMO-1".into()),
            metadata: Some(json!({"shelf": "A3"}).as_object().unwrap().clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        created.product_id.starts_with("fprod_"),
        "{}",
        created.product_id
    );
    assert_eq!(created.name.as_deref(), Some("Digital thermometer"));
    assert_eq!(
        created.test_mode,
        Some(true),
        "a test key creates test objects"
    );
    assert!(
        created.hsa_fsa_eligibility.is_some(),
        "Flex decides eligibility on create"
    );
    assert!(
        created
            .created_at
            .as_ref()
            .and_then(Timestamp::to_datetime)
            .is_some(),
        "ISO created_at reads"
    );

    let read = products.retrieve(&created.product_id).await.unwrap();
    assert_eq!(read.product_id, created.product_id);

    let updated = products
        .update(
            &created.product_id,
            &UpdateProduct {
                active: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.active, Some(false));

    let page = products
        .list(&ListProducts {
            client_reference_id: Some("SKU-THERMO-1".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1, "filter by client_reference_id");
    assert_eq!(page.items[0].product_id, created.product_id);
    let inactive = products
        .list(&ListProducts {
            active: Some(false),
            limit: Some(100),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(inactive.items.iter().all(|p| p.active == Some(false)));
    assert!(
        inactive
            .items
            .iter()
            .any(|p| p.product_id == created.product_id)
    );
}

#[tokio::test]
async fn products_metadata_filter() {
    let env = Env::demo().await;
    let meta = json!({"batch": "b-77"}).as_object().unwrap().clone();
    let p = env
        .client
        .products()
        .create(&CreateProduct {
            name: "Tagged".into(),
            metadata: Some(meta),
            ..Default::default()
        })
        .await
        .unwrap();
    let page = env
        .client
        .products()
        .list(&ListProducts {
            metadata: [("batch".to_owned(), "b-77".to_owned())].into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        page.items
            .iter()
            .map(|p| p.product_id.as_str())
            .collect::<Vec<_>>(),
        vec![p.product_id.as_str()]
    );
}

#[tokio::test]
async fn products_errors() {
    let env = Env::demo().await;
    let products = env.client.products();
    let err = products
        .create(&CreateProduct {
            name: String::new(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_names_field(err, 422, "product.name");
    assert_not_found(
        products
            .retrieve("fprod_01NOSUCHPRODUCT0000000000")
            .await
            .unwrap_err(),
    );
    assert_not_found(
        products
            .update("fprod_01NOSUCHPRODUCT0000000000", &UpdateProduct::default())
            .await
            .unwrap_err(),
    );
    let err = products
        .list(&ListProducts {
            limit: Some(0),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_names_field(err, 422, "limit");
}

#[tokio::test]
async fn prices_create_retrieve_update_list() {
    let env = Env::demo().await;
    let (product, price) = env.priced_product("Knee brace", 2599).await;
    let prices = env.client.prices();
    let p = prices.retrieve(&price).await.unwrap();
    assert_eq!(p.unit_amount, Some(2599));
    assert_eq!(
        p.product.as_ref().map(Expandable::id),
        Some(product.as_str())
    );
    assert!(
        p.product.as_ref().unwrap().object().is_none(),
        "not expanded by default"
    );

    let expanded = prices
        .retrieve_with(
            &price,
            &Expand {
                expand_product: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let prod = expanded
        .product
        .as_ref()
        .and_then(Expandable::object)
        .expect("expand_product expands");
    assert_eq!(prod.product_id, product);

    let updated = prices
        .update(
            &price,
            &UpdatePrice {
                description: Some("Brace, size M".into()),
                active: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.description.as_deref(), Some("Brace, size M"));
    assert_eq!(updated.active, Some(false));

    let listed = prices
        .list(&ListPrices {
            product: Some(product.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 1);

    let recurring = env.recurring_price(4999).await;
    let r = prices.retrieve(&recurring).await.unwrap();
    assert_eq!(
        r.recurring.as_ref().and_then(|r| r.interval.as_deref()),
        Some("month")
    );
}

#[tokio::test]
async fn prices_errors() {
    let env = Env::demo().await;
    let prices = env.client.prices();
    let err = prices
        .create(&CreatePrice {
            product: "fprod_01NOSUCHPRODUCT0000000000".into(),
            unit_amount: Some(100),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_names_field(err, 422, "price.product");
    let (product, _) = env.priced_product("X", 100).await;
    let err = prices
        .create(&CreatePrice {
            product,
            unit_amount: Some(-5),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_names_field(err, 422, "price.unit_amount");
    assert_not_found(
        prices
            .retrieve("fprice_01NOSUCH000000000000000000")
            .await
            .unwrap_err(),
    );
    assert_not_found(
        prices
            .update("fprice_01NOSUCH000000000000000000", &UpdatePrice::default())
            .await
            .unwrap_err(),
    );
}

#[tokio::test]
async fn customers_and_payment_methods() {
    let env = Env::demo().await;
    let customers = env.client.customers();
    let id = env.customer("jane.contract@example.com").await;
    let c = customers.retrieve(&id).await.unwrap();
    assert_eq!(c.email.as_deref(), Some("jane.contract@example.com"));
    let updated = customers
        .update(
            &id,
            &UpdateCustomer {
                employer: Some("Acme".into()),
                shipping: Some(AddressInput {
                    line1: Some("1 Main St".into()),
                    city: Some("Springfield".into()),
                    state: Some("CA".into()),
                    postal_code: Some("90210".into()),
                    country: Some("US".into()),
                    ..Default::default()
                }),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.employer.as_deref(), Some("Acme"));
    assert_eq!(
        updated.shipping.as_ref().and_then(|s| s.city.as_deref()),
        Some("Springfield")
    );
    let found = customers
        .list(&ListCustomers {
            email: Some("jane.contract@example.com".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(found.items.len(), 1);

    // Paying stores the card on the session's customer.
    let session = env.paid_session(1500, "automatic").await;
    let buyer = session
        .customer
        .as_ref()
        .map(Expandable::id)
        .unwrap()
        .to_owned();
    let pms = customers
        .list_payment_methods(&buyer, &ListPaymentMethods::default())
        .await
        .unwrap();
    let pm = pms.items.first().expect("the buyer's card is saved");
    assert!(pm.payment_method_id.starts_with("fpm_"));
    let one = customers
        .retrieve_payment_method(&buyer, &pm.payment_method_id)
        .await
        .unwrap();
    assert_eq!(
        one.card.as_ref().and_then(|c| c.last4.as_deref()),
        Some("4242")
    );
}

#[tokio::test]
async fn customers_errors() {
    let env = Env::demo().await;
    let customers = env.client.customers();
    let err = customers
        .create(&CreateCustomer {
            email: Some("not-an-email".into()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_names_field(err, 422, "customer.email");
    assert_not_found(
        customers
            .retrieve("fcus_01NOSUCH00000000000000000")
            .await
            .unwrap_err(),
    );
    assert_not_found(
        customers
            .update("fcus_01NOSUCH00000000000000000", &UpdateCustomer::default())
            .await
            .unwrap_err(),
    );
    assert_not_found(
        customers
            .list_payment_methods(
                "fcus_01NOSUCH00000000000000000",
                &ListPaymentMethods::default(),
            )
            .await
            .unwrap_err(),
    );
    let id = env.customer("pm@example.com").await;
    assert_not_found(
        customers
            .retrieve_payment_method(&id, "fpm_01NOSUCH0000000000000000000")
            .await
            .unwrap_err(),
    );
}

#[tokio::test]
async fn coupons_and_promo_codes() {
    let env = Env::demo().await;
    let coupon = env
        .client
        .coupons()
        .create(&CreateCoupon {
            name: Some("Spring 20%".into()),
            percent_off: Some(20.0),
            duration: Some("once".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(coupon.percent_off, Some(20.0));
    let read = env
        .client
        .coupons()
        .retrieve(&coupon.coupon_id)
        .await
        .unwrap();
    assert_eq!(read.name.as_deref(), Some("Spring 20%"));
    let all = env
        .client
        .coupons()
        .list(&ListCoupons {
            limit: Some(100),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(all.items.iter().any(|c| c.coupon_id == coupon.coupon_id));

    let promo = env
        .client
        .promo_codes()
        .create(&CreatePromoCode {
            coupon_id: coupon.coupon_id.clone(),
            code: "SPRING20".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(promo.code.as_deref(), Some("SPRING20"));
    assert_eq!(
        promo.coupon.as_ref().map(Expandable::id),
        Some(coupon.coupon_id.as_str())
    );
    let active = env
        .client
        .promo_codes()
        .list(&ListPromoCodes {
            active: Some(true),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        active
            .items
            .iter()
            .any(|p| p.promo_code_id == promo.promo_code_id)
    );
}

#[tokio::test]
async fn coupons_and_promo_codes_errors() {
    let env = Env::demo().await;
    let err = env
        .client
        .coupons()
        .create(&CreateCoupon {
            name: Some("Nothing off".into()),
            duration: Some("once".into()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    let e = crate::common::api(err);
    assert_eq!(
        e.status, 422,
        "a coupon needs amount_off or percent_off: {e}"
    );
    assert!(
        e.to_string().contains("amount_off") || e.to_string().contains("percent_off"),
        "{e}"
    );
    let err = env
        .client
        .coupons()
        .create(&CreateCoupon {
            percent_off: Some(150.0),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_names_field(err, 422, "coupon.percent_off");
    assert_not_found(
        env.client
            .coupons()
            .retrieve("fcoup_nosuch")
            .await
            .unwrap_err(),
    );
    let err = env
        .client
        .promo_codes()
        .create(&CreatePromoCode {
            coupon_id: "fcoup_nosuch".into(),
            code: "X".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_names_field(err, 422, "promo_code.coupon_id");
    let err = env
        .client
        .promo_codes()
        .list(&ListPromoCodes {
            limit: Some(101),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_names_field(err, 422, "limit");
}

#[tokio::test]
async fn shipping_rates() {
    let env = Env::demo().await;
    let rates = env.client.shipping_rates();
    let r = rates
        .create(&CreateShippingRate {
            display_name: Some("Overnight".into()),
            amount: Some(2499),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(r.amount, Some(2499));
    assert_eq!(
        rates
            .retrieve(&r.shipping_rate_id)
            .await
            .unwrap()
            .display_name
            .as_deref(),
        Some("Overnight")
    );
    let off = rates
        .update(
            &r.shipping_rate_id,
            &UpdateShippingRate {
                active: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(off.active, Some(false));
    let all = rates
        .list(&ListShippingRates {
            limit: Some(100),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        all.items
            .iter()
            .any(|x| x.shipping_rate_id == r.shipping_rate_id)
    );

    let err = rates
        .create(&CreateShippingRate {
            amount: Some(100),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_names_field(err, 422, "shipping_rate.display_name");
    assert_not_found(rates.retrieve("fshr_nosuch").await.unwrap_err());
    assert_not_found(
        rates
            .update("fshr_nosuch", &UpdateShippingRate::default())
            .await
            .unwrap_err(),
    );
}
