#!/usr/bin/env python3
"""GUI test of the confirmation of a loosening (issue 7 §3, issue 8): `flex-mcp mode live` run while the app
runs is held by the app's host; the window shows it at once (a host event, no reload) in plain words — what
will change and who asked — with Confirm / Keep as is. Confirm → the host switches to live (its mode_changed
event says live, the settings file keeps live). A second time Keep as is → the host stays in test and the file
is set back to test.
"""

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from smoke import Failure, app_pids, check, run_session, wait_for  # noqa: E402

# Every host event the page receives, kept in window.__hostEvents (the app's own event, as api.ts listens).
RECORD_EVENTS = (
    "window.__hostEvents = [];"
    "window.__TAURI__.event.listen('flex://host-event', e => window.__hostEvents.push(e.payload));"
)


def saved_mode():
    path = os.path.join(os.environ["FLEX_MCP_HOME"], "config", "settings.json")
    with open(path) as f:
        return json.load(f).get("mode", "test")


def cli(*args):
    """The real flex-mcp, as an assistant with a shell (or the person) would run it."""
    out = subprocess.run([os.environ["FLEX_MCP_BIN"], *args], capture_output=True, text=True, timeout=30)
    if out.returncode != 0:
        raise Failure(f"flex-mcp {' '.join(args)} failed ({out.returncode}): {out.stderr[-2000:]}")
    return out.stdout


def click(driver, css):
    driver.call("POST", driver.s(f"/element/{driver.find(css)}/click"), {})


def host_events(driver):
    return driver.run_js("return window.__hostEvents || [];")


def run(driver, args):
    driver.start(args.app)
    wait_for("the window to load", lambda: driver.text("#mode-badge") not in ("", "…"))
    driver.run_js(RECORD_EVENTS)
    check(not driver.find_all("#confirmation"), "nothing waits for confirmation at start")

    said = cli("mode", "live", "--yes")
    check("confirm it in the Flex MCP app" in said, f"the CLI says the app must confirm ({said.strip()!r})")
    wait_for("the confirmation in the window", lambda: driver.find_all("#confirmation"), timeout=15)
    changes = driver.text("#confirmation-changes")
    check("live mode" in changes.lower() and "real money" in changes,
          f"the confirmation says what will change in plain words ({changes!r})")
    who = driver.text("#confirmation-who")
    check("flex-mcp" in who and "another program" in who, f"it says who asked ({who!r})")
    check(not any(e.get("type") == "mode_changed" and e.get("mode") == "live" for e in host_events(driver)),
          "until confirmed, the host stays in test mode")
    if args.screenshot:
        how = driver.screenshot(args.screenshot)
        print(f"ok - screenshot ({how}) saved to {args.screenshot}")

    click(driver, "#confirmation-confirm")
    wait_for("the host to switch to live",
             lambda: any(e.get("type") == "mode_changed" and e.get("mode") == "live" for e in host_events(driver)))
    wait_for("the dialog to go", lambda: not driver.find_all("#confirmation"))
    check(saved_mode() == "live", "Confirm: the host is in live mode and the settings file says live")
    check(cli("mode").strip() == "live", "flex-mcp mode reads back live")

    # Back to test applies at once (a tightening); then ask for live again and keep it as is.
    cli("mode", "test")
    wait_for("the host back in test",
             lambda: any(e.get("type") == "mode_changed" and e.get("mode") == "test" for e in host_events(driver)))
    check(not driver.find_all("#confirmation"), "switching back to test asks nothing")
    driver.run_js("window.__hostEvents = [];")
    cli("mode", "live", "--yes")
    wait_for("the second confirmation", lambda: driver.find_all("#confirmation"), timeout=15)
    click(driver, "#confirmation-keep")
    wait_for("the dialog to go", lambda: not driver.find_all("#confirmation"))
    wait_for("the file set back to test", lambda: saved_mode() == "test")
    check(any(e.get("type") == "confirmation_resolved" and e.get("confirmed") is False for e in host_events(driver))
          and not any(e.get("type") == "mode_changed" for e in host_events(driver)),
          "Keep as is: the host stayed in test mode")
    check(cli("mode").strip() == "test", "flex-mcp mode reads back test")
    return app_pids(args.app, args.marker)


def main():
    return run_session(__doc__.splitlines()[0], run, "confirmation")


if __name__ == "__main__":
    sys.exit(main())
