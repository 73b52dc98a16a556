#!/usr/bin/env python3
"""Host benchmark (issue 7). A script, not a test; not run in CI.

With a running `flex-mcp host` (FLEX_API_KEY=fsk_test_…, FLEX_API_BASE=flex-sim) and a minimal
JSON-line client (no SDK work on the client side, so the figures are the processes' own cost):
  - bridge spawn → initialize answered: from just before `flex-mcp stdio` is spawned to the
    initialize result relayed from the host;
  - bridge peak RSS: VmHWM of the bridge process after initialize and a tools/list (136 KiB
    relayed), read just before stdin closes;
  - 8 clients × N get_product at once: per-call latency p50/p99 through 8 bridges to the one
    host, against the same through 8 `flex-mcp stdio --standalone` processes;
  - host RSS (VmRSS) after the first 1,000 calls and after 10,000.

Usage (after `nice -n 10 cargo build --release -p flex-cli -p flex-sim`):
    python3 bench/host.py [--runs 30] [--calls 200] [--target target/release]
Prints markdown tables (median, p10–p90, min–max) and writes JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
KEY = "fsk_test_bench_key"
INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}},
}
INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}


def status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def summary(xs: list[float], unit: str, digits: int = 1) -> str:
    f = f"{{:.{digits}f}}"
    return (
        f"**{f.format(statistics.median(xs))} {unit}** ({f.format(pct(xs, 10))}–{f.format(pct(xs, 90))}; "
        f"min–max {f.format(min(xs))}–{f.format(max(xs))})"
    )


class Line:
    """A JSON-line MCP client over a child's stdio."""

    def __init__(self, cmd: list[str], env: dict[str, str]) -> None:
        self.t0 = time.perf_counter()
        self.proc = subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.next_id = 10

    def send(self, msg: dict[str, Any]) -> None:
        assert self.proc.stdin
        self.proc.stdin.write((json.dumps(msg) + "\n").encode())
        self.proc.stdin.flush()

    def recv(self, want_id: int) -> dict[str, Any]:
        assert self.proc.stdout
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("server closed stdout")
            msg = json.loads(line)
            if msg.get("id") == want_id:
                return msg

    def initialize(self) -> float:
        self.send(INIT)
        self.recv(1)
        took = time.perf_counter() - self.t0
        self.send(INITIALIZED)
        return took

    def request(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        return self.recv(self.next_id)

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def start_sim(target: Path) -> tuple[subprocess.Popen, str]:
    sim = subprocess.Popen([str(target / "flex-sim"), "--port", "0", "--api-key", KEY], stdout=subprocess.PIPE, text=True)
    assert sim.stdout
    base = sim.stdout.readline().strip().removeprefix("listening on ")
    return sim, base


def create_product(base: str) -> str:
    req = urllib.request.Request(
        base + "/v1/products",
        data=json.dumps({"product": {"name": "Bench product"}}).encode(),
        headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req) as r:
        body = json.load(r)
    return body["product"]["product_id"]


def wait_socket(path: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.socket(socket.AF_UNIX) as s:
                s.connect(str(path))
                return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError("host socket did not open")


def clients_at_once(cmd: list[str], env: dict[str, str], product: str, clients: int, calls: int) -> list[float]:
    lat: list[float] = []
    lock = threading.Lock()
    ready = threading.Barrier(clients)

    def one() -> None:
        c = Line(cmd, env)
        c.initialize()
        ready.wait()
        mine = []
        for _ in range(calls):
            t = time.perf_counter()
            r = c.request("tools/call", {"name": "get_product", "arguments": {"product_id": product}})
            mine.append((time.perf_counter() - t) * 1000)
            assert not r["result"].get("isError"), r
        c.close()
        with lock:
            lat.extend(mine)

    threads = [threading.Thread(target=one) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return lat


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--calls", type=int, default=200)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--target", default=str(REPO / "target" / "release"))
    args = ap.parse_args()
    target = Path(args.target)
    flex = str(target / "flex-mcp")
    root = Path(tempfile.mkdtemp(prefix="flex-bench-host-"))
    env = {
        "HOME": str(root),
        "FLEX_MCP_HOME": str(root / "flex"),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    }
    sim, base = start_sim(target)
    server_env = env | {"FLEX_API_KEY": KEY, "FLEX_API_BASE": base}
    product = create_product(base)
    host = subprocess.Popen([flex, "host"], env=server_env, stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results: dict[str, Any] = {"when": dt.datetime.now(dt.UTC).isoformat(), "load": os.getloadavg()}
    try:
        wait_socket(root / "flex" / "run" / "flex-mcp.sock")
        # Warm-up (page cache), not counted.
        w = Line([flex, "stdio"], env)
        w.initialize()
        w.close()
        init_ms, rss_kib = [], []
        for _ in range(args.runs):
            c = Line([flex, "stdio"], env)
            init_ms.append(c.initialize() * 1000)
            c.request("tools/list", {})
            rss_kib.append(status_kib(c.proc.pid, "VmHWM"))
            c.close()
        results["bridge_initialize_ms"] = init_ms
        results["bridge_peak_rss_kib"] = rss_kib

        host_rss = [status_kib(host.pid, "VmRSS")]
        bridged = clients_at_once([flex, "stdio"], env, product, args.clients, args.calls)
        standalone = clients_at_once([flex, "stdio", "--standalone"], server_env, product, args.clients, args.calls)
        results["bridged_call_ms"] = bridged
        results["standalone_call_ms"] = standalone

        # Host memory over 10,000 calls: 1,000 first, then 9,000 more.
        c = Line([flex, "stdio"], env)
        c.initialize()
        marks = {}
        for i in range(1, 10_001):
            c.request("tools/call", {"name": "get_product", "arguments": {"product_id": product}})
            if i in (1_000, 10_000):
                marks[i] = status_kib(host.pid, "VmRSS")
        c.close()
        host_rss += [marks[1_000], marks[10_000]]
        results["host_rss_kib"] = {"start": host_rss[0], "after_1000": host_rss[1], "after_10000": host_rss[2]}
    finally:
        host.terminate()
        host.wait(timeout=10)
        sim.terminate()
        sim.wait(timeout=10)

    b, s = results["bridged_call_ms"], results["standalone_call_ms"]
    r = results["host_rss_kib"]
    md = [
        f"{args.runs} bridge starts against a running host; {args.clients} clients × {args.calls} get_product at once "
        f"(load average {results['load'][0]:.1f}); median **bold**, then p10–p90 and min–max.",
        "",
        "| measure | figure |",
        "|---|---|",
        f"| bridge spawn → initialize (host running) | {summary(results['bridge_initialize_ms'], 'ms')} |",
        f"| bridge peak RSS (VmHWM) | {summary([k / 1024 for k in results['bridge_peak_rss_kib']], 'MiB', 2)} |",
        "",
        f"| {args.clients} clients × {args.calls} get_product at once | p50 | p99 |",
        "|---|---|---|",
        f"| through {args.clients} bridges → one host | {pct(b, 50):.2f} ms | {pct(b, 99):.2f} ms |",
        f"| {args.clients} standalone processes | {pct(s, 50):.2f} ms | {pct(s, 99):.2f} ms |",
        "",
        f"Host RSS: {r['start'] / 1024:.1f} MiB at start, {r['after_1000'] / 1024:.1f} MiB after the first 1,000 calls, "
        f"{r['after_10000'] / 1024:.1f} MiB after 10,000 (growth after the first 1,000: "
        f"{(r['after_10000'] - r['after_1000']) / 1024:.2f} MiB).",
    ]
    text = "\n".join(md)
    print(text)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = REPO / "bench" / "results" / f"host-{stamp}"
    out.with_suffix(".json").write_text(json.dumps(results, indent=1))
    out.with_suffix(".md").write_text(text + "\n")


if __name__ == "__main__":
    sys.exit(main())
