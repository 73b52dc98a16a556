//! Pagination, ordering, defaults and filters (§5).

use serde_json::{Value, json};

use crate::common::{TEST_KEY, TestSim, start};

fn ids(v: &Value, key: &str, field: &str) -> Vec<String> {
    v[key]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|o| o[field].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn products(sim: &TestSim, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    for i in 0..n {
        let v = sim.ok_post(TEST_KEY, "/v1/products", &json!({"product": {"name": format!("P{i}"), "client_reference_id": if i % 2 == 0 { "even" } else { "odd" }}})).await;
        out.push(v["product"]["product_id"].as_str().unwrap_or("").to_owned());
    }
    out
}

#[tokio::test]
async fn cursor_pages_walk_newest_first_without_gaps() {
    let sim = start().await;
    let created = products(&sim, 25).await;
    let mut expected = created.clone();
    expected.reverse();

    let (_, first) = sim.get(TEST_KEY, "/v1/products").await;
    assert_eq!(
        first["products"].as_array().map(Vec::len),
        Some(10),
        "default limit for products is 10"
    );
    assert_eq!(first["has_more"], true);

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/products?limit=10&starting_after={c}"),
            None => "/v1/products?limit=10".to_owned(),
        };
        let (s, page) = sim.get(TEST_KEY, &path).await;
        assert_eq!(s, 200);
        let page_ids = ids(&page, "products", "product_id");
        pages += 1;
        seen.extend(page_ids.clone());
        if page["has_more"] != true {
            break;
        }
        cursor = page_ids.last().cloned();
    }
    assert_eq!(pages, 3, "25 items in pages of 10");
    assert_eq!(seen, expected, "newest first, every item exactly once");

    // ending_before walks back: the page before the 11th item is the first page.
    let (_, back) = sim
        .get(
            TEST_KEY,
            &format!("/v1/products?limit=10&ending_before={}", expected[10]),
        )
        .await;
    assert_eq!(
        ids(&back, "products", "product_id"),
        expected[..10].to_vec()
    );
    assert_eq!(
        back["has_more"], false,
        "nothing is newer than the first page"
    );

    let (_, off) = sim.get(TEST_KEY, "/v1/products?limit=5&offset=20").await;
    assert_eq!(
        ids(&off, "products", "product_id"),
        expected[20..].to_vec(),
        "offset skips"
    );
}

#[tokio::test]
async fn limits_and_cursors_are_validated() {
    let sim = start().await;
    for bad in ["0", "101", "-1", "ten"] {
        let (s, v) = sim
            .get(TEST_KEY, &format!("/v1/products?limit={bad}"))
            .await;
        assert_eq!(s, 422, "limit={bad}");
        assert_eq!(v["detail"][0]["loc"], json!(["query", "limit"]));
    }
    let (s, v) = sim
        .get(TEST_KEY, "/v1/products?starting_after=fprod_unknown")
        .await;
    assert_eq!(s, 404, "an unknown cursor is not silently ignored");
    assert_eq!(v["error"]["param"], "query.starting_after");
    let (_, r) = sim.get(TEST_KEY, "/v1/refunds").await;
    assert_eq!(r["has_more"], false);
}

#[tokio::test]
async fn filters_apply_before_paging() {
    let sim = start().await;
    products(&sim, 6).await;
    let (_, even) = sim
        .get(TEST_KEY, "/v1/products?client_reference_id=even")
        .await;
    assert_eq!(even["products"].as_array().map(Vec::len), Some(3));
    let first = ids(&even, "products", "product_id")[0].clone();
    sim.send(
        reqwest::Method::PATCH,
        Some(TEST_KEY),
        &format!("/v1/products/{first}"),
        Some(&json!({"product": {"active": false}})),
    )
    .await;
    let (_, active) = sim.get(TEST_KEY, "/v1/products?active=false").await;
    assert_eq!(ids(&active, "products", "product_id"), vec![first]);
}

#[tokio::test]
async fn checkout_created_bounds_accept_both_spellings() {
    let sim = start().await;
    let (_, price) = sim
        .product_and_price(TEST_KEY, "Thermometer", "0002", 1000)
        .await;
    let id = sim.session(TEST_KEY, &[(&price, 1)], json!({})).await;
    let (_, v) = sim
        .get(TEST_KEY, &format!("/v1/checkout/sessions/{id}"))
        .await;
    let created = v["checkout_session"]["created_at"]
        .as_i64()
        .expect("checkout created_at is an integer (epoch seconds)");
    let iso = |s: i64| chrono_like(s);
    for (param, at, expect) in [
        ("created[gte]", created, 1),
        ("created_gte", created, 1),
        ("created[gt]", created, 0),
        ("created_gt", created, 0),
        ("created[lte]", created, 1),
        ("created_lt", created, 0),
        ("created[lt]", created + 1, 1),
    ] {
        let (s, list) = sim
            .get(
                TEST_KEY,
                &format!("/v1/checkout/sessions?{param}={}", iso(at)),
            )
            .await;
        assert_eq!(s, 200, "{param}");
        assert_eq!(
            list["checkout_sessions"].as_array().map(Vec::len),
            Some(expect),
            "{param}={}",
            iso(at)
        );
    }
    let (s, v) = sim
        .get(TEST_KEY, "/v1/checkout/sessions?created_gt=soon")
        .await;
    assert_eq!(s, 422);
    assert_eq!(v["detail"][0]["loc"], json!(["query", "created_gt"]));
    let (_, recent) = sim.get(TEST_KEY, "/v1/checkout/sessions?interval=1").await;
    assert_eq!(
        recent["checkout_sessions"].as_array().map(Vec::len),
        Some(1),
        "interval is in days"
    );
}

/// Unix seconds → ISO-8601 UTC, without a date library in the tests.
fn chrono_like(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}
