//! The request builder every call goes through, typed or not.
//!
//! A `Request` is plain data (method, path, query, body, idempotency key) rather than a
//! `reqwest::RequestBuilder`, because a retry must be able to send the very same request again,
//! including a multipart upload.

use std::fmt::Write as _;

use bytes::Bytes;
use serde_json::Value;

/// HTTP methods Flex uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// Reads.
    Get,
    /// Creates, actions, and some updates (prices, disputes).
    Post,
    /// Partial updates.
    Patch,
    /// Shipping-rate updates.
    Put,
    /// Subscription cancel.
    Delete,
}

impl Method {
    /// Upper-case name, as on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }

    /// Writes get an idempotency key; reads never need one.
    pub fn is_write(self) -> bool {
        !matches!(self, Method::Get)
    }

    pub(crate) fn to_reqwest(self) -> reqwest::Method {
        match self {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Patch => reqwest::Method::PATCH,
            Method::Put => reqwest::Method::PUT,
            Method::Delete => reqwest::Method::DELETE,
        }
    }
}

/// A `multipart/form-data` body (file upload), kept as data so that it can be re-sent on retry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Multipart {
    /// Text fields, in order.
    pub fields: Vec<(String, String)>,
    /// File parts, in order.
    pub files: Vec<FilePart>,
}

/// One file inside a [`Multipart`] body.
#[derive(Clone, PartialEq, Eq)]
pub struct FilePart {
    /// Form field name (`file` for Flex uploads).
    pub name: String,
    /// File name sent to the server.
    pub filename: String,
    /// MIME type, e.g. `application/pdf`.
    pub content_type: String,
    /// The bytes (cheap to clone).
    pub data: Bytes,
}

impl std::fmt::Debug for FilePart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FilePart")
            .field("name", &self.name)
            .field("filename", &self.filename)
            .field("content_type", &self.content_type)
            .field("bytes", &self.data.len())
            .finish()
    }
}

impl Multipart {
    /// An empty form.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a text field.
    #[must_use]
    pub fn text(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.fields.push((name.into(), value.into()));
        self
    }

    /// Add a file.
    #[must_use]
    pub fn file(
        mut self,
        name: impl Into<String>,
        filename: impl Into<String>,
        content_type: impl Into<String>,
        data: impl Into<Bytes>,
    ) -> Self {
        self.files.push(FilePart {
            name: name.into(),
            filename: filename.into(),
            content_type: content_type.into(),
            data: data.into(),
        });
        self
    }

    pub(crate) fn to_form(&self) -> Result<reqwest::multipart::Form, reqwest::Error> {
        let mut form = reqwest::multipart::Form::new();
        for (k, v) in &self.fields {
            form = form.text(k.clone(), v.clone());
        }
        for f in &self.files {
            let part = reqwest::multipart::Part::stream(f.data.clone())
                .file_name(f.filename.clone())
                .mime_str(&f.content_type)?;
            form = form.part(f.name.clone(), part);
        }
        Ok(form)
    }
}

/// What a request carries.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// No body.
    None,
    /// `application/json`.
    Json(Value),
    /// `multipart/form-data`.
    Multipart(Multipart),
}

/// Whether and how a write carries an `Idempotency-Key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum IdempotencyKey {
    /// Writes get a fresh UUIDv4 (the default).
    Generate,
    /// The caller's own key (e.g. repeated by an MCP client across its own retries).
    Given(String),
    /// Deliberately none: the write is then never retried after a 5xx or a lost connection.
    Omit,
}

/// One Flex API request. Paths start with `/v1/`; use [`path_segment`] for IDs in paths.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) body: Body,
    pub(crate) idempotency_key: IdempotencyKey,
}

impl Request {
    /// A request with the given method and path.
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Self {
            method,
            path: path.into(),
            query: Vec::new(),
            body: Body::None,
            idempotency_key: IdempotencyKey::Generate,
        }
    }

    /// `GET path`.
    pub fn get(path: impl Into<String>) -> Self {
        Self::new(Method::Get, path)
    }

    /// `POST path`.
    pub fn post(path: impl Into<String>) -> Self {
        Self::new(Method::Post, path)
    }

    /// `PATCH path`.
    pub fn patch(path: impl Into<String>) -> Self {
        Self::new(Method::Patch, path)
    }

    /// `PUT path`.
    pub fn put(path: impl Into<String>) -> Self {
        Self::new(Method::Put, path)
    }

    /// `DELETE path`.
    pub fn delete(path: impl Into<String>) -> Self {
        Self::new(Method::Delete, path)
    }

    /// Append a query parameter (repeatable keys are kept in order).
    #[allow(clippy::needless_pass_by_value)] // `impl ToString` by value is the contract's signature
    #[must_use]
    pub fn query(mut self, key: &str, value: impl ToString) -> Self {
        self.query.push((key.to_owned(), value.to_string()));
        self
    }

    /// Append a query parameter when it is `Some`.
    #[must_use]
    pub fn query_opt<T: ToString>(self, key: &str, value: Option<T>) -> Self {
        match value {
            Some(v) => self.query(key, v),
            None => self,
        }
    }

    /// Append many query parameters.
    #[must_use]
    pub fn query_pairs(mut self, pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        self.query.extend(pairs);
        self
    }

    /// JSON body.
    #[must_use]
    pub fn json(mut self, body: Value) -> Self {
        self.body = Body::Json(body);
        self
    }

    /// `multipart/form-data` body (file uploads).
    #[must_use]
    pub fn multipart(mut self, form: Multipart) -> Self {
        self.body = Body::Multipart(form);
        self
    }

    /// Use this `Idempotency-Key` instead of a generated one (ignored on GET).
    #[must_use]
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = IdempotencyKey::Given(key.into());
        self
    }

    /// Send this write without an `Idempotency-Key`. Such a write is not safe to repeat, so it is
    /// never retried after a 5xx, a timeout or a dropped connection.
    #[must_use]
    pub fn without_idempotency_key(mut self) -> Self {
        self.idempotency_key = IdempotencyKey::Omit;
        self
    }

    /// The method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The path (`/v1/…`).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Query parameters, in order.
    pub fn query_params(&self) -> &[(String, String)] {
        &self.query
    }

    /// The body.
    pub fn body(&self) -> &Body {
        &self.body
    }

    /// The caller's idempotency key, if one was given.
    pub fn given_idempotency_key(&self) -> Option<&str> {
        match &self.idempotency_key {
            IdempotencyKey::Given(k) => Some(k),
            _ => None,
        }
    }

    /// The key this request will carry: the caller's, a fresh UUIDv4 for writes, none for reads
    /// or when deliberately omitted. Resolved once per call so every retry repeats it.
    pub(crate) fn resolve_idempotency_key(&self) -> Option<String> {
        if !self.method.is_write() {
            return None;
        }
        match &self.idempotency_key {
            IdempotencyKey::Generate => Some(uuid::Uuid::new_v4().to_string()),
            IdempotencyKey::Given(k) => Some(k.clone()),
            IdempotencyKey::Omit => None,
        }
    }
}

/// Percent-encode one path segment (an ID), so that `/`, `?`, `#`, spaces or `..` in an ID
/// cannot change which endpoint is called. Unreserved characters (RFC 3986) pass through.
pub fn path_segment(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'~') {
            out.push(char::from(b));
        } else if b == b'.' && !(id == "." || id == "..") {
            out.push('.');
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segment_keeps_ids_and_escapes_the_rest() {
        assert_eq!(
            path_segment("fprod_01HW5MXAPBE79RHMMJJGB4ACAB"),
            "fprod_01HW5MXAPBE79RHMMJJGB4ACAB"
        );
        assert_eq!(path_segment("a/b?c#d e"), "a%2Fb%3Fc%23d%20e");
        assert_eq!(
            path_segment(".."),
            "%2E%2E",
            "dot segments must not climb the path"
        );
        assert_eq!(path_segment("v1.2"), "v1.2");
        assert_eq!(path_segment("é"), "%C3%A9");
    }

    #[test]
    fn writes_get_a_key_reads_do_not() {
        let k = Request::post("/v1/refunds")
            .resolve_idempotency_key()
            .unwrap();
        assert_eq!(uuid::Uuid::parse_str(&k).unwrap().get_version_num(), 4);
        assert_eq!(Request::get("/v1/refunds").resolve_idempotency_key(), None);
        assert_eq!(
            Request::post("/v1/refunds")
                .idempotency_key("mine")
                .resolve_idempotency_key()
                .as_deref(),
            Some("mine")
        );
        assert_eq!(
            Request::delete("/v1/subscriptions/x")
                .without_idempotency_key()
                .resolve_idempotency_key(),
            None
        );
    }

    #[test]
    fn query_opt_skips_none() {
        let r = Request::get("/v1/products")
            .query_opt("limit", Some(5))
            .query_opt::<u32>("offset", None);
        assert_eq!(r.query_params(), &[("limit".to_owned(), "5".to_owned())]);
    }
}
