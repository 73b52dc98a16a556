#!/usr/bin/env python3
"""Two-process test of the real Flex MCP app (issue 8 §6): tray + host in a process that never creates a web
view, the window in a process of its own, started by the tray and gone when the window closes.

The app runs with `--hidden` under trayer on a virtual display, in live mode against flex-sim (the shell sets
that up as for live_feed.py). The test checks, with xdotool and /proc only (no WebDriver: WebDriver can only
drive a web view it started itself, which is the `--window`-first app the other GUI tests use):
- tray only: no WebKit process and no window process; PSS of the tray process;
- tray > Open Flex MCP: a `--window` child appears and shows the "Flex MCP" window;
- an approval through the private channel: a live `create_product` from the official MCP Python SDK through
  the bridge is held by the host in the tray process, the window process opens the approval window, Approve
  is pressed there from the keyboard, the call completes and its record says approved;
- closing the windows (WM_DELETE_WINDOW, as a title-bar close button sends) ends the window process and every
  WebKit process; the tray process lives on; PSS idle in the tray (every process the app owns, the software
  GL driver's mappings counted apart by mapping name);
- Open again: a new window process shows the window; then Quit from the tray.
Writes the memory figures to ARTIFACTS/memory-two-process.json. Exit status 0 when every step worked.
"""

import argparse
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from live_feed import decision_of, result_of, sdk_call  # noqa: E402
from tray import Failure, alive, choose, menu_state, visible_windows, wait_for, xdotool  # noqa: E402

MAIN_TITLE = "Flex MCP"
APPROVAL_TITLE = "Flex MCP — your approval is needed"
# Mappings of the software GL stack Xvfb forces (Mesa's llvmpipe): the issue does not count them.
GL_MAPPING = re.compile(r"libLLVM|libgallium|swrast|kms_swrast|/dri/|libGLX_mesa|libglapi")


def children_of():
    kids = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                kids.setdefault(ppid, []).append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    return kids


def owned(root):
    """The app's process and every live descendant: [(pid, name, cmdline)]."""
    kids, out, todo = children_of(), [], [root]
    while todo:
        pid = todo.pop()
        todo.extend(kids.get(pid, []))
        if not alive(pid):
            continue
        try:
            with open(f"/proc/{pid}/comm") as f:
                name = f.read().strip()
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().split(b"\0")
        except OSError:
            continue
        out.append((pid, name, [c.decode(errors="replace") for c in cmd if c]))
    return out


def pss(pid, by_mapping=None):
    """(PSS, PSS of the software GL mappings) of one process in KiB, from /proc/PID/smaps; `by_mapping`
    (a dict) also gets the PSS of each mapping's file name ([heap], [anon], libwebkit2gtk…)."""
    total = gl = 0
    path = ""
    try:
        with open(f"/proc/{pid}/smaps") as f:
            for line in f:
                if line[:1] in "0123456789abcdef" and "-" in line.split(" ", 1)[0]:
                    parts = line.split(None, 5)
                    path = parts[5].strip() if len(parts) > 5 else ""
                elif line.startswith("Pss:"):
                    kib = int(line.split()[1])
                    total += kib
                    if GL_MAPPING.search(path):
                        gl += kib
                    if by_mapping is not None:
                        name = path.rsplit("/", 1)[-1] or "[anon]"
                        by_mapping[name] = by_mapping.get(name, 0) + kib
    except OSError:
        pass
    return total, gl


def memory(root):
    procs = []
    for pid, name, cmd in owned(root):
        parts = {}
        total, gl = pss(pid, parts)
        top = dict(sorted(parts.items(), key=lambda kv: -kv[1])[:8])
        procs.append({"pid": pid, "name": name, "window": "--window" in cmd, "pss_kib": total, "gl_pss_kib": gl,
                      "top_mappings_kib": top})
    return procs


def summary(procs):
    total = sum(p["pss_kib"] for p in procs) / 1024
    gl = sum(p["gl_pss_kib"] for p in procs) / 1024
    names = ", ".join(f"{p['name']} {p['pss_kib'] / 1024:.1f}" for p in procs)
    return f"{total:.1f} MiB, {total - gl:.1f} MiB without the software GL driver ({names})"


def cpu_seconds(pid):
    """User + system CPU time of one process so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def webkit(root):
    return [(pid, name) for pid, name, _ in owned(root) if name.startswith("WebKit")]


def window_processes(root):
    return [pid for pid, _, cmd in owned(root) if "--window" in cmd]


def close_window(title):
    """Send WM_DELETE_WINDOW to our window named `title`, as a window manager's close button does."""
    from Xlib import X, display, protocol  # noqa: PLC0415 (python3-xlib, only this test needs it)

    d = display.Display()
    protocols, delete = d.intern_atom("WM_PROTOCOLS"), d.intern_atom("WM_DELETE_WINDOW")
    for wid in visible_windows(re.escape(title)):
        w = d.create_resource_object("window", int(wid))
        event = protocol.event.ClientMessage(window=w, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0]))
        w.send_event(event, event_mask=X.NoEventMask, propagate=False)
    d.sync()  # a round trip: the server has delivered the messages before the connection closes
    d.close()


def open_from_tray(app_pid, app_log):
    started = time.monotonic()
    choose(app_log, "open", then=["Return"])
    wait_for("a window process", lambda: window_processes(app_pid), timeout=15)
    wait_for("the Flex MCP window", lambda: visible_windows(MAIN_TITLE), timeout=30)
    return time.monotonic() - started


STAMP = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+)Z")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def stamped(app_log, text):
    """UTC times (datetime) of the app's log lines containing `text`, oldest first."""
    import datetime  # noqa: PLC0415

    with open(app_log, errors="replace") as f:
        lines = [ANSI.sub("", line) for line in f if text in ANSI.sub("", line)]
    return [datetime.datetime.fromisoformat(m.group(1)) for m in map(STAMP.search, lines) if m]


def content_seconds(app_log):
    """Seconds from the tray starting the newest window process to that window's content: the page's
    first status answered, which it draws from (both lines are in the app's log, stamped by the same clock)."""
    spawned = stamped(app_log, "window process started")[-1]
    shown = wait_for("the window's content", lambda: [t for t in stamped(app_log, "its content shows")
                                                      if t >= spawned], timeout=30)[0]
    return (shown - spawned).total_seconds()


def close_all_windows(app_pid):
    for title in (APPROVAL_TITLE, MAIN_TITLE):
        close_window(title)
    wait_for("the window process to end", lambda: not window_processes(app_pid), timeout=15)
    wait_for("every WebKit process to end", lambda: not webkit(app_pid), timeout=15)


def run(app_pid, app_log, artifacts, idle):
    def started():
        if not alive(app_pid):
            raise Failure(f"the app exited during start-up; see {app_log}")
        with open(app_log, errors="replace") as f:
            return "Flex MCP started" in f.read()

    wait_for("the app to start", started)
    wait_for("the tray menu state", lambda: menu_state(app_log), timeout=10)
    time.sleep(2)
    if webkit(app_pid) or window_processes(app_pid):
        raise Failure(f"the tray process started a web view on its own: {owned(app_pid)}")
    tray_only = memory(app_pid)
    print(f"ok - tray only (--hidden): no window process, no WebKit process; PSS {summary(tray_only)}")

    shown = open_from_tray(app_pid, app_log)
    content = content_seconds(app_log)
    kids = window_processes(app_pid)
    print(f"ok - tray > Open Flex MCP starts a window process ({kids}) that shows the window "
          f"({shown:.1f} s from the click, menu driving included; content {content:.2f} s after the start)")
    time.sleep(3)
    window_open = memory(app_pid)
    print(f"note: window open: PSS {summary(window_open)}")

    name = "Two-process approved lamp"
    proc = sdk_call("create_product", {"name": name})
    wait_for("the approval window", lambda: visible_windows(re.escape(APPROVAL_TITLE)), timeout=30)
    keys, _, _ = wait_for("the tray to count the approval", lambda: (
        menu_state(app_log) if "waiting" in menu_state(app_log)[0] else None), timeout=10)
    print("ok - a held live call opens the approval window in the window process; the tray counts it")
    time.sleep(1.5)  # let the page render its buttons
    win = list(visible_windows(re.escape(APPROVAL_TITLE)))[0]
    xdotool("windowactivate", "--sync", win)
    xdotool("windowfocus", "--sync", win)
    # Tab order of the approval page: Details, Approve, Deny.
    xdotool("key", "--delay", "200", "Tab", "Tab", "space")
    result = result_of(proc)
    if result["error"]:
        raise Failure(f"the approved call did not complete: {result}")
    decision = wait_for("the approved record", lambda: decision_of("create_product", name), timeout=10)
    if decision != "approved":
        raise Failure(f"the record says {decision!r}, not approved")
    print("ok - Approve in the window process answers the host in the tray process: the call completes, "
          "the record says approved")

    close_all_windows(app_pid)
    if not alive(app_pid):
        raise Failure("closing the window ended the tray process")
    print("ok - closing the windows ends the window process and every WebKit process; the tray lives on")
    before = cpu_seconds(app_pid)
    time.sleep(idle)
    idle_cpu = (cpu_seconds(app_pid) - before) / idle * 100
    idle_procs = memory(app_pid)
    print(f"note: idle in the tray {idle:.0f} s after closing: PSS {summary(idle_procs)}; CPU {idle_cpu:.2f} %")

    reopened = open_from_tray(app_pid, app_log)
    reopened_content = content_seconds(app_log)
    print(f"ok - Open again starts a new window process ({reopened:.1f} s to the window, menu driving "
          f"included; content {reopened_content:.2f} s after the start)")
    close_all_windows(app_pid)

    with open(os.path.join(artifacts, "memory-two-process.json"), "w") as f:
        json.dump({"tray_only": tray_only, "window_open": window_open, "idle_after_close": idle_procs,
                   "idle_seconds": idle, "idle_cpu_percent": idle_cpu, "open_s": shown, "reopen_s": reopened,
                   "open_content_s": content, "reopen_content_s": reopened_content}, f, indent=1)

    choose(app_log, "quit", then=["Return"])
    print("ok - chose Quit from the tray menu")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app-pid", type=int, required=True)
    parser.add_argument("--app-log", required=True)
    parser.add_argument("--artifacts", required=True)
    parser.add_argument("--idle", type=float, default=6.0, help="seconds idle in the tray before measuring")
    args = parser.parse_args()
    try:
        run(args.app_pid, args.app_log, args.artifacts, args.idle)
    except (Failure, OSError, ValueError, KeyError) as e:
        print(f"not ok - {e}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
