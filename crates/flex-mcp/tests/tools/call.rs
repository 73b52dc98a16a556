//! Calling a tool as the server does (arguments parsed by its declaration, its `run`), and
//! checking every result against the tool's own output schema.

use flex_api::Mode;
use flex_mcp::tools::{ToolCtx, ToolError, find};
use serde_json::{Value, json};

use crate::sim::Env;

/// What a tool runs with, on the sandbox's client.
pub fn ctx(env: &Env) -> ToolCtx {
    ToolCtx {
        api: env.client.clone(),
        mode: Mode::Test,
    }
}

/// Runs tool `tool` with `args`; a result must conform to the tool's output schema.
pub async fn call(env: &Env, tool: &str, args: Value) -> Result<Value, ToolError> {
    let def = find(tool).unwrap_or_else(|| panic!("no tool {tool}"));
    let Value::Object(args) = args else {
        panic!("arguments must be an object")
    };
    let out = (def.run)(ctx(env), args).await?;
    conforms(&Value::Object((def.output_schema)()), &out, tool);
    Ok(out)
}

/// Runs a tool that must succeed.
pub async fn ok(env: &Env, tool: &str, args: Value) -> Value {
    match call(env, tool, args).await {
        Ok(v) => v,
        Err(e) => panic!("{tool} failed: {e:?}"),
    }
}

/// A light structural check of a result against its output schema: types match, required
/// keys are present, and no key appears that the schema does not declare.
pub fn conforms(schema: &Value, value: &Value, path: &str) {
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

/// The field and message of an invalid-arguments refusal.
pub fn invalid(result: Result<Value, ToolError>) -> (Option<String>, String) {
    match result {
        Err(ToolError::InvalidArguments { field, message }) => (field, message),
        other => panic!("expected invalid arguments, got {other:?}"),
    }
}

/// The HTTP status and message of a Flex error.
pub fn api_status(result: Result<Value, ToolError>) -> (u16, String) {
    match result {
        Err(ToolError::Api(e)) => (e.status().unwrap_or(0), e.to_string()),
        other => panic!("expected a Flex API error, got {other:?}"),
    }
}

/// A product with a price of `cents`, a checkout session for it made with the tools, completed
/// as a buyer would, and read back with `get_checkout_session`.
pub async fn paid_session(env: &Env, cents: i64, capture_method: &str) -> Value {
    let product = ok(
        env,
        "create_product",
        json!({"name": "Blood pressure monitor"}),
    )
    .await;
    let price = ok(
        env,
        "create_price",
        json!({"product": product["product_id"], "unit_amount": cents}),
    )
    .await;
    let session = ok(
        env,
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
    env.complete(&id, "4242424242424242").await;
    ok(
        env,
        "get_checkout_session",
        json!({"checkout_session_id": id}),
    )
    .await
}
