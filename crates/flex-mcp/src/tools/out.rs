//! Result projections: the few fields of a Flex object a model needs, typed so the output
//! schema is generated from the same struct that writes the result.
//!
//! A projection is a view of one of `flex-api`'s models, never a second model of the object:
//! it is built from the typed model (`From<&Model>`, field by field through [`Trim`]) and
//! cannot read Flex's JSON itself. Reading stays lenient where the model is (Flex may add
//! fields or change a type; a field of an unexpected type is `None` there, and left out here).

use std::borrow::Cow;
use std::marker::PhantomData;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Serialize;
use serde_json::{Map, Value};

/// A point in time as ISO-8601 text. Flex sends ISO strings for most objects but integer epoch
/// seconds on checkout sessions; both come out as text so a model compares like with like.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub(crate) struct Timestamp(pub(crate) String);

impl JsonSchema for Timestamp {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("Timestamp")
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string"})
    }
}

/// A related object: Flex sends its id, or the whole object when expanded. Either way the
/// projection keeps the id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub(crate) struct IdRef(pub(crate) String);

impl JsonSchema for IdRef {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("IdRef")
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string"})
    }
}

/// A Flex resource as the tools return it: the projection a list tool pages through.
pub(crate) trait Resource: Serialize + JsonSchema {
    /// Envelope key of a list (`"refunds"`), and of the page a list tool returns.
    const PLURAL: &'static str;
    /// This object's id, used as the next page's cursor.
    fn id(&self) -> Option<&str>;
}

/// Declares a projection struct: every field optional, omitted when absent.
///
/// `projection!(Name = "plurals", id_field from flex_api::Model { fields })` is the
/// view of one of `flex-api`'s models: it implements [`Resource`] and `From<&Model>`, taking each
/// field from the model's field of the same name ([`Trim`]), or from `field: Type = function`
/// (called with the model) for a field the model holds elsewhere. `projection!(Name from Model
/// { fields })` declares a nested part; `projection!(Name { fields })` a result of our own
/// (filled in by the tool).
macro_rules! projection {
    (
        $(#[$m:meta])*
        $name:ident = $plural:literal, $idf:ident $(from $model:path)?
        { $( $(#[doc = $d:literal])* $f:ident : $t:ty $(= $src:path)? ),* $(,)? }
    ) => {
        projection!($(#[$m])* $name $(from $model)? { $( $(#[doc = $d])* $f : $t $(= $src)? ),* });
        impl $crate::tools::out::Resource for $name {
            const PLURAL: &'static str = $plural;
            fn id(&self) -> Option<&str> {
                self.$idf.as_ref().map(|s| s.as_str())
            }
        }
    };
    (
        $(#[$m:meta])*
        $name:ident from $model:path
        { $( $(#[doc = $d:literal])* $f:ident : $t:ty $(= $src:path)? ),* $(,)? }
    ) => {
        projection!($(#[$m])* $name { $( $(#[doc = $d])* $f : $t ),* });
        impl From<&$model> for $name {
            fn from(m: &$model) -> $name {
                $name { $( $f: projection!(@field m, $f $(, $src)?), )* }
            }
        }
        impl $crate::tools::out::TrimValue<$name> for $model {
            fn trim_value(&self) -> Option<$name> {
                Some(self.into())
            }
        }
    };
    (@field $m:ident, $f:ident) => { $crate::tools::out::Trim::trimmed(&$m.$f) };
    (@field $m:ident, $f:ident, $src:path) => { $src($m) };
    (
        $(#[$m:meta])*
        $name:ident
        { $( $(#[doc = $d:literal])* $f:ident : $t:ty ),* $(,)? }
    ) => {
        $(#[$m])*
        #[derive(Debug, Default, Clone, serde::Serialize, schemars::JsonSchema)]
        #[allow(clippy::struct_field_names, reason = "field names are Flex's")]
        pub(crate) struct $name {
            $(
                $(#[doc = $d])*
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub(crate) $f: Option<$t>,
            )*
        }
    };
}
pub(crate) use projection;

/// One field of a `flex-api` model as a projection holds it: an id (`String`, empty when Flex
/// sent none) or an optional value, trimmed with [`TrimValue`].
pub(crate) trait Trim<Out> {
    /// The field as the projection holds it (`None`: left out of the result).
    fn trimmed(&self) -> Option<Out>;
}

impl Trim<String> for String {
    fn trimmed(&self) -> Option<String> {
        (!self.is_empty()).then(|| self.clone())
    }
}

impl<A: TrimValue<B>, B> Trim<B> for Option<A> {
    fn trimmed(&self) -> Option<B> {
        self.as_ref().and_then(TrimValue::trim_value)
    }
}

/// A model's value in the form a result shows it: the same value, a related object's id, a
/// timestamp as text, or a nested part's projection.
pub(crate) trait TrimValue<Out> {
    /// `None` when the value cannot be shown in that form (it is left out).
    fn trim_value(&self) -> Option<Out>;
}

macro_rules! as_is {
    ($($t:ty),*) => {$(
        impl TrimValue<$t> for $t {
            fn trim_value(&self) -> Option<$t> {
                Some(self.clone())
            }
        }
    )*};
}
as_is!(String, i64, f64, bool, Map<String, Value>);

impl<T: TrimValue<U>, U> TrimValue<Vec<U>> for Vec<T> {
    fn trim_value(&self) -> Option<Vec<U>> {
        Some(self.iter().filter_map(TrimValue::trim_value).collect())
    }
}

/// Small unsigned numbers (card expiry) as the integers results show.
impl TrimValue<i64> for u32 {
    fn trim_value(&self) -> Option<i64> {
        Some(i64::from(*self))
    }
}

/// Sizes (file bytes) as the integers results show.
impl TrimValue<i64> for u64 {
    fn trim_value(&self) -> Option<i64> {
        i64::try_from(*self).ok()
    }
}

/// Flex's metadata is string → string; a value of another type leaves it out, as when reading
/// leniently.
impl TrimValue<super::args::Metadata> for Map<String, Value> {
    fn trim_value(&self) -> Option<super::args::Metadata> {
        self.iter()
            .map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
            .collect()
    }
}

/// A related object the model holds by id only.
impl TrimValue<IdRef> for String {
    fn trim_value(&self) -> Option<IdRef> {
        Some(IdRef(self.clone()))
    }
}

impl<M: flex_api::FlexObject> TrimValue<IdRef> for flex_api::Expandable<M> {
    fn trim_value(&self) -> Option<IdRef> {
        let id = self.id();
        (!id.is_empty()).then(|| IdRef(id.to_owned()))
    }
}

impl TrimValue<Timestamp> for flex_api::Timestamp {
    fn trim_value(&self) -> Option<Timestamp> {
        match self {
            flex_api::Timestamp::Text(s) => Some(Timestamp(s.clone())),
            flex_api::Timestamp::Unix(_) => self
                .to_datetime()
                .map(|t| Timestamp(t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))),
        }
    }
}

/// One page of a list, as list tools return it: `{"<plural>": [...], "has_more", "next_cursor"}`.
/// Only its schema is used; the value is built in `rest::list`.
pub(crate) struct Page<R>(PhantomData<R>);

impl<R: Resource> JsonSchema for Page<R> {
    fn schema_name() -> Cow<'static, str> {
        Cow::Owned(format!("Page_{}", R::schema_name()))
    }
    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        let item = g.subschema_for::<R>();
        let mut props = Map::new();
        props.insert(
            R::PLURAL.to_owned(),
            serde_json::json!({
                "type": "array",
                "items": item,
                "description": "This page, newest first."
            }),
        );
        props.insert(
            "has_more".to_owned(),
            serde_json::json!({
                "type": "boolean",
                "description": "True when more objects may follow this page."
            }),
        );
        props.insert(
            "next_cursor".to_owned(),
            serde_json::json!({
                "type": ["string", "null"],
                "description": "Pass as `starting_after` to get the next page; null on the last page."
            }),
        );
        json_schema!({
            "type": "object",
            "properties": props,
            "required": [R::PLURAL, "has_more", "next_cursor"],
        })
    }
}

projection!(
    /// Address as Flex stores it on customers and sessions.
    Address from flex_api::Address {
    /// Street line 1.
    line1: String,
    /// Street line 2.
    line2: String,
    /// City.
    city: String,
    /// State or region (two-letter US state code).
    state: String,
    /// Postal code.
    postal_code: String,
    /// Two-letter country code.
    country: String,
});
