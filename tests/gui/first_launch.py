#!/usr/bin/env python3
"""GUI test of the first-launch demo path (issue 8 §2): from the app's first window to Cursor connected, counting
clicks (at most 3), then checks the file Cursor reads holds our entry and nothing else was needed. Also checks
the window's least privilege: a Tauri command the capability does not list is refused.

Run by scripts/test-gui.sh inside its sandbox (temp HOME with a ~/.cursor folder, so Cursor counts as
installed; no other client is). Uses smoke.py's WebDriver client.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from smoke import app_pids, check, run_session, wait_for  # noqa: E402

MAX_CLICKS = 3


class Clicker:
    """Clicks elements and counts the clicks a person would make."""

    def __init__(self, driver):
        self.driver = driver
        self.clicks = 0

    def click(self, css):
        wait_for(f"{css} to be shown", lambda: self.driver.displayed(css))
        element = self.driver.find(css)
        self.driver.call("POST", self.driver.s(f"/element/{element}/click"), {})
        self.clicks += 1


def run(driver, args):
    home = os.environ["HOME"]
    cursor_config = os.path.join(home, ".cursor", "mcp.json")
    check(not os.path.exists(cursor_config), "Cursor has no config file before the test")
    driver.start(args.app)
    clicker = Clicker(driver)
    wait_for("the window to load", lambda: driver.text("#mode-badge") not in ("", "…"))
    # "Show the change" before connecting: the exact text Connect will write, and nothing written yet.
    planned = driver.invoke("assistant_preview", {"id": "cursor"})
    check(planned["changed"] and planned["before"] is None and not os.path.exists(cursor_config)
          and '"flex"' in planned["after"],
          "Show the change for Cursor: a new file with our entry, nothing written yet")

    clicker.click("#get-started")
    clicker.click("#try-demo")
    wait_for("the assistants found here to be listed",
             lambda: driver.find_all("#connect-choices li input"))
    ticked = driver.run_js(
        "return [...document.querySelectorAll('#connect-choices li')]"
        ".filter(li => li.querySelector('input').checked).map(li => li.dataset.id);"
    )
    check(ticked == ["cursor"], f"only Cursor, the one assistant found, is ticked (got {ticked})")
    greyed = driver.run_js(
        "return [...document.querySelectorAll('#connect-choices li.absent')].length;"
    )
    check(greyed == 8, f"the eight assistants not on this computer are greyed (got {greyed})")
    check("not found on this computer" in driver.text("#connect-choices li.absent"),
          "a missing assistant says 'not found on this computer'")
    clicker.click("#connect-selected")
    wait_for("the Done step", lambda: driver.displayed("#first-launch-done"))
    check(clicker.clicks <= MAX_CLICKS, f"Cursor connected in {clicker.clicks} clicks (at most {MAX_CLICKS})")

    done = driver.text("#first-launch-done")
    check("Connected Cursor" in done, "the Done step says Cursor was connected")
    check("Restart Cursor" in done, "the Done step says the one thing left to do, in Cursor's words")
    check(driver.text("#first-prompt") == "Show my five latest payments", "a first prompt to try is shown")

    with open(cursor_config) as f:
        config = json.load(f)
    entry = config.get("mcpServers", {}).get("flex")
    want = os.path.realpath(os.path.join(os.path.dirname(args.app), "flex-mcp"))
    check(entry is not None and entry.get("command") == want and entry.get("args") == ["stdio"],
          f"{cursor_config} holds our entry: {want} stdio (got {entry})")
    check("env" not in entry and "fsk_" not in json.dumps(config), "the entry carries no key and no env")

    preview = driver.invoke("assistant_preview", {"id": "cursor"})
    with open(cursor_config) as f:
        on_disk = f.read()
    check(on_disk == planned["after"], "Connect wrote exactly the text Show the change showed")
    check(preview["changed"] is False and preview["after"] == on_disk,
          "Show the change after connecting: nothing to change")

    listed = {a["id"]: a["state"] for a in driver.invoke("assistants_list")}
    check(listed.get("cursor") == "connected", f"assistants_list says Cursor is connected ({listed.get('cursor')})")

    if args.screenshot:
        how = driver.screenshot(args.screenshot)
        print(f"ok - screenshot ({how}) saved to {args.screenshot}")

    # Least privilege: the capability lists our commands only; Tauri's own app commands are refused.
    refused = driver.invoke_result("plugin:app|version")
    check("err" in refused and "not allowed" in json.dumps(refused["err"]).lower(),
          f"a command the window's capability does not list is refused ({refused})")
    return app_pids(args.app, args.marker)


def main():
    return run_session(__doc__.splitlines()[0], run, "first-launch")


if __name__ == "__main__":
    sys.exit(main())
