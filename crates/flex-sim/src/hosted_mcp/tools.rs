//! The hosted server's tools (reference §6.4): one per API operation, each a REST call on the
//! simulator's own `/v1` routes. Path parameters are named arguments; for reads the other arguments
//! become the query string, for writes the body fields, wrapped in the resource key (§1.4).

use std::fmt::Write as _;

use serde_json::{Map, Value, json};

/// What a tool can change, as in the §6.4 annotation columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// `readOnlyHint: true`.
    Read,
    /// Creates or changes objects.
    Write,
    /// Moves money or gives something up (`destructiveHint: true`).
    Destructive,
}

/// One hosted tool.
#[derive(Debug, Clone, Copy)]
pub struct Tool {
    /// Tool name (§6.4).
    pub name: &'static str,
    /// HTTP method of the API call.
    pub method: &'static str,
    /// Path with `{argument}` placeholders.
    pub path: &'static str,
    /// Body wrapper key for writes (§1.4), if the endpoint takes one.
    pub wrap: Option<&'static str>,
    /// Annotation class.
    pub class: Class,
    /// `idempotentHint`.
    pub idempotent: bool,
    /// First sentence of the description.
    pub summary: &'static str,
}

const fn t(
    name: &'static str,
    method: &'static str,
    path: &'static str,
    wrap: Option<&'static str>,
    class: Class,
    idempotent: bool,
    summary: &'static str,
) -> Tool {
    Tool {
        name,
        method,
        path,
        wrap,
        class,
        idempotent,
        summary,
    }
}

use Class::{Destructive as D, Read as R, Write as W};

const CS: Option<&str> = Some("checkout_session");

/// Every hosted tool. `refund_capture` is left out: it has no REST endpoint (§6.5).
pub const TOOLS: &[Tool] = &[
    t(
        "list_products",
        "GET",
        "/v1/products",
        None,
        R,
        true,
        "List products, newest first.",
    ),
    t(
        "get_product",
        "GET",
        "/v1/products/{product_id}",
        None,
        R,
        true,
        "Retrieve a product.",
    ),
    t(
        "create_product",
        "POST",
        "/v1/products",
        Some("product"),
        W,
        false,
        "Create a product; Flex decides its HSA/FSA eligibility.",
    ),
    t(
        "update_product",
        "PATCH",
        "/v1/products/{product_id}",
        Some("product"),
        W,
        true,
        "Update a product (active:false retires it).",
    ),
    t(
        "list_prices",
        "GET",
        "/v1/prices",
        None,
        R,
        true,
        "List prices.",
    ),
    t(
        "get_price",
        "GET",
        "/v1/prices/{price_id}",
        None,
        R,
        true,
        "Retrieve a price.",
    ),
    t(
        "create_price",
        "POST",
        "/v1/prices",
        Some("price"),
        W,
        false,
        "Create a price for a product.",
    ),
    t(
        "update_price",
        "POST",
        "/v1/prices/{price_id}",
        Some("price"),
        W,
        true,
        "Update a price's description or active flag.",
    ),
    t(
        "list_customers",
        "GET",
        "/v1/customers",
        None,
        R,
        true,
        "List customers.",
    ),
    t(
        "get_customer",
        "GET",
        "/v1/customers/{customer_id}",
        None,
        R,
        true,
        "Retrieve a customer.",
    ),
    t(
        "create_customer",
        "POST",
        "/v1/customers",
        Some("customer"),
        W,
        false,
        "Create a customer.",
    ),
    t(
        "update_customer",
        "PATCH",
        "/v1/customers/{customer_id}",
        Some("customer"),
        W,
        true,
        "Update a customer.",
    ),
    t(
        "list_customer_payment_methods",
        "GET",
        "/v1/customers/{customer_id}/payment_methods",
        None,
        R,
        true,
        "List a customer's saved payment methods.",
    ),
    t(
        "get_customer_payment_method",
        "GET",
        "/v1/customers/{customer_id}/payment_methods/{payment_method_id}",
        None,
        R,
        true,
        "Retrieve one saved payment method.",
    ),
    t(
        "list_checkout_sessions",
        "GET",
        "/v1/checkout/sessions",
        None,
        R,
        true,
        "List checkout sessions.",
    ),
    t(
        "get_checkout_session",
        "GET",
        "/v1/checkout/sessions/{checkout_session_id}",
        None,
        R,
        true,
        "Retrieve a checkout session.",
    ),
    t(
        "list_checkout_session_line_items",
        "GET",
        "/v1/checkout/sessions/{checkout_session_id}/line_items",
        None,
        R,
        true,
        "List a checkout session's line items.",
    ),
    t(
        "create_checkout_session",
        "POST",
        "/v1/checkout/sessions",
        CS,
        W,
        false,
        "Create a checkout session.",
    ),
    t(
        "capture_checkout_session",
        "POST",
        "/v1/checkout/sessions/{checkout_session_id}/capture",
        CS,
        D,
        false,
        "Capture an authorized checkout session (moves money).",
    ),
    t(
        "cancel_checkout_session_authorization",
        "POST",
        "/v1/checkout/sessions/{checkout_session_id}/cancel",
        None,
        D,
        true,
        "Cancel a checkout session's authorization.",
    ),
    t(
        "reauth_checkout_session",
        "POST",
        "/v1/checkout/sessions/{checkout_session_id}/reauth",
        None,
        W,
        false,
        "Re-authorize a checkout session.",
    ),
    t(
        "refund_checkout_session",
        "POST",
        "/v1/checkout/sessions/{checkout_session_id}/refund",
        CS,
        D,
        false,
        "Refund a checkout session (moves money).",
    ),
    t(
        "preview_capture_allocation",
        "POST",
        "/v1/checkout/sessions/{checkout_session_id}/capture_allocation",
        CS,
        R,
        true,
        "Preview how a capture would be allocated (no side effects).",
    ),
    t(
        "preview_refund_allocation",
        "POST",
        "/v1/checkout/sessions/{checkout_session_id}/refund_allocation",
        CS,
        R,
        true,
        "Preview how a refund would be allocated (no side effects).",
    ),
    t(
        "list_payment_intents",
        "GET",
        "/v1/payment_intents",
        None,
        R,
        true,
        "List payment intents.",
    ),
    t(
        "get_payment_intent",
        "GET",
        "/v1/payment_intents/{payment_intent_id}",
        None,
        R,
        true,
        "Retrieve a payment intent.",
    ),
    t(
        "cancel_payment_intent",
        "POST",
        "/v1/payment_intents/{payment_intent_id}/cancel",
        None,
        D,
        true,
        "Cancel a payment intent.",
    ),
    t(
        "list_captures",
        "GET",
        "/v1/captures",
        None,
        R,
        true,
        "List captures.",
    ),
    t(
        "get_capture",
        "GET",
        "/v1/captures/{capture_id}",
        None,
        R,
        true,
        "Retrieve a capture.",
    ),
    t(
        "update_capture",
        "PATCH",
        "/v1/captures/{capture_id}",
        Some("capture"),
        W,
        true,
        "Update a capture's metadata.",
    ),
    t(
        "create_refund",
        "POST",
        "/v1/refunds",
        Some("refund"),
        D,
        false,
        "Refund a payment intent (moves money).",
    ),
    t(
        "list_refunds",
        "GET",
        "/v1/refunds",
        None,
        R,
        true,
        "List refunds.",
    ),
    t(
        "get_refund",
        "GET",
        "/v1/refunds/{refund_id}",
        None,
        R,
        true,
        "Retrieve a refund.",
    ),
    t(
        "update_refund",
        "PATCH",
        "/v1/refunds/{refund_id}",
        Some("refund"),
        W,
        true,
        "Update a refund's reason or metadata.",
    ),
    t(
        "list_subscriptions",
        "GET",
        "/v1/subscriptions",
        None,
        R,
        true,
        "List subscriptions.",
    ),
    t(
        "get_subscription",
        "GET",
        "/v1/subscriptions/{subscription_id}",
        None,
        R,
        true,
        "Retrieve a subscription.",
    ),
    t(
        "update_subscription",
        "PATCH",
        "/v1/subscriptions/{subscription_id}",
        Some("subscription"),
        W,
        true,
        "Update a subscription.",
    ),
    t(
        "cancel_subscription",
        "DELETE",
        "/v1/subscriptions/{subscription_id}",
        None,
        D,
        true,
        "Cancel a subscription.",
    ),
    t(
        "get_subscription_refund_preview",
        "GET",
        "/v1/subscriptions/{subscription_id}/refund_preview",
        None,
        R,
        true,
        "Preview the refund for cancelling a subscription now.",
    ),
    t(
        "list_invoices",
        "GET",
        "/v1/invoices",
        None,
        R,
        true,
        "List invoices.",
    ),
    t(
        "get_invoice",
        "GET",
        "/v1/invoices/{invoice_id}",
        None,
        R,
        true,
        "Retrieve an invoice.",
    ),
    t(
        "create_coupon",
        "POST",
        "/v1/coupons",
        Some("coupon"),
        W,
        false,
        "Create a coupon.",
    ),
    t(
        "get_coupon",
        "GET",
        "/v1/coupons/{coupon_id}",
        None,
        R,
        true,
        "Retrieve a coupon.",
    ),
    t(
        "create_promo_code",
        "POST",
        "/v1/promo_codes",
        Some("promo_code"),
        W,
        false,
        "Create a promo code for a coupon.",
    ),
    t(
        "list_promo_codes",
        "GET",
        "/v1/promo_codes",
        None,
        R,
        true,
        "List promo codes.",
    ),
    t(
        "create_shipping_rate",
        "POST",
        "/v1/shipping_rates",
        Some("shipping_rate"),
        W,
        false,
        "Create a shipping rate.",
    ),
    t(
        "update_shipping_rate",
        "PUT",
        "/v1/shipping_rates/{shipping_rate_id}",
        Some("shipping_rate"),
        W,
        true,
        "Update a shipping rate.",
    ),
    t(
        "get_shipping_rate",
        "GET",
        "/v1/shipping_rates/{shipping_rate_id}",
        None,
        R,
        true,
        "Retrieve a shipping rate.",
    ),
    t(
        "list_balance_transactions",
        "GET",
        "/v1/balance_transactions",
        None,
        R,
        true,
        "List balance transactions.",
    ),
    t(
        "list_payouts",
        "GET",
        "/v1/payouts",
        None,
        R,
        true,
        "List payouts.",
    ),
    t(
        "list_disputes",
        "GET",
        "/v1/disputes",
        None,
        R,
        true,
        "List disputes.",
    ),
    t(
        "get_dispute",
        "GET",
        "/v1/disputes/{dispute_id}",
        None,
        R,
        true,
        "Retrieve a dispute.",
    ),
    t(
        "update_dispute",
        "POST",
        "/v1/disputes/{dispute_id}",
        Some("dispute"),
        D,
        false,
        "Add evidence to a dispute; submit:true sends it.",
    ),
    t(
        "close_dispute",
        "POST",
        "/v1/disputes/{dispute_id}/close",
        None,
        D,
        true,
        "Close a dispute, forfeiting the funds.",
    ),
    t(
        "list_payment_links",
        "GET",
        "/v1/payment_links",
        None,
        R,
        true,
        "List payment links.",
    ),
    t(
        "get_payment_link",
        "GET",
        "/v1/payment_links/{payment_link_id}",
        None,
        R,
        true,
        "Retrieve a payment link.",
    ),
    t(
        "create_payment_link",
        "POST",
        "/v1/payment_links",
        Some("payment_link"),
        W,
        false,
        "Create a payment link.",
    ),
    t(
        "list_setup_intents",
        "GET",
        "/v1/setup_intents",
        None,
        R,
        true,
        "List setup intents.",
    ),
    t(
        "create_setup_intent",
        "POST",
        "/v1/setup_intents",
        Some("setup_intent"),
        W,
        false,
        "Create a setup intent.",
    ),
    t(
        "create_export",
        "POST",
        "/v1/exports",
        Some("export"),
        W,
        false,
        "Start an export.",
    ),
    t(
        "get_export",
        "GET",
        "/v1/exports/{export_id}",
        None,
        R,
        true,
        "Retrieve an export.",
    ),
    t(
        "cancel_export",
        "POST",
        "/v1/exports/{export_id}/cancel",
        None,
        D,
        true,
        "Cancel an export.",
    ),
    t(
        "list_files",
        "GET",
        "/v1/files",
        None,
        R,
        true,
        "List files.",
    ),
    t(
        "get_file",
        "GET",
        "/v1/files/{file_id}",
        None,
        R,
        true,
        "Retrieve a file.",
    ),
    t(
        "retry_event",
        "POST",
        "/v1/events/{event_id}/retry",
        Some("event"),
        W,
        false,
        "Redeliver an event to a webhook.",
    ),
];

/// A tool only the hosted server has (listed when the `hosted_preview_tool` control is on), so
/// tests can see how a client treats a hosted tool it does not know. Its route does not exist:
/// calling it answers 404.
pub const PREVIEW: Tool = t(
    "send_preview_payout",
    "POST",
    "/v1/preview_payouts",
    Some("payout"),
    Class::Destructive,
    false,
    "Send a payout (preview).",
);

/// The tool of that name.
pub fn find(name: &str) -> Option<&'static Tool> {
    TOOLS.iter().find(|t| t.name == name)
}

impl Tool {
    /// The `{argument}` names in the path, in order.
    pub fn path_params(&self) -> impl Iterator<Item = &'static str> {
        let path: &'static str = self.path;
        path.split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
    }

    /// The `tools/list` entry. `with_mode` adds `api_test_mode` (the OAuth endpoint, §6.3).
    pub fn listing(&self, with_mode: bool) -> Value {
        let mut properties = Map::new();
        let mut required: Vec<Value> = Vec::new();
        for p in self.path_params() {
            properties.insert(
                p.to_owned(),
                json!({ "type": "string", "description": format!("The {p}.") }),
            );
            required.push(json!(p));
        }
        if with_mode {
            let text = if self.class == Class::Read {
                "true = test data, false = live data. Omitted: live."
            } else {
                "true = test data, false = live data. Required for write tools."
            };
            properties.insert(
                "api_test_mode".into(),
                json!({ "type": "boolean", "description": text }),
            );
            if self.class != Class::Read {
                required.push(json!("api_test_mode"));
            }
        }
        let rest = match (self.method, self.wrap) {
            ("GET", _) => {
                " Other arguments are sent as query parameters (filters, limit, starting_after, expand…)."
            }
            (_, Some(_)) => " Other arguments are the body fields of the API call, unwrapped.",
            _ => "",
        };
        json!({
            "name": self.name,
            "description": format!("{}{rest} ({} {})", self.summary, self.method, self.path),
            "inputSchema": {
                "type": "object",
                "properties": properties,
                "required": required,
                "additionalProperties": true,
            },
            "annotations": {
                "readOnlyHint": self.class == Class::Read,
                "destructiveHint": self.class == Class::Destructive,
                "idempotentHint": self.idempotent,
                "openWorldHint": true,
            },
        })
    }
}

/// A REST request built from a tool call.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiCall {
    /// Method.
    pub method: &'static str,
    /// Path and query.
    pub uri: String,
    /// JSON body, if any.
    pub body: Option<Value>,
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Percent-encode a path segment or query component.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

impl Tool {
    /// The API request for these arguments (`api_test_mode` already removed). `Err` is a sentence
    /// for the model.
    pub fn request(&self, mut args: Map<String, Value>) -> Result<ApiCall, String> {
        let mut path = self.path.to_owned();
        for p in self.path_params() {
            let value = match args.remove(p) {
                Some(Value::String(s)) if !s.trim().is_empty() => s,
                _ => return Err(format!("`{p}` is required (a string ID)")),
            };
            path = path.replace(&format!("{{{p}}}"), &encode(&value));
        }
        let reads_by_query = self.method == "GET";
        if reads_by_query {
            let mut pairs = Vec::new();
            for (k, v) in &args {
                match v {
                    Value::Object(m) => {
                        for (mk, mv) in m {
                            let text = scalar(mv).ok_or_else(|| {
                                format!("`{k}.{mk}` must be a string, number or boolean")
                            })?;
                            pairs.push(format!(
                                "{}%5B{}%5D={}",
                                encode(k),
                                encode(mk),
                                encode(&text)
                            ));
                        }
                    }
                    Value::Array(items) => {
                        for item in items {
                            let text = scalar(item).ok_or_else(|| {
                                format!("`{k}` items must be strings, numbers or booleans")
                            })?;
                            pairs.push(format!("{}={}", encode(k), encode(&text)));
                        }
                    }
                    Value::Null => {}
                    other => {
                        let text = scalar(other).unwrap_or_default();
                        pairs.push(format!("{}={}", encode(k), encode(&text)));
                    }
                }
            }
            if !pairs.is_empty() {
                path = format!("{path}?{}", pairs.join("&"));
            }
            return Ok(ApiCall {
                method: self.method,
                uri: path,
                body: None,
            });
        }
        let body = match self.wrap {
            Some(key) => Some(json!({ key: Value::Object(args) })),
            None if args.is_empty() => None,
            None => Some(Value::Object(args)),
        };
        Ok(ApiCall {
            method: self.method,
            uri: path,
            body,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_path_params_become_required() {
        let mut seen = std::collections::HashSet::new();
        assert!(TOOLS.iter().all(|t| seen.insert(t.name)));
        let get = find("get_customer_payment_method").unwrap().listing(true);
        assert_eq!(
            get["inputSchema"]["required"],
            json!(["customer_id", "payment_method_id"])
        );
        let create = find("create_product").unwrap().listing(true);
        assert_eq!(create["inputSchema"]["required"], json!(["api_test_mode"]));
        assert!(
            find("create_product").unwrap().listing(false)["inputSchema"]["properties"]
                .get("api_test_mode")
                .is_none()
        );
    }

    #[test]
    fn reads_go_to_the_query_and_writes_to_the_wrapped_body() {
        let args = json!({"product_id": "fprod 1", "expand": ["x"], "metadata": {"a": "b"}});
        let call = find("get_product")
            .unwrap()
            .request(args.as_object().unwrap().clone())
            .unwrap();
        let (path, query) = call.uri.split_once('?').unwrap();
        assert_eq!(path, "/v1/products/fprod%201");
        let mut pairs: Vec<&str> = query.split('&').collect();
        pairs.sort_unstable();
        assert_eq!(pairs, ["expand=x", "metadata%5Ba%5D=b"]);
        let call = find("create_product")
            .unwrap()
            .request(json!({"name": "Mask"}).as_object().unwrap().clone())
            .unwrap();
        assert_eq!(call.body, Some(json!({"product": {"name": "Mask"}})));
        let err = find("get_product")
            .unwrap()
            .request(Map::new())
            .unwrap_err();
        assert!(err.contains("product_id"), "{err}");
    }
}
