//! Surgical edits of JSON/JSONC config text: add, replace or remove one server entry and leave
//! every other byte where it was.
//!
//! Why text splicing over a parsed tree instead of re-serialising a `serde_json::Value`: a
//! re-serialised file loses comments, key order, indentation and line endings, which is exactly how
//! peer installers damage configs. We parse with `jsonc-parser` only to learn the byte ranges of
//! properties, commas and comments, then replace the smallest span that holds our entry. Inserting
//! and removing are written as inverses, so connect followed by disconnect gives back the original
//! bytes whenever the server map already existed.

use jsonc_parser::ast::{Object, ObjectProp, Value};
use jsonc_parser::common::Ranged;
use jsonc_parser::errors::ParseErrorKind;
use jsonc_parser::tokens::{Token, TokenAndRange};
use jsonc_parser::{CollectOptions, CommentCollectionStrategy, ParseOptions, parse_to_ast};

use crate::entry::{DesiredEntry, FoundEntry};
use crate::error::{DocError, line_column};

const BOM: char = '\u{feff}';

/// How a document is read and written.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Dialect<'a> {
    /// No comments, no trailing commas, no BOM (Claude Desktop).
    pub strict: bool,
    /// The key of the server map (`mcpServers`, `servers`, `context_servers`).
    pub servers_key: &'a str,
    /// The client's name, for messages.
    pub client: &'a str,
}

/// The result of an edit: the new text and anything worth telling the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Edited {
    pub text: String,
    pub notes: Vec<String>,
}

/// What the config says under `name`: `Ok(None)` when there is no such entry.
pub(crate) fn read_entry(
    text: &str,
    dialect: Dialect<'_>,
    name: &str,
) -> Result<Option<FoundEntry>, DocError> {
    let (_, body) = split_bom(text);
    let doc = Doc::parse(body, dialect)?;
    let Some(root) = &doc.root else {
        return Ok(None);
    };
    let Some(servers) = doc.servers_object(root, dialect.servers_key)? else {
        return Ok(None);
    };
    let Some(prop) = servers
        .properties
        .iter()
        .rev()
        .find(|p| p.name.as_str() == name)
    else {
        return Ok(None);
    };
    Ok(Some(found_entry(&prop.value)))
}

/// Whether the text starts with a byte-order mark (which Claude Desktop may fail on).
pub(crate) fn has_bom(text: &str) -> bool {
    text.starts_with(BOM)
}

/// Add or replace the entry `name`, changing nothing outside it.
pub(crate) fn upsert_entry(
    text: &str,
    dialect: Dialect<'_>,
    name: &str,
    entry: &DesiredEntry,
) -> Result<Edited, DocError> {
    let (bom, body) = split_bom(text);
    let mut body = body.to_string();
    // Duplicate keys: JSON parsers take the last one; keep only that one.
    loop {
        let doc = Doc::parse(&body, dialect)?;
        let Some(root) = &doc.root else { break };
        let Some(servers) = doc.servers_object(root, dialect.servers_key)? else {
            break;
        };
        let idx: Vec<usize> = prop_indexes(servers, name);
        if idx.len() <= 1 {
            break;
        }
        let mut edits = Vec::new();
        doc.remove_prop(servers, idx[0], &mut edits);
        body = apply(&body, edits);
    }

    let doc = Doc::parse(&body, dialect)?;
    let style = doc.style();
    let mut edits = Vec::new();
    let new_body = match &doc.root {
        None => {
            let object = render_document(dialect.servers_key, name, entry, &style);
            if body.trim().is_empty() {
                format!("{object}{}", style.nl)
            } else {
                // Only comments: keep them above the new object.
                format!("{}{}{object}{}", body.trim_end(), style.nl, style.nl)
            }
        }
        Some(root) => {
            match doc.servers_object(root, dialect.servers_key)? {
                None => doc.insert_prop(
                    root,
                    dialect.servers_key,
                    &mut edits,
                    &|indent, multiline| render_servers(name, entry, indent, multiline, &style),
                ),
                Some(servers) => match prop_indexes(servers, name).last() {
                    None => doc.insert_prop(servers, name, &mut edits, &|indent, multiline| {
                        render_entry(entry, indent, multiline, &style)
                    }),
                    Some(&i) => {
                        let prop = &servers.properties[i];
                        let range = prop.value.range();
                        let indent = doc.indent_before(prop.range.start);
                        let rendered =
                            render_entry(entry, indent.unwrap_or(""), indent.is_some(), &style);
                        if body[range.start..range.end] != rendered {
                            edits.push(Splice::replace(range.start, range.end, rendered));
                        }
                    }
                },
            }
            apply(&body, edits)
        }
    };
    Ok(finish(bom, new_body, dialect))
}

/// Remove every entry named `name`; everything else stays.
pub(crate) fn remove_entry(
    text: &str,
    dialect: Dialect<'_>,
    name: &str,
) -> Result<Edited, DocError> {
    let (bom, body) = split_bom(text);
    let mut body = body.to_string();
    loop {
        let doc = Doc::parse(&body, dialect)?;
        let Some(root) = &doc.root else { break };
        let Some(servers) = doc.servers_object(root, dialect.servers_key)? else {
            break;
        };
        let Some(&i) = prop_indexes(servers, name).last() else {
            break;
        };
        let mut edits = Vec::new();
        doc.remove_prop(servers, i, &mut edits);
        body = apply(&body, edits);
    }
    Ok(finish(bom, body, dialect))
}

/// Check that text parses in the dialect (used on our own output before it is written).
pub(crate) fn validate(text: &str, dialect: Dialect<'_>) -> Result<(), DocError> {
    let (_, body) = split_bom(text);
    Doc::parse(body, dialect).map(|_| ())
}

fn finish(bom: bool, body: String, dialect: Dialect<'_>) -> Edited {
    let mut notes = Vec::new();
    let text = if bom && dialect.strict {
        notes.push(format!(
            "Removed the invisible byte-order mark at the start of the file: {} reads strict JSON and may fail to load a file that starts with one.",
            dialect.client
        ));
        body
    } else if bom {
        format!("{BOM}{body}")
    } else {
        body
    };
    Edited { text, notes }
}

fn split_bom(text: &str) -> (bool, &str) {
    match text.strip_prefix(BOM) {
        Some(rest) => (true, rest),
        None => (false, text),
    }
}

fn prop_indexes(obj: &Object<'_>, name: &str) -> Vec<usize> {
    obj.properties
        .iter()
        .enumerate()
        .filter(|(_, p)| p.name.as_str() == name)
        .map(|(i, _)| i)
        .collect()
}

fn found_entry(value: &Value<'_>) -> FoundEntry {
    let Value::Object(obj) = value else {
        return FoundEntry {
            not_an_object: true,
            ..FoundEntry::default()
        };
    };
    let get = |key: &str| {
        obj.properties
            .iter()
            .rev()
            .find(|p| p.name.as_str() == key)
            .map(|p| &p.value)
    };
    let string = |key: &str| match get(key) {
        Some(Value::StringLit(s)) => Some(s.value.to_string()),
        _ => None,
    };
    let args = match get("args") {
        Some(Value::Array(a)) => a
            .elements
            .iter()
            .map(|e| match e {
                Value::StringLit(s) => Some(s.value.to_string()),
                _ => None,
            })
            .collect::<Option<Vec<_>>>(),
        _ => None,
    };
    FoundEntry {
        not_an_object: false,
        command: string("command"),
        args,
        transport_type: string("type"),
        has_url: ["url", "serverUrl", "httpUrl"]
            .iter()
            .any(|k| get(k).is_some()),
    }
}

fn kind_of(value: &Value<'_>) -> &'static str {
    match value {
        Value::StringLit(_) => "a string",
        Value::NumberLit(_) => "a number",
        Value::BooleanLit(_) => "true/false",
        Value::Object(_) => "an object",
        Value::Array(_) => "an array",
        Value::NullKeyword(_) => "null",
    }
}

/// Newline and indentation unit of a document, so what we add looks like what is there.
struct Style {
    nl: &'static str,
    unit: String,
    /// Compact JSON written without spaces (`{"a":1,"b":2}`), as minifiers and some apps do.
    tight: bool,
}

/// One replacement of `start..end` by `text`.
#[derive(Debug)]
struct Splice {
    start: usize,
    end: usize,
    text: String,
}

impl Splice {
    fn insert(at: usize, text: String) -> Splice {
        Splice {
            start: at,
            end: at,
            text,
        }
    }
    fn replace(start: usize, end: usize, text: String) -> Splice {
        Splice { start, end, text }
    }
    fn delete(start: usize, end: usize) -> Splice {
        Splice {
            start,
            end,
            text: String::new(),
        }
    }
}

/// Apply non-overlapping splices, the last one first so earlier offsets stay valid. Two inserts
/// at the same offset land in the order they were pushed.
fn apply(text: &str, edits: Vec<Splice>) -> String {
    let mut edits: Vec<(usize, Splice)> = edits.into_iter().enumerate().collect();
    edits.sort_by(|(ia, a), (ib, b)| b.start.cmp(&a.start).then(ib.cmp(ia)));
    let mut out = text.to_string();
    for (_, e) in edits {
        out.replace_range(e.start..e.end, &e.text);
    }
    out
}

struct Doc<'a> {
    text: &'a str,
    root: Option<Object<'a>>,
    /// Every token, comments included, in order.
    tokens: Vec<TokenAndRange<'a>>,
}

impl<'a> Doc<'a> {
    fn parse(text: &'a str, dialect: Dialect<'_>) -> Result<Doc<'a>, DocError> {
        let options = ParseOptions {
            allow_comments: !dialect.strict,
            allow_trailing_commas: !dialect.strict,
            allow_loose_object_property_names: false,
            allow_missing_commas: false,
            allow_single_quoted_strings: false,
            allow_hexadecimal_numbers: false,
            allow_unary_plus_numbers: false,
            allow_bare_decimal_point_numbers: false,
            allow_non_finite_numbers: false,
            allow_extended_string_escapes: false,
        };
        let collect = CollectOptions {
            comments: CommentCollectionStrategy::AsTokens,
            tokens: true,
        };
        let parsed = parse_to_ast(text, &collect, &options).map_err(|e| {
            let (line, column) = line_column(text, e.range().start);
            let fix = match e.kind() {
                ParseErrorKind::CommentsNotAllowed => format!(
                    "{} reads strict JSON, which has no comments: delete the comment there, then try again.",
                    dialect.client
                ),
                ParseErrorKind::TrailingCommasNotAllowed => format!(
                    "{} reads strict JSON: delete the comma after the last item there, then try again.",
                    dialect.client
                ),
                _ => format!(
                    "{} cannot read this file either. Fix the file at that spot (or restore a working copy), then try again.",
                    dialect.client
                ),
            };
            DocError::Syntax {
                line,
                column,
                message: lower_first(&e.kind().to_string()),
                fix,
            }
        })?;
        let tokens = parsed.tokens.unwrap_or_default();
        // jsonc-parser skips its own `allow_comments` check when comments are collected as
        // tokens, so strictness is enforced here.
        if dialect.strict
            && let Some(comment) = tokens.iter().find(|t| is_comment(&t.token))
        {
            let (line, column) = line_column(text, comment.range.start);
            return Err(DocError::Syntax {
                line,
                column,
                message: "comments are not allowed".to_string(),
                fix: format!(
                    "{} reads strict JSON, which has no comments: delete the comment there, then try again.",
                    dialect.client
                ),
            });
        }
        let root = match parsed.value {
            None => None,
            Some(Value::Object(o)) => Some(o),
            Some(other) => {
                let (line, column) = line_column(text, other.range().start);
                return Err(DocError::Shape {
                    key: "the top level".to_string(),
                    found: kind_of(&other),
                    line,
                    column,
                });
            }
        };
        Ok(Doc { text, root, tokens })
    }

    /// The server map, `None` when the key is absent, an error when it is not an object.
    fn servers_object<'o>(
        &self,
        root: &'o Object<'a>,
        key: &str,
    ) -> Result<Option<&'o Object<'a>>, DocError> {
        match root
            .properties
            .iter()
            .rev()
            .find(|p| p.name.as_str() == key)
        {
            None => Ok(None),
            Some(ObjectProp {
                value: Value::Object(o),
                ..
            }) => Ok(Some(o)),
            Some(p) => {
                let (line, column) = line_column(self.text, p.value.range().start);
                Err(DocError::Shape {
                    key: key.to_string(),
                    found: kind_of(&p.value),
                    line,
                    column,
                })
            }
        }
    }

    fn style(&self) -> Style {
        let nl = if self
            .text
            .find('\n')
            .is_some_and(|i| i > 0 && self.text.as_bytes()[i - 1] == b'\r')
        {
            "\r\n"
        } else {
            "\n"
        };
        let unit = self
            .root
            .as_ref()
            .and_then(|r| r.properties.first())
            .and_then(|p| self.indent_before(p.range.start))
            .filter(|i| !i.is_empty())
            .unwrap_or("  ")
            .to_string();
        // Count `":x` against `": x` to follow the file's habit on one-line objects.
        let bytes = self.text.as_bytes();
        let (mut tight, mut spaced) = (0usize, 0usize);
        for (i, pair) in bytes.windows(2).enumerate() {
            if pair == b"\":" {
                match bytes.get(i + 2) {
                    Some(b' ' | b'\t' | b'\r' | b'\n') => spaced += 1,
                    Some(_) => tight += 1,
                    None => {}
                }
            }
        }
        Style {
            nl,
            unit,
            tight: tight > spaced,
        }
    }

    fn line_start(&self, pos: usize) -> usize {
        self.text[..pos].rfind('\n').map_or(0, |i| i + 1)
    }

    /// The whitespace between the start of the line and `pos`, if nothing else precedes `pos` on
    /// its line (the item starts its own line).
    fn indent_before(&self, pos: usize) -> Option<&'a str> {
        let start = self.line_start(pos);
        let text: &'a str = self.text;
        let indent = &text[start..pos];
        indent
            .chars()
            .all(|c| c == ' ' || c == '\t')
            .then_some(indent)
    }

    /// The leading whitespace of the line containing `pos`.
    fn line_indent(&self, pos: usize) -> &'a str {
        let start = self.line_start(pos);
        let text: &'a str = self.text;
        let line = &text[start..];
        let len = line.len() - line.trim_start_matches([' ', '\t']).len();
        &line[..len]
    }

    /// The first non-comment token starting at or after `pos`.
    fn next_significant(&self, pos: usize) -> Option<&TokenAndRange<'a>> {
        let first = self.tokens.partition_point(|t| t.range.start < pos);
        self.tokens[first..].iter().find(|t| !is_comment(&t.token))
    }

    fn comma_after(&self, pos: usize) -> Option<(usize, usize)> {
        self.next_significant(pos)
            .filter(|t| matches!(t.token, Token::Comma))
            .map(|t| (t.range.start, t.range.end))
    }

    fn comments_within(
        &self,
        start: usize,
        end: usize,
    ) -> impl Iterator<Item = &TokenAndRange<'a>> {
        self.tokens
            .iter()
            .filter(move |t| is_comment(&t.token) && t.range.start >= start && t.range.end <= end)
    }

    /// Add property `key` at the end of `obj`. `render(indent, multiline)` gives the value text.
    fn insert_prop(
        &self,
        obj: &Object<'a>,
        key: &str,
        edits: &mut Vec<Splice>,
        render: &dyn Fn(&str, bool) -> String,
    ) {
        let style = self.style();
        let key_q = quote(key);
        let Some(last) = obj.properties.last() else {
            let open = obj.range.start;
            let close = obj.range.end - 1;
            let obj_indent = self.line_indent(open);
            let child = format!("{obj_indent}{}", style.unit);
            let prop = format!("{key_q}: {}", render(&child, true));
            match self
                .comments_within(open + 1, close)
                .map(|t| t.range.end)
                .max()
            {
                None => edits.push(Splice::replace(
                    open,
                    obj.range.end,
                    format!("{{{nl}{child}{prop}{nl}{obj_indent}}}", nl = style.nl),
                )),
                Some(after_comment) => {
                    let closing_on_new_line = self.text[after_comment..close].contains('\n');
                    let tail = if closing_on_new_line {
                        String::new()
                    } else {
                        format!("{}{obj_indent}", style.nl)
                    };
                    edits.push(Splice::insert(
                        after_comment,
                        format!("{}{child}{prop}{tail}", style.nl),
                    ));
                }
            }
            return;
        };
        let comma = self.comma_after(last.range.end);
        let anchor = comma.map_or(last.range.end, |(_, end)| end);
        // Comments on the same line as the last property belong to it: insert after them.
        let mut insert_at = anchor;
        let first = self.tokens.partition_point(|t| t.range.start < anchor);
        for tok in &self.tokens[first..] {
            let gap = &self.text[insert_at..tok.range.start];
            if is_comment(&tok.token) && gap.chars().all(|c| c == ' ' || c == '\t') {
                insert_at = tok.range.end;
            } else {
                break;
            }
        }
        let space = if style.tight { "" } else { " " };
        match self.indent_before(last.range.start) {
            Some(indent) => {
                if comma.is_none() {
                    edits.push(Splice::insert(last.range.end, ",".to_string()));
                }
                let trailing = if comma.is_some() { "," } else { "" };
                edits.push(Splice::insert(
                    insert_at,
                    format!(
                        "{}{indent}{key_q}: {}{trailing}",
                        style.nl,
                        render(indent, true)
                    ),
                ));
            }
            None => match comma {
                Some((_, end)) => {
                    edits.push(Splice::insert(
                        end,
                        format!("{space}{key_q}:{space}{},", render("", false)),
                    ));
                }
                None => edits.push(Splice::insert(
                    last.range.end,
                    format!(",{space}{key_q}:{space}{}", render("", false)),
                )),
            },
        }
    }

    /// Remove property `idx` of `obj` with its separator, as the inverse of [`Doc::insert_prop`].
    fn remove_prop(&self, obj: &Object<'a>, idx: usize, edits: &mut Vec<Splice>) {
        let prop = &obj.properties[idx];
        let (start, end) = (prop.range.start, prop.range.end);
        let comma = self.comma_after(end);
        let after = comma.map_or(end, |(_, e)| e);

        if obj.properties.len() == 1 {
            let inner_comments = self
                .comments_within(obj.range.start, obj.range.end)
                .any(|t| t.range.end <= start || t.range.start >= after);
            if !inner_comments {
                edits.push(Splice::replace(
                    obj.range.start,
                    obj.range.end,
                    "{}".to_string(),
                ));
                return;
            }
        }

        let rest = &self.text[after..];
        let spaces = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        let rest = &rest[spaces..];
        let line_end = if rest.starts_with("\r\n") {
            Some(after + spaces + 2)
        } else if rest.starts_with('\n') {
            Some(after + spaces + 1)
        } else if rest.is_empty() {
            Some(after + spaces)
        } else {
            None
        };
        let prev_comma = idx
            .checked_sub(1)
            .and_then(|p| self.comma_after(obj.properties[p].range.end));

        match (self.indent_before(start), line_end) {
            (Some(_), Some(line_end)) => {
                edits.push(Splice::delete(self.line_start(start), line_end));
                if comma.is_none()
                    && let Some((c_start, c_end)) = prev_comma
                {
                    // Its comma would now dangle after the last property.
                    edits.push(Splice::delete(c_start, c_end));
                }
            }
            _ => match (comma, prev_comma) {
                (Some(_), _) => edits.push(Splice::delete(start, after + spaces)),
                (None, Some((c_start, _))) => edits.push(Splice::delete(c_start, end)),
                (None, None) => edits.push(Splice::delete(start, end)),
            },
        }
    }
}

fn is_comment(token: &Token<'_>) -> bool {
    matches!(token, Token::CommentLine(_) | Token::CommentBlock(_))
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A JSON string literal.
fn quote(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

fn render_entry(entry: &DesiredEntry, indent: &str, multiline: bool, style: &Style) -> String {
    let space = if style.tight && !multiline { "" } else { " " };
    let mut fields = Vec::new();
    if entry.stdio_type {
        fields.push(format!("\"type\":{space}{}", quote("stdio")));
    }
    fields.push(format!("\"command\":{space}{}", quote(&entry.command)));
    let args: Vec<String> = entry.args.iter().map(|a| quote(a)).collect();
    fields.push(format!(
        "\"args\":{space}[{}]",
        args.join(&format!(",{space}"))
    ));
    if multiline {
        let inner = format!("{indent}{}", style.unit);
        let sep = format!(",{}{inner}", style.nl);
        format!(
            "{{{nl}{inner}{}{nl}{indent}}}",
            fields.join(&sep),
            nl = style.nl
        )
    } else {
        format!("{{{}}}", fields.join(&format!(",{space}")))
    }
}

fn render_servers(
    name: &str,
    entry: &DesiredEntry,
    indent: &str,
    multiline: bool,
    style: &Style,
) -> String {
    if multiline {
        let inner = format!("{indent}{}", style.unit);
        format!(
            "{{{nl}{inner}{}: {}{nl}{indent}}}",
            quote(name),
            render_entry(entry, &inner, true, style),
            nl = style.nl
        )
    } else {
        let space = if style.tight { "" } else { " " };
        format!(
            "{{{}:{space}{}}}",
            quote(name),
            render_entry(entry, "", false, style)
        )
    }
}

fn render_document(servers_key: &str, name: &str, entry: &DesiredEntry, style: &Style) -> String {
    format!(
        "{{{nl}{unit}{}: {}{nl}}}",
        quote(servers_key),
        render_servers(name, entry, &style.unit, true, style),
        nl = style.nl,
        unit = style.unit
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSONC: Dialect<'static> = Dialect {
        strict: false,
        servers_key: "mcpServers",
        client: "Cursor",
    };
    const STRICT: Dialect<'static> = Dialect {
        strict: true,
        servers_key: "mcpServers",
        client: "Claude Desktop",
    };

    fn entry() -> DesiredEntry {
        DesiredEntry {
            command: "/opt/flex-mcp".into(),
            args: vec!["stdio".into()],
            stdio_type: false,
        }
    }

    fn round_trip(original: &str, dialect: Dialect<'_>) -> String {
        let added = upsert_entry(original, dialect, "flex", &entry())
            .unwrap()
            .text;
        validate(&added, dialect).unwrap();
        let found = read_entry(&added, dialect, "flex").unwrap().unwrap();
        assert_eq!(
            found.mismatch(&entry()),
            None,
            "entry reads back in:\n{added}"
        );
        let removed = remove_entry(&added, dialect, "flex").unwrap().text;
        assert_eq!(
            removed, original,
            "connect+disconnect is the identity; connected text was:\n{added}"
        );
        added
    }

    #[test]
    fn empty_text_becomes_a_minimal_config() {
        let out = upsert_entry("", STRICT, "flex", &entry()).unwrap().text;
        assert_eq!(
            out,
            "{\n  \"mcpServers\": {\n    \"flex\": {\n      \"command\": \"/opt/flex-mcp\",\n      \"args\": [\"stdio\"]\n    }\n  }\n}\n"
        );
    }

    #[test]
    fn appends_after_other_servers_with_their_indentation() {
        let original = "{\n    \"mcpServers\": {\n        \"a\": {\"command\": \"a\"}\n    }\n}\n";
        let added = round_trip(original, STRICT);
        assert_eq!(
            added,
            "{\n    \"mcpServers\": {\n        \"a\": {\"command\": \"a\"},\n        \"flex\": {\n            \"command\": \"/opt/flex-mcp\",\n            \"args\": [\"stdio\"]\n        }\n    }\n}\n"
        );
    }

    #[test]
    fn same_line_comment_stays_with_its_property() {
        let original = "{\n  \"mcpServers\": {\n    \"a\": {} // keep me\n  }\n}";
        let added = round_trip(original, JSONC);
        assert!(
            added.contains("\"a\": {}, // keep me\n    \"flex\""),
            "{added}"
        );
    }

    #[test]
    fn trailing_comma_style_is_kept() {
        round_trip("{\n  \"mcpServers\": {\n    \"a\": {},\n  },\n}\n", JSONC);
    }

    #[test]
    fn compact_objects_get_a_compact_entry() {
        let added = round_trip("{\"mcpServers\": {\"a\": {}}}", STRICT);
        assert_eq!(
            added,
            "{\"mcpServers\": {\"a\": {}, \"flex\": {\"command\": \"/opt/flex-mcp\", \"args\": [\"stdio\"]}}}"
        );
    }

    #[test]
    fn tight_compact_files_get_a_tight_entry() {
        let added = round_trip("{\"mcpServers\":{\"a\":{\"x\":1}},\"b\":2}", STRICT);
        assert_eq!(
            added,
            "{\"mcpServers\":{\"a\":{\"x\":1},\"flex\":{\"command\":\"/opt/flex-mcp\",\"args\":[\"stdio\"]}},\"b\":2}"
        );
    }

    #[test]
    fn empty_server_map_round_trips() {
        round_trip("{\n  \"mcpServers\": {}\n}\n", STRICT);
        round_trip("{\r\n  \"mcpServers\": {},\r\n  \"x\": 1\r\n}\r\n", STRICT);
    }

    #[test]
    fn crlf_is_used_for_new_lines() {
        let added = round_trip(
            "{\r\n  \"mcpServers\": {\r\n    \"a\": {}\r\n  }\r\n}\r\n",
            STRICT,
        );
        assert!(
            !added.replace("\r\n", "").contains('\n'),
            "only CRLF: {added:?}"
        );
    }

    #[test]
    fn replacing_touches_only_the_value() {
        let original = "{\"mcpServers\": {\n  // ours\n  \"flex\": {\"command\": \"/old\", \"env\": {\"K\": \"v\"}},\n  \"b\": 1\n}}";
        let out = upsert_entry(original, JSONC, "flex", &entry())
            .unwrap()
            .text;
        assert_eq!(
            out,
            "{\"mcpServers\": {\n  // ours\n  \"flex\": {\n    \"command\": \"/opt/flex-mcp\",\n    \"args\": [\"stdio\"]\n  },\n  \"b\": 1\n}}"
        );
        assert_eq!(
            upsert_entry(&out, JSONC, "flex", &entry()).unwrap().text,
            out,
            "idempotent"
        );
    }

    #[test]
    fn removing_a_middle_entry_keeps_neighbours() {
        let original = "{\"mcpServers\": {\n  \"a\": 1,\n  \"flex\": {},\n  \"b\": 2\n}}";
        assert_eq!(
            remove_entry(original, JSONC, "flex").unwrap().text,
            "{\"mcpServers\": {\n  \"a\": 1,\n  \"b\": 2\n}}"
        );
        let first = "{\"mcpServers\": {\"flex\": {}, \"b\": 2}}";
        assert_eq!(
            remove_entry(first, JSONC, "flex").unwrap().text,
            "{\"mcpServers\": {\"b\": 2}}"
        );
    }

    #[test]
    fn duplicates_collapse_into_one() {
        let original = "{\"mcpServers\": {\"flex\": 1, \"a\": 2, \"flex\": 3}}";
        let out = upsert_entry(original, JSONC, "flex", &entry())
            .unwrap()
            .text;
        assert_eq!(out.matches("\"flex\"").count(), 1, "{out}");
        assert!(out.contains("\"a\": 2"), "{out}");
    }

    #[test]
    fn strict_dialect_refuses_comments_with_position_and_fix() {
        let err = upsert_entry(
            "{\n  // hi\n  \"mcpServers\": {}\n}",
            STRICT,
            "flex",
            &entry(),
        )
        .unwrap_err();
        let DocError::Syntax {
            line, column, fix, ..
        } = err
        else {
            panic!("{err:?}")
        };
        assert_eq!((line, column), (2, 3));
        assert!(fix.contains("Claude Desktop reads strict JSON"), "{fix}");
    }

    #[test]
    fn wrong_shapes_are_refused() {
        assert!(matches!(
            upsert_entry("[1]", JSONC, "flex", &entry()),
            Err(DocError::Shape {
                found: "an array",
                ..
            })
        ));
        assert!(matches!(
            upsert_entry("{\"mcpServers\": null}", JSONC, "flex", &entry()),
            Err(DocError::Shape { found: "null", .. })
        ));
    }

    #[test]
    fn bom_is_kept_in_jsonc_and_dropped_with_a_note_in_strict_json() {
        let original = "\u{feff}{\"mcpServers\": {}}";
        let kept = upsert_entry(original, JSONC, "flex", &entry()).unwrap();
        assert!(kept.text.starts_with('\u{feff}') && kept.notes.is_empty());
        let dropped = upsert_entry(original, STRICT, "flex", &entry()).unwrap();
        assert!(!dropped.text.starts_with('\u{feff}'));
        assert!(
            dropped.notes[0].contains("byte-order mark"),
            "{:?}",
            dropped.notes
        );
    }

    #[test]
    fn comment_only_file_keeps_its_comment() {
        let out = upsert_entry("// my settings\n", JSONC, "flex", &entry())
            .unwrap()
            .text;
        assert!(out.starts_with("// my settings\n{\n"), "{out}");
        validate(&out, JSONC).unwrap();
    }

    #[test]
    fn empty_object_with_a_comment_inside() {
        let original = "{\n  \"mcpServers\": {\n    // none yet\n  }\n}";
        let out = upsert_entry(original, JSONC, "flex", &entry())
            .unwrap()
            .text;
        validate(&out, JSONC).unwrap();
        assert!(out.contains("// none yet\n    \"flex\": {"), "{out}");
        assert_eq!(remove_entry(&out, JSONC, "flex").unwrap().text, original);
    }

    #[test]
    fn missing_server_map_is_added_at_the_end_of_the_root() {
        let original = "{\n\t\"theme\": \"dark\"\n}\n";
        let out = upsert_entry(original, JSONC, "flex", &entry())
            .unwrap()
            .text;
        assert_eq!(
            out,
            "{\n\t\"theme\": \"dark\",\n\t\"mcpServers\": {\n\t\t\"flex\": {\n\t\t\t\"command\": \"/opt/flex-mcp\",\n\t\t\t\"args\": [\"stdio\"]\n\t\t}\n\t}\n}\n"
        );
    }
}
