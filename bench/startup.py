#!/usr/bin/env python3
"""Startup benchmark, side by side in one run (issue 3 §7). A script, not a test; not run in CI.

Measures, with the official MCP Python SDK client over stdio (the same client for both servers):
  - spawn → initialize: from just before the process is spawned to the initialize result;
  - spawn → tools/list: the same, through the first tools/list result; and the tools/list round trip;
  - peak RSS: VmHWM of the server process, read from /proc/<pid>/status after tools/list, just before
    the client closes stdin and the server exits;
for `flex-mcp stdio --standalone` (FLEX_API_KEY=fsk_test_…, FLEX_API_BASE=flex-sim) and for Stripe's
last local MCP server, `@stripe/mcp@0.2.5 --tools=all --api-key=sk_test_x` (bench/node_modules; it
never calls Stripe while starting or listing). Stripe runs twice: `node <its bin>` (its best case) and
`npx … @stripe/mcp@0.2.5` (what its README puts in client configs; RSS summed over npx's process tree).

Then the overhead of one tool call (get_product) over the same REST call made directly to flex-sim,
interleaved, median of N: once through the SDK client (what a Python client sees) and once with a
minimal line-based JSON-RPC client (the server's own cost, without the SDK's pydantic work).

Usage (after `cargo build --release -p flex-cli -p flex-sim` and `scripts/install-test-tools.sh --bench`):
    .venv/bin/python bench/startup.py [--runs 30] [--calls 300] [--flex target/release/flex-mcp]
Prints a markdown table (median, p10–p90, min–max) and writes JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import http.client
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from mcp import Client, Implementation, StdioServerParameters

REPO = Path(__file__).resolve().parents[1]
KEY = "fsk_test_bench_key"
STRIPE_BIN = REPO / "bench" / "node_modules" / "@stripe" / "mcp" / "dist" / "index.js"
STRIPE_ARGS = ["--tools=all", "--api-key=sk_test_x"]
CLIENT_INFO = Implementation(name="flex-mcp-bench", version="1")


# --- processes ----------------------------------------------------------------------------------------


def children_of(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # Field 4 (ppid) follows the parenthesised command name, which may contain spaces.
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        if ppid == pid:
            out.append(int(entry))
    return out


def descendants(pid: int) -> list[int]:
    found, todo = [], children_of(pid)
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children_of(p))
    return found


def vmhwm_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


class Sim:
    """flex-sim with one test key and one product, for the server's FLEX_API_BASE and the REST baseline."""

    def __init__(self, exe: Path) -> None:
        self.proc = subprocess.Popen(
            [str(exe), "--port", "0", "--api-key", KEY], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if not line.startswith("listening on http://127.0.0.1:"):
            raise SystemExit(f"flex-sim said {line!r}")
        self.base_url = line[len("listening on ") :]
        self.port = int(self.base_url.rsplit(":", 1)[1])
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port)
        status, body = self.request("POST", "/v1/products", {"product": {"name": "Bench thermometer"}})
        if status != 201 and status != 200:
            raise SystemExit(f"creating the bench product failed: {status} {body}")
        self.product_id = body["product"]["product_id"]

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {KEY}"}
        data = None
        if body is not None:
            data = json.dumps(body)
            headers["Content-Type"] = "application/json"
        self.conn.request(method, path, body=data, headers=headers)
        resp = self.conn.getresponse()
        raw = resp.read()
        return resp.status, json.loads(raw) if raw else None

    def close(self) -> None:
        self.conn.close()
        self.proc.kill()
        self.proc.wait()


# --- measurements ---------------------------------------------------------------------------------------


async def one_start(command: str, args: list[str], env: dict[str, str], cwd: Path | None, tree: bool) -> dict[str, Any]:
    """One cold start: spawn → initialize → tools/list, then peak RSS. `tree` sums VmHWM over every
    descendant (npx runs the server as a grandchild)."""
    params = StdioServerParameters(command=command, args=args, env=env, cwd=cwd)
    before = set(children_of(os.getpid()))
    t0 = time.perf_counter()
    # mode="legacy": a plain initialize handshake, the one every client and both servers speak; the
    # SDK's default would first probe `server/discover`, which Stripe's 2025 server does not know.
    async with Client(params, client_info=CLIENT_INFO, mode="legacy", cache=None) as client:
        t_init = time.perf_counter()
        tools = await client.list_tools()
        t_list = time.perf_counter()
        spawned = [p for p in children_of(os.getpid()) if p not in before]
        if not spawned:
            raise RuntimeError(f"could not find the server process of {command}")
        pids = spawned + ([d for p in spawned for d in descendants(p)] if tree else [])
        rss = [vmhwm_kib(p) for p in pids]
        peak = sum(r for r in rss if r is not None)
    return {
        "init_ms": (t_init - t0) * 1e3,
        "spawn_to_list_ms": (t_list - t0) * 1e3,
        "list_ms": (t_list - t_init) * 1e3,
        "vmhwm_kib": peak,
        "tools": len(tools.tools),
    }


def raw_start(command: str, args: list[str], env: dict[str, str], cwd: Path | None, tree: bool) -> dict[str, Any]:
    """The same cold start with a minimal client (one JSON line out, one back, no SDK work): what the
    server itself costs. Also times tools/list twice more on the warm process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [command, *args], env=env, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True, bufsize=1,
    )
    assert proc.stdin and proc.stdout

    def rpc(msg: dict[str, Any]) -> dict[str, Any]:
        proc.stdin.write(json.dumps(msg) + "\n")
        proc.stdin.flush()
        while True:
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError(f"{command} closed stdout")
            reply = json.loads(line)
            if reply.get("id") == msg["id"]:
                return reply

    init = rpc({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}})
    t_init = time.perf_counter()
    proc.stdin.write(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}) + "\n")
    listed = rpc({"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    t_list = time.perf_counter()
    warm = []
    for i in range(2):
        w0 = time.perf_counter()
        rpc({"jsonrpc": "2.0", "id": 2 + i, "method": "tools/list"})
        warm.append((time.perf_counter() - w0) * 1e3)
    if "result" not in init or "result" not in listed:
        raise RuntimeError(f"{command}: {init} / {str(listed)[:200]}")
    pids = [proc.pid] + (descendants(proc.pid) if tree else [])
    peak = sum(r for r in (vmhwm_kib(p) for p in pids) if r is not None)
    proc.stdin.close()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    return {
        "init_ms": (t_init - t0) * 1e3,
        "spawn_to_list_ms": (t_list - t0) * 1e3,
        "list_ms": (t_list - t_init) * 1e3,
        "warm_list_ms": min(warm),
        "vmhwm_kib": peak,
        "tools": len(listed["result"]["tools"]),
        "list_bytes": len(json.dumps(listed["result"])),
    }


def raw_starts(name: str, command: str, args: list[str], env: dict[str, str], runs: int, cwd=None, tree=False):
    print(f"  {name} (minimal client): ", end="", flush=True)
    raw_start(command, args, env, cwd, tree)
    samples = []
    for _ in range(runs):
        samples.append(raw_start(command, args, env, cwd, tree))
        print(".", end="", flush=True)
    print()
    return samples


async def starts(name: str, command: str, args: list[str], env: dict[str, str], runs: int, cwd=None, tree=False):
    print(f"  {name}: ", end="", flush=True)
    await one_start(command, args, env, cwd, tree)  # warm the page cache; not counted
    samples = []
    for _ in range(runs):
        samples.append(await one_start(command, args, env, cwd, tree))
        print(".", end="", flush=True)
    print()
    return samples


async def call_overhead_sdk(flex: Path, env: dict[str, str], sim: Sim, calls: int) -> dict[str, list[float]]:
    params = StdioServerParameters(command=str(flex), args=["stdio", "--standalone"], env=env)
    mcp_ms, rest_ms = [], []
    async with Client(params, client_info=CLIENT_INFO, mode="legacy", cache=None) as client:
        await client.list_tools()
        for i in range(calls + 10):
            t0 = time.perf_counter()
            res = await client.call_tool("get_product", {"product_id": sim.product_id})
            t1 = time.perf_counter()
            status, _ = sim.request("GET", f"/v1/products/{sim.product_id}")
            t2 = time.perf_counter()
            if res.is_error or status != 200:
                raise RuntimeError(f"get_product failed: {res.content} / REST {status}")
            if i >= 10:  # the first calls build the HTTP client and open the pooled connection
                mcp_ms.append((t1 - t0) * 1e3)
                rest_ms.append((t2 - t1) * 1e3)
    return {"mcp_ms": mcp_ms, "rest_ms": rest_ms}


def call_overhead_raw(flex: Path, env: dict[str, str], sim: Sim, calls: int) -> dict[str, list[float]]:
    """The same comparison with a minimal client: one JSON line out, one JSON line back."""
    proc = subprocess.Popen(
        [str(flex), "stdio", "--standalone"],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        bufsize=1,
    )
    assert proc.stdin and proc.stdout

    def rpc(msg: dict[str, Any]) -> dict[str, Any]:
        proc.stdin.write(json.dumps(msg) + "\n")
        proc.stdin.flush()
        while True:
            reply = json.loads(proc.stdout.readline())
            if reply.get("id") == msg["id"]:
                return reply

    rpc({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}})
    proc.stdin.write(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}) + "\n")
    proc.stdin.flush()
    mcp_ms, rest_ms = [], []
    for i in range(calls + 10):
        msg = {"jsonrpc": "2.0", "id": i + 1, "method": "tools/call",
               "params": {"name": "get_product", "arguments": {"product_id": sim.product_id}}}
        t0 = time.perf_counter()
        reply = rpc(msg)
        t1 = time.perf_counter()
        status, _ = sim.request("GET", f"/v1/products/{sim.product_id}")
        t2 = time.perf_counter()
        if "error" in reply or reply["result"].get("isError") or status != 200:
            raise RuntimeError(f"get_product failed: {reply} / REST {status}")
        if i >= 10:
            mcp_ms.append((t1 - t0) * 1e3)
            rest_ms.append((t2 - t1) * 1e3)
    proc.stdin.close()
    proc.wait(timeout=10)
    return {"mcp_ms": mcp_ms, "rest_ms": rest_ms}


# --- reporting -------------------------------------------------------------------------------------------


def pct(xs: list[float], p: float) -> float:
    s = sorted(xs)
    k = (len(s) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def summary(xs: list[float]) -> dict[str, float]:
    return {"median": statistics.median(xs), "p10": pct(xs, 0.1), "p90": pct(xs, 0.9), "min": min(xs), "max": max(xs), "n": len(xs)}


def fmt(s: dict[str, float], unit: str, digits: int = 1) -> str:
    f = f"{{:.{digits}f}}"
    return f"**{f.format(s['median'])} {unit}** ({f.format(s['p10'])}–{f.format(s['p90'])}; min–max {f.format(s['min'])}–{f.format(s['max'])})"


def version_of(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip()
    except OSError as e:
        return f"unavailable: {e}"


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=30, help="cold starts per server (>= 20)")
    ap.add_argument("--calls", type=int, default=300, help="tool calls for the overhead measurement")
    ap.add_argument("--flex", type=Path, default=REPO / "target" / "release" / "flex-mcp")
    ap.add_argument("--sim", type=Path, default=None, help="flex-sim binary (default: next to --flex)")
    ap.add_argument("--skip-stripe", action="store_true")
    ap.add_argument("--skip-npx", action="store_true", help="skip the npx variant of Stripe")
    opts = ap.parse_args()
    if opts.runs < 20:
        ap.error("--runs must be at least 20")
    flex = opts.flex.resolve()
    sim_exe = (opts.sim or flex.parent / "flex-sim").resolve()
    for exe in (flex, sim_exe):
        if not exe.is_file():
            raise SystemExit(f"{exe} is missing: cargo build --release -p flex-cli -p flex-sim")
    if not opts.skip_stripe and not STRIPE_BIN.is_file():
        raise SystemExit(f"{STRIPE_BIN} is missing: scripts/install-test-tools.sh --bench")

    sim = Sim(sim_exe)
    home = REPO / "target" / "bench-home"
    (home / "flex").mkdir(parents=True, exist_ok=True)
    base_env = {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    flex_env = base_env | {"FLEX_MCP_HOME": str(home / "flex"), "FLEX_API_KEY": KEY, "FLEX_API_BASE": sim.base_url}

    results: dict[str, Any] = {
        "when": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"nproc": os.cpu_count(), "kernel": platform.release(), "python": platform.python_version(),
                    "node": version_of(["node", "--version"]), "flex_mcp": version_of([str(flex), "--version"]),
                    "flex_mcp_binary_bytes": flex.stat().st_size},
        "load_average_at_start": os.getloadavg(),
        "runs": opts.runs,
        "starts": {},
    }
    try:
        print(f"cold starts ({opts.runs} each, after one warm-up):")
        results["starts"]["flex-mcp"] = await starts("flex-mcp", str(flex), ["stdio", "--standalone"], flex_env, opts.runs)
        if not opts.skip_stripe:
            results["starts"]["stripe (node)"] = await starts(
                "stripe (node)", "node", [str(STRIPE_BIN), *STRIPE_ARGS], base_env, opts.runs
            )
            if not opts.skip_npx:
                npx_env = base_env | {"npm_config_offline": "true", "npm_config_update_notifier": "false"}
                results["starts"]["stripe (npx)"] = await starts(
                    "stripe (npx)", "npx", ["--no", "--", "@stripe/mcp@0.2.5", *STRIPE_ARGS], npx_env, opts.runs,
                    cwd=REPO / "bench", tree=True,
                )
        print(f"cold starts with a minimal JSON-line client ({opts.runs} each):")
        results["raw_starts"] = {"flex-mcp": raw_starts("flex-mcp", str(flex), ["stdio", "--standalone"], flex_env, opts.runs)}
        if not opts.skip_stripe:
            results["raw_starts"]["stripe (node)"] = raw_starts(
                "stripe (node)", "node", [str(STRIPE_BIN), *STRIPE_ARGS], base_env, opts.runs
            )
        print(f"tool call overhead ({opts.calls} get_product calls, interleaved with the direct REST call):")
        results["call_sdk"] = await call_overhead_sdk(flex, flex_env, sim, opts.calls)
        results["call_raw"] = call_overhead_raw(flex, flex_env, sim, opts.calls)
    finally:
        sim.close()

    # Summaries.
    table = ["With the official MCP Python SDK client:", "", "| server | tools | spawn → initialize | spawn → tools/list | tools/list round trip | peak RSS (VmHWM) |",
             "|---|---|---|---|---|---|"]
    results["summary"] = {}
    for name, samples in results["starts"].items():
        s = {k: summary([x[k] for x in samples]) for k in ("init_ms", "spawn_to_list_ms", "list_ms")}
        s["vmhwm_mib"] = summary([x["vmhwm_kib"] / 1024 for x in samples])
        results["summary"][name] = s
        table.append(f"| {name} | {samples[0]['tools']} | {fmt(s['init_ms'], 'ms')} | {fmt(s['spawn_to_list_ms'], 'ms')} "
                     f"| {fmt(s['list_ms'], 'ms', 2)} | {fmt(s['vmhwm_mib'], 'MiB')} |")
    table += ["", "Same cold starts with a minimal JSON-line client (no SDK work on the client side; the server's own cost):", "",
              "| server | tools/list size | spawn → initialize | spawn → tools/list | tools/list, first | tools/list, warm | peak RSS (VmHWM) |",
              "|---|---|---|---|---|---|---|"]
    for name, samples in results["raw_starts"].items():
        s = {k: summary([x[k] for x in samples]) for k in ("init_ms", "spawn_to_list_ms", "list_ms", "warm_list_ms")}
        s["vmhwm_mib"] = summary([x["vmhwm_kib"] / 1024 for x in samples])
        results["summary"][f"{name} (minimal client)"] = s
        table.append(f"| {name} | {samples[0]['tools']} tools, {samples[0]['list_bytes'] // 1024} KiB | {fmt(s['init_ms'], 'ms')} "
                     f"| {fmt(s['spawn_to_list_ms'], 'ms')} | {fmt(s['list_ms'], 'ms', 2)} | {fmt(s['warm_list_ms'], 'ms', 2)} "
                     f"| {fmt(s['vmhwm_mib'], 'MiB')} |")
    table += ["", "| one get_product call | via MCP (flex-mcp → flex-sim) | direct REST to flex-sim | overhead (median difference) |",
              "|---|---|---|---|"]
    for label, key in (("official Python SDK client", "call_sdk"), ("minimal JSON-line client", "call_raw")):
        m, r = summary(results[key]["mcp_ms"]), summary(results[key]["rest_ms"])
        results["summary"][key] = {"mcp_ms": m, "rest_ms": r, "overhead_ms": m["median"] - r["median"]}
        table.append(f"| {label} | {fmt(m, 'ms', 2)} | {fmt(r, 'ms', 2)} | **{m['median'] - r['median']:.2f} ms** |")
    results["load_average_at_end"] = os.getloadavg()
    load = f"load average {results['load_average_at_start'][0]:.1f} at start, {results['load_average_at_end'][0]:.1f} at end, {os.cpu_count()} cores"
    table = [f"{opts.runs} cold starts per server ({load}); median **bold**, then p10–p90 and min–max.", ""] + table
    text = "\n".join(table)
    print()
    print(text)

    out_dir = REPO / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out = out_dir / f"startup-{stamp}.json"
    out.write_text(json.dumps(results, indent=1))
    (out_dir / f"startup-{stamp}.md").write_text(text + "\n")
    print(f"\nwrote {out.relative_to(REPO)}")


if __name__ == "__main__":
    asyncio.run(main())
