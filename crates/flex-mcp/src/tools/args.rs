//! Argument types shared by the tools: typed ids that check their prefix, bounded numbers, and
//! the parser that turns a JSON arguments object into a parameters struct.
//!
//! Every check lives in a type's `Deserialize`, and the same bound is written into its JSON
//! Schema, so the schema a model reads and the rule we enforce cannot drift apart. Errors name
//! the offending field (via `serde_path_to_error`) and say how to fix the value.

use std::borrow::Cow;
use std::collections::BTreeMap;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::ToolError;

/// Parses tool arguments into `T`, naming the field at fault when they do not fit.
pub(crate) fn parse<T: DeserializeOwned>(args: Map<String, Value>) -> Result<T, ToolError> {
    serde_path_to_error::deserialize::<_, T>(Value::Object(args)).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner().to_string();
        // serde_json appends " at line X column Y" only for text input; from a Value it does not.
        let field = if path == "." {
            // Missing or unknown fields are reported at the parent: take the name from the message.
            backticked(&inner)
        } else {
            Some(path)
        };
        let message = if inner.starts_with("unknown field") {
            format!("{inner}. Remove it; no other arguments are accepted")
        } else if inner.starts_with("missing field") {
            format!("{inner}. It is required")
        } else {
            inner
        };
        ToolError::InvalidArguments { field, message }
    })
}

/// The first `name` quoted in backticks in a serde message.
fn backticked(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(message[start..start + len].to_owned())
}

/// Known Flex id prefixes and what they name, longest first so `fcapi_` wins over `fcap_`.
const PREFIXES: &[(&str, &str)] = &[
    ("fprice_", "price"),
    ("fprod_", "product"),
    ("fplink_", "payment link"),
    ("fpromo_", "promo code"),
    ("fcoup_", "coupon"),
    ("fcapi_", "capture item"),
    ("fcap_", "capture"),
    ("fcus_", "customer"),
    ("fdsp_", "dispute"),
    ("fsub_", "subscription"),
    ("fcs_", "checkout session"),
    ("fpi_", "payment intent"),
    ("fpm_", "payment method"),
    ("fre_", "refund"),
    ("fsi_", "setup intent"),
    ("fin_", "invoice"),
    ("fbt_", "balance transaction"),
    ("fpo_", "payout"),
];

/// What kind of object an id with this prefix names, if we know the prefix.
fn kind_of(id: &str) -> Option<&'static str> {
    PREFIXES
        .iter()
        .find(|(p, _)| id.starts_with(p))
        .map(|(_, noun)| *noun)
}

/// Checks that `value` is an id with `prefix`; the error says what the value looks like instead.
fn check_id(value: &str, prefix: &str, noun: &str) -> Result<(), String> {
    let rest = value.strip_prefix(prefix).unwrap_or("");
    if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Ok(());
    }
    let hint = match kind_of(value) {
        Some(other) if !value.starts_with(prefix) => {
            format!(" That looks like a {other} id, not a {noun} id.")
        }
        _ => String::new(),
    };
    Err(format!(
        "expected a {noun} id starting with `{prefix}` followed by letters and digits \
         (e.g. `{prefix}01hw5ktqqaaq66wv19mfw4dtt4`), got `{}`.{hint}",
        clip(value)
    ))
}

/// At most 60 characters of a user value, for error messages.
fn clip(value: &str) -> String {
    if value.chars().count() > 60 {
        let head: String = value.chars().take(60).collect();
        format!("{head}…")
    } else {
        value.to_owned()
    }
}

/// Declares an id newtype that only deserializes from a string with the given prefix.
macro_rules! prefixed_id {
    ($(#[$m:meta])* $name:ident, $prefix:literal, $noun:literal) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
        #[serde(transparent)]
        pub(crate) struct $name(pub(crate) String);

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                check_id(&s, $prefix, $noun).map_err(serde::de::Error::custom)?;
                Ok($name(s))
            }
        }

        impl JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
            fn inline_schema() -> bool {
                true
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!({
                    "type": "string",
                    "pattern": concat!("^", $prefix, "[0-9A-Za-z]+$"),
                })
            }
        }
    };
}

prefixed_id!(
    /// `fprod_…`
    ProductId, "fprod_", "product");
prefixed_id!(
    /// `fprice_…`
    PriceId, "fprice_", "price");
prefixed_id!(
    /// `fcus_…`
    CustomerId, "fcus_", "customer");
prefixed_id!(
    /// `fpm_…`
    PaymentMethodId, "fpm_", "payment method");
prefixed_id!(
    /// `fcs_…`
    CheckoutSessionId, "fcs_", "checkout session");
prefixed_id!(
    /// `fpi_…`
    PaymentIntentId, "fpi_", "payment intent");
prefixed_id!(
    /// `fcap_…`
    CaptureId, "fcap_", "capture");
prefixed_id!(
    /// `fre_…`
    RefundId, "fre_", "refund");
prefixed_id!(
    /// `fsub_…`
    SubscriptionId, "fsub_", "subscription");
prefixed_id!(
    /// `fin_…`
    InvoiceId, "fin_", "invoice");
prefixed_id!(
    /// `fcoup_…`
    CouponId, "fcoup_", "coupon");
prefixed_id!(
    /// `fpo_…`
    PayoutId, "fpo_", "payout");
prefixed_id!(
    /// `fbt_…`
    BalanceTransactionId, "fbt_", "balance transaction");
prefixed_id!(
    /// `fdsp_…`
    DisputeId, "fdsp_", "dispute");
prefixed_id!(
    /// `fpromo_…`
    PromoCodeId, "fpromo_", "promo code");
prefixed_id!(
    /// `fsi_…`
    SetupIntentId, "fsi_", "setup intent");
prefixed_id!(
    /// `fplink_…`
    PaymentLinkId, "fplink_", "payment link");

/// An id whose prefix Flex does not document (shipping rates, exports, files, events,
/// webhooks): we check only that it is a plausible token, and let Flex answer 404 otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub(crate) struct OpaqueId(pub(crate) String);

impl<'de> Deserialize<'de> for OpaqueId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let ok = !s.is_empty()
            && s.len() <= 128
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if ok {
            Ok(OpaqueId(s))
        } else {
            Err(serde::de::Error::custom(format!(
                "expected an id as returned by Flex (letters, digits, `_` or `-`, at most 128 \
                 characters), got `{}`",
                clip(&s)
            )))
        }
    }
}

impl JsonSchema for OpaqueId {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("OpaqueId")
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string", "pattern": "^[0-9A-Za-z_-]{1,128}$"})
    }
}

/// Page size for list tools: 1 to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub(crate) struct Limit(pub(crate) u32);

/// What list tools ask for when the model gives no `limit`.
pub(crate) const DEFAULT_LIMIT: u32 = 10;

impl<'de> Deserialize<'de> for Limit {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = i64::deserialize(d)?;
        match u32::try_from(n) {
            Ok(n @ 1..=100) => Ok(Limit(n)),
            _ => Err(serde::de::Error::custom(format!(
                "must be between 1 and 100, got {n}. Ask for at most 100 and page with \
                 `starting_after`"
            ))),
        }
    }
}

impl JsonSchema for Limit {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("Limit")
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "integer", "minimum": 1, "maximum": 100, "default": 10})
    }
}

/// A positive amount of money in integer cents USD (1 = $0.01).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub(crate) struct Cents(pub(crate) i64);

impl<'de> Deserialize<'de> for Cents {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Number(n) => match n.as_i64() {
                Some(c) if c >= 1 => Ok(Cents(c)),
                Some(c) => Err(serde::de::Error::custom(format!(
                    "must be at least 1 cent, got {c}"
                ))),
                None => Err(serde::de::Error::custom(format!(
                    "must be a whole number of cents (e.g. 4999 for $49.99), got {n}"
                ))),
            },
            other => Err(serde::de::Error::custom(format!(
                "must be a whole number of cents as a JSON integer (e.g. 4999 for $49.99), got {other}"
            ))),
        }
    }
}

impl JsonSchema for Cents {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("Cents")
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "integer", "minimum": 1})
    }
}

/// An amount of money in integer cents USD that may be zero (tax, shipping, discount parts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub(crate) struct CentsOrZero(pub(crate) i64);

impl<'de> Deserialize<'de> for CentsOrZero {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Number(n) => match n.as_i64() {
                Some(c) if c >= 0 => Ok(CentsOrZero(c)),
                _ => Err(serde::de::Error::custom(format!(
                    "must be a whole number of cents, 0 or more, got {n}"
                ))),
            },
            other => Err(serde::de::Error::custom(format!(
                "must be a whole number of cents as a JSON integer, got {other}"
            ))),
        }
    }
}

impl JsonSchema for CentsOrZero {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("CentsOrZero")
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "integer", "minimum": 0})
    }
}

/// Merchant metadata: string keys to string values (Flex stores nothing else).
pub(crate) type Metadata = BTreeMap<String, String>;

/// An `Idempotency-Key` chosen by the caller, so a retried write is applied once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub(crate) struct IdempotencyKey(pub(crate) String);

impl<'de> Deserialize<'de> for IdempotencyKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let ok = !s.is_empty() && s.len() <= 255 && s.bytes().all(|b| b.is_ascii_graphic());
        if ok {
            Ok(IdempotencyKey(s))
        } else {
            Err(serde::de::Error::custom(
                "must be 1 to 255 printable ASCII characters without spaces (e.g. a UUID)",
            ))
        }
    }
}

impl JsonSchema for IdempotencyKey {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("IdempotencyKey")
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"})
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code, reason = "fields exist to be parsed")]
    struct Probe {
        refund_id: Option<RefundId>,
        capture_id: Option<CaptureId>,
        limit: Option<Limit>,
        amount: Option<Cents>,
        tax: Option<CentsOrZero>,
    }

    fn err(v: Value) -> (Option<String>, String) {
        let Value::Object(m) = v else { unreachable!() };
        match parse::<Probe>(m) {
            Err(ToolError::InvalidArguments { field, message }) => (field, message),
            other => panic!("expected invalid arguments, got {other:?}"),
        }
    }

    #[test]
    fn ids_check_their_prefix_and_say_what_was_given() {
        let (field, msg) = err(json!({"refund_id": "fpi_01abc"}));
        assert_eq!(field.as_deref(), Some("refund_id"));
        assert!(
            msg.contains("`fre_`") && msg.contains("payment intent"),
            "{msg}"
        );
        // `fcapi_` (capture item) is not a capture id even though it starts with `fcap`.
        let (field, msg) = err(json!({"capture_id": "fcapi_01abc"}));
        assert_eq!(field.as_deref(), Some("capture_id"));
        assert!(msg.contains("capture item"), "{msg}");
        let (_, msg) = err(json!({"refund_id": "fre_"}));
        assert!(msg.contains("followed by letters and digits"), "{msg}");
        let (_, msg) = err(json!({"refund_id": "fre_01/../x"}));
        assert!(msg.contains("fre_01/../x"), "{msg}");
        let ok: Probe =
            parse(serde_json::from_value(json!({"refund_id": "fre_01HW5KTQ"})).expect("an object"))
                .expect("valid");
        assert_eq!(ok.refund_id.map(|r| r.0).as_deref(), Some("fre_01HW5KTQ"));
    }

    #[test]
    fn numbers_are_bounded() {
        for bad in [json!(0), json!(101), json!(-1)] {
            let (field, msg) = err(json!({"limit": bad}));
            assert_eq!(field.as_deref(), Some("limit"));
            assert!(msg.contains("between 1 and 100"), "{msg}");
        }
        let (field, msg) = err(json!({"amount": 0}));
        assert_eq!(field.as_deref(), Some("amount"));
        assert!(msg.contains("at least 1 cent"), "{msg}");
        let (_, msg) = err(json!({"amount": "49.99"}));
        assert!(msg.contains("4999"), "{msg}");
        let (field, _) = err(json!({"tax": -5}));
        assert_eq!(field.as_deref(), Some("tax"));
        let ok: Probe =
            parse(serde_json::from_value(json!({"tax": 0, "limit": 100})).expect("an object"))
                .expect("valid");
        assert_eq!((ok.tax, ok.limit), (Some(CentsOrZero(0)), Some(Limit(100))));
    }

    #[test]
    fn unknown_fields_are_named() {
        let (field, msg) = err(json!({"api_key": "fsk_live"}));
        assert_eq!(field.as_deref(), Some("api_key"));
        assert!(msg.starts_with("unknown field"), "{msg}");
        assert!(!msg.contains("fsk_live"), "the value is not echoed");
    }
}
