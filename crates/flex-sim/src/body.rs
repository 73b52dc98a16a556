//! Request bodies: the wrapping rule (§1.4) and typed field getters that answer 422 naming the
//! field (`loc`) and the fix. Unknown fields are ignored, as Flex (FastAPI) does.

use serde_json::{Map, Value};

use crate::error::{ApiError, ApiResult};

/// Largest integer any field accepts (10 billion dollars in cents): keeps every sum of amounts far
/// from overflow.
pub const MAX_INT: i64 = 1_000_000_000_000;

/// Parse JSON, answering 400 with line and column when it is broken.
pub fn parse_json(bytes: &[u8]) -> ApiResult<Value> {
    serde_json::from_slice(bytes).map_err(|e| {
        ApiError::bad_request(
            "invalid_json",
            format!(
                "request body is not valid JSON (line {}, column {}): {e}",
                e.line(),
                e.column()
            ),
        )
    })
}

/// The fields inside the `{"<wrap>": {...}}` envelope. A bare body (or a missing body) is a 422
/// that names the missing wrapper key.
pub fn wrapped(bytes: &[u8], wrap: &str) -> ApiResult<Map<String, Value>> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::invalid(
            &[wrap],
            "missing",
            format!("request body is required: send {{\"{wrap}\": {{...}}}}"),
        ));
    }
    let value = parse_json(bytes)?;
    let Value::Object(mut outer) = value else {
        return Err(ApiError::invalid(
            &[wrap],
            "dict_type",
            format!("request body must be a JSON object of the form {{\"{wrap}\": {{...}}}}"),
        ));
    };
    match outer.remove(wrap) {
        Some(Value::Object(inner)) => Ok(inner),
        Some(_) => Err(ApiError::invalid(
            &[wrap],
            "dict_type",
            format!("`{wrap}` must be a JSON object holding the fields"),
        )),
        None => Err(ApiError::invalid(
            &[wrap],
            "missing",
            format!(
                "missing wrapper key `{wrap}`: request fields must be nested as {{\"{wrap}\": {{...}}}}"
            ),
        )),
    }
}

/// Like [`wrapped`], but an empty body, `{}` or `{"<wrap>": {}}` all mean "no fields" (action
/// endpoints whose parameters are all optional, e.g. a full session refund).
pub fn wrapped_or_empty(bytes: &[u8], wrap: &str) -> ApiResult<Map<String, Value>> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match parse_json(bytes)? {
        Value::Object(o) if o.is_empty() => Ok(Map::new()),
        Value::Null => Ok(Map::new()),
        _ => wrapped(bytes, wrap),
    }
}

/// A JSON object plus where it sits in the request, for error locations.
#[derive(Debug, Clone, Copy)]
pub struct Obj<'a> {
    /// The fields.
    pub map: &'a Map<String, Value>,
    loc: &'a [String],
}

/// Owner of a location path, so [`Obj`] can borrow it.
#[derive(Debug, Clone)]
pub struct Loc(pub Vec<String>);

impl Loc {
    /// Location of a top-level wrapped body.
    pub fn root(wrap: &str) -> Self {
        Self(vec![wrap.to_owned()])
    }
    /// View `map` at this location.
    pub fn on<'a>(&'a self, map: &'a Map<String, Value>) -> Obj<'a> {
        Obj { map, loc: &self.0 }
    }
}

impl<'a> Obj<'a> {
    /// Location of `field` inside this object.
    pub fn loc(&self, field: &str) -> Vec<String> {
        let mut l = self.loc.to_vec();
        l.push(field.to_owned());
        l
    }

    /// Location of a child object (`field`, or `field[index]`).
    pub fn child_loc(&self, field: &str, index: Option<usize>) -> Loc {
        let mut l = self.loc(field);
        if let Some(i) = index {
            l.push(i.to_string());
        }
        Loc(l)
    }

    fn err(&self, field: &str, code: &str, msg: String) -> ApiError {
        ApiError::invalid_at(self.loc(field), code, msg)
    }

    fn present(&self, field: &str) -> Option<&'a Value> {
        self.map.get(field).filter(|v| !v.is_null())
    }

    /// Whether the field was sent (and is not null).
    pub fn has(&self, field: &str) -> bool {
        self.present(field).is_some()
    }

    /// Optional string.
    pub fn str_opt(&self, field: &str) -> ApiResult<Option<String>> {
        match self.present(field) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(self.err(field, "string_type", format!("`{field}` must be a string"))),
        }
    }

    /// Required, non-empty string.
    pub fn str_req(&self, field: &str) -> ApiResult<String> {
        match self.str_opt(field)? {
            Some(s) if !s.trim().is_empty() => Ok(s),
            Some(_) => Err(self.err(
                field,
                "string_too_short",
                format!("`{field}` must not be empty"),
            )),
            None => Err(self.err(field, "missing", format!("`{field}` is required"))),
        }
    }

    /// Optional integer (cents, counts) at least `min` and at most [`MAX_INT`].
    pub fn int_opt(&self, field: &str, min: i64) -> ApiResult<Option<i64>> {
        match self.present(field) {
            None => Ok(None),
            Some(v) => match v.as_i64() {
                Some(n) if n > MAX_INT => Err(self.err(
                    field,
                    "less_than_equal",
                    format!("`{field}` must be at most {MAX_INT}, got {n}"),
                )),
                Some(n) if n >= min => Ok(Some(n)),
                Some(n) => Err(self.err(
                    field,
                    "greater_than_equal",
                    format!("`{field}` must be at least {min}, got {n}"),
                )),
                None => Err(self.err(
                    field,
                    "int_type",
                    format!("`{field}` must be an integer (amounts are integer cents), got {v}"),
                )),
            },
        }
    }

    /// Required integer at least `min`.
    pub fn int_req(&self, field: &str, min: i64) -> ApiResult<i64> {
        self.int_opt(field, min)?
            .ok_or_else(|| self.err(field, "missing", format!("`{field}` is required")))
    }

    /// Optional number.
    pub fn num_opt(&self, field: &str) -> ApiResult<Option<f64>> {
        match self.present(field) {
            None => Ok(None),
            Some(v) => v.as_f64().map(Some).ok_or_else(|| {
                self.err(field, "float_type", format!("`{field}` must be a number"))
            }),
        }
    }

    /// Optional boolean.
    pub fn bool_opt(&self, field: &str) -> ApiResult<Option<bool>> {
        match self.present(field) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(self.err(
                field,
                "bool_type",
                format!("`{field}` must be true or false"),
            )),
        }
    }

    /// Optional string from a fixed set.
    pub fn enum_opt(&self, field: &str, allowed: &[&str]) -> ApiResult<Option<String>> {
        match self.str_opt(field)? {
            None => Ok(None),
            Some(s) if allowed.contains(&s.as_str()) => Ok(Some(s)),
            Some(s) => Err(self.err(
                field,
                "enum",
                format!("`{field}` must be one of {}, got '{s}'", allowed.join(", ")),
            )),
        }
    }

    /// `metadata`: an object of string values. A JSON-encoded string of such an object is tolerated
    /// (some docs examples send it that way). Numbers and booleans are turned into strings.
    pub fn metadata(&self, field: &str) -> ApiResult<Option<Value>> {
        let v = match self.present(field) {
            None => return Ok(None),
            Some(Value::String(s)) => serde_json::from_str::<Value>(s).map_err(|_| {
                self.err(
                    field,
                    "dict_type",
                    format!("`{field}` must be an object of string values"),
                )
            })?,
            Some(v) => v.clone(),
        };
        let Value::Object(m) = v else {
            return Err(self.err(
                field,
                "dict_type",
                format!("`{field}` must be an object of string values"),
            ));
        };
        let mut out = Map::new();
        for (k, v) in m {
            let s = match v {
                Value::String(s) => s,
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => {
                    return Err(ApiError::invalid_at(
                        self.child_loc(field, None)
                            .0
                            .into_iter()
                            .chain([k.clone()])
                            .collect(),
                        "string_type",
                        format!("`{field}.{k}` must be a string"),
                    ));
                }
            };
            out.insert(k, Value::String(s));
        }
        Ok(Some(Value::Object(out)))
    }

    /// Optional list of strings.
    pub fn str_list(&self, field: &str) -> ApiResult<Option<Vec<String>>> {
        self.list_opt(field, "string_type", "a string", "strings", |v| {
            v.as_str().map(str::to_owned)
        })
    }

    /// Optional nested object.
    pub fn obj_opt(&self, field: &str) -> ApiResult<Option<&'a Map<String, Value>>> {
        match self.present(field) {
            None => Ok(None),
            Some(Value::Object(m)) => Ok(Some(m)),
            Some(_) => Err(self.err(field, "dict_type", format!("`{field}` must be an object"))),
        }
    }

    /// Optional array of objects.
    pub fn objects_opt(&self, field: &str) -> ApiResult<Option<Vec<&'a Map<String, Value>>>> {
        self.list_opt(field, "dict_type", "an object", "objects", Value::as_object)
    }

    /// Optional list whose items `item` must all accept. The typed list readers share it so a
    /// bad item (422 `item_code` at `field[i]`) and a non-list (422 `list_type`) read the same.
    fn list_opt<T>(
        &self,
        field: &str,
        item_code: &str,
        an_item: &str,
        items_noun: &str,
        item: impl Fn(&'a Value) -> Option<T>,
    ) -> ApiResult<Option<Vec<T>>> {
        match self.present(field) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    item(v).ok_or_else(|| {
                        ApiError::invalid_at(
                            self.child_loc(field, Some(i)).0,
                            item_code,
                            format!("`{field}[{i}]` must be {an_item}"),
                        )
                    })
                })
                .collect::<ApiResult<Vec<_>>>()
                .map(Some),
            Some(_) => Err(self.err(
                field,
                "list_type",
                format!("`{field}` must be a list of {items_noun}"),
            )),
        }
    }

    /// A 422 about `field` with a custom code and message.
    pub fn fail(&self, field: &str, code: &str, msg: impl Into<String>) -> ApiError {
        self.err(field, code, msg.into())
    }
}
