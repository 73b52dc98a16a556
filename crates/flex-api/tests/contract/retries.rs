//! Retries under injected faults: how many attempts the simulator saw, that a retried refund
//! exists once, that 429 waits for Retry-After, and that unsafe requests are not repeated.

use std::time::Duration;

use flex_api::*;
use serde_json::json;
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};

use crate::common::{Env, api, refund_of, statuses};

#[tokio::test]
async fn get_is_retried_through_server_errors() {
    let env = Env::demo().await;
    env.clear_journal().await;
    env.arm(json!({"server_errors": {"count": 2, "status": 503}, "path_prefix": "/v1/payouts"}))
        .await;
    let resp = env
        .client
        .send_raw(Request::get("/v1/payouts"))
        .await
        .unwrap();
    assert_eq!(resp.attempts, 3);
    let seen = statuses(&env.journal("/v1/payouts").await);
    assert_eq!(
        seen,
        vec![503, 503, 200],
        "two injected failures, then success"
    );
}

#[tokio::test]
async fn refund_retried_after_5xx_exists_exactly_once() {
    let env = Env::demo().await;
    let s = env.paid_session(4000, "automatic").await;
    let pi = Env::intent_of(&s);
    env.clear_journal().await;
    env.arm(json!({"server_errors": {"count": 1, "status": 502}, "path_prefix": "/v1/refunds"}))
        .await;
    let refund = env
        .client
        .refunds()
        .create(&refund_of(&pi, 1000))
        .await
        .unwrap();
    let posts = env.journal_of("POST", "/v1/refunds").await;
    assert_eq!(posts.len(), 2, "{posts:?}");
    let key = posts[0]["idempotency_key"]
        .as_str()
        .expect("writes carry a key");
    assert_eq!(
        uuid_version(key),
        Some(4),
        "generated keys are UUIDv4: {key}"
    );
    assert_eq!(
        posts[1]["idempotency_key"], posts[0]["idempotency_key"],
        "a retry repeats the same key"
    );
    let all = env.refunds_of(&pi).await;
    assert_eq!(all.len(), 1, "exactly one refund");
    assert_eq!(all[0].refund_id, refund.refund_id);
}

#[tokio::test]
async fn refund_retried_after_dropped_connection_exists_exactly_once() {
    let env = Env::demo().await;
    let s = env.paid_session(4000, "automatic").await;
    let pi = Env::intent_of(&s);
    env.clear_journal().await;
    env.arm(json!({"drop_connections": {"count": 1}, "path_prefix": "/v1/refunds"}))
        .await;
    let refund = env
        .client
        .refunds()
        .create(&refund_of(&pi, 2500))
        .await
        .unwrap();
    let posts = env.journal_of("POST", "/v1/refunds").await;
    let statuses = statuses(&posts);
    assert_eq!(statuses, vec![0, 201], "dropped (status 0), then created");
    let all = env.refunds_of(&pi).await;
    assert_eq!(
        all.iter().map(|r| r.refund_id.as_str()).collect::<Vec<_>>(),
        vec![refund.refund_id.as_str()]
    );
    assert_eq!(all[0].amount, Some(2500));
}

/// A proxy in front of the simulator whose first connection forwards the request but loses the
/// response: the refund *was* made, the client never hears of it. (The simulator's own faults
/// act before the request is processed; this is the harder case idempotency keys exist for.)
async fn response_losing_proxy(upstream: std::net::SocketAddr) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut first = true;
        while let Ok((mut client, _)) = listener.accept().await {
            let lose = std::mem::replace(&mut first, false);
            tokio::spawn(async move {
                let Ok(mut up) = TcpStream::connect(upstream).await else {
                    return;
                };
                if lose {
                    let (mut cr, _cw) = client.split();
                    let (mut ur, mut uw) = up.split();
                    let forward = tokio::io::copy(&mut cr, &mut uw);
                    let mut byte = [0u8; 1];
                    // Forward the request until the first byte of the answer: then it was processed.
                    tokio::select! {
                        _ = forward => {}
                        _ = ur.read(&mut byte) => {}
                    }
                    // Dropping both sockets closes the client's connection without an answer.
                } else {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut up).await;
                }
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn refund_whose_answer_was_lost_is_replayed_not_repeated() {
    let env = Env::demo().await;
    let s = env.paid_session(4000, "automatic").await;
    let pi = Env::intent_of(&s);
    let proxy = response_losing_proxy(env.sim.addr()).await;
    let via_proxy = env
        .client_with(flex_sim::DEMO_TEST_KEY, |c| c.with_base_url(proxy))
        .unwrap();
    env.clear_journal().await;
    let refund = via_proxy
        .refunds()
        .create(&refund_of(&pi, 1200))
        .await
        .unwrap();
    let posts = env.journal_of("POST", "/v1/refunds").await;
    let statuses = statuses(&posts);
    assert_eq!(
        statuses,
        vec![201, 201],
        "processed, answer lost, then replayed: {posts:?}"
    );
    assert_eq!(posts[0]["idempotency_key"], posts[1]["idempotency_key"]);
    let all = env.refunds_of(&pi).await;
    assert_eq!(all.len(), 1, "the money moved once");
    assert_eq!(
        all[0].refund_id, refund.refund_id,
        "the replay returns the first refund"
    );
}

#[tokio::test]
async fn lost_answer_without_a_key_is_reported_not_repeated() {
    let env = Env::demo().await;
    let s = env.paid_session(4000, "automatic").await;
    let pi = Env::intent_of(&s);
    let proxy = response_losing_proxy(env.sim.addr()).await;
    let via_proxy = env
        .client_with(flex_sim::DEMO_TEST_KEY, |c| c.with_base_url(proxy))
        .unwrap();
    let req = Request::post("/v1/refunds")
        .json(json!({"refund": {"payment_intent_id": pi, "amount": 300}}))
        .without_idempotency_key();
    let err = via_proxy.send(req).await.unwrap_err();
    assert!(
        matches!(err, Error::Network { attempts: 1, .. }),
        "unsafe to repeat: {err:?}"
    );
    let all = env.refunds_of(&pi).await;
    assert_eq!(
        all.len(),
        1,
        "the refund happened; the caller must check before trying again"
    );
}

#[tokio::test]
async fn same_caller_key_replays_instead_of_refunding_twice() {
    let env = Env::demo().await;
    let s = env.paid_session(4000, "automatic").await;
    let pi = Env::intent_of(&s);
    let body = CreateRefund {
        payment_intent_id: pi.clone(),
        amount: Some(700),
        ..Default::default()
    };
    let first = env
        .client
        .refunds()
        .with_idempotency_key("support-ticket-881")
        .create(&body)
        .await
        .unwrap();
    let again = env
        .client
        .refunds()
        .with_idempotency_key("support-ticket-881")
        .create(&body)
        .await
        .unwrap();
    assert_eq!(
        first.refund_id, again.refund_id,
        "Flex replays the first answer"
    );
    let other = CreateRefund {
        amount: Some(800),
        ..body
    };
    let err = env
        .client
        .refunds()
        .with_idempotency_key("support-ticket-881")
        .create(&other)
        .await
        .unwrap_err();
    let e = api(err);
    assert_eq!(e.status, 409, "{e}");
    assert!(e.is_idempotency_conflict(), "{e:?}");
    assert_eq!(e.attempts, 1, "a conflict is not retried");
    let all = env.refunds_of(&pi).await;
    assert_eq!(all.len(), 1);
}

#[tokio::test]
async fn rate_limit_honours_retry_after() {
    let env = Env::demo().await;
    env.clear_journal().await;
    env.arm(json!({"rate_limit": {"count": 1, "retry_after": 1}, "path_prefix": "/v1/customers"}))
        .await;
    // A write: 429 means "not processed", so even a write without a key may be repeated.
    let resp = env
        .client
        .send_raw(
            Request::post("/v1/customers")
                .json(json!({"customer": {"email": "rl@example.com"}}))
                .without_idempotency_key(),
        )
        .await
        .unwrap();
    assert_eq!((resp.status, resp.attempts), (201, 2));
    let seen = statuses(&env.journal("/v1/customers").await);
    assert_eq!(seen, vec![429, 201]);
}

#[tokio::test]
async fn rate_limit_beyond_the_cap_is_handed_back() {
    let env = Env::demo().await;
    env.arm(json!({"rate_limit": {"count": 1, "retry_after": 120}, "path_prefix": "/v1/products"}))
        .await;
    let err = env
        .client
        .products()
        .list(&ListProducts::default())
        .await
        .unwrap_err();
    let e = api(err);
    assert_eq!(e.status, 429);
    assert_eq!(e.attempts, 1, "a two-minute wait is the caller's decision");
    assert_eq!(e.retry_after, Some(Duration::from_secs(120)));
    assert_eq!(e.code.as_deref(), Some("rate_limited"));
}

#[tokio::test]
async fn write_without_key_is_not_retried_after_5xx_or_drop() {
    let env = Env::demo().await;
    let s = env.paid_session(4000, "automatic").await;
    let pi = Env::intent_of(&s);
    env.clear_journal().await;
    env.arm(json!({"server_errors": {"count": 1, "status": 500}, "path_prefix": "/v1/refunds"}))
        .await;
    let req = Request::post("/v1/refunds")
        .json(json!({"refund": {"payment_intent_id": pi, "amount": 100}}))
        .without_idempotency_key();
    let e = api(env.client.send(req.clone()).await.unwrap_err());
    assert_eq!((e.status, e.attempts), (500, 1), "not safe to repeat: {e}");

    env.arm(json!({"drop_connections": {"count": 1}, "path_prefix": "/v1/refunds"}))
        .await;
    let err = env.client.send(req).await.unwrap_err();
    assert!(matches!(err, Error::Network { attempts: 1, .. }), "{err:?}");
    let posts = env.journal("/v1/refunds").await;
    assert_eq!(posts.len(), 2, "one attempt each: {posts:?}");
    assert!(
        posts.iter().all(|r| r["idempotency_key"].is_null()),
        "{posts:?}"
    );
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let env = Env::demo().await;
    env.clear_journal().await;
    let err = env
        .client
        .products()
        .create(&CreateProduct::default())
        .await
        .unwrap_err();
    assert_eq!(api(err).attempts, 1);
    assert_eq!(env.journal("/v1/products").await.len(), 1);
}

#[tokio::test]
async fn attempts_are_bounded() {
    let env = Env::demo().await;
    let client = env
        .client_with(flex_sim::DEMO_TEST_KEY, |c| c.with_max_attempts(3))
        .unwrap();
    env.clear_journal().await;
    env.arm(json!({"server_errors": {"count": 10, "status": 503}, "path_prefix": "/v1/disputes"}))
        .await;
    let e = api(client
        .disputes()
        .list(&ListDisputes::default())
        .await
        .unwrap_err());
    assert_eq!((e.status, e.attempts), (503, 3));
    assert_eq!(env.journal("/v1/disputes").await.len(), 3);
}

#[tokio::test]
async fn total_time_is_bounded() {
    let env = Env::demo().await;
    let client = env
        .client_with(flex_sim::DEMO_TEST_KEY, |c| {
            c.with_max_attempts(10)
                .with_max_total(Duration::from_millis(400))
        })
        .unwrap();
    env.arm(json!({"server_errors": {"count": 50, "status": 503}, "path_prefix": "/v1/invoices"}))
        .await;
    let e = api(client
        .invoices()
        .list(&ListInvoices::default())
        .await
        .unwrap_err());
    assert!(
        e.attempts < 10,
        "the 400 ms budget ends the retries first ({} attempts)",
        e.attempts
    );
}

#[tokio::test]
async fn slow_answers_time_out_and_are_retried_for_reads() {
    let env = Env::demo().await;
    let client = env
        .client_with(flex_sim::DEMO_TEST_KEY, |c| {
            c.with_timeout(Duration::from_millis(100))
                .with_max_attempts(2)
        })
        .unwrap();
    env.arm(json!({"latency_ms": 1000, "path_prefix": "/v1/coupons"}))
        .await;
    let err = client
        .coupons()
        .list(&ListCoupons::default())
        .await
        .unwrap_err();
    match err {
        Error::Network {
            attempts,
            ref message,
        } => {
            assert_eq!(attempts, 2);
            assert!(message.contains("timed out"), "{message}");
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
}

#[tokio::test]
async fn dropped_get_is_retried() {
    let env = Env::demo().await;
    env.arm(json!({"drop_connections": {"count": 2}, "path_prefix": "/v1/customers"}))
        .await;
    let resp = env
        .client
        .send_raw(Request::get("/v1/customers"))
        .await
        .unwrap();
    assert_eq!(resp.attempts, 3);
}

#[tokio::test]
async fn unreachable_host_is_a_network_error() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        l.local_addr().unwrap().port()
    }; // closed again: connections are refused
    let client = Client::new(
        ClientConfig::new("fsk_test_x")
            .with_base_url(format!("http://127.0.0.1:{port}"))
            .with_max_attempts(2),
    )
    .unwrap();
    let err = client
        .products()
        .list(&ListProducts::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Network { attempts: 2, .. }),
        "connect failures are retried: {err:?}"
    );
    assert_eq!(
        err.status(),
        None,
        "network failures are distinct from API errors"
    );
    assert!(
        !err.to_string().contains("fsk_test_x"),
        "never echo the key"
    );
}

fn uuid_version(s: &str) -> Option<usize> {
    let parts: Vec<&str> = s.split('-').collect();
    (parts.len() == 5 && s.len() == 36)
        .then(|| parts[2].chars().next()?.to_digit(16).map(|d| d as usize))?
}
