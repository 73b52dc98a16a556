#!/usr/bin/env python3
"""GUI test of the wired host (issues 7 and 8): a call from the official MCP Python SDK through
`flex-mcp stdio` (the bridge to the app's host) appears in the Activity page without a reload; a live
write whose policy is `ask` opens the approval window, is approved there (the call completes and its record
says approved), and a second one is denied there (the assistant reads the refusal, the record says denied).

The SDK client runs in the tree's .venv as a child process; its result comes back as one JSON line.
"""

import json
import os
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from smoke import Failure, app_pids, check, run_session, wait_for  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# One tool call through the bridge with the official SDK; prints {"error": bool, "text": str}.
SDK_CALL = r"""
import asyncio, json, os, sys
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

async def main(tool, args):
    params = StdioServerParameters(command=os.environ["FLEX_MCP_BIN"], args=["stdio"], env=dict(os.environ))
    async with stdio_client(params) as (r, w):
        async with ClientSession(r, w) as s:
            await s.initialize()
            res = await s.call_tool(tool, json.loads(args))
            text = "".join(getattr(c, "text", "") for c in res.content)
            print(json.dumps({"error": bool(getattr(res, "is_error", None) or getattr(res, "isError", False)), "text": text}))

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


def sdk_call(tool, args):
    """Start one SDK call in the background; returns the process."""
    return subprocess.Popen(
        [os.path.join(ROOT, ".venv", "bin", "python"), "-c", SDK_CALL, tool, json.dumps(args)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def result_of(proc):
    out, err = proc.communicate(timeout=60)
    if proc.returncode != 0:
        raise Failure(f"the SDK client failed ({proc.returncode}): {err[-3000:]}")
    return json.loads(out.strip().splitlines()[-1])


def decision_of(tool_name, name):
    db = os.path.join(os.environ["FLEX_MCP_HOME"], "data", "activity.sqlite3")
    con = sqlite3.connect(db)
    try:
        rows = con.execute(
            "SELECT approval FROM calls WHERE tool = ? AND arguments LIKE ? ORDER BY started_at DESC",
            (tool_name, f"%{name}%"),
        ).fetchall()
    finally:
        con.close()
    return rows[0][0] if rows else None


def click(driver, css):
    driver.call("POST", driver.s(f"/element/{driver.find(css)}/click"), {})


def switch_to(driver, handle):
    driver.call("POST", driver.s("/window"), {"handle": handle})


def approval_window(driver, main):
    """Switch to the approval window once it is open; returns its handle."""
    def other():
        handles = driver.call("GET", driver.s("/window/handles"))
        rest = [h for h in handles if h != main]
        return rest[0] if rest else None
    handle = wait_for("the approval window to open", other)
    switch_to(driver, handle)
    wait_for("the approval's sentence", lambda: driver.find_all("#approval-sentence"))
    return handle


def answer_in_window(driver, main, name, button):
    proc = sdk_call("create_product", {"name": name})
    approval_window(driver, main)
    check(driver.text("#approval-mode") == "LIVE", "the approval window shows the LIVE badge")
    check(name in driver.text("#approval-details") or name in driver.text("#approval-sentence"),
          f"the approval names what will be created ({driver.text('#approval-sentence')!r})")
    check("Denied automatically in" in driver.text("#approval-countdown"), "a countdown to the timeout is shown")
    click(driver, button)
    result = result_of(proc)
    switch_to(driver, main)
    return result


def run(driver, args):
    driver.start(args.app)
    wait_for("the window to load", lambda: driver.text("#mode-badge") not in ("", "…"))
    main = driver.call("GET", driver.s("/window"))
    click(driver, "#nav-activity")
    wait_for("the Activity page", lambda: driver.find_all("#activity-title"))
    before = len(driver.find_all(".activity-row"))

    result = result_of(sdk_call("list_products", {}))
    check(not result["error"], f"list_products through the bridge succeeds ({result['text'][:200]!r})")
    wait_for("the call in the Activity page without a reload",
             lambda: len(driver.find_all(".activity-row")) > before, timeout=10)
    check("list" in driver.text(".activity-row").lower() or "product" in driver.text(".activity-row").lower(),
          f"the newest row is the call just made ({driver.text('.activity-row')!r})")

    approved = answer_in_window(driver, main, "GUI approved thing", "#approval-approve")
    check(not approved["error"], f"the approved call completes ({approved['text'][:200]!r})")
    check(wait_for("the approved record", lambda: decision_of("create_product", "GUI approved thing"))
          == "approved", "the record says approved")

    denied = answer_in_window(driver, main, "GUI declined thing", "#approval-deny")
    check(denied["error"] and "declined" in denied["text"].lower(),
          f"the denied call tells the assistant the person declined ({denied['text'][:200]!r})")
    check(wait_for("the denied record", lambda: decision_of("create_product", "GUI declined thing"))
          == "denied", "the record says denied")
    if args.screenshot:
        how = driver.screenshot(args.screenshot)
        print(f"ok - screenshot ({how}) saved to {args.screenshot}")
    return app_pids(args.app, args.marker)


def main():
    return run_session(__doc__.splitlines()[0], run, "live-feed and approval")


if __name__ == "__main__":
    sys.exit(main())
