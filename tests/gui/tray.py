#!/usr/bin/env python3
"""Tray test of the real Flex MCP app under an XEmbed tray host (trayer) on a virtual display.

Waits for the app's tray icon to appear in trayer's panel, clicks it, checks that a menu opens, saves
a screenshot of the panel and menu. Then, from the keyboard: Mode > Live, answered in the app's own
confirmation dialog (the host's mode reads back as live through `flex-mcp status --json`); a CLI
`flex-mcp mode test` shown in the tray; a CLI `flex-mcp mode live --yes`, which waits until the
person confirms it from the tray's "A change waits for your confirmation"; Pause assistants, after
which a call from the official MCP Python SDK through the bridge is refused with the pause message;
and Quit. The caller (scripts/test-gui.sh) then checks that the app exited with status 0.

Positions are never hard-coded: the app logs, from its pure menu model (flex_core::tray_menu), how many
Down presses select each top-level item in the menu's current state ("tray menu keys {...}"), and the
test reads the newest such line. Standard library + xdotool + ImageMagick's `import`; exit status 0
when every step worked, 1 otherwise.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from live_feed import result_of, sdk_call  # noqa: E402


class Failure(Exception):
    """A step that did not work."""


def xdotool(*args):
    out = subprocess.run(["xdotool", *args], capture_output=True, text=True, check=False)
    return out.stdout


def geometry(window):
    """(x, y, width, height) of an X window."""
    out = xdotool("getwindowgeometry", window)
    pos = re.search(r"Position: (-?\d+),(-?\d+)", out)
    size = re.search(r"Geometry: (\d+)x(\d+)", out)
    if not pos or not size:
        return None
    return int(pos[1]), int(pos[2]), int(size[1]), int(size[2])


def visible_windows(name):
    ids = xdotool("search", "--onlyvisible", "--name", f"^{name}$").split()
    return {w: geometry(w) for w in ids}


def wait_for(what, probe, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.2)
    raise Failure(f"timed out after {timeout:.0f} s waiting for {what}")


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def docked_panel():
    """trayer's panel window is named "panel"; it grows from 0 to the icons' width as icons dock."""
    for g in visible_windows("panel").values():
        if g and g[2] >= 16 and g[3] >= 16:
            return g
    return None


def second_start(app, app_log):
    """Starting the app again hands over to the running copy: no second setup, no second icon."""
    _, _, width, _ = wait_for("the tray icon to dock in trayer", docked_panel)
    second = subprocess.run([app], capture_output=True, text=True, timeout=60, check=False)
    if second.returncode != 0 or "already running" not in second.stderr:
        raise Failure(f"a second start exited with {second.returncode}: {second.stderr.strip()}")
    print("ok - a second start exits at once, saying Flex MCP is already running")

    def asked_to_show():
        with open(app_log, errors="replace") as f:
            return "another copy was started: showing the window" in f.read()

    wait_for("the running copy to be asked to show its window", asked_to_show, timeout=10)
    print("ok - the running copy is asked to show its window")
    time.sleep(1.0)  # a second tray icon, had one been made, would have docked by now
    with open(app_log, errors="replace") as f:
        setups = f.read().count("Flex MCP started")
    panel = docked_panel()
    if setups != 1 or panel is None or panel[2] != width:
        raise Failure(f"after a second start: {setups} setups, tray panel {panel} (was {width} wide)")
    print("ok - still one setup and one tray icon")


def open_tray_menu():
    """Wait for our icon in trayer's panel, click it, wait for the menu; (panel, menu) geometries."""

    px, py, pw, ph = wait_for("the tray icon to dock in trayer", docked_panel)
    before = set(visible_windows("flex-mcp-desktop"))
    xdotool("mousemove", str(px + pw // 2), str(py + ph // 2), "click", "1")

    def menu_window():
        for w, g in visible_windows("flex-mcp-desktop").items():
            # The menu is a new window below the panel, taller than an icon.
            if w not in before and g and g[3] > ph and g[1] >= py + ph - 4:
                return g
        return None

    menu = wait_for("the tray menu to open", menu_window, timeout=10)
    return (px, py, pw, ph), menu


def run(app_pid, app_log, artifacts, app=None):
    def started():
        if not alive(app_pid):
            raise Failure(f"the app exited during start-up; see {app_log}")
        with open(app_log, errors="replace") as f:
            return "Flex MCP started" in f.read()

    wait_for("the app to start", started)
    print("ok - the app started")
    if app:
        second_start(app, app_log)

    (px, py, pw, ph), (mx, my, mw, mh) = open_tray_menu()
    print(f"ok - the tray icon docked ({pw}x{ph} at {px},{py})")
    print(f"ok - clicking the tray icon opens its menu ({mw}x{mh} at {mx},{my})")
    time.sleep(0.5)  # let GTK paint the menu before the screenshot (the screenshot is not asserted)
    full = os.path.join(artifacts, "tray-full.png")
    subprocess.run(["import", "-window", "root", full], check=True)
    left = max(0, mx - 40)
    right = max(mx + mw, px + pw)
    crop = f"{right - left + 8}x{my + mh + 24}+{left - 8 if left >= 8 else 0}+0"
    tray = os.path.join(artifacts, "tray.png")
    subprocess.run(["convert", full, "-crop", crop, "+repage", tray], check=True)
    print(f"ok - screenshot of the tray menu saved to {tray}")

    xdotool("key", "Escape")  # close it; each step below opens it afresh
    time.sleep(0.5)
    menu_flows(app_log)

    # From no selection, Up selects the last item of a GTK menu: Quit.
    open_tray_menu()
    xdotool("key", "Up", "Return")
    print("ok - chose Quit from the tray menu")


KEYS_LINE = re.compile(r'tray menu keys (\{[^}]*\}) title="([^"]*)" pause="([^"]*)"')


def menu_state(app_log):
    """The newest (keys, title, pause text) the app logged from its menu model."""
    with open(app_log, errors="replace") as f:
        found = KEYS_LINE.findall(f.read())
    if not found:
        raise Failure("the app logged no tray menu state")
    keys, title, pause = found[-1]
    return json.loads(keys), title, pause


def wait_for_menu(app_log, what, test, timeout=10):
    def probe():
        state = menu_state(app_log)
        return state if test(*state) else None

    return wait_for(f"the tray menu to show {what}", probe, timeout=timeout)


def choose(app_log, item, then=()):
    """Open the menu and select the top-level `item` by the model's count of Down presses."""
    keys, _, _ = menu_state(app_log)
    if item not in keys:
        raise Failure(f"the tray item {item!r} cannot be chosen now: {keys}")
    open_tray_menu()
    time.sleep(0.3)
    xdotool("key", "--delay", "120", *(["Down"] * keys[item]), *then)


def answer_dialog(title, mnemonic):
    """Wait for our confirmation dialog and press its button's mnemonic (Alt+letter)."""
    wait_for(f"the dialog {title!r}", lambda: visible_windows(re.escape(title)), timeout=10)
    time.sleep(0.5)
    win = list(visible_windows(re.escape(title)))[0]
    xdotool("windowactivate", "--sync", win)
    xdotool("key", "--window", win, f"alt+{mnemonic}")


def cli(*args):
    flex_mcp = os.environ["FLEX_MCP_BIN"]
    out = subprocess.run([flex_mcp, *args], capture_output=True, text=True, timeout=60, check=False)
    if out.returncode != 0:
        raise Failure(f"flex-mcp {' '.join(args)} exited with {out.returncode}: {out.stderr.strip()}")
    return out.stdout


def host_mode():
    return json.loads(cli("status", "--json"))["mode"]


def menu_flows(app_log):
    # Mode > Live (the second item of the Mode submenu; Right opens it on its first, Test).
    choose(app_log, "mode", then=["Right", "Down", "Return"])
    answer_dialog("Flex MCP — switch to live mode?", "s")
    wait_for("the host to be in live mode", lambda: host_mode() == "live", timeout=10)
    print("ok - Mode > Live from the tray, confirmed in the app's dialog: the host is in live mode")
    wait_for_menu(app_log, "LIVE", lambda k, title, p: "LIVE" in title)
    print("ok - the tray title says LIVE")

    cli("mode", "test")
    wait_for_menu(app_log, "test mode after `flex-mcp mode test`", lambda k, title, p: "LIVE" not in title)
    print("ok - `flex-mcp mode test` in a terminal shows in the tray")

    cli("mode", "live", "--yes")
    wait_for_menu(app_log, "a change waiting for confirmation", lambda k, t, p: "waiting" in k)
    if host_mode() == "live" and "LIVE" in menu_state(app_log)[1]:
        raise Failure("`flex-mcp mode live` took effect without the person's confirmation")
    print("ok - `flex-mcp mode live` waits for the person: the tray offers the change to confirm")
    choose(app_log, "waiting", then=["Return"])
    answer_dialog("Flex MCP — confirm a change?", "c")
    wait_for_menu(app_log, "LIVE after the confirmation", lambda k, title, p: "LIVE" in title)
    print("ok - confirmed from the tray: the tray says LIVE")

    choose(app_log, "pause", then=["Return"])
    wait_for_menu(app_log, "Resume assistants", lambda k, t, pause: pause == "Resume assistants")
    print("ok - Pause assistants from the tray (the menu now offers Resume assistants)")
    res = result_of(sdk_call("list_products", {}))
    if not res["error"] or "paused Flex MCP" not in res["text"]:
        raise Failure(f"a call while paused was not refused with the pause message: {res}")
    print("ok - a Python SDK call through the bridge is refused: the person paused Flex MCP")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app-pid", type=int, required=True)
    parser.add_argument("--app-log", required=True)
    parser.add_argument("--artifacts", required=True)
    parser.add_argument("--app", help="the app binary: start it a second time (single instance)")
    args = parser.parse_args()
    try:
        run(args.app_pid, args.app_log, args.artifacts, args.app)
    except (Failure, OSError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
        print(f"not ok - {e}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
