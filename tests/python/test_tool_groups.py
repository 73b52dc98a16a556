"""Tool groups with the official MCP Python SDK as the assistant (issue 11): the real
`flex-mcp stdio --standalone` binary offers each assistant the groups chosen for the name it gives
in `initialize`, and the default set stays within every supported client's limits."""

from __future__ import annotations

import pytest
from mcp import Client, Implementation, StdioServerParameters

from conftest import CALL_TIMEOUT_S, TEST_KEY, binary, write_tool_settings

pytestmark = pytest.mark.anyio

DOCUMENTED = {"create_product", "list_payment_intents", "refund_capture"}


async def listed(sim, isolated, client_name: str):
    params = StdioServerParameters(
        command=str(binary("flex-mcp")),
        args=["stdio", "--standalone"],
        env=isolated.server_env(TEST_KEY, sim.base_url),
    )
    info = Implementation(name=client_name, version="1.0")
    async with Client(params, client_info=info, read_timeout_seconds=CALL_TIMEOUT_S) as client:
        tools = []
        cursor = None
        while True:
            page = await client.list_tools(cursor=cursor)
            tools.extend(page.tools)
            cursor = page.next_cursor
            if not cursor:
                return tools


async def test_the_default_set_fits_cursor_and_names_the_documented_tools(sim, isolated):
    write_tool_settings(isolated, {})
    tools = await listed(sim, isolated, "cursor-vscode")
    names = {t.name for t in tools}
    assert DOCUMENTED <= names, names
    assert len(tools) <= 40, f"Cursor passes only 40 tools to its agent: {len(tools)}"


async def test_a_per_assistant_choice_applies_by_client_name(sim, isolated):
    write_tool_settings(
        isolated, {"assistants": {"Cursor": {"groups": ["subscriptions"], "read_only": True}}}
    )
    cursor = {t.name: t for t in await listed(sim, isolated, "cursor")}
    assert "list_subscriptions" in cursor and "create_product" not in cursor, sorted(cursor)
    assert all(t.annotations.read_only_hint for t in cursor.values()), "read-only for Cursor"
    other = {t.name for t in await listed(sim, isolated, "claude-ai")}
    assert DOCUMENTED <= other and "list_subscriptions" not in other, sorted(other)
