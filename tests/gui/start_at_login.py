#!/usr/bin/env python3
"""GUI test of "Start Flex MCP when I log in" (issue 8 §3/§4, opt-in): off at first; ticking it in Settings
writes the XDG autostart entry ($XDG_CONFIG_HOME/autostart/flex-mcp-desktop.desktop) that runs this app with
--hidden; unticking removes it; the page reads the state back from the file (an entry switched off by the
desktop with Hidden=true shows as off).
"""

import os
import shlex
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from smoke import app_pids, check, run_session, wait_for  # noqa: E402


def click(driver, css):
    driver.call("POST", driver.s(f"/element/{driver.find(css)}/click"), {})


def checked(driver):
    return driver.run_js("return document.getElementById('start-at-login').checked;")


def run(driver, args):
    entry = os.path.join(os.environ["XDG_CONFIG_HOME"], "autostart", "flex-mcp-desktop.desktop")
    driver.start(args.app)
    wait_for("the window to load", lambda: driver.text("#mode-badge") not in ("", "…"))
    click(driver, "#nav-settings")
    wait_for("the start-at-login choice", lambda: driver.find_all("#start-at-login")
             and driver.attribute("#start-at-login", "disabled") is None)
    check(not checked(driver) and not os.path.exists(entry), "off until the person turns it on")

    click(driver, "#start-at-login")
    wait_for("the autostart entry", lambda: os.path.exists(entry))
    text = open(entry).read()
    exec_line = next(line for line in text.splitlines() if line.startswith("Exec="))
    words = shlex.split(exec_line[len("Exec="):])
    check(os.path.realpath(words[0]) == os.path.realpath(args.app) and words[1:] == ["--hidden"],
          f"the entry starts this app with --hidden ({exec_line})")
    check(text.startswith("[Desktop Entry]\n") and "Type=Application" in text, "a valid XDG desktop entry")
    wait_for("the box ticked", lambda: checked(driver))

    click(driver, "#start-at-login")
    wait_for("the entry removed", lambda: not os.path.exists(entry))
    # The box follows the command's answer, which comes right after the file is gone.
    wait_for("the box unticked", lambda: not checked(driver), timeout=10)
    print("ok - unticking removes the entry")

    # Switched off by the desktop's own tool: the page believes the file.
    with open(entry, "w") as f:
        f.write(text + "Hidden=true\n")
    click(driver, "#nav-home")
    click(driver, "#nav-settings")
    wait_for("the choice again", lambda: driver.find_all("#start-at-login")
             and driver.attribute("#start-at-login", "disabled") is None)
    check(not checked(driver), "an entry with Hidden=true reads as off")
    state = driver.invoke("start_at_login")
    check(state["enabled"] is False and state["path"] == entry, f"the command reads the same file ({state})")
    if args.screenshot:
        how = driver.screenshot(args.screenshot)
        print(f"ok - screenshot ({how}) saved to {args.screenshot}")
    return app_pids(args.app, args.marker)


def main():
    return run_session(__doc__.splitlines()[0], run, "start at login")


if __name__ == "__main__":
    sys.exit(main())
