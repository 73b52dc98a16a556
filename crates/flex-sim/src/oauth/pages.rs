//! The HTML a browser sees during sign-in: the sign-in form, the consent page and an error page.
//! Plain forms that POST, no script, so any browser (and chromedriver) can use them.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

/// Escape text for HTML content and attribute values.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · Flex</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem}}\
         label{{display:block;margin:.8rem 0 .2rem}}input{{width:100%;padding:.4rem}}\
         button{{margin:1rem .5rem 0 0;padding:.5rem 1rem}}.error{{color:#b00020}}</style>\
         </head><body><h1>{title}</h1>{body}</body></html>",
        title = escape(title),
    );
    let mut response = (status, Html(html)).into_response();
    // The pages must not be framed (clickjacking the consent button) or cached.
    let headers = response.headers_mut();
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    headers.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        ),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The sign-in form for an authorization request.
pub(super) fn sign_in(request_id: &str, client_name: &str, error: Option<&str>) -> Response {
    let status = if error.is_some() {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    };
    let error = error.map_or_else(String::new, |e| {
        format!("<p class=\"error\" id=\"error\">{}</p>", escape(e))
    });
    let body = format!(
        "<p><strong>{client}</strong> asks to use your Flex account. Sign in with your Flex Dashboard login.</p>\
         {error}\
         <form method=\"post\" action=\"/oauth/authorize/login\">\
         <input type=\"hidden\" name=\"request\" value=\"{request}\">\
         <label for=\"email\">Email</label><input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username\" required>\
         <label for=\"password\">Password</label><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>\
         <button id=\"sign-in\" type=\"submit\">Sign in</button></form>",
        client = escape(client_name),
        request = escape(request_id),
    );
    page(status, "Sign in to Flex", &body)
}

/// The consent page: who asks, where the answer goes, approve or deny.
pub(super) fn consent(
    request_id: &str,
    client_name: &str,
    user: &str,
    redirect_uri: &str,
) -> Response {
    let body = format!(
        "<p>Signed in as <strong id=\"user\">{user}</strong>.</p>\
         <p><strong>{client}</strong> wants to act on your Flex account with your permissions, in test and live mode.</p>\
         <p>After you decide, your browser returns to <code>{redirect}</code> (an app on this computer).</p>\
         <form method=\"post\" action=\"/oauth/authorize/consent\">\
         <input type=\"hidden\" name=\"request\" value=\"{request}\">\
         <button id=\"approve\" type=\"submit\" name=\"decision\" value=\"approve\">Allow access</button>\
         <button id=\"deny\" type=\"submit\" name=\"decision\" value=\"deny\">Deny</button></form>",
        user = escape(user),
        client = escape(client_name),
        redirect = escape(redirect_uri),
        request = escape(request_id),
    );
    page(StatusCode::OK, "Allow access to Flex?", &body)
}

/// An error shown in the browser where redirecting back would be unsafe (unknown client, bad
/// redirect URI) or impossible (expired request).
pub(super) fn error(status: StatusCode, message: &str) -> Response {
    let body = format!("<p class=\"error\" id=\"error\">{}</p>", escape(message));
    page(status, "Sign-in problem", &body)
}
