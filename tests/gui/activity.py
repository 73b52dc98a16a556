#!/usr/bin/env python3
"""GUI test of the Activity page (issue 8 §4): the approval decision in the detail panel (a live write approved
and one denied in the approval window), the filters read from the store (outcome "Blocked" shows only the
denied call), and CSV export to a file the person chooses in the save dialog (driven with xdotool): the file
holds the filtered calls with local times and the decisions, and no secret.
"""

import csv
import datetime
import io
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from live_feed import answer_in_window, click, result_of, sdk_call  # noqa: E402
from smoke import Failure, app_pids, check, run_session, wait_for  # noqa: E402

DIALOG = "Save the activity as CSV"


def xdotool(*args):
    out = subprocess.run(["xdotool", *args], capture_output=True, text=True, check=False)
    return out.stdout.strip()


def save_in_dialog(path):
    """Type `path` into the toolkit's save dialog and press Return, as a person would. No window manager
    runs under Xvfb, so focus follows the pointer: the pointer goes over the dialog first."""
    window = wait_for("the save dialog", lambda: xdotool("search", "--onlyvisible", "--name", f"^{DIALOG}$").split())[0]
    geometry = dict(
        line.strip().split(": ", 1) for line in xdotool("getwindowgeometry", window).splitlines()[1:]
        if ": " in line
    )
    x, y = (int(v) for v in geometry["Position"].split(" ")[0].split(","))
    w, h = (int(v) for v in geometry["Geometry"].split("x"))
    xdotool("mousemove", str(x + w // 2), str(y + h // 2))
    xdotool("windowfocus", "--sync", window)
    time.sleep(0.5)  # let GTK take the focus before typing (not an assertion)
    xdotool("key", "ctrl+a")
    xdotool("type", "--delay", "20", path)
    xdotool("key", "Return")


def select_option(driver, select, value):
    click(driver, f'{select} option[value="{value}"]')


def row_with(driver, words):
    for el in driver.find_all(".activity-row"):
        text = driver.call("GET", driver.s(f"/element/{el}/text"))
        if words in text:
            return el
    return None


def run(driver, args):
    driver.start(args.app)
    wait_for("the window to load", lambda: driver.text("#mode-badge") not in ("", "…"))
    main = driver.call("GET", driver.s("/window"))
    click(driver, "#nav-activity")
    wait_for("the Activity page", lambda: driver.find_all("#activity-title"))

    approved = answer_in_window(driver, main, "Activity approved thing", "#approval-approve")
    check(not approved["error"], "the approved call completes")
    denied = answer_in_window(driver, main, "Activity declined thing", "#approval-deny")
    check(denied["error"], "the denied call is refused")
    wait_for("both calls in the list", lambda: len(driver.find_all(".activity-row")) >= 2, timeout=10)

    rows = driver.find_all(".activity-row")
    decisions = set()
    for el in rows[:2]:
        driver.call("POST", driver.s(f"/element/{el}/click"), {})
        wait_for("the detail panel", lambda: driver.find_all("#detail-approval"))
        decisions.add(driver.text("#detail-approval"))
    check(decisions == {"Approved by you", "Denied by you"},
          f"the detail panel shows the person's decision in words ({decisions})")

    select_option(driver, "#filter-outcome", "refused")
    wait_for("the filtered page", lambda: len(driver.find_all(".activity-row")) == 1)
    check("Blocked" in driver.text(".activity-row"), "outcome Blocked shows only the denied call, read from the store")

    out_dir = os.path.join(os.environ["HOME"], "exports")
    os.makedirs(out_dir, exist_ok=True)
    target = os.path.join(out_dir, "blocked-calls.csv")
    click(driver, "#activity-export")
    save_in_dialog(target)
    line = wait_for("the export line", lambda: driver.find_all("#export-line")
                    and "Saved" in driver.text("#export-line") and driver.text("#export-line"))
    check(target in line and "1 call" in line, f"the page says where it saved what ({line!r})")
    with open(target, newline="") as f:
        text = f.read()
    table = list(csv.DictReader(io.StringIO(text)))
    check(len(table) == 1 and table[0]["approval"] == "denied" and table[0]["tool"] == "create_product",
          f"the file holds exactly the filtered call with its decision ({table})")
    # The time as the computer's own zone writes it (the app and this test share TZ).
    stored = wait_for("the stored time", lambda: stored_started_at(table[0]["id"]))
    local = datetime.datetime.fromisoformat(stored.replace("Z", "+00:00")).astimezone()
    offset = local.strftime("%z")
    check(table[0]["started_at"] == local.strftime("%Y-%m-%d %H:%M:%S ") + f"{offset[:3]}:{offset[3:]}",
          f"the time is in the computer's zone, TZ={os.environ.get('TZ')} ({table[0]['started_at']!r} for {stored})")
    check("fsk_" not in text and "Bearer" not in text, "no key or token in the file")
    if args.screenshot:
        how = driver.screenshot(args.screenshot)
        print(f"ok - screenshot ({how}) saved to {args.screenshot}")
    return app_pids(args.app, args.marker)


def stored_started_at(record_id):
    import sqlite3
    db = os.path.join(os.environ["FLEX_MCP_HOME"], "data", "activity.sqlite3")
    con = sqlite3.connect(db)
    try:
        row = con.execute("SELECT started_at FROM calls WHERE id = ?", (record_id,)).fetchone()
    finally:
        con.close()
    return row[0] if row else None


def main():
    if not subprocess.run(["which", "xdotool"], capture_output=True).returncode == 0:
        print("not ok - xdotool is needed to drive the save dialog")
        return 1
    return run_session(__doc__.splitlines()[0], run, "activity")


if __name__ == "__main__":
    sys.exit(main())
