#!/usr/bin/env python3
"""Installed app, first launch to first window (issue 10 "size and speed"). A script, not a test; not in CI.

Each run is a person's first launch: a fresh HOME (XDG dirs inside it, so no settings, no activity, no key:
the app opens on its built-in demo), the installed app (`/usr/bin/flex-mcp-desktop` from the .deb) started
on a virtual display (Xvfb, started once, before the clock, with -noreset so it stays ready between
launches) inside a private D-Bus session. The time is
from just before the spawn until the window named "Flex MCP" is mapped (xdotool, polled every 10 ms;
one poll costs ≈ 3 ms, so read the figures to ±10 ms). Prints median, p10–p90 and min–max, writes JSON.

Usage (root not needed; after `dpkg -i target/packages/*.deb`):
    dbus-run-session -- python3 bench/first_window.py [--runs 7] [--app /usr/bin/flex-mcp-desktop]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def start_xvfb(work: Path) -> tuple[subprocess.Popen[bytes], str]:
    read, write = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp", "-noreset"],
        pass_fds=(write,),
        stderr=(work / "xvfb.log").open("wb"),
    )
    os.close(write)
    with os.fdopen(read) as f:
        display = f":{f.readline().strip()}"
    # Ready means a client can connect; a launch that starts sooner fails to open the display.
    env = {"DISPLAY": display, "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    for _ in range(100):
        if subprocess.run(["xdotool", "getdisplaygeometry"], env=env, capture_output=True, check=False).returncode == 0:
            return xvfb, display
        time.sleep(0.1)
    raise SystemExit(f"Xvfb {display} does not accept clients: {(work / 'xvfb.log').read_text()[-2000:]}")


def window_mapped(env: dict[str, str]) -> bool:
    found = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--name", "^Flex MCP"],
        env=env,
        capture_output=True,
        check=False,
    )
    return found.returncode == 0 and bool(found.stdout.strip())


def one_launch(app: str, display: str, work: Path, timeout_s: float) -> float:
    home = Path(tempfile.mkdtemp(dir=work))
    env = {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DISPLAY": display,
        "DBUS_SESSION_BUS_ADDRESS": os.environ.get("DBUS_SESSION_BUS_ADDRESS", ""),
    }
    start = time.perf_counter()
    # Its own process group: the app opens its window in a child process (`--window`), which must
    # end with it, or the next launch would find this one's window.
    proc = subprocess.Popen(
        [app], env=env, stdout=subprocess.DEVNULL, stderr=(home / "app.log").open("wb"), start_new_session=True
    )
    try:
        while time.perf_counter() - start < timeout_s:
            if window_mapped(env):
                return (time.perf_counter() - start) * 1000
            if proc.poll() is not None:
                raise SystemExit(f"the app exited with {proc.returncode}: {(home / 'app.log').read_text()[-2000:]}")
            time.sleep(0.01)
        raise SystemExit(f"no window within {timeout_s} s")
    finally:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                pass
            try:
                proc.wait(10)
                break
            except subprocess.TimeoutExpired:
                continue
        # Not timed: wait until no window of this launch is left on the display.
        deadline = time.perf_counter() + 10
        while window_mapped(env) and time.perf_counter() < deadline:
            time.sleep(0.05)
        shutil.rmtree(home, ignore_errors=True)


def pct(samples: list[float], p: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, max(0, round(p * (len(s) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--app", default="/usr/bin/flex-mcp-desktop")
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        raise SystemExit("run it inside a private bus: dbus-run-session -- python3 bench/first_window.py")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        xvfb, display = start_xvfb(work)
        try:
            samples = [one_launch(args.app, display, work, args.timeout) for _ in range(args.runs)]
        finally:
            xvfb.terminate()
            xvfb.wait()
    load = os.getloadavg()
    result = {
        "app": args.app,
        "runs": args.runs,
        "samples_ms": [round(s, 1) for s in samples],
        "median_ms": round(statistics.median(samples), 1),
        "p10_ms": round(pct(samples, 0.1), 1),
        "p90_ms": round(pct(samples, 0.9), 1),
        "min_ms": round(min(samples), 1),
        "max_ms": round(max(samples), 1),
        "load_average": [round(x, 2) for x in load],
    }
    RESULTS.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"first-window-{stamp}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"first launch → first window, {args.runs} runs: median {result['median_ms']} ms "
        f"(p10–p90 {result['p10_ms']}–{result['p90_ms']}, min–max {result['min_ms']}–{result['max_ms']}); "
        f"load average {load[0]:.2f}"
    )


if __name__ == "__main__":
    main()
