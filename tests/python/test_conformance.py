"""The official MCP conformance suite (npm `@modelcontextprotocol/conformance`) against
`flex-mcp serve --http`, through the test-side auth proxy (tests/node/auth-proxy.mjs).

Only the scenarios that apply to a product server run here; the others need the suite's own
"everything server" fixtures (tools named `test_simple_text`, `test_prompt_with_image`, …) and are
listed with reasons in tests/node/CONFORMANCE.md. `conformance_report.py` runs every scenario and
prints the table that file records.
"""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from conftest import CONFORMANCE, http_endpoint, node22

# Always applicable to a Streamable HTTP product server. The two SSE scenarios run too: our server is
# stateless with JSON responses (it offers no stream), which the suite must accept with warnings only.
APPLICABLE = [
    "server-initialize",
    "ping",
    "tools-list",
    "dns-rebinding-protection",
    "server-sse-polling",
    "server-sse-multiple-streams",
]
# Applicable only when the server declares the capability (the issue: "logging if declared",
# "prompts if declared").
IF_DECLARED = {"logging-set-level": "logging", "prompts-list": "prompts"}


def run_scenario(url: str, scenario: str, out: Path) -> tuple[int, list[dict[str, Any]], str]:
    """Runs one scenario; returns (exit code, checks, combined output)."""
    proc = subprocess.run(
        [str(node22()), str(CONFORMANCE), "server", "--url", url, "--scenario", scenario, "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    checks: list[dict[str, Any]] = []
    for path in sorted(out.rglob("checks.json")):
        checks.extend(json.loads(path.read_text()))
    return proc.returncode, checks, proc.stdout + proc.stderr


def declared_capabilities(url: str) -> dict[str, Any]:
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "probe", "version": "1"}},
    }
    req = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Accept": "application/json, text/event-stream"},
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        raw = resp.read().decode()
    # JSON response, or one SSE event carrying it.
    payload = raw if raw.lstrip().startswith("{") else next(
        line[len("data:") :] for line in raw.splitlines() if line.startswith("data:")
    )
    return json.loads(payload)["result"]["capabilities"]


@pytest.mark.parametrize("scenario", APPLICABLE + list(IF_DECLARED))
def test_conformance_scenario_passes(sim, isolated, tmp_path, scenario):
    with http_endpoint(sim, isolated) as (url, _direct, _token):
        if scenario in IF_DECLARED:
            capability = IF_DECLARED[scenario]
            if capability not in declared_capabilities(url):
                pytest.skip(f"the server does not declare `{capability}`, so {scenario} does not apply")
        code, checks, output = run_scenario(url, scenario, tmp_path / "results")
    failed = [c for c in checks if c.get("status") == "FAILURE"]
    assert checks, f"{scenario}: the suite recorded no checks\n{output}"
    assert not failed, f"{scenario}: failed checks {json.dumps(failed, indent=1)}\n{output}"
    assert code == 0, f"{scenario}: conformance exited {code}\n{output}"


def test_proxy_is_needed_the_server_refuses_requests_without_the_token(sim, isolated):
    """The proxy exists because the bare endpoint demands a bearer token: check that it really does,
    so that the suite passing through the proxy is not hiding an open port."""
    with http_endpoint(sim, isolated) as (_url, direct, _token):
        req = urllib.request.Request(
            direct,
            data=b'{"jsonrpc":"2.0","id":1,"method":"ping"}',
            method="POST",
            headers={"Content-Type": "application/json", "Accept": "application/json, text/event-stream"},
        )
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(req, timeout=30)
        assert err.value.code == 401
