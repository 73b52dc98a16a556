//! What a call record may keep of a call's arguments and result.
//!
//! Records are written to disk and shown in the window, so secrets never reach them: any key that
//! looks like it names a secret, and any string that looks like a Flex secret key, is replaced by
//! `"[redacted]"` wherever it sits in the JSON. The same walk also pulls out the Flex object ids
//! and the money amounts a call touched, which is what a person scanning the activity wants.

use serde_json::{Map, Value};

/// What replaces a secret.
pub const REDACTED: &str = "[redacted]";

/// Cap on ids and amounts kept per record: a list result can hold hundreds of objects.
const MAX_FACTS: usize = 64;

/// Flex object id prefixes (reference §1.5, plus the simulator's guesses for undocumented ones).
/// Secret prefixes (`fsk_`, `fwhsec_`) are deliberately absent.
const ID_PREFIXES: &[&str] = &[
    "fcus_", "fprod_", "fprice_", "fcs_", "fpi_", "fcap_", "fcapi_", "fre_", "fsub_", "fsi_",
    "fin_", "fbt_", "fdsp_", "fpo_", "fplink_", "fpromo_", "fcoup_", "fpm_", "fsh_", "fcons_",
    "fshr_", "fexp_", "ffile_", "flet_", "fevt_", "fwh_",
];

/// Value prefixes that mark a secret whatever key holds it.
const SECRET_VALUE_PREFIXES: &[&str] = &["fsk_", "fwhsec_", "whsec_", "Bearer ", "bearer "];

/// Whether an object key names a secret: `*key*` (but not `idempotency_key`), `*token*`,
/// `*secret*`, `*password*`, `authorization`.
pub fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    if k == "idempotency_key" || k == "idempotencykey" {
        return false;
    }
    k.contains("key")
        || k.contains("token")
        || k.contains("secret")
        || k.contains("password")
        || k.contains("passwd")
        || k == "authorization"
}

/// Whether a string value looks like a credential.
pub fn is_secret_value(s: &str) -> bool {
    SECRET_VALUE_PREFIXES.iter().any(|p| s.starts_with(p))
}

/// A copy of `value` with every secret replaced by [`REDACTED`].
pub fn redact(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(redact_map(map)),
        Value::Array(items) => Value::Array(items.iter().map(redact).collect()),
        Value::String(s) if is_secret_value(s) => Value::String(REDACTED.into()),
        other => other.clone(),
    }
}

/// [`redact`] for a tool's argument object.
pub fn redact_map(map: &Map<String, Value>) -> Map<String, Value> {
    map.iter()
        .map(|(k, v)| {
            let v = if is_secret_key(k) && !v.is_null() {
                Value::String(REDACTED.into())
            } else {
                redact(v)
            };
            (k.clone(), v)
        })
        .collect()
}

/// Whether `s` is a Flex object id (known prefix followed by at least one id character).
pub fn is_object_id(s: &str) -> bool {
    ID_PREFIXES.iter().any(|p| {
        s.strip_prefix(p).is_some_and(|rest| {
            !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
    })
}

/// Whether an object key holds money: `amount*` or `*_amount*` (e.g. `amount_total`,
/// `unit_amount`, `refund_amount`).
pub fn is_amount_key(key: &str) -> bool {
    key.starts_with("amount") || key.contains("_amount")
}

/// Object ids and amounts (integer cents) gathered from a call's arguments and result.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Facts {
    /// Distinct Flex object ids, in order of first appearance.
    pub object_ids: Vec<String>,
    /// Amounts in cents, in order of appearance.
    pub amounts_cents: Vec<i64>,
}

impl Facts {
    /// Add what `value` mentions. Amounts inside arrays are skipped unless `amounts_in_lists`:
    /// the amounts of a 100-row list say nothing about what the call did.
    pub fn collect(&mut self, value: &Value, amounts_in_lists: bool) {
        self.walk(value, amounts_in_lists, false);
    }

    fn walk(&mut self, value: &Value, amounts_in_lists: bool, in_list: bool) {
        match value {
            Value::String(s) => self.push_id(s),
            Value::Array(items) => {
                for item in items {
                    self.walk(item, amounts_in_lists, true);
                }
            }
            Value::Object(map) => {
                for (k, v) in map {
                    if is_secret_key(k) {
                        continue;
                    }
                    if is_amount_key(k)
                        && (amounts_in_lists || !in_list)
                        && let Some(n) = v.as_i64()
                        && self.amounts_cents.len() < MAX_FACTS
                    {
                        self.amounts_cents.push(n);
                    }
                    self.walk(v, amounts_in_lists, in_list);
                }
            }
            _ => {}
        }
    }

    fn push_id(&mut self, s: &str) {
        if self.object_ids.len() < MAX_FACTS
            && is_object_id(s)
            && !self.object_ids.iter().any(|id| id == s)
        {
            self.object_ids.push(s.to_string());
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_are_redacted_by_key_and_by_value() {
        let args = json!({
            "api_key": "anything",
            "idempotency_key": "keep-me",
            "access_token": "t",
            "webhook_secret": "s",
            "password": "p",
            "note": "fsk_test_abcdef",
            "nested": {"Authorization": "Bearer x", "list": ["fsk_live", "fpi_1"]},
            "amount": 500
        });
        let Value::Object(map) = args else {
            unreachable!()
        };
        let out = Value::Object(redact_map(&map));
        assert_eq!(
            out,
            json!({
                "api_key": REDACTED,
                "idempotency_key": "keep-me",
                "access_token": REDACTED,
                "webhook_secret": REDACTED,
                "password": REDACTED,
                "note": REDACTED,
                "nested": {"Authorization": REDACTED, "list": [REDACTED, "fpi_1"]},
                "amount": 500
            })
        );
    }

    #[test]
    fn ids_and_amounts_are_collected() {
        let mut facts = Facts::default();
        facts.collect(
            &json!({"payment_intent_id": "fpi_01ABC", "amount": 1200}),
            true,
        );
        facts.collect(
            &json!({"refund": {"refund_id": "fre_9", "payment_intent": "fpi_01ABC",
                    "amount": 1200, "status": "succeeded", "key": "fsk_x"},
                    "items": [{"id": "fcs_2", "amount_total": 99}]}),
            false,
        );
        assert_eq!(facts.object_ids, ["fpi_01ABC", "fre_9", "fcs_2"]);
        assert_eq!(facts.amounts_cents, [1200, 1200], "list amounts skipped");
    }

    #[test]
    fn secret_prefixes_are_not_ids() {
        assert!(!is_object_id("fsk_test_abc"));
        assert!(!is_object_id("fwhsec_abc"));
        assert!(!is_object_id("fpi_"));
        assert!(is_object_id("fplink_01HTGAQ"));
        assert!(is_amount_key("unit_amount") && is_amount_key("amount_to_refund"));
        assert!(!is_amount_key("status"));
    }
}
