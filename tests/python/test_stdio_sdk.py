"""The official MCP Python SDK (PyPI `mcp`) driving the real `flex-mcp stdio --standalone` binary
against a real flex-sim: the issue-3 §6 checks with a client nobody here wrote."""

from __future__ import annotations

import jsonschema
import pytest

from conftest import LIVE_KEY, TEST_KEY, call_ok, connect, find_id, text_of, tools_by_name

pytestmark = pytest.mark.anyio

DOCUMENTED = {"create_product", "list_payment_intents", "refund_capture"}
DISCOVERY = {"list_tool_groups", "enable_tool_group"}
# Tools that move money or give up a claim: the issue says these must be marked destructive.
MUST_BE_DESTRUCTIVE = {
    "refund_capture",
    "create_refund",
    "refund_checkout_session",
    "capture_checkout_session",
    "cancel_checkout_session_authorization",
    "cancel_payment_intent",
    "cancel_subscription",
    "close_dispute",
}
# Arguments that would let a model pick the mode, the key or the server: none may exist.
FORBIDDEN_ARGS = {"api_test_mode", "test_mode", "api_key", "key", "base_url", "mode_override"}
NO_SUCH_PRODUCT = "fprod_01HW5MXAPBE79RHMMJJGB4ACAB"


async def test_tools_list_has_documented_names_and_sane_annotations(sim, isolated):
    async with connect(sim, isolated, TEST_KEY) as client:
        assert client.server_info is not None and client.server_info.name == "flex-mcp"
        tools = await tools_by_name(client)

    assert DOCUMENTED <= tools.keys(), f"missing documented tools: {DOCUMENTED - tools.keys()}"
    present_destructive = MUST_BE_DESTRUCTIVE & tools.keys()
    assert present_destructive, "none of the money-moving tools is listed"
    for name, tool in tools.items():
        if name in DISCOVERY:
            continue  # never reaches Flex (openWorldHint false); covered by test_tool_groups.py
        assert tool.description and len(tool.description) > 40, f"{name}: description too thin for a model"
        assert tool.input_schema.get("type") == "object", f"{name}: input schema must be an object"
        jsonschema.Draft202012Validator.check_schema(tool.input_schema)
        assert tool.output_schema is not None, f"{name}: no output schema"
        jsonschema.Draft202012Validator.check_schema(tool.output_schema)
        props = set(tool.input_schema.get("properties", {}))
        assert not props & FORBIDDEN_ARGS, f"{name}: an argument could change mode/key: {props & FORBIDDEN_ARGS}"

        a = tool.annotations
        assert a is not None, f"{name}: no annotations"
        assert tool.title, f"{name}: no title"
        assert a.open_world_hint is True, f"{name}: talks to Flex, so openWorldHint must be true"
        assert a.read_only_hint is not None and a.destructive_hint is not None, f"{name}: hints left implicit"
        if a.read_only_hint:
            assert not a.destructive_hint, f"{name}: read-only and destructive at once"
        if name.startswith(("list_", "get_")):
            assert a.read_only_hint, f"{name}: a list/get tool must be read-only"
        if name.startswith(("create_", "update_", "refund_", "cancel_", "capture_", "close_")):
            assert not a.read_only_hint, f"{name}: writes cannot be read-only"
        if name in MUST_BE_DESTRUCTIVE:
            assert a.destructive_hint, f"{name}: moves money or gives up a claim, must be destructive"


async def test_reads_return_structured_pages(sim, isolated):
    # Seed two products straight through the REST API, then read them back through MCP.
    for name in ("E2E bandages", "E2E sunscreen"):
        sim.ok("POST", "/v1/products", {"product": {"name": name}}, TEST_KEY)
    async with connect(sim, isolated, TEST_KEY) as client:
        tools = await tools_by_name(client)
        page = await call_ok(client, tools, "list_products", {"limit": 1})
        assert len(page["products"]) == 1, "limit is honoured"
        assert page["has_more"] is True, "two products, page of one"
        cursor = page.get("next_cursor")
        assert cursor and cursor.startswith("fprod_"), f"next cursor is the last id: {page}"
        rest = await call_ok(client, tools, "list_products", {"limit": 10, "starting_after": cursor})
        names = {p["name"] for p in page["products"] + rest["products"]}
        assert names == {"E2E bandages", "E2E sunscreen"}, f"paging covers both products: {names}"

        intents = await call_ok(client, tools, "list_payment_intents", {"limit": 5})
        assert isinstance(intents.get("payment_intents"), list)

    journal = sim.journal()
    assert any(r["method"] == "GET" and r["path"].startswith("/v1/products") for r in journal)
    assert all(r["mode"] == "test" for r in journal), "a fsk_test_ key must only ever touch test data"


async def test_write_create_checkout_complete_and_refund(sim, isolated):
    async with connect(sim, isolated, TEST_KEY) as client:
        tools = await tools_by_name(client)
        product = await call_ok(client, tools, "create_product", {"name": "E2E blood pressure cuff"})
        product_id = find_id(product, "fprod_")
        assert product_id, f"create_product returned no fprod_ id: {product}"
        price = await call_ok(client, tools, "create_price", {"product": product_id, "unit_amount": 4999})
        price_id = find_id(price, "fprice_")
        assert price_id, f"create_price returned no fprice_ id: {price}"
        # The checkout mode (payment/subscription/…) is called `session_mode` in the catalogue, so
        # that no argument named `mode` looks like the test/live switch; accept either spelling.
        props = tools["create_checkout_session"].input_schema["properties"]
        mode_arg = "session_mode" if "session_mode" in props else "mode"
        session = await call_ok(
            client,
            tools,
            "create_checkout_session",
            {
                "line_items": [{"price": price_id, "quantity": 1}],
                mode_arg: "payment",
                "success_url": "https://merchant.example/thanks",
            },
        )
        session_id = find_id(session, "fcs_")
        assert session_id, f"create_checkout_session returned no fcs_ id: {session}"

        completed = sim.complete_checkout_session(TEST_KEY, session_id)
        assert completed["status"] == "complete", f"buyer paid, automatic capture: {completed['status']}"

        refunded = await call_ok(
            client, tools, "refund_checkout_session", {"checkout_session_id": session_id, "amount": 1000}
        )
        assert find_id(refunded, "fcs_") == session_id or find_id(refunded, "fre_"), refunded

        after = await call_ok(client, tools, "get_checkout_session", {"checkout_session_id": session_id})
        assert after.get("amount_refunded") == 1000, f"sim state shows the partial refund in cents: {after}"

    refunds = [r for r in sim.journal() if r["method"] == "POST" and r["path"].endswith("/refund")]
    assert len(refunds) == 1 and 200 <= refunds[0]["status"] < 300, refunds
    assert refunds[0]["mode"] == "test"
    assert refunds[0].get("idempotency_key"), "writes carry an Idempotency-Key so retries cannot double-refund"


async def test_destructive_call_is_refused_in_live_mode_and_nothing_is_refunded(sim, isolated):
    session = sim.paid_checkout_session(LIVE_KEY)
    session_id = session["checkout_session_id"]
    before = len(sim.journal())
    async with connect(sim, isolated, LIVE_KEY) as client:
        tools = await tools_by_name(client)
        # Reads stay allowed in live mode by default.
        await call_ok(client, tools, "get_checkout_session", {"checkout_session_id": session_id})
        result = await client.call_tool("refund_checkout_session", {"checkout_session_id": session_id})
    assert result.is_error, f"a live refund must not run without approval: {text_of(result)}"
    message = text_of(result).lower()
    assert "live" in message, f"the refusal says why (live mode): {message}"
    assert "flex-mcp mode test" in message or "settings" in message, (
        f"the refusal tells the user exactly how to allow it: {message}"
    )
    new_requests = sim.journal()[before:]
    assert not [r for r in new_requests if r["method"] != "GET"], (
        f"nothing but reads reached Flex after the refusal: {new_requests}"
    )
    status, after = sim.call("GET", f"/v1/checkout/sessions/{session_id}", key=LIVE_KEY)
    assert status == 200 and after["checkout_session"].get("amount_refunded", 0) == 0, after


async def test_api_error_is_a_tool_error_with_status_and_code(sim, isolated):
    async with connect(sim, isolated, TEST_KEY) as client:
        result = await client.call_tool("get_product", {"product_id": NO_SUCH_PRODUCT})
    assert result.is_error, "a Flex 404 must never look like a success"
    text = text_of(result)
    assert "404" in text, f"the HTTP status is stated: {text}"
    status, body = sim.call("GET", f"/v1/products/{NO_SUCH_PRODUCT}", key=TEST_KEY)
    assert status == 404
    code = (body or {}).get("error", {}).get("code")
    assert code and code in text, f"Flex's error code {code!r} is stated: {text}"


async def test_over_refund_is_a_tool_error_naming_the_422(sim, isolated):
    session = sim.paid_checkout_session(TEST_KEY, unit_amount=1500)
    async with connect(sim, isolated, TEST_KEY) as client:
        result = await client.call_tool(
            "refund_checkout_session", {"checkout_session_id": session["checkout_session_id"], "amount": 999_999}
        )
    assert result.is_error, f"refunding more than was paid must fail visibly: {text_of(result)}"
    assert "422" in text_of(result), text_of(result)


async def test_invalid_argument_names_the_field_and_reaches_nothing(sim, isolated):
    async with connect(sim, isolated, TEST_KEY) as client:
        result = await client.call_tool("get_product", {"product_id": "cus_123"})
    assert result.is_error, "a Stripe-style id is not a Flex product id"
    assert "product_id" in text_of(result), f"the message names the field: {text_of(result)}"
    assert sim.journal() == [], "a bad argument is caught before any request"


@pytest.mark.parametrize(("mode", "expected"), [("legacy", "2025-11-25"), ("auto", "2026-07-28")])
async def test_sdk_negotiates_the_newest_version_of_each_handshake(sim, isolated, mode, expected):
    """`legacy` is the initialize handshake (newest: 2025-11-25); `auto` probes `server/discover`,
    the 2026-07-28 way in. Both must end with a working session."""
    async with connect(sim, isolated, TEST_KEY, mode=mode) as client:
        assert client.protocol_version == expected, client.protocol_version
        tools = await tools_by_name(client)
        assert DOCUMENTED <= tools.keys()


@pytest.mark.parametrize("version", ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"])
def test_initialize_echoes_every_supported_handshake_version(sim, isolated, version):
    """A raw initialize per version, as older clients send it: the server must agree to the version
    asked for rather than force its own."""
    import json
    import subprocess

    from conftest import binary

    request = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}},
    }
    proc = subprocess.run(
        [str(binary("flex-mcp")), "stdio", "--standalone"],
        input=json.dumps(request) + "\n",
        env=isolated.server_env(TEST_KEY, sim.base_url),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 0, f"exits cleanly when stdin closes: {proc.stderr}"
    lines = proc.stdout.splitlines()
    assert len(lines) == 1, f"stdout carries exactly the one JSON-RPC reply: {proc.stdout!r}"
    reply = json.loads(lines[0])
    assert reply["result"]["protocolVersion"] == version, reply


async def test_activity_records_each_call_with_client_mode_and_redacted_arguments(sim, isolated):
    """`flex-mcp activity --json` (the user's view of what the assistant did) after real calls: the
    client's name from the handshake, the mode, the outcome, ids, and no secret in the arguments."""
    import json
    import subprocess

    from conftest import binary

    secret = "fsk_test_should_never_be_stored"
    session = sim.paid_checkout_session(LIVE_KEY)
    async with connect(sim, isolated, TEST_KEY) as client:
        created = await client.call_tool("create_product", {"name": "E2E audit", "metadata": {"note": secret}})
        assert not created.is_error, text_of(created)
        product_id = find_id(created.structured_content, "fprod_")
        missing = await client.call_tool("get_product", {"product_id": NO_SUCH_PRODUCT})
        assert missing.is_error
    async with connect(sim, isolated, LIVE_KEY) as client:
        refused = await client.call_tool("refund_checkout_session", {"checkout_session_id": session["checkout_session_id"]})
        assert refused.is_error

    proc = subprocess.run(
        [str(binary("flex-mcp")), "activity", "--json", "--limit", "10"],
        env=isolated.env(),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 0, proc.stderr
    assert secret not in proc.stdout, "a key-shaped value must be redacted before it is stored"
    records = {r["tool"]: r for r in json.loads(proc.stdout)}
    assert {"create_product", "get_product", "refund_checkout_session"} <= records.keys(), records.keys()

    create = records["create_product"]
    assert (create["client_name"], create["mode"], create["outcome"]) == ("flex-e2e-python", "test", "ok"), create
    assert product_id in create["object_ids"], create
    assert records["get_product"]["outcome"] == "api_error" and records["get_product"]["http_status"] == 404
    refund = records["refund_checkout_session"]
    assert (refund["mode"], refund["outcome"], refund["access"]) == ("live", "refused", "destructive"), refund
