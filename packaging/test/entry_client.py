"""Starts the Flex server the way an MCP client would, with the official MCP Python SDK, and prints one
JSON line about it. Used by scripts/test-package.sh on the installed package; imports no project code.

    entry_client.py config FILE         the `flex` entry of a client config (Cursor's mcpServers shape)
    entry_client.py mcpb DIR            the server of an unpacked .mcpb (manifest.json, ${__dirname})

With --call TOOL it also calls that tool with no arguments (it must succeed). The child gets only the
environment a desktop client passes on (HOME, XDG dirs, PATH, the session bus): no key, no base URL.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import anyio
from mcp import Client, Implementation, StdioServerParameters

PASSED_ON = ("HOME", "PATH", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR",
             "DBUS_SESSION_BUS_ADDRESS", "FLEX_MCP_KEYCHAIN_SERVICE")


def from_config(path: Path) -> tuple[str, list[str]]:
    entry = json.loads(path.read_text())["mcpServers"]["flex"]
    return entry["command"], entry.get("args", [])


def from_mcpb(folder: Path) -> tuple[str, list[str]]:
    config = json.loads((folder / "manifest.json").read_text())["server"]["mcp_config"]
    platform = {"linux": "linux", "darwin": "darwin", "win32": "win32"}[sys.platform]
    config = config | config.get("platform_overrides", {}).get(platform, {})
    expand = lambda s: s.replace("${__dirname}", str(folder))  # noqa: E731
    return expand(config["command"]), [expand(a) for a in config.get("args", [])]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["config", "mcpb"])
    parser.add_argument("path", type=Path)
    parser.add_argument("--call")
    args = parser.parse_args()
    command, argv = (from_config if args.kind == "config" else from_mcpb)(args.path)
    env = {k: os.environ[k] for k in PASSED_ON if k in os.environ}
    params = StdioServerParameters(command=command, args=argv, env=env)
    info = Implementation(name="flex-package-test", version="1.0.0")
    # "legacy" = the `initialize` handshake every released client still uses.
    async with Client(params, client_info=info, mode="legacy", read_timeout_seconds=30.0) as client:
        server = getattr(client.server_info, "name", None)
        result = {"command": command, "args": argv, "server": server}
        tools = await client.list_tools()
        result["tools"] = len(tools.tools)
        if args.call:
            called = await client.call_tool(args.call, {})
            if called.is_error:
                texts = " ".join(getattr(b, "text", "") for b in called.content)
                raise SystemExit(f"{args.call} failed: {texts}")
            result["called"] = args.call
    print(json.dumps(result))


if __name__ == "__main__":
    anyio.run(main)
