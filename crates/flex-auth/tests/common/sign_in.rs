//! A Flex sign-in against flex-sim's authorization server, posting its sign-in and consent
//! forms with reqwest as a person would in the browser (the browser path itself is tested with
//! Chromium in flex-cli's `oauth` test). Shared by flex-auth's and flex-core's tests:
//! `#[path = "…/flex-auth/tests/common/sign_in.rs"] mod sign_in;`.
#![allow(clippy::unwrap_used, dead_code)]

use flex_auth::MemoryStore;
use flex_auth::oauth::{self, Browser, Link, LoginOptions};
use serde_json::Value;

pub(crate) const EMAIL: &str = "ops@clinic.test";
pub(crate) const PASSWORD: &str = "pw-refresh";

pub(crate) async fn sim() -> flex_sim::SimHandle {
    let sim = flex_sim::start(flex_sim::SimConfig::default())
        .await
        .unwrap();
    sim.add_oauth_user(EMAIL, PASSWORD);
    sim
}

pub(crate) async fn controls(sim: &flex_sim::SimHandle, body: Value) -> Value {
    let http = reqwest::Client::new();
    let url = format!("{}/__sim/oauth", sim.base_url());
    if body.is_null() {
        return http.get(url).send().await.unwrap().json().await.unwrap();
    }
    http.post(url)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// What a person does in the browser, as form posts: sign in, then Allow.
async fn approve(link: String, base: String) {
    answer(&link, &base, "approve").await;
}

/// Sign in on the page at `link`, then answer the consent page with `decision` (`approve` or
/// `deny`) and follow the redirect back to the app's loopback listener.
pub(crate) async fn answer(link: &str, base: &str, decision: &str) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let html = http.get(link).send().await.unwrap().text().await.unwrap();
    let marker = "name=\"request\" value=\"";
    let start = html.find(marker).unwrap() + marker.len();
    let request = html[start..].split('"').next().unwrap().to_owned();
    http.post(format!("{base}/oauth/authorize/login"))
        .form(&[
            ("request", request.as_str()),
            ("email", EMAIL),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    let back = http
        .post(format!("{base}/oauth/authorize/consent"))
        .form(&[("request", request.as_str()), ("decision", decision)])
        .send()
        .await
        .unwrap();
    let location = back.headers()["location"].to_str().unwrap().to_owned();
    http.get(location).send().await.unwrap();
}

pub(crate) async fn sign_in(sim: &flex_sim::SimHandle, store: &MemoryStore) {
    let mut options = LoginOptions::new(sim.oauth_mcp_url());
    options.browser = Browser::LinkOnly;
    let base = sim.base_url();
    let on_link = move |link: &Link| {
        if let Link::Show(url) = link {
            tokio::spawn(approve(url.clone(), base.clone()));
        }
    };
    oauth::login(store, &options, &on_link).await.unwrap();
}
