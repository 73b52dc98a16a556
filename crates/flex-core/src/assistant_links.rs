//! The install links some assistants offer themselves (Cursor's and VS Code's MCP install links,
//! LM Studio's): a click opens the assistant, which shows the server and asks before adding it.
//! The link carries exactly the entry Connect writes (this installation's absolute `flex-mcp`
//! with `stdio`) and nothing else: no key, no environment, no token, so it is safe to show,
//! copy or open.

use std::fmt::Write as _;
use std::path::Path;

use base64::Engine as _;
use flex_clients::{ClientKind, SERVER_NAME};
use serde::Serialize;
use serde_json::{Value, json};

/// One assistant's own install link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct InstallLink {
    /// The assistant's command-line name.
    pub id: String,
    /// The link.
    pub url: String,
    /// What happens when the person opens it, in its words.
    pub what_happens: String,
}

/// `kind`'s install link for this installation's `binary`, when the assistant has one.
///
/// # Errors
/// The binary path cannot be written into a config (not absolute, not UTF-8).
pub fn link(kind: ClientKind, binary: &Path) -> anyhow::Result<Option<InstallLink>> {
    let entry = flex_clients::desired_entry(kind, binary)?;
    let server = json!({"command": entry.command, "args": entry.args});
    let b64 = |v: &Value| base64::engine::general_purpose::STANDARD.encode(v.to_string());
    let (url, what_happens) = match kind {
        ClientKind::Cursor => (
            format!(
                "cursor://anysphere.cursor-deeplink/mcp/install?name={SERVER_NAME}&config={}",
                percent(&b64(&server))
            ),
            "Cursor opens and shows the Flex server; choose Install there.",
        ),
        ClientKind::VsCode => {
            let mut with_name = json!({"name": SERVER_NAME, "type": "stdio"});
            if let (Some(target), Value::Object(from)) = (with_name.as_object_mut(), server) {
                target.extend(from);
            }
            (
                format!("vscode:mcp/install?{}", percent(&with_name.to_string())),
                "VS Code opens and shows the Flex server; choose Install there.",
            )
        }
        ClientKind::LmStudio => (
            format!(
                "https://lmstudio.ai/install-mcp?name={SERVER_NAME}&config={}",
                percent(&b64(&server))
            ),
            "Your browser opens LM Studio's page, which hands the Flex server to LM Studio; \
             confirm it there.",
        ),
        _ => return Ok(None),
    };
    Ok(Some(InstallLink {
        id: kind.cli_name().to_string(),
        url,
        what_happens: what_happens.to_string(),
    }))
}

/// Percent-encoding of everything but RFC 3986's unreserved characters.
fn percent(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn query(url: &str) -> HashMap<String, String> {
        let q = url.split_once('?').unwrap().1;
        serde_urlencoded::from_str(q).unwrap()
    }

    fn decode(b64: &str) -> Value {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    /// What Connect writes for `kind`, as a JSON object (the same function builds it).
    fn our_entry(kind: ClientKind, bin: &Path) -> Value {
        let e = flex_clients::desired_entry(kind, bin).unwrap();
        json!({"command": e.command, "args": e.args})
    }

    #[test]
    fn each_link_decodes_to_our_entry_and_carries_no_secret() {
        let bin = Path::new("/opt/Flex MCP/bin/flex-mcp");
        let cursor = link(ClientKind::Cursor, bin).unwrap().unwrap();
        assert!(
            cursor
                .url
                .starts_with("cursor://anysphere.cursor-deeplink/mcp/install?")
        );
        let q = query(&cursor.url);
        assert_eq!(q["name"], "flex");
        assert_eq!(decode(&q["config"]), our_entry(ClientKind::Cursor, bin));

        let lm = link(ClientKind::LmStudio, bin).unwrap().unwrap();
        let q = query(&lm.url);
        assert_eq!(q["name"], "flex");
        assert_eq!(decode(&q["config"]), our_entry(ClientKind::LmStudio, bin));

        let code = link(ClientKind::VsCode, bin).unwrap().unwrap();
        let raw = code.url.strip_prefix("vscode:mcp/install?").unwrap();
        let decoded: Value = serde_json::from_str(
            &serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("x={raw}")).unwrap()[0].1,
        )
        .unwrap();
        assert_eq!(decoded["name"], "flex");
        assert_eq!(decoded["type"], "stdio");
        assert_eq!(decoded["command"], "/opt/Flex MCP/bin/flex-mcp");
        assert_eq!(decoded["args"], json!(["stdio"]));

        // The decoded entries equal ours exactly (above), so no `env`, key or token rides
        // along; and nothing key-like sits in the link's text either.
        for l in [&cursor, &lm, &code] {
            assert!(
                !l.url.contains("fsk_") && !l.url.contains("Bearer"),
                "{}",
                l.url
            );
        }
        let vscode_keys: Vec<&String> = decoded.as_object().unwrap().keys().collect();
        assert_eq!(
            vscode_keys.len(),
            4,
            "name, type, command, args only: {decoded}"
        );
    }

    #[test]
    fn clients_without_an_install_link_get_none() {
        let bin = Path::new("/usr/bin/flex-mcp");
        assert!(link(ClientKind::ClaudeDesktop, bin).unwrap().is_none());
        assert!(link(ClientKind::Windsurf, bin).unwrap().is_none());
        assert!(
            link(ClientKind::Cursor, Path::new("flex-mcp")).is_err(),
            "relative path refused"
        );
    }
}
