//! The catalogue's promises, checked without a network: every tool is in the access table and
//! vice versa, annotations agree with the class, names and schemas follow the rules, and the
//! whole `tools/list` matches the reviewed golden snapshot.

use std::collections::HashSet;
use std::path::PathBuf;

use flex_mcp::Access;
use flex_mcp::access::access_of;
use flex_mcp::tools::{catalogue, find, to_mcp_tool};
use serde_json::Value;

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some('a'..='z'))
        && name.len() <= 128
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The reviewable access table is generated from the declarations; a class change shows up as
/// a diff of `tests/golden/access.md`.
#[test]
fn access_table_matches_the_golden_file() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/access.md");
    let current = flex_mcp::access::table();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &current).expect("write golden");
        return;
    }
    let golden = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        golden == current,
        "the access table changed; review it, then: UPDATE_GOLDEN=1 cargo test -p flex-mcp --test catalogue\n{current}"
    );
    let rows = current.lines().filter(|l| l.starts_with("| `")).count();
    assert_eq!(rows, catalogue().len(), "one row per tool");
}

#[test]
fn annotations_agree_with_the_access_class() {
    for t in catalogue() {
        let access = access_of(t.name).expect("every tool has a class");
        let h = t.hints();
        let ok = match access {
            Access::Read => h.read_only && !h.destructive,
            Access::Write => !h.read_only && !h.destructive,
            Access::Destructive => !h.read_only && h.destructive,
        };
        assert!(ok, "{}: hints {h:?} disagree with class {access:?}", t.name);
        assert!(
            h.open_world,
            "{}: every Flex tool talks to Flex (openWorld)",
            t.name
        );
        if access == Access::Read {
            assert!(h.idempotent, "{}: reads are idempotent", t.name);
        }
    }
}

#[test]
fn money_moving_and_irreversible_tools_are_destructive() {
    for name in [
        "create_refund",
        "refund_capture",
        "refund_checkout_session",
        "capture_checkout_session",
        "cancel_checkout_session_authorization",
        "cancel_payment_intent",
        "cancel_subscription",
        "submit_dispute",
        "close_dispute",
    ] {
        assert_eq!(access_of(name), Some(Access::Destructive), "{name}");
        assert!(find(name).expect(name).hints().destructive, "{name}");
    }
}

#[test]
fn names_are_unique_and_valid() {
    let mut seen = HashSet::new();
    for t in catalogue() {
        assert!(valid_name(t.name), "invalid tool name {:?}", t.name);
        assert!(seen.insert(t.name), "duplicate tool name {}", t.name);
        assert!(t.name.contains('_'), "{}: verb_resource", t.name);
    }
    assert!(!valid_name("List_products") && !valid_name("1x") && !valid_name(""));
}

#[test]
fn documented_names_are_present() {
    for name in ["create_product", "list_payment_intents", "refund_capture"] {
        assert!(find(name).is_some(), "documented tool {name} is missing");
    }
    assert!(find("no_such_tool").is_none());
    assert_eq!(
        access_of("no_such_tool"),
        None,
        "unknown tools have no class (denied)"
    );
}

#[test]
fn descriptions_and_titles_are_substantial() {
    for t in catalogue() {
        assert!(
            t.description.len() >= 80,
            "{}: description too thin",
            t.name
        );
        assert!(!t.title.is_empty(), "{}: no title", t.name);
        if !t.hints().read_only {
            // Side effects must be spelled out for writes.
            let d = t.description.to_lowercase();
            assert!(
                d.contains("money") || d.contains("cannot be undone"),
                "{}: a write must say whether money moves / whether it can be undone",
                t.name
            );
        }
    }
}

fn properties(schema: &serde_json::Map<String, Value>) -> Vec<(String, Value)> {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

/// Walks every property, nested objects and array items included.
fn walk(schema: &Value, path: &str, visit: &mut dyn FnMut(&str, &Value)) {
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (k, v) in props {
            let p = format!("{path}.{k}");
            visit(&p, v);
            walk(v, &p, visit);
        }
    }
    if let Some(items) = schema.get("items") {
        walk(items, &format!("{path}[]"), visit);
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(Value::Array(alts)) = schema.get(key) {
            for a in alts {
                walk(a, path, visit);
            }
        }
    }
}

#[test]
fn every_input_property_has_a_description() {
    for t in catalogue() {
        let schema = Value::Object((t.input_schema)());
        assert_eq!(
            schema["type"], "object",
            "{}: input schema must be an object",
            t.name
        );
        walk(&schema, t.name, &mut |path, prop| {
            let d = prop
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or("");
            assert!(d.len() >= 5, "{path}: property without a description");
        });
    }
}

#[test]
fn input_schemas_reject_unknown_fields() {
    for t in catalogue() {
        let schema = (t.input_schema)();
        assert_eq!(
            schema.get("additionalProperties"),
            Some(&Value::Bool(false)),
            "{}: parameters must deny unknown fields",
            t.name
        );
    }
}

#[test]
fn no_argument_can_switch_mode_or_credentials() {
    let forbidden = [
        "mode",
        "test_mode",
        "api_test_mode",
        "live",
        "livemode",
        "base_url",
        "url_base",
        "host",
    ];
    for t in catalogue() {
        let schema = Value::Object((t.input_schema)());
        walk(&schema, t.name, &mut |path, _| {
            let leaf = path.rsplit('.').next().unwrap_or(path).to_lowercase();
            assert!(
                !forbidden.contains(&leaf.as_str()),
                "{path}: an argument must not switch mode"
            );
            let is_key = leaf.contains("key") && leaf != "idempotency_key";
            assert!(
                !is_key && !leaf.contains("token") && !leaf.contains("secret"),
                "{path}: no credential arguments"
            );
            assert!(
                !leaf.contains("test_mode"),
                "{path}: an argument must not switch mode"
            );
        });
    }
}

#[test]
fn list_tools_page_with_limit_and_cursor() {
    for t in catalogue().iter().filter(|t| t.name.starts_with("list_")) {
        let input: Vec<String> = properties(&(t.input_schema)())
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert!(input.contains(&"limit".to_owned()), "{}: no limit", t.name);
        let limit = &(t.input_schema)()["properties"]["limit"];
        assert_eq!(limit["minimum"], 1, "{}", t.name);
        assert_eq!(limit["maximum"], 100, "{}", t.name);
        let output: Vec<String> = properties(&(t.output_schema)())
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert!(
            output.contains(&"has_more".to_owned()),
            "{}: no has_more",
            t.name
        );
        assert!(
            output.contains(&"next_cursor".to_owned()),
            "{}: no next_cursor",
            t.name
        );
        if t.name != "list_checkout_session_line_items" {
            assert!(
                input.contains(&"starting_after".to_owned()),
                "{}: no cursor",
                t.name
            );
        }
    }
}

#[test]
fn writes_accept_an_idempotency_key() {
    for t in catalogue().iter().filter(|t| !t.hints().read_only) {
        let input: Vec<String> = properties(&(t.input_schema)())
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert!(
            input.contains(&"idempotency_key".to_owned()),
            "{}: writes take an optional idempotency_key",
            t.name
        );
    }
}

#[test]
fn output_schemas_are_objects() {
    for t in catalogue() {
        let schema = (t.output_schema)();
        assert_eq!(
            schema.get("type"),
            Some(&Value::from("object")),
            "{}",
            t.name
        );
    }
}

fn golden_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/tools_list.json")
}

#[test]
fn tools_list_matches_the_golden_snapshot() {
    let tools: Vec<_> = catalogue().iter().map(to_mcp_tool).collect();
    let current = serde_json::to_string_pretty(&serde_json::json!({ "tools": tools }))
        .expect("tools serialise")
        + "\n";
    let path = golden_path();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().expect("golden dir")).expect("create golden dir");
        std::fs::write(&path, &current).expect("write golden");
        return;
    }
    let golden = std::fs::read_to_string(&path).unwrap_or_default();
    if golden != current {
        let first_diff = golden
            .lines()
            .zip(current.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| golden.lines().count().min(current.lines().count()));
        let new_path = path.with_file_name("tools_list.current.json");
        let _ = std::fs::write(&new_path, &current);
        panic!(
            "tools/list differs from {} (first difference at line {}; the current output is in {}).\n\
             Review the change, then update the snapshot with:\n    \
             UPDATE_GOLDEN=1 cargo test -p flex-mcp --test catalogue",
            path.display(),
            first_diff + 1,
            new_path.display()
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Tools run for real against an in-process flex-sim.

mod against_sim {
    use flex_api::{Client, ClientConfig, Mode, Request};
    use flex_mcp::tools::{ToolCtx, ToolError, find};
    use flex_sim::{SimConfig, SimHandle};
    use serde_json::{Value, json};

    const KEY: &str = "fsk_test_tools_catalogue";

    async fn sim() -> (SimHandle, ToolCtx) {
        let sim = flex_sim::start(SimConfig {
            port: 0,
            seed: None,
            keys: vec![(KEY.to_owned(), Vec::new())],
        })
        .await
        .expect("start flex-sim");
        let api = Client::new(ClientConfig::new(KEY).with_base_url(sim.base_url()))
            .expect("client for a test key");
        let ctx = ToolCtx {
            api,
            mode: Mode::Test,
        };
        (sim, ctx)
    }

    async fn call(ctx: &ToolCtx, tool: &str, args: Value) -> Result<Value, ToolError> {
        let def = find(tool).unwrap_or_else(|| panic!("no tool {tool}"));
        let Value::Object(args) = args else {
            panic!("arguments must be an object")
        };
        let out = (def.run)(ctx.clone(), args).await?;
        conforms(&Value::Object((def.output_schema)()), &out, tool);
        Ok(out)
    }

    async fn ok(ctx: &ToolCtx, tool: &str, args: Value) -> Value {
        match call(ctx, tool, args).await {
            Ok(v) => v,
            Err(e) => panic!("{tool} failed: {e:?}"),
        }
    }

    /// A light structural check of a result against its output schema: types match, required
    /// keys are present, and no key appears that the schema does not declare.
    fn conforms(schema: &Value, value: &Value, path: &str) {
        let types: Vec<&str> = match &schema["type"] {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => return,
        };
        let actual = match value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        let fits = types.contains(&actual) || (actual == "integer" && types.contains(&"number"));
        assert!(fits, "{path}: {actual} where the schema says {types:?}");
        match value {
            // A nested object the schema leaves open (output schemas go one level deep, to keep
            // tools/list small): any content conforms, as in JSON Schema.
            Value::Object(_)
                if schema.get("properties").is_none()
                    && schema.get("additionalProperties").is_none() => {}
            Value::Object(map) => {
                let props = schema["properties"]
                    .as_object()
                    .cloned()
                    .unwrap_or_default();
                for (k, v) in map {
                    let sub = props
                        .get(k)
                        .or_else(|| schema.get("additionalProperties").filter(|a| a.is_object()))
                        .unwrap_or_else(|| panic!("{path}.{k}: not declared in the output schema"));
                    conforms(sub, v, &format!("{path}.{k}"));
                }
                for r in schema["required"].as_array().into_iter().flatten() {
                    let r = r.as_str().unwrap_or_default();
                    assert!(map.contains_key(r), "{path}: required `{r}` missing");
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    conforms(&schema["items"], item, &format!("{path}[{i}]"));
                }
            }
            _ => {}
        }
    }

    async fn journal(ctx: &ToolCtx) -> Vec<Value> {
        let body = ctx
            .api
            .send(Request::get("/__sim/requests"))
            .await
            .expect("journal");
        body["requests"].as_array().cloned().unwrap_or_default()
    }

    fn invalid(result: Result<Value, ToolError>) -> (Option<String>, String) {
        match result {
            Err(ToolError::InvalidArguments { field, message }) => (field, message),
            other => panic!("expected invalid arguments, got {other:?}"),
        }
    }

    fn api_status(result: Result<Value, ToolError>) -> (u16, String) {
        match result {
            Err(ToolError::Api(e)) => (e.status().unwrap_or(0), e.to_string()),
            other => panic!("expected a Flex API error, got {other:?}"),
        }
    }

    /// A product with a price of `cents`, and a completed checkout session for it.
    async fn paid_session(ctx: &ToolCtx, cents: i64, capture_method: &str) -> Value {
        let product = ok(
            ctx,
            "create_product",
            json!({"name": "Blood pressure monitor"}),
        )
        .await;
        let price = ok(
            ctx,
            "create_price",
            json!({"product": product["product_id"], "unit_amount": cents}),
        )
        .await;
        let session = ok(
            ctx,
            "create_checkout_session",
            json!({
                "line_items": [{"price": price["price_id"], "quantity": 1}],
                "session_mode": "payment",
                "success_url": "https://shop.example/thanks",
                "capture_method": capture_method,
                "defaults": {"email": "jane@example.com"}
            }),
        )
        .await;
        assert_eq!(session["status"], "open");
        let id = session["checkout_session_id"]
            .as_str()
            .expect("session id")
            .to_owned();
        ctx.api
            .send(
                Request::post(format!("/__sim/checkout_sessions/{id}/complete"))
                    .json(json!({"card": "4242424242424242"})),
            )
            .await
            .expect("complete the session as a buyer would");
        ok(
            ctx,
            "get_checkout_session",
            json!({"checkout_session_id": id}),
        )
        .await
    }

    #[tokio::test]
    async fn list_pages_with_a_cursor() {
        let (sim, ctx) = sim().await;
        let mut ids = Vec::new();
        for name in ["Thermometer", "Sunscreen SPF 50", "First aid kit"] {
            let p = ok(&ctx, "create_product", json!({"name": name})).await;
            ids.push(p["product_id"].as_str().expect("id").to_owned());
        }
        let first = ok(&ctx, "list_products", json!({"limit": 2})).await;
        let page: Vec<&str> = first["products"]
            .as_array()
            .expect("products")
            .iter()
            .filter_map(|p| p["product_id"].as_str())
            .collect();
        assert_eq!(page, [ids[2].as_str(), ids[1].as_str()], "newest first");
        assert_eq!(first["has_more"], true);
        assert_eq!(first["next_cursor"], ids[1].as_str());

        let second = ok(
            &ctx,
            "list_products",
            json!({"limit": 2, "starting_after": first["next_cursor"]}),
        )
        .await;
        let page: Vec<&str> = second["products"]
            .as_array()
            .expect("products")
            .iter()
            .filter_map(|p| p["product_id"].as_str())
            .collect();
        assert_eq!(page, [ids[0].as_str()]);
        assert_eq!(second["has_more"], false);
        assert_eq!(second["next_cursor"], Value::Null);
        sim.shutdown().await;
    }

    #[tokio::test]
    async fn create_wraps_the_body_and_sends_the_idempotency_key() {
        let (sim, ctx) = sim().await;
        let created = ok(
            &ctx,
            "create_product",
            json!({
                "name": "Knee brace",
                "description": "Adjustable, one size",
                "upc_code": "012345678905",
                "metadata": {"sku": "KB-1"},
                "idempotency_key": "tools-test-create-1"
            }),
        )
        .await;
        let id = created["product_id"].as_str().expect("id");
        assert!(id.starts_with("fprod_"));
        // Flex only sees fields inside {"product": {...}}: reading them back proves the wrapping.
        let read = ok(&ctx, "get_product", json!({"product_id": id})).await;
        assert_eq!(read["name"], "Knee brace");
        assert_eq!(read["description"], "Adjustable, one size");
        assert_eq!(read["metadata"], json!({"sku": "KB-1"}));
        assert_eq!(read["test_mode"], true);
        assert!(read.get("idempotency_key").is_none());

        let posts: Vec<Value> = journal(&ctx)
            .await
            .into_iter()
            .filter(|r| r["method"] == "POST" && r["path"] == "/v1/products")
            .collect();
        assert_eq!(posts.len(), 1);
        assert_eq!(posts[0]["idempotency_key"], "tools-test-create-1");
        assert_eq!(posts[0]["status"], 201);

        // Same key, same body: Flex replays the first answer instead of creating a second product.
        let again = ok(
            &ctx,
            "create_product",
            json!({
                "name": "Knee brace",
                "description": "Adjustable, one size",
                "upc_code": "012345678905",
                "metadata": {"sku": "KB-1"},
                "idempotency_key": "tools-test-create-1"
            }),
        )
        .await;
        assert_eq!(again["product_id"], created["product_id"]);
        sim.shutdown().await;
    }

    #[tokio::test]
    async fn refund_moves_money_and_an_over_refund_is_a_flex_error() {
        let (sim, ctx) = sim().await;
        let session = paid_session(&ctx, 4999, "automatic").await;
        assert_eq!(session["status"], "complete");
        assert_eq!(session["amount_total"], 4999);
        assert_eq!(session["customer_email"], "jane@example.com");
        let pi = session["payment_intent"]
            .as_str()
            .expect("payment intent")
            .to_owned();
        assert!(pi.starts_with("fpi_"));

        let refund = ok(
            &ctx,
            "create_refund",
            json!({"payment_intent_id": pi, "amount": 1500, "reason": "requested_by_customer"}),
        )
        .await;
        assert!(
            refund["refund_id"]
                .as_str()
                .is_some_and(|r| r.starts_with("fre_"))
        );
        assert_eq!(refund["amount"], 1500);
        assert_eq!(refund["payment_intent_id"], pi.as_str());

        // 4999 − 1500 = 3499 remain: asking for more is Flex's 422, surfaced as an API error.
        let (status, message) = api_status(
            call(
                &ctx,
                "create_refund",
                json!({"payment_intent_id": pi, "amount": 3500}),
            )
            .await,
        );
        assert_eq!(status, 422, "{message}");
        assert!(
            message.contains("3499"),
            "Flex's message says what remains: {message}"
        );

        let refunds = ok(&ctx, "list_refunds", json!({"payment_intent": pi})).await;
        assert_eq!(
            refunds["refunds"].as_array().map(Vec::len),
            Some(1),
            "the failed refund left nothing behind"
        );
        sim.shutdown().await;
    }

    #[tokio::test]
    async fn refund_capture_refunds_per_payment_intent_up_to_the_amount() {
        let (sim, ctx) = sim().await;
        let session = paid_session(&ctx, 8000, "manual").await;
        assert_eq!(session["status"], "paid", "manual capture: authorized only");
        let id = session["checkout_session_id"].clone();

        let captured = ok(
            &ctx,
            "capture_checkout_session",
            json!({"checkout_session_id": id}),
        )
        .await;
        assert_eq!(captured["status"], "complete");
        let captures = ok(&ctx, "list_captures", json!({"checkout_session": id})).await;
        let capture = &captures["captures"][0];
        assert_eq!(capture["amount_captured"], 8000);
        let capture_id = capture["capture_id"]
            .as_str()
            .expect("capture id")
            .to_owned();

        // More than was captured is refused before anything is sent.
        let before = journal(&ctx).await.len();
        let (field, message) = invalid(
            call(
                &ctx,
                "refund_capture",
                json!({"capture_id": capture_id, "amount": 9000}),
            )
            .await,
        );
        assert_eq!(field.as_deref(), Some("amount"));
        assert!(message.contains("8000"), "{message}");
        let posts_after = journal(&ctx)
            .await
            .into_iter()
            .skip(before)
            .filter(|r| r["method"] == "POST")
            .count();
        assert_eq!(posts_after, 0, "no refund was attempted");

        let out = ok(
            &ctx,
            "refund_capture",
            json!({"capture_id": capture_id, "amount": 2500, "idempotency_key": "rc-test-1"}),
        )
        .await;
        assert_eq!(out["amount_requested"], 2500);
        assert_eq!(out["amount_refunded"], 2500);
        assert_eq!(out["complete"], true);
        assert_eq!(out["error"], Value::Null);
        let refunds = out["refunds"].as_array().expect("refunds");
        assert_eq!(refunds.len(), 1);
        assert_eq!(refunds[0]["amount"], 2500);
        assert_eq!(
            refunds[0]["payment_intent_id"],
            capture["items"][0]["payment_intent"]
        );

        let keys: Vec<Value> = journal(&ctx)
            .await
            .into_iter()
            .filter(|r| r["path"] == "/v1/refunds" && r["method"] == "POST")
            .map(|r| r["idempotency_key"].clone())
            .collect();
        assert_eq!(keys, [json!("rc-test-1-1")], "one refund, keyed per item");

        // Asking for more than remains is refused up front, naming what remains.
        let (field, message) = invalid(
            call(
                &ctx,
                "refund_capture",
                json!({"capture_id": capture_id, "amount": 6000}),
            )
            .await,
        );
        assert_eq!(field.as_deref(), Some("amount"));
        assert!(message.contains("5500"), "{message}");

        // No amount: the rest of the capture, i.e. what is still unrefunded.
        let rest = ok(&ctx, "refund_capture", json!({"capture_id": capture_id})).await;
        assert_eq!(rest["amount_requested"], 5500);
        assert_eq!(rest["amount_refunded"], 5500);
        assert_eq!(rest["complete"], true);
        let session = ok(
            &ctx,
            "get_checkout_session",
            json!({"checkout_session_id": id}),
        )
        .await;
        assert_eq!(session["amount_refunded"], 8000);

        // Nothing left: a clear refusal, not a zero-cent refund.
        let (field, _) =
            invalid(call(&ctx, "refund_capture", json!({"capture_id": capture_id})).await);
        assert_eq!(field.as_deref(), Some("capture_id"));
        sim.shutdown().await;
    }

    #[tokio::test]
    async fn invalid_arguments_name_the_field_and_send_nothing() {
        let (sim, ctx) = sim().await;
        let (field, message) = invalid(
            call(
                &ctx,
                "get_payment_intent",
                json!({"payment_intent_id": "fcs_01abc"}),
            )
            .await,
        );
        assert_eq!(field.as_deref(), Some("payment_intent_id"));
        assert!(
            message.contains("fpi_") && message.contains("checkout session"),
            "{message}"
        );

        let (field, message) = invalid(call(&ctx, "list_refunds", json!({"limit": 0})).await);
        assert_eq!(field.as_deref(), Some("limit"));
        assert!(message.contains("between 1 and 100"), "{message}");

        let (field, message) = invalid(
            call(
                &ctx,
                "create_refund",
                json!({"payment_intent_id": "fpi_01abc", "amount": 12.5}),
            )
            .await,
        );
        assert_eq!(field.as_deref(), Some("amount"));
        assert!(message.contains("cents"), "{message}");

        let (field, _) = invalid(call(&ctx, "create_refund", json!({"amount": 100})).await);
        assert_eq!(
            field.as_deref(),
            Some("payment_intent_id"),
            "a missing field is named"
        );

        let (field, message) =
            invalid(call(&ctx, "list_products", json!({"api_test_mode": false})).await);
        assert_eq!(
            field.as_deref(),
            Some("api_test_mode"),
            "unknown (mode-switching) arguments are refused"
        );
        assert!(message.contains("unknown field"), "{message}");

        let (field, _) = invalid(
            call(
                &ctx,
                "create_coupon",
                json!({"name": "Both", "amount_off": 500, "percent_off": 10.0}),
            )
            .await,
        );
        assert_eq!(field.as_deref(), Some("amount_off"));

        let (field, _) = invalid(
            call(
                &ctx,
                "create_checkout_session",
                json!({"line_items": [{"quantity": 1}], "session_mode": "payment", "success_url": "https://x.example"}),
            )
            .await,
        );
        assert_eq!(field.as_deref(), Some("line_items[0]"));

        assert!(
            journal(&ctx).await.is_empty(),
            "no invalid call reached Flex"
        );
        sim.shutdown().await;
    }

    /// Every read tool against the simulator's demo data: the path, the envelope key, the
    /// projection and the output schema all have to agree for this to pass.
    #[tokio::test]
    async fn every_list_and_get_tool_reads_the_demo_data() {
        let sim = flex_sim::start(SimConfig {
            port: 0,
            seed: Some(flex_sim::Seed::Demo),
            keys: Vec::new(),
        })
        .await
        .expect("start flex-sim with demo data");
        let api =
            Client::new(ClientConfig::new(flex_sim::DEMO_TEST_KEY).with_base_url(sim.base_url()))
                .expect("client");
        let ctx = ToolCtx {
            api,
            mode: Mode::Test,
        };

        // (list tool, plural key, id field, get tool) — get tools take `<id field>` as argument.
        let pairs = [
            (
                "list_products",
                "products",
                "product_id",
                Some("get_product"),
            ),
            ("list_prices", "prices", "price_id", Some("get_price")),
            (
                "list_customers",
                "customers",
                "customer_id",
                Some("get_customer"),
            ),
            (
                "list_checkout_sessions",
                "checkout_sessions",
                "checkout_session_id",
                Some("get_checkout_session"),
            ),
            (
                "list_payment_intents",
                "payment_intents",
                "payment_intent_id",
                Some("get_payment_intent"),
            ),
            (
                "list_captures",
                "captures",
                "capture_id",
                Some("get_capture"),
            ),
            ("list_refunds", "refunds", "refund_id", Some("get_refund")),
            (
                "list_subscriptions",
                "subscriptions",
                "subscription_id",
                Some("get_subscription"),
            ),
            (
                "list_invoices",
                "invoices",
                "invoice_id",
                Some("get_invoice"),
            ),
            ("list_promo_codes", "promo_codes", "promo_code_id", None),
            (
                "list_balance_transactions",
                "balance_transactions",
                "balance_transaction_id",
                None,
            ),
            ("list_payouts", "payouts", "payout_id", None),
            (
                "list_disputes",
                "disputes",
                "dispute_id",
                Some("get_dispute"),
            ),
            (
                "list_payment_links",
                "payment_links",
                "payment_link_id",
                Some("get_payment_link"),
            ),
            (
                "list_setup_intents",
                "setup_intents",
                "setup_intent_id",
                None,
            ),
            ("list_files", "files", "file_id", Some("get_file")),
        ];
        let mut empty = Vec::new();
        for (list_tool, plural, id_field, get_tool) in pairs {
            let page = ok(&ctx, list_tool, json!({"limit": 3})).await;
            let items = page[plural]
                .as_array()
                .unwrap_or_else(|| panic!("{list_tool}: no `{plural}`"));
            assert!(items.len() <= 3, "{list_tool}: limit respected");
            let Some(first) = items.first() else {
                empty.push(list_tool);
                continue;
            };
            let id = first[id_field]
                .as_str()
                .unwrap_or_else(|| panic!("{list_tool}: item without {id_field}: {first}"));
            if let Some(get_tool) = get_tool {
                let one = ok(&ctx, get_tool, json!({ id_field: id })).await;
                assert_eq!(one[id_field], id, "{get_tool} returns the object asked for");
            }
        }
        assert!(
            empty.len() <= 4,
            "the demo seed should fill most lists; empty: {empty:?}"
        );

        // Reads that hang off another object.
        let customers = ok(&ctx, "list_customers", json!({"limit": 1})).await;
        let customer = customers["customers"][0]["customer_id"].clone();
        ok(
            &ctx,
            "list_customer_payment_methods",
            json!({"customer_id": customer}),
        )
        .await;
        let sessions = ok(
            &ctx,
            "list_checkout_sessions",
            json!({"status": "complete", "limit": 1}),
        )
        .await;
        let session = sessions["checkout_sessions"][0]["checkout_session_id"].clone();
        let lines = ok(
            &ctx,
            "list_checkout_session_line_items",
            json!({"checkout_session_id": session}),
        )
        .await;
        assert!(
            lines["line_items"]
                .as_array()
                .is_some_and(|l| !l.is_empty()),
            "a completed session has a cart"
        );
        let preview = ok(
            &ctx,
            "preview_refund_allocation",
            json!({"checkout_session_id": session}),
        )
        .await;
        assert!(preview["allocations"].is_array());
        let subs = ok(
            &ctx,
            "list_subscriptions",
            json!({"status": "active", "limit": 1}),
        )
        .await;
        if let Some(sub) = subs["subscriptions"][0]["subscription_id"].as_str() {
            let p = ok(
                &ctx,
                "get_subscription_refund_preview",
                json!({"subscription_id": sub}),
            )
            .await;
            assert!(p["prorated_amount_available_to_refund"].is_i64(), "{p}");
        }
        sim.shutdown().await;
    }

    #[tokio::test]
    async fn writes_across_the_catalogue_reach_flex_in_its_shapes() {
        let (sim, ctx) = sim().await;
        let coupon = ok(
            &ctx,
            "create_coupon",
            json!({"name": "Spring", "percent_off": 15.0, "duration": "once"}),
        )
        .await;
        let coupon_id = coupon["coupon_id"].as_str().expect("coupon id").to_owned();
        assert_eq!(
            ok(&ctx, "get_coupon", json!({"coupon_id": coupon_id})).await["percent_off"],
            15.0
        );
        let promo = ok(
            &ctx,
            "create_promo_code",
            json!({"coupon_id": coupon_id, "code": "SPRING15"}),
        )
        .await;
        assert_eq!(promo["code"], "SPRING15");
        assert_eq!(promo["coupon"], coupon_id.as_str());

        let rate = ok(
            &ctx,
            "create_shipping_rate",
            json!({"display_name": "Ground", "amount": 599}),
        )
        .await;
        let rate_id = rate["shipping_rate_id"]
            .as_str()
            .expect("rate id")
            .to_owned();
        ok(
            &ctx,
            "update_shipping_rate",
            json!({"shipping_rate_id": rate_id, "active": false}),
        )
        .await;
        let read = ok(
            &ctx,
            "get_shipping_rate",
            json!({"shipping_rate_id": rate_id}),
        )
        .await;
        assert_eq!(
            (read["amount"].clone(), read["active"].clone()),
            (json!(599), json!(false))
        );

        let session = paid_session(&ctx, 12000, "automatic").await;
        let pi = session["payment_intent"]
            .as_str()
            .expect("payment intent")
            .to_owned();
        let link_product = ok(&ctx, "create_product", json!({"name": "Massage gun"})).await;
        let link = ok(
            &ctx,
            "create_payment_link",
            json!({"line_items": [{"price_data": {"product": link_product["product_id"], "unit_amount": 9900}, "quantity": 1}], "label": "IG"}),
        )
        .await;
        assert!(
            link["url"].as_str().is_some_and(|u| u.starts_with("http")),
            "{link}"
        );

        for (n, action) in ["submit", "close"].into_iter().enumerate() {
            let d = ctx
                .api
                .send(Request::post("/__sim/disputes").json(
                    json!({"payment_intent_id": pi, "amount": 1000 + n, "reason": "fraudulent"}),
                ))
                .await
                .expect("open a dispute through the sim hook");
            let dispute_id = d["dispute"]["dispute_id"]
                .as_str()
                .expect("dispute id")
                .to_owned();
            let saved = ok(
                &ctx,
                "update_dispute",
                json!({"dispute_id": dispute_id, "evidence": {"product_description": "Massage gun", "customer_name": "Jane"}}),
            )
            .await;
            assert_eq!(
                saved["status"], "needs_response",
                "saving evidence does not submit it"
            );
            let done = if action == "submit" {
                ok(&ctx, "submit_dispute", json!({"dispute_id": dispute_id})).await
            } else {
                ok(&ctx, "close_dispute", json!({"dispute_id": dispute_id})).await
            };
            let want = if action == "submit" {
                "under_review"
            } else {
                "lost"
            };
            assert_eq!(done["status"], want, "{action}: {done}");
        }

        let export = ok(
            &ctx,
            "create_export",
            json!({"type": "payment", "description": "Q1"}),
        )
        .await;
        let export_id = export["export_id"].as_str().expect("export id").to_owned();
        ok(&ctx, "get_export", json!({"export_id": export_id})).await;
        // The simulator finishes exports at once, so canceling is Flex's 422; either way the
        // call reaches Flex at the right path and fails as an API error, not a success.
        match call(&ctx, "cancel_export", json!({"export_id": export_id})).await {
            Ok(canceled) => assert_eq!(canceled["status"], "canceled"),
            Err(e) => assert_eq!(api_status(Err(e)).0, 422),
        }

        let full = ok(
            &ctx,
            "refund_checkout_session",
            json!({"checkout_session_id": session["checkout_session_id"]}),
        )
        .await;
        assert_eq!(
            full["amount_refunded"], 12000,
            "an empty refund body is a full refund"
        );
        let (status, _) = api_status(
            call(
                &ctx,
                "refund_checkout_session",
                json!({"checkout_session_id": session["checkout_session_id"], "amount": 1}),
            )
            .await,
        );
        assert_eq!(status, 422, "nothing left to refund");
        sim.shutdown().await;
    }

    #[tokio::test]
    async fn unknown_ids_are_flex_404s() {
        let (sim, ctx) = sim().await;
        let (status, _) = api_status(
            call(
                &ctx,
                "get_refund",
                json!({"refund_id": "fre_01hw5ktqqaaq66wv19mfw4dtt4"}),
            )
            .await,
        );
        assert_eq!(status, 404);
        sim.shutdown().await;
    }
}

#[test]
fn the_served_list_is_the_generated_list() {
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        return; // the snapshot compiled into this run predates the update
    }
    let generated: Vec<_> = catalogue().iter().map(to_mcp_tool).collect();
    assert_eq!(
        flex_mcp::tools::mcp_tools(),
        generated.as_slice(),
        "the compiled-in snapshot is stale: UPDATE_GOLDEN=1 cargo test -p flex-mcp --test catalogue, then rebuild"
    );
}

#[test]
#[ignore = "measurement, not a check: cargo test -p flex-mcp --test catalogue measure -- --ignored --nocapture"]
fn measure_tools_list_build() {
    let t = std::time::Instant::now();
    let n = catalogue().len();
    let built = t.elapsed();
    let t = std::time::Instant::now();
    let tools: Vec<_> = catalogue().iter().map(to_mcp_tool).collect();
    let schemas = t.elapsed();
    let t = std::time::Instant::now();
    let text = serde_json::to_string(&tools).expect("serialise");
    let ser = t.elapsed();
    let t = std::time::Instant::now();
    let served = flex_mcp::tools::mcp_tools().len();
    let snapshot = t.elapsed();
    println!(
        "{n} tools: catalogue {built:?}, to_mcp_tool all {schemas:?}, serialise {ser:?}, {} bytes; \
         snapshot parse of {served} tools {snapshot:?}",
        text.len()
    );
}

// ---------------------------------------------------------------------------------------------
// Groups, the default set and read-only (issue 11).

mod groups {
    use flex_mcp::groups::{Group, GroupSet, Selection, tool_list};
    use flex_mcp::policy::Access;
    use flex_mcp::tools::catalogue;

    /// The `tools/list` result as a client receives it (compact JSON), in bytes.
    fn served_bytes(selection: Selection) -> usize {
        serde_json::to_string(&*tool_list(selection))
            .expect("tools/list serialises")
            .len()
    }

    /// Cursor passes only its first 40 tools to the agent; 48 KB is the budget.
    #[test]
    fn the_default_set_fits_every_client_and_names_the_documented_tools() {
        let list = tool_list(Selection::default());
        assert!(list.tools.len() <= 40, "{} tools", list.tools.len());
        let bytes = served_bytes(Selection::default());
        assert!(bytes <= 48_000, "default tools/list is {bytes} bytes");
        for name in ["create_product", "list_payment_intents", "refund_capture"] {
            assert!(list.tools.iter().any(|t| t.name == name), "{name}");
        }
    }

    #[test]
    fn every_group_has_tools_and_all_names_every_group() {
        for g in Group::EVERY {
            assert!(g.tools().next().is_some(), "{g} is empty");
        }
        let all = Selection {
            groups: GroupSet::all(),
            ..Selection::default()
        };
        let offered = catalogue().iter().filter(|t| all.offers(t)).count();
        assert_eq!(offered, catalogue().len(), "`all` offers every tool");
        let sum: usize = Group::EVERY.iter().map(|g| g.tools().count()).sum();
        assert_eq!(sum, catalogue().len(), "every tool is in exactly one group");
    }

    #[test]
    fn read_only_leaves_no_write_or_destructive_tool_whatever_the_groups() {
        for bits in 0u16..(1 << Group::EVERY.len()) {
            let groups: GroupSet = Group::EVERY
                .iter()
                .enumerate()
                .filter(|(i, _)| bits & (1 << i) != 0)
                .map(|(_, g)| *g)
                .collect();
            let selection = Selection {
                groups,
                read_only: true,
                discovery: bits % 2 == 0,
            };
            for tool in &tool_list(selection).tools {
                let a = tool.annotations.as_ref().expect("annotated");
                assert_eq!(
                    a.read_only_hint,
                    Some(true),
                    "{} under {groups:?}",
                    tool.name
                );
                if let Some(def) = flex_mcp::tools::find(&tool.name) {
                    assert_eq!(def.access(), Access::Read, "{}", tool.name);
                }
            }
        }
    }

    #[test]
    fn prompts_are_offered_only_with_every_tool_they_name() {
        for selection in [
            Selection::default(),
            Selection {
                read_only: true,
                ..Selection::default()
            },
        ] {
            for p in flex_mcp::prompts::list_for(selection) {
                let def = flex_mcp::prompts::PROMPTS
                    .iter()
                    .find(|d| d.name == p.name)
                    .expect("a declared prompt");
                for tool in def.tools {
                    assert!(selection.offers_name(tool), "{} needs {tool}", p.name);
                }
            }
        }
        let all = Selection {
            groups: GroupSet::all(),
            ..Selection::default()
        };
        assert_eq!(
            flex_mcp::prompts::list_for(all).len(),
            flex_mcp::prompts::PROMPTS.len()
        );
    }

    #[test]
    #[ignore = "measurement: cargo test -p flex-mcp --test catalogue sizes -- --ignored --nocapture"]
    fn sizes() {
        let all = Selection {
            groups: GroupSet::all(),
            discovery: false,
            ..Selection::default()
        };
        let largest = flex_mcp::tools::mcp_tools()
            .iter()
            .map(|t| {
                (
                    serde_json::to_string(t).expect("serialise").len(),
                    t.name.clone(),
                )
            })
            .max()
            .expect("tools");
        println!(
            "whole list {} B, default set {} B ({} tools), largest tool {} {} B",
            served_bytes(all),
            served_bytes(Selection::default()),
            tool_list(Selection::default()).tools.len(),
            largest.1,
            largest.0
        );
    }
}
