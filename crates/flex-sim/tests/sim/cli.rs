//! The binary's command line: other engineers' tests parse its first stdout line.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[tokio::test]
async fn first_line_announces_the_loopback_url_and_keys_work() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_flex-sim"))
        .args([
            "--port",
            "0",
            "--api-key",
            "fsk_test_cli",
            "--api-key",
            "fsk_test_ro:products:read",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .expect("the flex-sim binary starts");
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("a first line");
    let url = line
        .trim_end()
        .strip_prefix("listening on ")
        .expect("first line starts with 'listening on '")
        .to_owned();
    let port: u16 = url
        .strip_prefix("http://127.0.0.1:")
        .expect("the URL is loopback")
        .parse()
        .expect("the URL ends with a port number");
    assert!(
        port > 0,
        "port 0 means 'pick one', and the chosen one is printed"
    );

    let http = reqwest::Client::new();
    let ok = http
        .get(format!("{url}/v1/products"))
        .bearer_auth("fsk_test_cli")
        .send()
        .await
        .expect("answers");
    assert_eq!(ok.status(), 200, "a key given with --api-key is registered");
    let ro = http
        .post(format!("{url}/v1/products"))
        .bearer_auth("fsk_test_ro")
        .json(&serde_json::json!({"product": {"name": "x"}}))
        .send()
        .await
        .expect("answers");
    assert_eq!(ro.status(), 403, "scopes after the colon restrict the key");
    let other = http
        .get(format!("{url}/v1/products"))
        .bearer_auth("fsk_test_other")
        .send()
        .await
        .expect("answers");
    assert_eq!(other.status(), 401, "any key not registered is refused");
    child.kill().expect("the child can be stopped");
    let _ = child.wait();
}

#[test]
fn bad_key_argument_is_refused_before_listening() {
    let out = Command::new(env!("CARGO_BIN_EXE_flex-sim"))
        .args(["--port", "0", "--api-key", "sk_test_stripe"])
        .output()
        .expect("the flex-sim binary runs");
    assert!(!out.status.success(), "a non-Flex key is a startup error");
    assert!(
        out.stdout.is_empty(),
        "nothing is announced when startup fails"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("fsk_"),
        "the error says what a key must look like: {err}"
    );
}
