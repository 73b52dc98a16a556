#!/usr/bin/env python3
"""Runs EVERY server scenario of the conformance suite against `flex-mcp serve --http` (through the
auth proxy) and prints a markdown table of the results, for tests/node/CONFORMANCE.md. Not a test:
scenarios that need the suite's own fixture tools fail here by design; test_conformance.py asserts the
ones that apply. Usage: .venv/bin/python tests/python/conformance_report.py"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from conftest import CONFORMANCE, TEST_KEY, LIVE_KEY, Isolated, Sim, http_endpoint, node22  # noqa: E402
from test_conformance import run_scenario  # noqa: E402


def scenarios() -> list[str]:
    out = subprocess.run([str(node22()), str(CONFORMANCE), "list"], capture_output=True, text=True, check=True).stdout
    names, in_server = [], False
    for line in out.splitlines():
        if line.startswith("Server scenarios"):
            in_server = True
        elif line.startswith("Client scenarios"):
            in_server = False
        elif in_server and line.strip().startswith("- "):
            names.append(line.strip()[2:].split()[0])
    return names


def main() -> None:
    rows = ["| scenario | checks | result | first failure |", "|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for sub in ("home", "flex", "xdg/config", "xdg/data", "xdg/cache"):
            (root / sub).mkdir(parents=True)
        sim = Sim()
        try:
            sim.register_key(TEST_KEY)
            sim.register_key(LIVE_KEY)
            with http_endpoint(sim, Isolated(root)) as (url, _direct, _token):
                for name in scenarios():
                    code, checks, output = run_scenario(url, name, root / "results" / name)
                    counts = Counter(c.get("status") for c in checks)
                    failed = [c for c in checks if c.get("status") == "FAILURE"]
                    verdict = "PASS" if code == 0 and checks and not failed else "FAIL"
                    first = (failed[0].get("errorMessage") or failed[0].get("id")) if failed else ""
                    first = str(first).replace("|", "\\|").replace("\n", " ")[:140]
                    summary = ", ".join(f"{k.lower()} {v}" for k, v in sorted(counts.items()))
                    rows.append(f"| {name} | {summary or 'none'} | {verdict} | {first} |")
                    print(rows[-1], file=sys.stderr)
        finally:
            sim.close()
    print("\n".join(rows))


if __name__ == "__main__":
    main()
