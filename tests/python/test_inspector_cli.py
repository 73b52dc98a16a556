"""The MCP Inspector CLI (npm `@modelcontextprotocol/inspector --cli`, on Node >= 22) driving the real
`flex-mcp stdio --standalone` binary: a second client nobody here wrote, with its own JSON-RPC stack,
its own schema checks and its own way of spawning a stdio server."""

from __future__ import annotations

import json
import subprocess
from typing import Any

from conftest import INSPECTOR, TEST_KEY, binary, node22, stdio_args

DOCUMENTED = {"create_product", "list_payment_intents", "refund_capture"}


def inspector(sim, isolated, *args: str) -> tuple[int, Any, str]:
    """Runs `inspector --cli <flex-mcp stdio --standalone> <args>`; returns (exit code, parsed JSON
    stdout, stderr). The server's environment goes through `-e`, as a user would pass it; the
    Inspector's own HOME is the isolated one, so its catalog file lands in the temp dir."""
    env_args: list[str] = []
    for k, v in isolated.server_env(TEST_KEY, sim.base_url).items():
        if k != "PATH":
            env_args += ["-e", f"{k}={v}"]
    isolated.ensure_host(TEST_KEY, sim.base_url)
    cmd = [str(node22()), str(INSPECTOR), "--cli", *env_args, str(binary("flex-mcp")), *stdio_args(), *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=isolated.env(), timeout=120)
    try:
        parsed = json.loads(proc.stdout)
    except json.JSONDecodeError:
        parsed = None
    return proc.returncode, parsed, f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"


def test_inspector_lists_tools(sim, isolated):
    code, out, log = inspector(sim, isolated, "--method", "tools/list")
    assert code == 0 and out is not None, log
    names = {t["name"] for t in out["tools"]}
    assert DOCUMENTED <= names, f"missing {DOCUMENTED - names}\n{log}"
    for tool in out["tools"]:
        assert tool.get("annotations"), f"{tool['name']} has no annotations"
        assert tool.get("outputSchema"), f"{tool['name']} has no outputSchema"


def test_inspector_calls_a_write_then_a_read(sim, isolated):
    code, created, log = inspector(
        sim, isolated, "--method", "tools/call", "--tool-name", "create_product", "--tool-arg", "name=Inspector gauze"
    )
    assert code == 0 and created is not None, log
    assert not created.get("isError"), log
    product_id = created["structuredContent"]["product_id"]
    assert product_id.startswith("fprod_"), log

    code, fetched, log = inspector(
        sim, isolated, "--method", "tools/call", "--tool-name", "get_product", "--tool-arg", f"product_id={product_id}"
    )
    assert code == 0 and fetched is not None, log
    assert not fetched.get("isError"), log
    assert fetched["structuredContent"]["name"] == "Inspector gauze", log

    journal = sim.journal()
    assert [r["method"] for r in journal if r["path"].startswith("/v1/products")] == ["POST", "GET"], journal


def test_inspector_sees_an_api_error_as_is_error(sim, isolated):
    code, out, log = inspector(
        sim,
        isolated,
        "--method",
        "tools/call",
        "--tool-name",
        "get_product",
        "--tool-arg",
        "product_id=fprod_01HW5MXAPBE79RHMMJJGB4ACAB",
    )
    assert out is not None, log
    assert out.get("isError") is True, f"a 404 from Flex must reach the client as isError\n{log}"
    assert "404" in json.dumps(out["content"]), log


def test_inspector_lists_prompts_for_the_documented_workflows(sim, isolated):
    code, out, log = inspector(sim, isolated, "--method", "prompts/list")
    assert code == 0 and out is not None, log
    assert len(out["prompts"]) >= 6, f"one prompt per documented workflow (reference §6.6)\n{log}"


def test_inspector_over_streamable_http_with_the_bearer_token(sim, isolated):
    """The HTTP transport with a client that sends the real header itself (no proxy): with the token
    from the user-only file it lists tools; without it, the server refuses."""
    from conftest import http_endpoint

    with http_endpoint(sim, isolated) as (_proxy, direct, token):
        base = [str(node22()), str(INSPECTOR), "--cli", direct, "--transport", "http", "--method", "tools/list"]
        ok = subprocess.run(
            [*base, "--header", f"Authorization: Bearer {token}"],
            capture_output=True, text=True, env=isolated.env(), timeout=120,
        )
        # Without a token the Inspector would start an interactive OAuth flow on the 401; stored auth
        # only makes it report the refusal instead.
        refused = subprocess.run(
            [*base, "--stored-auth-only"], capture_output=True, text=True, env=isolated.env(), timeout=120
        )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert DOCUMENTED <= {t["name"] for t in json.loads(ok.stdout)["tools"]}
    assert refused.returncode != 0, f"no token must mean no tools\n{refused.stdout}{refused.stderr}"
    said = refused.stdout + refused.stderr
    assert "401" in said or "auth_required" in said, said
